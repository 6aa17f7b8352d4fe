"""Routes: pulls (to be written)."""
