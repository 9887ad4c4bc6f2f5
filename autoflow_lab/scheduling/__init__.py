"""Scheduling: triggers (cron, interval, once) computed with APScheduler 3.x, and the
clock that fires them on the server's event loop."""

from __future__ import annotations

from .scheduler import Clock
from .triggers import (
    cron_trigger,
    describe_cron,
    describe_trigger,
    interval_trigger,
    latest_fire_between,
    next_fire_times,
    once_trigger,
    parse_timezone,
    server_timezone_name,
    trigger_of,
    trigger_zone,
)

__all__ = [
    "Clock",
    "cron_trigger",
    "describe_cron",
    "describe_trigger",
    "interval_trigger",
    "latest_fire_between",
    "next_fire_times",
    "once_trigger",
    "parse_timezone",
    "server_timezone_name",
    "trigger_of",
    "trigger_zone",
]
