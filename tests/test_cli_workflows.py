"""``autoflow run WORKFLOW.autoflow.yaml`` and workflow schedules on the command line."""

from __future__ import annotations

from pathlib import Path

import pytest

from .notebooks import write_notebook
from .test_cli import run_in_process

WORKFLOW = """\
name: Doubling
parameters:
  n:
steps:
  - key: double
    notebook: double.ipynb
    parameters:
      n: {from: parameters.n}
  - key: show
    notebook: show.ipynb
    parameters:
      upstream: {from: steps.double}
"""


@pytest.fixture
def workflow(command_root: Path) -> str:
    write_notebook(
        command_root / "double.ipynb",
        "import scrapbook as sb\nif n < 0:\n    raise ValueError('n must not be negative')",
        "sb.glue('doubled', n * 2)",
        parameters="n = 1",
    )
    write_notebook(
        command_root / "show.ipynb",
        "import scrapbook as sb\nprint(sb.read_notebook(upstream).scraps['doubled'].data)",
        parameters="upstream = ''",
    )
    (command_root / "doubling.autoflow.yaml").write_text(WORKFLOW, encoding="utf-8")
    return "doubling.autoflow.yaml"


def test_run_of_a_workflow_prints_each_step_and_its_executed_notebook(
    capsys, command_root: Path, workflow: str
) -> None:
    # When the workflow is run with its parameter
    status, out, err = run_in_process(capsys, "run", workflow, "-p", "n", "21")

    # Then it succeeds, tells each step's progress, and lists every executed notebook
    assert status == 0, err
    assert "step double: succeeded" in err
    assert "step show: succeeded" in err
    assert "Workflow run 1 succeeded" in err
    rows = out.splitlines()[1:]
    assert [row.split()[:2] for row in rows] == [["double", "succeeded"], ["show", "succeeded"]]
    shown = Path(rows[1].split()[2])
    assert shown.is_file()
    assert shown.is_relative_to(command_root)
    assert "42" in (shown.parent / "run.log").read_text()


def test_failed_step_exits_1_naming_the_step_and_cell_and_skips_the_next(
    capsys, workflow: str
) -> None:
    # When a step fails
    status, out, err = run_in_process(capsys, "run", workflow, "-p", "n", "-1")

    # Then the command exits 1, saying which step failed where, and the next step is skipped
    assert status == 1
    assert "Step 'double' failed in cell 2: ValueError: n must not be negative" in err
    assert [row.split()[:2] for row in out.splitlines()[1:]] == [
        ["double", "failed"],
        ["show", "skipped"],
    ]


@pytest.mark.parametrize(
    ("args", "words"),
    [
        ((), "needs a value for 'n'"),
        (("-p", "n", "1", "-p", "m", "2"), "has no parameter 'm'"),
        (("-p", "n", "1", "--timeout", "5"), "--timeout cannot be given for a workflow"),
    ],
)
def test_bad_workflow_run_is_refused_with_status_2(
    capsys, workflow: str, args: tuple[str, ...], words: str
) -> None:
    status, _, err = run_in_process(capsys, "run", workflow, *args)

    assert status == 2
    assert words in err


def test_schedule_add_takes_a_workflow_and_its_parameters(capsys, workflow: str) -> None:
    # When a workflow is scheduled on the command line
    status, out, err = run_in_process(
        capsys, "schedule", "add", workflow, "--cron", "0 6 * * *", "--tz", "UTC", "-p", "n", "3"
    )

    # Then the schedule is stored with the workflow's name and parameters
    assert status == 0, err
    assert "(doubling)" in out
    status, out, err = run_in_process(capsys, "schedules")
    assert "doubling.autoflow.yaml" in out
