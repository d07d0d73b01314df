"""Tests of pracops.x12, the 835 reader.

Expected values are worked out by hand from the files (the arithmetic is in the comments), or
come from an independent tiny splitter written here, never from the reader's own output.
"""

from __future__ import annotations

import multiprocessing
import os
import re
import signal
import subprocess
import sys
import time
from decimal import Decimal
from pathlib import Path

import numpy as np
import pandas as pd
import psutil
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from pracops.errors import X12Error
from pracops.money import to_cents
from pracops.processes import die_with_parent
from pracops.x12 import PATIENT_COLUMNS, parse_835, read_835
from pracops.x12 import read as x12_read
from pracops.x12.parallel import split_in_chunks

# The public samples, copied with their README (sources and licences) from shared/x12-samples.
SAMPLES = Path(__file__).parent / "fixtures" / "x12"

# ---- a tiny, independent 835 writer for the tests -------------------------------------------

ISA = ("ISA*00*          *00*          *ZZ*SENDER         *ZZ*RECEIVER       *240131*1200*^*"
       "00501*{control}*0*P*:")

BODY = [  # one balanced claim with two lines; segment numbers: ISA 1, GS 2, ST 3, BPR 4 …
    "BPR*I*150.00*C*ACH*CCP*01*999999999*DA*123456*1512345678**01*999988880*DA*98765*20240131",
    "TRN*1*TRACE1*1512345678",
    "N1*PR*ACME HEALTH PLAN*XV*12345",
    "REF*2U*PAYER2U",
    "N1*PE*MAPLE CLINIC*XX*1234567893",
    "REF*TJ*123456789",
    "LX*1",
    "CLP*A1*1*200.00*150.00*30.00*12*PCN1*11*1",   # 11: 200 − (10 + 20 + 10 + 6 + 4) = 150
    "NM1*QC*1*DOE*JANE****MI*M123",
    "NM1*82*1*SMITH*ANN****XX*1999999984",
    "DTM*232*20240105",
    "DTM*233*20240106",
    "SVC*HC:99213:25*120.00*90.00**1",             # 16: 120 − (10 + 20) = 90
    "DTM*472*20240105",
    "CAS*CO*45*10.00",                             # 18
    "CAS*PR*2*20.00",                              # 19
    "REF*6R*L1",
    "AMT*B6*110.00",
    "SVC*HC:80053*80.00*60.00**2",                 # 22: 80 − (10 + 6 + 4) = 60
    "DTM*472*20240105",
    "CAS*CO*45*10.00",
    "CAS*PR*3*6.00**2*4.00",                       # 25: two triplets in one CAS
    "AMT*B6*70.00",                                # 26
    "LQ*HE*N130",                                  # 27; SE 28: ST … SE is 26 segments
]


def transaction(control: str, body: list[str]) -> list[str]:
    return [f"ST*835*{control}", *body, f"SE*{len(body) + 2}*{control}"]


def interchange(*groups: list[list[str]], control: str = "000000001") -> list[str]:
    """Segments of one interchange; each group is a list of transactions."""
    out = [ISA.format(control=control)]
    for g, group in enumerate(groups, 1):
        out.append(f"GS*HP*SENDER*RECEIVER*20240131*1200*{g}*X*005010X221A1")
        for tx in group:
            out += tx
        out.append(f"GE*{len(group)}*{g}")
    out.append(f"IEA*{len(groups)}*{control}")
    return out


def render(segments: list[str], *, element: str = "*", component: str = ":",
           repetition: str = "^", terminator: str = "~", after: str = "") -> str:
    text = "".join(s + terminator + after for s in segments)
    return text.translate(str.maketrans({"*": element, ":": component, "^": repetition}))


def simple(body: list[str] | None = None) -> str:
    return render(interchange([transaction("0001", BODY if body is None else body)]))


def replaced(old: str, new: str) -> list[str]:
    body = list(BODY)
    body[body.index(old)] = new
    return body


def tiny_split(path: Path) -> dict[str, object]:
    """An independent count of a sample: split on '~', no envelope logic at all."""
    segs = [s for s in path.read_text().replace("\r", "").replace("\n", "").split("~") if s]
    clp = [s.split("*") for s in segs if s.startswith("CLP*")]
    bpr = [s.split("*") for s in segs if s.startswith("BPR*")]
    return {
        "claims": len(clp),
        "clp04": sum(int(Decimal(c[4]) * 100) for c in clp),
        "bpr02": sum(int(Decimal(b[2]) * 100) for b in bpr),
        "lines": sum(s.startswith("SVC*") for s in segs),
    }


# ---- the sample files: hand-checked totals ---------------------------------------------------

# file: (claims, ΣCLP04 cents, BPR02 cents, service lines, adjustment rows, ΣCAS cents,
#        ΣPLB cents, balance errors)
HAND_CHECKED = {
    # CLP04 1922.86 = CLP03 2100.00 − (CO42 34.60 + PR2 117.54 + PR3 25.00 = 177.14);
    # lines 1210.00 − 152.14 = 1057.86, 890.00 − 25.00 = 865.00, and a third SVC whose
    # SVC02/SVC03 are empty (read as 0 − 0 = 0); BPR02 1922.86.
    "eps-blue_cross_nc_sample.txt": (1, 192286, 192286, 3, 3, 17714, 0, 0),
    # CLP04 34.25 + 0 + 11.50 = 45.75 = BPR02; lines 4 + 2 + 4 = 10;
    # CAS CO29 12 + CO29 22 + CO251 2.75 + CO251 20 = 56.75; claim 2: 34 − 34 = 0,
    # claim 3: 34.25 − 22.75 = 11.50.
    "eps-emedny_sample.txt": (3, 4575, 4575, 10, 4, 5675, 0, 0),
    # CLP04 88.92 + 261.07 = 349.99 = BPR02; lines 2 + 3;
    # CAS 67.50 + 105.26 + 79.60 = 252.36 (341.28 − 252.36 = 88.92) and
    # 255.72 + 5.13 + 110.00 + 184.32 = 555.17 (816.24 − 555.17 = 261.07): 807.53.
    "eps-united_healthcare_legacy_sample.txt": (2, 34999, 34999, 5, 7, 80753, 0, 0),
    # CLP04 34.00 = 541.00 − (OA23 516.00 + OA94 −9.00 = 507.00) = BPR02.
    "lfh-cob-contractural-adjustment.835": (1, 3400, 3400, 1, 2, 50700, 0, 0),
    # CLP04 450 + 495 = 945 = BPR02; CAS 50 + 300 (800 − 350 = 450) and 55 + 600 + 50
    # (1200 − 705 = 495): 1055. Against the lines, with the claim-level CO A2 only:
    # SVC03 500 − 50 = 450 and 550 − 55 = 495.
    "lfh-managed-care.835": (2, 94500, 94500, 2, 5, 105500, 0, 0),
    # CLP04 138018.40 + 11980.33 = 149998.73; PLB CV −1.27; BPR02 = 149998.73 − (−1.27)
    # = 150000.00; CAS 73348.57 + 3019.67 = 76368.24; no SVC.
    "lfh-medicare-part-a.835": (2, 14999873, 15000000, 0, 2, 7636824, -127, 0),
    # CLP04 912 + 310 = 1222 = BPR02; CAS 9411.64 + (136.50 + 150 + 70 + 85 = 441.50):
    # 9853.14; 10323.64 − 9411.64 = 912, 751.50 − 441.50 = 310.
    "lfh-secondary-payment.835": (2, 122200, 122200, 2, 5, 985314, 0, 0),
    # CLP04 187.50 = 1766.50 − OA23 1579.00 = BPR02 (once SVC01 HC*24599.00 is read as one
    # composite, the line is 1766.50 − 1579.00 = 187.50 too).
    "lfh-tertiary-payment.835": (1, 18750, 18750, 1, 1, 157900, 0, 0),
}


