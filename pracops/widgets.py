"""ipywidgets pieces every report's explorer is built from: a slider that always holds the
report's value, and a panel of controls above an output area that redraws when a control is
released.

Widgets need a live kernel; notebooks build them only when their ``interactive`` parameter is
true, so headless runs and the shared HTML stay static. Each report's explorer lives in its
view (``pracops/<report>/view.py``) and recomputes through its chain's ``compute``, which
writes no file.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

__all__ = ["panel", "slider", "staffing_explorer"]

_STYLE = {"description_width": "initial"}
_WIDTH = "420px"


def slider(description: str, value: float, lo: float, hi: float, step: float,
           fmt: str = ".1f", *, integer: bool = False) -> Any:
    """A slider from ``lo`` to ``hi`` that starts at ``value``, its range widened to take the
    value in (so the first view is the report's own), redrawing only when released.

    Parameters
    ----------
    description
        The label.
    value, lo, hi, step
        Start, bounds and step.
    fmt
        The readout's format (``".1%"``, ``".0f"`` …).
    integer
        An ``IntSlider`` instead of a ``FloatSlider``.
    """
    import ipywidgets as w

    cls = w.IntSlider if integer else w.FloatSlider
    return cls(description=description, value=value, min=min(lo, value), max=max(hi, value),
               step=step, readout_format=fmt if not integer else "d",
               continuous_update=False, style=_STYLE, layout=w.Layout(width=_WIDTH))


def panel(controls: Sequence[Any], draw: Callable[[], None], *, layout: Any = None) -> Any:
    """Controls above an output area that ``draw`` fills: drawn once now, and again whenever
    one of ``controls`` changes.

    Parameters
    ----------
    controls
        The widgets whose change redraws.
    draw
        Displays into the output area (tables, charts, Markdown).
    layout
        How the controls are arranged (boxes holding them); default one row.

    Returns
    -------
    ipywidgets.VBox
    """
    import ipywidgets as w

    out = w.Output()

    def redraw(_change: object = None) -> None:
        out.clear_output(wait=True)
        with out:
            draw()

    for control in controls:
        control.observe(redraw, names="value")
    redraw()
    return w.VBox([layout if layout is not None else w.HBox(list(controls)), out])



def staffing_explorer(inputs: Any, *, solver_deterministic_time: float = 2.0,
                      **parameters: Any) -> Any:
    """Sliders for visit growth, no-show rate, staff ratios and the phone service level that
    re-run the staffing plan and redraw the FTE needed and the cost.

    Parameters
    ----------
    inputs
        :class:`pracops.staffing.view.StaffingInputs`.
    solver_deterministic_time
        CP-SAT work budget for each redraw (kept small so the sliders stay responsive).
    parameters
        As for :func:`pracops.staffing.view.run_plan`; the sliders start from
        ``growth_pct``, ``no_show_rate``, ``ratios`` and ``service_level_target``.

    Returns
    -------
    ipywidgets.VBox
        The controls above an output area that redraws when a slider is released.
    """
    import ipywidgets as w
    import matplotlib.pyplot as plt
    from IPython.display import Markdown, display

    from pracops.report import fmt_money, fmt_pct
    from pracops.staffing import model as staffing
    from pracops.staffing import view as staffing_view

    base = dict(parameters)
    ratios = dict(base.pop("ratios", None) or staffing.DEFAULT_RATIOS)
    history = float(staffing.no_show_rates(inputs.appointments).set_index("visit_type")
                    .loc["all", "no_show_rate"])
    style = {"description_width": "initial"}
    layout = w.Layout(width="420px")

    def slider(cls: Any, description: str, value: float, lo: float, hi: float, step: float,
               fmt: str) -> Any:
        return cls(description=description, value=value, min=lo, max=hi, step=step,
                   readout_format=fmt, continuous_update=False, style=style, layout=layout)

    growth = slider(w.FloatSlider, "Visit growth (%)", float(base.pop("growth_pct", 0.0)),
                    -20, 30, 1, ".0f")
    no_show = slider(w.FloatSlider, "No-show rate",
                     float(base.pop("no_show_rate", None) or history), 0, 0.3, 0.005, ".1%")
    role_sliders = {role: slider(w.FloatSlider, f"{role.capitalize()} FTE per provider FTE",
                                 float(ratios.get(role, 0.0)), 0, 3, 0.05, ".2f")
                    for role in ("medical assistant", "front desk", "nurse", "billing")}
    service = slider(w.FloatSlider, "Phone service level target",
                     float(base.pop("service_level_target", 0.8)), 0.5, 0.95, 0.05, ".0%")
    out = w.Output()

    def redraw(_change: object = None) -> None:
        out.clear_output(wait=True)
        with out:
            plan = staffing_view.run_plan(
                inputs, **base, growth_pct=growth.value, no_show_rate=no_show.value,
                ratios={**ratios, **{r: s.value for r, s in role_sliders.items()}},
                service_level_target=service.value,
                solver_deterministic_time=solver_deterministic_time)
            fig = staffing_view.summary_figures(plan)
            display(Markdown(
                f"**{fig['fte_required_total']:.1f} FTE needed** "
                f"({fig['fte_on_roster_total']:.1f} on the roster) for "
                f"{fig['annual_visits_forecast']:,.0f} visits a year; FTE needed cost "
                f"{fmt_money(fig['required_labor_cost_cents'])} a year, today's staff "
                f"{fmt_money(fig['annual_labor_cost_cents'])}. Roster gaps: "
                f"{fig['uncovered_staff_hours_per_week']:.1f} staff-hours a week. Phones today: "
                f"{fmt_pct(fig['phone_service_level'])} answered in time.".replace("$", "\\$")))
            display(staffing_view.fte_table(plan))
            figure, axes = plt.subplots(1, 2, figsize=(12, 4))
            staffing_view.plot_fte_by_role(plan, axes[0])
            staffing_view.plot_cost_by_role(plan, axes[1])
            figure.tight_layout()
            plt.show()

    for control in (growth, no_show, service, *role_sliders.values()):
        control.observe(redraw, names="value")
    redraw()
    return w.VBox([w.HBox([w.VBox([growth, no_show, service]),
                           w.VBox(list(role_sliders.values()))]), out])
