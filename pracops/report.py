"""Notebook helpers shared by every report: recorded figures, alerts, KPI tables,
money and percent formatting, the one chart style, and the one hand-out writer.

A report calls :func:`record` for each figure a scheduled run needs and :func:`alert` for each
threshold breach. Both leave a small JSON bundle (MIME type :data:`RECORD_MIME`) in the cell's
output; :mod:`pracops.runner` reads these bundles from the executed notebook to write the run's
summary JSON, so the figures travel with the notebook and nothing depends on side files.
In JupyterLab the bundle is invisible; :func:`recorded` returns what this kernel recorded.

Text from input files is data, never markup or formulas. Tables shown in HTML escape their cells
and headers (:func:`format_table`), Markdown sentences escape what they quote
(:func:`md_text`), and hand-outs are written by :func:`write_handouts`, which neutralises
formula text in CSV and XLSX (:func:`neutralise`).
"""

from __future__ import annotations

import base64
import datetime as dt
import io
import logging
import math
import os
import re
import tempfile
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from dataclasses import replace as dataclass_replace
from decimal import Decimal
from html import escape
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
from pandas.io.formats.style import Styler

from pracops import config
from pracops.errors import DataError, ParameterError
from pracops.money import cents_to_decimal, format_cents

logger = logging.getLogger(__name__)

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
    "SafeStyler",
    "header_label",
    "md_text",
    "no_math",
    "use_chart_style",
    "date_axis",
    "money_axis",
    "legend_outside",
    "show_chart",
    "page_title",
    "practice_name",
    "figure_label",
    "summary_from_notebook",
    "write_atomic",
    "FORMULA_PREFIXES",
    "MONEY_FORMAT",
    "neutralise",
    "handout_table",
    "Sheet",
    "write_handouts",
]

RECORD_MIME = "application/vnd.pracops.record+json"
"""MIME type of the output bundles :func:`record` and :func:`alert` leave in a notebook."""

ALERT_LEVELS = ("info", "warning", "critical")

PRACTICE_FILE = "practice.yaml"
"""The file in a data folder that names the practice (``name: ...``), for page titles."""
_PRACTICE_FIX = "write the practice's name in it as one line: name: Maple Grove Family Medicine"

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
    # mathjax_ignore: two dollar amounts in one alert are not typeset as math in JupyterLab
    html = (f'<div class="pracops-alert pracops-alert-{level} mathjax_ignore"><strong>'
            f"{level.title()}:</strong> {escape(str(message))}</div>")
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

def fmt_money(cents: Any, *, accounting: bool = False, whole: bool = False) -> str:
    """Integer cents as ``$1,234.56``; missing as an empty string.

    ``accounting`` writes a negative amount in parentheses, ``($1,234.56)``, as finance tables
    do; ``whole`` rounds to whole dollars (half away from zero), ``$1,235``, for a table about
    thousands where cents are noise.
    """
    if cents is None or (not isinstance(cents, str) and pd.isna(cents)):
        return ""
    if not whole:
        return format_cents(int(cents), accounting=accounting)
    dollars = (abs(int(cents)) + 50) // 100
    body = f"${dollars:,}"
    if int(cents) < 0 and dollars:
        return f"({body})" if accounting else f"-{body}"
    return body


def fmt_pct(fraction: Any, digits: int | None = None) -> str:
    """A fraction as a percentage: ``0.953 -> "95.3%"``; missing as an empty string.

    One decimal unless ``digits`` says otherwise; a figure that one decimal would show as
    0.0 % but two would not gets two (``0.00046 -> "0.05%"``), so a small rate never reads
    as none; what rounds to zero is ``0.0%``, never ``-0.0%``. Every report and the index
    write a figure through this one rule, so it reads the same everywhere.

    >>> fmt_pct(0.00046), fmt_pct(-0.0000003), fmt_pct(0.9534)
    ('0.05%', '0.0%', '95.3%')
    """
    if fraction is None or pd.isna(fraction):
        return ""
    pct = float(fraction) * 100
    if digits is None:
        digits = 2 if round(abs(pct), 1) == 0 and round(abs(pct), 2) != 0 else 1
    text = f"{pct:.{digits}f}%"
    return text[1:] if text.startswith("-") and float(text[1:-1]) == 0 else text