@pytest.mark.parametrize("name", sorted(HAND_CHECKED))
def test_sample_totals_are_the_hand_checked_ones(name: str) -> None:
    claims, clp04, bpr02, lines, n_adj, cas, plb, errors = HAND_CHECKED[name]
    ra = read_835(SAMPLES / name)
    assert len(ra.claims) == claims
    assert ra.claims["paid_cents"].sum() == clp04
    assert ra.payments["total_paid_cents"].sum() == bpr02
    assert len(ra.service_lines) == lines
    assert len(ra.adjustments) == n_adj
    assert ra.adjustments["amount_cents"].sum() == cas
    assert ra.provider_adjustments["amount_cents"].sum() == plb
    assert len(ra.balance_errors) == errors
    assert len(ra.payments) == 1


@pytest.mark.parametrize("name", sorted(HAND_CHECKED))
def test_sample_totals_agree_with_an_independent_split(name: str) -> None:
    expected = tiny_split(SAMPLES / name)
    ra = read_835(SAMPLES / name)
    assert len(ra.claims) == expected["claims"]
    assert ra.claims["paid_cents"].sum() == expected["clp04"]
    assert ra.payments["total_paid_cents"].sum() == expected["bpr02"]
    assert len(ra.service_lines) == expected["lines"]


def test_sample_directory_reads_every_file_and_quarantines_the_readme() -> None:
    ra = read_835(SAMPLES)
    assert [Path(f).name for f in ra.files] == sorted(HAND_CHECKED)
    assert ra.claims["claim_seq"].tolist() == list(range(1, 15))  # 1+3+2+1+2+2+2+1 claims
    assert ra.payments["payment_seq"].tolist() == list(range(1, 9))
    q = ra.quarantined
    assert [Path(f).name for f in q["file"]] == ["README.md"]
    assert q["reason"].iloc[0].startswith("not an X12 file") and pd.isna(q["paid_cents"].iloc[0])
    # strict: a directory entry that is not X12 is skipped with a warning, as it always was
    strict = read_835(SAMPLES, strict=True)
    assert strict.quarantined.empty
    assert ("README.md", "skipped: does not start like an X12 file") in [
        (Path(f).name, m) for f, m in zip(strict.warnings["file"], strict.warnings["message"],
                                          strict=True)]


def test_sample_warnings_say_what_was_read_leniently() -> None:
    w = read_835(SAMPLES).warnings
    found = {(Path(f).name, None if pd.isna(n) else int(n)): m
             for f, n, m in zip(w["file"], w["segment_number"], w["message"], strict=True)}
    assert found[("eps-blue_cross_nc_sample.txt", None)].startswith("no ISA envelope")
    assert "SE01 says '33' segments, the transaction has 32" in found[
        ("eps-blue_cross_nc_sample.txt", 32)]  # ST … SE really is 32 segments
    assert "BPR15 holds a date" in found[("lfh-cob-contractural-adjustment.835", 4)]
    assert "'>'" in found[("lfh-secondary-payment.835", 29)]
    assert "only the qualifier 'HC'" in found[("lfh-tertiary-payment.835", 20)]
    assert "BPR16 is not a date" in found[("lfh-managed-care.835", 4)]  # 20002316
    assert "20002316" not in found[("lfh-managed-care.835", 4)]  # dates are never quoted
    # the files that need no leniency give none
    assert not [k for k in found if k[0] in ("eps-emedny_sample.txt",
                                             "eps-united_healthcare_legacy_sample.txt",
                                             "lfh-medicare-part-a.835")]


def test_united_healthcare_fields() -> None:
    ra = read_835(SAMPLES / "eps-united_healthcare_legacy_sample.txt")
    p = ra.payments.iloc[0]
    assert (p["payer_name"], p["payer_id"], p["payer_ref_2u"]) == (
        "UNITED HEALTHCARE INSURANCE COMPANY", "87726", "87726")
    assert (p["payee_npi"], p["payee_tin"], p["trace_number"], p["trace_payer_id"]) == (
        "1922164458", "333333333", "1234567890", "1234567890")
    assert (p["isa_control"], p["gs_control"], p["st_control"]) == (
        "444444444", "444444444", "000000064")
    assert p["payment_date"] == pd.Timestamp("2021-02-04")
    assert ra.claims["patient_resp_cents"].tolist() == [10526, 11513]  # 105.26; 5.13 + 110
    assert ra.claims["filing_indicator"].tolist() == ["16", "16"]  # CLP06
    assert ra.claims["received_date"].tolist() == [pd.Timestamp("2021-01-14")] * 2
    svc = ra.service_lines
    assert svc["procedure_code"].tolist() == ["B4152", "B4152", "B4154", "B4034", "B4154"]
    assert svc["units"].tolist() == [234.0, 277.0, 249.0, 12.0, 178.0]
    assert svc["allowed_cents"].tolist() == [8892, 10526, 20418, 2784, 14418]
    assert svc["line_control_number"].iloc[0] == "800941258001"
    # CAS*PR*2*5.13**1*110: two triplets of one segment, the second without quantity
    third = ra.adjustments[ra.adjustments["line_seq"] == 5]
    assert third[["group_code", "reason_code", "amount_cents"]].values.tolist() == [
        ["PR", "2", 513], ["PR", "1", 11000], ["CO", "45", 18432]]


def test_emedny_fields() -> None:
    ra = read_835(SAMPLES / "eps-emedny_sample.txt")
    assert ra.claims["status_meaning"].tolist() == [
        "processed as primary", "processed as secondary", "processed as secondary"]
    svc = ra.service_lines
    assert svc["modifiers"].tolist()[:3] == ["RB", "RB", "RB"]
    assert svc["units"].tolist() == [1, 1, 1, 2, 0, 0, 1, 1, 0, 0]  # SVC05 "0" stays 0
    assert svc["remark_codes"].fillna("").tolist() == [""] * 8 + ["N206", "N206"]
    assert svc["service_date"].iloc[5] == pd.Timestamp("2010-01-01")
    assert svc["service_date"].iloc[7] == pd.Timestamp("2013-09-17")
    assert ra.claims["patient_member_id"].tolist() == ["LL99999L", "LL88888L", "LL77777L"]


