"""Routes: core (to be written)."""