def fmt_count(n: Any, digits: int = 0) -> str:
    """A count or quantity with thousands separators: ``12345 -> "12,345"``."""
    if n is None or pd.isna(n):
        return ""
    return f"{float(n):,.{digits}f}"


def figure_label(key: str, value: Any) -> str:
    """Format a recorded figure by its name, as the report's own text writes it: ``*_cents``
    money; ``*_pct``, ``*_rate`` and ``*_level`` (fractions) percent (:func:`fmt_pct`);
    a figure in days (``days_in_ar``, ``*_days``) as ``24.7 days``; other numbers with one
    decimal (``19.3``) or none for whole counts."""
    if isinstance(value, bool) or value is None:
        return "" if value is None else ("yes" if value else "no")
    if isinstance(value, (int, float)):
        if key.endswith("_cents"):
            return fmt_money(int(value))
        if key.endswith(("_pct", "_rate", "_level")):
            return fmt_pct(value)
        if key.startswith("days_") or key.endswith("_days"):
            return f"{fmt_count(value, 1)} days"
        if isinstance(value, int):
            return fmt_count(value)
        return fmt_count(value, 1)
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
    words = [w for w in str(column).removesuffix("_cents").split("_") if w]
    text = " ".join(_ACRONYMS.get(w, w) for w in words).strip()
    if words and _ACRONYMS.get(words[0], "")[:1].islower():  # "wRVUs per visit" as written
        return text
    return text[:1].upper() + text[1:]


class SafeStyler(Styler):
    """A pandas Styler that shows text as text: every ``format`` and ``format_index`` escapes
    HTML unless told otherwise (``escape=None``), including those a caller adds later; and a
    ``format`` given a dict changes the columns it names, no others.

    With a plain Styler, a later ``.format({"variance_pct": f})`` resets the formatter of every
    other column: money columns fall back to raw cents, and text to a formatter that does not
    escape, so an account named ``<img src=x onerror=...>`` becomes an element of the page.
    """

    def __init__(self, data: pd.DataFrame | pd.Series, **kwargs: Any) -> None:
        kwargs.setdefault("escape", "html")
        super().__init__(data, **kwargs)

    def format(self, formatter: Any = None, subset: Any = None, na_rep: str | None = None,
               precision: int | None = None, decimal: str = ".", thousands: str | None = None,
               escape: str | None = "html", hyperlinks: str | None = None) -> SafeStyler:
        """:meth:`pandas.io.formats.style.Styler.format`, escaping HTML by default; a dict of
        formatters without ``subset`` formats its own columns only (those the table has)."""
        if isinstance(formatter, dict) and subset is None:
            # columns a table may lack (optional in an export) are passed over, as pandas does
            formatter = {c: f for c, f in formatter.items() if c in self.data.columns}
            subset = list(formatter)
        return super().format(formatter, subset, na_rep, precision, decimal, thousands, escape,
                              hyperlinks)

    def format_index(self, formatter: Any = None, axis: Any = 0, level: Any = None,
                     na_rep: str | None = None, precision: int | None = None,
                     decimal: str = ".", thousands: str | None = None,
                     escape: str | None = "html", hyperlinks: str | None = None) -> SafeStyler:
        """:meth:`pandas.io.formats.style.Styler.format_index`, escaping HTML by default."""
        return super().format_index(formatter, axis, level, na_rep, precision, decimal,
                                    thousands, escape, hyperlinks)


def truncation_note(shown: int, total: int, full_in: str | None) -> str:
    """The line under a table cut to its first rows: ``"Showing 30 of 34; all in
    underpayments.xlsx."``; empty when nothing is cut."""
    if shown >= total:
        return ""
    where = f"; all in {full_in}" if full_in else ""
    return f"Showing {shown:,} of {total:,}{where}."


_NOWRAP_CHARS = 20
"""Text columns whose longest value is at most this long are kept on one line."""


