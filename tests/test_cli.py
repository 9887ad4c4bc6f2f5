"""The ``autoflow`` command.

Refusals, usage and settings are checked in-process through ``cli.main`` (the
parsing and wiring are what they test); runs still execute in real kernels.
The installed script runs as a user runs it where the script itself, Ctrl-C or
a server sharing the history is what is tested.
"""

from __future__ import annotations

import asyncio
import json
import signal
import subprocess
import sys
from pathlib import Path

import pytest

from autoflow_lab import cli

from .notebooks import announce, read_notebook, stream_text, write_notebook
from .processes import pids_from, wait_until_gone

AUTOFLOW = str(Path(sys.executable).with_name("autoflow"))


@pytest.fixture
def root(command_root: Path) -> Path:
    return command_root


def configure(root: Path, **settings: object) -> None:
    """Write AutoflowApp ``settings`` where the server would read them."""
    config = root.parent / "config"
    config.mkdir(exist_ok=True)
    document = {"AutoflowApp": settings}
    (config / "jupyter_server_config.json").write_text(json.dumps(document))


def autoflow(*args: str, cwd: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [AUTOFLOW, *args], cwd=cwd, capture_output=True, text=True, timeout=180, check=False
    )


def run_in_process(capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, str, str]:
    """``autoflow ARGS`` in this process: (exit status, stdout, stderr)."""
    status = cli.main(list(args))
    out, err = capsys.readouterr()
    return status, out, err


def listed_ids(capsys: pytest.CaptureFixture[str], *args: str) -> list[str]:
    status, out, err = run_in_process(capsys, "runs", *args)
    assert status == 0, err
    return [line.split()[0] for line in out.splitlines()[1:]]


def write_greeting(root: Path) -> None:
    write_notebook(
        root / "greet.ipynb",
        "print(f'{greeting}, {name}! ' * repeat)",
        parameters="greeting = 'Hello'\nname = 'analyst'  # who to greet\nrepeat = 1",
    )


def test_run_succeeds_prints_the_executed_notebook_and_joins_the_history(root: Path) -> None:
    write_greeting(root)
    (root / "params.yaml").write_text("name: team\nrepeat: 1\n")

    done = autoflow("run", "greet.ipynb", "-f", "params.yaml", "-p", "repeat", "2", cwd=root)

    assert done.returncode == 0, done.stderr
    output = Path(done.stdout.strip())
    assert output.is_relative_to(root / "autoflow-runs" / "greet")
    assert stream_text(read_notebook(output).cells[-1]) == "Hello, team! Hello, team! \n"
    assert "Run 1 succeeded" in done.stderr
    listed = autoflow("runs", cwd=root)
    assert listed.returncode == 0
    assert listed.stdout.splitlines()[1].split()[:3] == ["1", "succeeded", "greet.ipynb"]


