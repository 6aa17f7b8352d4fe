"""Reports from the store: metrics (METRICS.md §4) and per-item exports, for the CLI and the web API.

Sits above ``store`` and ``metrics`` (it joins them), beside ``sync``: nothing here talks to ADO.
"""

from __future__ import annotations

from .compute import compute
from .materialize import refresh
from .scope import Target, resolve

__all__ = ["Target", "compute", "refresh", "resolve"]
