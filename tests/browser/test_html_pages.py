"""The shared HTML pages as a reader sees them in Chromium: on a laptop's screen, printed, and
offline.

Every report runs once through the runner on the bundled sample with ``parameters/test``;
each page is then opened at 1366 × 768 (no sideways scroll, its title, no machinery on the
page, every chart with alt text), in print emulation at the printable width of A4 and Letter
landscape (every table within the page, no column lost, charts kept whole), and with every
request but its own file blocked. Screenshots and PDFs land in each test's output folder.
"""

from __future__ import annotations

import math
import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from pracops import config, registry, runner
from pracops.sample import generator

REPORTS = ("billing_reconciliation", "operating_budget", "purchasing", "staffing_plan",
           "daily_close", "compliance_calendar", "patient_access")
PAGES = (*REPORTS, "index")
LAPTOP = {"width": 1366, "height": 768}

MM = 96 / 25.4  # CSS px per millimetre
MARGIN_MM = 12  # the page margin of the template's @page rule
PAPER_MM = {"A4": (297.0, 210.0), "Letter": (279.4, 215.9)}  # landscape: width, height

# What a reader must never see: a Python warning, a traceback, a path or a line of source.
MACHINERY = re.compile(r"\b[A-Z][A-Za-z]*Warning\b|Traceback|/work/|/tmp/|site-packages|"
                       r"\.py:\d+")


def expected_title(report: str) -> str:
    """`<Report> — <Practice>, <period>` from the sample's own facts and the declared defaults."""
    day = generator.AS_OF.isoformat()  # the last day of the sample's data
    staffing = registry.spec("staffing_plan").parameters
    period = {
        "billing_reconciliation": f"as of {day}",  # as_of empty: the last date in the data
        "operating_budget": f"budget year {generator.AS_OF.year}",  # the last closed month's
        "purchasing": f"stock count {day}",  # the day after the last usage (the day before)
        "staffing_plan": f"{staffing['horizon_weeks'].default} weeks from "
                         f"{staffing['plan_start'].default}",
        "daily_close": f"close of {day}",  # the last business day in the data
        "compliance_calendar": f"as of {day}",  # the last date in the data
        "patient_access": f"as of {day}",  # the last day of history
    }[report]
    words = {"billing_reconciliation": "Billing reconciliation",
             "operating_budget": "Operating budget", "purchasing": "Purchasing",
             "staffing_plan": "Staffing plan", "daily_close": "Daily close and cash",
             "compliance_calendar": "Compliance and people calendar",
             "patient_access": "Patient access"}[report]
    return f"{words} — {generator.PRACTICE_NAME}, {period}"


@pytest.fixture(scope="module")
def run_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Every report run once through the runner on the sample with ``parameters/test``."""
    reports = runner.check_reports(list(REPORTS), runner.discover())
    params = runner.resolve_parameters(reports, parameters_dir=config.TEST_PARAMETERS_DIR)
    result = runner.run(reports, params, out=tmp_path_factory.mktemp("pages"))
    assert [r.status for r in result.reports] == ["ok"] * len(REPORTS)
    return result.run_dir


@pytest.fixture
def page(chromium: Any) -> Iterator[Any]:
    context = chromium.new_context(viewport=LAPTOP)
    p = context.new_page()
    yield p
    context.close()


def url(run_dir: Path, name: str) -> str:
    return (run_dir / f"{name}.html").as_uri()


@pytest.mark.parametrize("name", PAGES)
def test_page_on_a_laptop(run_dir: Path, page: Any, name: str, tmp_path: Path) -> None:
    page.goto(url(run_dir, name))
    page.screenshot(path=str(tmp_path / f"{name}.png"), full_page=True)
    width = page.evaluate("[document.documentElement.scrollWidth, "
                          "document.documentElement.clientWidth]")
    assert width[0] <= width[1], f"{name} scrolls sideways: {width[0]} px in {width[1]} px"
    text = page.inner_text("body")
    assert not MACHINERY.findall(text), MACHINERY.findall(text)
    assert page.locator("[data-mime-type='application/vnd.jupyter.stderr']").count() == 0
    alts = page.eval_on_selector_all("img", "imgs => imgs.map(i => i.alt.trim())")
    assert all(alts), f"images without alt text: {alts.count('')} of {len(alts)}"
    if name == "index":
        assert page.title().startswith(f"{generator.PRACTICE_NAME} — reports of ")
        assert page.inner_text("h1") == page.title()
        return
    assert page.title() == expected_title(name)
    headings = page.eval_on_selector_all("h1, h2", "hs => hs.map(h => h.innerText.trim())")
    assert headings[0].rstrip("¶").strip() == expected_title(name)
    assert len(alts) >= 3  # every report draws charts, and each says what it shows
    assert all(a.startswith("Chart: ") and len(a) > 20 for a in alts), alts
    assert "Explore" not in headings and "Needs a live kernel" not in text


def test_the_budget_months_are_whole_at_1366(run_dir: Path, page: Any) -> None:
    """Every month and the total of the budget's month table are in view, none cut."""
    page.goto(url(run_dir, "operating_budget"))
    cut = page.evaluate("""() => {
        const table = [...document.querySelectorAll('table')].find(
            t => [...t.tHead.rows[0].cells].map(c => c.innerText.trim()).includes('Total')
                 && t.innerText.includes('Dec'));
        const box = table.parentElement.getBoundingClientRect();
        return [...table.tHead.rows[0].cells].filter(c => {
            const r = c.getBoundingClientRect();
            return r.left < box.left - 1 || r.right > box.right + 1;
        }).map(c => c.innerText.trim());
    }""")
    assert cut == []


