"""Date stencils: which days of data a run for a reference date needs, as FlowKit defines them.

A stencil is a list of elements. Each is an absolute date (``"2016-01-01"``), a
whole number of days from the reference date (``-3``), or a ``[start, end]`` pair
of those. A single element ``x`` is the half-open range ``[x, x+1)``; a pair is
``[start, end)``. The default, ``[0]``, is the reference date alone.

At a reference date the stencil gives the runs' ``date_ranges``: at 2016-01-07,
``[["2016-01-01", "2016-01-03"], -3, [-2, 0]]`` gives ``[[2016-01-01, 2016-01-03],
[2016-01-04, 2016-01-05], [2016-01-05, 2016-01-07]]``. A date qualifies for a run
when every day of every range is available.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any

from ..dates import written_date
from ..errors import InvalidInput

Bound = int | date
DEFAULT_STENCIL: list[Any] = [0]
# Far enough for any data history, near enough that date arithmetic never overflows.
MAX_OFFSET_DAYS = 36_600


@dataclass(frozen=True)
class Stencil:
    """A parsed stencil: half-open ``[start, end)`` intervals of offsets or dates."""

    intervals: tuple[tuple[Bound, Bound], ...]

    def date_ranges(self, reference: date) -> list[tuple[date, date]]:
        """The ``[start, end)`` ranges at ``reference``; ``EmptyRange`` if one holds no day."""
        ranges = []
        for position, (start, end) in enumerate(self.intervals):
            first, after = _at(start, reference, position), _at(end, reference, position)
            if after <= first:
                raise EmptyRange(position, first, after, reference)
            ranges.append((first, after))
        return ranges

    def dates(self, reference: date) -> set[date]:
        """Every day the stencil needs at ``reference``."""
        days: set[date] = set()
        for first, after in self.date_ranges(reference):
            days.update(first + timedelta(days=n) for n in range((after - first).days))
        return days

    def is_available(self, reference: date, available: set[date]) -> bool:
        """Whether every day the stencil needs at ``reference`` is in ``available``.

        A stencil that has an empty range at ``reference`` (a pair mixing a date and
        an offset that cross) needs days that cannot be: it is never available.
        """
        try:
            return self.dates(reference) <= available
        except InvalidInput:  # an empty range, or one past the calendar's end
            return False


class EmptyRange(InvalidInput):
    """A stencil element whose range holds no day at a reference date."""

    def __init__(self, position: int, first: date, after: date, reference: date) -> None:
        super().__init__(
            f"Element {position} of the date stencil is the range [{first}, {after}) at "
            f"reference date {reference}, which holds no day: its end must come after its "
            "start.",
            field=f"trigger.stencil.{position}",
        )


def parse_stencil(raw: Any, field: str = "trigger.stencil") -> Stencil:
    """A stencil from its JSON form, or ``InvalidInput`` naming the element at fault."""
    if not isinstance(raw, list | tuple):
        raise InvalidInput(
            "A date stencil is a list such as [0] or [[-7, 0]]: dates, day offsets from the "
            f"reference date, or [start, end) pairs of them; got {raw!r}.",
            field=field,
        )
    if not raw:
        raise InvalidInput(
            "A date stencil needs at least one element; [0] is the reference date alone.",
            field=field,
        )
    intervals = []
    for position, element in enumerate(raw):
        where = f"{field}.{position}"
        if isinstance(element, list | tuple):
            intervals.append(_pair(element, position, where))
        else:
            bound = _bound(element, position, where)
            intervals.append((bound, _next_day(bound)))
    return Stencil(tuple(intervals))


def date_ranges_json(stencil: Stencil, reference: date) -> list[list[str]]:
    """The ``date_ranges`` parameter a run for ``reference`` gets: ISO ``[start, end)`` pairs."""
    return [
        [first.isoformat(), after.isoformat()] for first, after in stencil.date_ranges(reference)
    ]


def qualifying_dates(
    available: Iterable[date],
    stencil: Stencil,
    earliest: date | None = None,
    since: date | None = None,
) -> list[date]:
    """The reference dates to run, oldest first: available days on or after ``earliest``
    and ``since`` whose stencil is fully available."""
    days = set(available)
    complete = sorted(day for day in days if stencil.is_available(day, days))
    return on_or_after(complete, earliest, since)


def on_or_after(days: list[date], *floors: date | None) -> list[date]:
    """The ``days`` on or after every one of ``floors`` that is given."""
    floor = max((day for day in floors if day is not None), default=None)
    return days if floor is None else [day for day in days if day >= floor]


def _pair(element: Sequence[Any], position: int, where: str) -> tuple[Bound, Bound]:
    if len(element) != 2:
        raise InvalidInput(
            f"Element {position} of the date stencil, {list(element)!r}, is a list of "
            f"{len(element)}: a range is a pair [start, end), each a date or a day offset.",
            field=where,
        )
    start = _bound(element[0], position, f"{where}.0")
    end = _bound(element[1], position, f"{where}.1")
    if type(start) is type(end) and end <= start:  # type: ignore[operator]
        raise InvalidInput(
            f"Element {position} of the date stencil, [{_text(start)}, {_text(end)}], holds no "
            "day: a range is [start, end) and its end must come after its start.",
            field=where,
        )
    return start, end


def _bound(value: Any, position: int, where: str) -> Bound:
    if isinstance(value, date):
        return value
    if isinstance(value, int) and not isinstance(value, bool):
        if abs(value) > MAX_OFFSET_DAYS:
            raise InvalidInput(
                f"Element {position} of the date stencil offsets {value} days from the "
                f"reference date; at most {MAX_OFFSET_DAYS} either way.",
                field=where,
            )
        return value
    written = written_date(value)
    if written is not None:
        return written
    raise InvalidInput(
        f"Element {position} of the date stencil has {value!r}, which is neither a date "
        "(YYYY-MM-DD) nor a whole number of days from the reference date.",
        field=where,
    )


def _at(bound: Bound, reference: date, position: int) -> date:
    if isinstance(bound, date):
        return bound
    try:
        return reference + timedelta(days=bound)
    except OverflowError:
        raise InvalidInput(
            f"Element {position} of the date stencil falls outside the calendar at reference "
            f"date {reference}.",
            field=f"trigger.stencil.{position}",
        ) from None


def _next_day(bound: Bound) -> Bound:
    return bound + timedelta(days=1) if isinstance(bound, date) else bound + 1


def _text(bound: Bound) -> str:
    return bound.isoformat() if isinstance(bound, date) else str(bound)
