"""The long CSV: frequencies, gaps, zero demand, and one-line errors naming the row."""

from __future__ import annotations

import io
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from robotest.forecast.data import build_panel, load_panel, read_future, read_history
from robotest.forecast.errors import DataError

HEADER = "unique_id,ds,y,customer_forecast\n"


def write(path: Path, text: str) -> Path:
    path.write_text(text)
    return path


def test_weekly_panel_has_every_commodity_on_one_calendar(history_csv: Path) -> None:
    panel = load_panel(history_csv)
    assert panel.freq == "W" and panel.season == 52
    assert panel.y.shape == (4, len(panel.dates))
    assert np.isfinite(panel.y).all() and (panel.y >= 0).all()
    assert (np.diff(panel.dates.values).astype("timedelta64[D]").astype(int) == 7).all()


def test_gaps_are_zero_demand_and_customer_forecast_carries_forward(tmp_path: Path) -> None:
    text = HEADER + "A,2024-01-01,5,6\nA,2024-01-15,0,7\nB,2024-01-08,3,4\nB,2024-01-15,2,2\n"
    panel = load_panel(write(tmp_path / "g.csv", text))
    a, b = panel.ids.index("A"), panel.ids.index("B")
    assert panel.y[a].tolist() == [5.0, 0.0, 0.0]
    assert panel.cf[a].tolist() == [6.0, 6.0, 7.0]
    assert np.isnan(panel.y[b, 0]) and panel.y[b, 1:].tolist() == [3.0, 2.0]
    assert panel.filled == 1


@pytest.mark.parametrize(
    ("dates", "freq"),
    [
        (["2024-01-01", "2024-01-02", "2024-01-03"], "D"),
        (["2024-01-31", "2024-02-29", "2024-03-31"], "M"),
        (["2024-01-01", "2024-02-01", "2024-03-01"], "M"),
    ],
)
def test_daily_and_monthly_are_inferred(tmp_path: Path, dates: list[str], freq: str) -> None:
    text = HEADER + "".join(f"A,{d},1,1\n" for d in dates)
    panel = load_panel(write(tmp_path / "f.csv", text))
    assert panel.freq == freq and len(panel.dates) == 3


def test_frequency_can_be_given(tmp_path: Path) -> None:
    text = HEADER + "A,2024-01-01,1,1\nA,2024-01-15,1,1\n"
    assert load_panel(write(tmp_path / "f.csv", text), freq="weekly").y.shape == (1, 3)


@pytest.mark.parametrize(
    ("body", "message"),
    [
        ("A,2024-01-01,1,1\nA,2024-13-08,1,1\n", "f.csv line 3: bad date '2024-13-08' in ds"),
        (
            "A,2024-01-01,1,1\nA,2024-01-01,2,1\n",
            "f.csv line 3: duplicate row for unique_id 'A' and ds 2024-01-01 (first at line 2)",
        ),
        ("A,2024-01-01,1,1\nA,2024-01-08,-4,1\n", "f.csv line 3: negative y -4"),
        ("A,2024-01-01,1,1\nA,2024-01-08,x,1\n", "f.csv line 3: y is not a number: 'x'"),
        ("A,2024-01-01,1,1\nA,2024-01-08,,1\n", "f.csv line 3: y is empty"),
        ("A,2024-01-01,1,1\n,2024-01-08,1,1\n", "f.csv line 3: unique_id is empty"),
        (
            "A,2024-01-01,1,1\nA,2024-01-08,1,1\nA,2024-01-16,1,1\n",
            "f.csv line 4: date 2024-01-16 is off",
        ),
    ],
)
def test_bad_rows_are_named(tmp_path: Path, body: str, message: str) -> None:
    with pytest.raises(DataError) as caught:
        load_panel(write(tmp_path / "f.csv", HEADER + body))
    assert f"{tmp_path}/{message}" in str(caught.value)
    assert "\n" not in str(caught.value)


def test_missing_columns_are_named(tmp_path: Path) -> None:
    with pytest.raises(DataError, match=r"f.csv: missing column\(s\) customer_forecast"):
        load_panel(write(tmp_path / "f.csv", "unique_id,ds,y\nA,2024-01-01,1\n"))


@pytest.mark.parametrize(
    ("text", "message"),
    [("", "the file is empty"), (HEADER, "no data rows"), (None, "no such file")],
)
def test_empty_and_missing_files(tmp_path: Path, text: str | None, message: str) -> None:
    path = tmp_path / "f.csv"
    if text is not None:
        path.write_text(text)
    with pytest.raises(DataError, match=message):
        load_panel(path)


def test_future_rows_allowed_only_where_asked() -> None:
    text = HEADER + "A,2024-01-01,1,1\nA,2024-01-08,,3\n"
    rows = read_history(io.StringIO(text), "post", allow_future=True)
    assert rows["y"].isna().tolist() == [False, True]
    future = read_future(io.StringIO("unique_id,ds,customer_forecast\nA,2024-01-15,2\n"), "fut")
    assert future["customer_forecast"].tolist() == [2.0]


cells = st.one_of(st.integers(-5, 500).map(str), st.sampled_from(["", "x", "1e3", "nan", "2.5"]))


@settings(max_examples=60, deadline=None)
@given(
    st.lists(
        st.tuples(st.sampled_from(["A", "B", ""]), st.integers(0, 12), cells, cells),
        min_size=1,
        max_size=12,
    )
)
def test_any_csv_either_loads_or_fails_with_one_line(rows: list[tuple[str, int, str, str]]) -> None:
    lines = [
        f"{u},{(pd.Timestamp('2024-01-01') + pd.Timedelta(weeks=w)).date()},{y},{c}"
        for u, w, y, c in rows
    ]
    try:
        frame = read_history(io.StringIO(HEADER + "\n".join(lines) + "\n"), "p.csv")
        panel = build_panel(frame, "weekly", "p.csv")
    except DataError as exc:
        assert str(exc).startswith("p.csv") and "\n" not in str(exc)
        return
    assert (panel.y[np.isfinite(panel.y)] >= 0).all()
    assert len(panel.to_frame()) >= len(frame)
