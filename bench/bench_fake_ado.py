"""Simulator benchmark: the ``large`` organization's first PR page and the server's memory while a client
pages through every PR of one project.

Prints ratios against a baseline measured in the same run (the ``tiny`` organization served the same way),
so the numbers compare across machines. Run: ``python bench/bench_fake_ado.py``.
"""

from __future__ import annotations

import argparse
import subprocess
import sys
import threading
import time
from contextlib import contextmanager

import httpx
import psutil

MB = 1024 * 1024


@contextmanager
def serving(scenario: str):
    """Start ``adometrics fake-ado serve`` in a child process; yield (process, org URL, PAT, seconds to
    ready)."""
    started = time.perf_counter()
    cmd = [sys.executable, "-m", "adometrics.cli.main", "fake-ado", "serve", "--port", "0",
           "--scenario", scenario]
    proc = subprocess.Popen(cmd, stdout=subprocess.PIPE, text=True)
    try:
        banner = dict(proc.stdout.readline().strip().split("=", 1) for _ in range(2))
        ready = time.perf_counter() - started
        yield proc, banner["ORG_URL"], banner["AZURE_DEVOPS_EXT_PAT"], ready
    finally:
        proc.terminate()
        proc.wait(timeout=10)


def first_project(client: httpx.Client, org_url: str) -> str:
    projects = client.get(f"{org_url}/_apis/projects", params={"api-version": "7.1"}).json()["value"]
    return projects[0]["id"]


def pr_page(client: httpx.Client, org_url: str, project: str, skip: int, top: int) -> list[dict]:
    params = {"api-version": "7.1", "searchCriteria.status": "all", "$top": top, "$skip": skip}
    response = client.get(f"{org_url}/{project}/_apis/git/pullrequests", params=params)
    response.raise_for_status()
    return response.json()["value"]


def time_first_page(client: httpx.Client, org_url: str, project: str, repeats: int = 5) -> float:
    """Median seconds for the first page of 1,000 PRs (the first call included: laziness must be cheap)."""
    samples = []
    for _ in range(repeats):
        t0 = time.perf_counter()
        pr_page(client, org_url, project, 0, 1000)
        samples.append(time.perf_counter() - t0)
    return sorted(samples)[len(samples) // 2]


def page_all(client: httpx.Client, org_url: str, project: str,
             proc: psutil.Process) -> tuple[int, float, int]:
    """Page through every PR of ``project``; return (PRs, seconds, peak server RSS in bytes)."""
    peak = proc.memory_info().rss
    stop = threading.Event()

    def sample() -> None:
        nonlocal peak
        while not stop.is_set():
            peak = max(peak, proc.memory_info().rss)
            time.sleep(0.02)

    sampler = threading.Thread(target=sample, daemon=True)
    sampler.start()
    t0, total, skip = time.perf_counter(), 0, 0
    while True:
        page = pr_page(client, org_url, project, skip, 1000)
        total += len(page)
        skip += 1000
        if len(page) < 1000:
            break
    elapsed = time.perf_counter() - t0
    stop.set()
    sampler.join()
    return total, elapsed, peak


def measure(scenario: str) -> dict[str, float]:
    with serving(scenario) as (proc, org_url, pat, ready):
        server = psutil.Process(proc.pid)
        with httpx.Client(auth=("", pat), timeout=120, trust_env=False) as client:
            project = first_project(client, org_url)
            start_rss = server.memory_info().rss
            first = time_first_page(client, org_url, project)
            count, seconds, peak = page_all(client, org_url, project, server)
    return {"ready_s": ready, "first_page_s": first, "prs": count, "page_all_s": seconds,
            "start_rss_mb": start_rss / MB, "peak_rss_mb": peak / MB}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--scenario", default="large")
    args = parser.parse_args()
    base = measure("tiny")
    big = measure(args.scenario)
    print(f"{'':24}{'tiny (baseline)':>18}{args.scenario:>14}{'ratio':>10}")
    for key in ("ready_s", "first_page_s", "prs", "page_all_s", "start_rss_mb", "peak_rss_mb"):
        ratio = big[key] / base[key] if base[key] else float("nan")
        print(f"{key:24}{base[key]:>18.3f}{big[key]:>14.3f}{ratio:>10.2f}")
    verdict = "PASS" if big["peak_rss_mb"] < 300 else "FAIL"
    print(f"goal: server peak RSS < 300 MB while paging all PRs of one project: {verdict}")


if __name__ == "__main__":
    main()
