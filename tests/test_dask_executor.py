"""Runs on a real Dask cluster (``DaskExecutor``): a LocalCluster of two worker processes,
each with one slot, executing real notebooks in real kernels."""

from __future__ import annotations

import asyncio
import os
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from distributed import Client, LocalCluster

from .notebooks import announce, error_outputs, read_notebook, stream_text, write_notebook
from .processes import is_running, pids_from, wait_for_current_cell, wait_until_gone
from .servers import JupyterProcess, start_server
from .test_secrets import SECRET, leaks, run_files
from .waiting import eventually, eventually_async

EXECUTOR = "autoflow_lab.execution.DaskExecutor"
SLOW = "import time; time.sleep(120)"
WAIT_FOR_GO = "import os, time\nwhile not os.path.exists('go'): time.sleep(0.1)"


@pytest.fixture(scope="module")
def cluster() -> Iterator[LocalCluster]:
    """Two worker processes with one notebook slot each, as a team's workers would be.
    Each has two threads, so the slot (the resource), not the threads, bounds its runs."""
    with LocalCluster(
        n_workers=2,
        threads_per_worker=2,
        resources={"notebooks": 1},
        processes=True,
        dashboard_address=":0",
    ) as local:
        yield local


@pytest.fixture
def client(cluster: LocalCluster) -> Iterator[Client]:
    with Client(cluster) as connected:
        connected.wait_for_workers(2)
        yield connected


@pytest.fixture
def dask_executor_config() -> dict[str, Any]:
    """DaskExecutor settings of the test's server; tests parametrize it to change them."""
    return {}


@pytest.fixture
def jp_server_config(
    cluster: LocalCluster, dask_executor_config: dict[str, Any], request: pytest.FixtureRequest
) -> dict[str, Any]:
    marker = request.node.get_closest_marker("autoflow_config")
    settings = {
        "max_concurrent_runs": 4,
        "executor_class": EXECUTOR,
        "dask_scheduler_address": cluster.scheduler_address,
        **(marker.kwargs if marker else {}),
    }
    return {
        "ServerApp": {"jpserver_extensions": {"autoflow_lab": True}},
        "AutoflowApp": settings,
        "DaskExecutor": dask_executor_config,
    }


@pytest.fixture
def token_in_server_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("AUTOFLOW_TEST_TOKEN", SECRET)


def _worker_of(root: Path, run: dict[str, Any]) -> str:
    """The Dask worker a run's log says it executed on."""
    log = (root / run["log"]).read_text()
    line = next(line for line in log.splitlines() if " on Dask worker " in line)
    return line.split(" on Dask worker ")[1].split()[0]


async def test_run_executes_on_a_dask_worker_with_its_parameters(
    jp_root_dir: Path, api, wait_for_run, cluster: LocalCluster
) -> None:
    # Given a notebook with a parameters cell
    write_notebook(jp_root_dir / "greet.ipynb", 'print(f"hello {name}")', parameters='name = "x"')

    # When it is run through the API
    status, queued = await api(
        "POST", "runs", {"notebook": "greet.ipynb", "parameters": {"name": "Dask"}}
    )
    run = await wait_for_run(queued["id"])

    # Then a worker of the cluster executed it, and it reads as a local run would
    assert status == 202
    assert run["status"] == "succeeded", run
    assert run["progress"] == {"cells_done": 3, "cells_total": 3, "current_cell": None}
    executed = read_notebook(jp_root_dir / run["output"])
    assert stream_text(executed.cells[-1]) == "hello Dask\n"
    worker = _worker_of(jp_root_dir, run)
    assert worker in cluster.scheduler_info["workers"]
    assert run["executed_on"] == f"Dask worker {worker} on {socket.gethostname()}"


