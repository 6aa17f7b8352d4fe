"""Sync benchmark: API calls per PR, backfill wall time under simulated latency, and the sync's peak memory.

    python bench/bench_sync.py [--parts calls,wall,rss,large-wall] [--latency-ms 50] [--out results.json]

The simulator runs in one child process (``adometrics fake-ado serve``), the sync in another, each against
a fresh data directory; psutil samples the sync's RSS every 20 ms and both processes' CPU time.

- ``calls``: a backfill and an idle second run of ``small`` and of one ``large`` project (CLI, no latency):
  PR calls per PR (list pages included; goal ≤ 2.05) and the idle run's detail calls (goal 0).
- ``wall``: the ``small`` backfill with ``--latency-ms`` on every request, at concurrency 1 (the baseline),
  4 and 8, and 8 with the limiter's in-flight cap raised to 8. Goal: wall time ≤ 1.3 × the lower bound
  calls × latency ÷ concurrency. Each run records every HTTP call's start and end, so the time is split by
  how many calls were in flight, and the time with a single call in flight by what it was.
- ``rss``: peak RSS of backfills of ``small``, and of one, two and three ``large`` projects (CLI). Goal
  < 300 MB, flat in organization size.
- ``large-wall``: one ``large`` project with latency at concurrency 4 (a scale check of the ``wall`` ratio;
  concurrency 1 on it would take over 13 minutes).

``small`` (988 PRs over 8 repositories) stands in for "a few repositories" of ``large`` (~440 PRs each on
average): ``sync --project`` scopes by project, and one ``large`` project at concurrency 1 is too slow.
The timed runs use this script's ``--worker`` mode in the child: the library call ``adometrics sync`` makes
(``sync_connection``, same settings), with ``SyncOptions.concurrency`` and the limiter's cap, which the CLI
does not expose, and every HTTP call timed.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
import threading
import time
from collections import Counter
from pathlib import Path

import httpx
import psutil
from bench_fake_ado import serving

MB = 1024 * 1024
PR_LIST = "git.pullrequests.list"
DETAILS = ("git.pullrequests.threads", "git.pullrequests.commits", "git.pullrequests.iterations",
           "git.pullrequests.statuses.list")
PROJECT, SECOND, THIRD = "Identity", "Contoso Web", "Infra"  # the three smallest projects of `large`
CLI = [sys.executable, "-m", "adometrics.cli.main"]


# -- the child processes ---------------------------------------------------------------------------------


class Sampler:
    """Peak RSS and last CPU time of a child process, sampled in a thread until it exits."""

    def __init__(self, pid: int) -> None:
        self.proc = psutil.Process(pid)
        self.peak = 0
        self.cpu = 0.0
        self.thread = threading.Thread(target=self._run, daemon=True)
        self.thread.start()

    def _run(self) -> None:
        try:
            while self.proc.is_running() and self.proc.status() != psutil.STATUS_ZOMBIE:
                self.peak = max(self.peak, self.proc.memory_info().rss)
                times = self.proc.cpu_times()
                self.cpu = times.user + times.system
                time.sleep(0.02)
        except psutil.NoSuchProcess:
            pass


def cpu_of(proc: subprocess.Popen) -> float:
    times = psutil.Process(proc.pid).cpu_times()
    return times.user + times.system


def environment(data_dir: str, pat: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("ADOMETRICS_")}
    env.update(ADOMETRICS_DATA_DIR=data_dir, ADOMETRICS_ALLOWED_HOSTS="127.0.0.1", AZURE_DEVOPS_EXT_PAT=pat)
    return env


def set_latency(org_url: str, ms: float) -> None:
    base = org_url.rsplit("/", 1)[0]
    httpx.post(f"{base}/_control/faults", json={"latency_ms": ms}, timeout=10).raise_for_status()


def server_ms(org_url: str) -> float:
    """Mean time the simulator spent on its last 1,000 requests (latency and handler; not the wire)."""
    base = org_url.rsplit("/", 1)[0]
    recent = httpx.get(f"{base}/_control/requests", params={"limit": 1000}, timeout=30).json()["recent"]
    return sum(e["duration_ms"] for e in recent) / max(1, len(recent))


def sync_child(server: subprocess.Popen, cmd: list[str], env: dict[str, str]) -> dict:
    """Run one sync child; its JSON output plus wall time, peak RSS and both processes' CPU seconds."""
    server_cpu = cpu_of(server)
    t0 = time.perf_counter()
    proc = subprocess.Popen(cmd, env=env, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True)
    sampler = Sampler(proc.pid)
    out, _ = proc.communicate()
    wall = time.perf_counter() - t0
    sampler.thread.join()
    if proc.returncode != 0:
        raise RuntimeError(f"{' '.join(cmd[2:])} exited with {proc.returncode}")
    result = json.loads(out)
    result.update(process_wall=wall, peak_rss_mb=sampler.peak / MB, sync_cpu=sampler.cpu,
                  server_cpu=cpu_of(server) - server_cpu)
    return result


