"""Benchmark of the Dask executor: does a second worker double the throughput?

Run from the repository root, with the project installed in ``.venv`` (with the
``dask`` extra):

    .venv/bin/python benchmarks/dask_executor.py

It takes about three and a half minutes and prints one report. Everything is real: a
``LocalCluster`` of worker processes, a ``jupyter server`` subprocess with the
extension and ``AutoflowApp.executor_class`` set to the DaskExecutor pointed at that
cluster's scheduler, real kernels on the workers, real HTTP on localhost, in
temporary folders removed at the end (the scheduler's and workers' scratch space,
the kernels' sockets, and Jupyter's and IPython's folders for the workers and their
kernels, included). Clusters and servers are stopped also on failure or Ctrl-C.

The same 20 runs of a one-cell notebook, ``time.sleep(5)``, are POSTed at once to
a server over (a) a cluster of 2 worker processes with one ``notebooks`` slot each,
and (b) a cluster of 1 such worker; the time is from the first POST until the last
run is final, and throughput is 20 runs over that time. The server's
``max_concurrent_runs`` is 20, so the cluster's slots, not the server, set the pace.
Target: throughput with 2 workers / with 1 worker >= 1.8.

The notebooks sleep on purpose: this machine has 2 cores, and notebooks that
computed would compete for them with the kernels, the workers, the scheduler and the
server, so the ratio would measure the cores. Sleeping, it measures scheduling: how
well the executor keeps every slot busy, and what each run costs besides its 5 s.
That cost (a kernel started per run, papermill's work) still takes CPU, two runs'
worth at once on two workers, so a machine busy with other work lowers the ratio.

Before the timed runs, each worker executes one one-cell run (its first import of
papermill and the package), not timed.
"""

from __future__ import annotations

import math
import os
import sys
import time
from collections import Counter
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any

import dask
from distributed import Client as DaskClient
from distributed import LocalCluster

# Modules beside this script: found because Python puts the script's folder on the path.
from report import run_benchmark, show, spread, verdict
from runs import code_cell, parse_time, seconds_between, wait_all_final, write_notebook
from servers import Client, command_line, descendants, isolated_environment, jupyter_server

EXECUTOR = "autoflow_lab.execution.DaskExecutor"
RESOURCE = "notebooks"
RUNS = 20
SLEEP_SECONDS = 5
CLUSTERS = (2, 1)  # worker processes, one slot each
TARGET_RATIO = 1.8
# Started by the worker processes' spawning; it lives as long as this process.
RESOURCE_TRACKER = "multiprocessing.resource_tracker"


def progress(message: str) -> None:
    print(f"... {message}", file=sys.stderr, flush=True)


@dataclass
class Measured:
    """The timed runs on one cluster."""

    workers: int
    seconds: float
    runs: list[dict[str, Any]]
    runs_per_worker: list[int]
    warm_workers: int

    @property
    def rounds(self) -> int:
        """Runs each slot executes one after another."""
        return math.ceil(RUNS / self.workers)

    @property
    def throughput(self) -> float:
        """Runs per second."""
        return RUNS / self.seconds

    @property
    def overhead(self) -> float:
        """What each round took beyond its sleep: seconds per run on a slot."""
        return (self.seconds - self.rounds * SLEEP_SECONDS) / self.rounds


@contextmanager
def local_cluster(workers: int, scratch: Path) -> Iterator[LocalCluster]:
    """``workers`` worker processes with one notebook slot each, up and registered. Each has
    two threads, so the slot (the resource each run takes), not the threads, bounds its runs."""
    with (
        dask.config.set({"temporary-directory": str(scratch)}),  # the scheduler's scratch space
        LocalCluster(
            n_workers=workers,
            threads_per_worker=2,
            resources={RESOURCE: 1},
            processes=True,
            dashboard_address=":0",
            local_directory=str(scratch),
        ) as cluster,
        DaskClient(cluster) as client,
    ):
        client.wait_for_workers(workers, timeout=60)
        yield cluster


def worker_of(root: Path, run: dict[str, Any]) -> str:
    """The Dask worker a run's log says it executed on."""
    for line in (root / run["log"]).read_text().splitlines():
        if " on Dask worker " in line:
            return line.split(" on Dask worker ")[1].split()[0]
    raise RuntimeError(f"run {run['id']}: its log names no Dask worker")


def post_all(client: Client, notebook: str, count: int) -> dict[int, dict[str, Any]]:
    """POST ``count`` runs at once and wait until all are final; they must all succeed."""
    posted = [client.api("POST", "runs", {"notebook": notebook}) for _ in range(count)]
    finals = wait_all_final(client, {run["id"] for run in posted})
    failed = [run for run in finals.values() if run["status"] != "succeeded"]
    if failed:
        raise RuntimeError(f"{len(failed)} runs did not succeed, the first: {failed[0]}")
    return finals


