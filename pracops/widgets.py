"""ipywidgets pieces every report's explorer is built from: a slider that always holds the
report's value, a chart drawn outside pyplot, and a panel of labelled controls above a line
saying what is shown and an output area that redraws when a control is released.

Widgets need a live kernel; notebooks build them only when their ``interactive`` parameter is
true, so headless runs and the shared HTML stay static. Each report's explorer lives in its
view (``pracops/<report>/view.py``) and recomputes through its chain's ``compute``, which
writes no file.
"""

from __future__ import annotations

import importlib
import io
import warnings
from collections.abc import Callable, Mapping
from html import escape
from typing import Any

from pracops.report import no_math

__all__ = ["chart", "panel", "slider"]

_COLUMNS = "repeat(auto-fill, minmax(280px, 1fr))"
"""The controls' grid: as many columns of at least 280 px as the page has room for."""


def slider(value: float, lo: float, hi: float, step: float, fmt: str = ".1f", *,
           integer: bool = False) -> Any:
    """A slider from ``lo`` to ``hi`` that starts at ``value``, its range widened to take the
    value in (so the first view is the report's own), redrawing only when released. Its label
    is the key it has in :func:`panel`'s ``controls``.

    Parameters
    ----------
    value, lo, hi, step
        Start, bounds and step.
    fmt
        The readout's format (``".1%"``, ``".0f"`` …).
    integer
        An ``IntSlider`` instead of a ``FloatSlider``.
    """
    import ipywidgets as w

    cls = w.IntSlider if integer else w.FloatSlider
    return cls(value=value, min=min(lo, value), max=max(hi, value), step=step,
               readout_format=fmt if not integer else "d", continuous_update=False)


def chart(plot: Callable[[Any], None], *, figsize: tuple[float, float] | None = None,
          alt: str) -> Any:
    """A chart as a PNG image, drawn on a figure that pyplot never sees.

    An explorer redraws from a widget's callback, outside any cell. A pyplot figure made
    there is one the inline backend also tracks: in JupyterLab its first redraw sent the
    figure before it was drawn (a blank image) and the finished one after the output area
    had closed. A :class:`matplotlib.figure.Figure` of its own is drawn, rendered and
    displayed once, by this function alone.

    Parameters
    ----------
    plot
        Draws on the figure (``plot(figure)``), e.g. ``lambda f: plot_aging(r, f.subplots())``.
    figsize
        Inches; default the chart style's ``figure.figsize``.
    alt
        What the chart shows, in words (the image's alternative text).

    Returns
    -------
    IPython.display.HTML
        An ``<img>`` with the PNG inline.
    """
    import base64

    from IPython.display import HTML
    from matplotlib.figure import Figure

    figure = Figure(figsize=figsize, layout="tight")
    plot(figure)
    png = io.BytesIO()
    figure.savefig(png, format="png")
    data = base64.b64encode(png.getvalue()).decode("ascii")
    return HTML(f'<img src="data:image/png;base64,{data}" alt="{escape(alt)}" '
                f'style="max-width: 100%">')


def panel(controls: Mapping[str, Any], draw: Callable[[], None], *,
          showing: Callable[[], str]) -> Any:
    """Controls, each under its label, above a line saying in words what is shown and an output
    area that ``draw`` fills: drawn once now, and again whenever a control changes.

    Parameters
    ----------
    controls
        The widgets whose change redraws (made without a ``description``), by their labels.
        Each takes the full width of its column, its label above it; the columns wrap to the
        page's width.
    draw
        Displays into the output area (tables, :func:`chart`, Markdown).
    showing
        The state of the controls in words ("payer Medicare, dates of service …"), shown
        as "Showing: …" above the output after each redraw.

    Returns
    -------
    ipywidgets.VBox
    """
    import ipywidgets as w

    cells = []
    for label, control in controls.items():
        control.layout.width = "100%"
        if isinstance(control, w.Checkbox):
            control.indent = False
        text = no_math(escape(label, quote=False))  # a long label wraps, lines close together
        cells.append(w.VBox([w.HTML(f'<div style="line-height: 1.3">{text}</div>'), control],
                            layout=w.Layout(min_width="0")))
    grid = w.GridBox(cells, layout=w.Layout(grid_template_columns=_COLUMNS,
                                            grid_gap="4px 24px", width="100%"))
    state = w.HTML()
    out = w.Output()

    def redraw(_change: object = None) -> None:
        state.value = no_math(f"<b>Showing:</b> {escape(showing(), quote=False)}")
        out.clear_output(wait=True)
        with out:
            draw()

    for control in controls.values():
        control.observe(redraw, names="value")
    redraw()
    return w.VBox([grid, state, out])


_MOVED_EXPLORERS = {"billing_explorer": "billing", "staffing_explorer": "staffing",
                    "budget_explorer": "budget"}


def __getattr__(name: str) -> Any:
    if name == "purchasing_explorer":  # the same arguments (inputs, **parameters): an alias
        warnings.warn("pracops.widgets.purchasing_explorer moved to "
                      "pracops.purchasing.view.explorer", DeprecationWarning, stacklevel=2)
        return importlib.import_module("pracops.purchasing.view").explorer
    if name in _MOVED_EXPLORERS:  # their arguments changed with the report's chain: no alias
        report = _MOVED_EXPLORERS[name]
        raise AttributeError(
            f"pracops.widgets.{name} moved to pracops.{report}.view.explorer, which takes the "
            f"result of pracops.{report}.chain.run(...) (see its notebook's last cell)")
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
