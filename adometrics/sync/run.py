"""One run of one organization's sync: where fetched pages meet the database.

Every page is written with its checkpoint in one transaction (:meth:`Run.commit`), so a crash repeats at
most the page that was in flight and never skips one. Streams are small functions over a :class:`Run`
(see :mod:`.plan`); this module holds what they share. Independent streams run side by side on lanes
(:mod:`.workers`), every HTTP call on the run's pool; the database is used by one thread at a time (SQLite has
one writer, and busy waits between our own threads would only cost time).
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any, Protocol, TypeVar

from sqlalchemy import ColumnElement, Connection, Engine

from ..clock import Clock, utcnow
from ..domain import SyncCheckpoint
from ..store import Keyring, load, upsert
from ..store.mapping import spec_for
from .checkpoints import Checkpoints, format_time
from .collect import Batch, batches
from .progress import NullProgress, Progress, Serialized
from .report import Skip, SyncReport
from .workers import FIRST, Lanes, Pool, Stopped

log = logging.getLogger("adometrics.sync")
SPARE = 2  # pool threads beyond ``concurrency``: they parse answers while the client's gate holds them
T = TypeVar("T")
R = TypeVar("R")


@dataclass(frozen=True, slots=True)
class SyncOptions:
    """Knobs of a run. Overlaps re-read the end of a sorted stream, for items ADO indexes late."""

    full: bool = False                                # ignore cursors and fingerprints: re-read everything
    concurrency: int = 4                              # HTTP calls in flight, at most (all streams)
    time_overlap: timedelta = timedelta(minutes=10)   # builds, releases, deployments, closed PRs
    commit_overlap: timedelta = timedelta(days=2)     # commits: committer dates lag behind pushes
    pr_statuses: bool = False                         # read active PRs' statuses (only status write-back
                                                      # needs them; no metric does: a call per open PR)
    projects: tuple[str, ...] = ()                    # only these projects (names or ids, any case);
                                                      # empty: all. Organization-wide streams still run


def entity_of(record: object) -> str:
    return spec_for(type(record)).entity


class Run:
    """Shared state of one run: database, keys, client, checkpoints, report, progress and its threads."""

    def __init__(self, engine: Engine, keyring: Keyring, client: Any, org_id: str, *, run_id: str,
                 started: datetime, checkpoints: Checkpoints, report: SyncReport, options: SyncOptions,
                 progress: Progress | None = None, collectors: Any = None, clock: Clock = utcnow) -> None:
        self.engine, self.keyring, self.client, self.org_id = engine, keyring, client, org_id
        self.run_id, self.started = run_id, started
        self.checkpoints, self.report, self.options = checkpoints, report, options
        self.progress = Serialized(progress or NullProgress())
        self.collectors = collectors
        self.clock = clock
        self._database = threading.Lock()
        self._tally = threading.Lock()
        self._stopped = threading.Event()
        self._pool = Pool(options.concurrency + SPARE)
        self.lanes = Lanes(2 * max(1, options.concurrency), self._stopped.set)

    def close(self) -> None:
        self._stopped.set()
        self._pool.shutdown()
        self.lanes.shutdown()

    # -- writing -------------------------------------------------------------------------------------

    def commit(self, records: Sequence, checkpoint: SyncCheckpoint | None = None, *,
               before: Callable[[Connection], None] | None = None) -> None:
        """Write records and a checkpoint in one transaction (``before`` runs first in it); only then does
        the run move on. Once the run is stopping (another lane failed), nothing more is written."""
        with self._database:
            if self._stopped.is_set():
                raise Stopped("the run stopped")
            with self.engine.begin() as conn:
                if before is not None:
                    before(conn)
                if records or checkpoint is not None:
                    upsert(conn, self.keyring, [*records, *([checkpoint] if checkpoint else [])])
            if checkpoint is not None:
                self.checkpoints.committed(checkpoint)

    def checkpoint(self, stream: str, scope: str, *, resume: dict | None = None, done: bool = False,
                   cursor: str | None = None) -> SyncCheckpoint:
        """The checkpoint of a page (``resume``: the next page's query) or of a finished stream."""
        return self.checkpoints.make(stream, scope, run_id=self.run_id, resume=resume, done=done,
                                     cursor=cursor, now=self.clock())

    def capped(self, value: datetime | None) -> datetime | None:
        """A cursor never passes the run's start: whatever ADO dated later is read again next time."""
        return None if value is None else min(value, self.started)

    def done(self, stream: str, scope: str = "") -> bool:
        return self.checkpoints.done(stream, scope, self.run_id)

    def finish(self, stream: str, scope: str = "", cursor: str | None = None) -> None:
        self.commit([], self.checkpoint(stream, scope, done=True, cursor=cursor))

    # -- counting ------------------------------------------------------------------------------------

    def fetched(self, records: Iterable) -> None:
        """Count fetched records by entity, for the report and the progress bars."""
        counts: dict[str, int] = {}
        for record in records:
            name = entity_of(record)
            counts[name] = counts.get(name, 0) + 1
        with self._tally:
            self.report.fetched.update(counts)
        for name, n in counts.items():
            self.progress.add(name, done=n)

    def hint(self, text: str) -> None:
        """Tell the user something they can act on (in the report, the log and the progress display)."""
        with self._tally:
            self.report.notes.append(text)
        log.info("%s", text)
        self.progress.note(text)

    def skip(self, entity: str, key: str, reason: str) -> None:
        """Leave one thing out, say why (in the report and the log); the rest of the run goes on."""
        with self._tally:
            self.report.skipped.append(Skip(entity, key, reason))
        log.warning("skipped %s %s: %s", entity, key, reason)

    # -- reading -------------------------------------------------------------------------------------

    def load(self, record_type: type, *criteria: ColumnElement) -> list:
        return self.read(lambda conn: load(conn, self.keyring, record_type, self.org_id, *criteria))

    def query(self, statement) -> list:
        return self.read(lambda conn: conn.execute(statement).all())

    def read(self, reader: Callable[[Connection], T]) -> T:
        """``reader(connection)``, in turn with the other threads' database work."""
        with self._database, self.engine.connect() as conn:
            return reader(conn)

    def ahead(self, fn: Callable[[T], R], items: Iterable[T]) -> Callable[[], list[R]]:
        """Start ``fn`` over ``items`` on the run's pool now (HTTP only: the caller writes); the call returned
        waits for the results. The caller writes one chunk while the next is fetched."""
        futures = [self._pool.submit(fn, item) for item in items]
        return lambda: [f.result() for f in futures]

    def remote(self, source: Any) -> Iterator[Batch]:
        """The pages of ``source``, each fetched on the pool ahead of the others' bulk work, the next one
        while the caller writes this one (a crash loses that fetch, never a page)."""
        pages = batches(source)
        following = self._pool.submit(_advance, pages, priority=FIRST)
        while True:
            page = following.result()
            if page is _END:
                return
            following = self._pool.submit(_advance, pages, priority=FIRST)
            yield page

    # -- the common page loop -------------------------------------------------------------------------

    def pages(self, stream: str, scope: str, source: Any, *,
              expand: Callable[[list], list] | None = None, cursor: Cursor | None = None,
              cursor_at_end: bool = False, keep: bool = False) -> list:
        """Write each page of ``source`` with its checkpoint; the last page also marks the stream done.

        ``expand`` turns a page's records into what is written (adding the details fetched for them, in the
        same transaction). ``cursor`` follows the data: ascending streams move it page by page, newest-first
        ones (``cursor_at_end``) only with the last page. Returns the records when ``keep``.
        """
        kept: list = []
        finished = False
        for batch in self.remote(source):
            records = list(batch.records)
            self.note_skipped(batch)
            self.fetched(records)
            written = expand(records) if expand else records
            if cursor is not None:
                cursor.see(records)
            finished = batch.resume is None
            value = cursor.value(self) if cursor is not None and (finished or not cursor_at_end) else None
            self.commit(written, self.checkpoint(stream, scope, resume=batch.resume, done=finished,
                                                 cursor=value))
            if keep:
                kept.extend(records)
        if not finished:  # an empty source, or one that never said it was at its end
            self.finish(stream, scope, cursor.value(self) if cursor is not None else None)
        return kept

    def resume(self, stream: str, scope: str = "") -> dict | None:
        """Where this run stopped inside the stream (the next page's query), or None to start afresh."""
        return self.checkpoints.resume(stream, scope, self.run_id) or None

    def note_skipped(self, batch: Batch) -> None:
        for s in batch.skipped:
            self.skip(s.entity, str(s.key), s.reason)


_END = object()


def _advance(pages: Iterator[Batch]) -> Any:
    return next(pages, _END)


class Cursor(Protocol):
    """Follows the records of a stream and says what the stream's cursor becomes."""

    def see(self, records: list) -> None: ...

    def value(self, run: Run) -> str | None: ...


class TimeCursor:
    """The latest value of a datetime field seen (never our clock), capped at the run's start."""

    def __init__(self, field: str) -> None:
        self.field = field
        self.high: datetime | None = None

    def see(self, records: list) -> None:
        for record in records:
            value = getattr(record, self.field, None)
            if value is not None and (self.high is None or value > self.high):
                self.high = value

    def value(self, run: Run) -> str | None:
        return format_time(run.capped(self.high))
