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
    assert panel.freq == "W-MON" and panel.season == 52
    assert panel.y.shape == (4, len(panel.dates))
    assert np.isfinite(panel.y).all() and (panel.y >= 0).all()
    assert (np.diff(panel.dates.values).astype("timedelta64[D]").astype(int) == 7).all()


GAPPED = HEADER + "A,2024-01-01,5,6\nA,2024-01-15,1,7\nB,2024-01-08,3,4\nB,2024-01-15,2,2\n"


def test_a_gap_is_an_error_naming_the_commodity_and_the_period(tmp_path: Path) -> None:
    with pytest.raises(DataError) as caught:
        load_panel(write(tmp_path / "g.csv", GAPPED))
    message = str(caught.value)
    assert "g.csv: unique_id 'A' has a gap: no row for 2024-01-08 (W-MON" in message
    assert "--fill zero or --fill interpolate" in message and "\n" not in message


def test_a_series_that_stops_early_is_a_gap_too(tmp_path: Path) -> None:
    text = HEADER + "A,2024-01-01,5,6\nB,2024-01-01,3,4\nB,2024-01-08,2,2\nB,2024-01-15,2,2\n"
    with pytest.raises(DataError, match=r"'A' has a gap: no row for 2024-01-08 \.\. 2024-01-15"):
        load_panel(write(tmp_path / "g.csv", text))


def test_fill_zero_is_no_orders_and_the_customer_forecast_carries_forward(tmp_path: Path) -> None:
    panel = load_panel(write(tmp_path / "g.csv", GAPPED), fill="zero")
    a, b = panel.ids.index("A"), panel.ids.index("B")
    assert panel.y[a].tolist() == [5.0, 0.0, 1.0]
    assert panel.cf[a].tolist() == [6.0, 6.0, 7.0]
    assert np.isnan(panel.y[b, 0]) and panel.y[b, 1:].tolist() == [3.0, 2.0]
    assert panel.filled == 1


def test_fill_interpolate_draws_a_line_across_the_gap(tmp_path: Path) -> None:
    panel = load_panel(write(tmp_path / "g.csv", GAPPED), fill="interpolate")
    assert panel.y[panel.ids.index("A")].tolist() == [5.0, 3.0, 1.0]


def test_unknown_fill_is_refused(tmp_path: Path) -> None:
    with pytest.raises(DataError, match=r"unknown fill 'mean' \(use zero or interpolate\)"):
        load_panel(write(tmp_path / "g.csv", GAPPED), fill="mean")


FREQUENCIES = [
    # (pandas alias the dates are generated with, alias expected back, season length)
    ("h", "h", 24),
    ("D", "D", 7),
    ("B", "B", 5),
    ("W-WED", "W-WED", 52),
    ("MS", "MS", 12),
    ("ME", "ME", 12),
    ("QS-JAN", "QS-OCT", 4),
    ("QE-DEC", "QE-DEC", 4),
    ("YS-JAN", "YS-JAN", 1),
]


@pytest.mark.parametrize(("alias", "expected", "season"), FREQUENCIES)
def test_every_frequency_is_inferred_with_its_season(
    tmp_path: Path, alias: str, expected: str, season: int
) -> None:
    dates = pd.date_range("2023-01-02", periods=12, freq=alias)
    stamp = "%Y-%m-%d %H:%M" if alias == "h" else "%Y-%m-%d"
    text = HEADER + "".join(f"A,{d.strftime(stamp)},{k},1\n" for k, d in enumerate(dates))
    panel = load_panel(write(tmp_path / "f.csv", text))
    assert panel.freq == expected and panel.season == season
    assert panel.y[0].tolist() == list(range(12)) and (panel.dates == dates).all()


def test_business_days_with_a_holiday_are_a_gap_on_the_business_calendar(tmp_path: Path) -> None:
    dates = pd.bdate_range("2024-03-25", periods=10).delete(4)  # no row for Friday 2024-03-29
    text = HEADER + "".join(f"A,{d.date()},{k},1\n" for k, d in enumerate(dates))
    with pytest.raises(DataError, match=r"no row for 2024-03-29 \(B, inside its history"):
        load_panel(write(tmp_path / "f.csv", text))
    panel = load_panel(write(tmp_path / "f.csv", text), fill="interpolate")
    assert panel.freq == "B" and panel.y[0, 4] == 3.5


@pytest.mark.parametrize(
    ("given", "dates", "expected"),
    [
        ("weekly", ["2024-01-02", "2024-01-09", "2024-01-16"], "W-TUE"),
        ("monthly", ["2024-01-31", "2024-02-29", "2024-03-31"], "ME"),
        ("quarterly", ["2024-02-01", "2024-05-01", "2024-08-01"], "QS-FEB"),
        ("yearly", ["2020-07-01", "2021-07-01", "2022-07-01"], "YS-JUL"),
        ("business", ["2024-01-05", "2024-01-08", "2024-01-09"], "B"),
        ("hourly", ["2024-01-05 22:00", "2024-01-05 23:00", "2024-01-06 00:00"], "h"),
        ("W-TUE", ["2024-01-02", "2024-01-09", "2024-01-16"], "W-TUE"),
    ],
)
def test_frequency_can_be_given_by_name_or_pandas_alias(
    tmp_path: Path, given: str, dates: list[str], expected: str
) -> None:
    text = HEADER + "".join(f"A,{d},1,1\n" for d in dates)
    panel = load_panel(write(tmp_path / "f.csv", text), freq=given)
    assert panel.freq == expected and panel.y.shape == (1, 3)


def test_two_dates_need_the_frequency_given(tmp_path: Path) -> None:
    path = write(tmp_path / "f.csv", HEADER + "A,2024-01-01,1,1\nA,2024-01-08,1,1\n")
    with pytest.raises(DataError, match=r"too few to infer the frequency \(give --freq"):
        load_panel(path)
    assert load_panel(path, freq="weekly").y.shape == (1, 2)


def test_unknown_frequency_names_the_choices(tmp_path: Path) -> None:
    path = write(tmp_path / "f.csv", HEADER + "A,2024-01-01,1,1\nA,2024-01-08,1,1\n")
    with pytest.raises(DataError, match=r"unknown frequency 'fortnightly' \(use hourly, daily"):
        load_panel(path, freq="fortnightly")


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
            "A,2024-01-01,1,1\nA,2024-01-08,1,1\nA,2024-01-15,1,1\nA,2024-01-23,1,1\n",
            "f.csv line 5: date 2024-01-23 is off the calendar (W-MON dates",
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
