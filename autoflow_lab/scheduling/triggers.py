"""Schedule triggers: cron with standard semantics and a timezone, interval, once.

APScheduler 3.x computes the fire times, with two corrections users of cron
expect. Its ``from_crontab`` reads day-of-week 0 as Monday; here 0 and 7 are
Sunday and names work, and when both day fields are restricted a day matching
either fires (Vixie cron's rule). And a local time that daylight saving makes
happen twice (``30 1 * * *`` on London's autumn change) fires once, not twice.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime, timedelta, timezone, tzinfo
from functools import lru_cache
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from apscheduler.triggers.base import BaseTrigger
from apscheduler.triggers.combining import OrTrigger
from apscheduler.triggers.cron import CronTrigger
from apscheduler.triggers.date import DateTrigger
from apscheduler.triggers.interval import IntervalTrigger

from ..errors import InvalidInput
from ..models import CronTriggerSpec, IntervalTriggerSpec, NewDataTriggerSpec, TriggerSpec

FIELDS = ("minute", "hour", "day", "month", "day_of_week")
FIELD_NAMES = {
    "minute": "minute",
    "hour": "hour",
    "day": "day of month",
    "month": "month",
    "day_of_week": "day of week",
}
# Standard cron numbers Sunday 0 (and 7); APScheduler's names are unambiguous.
DAY_NAMES = ("sun", "mon", "tue", "wed", "thu", "fri", "sat")
DAY_NUMBERS = {name: number for number, name in enumerate(DAY_NAMES)}
DAY_ITEM = re.compile(r"^(\*|[a-z]+|\d+)(?:-([a-z]+|\d+))?(?:/(\d+))?$")
SHORTEST_INTERVAL_SECONDS = 1


def parse_timezone(name: str | None, field: str = "trigger.timezone") -> tzinfo:
    """An IANA timezone by name; None means the server's own."""
    if name is None:
        local = datetime.now().astimezone().tzinfo
        assert local is not None
        return local
    try:
        return ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError):
        raise InvalidInput(
            f"Unknown timezone {name!r}: give an IANA name such as 'Europe/London'.", field=field
        ) from None


def cron_trigger(expression: str, zone: tzinfo, field: str = "trigger.expression") -> BaseTrigger:
    """The trigger for a five-field cron expression, with standard cron semantics."""
    values = expression.split()
    if len(values) != len(FIELDS):
        raise InvalidInput(
            f"Invalid cron expression {expression!r}: expected 5 fields (minute hour "
            f"day-of-month month day-of-week), got {len(values)}.",
            field=field,
        )
    fields = dict(zip(FIELDS, values, strict=True))
    fields["day_of_week"] = _standard_days(fields["day_of_week"], expression, field)
    restricted = [name for name in ("day", "day_of_week") if fields[name] not in ("*", "?")]
    fields = {name: "*" if value == "?" else value for name, value in fields.items()}
    if len(restricted) == 2:  # either day field matching fires, as in cron
        return _DaylightSafe(
            OrTrigger(
                [
                    _cron({**fields, "day_of_week": "*"}, zone, expression, field),
                    _cron({**fields, "day": "*"}, zone, expression, field),
                ]
            ),
            zone,
        )
    return _DaylightSafe(_cron(fields, zone, expression, field), zone)


def interval_trigger(
    seconds: float, start: datetime | None, zone: tzinfo, field: str = "trigger.seconds"
) -> BaseTrigger:
    if seconds < SHORTEST_INTERVAL_SECONDS:
        raise InvalidInput(
            f"An interval must be at least {SHORTEST_INTERVAL_SECONDS} s, got {seconds:g} s.",
            field=field,
        )
    return IntervalTrigger(seconds=seconds, start_date=start, timezone=zone)


def once_trigger(at: datetime, now: datetime, field: str = "trigger.at") -> BaseTrigger:
    if at.tzinfo is None:
        raise InvalidInput(
            f"{at.isoformat()} has no offset or timezone: give one, as in "
            "2026-12-01T06:00:00+00:00.",
            field=field,
        )
    if at <= now:
        raise InvalidInput(f"{at.isoformat()} is in the past.", field=field)
    return DateTrigger(run_date=at)


