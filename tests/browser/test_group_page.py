"""``group.html`` as a reader sees it in Chromium: offline, on a laptop's screen, every figure
column sortable by a click, each practice's row linking to its own pages, a refused practice's
error in its row, text from input shown as text."""

from __future__ import annotations

import shutil
from pathlib import Path
from typing import Any

import pytest
import yaml

from pracops import config, runner
from pracops.group import cluster, practices, run

LAPTOP = {"width": 1366, "height": 768}


@pytest.fixture(scope="module")
def group_page(tmp_path_factory: pytest.TempPathFactory) -> Path:
    tmp = tmp_path_factory.mktemp("group-page")
    for name in ("alpha", "beta", "broken"):
        shutil.copytree(config.SAMPLE_DIR, tmp / name)
    (tmp / "broken" / "items.csv").write_text("sku\n")
    entries = [{"id": "alpha", "name": "Alpha <script>alert(1)</script>", "data": "alpha/"},
               {"id": "beta", "data": "beta/",
                "parameters": {"purchasing": {"service_level": 0.8}}},
               {"id": "broken", "data": "broken/"}]
    (tmp / "practices.yaml").write_text(yaml.safe_dump({"practices": entries}))
    available = runner.discover()
    runs = run.plan(practices.load_practices(tmp / "practices.yaml", list(available)),
                    ["operating_budget", "purchasing"], available)
    with cluster.connect(workers=2, dashboard=None) as client:
        result = run.run_group(runs, client, out=tmp / "out")
    return result.page


def test_the_group_page_offline_on_a_laptop(group_page: Path, chromium: Any,
                                            tmp_path: Path) -> None:
    context = chromium.new_context(viewport=LAPTOP)
    outside = []
    context.route("**/*", lambda route: route.continue_() if route.request.url.startswith(
        "file:") or route.request.url.startswith("data:") else (outside.append(
            route.request.url), route.abort()))
    page = context.new_page()
    errors: list[str] = []
    page.on("pageerror", lambda e: errors.append(str(e)))
    page.on("dialog", lambda d: (errors.append("dialog: " + d.message), d.dismiss()))
    page.goto(group_page.as_uri())
    page.screenshot(path=str(tmp_path / "group.png"), full_page=True)
    assert errors == [] and outside == []
    width = page.evaluate("[document.documentElement.scrollWidth, "
                          "document.documentElement.clientWidth]")
    assert width[0] <= width[1], "the page scrolls sideways (the table must scroll in its box)"
    names = page.eval_on_selector_all("#group tbody tr td:first-child a",
                                      "as => as.map(a => a.innerText)")
    assert names == ["Alpha <script>alert(1)</script>", "beta"]
    body = page.inner_text("#group tbody")
    assert "items.csv" in body and "refused" in body
    alts = page.eval_on_selector_all("img", "imgs => imgs.map(i => i.alt)")
    assert alts and all(a and "by practice" in a for a in alts)
    context.close()


def test_a_click_on_a_heading_sorts_the_practices(group_page: Path, chromium: Any) -> None:
    page = chromium.new_page(viewport=LAPTOP)
    page.goto(group_page.as_uri())
    headings = page.locator("th.fig")
    assert headings.count() > 5
    for i in range(headings.count()):
        heading = headings.nth(i)
        column = int(heading.get_attribute("data-col"))
        for direction in ("down", "up"):
            heading.click()
            values = page.eval_on_selector_all(
                "#group tbody tr",
                f"rs => rs.map(r => r.cells[{column}] ? r.cells[{column}].dataset.v : '')")
            numbers = [float(v) for v in values if v != ""]
            assert values[:len(numbers)] == [v for v in values if v != ""]  # blanks last
            assert numbers == sorted(numbers, reverse=direction == "down"), (i, values)
    page.close()


def test_a_practice_row_links_to_its_own_pages(group_page: Path, chromium: Any) -> None:
    page = chromium.new_page(viewport=LAPTOP)
    page.goto(group_page.as_uri())
    page.click("text=beta")
    assert page.url.endswith("/beta/index.html")
    assert "Purchasing" in page.inner_text("body")
    page.go_back()
    first_figure = page.locator("#group tbody tr td.v a").first
    first_figure.click()
    assert page.url.split("/")[-1] in ("operating_budget.html", "purchasing.html")
    page.close()