def backfill(scenario: str, projects: tuple[str, ...] = (), *, latency_ms: float = 0.0, idle: bool = False,
             worker: tuple[int, int] | None = None) -> dict:
    """A fresh simulator and data directory, ``connect``, then a backfill (and an idle run): by the CLI, or
    by :func:`worker` with (concurrency, in-flight cap) to time it call by call."""
    scope = [a for p in projects for a in ("--project", p)]
    with serving(scenario) as (server, org_url, pat, _), tempfile.TemporaryDirectory() as data:
        env = environment(data, pat)
        subprocess.run([*CLI, "connect", "--org-url", org_url], env=env, check=True, capture_output=True)
        set_latency(org_url, latency_ms)
        if worker:
            cmd = [sys.executable, __file__, "--worker", str(worker[0]), str(worker[1]), *scope]
        else:
            cmd = [*CLI, "sync", "--json", *scope]
        runs = {"backfill": sync_child(server, cmd, env)}
        runs["backfill"]["server_ms"] = server_ms(org_url)
        if idle:
            runs["idle"] = sync_child(server, [*CLI, "sync", "--json", *scope], env)
    return runs


# -- the worker: one sync, every HTTP call timed ----------------------------------------------------------


def category(request: httpx.Request) -> str:
    path, query = request.url.path.lower(), request.url.params
    if "/pullrequests/" in path:
        return "PR details"
    if path.endswith("/commits"):
        compared = any("compareversion" in k.lower() for k in query) or any(
            k.lower().endswith("itemversion.versiontype") and v == "commit" for k, v in query.multi_items())
        return "deployment comparisons" if compared else "commit lists"
    for part, name in (("/pullrequests", "PR lists"), ("/refs", "refs"), ("/build/", "builds"),
                       ("/release/", "releases"), ("/environments", "environments")):
        if part in path:
            return name
    return "organization lists"


def worker(concurrency: int, cap: int, projects: tuple[str, ...]) -> None:
    """Sync the one stored connection as the CLI would (same settings, same library call), but time every
    HTTP call; print the report, the wall time and the calls as JSON."""
    from adometrics.cli.context import AppContext
    from adometrics.connectors.azure_devops.ratelimit import LimitPolicy, RateLimiter
    from adometrics.sync import SyncOptions, list_connections, sync_connection

    app = AppContext()
    calls: list[tuple[float, float, str]] = []

    def make_client(url: str, pat: str):
        client = app.client(url, pat)
        client.limiter = RateLimiter(policy=LimitPolicy(max_in_flight=cap))
        send = client.http.send

        def timed(request: httpx.Request, **kwargs):
            t0 = time.perf_counter()
            try:
                return send(request, **kwargs)
            finally:
                calls.append((t0, time.perf_counter(), category(request)))

        client.http.send = timed
        return client

    org_id = list_connections(app.engine)[0].org_id  # the engine (and its migration) before the clock
    options = SyncOptions(concurrency=concurrency, projects=projects)
    start = time.perf_counter()
    report = sync_connection(app.engine, app.keyring, make_client, org_id, options=options)
    end = time.perf_counter()
    out = report.to_json() | {"wall": end - start, "profile": timeline(calls, start, end)}
    print(json.dumps(out))


def timeline(calls: list[tuple[float, float, str]], start: float, end: float) -> dict:
    """Seconds of the run by number of calls in flight; the single-call seconds by category, and the
    seconds with none in flight by the category of the call that ended last (what was being written)."""
    events = sorted([(t0, 1, i) for i, (t0, _, _) in enumerate(calls)] +
                    [(t1, -1, i) for i, (_, t1, _) in enumerate(calls)])
    in_flight: set[int] = set()
    by_count: Counter[int] = Counter()
    single: Counter[str] = Counter()
    idle_after: Counter[str] = Counter()
    last, ended = start, "start"
    for t, step, i in events:
        by_count[len(in_flight)] += t - last
        if len(in_flight) == 1:
            single[calls[next(iter(in_flight))][2]] += t - last
        elif not in_flight:
            idle_after[ended] += t - last
        last = t
        if step > 0:
            in_flight.add(i)
        else:
            in_flight.discard(i)
            ended = calls[i][2]
    by_count[0] += end - last
    idle_after["end"] += end - last
    tail = sorted(calls, key=lambda c: c[1])[-1000:]
    return {"by_in_flight": {str(k): v for k, v in sorted(by_count.items())}, "single": dict(single),
            "idle_after": dict(idle_after), "calls": dict(Counter(c for _, _, c in calls)),
            "call_seconds": sum(t1 - t0 for t0, t1, _ in calls),
            "last_1000_ms": 1000 * sum(t1 - t0 for t0, t1, _ in tail) / max(1, len(tail))}


