"""Organization-wide ids: PRs, builds, releases, deployments and deployment records ascend with time.

Each kind is numbered by sorting (instant, repository index, local index) over all repositories, so an id
never depends on which repository was generated first. Per-repository lookups are compact ``array``s.
"""

from __future__ import annotations

from array import array
from dataclasses import dataclass

_REPO_BITS, _LOCAL_BITS = 12, 20


def assign(times_per_repo: list) -> list[array]:
    """``times_per_repo[r][local]`` -> ``ids[r][local]`` (1-based, ascending by time across repositories)."""
    return assign_ordered(times_per_repo)[0]


def assign_ordered(times_per_repo: list) -> tuple[list[array], array, array]:
    """Like ``assign``, also returning the inverse: global id - 1 -> (repository index, local index)."""
    keys = []
    for r, times in enumerate(times_per_repo):
        base = r << _LOCAL_BITS
        keys.extend((t << (_REPO_BITS + _LOCAL_BITS)) | base | local for local, t in enumerate(times))
    keys.sort()
    ids = [array("l", bytes(8 * len(times))) for times in times_per_repo]
    repo_mask, local_mask = (1 << _REPO_BITS) - 1, (1 << _LOCAL_BITS) - 1
    repos = array("H", ((key >> _LOCAL_BITS) & repo_mask for key in keys))
    locals_ = array("l", (key & local_mask for key in keys))
    for n, (r, local) in enumerate(zip(repos, locals_, strict=True), start=1):
        ids[r][local] = n
    return ids, repos, locals_


@dataclass(slots=True)
class IdMap:
    """Per-repository local index -> global id, for every id kind."""

    prs: list[array]
    builds: list[array]
    releases: list[array]
    deployments: list[array]
    records: list[array]

    def pr(self, repo: int, local: int) -> int:
        return self.prs[repo][local]

    def build(self, repo: int, local: int) -> int:
        return self.builds[repo][local]

    def release(self, repo: int, local: int) -> int:
        return self.releases[repo][local]

    def deployment(self, repo: int, local: int) -> int:
        return self.deployments[repo][local]

    def record(self, repo: int, local: int) -> int:
        return self.records[repo][local]
