"""Benchmarks of the FlowAPI data trigger, measured end to end on this machine.

Run from the repository root, with the project installed in ``.venv``:

    .venv/bin/python benchmarks/data_trigger.py

It takes about a minute and prints one report. Everything is real: a ``jupyter
server`` subprocess with the extension, the FlowAPI stand-in on loopback asked
through the unmodified ``flowclient``, real kernels, real HTTP, in temporary
folders removed at the end. It measures:

1. A long history: FlowAPI with ten years of daily data (3,653 dates) and a
   paused schedule needing a week of data per date (stencil ``[[-6, 1]]``):
   ``POST schedules/<id>/check`` the first time (every date recorded), again
   with nothing new, and after one new day; then ``GET schedules`` with that
   schedule's dates counted against the same list before it existed (medians
   of 20). Target: a check with nothing new <= 1 s.
2. Runs started by checks: 20 new dates of a one-cell notebook started by one
   check (20 runs per check) against the same 20 runs POSTed at once, on one
   server with 2 slots, alternating, 3 of each, medians of first request ->
   last run final. Target: check / plain <= 1.1.
"""

from __future__ import annotations

import os
import statistics
import sys
import time
from datetime import date, timedelta
from pathlib import Path
from typing import Any

# Modules beside this script: found because Python puts the script's folder on the path.
from report import listing, run_benchmark, show, spread, verdict
from runs import code_cell, wait_all_final, write_notebook
from servers import Client, jupyter_server

from autoflow_lab.flowapi.standin import StandIn

YEARS_OF_DAYS = 3653
FIRST = date(2016, 1, 1)
WEEK_STENCIL = [[-6, 1]]
LIST_SAMPLES = 20
TARGET_IDLE_CHECK_SECONDS = 1.0
DATES = 20
REPEATS = 3
SLOTS = 2
TARGET_RATIO = 1.1


def progress(message: str) -> None:
    print(f"... {message}", file=sys.stderr, flush=True)


def days(first: date, count: int) -> list[str]:
    return [(first + timedelta(days=n)).isoformat() for n in range(count)]


def timed_api(client: Client, method: str, route: str, body: Any = None) -> tuple[float, Any]:
    began = time.perf_counter()
    answer = client.api(method, route, body)
    return time.perf_counter() - began, answer


def data_schedule(client: Client, **trigger: Any) -> int:
    body = {
        "notebook": "dated.ipynb",
        "trigger": {"kind": "new_data", "event_types": ["calls"], "expression": "0 0 1 1 *"}
        | trigger,
    }
    return int(client.api("POST", "schedules", body)["id"])


def list_times(client: Client) -> list[float]:
    return [timed_api(client, "GET", "schedules")[0] for _ in range(LIST_SAMPLES)]


def long_history(client: Client, standin: StandIn) -> list[str]:
    history = days(FIRST, YEARS_OF_DAYS)
    standin.state.set_dates({"calls": history})
    before = list_times(client)
    schedule_id = data_schedule(client, stencil=WEEK_STENCIL, max_runs_per_check=1)
    client.api("POST", f"schedules/{schedule_id}/pause")
    first, result = timed_api(client, "POST", f"schedules/{schedule_id}/check")
    assert result["check"]["status"] == "ok", result
    idle, _ = timed_api(client, "POST", f"schedules/{schedule_id}/check")
    standin.state.add_dates((FIRST + timedelta(days=YEARS_OF_DAYS)).isoformat())
    one_new, _ = timed_api(client, "POST", f"schedules/{schedule_id}/check")
    after = list_times(client)
    counted = client.api("GET", f"schedules/{schedule_id}")["dates"]["pending"]
    passed = idle <= TARGET_IDLE_CHECK_SECONDS
    return [
        f"1. A long history: {YEARS_OF_DAYS:,} days of data, stencil {WEEK_STENCIL}, "
        f"{counted:,} reference dates recorded",
        f"   first check (every date new)      {show(first)}",
        f"   check with nothing new            {show(idle)}   target <= "
        f"{show(TARGET_IDLE_CHECK_SECONDS)}: {verdict(passed)}",
        f"   check with one new day            {show(one_new)}",
        f"   GET schedules before the schedule {spread(before)}",
        f"   GET schedules with its dates      {spread(after)}",
    ]


def runs_from_checks(client: Client, standin: StandIn) -> list[str]:
    checks, plains = [], []
    base = FIRST + timedelta(days=YEARS_OF_DAYS + 10)
    for repeat in range(REPEATS):
        progress(f"round {repeat + 1} of {REPEATS}: {DATES} runs by a check, {DATES} posted")
        batch = days(base + timedelta(days=repeat * DATES), DATES)
        standin.state.set_dates({"calls": batch})
        schedule_id = data_schedule(client, earliest_date=batch[0], max_runs_per_check=DATES)
        began = time.perf_counter()
        result = client.api("POST", f"schedules/{schedule_id}/check")
        assert len(result["started"]) == DATES, result
        dates = client.api("GET", f"schedules/{schedule_id}/dates")["dates"]
        finals = wait_all_final(client, {d["run_id"] for d in dates})
        checks.append(time.perf_counter() - began)
        assert {run["status"] for run in finals.values()} == {"succeeded"}, finals

        began = time.perf_counter()
        posted = [
            client.api(
                "POST", "runs", {"notebook": "dated.ipynb", "parameters": {"reference_date": day}}
            )
            for day in batch
        ]
        wait_all_final(client, {run["id"] for run in posted})
        plains.append(time.perf_counter() - began)
    ratio = statistics.median(checks) / statistics.median(plains)
    return [
        f"2. Runs started by a check: {DATES} dates of a one-cell notebook, {SLOTS} slots",
        f"   by one check     {spread(checks)}   ({listing(checks)})",
        f"   POSTed at once   {spread(plains)}   ({listing(plains)})",
        f"   check / plain    {ratio:.2f}   target <= {TARGET_RATIO}: "
        f"{verdict(ratio <= TARGET_RATIO)}",
    ]


def run_benchmarks(work: Path) -> list[str]:
    root = work / "root"
    write_notebook(
        root / "dated.ipynb",
        code_cell('reference_date = "2016-01-01"', "parameters"),
        code_cell("reference_date"),
    )
    with StandIn() as standin:
        os.environ["FLOWAPI_TOKEN"] = standin.token()
        with jupyter_server(
            "data-trigger",
            root,
            work / "home",
            f"--AutoflowApp.flowapi_url={standin.url}",
            f"--AutoflowApp.max_concurrent_runs={SLOTS}",
        ) as server:
            progress("a long history of FlowAPI dates")
            lines = long_history(server.client, standin)
            lines.append("")
            lines += runs_from_checks(server.client, standin)
    return lines


if __name__ == "__main__":
    sys.exit(run_benchmark("AutoFlow Lab: the FlowAPI data trigger", run_benchmarks))
