"""Faults on demand. Minimal version: H2 completes it."""

from __future__ import annotations

from starlette.requests import Request

from .registry import Endpoint


class FaultInjector:
    def __init__(self, seed: int = 1):
        self.seed = seed

    async def before(self, ep: Endpoint, request: Request):
        return None
