"""The 835 reader on real files and damaged copies: lenient on the envelope, strict on the money.

Every public sample (tests/fixtures/x12, copied from shared/x12-samples) is read to the cent
against an independent count (segments split by hand here, no envelope logic); variants of the
enveloped samples with one envelope fault each must give the same money and one warning naming
the fault, and must be refused with strict=True; files that cannot be read or do not balance
are quarantined beside good files, which read exactly as alone.
"""

from __future__ import annotations

import os
from decimal import Decimal
from pathlib import Path

import pandas as pd
import pytest

from pracops.errors import X12Error
from pracops.x12 import parse_835, read_835

SAMPLES = Path(__file__).parent / "fixtures" / "x12"
ENVELOPED = sorted(p.name for p in SAMPLES.iterdir()
                   if p.suffix != ".md" and p.read_text().lstrip().startswith("ISA"))
FRAMES = ("payments", "claims", "service_lines", "adjustments", "provider_adjustments",
          "supplemental_amounts", "balance_errors")
PATIENT = ("ZZTOPLASTNAME", "ZZFIRST", "ZZ99887766")
PLANTED = "NM1*QC*1*ZZTOPLASTNAME*ZZFIRST****MI*ZZ99887766"


def segments_of(text: str) -> tuple[list[str], str]:
    """Segments and terminator of a sample: the terminator is the character after ISA16 (all
    the samples use '~'), line breaks are not part of segments."""
    terminator = text[105] if text.startswith("ISA") else "~"
    flat = text.replace("\r", "").replace("\n", "")
    return [s for s in flat.split(terminator) if s.strip()], terminator


def money(segments: list[str]) -> dict[str, int]:
    """Σ BPR02, Σ CLP04 and Σ PLB amounts in cents, by hand."""
    def cents(text: str) -> int:
        return int(Decimal(text) * 100)
    out = {"bpr02": 0, "clp04": 0, "plb": 0, "claims": 0}
    for seg in segments:
        e = seg.split("*")
        if e[0] == "BPR":
            out["bpr02"] += cents(e[2])
        elif e[0] == "CLP":
            out["clp04"] += cents(e[4])
            out["claims"] += 1
        elif e[0] == "PLB":
            out["plb"] += sum(cents(e[k]) for k in range(4, len(e), 2) if e[k])
    return out


def totals(ra) -> dict[str, int]:
    return {"bpr02": int(ra.payments["total_paid_cents"].sum()),
            "clp04": int(ra.claims["paid_cents"].sum()),
            "plb": int(ra.provider_adjustments["amount_cents"].sum()),
            "claims": len(ra.claims)}


@pytest.mark.parametrize("name", sorted(p.name for p in SAMPLES.iterdir() if p.suffix != ".md"))
def test_every_sample_is_read_to_the_cent(name: str) -> None:
    text = (SAMPLES / name).read_text()
    expected = money(segments_of(text)[0])
    ra = read_835(SAMPLES / name)
    assert ra.quarantined.empty
    assert totals(ra) == expected
    # strict reads them too (the extract without ISA is only warned about, as before)
    assert totals(read_835(SAMPLES / name, strict=True)) == expected
    assert expected["bpr02"] == expected["clp04"] - expected["plb"]  # they balance


def _variant(segments: list[str], fault: str) -> tuple[list[str], str]:
    """The segments with one envelope fault, and words the warning must contain."""
    out = list(segments)
    index = {tag: max(i for i, s in enumerate(out) if s.startswith(tag + "*"))
             for tag in ("SE", "GE", "IEA")}
    se, ge, iea = (out[index[t]].split("*") for t in ("SE", "GE", "IEA"))
    if fault == "SE01":
        out[index["SE"]] = "*".join(["SE", str(int(se[1]) + 5), *se[2:]])
        return out, f"SE01 says '{int(se[1]) + 5}' segments"
    if fault == "SE02":
        out[index["SE"]] = "*".join(["SE", se[1], "9999", *se[3:]])
        return out, "SE02 '9999' does not match ST02"
    if fault == "GE01":
        out[index["GE"]] = "*".join(["GE", str(int(ge[1]) + 1), *ge[2:]])
        return out, f"GE01 says '{int(ge[1]) + 1}' transactions"
    if fault == "IEA01":
        out[index["IEA"]] = "*".join(["IEA", "7", *iea[2:]])
        return out, "IEA01 says '7' functional groups"
    if fault == "IEA02":
        out[index["IEA"]] = "*".join(["IEA", iea[1], "999999999"])
        return out, "IEA02 '999999999' does not match ISA13"
    if fault == "IEA before GE":
        out[index["GE"]], out[index["IEA"]] = out[index["IEA"]], out[index["GE"]]
        return out, "IEA before the GE"
    if fault == "no IEA":
        del out[index["IEA"]]
        return out, "without the IEA segment"
    if fault == "no GE, IEA":
        del out[index["IEA"]], out[index["GE"]]
        return out, "without the GE segment"
    assert fault == "no SE, GE, IEA"
    del out[index["IEA"]], out[index["GE"]], out[index["SE"]]
    return out, "has no SE segment (the file ends first)"


