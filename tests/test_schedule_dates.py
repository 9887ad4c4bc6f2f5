"""A data trigger's date as the API shows it, from what the store holds."""

from __future__ import annotations

from datetime import date, datetime, timezone

from autoflow_lab.models import DateState, RunStatus
from autoflow_lab.services.data_trigger import _to_wire
from autoflow_lab.store import StoredDate

NOW = datetime(2026, 11, 27, tzinfo=timezone.utc)


def stored(**fields: object) -> StoredDate:
    values: dict[str, object] = {
        "id": 1,
        "reference_date": date(2016, 1, 7),
        "available": True,
        "attempts": 1,
        "armed_from": 0,
        "owner_id": None,
        "run_id": None,
        "workflow_run_id": None,
        "run_status": None,
        "run_error": None,
        "first_seen_at": NOW,
        "updated_at": NOW,
    }
    return StoredDate(**{**values, **fields})  # type: ignore[arg-type]


def test_date_whose_run_is_being_started_is_running_without_a_message() -> None:
    shown = _to_wire(stored(owner_id=5), live={5}, max_attempts=3)

    assert (shown.state, shown.message) == (DateState.RUNNING, None)


def test_date_whose_starter_died_is_failed_saying_so() -> None:
    shown = _to_wire(stored(owner_id=5), live=set(), max_attempts=3)

    assert shown.state is DateState.FAILED
    assert shown.message is not None
    assert "stopped before the run was recorded" in shown.message


def test_failed_run_gives_its_error_until_given_up() -> None:
    failed = stored(run_id=9, run_status=RunStatus.FAILED, run_error="ValueError: bad day")

    assert _to_wire(failed, live=set(), max_attempts=2).message == "ValueError: bad day"
    given_up = _to_wire(stored(**{**failed.__dict__, "attempts": 2}), live=set(), max_attempts=2)
    assert (given_up.state, given_up.message) == (DateState.GIVEN_UP, "ValueError: bad day")
