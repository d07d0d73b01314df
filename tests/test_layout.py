"""The layout of issue 8: one package per report, shared modules by concern, reports that
never import each other, and old names that still work with a DeprecationWarning."""

from __future__ import annotations

import ast
import subprocess
import sys
from pathlib import Path

import pytest

import pracops
from pracops import config, registry

PACKAGE = Path(pracops.__file__).parent
REPORTS = set(registry.PACKAGES)


def imported_modules(path: Path) -> set[str]:
    """Every module a file imports (at any depth of the file), as dotted names."""
    names: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            names.update(a.name for a in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module:
            names.add(node.module)
            names.update(f"{node.module}.{a.name}" for a in node.names)
    return names


def report_of(module: str) -> str | None:
    parts = module.split(".")
    return parts[1] if len(parts) > 1 and parts[0] == "pracops" and parts[1] in REPORTS else None


@pytest.mark.parametrize("report", sorted(REPORTS))
def test_a_report_package_imports_no_other_report(report: str) -> None:
    for path in sorted((PACKAGE / report).rglob("*.py")):
        others = {report_of(m) for m in imported_modules(path)} - {None, report}
        assert not others, f"{path.relative_to(PACKAGE)} imports {sorted(others)}"


def test_shared_modules_import_no_report() -> None:
    for path in sorted(PACKAGE.rglob("*.py")):
        if path.relative_to(PACKAGE).parts[0] in REPORTS:
            continue
        reports = {report_of(m) for m in imported_modules(path)} - {None}
        assert not reports, f"{path.relative_to(PACKAGE)} imports {sorted(reports)}"


def test_every_report_is_a_package_with_the_known_rooms() -> None:
    for name, spec in registry.reports().items():
        folder = PACKAGE / spec.package
        for room in ("__init__.py", "datasets.py", "parameters.py", "chain.py", "view.py",
                     "sample.py"):
            assert (folder / room).is_file(), f"{spec.package}/{room}"
        assert (config.NOTEBOOKS_DIR / f"{name}.ipynb").is_file()
        assert (config.PARAMETERS_DIR / f"{name}.yaml").is_file()


def test_import_pracops_is_light_and_reaches_submodules_as_attributes() -> None:
    code = ("import sys, pracops; light = 'pandas' not in sys.modules; "
            "print(light, pracops.data.load.__module__, pracops.x12.read_835.__module__)")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                         check=True).stdout.split()
    assert out == ["True", "pracops.data.loader", "pracops.x12.read"]


@pytest.mark.parametrize(("old", "new"), sorted(pracops.MOVED.items()))
def test_old_module_names_work_with_a_deprecation_warning(old: str, new: str) -> None:
    code = (f"import warnings; warnings.simplefilter('error', DeprecationWarning)\n"
            f"try:\n    import {old}\nexcept DeprecationWarning as w:\n    print(w)\n"
            f"warnings.simplefilter('ignore')\nimport {old} as m; print(m.__name__)")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                         check=True).stdout.splitlines()
    assert out == [f"{old} moved to {new}; import that instead", new]
