"""A FlowAPI stand-in: FlowAPI's real wire protocol over synthetic, deterministic data.

A full FlowKit stack cannot run beside every test or laptop, yet the data trigger and
the example notebooks talk to FlowAPI through the unmodified ``flowclient``. This server
answers ``/api/0/...`` as FlowAPI does (JWT bearer tokens, ``run`` -> ``poll`` -> 303 ->
``get``), over Nepal-like administrative units, with a controller that tests drive:
the available dates, a failure mode, a hang, and counts of the requests seen.

Run it by hand::

    python -m autoflow_lab.flowapi.standin --port 9090 --secret S --first-date 2016-01-01 \
        --days 7 --advance-every 60 --token-file token.txt
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import json
import logging
import os
import secrets
import threading
import time
from collections import Counter
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta, timezone
from pathlib import Path
from typing import Any

import jwt
from tornado import httpserver, netutil, web

from .standin_data import AGGREGATION_UNITS, EVENT_TYPES, BadQuery, Queries, geography, query_id

log = logging.getLogger(__name__)

API = "/api/0"
SCOPES = ("get_available_dates", "run", "poll", "get_result", "get_geography")
ALGORITHM = "HS256"


# Tokens


def make_token(
    secret: str,
    user: str = "analyst",
    scopes: Iterable[str] = SCOPES,
    lifetime: timedelta | float = timedelta(hours=1),
) -> str:
    """A token the stand-in accepts: HS256-signed, naming the user in ``sub`` and
    ``identity`` (flowclient reads one or the other), its permissions in ``scopes``."""
    if not isinstance(lifetime, timedelta):
        lifetime = timedelta(seconds=lifetime)
    now = datetime.now(timezone.utc)
    claims = {
        "sub": user,
        "identity": user,
        "iat": now,
        "exp": now + lifetime,
        "scopes": list(scopes),
    }
    return jwt.encode(claims, secret, algorithm=ALGORITHM)


@dataclass
class QueryRecord:
    spec: dict[str, Any]
    started: float
    error: str | None = None
    result: list[dict[str, Any]] = field(default_factory=list)


# The controller


class StandInState:
    """Everything tests control, safe to change from any thread while the server runs."""

    def __init__(
        self,
        dates: Mapping[str, Iterable[str]] | None = None,
        execution_time: float = 0.3,
    ) -> None:
        self.execution_time = execution_time
        self._lock = threading.Lock()
        self._dates: dict[str, set[str]] = {kind: set() for kind in EVENT_TYPES}
        self._failing: int | None = None
        self._query_error: str | None = None
        self._hanging = False
        self._waiters: list[tuple[asyncio.AbstractEventLoop, asyncio.Event]] = []
        self._requests: Counter[str] = Counter()
        self._queries: dict[str, QueryRecord] = {}
        if dates:
            self.set_dates(dates)

    # Available dates

    def available_dates(self) -> dict[str, list[str]]:
        with self._lock:
            return {kind: sorted(days) for kind, days in self._dates.items()}

    def set_dates(self, dates: Mapping[str, Iterable[str]]) -> None:
        """Replace the dates of the event types named (the others keep theirs)."""
        checked = {self._kind(kind): {_iso(day) for day in days} for kind, days in dates.items()}
        with self._lock:
            self._dates.update(checked)

    def add_dates(self, *days: str, event_types: Iterable[str] = EVENT_TYPES) -> None:
        checked = {_iso(day) for day in days}
        with self._lock:
            for kind in map(self._kind, event_types):
                self._dates[kind] |= checked

    def remove_dates(self, *days: str, event_types: Iterable[str] = EVENT_TYPES) -> None:
        checked = {_iso(day) for day in days}
        with self._lock:
            for kind in map(self._kind, event_types):
                self._dates[kind] -= checked

    def advance(self) -> list[str]:
        """Add the day after each event type's last date (types with no dates stay empty)."""
        added = []
        with self._lock:
            for days in self._dates.values():
                if days:
                    following = (date.fromisoformat(max(days)) + timedelta(days=1)).isoformat()
                    days.add(following)
                    added.append(following)
        return sorted(set(added))

    # Faults

    def fail_with(self, status: int) -> None:
        """Answer every request with ``status`` (500, 403, ...) until ``recover()``."""
        with self._lock:
            self._failing = status

    def fail_queries(self, msg: str) -> None:
        """Queries run from now on end errored with ``msg`` until ``recover()``."""
        with self._lock:
            self._query_error = msg

    def hang(self) -> None:
        """Hold every request unanswered until ``recover()``."""
        with self._lock:
            self._hanging = True

    def recover(self) -> None:
        """Clear the failure mode and answer the held requests."""
        with self._lock:
            self._failing = None
            self._query_error = None
            self._hanging = False
            waiters, self._waiters = self._waiters, []
        for loop, event in waiters:
            loop.call_soon_threadsafe(event.set)

    # Requests seen

    def requests(self, endpoint: str | None = None) -> int:
        """Requests received at ``endpoint`` (available_dates, run, poll, get, geography),
        or at all of them; counted on arrival, failed and held ones included."""
        with self._lock:
            return self._requests[endpoint] if endpoint else sum(self._requests.values())

    def reset_counts(self) -> None:
        with self._lock:
            self._requests.clear()

    # Used by the handlers

    def _seen(self, endpoint: str) -> None:
        with self._lock:
            self._requests[endpoint] += 1

    async def _pass_faults(self) -> int | None:
        """Wait while hanging; then the status to fail with, if failing."""
        with self._lock:
            if self._hanging:
                event = asyncio.Event()
                self._waiters.append((asyncio.get_running_loop(), event))
            else:
                event = None
        if event is not None:
            await event.wait()
        with self._lock:
            return self._failing

    def _submit(self, spec: dict[str, Any]) -> str:
        with self._lock:
            Queries(self._dates).check(spec)
            identifier = query_id(spec)
            record = self._queries.get(identifier)
            if record is None or record.error is not None:
                self._queries[identifier] = QueryRecord(
                    spec, time.monotonic(), self._query_error, []
                )
            return identifier

    def _query(self, identifier: str) -> tuple[str, QueryRecord] | None:
        """The query's status (queued, executing, completed, errored) and record."""
        with self._lock:
            record = self._queries.get(identifier)
        if record is None:
            return None
        elapsed = time.monotonic() - record.started
        if elapsed < self.execution_time:
            return ("queued" if elapsed < self.execution_time / 3 else "executing"), record
        if record.error is not None:
            return "errored", record
        with self._lock:
            if not record.result:
                record.result = Queries({}).result(record.spec)
        return "completed", record

    @staticmethod
    def _kind(kind: str) -> str:
        if kind not in EVENT_TYPES:
            raise ValueError(f"Unknown event type {kind!r}: one of {', '.join(EVENT_TYPES)}.")
        return kind


