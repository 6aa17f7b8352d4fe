"""Where data is kept: schema, encryption at rest, bulk upserts, reads and migrations (ARCHITECTURE §2).

Entry points build the engine (:func:`make_engine`), migrate it (:func:`upgrade`) and build one
:class:`Keyring` from the master keys; everything else takes a connection whose transaction the caller owns.
"""

from __future__ import annotations

from .crypto import CryptoError, hash_secret, new_secret, verify_secret
from .engine import engine_from_settings, make_engine
from .keyring import Keyring, shred_organization
from .keys import MasterKeys, load_master_keys, master_keys_from_settings
from .migrate import upgrade
from .read import count_entities, load, load_builds, load_pull_requests
from .upsert import set_deployment_pipeline, upsert

__all__ = [
    "CryptoError",
    "Keyring",
    "MasterKeys",
    "count_entities",
    "engine_from_settings",
    "hash_secret",
    "load",
    "load_builds",
    "load_master_keys",
    "load_pull_requests",
    "make_engine",
    "master_keys_from_settings",
    "new_secret",
    "set_deployment_pipeline",
    "shred_organization",
    "upgrade",
    "upsert",
    "verify_secret",
]
