"""Stopping runs before they end: wall-clock and per-cell limits, and cancel."""

from __future__ import annotations

import time
from pathlib import Path

import pytest

from .notebooks import announce, error_outputs, read_notebook, write_notebook
from .processes import pids_from, wait_for_current_cell, wait_until_gone

SLOW = "import time; time.sleep(120)"


def write_slow_notebook(root: Path, name: str = "slow.ipynb") -> Path:
    """Cells: 1 a quick one, 2 announces its pids to ``<name>.pids``, 3 sleeps, 4 never runs."""
    return write_notebook(root / name, "x = 1", announce(f"{name}.pids"), SLOW, "y = 2")


async def test_run_past_its_wall_clock_limit_fails_and_keeps_the_partial_notebook(
    jp_root_dir: Path, api, wait_for_run
) -> None:
    write_slow_notebook(jp_root_dir)

    # the limit leaves room for the worker and kernel to start on a busy machine
    _, queued = await api("POST", "runs", {"notebook": "slow.ipynb", "timeout": 10})
    kernel, _ = await pids_from(jp_root_dir / "slow.ipynb.pids")
    run = await wait_for_run(queued["id"], timeout=60)

    assert queued["timeout"] == 10
    assert run["status"] == "failed"
    assert run["error"] == {
        "cell_index": 2,
        "cell_number": 3,
        "execution_count": 3,
        "cell_source": SLOW,
        "ename": "RunTimeout",
        "evalue": "timed out after 10 s in cell 3",
    }
    await wait_until_gone(kernel)
    executed = read_notebook(jp_root_dir / run["output"])
    assert executed.cells[1].outputs == []  # ran, quietly
    assert [output.ename for output in error_outputs(executed.cells[2])] == ["RunTimeout"]
    assert executed.cells[3].get("execution_count") is None


@pytest.mark.autoflow_config(run_timeout=10)
async def test_server_wall_clock_limit_applies_unless_the_run_sets_its_own(
    jp_root_dir: Path, api, wait_for_run
) -> None:
    write_slow_notebook(jp_root_dir)

    _, limited = await api("POST", "runs", {"notebook": "slow.ipynb"})
    _, longer = await api("POST", "runs", {"notebook": "slow.ipynb", "timeout": 600})

    limited = await wait_for_run(limited["id"], timeout=60)
    assert (limited["timeout"], limited["status"]) == (10, "failed")
    assert limited["error"]["evalue"] == "timed out after 10 s in cell 3"
    assert (await api("GET", f"runs/{longer['id']}"))[1]["status"] == "running"
    assert longer["timeout"] == 600
    await api("POST", f"runs/{longer['id']}/cancel")


@pytest.mark.autoflow_config(cell_timeout=60)
async def test_run_sets_its_own_cell_limit(jp_root_dir: Path, api, wait_for_run) -> None:
    write_slow_notebook(jp_root_dir)

    _, queued = await api("POST", "runs", {"notebook": "slow.ipynb", "cell_timeout": 2})
    run = await wait_for_run(queued["id"], timeout=60)

    assert queued["cell_timeout"] == 2
    assert run["error"] == {
        "cell_index": 2,
        "cell_number": 3,
        "execution_count": 3,
        "cell_source": SLOW,
        "ename": "CellTimeout",
        "evalue": "timed out after 2 s in cell 3",
    }


async def test_cancel_stops_a_running_run_and_kills_its_kernel(
    jp_root_dir: Path, api, wait_for_run
) -> None:
    write_slow_notebook(jp_root_dir)
    _, queued = await api("POST", "runs", {"notebook": "slow.ipynb"})
    kernel, _ = await pids_from(jp_root_dir / "slow.ipynb.pids")
    await wait_for_current_cell(api, queued["id"], 2)

    started = time.monotonic()
    status, answer = await api("POST", f"runs/{queued['id']}/cancel")
    run = await wait_for_run(queued["id"], timeout=60)
    took = time.monotonic() - started

    assert (status, answer["id"]) == (202, queued["id"])
    assert run["status"] == "cancelled"
    assert run["error"] == {
        "cell_index": 2,
        "cell_number": 3,
        "execution_count": 3,
        "cell_source": SLOW,
        "ename": "Cancelled",
        "evalue": "cancelled in cell 3",
    }
    assert took < 30, "the 120 s cell was cut short"  # the 2 s target is a benchmark's
    await wait_until_gone(kernel)
    executed = read_notebook(jp_root_dir / run["output"])
    assert [output.ename for output in error_outputs(executed.cells[2])] == ["Cancelled"]
    log = (jp_root_dir / run["log"]).read_text()
    assert "cancelled in cell 3: Cancelled: cancelled in cell 3" in log


@pytest.mark.autoflow_config(max_concurrent_runs=1)
async def test_cancel_of_a_queued_run_is_immediate_and_it_never_starts(
    jp_root_dir: Path, api, wait_for_run
) -> None:
    write_slow_notebook(jp_root_dir)
    write_notebook(jp_root_dir / "next.ipynb", announce("next.pids"))
    _, first = await api("POST", "runs", {"notebook": "slow.ipynb"})
    _, waiting = await api("POST", "runs", {"notebook": "next.ipynb"})
    await pids_from(jp_root_dir / "slow.ipynb.pids")

    status, cancelled = await api("POST", f"runs/{waiting['id']}/cancel")

    assert status == 202
    assert cancelled["status"] == "cancelled"
    assert cancelled["started_at"] is None
    assert cancelled["error"]["ename"] == "Cancelled"
    # freeing the only slot must not start the cancelled run
    await api("POST", f"runs/{first['id']}/cancel")
    assert (await wait_for_run(first["id"], timeout=60))["status"] == "cancelled"
    write_notebook(jp_root_dir / "quick.ipynb", "1 + 1")
    _, after = await api("POST", "runs", {"notebook": "quick.ipynb"})
    assert (await wait_for_run(after["id"], timeout=60))["status"] == "succeeded"
    assert not (jp_root_dir / "next.pids").exists()
    assert (await api("GET", f"runs/{waiting['id']}"))[1]["status"] == "cancelled"


async def test_cancel_of_a_finished_run_is_a_conflict(jp_root_dir: Path, api, wait_for_run) -> None:
    write_notebook(jp_root_dir / "quick.ipynb", "1 + 1")
    _, queued = await api("POST", "runs", {"notebook": "quick.ipynb"})
    finished = await wait_for_run(queued["id"])
    assert finished["status"] == "succeeded", finished

    status, answer = await api("POST", f"runs/{queued['id']}/cancel")

    assert status == 409
    assert answer["message"] == f"Run {queued['id']} has already finished: it succeeded."


async def test_cancel_of_an_unknown_run_is_404(api) -> None:
    assert (await api("POST", "runs/4242/cancel"))[0] == 404
