"""Routes: discovery (to be written)."""
