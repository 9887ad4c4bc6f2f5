"""What 1,000 defined schedules cost a server: start-up time and idle CPU.

Measurement 2 of ``scheduling.py``. The schedules go straight into the
database with the project's own ``ScheduleStore`` before any server starts,
each a daily cron that does not fire while it is measured.
"""

from __future__ import annotations

import asyncio
import json
import os
import socket
import statistics
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager, suppress
from dataclasses import dataclass, field
from datetime import datetime, timedelta, timezone
from pathlib import Path

from report import listing, show
from servers import TOKEN, Client, Server, descendants, isolated_environment

from autoflow_lab.models import ScheduleCreate
from autoflow_lab.scheduling import Clock, describe_trigger, next_fire_times, trigger_of
from autoflow_lab.services.schedules import PREVIEW_FIRES
from autoflow_lab.store import ScheduleStore, open_database

SCHEDULES = 1_000
STARTS = 3  # of each kind, alternating
IDLE_SECONDS = 60.0
IDLE_SETTLE = 5.0  # after start-up, before the idle window opens
POLL_INTERVAL = 0.010
CRON = {"kind": "cron", "expression": "0 6 * * *", "timezone": "UTC"}
FIRE_HOUR_UTC = 6
# The cron must not fire while measured: this long around 06:00 UTC, refuse to start.
FIRE_MARGIN = timedelta(minutes=10)


def database_url(root: Path) -> str:
    """The server's default database for ``root``, as it would find it."""
    return f"sqlite:///{root / 'autoflow-runs' / '.autoflow.sqlite'}"


def check_no_fire_due(now: datetime, within: timedelta) -> None:
    """Refuse to measure when the daily cron would fire during the measurement."""
    fire = now.replace(hour=FIRE_HOUR_UTC, minute=0, second=0, microsecond=0)
    if fire < now - within:
        fire += timedelta(days=1)
    if abs(fire - now) < within:
        raise RuntimeError(
            f"the schedules' daily cron fires at {fire:%H:%M} UTC, within {within} of now;"
            " run the benchmark again later"
        )


def define_schedules(root: Path, notebook: str, count: int) -> float:
    """Create ``count`` schedules in ``root``'s default database (migrated); seconds taken."""
    began = time.perf_counter()
    engine = open_database(database_url(root))
    store = ScheduleStore(engine)
    now = datetime.now(timezone.utc)
    for index in range(count):
        settings = ScheduleCreate.model_validate(
            {"name": f"daily-{index:04d}", "notebook": notebook, "trigger": CRON}
        )
        store.create(settings, now)
    engine.dispose()
    return time.perf_counter() - began


# --- start-up ----------------------------------------------------------------------------------


@contextmanager
def started_server(
    name: str, root: Path, home: Path, expected: int
) -> Iterator[tuple[Server, float]]:
    """A ``jupyter server`` over ``root``, and seconds from its spawn until ``GET schedules``
    answers with ``expected`` schedules (polled every POLL_INTERVAL from the spawn).

    Spawned as ``servers.jupyter_server`` does it, but polled finely from the
    first instant, and stopped the same way on exit.
    """
    env = isolated_environment(home)
    port = _free_port()
    log = home / f"{name}.log"
    with log.open("wb") as output:
        began = time.perf_counter()
        process = subprocess.Popen(
            [
                sys.executable, "-m", "jupyter", "server", "--no-browser",
                f"--ServerApp.port={port}", "--ServerApp.port_retries=0",
                f"--IdentityProvider.token={TOKEN}", f"--ServerApp.root_dir={root}",
                "--ServerApp.allow_root=True",
            ],
            env=env, stdout=output, stderr=subprocess.STDOUT, start_new_session=True,
        )  # fmt: skip
    server = Server(name, process, Client(port), log)
    try:
        seconds = _until_schedules(server, expected, began)
        yield server, seconds
    except Exception:
        tail = "\n".join(server.log_text().splitlines()[-40:])
        print(f"--- the last lines of the {name} server's log ---\n{tail}", file=sys.stderr)
        raise
    finally:
        server.stop()


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def _until_schedules(server: Server, expected: int, began: float) -> float:
    deadline = began + 120
    while time.perf_counter() < deadline:
        if server.process.poll() is not None:
            raise RuntimeError(f"{server.name}: jupyter server exited early")
        with suppress(OSError):
            status, body = server.client.request("GET", "/autoflow/api/schedules")
            if status == 200 and len(json.loads(body)["schedules"]) == expected:
                return time.perf_counter() - began
        time.sleep(max(0.0, POLL_INTERVAL - (time.perf_counter() - began) % POLL_INTERVAL))
    raise RuntimeError(f"{server.name}: GET schedules did not list {expected} in 120 s")


