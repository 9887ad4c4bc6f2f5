"""Benchmarks of workflows, measured end to end on this machine.

Run from the repository root, with the project installed in ``.venv``:

    .venv/bin/python benchmarks/workflows.py

It takes about two minutes and prints one report. Everything is real: a
``jupyter server`` subprocess with the extension, real kernels, real HTTP on
localhost, in temporary folders removed at the end. It measures:

1. Overhead per step: a workflow of 10 one-cell notebooks in a chain (each step
   after the previous) against the same 10 notebooks run one after another as
   plain runs, each started as soon as the client sees the previous one end
   (polling every 10 ms), on one server with one slot. Alternating, 3 of each,
   medians of POST -> last one final. Target: chain / plain <= 1.1.
2. Parallel branches: 4 independent steps of 5 s (``time.sleep``) on a server
   with 2 slots whose workers have run a notebook in the same folder, POST ->
   workflow final. Target: <= 11 s (two rounds of 5 s).
"""

from __future__ import annotations

import statistics
import sys
import time
from itertools import pairwise
from pathlib import Path
from typing import Any

# Modules beside this script: found because Python puts the script's folder on the path.
from report import listing, run_benchmark, show, spread, verdict
from runs import (
    FINAL,
    POLL_INTERVAL,
    code_cell,
    parse_time,
    run_to_final,
    wait_all_final,
    write_notebook,
)
from servers import Client, jupyter_server

CHAIN = 10
REPEATS = 3
TARGET_RATIO = 1.1
BRANCHES = 4
BRANCH_SECONDS = 5
SLOTS = 2
TARGET_PARALLEL_SECONDS = 11.0


def progress(message: str) -> None:
    print(f"... {message}", file=sys.stderr, flush=True)


def chain_definition() -> str:
    lines = ["name: Chain of ten", "steps:"]
    for index in range(CHAIN):
        lines += [f"  - key: step{index}", f"    notebook: chain/step{index}.ipynb"]
        if index:
            lines.append(f"    after: [step{index - 1}]")
    return "\n".join(lines) + "\n"


def branches_definition() -> str:
    lines = ["name: Four branches", "steps:"]
    for index in range(BRANCHES):
        lines += [f"  - key: branch{index}", "    notebook: sleep5.ipynb"]
    return "\n".join(lines) + "\n"


def workflow_to_final(client: Client, workflow: str) -> tuple[float, dict[str, Any]]:
    """POST a workflow run and poll it every POLL_INTERVAL until final; seconds from the POST."""
    began = time.perf_counter()
    run = client.api("POST", "workflow-runs", {"workflow": workflow})
    while run["status"] not in FINAL:
        time.sleep(POLL_INTERVAL)
        run = client.api("GET", f"workflow-runs/{run['id']}")
        if time.perf_counter() - began > 300:
            raise RuntimeError(f"workflow run {run['id']} still {run['status']} after 300 s")
    elapsed = time.perf_counter() - began
    if run["status"] != "succeeded":
        raise RuntimeError(f"workflow run {run['id']} ended {run['status']}: {run['error']}")
    return elapsed, run


def plain_chain(client: Client) -> tuple[float, list[dict[str, Any]]]:
    began = time.perf_counter()
    runs = [run_to_final(client, {"notebook": f"chain/step{i}.ipynb"})[1] for i in range(CHAIN)]
    return time.perf_counter() - began, runs


def handoffs(runs: list[dict[str, Any]]) -> list[float]:
    """Seconds from each run's end to the next one's start, from the server's records."""
    gaps = [seconds_between_runs(before, after) for before, after in pairwise(runs)]
    return [gap for gap in gaps if gap is not None]


def seconds_between_runs(before: dict[str, Any], after: dict[str, Any]) -> float | None:
    ended, started = parse_time(before["finished_at"]), parse_time(after["started_at"])
    return None if ended is None or started is None else (started - ended).total_seconds()