def _short_text(column: pd.Series) -> bool:
    lengths = column.astype("string").str.len()
    return bool(lengths.notna().any()) and int(lengths.max()) <= _NOWRAP_CHARS


def format_table(
    df: pd.DataFrame,
    *,
    money: Iterable[str] = (),
    pct: Iterable[str] = (),
    count: Iterable[str] = (),
    hide_index: bool = True,
    caption: str | None = None,
    readable_headers: bool = True,
    whole_dollars: bool = False,
    limit: int | None = None,
    full_in: str | None = None,
) -> pd.io.formats.style.Styler:
    """Style a table for display: money columns (integer cents) as dollars, negatives in
    parentheses as finance tables write them, fractions as percent (:func:`fmt_pct`), dates as
    ``YYYY-MM-DD``, headers in words (``total_paid_cents`` → "Total paid"), a missing value as
    an empty cell (never ``nan``), any other number with a fraction to one decimal.

    The DataFrame keeps its exact values; only the display changes. Text cells, headers and the
    index are HTML-escaped (a vendor named ``<b>ACME</b>`` shows as that text, not in bold),
    and stay so through any later ``.format(...)``: the result is a :class:`SafeStyler`.

    Parameters
    ----------
    whole_dollars
        Money in whole dollars (a table about thousands: no cents in a column of dollars).
    limit
        Show the first ``limit`` rows only; the note under the table then says how many of how
        many are shown and where all of them are (``full_in``, the hand-out holding them).
    caption
        A note shown under the table (with the truncation note, if any, after it).
    """
    money, pct, count = list(money), list(pct), list(count)
    total = len(df)
    if limit is not None:
        df = df.head(limit)
    note = truncation_note(len(df), total, full_in)
    caption = " ".join(t for t in (caption, note) if t) or None
    dates = [c for c in df.columns if pd.api.types.is_datetime64_any_dtype(df[c].dtype)]

    def money_text(cents: Any) -> str:
        return fmt_money(cents, accounting=True, whole=whole_dollars)

    fmt: dict[str, Any] = {}
    fmt.update({c: money_text for c in money})
    fmt.update({c: fmt_pct for c in pct})
    fmt.update({c: fmt_count for c in count})
    fmt.update({c: (lambda d: "" if pd.isna(d) else d.strftime("%Y-%m-%d")) for c in dates})
    # any other number with a fraction (minutes, days, a mean) to one decimal, never pandas'
    # six ("7.300000"); a fraction meant as a share goes in pct=
    fmt.update({c: (lambda v: fmt_count(v, 1)) for c in df.columns if c not in fmt
                and pd.api.types.is_float_dtype(df[c].dtype)})
    rest = [c for c in df.columns if c not in fmt]  # a missing value shows as an empty cell
    styler = (SafeStyler(df).format(na_rep="", subset=rest).format(fmt)
              .format_index(axis=0).format_index(axis=1)
              .set_table_attributes('class="pracops-table mathjax_ignore"'))
    right = [c for c in df.columns if c in {*money, *pct, *count}
             or (pd.api.types.is_numeric_dtype(df[c].dtype)
                 and not pd.api.types.is_bool_dtype(df[c].dtype))]
    if right:
        styler = styler.set_properties(subset=right, **{"text-align": "right"})
    left = [c for c in df.columns if c not in right]
    if left:
        styler = styler.set_properties(subset=left, **{"text-align": "left"})
    # a heading sits over its column as the values do (Lab's CSS right-aligns every heading)
    styler = styler.set_table_styles(
        {c: [{"selector": "th", "props": f"text-align: {'right' if c in right else 'left'}"}]
         for c in df.columns}, overwrite=False)
    # numbers, dates and short codes (SKU, payer, check number) never break across lines
    short = [c for c in left if c not in dates and _short_text(df[c])]
    if right or dates or short:
        styler = styler.set_properties(subset=[*right, *dates, *short],
                                       **{"white-space": "nowrap"})
    if readable_headers:
        styler = styler.relabel_index([escape(header_label(c)) for c in df.columns], axis=1)
    if hide_index:
        styler = styler.hide(axis="index")
    if caption:
        styler = (styler.set_caption(caption)
                  .set_table_styles([{"selector": "caption",
                                      "props": "caption-side: bottom; text-align: left; "
                                               "font-size: 0.9em; color: #555555"}],
                                    overwrite=False))
    return styler


