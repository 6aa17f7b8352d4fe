"""Keeping a long sync's memory flat on glibc: the sync's threads (lanes and HTTP pool) would each get a
malloc arena that keeps its high-water mark, and response bodies larger than a page of small objects would
stay in them after being freed. Two arenas, and a fixed threshold above which blocks are mapped (and so
returned to the system when freed), keep the peak RSS set by the data in flight, not by the thread count.

``limit_arenas`` is called once at process start, before any thread exists; both are no-ops where the C
library is not glibc.
"""

from __future__ import annotations

import ctypes
import ctypes.util
import os
import threading
import time

M_MMAP_THRESHOLD = -3  # mallopt parameters, from glibc's <malloc.h>
M_ARENA_MAX = -8
ARENAS = 2
MMAP_THRESHOLD = 256 * 1024


def _glibc(function: str):
    """``function`` of the C library if it is glibc's, else None (musl, macOS: nothing to tune)."""
    name = ctypes.util.find_library("c")
    try:
        return getattr(ctypes.CDLL(name), function) if name else None
    except (OSError, AttributeError):
        return None


def limit_arenas() -> bool:
    """Apply the settings unless the user chose their own (MALLOC_ARENA_MAX / MALLOC_MMAP_THRESHOLD_)."""
    if "MALLOC_ARENA_MAX" in os.environ or "MALLOC_MMAP_THRESHOLD_" in os.environ:
        return False
    mallopt = _glibc("mallopt")
    if mallopt is None:
        return False
    return bool(mallopt(M_ARENA_MAX, ARENAS)) and bool(mallopt(M_MMAP_THRESHOLD, MMAP_THRESHOLD))


def trim_periodically(interval: float = 2.0) -> None:
    """Hand freed heap pages back to the system every ``interval`` seconds (``malloc_trim``), from a daemon
    thread: pages written side by side by the sync's lanes free memory in between live blocks, which glibc
    would otherwise keep. A no-op where the C library is not glibc."""
    trim = _glibc("malloc_trim")
    if trim is None:
        return

    def run() -> None:
        while True:
            time.sleep(interval)
            trim(0)

    threading.Thread(target=run, name="adometrics-malloc-trim", daemon=True).start()