# --- idle CPU ----------------------------------------------------------------------------------


def cpu_seconds(pid: int) -> float:
    """User + system CPU time of ``pid`` itself, from /proc/<pid>/stat."""
    with open(f"/proc/{pid}/stat") as stat:
        fields = stat.read().rsplit(")", 1)[1].split()  # after the command, which may hold spaces
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


@dataclass
class IdleCpu:
    seconds: float  # CPU seconds over the window
    window: float  # wall seconds of the window
    children: int  # processes below the server at the end
    runs: int  # runs in the server's history at the end: none should have fired

    @property
    def percent(self) -> float:
        return self.seconds / self.window * 100


@dataclass
class ScheduleCost:
    define_seconds: float
    with_schedules: list[float] = field(default_factory=list)
    without: list[float] = field(default_factory=list)
    list_seconds: list[float] = field(default_factory=list)  # GET schedules, 1,000 listed
    idle_with: IdleCpu | None = None
    idle_without: IdleCpu | None = None
    load_all_seconds: float = 0.0  # ScheduleStore.all() of the 1,000, in-process
    clock_seconds: float = 0.0  # putting the 1,000 into a Clock, in-process
    # What GET schedules computes per schedule on the event loop, for the 1,000, in-process.
    describe_seconds: dict[str, float] = field(default_factory=dict)


def measure_startups(cost: ScheduleCost, many: Path, none: Path, homes: Path) -> None:
    """STARTS starts of each kind, alternating, so both meet the same machine load."""
    for index in range(STARTS):
        with started_server(f"many-{index}", many, homes / f"many-{index}", SCHEDULES) as (
            server,
            seconds,
        ):
            cost.with_schedules.append(seconds)
            for _ in range(3):
                began = time.perf_counter()
                server.client.api("GET", "schedules")
                cost.list_seconds.append(time.perf_counter() - began)
        with started_server(f"none-{index}", none, homes / f"none-{index}", 0) as (_, seconds):
            cost.without.append(seconds)


def measure_idle(cost: ScheduleCost, many: Path, none: Path, homes: Path) -> None:
    """Both servers idle side by side over the same IDLE_SECONDS window."""
    with (
        started_server("idle-many", many, homes / "idle-many", SCHEDULES) as (with_server, _),
        started_server("idle-none", none, homes / "idle-none", 0) as (without_server, _),
    ):
        time.sleep(IDLE_SETTLE)
        servers = (with_server, without_server)
        began = time.perf_counter()
        before = [cpu_seconds(server.pid) for server in servers]
        time.sleep(IDLE_SECONDS)
        after = [cpu_seconds(server.pid) for server in servers]
        window = time.perf_counter() - began
        results = []
        for server, start, end in zip(servers, before, after, strict=True):
            runs = len(server.client.api("GET", "runs?limit=500")["runs"])
            results.append(IdleCpu(end - start, window, len(descendants(server.pid)), runs))
        cost.idle_with, cost.idle_without = results


