"""How late a schedule's runs start after their fire times.

Measurement 1 of ``scheduling.py``: a one-second interval schedule on a server
with a free worker, read back from the server's own records of its runs.
"""

from __future__ import annotations

import statistics
import time
from dataclasses import dataclass
from typing import Any

from report import listing, show, verdict
from runs import FINAL, NOTEBOOK, parse_time, seconds_between, wait_all_final
from servers import Server

FIRES = 30
INTERVAL_SECONDS = 1
# Slots enough that a fire finds one free even when a loaded machine stretches a run
# past a few seconds: the lateness measured is the clock's, not the queue's.
CONCURRENCY = 4
TARGET_LATENESS_SECONDS = 0.25
READ_EVERY = 0.5  # seconds between reads of the schedule's runs: light, so the clock is undisturbed


def percentile(samples: list[float], percent: float) -> float:
    """Linear interpolation between the closest ranks (numpy's default)."""
    ordered = sorted(samples)
    rank = (len(ordered) - 1) * percent / 100
    low = int(rank)
    high = min(low + 1, len(ordered) - 1)
    return ordered[low] + (ordered[high] - ordered[low]) * (rank - low)


def figures(samples: list[float]) -> str:
    return (
        f"median {show(statistics.median(samples))}   p95 {show(percentile(samples, 95))}"
        f"   max {show(max(samples))}"
    )


@dataclass
class FireResult:
    started: list[float]  # scheduled_for -> started_at, one per fire in fire order
    busy: list[int]  # runs executing at each fire time (slots taken)
    recorded: list[float]  # scheduled_for -> created_at
    executing: list[float]  # started_at -> finished_at
    statuses: dict[str, int]
    missed: int  # fire times within the measured span that have no run
    warm_up: int

    @property
    def p95(self) -> float:
        return percentile(self.started, 95)

    @property
    def with_free_slot(self) -> list[float]:
        """Scheduled -> started of the fires that found a slot free."""
        return [
            late for late, busy in zip(self.started, self.busy, strict=True) if busy < CONCURRENCY
        ]


def measure_fires(server: Server) -> FireResult:
    """Warm every worker, then let one interval schedule fire FIRES times.

    The schedule is paused once FIRES of its runs have started, then deleted
    once all of its runs have ended; its runs stay in the history.
    """
    client = server.client
    warm_up = {client.api("POST", "runs", {"notebook": NOTEBOOK})["id"] for _ in range(CONCURRENCY)}
    wait_all_final(client, warm_up)
    schedule = client.api(
        "POST",
        "schedules",
        {
            "notebook": NOTEBOOK,
            "name": "every-second",
            "trigger": {"kind": "interval", "seconds": INTERVAL_SECONDS, "start": None},
            "overlap": "queue",
        },
    )
    try:
        deadline = time.monotonic() + FIRES * INTERVAL_SECONDS + 120
        while len([run for run in _runs_of(server, schedule) if run["started_at"]]) < FIRES:
            if time.monotonic() > deadline:
                raise RuntimeError(f"fewer than {FIRES} scheduled runs started in time")
            time.sleep(READ_EVERY)
    finally:
        client.api("POST", f"schedules/{schedule['id']}/pause")
    deadline = time.monotonic() + 120
    runs = _runs_of(server, schedule)
    while not all(run["status"] in FINAL for run in runs):
        if time.monotonic() > deadline:
            raise RuntimeError("the scheduled runs did not all end within 120 s")
        time.sleep(READ_EVERY)
        runs = _runs_of(server, schedule)
    client.api("DELETE", f"schedules/{schedule['id']}")

    ordered = sorted(runs, key=lambda run: run["trigger"]["scheduled_for"])[:FIRES]
    statuses: dict[str, int] = {}
    for run in ordered:
        statuses[run["status"]] = statuses.get(run["status"], 0) + 1
    fire_times = [parse_time(run["trigger"]["scheduled_for"]) for run in ordered]
    span = (fire_times[-1] - fire_times[0]).total_seconds()  # type: ignore[operator]
    return FireResult(
        started=[_since_fire(run, "started_at") for run in ordered],
        busy=[_executing_at(runs, run["trigger"]["scheduled_for"]) for run in ordered],
        recorded=[_since_fire(run, "created_at") for run in ordered],
        executing=[
            seconds
            for run in ordered
            if (seconds := seconds_between(run, "started_at", "finished_at")) is not None
        ],
        statuses=statuses,
        missed=round(span / INTERVAL_SECONDS) + 1 - len(ordered),
        warm_up=len(warm_up),
    )


def _runs_of(server: Server, schedule: dict[str, Any]) -> list[dict[str, Any]]:
    runs: list[dict[str, Any]] = server.client.api(
        "GET", f"runs?schedule={schedule['id']}&limit=500"
    )["runs"]
    return runs


def _executing_at(runs: list[dict[str, Any]], when: str) -> int:
    """How many of ``runs`` had started and not finished at ``when``, by their records."""
    moment = parse_time(when)
    assert moment is not None
    count = 0
    for run in runs:
        started, finished = parse_time(run["started_at"]), parse_time(run["finished_at"])
        if started is not None and started <= moment and (finished is None or moment < finished):
            count += 1
    return count


def _since_fire(run: dict[str, Any], field_name: str) -> float:
    fired, then = parse_time(run["trigger"]["scheduled_for"]), parse_time(run[field_name])
    assert fired is not None
    assert then is not None
    return (then - fired).total_seconds()


def _by_slot(result: FireResult) -> list[str]:
    free = result.with_free_slot
    full = [
        late for late, busy in zip(result.started, result.busy, strict=True) if busy >= CONCURRENCY
    ]
    lines = []
    if free and full:
        lines.append(f"   the {len(free)} fires that found a slot free:   {figures(free)}")
    if full:
        lines.append(
            f"   the {len(full)} fires that found every slot busy (queued behind earlier runs):"
            f"   {figures(full)}"
        )
    return lines


def report_fires(result: FireResult) -> list[str]:
    outcome = ", ".join(f"{count} {status}" for status, count in sorted(result.statuses.items()))
    return [
        f"1. Fire lateness: a {INTERVAL_SECONDS}-second interval schedule (overlap queue),"
        f" one-cell notebook, {FIRES} fires",
        f"   max_concurrent_runs = {CONCURRENCY}; warm-up first: {result.warm_up} runs at once"
        " (one per worker), not counted",
        "   from the server's records of each run (trigger.scheduled_for, created_at, started_at):",
        f"   scheduled -> run recorded (created_at)   {figures(result.recorded)}",
        f"     samples: {listing(result.recorded)}",
        f"   scheduled -> run started  (started_at)   {figures(result.started)}",
        f"     samples: {listing(result.started)}",
        f"   runs executing at each fire time (of {CONCURRENCY} slots):"
        f" {' '.join(str(busy) for busy in result.busy)}",
        *_by_slot(result),
        f"   p95 scheduled -> started: {show(result.p95)}   target <="
        f" {show(TARGET_LATENESS_SECONDS)}   {verdict(result.p95 <= TARGET_LATENESS_SECONDS)}",
        f"   each run, started -> finished   median {show(statistics.median(result.executing))},"
        f" max {show(max(result.executing))}"
        f"   ({outcome}; fires without a run: {result.missed})",
    ]
