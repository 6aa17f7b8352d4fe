"""Name pools and deterministic id helpers shared by the scenario generators.

Everything here is a pure function of its arguments: seeds are strings fed to ``random.Random`` (seeded via
SHA-512, so independent of PYTHONHASHSEED) and SHAs come from hashlib, never from ``hash()``.
"""

from __future__ import annotations

import base64
import hashlib
import random
import uuid
from datetime import UTC, datetime, timedelta

EPOCH = datetime(1970, 1, 1, tzinfo=UTC)
ZERO_SHA = "0" * 40

FIRST_NAMES = (
    "Alex",
    "Maria",
    "Jonas",
    "Priya",
    "Chen",
    "Fatima",
    "Lukas",
    "Sofia",
    "Mateo",
    "Aisha",
    "Noah",
    "Yuki",
    "Elena",
    "Omar",
    "Hannah",
    "Ravi",
    "Lea",
    "Diego",
    "Ingrid",
    "Kwame",
    "Mia",
    "Tomas",
    "Zara",
    "Felix",
    "Nadia",
    "Oskar",
    "Leila",
    "Jan",
    "Amara",
    "Viktor",
    "Chloe",
    "Emil",
    "Sara",
    "Hugo",
    "Anika",
    "Pablo",
)
LAST_NAMES = (
    "Berg",
    "Novak",
    "Okafor",
    "Schmidt",
    "Tanaka",
    "Rossi",
    "Kowalski",
    "Haddad",
    "Larsen",
    "Moreau",
    "Singh",
    "Fischer",
    "Costa",
    "Nguyen",
    "Popescu",
    "Jensen",
    "Alvarez",
    "Müller",
    "Ivanova",
    "Ahmed",
    "Dubois",
    "Lindqvist",
    "Petrov",
    "Sato",
    "Yilmaz",
    "Kim",
    "Silva",
    "Weber",
    "Horvat",
    "Murphy",
)
PROJECT_NAMES = (
    "Fabrikam",
    "Contoso Web",
    "Platform",
    "Payments",
    "Mobile",
    "Data",
    "Identity",
    "Commerce",
    "Logistics",
    "Analytics",
    "Infra",
    "Support",
)
REPO_WORDS = (
    "web",
    "api",
    "gateway",
    "billing",
    "auth",
    "search",
    "catalog",
    "orders",
    "inventory",
    "notifications",
    "reports",
    "ingest",
    "scheduler",
    "profile",
    "checkout",
    "ledger",
    "portal",
    "sync",
    "export",
    "media",
    "pricing",
    "shipping",
    "tracking",
    "config",
    "metrics",
    "alerts",
    "docs",
    "cli",
    "sdk",
    "worker",
)
REPO_SUFFIXES = ("", "-service", "-app", "-lib", "-ui", "-jobs", "-core", "-client")
TOPICS = (
    "login",
    "retry",
    "cache",
    "paging",
    "timeout",
    "logging",
    "validation",
    "export",
    "dark-mode",
    "search",
    "upload",
    "metrics",
    "config",
    "routing",
    "i18n",
    "billing",
    "audit",
    "rate-limit",
    "webhooks",
    "sso",
)
VERBS = ("Add", "Fix", "Update", "Refactor", "Remove", "Improve", "Handle", "Support", "Clean up", "Bump")
OBJECTS = (
    "null check in parser",
    "retry policy",
    "cache invalidation",
    "paging of results",
    "error messages",
    "unit tests",
    "logging format",
    "dependency versions",
    "input validation",
    "timeout handling",
    "feature flag",
    "README",
    "CI pipeline",
    "date handling",
    "API client",
    "database index",
)
REVIEW_COMMENTS = (
    "Could we add a test for this case?",
    "Nit: naming.",
    "Why is this needed?",
    "Looks good to me.",
    "Please extract this into a helper.",
    "This might break the nightly job.",
    "Consider a constant here.",
    "Is this thread-safe?",
    "Can you update the docs as well?",
    "Minor: typo in the comment.",
)
AUTHOR_REPLIES = (
    "Done.",
    "Fixed, thanks!",
    "Good catch, updated.",
    "Added a test.",
    "Left as is: see above.",
)
BOT_COMMENTS = (
    "Code coverage: {n}% of changed lines covered.",
    "Static analysis found {n} new warnings.",
    "Dependency scan: {n} packages checked, no new vulnerabilities.",
)


def rng_for(*parts: object) -> random.Random:
    """A generator seeded from a readable key (str seeds hash with SHA-512: stable across processes)."""
    return random.Random("|".join(str(p) for p in parts))


def sha_for(*parts: object) -> str:
    """A 40-hex commit/tree id derived from a key."""
    return hashlib.sha1("|".join(map(str, parts)).encode()).hexdigest()


def guid(rng: random.Random) -> str:
    return str(uuid.UUID(int=rng.getrandbits(128), version=4))


def guid_for(*parts: object) -> str:
    """A deterministic GUID derived from a key (when no generator is at hand)."""
    digest = hashlib.sha256("|".join(str(p) for p in parts).encode()).digest()
    return str(uuid.UUID(bytes=digest[:16], version=4))


def descriptor(prefix: str, key: str) -> str:
    """Graph subject descriptor like ``aad.<base64>`` (unpadded URL-safe base64 of a stable key)."""
    raw = base64.urlsafe_b64encode(key.encode()).decode().rstrip("=")
    return f"{prefix}.{raw}"


SECOND = 1000
MINUTE = 60 * SECOND
HOUR = 60 * MINUTE
DAY = 24 * HOUR


def to_dt(ms: int) -> datetime:
    """POSIX milliseconds -> aware UTC datetime (plans keep ints: smaller and faster than datetimes)."""
    return EPOCH + timedelta(milliseconds=ms)


def to_ms(moment: datetime) -> int:
    return (moment - EPOCH) // timedelta(milliseconds=1)
