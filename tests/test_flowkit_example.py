"""The shipped FlowKit example workflow runs through the REST API against the FlowAPI
stand-in: its notebook queries FlowAPI with flowclient in a real kernel, with the token
passed through the kernel's environment, and its report shows the figures FlowAPI gave."""

from __future__ import annotations

import json
import shutil
from pathlib import Path
from typing import Any

import flowclient
import pytest
from flowclient import async_client
from pypdf import PdfReader

from .conftest import Api
from .flowapi import FlowApi
from .test_workflows_api import _finished, _start, _statuses, _steps

EXAMPLE = Path(__file__).parent.parent / "examples" / "flowkit"

# flowclient warns that plain http is not secure; the stand-in only listens on loopback.
pytestmark = pytest.mark.filterwarnings("ignore:Communications with this server are NOT SECURE")


@pytest.fixture
def jp_server_config(
    jp_server_config: dict[str, Any], flowapi: FlowApi, monkeypatch: pytest.MonkeyPatch
) -> dict[str, Any]:
    """The server knows the stand-in's URL (known only once it listens) and passes the
    token its kernels need from its own environment."""
    monkeypatch.setenv("FLOWAPI_TOKEN", flowapi.token)
    settings = {"flowapi_url": flowapi.url, "kernel_env_vars": ["FLOWAPI_TOKEN"]}
    return {**jp_server_config, "AutoflowApp": {**jp_server_config["AutoflowApp"], **settings}}


async def _provinces_on(flowapi: FlowApi, day: str) -> tuple[int, str]:
    """Subscribers located on ``day`` in all provinces, and the province with most of them,
    as FlowAPI answers."""
    connection = await async_client.connect_async(url=flowapi.url, token=flowapi.token)
    spec = flowclient.daily_location_spec(date=day, aggregation_unit="admin1", method="last")
    query = flowclient.spatial_aggregate(connection=connection, locations=spec)
    result = await query.get_result(poll_interval=0.1, disable_progress=True)
    geography = await async_client.get_geography(connection=connection, aggregation_unit="admin1")
    await connection.session.aclose()
    names = {f["properties"]["pcod"]: f["properties"]["name"] for f in geography["features"]}
    return int(result.value.sum()), names[result.loc[result.value.idxmax(), "pcod"]]


async def test_flowkit_example_reports_what_flowapi_answered(
    jp_root_dir: Path, api: Api, flowapi: FlowApi
) -> None:
    # Given the shipped example copied into the workspace, and what FlowAPI says of 3 January
    shutil.copytree(EXAMPLE, jp_root_dir / "flowkit")
    total, busiest = await _provinces_on(flowapi, "2016-01-03")

    # When the workflow runs for that reference date
    started = await _start(api, "flowkit/daily_location.autoflow.yaml", reference_date="2016-01-03")
    run = await _finished(api, started["id"], timeout=180)

    # Then both steps succeeded, the report rendered to HTML and PDF
    assert run["status"] == "succeeded", json.dumps(run, indent=1)
    assert _statuses(run) == {"daily_location": "succeeded", "report": "succeeded"}
    reports = {r["format"]: r["path"] for r in _steps(run)["report"]["run"]["reports"]}
    assert set(reports) == {"html", "pdf"}
    # And the report shows the day's total and busiest province as FlowAPI gave them
    html = (jp_root_dir / reports["html"]).read_text()
    assert f"{total:,}" in html
    assert busiest in html
    pdf = PdfReader(jp_root_dir / reports["pdf"])
    text = " ".join(page.extract_text() for page in pdf.pages)
    assert "Sunday 3 January 2016" in text
    assert f"Subscribers located: {total:,}" in text
