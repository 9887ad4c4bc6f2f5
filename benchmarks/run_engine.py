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

import json
import math
import os
import re
import shutil
import signal
import statistics
import sys
import tempfile
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import datetime, timezone
from functools import partial
from pathlib import Path
from typing import Any

import nbformat

# Modules beside this script: found because Python puts the script's folder on the path.
from history import build_run_history
from report import listing, load_average, machine_facts, show, spread, verdict
from servers import (
    API,
    ApiError,
    Client,
    Server,
    command_line,
    descendants,
    isolated_environment,
    jupyter_server,
    maps_file,
    memory_mib,
)

NOTEBOOK = "one_cell.ipynb"
SLEEP_NOTEBOOK = "sleep.ipynb"
SLEEPING_CELL = 1  # index of `time.sleep(600)`; no parameters, so papermill injects no cell
PARAMETERS_NOTEBOOK = "with_parameters.ipynb"
FINAL = {"succeeded", "failed", "cancelled"}

LATENCY_RUNS = 10
POLL_INTERVAL = 0.010
BURST_RUNS = 20
HISTORY_RUNS = 100_000
DEEP_OFFSET = 50_000
PAGE_SAMPLES = 50
IDLE_SETTLE = 2.0
CANCEL_RUNS = 5
RUN_TIMEOUT = 3.0

TARGET_LATENCY_RATIO = 1.2
TARGET_PAGE_SECONDS = 0.020
TARGET_CANCEL_SECONDS = 2.0


# --- shared helpers ----------------------------------------------------------------------------


def code_cell(source: str, *tags: str) -> nbformat.NotebookNode:
    cell = nbformat.v4.new_code_cell(source)
    if tags:
        cell.metadata["tags"] = list(tags)
    return cell


def write_notebook(path: Path, *cells: nbformat.NotebookNode) -> Path:
    notebook = nbformat.v4.new_notebook()
    notebook.metadata["kernelspec"] = {
        "name": "python3",
        "display_name": "Python 3",
        "language": "python",
    }
    notebook.cells.extend(cells)
    path.parent.mkdir(parents=True, exist_ok=True)
    nbformat.write(notebook, path)
    return path


def timed(action: Callable[[], Any]) -> float:
    began = time.perf_counter()
    action()
    return time.perf_counter() - began


def parse_time(text: str | None) -> datetime | None:
    return None if text is None else datetime.fromisoformat(text.replace("Z", "+00:00"))


def seconds_between(run: dict[str, Any], start: str, end: str) -> float | None:
    began, ended = parse_time(run.get(start)), parse_time(run.get(end))
    return None if began is None or ended is None else (ended - began).total_seconds()


def poll_run(
    client: Client,
    run: dict[str, Any],
    until: Callable[[dict[str, Any]], bool],
    began: float,
    limit: float = 120,
) -> dict[str, Any]:
    """GET runs/<id> every POLL_INTERVAL, on a grid from ``began``, until ``until(run)``.

    A run that ends without meeting ``until`` is an error, as is one still going
    ``limit`` seconds after ``began``.
    """
    deadline = began + limit
    while not until(run):
        if run["status"] in FINAL:
            raise RuntimeError(f"run {run['id']} ended {run['status']}: {run.get('error')}")
        if time.perf_counter() > deadline:
            raise RuntimeError(f"run {run['id']} still {run['status']} after {limit:g} s")
        time.sleep(max(0.0, POLL_INTERVAL - (time.perf_counter() - began) % POLL_INTERVAL))
        run = client.api("GET", f"runs/{run['id']}")
    return run


def is_final(run: dict[str, Any]) -> bool:
    return run["status"] in FINAL


def run_to_final(client: Client, body: dict[str, Any]) -> tuple[float, dict[str, Any]]:
    """POST a run and poll it every POLL_INTERVAL until final; seconds from before the POST."""
    began = time.perf_counter()
    run = poll_run(client, client.api("POST", "runs", body), is_final, began)
    elapsed = time.perf_counter() - began
    if run["status"] != "succeeded":
        raise RuntimeError(f"run {run['id']} ended {run['status']}: {run.get('error')}")
    return elapsed, run


