"""The billing reconciliation report on the bundled sample finds exactly the injected problems.

The ground truth is what the sample generator recorded when it planted the problems
(pracops/sample/data/ground_truth.json); expected totals are recomputed here from the sample
files with plain Decimal arithmetic, independently of pracops.money and pracops.billing.
The notebook is executed once through the runner (parameters/test/billing_reconciliation.yaml).
"""

from __future__ import annotations

import csv
import json
from decimal import Decimal
from pathlib import Path

import pytest

from pracops import config
from pracops.billing import chain, model

SAMPLE = config.SAMPLE_DIR
TRUTH = json.loads((SAMPLE / "ground_truth.json").read_text())["billing"]
REPORT = "billing_reconciliation"


def truth(kind: str) -> list[dict]:
    return [e for e in TRUTH if e["kind"] == kind]


def rows(path: Path) -> list[dict[str, str]]:
    with path.open(newline="", encoding="utf-8") as fh:
        return list(csv.DictReader(fh))


@pytest.fixture(scope="module")
def recon() -> model.BillingReconciliation:
    return chain.compute(chain.load_inputs(None)).reconciliation


def test_report_runs_and_balances(run: dict) -> None:
    rr = run["result"]
    assert rr.status == "ok", rr.error
    f = rr.figures
    assert f["control_totals_balanced"] is True
    assert f["x12_balance_errors"] == 0
    assert f["as_of"] == "2025-12-31"
    # Charges: every claim line of the sample, summed exactly from the CSV text.
    charges = sum(Decimal(r["charge"]) for r in rows(SAMPLE / "claim_lines.csv"))
    assert Decimal(f["charges_cents"]) / 100 == charges
    for key in ("net_collection_rate", "gross_collection_rate", "days_in_ar", "denial_rate",
                "ar_over_90_pct", "payments_cents", "adjustments_cents", "open_ar_cents",
                "unmatched_era_count", "unmatched_deposit_count", "underpaid_claim_count",
                "underpaid_cents", "charges_cents", "x12_balance_errors"):
        assert key in f


def test_deposit_problems_found_exactly(run: dict) -> None:
    f = run["result"].figures
    files = run["files"]
    assert [r["trace_number"] for r in rows(files / "eras_without_deposit.csv")] == [
        e["trace"] for e in truth("era_without_deposit")]
    assert [r["deposit_id"] for r in rows(files / "deposits_without_era.csv")] == [
        e["deposit_id"] for e in truth("deposit_without_era")]
    assert f["unmatched_era_count"] == len(truth("era_without_deposit")) == 1
    assert f["unmatched_deposit_count"] == len(truth("deposit_without_era")) == 1
    assert f["amount_mismatch_count"] == len(truth("deposit_amount_mismatch")) == 1
    assert f["duplicate_era_count"] == len(truth("duplicate_835")) == 1


def test_deposit_mismatch_and_duplicate_details(recon) -> None:
    mismatch = truth("deposit_amount_mismatch")[0]
    found = recon.deposits.amount_mismatches
    assert found["trace_number"].tolist() == [mismatch["trace"]]
    assert found["deposit_id"].tolist() == [mismatch["deposit_id"]]
    assert found["difference_cents"].tolist() == [mismatch["difference_cents"]]
    dup = truth("duplicate_835")[0]
    assert recon.duplicates["trace_number"].tolist() == [dup["trace"]]
    assert Path(recon.duplicates["file"].iloc[0]).name == dup["files"][1]
    assert Path(recon.duplicates["kept_file"].iloc[0]).name == dup["files"][0]


def test_underpayments_found_exactly(run: dict) -> None:
    expected = {(e["claim_id"], e["line_no"]): e["difference_cents"]
                for e in truth("underpayment")}
    found = {(r["claim_id"], int(r["line_no"])): round(Decimal(r["shortfall"]) * 100)
             for r in rows(run["files"] / "underpayments.csv")}
    assert found == expected
    f = run["result"].figures
    assert f["underpaid_cents"] == sum(expected.values())
    assert f["underpaid_claim_count"] == len({c for c, _ in expected})