# -- the parts ----------------------------------------------------------------------------------------------


def pr_figures(runs: dict) -> dict:
    full, idle = runs["backfill"], runs.get("idle", {})
    prs = full["entities"]["pull_requests"]
    calls = full["api_calls"]
    return {"prs": prs, "pr_calls_per_pr": sum(calls.get(e, 0) for e in (PR_LIST, *DETAILS)) / prs,
            "calls_per_pr": sum(calls.values()) / prs, "calls": sum(calls.values()),
            "idle_detail_calls": sum(idle.get("api_calls", {}).get(e, 0) for e in DETAILS),
            "idle_calls": sum(idle.get("api_calls", {}).values()),
            "peak_rss_mb": full["peak_rss_mb"], "process_wall": full["process_wall"],
            "sync_cpu": full["sync_cpu"], "server_cpu": full["server_cpu"]}


def part_calls(results: dict) -> None:
    results["small"] = pr_figures(backfill("small", idle=True))
    results["large_1"] = pr_figures(backfill("large", (PROJECT,), idle=True))
    print("\nAPI calls (backfill; idle second run)")
    print(f"{'':28}{'PRs':>8}{'PR calls/PR':>13}{'calls/PR':>10}{'idle detail':>13}{'idle calls':>12}")
    for name in ("small", "large_1"):
        r = results[name]
        print(f"{name:28}{r['prs']:>8}{r['pr_calls_per_pr']:>13.3f}{r['calls_per_pr']:>10.2f}"
              f"{r['idle_detail_calls']:>13}{r['idle_calls']:>12}")
    worst = max(results[n]["pr_calls_per_pr"] for n in ("small", "large_1"))
    idle = max(results[n]["idle_detail_calls"] for n in ("small", "large_1"))
    print(f"goal: PR calls per PR ≤ 2.05: {'PASS' if worst <= 2.05 else 'FAIL'}; "
          f"idle detail calls 0: {'PASS' if idle == 0 else 'FAIL'}")


def timed_run(scenario: str, projects: tuple[str, ...], latency_ms: float, concurrency: int,
              cap: int) -> dict:
    run = backfill(scenario, projects, latency_ms=latency_ms, worker=(concurrency, cap))["backfill"]
    if not run["completed"]:
        raise RuntimeError(f"the sync did not complete: {run['error']}")
    calls = sum(run["api_calls"].values())
    effective = min(concurrency, cap)
    run.update(concurrency=concurrency, cap=cap, calls=calls,
               lower_bound=calls * latency_ms / 1000 / concurrency,
               capped_bound=calls * latency_ms / 1000 / effective)
    return run


def largest(seconds: dict[str, float]) -> str:
    return ", ".join(f"{k} {v:.1f}s" for k, v in sorted(seconds.items(), key=lambda kv: -kv[1]) if v >= 0.05)


def print_wall(rows: list[dict], baseline: dict | None) -> None:
    print(f"{'run':24}{'calls':>7}{'wall s':>9}{'÷ c=1':>8}{'bound s':>9}{'ratio':>7}{'capped':>8}"
          f"{'server cpu':>12}{'sync cpu':>10}")
    for r in rows:
        label = f"concurrency {r['concurrency']}" + (f" (cap {r['cap']})" if r["cap"] != 4 else "")
        vs_one = f"{r['wall'] / baseline['wall']:.3f}" if baseline else "-"
        print(f"{label:24}{r['calls']:>7}{r['wall']:>9.1f}{vs_one:>8}{r['lower_bound']:>9.1f}"
              f"{r['wall'] / r['lower_bound']:>7.2f}{r['wall'] / r['capped_bound']:>8.2f}"
              f"{r['server_cpu']:>12.1f}{r['sync_cpu']:>10.1f}")
    for r in rows:
        p, c = r["profile"], min(r["concurrency"], r["cap"])
        shares = ", ".join(f"{k}: {v:.1f}s" for k, v in p["by_in_flight"].items())
        mean = 1000 * p["call_seconds"] / r["calls"]
        gap = r["wall"] - p["call_seconds"] / c
        print(f"  c={r['concurrency']}/cap {r['cap']}: mean call {mean:.1f} ms (last 1,000: "
              f"{p['last_1000_ms']:.1f} ms, of which in the simulator {r['server_ms']:.1f} ms); "
              f"wall ÷ (call-seconds ÷ {c}) = "
              f"{r['wall'] / (p['call_seconds'] / c):.2f}, wall − call-seconds ÷ {c} = {gap:.1f}s\n"
              f"    seconds by calls in flight: {shares}\n"
              f"    one call in flight: {largest(p['single'])}\n"
              f"    none in flight, after: {largest(p['idle_after'])}")


