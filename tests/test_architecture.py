"""The import direction of ARCHITECTURE.md §2, checked on the source's AST."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

PACKAGE = Path(__file__).resolve().parents[1] / "adometrics"

# Rank of each top-level part of the package: a module may import only from parts of lower rank, or from
# its own part. ``None`` marks parts with special rules (fake_ado).
RANK = {
    "__init__": 0, "config": 0, "errors": 0, "clock": 0,
    "domain": 1,
    "connectors": 2, "store": 2, "metrics": 2,
    "sync": 3, "reports": 3,
    "jobs": 4,
    "web": 5,
    "cli": 6,
    "fake_ado": None,
}
SIBLINGS = {"connectors", "store", "metrics"}
NO_IO_LIBS = {"domain", "metrics"}
IO_LIBS = {"sqlalchemy", "httpx", "requests", "psycopg", "alembic", "starlette", "fastapi"}


def _part(module: str) -> str:
    return module.split(".")[1] if module.count(".") else "__init__"


def _module_name(path: Path, package: Path = PACKAGE) -> str:
    rel = path.relative_to(package.parent).with_suffix("")
    parts = list(rel.parts)
    if parts[-1] == "__init__":
        parts = parts[:-1]
    return ".".join(parts)


def _imports(path: Path, root: Path):
    """(imported module, at module level?) for every import in ``path``, relative ones resolved."""
    tree = ast.parse(path.read_text(), filename=str(path))
    me = _module_name(path, root)
    package = me if path.name == "__init__.py" else me.rpartition(".")[0]
    top_level = {id(node) for node in tree.body}
    guarded = set()
    for node in tree.body:  # imports under `if TYPE_CHECKING:` count as module level, which is stricter
        if isinstance(node, ast.If):
            guarded.update(id(n) for n in ast.walk(node))
    for node in ast.walk(tree):
        at_top = id(node) in top_level or id(node) in guarded
        if isinstance(node, ast.Import):
            for alias in node.names:
                yield alias.name, at_top
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                base = package.split(".")
                base = base[: len(base) - node.level + 1]
                name = ".".join([*base, node.module] if node.module else base)
            else:
                name = node.module or ""
            yield name, at_top
            if name == "adometrics":  # `from .. import fake_ado` imports a part by name
                for alias in node.names:
                    if alias.name in RANK:
                        yield f"adometrics.{alias.name}", at_top


def _sources():
    return sorted(PACKAGE.rglob("*.py"))


def _violations(path: Path, root: Path = PACKAGE) -> list[str]:
    me = _module_name(path, root)
    mine = _part(me)
    found = []
    for target, at_top in _imports(path, root):
        root = target.split(".")[0]
        if mine in NO_IO_LIBS and root in IO_LIBS:
            found.append(f"{me} imports {target}: {mine} stays free of I/O libraries")
        if root != "adometrics" or target == "adometrics":
            continue
        theirs = _part(target)
        if theirs == mine:
            continue
        if mine == "fake_ado":
            found.append(f"{me} imports {target}: the simulator imports nothing of the product")
        elif theirs == "fake_ado":
            if mine != "cli":
                found.append(f"{me} imports {target}: only the CLI may use the simulator")
            elif at_top:
                found.append(f"{me} imports {target} at module level: the CLI imports the simulator lazily")
        elif mine in SIBLINGS and theirs in SIBLINGS:
            found.append(f"{me} imports {target}: {mine} and {theirs} are siblings")
        elif RANK.get(theirs, 99) is None or RANK.get(theirs, 99) >= RANK.get(mine, -1):
            found.append(f"{me} imports {target}: {mine} may not depend on {theirs}")
    return found


@pytest.mark.parametrize("path", _sources(), ids=lambda p: str(p.relative_to(PACKAGE)))
def test_import_direction(path: Path) -> None:
    assert _violations(path) == []


def test_every_part_has_a_rank() -> None:
    parts = {p.name if p.is_dir() else p.stem for p in PACKAGE.iterdir() if not p.name.startswith("_")}
    parts -= {"py.typed"}
    assert parts - set(RANK) == set()


def test_the_checker_catches_violations(tmp_path: Path) -> None:
    """The rules must be able to fail: modules that break each rule are reported."""
    root = tmp_path / "adometrics"
    for part in ("fake_ado", "metrics", "cli"):
        (root / part).mkdir(parents=True)
    (root / "fake_ado" / "x.py").write_text("from ..connectors.azure_devops import client\n")
    (root / "metrics" / "y.py").write_text("import sqlalchemy\nfrom adometrics.store import schema\n")
    (root / "cli" / "z.py").write_text("from ..fake_ado import server\n")
    (root / "cli" / "ok.py").write_text("def f():\n    from ..fake_ado import server\n")
    assert len(_violations(root / "fake_ado" / "x.py", root)) == 1
    assert len(_violations(root / "metrics" / "y.py", root)) == 2
    assert "lazily" in _violations(root / "cli" / "z.py", root)[0]
    assert _violations(root / "cli" / "ok.py", root) == []
