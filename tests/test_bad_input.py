"""Single-defect copies of the bundled sample: each ends in a clear error or changes nothing.

The corpus is generated here from the dataset declarations, so every dataset gets every kind
of defect its columns allow: a missing column, a value of the wrong type, bad money, a bad or
out-of-range date, a duplicate key, an unknown reference, each encoding, an empty, header-only,
unreadable or looping file, formula and markup text, numbers too large to be true. Each copy
is checked the way ``pracops validate`` checks a folder (:func:`pracops.data.check_folder`),
and the outcome must be one of two:

* **error**: at least one error, and the first names the damaged file (by name), is one line,
  and quotes no patient data;
* **same**: no error, and every dataset loads equal to the clean sample's (so every figure a
  report computes from them is unchanged); for planted text, equal but for the planted cell,
  which is kept as the text it is.

A few representative copies also go through the ``pracops validate`` command in a subprocess
(exit 2, one line per problem, no traceback).
"""

from __future__ import annotations

import csv
import io
import os
import shutil
import subprocess
import sys
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path

import pandas as pd
import pytest

from pracops import config, data

SAMPLE = config.SAMPLE_DIR
PATIENT_TEXT = "ZZPATIENTNAME"  # planted where a patient's name goes; must never be quoted

Mutation = Callable[[Path], None]


@dataclass(frozen=True)
class Defect:
    """One damaged copy: what to do to which dataset's file, and what must follow."""

    name: str
    dataset: str
    mutate: Mutation
    outcome: str  # "error" or "same"
    planted: str | None = None  # text planted in a cell (outcome "same": kept as it is)


# ---- reading and writing the sample's CSV text --------------------------------------------


def _rows(path: Path) -> list[list[str]]:
    with path.open(newline="", encoding="utf-8") as fh:
        return list(csv.reader(fh))


def _write_rows(path: Path, rows: list[list[str]]) -> None:
    buffer = io.StringIO()
    csv.writer(buffer, lineterminator="\n").writerows(rows)
    path.unlink(missing_ok=True)
    path.write_text(buffer.getvalue(), encoding="utf-8")


def _file(folder: Path, dataset: data.Dataset) -> Path:
    return folder / f"{dataset.stem}.csv"


def _set_cell(dataset: data.Dataset, column: str, value: str, row: int = 1) -> Mutation:
    """Put ``value`` in ``column`` of data row ``row`` (1 = the first under the header)."""
    def mutate(folder: Path) -> None:
        path = _file(folder, dataset)
        rows = _rows(path)
        rows[row][rows[0].index(column)] = value
        _write_rows(path, rows)
    return mutate


def _drop_column(dataset: data.Dataset, column: str) -> Mutation:
    def mutate(folder: Path) -> None:
        path = _file(folder, dataset)
        rows = _rows(path)
        at = rows[0].index(column)
        _write_rows(path, [r[:at] + r[at + 1:] for r in rows])
    return mutate


def _duplicate_first_row(dataset: data.Dataset) -> Mutation:
    def mutate(folder: Path) -> None:
        path = _file(folder, dataset)
        rows = _rows(path)
        _write_rows(path, [rows[0], rows[1], *rows[1:]])
    return mutate


def _reencode(dataset: data.Dataset, encoding: str, bom: bytes = b"") -> Mutation:
    def mutate(folder: Path) -> None:
        path = _file(folder, dataset)
        text = path.read_text(encoding="utf-8")
        path.unlink()
        path.write_bytes(bom + text.encode(encoding))
    return mutate


def _replace_file(dataset: data.Dataset, make: Callable[[Path], None]) -> Mutation:
    def mutate(folder: Path) -> None:
        path = _file(folder, dataset)
        path.unlink()
        make(path)
    return mutate


def _as_format(dataset: data.Dataset, suffix: str) -> Mutation:
    """The same rows saved as Parquet or Excel instead of CSV (every cell as its text)."""
    def mutate(folder: Path) -> None:
        path = _file(folder, dataset)
        frame = pd.read_csv(path, dtype=str, keep_default_na=False)
        path.unlink()
        target = path.with_suffix(suffix)
        if suffix == ".parquet":
            frame.to_parquet(target, index=False)
        else:
            frame.to_excel(target, index=False)
    return mutate


def _parquet_float_money(dataset: data.Dataset, column: str, value: float) -> Mutation:
    """Parquet with the money column as floats, one of them ``value``."""
    def mutate(folder: Path) -> None:
        path = _file(folder, dataset)
        frame = pd.read_csv(path, dtype=str, keep_default_na=False)
        frame[column] = pd.to_numeric(frame[column], errors="coerce")
        frame.loc[0, column] = value
        path.unlink()
        frame.to_parquet(path.with_suffix(".parquet"), index=False)
    return mutate


# ---- the corpus ---------------------------------------------------------------------------

_BAD_VALUE = {"int": "12x", "float": "1,5x", "bool": "maybe", "date": "2024-02-30",
              "money": "12.345", "category": "no-such-kind"}


