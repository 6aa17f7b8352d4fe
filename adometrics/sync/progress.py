"""How a sync reports progress, so the CLI can draw bars and a worker can stay silent (no UI in the sync)."""

from __future__ import annotations

import threading
from typing import Protocol


class Progress(Protocol):
    """Told per entity how many items were fetched and, where the sync knows it, how many are expected.

    ``expected`` only ever grows (a PR list page tells how many detail fetches follow), so a bar can show an
    ETA for work whose size is learned on the way.
    """

    def add(self, entity: str, *, done: int = 0, expected: int = 0) -> None: ...

    def note(self, text: str) -> None:
        """A one-line remark (e.g. "environments route refused")."""
        ...


class NullProgress:
    """Progress that goes nowhere (jobs, tests)."""

    def add(self, entity: str, *, done: int = 0, expected: int = 0) -> None:
        return None

    def note(self, text: str) -> None:
        return None


class Serialized:
    """A :class:`Progress` told from several lanes at once, one call at a time (a UI need not be
    thread-safe)."""

    def __init__(self, inner: Progress) -> None:
        self.inner = inner
        self._lock = threading.Lock()

    def add(self, entity: str, *, done: int = 0, expected: int = 0) -> None:
        with self._lock:
            self.inner.add(entity, done=done, expected=expected)

    def note(self, text: str) -> None:
        with self._lock:
            self.inner.note(text)
