"""pracops.config: absolute paths, wherever the caller stands."""

from __future__ import annotations

from pathlib import Path

import pytest

from pracops import config


def test_paths_are_absolute_and_point_into_the_checkout() -> None:
    for path in (config.PROJECT_ROOT, config.SAMPLE_DIR, config.NOTEBOOKS_DIR,
                 config.PARAMETERS_DIR):
        assert path.is_absolute()
    assert (config.PROJECT_ROOT / "pyproject.toml").is_file()
    assert (config.SAMPLE_DIR / "providers.csv").is_file()


def test_data_dir(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    assert config.data_dir(None) == config.data_dir("") == config.SAMPLE_DIR
    monkeypatch.chdir(tmp_path)
    assert config.data_dir("exports") == tmp_path / "exports"


def test_outputs_and_report_files(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("PRACOPS_RUN_DIR", raising=False)
    monkeypatch.delenv("PRACOPS_OUTPUTS", raising=False)
    assert config.outputs_dir() == config.PROJECT_ROOT / "outputs"
    assert config.report_files_dir(None, "billing") == (
        config.PROJECT_ROOT / "outputs" / "interactive" / "billing")
    monkeypatch.setenv("PRACOPS_RUN_DIR", str(tmp_path / "run"))
    assert config.report_files_dir(None, "billing") == tmp_path / "run" / "billing_files"
    assert config.report_files_dir(str(tmp_path / "mine"), "billing") == tmp_path / "mine"
    monkeypatch.setenv("PRACOPS_OUTPUTS", str(tmp_path / "o"))
    assert config.outputs_dir() == tmp_path / "o"
