"""``GET runs?limit=50`` over a long run history, first page and a deep one.

Measurement 3 of ``run_engine.py``: the server's own request time comes from
its DEBUG access log, so the figure leaves out the client's side of HTTP.
"""

from __future__ import annotations

import re
import statistics
import time
from dataclasses import dataclass, field
from functools import partial

from report import show, spread, verdict
from runs import timed
from servers import API, ApiError, Client, Server

HISTORY_RUNS = 100_000
DEEP_OFFSET = 50_000
PAGE_SAMPLES = 50

TARGET_PAGE_SECONDS = 0.020
# Searches of the sidebar: an error text in one run of 13, and a text in no run,
# which reads the whole history (the worst case).
SEARCHES = ("no data", "in no run at all")


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
    # Text search (``q``), first page: per searched text, in-process times.
    search_store: dict[str, list[float]] = field(default_factory=dict)


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
        searches = {text: timed(partial(store.page, 50, None, text=text)) for text in SEARCHES}
        if index >= 5:
            result.first_store.append(first)
            result.deep_store.append(deep)
            for text, seconds in searches.items():
                result.search_store.setdefault(text, []).append(seconds)
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
    for text, times in result.search_store.items():
        lines.append(f"   search q={text!r:20} RunStore.page in-process  {spread(times)}")
    return lines
