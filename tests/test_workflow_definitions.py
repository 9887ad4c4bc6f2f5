"""Reading ``.autoflow.yaml`` definitions, without a server: every problem a person can
write, each placed at the line they would look at, and the dependency order."""

from __future__ import annotations

from textwrap import dedent
from typing import Any

import pytest

from autoflow_lab.workflows import Reference, parse


def _read(text: str) -> Any:
    return parse(dedent(text).lstrip("\n"))


def _problems(text: str) -> list[tuple[str, int | None, str | None]]:
    """Each issue as (message, line, field); the definition must be refused."""
    parsed = _read(text)
    assert parsed.definition is None
    return [(issue.message, issue.line, issue.field) for issue in parsed.issues]


def _order(text: str) -> list[str]:
    definition = _read(text).definition
    assert definition is not None
    return [step.key for step in definition.steps]


# Problems of the file as a whole


def test_yaml_that_does_not_parse_is_placed_at_its_line() -> None:
    # Given a step whose second key is indented one space too far
    text = """
        name: Broken
        steps:
          - key: a
           notebook: a.ipynb
        """

    # Then the issue says the YAML is invalid, at line 4 where the bad indent is
    [(message, line, field)] = _problems(text)
    assert message.startswith("This is not valid YAML: ")
    assert "expected <block end>" in message
    assert (line, field) == (4, None)


def test_unclosed_flow_sequence_is_placed_where_the_parser_stopped() -> None:
    [(message, line, _)] = _problems("name: x\nsteps: [\n  - key: a\n")

    assert message.startswith("This is not valid YAML: ")
    assert line == 3


def test_a_list_is_not_a_workflow() -> None:
    assert _problems("- a\n- b\n") == [
        (
            "The file is not a mapping: a workflow is a mapping with a 'name' and 'steps'.",
            1,
            None,
        )
    ]


def test_an_empty_file_is_not_a_workflow() -> None:
    # An empty document has no line to point at: the issue is about the whole file
    assert _problems("") == [
        ("The file is empty: a workflow is a mapping with a 'name' and 'steps'.", None, None)
    ]


def test_missing_name_is_reported_at_the_top() -> None:
    text = """
        steps:
          - key: a
            notebook: a.ipynb
        """

    assert _problems(text) == [("The workflow needs 'name'.", 1, None)]


def test_missing_steps_is_reported_at_the_top() -> None:
    assert _problems("description: nothing yet\nname: Empty\n") == [
        ("The workflow needs 'steps'.", 1, None)
    ]


def test_empty_steps_ask_for_a_step_at_their_line() -> None:
    assert _problems("name: Empty\nsteps: []\n") == [
        ("The workflow has no steps: add at least one notebook step.", 2, "steps")
    ]


def test_unknown_keys_are_named_with_what_is_allowed_at_their_own_lines() -> None:
    # Given a misspelt key at the top and in a step, beside x- keys an editor keeps
    text = """
        name: Colours
        x-editor: {zoom: 2}
        colour: red
        steps:
          - key: a
            notebook: a.ipynb
            x-position: [10, 20]
            colour: blue
        """

    # Then the two unknown keys are issues at their lines, and the x- keys are not
    assert _problems(text) == [
        (
            "Unknown key 'colour' in the workflow; it takes description, name, parameters, "
            "steps (keys starting with 'x-' are kept and ignored).",
            3,
            "colour",
        ),
        (
            "Unknown key 'colour' in step 'a'; it takes after, cell_timeout, kernel, key, "
            "notebook, parameters, report, retries, timeout (keys starting with 'x-' are kept "
            "and ignored).",
            8,
            "steps.0.colour",
        ),
    ]


def test_x_keys_are_accepted_everywhere_a_definition_allows_them() -> None:
    text = """
        name: Annotated
        x-editor: {zoom: 2}
        parameters:
          day:
            default: 1
            x-widget: slider
        steps:
          - key: a
            notebook: a.ipynb
            x-position: [10, 20]
            report: {formats: [html], x-note: kept}
        """

    parsed = _read(text)

    assert parsed.issues == []
    assert parsed.definition is not None
    assert parsed.data["x-editor"] == {"zoom": 2}
    assert parsed.data["steps"][0]["x-position"] == [10, 20]


# Problems between steps


def test_two_steps_with_one_key_point_at_the_second() -> None:
    text = """
        name: Twice
        steps:
          - key: load
            notebook: a.ipynb
          - key: load
            notebook: b.ipynb
        """

    assert _problems(text) == [
        ("Two steps are called 'load'; each step needs its own key.", 5, "steps.1.key")
    ]


def test_two_steps_depending_on_each_other_are_a_cycle_named_in_the_message() -> None:
    # Given a that waits for b, and b that reads a's executed notebook
    text = """
        name: Loop
        steps:
          - key: a
            notebook: a.ipynb
            after: [b]
          - key: b
            notebook: b.ipynb
            parameters:
              upstream: {from: steps.a}
        """

    # Then one issue names the loop, at the key of its first step
    assert _problems(text) == [
        (
            "These steps depend on each other in a cycle: a → b → a. Remove one dependency.",
            3,
            "steps.0.key",
        )
    ]


