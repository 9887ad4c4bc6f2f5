"""Calendar dates as they are written everywhere in AutoFlow Lab: YYYY-MM-DD."""

from __future__ import annotations

import re
from datetime import date

ISO_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$")


def written_date(value: object) -> date | None:
    """``value`` as a date when it is one written YYYY-MM-DD, else None.

    Python's ``date.fromisoformat`` also reads 20160101 and 2016-W01-1; a date in a
    request, a notebook's parameter or FlowAPI's answer is the plain form only.
    """
    if not isinstance(value, str) or not ISO_DATE.match(value):
        return None
    try:
        return date.fromisoformat(value)
    except ValueError:  # 2016-02-30
        return None