def test_a_table_wider_than_the_screen_scrolls_in_its_box(run_dir: Path, chromium: Any,
                                                          tmp_path: Path) -> None:
    """On a smaller screen the budget's month table scrolls inside its own box, says so, and
    keeps its first column in place; the page itself does not scroll sideways."""
    page = chromium.new_page(viewport={"width": 1024, "height": 768})
    page.goto(url(run_dir, "operating_budget"))
    assert page.evaluate("document.documentElement.scrollWidth <= "
                         "document.documentElement.clientWidth")
    box = page.locator(".pracops-scrolls").filter(has_text="Dec").first
    note = box.locator(".pracops-scroll-note")
    assert note.is_visible() and "scroll sideways" in note.inner_text()
    before = box.evaluate("b => [b.scrollWidth, b.clientWidth]")
    assert before[0] > before[1]
    first = box.locator("tbody tr").first.locator("td, th").first
    left = first.bounding_box()["x"]
    box.evaluate("b => { b.scrollLeft = b.scrollWidth; }")
    box.scroll_into_view_if_needed()
    page.screenshot(path=str(tmp_path / "budget-1024-scrolled.png"))
    assert abs(first.bounding_box()["x"] - left) < 1  # the first column stayed
    total = box.locator("thead th", has_text="Total").first.bounding_box()
    edge = box.bounding_box()
    assert total["x"] + total["width"] <= edge["x"] + edge["width"] + 1  # scrolled into view
    page.close()


def _headers(page: Any) -> set[str]:
    return set(page.eval_on_selector_all(
        "table", "ts => ts.filter(t => t.getClientRects().length)"
                 ".flatMap(t => [...t.querySelectorAll('thead th')])"
                 ".map(h => h.innerText.trim()).filter(Boolean)"))


@pytest.mark.parametrize("paper", sorted(PAPER_MM))
@pytest.mark.parametrize("name", REPORTS)
def test_print_view(run_dir: Path, page: Any, name: str, paper: str, tmp_path: Path) -> None:
    """Printed landscape, every table is within the page's printable width, no column is lost
    (every heading of the screen is printed) and no chart can be split across pages."""
    page.goto(url(run_dir, name))
    on_screen = _headers(page)
    width_mm, height_mm = PAPER_MM[paper]
    printable = ((width_mm - 2 * MARGIN_MM) * MM, (height_mm - 2 * MARGIN_MM) * MM)
    page.set_viewport_size({"width": int(printable[0]), "height": int(printable[1])})
    page.emulate_media(media="print")
    boxes = page.eval_on_selector_all(
        "table", "ts => ts.filter(t => t.getClientRects().length).map(t => {"
                 " const r = t.getBoundingClientRect(); return [r.left, r.right]; })")
    assert boxes
    wide = [b for b in boxes if b[0] < 0 or b[1] > printable[0] + 0.5]
    assert not wide, f"tables beyond the {printable[0]:.0f} px of {paper}: {wide}"
    assert _headers(page) >= on_screen, on_screen - _headers(page)
    charts = page.eval_on_selector_all(
        "img", "is => is.map(i => [getComputedStyle(i).breakInside,"
               " getComputedStyle(i.parentElement).breakInside, i.getBoundingClientRect().height])")
    assert charts
    for own, box, height in charts:
        assert own == "avoid" and box == "avoid" and 0 < height <= printable[1]
    pdf = page.pdf(path=str(tmp_path / f"{name}-{paper}.pdf"), format=paper, landscape=True)
    assert pdf.startswith(b"%PDF")


