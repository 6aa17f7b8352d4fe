"""Routes: builds (to be written)."""
