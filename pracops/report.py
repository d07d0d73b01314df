"""Notebook helpers shared by the four reports: recorded figures, alerts, KPI tables,
money and percent formatting, and the one chart style.

A report calls :func:`record` for each figure a scheduled run needs and :func:`alert` for each
threshold breach. Both leave a small JSON bundle (MIME type :data:`RECORD_MIME`) in the cell's
output; :mod:`pracops.runner` reads these bundles from the executed notebook to write the run's
summary JSON, so the figures travel with the notebook and nothing depends on side files.
In JupyterLab the bundle is invisible; :func:`recorded` returns what this kernel recorded.
"""

from __future__ import annotations

import datetime as dt
import math
import os
import tempfile
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from decimal import Decimal
from html import escape
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from pracops.money import format_cents

__all__ = [
    "RECORD_MIME",
    "KPI",
    "record",
    "alert",
    "recorded",
    "kpi_table",
    "fmt_money",
    "fmt_pct",
    "fmt_count",
    "format_table",
    "header_label",
    "use_chart_style",
    "money_axis",
    "percent_axis",
    "figure_label",
    "summary_from_notebook",
    "write_atomic",
]

RECORD_MIME = "application/vnd.pracops.record+json"
"""MIME type of the output bundles :func:`record` and :func:`alert` leave in a notebook."""

ALERT_LEVELS = ("info", "warning", "critical")

_recorded: dict[str, Any] = {}
_alerts: list[dict[str, str]] = []


def to_jsonable(value: Any) -> Any:
    """Convert NumPy, pandas, Decimal and date values to plain JSON types.

    Raises
    ------
    TypeError
        For a value with no JSON form (say, a DataFrame: record its figures, not the table).
    """
    if value is None or isinstance(value, (bool, str)):
        return value
    if isinstance(value, (int, np.integer)):
        return int(value)
    if isinstance(value, (float, np.floating)):
        f = float(value)
        return f if math.isfinite(f) else None if math.isnan(f) else str(f)
    if isinstance(value, np.bool_):
        return bool(value)
    if isinstance(value, Decimal):
        return str(value)
    if isinstance(value, (dt.date, dt.datetime, pd.Timestamp)):
        return value.isoformat()
    if isinstance(value, Mapping):
        return {str(k): to_jsonable(v) for k, v in value.items()}
    if isinstance(value, pd.Series):
        return {str(k): to_jsonable(v) for k, v in value.items()}
    if isinstance(value, (list, tuple, set, np.ndarray)):
        return [to_jsonable(v) for v in value]
    raise TypeError(f"cannot record a {type(value).__name__}; record numbers, text, "
                    "lists or dicts of them")


def _publish(bundle: dict[str, Any], html: str | None = None) -> None:
    try:
        from IPython import get_ipython
        from IPython.display import display
    except ImportError:  # plain Python: keep the record in memory only
        return
    if get_ipython() is None:
        return
    data: dict[str, Any] = {RECORD_MIME: bundle}
    if html is not None:
        data["text/html"] = html
    display(data, raw=True)


def record(key: str, value: Any, *, headline: bool = False) -> None:
    """Record a figure for the run's summary JSON.

    Returns nothing, so a ``record(...)`` ending a cell leaves no stray output in the report.

    Parameters
    ----------
    key
        Name in the summary, with units in it (``days_in_ar``, ``open_ar_cents``,
        ``denial_rate`` as a fraction).
    value
        A number, text, or a list/dict of them. NumPy and pandas scalars are converted.
    headline
        Show this figure on the run's index page.
    """
    if not key or not key.replace("_", "").isalnum():
        raise ValueError(f"record key must be a word such as 'days_in_ar', got {key!r}")
    plain = to_jsonable(value)
    _recorded[key] = plain
    _publish({"kind": "figure", "key": key, "value": plain, "headline": bool(headline)})


def alert(message: str, *, level: str = "warning", key: str | None = None) -> None:
    """Raise an alert: shown in the report as a coloured box and listed in the summary.

    Parameters
    ----------
    message
        One sentence a manager understands ("Days in A/R is 52, above the target of 40.").
    level
        ``info``, ``warning`` or ``critical``.
    key
        The recorded figure the alert is about, if any.
    """
    if level not in ALERT_LEVELS:
        raise ValueError(f"alert level must be one of {ALERT_LEVELS}, got {level!r}")
    entry = {"level": level, "message": str(message)}
    if key:
        entry["key"] = key
    _alerts.append(entry)
    html = (f'<div class="pracops-alert pracops-alert-{level}"><strong>{level.title()}:</strong> '
            f"{escape(str(message))}</div>")
    _publish({"kind": "alert", **entry}, html)


def recorded() -> dict[str, Any]:
    """What this kernel has recorded so far: ``{"figures": {...}, "alerts": [...]}``."""
    return {"figures": dict(_recorded), "alerts": list(_alerts)}