# Every heading a reader sees: h1-h4, and a markdown output's closing line that starts in bold
# ("Denials by payer", "Main Street Clinic (MAIN ...)"). Each gets an id and a link to it, so
# that Chromium's PDF names its place (page, y); and the height from its top to the bottom of
# the first piece after it that cannot be split (a chart, a table's first body row, a line of
# text) is measured in print layout.
MARK_HEADINGS = r"""() => {
  // a markdown output's last paragraph that starts in bold ("**Main Street Clinic** (MAIN, open
  // 07:30-17:30): ...") and leads into the table or chart after it, in one or two lines (which
  // print does not split: orphans and widows are 2)
  const leadIn = p => {
    const first = p.firstElementChild, style = getComputedStyle(p);
    const line = parseFloat(style.lineHeight) || 1.2 * parseFloat(style.fontSize);
    return first && first.tagName === 'STRONG' && p.innerText.startsWith(first.innerText)
      && !p.nextElementSibling && p.getBoundingClientRect().height < 2.6 * line;
  };
  const heads = [...document.querySelectorAll('h1, h2, h3, h4, [data-mime-type="text/markdown"] p')]
    .filter(h => h.getClientRects().length && (h.tagName[0] === 'H' || leadIn(h)));
  const links = document.createElement('div');
  links.style.height = '0';
  links.style.overflow = 'hidden';
  document.body.prepend(links);
  return heads.map((h, i) => {
    if (!h.id) h.id = 'heading-' + i;
    const a = document.createElement('a');
    a.href = '#' + h.id;
    a.textContent = '.';
    links.appendChild(a);
    const walk = document.createTreeWalker(document.body, NodeFilter.SHOW_ALL);
    walk.currentNode = h;
    for (let n = walk.nextNode(); n; n = walk.nextNode()) {
      if (h.contains(n)) continue;
      let bottom = null;
      if (n.nodeType === 1 && n.tagName === 'IMG' && n.getClientRects().length) {
        bottom = n.getBoundingClientRect().bottom;
      } else if (n.nodeType === 3 && n.textContent.trim()) {
        const el = n.parentElement;
        if (!el.getClientRects().length || el.closest('caption')) continue;
        let row = el.closest('tr');
        if (row && row.parentElement.tagName === 'THEAD')
          row = row.closest('table').querySelector('tbody tr') || row;
        const range = document.createRange();
        range.selectNodeContents(n);
        const line = row ? row.getBoundingClientRect() : range.getClientRects()[0];
        if (line) bottom = line.bottom;
      }
      if (bottom !== null)
        return [h.id, h.innerText.trim(), bottom - h.getBoundingClientRect().top];
    }
    return [h.id, h.innerText.trim(), 0];
  });
}"""


def pdf_places(pdf: bytes) -> dict[str, tuple[int, float]]:
    """Page number and y (points from the page's top edge less its top margin, counted upward
    from the page's foot: Chromium's /XYZ) of each named destination of a Chromium PDF."""
    pages = re.findall(rb"(\d+) 0 obj\s*<</Type /Page\b", pdf)
    ref = re.search(rb"/Dests (\d+) 0 R", pdf)
    assert ref, "the PDF names no place"
    start = pdf.index(b"\n%s 0 obj" % ref.group(1))
    body = pdf[start:pdf.index(b"endobj", start)].decode("latin-1")
    return {re.sub(r"#([0-9A-Fa-f]{2})", lambda m: chr(int(m.group(1), 16)), name):
            (pages.index(page.encode()) + 1, float(y))
            for name, page, y in re.findall(r"/([^\s\[/]+) \[(\d+) 0 R /XYZ [\d.]+ ([\d.]+)",
                                            body)}


