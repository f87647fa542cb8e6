"""Administration: users, units."""