def run_benchmarks(work: Path) -> list[str]:
    root = work / "root"
    for index in range(CHAIN):
        write_notebook(root / "chain" / f"step{index}.ipynb", code_cell(f"{index} + 1"))
    write_notebook(root / "sleep5.ipynb", code_cell(f"import time\ntime.sleep({BRANCH_SECONDS})"))
    write_notebook(root / "warm.ipynb", code_cell("1 + 1"))
    (root / "chain.autoflow.yaml").write_text(chain_definition(), encoding="utf-8")
    (root / "branches.autoflow.yaml").write_text(branches_definition(), encoding="utf-8")

    progress(f"overhead: a chain of {CHAIN} steps against {CHAIN} plain runs, {REPEATS} each")
    chains, plains = [], []
    chain_gaps: list[float] = []
    plain_gaps: list[float] = []
    with jupyter_server(
        "chain", root, work / "home-chain", "--AutoflowApp.max_concurrent_runs=1"
    ) as server:
        run_to_final(server.client, {"notebook": "chain/step0.ipynb"})  # warm the worker
        for _ in range(REPEATS):
            elapsed, runs = plain_chain(server.client)
            plains.append(elapsed)
            plain_gaps += handoffs(runs)
            elapsed, run = workflow_to_final(server.client, "chain.autoflow.yaml")
            chains.append(elapsed)
            chain_gaps += handoffs([step["run"] for step in run["steps"]])
    ratio = statistics.median(chains) / statistics.median(plains)

    progress(f"parallel branches: {BRANCHES} steps of {BRANCH_SECONDS} s on {SLOTS} slots")
    with jupyter_server(
        "branches", root, work / "home-branches", f"--AutoflowApp.max_concurrent_runs={SLOTS}"
    ) as server:
        # Both workers up, as on a server that has run notebooks in this folder before.
        warm = [server.client.api("POST", "runs", {"notebook": "warm.ipynb"}) for _ in range(SLOTS)]
        wait_all_final(server.client, {run["id"] for run in warm})
        parallel, run = workflow_to_final(server.client, "branches.autoflow.yaml")
    overlaps = _most_at_once(run)

    plain, chain = statistics.median(plains), statistics.median(chains)
    return [
        f"1. Overhead per step: {CHAIN} one-cell notebooks, 1 slot, POST -> last final",
        f"   plain runs one after another   {listing(plains)}  median {show(plain)}",
        f"   the same as a chained workflow {listing(chains)}  median {show(chain)}",
        f"   per step: plain {show(plain / CHAIN)}, workflow {show(chain / CHAIN)}",
        f"   one run's end -> the next one's start (server records): plain {spread(plain_gaps)}",
        f"   {'':52}workflow {spread(chain_gaps)}",
        f"   ratio workflow / plain {ratio:.3f}  (target <= {TARGET_RATIO})  "
        f"{verdict(ratio <= TARGET_RATIO)}",
        "",
        f"2. Parallel branches: {BRANCHES} independent steps of {BRANCH_SECONDS} s, {SLOTS} slots",
        f"   POST -> workflow final {show(parallel)}, at most {overlaps} steps running at once",
        *_timeline(run),
        f"   (target <= {TARGET_PARALLEL_SECONDS:g} s)  "
        f"{verdict(parallel <= TARGET_PARALLEL_SECONDS)}",
    ]


def _timeline(run: dict[str, Any]) -> list[str]:
    """Each step's run from the server's records, in seconds after the workflow run's creation."""
    began = parse_time(run["created_at"])
    assert began is not None
    lines = []
    for step in run["steps"]:
        times = [
            parse_time(step["run"][key]) for key in ("created_at", "started_at", "finished_at")
        ]
        queued, started, ended = ((t - began).total_seconds() if t else 0.0 for t in times)
        lines.append(
            f"     {step['key']}: queued +{queued:.2f} s, started +{started:.2f} s, "
            f"ended +{ended:.2f} s"
        )
    return lines


def _most_at_once(run: dict[str, Any]) -> int:
    """The most steps whose runs executed at the same time, from the server's records."""
    spans = [(step["run"]["started_at"], step["run"]["finished_at"]) for step in run["steps"]]
    return max(sum(1 for start, end in spans if start <= moment < end) for moment, _ in spans)


if __name__ == "__main__":
    sys.exit(run_benchmark("AutoFlow Lab workflow benchmarks", run_benchmarks))