def test_denials_to_work_found_exactly(run: dict) -> None:
    # The worklist: denials still open; a denial whose resubmission was paid is off it.
    denied = [e for e in truth("denial") if e["group_code"] == "CO"]
    to_work = {e["claim_id"] for e in denied if e["resubmission_trace"] is None}
    found = {r["claim_id"] for r in rows(run["files"] / "denials.csv")}
    assert found == to_work
    assert 0 < len(to_work) < len(denied)
    # Denied amounts and the initial denial rate count every first-pass denial, paid later
    # or not: denied claims over the claims answered (the 835s' CLP01s, read as text).
    f = run["result"].figures
    assert f["denied_cents"] == sum(e["amount_cents"] for e in denied)
    answered = {seg.split("*")[1] for path in (SAMPLE / "era").glob("*.835")
                for seg in path.read_text().split("~") if seg.strip().startswith("CLP*")}
    assert f["denial_rate"] == pytest.approx(len({e["claim_id"] for e in denied})
                                             / len(answered))


def test_patient_responsibility_denials_go_to_the_patient(recon) -> None:
    bal = recon.balances.set_index("claim_id")
    for e in truth("denial"):
        if e["group_code"] == "PR":
            assert bal.loc[e["claim_id"], "patient_resp_cents"] >= e["amount_cents"]
            assert bal.loc[e["claim_id"], "denied_cents"] == 0


def test_claims_never_answered_found_exactly(run: dict) -> None:
    found = {r["claim_id"] for r in rows(run["files"] / "claims_never_answered.csv")}
    assert found == {e["claim_id"] for e in truth("no_remittance")}
    assert run["result"].figures["claims_never_answered"] == len(truth("no_remittance"))


def test_split_payment_and_reversal_net_out(recon) -> None:
    bal = recon.balances.set_index("claim_id")
    split = truth("split_payment")[0]
    assert bal.loc[split["claim_id"], "paid_cents"] == sum(split["paid_cents"])
    assert bal.loc[split["claim_id"], "remit_count"] == 2
    rev = truth("reversal")[0]
    # original + reversal (−original) + correction = the corrected payment
    assert bal.loc[rev["claim_id"], "paid_cents"] == rev["corrected_paid_cents"]
    assert bal.loc[rev["claim_id"], "remit_count"] == 3
    assert rev["claim_id"] not in set(recon.underpayments["claim_id"])


def test_provider_adjustments(run: dict, recon) -> None:
    f = run["result"].figures
    interest, = truth("plb_interest")
    recovery, = truth("overpayment_recovery")
    # PLB amounts: negative adds to the payment (interest), positive withholds (recovery)
    assert f["plb_interest_cents"] == -interest["amount_cents"]
    assert f["plb_recovery_cents"] == -recovery["amount_cents"]
    assert sorted(recon.plb["trace_number"]) == sorted([interest["trace"], recovery["trace"]])


def test_no_patient_data_in_shared_output(run: dict) -> None:
    claims = rows(SAMPLE / "claims.csv")
    names = {c["patient_name"] for c in claims}
    members = {c["member_id"] for c in claims if c["member_id"]}
    shared = [run["dir"] / "billing_reconciliation.html", run["dir"] / "index.html",
              run["dir"] / "billing_reconciliation.json",
              *sorted(run["files"].glob("*.csv"))]
    for path in shared:
        text = path.read_text(encoding="utf-8")
        leaked = [n for n in names if n in text] + [m for m in members if m in text]
        assert leaked == [], f"{path.name} shows patient data: {leaked[:3]}"
    header = rows(run["files"] / "denials.csv")[0]
    assert not {"patient_name", "patient_dob", "member_id"} & set(header)


def test_alerts_name_the_problems(run: dict) -> None:
    messages = [a["message"] for a in run["result"].alerts]
    assert "1 ERA payment(s) have no bank deposit." in messages
    assert "1 payer deposit(s) match no ERA." in messages
    underpaid = {u["claim_id"] for u in truth("underpayment")}
    assert f"{len(underpaid)} claim(s) were paid below contract." in messages
    assert f"{len(truth('no_remittance'))} claim(s) have had no payer response for too " \
           "long." in messages


