"""The request log. Minimal version: H2 completes it."""

from __future__ import annotations

from dataclasses import dataclass

from starlette.requests import Request

from .registry import Endpoint


@dataclass(slots=True)
class LogEntry:
    method: str
    path: str
    endpoint: str
    content: bool
    status: int = 0
    identity_id: str | None = None


class RequestLog:
    def __init__(self) -> None:
        self.entries: list[LogEntry] = []

    def start(self, request: Request, ep: Endpoint) -> LogEntry:
        entry = LogEntry(request.method, request.url.path, ep.name, ep.content)
        self.entries.append(entry)
        return entry

    def finish(self, entry: LogEntry, status: int) -> None:
        entry.status = status
