"""Tolerant readers for the values every ADO payload shares: dates, ids, enums, identity refs.

Parsers copy named fields out of a raw dict and drop the rest (ARCHITECTURE §1, data minimisation). A value
that is present but wrong (an unparsable date, an id of the wrong type) makes the whole record unusable:
it raises :class:`MalformedRecord`, which the collectors turn into a ``Skipped`` entry, so one bad record
never stops a page. An absent optional value is simply None.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from datetime import UTC, datetime, timedelta, timezone
from typing import Any

from adometrics.errors import SkippableError

_DATE = re.compile(
    r"^\s*(\d{4})-(\d{2})-(\d{2})(?:[T ](\d{2}):(\d{2})(?::(\d{2})(?:[.,](\d+))?)?)?"
    r"\s*(Z|[+-]\d{2}(?::?\d{2})?)?\s*$",
    re.IGNORECASE,
)
_HEX32 = re.compile(r"^[0-9a-f]{32}$")
# Graph subject types of people (BEHAVIOUR.md §7); groups (vssgp, aadgp), services (svc, s2s) and the rest
# are not users for review activity (METRICS.md §3).
USER_DESCRIPTOR_TYPES = frozenset({"aad", "msa", "imp"})


class MalformedRecord(SkippableError):
    """A record that cannot be used as it is; ``reason`` says why, in a few words, without its content."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


def obj(raw: Any, what: str = "record") -> Mapping[str, Any]:
    """``raw`` as a mapping, or MalformedRecord."""
    if not isinstance(raw, Mapping):
        raise MalformedRecord(f"{what} is a {type(raw).__name__}, not an object")
    return raw


def sub(raw: Mapping[str, Any], key: str) -> Mapping[str, Any]:
    """A nested object (``repository``, ``definition``…); absent or null gives an empty mapping."""
    value = raw.get(key)
    if value is None:
        return {}
    if not isinstance(value, Mapping):
        raise MalformedRecord(f"{key} is a {type(value).__name__}, not an object")
    return value


def parse_datetime(value: Any, field: str = "date") -> datetime | None:
    """An ADO date as an aware UTC datetime: 0–7 fraction digits, ``Z``, an offset or no zone (UTC);
    ``0001-01-01T00:00:00`` means "not set" and gives None, as do None and ""."""
    if value is None or value == "":
        return None
    if isinstance(value, datetime):
        return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)
    if not isinstance(value, str):
        raise MalformedRecord(f"{field} is a {type(value).__name__}, not a date")
    found = _DATE.match(value)
    if found is None:
        raise MalformedRecord(f"{field} is not an ISO 8601 date")
    year, month, day, hour, minute, second, fraction, zone = found.groups()
    if int(year) <= 1:
        return None
    micro = int((fraction or "0")[:6].ljust(6, "0"))
    try:
        parsed = datetime(int(year), int(month), int(day), int(hour or 0), int(minute or 0),
                          int(second or 0), micro, tzinfo=_zone(zone))
    except ValueError:
        raise MalformedRecord(f"{field} is not a valid date") from None
    return parsed.astimezone(UTC)


def _zone(text: str | None) -> timezone:
    if not text or text.upper() == "Z":
        return UTC
    sign = -1 if text[0] == "-" else 1
    digits = text[1:].replace(":", "")
    hours, minutes = int(digits[:2]), int(digits[2:4] or 0)
    return timezone(sign * timedelta(hours=hours, minutes=minutes))


def required_date(raw: Mapping[str, Any], key: str) -> datetime:
    value = parse_datetime(raw.get(key), key)
    if value is None:
        raise MalformedRecord(f"{key} is missing")
    return value


def optional_date(raw: Mapping[str, Any], key: str) -> datetime | None:
    return parse_datetime(raw.get(key), key)


def as_int(value: Any, field: str) -> int | None:
    """An integer id or count; numeric strings are accepted (artifact versions), anything else is not."""
    if value is None or value == "":
        return None
    if isinstance(value, bool):
        raise MalformedRecord(f"{field} is a boolean, not an integer")
    if isinstance(value, int):
        return value
    if isinstance(value, str) and value.strip().lstrip("-").isdigit():
        return int(value.strip())
    raise MalformedRecord(f"{field} is not an integer")


def required_int(raw: Mapping[str, Any], key: str) -> int:
    value = as_int(raw.get(key), key)
    if value is None:
        raise MalformedRecord(f"{key} is missing")
    return value


