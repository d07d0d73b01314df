"""Tests of pracops.sample: determinism, the bundled copy, the practice's make-up, write_sample."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from pracops import config, data, registry, sample
from pracops.errors import PracopsError
from pracops.sample.__main__ import main

DATA_FILES = ["ap_invoices.csv", "appointments.csv", "bank_statement.csv",
              "card_settlements.csv", "chart_of_accounts.csv", "claim_lines.csv", "claims.csv",
              "deposits.csv", "fee_schedule.csv", "front_desk_payments.csv", "gl_actuals.csv",
              "inventory_lots.csv", "items.csv", "locations.csv", "open_orders.csv",
              "payers.csv", "payments_posted.csv", "payroll_runs.csv", "phone_calls.csv",
              "pm_transactions.csv", "practice.yaml", "providers.csv", "staff.csv",
              "usage.csv", "vendor_prices.csv", "volumes.csv",
              "requirements.csv", "credentials.csv", "trainings.csv", "reviews.csv",
              "equipment.csv", "equipment_logs.csv", "practice_documents.csv",
              "schedule_slots.csv", "visit_events.csv", "eligibility_checks.csv"]


@pytest.fixture(scope="module")
def fresh(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The sample generated anew with the default seed."""
    return sample.generate(tmp_path_factory.mktemp("fresh"))


def files_of(folder: Path) -> dict[str, bytes]:
    return {p.relative_to(folder).as_posix(): p.read_bytes()
            for p in sorted(folder.rglob("*")) if p.is_file()}


def luhn_valid(digits: str) -> bool:
    """Textbook Luhn check, written independently of pracops.data."""
    total = 0
    for i, ch in enumerate(reversed(digits)):
        d = int(ch)
        if i % 2 == 1:
            d = d * 2 - 9 if d > 4 else d * 2
        total += d
    return total % 10 == 0


def minutes(hhmm: str) -> int:
    hours, mins = hhmm.split(":")
    return int(hours) * 60 + int(mins)


def test_bundled_sample_equals_a_fresh_generation(fresh: Path) -> None:
    generated = files_of(fresh)
    eras = [name for name in generated if name.startswith("era/")]
    assert len(eras) > 200 and all(name.endswith(".835") for name in eras)
    assert sorted(set(generated) - set(eras)) == sorted([*DATA_FILES, sample.GROUND_TRUTH])
    assert files_of(config.SAMPLE_DIR) == generated, "run: python -m pracops.sample"


def test_regeneration_removes_stale_era_files(tmp_path: Path) -> None:
    stale = tmp_path / "era" / "2020-01-01_OLD_T1.835"
    stale.parent.mkdir()
    stale.write_text("old")
    sample.generate(tmp_path)
    assert not stale.exists()
    assert (tmp_path / "locations.csv").exists()


def test_same_seed_same_bytes_other_seed_other_files(fresh: Path, tmp_path: Path) -> None:
    assert files_of(sample.generate(tmp_path / "again")) == files_of(fresh)
    other = files_of(sample.generate(tmp_path / "other", seed=7))
    assert other["providers.csv"] != files_of(fresh)["providers.csv"]
    assert json.loads(other[sample.GROUND_TRUTH])["seed"] == 7


def test_generation_does_not_depend_on_hash_seed(fresh: Path, tmp_path: Path) -> None:
    code = "import sys; from pracops.sample import generate; generate(sys.argv[1])"
    env = {**os.environ, "PYTHONHASHSEED": "12345"}
    subprocess.run([sys.executable, "-c", code, str(tmp_path)], check=True, env=env)
    assert files_of(tmp_path) == files_of(fresh)


def test_fresh_sample_validates(fresh: Path) -> None:
    assert data.check_folder(fresh).errors == []


def test_practice_make_up(fresh: Path) -> None:
    locations = data.load("locations", fresh)
    providers = data.load("providers", fresh)
    staff = data.load("staff", fresh)
    payers = data.load("payers", fresh)
    assert len(locations) == 2
    assert providers["kind"].value_counts().to_dict() == {"MD": 2, "DO": 1, "NP": 1, "PA": 1}
    assert len(staff) == 25
    assert set(staff["role"]) == set(data.get("staff").column("role").allowed)
    assert payers["type"].value_counts().to_dict() == {
        "commercial": 3, "Medicare": 1, "Medicaid": 1, "self-pay": 1}
    # Everyone works at a site that exists; nobody appears twice.
    sites = set(locations["location_id"])
    assert set(providers["location_id"]) <= sites and set(staff["location_id"]) <= sites
    names = [*providers["name"], *staff["name"]]
    assert len(set(names)) == len(names) == 30
    # Salaried managers are exempt from overtime; everyone else is paid overtime.
    assert (staff["overtime_eligible"] == (staff["role"] != "manager")).all()
    # Self-pay sends no remittances; the others have a 10-character TRN03.
    remitting = payers[payers["type"] != "self-pay"]
    assert remitting["trn03"].str.len().eq(10).all()
    assert payers.loc[payers["type"] == "self-pay", "trn03"].isna().all()


def test_npis_pass_the_luhn_check_with_prefix_80840(fresh: Path) -> None:
    npis = list(data.load("providers", fresh)["npi"])
    truth = json.loads((fresh / sample.GROUND_TRUTH).read_text(encoding="utf-8"))
    npis.append(truth["practice"]["group_npi"])
    assert len(set(npis)) == len(npis) == 6
    for npi in npis:
        assert len(npi) == 10 and npi[0] in "12"
        assert luhn_valid("80840" + npi), npi
    assert luhn_valid("80840" + "1234567893")  # the CMS example, to check the checker