async def test_failing_cell_fails_the_run_with_its_error_inline(
    jp_root_dir: Path, api, wait_for_run
) -> None:
    write_notebook(jp_root_dir / "broken.ipynb", "x = 1", "raise KeyError('missing')")

    _, queued = await api("POST", "runs", {"notebook": "broken.ipynb"})
    run = await wait_for_run(queued["id"])

    assert run["status"] == "failed"
    assert (run["error"]["ename"], run["error"]["cell_number"]) == ("KeyError", 2)
    executed = read_notebook(jp_root_dir / run["output"])
    failing = executed.cells[run["error"]["cell_index"]]
    assert [output.ename for output in error_outputs(failing)] == ["KeyError"]


async def test_workflow_branches_run_at_once_on_both_workers(
    jp_root_dir: Path, api, cluster: LocalCluster
) -> None:
    # Given a workflow whose two branches each take a few seconds
    for name in ("left", "right"):
        write_notebook(jp_root_dir / f"{name}.ipynb", "import time; time.sleep(3)")
    (jp_root_dir / "branches.autoflow.yaml").write_text(
        "name: Branches\nsteps:\n  - key: left\n    notebook: left.ipynb\n"
        "  - key: right\n    notebook: right.ipynb\n"
    )

    # When it runs
    status, started = await api("POST", "workflow-runs", {"workflow": "branches.autoflow.yaml"})
    assert status == 202, started

    async def finished() -> dict[str, Any] | None:
        _, workflow_run = await api("GET", f"workflow-runs/{started['id']}")
        return workflow_run if workflow_run["status"] in {"succeeded", "failed"} else None

    workflow_run = await eventually_async(finished, 120, "the workflow run to finish")

    # Then each branch ran on a worker of its own, at the same time
    assert workflow_run["status"] == "succeeded", workflow_run
    runs = [step["run"] for step in workflow_run["steps"]]
    assert {_worker_of(jp_root_dir, run) for run in runs} == set(cluster.scheduler_info["workers"])
    first, second = sorted(runs, key=lambda run: run["started_at"])
    assert second["started_at"] < first["finished_at"], "the branches ran one after the other"


async def test_cancel_kills_the_kernel_on_its_worker_within_two_seconds(
    jp_root_dir: Path, api, wait_for_run
) -> None:
    write_notebook(jp_root_dir / "slow.ipynb", "x = 1", announce("slow.pids"), SLOW)
    _, queued = await api("POST", "runs", {"notebook": "slow.ipynb"})
    kernel, _ = await pids_from(jp_root_dir / "slow.pids")
    await wait_for_current_cell(api, queued["id"], 2)

    started = time.monotonic()
    status, _ = await api("POST", f"runs/{queued['id']}/cancel")
    run = await wait_for_run(queued["id"])
    took = time.monotonic() - started

    assert status == 202
    assert run["status"] == "cancelled"
    assert run["error"]["evalue"] == "cancelled in cell 3"
    assert took < 2, f"cancel took {took:.1f} s"
    await wait_until_gone(kernel, timeout=2)
    executed = read_notebook(jp_root_dir / run["output"])
    assert [output.ename for output in error_outputs(executed.cells[2])] == ["Cancelled"]


async def test_run_waiting_for_a_free_worker_stays_queued_and_cancels_at_once(
    jp_root_dir: Path, api, wait_for_run
) -> None:
    # Given both workers' slots taken by slow runs
    for name in ("a", "b"):
        write_notebook(jp_root_dir / f"{name}.ipynb", announce(f"{name}.pids"), SLOW)
    busy = [(await api("POST", "runs", {"notebook": f"{name}.ipynb"}))[1] for name in "ab"]
    for name in "ab":
        await pids_from(jp_root_dir / f"{name}.pids")

    # When a third run is submitted
    write_notebook(jp_root_dir / "third.ipynb", "open('third-ran', 'w').close()")
    _, third = await api("POST", "runs", {"notebook": "third.ipynb"})
    await asyncio.sleep(1)

    # Then it waits, queued, for a slot (though each worker has a thread free); cancelled,
    # it never executes anywhere
    assert (await api("GET", f"runs/{third['id']}"))[1]["status"] == "queued"
    status, cancelled = await api("POST", f"runs/{third['id']}/cancel")
    assert (status, cancelled["status"], cancelled["started_at"]) == (202, "cancelled", None)
    for run in busy:
        await api("POST", f"runs/{run['id']}/cancel")
        assert (await wait_for_run(run["id"]))["status"] == "cancelled"
    await asyncio.sleep(1)
    assert not (jp_root_dir / "third-ran").exists()
    assert (await api("GET", f"runs/{third['id']}"))[1]["status"] == "cancelled"