def part_wall(results: dict, latency_ms: float) -> None:
    rows = [timed_run("small", (), latency_ms, c, cap) for c, cap in ((1, 4), (4, 4), (8, 4), (8, 8))]
    results["wall"] = rows
    print(f"\nBackfill wall time of small, {latency_ms:g} ms per request (baseline: concurrency 1)")
    print_wall(rows, rows[0])
    best = min(r["wall"] / r["lower_bound"] for r in rows[1:])
    print(f"goal: wall ≤ 1.3 × calls × latency ÷ concurrency: {'PASS' if best <= 1.3 else 'FAIL'} "
          f"(best {best:.2f})")


def part_large_wall(results: dict, latency_ms: float) -> None:
    rows = [timed_run("large", (PROJECT,), latency_ms, 4, 4)]
    results["large_wall"] = rows
    print(f"\nBackfill wall time of large project {PROJECT}, {latency_ms:g} ms per request")
    print_wall(rows, None)


def part_rss(results: dict) -> None:
    for name, scenario, projects in (("small", "small", ()), ("large_1", "large", (PROJECT,))):
        if name not in results:
            results[name] = pr_figures(backfill(scenario, projects))
    results["large_2"] = pr_figures(backfill("large", (PROJECT, SECOND)))
    results["large_3"] = pr_figures(backfill("large", (PROJECT, SECOND, THIRD)))
    base = results["small"]["peak_rss_mb"]
    print("\nPeak RSS of the sync process (CLI backfill; baseline: small)")
    print(f"{'':28}{'PRs':>8}{'peak RSS MB':>13}{'ratio':>8}{'wall s':>9}{'sync cpu':>10}{'server cpu':>12}")
    labels = {"small": "small (all)", "large_1": f"large: {PROJECT}",
              "large_2": f"large: {PROJECT} + {SECOND}", "large_3": f"large: + {THIRD}"}
    for name, label in labels.items():
        r = results[name]
        print(f"{label:28}{r['prs']:>8}{r['peak_rss_mb']:>13.0f}{r['peak_rss_mb'] / base:>8.2f}"
              f"{r['process_wall']:>9.1f}{r['sync_cpu']:>10.1f}{r['server_cpu']:>12.1f}")
    peak = max(results[n]["peak_rss_mb"] for n in labels)
    print(f"goal: peak RSS < 300 MB: {'PASS' if peak < 300 else 'FAIL'} ({peak:.0f} MB)")
    one, three = results["large_1"], results["large_3"]
    growth = three["peak_rss_mb"] / one["peak_rss_mb"]
    verdict = "PASS" if growth <= 1.10 else "FAIL"
    print(f"goal: flat in organization size (three projects within 10 % of one, for "
          f"{three['prs'] / one['prs']:.1f} × the PRs): {verdict} ({growth:.2f} ×)")


def main() -> None:
    if len(sys.argv) > 1 and sys.argv[1] == "--worker":
        worker(int(sys.argv[2]), int(sys.argv[3]), tuple(sys.argv[5::2]))
        return
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawTextHelpFormatter)
    parser.add_argument("--parts", default="calls,wall,rss,large-wall")
    parser.add_argument("--latency-ms", type=float, default=50.0)
    parser.add_argument("--out", type=Path, help="Also write every figure to this JSON file.")
    args = parser.parse_args()
    parts = args.parts.split(",")
    results: dict = {}
    started = time.perf_counter()
    if "calls" in parts:
        part_calls(results)
    if "wall" in parts:
        part_wall(results, args.latency_ms)
    if "rss" in parts:
        part_rss(results)
    if "large-wall" in parts:
        part_large_wall(results, args.latency_ms)
    print(f"\n(benchmark took {time.perf_counter() - started:.0f} s)")
    if args.out:
        args.out.write_text(json.dumps(results, indent=1, sort_keys=True))


if __name__ == "__main__":
    main()
