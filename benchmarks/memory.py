"""Resident memory of a server with the extension enabled and disabled.

Measurement 4 of ``run_engine.py``: what enabling the extension costs an idle
server, and what its first run of a notebook with parameters adds.
"""

from __future__ import annotations

import time
from dataclasses import dataclass

from runs import PARAMETERS_NOTEBOOK, process_lines, run_to_final, worker_processes
from servers import API, Server, maps_file, memory_mib

IDLE_SETTLE = 2.0
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
