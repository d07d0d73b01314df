"""pracops.report: recorded figures, alerts, formatting and the KPI table."""

from __future__ import annotations

import datetime as dt
import re
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
    ("days_in_ar", 24.73360726494251, "24.7 days"),  # the index wrote 24.73
    ("posting_lag_days", 1.97, "2.0 days"),
    ("fte_required_total", 19.281, "19.3"),
    ("visits", 1234.5, "1,234.5"),
    ("flag", True, "yes"),
    ("missing", None, ""),
    ("fte_gap_by_role", {"nurse": 0.5, "front desk": -1.0}, "nurse: 0.5, front desk: -1.0"),
])
def test_figure_label(key: str, value: object, shown: str) -> None:
    assert report.figure_label(key, value) == shown


def test_formatters() -> None:
    assert report.fmt_money(-123456) == "-$1,234.56"
    assert report.fmt_money(-123456, accounting=True) == "($1,234.56)"
    assert report.fmt_money(None) == "" and report.fmt_money(pd.NA) == ""
    assert report.fmt_pct(0.05) == "5.0%" and report.fmt_pct(0.12345, 2) == "12.35%"
    # one decimal, two only where one would read as none: 8 of 16,869 claims is 0.047 %
    assert report.fmt_pct(8 / 16869) == "0.05%" and report.fmt_pct(0) == "0.0%"
    assert report.fmt_pct(0.0012) == "0.1%" and report.fmt_pct(-0.379) == "-37.9%"
    # what rounds to zero at two decimals reads 0.0%, never -0.00% (a budget variance of cents)
    assert report.fmt_pct(-0.0000003) == "0.0%" and report.fmt_pct(-0.00003) == "0.0%"
    assert report.fmt_pct(-0.0003) == "-0.03%"
    assert report.fmt_money(123456, whole=True) == "$1,235"
    assert report.fmt_money(-123449, whole=True, accounting=True) == "($1,234)"
    assert report.fmt_money(-49, whole=True) == "$0"  # no "-$0"
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
    assert "($1,234.56)" in html and "$0.05" in html and "50 %" in html
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
    ("wrvus_per_visit", "wRVUs per visit"),  # not "WRVUs"
])
def test_header_label_reads_as_words(name: str, label: str) -> None:
    assert report.header_label(name) == label


def test_format_table_passes_over_columns_the_table_lacks() -> None:
    # an optional column named in money= but absent from this export's table
    html = report.format_table(pd.DataFrame({"a_cents": [123456], "name": ["<b>x"]}),
                        money=["a_cents", "absent_cents"]).to_html()
    assert "$1,234.56" in html and "&lt;b&gt;x" in html


def test_format_table_shows_a_missing_value_as_an_empty_cell() -> None:
    # a document has no payer, a practice-wide item no location: the compliance page read "nan"
    frame = pd.DataFrame({"payer_id": ["MCR", None], "days": [30.0, float("nan")],
                          "name": pd.array(["<i>", pd.NA], dtype="string")})
    html = report.format_table(frame).to_html()
    cells = re.findall(r"<td[^>]*>(.*?)</td>", html)
    assert cells == ["MCR", "30.0", "&lt;i&gt;", "", "", ""]  # one decimal, not pandas' six


def test_a_figure_reads_the_same_in_the_kpi_table_and_on_the_index() -> None:
    # the sample's 8 denials in 16,869 claims: the summary, the KPI table and the index
    # showed 0.0 %, 0.05 % and 0.05 %
    rate = 8 / 16869
    kpi = report.KPI("Initial denial rate", rate, "pct", 0.05, "lower")
    assert "0.05%" in report.kpi_table([kpi]).to_html()
    assert report.figure_label("denial_rate", rate) == report.fmt_pct(rate) == "0.05%"