def _iso(day: str | date) -> str:
    return date.fromisoformat(str(day)).isoformat()


# Handlers


class BaseHandler(web.RequestHandler):
    """Checks faults, then the bearer token and the endpoint's scope, as FlowAPI does."""

    endpoint = ""
    scope = ""

    def initialize(self, state: StandInState, secret: str) -> None:
        self.state = state
        self.secret = secret

    async def prepare(self) -> None:
        self.state._seen(self.endpoint)
        failing = await self.state._pass_faults()
        if failing is not None:
            msg = f"FlowAPI stand-in failing ({failing})."
            self.answer(failing, {"status": "error", "msg": msg})
            return
        header = self.request.headers.get("Authorization", "")
        if not header.startswith("Bearer "):
            self.answer(401, {"msg": "Missing Authorization Header"})
            return
        try:
            claims = jwt.decode(
                header[len("Bearer ") :],
                self.secret,
                algorithms=[ALGORITHM],
                options={"require": ["exp", "sub"]},
            )
        except jwt.ExpiredSignatureError:
            self.answer(401, {"msg": "Token has expired"})
            return
        except jwt.InvalidSignatureError:
            self.answer(401, {"msg": "Signature verification failed"})
            return
        except jwt.InvalidTokenError as error:
            self.answer(401, {"msg": f"Invalid token: {error}"})
            return
        if self.scope not in (claims.get("scopes") or []):
            self.answer(403, {"msg": f"'{claims['sub']}' is not allowed to {self.scope}."})

    def answer(self, status: int, body: Any, location: str | None = None) -> None:
        self.set_status(status)
        if location:
            self.set_header("Location", location)
        self.set_header("Content-Type", "application/json")
        self.finish(json.dumps(body))

    def write_error(self, status_code: int, **kwargs: Any) -> None:
        self.answer(status_code, {"status": "error", "msg": self._reason})


class AvailableDatesHandler(BaseHandler):
    endpoint, scope = "available_dates", "get_available_dates"

    def get(self) -> None:
        self.answer(200, {"available_dates": self.state.available_dates()})