def test_three_steps_in_a_loop_are_a_cycle_named_in_the_message() -> None:
    text = """
        name: Triangle
        steps:
          - key: a
            notebook: a.ipynb
            after: [c]
          - key: b
            notebook: b.ipynb
            after: [a]
          - key: c
            notebook: c.ipynb
            after: [b]
        """

    [(message, line, field)] = _problems(text)

    assert message == (
        "These steps depend on each other in a cycle: a → b → c → a. Remove one dependency."
    )
    assert (line, field) == (3, "steps.0.key")


def test_reading_a_step_that_does_not_exist_lists_those_that_do() -> None:
    text = """
        name: Typo
        steps:
          - key: calls
            notebook: a.ipynb
          - key: report
            notebook: b.ipynb
            parameters:
              calls_notebook: {from: steps.cals}
        """

    assert _problems(text) == [
        (
            "'steps.cals': there is no step 'cals' (there are 'calls', 'report').",
            8,
            "steps.1.parameters.calls_notebook.from",
        )
    ]


def test_waiting_for_a_step_that_does_not_exist_lists_those_that_do() -> None:
    text = """
        name: Typo
        steps:
          - key: calls
            notebook: a.ipynb
          - key: report
            notebook: b.ipynb
            after: [calls, cals]
        """

    assert _problems(text) == [
        (
            "'after' names step 'cals', which cannot be waited for (there are 'calls', 'report').",
            7,
            "steps.1.after.1",
        )
    ]


def test_a_step_cannot_read_its_own_executed_notebook() -> None:
    text = """
        name: Self
        steps:
          - key: a
            notebook: a.ipynb
            parameters:
              me: {from: steps.a}
        """

    assert _problems(text) == [
        (
            "'steps.a': a step cannot read its own executed notebook.",
            6,
            "steps.0.parameters.me.from",
        )
    ]


def test_a_step_cannot_wait_for_itself() -> None:
    text = """
        name: Self
        steps:
          - key: a
            notebook: a.ipynb
            after: [a]
        """

    assert _problems(text) == [
        (
            "'after' names step 'a', which cannot be waited for (a step cannot wait for itself).",
            5,
            "steps.0.after.0",
        )
    ]


# Problems in one step


def test_reading_an_undeclared_workflow_parameter_says_to_declare_it() -> None:
    text = """
        name: Params
        parameters:
          day:
        steps:
          - key: a
            notebook: a.ipynb
            parameters:
              month: {from: parameters.month}
        """

    assert _problems(text) == [
        (
            "'parameters.month': the workflow has no parameter 'month' (there are 'day'); "
            "declare it under 'parameters'.",
            8,
            "steps.0.parameters.month.from",
        )
    ]


def test_an_unknown_source_lists_the_sources_there_are() -> None:
    text = """
        name: Sources
        steps:
          - key: a
            notebook: a.ipynb
            parameters:
              day: {from: yesterday}
        """

    assert _problems(text) == [
        (
            "Unknown source 'yesterday': a value can come from parameters.<name>, steps.<key>, "
            "reference_date, date_ranges, flowapi_url.",
            6,
            "steps.0.parameters.day.from",
        )
    ]


def test_a_reference_with_another_key_beside_from_is_refused() -> None:
    text = """
        name: Sources
        steps:
          - key: a
            notebook: a.ipynb
            parameters:
              day: {from: reference_date, default: 1}
        """

    assert _problems(text) == [
        (
            "parameter 'day' of step 'a': a value with 'from' or 'literal' must be "
            "{from: <source>} or {literal: <any value>} and nothing else.",
            6,
            "steps.0.parameters.day",
        )
    ]


@pytest.mark.parametrize(
    ("report", "line"),
    [("docx", 5), ("{formats: [html, docx]}", 5), ("{formats: []}", 5)],
)
def test_a_report_in_an_unknown_format_says_what_to_write(report: str, line: int) -> None:
    text = f"""
        name: Reports
        steps:
          - key: a
            notebook: a.ipynb
            report: {report}
        """

    assert _problems(text) == [
        (
            "report of step 'a': write html, pdf, or {formats: [html, pdf], template: <name>}.",
            line,
            "steps.0.report",
        )
    ]


def test_every_problem_comes_back_at_once_in_line_order() -> None:
    text = """
        name: Many
        steps:
          - key: a
            notebook: a.ipynb
            retries: {count: -1}
          - key: b
            notebook: b.ipynb
            timeout: 0
        """

    problems = _problems(text)

    assert [(line, field) for _, line, field in problems] == [
        (5, "steps.0.retries.count"),
        (8, "steps.1.timeout"),
    ]


# A valid definition


