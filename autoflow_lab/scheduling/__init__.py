"""Scheduling: triggers (cron, interval, once) computed with APScheduler 3.x."""

from __future__ import annotations

from .triggers import (
    cron_trigger,
    describe_cron,
    interval_trigger,
    next_fire_times,
    once_trigger,
    parse_timezone,
)

__all__ = [
    "cron_trigger",
    "describe_cron",
    "interval_trigger",
    "next_fire_times",
    "once_trigger",
    "parse_timezone",
]