def summary_from_notebook(nb: Mapping[str, Any]) -> tuple[dict[str, Any], list[dict], list[str]]:
    """Collect recorded figures and alerts from an executed notebook's outputs.

    Returns
    -------
    figures, alerts, headline_keys
        Figures in recording order (a later record of the same key wins), alerts in order,
        and the keys recorded with ``headline=True``.
    """
    figures: dict[str, Any] = {}
    alerts: list[dict] = []
    headline: list[str] = []
    for cell in nb.get("cells", []):
        for out in cell.get("outputs", []) or []:
            bundle = (out.get("data") or {}).get(RECORD_MIME)
            if not isinstance(bundle, Mapping):
                continue
            if bundle.get("kind") == "figure":
                figures[bundle["key"]] = bundle.get("value")
                if bundle.get("headline") and bundle["key"] not in headline:
                    headline.append(bundle["key"])
            elif bundle.get("kind") == "alert":
                alerts.append({k: v for k, v in bundle.items() if k != "kind"})
    return figures, alerts, headline


# --- formatting -------------------------------------------------------------------------

def fmt_money(cents: Any, *, accounting: bool = False) -> str:
    """Integer cents as ``$1,234.56``; missing as an empty string."""
    if cents is None or (not isinstance(cents, str) and pd.isna(cents)):
        return ""
    return format_cents(int(cents), accounting=accounting)


def fmt_pct(fraction: Any, digits: int = 1) -> str:
    """A fraction as a percentage: ``0.953 -> "95.3%"``; missing as an empty string."""
    if fraction is None or pd.isna(fraction):
        return ""
    return f"{float(fraction) * 100:.{digits}f}%"


def fmt_count(n: Any, digits: int = 0) -> str:
    """A count or quantity with thousands separators: ``12345 -> "12,345"``."""
    if n is None or pd.isna(n):
        return ""
    return f"{float(n):,.{digits}f}"


def figure_label(key: str, value: Any) -> str:
    """Format a recorded figure by its name: ``*_cents`` money; ``*_pct``, ``*_rate`` and
    ``*_level`` (fractions) percent."""
    if isinstance(value, bool) or value is None:
        return "" if value is None else ("yes" if value else "no")
    if isinstance(value, (int, float)):
        if key.endswith("_cents"):
            return fmt_money(int(value))
        if key.endswith(("_pct", "_rate", "_level")):
            return fmt_pct(value, 2 if 0 < abs(value) < 0.01 else 1)
        if isinstance(value, int):
            return fmt_count(value)
        return fmt_count(value, 2 if abs(value) < 100 else 1)
    if isinstance(value, Mapping):
        return ", ".join(f"{k}: {figure_label(key, v)}" for k, v in value.items())
    if isinstance(value, list):
        return ", ".join(figure_label(key, v) for v in value)
    return str(value)


_ACRONYMS = {"ar": "A/R", "era": "ERA", "eras": "ERAs", "fte": "FTE", "plb": "PLB",
             "x12": "X12", "cpt": "CPT", "npi": "NPI", "id": "ID", "po": "PO", "pct": "%",
             "sku": "SKU", "skus": "SKUs", "ytd": "YTD", "wrvus": "wRVUs"}


def header_label(column: str) -> str:
    """A column or figure name as a reader sees it: ``total_paid_cents -> "Total paid"``,
    ``days_in_ar -> "Days in A/R"``, ``unmatched_era_count -> "Unmatched ERA count"``."""
    words = str(column).removesuffix("_cents").split("_")
    text = " ".join(_ACRONYMS.get(w, w) for w in words if w).strip()
    return text[:1].upper() + text[1:]


def format_table(
    df: pd.DataFrame,
    *,
    money: Iterable[str] = (),
    pct: Iterable[str] = (),
    count: Iterable[str] = (),
    hide_index: bool = True,
    caption: str | None = None,
    readable_headers: bool = True,
) -> pd.io.formats.style.Styler:
    """Style a table for display: money columns (integer cents) as dollars, fractions as percent,
    dates as ``YYYY-MM-DD``, headers in words (``total_paid_cents`` → "Total paid").

    The DataFrame keeps its exact values; only the display changes.
    """
    money, pct, count = list(money), list(pct), list(count)
    dates = [c for c in df.columns if pd.api.types.is_datetime64_any_dtype(df[c].dtype)]
    fmt: dict[str, Any] = {}
    fmt.update({c: fmt_money for c in money})
    fmt.update({c: fmt_pct for c in pct})
    fmt.update({c: fmt_count for c in count})
    fmt.update({c: (lambda d: "" if pd.isna(d) else d.strftime("%Y-%m-%d")) for c in dates})
    styler = df.style.format(fmt).set_table_attributes('class="pracops-table"')
    right = [c for c in [*money, *pct, *count] if c in df.columns]
    if right:
        styler = styler.set_properties(subset=right, **{"text-align": "right"})
    left = [c for c in df.columns if c not in right]
    if left:
        styler = styler.set_properties(subset=left, **{"text-align": "left"})
    if readable_headers:
        styler = styler.relabel_index([header_label(c) for c in df.columns], axis=1)
    if hide_index:
        styler = styler.hide(axis="index")
    if caption:
        styler = styler.set_caption(caption)
    return styler