class RunHandler(BaseHandler):
    endpoint, scope = "run", "run"

    def post(self) -> None:
        try:
            spec = json.loads(self.request.body or b"null")
            identifier = self.state._submit(spec)
        except json.JSONDecodeError as error:
            self.answer(400, {"status": "Error", "msg": f"Not JSON: {error}", "payload": {}})
            return
        except BadQuery as error:
            self.answer(400, {"status": "Error", "msg": error.msg, "payload": error.payload})
            return
        self.answer(
            202,
            {"query_id": identifier, "progress": {"eligible": 1, "queued": 1, "running": 0}},
            location=f"{API}/poll/{identifier}",
        )


class PollHandler(BaseHandler):
    endpoint, scope = "poll", "poll"

    def get(self, identifier: str) -> None:
        found = self.state._query(identifier)
        if found is None:
            self.answer(404, {"status": "awol", "msg": f"Unknown query id {identifier}"})
            return
        status, record = found
        if status == "completed":
            self.answer(303, {"status": "completed"}, location=f"{API}/get/{identifier}")
        elif status == "errored":
            self.answer(500, {"status": "errored", "msg": record.error})
        else:
            queued = int(status == "queued")
            progress = {"eligible": 1, "queued": queued, "running": 1 - queued}
            self.answer(202, {"status": status, "msg": f"Query {status}", "progress": progress})


class ResultHandler(BaseHandler):
    endpoint, scope = "get", "get_result"

    def get(self, identifier: str, geojson: str | None) -> None:
        found = self.state._query(identifier)
        if found is None:
            self.answer(404, {"status": "awol", "msg": f"Unknown query id {identifier}"})
            return
        status, record = found
        if status == "errored":
            self.answer(500, {"status": "errored", "msg": record.error})
        elif status != "completed":
            self.answer(202, {"status": status, "msg": f"Query {status}"})
        elif geojson:
            self.answer(200, self._geojson(record))
        else:
            self.answer(200, {"query_id": identifier, "query_result": record.result})

    def _geojson(self, record: QueryRecord) -> dict[str, Any]:
        spec = record.spec.get("locations", record.spec)
        features = geography(spec["aggregation_unit"])["features"]
        values: dict[str, list[Any]] = {}
        for row in record.result:
            values.setdefault(row["pcod"], []).append(row.get("value", 1))
        for feature in features:
            feature["properties"]["value"] = sum(values.get(feature["id"], []))
        return {"type": "FeatureCollection", "features": features}


class GeographyHandler(BaseHandler):
    endpoint, scope = "geography", "get_geography"

    def get(self, unit: str) -> None:
        if unit not in AGGREGATION_UNITS:
            msg = f"Unknown aggregation unit {unit!r}: one of {', '.join(AGGREGATION_UNITS)}."
            payload = {"aggregation_unit": [msg]}
            self.answer(400, {"status": "Error", "msg": msg, "payload": payload})
            return
        self.answer(200, geography(unit))


class NotFoundHandler(BaseHandler):
    endpoint = "other"

    async def prepare(self) -> None:
        self.state._seen(self.endpoint)
        self.answer(404, {"status": "error", "msg": f"No route {self.request.path}"})


def make_app(state: StandInState, secret: str) -> web.Application:
    kwargs = {"state": state, "secret": secret}
    return web.Application(
        [
            (rf"{API}/available_dates/?", AvailableDatesHandler, kwargs),
            (rf"{API}/run/?", RunHandler, kwargs),
            (rf"{API}/poll/([^/]+)", PollHandler, kwargs),
            (rf"{API}/get/([^/.]+)(\.geojson)?", ResultHandler, kwargs),
            (rf"{API}/geography/([^/]+)", GeographyHandler, kwargs),
            (r".*", NotFoundHandler, kwargs),
        ],
        log_function=_log_request,
    )


def _log_request(handler: web.RequestHandler) -> None:
    # The method, path and status only: never headers, which carry the token.
    log.info("%s %s %s", handler.request.method, handler.request.path, handler.get_status())


# Running it