def next_fire_times(trigger: BaseTrigger, now: datetime, count: int = 5) -> list[datetime]:
    """The next ``count`` fire times after ``now`` (fewer if the trigger ends)."""
    times: list[datetime] = []
    previous: datetime | None = None
    moment = now
    while len(times) < count:
        fire = trigger.get_next_fire_time(previous, moment)
        if fire is None or fire < now:  # a `once` already past has no fire left
            break
        times.append(fire)
        previous, moment = fire, just_after(fire)
    return times


@lru_cache(maxsize=1024)
def describe_cron(expression: str, zone_name: str) -> str:
    """``expression`` in words, with standard cron's day numbers, and its timezone."""
    from cron_descriptor import Options, get_description

    options = Options()
    options.use_24hour_time_format = True
    options.day_of_week_start_index_zero = True
    return f"{get_description(expression, options)} ({zone_name})"


def _cron(fields: dict[str, str], zone: tzinfo, expression: str, field: str) -> CronTrigger:
    try:
        return CronTrigger(timezone=zone, **fields)
    except ValueError as error:
        name = _faulty_field(fields, zone)
        where = f" in its {FIELD_NAMES[name]} field ({fields[name]!r})" if name else ""
        raise InvalidInput(
            f"Invalid cron expression {expression!r}{where}: {error}", field=field
        ) from None


def _faulty_field(fields: dict[str, str], zone: tzinfo) -> str | None:
    for name in FIELDS:
        try:
            CronTrigger(timezone=zone, **{name: fields[name]})
        except ValueError:
            return name
    return None


def _standard_days(text: str, expression: str, field: str) -> str:
    """A day-of-week field in standard cron terms, as APScheduler's day names."""
    if text in ("*", "?"):
        return text
    days: set[int] = set()
    for item in text.lower().split(","):
        match = DAY_ITEM.match(item)
        if match is None:
            raise _bad_days(expression, text, f"cannot read {item!r}", field)
        first, last, step = match.groups()
        if first == "*":
            low, high = 0, 6
        else:
            low = _day_number(first, expression, text, field)
            high = low if last is None and step is None else 6
            if last is not None:
                high = _day_number(last, expression, text, field)
        if high < low:
            raise _bad_days(expression, text, f"range {item!r} runs backwards", field)
        if step is not None and int(step) < 1:
            raise _bad_days(expression, text, "a step must be at least 1", field)
        days.update(day % 7 for day in range(low, high + 1, int(step or 1)))
    return ",".join(DAY_NAMES[day] for day in sorted(days))


def _day_number(token: str, expression: str, text: str, field: str) -> int:
    if token.isdigit():
        number = int(token)
        if number > 7:
            raise _bad_days(expression, text, f"{number} is not a day (0-7, 0 and 7 Sunday)", field)
        return number
    if token[:3] in DAY_NUMBERS and len(token) >= 3:
        return DAY_NUMBERS[token[:3]]
    raise _bad_days(expression, text, f"{token!r} is not a day", field)


def _bad_days(expression: str, text: str, reason: str, field: str) -> InvalidInput:
    return InvalidInput(
        f"Invalid cron expression {expression!r} in its day of week field ({text!r}): {reason}.",
        field=field,
    )


@dataclass
class _DaylightSafe(BaseTrigger):
    """Skips the second occurrence of local times that daylight saving repeats.

    On an autumn change the clock goes back, and a local time such as 01:30
    happens twice; cron fires for it once, so a fire in the repeated stretch
    that is not later (on the wall clock) than the previous fire is skipped.
    """

    inner: BaseTrigger
    zone: tzinfo

    def get_next_fire_time(
        self, previous_fire_time: datetime | None, now: datetime
    ) -> datetime | None:
        fire = self.inner.get_next_fire_time(previous_fire_time, now)
        while (
            fire is not None
            and previous_fire_time is not None
            and self._repeats(fire, previous_fire_time)
        ):
            fire = self.inner.get_next_fire_time(fire, just_after(fire))
        return fire

    def _repeats(self, fire: datetime, previous: datetime) -> bool:
        local = fire.astimezone(self.zone)
        return bool(local.fold) and _wall_clock(local) <= _wall_clock(
            previous.astimezone(self.zone)
        )


