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


@pytest.fixture(scope="module")
def run(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> dict:
    """The test module's report (its ``REPORT``) run once through the runner on the bundled
    sample with ``parameters/test/<report>.yaml``: ``result`` (the report's result), ``dir``
    (the run folder), ``files`` (the files it handed out) and ``html`` (its page)."""
    from pracops import config, runner

    name = request.module.REPORT
    reports = runner.check_reports([name], runner.discover())
    params = runner.resolve_parameters(reports, parameters_dir=config.TEST_PARAMETERS_DIR)
    result = runner.run(reports, params, out=tmp_path_factory.mktemp(name))
    return {"result": result.reports[0], "dir": result.run_dir,
            "files": result.run_dir / f"{name}_files", "html": result.run_dir / f"{name}.html"}