def test_literal_unwraps_a_value_that_would_read_as_a_reference() -> None:
    # Given a step given a literal {from: ...} mapping, a date and a plain value
    text = """
        name: Literals
        steps:
          - key: a
            notebook: a.ipynb
            parameters:
              query: {literal: {from: steps.a}}
              day: 2016-01-07
              regions: [north, south]
              source: {from: reference_date}
        """

    [step] = _read(text).definition.steps

    # Then the literal is its content, the date an ISO string, and only from: a reference
    assert step.parameters == {
        "query": {"from": "steps.a"},
        "day": "2016-01-07",
        "regions": ["north", "south"],
        "source": Reference("reference_date"),
    }
    assert step.depends_on == ()


def test_reading_a_step_and_waiting_for_one_both_make_dependencies() -> None:
    text = """
        name: Deps
        steps:
          - key: report
            notebook: r.ipynb
            after: [cleanup, calls]
            parameters:
              calls: {from: steps.calls}
              sms: {from: steps.sms}
          - key: calls
            notebook: c.ipynb
          - key: sms
            notebook: s.ipynb
          - key: cleanup
            notebook: x.ipynb
        """

    definition = _read(text).definition

    assert definition.step("report").depends_on == ("calls", "sms", "cleanup")


def test_steps_come_in_dependency_order_and_in_file_order_among_equals() -> None:
    # Given a report written first, reading two branches written in the order sms, calls
    text = """
        name: Order
        steps:
          - key: report
            notebook: r.ipynb
            parameters:
              calls: {from: steps.calls}
              sms: {from: steps.sms}
          - key: sms
            notebook: s.ipynb
          - key: publish
            notebook: p.ipynb
            after: [report]
          - key: calls
            notebook: c.ipynb
        """

    # Then the branches come first in file order, then the report, then what waits for it
    assert _order(text) == ["sms", "calls", "report", "publish"]


def test_independent_steps_keep_their_file_order() -> None:
    text = """
        name: Flat
        steps:
          - key: c
            notebook: c.ipynb
          - key: a
            notebook: a.ipynb
          - key: b
            notebook: b.ipynb
        """

    assert _order(text) == ["c", "a", "b"]


def test_downstream_holds_the_steps_and_everything_after_them() -> None:
    # Given a diamond a -> (b, c) -> d and a separate step e
    text = """
        name: Diamond
        steps:
          - key: a
            notebook: a.ipynb
          - key: b
            notebook: b.ipynb
            parameters: {x: {from: steps.a}}
          - key: c
            notebook: c.ipynb
            after: [a]
          - key: d
            notebook: d.ipynb
            after: [b, c]
          - key: e
            notebook: e.ipynb
        """
    definition = _read(text).definition

    # Then each step's downstream is itself and what depends on it, directly or not
    assert definition.downstream(["a"]) == {"a", "b", "c", "d"}
    assert definition.downstream(["b"]) == {"b", "d"}
    assert definition.downstream(["d", "e"]) == {"d", "e"}
    assert definition.downstream([]) == set()


def test_workflow_parameters_without_default_are_required() -> None:
    text = """
        name: Params
        parameters:
          region:
          days:
            default: 7
            description: Window length
          quiet: {description: No output}
        steps:
          - key: a
            notebook: a.ipynb
        """

    definition = _read(text).definition

    assert [(p.name, p.required, p.default, p.description) for p in definition.parameters] == [
        ("region", True, None, ""),
        ("days", False, 7, "Window length"),
        ("quiet", True, None, "No output"),
    ]


def test_retries_report_and_timeouts_are_read_into_the_step() -> None:
    text = """
        name: Options
        steps:
          - key: a
            notebook: a.ipynb
            timeout: 60
            cell_timeout: 5.5
            kernel: python3
            retries: {count: 2, backoff: 3}
            report: pdf
        """

    [step] = _read(text).definition.steps

    assert (step.timeout, step.cell_timeout, step.kernel) == (60, 5.5, "python3")
    assert (step.retries.count, step.retries.backoff) == (2, 3)
    assert [step.retries.delay(n) for n in (1, 2, 3)] == [3, 6, 12]
    assert (step.report.formats, step.report.template) == (("pdf",), None)


def test_values_json_cannot_hold_are_refused_where_they_are_written() -> None:
    text = """
        name: Odd values
        parameters:
          limit: {default: .inf}
        steps:
          - key: a
            notebook: a.ipynb
            parameters:
              ratio: .nan
              blob: !!binary aGVsbG8=
              tags: !!set {north, south}
        """

    assert _problems(text) == [
        (
            "inf is not a number a workflow can hold; write a finite number.",
            3,
            "parameters.limit.default",
        ),
        (
            "nan is not a number a workflow can hold; write a finite number.",
            8,
            "steps.0.parameters.ratio",
        ),
        (
            "YAML binary data cannot be a value here; write a list or a string.",
            9,
            "steps.0.parameters.blob",
        ),
        (
            "A YAML set cannot be a value here; write a list or a string.",
            10,
            "steps.0.parameters.tags",
        ),
    ]
