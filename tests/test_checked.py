"""The frames a run checked, handed to its kernels (pracops.data.checked), and what a report's
kernel imports before its work starts."""

from __future__ import annotations

import ast
import dataclasses
import json
import shutil
import subprocess
import sys
from pathlib import Path

import nbformat
import pandas as pd
import pytest

from pracops import cli, config, data, registry, runner, x12
from pracops.data import checked, loader
from pracops.errors import DataError

NOTEBOOKS = Path(__file__).parents[1] / "notebooks"


@pytest.fixture
def payers(tmp_path: Path) -> Path:
    """A folder holding the sample's payers file only."""
    folder = tmp_path / "data"
    folder.mkdir()
    shutil.copy(config.SAMPLE_DIR / "payers.csv", folder)
    return folder


def _record(folder: Path, frame: pd.DataFrame, digest: str, record: Path) -> None:
    checked.write({str(folder / "payers.csv"): ("payers", digest, frame)}, record)


def test_the_frames_a_run_checks_are_those_its_kernels_would_load(tmp_path: Path) -> None:
    reports = runner.check_reports([], runner.discover())
    params = runner.resolve_parameters(reports, parameters_dir=config.TEST_PARAMETERS_DIR)
    record = tmp_path / "record"
    assert cli._inputs_usable(reports, params, quiet=True, record=str(record))
    index = json.loads((record / "index.json").read_text())
    trusted = {path: (e["dataset"], e["sha256"], pd.read_pickle(record / e["value"]))
               for path, e in index.items()}
    era = str(config.SAMPLE_DIR / "era")
    name, digest, remittance = trusted.pop(era)
    assert name == checked.ERA and digest == checked.sha256(era)
    fresh_835 = x12.read_835(era)
    for field in dataclasses.fields(fresh_835):
        ours, theirs = getattr(remittance, field.name), getattr(fresh_835, field.name)
        if isinstance(theirs, pd.DataFrame):
            pd.testing.assert_frame_equal(ours, theirs, check_exact=True)
        else:
            assert ours == theirs
    read = {d for r in registry.reports().values() for d in r.reads}
    found = {name for name, _, _ in trusted.values()}
    assert {"claims", "claim_lines", "payers", "gl_actuals"} <= found <= read
    for path, (name, digest, frame) in trusted.items():
        assert digest == checked.sha256(path)
        fresh = loader.load(name, None)
        assert frame.attrs["source"] == path == fresh.attrs["source"]
        pd.testing.assert_frame_equal(frame, fresh, check_exact=True)
        assert frame.attrs == fresh.attrs