@pytest.mark.autoflow_config(max_concurrent_runs=8)  # all of them handed to the cluster
async def test_runs_waiting_for_a_worker_start_oldest_first_on_each_worker(
    jp_root_dir: Path, api, wait_for_run
) -> None:
    # Given both slots busy, and six runs submitted one after another behind them
    write_notebook(jp_root_dir / "hold.ipynb", WAIT_FOR_GO)
    holding = [(await api("POST", "runs", {"notebook": "hold.ipynb"}))[1] for _ in range(2)]
    write_notebook(jp_root_dir / "step.ipynb", "x = 1")
    waiting = [(await api("POST", "runs", {"notebook": "step.ipynb"}))[1]["id"] for _ in range(6)]

    # When the slots free up
    await eventually_async(
        lambda: _all_running(api, [run["id"] for run in holding]), 60, "both slots to be taken"
    )
    (jp_root_dir / "go").touch()
    runs = [await wait_for_run(run_id) for run_id in waiting]

    # Then each worker starts the runs waiting for it oldest first (Dask hands a run to a
    # worker when it is submitted, so a worker that frees up sooner may start a newer run
    # before an older one that waits on the other)
    by_worker: dict[str, list[dict[str, Any]]] = {}
    for run in runs:
        by_worker.setdefault(run["executed_on"], []).append(run)
    for worker_runs in by_worker.values():
        starts = [run["started_at"] for run in worker_runs]
        assert starts == sorted(starts), [(run["id"], run["started_at"]) for run in runs]


async def _all_running(api, run_ids: list[int]) -> bool:
    statuses = [(await api("GET", f"runs/{run_id}"))[1]["status"] for run_id in run_ids]
    return statuses == ["running"] * len(run_ids)


async def test_run_past_its_time_limit_is_stopped_on_its_worker(
    jp_root_dir: Path, api, wait_for_run
) -> None:
    write_notebook(jp_root_dir / "slow.ipynb", announce("slow.pids"), SLOW)

    _, queued = await api("POST", "runs", {"notebook": "slow.ipynb", "timeout": 5})
    kernel, _ = await pids_from(jp_root_dir / "slow.pids")
    run = await wait_for_run(queued["id"])

    assert run["status"] == "failed"
    assert (run["error"]["ename"], run["error"]["evalue"]) == (
        "RunTimeout",
        "timed out after 5 s in cell 2",
    )
    await wait_until_gone(kernel)


async def test_worker_killed_mid_run_fails_that_run_only(
    jp_root_dir: Path, api, wait_for_run, client: Client
) -> None:
    # Given two runs executing, one on each worker
    wait = "import os, time\nwhile not os.path.exists('go'): time.sleep(0.1)"
    for name in ("doomed", "spared"):
        write_notebook(jp_root_dir / f"{name}.ipynb", announce(f"{name}.pids"), wait)
    doomed, spared = [
        (await api("POST", "runs", {"notebook": f"{name}.ipynb"}))[1]
        for name in ("doomed", "spared")
    ]
    kernel, worker_pid = await pids_from(jp_root_dir / "doomed.pids")
    await pids_from(jp_root_dir / "spared.pids")
    await wait_for_current_cell(api, doomed["id"], 1)

    # When the worker process executing the first is killed
    os.kill(worker_pid, signal.SIGKILL)
    failed = await wait_for_run(doomed["id"], timeout=30)

    # Then that run fails, saying so, and is not executed again elsewhere
    assert failed["status"] == "failed"
    assert failed["error"]["ename"] == "WorkerDied"
    assert "died or left the cluster" in failed["error"]["evalue"]
    assert failed["error"]["cell_number"] == 2
    executed = read_notebook(jp_root_dir / failed["output"])
    cut_short = executed.cells[failed["error"]["cell_index"]]
    assert [output.ename for output in error_outputs(cut_short)] == ["WorkerDied"]
    await wait_until_gone(kernel)
    # And the other run carries on to succeed
    (jp_root_dir / "go").touch()
    assert (await wait_for_run(spared["id"]))["status"] == "succeeded"
    log = (jp_root_dir / failed["log"]).read_text()
    assert log.count(": executing ") == 1
    client.wait_for_workers(2)  # the nanny restarts the worker for the next tests


