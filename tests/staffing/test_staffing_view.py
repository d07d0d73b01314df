"""What the staffing tables and charts show: FTE written as the summary and the index write
them (one decimal), sites by name, headings in sentence case, legends clear of the data."""

from __future__ import annotations

import matplotlib

matplotlib.use("agg")
import matplotlib.pyplot as plt  # noqa: E402
import pytest  # noqa: E402

from pracops.report import figure_label  # noqa: E402
from pracops.staffing import chain, view  # noqa: E402


@pytest.fixture(scope="module")
def plan() -> chain.StaffingPlan:
    return chain.compute(chain.load_inputs(None), solver_deterministic_time=1.0)


def test_fte_reads_the_same_in_the_table_and_on_the_index(plan: chain.StaffingPlan) -> None:
    html = view.fte_table(plan).to_html()
    needed = plan.needed.set_index("role")
    total = float(needed.loc["total", "required_fte"])
    # the index writes the total as the summary does, and so does the table's total row
    shown = figure_label("fte_required_total", total)
    assert shown == f"{total:.1f}" and f">{shown}<" in html
    for role, gap in needed["gap_fte"].items():
        assert f">{gap:+.1f}<" in html, role


def test_sites_by_name_and_headings_in_sentence_case(plan: chain.StaffingPlan) -> None:
    names = [str(s.name) for s in plan.sites.values()]
    forecast = view.forecast_table(plan).to_html()
    for name in names:
        assert f">{name}<" in forecast
    assert ">Month<" in forecast and ">All sites<" in forecast and ">month<" not in forecast
    uses = view.accounting_table(plan).to_html()
    assert ">Dataset<" in uses and ">dataset<" not in uses
    phones = view.phone_table(plan)
    if phones is not None:
        html = phones.to_html()
        assert ">Site<" in html and any(f">{n}<" in html for n in names)


def test_charts_label_axes_and_keep_legends_off_the_data(plan: chain.StaffingPlan) -> None:
    for draw in (view.plot_monthly_forecast, view.plot_fte_by_role, view.plot_cost_by_role,
                 view.plot_backtest):
        fig, ax = plt.subplots()
        draw(plan, ax)
        fig.canvas.draw()
        assert ax.get_title() and ax.get_xlabel() and ax.get_ylabel(), draw.__name__
        legend = ax.get_legend()
        assert legend.get_window_extent().x0 >= ax.get_window_extent().x1, draw.__name__
        plt.close(fig)


def test_a_years_cost_in_whole_dollars_the_hourly_rate_to_the_cent(
        plan: chain.StaffingPlan) -> None:
    html = view.cost_table(plan).to_html()
    for cents in plan.cost["current_cents"]:
        c = int(cents)
        dollars = (abs(c) + 50) // 100  # half away from zero, worked out here
        assert f">{f'(${dollars:,})' if c < 0 else f'${dollars:,}'}<" in html
    for cents in plan.cost["hourly_rate_cents"].dropna():
        c = int(cents)
        assert f">${c // 100:,}.{c % 100:02d}<" in html