class StandIn:
    """The stand-in serving on loopback from a thread of its own (with its own event loop)::

    with StandIn(secret="s", dates={"calls": ["2016-01-01"]}) as flowapi:
        flowclient.connect(url=flowapi.url, token=flowapi.token())
    """

    def __init__(
        self,
        secret: str | None = None,
        dates: Mapping[str, Iterable[str]] | None = None,
        execution_time: float = 0.3,
        state: StandInState | None = None,
        host: str = "127.0.0.1",
        port: int = 0,
    ) -> None:
        self.secret = secret or secrets.token_hex(16)
        self.state = state or StandInState(dates, execution_time)
        self._host, self._port = host, port
        self._loop: asyncio.AbstractEventLoop | None = None
        self._thread: threading.Thread | None = None
        self._stopped: asyncio.Event | None = None

    @property
    def url(self) -> str:
        return f"http://{self._host}:{self._port}"

    def token(
        self,
        user: str = "analyst",
        scopes: Iterable[str] = SCOPES,
        lifetime: timedelta | float = timedelta(hours=1),
    ) -> str:
        return make_token(self.secret, user, scopes, lifetime)

    def start(self) -> StandIn:
        sockets = netutil.bind_sockets(self._port, self._host)
        self._port = sockets[0].getsockname()[1]
        started = threading.Event()

        async def serve() -> None:
            self._loop = asyncio.get_running_loop()
            self._stopped = asyncio.Event()
            server = httpserver.HTTPServer(make_app(self.state, self.secret))
            server.add_sockets(sockets)
            started.set()
            await self._stopped.wait()
            server.stop()
            await server.close_all_connections()

        self._thread = threading.Thread(target=asyncio.run, args=(serve(),), daemon=True)
        self._thread.start()
        started.wait()
        return self

    def stop(self) -> None:
        if self._thread is None or self._loop is None or self._stopped is None:
            return
        self.state.recover()  # let held requests go, so the server can close
        self._loop.call_soon_threadsafe(self._stopped.set)
        self._thread.join(timeout=10)
        self._thread = None

    def __enter__(self) -> StandIn:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()


def _parse(argv: Sequence[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        prog="python -m autoflow_lab.flowapi.standin",
        description="Serve a FlowAPI stand-in (synthetic data, FlowAPI's wire protocol) on "
        "loopback, for trying workflows and data triggers without FlowKit.",
    )
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=9090)
    parser.add_argument(
        "--secret",
        default=os.environ.get("FLOWAPI_STANDIN_SECRET"),
        help="secret that signs tokens, 32 characters or more (default: "
        "$FLOWAPI_STANDIN_SECRET, else a random one)",
    )
    parser.add_argument("--first-date", default="2016-01-01", type=_iso)
    parser.add_argument("--days", type=int, default=7, help="days available at start")
    parser.add_argument(
        "--advance-every",
        type=float,
        default=0,
        metavar="SECONDS",
        help="add the next day to every event type this often (0: never)",
    )
    parser.add_argument("--event-types", default=",".join(EVENT_TYPES))
    parser.add_argument("--execution-time", type=float, default=0.3, metavar="SECONDS")
    parser.add_argument("--user", default="analyst", help="user named in printed tokens")
    parser.add_argument(
        "--print-token", action="store_true", help="print a token valid for 30 days"
    )
    parser.add_argument(
        "--token-file", type=Path, help="write a token valid for 30 days to this file (0600)"
    )
    return parser.parse_args(argv)


async def _serve_forever(args: argparse.Namespace, standin: StandIn) -> None:
    sockets = netutil.bind_sockets(args.port, args.host)
    standin._port = sockets[0].getsockname()[1]  # the one chosen, given --port 0
    server = httpserver.HTTPServer(make_app(standin.state, standin.secret))
    server.add_sockets(sockets)
    log.info("FlowAPI stand-in serving on %s", standin.url)
    while args.advance_every > 0:
        await asyncio.sleep(args.advance_every)
        log.info("New data: %s", ", ".join(standin.state.advance()))
    await asyncio.Event().wait()


def main(argv: Sequence[str] | None = None) -> None:
    args = _parse(argv)
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(message)s")
    first = date.fromisoformat(args.first_date)
    days = [(first + timedelta(days=n)).isoformat() for n in range(args.days)]
    kinds = [kind.strip() for kind in args.event_types.split(",") if kind.strip()]
    state = StandInState({kind: days for kind in kinds}, args.execution_time)
    standin = StandIn(args.secret, state=state, host=args.host, port=args.port)
    lifetime = timedelta(days=30)
    if args.token_file:
        token = standin.token(args.user, lifetime=lifetime)
        descriptor = os.open(args.token_file, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
        os.fchmod(descriptor, 0o600)
        with os.fdopen(descriptor, "w") as file:
            file.write(token + "\n")
        log.info("Wrote a token for %r to %s", args.user, args.token_file)
    if args.print_token:
        print(standin.token(args.user, lifetime=lifetime), flush=True)
    with contextlib.suppress(KeyboardInterrupt):
        asyncio.run(_serve_forever(args, standin))


if __name__ == "__main__":
    main()