@pytest.mark.autoflow_config(kernel_env_vars=["AUTOFLOW_TEST_TOKEN"])
async def test_passed_secret_reaches_the_kernel_on_its_worker_and_nothing_keeps_it(
    token_in_server_environment: None,
    jp_root_dir: Path,
    api,
    wait_for_run,
    client: Client,
    caplog: pytest.LogCaptureFixture,
) -> None:
    # Given a token passed to kernels, and notebooks that print it and fail with it
    use = "import os\ntoken = os.environ['AUTOFLOW_TEST_TOKEN']"
    write_notebook(jp_root_dir / "prints.ipynb", use, "print('token:', token, len(token))")
    write_notebook(jp_root_dir / "fails.ipynb", use, "raise RuntimeError('rejected ' + token)")

    # When both run on the cluster
    _, first = await api("POST", "runs", {"notebook": "prints.ipynb"})
    _, second = await api("POST", "runs", {"notebook": "fails.ipynb"})
    printed, failed = await wait_for_run(first["id"]), await wait_for_run(second["id"])

    # Then the kernels had it, and every record of it is redacted
    assert printed["status"] == "succeeded", printed
    executed = read_notebook(jp_root_dir / printed["output"])
    assert stream_text(executed.cells[-1]) == f"token: *** {len(SECRET)}\n"
    assert failed["error"]["evalue"] == "rejected ***"
    _, page = await api("GET", "runs")
    places = {"API": str(page).encode(), "log": caplog.text.encode(), **run_files(jp_root_dir)}
    assert leaks(places, SECRET) == []
    # And the workers' own processes never had it in their environment
    environments = client.run(lambda: "\n".join(os.environ.values()))
    assert len(environments) == 2
    assert [address for address, text in environments.items() if SECRET in text] == []


@pytest.mark.autoflow_config(dask_scheduler_address="")
async def test_without_an_address_the_executor_starts_a_local_cluster(
    jp_root_dir: Path, api, wait_for_run
) -> None:
    write_notebook(jp_root_dir / "hello.ipynb", "print('hello')")

    _, queued = await api("POST", "runs", {"notebook": "hello.ipynb"})
    run = await wait_for_run(queued["id"])

    assert run["status"] == "succeeded", run
    assert _worker_of(jp_root_dir, run).startswith("tcp://127.0.0.1:")


@pytest.mark.autoflow_config(dask_scheduler_address="tcp://127.0.0.1:9")
@pytest.mark.parametrize("dask_executor_config", [{"connect_timeout": 1}])
async def test_run_fails_saying_so_when_the_scheduler_cannot_be_reached(
    jp_root_dir: Path, api, wait_for_run
) -> None:
    write_notebook(jp_root_dir / "hello.ipynb", "print('hello')")

    _, queued = await api("POST", "runs", {"notebook": "hello.ipynb"})
    run = await wait_for_run(queued["id"])

    assert run["status"] == "failed"
    assert run["error"]["ename"] == "ExecutorUnavailable"
    assert run["error"]["evalue"].startswith(
        "Cannot reach the Dask scheduler at tcp://127.0.0.1:9 ("
    )
    assert "AutoflowApp.dask_scheduler_address" in run["error"]["evalue"]


