"""Notebooks, runs and processes as every measurement sees them.

The notebook names are those ``run_engine.py`` writes into the servers' root;
a run is polled every POLL_INTERVAL, the same way in each measurement.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from datetime import datetime
from pathlib import Path
from typing import Any

import nbformat

# A module beside this one: found because Python puts the script's folder on the path.
from servers import Client, Server, command_line, descendants, memory_mib

NOTEBOOK = "one_cell.ipynb"
SLEEP_NOTEBOOK = "sleep.ipynb"
SLEEPING_CELL = 1  # index of `time.sleep(600)`; no parameters, so papermill injects no cell
PARAMETERS_NOTEBOOK = "with_parameters.ipynb"
FINAL = {"succeeded", "failed", "cancelled"}

POLL_INTERVAL = 0.010


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
