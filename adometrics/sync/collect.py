"""The seam between the sync and the collectors: whatever a collector returns, the sync sees pages.

Collectors (``connectors.azure_devops.collectors``) yield one ``Batch(records, resume, skipped)`` per API
page; detail collectors return a ``Collected`` list (records plus ``skipped``). :func:`batches` turns
either into pages, so each stream stays a few lines.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any, Protocol


class Batch(Protocol):
    records: list
    resume: dict | None
    skipped: list


@dataclass(slots=True)
class Page:
    """A page made from a plain list (a collector that returns its items at once)."""

    records: list
    resume: dict | None = None
    skipped: list = field(default_factory=list)


def is_batch(item: Any) -> bool:
    return hasattr(item, "records") and hasattr(item, "skipped")


def batches(source: Any) -> Iterator[Batch]:
    """Pages of ``source``: a Batch, an iterable of Batches, or an iterable of records (one page)."""
    if source is None:
        return
    if is_batch(source):
        yield source
        return
    if isinstance(source, list) and hasattr(source, "skipped"):  # Collected: a detail listing's records
        yield Page(list(source), None, list(source.skipped))
        return
    loose: list = []
    for item in source:
        if is_batch(item):
            yield item
        else:
            loose.append(item)
    if loose:
        yield Page(loose)


def records_of(source: Any) -> tuple[list, list]:
    """All records and skips of ``source`` at once (detail fetches, which are written with their PR)."""
    records: list = []
    skipped: list = []
    for batch in batches(source):
        records.extend(batch.records)
        skipped.extend(batch.skipped)
    return records, skipped
