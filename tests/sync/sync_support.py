"""Helpers for the sync acceptance tests: a client over loopback, connect + sync, database snapshots."""

from __future__ import annotations

from collections import Counter
from typing import Any

import httpx

from adometrics.connectors.azure_devops.auth import PatAuth
from adometrics.connectors.azure_devops.client import AdoClient, make_http_client
from adometrics.store import load
from adometrics.store.mapping import SPECS
from adometrics.sync import SyncOptions, default_collectors, save, sync_connection, verify

ALLOWED = ("127.0.0.1",)
# Not synced data: the connection (credential, health, times) and the checkpoints (run ids, times).
NOT_DATA = {"organizations", "connections", "sync_checkpoints"}


def client(url: str, pat: str) -> AdoClient:
    return AdoClient(url, make_http_client(), PatAuth(pat), allowed_hosts=ALLOWED)


def connect(engine, keyring, srv, pat: str | None = None):
    """Verify and store the connection to the simulator's organization; returns what verify found."""
    c = client(srv.organization_url, pat or srv.pat)
    try:
        verified = verify(c, default_collectors())
    finally:
        c.http.close()
    save(engine, keyring, verified, pat or srv.pat)
    return verified


def sync(engine, keyring, org_id: str, **options: Any):
    return sync_connection(engine, keyring, client, org_id, options=SyncOptions(**options))


def snapshot(engine, keyring, org_id: str) -> dict[str, list]:
    """Every synced record of the organization, decrypted and sorted: two databases compare table by
    table whatever their keys and nonces."""
    out: dict[str, list] = {}
    with engine.connect() as conn:
        for spec in SPECS:
            if spec.entity in NOT_DATA:
                continue
            out[spec.entity] = sorted(load(conn, keyring, spec.record, org_id), key=repr)
    return out


def diff(a: dict[str, list], b: dict[str, list]) -> dict[str, tuple[int, int]]:
    """Entities whose records differ, with the number of records only in each side."""
    out = {}
    for entity in sorted(set(a) | set(b)):
        left, right = Counter(map(repr, a.get(entity, []))), Counter(map(repr, b.get(entity, [])))
        if left != right:
            out[entity] = (sum((left - right).values()), sum((right - left).values()))
    return out


def control(srv, method: str, path: str, json: Any = None) -> Any:
    """Call the simulator's control API (``/_control``)."""
    response = httpx.request(method, f"{srv.control_url}{path}", json=json, timeout=10)
    response.raise_for_status()
    return response.json()