def test_staff_shifts_fall_inside_their_clinic_hours(fresh: Path) -> None:
    hours = data.load("locations", fresh).set_index("location_id")
    for row in data.load("staff", fresh).itertuples():
        for shift in row.usual_shifts.split("; "):
            start, end = shift.split(" ")[1].split("-")
            site = hours.loc[row.location_id]
            assert minutes(site["opens"]) <= minutes(start) < minutes(end) <= minutes(
                site["closes"]), (row.employee_id, shift)


def test_ground_truth_layout(fresh: Path) -> None:
    truth = json.loads((fresh / sample.GROUND_TRUTH).read_text(encoding="utf-8"))
    assert list(truth) == ["seed", "practice", *registry.PACKAGES]
    assert truth["seed"] == 2026
    assert truth["practice"]["name"] == "Maple Grove Family Medicine"
    counts = truth["practice"]["counts"]
    assert {k: counts[k] for k in ("locations", "providers", "staff", "payers")} == {
        "locations": 2, "providers": 5, "staff": 25, "payers": 6}
    assert counts["era"] == len(list((fresh / "era").iterdir()))
    assert counts["claims"] == len(data.load("claims", fresh))
    assert counts["phone_calls"] == len(data.load("phone_calls", fresh))
    assert counts["gl_actuals"] == len(data.load("gl_actuals", fresh))
    # The budget's section is an object (facts about the books) with its problems inside.
    assert {"closed_through", "assumptions", "injected"} <= set(truth["budget"])
    assert all(isinstance(p["kind"], str)
               for p in truth["billing"] + truth["staffing"] + truth["purchasing"]
               + truth["budget"]["injected"])


def test_inject_records_problems_per_report() -> None:
    s = sample.Sample(seed=1, practice={})
    s.inject("billing", {"kind": "underpayment", "claim_id": "C1", "short_cents": 1250})
    assert s.ground_truth["billing"] == [
        {"kind": "underpayment", "claim_id": "C1", "short_cents": 1250}]
    with pytest.raises(ValueError, match="unknown report"):
        s.inject("payroll", {})


def test_report_with_facts_is_written_as_an_object(tmp_path: Path,
                                                  monkeypatch: pytest.MonkeyPatch) -> None:
    def facts(s: sample.Sample) -> list[dict]:
        s.facts["budget"] = {"closed_through": "2025-11"}
        s.inject("budget", {"kind": "rate_cut", "pct": 6})
        return [{"location_id": "X", "name": "X", "address": "1 Elm St", "city": "Town",
                 "state": "MN", "zip": "55369", "opens": "08:00", "closes": "17:00",
                 "days_open": "Mon-Fri"}]

    monkeypatch.setattr(sample.generator, "writers", lambda: {"locations": facts})
    truth = json.loads((sample.generate(tmp_path) / sample.GROUND_TRUTH).read_text())
    assert truth["budget"] == {"closed_through": "2025-11",
                               "injected": [{"kind": "rate_cut", "pct": 6}]}
    assert truth["billing"] == []


def test_writers_run_foundation_first_then_each_report_in_registry_order() -> None:
    assert list(sample.writers()) == ["locations", "providers", "staff", "payers",
                                    "fee_schedule", "appointments", "claims", "claim_lines",
                                    "era", "deposits", "payments_posted", "phone_calls",
                                    "items", "usage", "vendor_prices", "inventory_lots",
                                    "open_orders", "chart_of_accounts", "volumes",
                                    "gl_actuals", "front_desk_payments", "card_settlements",
                                    "payroll_runs", "ap_invoices", "pm_transactions",
                                    "bank_statement", "requirements", "credentials",
                                    "trainings", "reviews", "equipment", "equipment_logs",
                                    "practice_documents", "schedule_slots", "visit_events",
                                    "eligibility_checks"]


def test_write_sample_copies_and_refuses_to_overwrite(tmp_path: Path) -> None:
    out = tmp_path / "practice"
    written = sample.write_sample(out)
    eras = sorted((config.SAMPLE_DIR / "era").iterdir())
    assert sorted(p.name for p in written) == sorted(DATA_FILES + [p.name for p in eras])
    assert (out / "era" / eras[0].name).read_bytes() == eras[0].read_bytes()
    assert all((out / name).read_bytes() == (config.SAMPLE_DIR / name).read_bytes()
               for name in DATA_FILES)
    assert not (out / sample.GROUND_TRUTH).exists()

    (out / "staff.csv").write_text("edited by the practice\n")
    (out / "payers.csv").unlink()
    with pytest.raises(PracopsError, match=rf"already has {len(written) - 1} .*--force"):
        sample.write_sample(out)
    assert (out / "staff.csv").read_text() == "edited by the practice\n"
    assert not (out / "payers.csv").exists()  # nothing copied

    sample.write_sample(out, overwrite=True)
    assert (out / "staff.csv").read_bytes() == (config.SAMPLE_DIR / "staff.csv").read_bytes()

    with pytest.raises(PracopsError, match="is a file"):
        sample.write_sample(out / "staff.csv")


def test_module_entry_point(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["--out", str(tmp_path), "--seed", "3"]) == 0
    assert "seed 3" in capsys.readouterr().out
    assert json.loads((tmp_path / sample.GROUND_TRUTH).read_text())["seed"] == 3
