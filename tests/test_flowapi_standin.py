"""The FlowAPI stand-in speaks FlowAPI's wire protocol: the unmodified flowclient, sync and
async, gets dates, runs queries and fetches results from it, and sees its faults as it
would see FlowAPI's."""

from __future__ import annotations

import asyncio
from collections.abc import Callable, Iterator

import flowclient
import httpx
import pandas as pd
import pytest
from flowclient import async_client
from flowclient.aggregates import spatial_aggregate_spec
from flowclient.errors import FlowclientConnectionError

from autoflow_lab.flowapi.standin import make_token

from .flowapi import DEFAULT_DATES, FlowApi
from .waiting import eventually, eventually_async

# flowclient warns that plain http is not secure; the stand-in only listens on loopback.
pytestmark = pytest.mark.filterwarnings("ignore:Communications with this server are NOT SECURE")

PROVINCES = {"NP01", "NP02", "NP03", "NP04", "NP05", "NP06", "NP07"}


Connect = Callable[[str], flowclient.Connection]


@pytest.fixture
def connect(flowapi: FlowApi) -> Iterator[Connect]:
    """Connect to the stand-in with a token; the connections close at teardown."""
    connections: list[flowclient.Connection] = []

    def connect(token: str) -> flowclient.Connection:
        connections.append(flowclient.connect(url=flowapi.url, token=token))
        return connections[-1]

    yield connect
    for connection in connections:
        connection.session.close()


@pytest.fixture
def connection(flowapi: FlowApi, connect: Connect) -> flowclient.Connection:
    return connect(flowapi.token)


def _provinces_spec(day: str = "2016-01-03", unit: str = "admin1") -> dict[str, object]:
    return spatial_aggregate_spec(
        locations=flowclient.daily_location_spec(date=day, aggregation_unit=unit, method="last")
    )


def test_available_dates_lists_every_event_type(connection: flowclient.Connection) -> None:
    # When
    dates = flowclient.get_available_dates(connection=connection)

    # Then
    assert dates == dict.fromkeys(["calls", "sms", "mds", "topups"], DEFAULT_DATES)


def test_available_dates_filtered_by_event_types(
    flowapi: FlowApi, connection: flowclient.Connection
) -> None:
    # Given
    flowapi.set_dates({"sms": ["2016-01-02"]})

    # When
    dates = flowclient.get_available_dates(connection=connection, event_types=["calls", "sms"])

    # Then
    assert dates == {"calls": DEFAULT_DATES, "sms": ["2016-01-02"]}


def test_date_changes_are_seen_on_the_next_call(
    flowapi: FlowApi, connection: flowclient.Connection
) -> None:
    # Given
    assert "2016-01-08" not in flowclient.get_available_dates(connection=connection)["calls"]

    # When
    flowapi.add_dates("2016-01-08", event_types=["calls"])
    flowapi.remove_dates("2016-01-01")

    # Then
    dates = flowclient.get_available_dates(connection=connection)
    assert dates["calls"] == [*DEFAULT_DATES[1:], "2016-01-08"]
    assert dates["sms"] == DEFAULT_DATES[1:]


def test_requests_are_counted_per_endpoint(
    flowapi: FlowApi, connection: flowclient.Connection
) -> None:
    # When
    for _ in range(3):
        flowclient.get_available_dates(connection=connection)
    flowclient.get_geography(connection=connection, aggregation_unit="admin1")

    # Then
    assert flowapi.requests("available_dates") == 3
    assert flowapi.requests() == 4


def test_query_runs_queued_then_completed_to_a_dataframe_by_province(
    connection: flowclient.Connection,
) -> None:
    # Given
    query_id = flowclient.run_query(connection=connection, query_spec=_provinces_spec())

    # When
    first = flowclient.get_status(connection=connection, query_id=query_id)
    eventually(
        lambda: flowclient.get_status(connection=connection, query_id=query_id) == "completed",
        timeout=5,
        what="the query to complete",
    )
    result = flowclient.get_result_by_query_id(connection=connection, query_id=query_id)

    # Then
    assert first in {"queued", "executing"}
    assert isinstance(result, pd.DataFrame)
    assert list(result.columns) == ["pcod", "value"]
    assert set(result["pcod"]) == PROVINCES
    assert (result["value"] > 0).all()


def test_same_spec_gets_the_same_query_id_and_result(connection: flowclient.Connection) -> None:
    # When
    first = flowclient.run_query(connection=connection, query_spec=_provinces_spec())
    second = flowclient.run_query(connection=connection, query_spec=_provinces_spec())
    other = flowclient.run_query(connection=connection, query_spec=_provinces_spec("2016-01-04"))

    # Then
    assert first == second != other
    results = [
        flowclient.get_result_by_query_id(connection=connection, query_id=query_id)
        for query_id in (first, other)
    ]
    assert results[0]["value"].tolist() != results[1]["value"].tolist()


