"""What the purchasing tables and charts show: costs per unit as a reader writes money (no
4-decimal dollars), changes signed, charts in the one palette with the legend off the data.
Expected strings are worked out here from the plan's exact values."""

from __future__ import annotations

from decimal import ROUND_HALF_UP, Decimal
from fractions import Fraction

import matplotlib

matplotlib.use("agg")
import matplotlib.pyplot as plt  # noqa: E402
import pandas as pd  # noqa: E402
import pytest  # noqa: E402

from pracops.purchasing import chain, view  # noqa: E402


@pytest.fixture(scope="module")
def plan() -> chain.PurchasingPlan:
    return chain.compute(chain.load_inputs(None))


def dollars(cents: Fraction) -> str:
    """Exact cents to the cent, half away from zero (for positive amounts)."""
    exact = Decimal(cents.numerator) / Decimal(cents.denominator) / 100
    return f"${exact.quantize(Decimal('0.01'), rounding=ROUND_HALF_UP):,}"


def test_unit_cost_reads_as_money() -> None:
    assert view.unit_cost(Fraction(247158, 10)) == "$247.16"  # was "$247.1580"
    assert view.unit_cost(Fraction(1503, 2)) == "$7.52"  # 751.5 cents: half away from zero
    assert view.unit_cost(Fraction(523, 100)) == "$0.052"  # below a dollar cents hide it
    assert view.unit_cost(Fraction(29659, 10), sign=True) == "+$29.66"
    assert view.unit_cost(-150, sign=True) == "($1.50)"
    assert view.unit_cost(0) == "$0.00"


def test_price_changes_in_dollars_and_cents(plan: chain.PurchasingPlan) -> None:
    html = view.price_changes_table(plan).to_html()
    assert "$247.1580" not in html and "(cents)" not in html
    pc = plan.price_changes
    for before, now in zip(pc["previous_landed_per_unit"], pc["current_landed_per_unit"],
                           strict=True):
        for cents in (before, now):
            if cents >= 100:
                assert f">{dollars(cents)}<" in html
    # the HPV vaccine's rise, as the summary writes it: 12.0 % and $29.66 a unit
    hpv = pc[pc["sku"] == "VX-1763"].iloc[0]
    change = hpv["current_landed_per_unit"] - hpv["previous_landed_per_unit"]
    assert f">+{dollars(change)}<" in html
    assert f">+{float(hpv['change_pct']) * 100:.1f}%<" in html


def test_charts_have_titles_axes_and_legends_clear_of_the_data(
        plan: chain.PurchasingPlan) -> None:
    for draw in (view.plot_abc, view.plot_expiry_timeline, view.plot_vendor_prices):
        fig, ax = plt.subplots()
        draw(plan, ax)
        fig.canvas.draw()
        assert ax.get_title() and ax.get_xlabel() and ax.get_ylabel(), draw.__name__
        legend = ax.get_legend()
        assert legend is not None, draw.__name__
        # the legend starts right of the plotting area (and of a second axis's labels)
        right = max(a.get_tightbbox().x1 if a is not ax else a.get_window_extent().x1
                    for a in fig.axes)
        assert legend.get_window_extent().x0 >= right, draw.__name__
        plt.close(fig)


def test_the_tallest_expiry_month_is_whole_with_room_above(plan: chain.PurchasingPlan) -> None:
    """The axis reaches above the tallest month (used + unused, summed here from the lots), so
    no bar touches the top of the chart; the bars stand on zero."""
    fig, ax = plt.subplots()
    view.plot_expiry_timeline(plan, ax)
    lots = plan.lots
    month = lots["expiry_date"].dt.to_period("M")
    first = plan.as_of.to_period("M")
    inside = (month >= first) & (month <= first + 11)
    worth = [float(q) * float(c) for q, c in zip(lots["quantity"][inside],
                                              lots["unit_cost_cents"][inside], strict=True)]
    tallest = pd.Series(worth).groupby(month[inside].to_numpy()).sum().max()
    tops = [p.get_y() + p.get_height() for p in ax.patches]
    assert max(tops) == pytest.approx(tallest, abs=len(worth))  # cents rounded per lot
    low, high = ax.get_ylim()
    assert low == 0 and high >= 1.04 * max(tops)
    plt.close(fig)


def test_vendor_price_chart_reads_its_log_axis_in_dollars(plan: chain.PurchasingPlan) -> None:
    """The cost axis is a log scale; its decades read as money ($0.10, $1, $10 …), each tick
    the value it stands at, not 10 to a power."""
    fig, ax = plt.subplots()
    view.plot_vendor_prices(plan, ax)
    fig.canvas.draw()
    low, high = ax.get_xlim()
    shown = {round(float(t.get_position()[0]), 6): t.get_text()
             for t in ax.get_xticklabels() if low <= t.get_position()[0] <= high and t.get_text()}
    assert len(shown) >= 3
    by_hand = {0.01: "$0.01", 0.1: "$0.10", 1.0: "$1", 10.0: "$10", 100.0: "$100",
               1000.0: "$1,000"}
    assert shown == {v: by_hand[v] for v in shown}
    plt.close(fig)
