"""Benchmarks of the run engine, measured end to end on this machine.

Run from the repository root, with the project installed in ``.venv``:

    .venv/bin/python benchmarks/run_engine.py

It takes a few minutes and prints one report. Everything is real: ``jupyter
server`` subprocesses with the extension as pip installed it, real kernels,
real HTTP on localhost, all in temporary folders that are removed at the end,
with every process it started stopped (also on Ctrl-C). It measures:

1. Trigger -> succeeded latency of a one-cell notebook through the REST API
   (POST runs, then GET runs/<id> every 10 ms), against bare in-process
   ``papermill.execute_notebook`` on the same notebook. Target: API/bare <= 1.2.
2. Throughput: 20 one-cell runs submitted at once on a fresh server at its
   default concurrency, after a warm-up round.
3. ``GET runs?limit=50`` latency with 100,000 runs in the store, first page and a
   page 50,000 runs deep: client round trip, server-side request time from the
   server's own access log, and ``RunStore.page`` in-process. Target: <= 20 ms
   server-side.
4. Resident memory of an idle server with the extension enabled and disabled,
   of the enabled server after its first run (a notebook with a ``parameters``
   cell, which makes the server import papermill), and of the run worker
   processes after measurement 1.
5. Cancel latency of a running run: from just before ``POST runs/<id>/cancel``
   to ``GET runs/<id>`` showing ``cancelled`` while a cell sleeps, 5 times on the
   server of measurement 1. Target: <= 2 s, for the slowest. Also how far a run
   with a 3 s wall-clock ``timeout`` overshoots it, by the server's timestamps.
"""

from __future__ import annotations

import os
import shutil
import statistics
import sys
from pathlib import Path

# Modules beside this script: found because Python puts the script's folder on the path.
from cancel import (
    CANCEL_RUNS,
    RUN_TIMEOUT,
    TARGET_CANCEL_SECONDS,
    CancelResult,
    measure_cancel,
    report_cancel,
)
from history import build_run_history
from latency import (
    BURST_RUNS,
    LATENCY_RUNS,
    TARGET_LATENCY_RATIO,
    BurstResult,
    LatencyResult,
    measure_burst,
    measure_latency,
    report_burst,
    report_latency,
)
from memory import IdleMemory, measure_idle_memory, report_memory
from paging import (
    HISTORY_RUNS,
    TARGET_PAGE_SECONDS,
    PageResult,
    measure_pages,
    measure_store_pages,
    report_pages,
)
from report import run_benchmark, show, verdict
from runs import NOTEBOOK, PARAMETERS_NOTEBOOK, SLEEP_NOTEBOOK, code_cell, write_notebook
from servers import isolated_environment, jupyter_server


def progress(message: str) -> None:
    print(f"... {message}", file=sys.stderr, flush=True)