def test_api_query_runs_and_gets_its_result(connection: flowclient.Connection) -> None:
    # Given
    query = flowclient.spatial_aggregate(
        connection=connection,
        locations=flowclient.daily_location_spec(
            date="2016-01-07", aggregation_unit="admin3", method="last"
        ),
    )

    # When
    query.run()
    result = query.get_result()

    # Then
    assert query.status == "completed"
    assert len(result) == 42  # 7 provinces x 3 districts x 2 municipalities
    assert result["pcod"].str.startswith("NP").all()


def test_geography_is_the_units_regions_as_geojson(connection: flowclient.Connection) -> None:
    # When
    collection = flowclient.get_geography(connection=connection, aggregation_unit="admin1")

    # Then
    assert collection["type"] == "FeatureCollection"
    assert {feature["properties"]["pcod"] for feature in collection["features"]} == PROVINCES
    assert {feature["geometry"]["type"] for feature in collection["features"]} == {"Polygon"}


async def test_async_client_gets_available_dates(flowapi: FlowApi, connect: Connect) -> None:
    # Given
    connection = await async_client.connect_async(url=flowapi.url, token=flowapi.token)

    # When
    dates = await async_client.get_available_dates(connection=connection, event_types=["sms"])

    # Then
    assert dates == {"sms": DEFAULT_DATES}
    await connection.session.aclose()


@pytest.mark.parametrize(
    ("query_spec", "message"),
    [
        (_provinces_spec("2016-02-01"), "Date 2016-02-01 is not in the available dates"),
        (_provinces_spec(unit="admin9"), "Unknown aggregation unit 'admin9'"),
        ({"query_kind": "flows"}, "Unknown query kind 'flows'"),
    ],
    ids=["date not available", "bad aggregation unit", "unknown query kind"],
)
def test_bad_query_spec_is_refused_with_the_reason(
    connection: flowclient.Connection, query_spec: dict[str, object], message: str
) -> None:
    # When / Then
    with pytest.raises(FlowclientConnectionError, match=f"status code 400.*{message}"):
        flowclient.run_query(connection=connection, query_spec=query_spec)


def test_errored_query_raises_with_its_message(
    flowapi: FlowApi, connection: flowclient.Connection
) -> None:
    # Given
    flowapi.fail_queries("FlowDB ran out of disk")

    # When
    query_id = flowclient.run_query(connection=connection, query_spec=_provinces_spec())

    # Then
    with pytest.raises(FlowclientConnectionError, match="FlowDB ran out of disk"):
        flowclient.get_result_by_query_id(connection=connection, query_id=query_id)


def test_unknown_query_is_not_running(connection: flowclient.Connection) -> None:
    # When
    status = flowclient.get_status(connection=connection, query_id="0123abcd")

    # Then
    assert status == "not_running"


def test_token_signed_with_another_secret_is_refused(connect: Connect) -> None:
    # Given
    token = make_token("another secret, not the stand-in's own, 32+ bytes")
    connection = connect(token)

    # When / Then
    with pytest.raises(FlowclientConnectionError, match=r"^Signature verification failed$"):
        flowclient.get_available_dates(connection=connection)


def test_expired_token_is_refused(flowapi: FlowApi, connect: Connect) -> None:
    # Given
    connection = connect(flowapi.expired_token())

    # When / Then
    with pytest.raises(FlowclientConnectionError, match=r"^Token has expired$"):
        flowclient.get_available_dates(connection=connection)


def test_token_without_the_permission_is_forbidden(flowapi: FlowApi, connect: Connect) -> None:
    # Given
    token = flowapi.token_without("get_available_dates", user="visitor")
    connection = connect(token)

    # When / Then
    with pytest.raises(FlowclientConnectionError, match="'visitor' is not allowed to get_av"):
        flowclient.get_available_dates(connection=connection)
    assert flowclient.get_geography(connection=connection, aggregation_unit="admin1")


def test_failure_mode_fails_every_request_until_recovered(
    flowapi: FlowApi, connection: flowclient.Connection
) -> None:
    # Given
    flowapi.fail_with(500)

    # When / Then
    with pytest.raises(FlowclientConnectionError, match="status code: 500"):
        flowclient.get_available_dates(connection=connection)
    flowapi.recover()
    assert flowclient.get_available_dates(connection=connection)["calls"] == DEFAULT_DATES


async def test_hung_requests_time_out_and_are_answered_after_recovery(flowapi: FlowApi) -> None:
    # Given
    connection = await async_client.connect_async(url=flowapi.url, token=flowapi.token)
    flowapi.hang()

    # When / Then
    headers = {"Authorization": f"Bearer {flowapi.token}"}
    async with httpx.AsyncClient(base_url=flowapi.url, headers=headers, timeout=0.3) as client:
        with pytest.raises(httpx.ReadTimeout):
            await client.get("/api/0/available_dates")
    held = asyncio.ensure_future(async_client.get_available_dates(connection=connection))

    async def arrived() -> bool:
        return flowapi.requests("available_dates") == 2

    await eventually_async(arrived, timeout=5, what="the second request to arrive")
    assert not held.done()
    flowapi.recover()
    assert (await asyncio.wait_for(held, 5))["calls"] == DEFAULT_DATES
    await connection.session.aclose()
