"""Where data comes from: one sub-package per provider; each knows its URLs, JSON shapes and headers."""
