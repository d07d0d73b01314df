"""What the daily close shows: the summary in words with the sample's figures, tables in
dollars with input text escaped, charts with titles, labelled axes and legends off the data,
and the calendar's colours. Expected words and amounts are written out from the sample's
ground truth and files."""

from __future__ import annotations

import dataclasses

import matplotlib

matplotlib.use("agg")
import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402
import pandas as pd  # noqa: E402
import pytest  # noqa: E402
from matplotlib.colors import to_hex  # noqa: E402

from pracops import report  # noqa: E402
from pracops.daily_close import chain, view  # noqa: E402

MARKUP = "<img src=x onerror=alert(1)>"


@pytest.fixture(scope="module")
def inputs() -> chain.DailyCloseInputs:
    return chain.load_inputs(None)


@pytest.fixture(scope="module")
def close(inputs: chain.DailyCloseInputs) -> chain.DailyClose:
    return chain.compute(inputs)


def test_the_summary_says_the_close_in_words(close: chain.DailyClose) -> None:
    text = view.summary_text(close, chain.summary_figures(close))
    dollar = "<span>&#36;</span>"
    assert "$" not in text.replace(dollar, "")  # every dollar sign safe from math
    plain = text.replace(dollar, "$")
    for words in (
        "**The close of Wednesday 31 December 2025 balanced** at every clinic: the $925.00 "
        "collected at the desk was posted to the cent",
        "**1 completed visit never charged** (A019960): see `missed_charges.csv`.",
        "**1 claim** reaches its payer's filing limit in the next 14 days ($230.00 at stake); "
        "**1 claim past the limit** ($365.00, likely to be written off).",
        "the balance first falls below the minimum of $150,000.00 in **week 3** (from "
        "2026-01-15).",
        "The A/R roll-forward is proven every day except **1 break** ($9.00)",
        "The bank reconciliation at the end of 2025-12 **balances**",
        "In all, **12 findings**: 1 card settlement short; 1 day's cash and checks never "
        "deposited;",
    ):
        assert words in plain, words


@pytest.mark.parametrize(("day", "words"), [
    ("2025-12-05", "**The close of Friday 5 December 2025 did not balance**: the day's deposit "
                   "(every clinic) off by $515.00; see the day close below."),
    ("2025-12-19", "**The close of Friday 19 December 2025 did not balance**: MAIN off by "
                   "$20.00; see the day close below."),
])
def test_an_unbalanced_close_says_where_and_by_how_much(inputs: chain.DailyCloseInputs,
                                                        day: str, words: str) -> None:
    close = chain.compute(inputs, close_date=day)
    text = view.summary_text(close, chain.summary_figures(close))
    assert words in text.replace("<span>&#36;</span>", "$")


def test_tables_show_dollars_and_escape_input_text(close: chain.DailyClose) -> None:
    html = view.day_close_table(close).to_html()
    # 31 Dec at MAIN: $20 cash, $365 in checks, $420 in cards; 30 Dec's slips deposited
    assert ">$805.00<" in html and ">$365.00<" in html and ">$385.00<" in html
    assert "mathjax_ignore" in html
    f = close.findings.copy()
    f.loc[0, "detail"] = f"{MARKUP} {f.loc[0, 'detail']}"
    html = view.findings_table(dataclasses.replace(close, findings=f)).to_html()
    assert MARKUP not in html and "&lt;img src=x onerror=alert(1)&gt;" in html
    assert ">$5,096.00<" not in html and ">$50.96<" in html  # the discount missed, in dollars


def test_the_forecast_table_adds_up_week_by_week(close: chain.DailyClose) -> None:
    w = close.cash_forecast.weeks
    data = view.forecast_table(close).data
    flows = data[["payers", "patients", "invoices", "payroll", "recurring debits"]].sum(axis=1)
    assert (data["opening"] + flows == data["closing"]).all()
    assert data["closing"].tolist() == w["closing_cents"].tolist()
    assert data.loc[data["week"] == 3, "below minimum"].item() == "YES"