def test_worker_that_cannot_see_the_servers_folder_is_named_at_start_up_and_fails_its_runs(
    tmp_path: Path, servers: list[JupyterProcess]
) -> None:
    # Given a cluster whose one worker sees an empty folder where the server's is
    root = tmp_path / "root"
    write_notebook(root / "hello.ipynb", "print('hello')")
    with LocalCluster(n_workers=0, processes=True, dashboard_address=":0") as scheduler:
        worker = subprocess.Popen(
            [
                "unshare", "--mount", "sh", "-c",
                f'mount -t tmpfs tmpfs "{tmp_path}" && exec "$0" -m distributed.cli.dask_worker '
                f"{scheduler.scheduler_address} --nthreads 1 --resources notebooks=1 "
                "--no-dashboard --no-nanny",
                sys.executable,
            ],
        )  # fmt: skip
        try:
            with Client(scheduler) as client:
                client.wait_for_workers(1, timeout=60)
            # When a server using it starts, and a run is submitted
            server = start_server(
                servers,
                root,
                f"--AutoflowApp.executor_class={EXECUTOR}",
                f"--AutoflowApp.dask_scheduler_address={scheduler.scheduler_address}",
            )
            logged = eventually(
                lambda: (
                    "cannot see the folder" in server.log.read_text() and server.log.read_text()
                ),
                60,
                "the start-up check",
            )
            queued = server.api("POST", "runs", {"notebook": "hello.ipynb"})
            run = eventually(
                lambda: (
                    (found := server.api("GET", f"runs/{queued['id']}"))["status"] == "failed"
                    and found
                ),
                60,
                "the run to fail",
            )
        finally:
            worker.kill()
            worker.wait()

    # Then the server's log names the worker and the folder, and so does the run
    assert f"cannot see the folder {root / 'autoflow-runs'}" in logged
    assert run["error"]["ename"] == "SharedFolderMissing"
    assert f"cannot see {root / 'hello.ipynb'}" in run["error"]["evalue"]
    assert "at the same path on every worker" in run["error"]["evalue"]


@pytest.mark.parametrize("end", ["killed", "stopped"])
def test_run_of_a_server_that_ends_is_stopped_on_its_worker_and_settled_by_the_next(
    end: str, tmp_path: Path, servers: list[JupyterProcess], cluster: LocalCluster
) -> None:
    # Given a server executing a run on the cluster
    root = tmp_path / "root"
    write_notebook(root / "slow.ipynb", announce("slow.pids"), SLOW)
    settings = (
        f"--AutoflowApp.executor_class={EXECUTOR}",
        f"--AutoflowApp.dask_scheduler_address={cluster.scheduler_address}",
        "--AutoflowApp.owner_timeout=3",
        "--AutoflowApp.heartbeat_interval=1",
    )
    first = start_server(servers, root, *settings)
    queued = first.api("POST", "runs", {"notebook": "slow.ipynb"})
    kernel = int(eventually(lambda: _text(root / "slow.pids"), 60, "the kernel").split()[0])

    # When that server is killed, or stopped
    ending = time.monotonic()
    first.kill() if end == "killed" else first.stop()
    assert time.monotonic() - ending < 10, "the server waited for its run"

    # Then the cluster lets go of its task, whose kernel is killed on the worker
    eventually(lambda: not is_running(kernel), 30, "the kernel to be killed")
    # And the next server settles the run as interrupted, never executing it again
    second = start_server(servers, root, *settings)
    run = eventually(
        lambda: (
            (found := second.api("GET", f"runs/{queued['id']}"))["status"] == "failed" and found
        ),
        60,
        "the run to be settled",
    )
    assert run["error"]["ename"] == "Interrupted"
    assert (root / run["log"]).read_text().count(": executing ") == 1


def _text(path: Path) -> str:
    return path.read_text() if path.exists() else ""
