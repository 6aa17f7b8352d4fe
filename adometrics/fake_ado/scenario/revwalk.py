"""Git's ``include ^exclude`` over a repository's commits, without reading all the history behind ``exclude``.

A deployment comparison asks for the few commits between two deployed ones; gathering everything reachable
from the older one first would read the repository's whole history on every call. Instead both ends are
walked together, newest generation first (a commit's generation is one more than its parents' highest, so
every child comes before its parents), marking what each end reaches; the walk stops once only commits the
excluded end reaches are left. The answer is the same set, in the same order.
"""

from __future__ import annotations

import heapq
from collections import deque
from collections.abc import Callable

from .model import Commit

INCLUDED, HIDDEN = 1, 2
Lookup = Callable[[str], Commit | None]


def walk(lookup: Lookup, include: str, exclude: str | None, visible: Callable[[Commit], bool],
         generations: dict[str, int] | None = None) -> list[Commit]:
    """Commits reachable from ``include`` and not from ``exclude`` among the ``visible`` ones, newest
    committer date first. ``generations`` memoizes generations across calls (one dict per repository)."""
    start = lookup(include)
    if start is None or not visible(start):
        return []
    if exclude:
        found = _difference(lookup, include, exclude, visible, {} if generations is None else generations)
    else:
        found = _reachable(lookup, include, visible)
    commits = [lookup(sha) for sha in found]
    commits.sort(key=lambda c: (c.committer.date, c.author.date, c.sha), reverse=True)
    return commits


def _reachable(lookup: Lookup, sha: str, visible) -> set[str]:
    seen: set[str] = set()
    queue = deque([sha])
    while queue:
        current = queue.popleft()
        if current in seen:
            continue
        commit = lookup(current)
        if commit is None or not visible(commit):
            continue
        seen.add(current)
        queue.extend(commit.parents)
    return seen


def _difference(lookup: Lookup, include: str, exclude: str, visible, generations: dict[str, int]) -> set[str]:
    marks: dict[str, int] = {}
    heap: list[tuple[int, str]] = []
    only_included = 0  # queued commits that only ``include`` reaches so far: the walk ends at none

    def reach(sha: str, mark: int) -> None:
        nonlocal only_included
        old = marks.get(sha)
        if old is None:
            commit = lookup(sha)
            if commit is None or not visible(commit):
                return
            marks[sha] = mark
            heapq.heappush(heap, (-generation(lookup, sha, generations), sha))
            only_included += mark == INCLUDED
        elif old | mark != old:
            marks[sha] = old | mark
            only_included -= old == INCLUDED

    reach(include, INCLUDED)
    reach(exclude, HIDDEN)
    found: set[str] = set()
    while only_included:
        _, sha = heapq.heappop(heap)
        mark = marks[sha]
        if mark == INCLUDED:
            only_included -= 1
            found.add(sha)
        for parent in lookup(sha).parents:
            reach(parent, mark)
    return found


def generation(lookup: Lookup, sha: str, memo: dict[str, int]) -> int:
    """1 for a root, else one more than the highest parent's (memoized; an unknown parent counts as
    absent). Over the whole table, whatever is visible: visibility only removes commits."""
    stack = [sha]
    while stack:
        top = stack[-1]
        if top in memo:
            stack.pop()
            continue
        commit = lookup(top)
        parents = [p for p in commit.parents if lookup(p) is not None] if commit is not None else []
        missing = [p for p in parents if p not in memo]
        if missing:
            stack.extend(missing)
            continue
        memo[top] = 1 + max((memo[p] for p in parents), default=0)
        stack.pop()
    return memo[sha]