def test_failed_run_exits_1_with_the_error_summary(
    root: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    write_notebook(root / "bad.ipynb", "x = 1", "raise ValueError('bad input data')")

    status, out, err = run_in_process(capsys, "run", "bad.ipynb", "--quiet")

    assert status == 1
    assert out == ""
    assert "Run 1 failed in cell 2: ValueError: bad input data" in err
    assert "Executed notebook: " in err
    assert "Log: " in err


def test_untyped_parameters_are_read_as_papermill_reads_them(
    root: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    # Given parameters whose default None declares no type, and one typed parameter
    write_notebook(
        root / "values.ipynb",
        "print(repr((a, b, c, d, e, raw, count)))",
        parameters="a = None\nb = None\nc = None\nd = None\ne = None\nraw = None\ncount = 0",
    )

    # When -p gives them text, -r a raw string, and -p a number to the typed one
    status, out, err = run_in_process(
        capsys, "run", "values.ipynb", "-p", "a", "3", "-p", "b", "2.5", "-p", "c", "True",
        "-p", "d", "None", "-p", "e", "hello", "-r", "raw", "3", "-p", "count", "7",
    )  # fmt: skip

    # Then untyped values are read like papermill's -p, the raw one and the typed one as usual
    assert status == 0, err
    printed = stream_text(read_notebook(Path(out.strip())).cells[-1])
    assert printed == "(3, 2.5, True, None, 'hello', '3', 7)\n"


def test_progress_draws_no_bar_off_a_terminal(
    root: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    write_notebook(root / "cells.ipynb", *[f"x = {n}" for n in range(8)])

    status, _, err = run_in_process(capsys, "run", "cells.ipynb")

    assert status == 0, err
    assert "\r" not in err
    assert "cell/s" not in err
    assert [line for line in err.splitlines() if line.startswith("Run")] == [
        "Run 1 of cells.ipynb queued",
        "Run 1 succeeded",
    ]


def test_a_run_outside_any_history_warns_that_it_starts_a_new_one(
    root: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    write_notebook(root / "first.ipynb", "1")
    database = root / "autoflow-runs" / ".autoflow.sqlite"

    status, _, first = run_in_process(capsys, "run", "first.ipynb")
    _, _, second = run_in_process(capsys, "run", "first.ipynb")

    assert status == 0, first
    warning, queued = first.splitlines()[:2]
    assert warning.startswith("autoflow: warning: no run history in ")
    assert str(database) in warning
    assert "--root" in warning
    assert queued == "Run 1 of first.ipynb queued"
    assert "warning" not in second


def test_listing_without_a_history_creates_none(
    root: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    status, out, err = run_in_process(capsys, "runs")

    assert status == 0
    assert out.splitlines()[1:] == []
    assert "no run history" in err
    assert "--root" in err
    assert not (root / "autoflow-runs").exists()


def test_refused_requests_exit_2_and_record_nothing(
    root: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    write_greeting(root)
    (root / "list.yaml").write_text("- 1\n- 2\n")
    (root / "broken.yaml").write_text("name: [unclosed\n")
    outside = root.parent / "outside.ipynb"
    write_notebook(outside, "1")
    (root / "loop.ipynb").symlink_to(root / "loop.ipynb")

    cases = {
        ("greet.ipynb", "-p", "nope", "1"): "unknown parameter 'nope'",
        ("greet.ipynb", "-p", "repeat", "many"): "repeat",
        ("greet.ipynb", "-f", "list.yaml"): "must hold a mapping",
        ("greet.ipynb", "-f", "broken.yaml"): "cannot read parameter file",
        ("greet.ipynb", "-f", "missing.yaml"): "cannot read parameter file",
        ("greet.ipynb", "--pass-env", "AUTOFLOW_UNSET"): "unset variables: AUTOFLOW_UNSET",
        (str(outside),): "outside the root directory",
        ("missing.ipynb",): "does not exist",
        ("loop.ipynb",): "loop.ipynb cannot be resolved",
    }
    for args, words in cases.items():
        status, out, err = run_in_process(capsys, "run", *args)
        assert (status, out, words in err) == (2, "", True), (args, err)

    assert not (root / "autoflow-runs").exists()
    assert listed_ids(capsys) == []


def test_an_unknown_kernel_is_refused_with_the_option_that_chooses_one(
    root: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    write_greeting(root)

    status, _, err = run_in_process(capsys, "run", "greet.ipynb", "-k", "no-such-kernel")

    assert status == 2
    message, hint = err.splitlines()[-2:]
    assert "no-such-kernel" in message
    assert hint == "autoflow: use -k/--kernel KERNEL"
    assert listed_ids(capsys) == []


def test_a_bad_time_limit_is_refused_in_the_options_words(
    root: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    write_greeting(root)

    status, _, err = run_in_process(capsys, "run", "greet.ipynb", "--cell-timeout", "0")

    assert status == 2
    assert err.splitlines() == [
        "autoflow: --cell-timeout: Input should be greater than 0",
        "autoflow: use --cell-timeout SECONDS",
    ]


def test_usage_errors_exit_2_and_help_documents_the_commands(
    root: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    with pytest.raises(SystemExit) as help_exit:
        cli.main(["--help"])
    help_text = capsys.readouterr().out
    with pytest.raises(SystemExit):
        cli.main(["run", "--help"])
    run_help = capsys.readouterr().out

    assert help_exit.value.code == 0
    for words in ("run", "runs", "exit status", "130", "jupyter_server_config"):
        assert words in help_text
    for option in ("--parameter", "--raw", "--param-file", "--timeout", "--cell-timeout", "--root"):
        assert option in run_help
    for args in (["run"], ["runs", "--status", "sleeping"]):
        with pytest.raises(SystemExit) as usage:
            cli.main(args)
        assert usage.value.code == 2


def test_settings_come_from_the_servers_configuration_files(
    root: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    # Given the server's configuration keeps one run per notebook, in its own folder
    configure(root, keep_runs_per_notebook=1, outputs_dir="history")
    write_notebook(root / "kept.ipynb", "1")

    # When the command runs the notebook twice
    run_in_process(capsys, "run", "kept.ipynb")
    status, out, err = run_in_process(capsys, "run", "kept.ipynb")

    # Then the runs went where the server puts them, and only the latest is kept
    assert status == 0, err
    assert Path(out.strip()).is_relative_to(root / "history" / "kept")
    assert listed_ids(capsys) == ["2"]


def test_configured_kernel_env_vars_reach_the_kernel(
    root: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    # Given the server passes two variables into kernels, one of them unset here
    configure(root, kernel_env_vars=["AUTOFLOW_TEST_TOKEN", "AUTOFLOW_TEST_UNSET"])
    monkeypatch.setenv("AUTOFLOW_TEST_TOKEN", "s3cret-value")
    monkeypatch.delenv("AUTOFLOW_TEST_UNSET", raising=False)
    write_notebook(
        root / "env.ipynb",
        "import os\nprint([name in os.environ for name in "
        "('AUTOFLOW_TEST_TOKEN', 'AUTOFLOW_TEST_UNSET')])",
    )

    # When the command runs a notebook
    status, out, err = run_in_process(capsys, "run", "env.ipynb")

    # Then the set one reaches the kernel, and the unset one is named in a warning
    assert status == 0, err
    assert stream_text(read_notebook(Path(out.strip())).cells[-1]) == "[True, False]\n"
    assert "kernel_env_vars not set here: AUTOFLOW_TEST_UNSET" in err


def test_options_override_the_configuration_files(
    root: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    configure(root, outputs_dir="history")

    _, _, err = run_in_process(capsys, "runs", "--outputs-dir", "elsewhere")

    assert str(root / "elsewhere" / ".autoflow.sqlite") in err


def test_unreadable_or_invalid_configuration_is_refused(
    root: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    configure(root, max_concurrent_runs=0)
    status, _, invalid = run_in_process(capsys, "runs")
    (root.parent / "config" / "jupyter_server_config.json").write_text("{not json")
    broken_status, _, broken = run_in_process(capsys, "runs")

    assert status == 2
    assert "Invalid AutoflowApp setting" in invalid
    assert "'max_concurrent_runs'" in invalid
    assert broken_status == 2
    assert "Cannot read the configuration file" in broken
    assert "jupyter_server_config.json" in broken


@pytest.mark.parametrize(
    ("setting", "value"),
    [("cell_timeout", 1e306), ("run_timeout", 1e306), ("keep_runs_days", 1e306)],
)
def test_time_settings_beyond_their_bounds_are_refused(
    root: Path, capsys: pytest.CaptureFixture[str], setting: str, value: float
) -> None:
    configure(root, **{setting: value})

    status, _, err = run_in_process(capsys, "runs")

    assert status == 2
    assert f"{setting} must be at most" in err


def test_an_outputs_folder_outside_the_root_is_refused(
    root: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    status, _, err = run_in_process(capsys, "runs", "--outputs-dir", "../elsewhere")

    assert status == 2
    assert "must be a folder inside the server root" in err
    assert not (root.parent / "elsewhere").exists()


def test_a_heartbeat_slower_than_the_owner_timeout_is_refused_before_anything_is_created(
    root: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    configure(root, owner_timeout=5, heartbeat_interval=10)
    write_notebook(root / "one.ipynb", "1")

    status, _, err = run_in_process(capsys, "run", "one.ipynb")

    assert status == 2
    assert err.splitlines() == [
        "autoflow: AutoflowApp.owner_timeout (5 s) must be longer than "
        "AutoflowApp.heartbeat_interval (10 s), or every instance would be taken for gone "
        "between two heartbeats."
    ]
    assert not (root / "autoflow-runs").exists()


def test_ctrl_c_cancels_the_run_and_exits_130(root: Path) -> None:
    # the pids appear once the sleeping cell runs, so Ctrl-C always lands in it
    sleeper = announce("slow.pids") + "\ntime.sleep(120)"
    write_notebook(root / "slow.ipynb", "import time", sleeper)
    process = subprocess.Popen(
        [AUTOFLOW, "run", "slow.ipynb"], cwd=root, stdout=subprocess.PIPE,
        stderr=subprocess.PIPE, text=True,
    )  # fmt: skip
    try:
        kernel, _ = asyncio.run(pids_from(root / "slow.pids"))
        process.send_signal(signal.SIGINT)
        _, stderr = process.communicate(timeout=60)
    finally:
        process.kill()

    assert process.returncode == 130, stderr
    assert "Run 1 cancelled in cell 2: Cancelled: cancelled in cell 2" in stderr
    asyncio.run(wait_until_gone(kernel))
    assert autoflow("runs", cwd=root).stdout.splitlines()[1].split()[:2] == ["1", "cancelled"]


def test_runs_filters_by_status_and_notebook(
    root: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    write_notebook(root / "good.ipynb", "1")
    write_notebook(root / "bad.ipynb", "1 / 0")
    for notebook in ("good.ipynb", "bad.ipynb", "good.ipynb"):
        run_in_process(capsys, "run", "-q", notebook)

    assert listed_ids(capsys) == ["3", "2", "1"]
    assert listed_ids(capsys, "--status", "failed") == ["2"]
    assert listed_ids(capsys, "--notebook", "good.ipynb") == ["3", "1"]
    assert listed_ids(capsys, "--status", "succeeded", "-n", "1") == ["3"]


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
    assert b"warning" not in stderr  # the server's history was there to join
    _, page = await api("GET", "runs", status="succeeded", notebook="cli.ipynb")
    assert [(run["notebook"], run["status"]) for run in page["runs"]] == [
        ("cli.ipynb", "succeeded")
    ]
    _, none = await api("GET", "runs", status="failed")
    assert none["runs"] == []
