"""ipywidgets pieces every report's explorer is built from: a slider that always holds the
report's value, and a panel of controls above an output area that redraws when a control is
released.

Widgets need a live kernel; notebooks build them only when their ``interactive`` parameter is
true, so headless runs and the shared HTML stay static. Each report's explorer lives in its
view (``pracops/<report>/view.py``) and recomputes through its chain's ``compute``, which
writes no file.
"""

from __future__ import annotations

import importlib
import warnings
from collections.abc import Callable, Sequence
from typing import Any

__all__ = ["panel", "slider"]

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


def panel(controls: Sequence[Any], draw: Callable[[], None], *,
          rows: Sequence[Any] = ()) -> Any:
    """Controls above an output area that ``draw`` fills: drawn once now, and again whenever
    one of ``controls`` changes.

    Parameters
    ----------
    controls
        The widgets whose change redraws.
    draw
        Displays into the output area (tables, charts, Markdown).
    rows
        How the controls are laid out: boxes holding them, one under the other; default the
        controls in one row.

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
    return w.VBox([*(rows or [w.HBox(list(controls))]), out])


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