def test_medicare_part_a_plb_and_claim_level_cas() -> None:
    ra = read_835(SAMPLES / "lfh-medicare-part-a.835")
    plb = ra.provider_adjustments.iloc[0]
    assert (plb["provider_id"], plb["reason_code"], plb["reference_id"], plb["amount_cents"]) \
        == ("6543210903", "CV", "CP", -127)
    assert plb["fiscal_period_date"] == pd.Timestamp("2002-12-31")
    assert ra.adjustments["level"].tolist() == ["claim", "claim"]
    assert ra.adjustments["line_seq"].isna().all()
    assert ra.payments["handling_code"].iloc[0] == "C"
    assert ra.payments["payer_ref_2u"].iloc[0] == "999"


def test_repaired_service_composites() -> None:
    sec = read_835(SAMPLES / "lfh-secondary-payment.835").service_lines
    assert sec[["procedure_qualifier", "procedure_code", "modifiers", "revenue_code"]
               ].fillna("").values.tolist() == [["HC", "12345", "26", ""],
                                                ["HC", "66543", "26", "220"]]
    ter = read_835(SAMPLES / "lfh-tertiary-payment.835").service_lines.iloc[0]
    assert (ter["procedure_code"], ter["charge_cents"], ter["paid_cents"], ter["units"]) == (
        "24599.00", 176650, 18750, 1.0)


def test_extract_without_isa_has_no_envelope_numbers() -> None:
    ra = read_835(SAMPLES / "eps-blue_cross_nc_sample.txt")
    assert ra.payments["isa_control"].isna().all() and ra.payments["gs_control"].isna().all()
    assert ra.payments["st_control"].tolist() == ["1234"]
    assert ra.claims["patient_last_name"].tolist() == ["Dough"]


# ---- the balanced test interchange ------------------------------------------------------------


def test_reads_every_field_of_a_known_interchange() -> None:
    ra = parse_835(simple(), name="t.835")
    p = ra.payments.iloc[0]
    assert (p["total_paid_cents"], p["credit_debit_flag"], p["payment_method"],
            p["payment_format"]) == (15000, "C", "ACH", "CCP")
    assert (p["payer_name"], p["payer_id_qualifier"], p["payer_id"], p["payer_ref_2u"]) == (
        "ACME HEALTH PLAN", "XV", "12345", "PAYER2U")
    assert (p["payee_name"], p["payee_npi"], p["payee_tin"]) == (
        "MAPLE CLINIC", "1234567893", "123456789")
    assert (p["isa_control"], p["gs_control"], p["st_control"], p["claim_count"]) == (
        "000000001", "1", "0001", 1)
    c = ra.claims.iloc[0]
    assert (c["claim_id"], c["status"], c["charge_cents"], c["paid_cents"],
            c["patient_resp_cents"], c["payer_claim_number"], c["facility_code"],
            c["claim_frequency"], c["line_count"]) == ("A1", "1", 20000, 15000, 3000, "PCN1",
                                                       "11", "1", 2)
    assert (c["rendering_npi"], c["statement_start_date"], c["statement_end_date"]) == (
        "1999999984", pd.Timestamp("2024-01-05"), pd.Timestamp("2024-01-06"))
    assert c[list(PATIENT_COLUMNS)].tolist() == ["DOE", "JANE", "M123"]
    s = ra.service_lines
    assert s["charge_cents"].tolist() == [12000, 8000]
    assert s["paid_cents"].tolist() == [9000, 6000]
    assert s["modifiers"].tolist() == ["25", pd.NA]
    assert s["units"].tolist() == [1.0, 2.0]
    assert s["allowed_cents"].tolist() == [11000, 7000]
    assert s["line_control_number"].tolist() == ["L1", pd.NA]
    assert s["remark_codes"].tolist() == [pd.NA, "N130"]
    a = ra.adjustments
    assert a[["line_number", "group_code", "reason_code", "amount_cents"]].values.tolist() == [
        [1, "CO", "45", 1000], [1, "PR", "2", 2000], [2, "CO", "45", 1000],
        [2, "PR", "3", 600], [2, "PR", "2", 400]]
    assert ra.balance_errors.empty and ra.warnings.empty and ra.quarantined.empty


EXPECTED_DTYPES = {
    "payments": {"payment_seq": "int64", "total_paid_cents": "int64", "payment_date":
                 "datetime64[ns]", "payer_name": "string", "claim_count": "int64"},
    "claims": {"claim_seq": "int64", "charge_cents": "int64", "paid_cents": "int64",
               "patient_resp_cents": "int64", "statement_start_date": "datetime64[ns]",
               "patient_last_name": "string", "status_meaning": "string"},
    "service_lines": {"charge_cents": "int64", "allowed_cents": "Int64", "units": "float64",
                      "service_date": "datetime64[ns]", "remark_codes": "string"},
    "adjustments": {"claim_seq": "int64", "line_seq": "Int64", "amount_cents": "int64",
                    "quantity": "float64", "level": "string"},
    "provider_adjustments": {"amount_cents": "int64", "fiscal_period_date": "datetime64[ns]",
                             "reference_id": "string"},
    "balance_errors": {"rule": "string", "expected_cents": "int64", "actual_cents": "int64",
                       "difference_cents": "int64", "claim_seq": "Int64",
                       "line_number": "Int64"},
}


@pytest.mark.parametrize("frames", ["full", "empty"])
def test_every_frame_has_its_dtypes_even_when_empty(frames: str) -> None:
    body = BODY if frames == "full" else [
        "BPR*I*0*C*NON************20240131", "TRN*1*T0*1512345678"]
    ra = parse_835(simple(body))
    for name, dtypes in EXPECTED_DTYPES.items():
        frame = getattr(ra, name)
        assert {c: str(frame[c].dtype) for c in dtypes} == dtypes, name
    if frames == "empty":
        assert ra.claims.empty and ra.service_lines.empty and ra.adjustments.empty
        assert ra.payments["total_paid_cents"].tolist() == [0]


# ---- delimiters, line breaks, several interchanges and files ----------------------------------


def _comparable(ra: object) -> list[pd.DataFrame]:
    return [getattr(ra, n).drop(columns="file") for n in
            ("payments", "claims", "service_lines", "adjustments", "balance_errors")]


def _wrap(text: str, width: int = 80) -> str:
    return "\r\n".join(text[i:i + width] for i in range(0, len(text), width)) + "\r\n"


@pytest.mark.parametrize("variant", [
    {"after": "\n"}, {"after": "\r\n"}, {"terminator": "\n"}, {"terminator": "\r\n"},
    {"element": "|", "component": ">", "terminator": "'"},
    {"element": "\x1d", "component": "\x1f", "repetition": "\x1e", "terminator": "\x1c"},
    {"wrap": 80}, {"wrap": 80, "after": "\r\n"}, {"wrap": 37},
])
def test_delimiters_and_line_breaks_give_the_same_frames(variant: dict) -> None:
    segments = interchange([transaction("0001", BODY)])
    base = parse_835(render(segments))
    width = variant.pop("wrap", None)
    text = render(segments, **variant)
    if width:
        text = _wrap(text.replace("\r\n", ""), width) if variant.get("after") else _wrap(
            text, width)
    ra = parse_835(text.encode("ascii"))
    for got, want in zip(_comparable(ra), _comparable(base), strict=True):
        pd.testing.assert_frame_equal(got, want)
    assert ra.warnings.empty


