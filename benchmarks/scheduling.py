"""Benchmarks of schedules, measured end to end on this machine.

Run from the repository root, with the project installed in ``.venv``:

    .venv/bin/python benchmarks/scheduling.py

It takes about two and a half minutes and prints one report. Everything is real:
``jupyter server`` subprocesses with the extension as pip installed it, real
kernels, real HTTP on localhost, all in temporary folders that are removed at
the end, with every process it started stopped (also on Ctrl-C). It measures:

1. Fire lateness: on a server with a free worker (``max_concurrent_runs`` 4,
   warmed up), a 1-second interval schedule (overlap ``queue``) on a one-cell
   notebook fires 30 times; per run, from the server's records, scheduled time
   -> run started (``started_at - trigger.scheduled_for``) and scheduled time ->
   run recorded (``created_at - trigger.scheduled_for``). Target: p95 of
   scheduled -> started <= 0.25 s.
2. 1,000 schedules defined (daily crons written into the database before the
   server starts): start-up time, spawn -> ``GET schedules`` listing them all,
   against a server with none (alternating, 3 each, medians); and the idle CPU
   of both servers side by side over 60 s. Target: idle CPU ~0.
"""

from __future__ import annotations

import statistics
import sys
from datetime import datetime, timezone
from pathlib import Path

# Modules beside this script: found because Python puts the script's folder on the path.
from fires import (
    CONCURRENCY,
    FIRES,
    TARGET_LATENESS_SECONDS,
    FireResult,
    measure_fires,
    percentile,
    report_fires,
)
from report import run_benchmark, show, verdict
from runs import NOTEBOOK, code_cell, write_notebook
from schedules_idle import (
    FIRE_MARGIN,
    IDLE_SECONDS,
    SCHEDULES,
    STARTS,
    ScheduleCost,
    check_no_fire_due,
    define_schedules,
    measure_idle,
    measure_in_process,
    measure_startups,
    report_schedule_cost,
)
from servers import jupyter_server

# Idle CPU at or below this share of one core counts as ~0.
TARGET_IDLE_PERCENT = 0.5


def progress(message: str) -> None:
    print(f"... {message}", file=sys.stderr, flush=True)


def run_benchmarks(work: Path) -> list[str]:
    check_no_fire_due(datetime.now(timezone.utc), FIRE_MARGIN)
    root = work / "root"
    write_notebook(root / NOTEBOOK, code_cell("1 + 1"))

    progress(f"fire lateness: {FIRES} fires of a 1-second interval schedule")
    with jupyter_server(
        "fires", root, work / "home-fires", f"--AutoflowApp.max_concurrent_runs={CONCURRENCY}"
    ) as server:
        fires = measure_fires(server)

    many, none = work / "root-many", work / "root-none"
    for folder in (many, none):
        write_notebook(folder / NOTEBOOK, code_cell("1 + 1"))
    progress(f"defining {SCHEDULES:,} schedules")
    cost = ScheduleCost(define_schedules(many, NOTEBOOK, SCHEDULES))
    define_schedules(none, NOTEBOOK, 0)  # the same migrated database, without schedules
    progress(f"start-up with {SCHEDULES:,} schedules and with none, {STARTS} each")
    measure_startups(cost, many, none, work / "homes")
    progress(f"idle CPU over {IDLE_SECONDS:.0f} s, both servers side by side")
    measure_idle(cost, many, none, work / "homes")
    measure_in_process(cost, many)

    return [
        *report_fires(fires),
        "",
        *report_schedule_cost(cost),
        "",
        *summary(fires, cost),
    ]


def summary(fires: FireResult, cost: ScheduleCost) -> list[str]:
    assert cost.idle_with is not None
    assert cost.idle_without is not None
    median_with = statistics.median(cost.with_schedules)
    median_without = statistics.median(cost.without)
    idle = cost.idle_with.percent
    rows = [
        (
            "1. scheduled -> started, p95",
            show(fires.p95),
            f"<= {show(TARGET_LATENESS_SECONDS)}",
            verdict(fires.p95 <= TARGET_LATENESS_SECONDS),
        ),
        ("1. scheduled -> recorded, p95", show(percentile(fires.recorded, 95)), "none", ""),
        (
            f"2. start-up, {SCHEDULES:,} schedules / none",
            f"{show(median_with)} / {show(median_without)}",
            "none",
            "",
        ),
        ("2. start-up ratio", f"{median_with / median_without:.2f}", "none", ""),
        (
            f"2. idle CPU, {SCHEDULES:,} schedules",
            f"{idle:.2f} % core",
            f"<= {TARGET_IDLE_PERCENT} %",
            verdict(idle <= TARGET_IDLE_PERCENT),
        ),
        ("2. idle CPU, none", f"{cost.idle_without.percent:.2f} % core", "none", ""),
    ]
    lines = ["Summary"]
    lines += [
        f"   {check:<40} {value:>20}   {target:<9} {result}".rstrip()
        for check, value, target, result in rows
    ]
    return lines


def main() -> int:
    return run_benchmark("AutoFlow Lab scheduling benchmark", run_benchmarks)


if __name__ == "__main__":
    sys.exit(main())
