"""Trigger -> succeeded latency against bare papermill, and a burst of runs at once.

Measurements 1 and 2 of ``run_engine.py``: how long one run takes through the
REST API compared with papermill called directly, and how many runs a server
gets through when many arrive together.
"""

from __future__ import annotations

import math
import os
import re
import statistics
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from functools import partial
from pathlib import Path

from report import listing, show, spread, verdict
from runs import (
    NOTEBOOK,
    POLL_INTERVAL,
    parse_time,
    process_lines,
    run_to_final,
    seconds_between,
    timed,
    wait_all_final,
    worker_processes,
)
from servers import Server

LATENCY_RUNS = 10
BURST_RUNS = 20

TARGET_LATENCY_RATIO = 1.2


# --- trigger -> succeeded latency --------------------------------------------------------------


@dataclass
class LatencyResult:
    api: list[float]
    bare: list[float]
    queued: list[float]
    executing: list[float]
    workers: list[tuple[int, float, str]] = field(default_factory=list)

    @property
    def ratio(self) -> float:
        return statistics.median(self.api) / statistics.median(self.bare)


@contextmanager
def stderr_to(path: Path) -> Iterator[None]:
    """Send this process's stderr, which kernels it starts inherit, to ``path``.

    Keeps the kernels' start-up warnings out of the report, as the server's
    worker keeps them out of the terminal.
    """
    sys.stderr.flush()
    saved = os.dup(2)
    with path.open("ab") as target:
        os.dup2(target.fileno(), 2)
        try:
            yield
        finally:
            sys.stderr.flush()
            os.dup2(saved, 2)
            os.close(saved)


def bare_papermill(notebook: Path, output: Path, kernel_log: Path) -> float:
    """Seconds for papermill to execute ``notebook`` in this process, as a user would call it."""
    import papermill

    execute = partial(
        papermill.execute_notebook,
        str(notebook),
        str(output),
        kernel_name="python3",
        progress_bar=False,
    )
    with stderr_to(kernel_log):
        return timed(execute)


def measure_latency(server: Server, notebook: Path, outputs: Path) -> LatencyResult:
    """Bare and API runs alternate, so both meet the same machine load.

    One warm-up run each first: it starts the server's worker process and
    brings papermill's imports into this one.
    """
    outputs.mkdir(parents=True, exist_ok=True)
    body = {"notebook": NOTEBOOK}
    result = LatencyResult(api=[], bare=[], queued=[], executing=[])
    for index in range(LATENCY_RUNS + 1):
        bare = bare_papermill(notebook, outputs / f"bare-{index}.ipynb", outputs / "kernels.log")
        seconds, run = run_to_final(server.client, body)
        if index == 0:
            continue
        result.bare.append(bare)
        result.api.append(seconds)
        queued = seconds_between(run, "created_at", "started_at")
        executing = seconds_between(run, "started_at", "finished_at")
        if queued is not None and executing is not None:
            result.queued.append(queued)
            result.executing.append(executing)
    result.workers = worker_processes(server)
    return result


def report_latency(result: LatencyResult) -> list[str]:
    lines = [
        "1. Trigger -> succeeded, one-cell notebook (`1 + 1`, python3)",
        f"   {LATENCY_RUNS} runs each way, alternating bare/API, after 1 warm-up run each",
        f"   REST API (POST runs, GET runs/<id> every {POLL_INTERVAL * 1000:.0f} ms)"
        f"   {spread(result.api)}",
        f"     samples: {listing(result.api)}",
    ]
    if result.executing:
        lines.append(
            f"     server timestamps: queued->started {show(statistics.median(result.queued))},"
            f" started->finished {show(statistics.median(result.executing))} (medians)"
        )
    lines += [
        f"   bare papermill.execute_notebook, in-process   {spread(result.bare)}",
        f"     samples: {listing(result.bare)}",
        f"   ratio API / bare (medians): {result.ratio:.3f}   target <= {TARGET_LATENCY_RATIO}"
        f"   {verdict(result.ratio <= TARGET_LATENCY_RATIO)}",
        "   processes below the server after these runs (run workers, and the kernel each has"
        " started for its next run; every kernel serves one run):",
    ]
    lines += process_lines(result.workers, "none")
    total = sum(rss for _, rss, _ in result.workers)
    lines.append(f"     total RSS {total:.1f} MiB")
    return lines


# --- a burst of runs ---------------------------------------------------------------------------


def concurrency_of(server: Server) -> tuple[int, str]:
    """The server's max_concurrent_runs as its start-up line states it, else the default."""
    found = re.search(r"AutoFlow Lab: .*?(\d+) concurrent runs", server.log_text())
    if found:
        return int(found.group(1)), "from the server's start-up log"
    return os.cpu_count() or 1, "assumed: the documented default, the CPU count"


@dataclass
class BurstResult:
    concurrency: int
    concurrency_source: str
    wall: float
    makespan: float | None
    statuses: dict[str, int]
    bare_median: float

    @property
    def runs_per_minute(self) -> float:
        return BURST_RUNS / self.wall * 60


def measure_burst(server: Server, bare: list[float]) -> BurstResult:
    concurrency, source = concurrency_of(server)
    body = {"notebook": NOTEBOOK}
    # Warm-up: one run per slot at once, so every worker process has started.
    warm_up = {server.client.api("POST", "runs", body)["id"] for _ in range(concurrency)}
    wait_all_final(server.client, warm_up)
    began = time.perf_counter()
    ids = {server.client.api("POST", "runs", body)["id"] for _ in range(BURST_RUNS)}
    runs = wait_all_final(server.client, ids)
    wall = time.perf_counter() - began
    created = [parse_time(run["created_at"]) for run in runs.values()]
    finished = [parse_time(run["finished_at"]) for run in runs.values()]
    makespan = None
    if all(created) and all(finished):
        makespan = (max(finished) - min(created)).total_seconds()  # type: ignore[type-var,operator]
    statuses: dict[str, int] = {}
    for run in runs.values():
        statuses[run["status"]] = statuses.get(run["status"], 0) + 1
    return BurstResult(concurrency, source, wall, makespan, statuses, statistics.median(bare))


def report_burst(result: BurstResult) -> list[str]:
    reference = math.ceil(BURST_RUNS / result.concurrency) * result.bare_median
    lines = [
        f"2. {BURST_RUNS} one-cell runs submitted at once (fresh server)",
        f"   max_concurrent_runs = {result.concurrency} ({result.concurrency_source})",
        f"   warm-up first: {result.concurrency} runs at once (one per slot), not counted",
        f"   wall time, first POST -> last final observed   {show(result.wall)}",
    ]
    if result.makespan is not None:
        lines.append(
            f"     server timestamps, first created -> last finished   {show(result.makespan)}"
        )
    outcome = ", ".join(f"{count} {status}" for status, count in sorted(result.statuses.items()))
    lines += [
        f"   throughput   {result.runs_per_minute:.1f} runs/minute   ({outcome})",
        f"   reference, not a target: ceil({BURST_RUNS}/{result.concurrency}) x bare papermill"
        f" median = {show(reference)}  (wall / reference = {result.wall / reference:.2f})",
    ]
    return lines
