"""Each report notebook as an analyst opens it: JupyterLab in Chromium, Run All, then the
explorer used by hand.

One JupyterLab for the module, started from this Python on a free loopback port with a token,
on a temporary copy of ``notebooks/``, its config, data and runtime folders temporary too (a
user's own Jupyter setup cannot change what is seen). For every report: no output typeset as
math and the summary's dollar amounts shown as written; every explorer control labelled above
it at full width; one control changed twice from the keyboard or its list, and each time the
explorer's figures, its "Showing: …" line and its chart change, the chart not blank.
"""

from __future__ import annotations

import base64
import io
import os
import re
import secrets
import shutil
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import numpy as np
import pytest
from PIL import Image

ROOT = Path(__file__).resolve().parents[2]
CHANGED = {"billing_reconciliation": "Payer", "operating_budget": "Visit growth (%)",
           "staffing_plan": "Billing FTE per provider FTE",
           "purchasing": "Service level", "daily_close": "Day",
           "patient_access": "Provider", "compliance_calendar": "Location"}
"""The control each report's test changes: one that moves the chart on the sample (where the
schedule sets a role's need, its ratio slider moves nothing; a visit more moves no FTE)."""

_MATH = "mjx-container, .MathJax, mjx-math, .MathJax_Display, .jp-RenderedLatex .MathJax"
_PANEL = ".jp-OutputArea-output .widget-vbox:has(> .widget-gridbox)"
_NOT_CUT = ("e => { const c = e.querySelector('.widget-html-content') || e;"
            " return c.scrollWidth <= c.clientWidth + 1; }")
