"""The layout of issue 12: one package per report, shared modules by concern, reports that
never import each other, and old names that still work with a DeprecationWarning."""

from __future__ import annotations

import ast
import importlib
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
    assert out == ["True", "pracops.data.checked", "pracops.x12.read"]


@pytest.mark.parametrize(("old", "new"), sorted(pracops.MOVED.items()))
def test_old_module_names_work_with_a_deprecation_warning(old: str, new: str) -> None:
    code = (f"import warnings; warnings.simplefilter('error', DeprecationWarning)\n"
            f"try:\n    import {old}\nexcept DeprecationWarning as w:\n    print(w)\n"
            f"warnings.simplefilter('ignore')\nimport {old} as m; print(m.__name__)")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                         check=True).stdout.splitlines()
    assert out == [f"{old} moved to {new}; import that instead", new]


def test_moved_names_of_shared_modules_warn_and_resolve() -> None:
    from pracops.billing import datasets as billing_datasets
    from pracops.budget import datasets as budget_datasets
    from pracops.data import practice
    from pracops.parameters import Parameter

    for old, new in ((lambda: pracops.data.VISIT_TYPES, practice.VISIT_TYPES),
                     (lambda: pracops.data.COST_BEHAVIOURS, budget_datasets.COST_BEHAVIOURS),
                     (lambda: pracops.data.check_fee_schedule_codes,
                      billing_datasets.check_fee_schedule_codes),
                     (lambda: pracops.runner.Param, Parameter)):
        with pytest.warns(DeprecationWarning):
            assert old() is new
    with pytest.raises(AttributeError, match=r"registry.spec\(name\).reads"):
        pracops.data.REPORT_INPUTS  # noqa: B018


def test_a_moved_module_reloads_as_itself() -> None:
    code = ("import importlib, warnings; warnings.simplefilter('ignore')\n"
            "import pracops.budget_view as old, pracops.budget.view as new\n"
            "print(old is new, importlib.reload(new).__spec__.name)")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                         check=True).stdout.split()
    assert out == ["True", "pracops.budget.view"]


@pytest.mark.parametrize("report", sorted(registry.PACKAGES))
def test_every_room_of_a_report_is_an_attribute_of_its_package(report: str) -> None:
    package = importlib.import_module(f"pracops.{report}")
    rooms = sorted(p.stem for p in Path(package.__file__).parent.glob("*.py")
                   if p.stem != "__init__")
    code = (f"import warnings; warnings.simplefilter('error')\nimport pracops\n"
            f"print([getattr(pracops.{report}, r).__name__ for r in {rooms!r}])")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                         check=True).stdout.strip()
    assert out == repr([f"pracops.{report}.{r}" for r in rooms])


def test_the_runner_goes_without_rfc3987_syntax_and_still_validates_notebooks() -> None:
    """jsonschema (through nbformat) builds three Earley parsers when rfc3987_syntax is
    importable: the runner's processes mark it unavailable, and nbformat still validates a
    notebook and refuses a broken one."""
    code = ("import sys, pracops.runner, nbformat\n"
            "print(sys.modules.get('rfc3987_syntax', 'absent'))\n"
            "nb = nbformat.v4.new_notebook(cells=[nbformat.v4.new_code_cell('1 + 1')])\n"
            "nbformat.validate(nb)\n"
            "nb.cells[0]['outputs'] = 'not a list'\n"
            "try:\n    nbformat.validate(nb)\nexcept nbformat.ValidationError:\n"
            "    print('refused')\n")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                         check=True).stdout.split()
    assert out == ["None", "refused"]  # marked unavailable, not imported