def measure_in_process(cost: ScheduleCost, many: Path) -> None:
    """Reading the 1,000 schedules and loading them into a clock, as a server's start does."""
    engine = open_database(database_url(many))
    began = time.perf_counter()
    stored = ScheduleStore(engine).all()
    cost.load_all_seconds = time.perf_counter() - began
    engine.dispose()

    async def load() -> float:
        async def never(schedule_id: int, scheduled_for: datetime) -> None:
            raise AssertionError("no schedule fires here")

        clock = Clock(never)
        clock.start()
        try:
            began = time.perf_counter()
            for schedule in stored:
                clock.put(schedule.id, trigger_of(schedule.settings.trigger, schedule.created_at))
            return time.perf_counter() - began
        finally:
            clock.shutdown()

    cost.clock_seconds = asyncio.run(load())

    now = datetime.now(timezone.utc)
    specs = [(schedule.settings.trigger, schedule.created_at) for schedule in stored]
    began = time.perf_counter()
    triggers = [trigger_of(spec, anchor) for spec, anchor in specs]
    cost.describe_seconds["trigger_of"] = time.perf_counter() - began
    began = time.perf_counter()
    for trigger in triggers:
        next_fire_times(trigger, now, PREVIEW_FIRES)
    cost.describe_seconds[f"next_fire_times({PREVIEW_FIRES})"] = time.perf_counter() - began
    began = time.perf_counter()
    for spec, _ in specs:
        describe_trigger(spec)
    cost.describe_seconds["describe_trigger"] = time.perf_counter() - began


def report_schedule_cost(cost: ScheduleCost) -> list[str]:
    assert cost.idle_with is not None
    assert cost.idle_without is not None
    median_with, median_without = (
        statistics.median(cost.with_schedules),
        statistics.median(cost.without),
    )
    lines = [
        f"2. {SCHEDULES:,} schedules defined (daily cron `{CRON['expression']}` UTC,"
        " none fires while measured)",
        "   inserted with ScheduleStore.create before any server started:"
        f" {show(cost.define_seconds)}",
        f"   start-up, spawn -> GET schedules lists them all (polled every"
        f" {POLL_INTERVAL * 1000:.0f} ms), {STARTS} each, alternating:",
        f"   with {SCHEDULES:,} schedules   median {show(median_with)}"
        f"   samples: {listing(cost.with_schedules)}",
        f"   with none             median {show(median_without)}"
        f"   samples: {listing(cost.without)}",
        f"   difference {show(median_with - median_without)}"
        f"   ratio {median_with / median_without:.2f}",
        f"   GET schedules listing {SCHEDULES:,} (client round trip)"
        f"   median {show(statistics.median(cost.list_seconds))}"
        f"   samples: {listing(cost.list_seconds)}",
        f"   in-process: ScheduleStore.all() of the {SCHEDULES:,} {show(cost.load_all_seconds)};"
        f" putting them into a Clock (APScheduler) {show(cost.clock_seconds)}",
        f"   in-process, what GET schedules computes for each on the event loop, for the"
        f" {SCHEDULES:,}: "
        + ", ".join(f"{name} {show(seconds)}" for name, seconds in cost.describe_seconds.items()),
        f"   idle CPU of the server process over {cost.idle_with.window:.0f} s, side by side,"
        f" {IDLE_SETTLE:.0f} s after start-up (user+sys, /proc/<pid>/stat):",
    ]
    for label, idle in (
        (f"with {SCHEDULES:,} schedules", cost.idle_with),
        ("with none            ", cost.idle_without),
    ):
        lines.append(
            f"   {label}   {idle.seconds:.2f} CPU s   {idle.percent:.2f} % of one core"
            f"   (processes below it: {idle.children}, runs fired: {idle.runs})"
        )
    lines.append(
        f"   difference {cost.idle_with.seconds - cost.idle_without.seconds:+.2f} CPU s"
        f"   {cost.idle_with.percent - cost.idle_without.percent:+.2f} % of one core"
    )
    return lines
