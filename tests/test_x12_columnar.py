"""The 835 reader's column-wise path (pracops.x12.columnar) against its careful walk.

Every input is read twice: once with every file of 0 bytes or more offered to the column-wise
path (``COLUMNAR_BYTES = 0``), once with none (the segment-by-segment walk alone), and the
two must give the same frames, warnings, quarantines and errors. A spy counts which files the
column-wise path really read, so that a test of a well-formed layout cannot pass by falling back
to the walk unseen; and files the walk reads with a liberty must fall back.
"""

from __future__ import annotations

import datetime as dt
import random
from decimal import Decimal
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc
import pytest
from test_x12 import BODY, SAMPLES, interchange, render, replaced, simple, transaction

from pracops.errors import X12Error
from pracops.x12 import batch as x12_batch
from pracops.x12 import parse_835, read_835
from pracops.x12.columnar import read_columnar
from pracops.x12.convert import ccyymmdd
from pracops.x12.write import (
    Adjustment,
    ClaimPayment,
    Party,
    Payment,
    ProviderAdjustment,
    ServicePayment,
    write_835,
)

FRAMES = ("payments", "claims", "service_lines", "adjustments", "provider_adjustments",
          "supplemental_amounts", "balance_errors", "warnings", "quarantined")


def _read(monkeypatch: pytest.MonkeyPatch, columnar: bool, fn: Any) -> tuple[Any, list[bool]]:
    """``fn()``'s result (or X12Error) with the column-wise path on or off, and for each file
    offered to it whether it read it (True) or left it to the walk (False)."""
    used: list[bool] = []

    def spy(*args: Any, **kwargs: Any) -> Any:
        rows = read_columnar(*args, **kwargs)
        used.append(rows is not None)
        return rows

    monkeypatch.setattr(x12_batch, "read_columnar", spy)
    monkeypatch.setattr(x12_batch, "COLUMNAR_BYTES", 0 if columnar else 2**62)
    try:
        return fn(), used
    except X12Error as exc:
        return exc, used


def same(monkeypatch: pytest.MonkeyPatch, fn: Any) -> list[bool]:
    """Assert that ``fn`` gives the same with and without the column-wise path; return which
    files the column-wise path read."""
    fast, used = _read(monkeypatch, True, fn)
    careful, never = _read(monkeypatch, False, fn)
    assert never == []
    if isinstance(careful, X12Error):
        assert isinstance(fast, X12Error), f"the walk raised {careful}, the columns did not"
        assert (str(fast), fast.segment_number, fast.segment_id, fast.file) == (
            str(careful), careful.segment_number, careful.segment_id, careful.file)
        return used
    assert not isinstance(fast, X12Error), f"only the columns raised {fast}"
    for frame in FRAMES:
        pd.testing.assert_frame_equal(getattr(fast, frame), getattr(careful, frame),
                                      check_exact=True, obj=frame)
    assert fast.files == careful.files
    return used


# ---- well-formed layouts: read a column at a time, the same frames ---------------------------


def _wrap(text: str, width: int) -> str:
    return "\r\n".join(text[i:i + width] for i in range(0, len(text), width)) + "\r\n"


SEVERAL = [  # two interchanges, the first with two groups and three transactions
    *interchange([transaction("0001", BODY), transaction("0002", BODY)],
                 [transaction("0003", BODY)], control="000000001"),
    *interchange([transaction("0001", BODY)], control="000000002"),
]


@pytest.mark.parametrize("layout", [
    {}, {"after": "\n"}, {"after": "\r\n"},
    {"element": "|", "component": ">", "terminator": "'"},
    {"element": "\x1d", "component": "\x1f", "repetition": "\x1e", "terminator": "\x1c"},
    {"wrap": 80}, {"wrap": 37}, {"wrap": 80, "after": "\r\n"},
])
@pytest.mark.parametrize("segments", ["one", "several"])
def test_layouts_are_read_a_column_at_a_time_with_the_same_frames(
        monkeypatch: pytest.MonkeyPatch, layout: dict, segments: str) -> None:
    layout = dict(layout)
    width = layout.pop("wrap", None)
    text = render(interchange([transaction("0001", BODY)]) if segments == "one" else SEVERAL,
                  **layout)
    if width:
        text = _wrap(text.replace("\r\n", ""), width)
    data = text.encode("ascii")
    assert same(monkeypatch, lambda: parse_835(data, "t.835")) == [True]
    ra = parse_835(data)
    # by hand: BODY pays 150.00 in one claim of two lines, five CAS triplets
    transactions = 1 if segments == "one" else 4
    assert ra.payments["total_paid_cents"].tolist() == [15000] * transactions
    assert ra.service_lines["modifiers"].fillna("").tolist() == ["25", ""] * transactions
    assert ra.service_lines["remark_codes"].fillna("").tolist() == ["", "N130"] * transactions
    assert ra.adjustments["amount_cents"].sum() == 5000 * transactions
    assert ra.warnings.empty and ra.balance_errors.empty


