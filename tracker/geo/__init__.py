"""Positions taken on the phone (only when the user asks): checking them and linking to a map app."""
