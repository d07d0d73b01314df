"""pracops.report: recorded figures, alerts, formatting and the KPI table."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from html import escape

import matplotlib
import numpy as np
import pandas as pd
import pytest

from pracops import report

matplotlib.use("agg")


def test_to_jsonable_converts_numpy_pandas_and_dates() -> None:
    value = {
        "n": np.int64(3), "x": np.float64(0.25), "flag": np.bool_(True), "d": Decimal("1.10"),
        "day": dt.date(2026, 1, 31), "nan": float("nan"), "inf": float("inf"),
        "series": pd.Series([1, 2], index=["a", "b"]), "arr": np.array([1, 2]),
    }
    assert report.to_jsonable(value) == {
        "n": 3, "x": 0.25, "flag": True, "d": "1.10", "day": "2026-01-31", "nan": None,
        "inf": "inf", "series": {"a": 1, "b": 2}, "arr": [1, 2],
    }
    with pytest.raises(TypeError, match="cannot record a DataFrame"):
        report.to_jsonable(pd.DataFrame({"a": [1]}))


def test_record_and_alert_keep_what_was_said() -> None:
    report.record("open_ar_cents", np.int64(1234))
    report.alert("Days in A/R is 52, above the target of 40.", key="days_in_ar")
    got = report.recorded()
    assert got["figures"]["open_ar_cents"] == 1234
    assert isinstance(got["figures"]["open_ar_cents"], int)
    assert got["alerts"][-1] == {"level": "warning", "key": "days_in_ar",
                                 "message": "Days in A/R is 52, above the target of 40."}
    with pytest.raises(ValueError, match="record key"):
        report.record("days in ar", 1)
    with pytest.raises(ValueError, match="alert level"):
        report.alert("x", level="loud")


def test_summary_from_notebook() -> None:
    def out(bundle: dict) -> dict:
        return {"output_type": "display_data", "data": {report.RECORD_MIME: bundle},
                "metadata": {}}
    nb = {"cells": [
        {"cell_type": "code", "outputs": [
            out({"kind": "figure", "key": "a", "value": 1, "headline": True}),
            {"output_type": "stream", "name": "stdout", "text": "hello"},
            out({"kind": "alert", "level": "critical", "message": "m"}),
        ]},
        {"cell_type": "markdown", "source": "x"},
        {"cell_type": "code", "outputs": [
            out({"kind": "figure", "key": "a", "value": 2, "headline": False}),
            out({"kind": "figure", "key": "b", "value": [1, 2], "headline": False}),
        ]},
    ]}
    figures, alerts, headline = report.summary_from_notebook(nb)
    assert figures == {"a": 2, "b": [1, 2]}  # the later record of a key wins
    assert alerts == [{"level": "critical", "message": "m"}]
    assert headline == ["a"]


@pytest.mark.parametrize(("key", "value", "shown"), [
    ("open_ar_cents", 123456, "$1,234.56"),
    ("net_collection_rate", 0.9534, "95.3%"),
    ("margin_pct", -0.021, "-2.1%"),
    ("phone_service_level", 0.6826, "68.3%"),
    ("denial_rate", 0.00046, "0.05%"),
    ("order_lines", 1234, "1,234"),
    ("days_in_ar", 41.26, "41.26"),
    ("visits", 1234.5, "1,234.5"),
    ("flag", True, "yes"),
    ("missing", None, ""),
    ("fte_gap_by_role", {"nurse": 0.5, "front desk": -1.0}, "nurse: 0.50, front desk: -1.00"),
])
def test_figure_label(key: str, value: object, shown: str) -> None:
    assert report.figure_label(key, value) == shown


def test_formatters() -> None:
    assert report.fmt_money(-123456) == "-$1,234.56"
    assert report.fmt_money(-123456, accounting=True) == "($1,234.56)"
    assert report.fmt_money(None) == "" and report.fmt_money(pd.NA) == ""
    assert report.fmt_pct(0.05) == "5.0%" and report.fmt_pct(0.12345, 2) == "12.35%"
    assert report.fmt_count(1234567) == "1,234,567"


def test_kpi_met_and_table() -> None:
    ncr = report.KPI("Net collection rate", 0.93, "pct", 0.95, "higher")
    days = report.KPI("Days in A/R", 38.2, "days", 40, "lower")
    none = report.KPI("Claims", 120, "count")
    assert (ncr.met(), days.met(), none.met()) == (False, True, None)
    html = report.kpi_table([ncr, days, none]).to_html()
    assert "93.0%" in html and "≥ 95.0%" in html and "off target" in html
    assert "38.2 days" in html and "≤ 40.0 days" in html and "on target" in html


def test_format_table_shows_cents_as_dollars_without_changing_values() -> None:
    df = pd.DataFrame({"payer": ["A"], "paid_cents": [123456], "rate": [0.5]})
    html = report.format_table(df, money=["paid_cents"], pct=["rate"]).to_html()
    assert "$1,234.56" in html and "50.0%" in html
    assert df["paid_cents"].iloc[0] == 123456


MARKUP = "<img src=x onerror=alert(1)>"
SHOWN = "&lt;img src=x onerror=alert(1)&gt;"


def test_format_table_escapes_text_and_keeps_numbers() -> None:
    df = pd.DataFrame({"name": [MARKUP, "A & B"], "paid_cents": [-123456, 5], "rate": [0.5, 1],
                       f"{MARKUP} site": [1, 2]}, index=[MARKUP, "x"])
    styler = report.format_table(df, money=["paid_cents"], pct=["rate"], hide_index=False)
    # a later format of some columns, as the views add, must not unescape the others
    html = styler.format({"rate": lambda v: f"{v * 100:.0f} %"}).to_html()
    assert "<img" not in html
    assert html.count(SHOWN) == 3  # the cell, the index and the header ("... site")
    assert "A &amp; B" in html
    assert "-$1,234.56" in html and "$0.05" in html and "50 %" in html
    assert df["name"].iloc[0] == MARKUP  # the data are unchanged


def test_kpi_table_escapes_names() -> None:
    html = report.kpi_table([report.KPI(MARKUP, 1, "count")]).to_html()
    assert "<img" not in html and SHOWN in html


@pytest.mark.parametrize("text", [
    "<b>Rent</b><script>alert(1)</script>", "*x* _y_ `c` ~~s~~ | t", "[a](javascript:alert(1))",
    "A & B", "line\n\n# Heading", "C:\\temp\\x", "Rent (6100)", "MED_SUPPLY #2"])
def test_md_text_shows_input_as_text(text: str) -> None:
    import mistune  # nbconvert's Markdown renderer, an independent check of the escaping

    html = mistune.html(f"Most from {report.md_text(text)}.")
    # the paragraph holds the text as written (line breaks as spaces), and no element
    assert html == f"<p>Most from {escape(' '.join(text.splitlines()), quote=False)}.</p>\n"


def test_money_axis_labels_dollars() -> None:
    import matplotlib.pyplot as plt

    report.use_chart_style()
    fig, ax = plt.subplots()
    report.money_axis(ax)
    fmt = ax.yaxis.get_major_formatter()
    assert fmt(1234500, 0) == "$12,345" and fmt(-50000, 0) == "-$500"
    plt.close(fig)


@pytest.mark.parametrize(("name", "label"), [
    ("total_paid_cents", "Total paid"),
    ("days_in_ar", "Days in A/R"),
    ("unmatched_era_count", "Unmatched ERA count"),
    ("fte_required_total", "FTE required total"),
    ("payer_id", "Payer ID"),
    ("sku", "SKU"),
    ("below_reorder_point_skus", "Below reorder point SKUs"),
    ("ytd_variance_cents", "YTD variance"),
    ("base_wrvus_per_provider_fte", "Base wRVUs per provider FTE"),
])
def test_header_label_reads_as_words(name: str, label: str) -> None:
    assert report.header_label(name) == label


def test_format_table_passes_over_columns_the_table_lacks() -> None:
    # an optional column named in money= but absent from this export's table
    html = report.format_table(pd.DataFrame({"a_cents": [123456], "name": ["<b>x"]}),
                        money=["a_cents", "absent_cents"]).to_html()
    assert "$1,234.56" in html and "&lt;b&gt;x" in html