def test_wrapped_file_really_has_breaks_inside_the_isa() -> None:
    text = _wrap(simple())
    assert text.index("\r\n") == 80 < 106  # the first break falls inside the ISA
    assert len(parse_835(text).claims) == 1


def test_several_interchanges_groups_and_transactions_in_one_file() -> None:
    first = interchange([transaction("0001", BODY), transaction("0002", BODY)],
                        [transaction("0003", BODY)], control="000000001")
    second = interchange([transaction("0001", BODY)], control="000000002")
    ra = parse_835(render(first) + "\n" + render(second))
    p = ra.payments
    assert p["isa_control"].tolist() == ["000000001"] * 3 + ["000000002"]
    assert p["gs_control"].tolist() == ["1", "1", "2", "1"]
    assert p["st_control"].tolist() == ["0001", "0002", "0003", "0001"]
    assert p["payment_seq"].tolist() == [1, 2, 3, 4]
    assert ra.claims["claim_seq"].tolist() == [1, 2, 3, 4]
    assert ra.claims["payment_seq"].tolist() == [1, 2, 3, 4]
    assert ra.service_lines["line_seq"].tolist() == list(range(1, 9))
    assert ra.adjustments["line_seq"].tolist() == [1, 1, 2, 2, 2, 3, 3, 4, 4, 4, 5, 5, 6, 6, 6,
                                                   7, 7, 8, 8, 8]
    # the second transaction starts 26 segments (the first ST … SE) after the first
    assert ra.claims["segment_number"].tolist()[:2] == [11, 11 + 26]
    assert ra.payments["total_paid_cents"].sum() == 4 * 15000
    assert ra.balance_errors.empty


def test_several_files_by_list_directory_and_glob(tmp_path: Path) -> None:
    (tmp_path / "a.835").write_text(simple())
    (tmp_path / "b.835").write_text(render(interchange(
        [transaction("0007", BODY), transaction("0008", BODY)])))
    (tmp_path / "notes.txt").write_text("not an ERA")
    by_list = read_835([tmp_path / "a.835", tmp_path / "b.835"])
    by_dir = read_835(tmp_path, pattern="*.835")
    by_glob = read_835(str(tmp_path / "*.835"))
    for ra in (by_list, by_dir, by_glob):
        assert [Path(f).name for f in ra.files] == ["a.835", "b.835"]
        assert ra.claims["claim_seq"].tolist() == [1, 2, 3]
        assert ra.claims["payment_seq"].tolist() == [1, 2, 3]
        assert ra.service_lines["line_seq"].tolist() == [1, 2, 3, 4, 5, 6]
        assert [Path(f).name for f in ra.claims["file"]] == ["a.835", "b.835", "b.835"]
        assert ra.claims["st_control"].tolist() == ["0001", "0007", "0008"]
        assert ra.adjustments["claim_seq"].tolist() == [1] * 5 + [2] * 5 + [3] * 5
    everything = read_835(tmp_path)
    assert [Path(f).name for f in everything.quarantined["file"]] == ["notes.txt"]
    assert everything.warnings.empty
    assert read_835(tmp_path / "notes.txt").quarantined["reason"].str.startswith(
        "not an X12 file").tolist() == [True]
    with pytest.raises(X12Error, match="not an X12 file"):
        read_835(tmp_path / "notes.txt", strict=True)
    for strict in (False, True):
        with pytest.raises(X12Error, match="no such file"):
            read_835(tmp_path / "missing.835", strict=strict)


def test_files_built_in_runs_read_the_same(monkeypatch: pytest.MonkeyPatch) -> None:
    # Rows of consecutive files are turned into frames together, a run at a time; a run per
    # file must give the same frames, keys and warnings (in file, then segment, order).
    together = read_835(SAMPLES)  # the README is quarantined
    monkeypatch.setattr("pracops.x12.batch.BATCH_SEGMENTS", 1)
    one_by_one = read_835(SAMPLES)
    assert len(together.files) == 8 and len(together.warnings)
    assert one_by_one.files == together.files
    for frame in ("payments", "claims", "service_lines", "adjustments",
                  "provider_adjustments", "supplemental_amounts", "balance_errors", "warnings",
                  "quarantined"):
        pd.testing.assert_frame_equal(getattr(one_by_one, frame), getattr(together, frame))


FRAMES = ("payments", "claims", "service_lines", "adjustments", "provider_adjustments",
          "supplemental_amounts", "balance_errors", "warnings", "quarantined")


def _era_folder(folder: Path) -> Path:
    """The samples (with their README, skipped with a warning) and generated files around
    them: several transactions per file, a line and a claim that do not balance, an
    unknown segment (a warning)."""
    for sample in SAMPLES.iterdir():
        (folder / sample.name).write_bytes(sample.read_bytes())
    unbalanced = replaced("SVC*HC:99213:25*120.00*90.00**1", "SVC*HC:99213:25*120.00*91.00**1")
    for i in range(5):
        txs = [transaction(f"{t:04d}", unbalanced if t == i else BODY) for t in range(i + 1)]
        (folder / f"{'az'[i % 2]}{i}.835").write_text(render(interchange(txs)))
    (folder / "m.835").write_text(simple([*BODY, "ZZZ*1"]))
    return folder


@pytest.mark.parametrize("jobs", [2, 3])
def test_files_read_in_parallel_read_the_same(tmp_path: Path, jobs: int) -> None:
    folder = _era_folder(tmp_path)
    paths = x12_read._paths(folder, "*")
    chunks = split_in_chunks(paths, [x12_read._size(p) for p, _ in paths], jobs)
    assert len(chunks) == jobs and sum(chunks, []) == paths  # really split, in order
    one, many = read_835(folder, jobs=1), read_835(folder, jobs=jobs)
    assert len(one.files) == 14 and len(one.balance_errors) > 4
    assert [Path(f).name for f in one.quarantined["file"]] == ["README.md"]
    assert (one.warnings["segment_id"] == "ZZZ").any()
    assert many.files == one.files
    for frame in FRAMES:
        pd.testing.assert_frame_equal(getattr(many, frame), getattr(one, frame))
    # the keys run 1, 2, 3 … across the chunks
    assert many.service_lines["line_seq"].tolist() == list(range(1, len(many.service_lines) + 1))


