"""The shared explorer pieces: a slider that holds the report's value, a chart drawn outside
pyplot, a panel of labelled controls that says what it shows and redraws."""

from __future__ import annotations

import base64
import io
import re

import ipywidgets
import matplotlib.pyplot as plt
import numpy as np
from PIL import Image

from pracops.report import no_math
from pracops.widgets import chart, panel, slider


def test_a_slider_widens_its_range_to_hold_the_reports_value() -> None:
    s = slider(45.0, -20, 30, 0.5)
    assert (s.min, s.max, s.value) == (-20, 45.0, 45.0)
    assert not s.continuous_update
    m = slider(7, 1, 12, 1, integer=True)
    assert isinstance(m, ipywidgets.IntSlider) and (m.min, m.max, m.value) == (1, 12, 7)


def test_a_panel_labels_each_control_above_it_at_full_width() -> None:
    long = "Rate change on top of the report's, every payer class (%)"
    a, b = slider(1.0, 0, 2, 0.5), ipywidgets.Checkbox(value=False)
    box = panel({long: a, "A <b>bold</b> & $5 label": b}, lambda: None, showing=lambda: "x")
    grid, _, _ = box.children
    assert isinstance(grid, ipywidgets.GridBox) and grid.layout.width == "100%"
    (label_a, control_a), (label_b, control_b) = (cell.children for cell in grid.children)
    assert f">{long}</div>" in label_a.value and control_a is a
    # the label is text: markup escaped, the dollar sign kept from math
    assert ">A &lt;b&gt;bold&lt;/b&gt; &amp; <span>&#36;</span>5 label</div>" in label_b.value
    assert control_b is b
    for control in (a, b):
        assert control.layout.width == "100%"
    assert b.indent is False


def test_a_panel_draws_once_and_again_on_each_change_and_says_what_it_shows() -> None:
    a, b = slider(1.0, 0, 2, 0.5), slider(1.0, 0, 2, 0.5)
    drawn: list[tuple[float, float]] = []
    box = panel({"a": a, "b": b}, lambda: drawn.append((a.value, b.value)),
                showing=lambda: f"a at {a.value}, b at {b.value} & $1")
    _, state, out = box.children
    assert drawn == [(1.0, 1.0)]
    a.value = 1.5
    b.value = 0.5
    assert drawn == [(1.0, 1.0), (1.5, 1.0), (1.5, 0.5)]
    assert isinstance(out, ipywidgets.Output)
    assert state.value == "<b>Showing:</b> a at 1.5, b at 0.5 &amp; <span>&#36;</span>1"


def test_a_chart_is_drawn_outside_pyplot_with_its_alt_text() -> None:
    before = plt.get_fignums()

    def plot(figure: object) -> None:
        ax = figure.subplots()
        ax.bar(["a", "b"], [1, 3], color="#1f5f8b")

    html = chart(plot, figsize=(4, 2), alt='bars "a" & b').data
    assert plt.get_fignums() == before  # pyplot never held the figure
    assert 'alt="bars &quot;a&quot; &amp; b"' in html
    png = base64.b64decode(re.search(r'src="data:image/png;base64,([^"]+)"', html).group(1))
    pixels = np.asarray(Image.open(io.BytesIO(png)).convert("RGB"))
    # drawn, not blank: the bars' colour is in the image
    assert ((pixels == (0x1F, 0x5F, 0x8B)).all(axis=2)).mean() > 0.05


def test_no_math_keeps_every_dollar_sign_a_dollar_sign() -> None:
    text = "goods $923.23 + freight $0.00"
    kept = no_math(text)
    assert "$" not in kept
    assert kept.replace("<span>&#36;</span>", "$") == text
