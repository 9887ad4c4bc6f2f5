"""The ``autoflow`` command, run as a user runs it: the installed script, real kernels."""

from __future__ import annotations

import asyncio
import signal
import subprocess
import sys
from pathlib import Path

from .notebooks import announce, read_notebook, stream_text, write_notebook
from .processes import pids_from, wait_until_gone

AUTOFLOW = str(Path(sys.executable).with_name("autoflow"))


def autoflow(*args: str, cwd: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [AUTOFLOW, *args], cwd=cwd, capture_output=True, text=True, timeout=180, check=False
    )


def write_greeting(root: Path) -> None:
    write_notebook(
        root / "greet.ipynb",
        "print(f'{greeting}, {name}! ' * repeat)",
        parameters="greeting = 'Hello'\nname = 'analyst'  # who to greet\nrepeat = 1",
    )


def test_run_succeeds_prints_the_executed_notebook_and_joins_the_history(tmp_path: Path) -> None:
    write_greeting(tmp_path)
    (tmp_path / "params.yaml").write_text("name: team\nrepeat: 1\n")

    done = autoflow("run", "greet.ipynb", "-f", "params.yaml", "-p", "repeat", "2", cwd=tmp_path)

    assert done.returncode == 0, done.stderr
    output = Path(done.stdout.strip())
    assert output.is_relative_to(tmp_path / "autoflow-runs" / "greet")
    assert stream_text(read_notebook(output).cells[-1]) == "Hello, team! Hello, team! \n"
    assert "Run 1 succeeded" in done.stderr
    listed = autoflow("runs", cwd=tmp_path)
    assert listed.returncode == 0
    assert listed.stdout.splitlines()[1].split()[:3] == ["1", "succeeded", "greet.ipynb"]


def test_failed_run_exits_1_with_the_error_summary(tmp_path: Path) -> None:
    write_notebook(tmp_path / "bad.ipynb", "x = 1", "raise ValueError('bad input data')")

    done = autoflow("run", "bad.ipynb", "--quiet", cwd=tmp_path)

    assert done.returncode == 1
    assert done.stdout == ""
    # cell 4 of the executed notebook: papermill adds two error banners above the cell
    assert "Run 1 failed in cell 4: ValueError: bad input data" in done.stderr
    assert "Executed notebook: " in done.stderr
    assert "Log: " in done.stderr


def test_refused_requests_exit_2_and_record_nothing(tmp_path: Path) -> None:
    write_greeting(tmp_path)
    (tmp_path / "list.yaml").write_text("- 1\n- 2\n")
    (tmp_path / "broken.yaml").write_text("name: [unclosed\n")
    outside = tmp_path.parent / f"{tmp_path.name}-outside.ipynb"
    write_notebook(outside, "1")

    cases = {
        ("-p", "nope", "1"): "unknown parameter 'nope'",
        ("-p", "repeat", "many"): "repeat",
        ("-f", "list.yaml"): "must hold a mapping",
        ("-f", "broken.yaml"): "cannot read parameter file",
        ("-f", "missing.yaml"): "cannot read parameter file",
        ("--timeout", "0"): "timeout: Input should be greater than 0",
        ("-k", "no-such-kernel"): "Unknown kernel 'no-such-kernel'",
        ("--pass-env", "AUTOFLOW_UNSET_VARIABLE"): "unset variables: AUTOFLOW_UNSET_VARIABLE",
    }
    for args, words in cases.items():
        done = autoflow("run", "greet.ipynb", *args, cwd=tmp_path)
        assert (done.returncode, words in done.stderr) == (2, True), (args, done.stderr)
    done = autoflow("run", str(outside), cwd=tmp_path)
    assert (done.returncode, "outside the root directory" in done.stderr) == (2, True)
    done = autoflow("run", "missing.ipynb", cwd=tmp_path)
    assert (done.returncode, "does not exist" in done.stderr) == (2, True)

    assert autoflow("runs", cwd=tmp_path).stdout.splitlines()[1:] == []


def test_usage_errors_exit_2_and_help_documents_the_commands(tmp_path: Path) -> None:
    help_text = autoflow("--help", cwd=tmp_path)
    run_help = autoflow("run", "--help", cwd=tmp_path)

    assert help_text.returncode == 0
    for words in ("run", "runs", "exit status", "130"):
        assert words in help_text.stdout
    for option in ("--parameter", "--param-file", "--timeout", "--cell-timeout", "--root"):
        assert option in run_help.stdout
    assert autoflow("run", cwd=tmp_path).returncode == 2
    assert autoflow("runs", "--status", "sleeping", cwd=tmp_path).returncode == 2


def test_ctrl_c_cancels_the_run_and_exits_130(tmp_path: Path) -> None:
    # the pids appear once the sleeping cell runs, so Ctrl-C always lands in it
    sleeper = announce("slow.pids") + "\ntime.sleep(120)"
    write_notebook(tmp_path / "slow.ipynb", "import time", sleeper)
    process = subprocess.Popen(
        [AUTOFLOW, "run", "slow.ipynb"], cwd=tmp_path, stdout=subprocess.PIPE,
        stderr=subprocess.PIPE, text=True,
    )  # fmt: skip
    try:
        kernel, _ = asyncio.run(pids_from(tmp_path / "slow.pids"))
        process.send_signal(signal.SIGINT)
        _, stderr = process.communicate(timeout=60)
    finally:
        process.kill()

    assert process.returncode == 130, stderr
    assert "Run 1 cancelled in cell 2: Cancelled: cancelled in cell 2" in stderr
    asyncio.run(wait_until_gone(kernel))
    assert autoflow("runs", cwd=tmp_path).stdout.splitlines()[1].split()[:2] == ["1", "cancelled"]


def test_runs_filters_by_status_and_notebook(tmp_path: Path) -> None:
    write_notebook(tmp_path / "good.ipynb", "1")
    write_notebook(tmp_path / "bad.ipynb", "1 / 0")
    for notebook in ("good.ipynb", "bad.ipynb", "good.ipynb"):
        autoflow("run", "-q", notebook, cwd=tmp_path)

    def ids(*args: str) -> list[str]:
        done = autoflow("runs", *args, cwd=tmp_path)
        assert done.returncode == 0, done.stderr
        return [line.split()[0] for line in done.stdout.splitlines()[1:]]

    assert ids() == ["3", "2", "1"]
    assert ids("--status", "failed") == ["2"]
    assert ids("--notebook", "good.ipynb") == ["3", "1"]
    assert ids("--status", "succeeded", "-n", "1") == ["3"]


async def test_run_from_the_command_line_shows_in_the_servers_history(
    jp_root_dir: Path, api
) -> None:
    write_notebook(jp_root_dir / "cli.ipynb", "1 + 1")

    process = await asyncio.create_subprocess_exec(
        AUTOFLOW, "run", "-q", "cli.ipynb", cwd=jp_root_dir,
        stdout=subprocess.PIPE, stderr=subprocess.PIPE,
    )  # fmt: skip
    _, stderr = await asyncio.wait_for(process.communicate(), timeout=180)

    assert process.returncode == 0, stderr
    _, page = await api("GET", "runs", status="succeeded", notebook="cli.ipynb")
    assert [(run["notebook"], run["status"]) for run in page["runs"]] == [
        ("cli.ipynb", "succeeded")
    ]
    _, none = await api("GET", "runs", status="failed")
    assert none["runs"] == []
