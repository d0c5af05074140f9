"""Raw materials: finished-goods forecasts times the bill of materials gives part demand.

The bill of materials is a single-level CSV ``finished_good, part, quantity_per_unit``.
"""

from __future__ import annotations

import pandas as pd

from robotest.forecast.data import Source, _fail_first, read_table
from robotest.forecast.errors import DataError

BOM_COLUMNS = ("finished_good", "part", "quantity_per_unit")
PREDICTION_COLUMNS = ("unique_id", "ds", "forecast")


def read_bom(source: Source, name: str | None = None) -> pd.DataFrame:
    """Validated bill of materials (quantities positive, each pair once)."""
    label = name or str(source)
    frame = read_table(source, BOM_COLUMNS, label)
    if frame.empty:
        raise DataError(f"{label}: no data rows")
    _fail_first(frame, frame["finished_good"] == "", label, "finished_good is empty")
    _fail_first(frame, frame["part"] == "", label, "part is empty")
    quantity = pd.to_numeric(frame["quantity_per_unit"], errors="coerce")
    _fail_first(
        frame, quantity.isna(), label, "quantity_per_unit is not a number: '{quantity_per_unit}'"
    )
    _fail_first(
        frame, quantity <= 0, label, "quantity_per_unit must be positive, got {quantity_per_unit}"
    )
    frame["quantity_per_unit"] = quantity.astype(float)
    twice = frame.duplicated(["finished_good", "part"])
    _fail_first(
        frame, twice, label, "part '{part}' listed twice for finished good '{finished_good}'"
    )
    return frame


def read_predictions(source: Source, name: str | None = None) -> pd.DataFrame:
    """Validated ``unique_id, ds, forecast`` rows (what ``rtest forecast predict --csv`` writes)."""
    label = name or str(source)
    frame = read_table(source, PREDICTION_COLUMNS, label)
    if frame.empty:
        raise DataError(f"{label}: no data rows")
    dates = pd.to_datetime(frame["ds"], format="%Y-%m-%d", errors="coerce")
    _fail_first(frame, dates.isna(), label, "bad date '{ds}' in ds (expected YYYY-MM-DD)")
    value = pd.to_numeric(frame["forecast"], errors="coerce")
    _fail_first(frame, value.isna(), label, "forecast is not a number: '{forecast}'")
    _fail_first(frame, value < 0, label, "negative forecast {forecast}")
    _fail_first(
        frame,
        frame.duplicated(["unique_id", "ds"]),
        label,
        "duplicate row for unique_id '{unique_id}' and ds {ds}",
    )
    frame["forecast"] = value.astype(float)
    return frame


def part_demand(
    predictions: pd.DataFrame,
    bom: pd.DataFrame,
    pred_name: str = "predictions",
    bom_name: str = "bill of materials",
) -> pd.DataFrame:
    """Demand per part and period: the sum over finished goods of forecast x quantity."""
    known = set(bom["finished_good"])
    unknown = ~predictions["unique_id"].isin(known)
    _fail_first(
        predictions, unknown, pred_name, f"finished good '{{unique_id}}' is not in {bom_name}"
    )
    joined = predictions.merge(bom, left_on="unique_id", right_on="finished_good")
    joined["demand"] = joined["forecast"] * joined["quantity_per_unit"]
    table = joined.groupby(["part", "ds"], as_index=False, sort=True)["demand"].sum()
    table["demand"] = table["demand"].round(3)
    return table[["part", "ds", "demand"]]
