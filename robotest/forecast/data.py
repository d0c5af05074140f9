"""Reading and checking the long demand CSV, and the dense per-commodity panel models train on.

The CSV has one row per commodity and period: ``unique_id, ds, y, customer_forecast``
(the convention forecasting libraries share). Every mistake is reported as one line
naming the file and its line number. A period missing between a commodity's first row
and the data's last period means *no orders*: ``y = 0`` and the customer's last stated
forecast carries forward (``Panel.filled`` counts those periods).
"""

from __future__ import annotations

import io
from collections import Counter
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd
from pandas.tseries import offsets as offsets_
from pandas.tseries.frequencies import to_offset
from pandas.tseries.offsets import DateOffset

from robotest.forecast.errors import DataError

HISTORY_COLUMNS = ("unique_id", "ds", "y", "customer_forecast")
FUTURE_COLUMNS = ("unique_id", "ds", "customer_forecast")
FREQ_KINDS = ("hourly", "daily", "business", "weekly", "monthly", "quarterly", "yearly")
FREQ_NAMES = {
    **dict(zip(FREQ_KINDS, ("h", "D", "B", "W", "M", "Q", "Y"), strict=True)),
    "business days": "B",
    "annual": "Y",
    **{code.lower(): code for code in ("h", "D", "B", "W", "M", "Q", "Y")},
}
SEASONS: tuple[tuple[type[DateOffset], int], ...] = (
    (offsets_.Hour, 24),
    (offsets_.BusinessDay, 5),
    (offsets_.Day, 7),
    (offsets_.Week, 52),
    (offsets_.MonthBegin, 12),
    (offsets_.MonthEnd, 12),
    (offsets_.QuarterBegin, 4),
    (offsets_.QuarterEnd, 4),
    (offsets_.YearBegin, 1),
    (offsets_.YearEnd, 1),
)
FILLS = ("zero", "interpolate")
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
    dates = pd.to_datetime(frame["ds"], format="ISO8601", errors="coerce")
    short = frame["ds"].str.len() < 10  # ISO 8601 also takes 2024 or 2024-03: not a period here
    _fail_first(
        frame,
        dates.isna() | short,
        label,
        "bad date '{ds}' in ds (expected YYYY-MM-DD or YYYY-MM-DD HH:MM)",
    )
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


def normalize_freq(freq: str, first: pd.Timestamp) -> str:
    """A frequency name (``weekly``...) or pandas alias (``W-SUN``) as a pandas alias.

    A name is anchored on the first date of the data: weeks on its weekday, months, quarters
    and years on the start or the end of its month.
    """
    text = freq.strip()
    kind = FREQ_NAMES.get(text.lower())
    if kind is not None:
        return _anchored(kind, first)
    try:
        return to_offset(text).freqstr
    except ValueError:
        raise DataError(
            f"unknown frequency '{freq}' (use {', '.join(FREQ_KINDS)} or a pandas alias such "
            "as W-SUN or QS-JAN)"
        ) from None


def _anchored(kind: str, first: pd.Timestamp) -> str:
    start = first.is_month_start
    offsets: dict[str, DateOffset] = {
        "h": offsets_.Hour(),
        "D": offsets_.Day(),
        "B": offsets_.BusinessDay(),
        "W": offsets_.Week(weekday=first.weekday()),
        "M": offsets_.MonthBegin() if start else offsets_.MonthEnd(),
        "Q": (
            offsets_.QuarterBegin(startingMonth=first.month)
            if start
            else offsets_.QuarterEnd(startingMonth=first.month)
        ),
        "Y": (
            offsets_.YearBegin(month=first.month) if start else offsets_.YearEnd(month=first.month)
        ),
    }
    return offsets[kind].freqstr


