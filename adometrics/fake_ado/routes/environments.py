"""Routes: environments (to be written)."""
