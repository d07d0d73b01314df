"""The 835 reader asked for a few columns (``read_835(columns=...)``), a chunk of files at a
time, and run in a worker beside other work (``read_835_beside``): the same frames, keys,
balance errors, warnings and quarantines as a read in full cut afterwards, the same errors."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import psutil
import pytest

from pracops.errors import X12Error
from pracops.x12 import read as x12_read
from pracops.x12 import read_835, read_835_beside

SAMPLES = Path(__file__).parent / "fixtures" / "x12"
GOOD = ("lfh-managed-care.835", "lfh-medicare-part-a.835", "eps-emedny_sample.txt")
COLUMNS = {"payments": ["trace_number", "payment_seq", "claim_count"],
           "claims": ["claim_seq", "payment_seq", "claim_id", "paid_cents"],
           "adjustments": ["claim_seq", "line_seq", "group_code", "amount_cents"],
           "service_lines": ["claim_seq", "paid_cents"]}
EVERY = ("payments", "claims", "service_lines", "adjustments", "provider_adjustments",
         "supplemental_amounts", "balance_errors", "warnings", "quarantined")


def _folder(folder: Path) -> Path:
    """Good files, a file with a claim that does not balance after them (its CLP03 raised:
    a balance error, the file still read), an envelope fault (a warning) and an unreadable
    file (quarantined) between them."""
    managed = (SAMPLES / "lfh-managed-care.835").read_text()
    for i, name in enumerate(GOOD):
        (folder / f"a{i}-{name}").write_bytes((SAMPLES / name).read_bytes())
    (folder / "b-garbage.835").write_bytes(bytes(range(256)) * 4)
    (folder / "c-se-count.835").write_text(managed.replace("SE*26*", "SE*27*", 1))
    (folder / "d-claim-off.835").write_text(
        managed.replace("CLP*5554555444*1*800.00*", "CLP*5554555444*1*810.00*", 1))
    return folder


@pytest.mark.parametrize("chunk", [1, 10_000, 1 << 30])
def test_a_read_of_some_columns_is_the_full_read_cut(tmp_path: Path,
                                                     monkeypatch: pytest.MonkeyPatch,
                                                     chunk: int) -> None:
    folder = _folder(tmp_path)
    monkeypatch.setattr(x12_read, "_ONLY_BYTES", chunk)  # 1: each file a chunk of its own
    full = read_835(folder, jobs=1)
    cut = read_835(folder, columns=COLUMNS)
    for name in EVERY:
        expected = getattr(full, name)
        if name in COLUMNS:
            expected = expected[COLUMNS[name]]
        elif name not in ("balance_errors", "warnings", "quarantined"):
            expected = expected.iloc[:0]
        pd.testing.assert_frame_equal(getattr(cut, name), expected, check_exact=True)
    assert cut.files == full.files
    # what the comparison stands on: keys past the first file, a balance error of the last
    # file, a warning and a quarantine
    assert cut.claims["claim_seq"].tolist() == list(range(1, len(full.claims) + 1))
    assert cut.payments["payment_seq"].max() == len(full.payments) > 3
    errors = cut.balance_errors
    assert errors["file"].str.endswith("d-claim-off.835").any()
    assert (errors["payment_seq"] == len(full.payments)).any()
    assert errors["claim_seq"].dropna().isin(cut.claims["claim_seq"]).all()
    assert (cut.warnings["file"].str.endswith("c-se-count.835")
            & (cut.warnings["segment_id"] == "SE")).any()
    assert [Path(f).name for f in cut.quarantined["file"]] == ["b-garbage.835"]


def test_a_read_of_some_columns_raises_as_the_full_read(tmp_path: Path,
                                                        monkeypatch: pytest.MonkeyPatch) -> None:
    folder = _folder(tmp_path)
    monkeypatch.setattr(x12_read, "_ONLY_BYTES", 1)
    with pytest.raises(X12Error) as full:
        read_835(folder, jobs=1, strict=True)
    with pytest.raises(X12Error) as cut:
        read_835(folder, columns=COLUMNS, strict=True)
    # strict: a file that does not start like X12 is skipped, the envelope fault refused
    assert str(cut.value) == str(full.value) and "c-se-count.835" in str(cut.value)
    # names refused before any file is read: not the strict read's error of a bad file
    with pytest.raises(ValueError, match="no such frame of a Remittance: claim$"):
        read_835(folder, columns={"claim": ["claim_id"]}, strict=True)
    with pytest.raises(ValueError, match="no such column of a Remittance's claims: nope, no$"):
        read_835(folder, columns={"claims": ["claim_id", "nope", "no"]}, strict=True)
    with pytest.raises(ValueError, match="no such column of a Remittance's payments: claim_id"):
        read_835_beside(folder, columns={"payments": ["claim_id"]})
    with pytest.raises(ValueError, match="jobs must be 1"):
        read_835(folder, columns=COLUMNS, jobs=2)


def test_a_read_beside_gives_the_same_remittance(tmp_path: Path) -> None:
    folder = _folder(tmp_path)
    with read_835_beside(folder, columns=COLUMNS) as beside:
        got = beside.result()
    expected = read_835(folder, columns=COLUMNS)
    for name in EVERY:
        pd.testing.assert_frame_equal(getattr(got, name), getattr(expected, name))
    assert got.files == expected.files
    with read_835_beside(folder, columns=COLUMNS, strict=True) as beside, \
            pytest.raises(X12Error, match="c-se-count.835"):
        beside.result()


def _children() -> set[int]:
    return {child.pid for child in psutil.Process().children()}


def test_a_read_beside_refuses_an_empty_folder_at_once_and_ends_with_its_block(
        tmp_path: Path) -> None:
    before = _children()  # other tests' servers and workers may be running
    (tmp_path / "empty").mkdir()
    with pytest.raises(X12Error, match="no files to read"):
        read_835_beside(tmp_path / "empty")  # listed here: no worker started
    assert _children() == before
    (tmp_path / "era").mkdir()
    folder = _folder(tmp_path / "era")
    with pytest.raises(KeyError), read_835_beside(folder):
        (worker,) = _children() - before  # the worker, reading
        raise KeyError("the work beside failed")  # the block left without the result
    assert not psutil.pid_exists(worker), "the worker outlived its block"