def season_length(alias: str) -> int:
    """Periods in one season of a pandas frequency (24 hours, 7 days, 52 weeks, 12 months...).

    Written here because pandas has no notion of seasonality and statsforecast takes it as
    a number; a multiple such as ``2W`` divides the season, an unknown kind has no season (1).
    """
    offset = to_offset(alias)
    for kind, season in SEASONS:
        if isinstance(offset, kind):
            return max(1, season // max(1, offset.n))
    return 1


def infer_freq(dates: pd.Series, label: str) -> str:
    """The pandas alias of the dates' calendar (``pd.infer_freq``).

    All dates of the file are inferred together first. When gaps or stray dates defeat that,
    runs of consecutive dates vote, and of the calendars they name the one with the fewest
    dates off it, then the fewest missing periods, wins (the gaps are reported afterwards, by date).
    """
    unique = pd.DatetimeIndex(np.sort(dates.unique()))
    if len(unique) < 3:
        raise DataError(
            f"{label}: {len(unique)} distinct date(s) are too few to infer the frequency "
            "(give --freq, and more periods)"
        )
    found = pd.infer_freq(unique)
    if found:
        return to_offset(found).freqstr
    votes: Counter[str] = Counter()
    for run in (7, 3):
        for i in range(max(0, len(unique) - run + 1)):
            alias = pd.infer_freq(unique[i : i + run])
            if alias:
                votes[to_offset(alias).freqstr] += 1
    if "D" in votes and not (unique.dayofweek >= 5).any():
        votes["B"] += 0  # weekdays only, with holidays: no run of dates says business days
    if votes:
        return min(votes, key=lambda alias: (*_misfit(unique, alias), -votes[alias]))
    raise DataError(
        f"{label}: cannot infer a frequency from dates {unique[0]}, {unique[1]}, {unique[2]}... "
        "(give --freq, e.g. weekly or a pandas alias such as W-SUN)"
    )


def _misfit(dates: pd.DatetimeIndex, alias: str) -> tuple[int, int]:
    """Dates off the calendar of ``alias``, and periods of that calendar without a date."""
    calendar = pd.date_range(dates[0], dates[-1], freq=alias)
    off = int((calendar.get_indexer(dates) < 0).sum())
    return off, len(calendar) - (len(dates) - off)


def format_dates(dates: pd.DatetimeIndex | pd.Series) -> np.ndarray:
    """``YYYY-MM-DD``, or ``YYYY-MM-DD HH:MM`` when any date has a time of day."""
    index = pd.DatetimeIndex(dates)
    with_time = bool((index != index.normalize()).any())
    return np.asarray(index.strftime("%Y-%m-%d %H:%M" if with_time else "%Y-%m-%d"))


@dataclass(frozen=True)
class Panel:
    """Every commodity on one regular calendar: row ``i`` is ``ids[i]``.

    ``freq`` is the pandas alias of the calendar (``W-MON``, ``MS``, ``QS-JAN``, ``h``...).
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
        return season_length(self.freq)

    @property
    def alias(self) -> str:
        return self.freq

    @property
    def start(self) -> np.ndarray:
        """Index of each commodity's first period."""
        return np.argmax(np.isfinite(self.y), axis=1)

    def subset(self, ids: list[str] | tuple[str, ...]) -> Panel:
        index = [self.ids.index(i) for i in ids]
        return Panel(tuple(ids), self.dates, self.freq, self.y[index], self.cf[index], self.filled)

    def future_dates(self, horizon: int) -> pd.DatetimeIndex:
        return pd.date_range(self.dates[-1], periods=horizon + 1, freq=self.freq)[1:]

    def to_frame(self) -> pd.DataFrame:
        """The long table again (only the periods each commodity has)."""
        n, t = self.y.shape
        frame = pd.DataFrame(
            {
                "unique_id": np.repeat(np.array(self.ids, dtype=object), t),
                "ds": np.tile(format_dates(self.dates), n),
                "y": self.y.ravel(),
                "customer_forecast": self.cf.ravel(),
            }
        )
        return frame[np.isfinite(frame["y"])].reset_index(drop=True)


def _gap_error(
    ids: tuple[str, ...], dates: pd.DatetimeIndex, freq: str, holes: np.ndarray, name: str
) -> DataError:
    """The first commodity with a hole, named with the missing period(s)."""
    row, col = np.argwhere(holes)[0]
    run_end = col
    while run_end + 1 < len(dates) and holes[row, run_end + 1]:
        run_end += 1
    at = format_dates(dates[[col, run_end]])
    span = at[0] if run_end == col else f"{at[0]} .. {at[1]}"
    where = "after its last row" if run_end == len(dates) - 1 else "inside its history"
    return DataError(
        f"{name}: unique_id '{ids[row]}' has a gap: no row for {span} ({freq}, {where}; "
        f"{int(holes[row].sum())} missing period(s) in all); "
        "give --fill zero or --fill interpolate"
    )


def _fill(y: np.ndarray, cf: np.ndarray, holes: np.ndarray, fill: str) -> None:
    """Fill holes in place: demand 0 or interpolated; the customer's last forecast stands."""
    if fill == "interpolate":
        interpolated = pd.DataFrame(y).interpolate(axis=1, limit_area="inside").ffill(axis=1)
        y[holes] = interpolated.to_numpy()[holes]
    else:
        y[holes] = 0.0
    cf[holes] = pd.DataFrame(cf).ffill(axis=1).to_numpy()[holes]


def build_panel(
    frame: pd.DataFrame, freq: str | None = None, name: str = "<data>", fill: str | None = None
) -> Panel:
    """Place validated rows on one calendar.

    A period missing between a commodity's first row and the last period of the file is an
    error naming it, unless ``fill`` is ``zero`` (no orders) or ``interpolate``.
    """
    if fill is not None and fill not in FILLS:
        raise DataError(f"unknown fill '{fill}' (use {' or '.join(FILLS)})")
    frame = frame.sort_values(["ds", "line"]).reset_index(drop=True)
    first = frame["ds"].iloc[0]
    alias = normalize_freq(freq, first) if freq else infer_freq(frame["ds"], name)
    dates = pd.date_range(first, frame["ds"].max(), freq=alias)
    ids = tuple(sorted(frame["unique_id"].unique()))
    row = pd.Index(ids).get_indexer(frame["unique_id"])
    col = dates.get_indexer(frame["ds"])
    example = ", ".join(format_dates(dates[:2]))
    _fail_first(
        frame,
        pd.Series(col < 0, index=frame.index),
        name,
        f"date {{ds}} is off the calendar ({alias} dates of this file: {example}, ...)",
    )
    y = np.full((len(ids), len(dates)), np.nan)
    cf = np.full_like(y, np.nan)
    y[row, col] = frame["y"].to_numpy(float)
    cf[row, col] = frame["customer_forecast"].to_numpy(float)
    started = np.maximum.accumulate(np.isfinite(y), axis=1)
    holes = started & ~np.isfinite(y)
    if holes.any():
        if fill is None:
            raise _gap_error(ids, dates, alias, holes, name)
        _fill(y, cf, holes, fill)
    cf = pd.DataFrame(cf).ffill(axis=1).to_numpy(copy=True)
    cf[~started] = np.nan
    return Panel(ids, dates, alias, y, cf, int(holes.sum()))


def load_panel(
    path: Source, freq: str | None = None, name: str | None = None, fill: str | None = None
) -> Panel:
    """Read, check and place a history CSV in one step."""
    label = _name(path, name)
    return build_panel(read_history(path, label), freq, label, fill)