def just_after(moment: datetime) -> datetime:
    """A microsecond later, in absolute time.

    Arithmetic on a datetime in a zone is wall-clock arithmetic and drops the
    fold, so inside a repeated hour it would step back an hour instead.
    """
    return moment.astimezone(timezone.utc) + timedelta(microseconds=1)


def _wall_clock(moment: datetime) -> datetime:
    return moment.replace(tzinfo=None, fold=0)


def server_timezone_name() -> str:
    """The IANA name of the server's timezone, stored on cron schedules created without one."""
    from tzlocal import get_localzone_name

    return get_localzone_name() or "UTC"


def trigger_of(spec: TriggerSpec, anchor: datetime, now: datetime | None = None) -> BaseTrigger:
    """The APScheduler trigger ``spec`` describes.

    An interval without a start counts from ``anchor`` (the schedule's creation), so
    every server sharing the database computes the same fire times. With ``now``,
    a ``once`` in the past is refused, as on a create or a change of trigger.
    """
    if isinstance(spec, CronTriggerSpec | NewDataTriggerSpec):  # a data trigger checks on a cron
        return cron_trigger(spec.expression, parse_timezone(spec.timezone))
    if isinstance(spec, IntervalTriggerSpec):
        start = spec.start or anchor
        if start.tzinfo is None:
            raise InvalidInput(
                f"{start.isoformat()} has no offset or timezone: give one, as in "
                "2026-12-01T06:00:00+00:00.",
                field="trigger.start",
            )
        return interval_trigger(spec.seconds, start, timezone.utc)
    if now is None:  # a stored once, perhaps past: it fires at most once anyway
        return DateTrigger(run_date=spec.at)
    return once_trigger(spec.at, now)


def trigger_zone(spec: TriggerSpec) -> tzinfo:
    """The zone a trigger's times read best in: the cron's own, else the one given."""
    if isinstance(spec, CronTriggerSpec | NewDataTriggerSpec):
        return parse_timezone(spec.timezone)
    moment = spec.start if isinstance(spec, IntervalTriggerSpec) else spec.at
    return moment.tzinfo if moment is not None and moment.tzinfo is not None else timezone.utc


def describe_trigger(spec: TriggerSpec) -> str:
    """The trigger in words, as the schedules list and the dialog's preview show it."""
    if isinstance(spec, CronTriggerSpec):
        return describe_cron(spec.expression, spec.timezone or server_timezone_name())
    if isinstance(spec, NewDataTriggerSpec):
        types = " or ".join(event_type.value for event_type in spec.event_types)
        checked = describe_cron(spec.expression, spec.timezone or server_timezone_name())
        return f"When FlowAPI has new {types} data; checked {checked[0].lower()}{checked[1:]}"
    if isinstance(spec, IntervalTriggerSpec):
        every = f"Every {_duration(spec.seconds)}"
        return every if spec.start is None else f"{every} from {spec.start.isoformat()}"
    return f"Once, at {spec.at.isoformat()}"


def latest_fire_between(
    trigger: BaseTrigger, after: datetime, until: datetime, limit: int = 100_000
) -> datetime | None:
    """The latest fire time in (``after``, ``until``], if any: a fire that was missed."""
    latest = None
    fire = trigger.get_next_fire_time(None, just_after(after))
    for _ in range(limit):
        if fire is None or fire > until:
            break
        if fire > after:
            latest = fire
        fire = trigger.get_next_fire_time(fire, just_after(fire))
    return latest


UNITS = (("day", 86400), ("hour", 3600), ("minute", 60), ("second", 1))


def _duration(seconds: float) -> str:
    """90 -> '90 seconds', 3600 -> 'hour', 7200 -> '2 hours'."""
    for name, size in UNITS:
        if seconds >= size and seconds % size == 0:
            count = int(seconds // size)
            return name if count == 1 else f"{count} {name}s"
    return f"{seconds:g} seconds"
