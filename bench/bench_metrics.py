"""Metrics report benchmark: ``reports.compute`` and ``adometrics metrics --json`` on a stored organization.

    python bench/bench_metrics.py [--seed 1] [--repeat 5] [--database-url postgresql+psycopg://…]

The `large` simulated organization (240 repositories, ~103,000 PRs, ~77,000 deployment attempts, one year)
is written straight into the store from the simulator's lazy world (``tests/reports/world_store.py``: the
records a complete sync stores, deployment commits included), once: the SQLite file is cached under
``/tmp/adometrics-bench/`` keyed by scenario, seed and loader version, and PostgreSQL (``--database-url``, or
ADOMETRICS_TEST_DATABASE_URL; e.g. from ``.ci/start-postgres.sh``) gets a schema of the same name, copied
from that file and analysed. The baseline is `small` (~1,000 PRs), measured the same way in the same run.

For each database and size it first builds the metric results (``reports.materialize``: the analysis over
all data that a sync's end runs), from empty and again after a change that changes no result; then times,
best of ``--repeat`` after one cold run, reports on current results: the whole organization over the year
before the simulated now, one repository (the busiest) over that year, and the organization over the last
90 days; then the CLI in a child process (``metrics --json``, whole organization, one year: start-up
included, with ``adometrics --version`` as the start-up floor) with its peak RSS. Goals: < 1 s for the whole
organization, < 100 ms for one repository, memory bounded by the facts (never by commits or events).
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import time
import tracemalloc
from datetime import timedelta
from pathlib import Path

from sqlalchemy import Engine, create_engine, func, select, text

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "tests" / "reports"))

from world_store import load_world

from adometrics.domain import Window
from adometrics.fake_ado.scenario import build_world
from adometrics.reports import compute, materialize
from adometrics.store import Keyring, MasterKeys, load_master_keys, make_engine, metric_facts, upgrade
from adometrics.store.keys import encode_key
from adometrics.store.maintenance import refresh_statistics
from adometrics.store.schema import metadata, pull_requests

CACHE = Path("/tmp/adometrics-bench")
LOADER_VERSION = 3  # bump when world_store or the schema changes what is stored
YEAR, QUARTER = timedelta(days=365), timedelta(days=90)


def cache_name(scenario: str, seed: int) -> str:
    return f"metrics_{scenario}_s{seed}_v{LOADER_VERSION}"


def sqlite_store(scenario: str, seed: int) -> tuple[Engine, MasterKeys, object]:
    """The cached SQLite file of ``scenario`` (built on first use); returns engine, master keys, world."""
    CACHE.mkdir(parents=True, exist_ok=True)
    path = CACHE / f"{cache_name(scenario, seed)}.db"
    keys = load_master_keys(env_value=None, data_dir=CACHE / cache_name(scenario, seed))
    world = build_world(scenario, seed=seed)
    if not path.exists():
        partial = path.with_suffix(".partial")
        partial.unlink(missing_ok=True)
        engine = make_engine(f"sqlite:///{partial}")
        upgrade(engine)
        started = time.perf_counter()
        load_world(engine, Keyring(keys), world, note=lambda line: print(f"  {scenario}: {line}", flush=True))
        engine.dispose()
        partial.rename(path)
        size = path.stat().st_size >> 20
        print(f"  {scenario}: stored in {time.perf_counter() - started:.0f} s ({size} MB)")
    engine = make_engine(f"sqlite:///{path}")
    upgrade(engine)  # a file cached by an older version gains the newer tables
    return engine, keys, world


def postgres_store(url: str, source: Engine, name: str) -> Engine:
    """A schema ``name`` holding a copy of ``source`` (made once, then analysed, as autovacuum would)."""
    admin = create_engine(url)
    with admin.begin() as conn:
        exists = conn.execute(text("SELECT 1 FROM information_schema.schemata WHERE schema_name = :s"),
                              {"s": name}).first()
        if not exists:
            conn.exec_driver_sql(f"CREATE SCHEMA {name}_partial")
    schema = name if exists else f"{name}_partial"
    engine = make_engine(url, connect_args={"options": f"-csearch_path={schema}"})
    if not exists:
        upgrade(engine)
        copy_tables(source, engine)
        engine.dispose()
        with admin.begin() as conn:
            conn.exec_driver_sql(f"ALTER SCHEMA {name}_partial RENAME TO {name}")
        engine = make_engine(url, connect_args={"options": f"-csearch_path={name}"})
        with engine.connect() as conn:
            conn.execution_options(isolation_level="AUTOCOMMIT").exec_driver_sql("ANALYZE")
    upgrade(engine)
    admin.dispose()
    return engine


def copy_tables(source: Engine, target: Engine, batch: int = 20_000) -> None:
    """Rows as stored (ciphertexts stay bound to their organization, not to the database)."""
    with source.connect() as src, target.begin() as dst:
        for table in metadata.sorted_tables:
            rows = src.execute(select(table)).mappings()
            while chunk := rows.fetchmany(batch):
                dst.execute(table.insert(), [dict(r) for r in chunk])


def set_statistics(engine: Engine, present: bool) -> None:
    """SQLite with planner statistics (what a sync's ``refresh_statistics`` leaves) or without (a database
    nobody analysed). New connections see the change."""
    with engine.begin() as conn:
        if present:
            refresh_statistics(conn)
        else:
            conn.exec_driver_sql("DROP TABLE IF EXISTS sqlite_stat1")
    engine.dispose()


def best_of(repeat: int, work) -> tuple[float, float, object]:
    """(cold seconds, best warm seconds, result)."""
    started = time.perf_counter()
    result = work()
    cold = time.perf_counter() - started
    best = cold
    for _ in range(repeat):
        started = time.perf_counter()
        result = work()
        best = min(best, time.perf_counter() - started)
    return cold, best, result


def busiest_repository(engine: Engine) -> str:
    with engine.connect() as conn:
        p = pull_requests.c
        query = select(p.repo_id).group_by(p.repo_id).order_by(func.count().desc()).limit(1)
        return conn.execute(query).scalar()


def rebuild(engine: Engine, org_id: str, *, first: bool) -> float:
    """Seconds of rebuilding the metric results, as a sync's end does: the first build (every row written),
    or a rebuild after a change that changed no result."""
    with engine.begin() as conn:
        if first:
            for table in metric_facts.DERIVED:
                conn.execute(table.delete())
        else:
            metric_facts.mark_changed(conn, [org_id])
    started = time.perf_counter()
    with engine.begin() as conn:
        materialize.rebuild(conn, org_id)
    return time.perf_counter() - started


def rebuild_heap(engine: Engine, org_id: str) -> float:
    """Python heap peak (MB) of a rebuild (measured apart: tracing allocations doubles the time)."""
    tracemalloc.start()
    rebuild(engine, org_id, first=False)
    peak = tracemalloc.get_traced_memory()[1] / 2**20
    tracemalloc.stop()
    return peak


def measure(engine: Engine, world, repeat: int) -> dict[str, tuple[float, float]]:
    """Rebuilding the metric results, then in-process timings of ``compute`` on current results (and the
    Python heap peak of one organization-year report)."""
    org, now = world.organization, world.now
    first = rebuild(engine, world.organization_id, first=True)
    again = rebuild(engine, world.organization_id, first=False)
    heap = rebuild_heap(engine, world.organization_id)
    repo = world.repository(busiest_repository(engine)).name
    cases = {
        "organization, one year": {"window": Window(start=now - YEAR, end=now)},
        "one repository, one year": {"window": Window(start=now - YEAR, end=now), "repository": repo},
        "organization, 90 days": {"window": Window(start=now - QUARTER, end=now)},
    }
    found: dict[str, tuple[float, float]] = {"metric results: first build": (first, first),
                                             "metric results: rebuild, no change": (again, again),
                                             "rebuild: Python heap peak (MB)": (heap, heap)}
    with engine.connect() as conn:
        for name, args in cases.items():
            cold, best, report = best_of(repeat, lambda args=args: compute(conn, organization=org, **args))
            found[name] = (cold, best)
            if name == "organization, one year":
                found["_report"] = report
        tracemalloc.start()
        compute(conn, organization=org, **cases["organization, one year"])
        found["Python heap peak (MB)"] = (0.0, tracemalloc.get_traced_memory()[1] / 2**20)
        tracemalloc.stop()
    return found


def cli(url: str, keys: MasterKeys, world, repeat: int) -> dict[str, tuple[float, float]]:
    """``adometrics metrics --json`` for the organization over a year, in a child process: wall time and
    peak RSS; ``adometrics --version`` gives the interpreter's and imports' share."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("ADOMETRICS_")}
    env.update(ADOMETRICS_DATABASE_URL=url, ADOMETRICS_MASTER_KEY=encode_key(keys.keys[0]),
               ADOMETRICS_DATA_DIR=str(CACHE / "cli-data"))
    start, end = (world.now - YEAR).isoformat(), world.now.isoformat()
    args = ["metrics", "--org", world.organization, "--from", start, "--to", end, "--json"]
    found = {}
    for name, argv in (("CLI start-up floor (--version)", ["--version"]),
                       ("CLI metrics --json, org-year", args)):
        runs = [_child([sys.executable, "-m", "adometrics.cli.main", *argv], env) for _ in range(repeat)]
        found[name] = (min(r[0] for r in runs), max(r[1] for r in runs))
    return found


