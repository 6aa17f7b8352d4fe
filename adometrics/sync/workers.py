"""The threads of a run: a pool making every HTTP call, and lanes running independent streams side by side.

Calls are only ever made on the :class:`Pool`'s threads (lanes write, and wait for pages); the client lets
``concurrency`` of them be in flight (``AdoClient.bounded``) while a spare thread or two parse answers. A
stream's next page holds its whole stream up (each page names the next), so those steps go before bulk work
(PR details, deployment comparisons), which fills the gaps.

A :class:`Lanes` task is a chain of streams that must stay in order (a repository's refs, commits and PRs; a
project's builds); tasks share no rows, so they run side by side. The first failure that is not a skip stops
the run: queued tasks are dropped, running ones stop at their next commit, and :meth:`Lanes.wait` raises it.
"""

from __future__ import annotations

import itertools
import queue
import threading
from collections.abc import Callable
from concurrent.futures import Future, ThreadPoolExecutor
from typing import Any

FIRST, BULK = 0, 1


class Stopped(Exception):
    """Raised in a lane once the run stopped for another lane's failure (not itself a failure)."""


class Pool:
    """``size`` threads taking work by priority (:data:`FIRST` before :data:`BULK`), then in order."""

    def __init__(self, size: int) -> None:
        self._queue: queue.PriorityQueue = queue.PriorityQueue()
        self._order = itertools.count()
        self._lock = threading.Lock()
        self._closed = False
        self._threads = [threading.Thread(target=self._work, name=f"adometrics-sync-{i}", daemon=True)
                         for i in range(max(1, size))]
        for thread in self._threads:
            thread.start()

    def submit(self, fn: Callable[..., Any], *args: Any, priority: int = BULK) -> Future:
        future: Future = Future()
        with self._lock:
            if self._closed:
                raise Stopped("the run's threads are shut down")
            self._queue.put((priority, next(self._order), future, fn, args))
        return future

    def _work(self) -> None:
        while True:
            _, _, future, fn, args = self._queue.get()
            if future is None:
                return
            if not future.set_running_or_notify_cancel():
                continue
            try:
                future.set_result(fn(*args))
            except BaseException as exc:  # handed to whoever waits on the future
                future.set_exception(exc)

    def shutdown(self) -> None:
        """Cancel what has not started, let running calls end, and stop the threads."""
        with self._lock:
            self._closed = True
            while not self._queue.empty():
                future = self._queue.get_nowait()[2]
                if future is not None:
                    future.cancel()
            for _ in self._threads:
                self._queue.put((BULK + 1, next(self._order), None, None, ()))
        for thread in self._threads:
            thread.join()


class Lanes:
    """Tasks on ``width`` threads; a task may start more tasks. :meth:`wait` returns when all have ended."""

    def __init__(self, width: int, stop: Callable[[], None]) -> None:
        self._executor = ThreadPoolExecutor(max(1, width), thread_name_prefix="adometrics-lane")
        self._stop = stop
        self._changed = threading.Condition()
        self._open = 0
        self._error: BaseException | None = None

    def start(self, task: Callable[[], None]) -> None:
        with self._changed:
            if self._error is not None:
                return
            self._open += 1
        try:
            self._executor.submit(self._run, task)
        except RuntimeError:  # shut down meanwhile: the run is stopping
            self._ended()

    def _run(self, task: Callable[[], None]) -> None:
        try:
            if self._error is None:
                task()
        except BaseException as exc:
            with self._changed:
                if self._error is None and not isinstance(exc, Stopped):
                    self._error = exc
            self._stop()
        finally:
            self._ended()

    def _ended(self) -> None:
        with self._changed:
            self._open -= 1
            self._changed.notify_all()

    def wait(self) -> None:
        """Wait for every task; raise the first failure."""
        with self._changed:
            self._changed.wait_for(lambda: self._open == 0)
            if self._error is not None:
                raise self._error

    def shutdown(self) -> None:
        self._executor.shutdown(wait=True, cancel_futures=True)
