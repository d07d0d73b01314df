"""The shared explorer pieces: a slider that holds the report's value, a panel that redraws."""

from __future__ import annotations

import ipywidgets

from pracops.widgets import panel, slider


def test_a_slider_widens_its_range_to_hold_the_reports_value() -> None:
    s = slider("Growth (%)", 45.0, -20, 30, 0.5)
    assert (s.min, s.max, s.value) == (-20, 45.0, 45.0)
    assert not s.continuous_update
    m = slider("Month", 7, 1, 12, 1, integer=True)
    assert isinstance(m, ipywidgets.IntSlider) and (m.min, m.max, m.value) == (1, 12, 7)


def test_a_panel_draws_once_and_again_on_each_change() -> None:
    a, b = slider("a", 1.0, 0, 2, 0.5), slider("b", 1.0, 0, 2, 0.5)
    drawn: list[tuple[float, float]] = []
    box = panel([a, b], lambda: drawn.append((a.value, b.value)))
    assert drawn == [(1.0, 1.0)]
    a.value = 1.5
    b.value = 0.5
    assert drawn == [(1.0, 1.0), (1.5, 1.0), (1.5, 0.5)]
    assert isinstance(box.children[-1], ipywidgets.Output)
    assert list(box.children[0].children) == [a, b]