def _first(dataset: data.Dataset, kind: str, *, required: bool = True) -> data.Column | None:
    return next((c for c in dataset.columns
                 if c.kind == kind and (c.required or not required)), None)


def _free_text(dataset: data.Dataset) -> data.Column | None:
    """A text column with no pattern, not part of the key: where a name or note goes."""
    return next((c for c in dataset.columns if c.kind == "str" and c.pattern is None
                 and c.name not in dataset.key and not c.phi and c.required), None)


def corpus() -> Iterator[Defect]:
    """Every single-defect copy, dataset by dataset."""
    for ds in data.DATASETS.values():
        if not (SAMPLE / f"{ds.stem}.csv").exists():
            continue
        name = ds.name
        required = [c for c in ds.columns if c.required]
        yield Defect(f"{name}: missing column", name,
                     _drop_column(ds, required[-1].header), "error")
        for kind, value in _BAD_VALUE.items():
            col = _first(ds, kind)
            if col is not None:
                yield Defect(f"{name}: {kind} column {col.header} holds {value!r}", name,
                             _set_cell(ds, col.header, value), "error")
        money = _first(ds, "money")
        if money is not None:
            yield Defect(f"{name}: money beyond a billion", name,
                         _set_cell(ds, money.header, "1000000000.01"), "error")
            yield Defect(f"{name}: money of 25 digits", name,
                         _set_cell(ds, money.header, "1" + "0" * 24), "error")
            yield Defect(f"{name}: Parquet float money 1e20", name,
                         _parquet_float_money(ds, money.header, 1e20), "error")
        number = _first(ds, "int")
        if number is not None:
            yield Defect(f"{name}: whole number of 20 digits", name,
                         _set_cell(ds, number.header, "9" * 20), "error")
        day = _first(ds, "date")
        if day is not None:
            for value in ("1899-12-31", "2101-01-01", "12/31/24"):
                yield Defect(f"{name}: date {value}", name,
                             _set_cell(ds, day.header, value), "error")
        if ds.key:
            yield Defect(f"{name}: duplicate key", name, _duplicate_first_row(ds), "error")
        for ref in data.REFERENCES:
            if ref.dataset == name:
                yield Defect(f"{name}: unknown {ref.column}", name,
                             _set_cell(ds, ref.column, "ZZ-UNKNOWN-9"), "error")
        text = _free_text(ds)
        if text is not None:
            for planted in ('=HYPERLINK("http://evil.example","x")',
                            "<img src=x onerror=alert(1)><b>x</b>"):
                yield Defect(f"{name}: {text.header} holds {planted[:12]!r}", name,
                             _set_cell(ds, text.header, planted), "same", planted)
        phi = next((c for c in ds.columns if c.phi and c.kind == "date"), None)
        if phi is not None:
            yield Defect(f"{name}: bad {phi.header} (patient data)", name,
                         _set_cell(ds, phi.header, PATIENT_TEXT), "error")
        # encodings, formats and files
        yield Defect(f"{name}: UTF-8 with BOM", name, _reencode(ds, "utf-8", b"\xef\xbb\xbf"),
                     "same")
        yield Defect(f"{name}: UTF-16 with BOM", name, _reencode(ds, "utf-16"), "same")
        yield Defect(f"{name}: UTF-16 without BOM", name, _reencode(ds, "utf-16-le"), "error")
        yield Defect(f"{name}: UTF-32", name, _reencode(ds, "utf-32"), "error")
        yield Defect(f"{name}: Windows-1252", name, _reencode(ds, "cp1252"), "same")
        yield Defect(f"{name}: as Parquet", name, _as_format(ds, ".parquet"), "same")
        yield Defect(f"{name}: as Excel", name, _as_format(ds, ".xlsx"), "same")
        yield Defect(f"{name}: empty file", name,
                     _replace_file(ds, lambda p: p.write_bytes(b"")), "error")
        if not ds.allow_empty:
            yield Defect(f"{name}: header only", name, _replace_file(
                ds, lambda p, ds=ds: p.write_text(
                    ",".join(c.header for c in ds.columns) + "\n")), "error")
        yield Defect(f"{name}: a folder", name, _replace_file(ds, lambda p: p.mkdir()), "error")
        yield Defect(f"{name}: symlink loop", name,
                     _replace_file(ds, lambda p: p.symlink_to(p.name)), "error")
        yield Defect(f"{name}: dangling symlink", name,
                     _replace_file(ds, lambda p: p.symlink_to("nowhere.csv")), "error")
        yield Defect(f"{name}: binary garbage", name, _replace_file(
            ds, lambda p: p.write_bytes(bytes(range(256)) * 8)), "error")


CORPUS = list(corpus())


# ---- the folders --------------------------------------------------------------------------