def test_charts_have_titles_axes_and_legends_clear_of_the_data(close: chain.DailyClose) -> None:
    for draw in (view.plot_rollforward_waterfall, view.plot_charge_lag, view.plot_forecast):
        fig, ax = plt.subplots()
        draw(close, ax)
        fig.canvas.draw()
        assert ax.get_title() and ax.get_xlabel() and ax.get_ylabel(), draw.__name__
        legend = ax.get_legend()
        if legend is not None:
            assert legend.get_window_extent().x0 >= ax.get_window_extent().x1, draw.__name__
        assert report._chart_alt(fig).startswith("Chart: "), draw.__name__
        plt.close(fig)
    fig, ax = plt.subplots()
    view.plot_forecast(close, ax)
    names = [t.get_text() for t in ax.get_legend().get_texts()]
    assert names == ["band (payers slow to fast)", "expected balance", "minimum balance",
                     "first week below the minimum (week 3)"]
    plt.close(fig)


def test_the_calendar_colours_each_business_day(close: chain.DailyClose) -> None:
    fig = plt.figure()
    view.plot_close_calendar(close, fig)
    main, north = fig.axes
    assert (main.get_title(), north.get_title()) == ("MAIN", "NORTH")
    assert fig.get_suptitle() == ("Day close, December 2025: balanced days green, short "
                                  "days red")

    def colours(ax: plt.Axes) -> dict[int, str]:
        # each square's day: the text at its top left corner
        days = {(round(t.get_position()[0] - 0.08), round(t.get_position()[1] - 0.3)):
                int(t.get_text()) for t in ax.texts if t.get_text().isdigit()}
        return {days[(round(p.get_x()), round(p.get_y()))]: to_hex(p.get_facecolor())
                for p in ax.patches}

    good, bad, none = report.GOOD.lower(), report.BAD.lower(), "#e6e6e6"
    main_colours, north_colours = colours(main), colours(north)
    # 23 weekdays; Christmas Day is a holiday; 4 Dec's slip never reached the bank (both
    # clinics), and a check of 18 Dec was deposited twice at MAIN
    assert len(main_colours) == len(north_colours) == 23
    assert {d for d, c in main_colours.items() if c == bad} == {4, 18}
    assert {d for d, c in north_colours.items() if c == bad} == {4}
    assert {d for d, c in main_colours.items() if c == none} == {25}
    assert set(main_colours.values()) == {good, bad, none}
    texts = [t.get_text() for t in main.texts]
    assert r"\$515*" in texts and r"\$20" in texts  # the day's deposit (*), MAIN's check
    plt.close(fig)


def test_the_waterfall_steps_from_opening_to_closing(close: chain.DailyClose) -> None:
    fig, ax = plt.subplots()
    view.plot_rollforward_waterfall(close, ax)
    bars = ax.patches
    m = close.ar_rollforward.monthly
    dec = m[(m["month"] == "2025-12").to_numpy() & (m["responsible"] == "total").to_numpy()]
    opening, closing = int(dec["opening_cents"].item()), int(dec["closing_cents"].item())
    assert [round(b.get_height()) for b in (bars[0], bars[-1])] == [opening, closing]
    # each step starts where the last one ended: the top of charges is opening + charges
    charges = int(dec["charges_cents"].item())
    assert round(bars[1].get_y()) == opening and round(bars[1].get_y() + bars[1].get_height()) \
        == opening + charges
    assert "the journal differs by -\\$9" in ax.get_xlabel()
    plt.close(fig)


def test_tables_for_nothing_found_are_none(close: chain.DailyClose) -> None:
    empty = close.findings.iloc[0:0]
    quiet = dataclasses.replace(
        close,
        charge_capture=dataclasses.replace(close.charge_capture, findings=empty),
        timely_filing=dataclasses.replace(close.timely_filing,
                                          worklist=close.timely_filing.worklist.iloc[0:0]),
        accounts_payable=dataclasses.replace(close.accounts_payable, findings=empty))
    assert view.charge_findings_table(quiet) is None
    assert view.filing_table(quiet) is None
    assert view.ap_findings_table(quiet) is None
    assert np.array_equal(view.charge_lag_table(quiet).data["charge lines"],
                          pd.concat([close.charge_capture.lag_by_provider["lines"],
                                     close.charge_capture.lag_by_location["lines"]]))