def test_as_many_line_breaks_as_terminators_but_one_elsewhere(
        monkeypatch: pytest.MonkeyPatch) -> None:
    # the shortcut (split at '~\n' when every break may follow a terminator) must notice
    text = render(SEVERAL, after="\n")
    at = text.index("~\n", text.index("CLP*"))
    moved = text[:at] + "~" + text[at + 2:at + 8] + "\n" + text[at + 8:]
    assert moved.count("\n") == moved.count("~") and "~\n" not in moved[at:at + 2]
    assert same(monkeypatch, lambda: parse_835(moved.encode("ascii"))) == [True]
    assert len(parse_835(moved.encode("ascii")).claims) == 4


def test_line_breaks_as_terminators_are_left_to_the_walk(
        monkeypatch: pytest.MonkeyPatch) -> None:
    data = render(SEVERAL, terminator="\n").encode("ascii")
    assert same(monkeypatch, lambda: parse_835(data)) == [False]


def test_the_samples_read_the_same(monkeypatch: pytest.MonkeyPatch) -> None:
    used = same(monkeypatch, lambda: read_835(SAMPLES))
    # every file offered, in name order (README.md first: not X12); those the walk reads with
    # a liberty fall back (no ISA; SVC01 repaired; an SVC with elements after SVC07), the
    # others are read in columns (a bad BPR16 date is the walk's own handler's warning)
    names = sorted(p.name for p in SAMPLES.iterdir())
    assert dict(zip(names, used, strict=True)) == {
        "README.md": False, "eps-blue_cross_nc_sample.txt": False,
        "eps-emedny_sample.txt": True, "eps-united_healthcare_legacy_sample.txt": True,
        "lfh-cob-contractural-adjustment.835": False, "lfh-managed-care.835": True,
        "lfh-medicare-part-a.835": True, "lfh-secondary-payment.835": False,
        "lfh-tertiary-payment.835": False}
    for strict in (False, True):
        same(monkeypatch, lambda strict=strict: read_835(SAMPLES, strict=strict))


# ---- a generated file of 10,000 claims --------------------------------------------------------

PAYER = Party("ACME HEALTH", "XV", "ACME01", "1 Main St", "Raleigh", "NC", "27601",
              ref_2u="ACME2U")
PAYEE = Party("MAPLE GROVE FAMILY MEDICINE", "XX", "1234567893", "2 Oak Ave", "Cary", "NC",
              "27511", tin="561234567")