@dataclass(frozen=True)
class KPI:
    """One key performance indicator with its target.

    ``unit`` is ``money`` (value in cents), ``pct`` (a fraction), ``days``, ``count`` or
    ``ratio``; ``better`` is ``higher`` or ``lower`` and decides whether the target is a floor
    or a ceiling.
    """

    name: str
    value: float | int | None
    unit: str = "count"
    target: float | int | None = None
    better: str = "higher"

    def met(self) -> bool | None:
        """Whether the value meets the target (``None`` with no target or no value)."""
        if self.target is None or self.value is None or pd.isna(self.value):
            return None
        if self.better == "higher":
            return self.value >= self.target
        return self.value <= self.target

    def show(self, v: float | int | None) -> str:
        """Format a value of this KPI's unit."""
        if v is None or pd.isna(v):
            return ""
        if self.unit == "money":
            return fmt_money(int(v))
        if self.unit == "pct":
            return fmt_pct(v)
        if self.unit == "days":
            return f"{float(v):,.1f} days"
        if self.unit == "ratio":
            return f"{float(v):,.2f}"
        return fmt_count(v)


def kpi_table(kpis: Sequence[KPI]) -> pd.io.formats.style.Styler:
    """A KPI table: name, value, target and whether it is met, ready to display."""
    rows = []
    for k in kpis:
        met = k.met()
        sign = "≥" if k.better == "higher" else "≤"
        rows.append({
            "Indicator": k.name,
            "Value": k.show(k.value),
            "Target": "" if k.target is None else f"{sign} {k.show(k.target)}",
            "Status": {True: "on target", False: "off target", None: ""}[met],
        })
    table = pd.DataFrame(rows, columns=["Indicator", "Value", "Target", "Status"])

    def colour(status: str) -> str:
        return {"on target": "color: #1b7a3a; font-weight: 600",
                "off target": "color: #b3261e; font-weight: 600"}.get(status, "")

    return (table.style.map(colour, subset=["Status"])
            .set_properties(subset=["Value", "Target"], **{"text-align": "right"})
            .set_table_attributes('class="pracops-table pracops-kpi"')
            .hide(axis="index"))


# --- charts --------------------------------------------------------------------------------

PALETTE = ["#1f5f8b", "#e07b39", "#3a9a5b", "#b3261e", "#7c5cac", "#8c6d46", "#5b6770"]


def use_chart_style() -> None:
    """Apply the one chart style all reports share (call once per notebook)."""
    import matplotlib as mpl

    mpl.rcParams.update({
        "figure.figsize": (9, 4.2),
        "figure.dpi": 96,
        "savefig.dpi": 96,
        "axes.prop_cycle": mpl.cycler(color=PALETTE),
        "axes.spines.top": False,
        "axes.spines.right": False,
        "axes.grid": True,
        "axes.grid.axis": "y",
        "grid.color": "#dddddd",
        "axes.titlesize": 12,
        "axes.titleweight": "bold",
        "axes.labelsize": 10,
        "legend.frameon": False,
        "font.size": 10,
    })


def money_axis(ax: Any, axis: str = "y") -> None:
    """Label an axis whose data are integer cents as whole dollars (``$12,345``)."""
    from matplotlib.ticker import FuncFormatter

    fmt = FuncFormatter(lambda v, _pos: f"-${abs(v) / 100:,.0f}" if v < 0 else f"${v / 100:,.0f}")
    (ax.yaxis if axis == "y" else ax.xaxis).set_major_formatter(fmt)


def percent_axis(ax: Any, axis: str = "y") -> None:
    """Label an axis whose data are fractions as percentages."""
    from matplotlib.ticker import PercentFormatter

    (ax.yaxis if axis == "y" else ax.xaxis).set_major_formatter(PercentFormatter(1.0))


# --- files ---------------------------------------------------------------------------------

def write_atomic(path: str | os.PathLike[str], data: str | bytes) -> None:
    """Write a file under a temporary name in its folder, then rename it into place, so a
    reader (or a crash) never sees half a report, summary or worklist. Text is UTF-8."""
    path = Path(path)
    handle, temp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    try:
        with os.fdopen(handle, "wb") as stream:
            stream.write(data.encode("utf-8") if isinstance(data, str) else data)
        os.chmod(temp, 0o644)
        os.replace(temp, path)
    except BaseException:
        Path(temp).unlink(missing_ok=True)
        raise