def test_first_error_in_file_order_with_jobs(tmp_path: Path) -> None:
    # each file is a chunk: the first read here, the second by a worker process
    good, bad, cut = tmp_path / "good.835", tmp_path / "bad.835", tmp_path / "cut.835"
    good.write_text(simple())
    bad.write_text(simple(replaced("CLP*A1*1*200.00*150.00*30.00*12*PCN1*11*1",
                                   "CLP*A1*1*2O0.00*150.00*30.00*12*PCN1*11*1")))
    cut.write_text(simple()[:200])
    with pytest.raises(X12Error, match=r"bad\.835, segment 11 \(CLP\): CLP03 '2O0.00' is not"):
        read_835([bad, cut], jobs=2, strict=True)
    with pytest.raises(X12Error, match=r"cut\.835.*truncated"):
        read_835([cut, bad], jobs=2, strict=True)
    with pytest.raises(X12Error) as caught:  # from the worker, with all its fields
        read_835([good, bad], jobs=2, strict=True)
    assert (caught.value.file, caught.value.segment_number, caught.value.segment_id) == (
        str(bad), 11, "CLP")
    with pytest.raises(X12Error, match=r"cut\.835.*truncated"):
        read_835([good, cut], jobs=2, strict=True)
    with pytest.raises(ValueError, match="jobs"):
        read_835(good, jobs=0)
    # lenient: the same quarantines whether read here or by a worker
    for files in ([good, bad, cut], [cut, good, bad]):
        one, two = read_835(files, jobs=1), read_835(files, jobs=2)
        for frame in FRAMES:
            pd.testing.assert_frame_equal(getattr(two, frame), getattr(one, frame))
        assert sorted(Path(f).name for f in one.quarantined["file"]) == ["bad.835", "cut.835"]
        assert one.payments["total_paid_cents"].tolist() == [15000]


def test_automatic_jobs(monkeypatch: pytest.MonkeyPatch) -> None:
    chunks: list[int] = []
    parallel = x12_read.read_parallel
    monkeypatch.setattr(x12_read, "read_parallel",
                        lambda c, strict: chunks.append(len(c)) or parallel(c, strict))
    alone = read_835(SAMPLES)  # 8 small files: read here, one after the other
    assert chunks == []
    monkeypatch.setattr(x12_read, "_PARALLEL_BYTES", 0)
    monkeypatch.setattr(x12_read.os, "cpu_count", lambda: 2)
    together = read_835(SAMPLES)
    assert chunks == [2]
    for frame in FRAMES:
        pd.testing.assert_frame_equal(getattr(together, frame), getattr(alone, frame))


# A process that reads two files with jobs=2 (the second by a pool worker) and, in its own
# process only, stops inside the first file's reading: it says so by a marker file and sleeps.
_KILLED_READER = """
import os, sys, time
from pathlib import Path
from pracops import x12
from pracops.x12 import parallel
folder, marker = sys.argv[1:]
me, read_files = os.getpid(), parallel.read_files
def stalled(paths, strict):
    if os.getpid() == me:
        Path(marker).touch()
        time.sleep(300)
    return read_files(paths, strict)
parallel.read_files = stalled
x12.read_835(folder, jobs=2)
"""


def _alive(proc: psutil.Process) -> bool:
    try:
        return proc.is_running() and proc.status() != psutil.STATUS_ZOMBIE
    except psutil.NoSuchProcess:
        return False


def test_reader_workers_die_with_a_killed_parent(tmp_path: Path) -> None:
    folder, spool = tmp_path / "era", tmp_path / "spool"
    folder.mkdir()
    spool.mkdir()
    for name in ("lfh-managed-care.835", "lfh-secondary-payment.835"):
        (folder / name).write_bytes((SAMPLES / name).read_bytes())
    marker = tmp_path / "reading"
    env = dict(os.environ, PYTHONPATH=str(Path(__file__).parents[1]), TMPDIR=str(spool))
    proc = subprocess.Popen([sys.executable, "-c", _KILLED_READER, str(folder), str(marker)],
                            env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE,
                            start_new_session=True)
    children: list[psutil.Process] = []
    try:
        deadline = time.monotonic() + 60
        # the worker has read the second file and pickled it to the spool: it now waits on
        # the pool's pipe for work that will never come
        while not (marker.exists() and list(spool.glob("pracops-835-*"))):
            assert proc.poll() is None, proc.communicate(timeout=10)[1]
            assert time.monotonic() < deadline, "the reader did not start its worker in 60 s"
            time.sleep(0.05)
        children = psutil.Process(proc.pid).children(recursive=True)
        assert children  # jobs=2: one worker process
        proc.send_signal(signal.SIGKILL)
        proc.wait(timeout=10)
        deadline = time.monotonic() + 10
        while any(_alive(c) for c in children) and time.monotonic() < deadline:
            time.sleep(0.05)
        assert not [c.pid for c in children if _alive(c)]
    finally:
        for child in children:
            if _alive(child):
                child.kill()
        if proc.poll() is None:
            proc.kill()
            proc.wait(timeout=10)


def test_a_worker_whose_parent_is_gone_exits_at_once() -> None:
    # started as if its parent were another process: the parent it was meant for has gone
    ctx = multiprocessing.get_context("fork" if sys.platform == "linux" else "spawn")
    child = ctx.Process(target=die_with_parent, args=(os.getpid() + 1_000_000,))
    child.start()
    child.join(timeout=10)
    assert child.exitcode == 1


def test_se_without_st() -> None:
    # a second SE would close the transaction again (and count its payment twice)
    text = simple()
    se = next(s for s in text.split("~") if s.startswith("SE*"))
    doubled = text.replace(se + "~", se + "~" + se + "~")
    with pytest.raises(X12Error, match="SE without an ST before it"):
        parse_835(doubled, strict=True)
    ra = parse_835(doubled)  # lenient: ignored with a warning, the payment counted once
    assert ra.payments["total_paid_cents"].tolist() == [15000]
    assert ra.warnings[["segment_number", "segment_id", "message"]].values.tolist() == [
        [29, "SE", "SE without an ST before it; ignored"]]


def test_first_error_in_file_order(tmp_path: Path) -> None:
    # a.835 has a bad amount, found only when the frames are built; b.835 is truncated, found
    # while its segments are walked. The error of the first file wins either way.
    (tmp_path / "a.835").write_text(simple(replaced("CLP*A1*1*200.00*150.00*30.00*12*PCN1*11*1",
                                                    "CLP*A1*1*2O0.00*150.00*30.00*12*PCN1*11*1")))
    (tmp_path / "b.835").write_text(simple()[:200])
    with pytest.raises(X12Error, match=r"a\.835, segment 11 \(CLP\): CLP03 '2O0.00' is not an "
                       "amount"):
        read_835(tmp_path, strict=True)
    with pytest.raises(X12Error, match=r"b\.835.*truncated"):
        read_835([tmp_path / "b.835", tmp_path / "a.835"], strict=True)


# ---- balancing ------------------------------------------------------------------------------


def test_unbalanced_claim_without_claim_id() -> None:
    # CLP01 empty and CLP04 10.00 short: the claim and the transaction break their rules; the
    # balance error has no claim id (this used to fail inside pyarrow on <NA>)
    text = simple(replaced("CLP*A1*1*200.00*150.00*30.00*12*PCN1*11*1",
                           "CLP**1*200.00*140.00*30.00*12*PCN1*11*1"))
    ra = parse_835(text, strict=True)  # strict lists the transaction error, as it always did
    errors = ra.balance_errors
    assert errors["rule"].tolist() == ["transaction", "claim", "claim_lines"]
    assert errors["claim_id"].isna().all()
    # BPR02 150.00 against Σ CLP04 140.00; CLP04 140.00 against 200.00 − 50.00 and against
    # Σ SVC03 90.00 + 60.00 − no claim-level CAS
    assert errors["difference_cents"].tolist() == [1000, -1000, -1000]
    lenient = parse_835(text, name="t.835")  # the transaction does not balance: quarantined
    assert lenient.payments.empty and lenient.claims.empty and lenient.balance_errors.empty
    q = lenient.quarantined.iloc[0]
    assert (q["file"], q["segment_number"], q["paid_cents"]) == ("t.835", 3, 15000)
    assert q["reason"].startswith("transaction '0001' does not balance: BPR02 $150.00 should "
                                  "be Σ CLP04 $140.00 − Σ PLB $0.00 = $140.00")