def wait_all_final(client: Client, ids: set[int]) -> dict[int, dict[str, Any]]:
    """Poll the runs list until every run in ``ids`` is final; their last records."""
    deadline = time.monotonic() + 600
    while time.monotonic() < deadline:
        page = client.api("GET", "runs?limit=500")
        seen = {run["id"]: run for run in page["runs"] if run["id"] in ids}
        if len(seen) == len(ids) and all(run["status"] in FINAL for run in seen.values()):
            return seen
        time.sleep(0.02)
    raise RuntimeError(f"runs {sorted(ids)} not all final after 600 s")


def concurrency_of(server: Server) -> tuple[int, str]:
    """The server's max_concurrent_runs as its start-up line states it, else the default."""
    found = re.search(r"AutoFlow Lab: .*?(\d+) concurrent runs", server.log_text())
    if found:
        return int(found.group(1)), "from the server's start-up log"
    return os.cpu_count() or 1, "assumed: the documented default, the CPU count"


def process_lines(processes: list[tuple[int, float, str]], empty: str) -> list[str]:
    if not processes:
        return [f"     {empty}"]
    return [f"     pid {pid:>7}  RSS {rss:7.1f} MiB  {cmd}" for pid, rss, cmd in processes]


def worker_processes(server: Server) -> list[tuple[int, float, str]]:
    """(pid, VmRSS MiB, command) of each process below the server."""
    found = []
    for pid in descendants(server.pid):
        try:
            found.append((pid, memory_mib(pid, "VmRSS"), command_line(pid)))
        except (OSError, KeyError):
            continue
    return found


# --- 1. trigger -> succeeded latency -----------------------------------------------------------


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
        "   processes below the server after these runs (run workers; kernels exit per run):",
    ]
    lines += process_lines(result.workers, "none")
    total = sum(rss for _, rss, _ in result.workers)
    lines.append(f"     total RSS {total:.1f} MiB")
    return lines


# --- 2. a burst of runs ------------------------------------------------------------------------


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


# --- 3. the runs list over a long history ------------------------------------------------------


@dataclass
class PageResult:
    insert_seconds: float
    deep_cursor: str
    deep_first_id: int
    cursor_walk_seconds: float
    first_round_trip: list[float]
    deep_round_trip: list[float]
    first_server: list[float]
    deep_server: list[float]
    first_store: list[float] = field(default_factory=list)
    deep_store: list[float] = field(default_factory=list)


def deep_cursor(client: Client, depth: int) -> tuple[str, float]:
    """The cursor of the page ``depth`` runs deep, found by walking next_cursor pages."""
    began = time.perf_counter()
    cursor: str | None = None
    walked = 0
    while walked < depth:
        route = "runs?limit=500" + ("" if cursor is None else f"&cursor={cursor}")
        page = client.api("GET", route)
        walked += len(page["runs"])
        cursor = page["next_cursor"]
        if cursor is None:
            raise RuntimeError(f"the history ended after {walked} runs")
    assert cursor is not None
    return cursor, time.perf_counter() - began


def log_barrier(server: Server) -> int:
    """The length of the server's log once every request made so far has its line there.

    Jupyter writes a request's access-log line as it finishes the response, so
    the client may read the answer first; lines come in order, so waiting for
    a marker request's line waits for all earlier ones.
    """
    marker = f"/api/status?barrier={time.monotonic_ns()}"
    server.client.request("GET", marker)
    deadline = time.monotonic() + 10
    while marker.encode() not in (log := server.log.read_bytes()):
        if time.monotonic() > deadline:
            raise RuntimeError("the server's access log has no DEBUG request lines")
        time.sleep(0.05)
    return len(log)


def request_times(server: Server, start: int, end: int, uri: str) -> list[float]:
    """Seconds the server spent on each request to ``uri``, from its DEBUG access log."""
    pattern = re.compile(rf" 200 GET {re.escape(uri)} \([^)]*\) ([\d.]+)ms\s*$", re.MULTILINE)
    text = server.log.read_bytes()[start:end].decode(errors="replace")
    return [float(ms) / 1000 for ms in pattern.findall(text)]


