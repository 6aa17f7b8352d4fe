"""Routes: content (to be written)."""