FAULTS = ("SE01", "SE02", "GE01", "IEA01", "IEA02", "IEA before GE", "no IEA", "no GE, IEA",
          "no SE, GE, IEA")


@pytest.mark.parametrize("fault", FAULTS)
@pytest.mark.parametrize("name", ENVELOPED)
def test_envelope_faults_are_warnings_and_the_money_is_unchanged(name: str, fault: str) -> None:
    segments, terminator = segments_of((SAMPLES / name).read_text())
    expected = money(segments)
    variant, words = _variant(segments, fault)
    text = "".join(s + terminator + "\n" for s in variant)
    clean = parse_835((SAMPLES / name).read_bytes(), name=name)
    ra = parse_835(text, name=name)
    assert ra.quarantined.empty
    assert totals(ra) == expected
    for frame in ("claims", "service_lines", "adjustments", "provider_adjustments"):
        pd.testing.assert_frame_equal(getattr(ra, frame), getattr(clean, frame))
    new = ra.warnings[~ra.warnings["message"].isin(clean.warnings["message"])]
    assert len(new) >= 1 and new["message"].str.contains(words, regex=False).any(), new
    assert new["file"].eq(name).all() and new["segment_number"].notna().all()
    with pytest.raises(X12Error) as refused:
        parse_835(text, name=name, strict=True)
    assert refused.value.file == name and refused.value.segment_number is not None


# ---- quarantine --------------------------------------------------------------------------------

GOOD = ("lfh-managed-care.835", "lfh-medicare-part-a.835", "eps-emedny_sample.txt")


def _bad_files(folder: Path) -> dict[str, str]:
    """Damaged files written into ``folder``; name -> words of the quarantine reason."""
    good = (SAMPLES / "lfh-managed-care.835").read_text()
    (folder / "b-truncated.835").write_text(good[:good.index("CLP*") + 30])
    (folder / "c-garbage.835").write_bytes(bytes(range(256)) * 4)
    (folder / "d-utf16.835").write_bytes("Remittance report, not X12\n".encode("utf-16"))
    (folder / "e-unbalanced.835").write_text(good.replace("BPR*I*945.00*", "BPR*I*950.00*", 1))
    (folder / "f-folder.835").mkdir()
    (folder / "g-dangling.835").symlink_to(folder / "nowhere")
    (folder / "h-loop.835").symlink_to(folder / "h-loop.835")
    (folder / "i-empty.835").write_text("")
    return {"b-truncated.835": "truncated", "c-garbage.835": "not an X12 file",
            "d-utf16.835": "not an X12 file", "e-unbalanced.835": "does not balance",
            "g-dangling.835": "link to a missing target",
            "h-loop.835": "link that loops", "i-empty.835": "empty"}


