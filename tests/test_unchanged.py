"""Nothing changes for users when the code is reorganised: on the bundled sample (with
``parameters/test/``) every report's recorded figures, headline, alerts and hand-out files are
those of the stored copy in ``tests/fixtures/recorded/``, and its HTML page shows the same
headings, tables and charts. The stored copy was written by the suite before the one-package-
per-report layout (issue 12); a change that means to move a figure (or a new report) rewrites it
in the same commit with ``python tests/test_unchanged.py`` and says why.
"""

from __future__ import annotations

import hashlib
import json
import re
from pathlib import Path

import pytest

from pracops import config, runner
from pracops.runner import warm

STORED = Path(__file__).parent / "fixtures" / "recorded"
REPORTS = sorted(p.stem for p in STORED.glob("*.json"))


def page_outline(html: str) -> dict[str, object]:
    """What a reader sees of a page's structure: its headings in order, and how many tables
    and images (charts) it holds."""
    headings = [re.sub(r"<[^>]+>|¶", "", h).strip()
                for h in re.findall(r"<h[1-3][^>]*>(.*?)</h[1-3]>", html, flags=re.S)]
    return {"headings": headings, "tables": len(re.findall(r"<table\b", html)),
            "images": len(re.findall(r"<img\b", html))}


def handout_digests(run_dir: Path, attachments: list[str]) -> dict[str, str]:
    """sha256 of every CSV hand-out (the XLSX files carry a time stamp)."""
    return {name: hashlib.sha256((run_dir / name).read_bytes()).hexdigest()
            for name in attachments if name.endswith(".csv")}


def run_suite(names: list[str], out: Path) -> Path:
    """Every named report through the runner on the sample with ``parameters/test/``."""
    reports = runner.check_reports(names, runner.discover())
    params = runner.resolve_parameters(reports, parameters_dir=config.TEST_PARAMETERS_DIR)
    return runner.run(reports, params, out=out).run_dir


@pytest.fixture(scope="module")
def suite(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Through kernels forked warm, as ``pracops run`` starts them (the other reports' tests
    start theirs the ordinary way): the stored figures hold for both."""
    runner.prepare(warm_kernels=True)
    try:
        return run_suite(REPORTS, tmp_path_factory.mktemp("suite"))
    finally:
        warm.stop_zygote()


def test_the_stored_copy_covers_every_report() -> None:
    assert sorted(runner.discover()) == REPORTS


@pytest.mark.parametrize("name", REPORTS)
def test_recorded_figures_and_alerts_are_unchanged(suite: Path, name: str) -> None:
    stored = json.loads((STORED / f"{name}.json").read_text(encoding="utf-8"))
    now = json.loads((suite / f"{name}.json").read_text(encoding="utf-8"))
    assert now["status"] == "ok", now.get("error")
    for key in ("figures", "headline", "alerts", "files"):
        assert now[key] == stored[key], key


@pytest.mark.parametrize("name", REPORTS)
def test_pages_and_handouts_are_unchanged(suite: Path, name: str) -> None:
    stored = json.loads((STORED / f"{name}.json").read_text(encoding="utf-8"))
    html = (suite / f"{name}.html").read_text(encoding="utf-8")
    assert page_outline(html) == stored["page"]
    assert handout_digests(suite, stored["files"]["attachments"]) == stored["handouts"]


if __name__ == "__main__":  # rewrite the stored copy from a run of every report
    import tempfile

    with tempfile.TemporaryDirectory() as tmp:
        run_dir = run_suite(sorted(runner.discover()), Path(tmp))
        for summary in sorted(run_dir.glob("*.json")):
            if summary.name == "manifest.json":
                continue
            now = json.loads(summary.read_text(encoding="utf-8"))
            stored = {key: now[key] for key in ("report", "status", "figures", "headline",
                                                "alerts", "files")}
            stored["page"] = page_outline((run_dir / f"{summary.stem}.html").read_text("utf-8"))
            stored["handouts"] = handout_digests(run_dir, now["files"].get("attachments", []))
            (STORED / summary.name).write_text(
                json.dumps(stored, indent=1, sort_keys=True, ensure_ascii=False),
                encoding="utf-8")
            print(STORED / summary.name)
