"""scrapbook, which users' notebooks use to hand results to downstream notebooks.

Its last release (0.5.0) predates pandas 2: ``sb.glue`` and
``sb.read_notebook(...).scraps`` work with today's pandas, ``papermill_dataframe``
does not (it calls ``DataFrame.append``), so only the former are relied on.
"""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import scrapbook as sb

from .notebooks import write_notebook


async def test_values_glued_in_a_run_are_read_back_from_its_executed_notebook(
    jp_root_dir: Path, api, wait_for_run
) -> None:
    # Given an upstream notebook that glues a number and a table for downstream ones
    write_notebook(
        jp_root_dir / "upstream.ipynb",
        "import pandas as pd\nimport scrapbook as sb",
        "sb.glue('rows', rows)\n"
        "sb.glue('table', pd.DataFrame({'region': ['north', 'south'], 'sales': [3, rows]}))",
        parameters="rows = 2",
    )

    # When AutoFlow runs it
    status, queued = await api(
        "POST", "runs", {"notebook": "upstream.ipynb", "parameters": {"rows": 5}}
    )
    assert status == 202, queued
    run = await wait_for_run(queued["id"])

    # Then scrapbook reads both values back from the executed notebook
    assert run["status"] == "succeeded", run["error"]
    scraps = sb.read_notebook(str(jp_root_dir / run["output"])).scraps
    assert scraps["rows"].data == 5
    expected = pd.DataFrame({"region": ["north", "south"], "sales": [3, 5]})
    pd.testing.assert_frame_equal(scraps["table"].data, expected)