def run_benchmarks(work: Path) -> list[str]:
    root = work / "root"
    notebook = write_notebook(root / NOTEBOOK, code_cell("1 + 1"))
    write_notebook(root / SLEEP_NOTEBOOK, code_cell("import time"), code_cell("time.sleep(600)"))
    os.environ.update(isolated_environment(work / "home-bare"))

    progress(f"latency: 1 warm-up + {LATENCY_RUNS} runs each, bare papermill and REST API")
    with jupyter_server("latency", root, work / "home-latency") as server:
        latency = measure_latency(server, notebook, work / "bare-outputs")
        progress(f"cancel: {CANCEL_RUNS} running runs, then one with timeout {RUN_TIMEOUT:g} s")
        cancel = measure_cancel(server)

    progress(f"{BURST_RUNS} runs at once, on a fresh server")
    shutil.rmtree(root / "autoflow-runs", ignore_errors=True)
    with jupyter_server("burst", root, work / "home-burst") as server:
        burst = measure_burst(server, latency.bare)

    progress(f"inserting {HISTORY_RUNS:,} runs")
    url = f"sqlite:///{work / 'history' / 'runs.sqlite'}"
    insert_seconds = build_run_history(url, HISTORY_RUNS)
    progress("GET runs pages over that history")
    (work / "root-pages").mkdir()
    with jupyter_server(
        "pages",
        work / "root-pages",
        work / "home-pages",
        f"--AutoflowApp.database_url={url}",
        "--ServerApp.log_level=DEBUG",
    ) as server:
        pages = measure_pages(server, insert_seconds)
    measure_store_pages(url, pages)

    progress("idle memory, extension enabled (then after its first run) and disabled")
    write_notebook(
        work / "root-idle" / PARAMETERS_NOTEBOOK,
        code_cell("day = 1", "parameters"),
        code_cell("day + 1"),
    )
    with jupyter_server("idle-on", work / "root-idle", work / "home-idle-on") as server:
        enabled = measure_idle_memory(server, first_run=PARAMETERS_NOTEBOOK)
    with jupyter_server(
        "idle-off", work / "root-idle", work / "home-idle-off", extension=False
    ) as server:
        disabled = measure_idle_memory(server)
    if enabled.version_status != 200 or disabled.version_status != 404:
        raise RuntimeError(
            "the extension was not enabled/disabled as intended: GET version answered"
            f" {enabled.version_status} (enabled) and {disabled.version_status} (disabled)"
        )

    return [
        *report_latency(latency),
        "",
        *report_burst(burst),
        "",
        *report_pages(pages),
        "",
        *report_memory(enabled, disabled),
        "",
        *report_cancel(cancel),
        "",
        *summary(latency, burst, pages, enabled, disabled, cancel),
    ]


def summary(
    latency: LatencyResult,
    burst: BurstResult,
    pages: PageResult,
    enabled: IdleMemory,
    disabled: IdleMemory,
    cancel: CancelResult,
) -> list[str]:
    page_target = f"<= {TARGET_PAGE_SECONDS * 1000:.0f} ms"
    rows = [
        (
            "1. trigger -> succeeded, API / bare papermill",
            f"{latency.ratio:.3f}",
            f"<= {TARGET_LATENCY_RATIO}",
            verdict(latency.ratio <= TARGET_LATENCY_RATIO),
        ),
    ]
    for label, server_side, round_trip in (
        ("first", pages.first_server, pages.first_round_trip),
        ("deep", pages.deep_server, pages.deep_round_trip),
    ):
        measured = statistics.median(server_side or round_trip)
        rows.append(
            (
                f"3. GET runs?limit=50, {label} page, server-side",
                show(measured),
                page_target,
                verdict(measured <= TARGET_PAGE_SECONDS),
            )
        )
    rows += [
        (
            f"2. {BURST_RUNS} runs at once, concurrency {burst.concurrency}",
            f"{burst.runs_per_minute:.0f} runs/min",
            "none",
            "",
        ),
        (
            "4. idle server RSS, extension on - off",
            f"{enabled.idle.rss - disabled.idle.rss:+.0f} MiB",
            "none",
            "",
        ),
        (
            f"5. cancel -> cancelled, max of {CANCEL_RUNS} running runs",
            show(max(cancel.latency)),
            f"<= {TARGET_CANCEL_SECONDS:g} s",
            verdict(max(cancel.latency) <= TARGET_CANCEL_SECONDS),
        ),
        (
            f"5. timeout {RUN_TIMEOUT:g} s, overshoot (server timestamps)",
            show(cancel.overshoot),
            "none",
            "",
        ),
    ]
    if enabled.after_run is not None:
        rows.append(
            (
                "4. server RSS, idle -> after first run",
                f"{enabled.idle.rss:.0f} -> {enabled.after_run.rss:.0f} MiB",
                "none",
                "",
            )
        )
    rows.sort(key=lambda row: row[0][:2])  # in measurement order; stable within one
    lines = ["Summary"]
    lines += [
        f"   {check:<48} {value:>14}   {target:<9} {result}".rstrip()
        for check, value, target, result in rows
    ]
    return lines


def main() -> int:
    return run_benchmark("AutoFlow Lab run-engine benchmark", run_benchmarks)


if __name__ == "__main__":
    sys.exit(main())
