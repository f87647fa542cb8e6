"""Komsos visits: the Babinsa's villages, recording a visit with the problems heard."""
