"""Column types and helpers shared by the table modules; import tables from :mod:`.schema`."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime

from sqlalchemy import Column, DateTime, ForeignKey, LargeBinary, MetaData, String, Table
from sqlalchemy.types import TypeDecorator

metadata = MetaData(naming_convention={
    "ix": "ix_%(table_name)s_%(column_0_N_name)s",
    "uq": "uq_%(table_name)s_%(column_0_N_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
})

ID = String(255)      # ADO ids: GUIDs, or external ids such as a GitHub repository's "owner/name"
SHA = String(64)
WORD = String(64)     # statuses, results, reasons, kinds


class UtcDateTime(TypeDecorator):
    """Timezone-aware UTC datetimes on both databases (SQLite has no time zones; naive input is refused)."""

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError(f"naive datetime {value!r}: adometrics stores aware UTC times only")
        value = value.astimezone(UTC)
        return value.replace(tzinfo=None) if dialect.name == "sqlite" else value

    def process_result_value(self, value: datetime | None, dialect) -> datetime | None:
        if value is None:
            return None
        return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)


def _sqlite_time(value: datetime) -> str:
    """What SQLAlchemy's SQLite DATETIME stores (always with microseconds, so text order is time order)."""
    if value.tzinfo is not UTC:
        if value.tzinfo is None:
            raise ValueError(f"naive datetime {value!r}: adometrics stores aware UTC times only")
        value = value.astimezone(UTC)
    return value.replace(tzinfo=None).isoformat(" ", "microseconds")


def _aware_time(value: datetime) -> datetime:
    if value.tzinfo is None:
        raise ValueError(f"naive datetime {value!r}: adometrics stores aware UTC times only")
    return value


def time_binder(dialect: str) -> Callable[[datetime], object]:
    """:class:`UtcDateTime`'s conversion, for writers that bind values through the driver directly (bulk
    writes skip SQLAlchemy's per-value processing, the larger part of their cost)."""
    return _sqlite_time if dialect == "sqlite" else _aware_time


def table(name: str, *items) -> Table:
    """A table of the one :data:`metadata`."""
    return Table(name, metadata, *items)


def org_key() -> Column:
    """The tenant: first column of every natural key."""
    return Column("org_id", ID, ForeignKey("organizations.id", ondelete="CASCADE"), primary_key=True)


def key(name: str, type_=ID) -> Column:
    """Another part of the natural key (ADO ids, never surrogate numbers)."""
    return Column(name, type_, primary_key=True, autoincrement=False)


def digest() -> Column:
    """Keyed digest of the synced values (see :meth:`OrgCipher.digest`)."""
    return Column("row_digest", LargeBinary, nullable=False)


def sealed(name: str, *, indexed: bool = False, nullable: bool = True) -> list[Column]:
    """An encrypted value ``<name>_enc`` and, for equality lookups, its blind index ``<name>_bidx``."""
    columns = [Column(f"{name}_enc", LargeBinary, nullable=nullable)]
    if indexed:
        columns.append(Column(f"{name}_bidx", LargeBinary, nullable=nullable))
    return columns