_AMOUNT = re.compile(r"-?\$\d{1,3}(?:,\d{3})*\.\d\d")


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture(scope="module")
def lab(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """A JupyterLab serving a copy of ``notebooks/``: its base URL, token in the query."""
    base = tmp_path_factory.mktemp("lab")
    root = base / "notebooks"
    shutil.copytree(ROOT / "notebooks", root, ignore=shutil.ignore_patterns(".*"))
    env = {k: v for k, v in os.environ.items()
           if not k.startswith(("JUPYTER", "MPLBACKEND", "IPYTHON"))}
    env.update(JUPYTER_CONFIG_DIR=str(base / "config"), JUPYTER_DATA_DIR=str(base / "data"),
               JUPYTER_RUNTIME_DIR=str(base / "runtime"), IPYTHONDIR=str(base / "ipython"),
               PYTHONPATH=os.pathsep.join(filter(None, [str(ROOT), env.get("PYTHONPATH")])))
    port, token = _free_port(), secrets.token_hex(16)
    command = [sys.executable, "-m", "jupyter", "lab", "--no-browser", "--ip=127.0.0.1",
               f"--port={port}", "--ServerApp.port_retries=0",
               f"--IdentityProvider.token={token}", f"--ServerApp.root_dir={root}",
               "--LabApp.expose_app_in_browser=True"]
    if os.geteuid() == 0:
        command.append("--allow-root")
    log = (base / "server.log").open("wb")
    server = subprocess.Popen(command, env=env, stdout=log, stderr=subprocess.STDOUT,
                              cwd=base, start_new_session=True)
    url = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 60
        while True:
            try:
                with urllib.request.urlopen(f"{url}/api/status?token={token}", timeout=2):
                    break
            except OSError:
                if server.poll() is not None or time.monotonic() > deadline:
                    pytest.fail("JupyterLab did not start:\n"
                                + (base / "server.log").read_text(errors="replace")[-3000:])
                time.sleep(0.3)
        yield f"{url}/lab/tree/{{name}}.ipynb?reset&token={token}"
    finally:
        server.send_signal(signal.SIGINT)  # twice: Jupyter asks to confirm on the first
        time.sleep(0.5)
        server.send_signal(signal.SIGINT)
        try:
            server.wait(timeout=20)
        except subprocess.TimeoutExpired:
            os.killpg(server.pid, signal.SIGKILL)
            server.wait()
        log.close()


def _run_all(page: Any) -> None:
    """Run every cell of the notebook open in ``page`` and wait for the kernel to finish."""
    page.wait_for_function(
        "() => { const w = window.jupyterapp && window.jupyterapp.shell.currentWidget;"
        " const k = w && w.sessionContext && w.sessionContext.session"
        " && w.sessionContext.session.kernel; return k && k.status === 'idle'; }",
        timeout=90_000)
    page.evaluate("window.jupyterapp.commands.execute('notebook:run-all-cells')")
    page.wait_for_function(
        "() => { const w = window.jupyterapp.shell.currentWidget;"
        " const done = w.content.widgets.every(c => c.model.type !== 'code'"
        "   || (c.model.executionCount !== null && !c.hasClass('jp-mod-pending')));"
        " return done && w.sessionContext.session.kernel.status === 'idle'; }",
        timeout=180_000)


def _blank(src: str) -> bool:
    """Whether a PNG data URL shows nothing: almost every pixel white."""
    png = base64.b64decode(src.split(",", 1)[1])
    pixels = np.asarray(Image.open(io.BytesIO(png)).convert("L"))
    return float((pixels < 200).mean()) < 0.01


def _view(panel: Any) -> dict[str, str]:
    """What the explorer shows: its "Showing" line, the text of its output, its chart."""
    output = panel.locator(":scope > .widget-output")
    return {"showing": panel.locator(":scope > .widget-html").text_content(),
            "text": output.locator(".jp-RenderedMarkdown").first.text_content(),
            "chart": output.locator("img").first.get_attribute("src") or ""}


def _change(page: Any, cell: Any) -> None:
    """Change one control as a person would: a slider by the keyboard, a list by choosing
    the next entry."""
    select = cell.locator("select")
    if select.count():
        options = select.locator("option").all_inner_texts()
        current = select.evaluate("s => s.selectedIndex")
        select.select_option(index=(current + 1) % len(options))
    else:
        handle = cell.locator(".noUi-handle")
        handle.focus()
        page.keyboard.press("ArrowRight")


@pytest.mark.parametrize("name", CHANGED)
def test_a_notebook_in_jupyterlab(chromium: Any, lab: str, name: str, tmp_path: Path) -> None:
    page = chromium.new_page(viewport={"width": 1366, "height": 768})
    try:
        page.goto(lab.format(name=name))
        started = time.monotonic()
        _run_all(page)
        ran = time.monotonic() - started
        page.wait_for_timeout(500)  # MathJax typesets after an output is attached
        assert page.locator(".jp-Notebook").locator(_MATH).count() == 0, "math in the outputs"
        assert page.locator(".jp-Notebook [data-mime-type='application/vnd.jupyter.error']"
                            ).count() == 0, "a cell failed"
        # the summary (the first Markdown output) keeps its dollar amounts as written
        summary = page.locator(".jp-Notebook .jp-OutputArea-output.jp-RenderedMarkdown").first
        paragraphs = summary.locator("p, li").all_text_contents()  # on screen or not
        assert any(len(_AMOUNT.findall(p)) >= 2 for p in paragraphs), paragraphs

        panel = page.locator(_PANEL).last
        panel.scroll_into_view_if_needed()
        panel.locator("img").first.wait_for(timeout=60_000)
        cells = panel.locator(":scope > .widget-gridbox > .widget-vbox")
        for i in range(cells.count()):
            label, control = (cells.nth(i).locator(":scope > *").nth(k) for k in (0, 1))
            lb, cb, box = (x.bounding_box() for x in (label, control, cells.nth(i)))
            assert lb["y"] + lb["height"] <= cb["y"] + 1, "label not above its control"
            assert cb["width"] >= box["width"] - 2, "control narrower than its column"
            assert label.evaluate(_NOT_CUT), "label cut"
        before = _view(panel)
        assert before["showing"].startswith("Showing:") and not _blank(before["chart"])
        page.screenshot(path=tmp_path / f"{name}-explorer.png")
        changed = cells.filter(has=page.get_by_text(CHANGED[name], exact=True))
        times = []
        for step in (1, 2):
            _change(page, changed)
            started = time.monotonic()
            page.wait_for_function(
                "([panel, src]) => { const img = document.querySelectorAll(panel);"
                " const last = img[img.length - 1].querySelector(':scope > .widget-output img');"
                " return last && last.src !== src && last.complete; }",
                arg=[_PANEL, before["chart"]], timeout=30_000)
            page.wait_for_function(
                "() => window.jupyterapp.shell.currentWidget.sessionContext.session.kernel"
                ".status === 'idle'", timeout=30_000)
            times.append(time.monotonic() - started)
            after = _view(panel)
            assert after["showing"] != before["showing"], after
            assert after["text"] != before["text"], after
            assert not _blank(after["chart"]), f"blank chart after change {step}"
            assert page.locator(_PANEL).last.locator(_MATH).count() == 0
            before = after
        page.screenshot(path=tmp_path / f"{name}-changed.png")
        print(f"{name}: run all {ran:.1f} s, redraws {', '.join(f'{t:.2f}' for t in times)} s")
    finally:
        page.close()
