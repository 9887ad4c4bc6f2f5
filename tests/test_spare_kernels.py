"""Kernels started ahead: the next run's kernel starts while a worker executes a run."""

from __future__ import annotations

import os
import signal
from pathlib import Path

import pytest

from .notebooks import announce, write_notebook
from .processes import is_running, pids_from, wait_for_current_cell, wait_until_gone

# A cell that records when its kernel process started, as a POSIX time (to 10 ms).
KERNEL_STARTED = """\
import os, time
with open('/proc/self/stat') as stat:
    ticks = int(stat.read().rsplit(')', 1)[1].split()[19])
with open('/proc/uptime') as uptime:
    age = float(uptime.read().split()[0]) - ticks / os.sysconf('SC_CLK_TCK')
with open(name + '.started', 'w') as out:
    out.write(str(time.time() - age))
"""
# The last cell: sleeps, then records when it ended.
SLEEP_THEN_RECORD = """\
time.sleep({seconds})
with open(name + '.ended', 'w') as out:
    out.write(str(time.time()))
"""


def _kernel_started(folder: Path, name: str) -> float:
    return float((folder / f"{name}.started").read_text())


def _ended(folder: Path, name: str) -> float:
    return float((folder / f"{name}.ended").read_text())


@pytest.mark.autoflow_config(max_concurrent_runs=1)
async def test_queued_run_in_the_same_folder_gets_a_kernel_started_during_the_run_before(
    jp_root_dir: Path, api, wait_for_run
) -> None:
    # Given one slot, and two runs of notebooks in one folder queued one behind the other
    for name in ("first", "second"):
        write_notebook(
            jp_root_dir / "reports" / f"{name}.ipynb",
            KERNEL_STARTED,
            SLEEP_THEN_RECORD.format(seconds=2),
            parameters=f"name = {name!r}",
        )
    _, first = await api("POST", "runs", {"notebook": "reports/first.ipynb"})
    _, second = await api("POST", "runs", {"notebook": "reports/second.ipynb"})

    # When both have run
    first = await wait_for_run(first["id"])
    second = await wait_for_run(second["id"])

    # Then the second run's kernel had started before the first run's last cell ended,
    # and it is not the first run's kernel
    assert (first["status"], second["status"]) == ("succeeded", "succeeded")
    folder = jp_root_dir / "reports"
    assert _kernel_started(folder, "second") < _ended(folder, "first")
    assert _kernel_started(folder, "second") > _kernel_started(folder, "first")


@pytest.mark.autoflow_config(max_concurrent_runs=1)
async def test_run_in_another_folder_starts_its_own_kernel_in_its_folder(
    jp_root_dir: Path, api, wait_for_run
) -> None:
    # Given two queued runs of notebooks in different folders
    for name in ("here", "there"):
        write_notebook(
            jp_root_dir / name / f"{name}.ipynb",
            KERNEL_STARTED,
            SLEEP_THEN_RECORD.format(seconds=1),
            parameters=f"name = {name!r}",
        )
    _, here = await api("POST", "runs", {"notebook": "here/here.ipynb"})
    _, there = await api("POST", "runs", {"notebook": "there/there.ipynb"})

    # When both have run
    here = await wait_for_run(here["id"])
    there = await wait_for_run(there["id"])

    # Then the second ran in its own folder, in a kernel started once the first had ended
    assert (here["status"], there["status"]) == ("succeeded", "succeeded")
    assert (jp_root_dir / "there" / "there.started").exists()
    assert _kernel_started(jp_root_dir / "there", "there") > _ended(jp_root_dir / "here", "here")


@pytest.mark.autoflow_config(max_concurrent_runs=1)
async def test_killed_worker_takes_its_spare_kernel_along(
    jp_root_dir: Path, api, wait_for_run
) -> None:
    # Given a run executing, so that its worker has started a spare kernel beside it
    write_notebook(
        jp_root_dir / "long.ipynb",
        announce("long.pids"),
        "import time\nwhile True: time.sleep(0.05)",
    )
    _, run = await api("POST", "runs", {"notebook": "long.ipynb"})
    kernel, worker = await pids_from(jp_root_dir / "long.pids")
    await wait_for_current_cell(api, run["id"], 1)
    spares = await _spare_kernels(worker, kernel)

    # When the worker is killed
    os.kill(worker, signal.SIGKILL)
    await wait_for_run(run["id"], timeout=60)

    # Then no kernel of it is left: neither the run's nor the spare
    for pid in [kernel, *spares]:
        await wait_until_gone(pid)
        assert not is_running(pid)


async def _spare_kernels(worker: int, running_kernel: int) -> list[int]:
    """The worker's other kernel processes, once its spare has started."""
    from .waiting import eventually_async

    async def spare() -> list[int] | None:
        found = [
            pid
            for pid in _children(worker)
            if pid != running_kernel and b"ipykernel" in _command_line(pid)
        ]
        return found or None

    return await eventually_async(spare, 30, what="the worker's spare kernel")


def _children(pid: int) -> list[int]:
    children = []
    for task in Path(f"/proc/{pid}/task").iterdir():
        text = (task / "children").read_text().split()
        children.extend(int(child) for child in text)
    return children


def _command_line(pid: int) -> bytes:
    try:
        return Path(f"/proc/{pid}/cmdline").read_bytes()
    except OSError:
        return b""