_MARKDOWN_PUNCTUATION = re.compile(r"([\\`*_\[\]|~#])")


def md_text(value: Any) -> str:
    """Input text (a name of an account, vendor, payer, item, site ...) made safe to quote in
    Markdown: shown as written, never as markup.

    JupyterLab and nbconvert render raw HTML inside Markdown, so ``<``, ``>`` and ``&`` become
    entities; Markdown's own marks (``\\ ` * _ [ ] | ~ #``) get a backslash, so a name cannot
    bold, link or break the sentence around it; line breaks become spaces. Dollar signs are
    left to the caller, which passes the whole text through :func:`no_math`.

    Examples
    --------
    >>> md_text("<b>Rent</b> & *co*")
    '&lt;b&gt;Rent&lt;/b&gt; &amp; \\\\*co\\\\*'
    """
    text = " ".join(str(value).splitlines())
    return _MARKDOWN_PUNCTUATION.sub(r"\\\1", escape(text, quote=False))


_DOLLAR = "<span>&#36;</span>"  # a dollar sign no front end reads as the start of a formula


def no_math(text: str) -> str:
    """Markdown or HTML text whose dollar signs stay dollar signs in every front end.

    JupyterLab 4, Notebook 7 and VS Code typeset two ``$`` in one Markdown or HTML output as
    math, and neither ``\\$`` nor ``&#36;`` stops JupyterLab: Markdown turns both into a bare
    ``$`` before MathJax scans the rendered page. Each ``$`` becomes an element of its own
    (``<span>&#36;</span>``): Markdown's math pass finds no ``$`` in the source, and MathJax never
    pairs delimiters across elements. The HTML export and Markdown viewers show a plain
    ``$``. Tables (:func:`format_table`, :func:`kpi_table`) carry MathJax's own
    ``mathjax_ignore`` class instead, so every cell is covered. Checked in JupyterLab by
    ``tests/browser/test_lab.py``.

    Examples
    --------
    >>> no_math("goods $923.23 + freight $0.00")
    'goods <span>&#36;</span>923.23 + freight <span>&#36;</span>0.00'
    """
    return text.replace("$", _DOLLAR)


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

    return (SafeStyler(table).map(colour, subset=["Status"])
            .set_properties(subset=["Value", "Target"], **{"text-align": "right"})
            .set_table_attributes('class="pracops-table pracops-kpi mathjax_ignore"')
            .hide(axis="index"))


# --- charts --------------------------------------------------------------------------------

PALETTE = ["#0072B2", "#E69F00", "#009E73", "#D55E00", "#56B4E9", "#CC79A7", "#000000",
           "#F0E442"]
"""The Okabe–Ito colours (Okabe & Ito, "Color Universal Design", 2008), told apart with every
common colour-vision deficiency; yellow last, as it is faint on white. Charts take their
colours from here by position (``PALETTE[0]`` …), never by a hex code of their own."""

GOOD, BAD, NEUTRAL = PALETTE[2], PALETTE[3], "#999999"
"""Colours for "better than planned" (bluish green), "worse" (vermillion) and totals."""