def measure_pages(server: Server, insert_seconds: float) -> PageResult:
    first_uri = f"{API}runs?limit=50"
    cursor, walk_seconds = deep_cursor(server.client, DEEP_OFFSET)
    deep_uri = f"{first_uri}&cursor={cursor}"
    deep_page = server.client.api("GET", deep_uri[len(API) :])
    if len(deep_page["runs"]) != 50:
        raise RuntimeError(f"deep page has {len(deep_page['runs'])} runs, expected 50")

    uris = (first_uri, deep_uri)
    for uri in uris * 5:  # warm-up
        server.client.request("GET", uri)
    start = log_barrier(server)
    round_trips: dict[str, list[float]] = {uri: [] for uri in uris}
    for uri in uris * PAGE_SAMPLES:  # alternating, so both meet the same conditions
        began = time.perf_counter()
        status, _ = server.client.request("GET", uri)
        round_trips[uri].append(time.perf_counter() - began)
        if status != 200:
            raise ApiError(f"GET {uri}: {status}")
    end = log_barrier(server)
    first_server, deep_server = (request_times(server, start, end, uri) for uri in uris)
    first_round_trip, deep_round_trip = round_trips[first_uri], round_trips[deep_uri]
    return PageResult(
        insert_seconds,
        cursor,
        deep_page["runs"][0]["id"],
        walk_seconds,
        first_round_trip,
        deep_round_trip,
        first_server,
        deep_server,
    )


def measure_store_pages(url: str, result: PageResult) -> None:
    """``RunStore.page`` called in this process on the same database: the query and models."""
    from autoflow_lab.store import RunStore, open_database

    engine = open_database(url)
    store = RunStore(engine)
    for index in range(PAGE_SAMPLES + 5):  # alternating, after 5 warm-up each
        first = timed(partial(store.page, 50, None))
        deep = timed(partial(store.page, 50, result.deep_cursor))
        if index >= 5:
            result.first_store.append(first)
            result.deep_store.append(deep)
    engine.dispose()


def report_pages(result: PageResult) -> list[str]:
    lines = [
        f"3. GET runs?limit=50 with {HISTORY_RUNS:,} runs in the store",
        f"   {HISTORY_RUNS:,} finished runs inserted (migrations + SQLAlchemy Core batches)"
        f" in {show(result.insert_seconds)}",
        f"   deep page cursor: {DEEP_OFFSET:,} runs deep, found by walking next_cursor"
        f" (limit=500) in {show(result.cursor_walk_seconds)}; its first run id is"
        f" {result.deep_first_id}",
        "   server at --ServerApp.log_level=DEBUG (for its access log); median of"
        f" {PAGE_SAMPLES} requests each,",
        "   first and deep alternating, after 5 warm-up each",
    ]
    for label, round_trip, server_side, store in (
        ("first page", result.first_round_trip, result.first_server, result.first_store),
        ("deep page ", result.deep_round_trip, result.deep_server, result.deep_store),
    ):
        lines.append(f"   {label}  client round trip (keep-alive)  {spread(round_trip)}")
        if server_side:
            lines.append(f"               server request time (log)    {spread(server_side)}")
        if store:
            lines.append(f"               RunStore.page in-process     {spread(store)}")
        measured = statistics.median(server_side or round_trip)
        basis = "server request time" if server_side else "client round trip (upper bound)"
        lines.append(
            f"               target <= {TARGET_PAGE_SECONDS * 1000:.0f} ms server-side:"
            f" {show(measured)} ({basis})   {verdict(measured <= TARGET_PAGE_SECONDS)}"
        )
    return lines


# --- 4. server memory --------------------------------------------------------------------------

HEAVY_PACKAGES = ("numpy", "pyarrow")  # what papermill pulls in


@dataclass
class ServerMemory:
    hwm: float
    rss: float
    children: list[tuple[int, float, str]]
    loaded: list[str]  # those of HEAVY_PACKAGES the server process has imported


@dataclass
class IdleMemory:
    version_status: int
    runs_status: int
    idle: ServerMemory
    after_run: ServerMemory | None = None