def test_pdf_places_reads_a_known_page(chromium: Any) -> None:
    """The reader of named places, on a page whose layout is known: one heading 118 px down the
    first page, one on the third."""
    page = chromium.new_page()
    page.set_content("<style>@page { size: landscape; margin: 12mm } body { margin: 0 }"
                     "h2 { margin: 0; height: 30px }</style><a href='#a'>a</a> <a href='#b'>b</a>"
                     "<div style='height: 100px'></div><h2 id='a'>A</h2>"
                     "<div style='height: 2000px'></div><h2 id='b'>B</h2>")
    top = page.evaluate("[...document.querySelectorAll('h2')].map(h => h.offsetTop)")
    places = pdf_places(page.pdf(format="Letter", landscape=True))
    page.close()
    printable = (215.9 - 2 * MARGIN_MM) * MM  # px of one page
    assert places["a"][0] == 1 and places["b"][0] == 1 + int(top[1] // printable)
    for name, px in zip("ab", top, strict=True):  # y counts up from the foot: 612 pt less
        # the offset (Chromium rounds the margin to whole px: within 2 pt on page three)
        assert places[name][1] == pytest.approx(612 - (px % printable) * 0.75, abs=2)


@pytest.mark.parametrize("paper", sorted(PAPER_MM))
@pytest.mark.parametrize("name", REPORTS)
def test_print_keeps_headings_with_what_follows(run_dir: Path, page: Any, name: str, paper: str,
                                                tmp_path: Path) -> None:
    """Printed landscape, no heading is left alone at the foot of a page: below its top, its page
    has room for it and the first piece after it (a chart, a table row, a line); and no page is
    left mostly blank: only a chart may not be split, so the pages are at most what the content
    needs if each chart wasted its own height."""
    page.goto(url(run_dir, name))
    width_mm, height_mm = PAPER_MM[paper]
    printable = ((width_mm - 2 * MARGIN_MM) * MM, (height_mm - 2 * MARGIN_MM) * MM)
    page.set_viewport_size({"width": int(printable[0]), "height": int(printable[1])})
    page.emulate_media(media="print")
    headings = page.evaluate(MARK_HEADINGS)
    assert len(headings) >= 5
    content, charts = page.evaluate("[document.documentElement.scrollHeight, [...document.images]"
                                    ".reduce((s, i) => s + i.getBoundingClientRect().height, 0)]")
    pdf = page.pdf(path=str(tmp_path / f"{name}-{paper}.pdf"), format=paper, landscape=True)
    places = pdf_places(pdf)
    margin_pt = MARGIN_MM / 25.4 * 72
    alone = []
    for ident, text, need_px in headings:
        number, y = places[ident]
        room_px = (y - 2 * margin_pt) / 0.75  # from the heading's top to the page's foot
        if room_px < need_px - 2:
            alone.append((text, f"page {number}", round(room_px), round(need_px)))
    assert not alone, f"headings alone at a page's foot (text, page, room px, needed px): {alone}"
    pages = len(re.findall(rb"/Type /Page\b", pdf))
    assert 1 < pages <= math.ceil((content + charts) / printable[1]), (pages, content, charts)


def test_purchasing_price_changes_keep_their_cost_in_print(run_dir: Path, page: Any) -> None:
    page.goto(url(run_dir, "purchasing"))
    page.set_viewport_size({"width": int((279.4 - 2 * MARGIN_MM) * MM), "height": 700})
    page.emulate_media(media="print")
    assert any(h.startswith("Cost") for h in _headers(page))


@pytest.mark.parametrize("name", PAGES)
def test_page_works_offline(run_dir: Path, chromium: Any, name: str, tmp_path: Path) -> None:
    """With every request but the page's own file blocked, its tables and charts still show."""
    context = chromium.new_context(viewport=LAPTOP)
    own = url(run_dir, name)
    blocked: list[str] = []

    def route(r: Any) -> None:
        if r.request.url == own:
            r.continue_()
        else:
            blocked.append(r.request.url)
            r.abort()

    context.route("**/*", route)
    page = context.new_page()
    page.goto(own)
    page.wait_for_load_state("load")
    page.screenshot(path=str(tmp_path / f"{name}-offline.png"), full_page=True)
    assert blocked == []
    assert page.locator("table").first.is_visible()
    images = page.eval_on_selector_all("img", "is => is.map(i => i.complete && i.naturalWidth)")
    assert all(images)
    if name != "index":
        assert len(images) >= 3
    context.close()
