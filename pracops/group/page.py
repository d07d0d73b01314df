"""The group's pages: ``group.html`` (offline, one file) and ``group.xlsx``, one row per
practice and one column per headline figure of each report, coloured against the figure's
target (:attr:`pracops.registry.ReportSpec.targets`), with the group's own line: totals where
adding up means something (money, counts), medians where it does not (rates, ratios).

The table is sortable by a click on a heading (a few lines of script in the page; without
script it reads the same, in the order of ``practices.yaml``). Every text from input (a
practice's name, an error message) is escaped (Jinja's autoescape); the workbook goes through
:func:`pracops.report.write_handouts` (formula-safe).
"""

from __future__ import annotations

import base64
import functools
import io
import math
import statistics
import textwrap
from collections.abc import Mapping
from decimal import Decimal
from pathlib import Path
from typing import Any

import jinja2
import pandas as pd

from pracops import registry
from pracops.report import Sheet, figure_label, header_label, write_handouts

__all__ = ["GroupTable", "group_table", "render_group", "report_charts", "write_group_xlsx"]


def _columns(result: Any) -> list[tuple[str, str]]:
    """(report, figure) of every headline figure any practice's report recorded, by report in
    the registry's order and figure in the order the reports name them."""
    order = {name: i for i, name in enumerate(registry.reports())}
    seen: dict[tuple[str, str], None] = {}
    for run in result.practices:
        for name, res in run.results.items():
            for key in res.headline:
                seen[(name, key)] = None
    return sorted(seen, key=lambda c: (order.get(c[0], len(order)), list(seen).index(c)))


GroupTable = tuple[list[tuple[str, str]], list[dict[str, Any]], dict[tuple[str, str], Any]]
"""What :func:`group_table` gives: the columns, the rows and the group's line."""


def group_table(result: Any) -> GroupTable:
    """The columns, one row per practice (its cells: value, shown text, met target or not,
    link), and the group's line by column: built once, for the page and the workbook."""
    specs = registry.reports()
    columns = _columns(result)
    rows = []
    for run in result.practices:
        cells = {}
        for name, key in columns:
            res = run.results.get(name)
            if res is None or key not in res.figures or res.status != "ok":
                cells[(name, key)] = None
                continue
            value = res.figures[key]
            target = specs[name].targets.get(key) if name in specs else None
            met = (target.met(value, target.threshold(res.parameters, specs[name]))
                   if target is not None else None)
            cells[(name, key)] = {"value": value, "shown": _shown(key, value), "met": met,
                                  "sort": _number(value),
                                  "link": f"{run.practice.id}/"
                                          + (res.files.get("html") or "index.html")}
        errors = list(run.refused) + [
            f"{n}: {r.error.get('name', '')}: {r.error.get('message', '')}"
            for n, r in run.results.items() if r.status != "ok" and r.error]
        rows.append({"id": run.practice.id, "name": run.practice.name, "status": run.status,
                     "link": f"{run.practice.id}/index.html" if run.results else None,
                     "errors": errors, "cells": cells,
                     "retried": sorted(n for n, r in run.results.items()
                                       if r.rerun_after_worker_died
                                       or r.rerun_after_kernel_stalled)})
    group = {c: _group_value(c[1], [r["cells"][c]["value"] for r in rows
                                    if r["cells"][c] is not None],
                             specs[c[0]].group_totals.get(c[1]) if c[0] in specs else None)
             for c in columns}
    return columns, rows, group


def _number(value: Any) -> float | str:
    """What a column sorts by: a number (a list by its length, yes as 1), or '' (last)."""
    if isinstance(value, list):
        return len(value)
    if isinstance(value, (int, float)):
        return float(value)
    return ""


def _shown(key: str, value: Any) -> str:
    if isinstance(value, list):
        return f"{len(value):,}"
    return figure_label(key, value)


