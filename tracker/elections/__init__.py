"""Elections: the calendar the early warning works from."""