def server_memory(server: Server) -> ServerMemory:
    """The server process's memory after IDLE_SETTLE seconds of quiet."""
    time.sleep(IDLE_SETTLE)
    return ServerMemory(
        memory_mib(server.pid, "VmHWM"),
        memory_mib(server.pid, "VmRSS"),
        worker_processes(server),
        [name for name in HEAVY_PACKAGES if maps_file(server.pid, f"/{name}/")],
    )


def measure_idle_memory(server: Server, first_run: str | None = None) -> IdleMemory:
    """Idle figures, then with ``first_run`` those after one run of that notebook."""
    version_status, _ = server.client.request("GET", f"{API}version")
    runs_status, _ = server.client.request("GET", f"{API}runs")
    memory = IdleMemory(version_status, runs_status, server_memory(server))
    if first_run is not None:
        run_to_final(server.client, {"notebook": first_run, "parameters": {"day": 2}})
        memory.after_run = server_memory(server)
    return memory


def report_memory(enabled: IdleMemory, disabled: IdleMemory) -> list[str]:
    def figures(memory: ServerMemory) -> str:
        loaded = ", ".join(memory.loaded) or "neither"
        return (
            f"VmHWM {memory.hwm:7.1f} MiB   VmRSS {memory.rss:7.1f} MiB"
            f"   {'/'.join(HEAVY_PACKAGES)} imported: {loaded}"
        )

    lines = [
        "4. Resident memory of a jupyter server (the server process alone)",
        f"   idle: after GET version and GET runs, then {IDLE_SETTLE:.0f} s idle",
    ]
    for label, memory in (("extension enabled ", enabled), ("extension disabled", disabled)):
        lines.append(
            f"   {label}  {figures(memory.idle)}"
            f"   (GET version -> {memory.version_status}, GET runs -> {memory.runs_status})"
        )
    lines.append(
        f"   difference          VmHWM {enabled.idle.hwm - disabled.idle.hwm:+7.1f} MiB"
        f"   VmRSS {enabled.idle.rss - disabled.idle.rss:+7.1f} MiB"
    )
    after = enabled.after_run
    if after is not None:
        lines += [
            f"   after the first run, on the enabled server: {PARAMETERS_NOTEBOOK} with day=2;",
            "   it has a cell tagged `parameters`, so submitting it makes the server import",
            "   papermill to read the declared parameters (a notebook without one would not);",
            f"   then {IDLE_SETTLE:.0f} s idle",
            f"   extension enabled   {figures(after)}",
            f"   growth over idle    VmHWM {after.hwm - enabled.idle.hwm:+7.1f} MiB"
            f"   VmRSS {after.rss - enabled.idle.rss:+7.1f} MiB",
        ]
    lines.append("   processes below the idle servers:")
    lines += process_lines(
        enabled.idle.children + disabled.idle.children,
        "none (run workers start with the first run)",
    )
    if after is not None:
        lines.append("   processes below the enabled server after its first run:")
        lines += process_lines(after.children, "none")
    lines.append("   run workers' memory after more runs: see measurement 1")
    return lines


# --- 5. cancelling a running run ---------------------------------------------------------------


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
        f"   kernel processes left below the server afterwards: {len(result.kernels_left)}",
    ]
    if result.kernels_left:
        lines += process_lines(result.kernels_left, "")
    return lines


# --- the report --------------------------------------------------------------------------------


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


def _interrupt(signum: int, _frame: Any) -> None:
    raise KeyboardInterrupt(f"signal {signum}")


def main() -> int:
    signal.signal(signal.SIGTERM, _interrupt)  # clean up as on Ctrl-C
    began = time.perf_counter()
    load_at_start = load_average()
    work = Path(tempfile.mkdtemp(prefix="autoflow-bench-"))
    try:
        lines = run_benchmarks(work)
    except KeyboardInterrupt:
        print("interrupted; servers stopped", file=sys.stderr)
        return 130
    finally:
        shutil.rmtree(work, ignore_errors=True)
    title = "AutoFlow Lab run-engine benchmark"
    print("\n".join([title, "=" * len(title), *machine_facts(load_at_start), "", *lines, ""]))
    print(f"Total benchmark time {show(time.perf_counter() - began)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
