"""Reading and checking the long demand CSV, and the dense per-commodity panel models train on.

The CSV has one row per commodity and period: ``unique_id, ds, y, customer_forecast``
(the convention forecasting libraries share). Every mistake is reported as one line
naming the file and its line number. A period missing between a commodity's first row
and the data's last period means *no orders*: ``y = 0`` and the customer's last stated
forecast carries forward (``Panel.filled`` counts those periods).
"""

from __future__ import annotations

import io
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd

from robotest.forecast.errors import DataError

HISTORY_COLUMNS = ("unique_id", "ds", "y", "customer_forecast")
FUTURE_COLUMNS = ("unique_id", "ds", "customer_forecast")
FREQ_NAMES = {"daily": "D", "d": "D", "weekly": "W", "w": "W", "monthly": "M", "m": "M"}
SEASON = {"D": 7, "W": 52, "M": 12}
Source = str | Path | io.StringIO


def _name(source: Source, name: str | None) -> str:
    if name:
        return name
    return "<data>" if isinstance(source, io.StringIO) else str(source)


def read_table(source: Source, columns: tuple[str, ...], name: str | None = None) -> pd.DataFrame:
    """Read a CSV as text cells with a ``line`` column; fail on missing columns."""
    label = _name(source, name)
    if isinstance(source, str | Path) and not Path(source).is_file():
        raise DataError(f"{label}: no such file")
    try:
        frame = pd.read_csv(source, dtype=str, keep_default_na=False, skipinitialspace=True)
    except pd.errors.EmptyDataError:
        raise DataError(
            f"{label}: the file is empty (expected a header {','.join(columns)})"
        ) from None
    except (pd.errors.ParserError, UnicodeDecodeError) as exc:
        detail = str(exc).strip().splitlines()[-1] if str(exc).strip() else type(exc).__name__
        raise DataError(f"{label}: not a readable CSV file: {detail}") from None
    frame.columns = [str(c).strip() for c in frame.columns]
    missing = [c for c in columns if c not in frame.columns]
    if missing:
        raise DataError(
            f"{label}: missing column(s) {', '.join(missing)} "
            f"(header must hold {', '.join(columns)})"
        )
    frame = frame[list(columns)].copy()
    frame["line"] = np.arange(len(frame)) + 2
    for column in columns:
        frame[column] = frame[column].str.strip()
    return frame


def _fail_first(frame: pd.DataFrame, bad: pd.Series, label: str, message: str) -> None:
    if bool(bad.any()):
        row = frame.loc[bad].iloc[0]
        cells = {k: v.date() if isinstance(v, pd.Timestamp) else v for k, v in row.items()}
        raise DataError(f"{label} line {row['line']}: {message.format(**cells)}")


def _numbers(frame: pd.DataFrame, column: str, label: str, allow_empty: bool) -> pd.Series:
    text = frame[column]
    empty = text == ""
    if not allow_empty:
        _fail_first(frame, empty, label, f"{column} is empty")
    values = pd.to_numeric(text.where(~empty, "nan"), errors="coerce").astype(float)
    bad = ~empty & ~np.isfinite(values)
    _fail_first(frame, bad, label, f"{column} is not a number: '{{{column}}}'")
    _fail_first(
        frame, values < 0, label, f"negative {column} {{{column}}} (demand cannot be negative)"
    )
    return values


def _dates(frame: pd.DataFrame, label: str) -> pd.Series:
    dates = pd.to_datetime(frame["ds"], format="%Y-%m-%d", errors="coerce")
    _fail_first(frame, dates.isna(), label, "bad date '{ds}' in ds (expected YYYY-MM-DD)")
    return dates


def _check_keys(frame: pd.DataFrame, label: str) -> None:
    _fail_first(frame, frame["unique_id"] == "", label, "unique_id is empty")
    duplicated = frame.duplicated(["unique_id", "ds"], keep="first")
    if bool(duplicated.any()):
        row = frame.loc[duplicated].iloc[0]
        first = frame[(frame["unique_id"] == row["unique_id"]) & (frame["ds"] == row["ds"])]
        raise DataError(
            f"{label} line {row['line']}: duplicate row for unique_id '{row['unique_id']}' "
            f"and ds {row['ds'].date()} (first at line {first['line'].iloc[0]})"
        )


def read_history(
    source: Source, name: str | None = None, allow_future: bool = False
) -> pd.DataFrame:
    """Validated history rows; with ``allow_future`` an empty ``y`` marks a future period."""
    label = _name(source, name)
    frame = read_table(source, HISTORY_COLUMNS, label)
    if frame.empty:
        raise DataError(f"{label}: no data rows")
    frame["ds"] = _dates(frame, label)
    frame["y"] = _numbers(frame, "y", label, allow_empty=allow_future)
    frame["customer_forecast"] = _numbers(frame, "customer_forecast", label, allow_empty=False)
    _check_keys(frame, label)
    return frame


def read_future(source: Source, name: str | None = None) -> pd.DataFrame:
    """Validated ``unique_id, ds, customer_forecast`` rows of periods to predict."""
    label = _name(source, name)
    frame = read_table(source, FUTURE_COLUMNS, label)
    if frame.empty:
        raise DataError(f"{label}: no data rows")
    frame["ds"] = _dates(frame, label)
    frame["customer_forecast"] = _numbers(frame, "customer_forecast", label, allow_empty=False)
    _check_keys(frame, label)
    return frame