# Runs one command and reports its own wall time and its child's peak RSS (KiB), so each figure belongs to
# that one process (RUSAGE_CHILDREN of the benchmark itself would be the maximum over all its children).
_WRAPPER = """import resource, subprocess, sys, time
started = time.perf_counter()
done = subprocess.run(sys.argv[1:], stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
if done.returncode:
    sys.exit(done.stderr.decode())
print(time.perf_counter() - started, resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss)
"""


def _child(argv: list[str], env: dict[str, str]) -> tuple[float, float]:
    """(wall seconds, peak RSS in MB) of one run of ``argv``."""
    done = subprocess.run([sys.executable, "-c", _WRAPPER, *argv], env=env, capture_output=True, text=True)
    if done.returncode:
        raise SystemExit(f"{' '.join(argv)} failed: {done.stderr}")
    seconds, rss = done.stdout.split()
    return float(seconds), int(rss) / 1024


def report_table(title: str, small: dict, large: dict) -> None:
    print(f"\n{title}")
    print(f"{'case':<34}{'small cold':>11}{'small best':>11}{'large cold':>11}{'large best':>11}{'ratio':>8}")
    for name, value in large.items():
        if name.startswith("_"):
            continue
        (cold, best), (s_cold, s_best) = value, small[name]
        ratio = best / s_best if s_best else float("nan")
        print(f"{name:<34}{s_cold:>11.3f}{s_best:>11.3f}{cold:>11.3f}{best:>11.3f}{ratio:>8.1f}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--repeat", type=int, default=5)
    parser.add_argument("--database-url", default=os.environ.get("ADOMETRICS_TEST_DATABASE_URL"))
    args = parser.parse_args()
    stores = {size: sqlite_store(size, args.seed) for size in ("small", "large")}
    results = {}
    for kind, analysed in (("sqlite, no statistics", False), ("sqlite, analysed", True)):
        for size, (engine, keys, world) in stores.items():
            set_statistics(engine, analysed)
            results[(kind, size)] = measure(engine, world, args.repeat)
            results[(kind, size)] |= cli(str(engine.url), keys, world, max(1, args.repeat // 2))
    if args.database_url:
        for size, (engine, keys, world) in stores.items():
            pg = postgres_store(args.database_url, engine, cache_name(size, args.seed))
            results[("postgresql", size)] = measure(pg, world, args.repeat)
            url = pg.url.render_as_string(hide_password=False)
            joiner = "&" if "?" in url else "?"
            schema_url = f"{url}{joiner}options=-csearch_path%3D{cache_name(size, args.seed)}"
            results[("postgresql", size)] |= cli(schema_url, keys, world, max(1, args.repeat // 2))
            same = results[("postgresql", size)]["_report"] == results[("sqlite, analysed", size)]["_report"]
            print(f"  {size}: PostgreSQL and SQLite reports {'agree' if same else 'DIFFER'}")
    for kind in ("sqlite, no statistics", "sqlite, analysed", "postgresql"):
        if (kind, "large") in results:
            report_table(f"{kind} (seconds; CLI rows: wall s and peak RSS MB)", results[(kind, "small")],
                         results[(kind, "large")])
    summary = results[("sqlite, analysed", "large")]["_report"]
    print("\nlarge, organization, one year:", json.dumps({k: summary[k] for k in (
        "deployment_frequency", "change_failure_rate", "pull_requests")}))


if __name__ == "__main__":
    main()