def _claims(rng: random.Random, first: int, count: int) -> list[ClaimPayment]:
    claims = []
    for number in range(first, first + count):
        day = dt.date(2025, 1, 1) + dt.timedelta(days=rng.randrange(300))
        lines = []
        for _ in range(rng.randint(0 if number % 17 == 0 else 1, 4)):
            charge = rng.randint(1_000, 90_000)
            contractual = rng.randint(0, charge // 2)
            patient = rng.randint(0, (charge - contractual) // 3)
            adjustments = [Adjustment("CO", "45", contractual)]
            if patient:
                adjustments.append(Adjustment("PR", rng.choice(("1", "2", "3")), patient))
            lines.append(ServicePayment(
                rng.choice(("99213", "99214", "80053", "36415")),
                charge, charge - contractual - patient,
                tuple(rng.sample(("25", "59", "GT", "95"), rng.randint(0, 3))),
                rng.randint(1, 3), day if rng.random() < 0.9 else None,
                charge - contractual if rng.random() < 0.7 else None,
                tuple(adjustments), tuple(rng.sample(("N130", "M15", "MA01"), rng.randint(0, 2))),
                f"L{number}" if rng.random() < 0.5 else None))
        charge = sum(s.charge_cents for s in lines) or rng.randint(1_000, 9_000)
        paid = sum(s.paid_cents for s in lines)
        claim_cas = () if lines else (Adjustment("CO", "50", charge),)
        patient = sum(a.amount_cents for s in lines for a in s.adjustments if a.group == "PR")
        claims.append(ClaimPayment(
            f"C{number:06d}", "1" if paid else "4", charge, paid, patient, f"PCN{number}",
            patient_last=f"LAST{number % 97}", patient_first="ANN", member_id=f"M{number}",
            rendering_npi="1234567893" if number % 3 else None, statement_from=day,
            statement_to=day if number % 2 else None, adjustments=claim_cas,
            services=tuple(lines)))
    return claims


def generated(claims: int, seed: int = 14) -> str:
    rng = random.Random(seed)
    payments = []
    for start in range(0, claims, 500):
        paid = _claims(rng, start + 1, min(500, claims - start))
        plb = (ProviderAdjustment("L6", "INTEREST", -rng.randint(1, 900)),) if start % 1000 else ()
        payments.append(Payment(f"TRC{start}", "1512345678", dt.date(2025, 11, 3), PAYER, PAYEE,
                                tuple(paid), provider_adjustments=plb, provider_id="1234567893",
                                fiscal_period_end=dt.date(2025, 12, 31)))
    return write_835(payments, sender_id="ACME01", receiver_id="MAPLE", control_number=14,
                     created=dt.datetime(2025, 11, 3, 9, 30))


def test_a_generated_file_of_ten_thousand_claims(monkeypatch: pytest.MonkeyPatch,
                                                  tmp_path: Path) -> None:
    text = generated(10_000)
    path = tmp_path / "big.835"
    path.write_text(text)
    assert same(monkeypatch, lambda: read_835(path)) == [True]
    ra = read_835(path)
    # counted apart, with a split of its own
    segments = [s.split("*") for s in text.replace("\n", "").split("~") if s]
    clp = [s for s in segments if s[0] == "CLP"]
    assert len(ra.claims) == len(clp) == 10_000
    assert ra.claims["paid_cents"].sum() == sum(int(Decimal(s[4]) * 100) for s in clp)
    assert len(ra.service_lines) == sum(s[0] == "SVC" for s in segments)
    assert ra.adjustments["amount_cents"].sum() == sum(
        int(Decimal(s[k]) * 100) for s in segments if s[0] == "CAS"
        for k in range(3, len(s), 3))
    remarks = ra.service_lines["remark_codes"].dropna().str.split(";").explode()
    assert sorted(remarks) == sorted(s[2] for s in segments if s[0] == "LQ")
    assert ra.service_lines["modifiers"].fillna("").str.count("GT").sum() == sum(
        s[1].split(":")[2:].count("GT") for s in segments if s[0] == "SVC")
    assert ra.warnings.empty and ra.balance_errors.empty and ra.quarantined.empty
    # in a folder with small files (read by the walk) before and after: keys run on
    (tmp_path / "a.835").write_text(simple())
    (tmp_path / "c.835").write_text(simple())
    assert same(monkeypatch, lambda: read_835(tmp_path)) == [True, True, True]


# ---- input the walk reads with a liberty or refuses: the same warnings and errors -------------

ODD = {
    "empty CLP04": replaced("CLP*A1*1*200.00*150.00*30.00*12*PCN1*11*1",
                            "CLP*A1*1*200.00**30.00*12*PCN1*11*1"),
    "empty SVC03": replaced("SVC*HC:80053*80.00*60.00**2", "SVC*HC:80053*80.00***2"),
    "SVC01 without components": replaced("SVC*HC:80053*80.00*60.00**2",
                                         "SVC*80053*80.00*60.00**2"),
    "SVC01 split over two elements": replaced("SVC*HC:80053*80.00*60.00**2",
                                              "SVC*HC*80053*80.00*60.00**2"),
    "SVC with too many elements": replaced("SVC*HC:80053*80.00*60.00**2",
                                           "SVC*HC:80053*80.00*60.00**2***1*9"),
    "LQ before any SVC": [*BODY[:8], "LQ*HE*N1", *BODY[8:]],
    "unknown segment in a claim": [*BODY[:9], "ZZZ*1", *BODY[9:]],
    "empty segment": [*BODY[:9], "", *BODY[9:]],
    "claim data before the header": [BODY[7], *BODY[:7], *BODY[8:]],
    "bad amount": replaced("CAS*CO*45*10.00", "CAS*CO*45*1O.00"),
    "unbalanced line": replaced("SVC*HC:99213:25*120.00*90.00**1",
                                "SVC*HC:99213:25*120.00*91.00**1"),
    "unbalanced transaction": replaced("CLP*A1*1*200.00*150.00*30.00*12*PCN1*11*1",
                                       "CLP*A1*1*200.00*140.00*30.00*12*PCN1*11*1"),
    "bad date": replaced("DTM*472*20240105", "DTM*472*20240231"),
    "no BPR": BODY[1:],
    "CAS at the header": [*BODY[:2], "CAS*CO*45*1.00", *BODY[2:]],
    "SVC before any CLP": [*BODY[:7], BODY[12], *BODY[7:]],
    "second BPR": [*BODY[:7], BODY[0], *BODY[7:]],
    "PLB and LX between claims": [*BODY[:13], "PLB*1234567893*20241231*L6:X*-1.00",
                                  "LX*2", *BODY[13:]],
}


@pytest.mark.parametrize("strict", [False, True])
@pytest.mark.parametrize("case", sorted(ODD))
def test_odd_input_gives_the_same_warnings_and_errors(
        monkeypatch: pytest.MonkeyPatch, case: str, strict: bool) -> None:
    data = simple(ODD[case]).encode("ascii")
    same(monkeypatch, lambda: parse_835(data, "odd.835", strict=strict))


@pytest.mark.parametrize("case", [
    "wrong SE count", "ISA of 105 characters", "truncated", "cut after SE", "IEA missing",
    "Latin-1",
    "UTF-8 name", "CLP outside a transaction", "not 835", "blank end",
])
def test_odd_files_give_the_same_warnings_and_errors(
        monkeypatch: pytest.MonkeyPatch, case: str) -> None:
    text = simple()
    se = f"SE*{len(BODY) + 2}*0001"
    data = {
        "wrong SE count": text.replace(se, f"SE*{len(BODY)}*0001"),
        "ISA of 105 characters": text.replace("*SENDER         *", "*SENDER        *", 1),
        "truncated": text[:text.index("CAS*PR*2*20.00")] + "CAS*PR*2*2",
        "cut after SE": text[:text.index(se)] + "SE*2",
        "IEA missing": text[:text.index("IEA*")],
        "Latin-1": text.replace("DOE", "D\xd6E"),
        "UTF-8 name": text.replace("DOE", "D\xd6E"),
        "CLP outside a transaction": text.replace("GE*1*1~", "CLP*X*1*1*1~GE*1*1~"),
        "not 835": text.replace("ST*835*0001", "ST*837*0001"),
        "blank end": text + "  \r\n\x1a",
    }[case]
    encoded = data.encode("latin-1" if case == "Latin-1" else "utf-8")
    for strict in (False, True):
        used = same(monkeypatch, lambda strict=strict: parse_835(encoded, "odd.835",
                                                                 strict=strict))
        # read in columns unless the walk refuses it, or reads it leniently in its columns
        envelope_fault = case in ("wrong SE count", "ISA of 105 characters", "IEA missing",
                                  "cut after SE")
        assert used == [case in ("UTF-8 name", "blank end") or (envelope_fault and not strict)]


# ---- dates a column at a time --------------------------------------------------------------


def test_dates_are_read_as_pandas_reads_them() -> None:
    # pandas.to_datetime(format='%Y%m%d', errors='coerce') is the independent method: the same
    # NaT for impossible dates, the same values; a day datetime64[ns] cannot hold is NaT (a cast
    # of pandas' microsecond value to nanoseconds would wrap it: 99991231 to 1816-03-29)
    rng = random.Random(8)
    texts = ["20240229", "20230229", "19000229", "20000229", "16770921", "16770922",
             "22620411", "22620412", "00000101", "99991231", "20241301", "20240100",
             "20240431", "19700101", "2024022", "2024-1-1", "", "abcdefgh", "202402290",
             *(f"{rng.randint(0, 99_999_999):08d}" for _ in range(5_000)),
             *(f"{rng.randint(1600, 2300)}{rng.randint(0, 13):02d}{rng.randint(0, 32):02d}"
               for _ in range(20_000))]
    arr = pa.array(texts)
    shaped = pc.match_substring_regex(arr, r"^\d{8}$").to_numpy(zero_copy_only=False)
    parsed = pd.to_datetime(pd.Series(texts), format="%Y%m%d", errors="coerce")
    held = parsed.between(pd.Timestamp("1677-09-22"), pd.Timestamp("2262-04-11"))
    want = parsed.where(held).to_numpy("datetime64[ns]")
    got = ccyymmdd(arr, shaped)
    assert np.array_equal(got[shaped], want[shaped], equal_nan=True)
    assert np.isnat(got[~shaped]).all()
    assert got[0] == np.datetime64("2024-02-29") and np.isnat(got[1])
    assert np.isnat(got[[4, 9]]).all() and got[5] == np.datetime64("1677-09-22")
    assert got[6] == np.datetime64("2262-04-11") and np.isnat(got[7])
    assert (~np.isnat(got)).sum() > 10_000  # most of the second kind exist