def test_every_balance_violation_is_reported_not_fixed() -> None:
    body = replaced("SVC*HC:99213:25*120.00*90.00**1", "SVC*HC:99213:25*120.00*91.00**1")
    body[body.index("CLP*A1*1*200.00*150.00*30.00*12*PCN1*11*1")] = (
        "CLP*A1*1*200.00*151.00*30.00*12*PCN1*11*1")
    ra = parse_835(simple(body), strict=True)
    errors = ra.balance_errors
    # transaction: ΣCLP04 151.00 − ΣPLB 0 = 151.00 expected, BPR02 150.00 found
    # claim: CLP03 200.00 − CAS 50.00 = 150.00 expected, CLP04 151.00 found
    # line 1: SVC02 120.00 − CAS 30.00 = 90.00 expected, SVC03 91.00 found
    assert errors["rule"].tolist() == ["transaction", "claim", "line"]
    assert errors["expected_cents"].tolist() == [15100, 15000, 9000]
    assert errors["actual_cents"].tolist() == [15000, 15100, 9100]
    assert errors["difference_cents"].tolist() == [-100, 100, 100]
    assert errors["segment_number"].tolist() == [3, 11, 16]  # ST, CLP, SVC
    assert errors["claim_id"].fillna("").tolist() == ["", "A1", "A1"]
    assert errors["line_number"].fillna(0).tolist() == [0, 0, 1]
    assert "should equal SVC03" in errors["message"].iloc[2]
    assert ra.service_lines["paid_cents"].tolist() == [9100, 6000]  # read as it stands


def test_positive_plb_reduces_the_payment() -> None:
    # ΣCLP04 150.00 − PLB WO 10.00 = 140.00
    balanced = parse_835(simple(replaced(BODY[0], BODY[0].replace("150.00", "140.00"))
                                + ["PLB*1234567893*20241231*WO:CLAIM9*10.00"]))
    assert balanced.balance_errors.empty
    plb = balanced.provider_adjustments.iloc[0]
    assert (plb["reason_code"], plb["reference_id"], plb["amount_cents"]) == (
        "WO", "CLAIM9", 1000)
    unbalanced = simple(BODY + ["PLB*1234567893*20241231*WO:CLAIM9*10.00"])
    assert parse_835(unbalanced, strict=True).balance_errors[
        ["rule", "expected_cents", "actual_cents"]].values.tolist() == [
        ["transaction", 14000, 15000]]
    assert parse_835(unbalanced).quarantined["paid_cents"].tolist() == [15000]


def test_plb_with_several_pairs() -> None:
    # ΣCLP04 150.00 − (WO 10.00 + L6 −2.50 + FB 5.00 = 12.50) = 137.50
    ra = parse_835(simple(replaced(BODY[0], BODY[0].replace("150.00", "137.50"))
                          + ["PLB*1234567893*20241231*WO:X1*10.00*L6*-2.50*FB:X3*5"]))
    assert ra.provider_adjustments[["reason_code", "reference_id", "amount_cents"]
                                   ].fillna("").values.tolist() == [
        ["WO", "X1", 1000], ["L6", "", -250], ["FB", "X3", 500]]
    assert ra.balance_errors.empty


def test_reversal_is_read_as_it_stands() -> None:
    body = ["BPR*I*0*C*NON************20240131", "TRN*1*T9*1512345678", "LX*1",
            "CLP*A1*22*-200.00*-150.00*-30.00*12*PCN1", "CAS*CO*45*-20.00*-1",
            "CAS*PR*2*-30.00", "CLP*A1*1*200.00*150.00*30.00*12*PCN1", "CAS*CO*45*20.00",
            "CAS*PR*2*30.00"]
    ra = parse_835(simple(body))
    assert ra.claims["status_meaning"].tolist() == ["reversal of an earlier payment",
                                                    "processed as primary"]
    assert ra.claims["paid_cents"].tolist() == [-15000, 15000]
    assert ra.adjustments["amount_cents"].tolist() == [-2000, -3000, 2000, 3000]
    assert ra.adjustments["quantity"].iloc[0] == -1.0
    assert ra.balance_errors.empty  # −200 − (−50) = −150; ΣCLP04 = 0 = BPR02


def test_line_rule_only_with_lines_and_claim_rule_counts_line_cas() -> None:
    body = ["BPR*I*90*C*CHK************20240131", "TRN*1*T9*1512345678",
            "CLP*B1*1*100*90**12*PCN2", "CAS*CO*45*10"]  # no SVC: only the claim rule
    assert parse_835(simple(body)).balance_errors.empty


def test_claim_must_pay_what_its_lines_pay() -> None:
    # CLP03 100 − line CAS 20 = 80 = CLP04 and SVC02 120 − 20 = 100 = SVC03 both hold, yet the
    # claim pays 80 and its only line 100: Σ SVC03 100 − claim-level CAS 0 = 100 expected
    body = ["BPR*I*80*C*CHK************20240131", "TRN*1*T9*1512345678",
            "CLP*C1*1*100*80**12*PCN3", "SVC*HC:99213*120*100", "CAS*CO*45*20"]
    ra = parse_835(simple(body), name="c.835")
    errors = ra.balance_errors
    assert errors["rule"].tolist() == ["claim_lines"]
    assert errors[["claim_id", "expected_cents", "actual_cents", "difference_cents",
                   "segment_number"]].values.tolist() == [["C1", 10000, 8000, -2000, 6]]
    assert errors["message"].iloc[0] == ("claim C1: Σ SVC03 of its 1 line(s) $100.00 − claim "
                                         "adjustments $0.00 should equal CLP04")
    # the payment still adds up (BPR02 80 = Σ CLP04 80): read, not quarantined
    assert ra.quarantined.empty and ra.claims["paid_cents"].tolist() == [8000]


def test_claim_level_cas_explains_lines_paying_more_than_the_claim() -> None:
    # a claim-level OA23 of 20 (before the SVC) takes the line's 100 down to the claim's 80:
    # Σ SVC03 100 − 20 = 80 = CLP04; CLP03 120 − (20 + 20) = 80; SVC02 120 − 20 = 100
    body = ["BPR*I*80*C*CHK************20240131", "TRN*1*T9*1512345678",
            "CLP*C1*1*120*80**12*PCN3", "CAS*OA*23*20", "SVC*HC:99213*120*100",
            "CAS*CO*45*20"]
    assert parse_835(simple(body)).balance_errors.empty
    # the same adjustment written on the line instead is counted by the line rule, not here
    moved = ["BPR*I*80*C*CHK************20240131", "TRN*1*T9*1512345678",
             "CLP*C1*1*120*80**12*PCN3", "SVC*HC:99213*120*100", "CAS*CO*45*20",
             "CAS*OA*23*20"]
    assert parse_835(simple(moved)).balance_errors[
        ["rule", "expected_cents", "actual_cents"]].values.tolist() == [
        ["claim_lines", 10000, 8000], ["line", 8000, 10000]]  # CLP, then SVC


