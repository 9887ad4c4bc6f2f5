"""Date stencils: FlowKit's semantics, and refusals naming the element at fault."""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

import pytest

from autoflow_lab.errors import InvalidInput
from autoflow_lab.scheduling.stencils import (
    DEFAULT_STENCIL,
    date_ranges_json,
    parse_stencil,
    qualifying_dates,
)

D = date.fromisoformat


def days(first: str, count: int) -> set[date]:
    return {D(first) + timedelta(days=n) for n in range(count)}


def test_flowkit_example_gives_its_date_ranges() -> None:
    stencil = parse_stencil([["2016-01-01", "2016-01-03"], -3, [-2, 0]])

    ranges = date_ranges_json(stencil, D("2016-01-07"))

    assert ranges == [
        ["2016-01-01", "2016-01-03"],
        ["2016-01-04", "2016-01-05"],
        ["2016-01-05", "2016-01-07"],
    ]


def test_default_stencil_is_the_reference_date_alone() -> None:
    stencil = parse_stencil(DEFAULT_STENCIL)

    assert date_ranges_json(stencil, D("2016-01-07")) == [["2016-01-07", "2016-01-08"]]
    assert stencil.dates(D("2016-01-07")) == {D("2016-01-07")}


def test_a_single_absolute_date_is_that_day() -> None:
    stencil = parse_stencil(["2016-01-02"])

    assert stencil.dates(D("2016-03-01")) == {D("2016-01-02")}


def test_dates_of_a_pair_exclude_its_end() -> None:
    stencil = parse_stencil([[-7, 0]])

    assert stencil.dates(D("2016-01-08")) == days("2016-01-01", 7)


def test_mixed_pair_is_checked_at_each_reference_date() -> None:
    # Given a range from an absolute date to an offset
    stencil = parse_stencil([["2016-01-03", 0]])

    # Then it holds days after its start, and none at or before it
    assert stencil.dates(D("2016-01-05")) == days("2016-01-03", 2)
    with pytest.raises(InvalidInput) as refusal:
        stencil.date_ranges(D("2016-01-03"))
    assert refusal.value.field == "trigger.stencil.0"
    assert not stencil.is_available(D("2016-01-03"), days("2016-01-01", 10))


def test_date_qualifies_only_when_its_whole_stencil_is_available() -> None:
    available = days("2016-01-01", 10)  # 1 to 10 January
    stencil = parse_stencil([[-3, 1]])

    assert qualifying_dates(available, stencil) == sorted(days("2016-01-04", 7))


def test_qualifying_dates_honour_earliest_and_since_oldest_first() -> None:
    available = days("2016-01-01", 10)
    stencil = parse_stencil([0])

    chosen = qualifying_dates(available, stencil, earliest=D("2016-01-03"), since=D("2016-01-05"))

    assert chosen == sorted(days("2016-01-05", 6))


def test_gap_in_the_data_holds_back_dates_needing_it() -> None:
    available = days("2016-01-01", 10) - {D("2016-01-05")}
    stencil = parse_stencil([[-1, 1]])

    chosen = qualifying_dates(available, stencil)

    assert [day for day in chosen if D("2016-01-04") <= day <= D("2016-01-07")] == [
        D("2016-01-04"),
        D("2016-01-07"),
    ]


@pytest.mark.parametrize(
    ("raw", "field", "words"),
    [
        ("[0]", "trigger.stencil", "is a list"),
        ([], "trigger.stencil", "at least one element"),
        ([0, True], "trigger.stencil.1", "neither a date"),
        ([0, 1.5], "trigger.stencil.1", "neither a date"),
        (["2016-02-30"], "trigger.stencil.0", "neither a date"),
        (["20160101"], "trigger.stencil.0", "neither a date"),
        ([0, [1, 2, 3]], "trigger.stencil.1", "a list of 3"),
        ([[0, -2]], "trigger.stencil.0", "end must come after its start"),
        ([[0, 0]], "trigger.stencil.0", "end must come after its start"),
        ([["2016-01-03", "2016-01-01"]], "trigger.stencil.0", "[2016-01-03, 2016-01-01]"),
        ([[0, "x"]], "trigger.stencil.0.1", "'x'"),
        ([10**6], "trigger.stencil.0", "at most"),
        ([None], "trigger.stencil.0", "None"),
    ],
)
def test_invalid_stencils_are_refused_naming_the_element(raw: Any, field: str, words: str) -> None:
    with pytest.raises(InvalidInput) as refusal:
        parse_stencil(raw)

    assert refusal.value.field == field
    assert words in refusal.value.message


def test_stencil_past_the_calendar_is_never_available() -> None:
    stencil = parse_stencil([[0, 2]])

    assert not stencil.is_available(date.max, {date.max})
