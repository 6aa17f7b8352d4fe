"""Routes: git (to be written)."""