def _group_value(key: str, values: list[Any], how: str | None = None
                 ) -> dict[str, Any] | None:
    """The group's value of a figure: ``how`` the report declares it
    (:attr:`pracops.registry.ReportSpec.group_totals`), else by kind: money and counts added
    up; rates, ratios, percentages, days and other measures as their median; lists by how many
    items; yes/no as how many say yes."""
    if not values or how == "none":
        return None
    if all(isinstance(v, bool) for v in values):
        yes = sum(values)
        return {"how": "yes", "value": yes, "shown": f"{yes} of {len(values)} yes"}
    if all(isinstance(v, list) for v in values):
        total = sum(len(v) for v in values)
        return {"how": "total", "value": total, "shown": f"{total:,}"}
    numbers = [v for v in values if isinstance(v, (int, float)) and not isinstance(v, bool)
               and not math.isnan(v)]
    if len(numbers) != len(values):
        return None
    if how is None:
        measure = key.endswith(_MEASURES) or key.startswith("days_")
        how = "sum" if not measure and (key.endswith("_cents") or all(
            isinstance(v, int) for v in numbers)) else "median"
    if how == "median":
        median = statistics.median(numbers)
        return {"how": "median", "value": median, "shown": figure_label(key, median)}
    total = sum(abs(v) for v in numbers) if how == "size" else sum(numbers)
    return {"how": "size" if how == "size" else "total", "value": total,
            "shown": figure_label(key, total)}


_MEASURES = ("_pct", "_rate", "_level", "_ratio", "_days", "_per_visit_cents")
"""Figures that are measures, not amounts: summed up across practices they mean nothing."""


@functools.cache
def _template() -> jinja2.Template:
    env = jinja2.Environment(
        loader=jinja2.FileSystemLoader(Path(__file__).parent / "templates"),
        autoescape=True, trim_blocks=True, lstrip_blocks=True, undefined=jinja2.StrictUndefined)
    return env.get_template("group.html.j2")


def render_group(result: Any, manifest: Mapping[str, Any], table: GroupTable,
                 charts: Mapping[str, dict[str, str] | None] | None = None) -> str:
    """``group.html``: the table (:func:`group_table`), the group's line and a chart per
    report of its numeric figures (:func:`report_charts`; those in ``charts`` already drawn,
    ``None`` for a report with nothing to draw)."""
    columns, rows, group = table
    names = list(dict.fromkeys(name for name, _ in columns))
    drawn = dict(charts or {})
    drawn.update(report_charts(table, [n for n in names if n not in drawn]))
    titles = {name: header_label(name) for name, _ in columns}
    return _template().render(
        run_id=result.run_id, started=manifest["start"].replace("T", " ")[:16],
        seconds=manifest["seconds"], stopped_by=result.stopped_by,
        columns=[{"report": titles[n], "figure": header_label(k), "key": (n, k)}
                 for n, k in columns],
        spans=_spans(columns, titles), rows=rows, group=group,
        counts={s: sum(r["status"] == s for r in rows)
                for s in ("ok", "failed", "refused", "interrupted")},
        charts=[drawn[n] for n in names if drawn.get(n) is not None])


def _spans(columns: list[tuple[str, str]], titles: Mapping[str, str]) -> list[tuple[str, int]]:
    spans: list[tuple[str, int]] = []
    for name, _ in columns:
        if spans and spans[-1][0] == titles[name]:
            spans[-1] = (titles[name], spans[-1][1] + 1)
        else:
            spans.append((titles[name], 1))
    return spans


def report_charts(table: GroupTable, names: list[str]) -> dict[str, dict[str, str] | None]:
    """The chart of each report of ``names`` (``None`` for one with no figure to draw): one
    PNG in the page (offline) per report, a horizontal bar chart of each of its figures that
    is a number for two practices or more, side by side, the practices' names once on the
    left (small multiples: a practice's bars are on one line across its report's figures).

    A report's chart depends on that report's results only, so a group run draws it as soon
    as every practice's is in, while the last reports run (:mod:`pracops.group.run`). One
    chart per report, not per figure: a group's 38 figures drawn one each took 10-12 s of
    one core after the last report (bench/README.md, "Many practices"), most of it laying
    out the practices' names 38 times."""
    columns, rows, _group = table
    drawn = _charts([c for c in columns if c[0] in names], rows)
    return {name: drawn.get(name) for name in names}


