"""Routes: identities (to be written)."""