def use_chart_style() -> None:
    """Apply the one chart style all reports share (call once per notebook)."""
    import matplotlib as mpl

    mpl.rcParams.update({
        "figure.figsize": (9, 4.2),
        "figure.dpi": 96,
        "savefig.dpi": 96,
        "savefig.bbox": "tight",
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


def bars_whole(ax: Any) -> None:
    """Give the bars of ``ax`` room at their far end. Matplotlib pins the value axis to every
    bar's base, so a stacked segment of zero height on the tallest bar pins the axis to that
    bar's top and the bar reads as running off the chart; only a base at zero stays pinned."""
    for container in ax.containers:
        for patch in getattr(container, "patches", ()):
            for edges in (patch.sticky_edges.x, patch.sticky_edges.y):
                edges[:] = [e for e in edges if e == 0]
    ax.relim()
    ax.autoscale_view()


def legend_outside(ax: Any, **kwargs: Any) -> Any:
    """A legend to the right of the plot, outside the axes, so it never covers the data
    (``loc="best"`` still lands on bars when every corner holds some)."""
    kwargs.setdefault("fontsize", 8)
    return ax.legend(loc="upper left", bbox_to_anchor=(1.01, 1.0), borderaxespad=0.0, **kwargs)


def date_axis(ax: Any) -> None:
    """Dates on the x axis as few labels as fit, each as short as its neighbours allow
    (matplotlib's concise formatter: ``Nov``, ``08``, ``15`` … with the year once), never
    full dates run together."""
    from matplotlib.dates import AutoDateLocator, ConciseDateFormatter

    locator = AutoDateLocator(minticks=3, maxticks=8)
    ax.xaxis.set_major_locator(locator)
    ax.xaxis.set_major_formatter(ConciseDateFormatter(locator))


def money_axis(ax: Any, axis: str = "y") -> None:
    """Label an axis whose data are integer cents as whole dollars (``$12,345``)."""
    from matplotlib.ticker import FuncFormatter

    fmt = FuncFormatter(lambda v, _pos: f"-${abs(v) / 100:,.0f}" if v < 0 else f"${v / 100:,.0f}")
    (ax.yaxis if axis == "y" else ax.xaxis).set_major_formatter(fmt)


def _chart_alt(fig: Any) -> str:
    """What a figure shows, in a few words, from its titles, axis labels and legends."""
    parts = []
    for ax in fig.axes:
        colorbar = getattr(ax, "_colorbar", None)
        if colorbar is not None:
            label = ax.get_ylabel() or ax.get_xlabel()
            if label:
                parts.append(f"colour shows {label}")
            continue
        title = ax.get_title() or ax.get_title("left") or ax.get_title("right")
        x, y = ax.get_xlabel(), ax.get_ylabel()
        axes = f"{y} by {x}" if x and y else x or y
        words = ": ".join(w for w in (title, axes) if w)
        legend = ax.get_legend()
        if legend is not None:
            names = [t.get_text() for t in legend.get_texts() if t.get_text()]
            if names:
                words += ("; " if words else "") + ", ".join(names)
        if words:
            parts.append(words)
    suptitle = fig.get_suptitle() if hasattr(fig, "get_suptitle") else ""
    for legend in fig.legends:
        names = [t.get_text() for t in legend.get_texts() if t.get_text()]
        if names:
            parts.append(", ".join(names))
    text = ". ".join(p for p in (suptitle, *parts) if p)
    return f"Chart: {text}" if text else "Chart"


def show_chart(fig: Any = None, alt: str | None = None) -> None:
    """Show a chart as a PNG with alt text, and close it (call instead of ``plt.show()``).

    The alt text says what the chart shows: ``alt`` when given, else its title, what its axes
    are (``"Amount ($) by Month"``) and its legend's entries. The shared HTML writes it as the
    image's ``alt``, for screen readers and for a reader whose images are blocked.

    Parameters
    ----------
    fig
        The figure; default the current one.
    alt
        What the chart shows, in words, when the title and labels do not say it.
    """
    import matplotlib.pyplot as plt

    fig = plt.gcf() if fig is None else fig
    text = alt or _chart_alt(fig)
    buf = io.BytesIO()
    fig.savefig(buf, format="png", bbox_inches="tight")
    plt.close(fig)
    try:
        from IPython import get_ipython
        from IPython.display import display
    except ImportError:
        return
    if get_ipython() is None:
        return
    png = base64.b64encode(buf.getvalue()).decode("ascii")
    display({"image/png": png, "text/plain": text}, metadata={"image/png": {"alt": text}},
            raw=True)


def page_title(report_title: str, data_dir: str | os.PathLike[str] | None, period: str) -> None:
    """Show and record the page's title, ``<Report> — <Practice>, <period>``.

    The practice is the ``name`` in ``practice.yaml`` of the data folder (the bundled sample
    has one); a folder without that file is named after the folder. The shared HTML puts the
    title in the browser tab and at the top of the page. Returns nothing, so a call ending a
    cell leaves no stray output.

    Parameters
    ----------
    report_title
        The report's name in words ("Billing reconciliation").
    data_dir
        The data folder the report read; ``None`` for the bundled sample.
    period
        What the report ran on, dates as YYYY-MM-DD ("as of 2025-12-31").

    Raises
    ------
    DataError
        ``practice.yaml`` is not YAML, or has no ``name`` in words (:func:`practice_name`).
    """
    title = f"{report_title} — {practice_name(data_dir)}, {period}"
    _publish({"kind": "title", "title": title},
             f'<p class="pracops-title"><strong>{escape(title)}</strong></p>')


def practice_name(data_dir: str | os.PathLike[str] | None) -> str:
    """The practice's name: ``name`` in ``practice.yaml`` of the data folder, else the
    folder's name in words.

    Raises
    ------
    DataError
        ``practice.yaml`` is not YAML, or has no ``name`` in words.
    """
    import yaml

    folder = config.data_dir(data_dir)
    source = folder / PRACTICE_FILE
    if source.is_file():
        try:
            facts = yaml.safe_load(source.read_text(encoding="utf-8"))
        except yaml.YAMLError as exc:
            mark = getattr(exc, "problem_mark", None)
            raise DataError(f"not readable as YAML: {getattr(exc, 'problem', None) or exc}",
                            file=str(source), row=mark.line + 1 if mark else None,
                            fix=_PRACTICE_FIX) from None
        name = facts.get("name") if isinstance(facts, dict) else None
        if not isinstance(name, str) or not name.strip():
            raise DataError("no practice name", file=str(source), column="name",
                            fix=_PRACTICE_FIX)
    else:
        name = folder.name.replace("_", " ").replace("-", " ")
    return " ".join(name.split())


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


# --- hand-outs -----------------------------------------------------------------------------

FORMULA_PREFIXES = ("=", "+", "-", "@", "\t", "\r", "\n")
"""First characters that make a spreadsheet read a cell as a formula (OWASP, CSV Injection)."""

MONEY_FORMAT = "#,##0.00;[Red]-#,##0.00"
"""Excel number format of a money cell: dollars and cents, negatives in red."""

_SHEET_NAME = re.compile(r"[^\[\]:*?/\\]{1,31}")
_FILE_NAME = re.compile(r"[A-Za-z0-9_\-]{1,31}")


def neutralise(text: str) -> str:
    """Text made inert for a spreadsheet: a leading apostrophe when it starts a formula.

    OWASP's guidance on CSV injection (https://owasp.org/www-community/attacks/CSV_Injection)
    is that no cell of a CSV (or other spreadsheet) hand-out may begin with ``=``, ``+``,
    ``-``, ``@``, tab (0x09), carriage return (0x0D) or line feed (0x0A), and that prepending a
    single quote makes the spreadsheet read such a field as text. Only text gets the
    apostrophe: numbers are written as numbers by :func:`write_handouts`, so a negative amount
    stays ``-12.50``. Text that merely contains ``=`` (``"a=b"``) is left as it is.

    Examples
    --------
    >>> neutralise('=HYPERLINK("http://x","y")')
    '\\'=HYPERLINK("http://x","y")'
    >>> neutralise("-2+3"), neutralise("a=b")
    ("'-2+3", 'a=b')
    """
    return "'" + text if text.startswith(FORMULA_PREFIXES) else text


def handout_table(frame: pd.DataFrame) -> pd.DataFrame:
    """A table as it is handed out: each money column (``*_cents``, integer cents) as exact
    dollars (``Decimal``, 2 places) under its name without ``_cents`` (``shortfall_cents`` →
    ``shortfall``); date-times as dates. Other columns unchanged."""
    out = pd.DataFrame(index=frame.index)
    for column in frame.columns:
        values = frame[column]
        if isinstance(column, str) and column.endswith("_cents"):
            out[column.removesuffix("_cents")] = pd.Series(
                [None if pd.isna(v) else cents_to_decimal(int(v)) for v in values],
                index=frame.index, dtype="object")
        elif pd.api.types.is_datetime64_any_dtype(values.dtype):
            out[column] = pd.Series([None if pd.isna(v) else v.date() for v in values],
                                    index=frame.index, dtype="object")
        else:
            out[column] = values
    return out


@dataclass(frozen=True)
class Sheet:
    """One sheet of a hand-out workbook with its layout.

    Parameters
    ----------
    table
        The rows; its column names are the header. A row of missing values is a blank row.
    title
        A first row in bold above the header (a heading for the printout).
    header
        Write the column names as a header row (in bold).
    bold_rows
        Positions (0-based, in ``table``) of rows set in bold, such as totals.
    widths
        Column letter → width in characters.
    freeze
        The top-left cell that stays in view when scrolling (``"D3"``).
    """

    table: pd.DataFrame
    title: str | None = None
    header: bool = True
    bold_rows: Sequence[int] = ()
    widths: Mapping[str, float] = field(default_factory=dict)
    freeze: str | None = None


def _cell(value: Any) -> Any:
    """A value as a cell: missing as empty, text neutralised, numbers, dates and booleans as
    themselves (NumPy scalars as Python ones)."""
    if value is None or value is pd.NA or value is pd.NaT:
        return None
    if isinstance(value, (bool, np.bool_)):
        return bool(value)
    if isinstance(value, (int, np.integer)):
        return int(value)
    if isinstance(value, (float, np.floating)):
        return None if math.isnan(value) else float(value)
    if isinstance(value, Decimal):
        return None if value.is_nan() else value
    if isinstance(value, pd.Timestamp):
        return value.to_pydatetime()
    if isinstance(value, (dt.date, dt.time)):
        return value
    return neutralise(str(value))


def _csv_text(table: pd.DataFrame) -> str:
    """A table as CSV text as RFC 4180 has it: fields with a comma, a quote or a line break
    quoted, lines ended by CRLF. (With ``\\n`` line ends the csv module would leave a bare
    carriage return unquoted, and a spreadsheet would start a new row, and a new cell, there.)
    """
    out = table.copy()
    for column in out.columns:
        values = out[column]
        if not pd.api.types.is_numeric_dtype(values.dtype):  # text, objects, categories
            cells = [_cell(v) for v in values]
            out[column] = pd.Series([format(v, "f") if isinstance(v, Decimal) else v
                                     for v in cells], index=out.index, dtype="object")
    header = [neutralise(str(c)) for c in out.columns]
    return out.to_csv(index=False, header=header, lineterminator="\r\n")


def _xlsx_bytes(sheets: Mapping[str, Sheet]) -> bytes:
    """A workbook of ``sheets`` as XLSX bytes; every text cell a string cell (never a
    formula), every Decimal cell in :data:`MONEY_FORMAT`, dates as ``yyyy-mm-dd``."""
    from openpyxl import Workbook
    from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE
    from openpyxl.styles import Font

    bold = Font(bold=True)
    book = Workbook()
    book.remove(book.active)
    for name, sheet in sheets.items():
        ws = book.create_sheet(name)
        rows: list[list[Any]] = []
        if sheet.title is not None:
            rows.append([sheet.title])
        if sheet.header:
            rows.append([str(c) for c in sheet.table.columns])
        first_data = len(rows) + 1
        rows += sheet.table.itertuples(index=False, name=None)
        bold_rows = {first_data + i for i in sheet.bold_rows}
        if sheet.header:
            bold_rows.add(first_data - 1)
        for r, row in enumerate(rows, start=1):
            for c, value in enumerate(row, start=1):
                value = _cell(value)
                if value is None or value == "":
                    continue
                cell = ws.cell(row=r, column=c)
                if isinstance(value, str):
                    # a control character is refused by openpyxl: shown as U+FFFD instead
                    cell.value = ILLEGAL_CHARACTERS_RE.sub("\ufffd", value)
                    cell.data_type = "s"  # text, even if openpyxl read it as a formula
                else:
                    cell.value = value
                    if isinstance(value, Decimal):
                        cell.number_format = MONEY_FORMAT
                    elif isinstance(value, dt.datetime):
                        cell.number_format = "yyyy-mm-dd hh:mm"
                    elif isinstance(value, dt.date):
                        cell.number_format = "yyyy-mm-dd"
                if r in bold_rows:
                    cell.font = bold
        if sheet.title is not None and ws.max_row >= 1:
            ws.cell(row=1, column=1).font = Font(bold=True, size=13)
        for letter, width in sheet.widths.items():
            ws.column_dimensions[letter].width = width
        if sheet.freeze:
            ws.freeze_panes = sheet.freeze
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def write_handouts(
    tables: Mapping[str, pd.DataFrame | Sheet],
    folder: str | os.PathLike[str],
    *,
    workbook: str | None = None,
    csv: bool = True,
) -> list[Path]:
    """Write hand-outs: one XLSX workbook with a sheet per table and/or one CSV per table.

    The one writer of the suite's CSV and XLSX files. Each table goes through
    :func:`handout_table` (money columns ``*_cents`` as exact dollars, ``shortfall_cents`` →
    ``shortfall``; date-times as dates). Money is written as exact decimal dollars: in CSV as
    text with two decimals (``-12.50``), in XLSX as a number in :data:`MONEY_FORMAT`. Numbers
    stay numbers (never prefixed, never text).

    Text from input is neutralised against formula injection as OWASP advises
    (https://owasp.org/www-community/attacks/CSV_Injection; :func:`neutralise`): a text cell
    starting with ``=``, ``+``, ``-``, ``@``, tab, carriage return or line feed gets a leading
    apostrophe, in the CSV and in the workbook alike. In the workbook such a cell is a string
    cell (type ``s``) whose value keeps the apostrophe, rather than the bare text with Excel's
    ``quotePrefix`` style: the apostrophe is part of the data, so the cell stays text in every
    program that opens the file (LibreOffice, Google Sheets, pandas) and after the sheet is
    saved again as CSV, where a style would be lost and the formula come back; the reader also
    sees that the text was changed, and the workbook and the CSV say the same. In the CSV a
    field holding a comma, a quote or a line break is quoted and lines end with CRLF (RFC
    4180), so no text can open a new cell whose first character would be read as a formula
    (OWASP's second point).

    Every file is written to a temporary name in ``folder`` and then renamed
    (:func:`write_atomic`), so a reader never sees half a file.

    Parameters
    ----------
    tables
        Sheet (and CSV) name → table, or → :class:`Sheet` for a laid-out sheet. A name is at
        most 31 characters (Excel's limit) without ``[ ] : * ? / \\``; with ``csv`` it is also
        a file name, so letters, digits, ``_`` and ``-`` only.
    folder
        Where to write (created when missing).
    workbook
        File name of the workbook; ``None`` writes no workbook.
    csv
        Write one ``<name>.csv`` per table.

    Returns
    -------
    list of pathlib.Path
        The workbook (if any), then the CSV files in the order of ``tables``.

    Raises
    ------
    ParameterError
        For a name that cannot name a sheet (or a file).
    """
    rule, words = ((_FILE_NAME, "at most 31 letters, digits, '_' or '-'") if csv else
                   (_SHEET_NAME, "1 to 31 characters without [ ] : * ? / \\"))
    for name in tables:
        if not rule.fullmatch(name):
            raise ParameterError(f"hand-out name {name!r} cannot name a sheet"
                                 f"{' and a file' if csv else ''}: use {words}")
    sheets = {name: (t if isinstance(t, Sheet) else Sheet(t)) for name, t in tables.items()}
    sheets = {name: dataclass_replace(s, table=handout_table(s.table))
              for name, s in sheets.items()}
    target = Path(folder)
    target.mkdir(parents=True, exist_ok=True)
    paths: list[Path] = []
    if workbook is not None:
        paths.append(target / workbook)
        write_atomic(paths[-1], _xlsx_bytes(sheets))
    if csv:
        for name, sheet in sheets.items():
            paths.append(target / f"{name}.csv")
            write_atomic(paths[-1], _csv_text(sheet.table))
    logger.info("wrote %d hand-out file(s) to %s", len(paths), target)
    return paths
