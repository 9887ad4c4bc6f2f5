"""The FlowAPI stand-in's data: Nepal-like administrative units, their geography, and
synthetic, deterministic results of the queries it runs (seeded by date and unit)."""

from __future__ import annotations

import hashlib
import json
import random
from collections.abc import Collection, Mapping, Sequence
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any

EVENT_TYPES = ("calls", "sms", "mds", "topups")
AGGREGATION_UNITS = ("admin1", "admin2", "admin3")
QUERY_KINDS = ("daily_location", "spatial_aggregate", "location_event_counts")

# Nepal's seven provinces, west to east, with the pcodes the stand-in gives them.
PROVINCES = (
    ("NP07", "Sudurpashchim"),
    ("NP06", "Karnali"),
    ("NP05", "Lumbini"),
    ("NP04", "Gandaki"),
    ("NP03", "Bagmati"),
    ("NP02", "Madhesh"),
    ("NP01", "Koshi"),
)
DISTRICTS_PER_PROVINCE = 3
MUNICIPALITIES_PER_DISTRICT = 2
WEST, EAST, SOUTH, NORTH = 80.0, 88.2, 26.3, 30.5
SUBSCRIBERS = 60  # a daily_location result lists this many synthetic subscribers


# Geography


@dataclass(frozen=True)
class Region:
    pcod: str
    name: str
    box: tuple[float, float, float, float]  # west, south, east, north
    weight: float  # share of the country's subscribers

    def polygon(self) -> dict[str, Any]:
        west, south, east, north = self.box
        ring = [[west, south], [east, south], [east, north], [west, north], [west, south]]
        return {"type": "Polygon", "coordinates": [[[round(x, 4), round(y, 4)] for x, y in ring]]}


def _regions() -> dict[str, tuple[Region, ...]]:
    """Provinces as strips west to east; districts split each into bands south to north;
    municipalities split each district into western and eastern halves."""
    units: dict[str, list[Region]] = {unit: [] for unit in AGGREGATION_UNITS}
    weights = random.Random("nepal").choices(range(6, 20), k=len(PROVINCES))
    total = sum(weights)
    width = (EAST - WEST) / len(PROVINCES)
    for index, ((pcod, name), weight) in enumerate(zip(PROVINCES, weights, strict=True)):
        west = WEST + index * width
        province = Region(pcod, name, (west, SOUTH, west + width, NORTH), weight / total)
        units["admin1"].append(province)
        height = (NORTH - SOUTH) / DISTRICTS_PER_PROVINCE
        for d in range(DISTRICTS_PER_PROVINCE):
            south = SOUTH + d * height
            district = Region(
                f"{pcod}{d + 1:02d}",
                f"{name} District {d + 1}",
                (west, south, west + width, south + height),
                province.weight * (0.5 if d == 0 else 0.3 if d == 1 else 0.2),
            )
            units["admin2"].append(district)
            half = width / MUNICIPALITIES_PER_DISTRICT
            for m in range(MUNICIPALITIES_PER_DISTRICT):
                units["admin3"].append(
                    Region(
                        f"{district.pcod}{m + 1:02d}",
                        f"{district.name} Municipality {m + 1}",
                        (west + m * half, south, west + (m + 1) * half, south + height),
                        district.weight / MUNICIPALITIES_PER_DISTRICT,
                    )
                )
    return {unit: tuple(regions) for unit, regions in units.items()}


REGIONS = _regions()


def geography(aggregation_unit: str) -> dict[str, Any]:
    """The GeoJSON FeatureCollection of one aggregation unit's regions."""
    return {
        "type": "FeatureCollection",
        "features": [
            {
                "type": "Feature",
                "id": region.pcod,
                "properties": {"pcod": region.pcod, "name": region.name},
                "geometry": region.polygon(),
            }
            for region in REGIONS[aggregation_unit]
        ],
    }


# Queries


class BadQuery(Exception):
    """A query spec FlowAPI would refuse with 400; ``payload`` names the faulty fields."""

    def __init__(self, msg: str, payload: Mapping[str, Any]) -> None:
        super().__init__(msg)
        self.msg = msg
        self.payload = dict(payload)


def query_id(spec: Mapping[str, Any]) -> str:
    """A stable id: the same spec always gets the same id, as in FlowKit."""
    return hashlib.md5(json.dumps(spec, sort_keys=True).encode()).hexdigest()


def _seeded(*parts: Any) -> random.Random:
    return random.Random("|".join(map(str, parts)))


def _subscriber_counts(day: str, unit: str, method: str) -> dict[str, int]:
    """Subscribers whose daily location is each region: a country total that grows slowly
    and dips at weekends, shared among regions by weight with some noise."""
    when = date.fromisoformat(day)
    growth = 1 + 0.002 * (when - date(2016, 1, 1)).days
    total = 250_000 * growth * (0.85 if when.weekday() >= 5 else 1.0)
    rng = _seeded(day, unit, method)
    return {
        region.pcod: max(15, round(total * region.weight * rng.uniform(0.9, 1.1)))
        for region in REGIONS[unit]
    }


