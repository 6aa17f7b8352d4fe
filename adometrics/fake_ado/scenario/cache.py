"""Small helpers for on-demand data: an LRU that builds missing values, a lazy sequence, a GC pause."""

from __future__ import annotations

import gc
from collections import OrderedDict
from collections.abc import Callable, Sequence
from contextlib import contextmanager


@contextmanager
def paused_gc():
    """Generation allocates millions of long-lived objects; the cyclic GC would rescan them for nothing."""
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if enabled:
            gc.enable()


class LRU(OrderedDict):
    def __init__(self, size: int, make: Callable):
        super().__init__()
        self.size, self.make = size, make

    def get_or_make(self, key):
        if key in self:
            self.move_to_end(key)
            return self[key]
        value = self[key] = self.make(key)
        if len(self) > self.size:
            self.popitem(last=False)
        return value


class LazySeq(Sequence):
    """A read-only sequence over global ids that builds each record when indexed."""

    def __init__(
        self, ids: Sequence[int], count: int, fetch: Callable[[int], object], newest_first: bool = False
    ):
        self.ids, self.count, self.fetch, self.newest_first = ids, count, fetch, newest_first

    def __len__(self) -> int:
        return self.count

    def __getitem__(self, i):
        if isinstance(i, slice):
            return [self[j] for j in range(*i.indices(self.count))]
        if i < 0:
            i += self.count
        if not 0 <= i < self.count:
            raise IndexError(i)
        return self.fetch(self.ids[self.count - 1 - i] if self.newest_first else self.ids[i])
