"""What every collector yields: a page of parsed records, where to resume, and what was skipped and why.

Collectors read; they never write. The sync persists each batch and its ``resume`` in one transaction, so a
crash repeats at most one page (ARCHITECTURE §4). A malformed record never stops a page: it becomes a
:class:`Skipped` entry (entity, key, reason — never the record's content) and the rest of the page goes on.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from typing import Any, Generic, TypeVar

from ..client import Listing
from ..pagination import Page
from ..parse_common import MalformedRecord

T = TypeVar("T")
Params = dict[str, Any]


@dataclass(frozen=True)
class Skipped:
    """A record left out: which kind, which one (its id, or its position), and why."""

    entity: str
    key: str
    reason: str


@dataclass(frozen=True)
class Batch(Generic[T]):
    """One API page. ``resume``: the params to pass back as ``resume=`` to continue after this page (None on
    the last page); JSON-serialisable, so a checkpoint can store it."""

    records: list[T]
    resume: dict | None
    skipped: list[Skipped] = field(default_factory=list)


class Collected(list, Generic[T]):
    """The records of an unpaged detail listing (threads, iterations…), with what was skipped. It is a
    list, and also reads as a one-page Batch (``records``, ``resume`` None, ``skipped``)."""

    resume: dict | None = None

    def __init__(self, records: Iterable[T] = (), skipped: Iterable[Skipped] = ()) -> None:
        super().__init__(records)
        self.skipped: list[Skipped] = list(skipped)

    @property
    def records(self) -> list[T]:
        return list(self)


def start_params(resume: Mapping[str, Any] | None, params: Mapping[str, Any]) -> Params:
    """The query of the first request: a stored ``resume`` as it is, else the collector's own params."""
    return dict(resume) if resume is not None else {k: v for k, v in params.items() if v is not None}


def record_key(raw: Any, keys: tuple[str, ...], index: int) -> str:
    """A short, non-sensitive key for a skipped record: its first id-like field, else its position."""
    if isinstance(raw, Mapping):
        for name in keys:
            value = raw.get(name)
            if isinstance(value, (str, int)) and not isinstance(value, bool) and str(value):
                return str(value)[:80]
    return f"#{index}"


def parse_items(items: Iterable[Any], entity: str, parse: Callable[[Any], T | list[T]],
                keys: tuple[str, ...] = ("id",)) -> tuple[list[T], list[Skipped]]:
    """Parse each raw item; a parser may return one record or a list. Malformed items are skipped."""
    records: list[T] = []
    skipped: list[Skipped] = []
    for index, raw in enumerate(items):
        try:
            parsed = parse(raw)
        except MalformedRecord as exc:
            skipped.append(Skipped(entity, record_key(raw, keys, index), exc.reason))
            continue
        if isinstance(parsed, list):
            records.extend(parsed)
        else:
            records.append(parsed)
    return records, skipped


def batches(pages: Listing | Iterable[Page], entity: str, parse: Callable[[Any], T | list[T]],
            keys: tuple[str, ...] = ("id",)) -> Iterator[Batch[T]]:
    """One Batch per page of a listing (a client's listing is parsed page by page under its lock)."""

    def batch(page: Page) -> Batch[T]:
        records, skipped = parse_items(page, entity, parse, keys)
        return Batch(records, _plain(page.next_params), skipped)

    return pages.parsed(batch) if isinstance(pages, Listing) else map(batch, pages)


def collected(pages: Iterable[Page], entity: str, parse: Callable[[Any], T | list[T]],
              keys: tuple[str, ...] = ("id",)) -> Collected[T]:
    """Every page of a detail listing, gathered (they are small: one page almost always)."""
    out: Collected[T] = Collected()
    for batch in batches(pages, entity, parse, keys):
        out.extend(batch.records)
        out.skipped.extend(batch.skipped)
    return out


def _plain(params: Mapping[str, Any] | None) -> dict | None:
    """Resume params with plain JSON values (the client accepts strings for every query value)."""
    if params is None:
        return None
    plain = (str, int, float, bool, type(None))
    return {k: v if isinstance(v, plain) else str(v) for k, v in params.items()}
