"""Run the simulator over real HTTP: in the foreground (``adometrics fake-ado serve``) or in a background
thread on a free port (tests, demo)."""

from __future__ import annotations

import asyncio
import logging
import socket
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass

import uvicorn
from starlette.types import ASGIApp
from uvicorn.protocols.http.h11_impl import H11Protocol

from .app import create_app
from .faults import ConnectionDropped
from .state import Simulator, SimulatorConfig
from .throttle import ThrottleConfig


class _QuietDrops(logging.Filter):
    """A simulated connection drop is intended; keep uvicorn from logging it as an application error."""

    def filter(self, record: logging.LogRecord) -> bool:
        exc = record.exc_info[1] if record.exc_info else None
        return not isinstance(exc, ConnectionDropped)


def _quiet_drops() -> None:
    log = logging.getLogger("uvicorn.error")
    if not any(isinstance(f, _QuietDrops) for f in log.filters):
        log.addFilter(_QuietDrops())


def _listening_socket(host: str, port: int) -> socket.socket:
    """Bind and listen before the banner is printed, so a script that reads it can connect at once."""
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    # IPPROTO_TCP explicitly: asyncio sets TCP_NODELAY only on sockets whose proto says TCP, and without it
    # Nagle's algorithm meets the client's delayed ACK and every response waits ~40 ms.
    sock = socket.socket(family, socket.SOCK_STREAM, socket.IPPROTO_TCP)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    sock.bind((host, port))
    sock.listen(128)
    sock.set_inheritable(True)
    return sock


class _Corked:
    """A transport that sends what one event-loop step wrote as one write: uvicorn writes a response's head
    and body separately, and over loopback every segment costs both processes a system call and a wake-up.
    The bytes on the wire are the same."""

    def __init__(self, transport: asyncio.Transport) -> None:
        self._transport = transport
        self._pending: list[bytes] = []

    def write(self, data: bytes) -> None:
        if not data:
            return
        if not self._pending:
            asyncio.get_running_loop().call_soon(self._flush)
        self._pending.append(data)

    def _flush(self) -> None:
        if self._pending:
            data = b"".join(self._pending)
            self._pending.clear()
            self._transport.write(data)

    def close(self) -> None:
        self._flush()
        self._transport.close()

    def __getattr__(self, name: str):
        return getattr(self._transport, name)


class _CorkedH11(H11Protocol):
    def connection_made(self, transport) -> None:  # type: ignore[override]
        super().connection_made(_Corked(transport))


def _uvicorn(sim: Simulator, log_level: str, app: ASGIApp | None = None) -> uvicorn.Server:
    _quiet_drops()
    app = app or create_app(sim)
    options = {"access_log": False, "lifespan": "off", "http": _CorkedH11, "loop": "asyncio"}
    config = uvicorn.Config(app, log_level=log_level, **options)
    return uvicorn.Server(config)


def _print_flushed(line: str) -> None:
    print(line, flush=True)  # a script reading a pipe must see the banner before the server blocks


def _url_host(host: str) -> str:
    return f"[{host}]" if ":" in host else host


def serve(
    host: str = "127.0.0.1",
    port: int = 8765,
    scenario: str = "small",
    seed: int = 1,
    organization: str = "fabrikam",
    pat: str | None = None,
    *,
    latency_ms: float = 0.0,
    throttle: ThrottleConfig | None = None,
    log_level: str = "warning",
    echo: Callable[[str], None] | None = None,
) -> None:
    """Serve until interrupted. Prints ``ORG_URL=…`` and ``AZURE_DEVOPS_EXT_PAT=…`` (one line each)."""
    config = SimulatorConfig(scenario, seed, organization, throttle=throttle, pat=pat, latency_ms=latency_ms)
    sim = Simulator(config)
    echo = echo or _print_flushed
    sock = _listening_socket(host, port)
    bound = sock.getsockname()[1]
    echo(f"ORG_URL=http://{_url_host(host)}:{bound}/{sim.world.organization}")
    echo(f"AZURE_DEVOPS_EXT_PAT={sim.pat}")
    try:
        _uvicorn(sim, log_level).run(sockets=[sock])
    finally:
        sock.close()


@dataclass(frozen=True, slots=True)
class Running:
    """A simulator serving in the background: its base URL, organization URL, default PAT and state."""

    base_url: str
    organization_url: str
    pat: str
    sim: Simulator

    @property
    def control_url(self) -> str:
        return self.base_url + "/_control"


@contextmanager
def running(
    scenario: str = "tiny",
    seed: int = 1,
    organization: str = "fabrikam",
    pat: str | None = None,
    *,
    sim: Simulator | None = None,
    app: ASGIApp | None = None,
    host: str = "127.0.0.1",
    log_level: str = "warning",
) -> Iterator[Running]:
    """Run a simulator on a free port in a daemon thread; stops it (and waits) on exit.
    ``app`` replaces the simulator's app (tests wrap it or add probe endpoints)."""
    sim = sim or Simulator(SimulatorConfig(scenario, seed, organization, pat=pat))
    sock = _listening_socket(host, 0)
    server = _uvicorn(sim, log_level, app)
    thread = threading.Thread(target=server.run, kwargs={"sockets": [sock]}, name="fake-ado", daemon=True)
    thread.start()
    try:
        deadline = time.monotonic() + 10
        while not server.started:
            if not thread.is_alive() or time.monotonic() > deadline:
                raise RuntimeError("the simulator did not start")
            time.sleep(0.005)
        base = f"http://{_url_host(host)}:{sock.getsockname()[1]}"
        yield Running(base, f"{base}/{sim.world.organization}", sim.pat, sim)
    finally:
        server.should_exit = True
        thread.join(timeout=10)
        sock.close()
