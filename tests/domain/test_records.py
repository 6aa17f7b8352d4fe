"""Domain records: frozen, slotted, keyword-only, stdlib-only, and sensitive fields are marked."""

from __future__ import annotations

import ast
import dataclasses
import inspect
import sys
from pathlib import Path

import pytest

from adometrics import domain as d

RECORDS = sorted((obj for _, obj in inspect.getmembers(d, inspect.isclass) if dataclasses.is_dataclass(obj)),
                 key=lambda t: t.__name__)
DOMAIN_DIR = Path(d.__file__).parent

# What the architecture calls sensitive (ARCHITECTURE §1.2): branch names, PR titles, e-mails, credentials.
EXPECTED_SENSITIVE = {
    "Connection": {"credential"},
    "User": {"email"},
    "Repository": {"default_branch"},
    "Ref": {"name"},
    "Commit": {"author_email"},
    "PullRequest": {"title", "source_branch", "target_branch"},
    "Build": {"source_branch"},
    "ReleaseArtifact": {"branch"},
}


@pytest.mark.parametrize("record", RECORDS, ids=lambda t: t.__name__)
def test_records_are_frozen_slotted_and_keyword_only(record):
    params = record.__dataclass_params__
    assert params.frozen
    assert "__slots__" in record.__dict__
    assert all(f.kw_only for f in dataclasses.fields(record))


def test_frozen_means_immutable():
    project = d.Project(org_id="o", id="p", name="n")
    with pytest.raises(dataclasses.FrozenInstanceError):
        project.name = "m"
    with pytest.raises(TypeError):
        d.Project("o", "p", "n")  # positional arguments would make field order a contract


@pytest.mark.parametrize("record", RECORDS, ids=lambda t: t.__name__)
def test_sensitive_fields(record):
    assert set(d.sensitive_fields(record)) == EXPECTED_SENSITIVE.get(record.__name__, set())


def test_no_record_keeps_text_it_must_not():
    forbidden = {"message", "body", "content", "diff", "text", "description", "payload", "comment"}
    names = {f.name for r in RECORDS for f in dataclasses.fields(r)}
    assert names & forbidden == set()


def test_credentials_stay_out_of_repr():
    connection = d.Connection(org_id="o", credential="pat-123")
    assert "pat-123" not in repr(connection)


def test_enums_compare_as_their_values():
    assert d.Health.BROKEN == "broken" and d.DeploymentKind("environment") is d.DeploymentKind.ENVIRONMENT


@pytest.mark.parametrize("path", sorted(DOMAIN_DIR.glob("*.py")), ids=lambda p: p.name)
def test_domain_imports_only_stdlib_and_the_kernel(path):
    allowed = {"adometrics.config", "adometrics.errors", "adometrics.clock"}
    for node in ast.walk(ast.parse(path.read_text())):
        if isinstance(node, ast.Import):
            names = [a.name for a in node.names]
        elif isinstance(node, ast.ImportFrom):
            if node.level == 1:  # within the domain package
                continue
            names = [("adometrics." + (node.module or "")) if node.level == 2 else node.module or ""]
        else:
            continue
        for name in names:
            top = name.split(".")[0]
            assert top in sys.stdlib_module_names or name in allowed, f"{path.name} imports {name}"
