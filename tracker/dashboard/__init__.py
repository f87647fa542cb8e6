"""The dashboard: what needs me today."""
