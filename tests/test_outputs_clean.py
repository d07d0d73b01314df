"""Nothing of the machinery on the page: every report, run through the runner on the bundled
sample with ``parameters/test/``, leaves no stderr, no warning, no traceback and no path of
the server in any output of its executed notebook, in its HTML or on the index page.

A warning that matters to a reader is an alert in words (``report.alert``); the others are
dealt with where they arise, never silenced globally, so this test fails on any stray one.
"""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest
from bs4 import BeautifulSoup

from pracops import config, runner

REPORTS = sorted(runner.discover())

TEXT_TYPES = ("text/plain", "text/html", "text/markdown", "text/latex")
"""The output types a reader sees as text (images and the records' JSON are not text)."""

MACHINERY = re.compile(
    r"\b\w+Warning\b"                      # FutureWarning, UserWarning … (not an alert's
                                           # "Warning:" label, which has no prefix)
    r"|warnings\.warn|Traceback \(most recent call last\)|\bFile \"[^\"]+\", line \d+"
    r"|(?<![\w.:])(?:/[\w.+-]+){2,}/?"       # a POSIX path: /work/..., /tmp/x/y
    r"|\b[A-Za-z]:\\[\w\\.-]+"               # a Windows path
    r"|site-packages|\.venv\b|\.ipynb_checkpoints")
"""What machinery looks like in text: a Python warning's class, a traceback, a path."""


def machinery(text: str) -> list[str]:
    """The pieces of ``text`` that are machinery, not report."""
    return [m.group(0) for m in MACHINERY.finditer(text)]


def visible_text(html: str) -> str:
    """The text a reader of an HTML page sees: no style, script or attribute."""
    soup = BeautifulSoup(html, "html.parser")
    for tag in soup(["style", "script", "head"]):
        tag.decompose()
    return soup.get_text(" ")


@pytest.fixture(scope="module")
def run_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    reports = runner.check_reports(REPORTS, runner.discover())
    params = runner.resolve_parameters(reports, parameters_dir=config.TEST_PARAMETERS_DIR)
    return runner.run(reports, params, out=tmp_path_factory.mktemp("clean")).run_dir


def test_the_check_finds_what_it_looks_for() -> None:
    leaked = ("/srv/pracops/pracops/staffing/chain.py:642: FutureWarning: The behavior of "
              "DataFrame concatenation with empty or all-NA entries is deprecated.\n"
              "  gaps = pd.concat(...)")
    assert machinery(leaked) == ["/srv/pracops/pracops/staffing/chain.py", "FutureWarning"]
    assert machinery('Traceback (most recent call last):\n  File "x.py", line 3') == [
        "Traceback (most recent call last)", 'File "x.py", line 3']
    assert machinery(r"C:\Users\pat\report.xlsx") == [r"C:\Users\pat\report.xlsx"]
    # what reports write is not machinery
    assert machinery("Warning: 34 claim(s) were paid below contract. Days in A/R 24.7; "
                     "net collection 95.9%; 2025-08-04_PRS_PS0702305.835; N/A; 1/2 FTE; "
                     "worklists.xlsx; 2025/26") == []


@pytest.mark.parametrize("name", REPORTS)
def test_executed_notebook_outputs_are_clean(run_dir: Path, name: str) -> None:
    nb = json.loads((run_dir / f"{name}.ipynb").read_text(encoding="utf-8"))
    found = []
    for number, cell in enumerate(nb["cells"]):
        for out in cell.get("outputs", []):
            kind = out["output_type"]
            if kind == "stream":
                found.append((number, out["name"], "".join(out["text"])[:200]))
                continue
            if kind == "error":
                found.append((number, "error", out.get("ename", "")))
                continue
            for mime in TEXT_TYPES:
                text = out.get("data", {}).get(mime)
                if text is None:
                    continue
                text = "".join(text) if isinstance(text, list) else str(text)
                if mime == "text/html":
                    text = visible_text(text)
                found += [(number, mime, hit) for hit in machinery(text)]
    assert found == [], found


@pytest.mark.parametrize("page", [*REPORTS, "index"])
def test_html_pages_are_clean(run_dir: Path, page: str) -> None:
    html = (run_dir / f"{page}.html").read_text(encoding="utf-8")
    text = visible_text(html)
    assert machinery(text) == []
    for where in (str(run_dir), str(config.PROJECT_ROOT), str(Path.home())):
        assert where not in html
