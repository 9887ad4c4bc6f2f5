"""Worker processes: progress reported back, and a worker's death failing its run only."""

from __future__ import annotations

import os
import signal
from pathlib import Path

from .notebooks import announce, error_outputs, read_notebook, write_notebook
from .processes import (
    is_running,
    pids_from,
    wait_for_current_cell,
    wait_for_exists,
    wait_until_gone,
)


async def test_running_run_reports_cells_done_and_the_current_cell(
    jp_root_dir: Path, api, wait_for_run
) -> None:
    write_notebook(
        jp_root_dir / "steps.ipynb",
        "x = 1",
        "",  # empty cells do not execute and do not count
        "import time",
        "open('waiting', 'w').close()\nwhile not os.path.exists('go'): time.sleep(0.05)",
        "y = 2",
        parameters="import os",
    )
    _, queued = await api("POST", "runs", {"notebook": "steps.ipynb"})
    assert queued["progress"] is None
    await wait_for_exists(jp_root_dir / "waiting")

    _, running = await api("GET", f"runs/{queued['id']}")
    (jp_root_dir / "go").touch()
    run = await wait_for_run(queued["id"])

    # cells: 0 parameters, 1 x = 1, 2 empty, 3 import time, 4 the waiting cell, 5 y = 2
    assert running["progress"] == {"cells_done": 3, "cells_total": 5, "current_cell": 4}
    assert run["status"] == "succeeded"
    assert run["progress"] == {"cells_done": 5, "cells_total": 5, "current_cell": None}


async def test_injected_parameters_cell_counts_as_a_cell(
    jp_root_dir: Path, api, wait_for_run
) -> None:
    write_notebook(jp_root_dir / "p.ipynb", "print(n)", parameters="n = 1")

    _, queued = await api("POST", "runs", {"notebook": "p.ipynb", "parameters": {"n": 2}})
    run = await wait_for_run(queued["id"])

    assert run["progress"] == {"cells_done": 3, "cells_total": 3, "current_cell": None}


async def test_killed_worker_fails_only_its_own_run_and_is_replaced(
    jp_root_dir: Path, api, wait_for_run
) -> None:
    # Given two runs executing at once, each in a worker of its own
    for name in ("doomed", "survivor"):
        write_notebook(
            jp_root_dir / f"{name}.ipynb",
            announce(f"{name}.pids"),
            "import time\nwhile not os.path.exists('go'): time.sleep(0.05)",
            f"print('{name} finished')",
        )
    _, doomed = await api("POST", "runs", {"notebook": "doomed.ipynb"})
    _, survivor = await api("POST", "runs", {"notebook": "survivor.ipynb"})
    doomed_kernel, doomed_worker = await pids_from(jp_root_dir / "doomed.pids")
    _, survivor_worker = await pids_from(jp_root_dir / "survivor.pids")
    assert doomed_worker != survivor_worker
    await wait_for_current_cell(api, doomed["id"], 1)

    # When one worker is killed mid-cell
    os.kill(doomed_worker, signal.SIGKILL)
    doomed = await wait_for_run(doomed["id"], timeout=60)
    (jp_root_dir / "go").touch()
    survivor = await wait_for_run(survivor["id"], timeout=60)

    # Then its run fails at that cell, with its kernel gone; the other run is untouched
    assert doomed["status"] == "failed"
    assert doomed["error"]["ename"] == "WorkerDied"
    assert doomed["error"]["cell_index"] == 1
    await wait_until_gone(doomed_kernel)
    executed = read_notebook(jp_root_dir / doomed["output"])
    assert [output.ename for output in error_outputs(executed.cells[1])] == ["WorkerDied"]
    assert survivor["status"] == "succeeded"
    assert is_running(survivor_worker)

    # And the next run gets a new worker
    _, after = await api("POST", "runs", {"notebook": "doomed.ipynb"})
    assert (await wait_for_run(after["id"], timeout=60))["status"] == "succeeded"


async def test_workers_are_reused_across_runs(jp_root_dir: Path, api, wait_for_run) -> None:
    write_notebook(jp_root_dir / "who.ipynb", announce("who.pids"))
    workers = set()
    for _ in range(3):
        (jp_root_dir / "who.pids").unlink(missing_ok=True)
        _, queued = await api("POST", "runs", {"notebook": "who.ipynb"})
        assert (await wait_for_run(queued["id"]))["status"] == "succeeded"
        workers.add((await pids_from(jp_root_dir / "who.pids"))[1])

    assert len(workers) == 1  # one run at a time: the same long-lived worker


async def test_worker_that_ignores_a_stop_is_killed_along_with_its_run(
    jp_root_dir: Path, api, wait_for_run
) -> None:
    # Given a run whose worker is frozen, so it cannot act on a stop request
    write_notebook(
        jp_root_dir / "stuck.ipynb", "x = 1", announce("stuck.pids"), "import time; time.sleep(120)"
    )
    _, queued = await api("POST", "runs", {"notebook": "stuck.ipynb"})
    kernel, worker = await pids_from(jp_root_dir / "stuck.pids")
    await wait_for_current_cell(api, queued["id"], 2)
    os.kill(worker, signal.SIGSTOP)

    # When it is cancelled
    await api("POST", f"runs/{queued['id']}/cancel")
    run = await wait_for_run(queued["id"], timeout=60)

    # Then after the grace period the worker and the kernel are killed, the run settled
    assert run["status"] == "cancelled"
    assert run["error"] == {
        "cell_index": 2,
        "cell_number": 3,
        "execution_count": None,  # the frozen worker never saved the cell's count
        "cell_source": "import time; time.sleep(120)",
        "ename": "Cancelled",
        "evalue": "cancelled in cell 3",
    }
    await wait_until_gone(worker)
    await wait_until_gone(kernel)
    executed = read_notebook(jp_root_dir / run["output"])
    assert [output.ename for output in error_outputs(executed.cells[2])] == ["Cancelled"]
