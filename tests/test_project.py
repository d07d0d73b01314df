"""The project's own files: dependencies agree, notebooks are committed clean, outputs ignored."""

from __future__ import annotations

import re
import subprocess
import tomllib
from pathlib import Path

import nbformat
import pytest
import yaml

from pracops import config, runner

ROOT = config.PROJECT_ROOT
NOTEBOOKS = sorted(config.NOTEBOOKS_DIR.glob("*.ipynb"))


def _req(spec: str) -> tuple[str, str]:
    m = re.fullmatch(r"\s*([A-Za-z0-9_.\-]+)\s*(>=\s*[\w.]+)?\s*", spec)
    assert m, f"dependency {spec!r} should be 'name>=version'"
    return m.group(1).lower().replace("_", "-"), (m.group(2) or "").replace(" ", "")


def test_environment_yml_agrees_with_pyproject() -> None:
    project = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]
    wanted = dict(_req(s) for s in project["dependencies"])
    for extra in project["optional-dependencies"].values():
        wanted.update(_req(s) for s in extra)
    env = yaml.safe_load((ROOT / "environment.yml").read_text())
    listed: dict[str, str] = {}
    for dep in env["dependencies"]:
        if isinstance(dep, dict):
            for spec in dep["pip"]:
                if spec != "-e .":
                    listed.update([_req(spec)])
        else:
            listed.update([_req(dep)])
    python = listed.pop("python")
    listed.pop("pip")
    assert python == project["requires-python"]
    assert listed == wanted


def test_dependencies_have_lower_bounds_not_pins() -> None:
    text = (ROOT / "pyproject.toml").read_text()
    assert "==" not in text
    project = tomllib.loads(text)["project"]
    for spec in project["dependencies"]:
        assert ">=" in spec, spec


def test_outputs_folder_is_ignored_but_kept() -> None:
    assert (ROOT / "outputs" / ".gitkeep").exists()
    probe = ROOT / "outputs" / "some-run" / "x.html"
    out = subprocess.run(["git", "check-ignore", "-q", str(probe)], cwd=ROOT, check=False)
    assert out.returncode == 0
    kept = subprocess.run(["git", "check-ignore", "-q", str(ROOT / "outputs" / ".gitkeep")],
                          cwd=ROOT, check=False)
    assert kept.returncode == 1


def test_readme_opens_with_the_two_commands() -> None:
    readme = (ROOT / "README.md").read_text()
    first_block = readme.split("```sh", 1)[1].split("```", 1)[0]
    assert "make report" in first_block and "make test" in first_block
    assert readme.index("make report") < readme.index("## What lands in `outputs/`")
    assert re.search(r"^\S+ \S+ \S+ \S+ \S+ +cd .*pracops run", readme, re.M)  # a cron line


@pytest.mark.parametrize("path", NOTEBOOKS, ids=[p.stem for p in NOTEBOOKS])
def test_report_notebook_is_committed_clean(path: Path) -> None:
    nb = nbformat.read(path, as_version=4)
    nbformat.validate(nb)
    assert nb.metadata["kernelspec"]["name"] == "python3"
    for cell in nb.cells:
        if cell.cell_type == "code":
            assert cell.outputs == [], f"{path.name}: outputs not stripped"
            assert cell.execution_count is None
    params = runner.notebook_parameters(path)
    for p in params.values():
        assert p.help, f"{path.name}: parameter {p.name} has no # comment"
    assert params["interactive"].type == "bool"
    assert params["interactive"].default is True
    scheduled = yaml.safe_load((config.PARAMETERS_DIR / f"{path.stem}.yaml").read_text())
    assert scheduled["interactive"] is False
    assert (config.TEST_PARAMETERS_DIR / f"{path.stem}.yaml").is_file()
