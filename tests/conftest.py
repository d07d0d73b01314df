"""Shared fixtures. Fixture notebooks are run by the runner's tests, never collected by nbval."""

from __future__ import annotations

import io
import logging
import os
from collections.abc import Callable

import pytest

collect_ignore_glob = ["fixtures/*"]

os.environ.setdefault("JUPYTER_PLATFORM_DIRS", "1")
os.environ.pop("MPLBACKEND", None)


@pytest.fixture
def pyx12_check() -> Callable[[str], tuple[bool, list[str]]]:
    """Validate 835 text with pyx12 (the established X12 validator, a test-only dependency).

    Returns a function giving pyx12's verdict and the problems it logged (errors, missing
    mandatory segments, elements marked "Not Used").
    """
    import pyx12.params
    import pyx12.x12n_document

    def check(text: str) -> tuple[bool, list[str]]:
        messages: list[str] = []

        class Collect(logging.Handler):
            def emit(self, record: logging.LogRecord) -> None:
                text = record.getMessage()
                if record.levelno >= logging.ERROR or "missing" in text or "Not Used" in text:
                    messages.append(text)

        handler = Collect()
        logger = logging.getLogger("pyx12")
        logger.addHandler(handler)
        try:
            ok = pyx12.x12n_document.x12n_document(pyx12.params.params(), io.StringIO(text),
                                                   None, None, None)
        finally:
            logger.removeHandler(handler)
        return bool(ok), messages

    return check