def _charts(columns: list[tuple[str, str]], rows: list[dict[str, Any]]
            ) -> dict[str, dict[str, str]]:
    import matplotlib

    matplotlib.use("agg", force=False)

    by_report: dict[str, list[tuple[str, dict[str, tuple[float, str]]]]] = {}
    for column in columns:  # each practice's (length of its bar, value as the table shows it)
        points = {r["id"]: (float(c["sort"]), c["shown"]) for r in rows
                  if (c := r["cells"][column]) is not None
                  and c["sort"] != "" and not isinstance(c["value"], bool)}
        if len(points) >= 2:
            by_report.setdefault(column[0], []).append((column[1], points))
    charts = {}
    for name, figures in by_report.items():
        try:
            charts[name] = _chart(name, figures, rows)
        except Exception as exc:  # one chart lost, not the page: an image too large for Agg
            charts[name] = {"title": header_label(name), "error": f"{type(exc).__name__}: {exc}"}
    return charts


def _chart(name: str, figures: list[tuple[str, dict[str, tuple[float, str]]]],
           rows: list[dict[str, Any]]) -> dict[str, str]:
    """One report's chart (:func:`report_charts`): its title, alt text and PNG."""
    from matplotlib.figure import Figure
    from matplotlib.ticker import FuncFormatter, MaxNLocator

    ids = [r["id"] for r in rows if any(r["id"] in points for _, points in figures)]
    # a long list of practices: the figures in one row, so the image stays as tall as one
    # panel (matplotlib's Agg draws at most 65,536 pixels a side)
    across = len(figures) if len(ids) > _ONE_ROW_FROM else min(_CHARTS_ACROSS, len(figures))
    down = -(-len(figures) // across)
    label = 1.08 * _label_inches(ids)  # and the tick marks
    height = 0.3 + 0.16 * len(ids)  # one panel's bars
    fig = Figure(figsize=(label + 0.15 + 2.4 * across, 0.35 + down * (height + 0.55)))
    axes = fig.subplots(down, across, sharey=True, squeeze=False)
    for ax, (key, points) in zip(axes.flat, figures, strict=False):
        ax.barh(ids[::-1], [points[i][0] if i in points else math.nan for i in ids[::-1]],
                color="#1f5f8b")
        ax.axvline(0, color="#555", linewidth=0.6)
        # ticks at 1, 2 or 5 × a power of ten: labels that round to what they mark
        ax.xaxis.set_major_locator(MaxNLocator(nbins=3, steps=[1, 2, 5, 10]))
        if not any(v for v, _ in points.values()):  # zero for every practice: one tick
            ax.set_xlim(-1, 1)
            ax.set_xticks([0])
        ax.xaxis.set_major_formatter(FuncFormatter(lambda v, _pos, key=key: _tick(key, v)))
        ax.set_title(_wrapped(header_label(key)), fontsize=8, loc="left")
        ax.tick_params(labelsize=7)
    for ax in list(axes.flat)[len(figures):]:
        ax.set_visible(False)
    title = header_label(name)
    width, tall = fig.get_size_inches()
    fig.suptitle(title, x=0.1 / width, y=1 - 0.08 / tall, ha="left", va="top", fontsize=10)
    fig.subplots_adjust(left=(label + 0.25) / width, right=1 - 0.25 / width,
                        top=1 - 0.55 / tall, bottom=0.3 / tall, wspace=0.35,
                        hspace=0.5 / (height + 0.05))
    buffer = io.BytesIO()
    fig.savefig(buffer, format="png", dpi=96)  # a CSS pixel: drawn at its inches
    return {"title": title, "alt": f"{title} by practice: " + "; ".join(
        f"{header_label(key)}: " + ", ".join(
            f"{p} {shown}" for p, (_, shown) in points.items())
        for key, points in figures),
        "png": base64.b64encode(buffer.getvalue()).decode("ascii")}


_CHARTS_ACROSS = 3
"""Figures side by side in a report's chart: 3 fit a laptop's screen beside the names."""

_ONE_ROW_FROM = 40
"""Practices beyond which a report's figures are drawn in one row."""


def _label_inches(ids: list[str]) -> float:
    """The width of the longest practice id at the charts' 7 pt, in inches (measured by the
    renderer, as matplotlib's tight layout would, for these few strings only)."""
    from matplotlib.backends.backend_agg import RendererAgg
    from matplotlib.font_manager import FontProperties

    renderer, font = RendererAgg(1, 1, 72), FontProperties(size=7)
    return max(renderer.get_text_width_height_descent(i, font, ismath=False)[0]
               for i in ids) / 72


def _wrapped(title: str, width: int = 30) -> str:
    return textwrap.fill(title, width)


def _tick(key: str, value: float) -> str:
    """An axis label as the table shows the figure: money in dollars (k, M) with its sign
    before the dollar sign and cents only when a tick has them, rates in per cent with the
    decimals a tick needs; never "-0"."""
    if abs(value) < 1e-9:
        value = 0.0  # -0.0 and a locator's rounding error as 0
    if key.endswith("_cents"):
        dollars = abs(value) / 100
        sign = "-" if value < 0 else ""
        for size, suffix in ((1e6, "M"), (1e3, "k")):
            if dollars >= size:
                return f"{sign}${dollars / size:,.3g}{suffix}"
        whole = abs(dollars - round(dollars)) < 1e-9
        return f"{sign}${dollars:,.0f}" if whole else f"{sign}${dollars:,.2f}"
    if key.endswith(("_pct", "_rate", "_level")):
        per_cent = value * 100
        return f"{per_cent:,.0f}%" if abs(per_cent) >= 100 else f"{per_cent:.3g}%"
    return f"{value:,.0f}" if abs(value) >= 1000 else f"{value:,.3g}"


def write_group_xlsx(run_id: str, table: GroupTable, path: Path) -> None:
    """``group.xlsx``: the table of the page (:func:`group_table`), a row per practice and the
    group's line last."""
    columns, rows, group = table
    names = [f"{header_label(n)}: {header_label(k)}" for n, k in columns]
    records = []
    for r in rows:
        record = {"practice id": r["id"], "practice": r["name"], "status": r["status"]}
        for label, c in zip(names, columns, strict=True):
            cell = r["cells"][c]
            record[label] = None if cell is None else _sheet_value(c[1], cell["value"])
        record["errors"] = "; ".join(r["errors"])
        records.append(record)
    line = {"practice id": "", "practice": "group (total or median)", "status": ""}
    for label, c in zip(names, columns, strict=True):
        g = group[c]
        line[label] = None if g is None else _sheet_value(c[1], g["value"])
    records.append({**line, "errors": ""})
    table = pd.DataFrame(records, columns=["practice id", "practice", "status", *names,
                                           "errors"])
    write_handouts({"group": Sheet(table, title=f"Group run {run_id}",
                                   bold_rows=[len(records) - 1], freeze="D3")},
                   path.parent, workbook=path.name, csv=False)


def _sheet_value(key: str, value: Any) -> Any:
    """A figure as a cell: money in dollars (exact; a median of two amounts may end in half a
    cent), a list by how many items."""
    if isinstance(value, list):
        return len(value)
    if key.endswith("_cents") and isinstance(value, (int, float)) and not isinstance(value, bool):
        return Decimal(str(value)) / 100
    return value