def test_load_gives_the_checked_frame_only_for_the_same_unchanged_file(
        payers: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    full = loader.load("payers", payers)
    marked = full.head(2)
    marked.attrs = {**full.attrs, "marker": "checked by the run"}
    record = tmp_path / "record"
    _record(payers, marked, checked.sha256(payers / "payers.csv"), record)

    assert "marker" not in data.load("payers", payers).attrs  # no variable: read in full
    monkeypatch.setenv(checked.ENV, str(record))
    got = data.load("payers", payers)
    pd.testing.assert_frame_equal(got, marked)
    assert got.attrs["marker"] == "checked by the run"
    assert got is not data.load("payers", payers)  # a fresh copy each time

    # asked another way, the file is read and checked in full
    assert len(data.load("payers", payers, encoding="utf-8")) == len(full)
    assert len(data.load("payers", payers, columns={"payer_id": "payer_id"})) == len(full)
    with pytest.raises(DataError, match="providers"):  # another dataset: its own errors
        data.load("providers", payers)

    # the file changed since the check: read in full, its new fault found
    text = (payers / "payers.csv").read_text()
    (payers / "payers.csv").write_text(text + text.splitlines()[1] + "\n")
    with pytest.raises(DataError, match="duplicate|more than once|twice"):
        data.load("payers", payers)


def test_load_reads_in_full_when_the_record_is_gone(
        payers: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    frame = loader.load("payers", payers)
    marked = frame.head(1)
    marked.attrs = {**frame.attrs, "marker": "checked"}
    record = tmp_path / "gone"
    _record(payers, marked, checked.sha256(payers / "payers.csv"), record)
    (record / "0.pickle").unlink()
    monkeypatch.setenv(checked.ENV, str(record))
    pd.testing.assert_frame_equal(data.load("payers", payers), frame)


def _recorded_era(tmp_path: Path, monkeypatch: pytest.MonkeyPatch
                  ) -> tuple[Path, list[Path], x12.Remittance]:
    """A folder of three of the sample's 835s, recorded by a run as read from the first alone
    (so that what is given back tells itself apart), the run's variable set."""
    era = tmp_path / "era"
    era.mkdir()
    files = sorted((config.SAMPLE_DIR / "era").iterdir())[:3]
    for f in files:
        shutil.copy(f, era)
    recorded = x12.read_835(files[:1])
    checked.write({str(era): (checked.ERA, checked.sha256(era), recorded)}, tmp_path / "rec")
    monkeypatch.setenv(checked.ENV, str(tmp_path / "rec"))
    return era, files, recorded


def test_read_835_gives_the_recorded_remittance_only_for_the_same_unchanged_folder(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    era, files, _ = _recorded_era(tmp_path, monkeypatch)
    assert len(checked.read_835(era).files) == 1
    assert len(checked.read_835(era, strict=False).files) == 3  # asked another way: read
    (era / ".hidden").write_text("not read by the 835 reader")
    assert len(checked.read_835(era).files) == 1
    (era / "archive").mkdir()  # a sub-folder: the reader skips it with a warning
    assert len(checked.read_835(era).files) == 3
    (era / "archive").rmdir()
    assert len(checked.read_835(era).files) == 1
    text = (era / files[0].name).read_bytes()
    (era / files[0].name).write_bytes(text.replace(b"~", b"~\n", 1))
    assert len(checked.read_835(era).files) == 3


def test_a_run_hands_the_checked_frames_to_its_kernel(payers: Path, tmp_path: Path) -> None:
    """The kernel's ``data.load`` gives what the run was handed; without it, the file."""
    notebooks = tmp_path / "notebooks"
    notebooks.mkdir()
    nb = nbformat.v4.new_notebook()
    nb.cells = [
        nbformat.v4.new_markdown_cell("# Checked\n\nWhat the kernel loads."),
        nbformat.v4.new_code_cell("folder: str = ''  # the data folder",
                                  metadata={"tags": ["parameters"]}),
        nbformat.v4.new_code_cell(
            "from pracops import data, report\n"
            "frame = data.load('payers', folder)\n"
            "report.record('rows', len(frame))\n"
            "report.record('marker', frame.attrs.get('marker', 'read'))"),
    ]
    nb.metadata["kernelspec"] = {"name": "python3", "language": "python",
                                 "display_name": "Python 3"}
    nbformat.write(nb, notebooks / "checked.ipynb")
    full = loader.load("payers", payers)
    marked = full.head(2)
    marked.attrs = {**full.attrs, "marker": "checked by the run"}
    given = {str(payers / "payers.csv"): ("payers", checked.sha256(payers / "payers.csv"),
                                          marked)}
    reports = list(runner.discover(notebooks).values())
    params = {"checked": {"folder": str(payers)}}
    checked.write(given, tmp_path / "record")
    with_record = runner.run(reports, params, out=tmp_path / "out", html=False,
                             checked=tmp_path / "record")
    without = runner.run(reports, params, out=tmp_path / "out", html=False)
    assert with_record.reports[0].figures == {"rows": 2, "marker": "checked by the run"}
    assert without.reports[0].figures == {"rows": len(full), "marker": "read"}


def _first_cell_imports(notebook: Path) -> str:
    nb = nbformat.read(notebook, as_version=4)
    code = [c for c in nb.cells if c.cell_type == "code"]
    source = code[[i for i, c in enumerate(code) if "parameters" in c.metadata.get("tags", [])]
                  [0] + 1].source
    return "\n".join(ast.unparse(node) for node in ast.parse(source).body
                     if isinstance(node, ast.Import | ast.ImportFrom))


@pytest.mark.parametrize("report", sorted(registry.reports()))
def test_a_report_kernel_imports_only_what_its_report_needs(report: str) -> None:
    """The notebook's imports, in a fresh process: no pandera, openpyxl or hypothesis (only
    a full check of a file, or writing a workbook, needs them), and no calculation of another
    report (their declarations only, which fill the catalogue)."""
    package = registry.spec(report).package
    code = (_first_cell_imports(NOTEBOOKS / f"{report}.ipynb")
            + "\nimport json, sys\nprint(json.dumps(sorted(sys.modules)))")
    modules = json.loads(subprocess.run([sys.executable, "-c", code], capture_output=True,
                                        text=True, check=True).stdout)
    assert f"pracops.{package}.chain" in modules and f"pracops.{package}.view" in modules
    heavy = {m.split(".")[0] for m in modules} & {"pandera", "openpyxl", "hypothesis"}
    assert not heavy
    others = [m for m in modules if m.startswith("pracops.") and m.count(".") >= 2
              and m.split(".")[1] in registry.PACKAGES and m.split(".")[1] != package
              and m.split(".")[2] not in ("datasets", "parameters")]
    assert not others


def test_read_835_beside_gives_the_recorded_remittance_cut_or_reads_the_folder(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    era, files, recorded = _recorded_era(tmp_path, monkeypatch)
    columns = {"claims": ["claim_id", "paid_cents"]}
    with checked.read_835_beside(era, columns) as beside:
        got = beside.result()
    pd.testing.assert_frame_equal(got.claims, recorded.claims[["claim_id", "paid_cents"]])
    assert got.files == recorded.files and got.service_lines.empty
    (era / files[0].name).write_bytes(b"changed")  # no longer what the run read: read here
    with checked.read_835_beside(era, columns) as beside:
        got = beside.result()
    assert [Path(f).name for f in got.files] == [f.name for f in files[1:]]
    assert len(got.quarantined) == 1