# ---- malformed input -------------------------------------------------------------------------


def _error(text: str) -> X12Error:
    """The error strict reading raises; lenient reading quarantines the file for it."""
    with pytest.raises(X12Error) as info:
        parse_835(text, name="bad.835", strict=True)
    assert info.value.file == "bad.835"
    lenient = parse_835(text, name="bad.835")
    assert lenient.quarantined[["file", "reason", "segment_number"]].values.tolist() == [
        ["bad.835", info.value.reason,
         pd.NA if info.value.segment_number is None else info.value.segment_number]]
    assert lenient.payments.empty and lenient.claims.empty and lenient.warnings.empty
    return info.value


def _envelope_fault(text: str) -> tuple[X12Error, pd.DataFrame]:
    """An envelope fault: strict reading raises; lenient reading gives the same money as the
    clean interchange and one warning, at the segment the error names, with its words."""
    with pytest.raises(X12Error) as info:
        parse_835(text, name="env.835", strict=True)
    ra = parse_835(text, name="env.835")
    clean = parse_835(simple())
    for frame in ("payments", "claims", "service_lines", "adjustments"):
        pd.testing.assert_frame_equal(
            getattr(ra, frame).drop(columns=["file", "isa_control", "gs_control"],
                                    errors="ignore"),
            getattr(clean, frame).drop(columns=["file", "isa_control", "gs_control"],
                                       errors="ignore"))
    assert ra.quarantined.empty and ra.balance_errors.empty
    w = ra.warnings
    assert len(w) == 1, w
    assert (w["file"].iloc[0], w["segment_number"].iloc[0]) == (
        "env.835", info.value.segment_number)
    assert w["message"].iloc[0].startswith(info.value.reason)
    return info.value, w


def test_truncated_files() -> None:
    segments = interchange([transaction("0001", BODY)])
    no_iea, w = _envelope_fault(render(segments[:-1]))  # ends after GE: IEA missing
    assert (no_iea.segment_number, no_iea.segment_id) == (len(segments) - 1, "GE")
    assert "without the IEA segment" in str(no_iea)
    cut = render(segments)[:700]  # ends in the middle of a segment, inside the transaction
    inside = _error(cut)
    assert "truncated" in str(inside) and "transaction '0001'" in str(inside)
    assert inside.segment_number == len(cut.split("~"))


def test_isa_of_the_wrong_length() -> None:
    short = simple().replace("SENDER         ", "SENDER        ", 1)  # ISA06 14 wide
    err, _ = _envelope_fault(short)
    assert (err.segment_number, err.segment_id) == (1, "ISA")
    assert "105 characters" in str(err) and "106" in str(err)


def test_amount_that_is_not_a_number() -> None:
    err = _error(simple(replaced(BODY[7], "CLP*A1*1*2O0.00*150.00*30.00*12*PCN1*11*1")))
    # ISA 1, GS 2, ST 3, BPR 4, TRN 5, N1 6, REF 7, N1 8, REF 9, LX 10, CLP 11
    assert (err.segment_number, err.segment_id) == (11, "CLP")
    assert "CLP03 '2O0.00' is not an amount" in str(err)
    assert "PCN1" not in str(err)  # the segment itself is never quoted


@pytest.mark.parametrize("amount", ["1.234", "$5", "1,000", "(5)", "1e3", "+5", " 5", "-",
                                    ".", "5-", "٣"])
def test_amounts_that_are_not_x12_decimals(amount: str) -> None:
    err = _error(simple(replaced("CAS*CO*45*10.00", f"CAS*CO*45*{amount}")))
    assert err.segment_number == 18 and "CAS amount" in str(err)  # see BODY numbering


def test_first_bad_value_in_the_file_is_the_one_reported() -> None:
    body = replaced("AMT*B6*70.00", "AMT*B6*7O")
    body[body.index("CAS*PR*2*20.00")] = "CAS*PR*2*2x"
    err = _error(simple(body))
    assert (err.segment_number, err.segment_id) == (19, "CAS")  # AMT is 25


def test_clp_before_any_st() -> None:
    segments = interchange([transaction("0001", BODY)])
    segments.insert(2, "CLP*A0*1*1*1**12*P")
    err = _error(render(segments))
    assert (err.segment_number, err.segment_id) == (3, "CLP")
    assert "outside a transaction" in str(err)


def test_service_line_before_any_claim() -> None:
    err = _error(simple(["BPR*I*0*C*NON************20240131", "SVC*HC:99213*1*1"]))
    assert err.segment_number == 5 and "SVC before any CLP" in str(err)


@pytest.mark.parametrize(("old", "new", "index", "words"), [
    ("SE*", "SE*99*", -3, "SE01 says '99' segments, the transaction has 26"),
    ("GE*1*1", "GE*2*1", -2, "GE01 says '2' transactions, the group has 1"),
    ("IEA*1*", "IEA*3*", -1, "IEA01 says '3' functional groups, the interchange has 1"),
    ("SE*26*0001", "SE*26*0002", -3, "SE02 '0002' does not match ST02 '0001'"),
    ("IEA*1*000000001", "IEA*1*000000009", -1, "IEA02"),
])
def test_trailer_counts_and_control_numbers_are_envelope_faults(old: str, new: str, index: int,
                                                               words: str) -> None:
    segments = interchange([transaction("0001", BODY)])
    position = len(segments) + index
    assert segments[position].startswith(old)
    if old == "SE*":  # replace SE01, whatever it is
        segments[position] = new + segments[position].split("*", 2)[2]
    else:
        segments[position] = segments[position].replace(old, new, 1)
    err, warning = _envelope_fault(render(segments))
    assert err.segment_number == position + 1
    assert err.segment_id == segments[position].split("*")[0]
    assert words in str(err) and words in warning["message"].iloc[0]


def test_other_malformed_input() -> None:
    assert "not an 835" in str(_error(simple().replace("ST*835*", "ST*837*")))
    assert "no BPR" in str(_error(simple(BODY[1:])))
    assert "not an X12 file" in str(_error("hello"))
    assert "empty" in str(_error("  \r\n"))


# ---- lenient reading -------------------------------------------------------------------------


def test_unknown_segments_and_bad_dates_are_warned_about() -> None:
    body = BODY + ["ZZZ*1"]
    body[body.index("DTM*232*20240105")] = "DTM*232*20240230"
    ra = parse_835(simple(body))
    assert ra.warnings[["segment_number", "segment_id", "message"]].values.tolist() == [
        [14, "DTM", "DTM*232 (DTM02) is not a date CCYYMMDD; read as missing"],
        [28, "ZZZ", "segment 'ZZZ' is not part of an 835 remittance; skipped"]]
    assert {str(t) for t in ra.warnings.dtypes} == {"string", "Int64"}
    assert pd.isna(ra.claims["statement_start_date"].iloc[0])