def test_worklists_with_patient_names(recon, tmp_path: Path) -> None:
    inputs = chain.load_inputs(None)
    lists = model.worklists(recon, inputs.claims, show_patient_names=True)
    names = dict(zip(inputs.claims["claim_id"], inputs.claims["patient_name"], strict=True))
    denials = lists["denials"]
    assert {"patient_name", "patient_dob", "member_id"} <= set(denials.columns)
    for claim_id, name in zip(denials["claim_id"], denials["patient_name"], strict=True):
        assert names[claim_id] == name


def test_html_is_small_and_static(run: dict) -> None:
    html = (run["dir"] / "billing_reconciliation.html").read_text()
    assert len(html.encode()) < 1_000_000
    assert html.count("<img ") == 3  # collections, denials, aging, embedded as data URIs
    assert html.count("src=\"data:image/png;base64,") == 3
    assert "<script src=" not in html and "widget" not in html.lower().split("</style>")[-1]



# ---- a damaged era/ folder: quarantined files, no patient data anywhere -----------------------

PATIENT = ("ZZTOPLASTNAME", "ZZFIRST", "ZZ99887766")


@pytest.fixture(scope="module")
def damaged(run: dict, tmp_path_factory: pytest.TempPathFactory) -> dict:
    """The report on a copy of the sample whose era/ also holds a garbage file and an 835 with
    a patient's name and member id in a malformed segment (before its ST)."""
    import shutil

    from pracops import runner

    data = tmp_path_factory.mktemp("data") / "practice"
    shutil.copytree(SAMPLE, data)
    era = data / "era"
    (era / "zz-garbage.835").write_bytes(bytes(range(256)) * 8)
    model = sorted(era.glob("*.835"))[0].read_text()
    (era / "zz-patient.835").write_text(model.replace(
        "ST*835*", "NM1*QC*1*ZZTOPLASTNAME*ZZFIRST****MI*ZZ99887766~ST*835*", 1))
    reports = runner.check_reports([REPORT], runner.discover())
    params = runner.resolve_parameters(reports, parameters_dir=config.TEST_PARAMETERS_DIR,
                                       data=data)
    result = runner.run(reports, params, out=tmp_path_factory.mktemp("damaged"))
    return {"result": result.reports[0], "dir": result.run_dir, "clean": run["result"]}


def test_bad_835_files_are_quarantined_and_named(damaged: dict) -> None:
    rr, clean = damaged["result"], damaged["clean"]
    assert rr.status == "ok", rr.error
    f = rr.figures
    assert f["quarantined_era_count"] == 2
    named = {q["file"]: q for q in f["quarantined_eras"]}
    assert set(named) == {"zz-garbage.835", "zz-patient.835"}
    assert named["zz-garbage.835"]["reason"].startswith("not an X12 file")
    assert "outside a transaction" in named["zz-patient.835"]["reason"]
    assert f["quarantined_era_cents"] == 0  # neither BPR02 could be read
    critical = [a["message"] for a in rr.alerts if a["level"] == "critical"]
    assert any("zz-garbage.835" in m and "quarantined" in m for m in critical)
    assert any("zz-patient.835" in m and "quarantined" in m for m in critical)
    html = (damaged["dir"] / f"{REPORT}.html").read_text(encoding="utf-8")
    assert "ERA files quarantined (not read)" in html  # the control totals name them
    assert html.count("zz-garbage.835") >= 3  # alert, quarantine table, control totals
    # every other figure is the clean sample's
    skip = {"quarantined_era_count", "quarantined_eras", "excluded_rows"}
    assert {k: v for k, v in f.items() if k not in skip} == {
        k: v for k, v in clean.figures.items() if k not in skip}
    assert f["excluded_rows"]["ERA files quarantined"] == 2


def test_no_patient_data_in_any_file_of_the_run(damaged: dict) -> None:
    files = [p for p in damaged["dir"].rglob("*") if p.is_file()]
    assert any(p.suffix == ".csv" for p in files) and any(p.suffix == ".ipynb" for p in files)
    for path in files:
        data = path.read_bytes()
        leaked = [p for p in PATIENT if p.encode() in data]
        assert leaked == [], f"{path.name} shows {leaked}"


def test_hand_outs_name_files_not_paths(run: dict) -> None:
    for name in ("eras_without_deposit.csv", "remittances_without_claim.csv"):
        path = run["files"] / name
        if path.exists():
            for row in rows(path):
                assert "/" not in row["file"] and "\\" not in row["file"]
