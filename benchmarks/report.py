"""Formatting of figures, and the facts about this machine that figures depend on."""

from __future__ import annotations

import os
import platform
import shutil
import signal
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any


def show(seconds: float) -> str:
    return f"{seconds:.3f} s" if seconds >= 1 else f"{seconds * 1000:.1f} ms"


def spread(samples: list[float]) -> str:
    """Median with range, for a report line."""
    return (
        f"median {show(statistics.median(samples))}"
        f"  (min {show(min(samples))}, max {show(max(samples))}, n={len(samples)})"
    )


def listing(samples: list[float]) -> str:
    """Every sample in seconds, in the order taken."""
    return " ".join(f"{seconds:.3f}" for seconds in samples) + " s"


def verdict(passed: bool) -> str:
    return "PASS" if passed else "FAIL"


def load_average() -> str:
    with open("/proc/loadavg") as loadavg:
        return " ".join(loadavg.read().split()[:3])


def machine_facts(load_at_start: str) -> list[str]:
    model = "unknown CPU"
    with open("/proc/cpuinfo") as cpuinfo:
        for line in cpuinfo:
            if line.startswith("model name"):
                model = line.split(":", 1)[1].strip()
                break
    with open("/proc/meminfo") as meminfo:
        total_kib = int(meminfo.readline().split()[1])
    usable = len(os.sched_getaffinity(0))
    return [
        f"CPUs: {os.cpu_count()} ({usable} usable by this process), {model},"
        f" {total_kib / 1024 / 1024:.1f} GiB RAM",
        f"Python {platform.python_version()} ({sys.executable}), {platform.platform()}",
        f"Load average (1, 5, 15 min): {load_at_start} at start, {load_average()} at end"
        " (other processes on this machine count too)",
        f"Versions: {software_versions()}",
        f"Source: {source_revision()}",
    ]


def software_versions() -> str:
    from importlib.metadata import version

    names = ["autoflow_lab", "jupyter_server", "papermill", "nbclient", "ipykernel", "sqlalchemy"]
    return ", ".join(f"{name} {version(name)}" for name in names)


def source_revision() -> str:
    root = Path(__file__).resolve().parent.parent
    try:
        commit = subprocess.run(
            ["git", "rev-parse", "--short", "HEAD"], cwd=root, capture_output=True, text=True
        ).stdout.strip()
        changed = subprocess.run(
            ["git", "status", "--porcelain", "--", "autoflow_lab"],
            cwd=root,
            capture_output=True,
            text=True,
        ).stdout.strip()
    except OSError:
        return "unknown (no git)"
    if not commit:
        return "unknown (not a git checkout)"
    return f"git {commit}" + (", with uncommitted changes in autoflow_lab/" if changed else "")


def run_benchmark(title: str, run: Callable[[Path], list[str]]) -> int:
    """Run ``run`` in a temporary folder (removed afterwards, also on Ctrl-C or SIGTERM)
    and print its report under ``title`` with the machine's facts; the exit status."""
    signal.signal(signal.SIGTERM, _interrupt)  # clean up as on Ctrl-C
    began = time.perf_counter()
    load_at_start = load_average()
    work = Path(tempfile.mkdtemp(prefix="autoflow-bench-"))
    try:
        lines = run(work)
    except KeyboardInterrupt:
        print("interrupted; servers stopped", file=sys.stderr)
        return 130
    finally:
        shutil.rmtree(work, ignore_errors=True)
    print("\n".join([title, "=" * len(title), *machine_facts(load_at_start), "", *lines, ""]))
    print(f"Total benchmark time {show(time.perf_counter() - began)}")
    return 0


def _interrupt(signum: int, _frame: Any) -> None:
    raise KeyboardInterrupt(f"signal {signum}")