class Queries:
    """Checks specs against the available dates and computes their results."""

    def __init__(self, available: Mapping[str, Collection[str]]) -> None:
        self._available = available

    def check(self, spec: Any) -> None:
        if not isinstance(spec, dict):
            raise BadQuery("The query spec must be a JSON object.", {"_schema": ["Not an object."]})
        kind = spec.get("query_kind")
        if kind == "daily_location":
            self._check_daily_location(spec, ())
        elif kind == "spatial_aggregate":
            locations = spec.get("locations")
            if not isinstance(locations, dict) or locations.get("query_kind") != "daily_location":
                raise BadQuery(
                    "spatial_aggregate's locations must be a daily_location query.",
                    {"locations": {"query_kind": ["Must be 'daily_location'."]}},
                )
            self._check_daily_location(locations, ("locations",))
        elif kind == "location_event_counts":
            self._check_event_counts(spec)
        else:
            raise BadQuery(
                f"Unknown query kind {kind!r}: the stand-in runs {', '.join(QUERY_KINDS)}.",
                {"query_kind": [f"Must be one of: {', '.join(QUERY_KINDS)}."]},
            )

    def result(self, spec: Mapping[str, Any]) -> list[dict[str, Any]]:
        kind = spec["query_kind"]
        if kind == "spatial_aggregate":
            loc = spec["locations"]
            counts = _subscriber_counts(loc["date"], loc["aggregation_unit"], loc["method"])
            return [{"pcod": pcod, "value": value} for pcod, value in counts.items()]
        if kind == "daily_location":
            rng = _seeded(spec["date"], spec["aggregation_unit"], spec["method"], "subscribers")
            regions = REGIONS[spec["aggregation_unit"]]
            weights = [region.weight for region in regions]
            return [
                {
                    "subscriber": hashlib.sha1(f"subscriber-{n}".encode()).hexdigest()[:16],
                    "pcod": rng.choices(regions, weights)[0].pcod,
                }
                for n in range(SUBSCRIBERS)
            ]
        rows = []
        day = date.fromisoformat(spec["start_date"])
        while day < date.fromisoformat(spec["end_date"]):
            rng = _seeded(day, spec["aggregation_unit"], spec.get("direction"), "events")
            for region in REGIONS[spec["aggregation_unit"]]:
                value = round(1_200_000 * region.weight * rng.uniform(0.8, 1.2))
                rows.append({"date": day.isoformat(), "pcod": region.pcod, "value": value})
            day += timedelta(days=1)
        return rows

    def _check_daily_location(self, spec: Mapping[str, Any], at: tuple[str, ...]) -> None:
        self._check_unit(spec, at)
        if spec.get("method") not in ("last", "most-common"):
            self._refuse(at, "method", "Must be one of: last, most-common.")
        self._check_dates([self._date(spec, "date", at)], spec.get("event_types"), at, "date")

    def _check_event_counts(self, spec: Mapping[str, Any]) -> None:
        self._check_unit(spec, ())
        if spec.get("interval") != "day":
            self._refuse((), "interval", "The stand-in counts events by day only.")
        start, end = self._date(spec, "start_date", ()), self._date(spec, "end_date", ())
        if end <= start:
            self._refuse((), "end_date", "Must be after start_date.")
        days = [start + timedelta(days=n) for n in range((end - start).days)]
        self._check_dates(days, spec.get("event_types"), (), "start_date")

    def _check_unit(self, spec: Mapping[str, Any], at: tuple[str, ...]) -> None:
        if spec.get("aggregation_unit") not in AGGREGATION_UNITS:
            self._refuse(
                at,
                "aggregation_unit",
                f"Unknown aggregation unit {spec.get('aggregation_unit')!r}: "
                f"must be one of {', '.join(AGGREGATION_UNITS)}.",
            )

    def _date(self, spec: Mapping[str, Any], name: str, at: tuple[str, ...]) -> date:
        try:
            return date.fromisoformat(str(spec.get(name)))
        except ValueError:
            self._refuse(at, name, f"Not a valid date: {spec.get(name)!r}.")
            raise  # unreachable: _refuse raises

    def _check_dates(
        self, days: Sequence[date], event_types: Any, at: tuple[str, ...], name: str
    ) -> None:
        types = EVENT_TYPES if event_types is None else event_types
        unknown = [kind for kind in types if kind not in EVENT_TYPES]
        if unknown:
            self._refuse(at, "event_types", f"Unknown event type {unknown[0]!r}.")
        available = {day for kind in types for day in self._available.get(kind, ())}
        missing = [day.isoformat() for day in days if day.isoformat() not in available]
        if missing:
            self._refuse(
                at,
                name,
                f"Date {missing[0]} is not in the available dates of {', '.join(types)}.",
            )

    @staticmethod
    def _refuse(at: tuple[str, ...], name: str, message: str) -> None:
        payload: dict[str, Any] = {name: [message]}
        for key in reversed(at):
            payload = {key: payload}
        raise BadQuery(message, payload)
