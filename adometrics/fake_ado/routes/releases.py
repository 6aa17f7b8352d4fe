"""Routes: releases (to be written)."""