def test_format_table_money_in_parentheses_and_whole_dollars() -> None:
    frame = pd.DataFrame({"line": ["rent", "refund"], "amount_cents": [123456, -1190]})
    html = report.format_table(frame, money=["amount_cents"]).to_html()
    assert "$1,234.56" in html and "($11.90)" in html and "-$" not in html
    whole = report.format_table(frame, money=["amount_cents"], whole_dollars=True).to_html()
    assert "$1,235" in whole and "($12)" in whole
    assert "1,234.56" not in whole and "123456" not in whole


def test_format_table_says_how_many_rows_it_leaves_out() -> None:
    frame = pd.DataFrame({"claim_id": [f"C{i:03d}" for i in range(34)]})
    html = report.format_table(frame, limit=30, full_in="underpayments.csv").to_html()
    assert html.count("<tr>") == 31  # the header and 30 rows
    assert "C029" in html and "C030" not in html
    assert "Showing 30 of 34; all in underpayments.csv." in html
    assert "caption-side: bottom" in html  # the note stands under the table
    full = report.format_table(frame, limit=40, full_in="underpayments.csv").to_html()
    assert "Showing" not in full and "<caption" not in full


def test_chart_style_is_colour_blind_safe_and_legend_outside() -> None:
    import matplotlib

    matplotlib.use("agg")
    import matplotlib.pyplot as plt

    report.use_chart_style()
    fig, ax = plt.subplots()
    bars = ax.bar(["a", "b"], [3, 4], label="x")
    ax.bar(["a", "b"], [1, 1], label="y")
    # the Okabe–Ito colours in their order: blue, orange
    assert matplotlib.colors.to_hex(bars[0].get_facecolor()) == "#0072b2"
    legend = report.legend_outside(ax)
    fig.canvas.draw()
    box = legend.get_window_extent()
    assert box.x0 >= ax.get_window_extent().x1  # right of the plotting area, over no bar
    plt.close(fig)


def test_numbers_align_right_and_short_codes_stay_on_one_line() -> None:
    frame = pd.DataFrame({"sku": ["VX-1763"], "why": ["a reason long enough to wrap a line"],
                          "fte": [1.5], "paid_cents": [12345]})
    html = report.format_table(frame, money=["paid_cents"]).to_html()
    css = {}
    for selectors, props in re.findall(r"([^{}]+)\{([^}]*)\}", html.split("</style>")[0]):
        for col in re.findall(r"row0_(col\d)", selectors):
            css[col] = css.get(col, "") + props
    # a float column the caller did not name is still a number: right, like its heading
    assert "text-align: right" in css["col2"] and "text-align: right" in css["col3"]
    assert re.search(r"th\.col2 \{\s*text-align: right", html)
    assert re.search(r"th\.col0 \{\s*text-align: left", html)
    # the code and the numbers never break; the sentence may
    assert "nowrap" in css["col0"] and "nowrap" in css["col2"] and "nowrap" not in css["col1"]


@pytest.mark.parametrize("horizontal", [False, True])
def test_bars_whole_gives_the_tallest_stack_room(horizontal: bool) -> None:
    """A zero-height segment stacked on the tallest bar pins matplotlib's axis to that bar's
    top; after bars_whole the axis reaches past it by the usual 5 % margin, and still starts at
    zero."""
    import matplotlib.pyplot as plt

    fig, ax = plt.subplots()
    base = np.array([3.0, 10.0, 6.0])
    on_top = [1.0, 0.0, 2.0]  # the tallest stack gets nothing on top
    if horizontal:
        ax.barh([0, 1, 2], base)
        ax.barh([0, 1, 2], on_top, left=base)
    else:
        ax.bar([0, 1, 2], base)
        ax.bar([0, 1, 2], on_top, bottom=base)
    limits = ax.get_xlim if horizontal else ax.get_ylim
    assert limits() == (0, 10)  # the fault: the tallest bar touches the frame
    report.bars_whole(ax)
    assert limits() == pytest.approx((0, 10 * 1.05))
    plt.close(fig)
