"""The run's threads: every HTTP call on the pool (so ``concurrency`` bounds the calls in flight, whichever
streams run side by side), a stream's next page before bulk work, and a lane's failure stopping the run."""

from __future__ import annotations

import threading
import time

import pytest
from sync_support import client, connect, diff, snapshot, sync

from adometrics.store.engine import make_engine
from adometrics.store.migrate import upgrade
from adometrics.sync.run import SyncOptions
from adometrics.sync.runner import sync_connection
from adometrics.sync.workers import BULK, FIRST, Lanes, Pool, Stopped


class InFlight:
    """Wraps a client's ``http.send`` to count the calls in flight, and the most there ever were."""

    def __init__(self) -> None:
        self.now = self.most = 0
        self.lock = threading.Lock()

    def client(self, url: str, pat: str):
        made = client(url, pat)
        send = made.http.send

        def counted(request, **kwargs):
            with self.lock:
                self.now += 1
                self.most = max(self.most, self.now)
            try:
                return send(request, **kwargs)
            finally:
                with self.lock:
                    self.now -= 1

        made.http.send = counted
        return made


@pytest.mark.parametrize("concurrency", [1, 3])
def test_concurrency_bounds_every_call_in_flight(sqlite_db, keyring, tiny, tmp_path, concurrency):
    tiny.sim.faults.latency_ms = 10  # calls overlap whenever the sync lets them
    org = connect(sqlite_db, keyring, tiny).org
    calls = InFlight()
    report = sync_connection(sqlite_db, keyring, calls.client, org.id,
                             options=SyncOptions(concurrency=concurrency))
    assert report.completed, report.error
    assert calls.most == concurrency

    clean = make_engine(f"sqlite:///{tmp_path / 'clean.db'}")
    upgrade(clean)
    connect(clean, keyring, tiny)
    assert sync(clean, keyring, org.id, concurrency=1).completed
    assert diff(snapshot(sqlite_db, keyring, org.id), snapshot(clean, keyring, org.id)) == {}
    clean.dispose()


def test_pool_takes_first_work_before_bulk_work():
    pool = Pool(1)
    gate = threading.Event()
    order: list[str] = []
    try:
        pool.submit(gate.wait)  # holds the only thread while the rest is queued
        bulk = [pool.submit(order.append, f"bulk {i}", priority=BULK) for i in range(3)]
        first = pool.submit(order.append, "first", priority=FIRST)
        gate.set()
        for future in [*bulk, first]:
            future.result(timeout=5)
    finally:
        pool.shutdown()
    assert order == ["first", "bulk 0", "bulk 1", "bulk 2"]


def test_pool_shutdown_cancels_queued_work_and_refuses_more():
    pool = Pool(1)
    gate = threading.Event()
    running = pool.submit(gate.wait, 5)
    queued = pool.submit(time.sleep, 0)
    threading.Timer(0.05, gate.set).start()
    pool.shutdown()
    assert running.result() and queued.cancelled()
    with pytest.raises(Stopped):
        pool.submit(time.sleep, 0)


def test_lanes_raise_the_first_failure_and_stop_the_others():
    stop = threading.Event()
    lanes = Lanes(2, stop.set)
    started: list[str] = []

    def failing() -> None:
        raise RuntimeError("refused")

    def stopping() -> None:
        assert stop.wait(5)
        raise Stopped("the run stopped")

    def nested() -> None:
        started.append("outer")
        lanes.start(lambda: started.append("inner"))

    lanes.start(nested)
    lanes.start(stopping)
    lanes.start(failing)
    with pytest.raises(RuntimeError, match="refused"):
        lanes.wait()
    lanes.shutdown()
    assert stop.is_set() and started[0] == "outer"