def measure(workers: int, root: Path, work: Path) -> Measured:
    with (
        local_cluster(workers, work / f"scratch-{workers}") as cluster,
        jupyter_server(
            f"dask-{workers}",
            root,
            work / f"home-{workers}",
            f"--AutoflowApp.executor_class={EXECUTOR}",
            f"--AutoflowApp.dask_scheduler_address={cluster.scheduler_address}",
            f"--AutoflowApp.max_concurrent_runs={RUNS}",
        ) as server,
    ):
        progress(f"{workers} worker(s): warm-up, one run per worker")
        warm = post_all(server.client, "warm.ipynb", workers)
        warm_workers = len({worker_of(root, run) for run in warm.values()})

        progress(f"{workers} worker(s): {RUNS} runs of {SLEEP_SECONDS} s POSTed at once")
        began = time.perf_counter()
        finals = post_all(server.client, "sleep.ipynb", RUNS)
        seconds = time.perf_counter() - began
        runs = sorted(finals.values(), key=lambda run: run["id"])
        per_worker = Counter(worker_of(root, run) for run in runs)
    return Measured(workers, seconds, runs, sorted(per_worker.values()), warm_workers)


def handoffs(runs: list[dict[str, Any]], workers: int) -> list[float]:
    """Seconds from a run's end to the next start on the slot it freed, from the server's
    records: each start after the first ``workers`` against the earliest end not yet followed.
    Below zero when the next run's start was recorded first: a slot is free once its task
    returns, before the server has recorded that run's outcome."""
    starts = sorted(_time(run, "started_at") for run in runs)
    ends = sorted(_time(run, "finished_at") for run in runs)
    return [
        (start - end).total_seconds()
        for start, end in zip(starts[workers:], ends[: len(starts) - workers], strict=True)
    ]


def _time(run: dict[str, Any], key: str) -> datetime:
    moment = parse_time(run[key])
    if moment is None:
        raise RuntimeError(f"run {run['id']} has no {key}")
    return moment


def cluster_lines(label: str, measured: Measured) -> list[str]:
    durations = [seconds_between(run, "started_at", "finished_at") for run in measured.runs]
    rows = [
        ("first POST -> last run final", show(measured.seconds)),
        (
            "throughput",
            f"{measured.throughput:.3f} runs/s ({measured.throughput * 60:.1f} runs/minute)",
        ),
        (
            "per-run overhead",
            f"{show(measured.overhead)}  "
            f"(time - {measured.rounds} x {SLEEP_SECONDS} s) / {measured.rounds}",
        ),
        (
            "runs per worker",
            f"{' + '.join(map(str, measured.runs_per_worker))}"
            f"  (warm-up on {measured.warm_workers} of {measured.workers} worker(s))",
        ),
        ("started -> finished, per run", spread([d for d in durations if d is not None])),
        ("run end -> next start on its slot", spread(handoffs(measured.runs, measured.workers))),
    ]
    return [
        f"   {label}: {measured.workers} worker(s) x 1 slot, {measured.rounds} rounds of "
        f"{SLEEP_SECONDS} s",
        *(f"     {name:<34}{value}" for name, value in rows),
    ]


def run_benchmarks(work: Path) -> list[str]:
    root = work / "root"
    write_notebook(root / "sleep.ipynb", code_cell(f"import time\ntime.sleep({SLEEP_SECONDS})"))
    write_notebook(root / "warm.ipynb", code_cell("1 + 1"))
    # Worker processes and servers inherit this environment: the kernels' socket folders and
    # connection files, IPython profile and Jupyter paths stay inside the temporary folder too.
    (work / "tmp").mkdir()
    os.environ.update(isolated_environment(work / "home-workers"), TMPDIR=str(work / "tmp"))

    two, one = (measure(workers, root, work) for workers in CLUSTERS)
    left = [
        pid
        for pid in descendants(os.getpid())
        if RESOURCE_TRACKER not in command_line(pid, width=1000)
    ]
    ratio = two.throughput / one.throughput
    return [
        f"{RUNS} runs of a one-cell notebook, time.sleep({SLEEP_SECONDS}), POSTed at once to a "
        f"server with the DaskExecutor",
        "over a LocalCluster (processes, one 'notebooks' slot per worker), "
        f"max_concurrent_runs {RUNS}.",
        "The notebooks sleep on purpose: with 2 cores, computing notebooks would measure the "
        "cores;",
        "sleeping, the ratio measures scheduling (slots kept busy, cost per run).",
        "",
        *cluster_lines("(a)", two),
        "",
        *cluster_lines("(b)", one),
        "",
        f"   throughput (a) / (b)  {ratio:.2f}  (time {show(one.seconds)} / {show(two.seconds)})"
        f"   target >= {TARGET_RATIO}: {verdict(ratio >= TARGET_RATIO)}",
        f"   processes left below this benchmark after the clusters closed: {len(left)}"
        " (besides multiprocessing's resource tracker, which ends with this process)",
    ]


if __name__ == "__main__":
    sys.exit(run_benchmark("AutoFlow Lab: the Dask executor, 2 workers against 1", run_benchmarks))