@pytest.mark.parametrize("jobs", [1, 2])
def test_bad_files_are_quarantined_and_the_good_ones_read_as_alone(tmp_path: Path,
                                                                    jobs: int) -> None:
    for i, name in enumerate(GOOD):
        (tmp_path / f"{'aj'[i % 2]}{i}-{name}").write_bytes((SAMPLES / name).read_bytes())
    reasons = _bad_files(tmp_path)
    alone = read_835(sorted(p for p in tmp_path.iterdir() if p.name[0] in "aj"), jobs=1)
    assert alone.quarantined.empty
    ra = read_835(tmp_path, jobs=jobs)
    q = ra.quarantined
    assert [Path(f).name for f in q["file"]] == sorted(reasons)
    for name, reason in zip(q["file"], q["reason"], strict=True):
        assert reasons[Path(name).name] in reason, (name, reason)
    for frame in FRAMES:
        pd.testing.assert_frame_equal(getattr(ra, frame), getattr(alone, frame))
    # a sub-folder (f-folder.835) holds no payment: skipped, with a warning naming it
    folder = ra.warnings["file"].str.endswith("f-folder.835")
    assert ra.warnings.loc[folder, "message"].tolist() == [
        "a folder: skipped (only the files directly in the folder are read)"]
    pd.testing.assert_frame_equal(ra.warnings[~folder].reset_index(drop=True), alone.warnings)
    assert ra.files == alone.files
    # the money of the quarantined files, where BPR02 can be read: the unbalanced copy says
    # 950.00; the truncated one was cut after its BPR (945.00); the others carry none
    paid = dict(zip((Path(f).name for f in q["file"]), q["paid_cents"], strict=True))
    assert paid["e-unbalanced.835"] == 95000 and paid["b-truncated.835"] == 94500
    assert all(pd.isna(paid[n]) for n in reasons if n not in ("e-unbalanced.835",
                                                            "b-truncated.835"))
    assert str(q["segment_number"].dtype) == "Int64" and str(q["paid_cents"].dtype) == "Int64"
    # strict refuses the folder, naming the first bad file
    with pytest.raises(X12Error, match="b-truncated"):
        read_835(tmp_path, jobs=jobs, strict=True)


def test_a_named_dangling_link_is_quarantined_a_missing_file_refused(tmp_path: Path) -> None:
    (tmp_path / "gone.835").symlink_to(tmp_path / "nowhere")
    assert read_835(tmp_path / "gone.835").quarantined["reason"].str.contains(
        "link to a missing target").all()
    with pytest.raises(X12Error, match="no such file"):
        read_835(tmp_path / "missing.835")
    (tmp_path / "empty").mkdir()
    with pytest.raises(X12Error, match="no files to read"):
        read_835(tmp_path / "empty")


@pytest.mark.skipif(os.geteuid() == 0, reason="root reads a chmod 000 file")
def test_permission_denied_is_quarantined(tmp_path: Path) -> None:
    locked = tmp_path / "locked.835"
    locked.write_bytes((SAMPLES / "lfh-managed-care.835").read_bytes())
    locked.chmod(0)
    assert read_835(tmp_path).quarantined["reason"].str.contains("permission denied").all()


def test_utf16_x12_is_read_with_a_note() -> None:
    raw = (SAMPLES / "lfh-managed-care.835").read_text()
    ra = parse_835(raw.encode("utf-16"), name="u.835")
    assert totals(ra) == money(segments_of(raw)[0])
    assert "UTF-16 text; read as such" in ra.warnings["message"].tolist()


def test_claim_imbalance_is_listed_not_quarantined() -> None:
    # CLP04 and BPR02 both 10.00 higher: the transaction balances, the claim does not
    raw = (SAMPLES / "lfh-managed-care.835").read_text()
    claim = next(s for s in raw.replace("\n", "").split("~") if s.startswith("CLP*"))
    e = claim.split("*")
    bumped = "*".join([*e[:4], str(Decimal(e[4]) + 10), *e[5:]])
    text = raw.replace(claim, bumped).replace("BPR*I*945.00*", "BPR*I*955.00*", 1)
    ra = parse_835(text)
    assert ra.quarantined.empty
    # CLP04 460 against CLP03 800 − CAS 350 = 450, and against SVC03 500 − claim CAS 50 = 450
    assert ra.balance_errors["rule"].tolist() == ["claim", "claim_lines"]
    assert ra.balance_errors["difference_cents"].tolist() == [1000, 1000]


# ---- MIA / MOA -------------------------------------------------------------------------------

ISA = ("ISA*00*          *00*          *ZZ*SENDER         *ZZ*RECEIVER       *240131*1200*^*"
       "00501*000000001*0*P*:")


