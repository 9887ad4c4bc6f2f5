"""Schedule triggers: standard cron semantics, daylight-saving changes, bad input."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone
from zoneinfo import ZoneInfo

import pytest

from autoflow_lab.errors import InvalidInput
from autoflow_lab.scheduling import (
    cron_trigger,
    describe_cron,
    interval_trigger,
    next_fire_times,
    once_trigger,
    parse_timezone,
)

LONDON = ZoneInfo("Europe/London")
UTC = timezone.utc
# Friday 27 November 2026, noon in London
FRIDAY = datetime(2026, 11, 27, 12, tzinfo=LONDON)


def local_days(expression: str, count: int = 3) -> list[str]:
    fires = next_fire_times(cron_trigger(expression, LONDON), FRIDAY, count)
    return [fire.astimezone(LONDON).strftime("%a %d %H:%M") for fire in fires]


@pytest.mark.parametrize("sunday", ["0", "7", "sun", "SUN", "sunday"])
def test_day_of_week_0_and_7_and_names_are_sunday(sunday: str) -> None:
    assert local_days(f"0 6 * * {sunday}", 2) == ["Sun 29 06:00", "Sun 06 06:00"]


def test_weekday_numbers_follow_cron_not_apscheduler() -> None:
    # 1-5 is Monday to Friday in cron (APScheduler's from_crontab reads Tuesday to Saturday)
    assert local_days("0 6 * * 1-5", 5) == [
        "Mon 30 06:00",
        "Tue 01 06:00",
        "Wed 02 06:00",
        "Thu 03 06:00",
        "Fri 04 06:00",
    ]


def test_day_of_week_ranges_steps_and_lists() -> None:
    assert local_days("0 6 * * 5-7", 3) == ["Sat 28 06:00", "Sun 29 06:00", "Fri 04 06:00"]
    assert local_days("0 6 * * */3", 3) == ["Sat 28 06:00", "Sun 29 06:00", "Wed 02 06:00"]
    assert local_days("0 6 * * mon,fri", 2) == ["Mon 30 06:00", "Fri 04 06:00"]


def test_both_day_fields_restricted_fire_on_either_as_cron_does() -> None:
    # the 1st of the month or any Monday
    assert local_days("0 6 1 * 1", 3) == ["Mon 30 06:00", "Tue 01 06:00", "Mon 07 06:00"]


def test_an_ambiguous_autumn_time_fires_once() -> None:
    # 01:30 happens twice in London on 25 October 2026 (BST, then GMT)
    fires = next_fire_times(
        cron_trigger("30 1 * * *", LONDON), datetime(2026, 10, 24, 12, tzinfo=LONDON), 3
    )
    assert [fire.astimezone(UTC).strftime("%d %H:%M") for fire in fires] == [
        "25 00:30",  # 01:30 BST
        "26 01:30",  # 01:30 GMT the next day; not 01:30 GMT on the 25th
        "27 01:30",
    ]


def test_a_skipped_spring_time_fires_once() -> None:
    # 01:30 does not exist in London on 29 March 2026 (01:00 GMT -> 02:00 BST)
    fires = next_fire_times(
        cron_trigger("30 1 * * *", LONDON), datetime(2026, 3, 28, 12, tzinfo=LONDON), 3
    )
    assert [fire.astimezone(UTC).strftime("%d %H:%M") for fire in fires] == [
        "29 01:30",  # once, an hour into summer time
        "30 00:30",
        "31 00:30",
    ]


@pytest.mark.parametrize(
    ("expression", "words"),
    [
        ("61 * * * *", "in its minute field ('61')"),
        ("0 24 * * *", "in its hour field ('24')"),
        ("0 6 32 * *", "in its day of month field ('32')"),
        ("0 6 * 13 *", "in its month field ('13')"),
        ("0 6 * * 8", "in its day of week field ('8'): 8 is not a day"),
        ("0 6 * * funday", "in its day of week field ('funday')"),
        ("0 6 * *", "expected 5 fields"),
        ("0 6 * * 5-1", "runs backwards"),
    ],
)
def test_an_invalid_cron_expression_names_its_field(expression: str, words: str) -> None:
    with pytest.raises(InvalidInput, match=f"Invalid cron expression.*{re_escape(words)}") as info:
        cron_trigger(expression, LONDON)
    assert info.value.field == "trigger.expression"


def re_escape(text: str) -> str:
    import re

    return re.escape(text)


def test_unknown_timezones_are_refused_and_none_is_the_servers() -> None:
    with pytest.raises(InvalidInput, match="Unknown timezone 'Mars/Olympus'"):
        parse_timezone("Mars/Olympus")
    assert parse_timezone("Europe/London") == LONDON
    assert parse_timezone(None).utcoffset(datetime.now()) is not None


def test_interval_and_once_triggers() -> None:
    start = datetime(2026, 11, 27, 12, tzinfo=UTC)
    fires = next_fire_times(interval_trigger(90, start, UTC), start, 3)
    assert [fire - start for fire in fires] == [
        timedelta(0),
        timedelta(seconds=90),
        timedelta(seconds=180),
    ]
    with pytest.raises(InvalidInput, match="at least 1 s"):
        interval_trigger(0.5, None, UTC)
    at = start + timedelta(hours=1)
    assert next_fire_times(once_trigger(at, start), start) == [at]
    with pytest.raises(InvalidInput, match="is in the past"):
        once_trigger(start - timedelta(seconds=1), start)
    with pytest.raises(InvalidInput, match="has no offset or timezone"):
        once_trigger(datetime(2026, 12, 1, 6), start)


def test_descriptions_read_day_numbers_as_cron_does() -> None:
    assert describe_cron("0 6 * * 1-5", "Europe/London") == (
        "At 06:00, Monday through Friday (Europe/London)"
    )
    assert describe_cron("30 1 * * 0", "UTC") == describe_cron("30 1 * * 7", "UTC")


def test_a_frequent_schedule_fires_each_local_time_once_across_the_autumn_change() -> None:
    fires = next_fire_times(
        cron_trigger("*/30 * * * *", LONDON), datetime(2026, 10, 25, 0, 10, tzinfo=LONDON), 5
    )
    assert [fire.astimezone(LONDON).strftime("%H:%M %Z") for fire in fires] == [
        "00:30 BST",
        "01:00 BST",
        "01:30 BST",
        "02:00 GMT",  # 01:00 and 01:30 GMT repeat times that already fired
        "02:30 GMT",
    ]
