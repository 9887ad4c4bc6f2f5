"""Make calls.csv and sms.csv: synthetic daily counts per cell and per province (Nepal's seven
provinces), three weeks from 2015-12-25. The seed is fixed, so the files come out the same.
"""

from pathlib import Path

import numpy as np
import pandas as pd

rng = np.random.default_rng(7)

OUT = Path(__file__).parent

# province, cell prefix, number of cells, mean calls per cell per day, SMS per call
provinces = [
    ("Bagmati", "BAG", 8, 1450, 0.62),
    ("Koshi", "KOS", 6, 980, 0.48),
    ("Madhesh", "MAD", 6, 1060, 0.41),
    ("Lumbini", "LUM", 6, 1010, 0.45),
    ("Gandaki", "GAN", 5, 820, 0.55),
    ("Sudurpashchim", "SUD", 4, 560, 0.38),
    ("Karnali", "KAR", 3, 390, 0.33),
]
dates = pd.date_range("2015-12-25", "2016-01-14", freq="D")


def day_factor(day: pd.Timestamp) -> float:
    factor = 1.0 + 0.004 * (day - dates[0]).days  # slow growth
    if day.day_of_week == 5:  # Saturday, the weekly day off
        factor *= 0.78
    return factor


calls_rows, sms_rows = [], []
for name, prefix, n_cells, mean_calls, sms_ratio in provinces:
    cell_scale = rng.uniform(0.6, 1.4, n_cells)
    for day in dates:
        region_calls = 0
        for i, scale in enumerate(cell_scale, start=1):
            calls = int(rng.poisson(mean_calls * scale * day_factor(day)))
            minutes = round(calls * rng.normal(2.4, 0.15), 1)
            calls_rows.append((day.date(), f"{prefix}-{i:03d}", name, calls, minutes))
            region_calls += calls
        greetings = 2.6 if day == pd.Timestamp("2016-01-01") else 1.0  # New Year messages
        sms = int(rng.poisson(region_calls * sms_ratio * greetings))
        senders = int(sms / rng.normal(3.1, 0.2))
        sms_rows.append((day.date(), name, sms, senders))

pd.DataFrame(
    calls_rows, columns=["date", "cell_id", "region", "calls", "call_minutes"]
).sort_values(["date", "cell_id"]).to_csv(OUT / "calls.csv", index=False)
pd.DataFrame(sms_rows, columns=["date", "region", "sms", "senders"]).sort_values(
    ["date", "region"]
).to_csv(OUT / "sms.csv", index=False)