def as_str(value: Any, field: str) -> str | None:
    """A string; numbers are accepted as their text (some ids come either way), containers are not."""
    if value is None:
        return None
    if isinstance(value, str):
        return value
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        return str(value)
    raise MalformedRecord(f"{field} is a {type(value).__name__}, not a string")


def required_str(raw: Mapping[str, Any], key: str) -> str:
    value = as_str(raw.get(key), key)
    if not value:
        raise MalformedRecord(f"{key} is missing")
    return value


def as_bool(value: Any, field: str) -> bool:
    """A flag; absent is False, ``"true"``/``"false"`` strings are accepted."""
    if value is None:
        return False
    if isinstance(value, bool):
        return value
    if isinstance(value, str) and value.strip().lower() in ("true", "false"):
        return value.strip().lower() == "true"
    raise MalformedRecord(f"{field} is not a boolean")


def guid(value: Any, field: str = "id") -> str | None:
    """A GUID in one canonical form (lower case, hyphenated), so ids compare equal however ADO wrote them
    (``CodeReviewVotedByTfId`` sometimes has no hyphens; METRICS.md §3). Non-GUID ids are kept as given."""
    text = as_str(value, field)
    if text is None:
        return None
    text = text.strip()
    compact = text.strip("{}").replace("-", "").lower()
    if _HEX32.match(compact):
        return f"{compact[:8]}-{compact[8:12]}-{compact[12:16]}-{compact[16:20]}-{compact[20:]}"
    return text or None


def required_guid(raw: Mapping[str, Any], key: str) -> str:
    value = guid(raw.get(key), key)
    if not value:
        raise MalformedRecord(f"{key} is missing")
    return value


def same_identity(a: str | None, b: str | None) -> bool:
    """Identity ids compared case-folded without hyphens (METRICS.md §3)."""
    if not a or not b:
        return False
    return a.replace("-", "").casefold() == b.replace("-", "").casefold()


def enum_value(value: Any, field: str, known: tuple[str, ...] = ()) -> str | None:
    """An enum in one spelling: the matching ``known`` value compared case-insensitively, else camelCase
    (``PhaseFailed`` and ``phaseFailed`` are the same value; ENDPOINTS.md §0.3)."""
    text = as_str(value, field)
    if text is None or not text.strip():
        return None
    text = text.strip()
    folded = text.casefold()
    for candidate in known:
        if candidate.casefold() == folded:
            return candidate
    return text[0].lower() + text[1:]


def commit_id(raw: Mapping[str, Any], key: str) -> str | None:
    """``{"commitId": sha}`` objects (``lastMergeCommit``…), lower-cased; absent gives None."""
    value = as_str(sub(raw, key).get("commitId"), f"{key}.commitId")
    return value.strip().lower() if value and value.strip() else None


def sha(value: Any, field: str) -> str | None:
    text = as_str(value, field)
    return text.strip().lower() if text and text.strip() else None


def identity_is_group(ref: Mapping[str, Any]) -> bool:
    return as_bool(ref.get("isContainer"), "isContainer")


def identity_is_user(ref: Mapping[str, Any]) -> bool:
    """A person, not a group or a service identity: not ``isContainer``, and a descriptor of a user subject
    type when there is one (refs without a descriptor, as in the official examples, count as users unless
    their unique name is a group's ``[Project]\\Team`` or ``vstfs:///`` form)."""
    if identity_is_group(ref):
        return False
    descriptor = as_str(ref.get("descriptor"), "descriptor")
    if descriptor and "." in descriptor:
        return descriptor.split(".", 1)[0].lower() in USER_DESCRIPTOR_TYPES
    unique = as_str(ref.get("uniqueName"), "uniqueName") or ""
    return not (unique.startswith("[") or unique.lower().startswith("vstfs:"))


def typed_property(properties: Mapping[str, Any], name: str) -> Any:
    """The ``$value`` of a typed property bag entry (thread properties); absent gives None."""
    entry = properties.get(name)
    if isinstance(entry, Mapping):
        return entry.get("$value")
    return entry


def short_branch(ref: str) -> str:
    """``refs/heads/main`` → ``main`` (what itemVersion.version expects for a branch)."""
    return ref[len("refs/heads/"):] if ref.startswith("refs/heads/") else ref


def iso_z(value: datetime) -> str:
    """A query-string date ADO accepts (ISO 8601 UTC with ``Z``), kept as text so resume params stay JSON."""
    if value.tzinfo is None:
        value = value.replace(tzinfo=UTC)
    return value.astimezone(UTC).isoformat().replace("+00:00", "Z")