def test_mia_moa_remark_codes_and_amounts_are_read() -> None:
    body = [
        "BPR*I*100*C*CHK************20240131", "TRN*1*T1*1512345678", "LX*1",
        "CLP*A1*1*300*100**MA*PCN1", "CAS*CO*45*200",
        "*".join(["MIA", "0", "1.5", "4", "", "MA01", *[""] * 14, "N20", "N21"]),  # MIA20/21
        "MOA**2.25*MA15*N30",                                # MOA02 2.25, MOA03, MOA04
        "AMT*I*0.75",                                        # claim interest
    ]
    segments = [ISA, "GS*HP*S*R*20240131*1200*1*X*005010X221A1", "ST*835*0001", *body,
                f"SE*{len(body) + 2}*0001", "GE*1*1", "IEA*1*000000001"]
    ra = parse_835("~".join(segments) + "~", strict=True)
    assert ra.warnings.empty and ra.balance_errors.empty
    # MIA02 1.50; MIA05 MA01, then MIA20 N20 and MIA21 N21; then MOA03 and MOA04
    assert ra.claims["remark_codes"].tolist() == ["MA01;N20;N21;MA15;N30"]
    sup = ra.supplemental_amounts
    assert sup[["element", "qualifier", "amount_cents"]].fillna("").values.tolist() == [
        ["MIA02", "", 150], ["MOA02", "", 225], ["AMT02", "I", 75]]
    assert sup["description"].tolist() == ["PPS operating outlier amount",
                                           "claim HCPCS payable amount", "interest"]
    assert (sup["claim_id"] == "A1").all() and (sup["level"] == "claim").all()


# ---- no patient data in any message -----------------------------------------------------------


def _planted() -> dict[str, str]:
    raw = (SAMPLES / "lfh-managed-care.835").read_text()
    clp = next(s for s in raw.replace("\n", "").split("~") if s.startswith("CLP*"))
    return {
        # a patient segment before the transaction: quarantined (segment outside a transaction)
        "before-st.835": raw.replace("ST*835*", PLANTED + "~ST*835*", 1),
        # patient data where an amount belongs: quarantined (not an amount)
        "in-amount.835": raw.replace(clp, clp.replace(clp.split("*")[3], "ZZ99887766", 1)),
        # a patient segment at the header: read, with a warning
        "at-header.835": raw.replace("LX*", PLANTED + "~LX*", 1),
        # a patient segment as an unknown segment id and as SE02
        "odd.835": raw.replace("LX*", "ZZTOPLASTNAME*ZZFIRST~", 1).replace(
            "SE*", "SE*1*ZZ99887766~SE*", 1),
    }


def test_no_message_quotes_patient_data(tmp_path: Path) -> None:
    for name, text in _planted().items():
        (tmp_path / name).write_text(text)
    for strict in (False, True):
        for path in sorted(tmp_path.iterdir()):
            try:
                ra = read_835(path, strict=strict)
            except X12Error as exc:
                shown = f"{exc} {exc.reason} {exc.segment_id}"
            else:
                shown = " ".join(map(str, [*ra.warnings.astype(str).to_numpy().ravel(),
                                           *ra.quarantined.astype(str).to_numpy().ravel()]))
            assert not [p for p in PATIENT if p in shown], (path.name, strict, shown)
    ra = read_835(tmp_path)
    assert sorted(Path(f).name for f in ra.quarantined["file"]) == ["before-st.835",
                                                                    "in-amount.835"]
    messages = ra.warnings["message"].tolist()
    assert "NM1 outside a claim; skipped" in messages
    # the unknown "segment" ZZTOPLASTNAME is not a segment id: not named
    assert "a segment without an id is not part of an 835 remittance; skipped" in messages
    assert any("SE02 (a value of 10 characters, not shown)" in m for m in messages)


@pytest.mark.parametrize(("extra", "quarantined"), [("999999000", False), ("1000000000", True)])
def test_amounts_beyond_a_billion_quarantine_the_file(extra: str, quarantined: bool) -> None:
    # the managed-care sample with `extra` dollars more on the payment, its first claim and
    # that claim's line: every rule still balances; only the size differs
    raw = (SAMPLES / "lfh-managed-care.835").read_text()
    big = int(extra)
    edited = (raw.replace("BPR*I*945.00*", f"BPR*I*{big + 945}.00*")
              .replace("CLP*5554555444*1*800.00*450.00*",
                       f"CLP*5554555444*1*{big + 800}.00*{big + 450}.00*")
              .replace("SVC*HC:99211*800.00*500.00~",
                       f"SVC*HC:99211*{big + 800}.00*{big + 500}.00~"))
    ra = parse_835(edited, name="big.835")
    assert ra.balance_errors.empty
    if not quarantined:
        assert ra.quarantined.empty
        assert int(ra.payments["total_paid_cents"].sum()) == (big + 945) * 100
        return
    (reason,) = ra.quarantined["reason"]
    assert "is not an amount within ±$1,000,000,000" in reason
    assert ra.payments.empty
    with pytest.raises(X12Error, match="within ±"):
        parse_835(edited, name="big.835", strict=True)
