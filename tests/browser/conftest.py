"""Browser tests: what a reader sees, in Debian's Chromium driven by Playwright.

Every test under ``tests/browser/`` is marked ``browser`` (``make test`` runs them;
``pytest -m "not browser"`` leaves them out while working on something else). Chromium comes
from the system (``.ci/ensure-chromium`` installs it with apt), never downloaded at run time.
"""

from __future__ import annotations

import os
import shutil
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

HERE = Path(__file__).parent


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    for item in items:
        if HERE in Path(str(item.fspath)).parents:
            item.add_marker(pytest.mark.browser)


def chromium_path() -> str:
    """The system's Chromium, or a failure saying how to install it."""
    path = shutil.which("chromium") or shutil.which("chromium-browser")
    if path is None:
        pytest.fail("Chromium is not installed: run .ci/ensure-chromium "
                    "(apt-get install -y chromium)")
    return path


@pytest.fixture(scope="session")
def chromium() -> Iterator[Any]:
    """A headless Chromium for the session (a Playwright ``Browser``)."""
    from playwright.sync_api import sync_playwright

    # Chromium's sandbox needs user namespaces, which a container running as root lacks
    args = ["--no-sandbox"] if os.geteuid() == 0 else []
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=chromium_path(), args=args)
        yield browser
        browser.close()