@pytest.fixture(scope="module")
def base(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The sample's datasets, with an era/ of one 835 (the datasets' checks do not depend
    on the remittances; the 835 defects have tests of their own)."""
    folder = tmp_path_factory.mktemp("base")
    for path in SAMPLE.glob("*.csv"):
        shutil.copy(path, folder / path.name)
    (folder / "era").mkdir()
    first = sorted((SAMPLE / "era").iterdir())[0]
    shutil.copy(first, folder / "era" / first.name)
    return folder


@pytest.fixture(scope="module")
def clean(base: Path) -> data.Validation:
    found = data.check_folder(base)
    assert found.errors == []
    return found


def _neighbours(name: str) -> set[str]:
    """The dataset and those it is checked against (references and rules both ways)."""
    found = {name}
    for ref in data.REFERENCES:
        if name in (ref.dataset, ref.target):
            found |= {ref.dataset, ref.target}
    for relation in data.RELATIONS:
        if name in relation.datasets:
            found |= set(relation.datasets)
    return found


def _copy(base: Path, target: Path, name: str) -> Path:
    """A folder of links to the base files of ``name`` and its neighbours (cheap to make and
    to check), with a copy of the file of ``name`` to damage."""
    target.mkdir()
    for other in _neighbours(name):
        stem = data.get(other).stem
        if (base / f"{stem}.csv").exists():
            (target / f"{stem}.csv").symlink_to(base / f"{stem}.csv")
    stem = data.get(name).stem
    (target / f"{stem}.csv").unlink()
    shutil.copy(base / f"{stem}.csv", target / f"{stem}.csv")
    return target


def _one_line(message: str) -> bool:
    return "\n" not in message and "Traceback" not in message


def test_the_corpus_covers_every_dataset_and_kind_of_defect() -> None:
    names = {d.dataset for d in CORPUS}
    assert names == {ds.name for ds in data.DATASETS.values()
                     if (SAMPLE / f"{ds.stem}.csv").exists()}
    assert len(CORPUS) > 300
    for kind in ("missing column", "duplicate key", "unknown", "UTF-16 without BOM",
                 "symlink loop", "Parquet float money 1e20", "date 1899-12-31"):
        assert any(kind in d.name for d in CORPUS), kind


@pytest.mark.parametrize("defect", CORPUS, ids=[d.name for d in CORPUS])
def test_defect_ends_in_a_clear_error_or_changes_nothing(
        defect: Defect, base: Path, clean: data.Validation, tmp_path: Path) -> None:
    folder = _copy(base, tmp_path / "copy", defect.dataset)
    defect.mutate(folder)
    found = data.check_folder(folder, missing_ok=True)
    stem = data.get(defect.dataset).stem
    if defect.outcome == "error":
        assert found.errors, f"{defect.name}: accepted"
        first = str(found.errors[0])
        # the damaged file itself is named (not a neighbour that refers to it)
        assert Path(found.errors[0].file).stem == stem, first
        assert _one_line(first), first
        assert PATIENT_TEXT not in first, first
        return
    assert found.errors == [], [str(e) for e in found.errors]
    assert set(found.frames) == _neighbours(defect.dataset) & set(clean.frames)
    for name, got in found.frames.items():
        frame = clean.frames[name]
        if name == defect.dataset and defect.planted is not None:
            changed = [c for c in got.columns if not got[c].equals(frame[c])]
            assert len(changed) == 1, changed
            assert got.loc[0, changed[0]] == defect.planted.strip()
            assert got.drop(columns=changed).equals(frame.drop(columns=changed))
            continue
        pd.testing.assert_frame_equal(got, frame, check_dtype=True)


# ---- the command, as a user runs it --------------------------------------------------------


def _validate(folder: Path) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "PYTHONPATH": str(config.PROJECT_ROOT)}
    return subprocess.run([sys.executable, "-m", "pracops.cli", "validate", "--data",
                           str(folder)], capture_output=True, text=True, env=env, timeout=120)


@pytest.mark.parametrize("kind", ["unknown payer_id", "UTF-16 without BOM", "symlink loop",
                                  "Parquet float money 1e20", "date 2101-01-01"])
def test_validate_command_exits_2_with_one_line_per_problem(
        kind: str, base: Path, tmp_path: Path) -> None:
    defect = next(d for d in CORPUS if kind in d.name)
    folder = tmp_path / "copy"
    shutil.copytree(base, folder)
    defect.mutate(folder)
    done = _validate(folder)
    assert done.returncode == 2, done.stderr
    assert "Traceback" not in done.stderr
    lines = done.stderr.strip().splitlines()
    assert len(lines) == 2 and lines[-1].startswith("1 problem"), done.stderr
    assert data.get(defect.dataset).stem in lines[0]


def test_unknown_reference_names_the_row_value_and_closest_known(base: Path,
                                                                 tmp_path: Path) -> None:
    folder = tmp_path / "copy"
    shutil.copytree(base, folder)
    path = folder / "fee_schedule.csv"
    rows = _rows(path)
    at = next(i for i, r in enumerate(rows) if r[0] == "NWH")
    rows[at][0] = "NWN"
    _write_rows(path, rows)
    (error,) = data.check_folder(folder).errors
    assert error.file.endswith("fee_schedule.csv")
    assert (error.row, error.column, error.value) == (at + 1, "payer_id", "NWN")
    assert "did you mean 'NWH'?" in str(error)
