"""The ``flowapi`` fixture: a FlowAPI stand-in on loopback that tests steer.

Servers that tests start as subprocesses reach it by ``flowapi.url`` as well; give their
kernels ``flowapi.token`` through ``FLOWAPI_TOKEN``.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from datetime import date, timedelta

import pytest

from autoflow_lab.flowapi.standin import EVENT_TYPES, SCOPES, StandIn, StandInState

FIRST_DATE = date(2016, 1, 1)
DAYS = 7
# Every event type has data from 2016-01-01 to 2016-01-07 unless a test changes it.
DEFAULT_DATES = [(FIRST_DATE + timedelta(days=n)).isoformat() for n in range(DAYS)]


class FlowApi:
    """A running stand-in: its URL, tokens, and the state a test changes."""

    def __init__(self, standin: StandIn) -> None:
        self._standin = standin
        self.token = standin.token()

    @property
    def url(self) -> str:
        return self._standin.url

    @property
    def secret(self) -> str:
        return self._standin.secret

    @property
    def state(self) -> StandInState:
        return self._standin.state

    def token_without(self, scope: str, user: str = "analyst") -> str:
        """A valid token lacking one permission (see ``SCOPES``)."""
        assert scope in SCOPES, f"unknown scope {scope!r}: one of {SCOPES}"
        return self._standin.token(user, [s for s in SCOPES if s != scope])

    def expired_token(self, user: str = "analyst") -> str:
        return self._standin.token(user, lifetime=-60)

    # The state's controls, for brevity in tests.

    def available_dates(self) -> dict[str, list[str]]:
        return self.state.available_dates()

    def set_dates(self, dates: dict[str, Iterable[str]]) -> None:
        self.state.set_dates(dates)

    def add_dates(self, *days: str, event_types: Iterable[str] = EVENT_TYPES) -> None:
        self.state.add_dates(*days, event_types=event_types)

    def remove_dates(self, *days: str, event_types: Iterable[str] = EVENT_TYPES) -> None:
        self.state.remove_dates(*days, event_types=event_types)

    def fail_with(self, status: int) -> None:
        self.state.fail_with(status)

    def fail_queries(self, msg: str) -> None:
        self.state.fail_queries(msg)

    def hang(self) -> None:
        self.state.hang()

    def recover(self) -> None:
        self.state.recover()

    def requests(self, endpoint: str | None = None) -> int:
        return self.state.requests(endpoint)


@pytest.fixture
def flowapi() -> Iterator[FlowApi]:
    """A started stand-in with every event type available on 2016-01-01 to 2016-01-07."""
    with StandIn(dates=dict.fromkeys(EVENT_TYPES, DEFAULT_DATES)) as standin:
        yield FlowApi(standin)


__all__ = ["DEFAULT_DATES", "FlowApi", "flowapi"]
