"""The progress bars: one per entity, counting what was fetched, with a total (hence an ETA) once known."""

from __future__ import annotations

import io

from rich.console import Console

from adometrics.cli.progress import RichProgress


def test_bars_count_per_entity_and_learn_their_totals():
    out = io.StringIO()
    with RichProgress(Console(file=out, force_terminal=True, width=120)) as progress:
        progress.add("pull_requests", done=40)
        progress.add("pr_details", expected=10)
        progress.add("pr_details", expected=5, done=6)
        progress.note("fabrikam: environments refused")
    text = out.getvalue()
    assert "pull requests" in text and "40" in text
    assert "PR details" in text and "6/15" in text
    assert "environments refused" in text


def test_no_bars_when_standard_error_is_not_a_terminal():
    out = io.StringIO()
    with RichProgress(Console(file=out, force_terminal=False)) as progress:
        progress.add("builds", done=3)
    assert out.getvalue() == ""


def test_a_long_note_stays_one_line_for_the_terminal_to_wrap():
    out = io.StringIO()
    command = "adometrics config deployment-pipeline --org fabrikam --project 'Contoso Web' --pipeline api-ci"
    with RichProgress(Console(file=out, force_terminal=True, width=60)) as progress:
        progress.note(f"Contoso Web: pipeline 'api-ci' runs a production stage; to count it: {command}")
    assert command in out.getvalue()  # not broken across lines: it copies whole
