"""The browser itself: Chromium starts, lays out a page at a laptop's size and reports it."""

from __future__ import annotations

from typing import Any


def test_chromium_lays_out_a_page_at_1366_by_768(chromium: Any) -> None:
    page = chromium.new_page(viewport={"width": 1366, "height": 768})
    page.set_content("<title>pracops</title>"
                     "<body style='margin:0'><div style='width:2000px'>wide</div>")
    assert page.title() == "pracops"
    assert page.evaluate("document.documentElement.clientWidth") == 1366
    # a 2,000 px block makes the page scroll sideways: the measure the page tests rely on
    assert page.evaluate("document.documentElement.scrollWidth") == 2000
    page.close()
