"""Rich progress bars on standard error, one per entity: count, rate and, where the total is known, ETA."""

from __future__ import annotations

from rich.console import Console
from rich.progress import (
    BarColumn,
    MofNCompleteColumn,
    Progress,
    ProgressColumn,
    SpinnerColumn,
    Task,
    TaskID,
    TextColumn,
    TimeRemainingColumn,
)
from rich.text import Text

LABELS = {
    "pr_details": "PR details",
    "repositories_synced": "repositories synced",
    "deployment_comparisons": "deployment comparisons",
}


class RateColumn(ProgressColumn):
    """Items per second (rich's own speed column counts bytes)."""

    def render(self, task: Task) -> Text:
        speed = task.finished_speed or task.speed
        return Text(f"{speed:,.0f}/s" if speed else "", style="progress.data.speed")


class CountColumn(ProgressColumn):
    """``n/total`` when the total is known, else ``n``."""

    def __init__(self) -> None:
        super().__init__()
        self._both = MofNCompleteColumn()

    def render(self, task: Task) -> Text:
        if task.total:
            return self._both.render(task)
        return Text(f"{int(task.completed):,}", style="progress.download")


class RichProgress:
    """Implements :class:`adometrics.sync.Progress`; a context manager that draws while a sync runs."""

    def __init__(self, console: Console | None = None) -> None:
        self.console = console or Console(stderr=True)
        self._bars = Progress(
            SpinnerColumn(), TextColumn("{task.description:<24}"), BarColumn(), CountColumn(), RateColumn(),
            TimeRemainingColumn(), console=self.console, disable=not self.console.is_terminal,
        )
        self._tasks: dict[str, TaskID] = {}
        self._totals: dict[str, int] = {}

    def __enter__(self) -> RichProgress:
        self._bars.start()
        return self

    def __exit__(self, *exc) -> None:
        self._bars.stop()

    def add(self, entity: str, *, done: int = 0, expected: int = 0) -> None:
        task = self._tasks.get(entity)
        if task is None:
            task = self._bars.add_task(LABELS.get(entity, entity.replace("_", " ")), total=None)
            self._tasks[entity] = task
        if expected:
            self._totals[entity] = self._totals.get(entity, 0) + expected
            self._bars.update(task, total=self._totals[entity])
        if done:
            self._bars.advance(task, done)

    def note(self, text: str) -> None:
        """One line, wrapped by the terminal rather than broken by rich: a command in it copies whole."""
        self._bars.console.print(text, markup=False, highlight=False, soft_wrap=True)
