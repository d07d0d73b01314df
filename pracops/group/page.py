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
from collections.abc import Mapping
from decimal import Decimal
from pathlib import Path
from typing import Any

import jinja2
import pandas as pd

from pracops import registry
from pracops.report import Sheet, figure_label, header_label, write_handouts

__all__ = ["GroupTable", "group_table", "render_group", "write_group_xlsx"]


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


def render_group(result: Any, manifest: Mapping[str, Any], table: GroupTable) -> str:
    """``group.html``: the table (:func:`group_table`), the group's line and a chart per
    numeric figure."""
    columns, rows, group = table
    titles = {name: header_label(name) for name, _ in columns}
    return _template().render(
        run_id=result.run_id, started=manifest["start"].replace("T", " ")[:16],
        seconds=manifest["seconds"], stopped_by=result.stopped_by,
        columns=[{"report": titles[n], "figure": header_label(k), "key": (n, k)}
                 for n, k in columns],
        spans=_spans(columns, titles), rows=rows, group=group,
        counts={s: sum(r["status"] == s for r in rows)
                for s in ("ok", "failed", "refused", "interrupted")},
        charts=_charts(columns, rows))


def _spans(columns: list[tuple[str, str]], titles: Mapping[str, str]) -> list[tuple[str, int]]:
    spans: list[tuple[str, int]] = []
    for name, _ in columns:
        if spans and spans[-1][0] == titles[name]:
            spans[-1] = (titles[name], spans[-1][1] + 1)
        else:
            spans.append((titles[name], 1))
    return spans


def _charts(columns: list[tuple[str, str]], rows: list[dict[str, Any]]
            ) -> list[dict[str, str]]:
    """One horizontal bar chart per figure that is a number for two practices or more, as a
    PNG in the page (offline)."""
    import matplotlib

    matplotlib.use("agg", force=False)
    from matplotlib.figure import Figure
    from matplotlib.ticker import FuncFormatter

    charts = []
    for column in columns:
        points = [(r["id"], c["sort"]) for r in rows if (c := r["cells"][column]) is not None
                  and c["sort"] != "" and not isinstance(c["value"], bool)]
        if len(points) < 2:
            continue
        name, key = column
        fig = Figure(figsize=(6.4, 0.6 + 0.28 * len(points)))
        ax = fig.add_subplot()
        ax.barh([p for p, _ in points][::-1], [v for _, v in points][::-1], color="#1f5f8b")
        ax.xaxis.set_major_formatter(FuncFormatter(
            lambda v, _pos, key=key: _tick(key, v)))
        title = f"{header_label(name)}: {header_label(key)}"
        ax.set_title(title, fontsize=10, loc="left")
        ax.tick_params(labelsize=8)
        fig.tight_layout()
        buffer = io.BytesIO()
        fig.savefig(buffer, format="png", dpi=80)
        charts.append({"title": title, "alt": f"{title} by practice: " + ", ".join(
            f"{p} {_shown(key, v)}" for p, v in points),
            "png": base64.b64encode(buffer.getvalue()).decode("ascii")})
    return charts


def _tick(key: str, value: float) -> str:
    """An axis label as the table shows the figure, money in whole dollars (k, M)."""
    if key.endswith("_cents"):
        dollars = value / 100
        for size, suffix in ((1e6, "M"), (1e3, "k")):
            if abs(dollars) >= size:
                return f"${dollars / size:,.3g}{suffix}"
        return f"${dollars:,.0f}"
    if key.endswith(("_pct", "_rate", "_level")):
        return f"{value:.0%}"
    return f"{value:,.3g}"


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
