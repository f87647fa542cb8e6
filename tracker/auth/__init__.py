"""Login, logout and the current user."""
