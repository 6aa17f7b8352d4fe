"""Routes: hooks (to be written)."""
