"""What one sync of one organization did: the numbers ``sync --json`` prints and the summary line."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from typing import Any


@dataclass(frozen=True, slots=True)
class Skip:
    """A record or resource left out, with why; ``key`` names it by ADO ids only (never sensitive values)."""

    entity: str
    key: str
    reason: str

    def to_json(self) -> dict[str, str]:
        return {"entity": self.entity, "key": self.key, "reason": self.reason}


@dataclass
class SyncReport:
    org_id: str
    org_name: str
    fetched: Counter[str] = field(default_factory=Counter)
    api_calls: Counter[str] = field(default_factory=Counter)
    skipped: list[Skip] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)  # what the user can do about something the run found
    entities: dict[str, int] = field(default_factory=dict)
    completed: bool = False
    error: str | None = None   # why the run stopped early (one line), None when it completed
    health: str = "healthy"

    def summary(self) -> str:
        """One line for people: "fabrikam: completed with 2 skipped (1,234 items, 567 API calls)"."""
        items, calls = sum(self.fetched.values()), sum(self.api_calls.values())
        if self.completed:
            outcome = f"completed with {len(self.skipped)} skipped" if self.skipped else "completed"
        else:
            outcome = f"stopped: {self.error}"
        return f"{self.org_name}: {outcome} ({items:,} items fetched, {calls:,} API calls)"

    def to_json(self) -> dict[str, Any]:
        return {
            "organization": self.org_name,
            "completed": self.completed,
            "health": self.health,
            "error": self.error,
            "entities": dict(sorted(self.entities.items())),
            "fetched": dict(sorted(self.fetched.items())),
            "api_calls": dict(sorted(self.api_calls.items())),
            "skipped": [s.to_json() for s in self.skipped],
            "notes": list(self.notes),
        }
