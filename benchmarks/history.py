"""A long run history, written straight into a fresh run database."""

from __future__ import annotations

import itertools
import time
from datetime import datetime, timedelta, timezone
from typing import Any

from sqlalchemy import insert

from autoflow_lab.store import open_database
from autoflow_lab.store.tables import RunRow


def build_run_history(url: str, count: int) -> float:
    """Insert ``count`` finished runs into a fresh database; seconds taken.

    The schema comes from the project's own migrations; rows go straight into
    its ``runs`` table with SQLAlchemy Core, in large batches.
    """
    began = time.perf_counter()
    engine = open_database(url)
    table = RunRow.metadata.tables["runs"]
    columns = set(table.columns.keys())
    origin = datetime.now(timezone.utc) - timedelta(seconds=count * 60)

    def row(run_id: int) -> dict[str, Any]:
        created = origin + timedelta(seconds=run_id * 60)
        notebook = f"reports/report_{run_id % 40:02d}.ipynb"
        stamp = created.strftime("%Y-%m-%dT%H-%M-%SZ")
        status = "failed" if run_id % 13 == 0 else "cancelled" if run_id % 97 == 0 else "succeeded"
        values: dict[str, Any] = {
            "id": run_id,
            "notebook": notebook,
            "parameters": {"region": "north", "day": run_id % 28 + 1},
            "kernel_name": "python3",
            "status": status,
            "created_at": created,
            "started_at": created + timedelta(seconds=1),
            "finished_at": created + timedelta(seconds=4),
            "output": f"autoflow-runs/{notebook[:-6]}/{stamp}_run-{run_id}/{notebook[8:]}",
            "error_cell_index": 3 if status == "failed" else None,
            "error_ename": "ValueError" if status == "failed" else None,
            "error_evalue": "no data for that day" if status == "failed" else None,
            # Columns of newer schemas, filled only where the table has them.
            "cells_done": 5,
            "cells_total": 5,
        }
        return {name: value for name, value in values.items() if name in columns}

    ids = iter(range(1, count + 1))
    with engine.begin() as connection:
        while batch := [row(run_id) for run_id in itertools.islice(ids, 20_000)]:
            connection.execute(insert(table), batch)
    engine.dispose()
    return time.perf_counter() - began