def test_dates_a_frame_cannot_hold_are_missing_with_a_warning_never_wrapped() -> None:
    # 99991231, an open end; 16000101 before the first day: datetime64[ns] holds neither, and
    # a cast of pandas' microsecond dates to it wraps them (99991231 became 1816-03-29)
    body = [s.replace("*20240131", "*99991231") if s.startswith("BPR") else s for s in BODY]
    body[body.index("DTM*233*20240106")] = "DTM*233*99991231"
    body[body.index("DTM*472*20240105")] = "DTM*472*16000101"
    ra = parse_835(simple(body))
    outside = "is a date outside 1677-09-22 to 2262-04-11, the days the reader holds"
    assert ra.warnings[["segment_number", "message"]].values.tolist() == [
        [4, f"BPR16 {outside}; read as missing"],
        [15, f"DTM*233 (DTM02) {outside}; read as missing"],
        [17, f"DTM*472 (DTM02) {outside}; read as missing"]]
    assert pd.isna(ra.payments["payment_date"].iloc[0])
    assert pd.isna(ra.claims["statement_end_date"].iloc[0])
    assert ra.claims["statement_start_date"].iloc[0] == pd.Timestamp("2024-01-05")
    assert ra.service_lines["service_date"].isna().tolist() == [True, False]
    assert ra.service_lines["service_date"].iloc[1] == pd.Timestamp("2024-01-05")
    assert ra.claims["paid_cents"].sum() == 15000  # the money is read all the same


def test_latin1_bytes_are_read_with_a_warning() -> None:
    data = simple().replace("DOE", "DOÉ").encode("latin-1")
    ra = parse_835(data)
    assert ra.claims["patient_last_name"].iloc[0] == "DOÉ"
    assert ra.warnings["message"].tolist() == ["not valid UTF-8; read as Latin-1"]


# ---- amounts: the column converter against money.to_cents ------------------------------------

x12_amounts = st.builds(
    lambda neg, whole, frac: ("-" if neg else "") + whole + (("." + frac) if frac is not None
                                                              else ""),
    st.booleans(), st.from_regex(r"\A[0-9]{1,11}\Z"),
    st.one_of(st.none(), st.from_regex(r"\A[0-9]{0,2}\Z")))


@settings(max_examples=200, deadline=None)
@given(st.lists(x12_amounts, min_size=1, max_size=40))
def test_amount_conversion_agrees_with_to_cents(amounts: list[str]) -> None:
    from pracops.x12.convert import amounts_to_cents

    cents, bad = amounts_to_cents(amounts)
    assert not bad.any()
    assert cents.tolist() == [to_cents(a) for a in amounts]


# ---- fuzzing: only X12Error may escape -------------------------------------------------------


def _fuzz_sources() -> list[bytes]:
    sources = [simple().encode(), render(interchange([transaction("0001", BODY)]),
                                          after="\r\n").encode()]
    if SAMPLES is not None:
        sources += [p.read_bytes() for p in sorted(SAMPLES.iterdir()) if p.suffix != ".md"]
    return sources


SOURCES = _fuzz_sources()
NOISE = st.binary(min_size=1, max_size=6) | st.sampled_from(
    [b"*", b"~", b":", b"^", b">", b"\r\n", b"\n", b"0", b"-", b".", b"CLP*", b"SVC*", b"CAS*",
     b"SE*", b"ST*835*", b"GE*", b"IEA*", b"ISA", b"\x1c", b"\x1d", b"\xc3", b"\xff", b"PLB*"])


@st.composite
def mutated(draw: st.DrawFn) -> bytes:
    data = bytearray(draw(st.sampled_from(SOURCES)))
    for _ in range(draw(st.integers(1, 4))):
        kind = draw(st.sampled_from(["replace", "delete", "insert", "truncate", "segment"]))
        at = draw(st.integers(0, max(len(data) - 1, 0)))
        if kind == "replace" and data:
            data[at:at + 1] = draw(NOISE)
        elif kind == "delete":
            del data[at:at + draw(st.integers(1, 40))]
        elif kind == "insert":
            data[at:at] = draw(NOISE)
        elif kind == "truncate":
            del data[at:]
        else:  # drop or repeat a whole segment
            segments = bytes(data).split(b"~")
            i = draw(st.integers(0, max(len(segments) - 1, 0)))
            segments[i:i + 1] = [] if draw(st.booleans()) else [segments[i]] * 2
            data = bytearray(b"~".join(segments))
    return bytes(data)


@settings(max_examples=400, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(mutated())
def test_fuzzed_input_raises_only_x12error(data: bytes) -> None:
    # lenient: never raises; a file it cannot read is quarantined, with nothing else kept
    lenient = parse_835(data, name="fuzz.835")
    if len(lenient.quarantined):
        assert lenient.quarantined["file"].tolist() == ["fuzz.835"]
        assert lenient.payments.empty and lenient.claims.empty and lenient.warnings.empty
    else:
        assert not (lenient.balance_errors["rule"] == "transaction").any()
    try:
        ra = parse_835(data, name="fuzz.835", strict=True)
    except X12Error as exc:
        assert exc.file == "fuzz.835"
        return
    errors = ra.balance_errors
    assert (errors["difference_cents"] == errors["actual_cents"] - errors["expected_cents"]).all()
    for name, dtypes in EXPECTED_DTYPES.items():
        frame = getattr(ra, name)
        assert {c: str(frame[c].dtype) for c in dtypes} == dtypes
    assert len(ra.claims) == ra.payments["claim_count"].sum()
    assert (ra.claims["line_count"].sum() == len(ra.service_lines))


def test_segment_numbers_point_at_the_segment_text() -> None:
    ra = parse_835(simple())
    segments = re.split("~", simple())
    for frame, tag in ((ra.claims, "CLP"), (ra.service_lines, "SVC"), (ra.adjustments, "CAS")):
        assert all(segments[n - 1].startswith(tag) for n in frame["segment_number"])
    assert np.array_equal(ra.service_lines["claim_seq"], [1, 1])


def test_this_process_reads_a_larger_first_chunk() -> None:
    """A worker also sends its frames back: the first chunk (read here) takes 1.3 shares of
    the bytes, each other one share; a file goes where its middle byte falls."""
    paths = [(Path(f"{i}.835"), True) for i in range(10)]
    sizes = [100] * 10  # middles at 5 %, 15 %, … 95 % of the bytes
    assert [len(c) for c in split_in_chunks(paths, sizes, 2)] == [6, 4]  # 56.5 % | 43.5 %
    assert [len(c) for c in split_in_chunks(paths, sizes, 3)] == [4, 3, 3]  # 39.4 | 30.3 | 30.3
    assert sum(split_in_chunks(paths, sizes, 3), []) == paths
    assert split_in_chunks(paths[:1], [0], 2) == [paths[:1]]