def normalize_freq(freq: str) -> str:
    """``daily``/``weekly``/``monthly`` (or D/W/M) to the one-letter code."""
    code = FREQ_NAMES.get(freq.strip().lower())
    if code is None:
        raise DataError(f"unknown frequency '{freq}' (use daily, weekly or monthly)")
    return code


def infer_freq(dates: pd.Series, label: str) -> str:
    """The period of the data from the typical spacing of consecutive dates."""
    unique = np.sort(dates.unique())
    if len(unique) < 2:
        raise DataError(f"{label}: one date only; give the frequency (--freq) and more periods")
    days = float(np.median(np.diff(unique).astype("timedelta64[D]").astype(float)))
    if days <= 1.5:
        return "D"
    if 6 <= days <= 8:
        return "W"
    if 27 <= days <= 32:
        return "M"
    raise DataError(
        f"{label}: cannot tell daily, weekly or monthly from a typical spacing of {days:g} days"
    )


def pandas_alias(code: str, first: pd.Timestamp) -> str:
    """The pandas calendar of a frequency, anchored on the first date."""
    if code == "D":
        return "D"
    if code == "W":
        return "W-" + first.day_name()[:3].upper()
    return "MS" if first.day == 1 else "ME"


def _check_calendar(frame: pd.DataFrame, code: str, alias: str, label: str) -> None:
    dates = frame["ds"]
    if code == "W":
        off = dates.dt.day_of_week != dates.iloc[0].day_of_week
        what = f"weekly dates of this file fall on {dates.iloc[0].day_name()}"
    elif code == "M":
        off = ~dates.dt.is_month_start if alias == "MS" else ~dates.dt.is_month_end
        what = "monthly dates must all be the first (or all the last) day of a month"
    else:
        return
    _fail_first(frame, off, label, f"date {{ds}} is off the calendar ({what})")


@dataclass(frozen=True)
class Panel:
    """Every commodity on one regular calendar: row ``i`` is ``ids[i]``.

    ``y`` is NaN before a commodity's first period; ``cf`` is the customer's forecast.
    """

    ids: tuple[str, ...]
    dates: pd.DatetimeIndex
    freq: str
    y: np.ndarray
    cf: np.ndarray
    filled: int = 0

    @property
    def season(self) -> int:
        return SEASON[self.freq]

    @property
    def alias(self) -> str:
        return pandas_alias(self.freq, self.dates[0])

    @property
    def start(self) -> np.ndarray:
        """Index of each commodity's first period."""
        return np.argmax(np.isfinite(self.y), axis=1)

    def subset(self, ids: list[str] | tuple[str, ...]) -> Panel:
        index = [self.ids.index(i) for i in ids]
        return Panel(tuple(ids), self.dates, self.freq, self.y[index], self.cf[index], self.filled)

    def future_dates(self, horizon: int) -> pd.DatetimeIndex:
        return pd.date_range(self.dates[-1], periods=horizon + 1, freq=self.alias)[1:]

    def to_frame(self) -> pd.DataFrame:
        """The long table again (only the periods each commodity has)."""
        n, t = self.y.shape
        frame = pd.DataFrame(
            {
                "unique_id": np.repeat(np.array(self.ids, dtype=object), t),
                "ds": np.tile(self.dates.strftime("%Y-%m-%d"), n),
                "y": self.y.ravel(),
                "customer_forecast": self.cf.ravel(),
            }
        )
        return frame[np.isfinite(frame["y"])].reset_index(drop=True)


def build_panel(frame: pd.DataFrame, freq: str | None = None, name: str = "<data>") -> Panel:
    """Place validated rows on one calendar; gaps are zero demand (see module docstring)."""
    frame = frame.sort_values(["ds", "line"]).reset_index(drop=True)
    code = normalize_freq(freq) if freq else infer_freq(frame["ds"], name)
    alias = pandas_alias(code, frame["ds"].iloc[0])
    _check_calendar(frame, code, alias, name)
    dates = pd.date_range(frame["ds"].min(), frame["ds"].max(), freq=alias)
    ids = tuple(sorted(frame["unique_id"].unique()))
    row = pd.Index(ids).get_indexer(frame["unique_id"])
    col = dates.get_indexer(frame["ds"])
    _fail_first(
        frame,
        pd.Series(col < 0, index=frame.index),
        name,
        f"date {{ds}} is off the {code} calendar starting {dates[0].date()}",
    )
    y = np.full((len(ids), len(dates)), np.nan)
    cf = np.full_like(y, np.nan)
    y[row, col] = frame["y"].to_numpy(float)
    cf[row, col] = frame["customer_forecast"].to_numpy(float)
    started = np.maximum.accumulate(np.isfinite(y), axis=1)
    gaps = started & ~np.isfinite(y)
    y[gaps] = 0.0
    cf = pd.DataFrame(cf).ffill(axis=1).to_numpy(copy=True)
    cf[~started] = np.nan
    return Panel(ids, dates, code, y, cf, int(gaps.sum()))


def load_panel(path: Source, freq: str | None = None, name: str | None = None) -> Panel:
    """Read, check and place a history CSV in one step."""
    label = _name(path, name)
    return build_panel(read_history(path, label), freq, label)
