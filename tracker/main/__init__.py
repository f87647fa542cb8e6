"""Home, health check and language switch."""
