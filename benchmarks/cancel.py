"""Cancelling a running run, and how far a run overshoots its wall-clock timeout.

Measurement 5 of ``run_engine.py``: both stop a kernel in the middle of a cell,
one at a user's request, the other at the run's time limit.
"""

from __future__ import annotations

import json
import time
from dataclasses import dataclass, field
from datetime import datetime, timezone
from typing import Any

from report import listing, show, spread, verdict
from runs import (
    POLL_INTERVAL,
    SLEEP_NOTEBOOK,
    SLEEPING_CELL,
    is_final,
    parse_time,
    poll_run,
    process_lines,
    seconds_between,
    worker_processes,
)
from servers import API, ApiError, Server, command_line

CANCEL_RUNS = 5
RUN_TIMEOUT = 3.0

TARGET_CANCEL_SECONDS = 2.0


@dataclass
class CancelResult:
    to_sleeping_cell: list[float]  # POST runs -> the sleeping cell seen executing
    latency: list[float]  # before POST cancel -> GET shows cancelled
    to_finished_at: list[float]  # before POST cancel -> the server's finished_at (one clock)
    errors: list[str]
    timeout_error: str = ""
    timeout_status: str = ""
    timeout_observed: float = 0.0  # POST runs -> final seen
    timeout_executing: float = 0.0  # started_at -> finished_at, the server's timestamps
    kernels_left: list[tuple[int, float, str]] = field(default_factory=list)

    @property
    def overshoot(self) -> float:
        return self.timeout_executing - RUN_TIMEOUT


def at_sleeping_cell(run: dict[str, Any]) -> bool:
    return (run.get("progress") or {}).get("current_cell") == SLEEPING_CELL


def describe_error(run: dict[str, Any]) -> str:
    error = run.get("error") or {}
    return f"{error.get('ename')}: {error.get('evalue')}"


def measure_cancel(server: Server) -> CancelResult:
    client = server.client
    body = {"notebook": SLEEP_NOTEBOOK}
    result = CancelResult(to_sleeping_cell=[], latency=[], to_finished_at=[], errors=[])
    for _ in range(CANCEL_RUNS):
        began = time.perf_counter()
        run = poll_run(client, client.api("POST", "runs", body), at_sleeping_cell, began)
        result.to_sleeping_cell.append(time.perf_counter() - began)

        requested_at = datetime.now(timezone.utc)
        began = time.perf_counter()
        status, answer = client.request("POST", f"{API}runs/{run['id']}/cancel")
        if status != 202:
            raise ApiError(f"POST runs/{run['id']}/cancel: {status} {answer[:300]!r}")
        run = poll_run(client, json.loads(answer), is_cancelled, began, limit=60)
        result.latency.append(time.perf_counter() - began)
        finished_at = parse_time(run["finished_at"])
        if finished_at is not None:
            result.to_finished_at.append((finished_at - requested_at).total_seconds())
        result.errors.append(describe_error(run))

    began = time.perf_counter()
    timed_body = {**body, "timeout": RUN_TIMEOUT}
    run = poll_run(client, client.api("POST", "runs", timed_body), is_final, began, limit=60)
    result.timeout_observed = time.perf_counter() - began
    result.timeout_status = run["status"]
    result.timeout_error = describe_error(run)
    executing = seconds_between(run, "started_at", "finished_at")
    if executing is None:
        raise RuntimeError(f"run {run['id']} has no started_at/finished_at: {run}")
    result.timeout_executing = executing
    time.sleep(0.5)  # a killed kernel has gone by now, or never will
    result.kernels_left = [
        process
        for process in worker_processes(server)
        if "ipykernel" in command_line(process[0], width=4096)
    ]
    return result


def is_cancelled(run: dict[str, Any]) -> bool:
    return bool(run["status"] == "cancelled")


def report_cancel(result: CancelResult) -> list[str]:
    worst = max(result.latency)
    lines = [
        "5. Cancel a running run (notebook: `import time`, `time.sleep(600)`),"
        " on the server of measurement 1",
        f"   {CANCEL_RUNS} runs one after another; each: POST runs, GET runs/<id> until its"
        f" progress shows current_cell == {SLEEPING_CELL}",
        "   (the sleep executing), then from just before POST runs/<id>/cancel until"
        f" GET runs/<id> shows cancelled ({POLL_INTERVAL * 1000:.0f} ms polls)",
        f"   POST runs -> sleeping cell executing   {spread(result.to_sleeping_cell)}",
        f"   cancel -> cancelled seen               {spread(result.latency)}",
        f"     samples: {listing(result.latency)}",
    ]
    if result.to_finished_at:
        lines.append(
            "     just before POST cancel -> the run's finished_at (the server's timestamp,"
            f" same clock)   {spread(result.to_finished_at)}"
        )
    outcomes = sorted(set(result.errors))
    lines += [
        f"     run errors recorded: {'; '.join(outcomes)}",
        f"   target <= {TARGET_CANCEL_SECONDS:g} s for every run: max {show(worst)}"
        f"   {verdict(worst <= TARGET_CANCEL_SECONDS)}",
        f"   wall-clock timeout: one run of the same notebook with timeout {RUN_TIMEOUT:g} s",
        f"     ended {result.timeout_status} ({result.timeout_error})",
        f"     started_at -> finished_at (server timestamps)   {show(result.timeout_executing)}"
        f"   overshoot {show(result.overshoot)} (informational)",
        f"     POST runs -> final seen (client)                 {show(result.timeout_observed)}",
        "   kernel processes left below the server afterwards (at most one per worker expected:"
        f" its spare kernel, started for the next run): {len(result.kernels_left)}",
    ]
    if result.kernels_left:
        lines += process_lines(result.kernels_left, "")
    return lines
