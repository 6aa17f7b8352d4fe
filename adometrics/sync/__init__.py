"""Where fetch meets persist: connecting an organization, and syncing it page by page (ARCHITECTURE §4).

Entry points build the engine, keyring and client and pass them in; nothing here is a module-level singleton.
"""

from __future__ import annotations

from .connection import ConnectionRow, Verified, list_connections, save, verify
from .health import describe_health
from .progress import NullProgress, Progress
from .report import Skip, SyncReport
from .run import SyncOptions
from .runner import default_collectors, stored_connection, sync_connection, sync_organization

__all__ = [
    "ConnectionRow",
    "NullProgress",
    "Progress",
    "Skip",
    "SyncOptions",
    "SyncReport",
    "Verified",
    "default_collectors",
    "describe_health",
    "list_connections",
    "save",
    "stored_connection",
    "sync_connection",
    "sync_organization",
    "verify",
]
