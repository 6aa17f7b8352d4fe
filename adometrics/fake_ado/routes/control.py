"""Routes: control (to be written)."""
