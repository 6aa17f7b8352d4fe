"""The coverage ledger: generated from the specs and the registry, and kept current in the repository."""

from __future__ import annotations

from adometrics.fake_ado import coverage
from adometrics.fake_ado.registry import ENDPOINTS, Endpoint


def _endpoint(name: str, spec: str | None, operation_id: str | None, host: str = "dev") -> Endpoint:
    return Endpoint(
        name=name,
        host=host,
        method="GET",
        path="/{org}/x",
        handler=lambda r, c: {},
        scopes=frozenset(),
        spec=spec,
        operation_id=operation_id,
    )


def test_committed_ledger_is_current(specs):
    fresh = coverage.render(specs, ENDPOINTS)
    committed = coverage.LEDGER.read_text(encoding="utf-8") if coverage.LEDGER.exists() else ""
    assert committed == fresh, "COVERAGE.md is stale: run `python -m adometrics.fake_ado.coverage`"


def test_every_spec_operation_gets_one_row(specs):
    text = coverage.render(specs, [])
    total = sum(len(specs.spec(name).operations) for name in specs.names)
    rows = [line for line in text.splitlines() if line.startswith("|  | ") or line.startswith("| yes | ")]
    assert len(rows) == total > 400
    assert f"| **Total** | | {total} | 0 | 0% |" in text
    for name in specs.names:
        assert f"## `{name}`" in text


def test_registered_operations_are_marked_and_bad_ids_reported(specs):
    endpoints = [
        _endpoint("pulls.example", "git/7.1/git.json", "Pull Requests_Get Pull Requests"),
        _endpoint("typo.example", "git/7.1/git.json", "Pull Requests_Get Pull Reqests"),
        _endpoint("control.example", None, None, host="control"),
    ]
    text = coverage.render(specs, endpoints)
    served = [line for line in text.splitlines() if line.startswith("| yes |")]
    assert len(served) == 1
    assert "Pull Requests_Get Pull Requests | pulls.example |" in served[0]
    assert "| typo.example | `git/7.1/git.json` | Pull Requests_Get Pull Reqests |" in text
    assert "| control.example | control | GET | `/{org}/x` |" in text
    git_total = len(specs.spec("git/7.1/git.json").operations)
    assert f"| `git/7.1/git.json` | 7.1 | {git_total} | 1 |" in text


def test_x_ms_paths_operations_are_listed(specs):
    """Operations that live only in ``x-ms-paths`` (e.g. Commits_Get Commits) are part of the ledger."""
    text = coverage.render(specs, [])
    assert (
        "`/{organization}/{project}/_apis/git/repositories/{repositoryId}/commits?` | Commits_Get Commits"
        in text
    )


def test_main_writes_the_ledger(specs, tmp_path, monkeypatch):
    target = tmp_path / "COVERAGE.md"
    monkeypatch.setattr(coverage, "LEDGER", target)
    assert coverage.main() == 0
    assert target.read_text(encoding="utf-8") == coverage.render(specs, ENDPOINTS)


def test_main_fails_clearly_without_specs(tmp_path, monkeypatch, capsys):
    monkeypatch.setattr(coverage, "load_library", lambda: None)
    monkeypatch.setattr(coverage, "LEDGER", tmp_path / "COVERAGE.md")
    assert coverage.main() == 1
    assert "ADOMETRICS_SPECS_DIR" in capsys.readouterr().err
    assert not (tmp_path / "COVERAGE.md").exists()
