"""Issue 18: the sample generator's practice shapes. The bundled shape is the bundled sample
(tests/test_unchanged.py and `git diff pracops/sample/data` prove its files unchanged); another
shape (2 family-medicine providers in Colorado, the smallest; 3 internist providers in Iowa; 12
providers of a multi-specialty group in Wisconsin) gives a practice of that size, specialty and
state whose every report finds exactly the plants its own ground truth lists, checked as the
reports' other-seed tests check them."""

from __future__ import annotations

import csv
import importlib.util
import json
from pathlib import Path

import pandas as pd
import pytest
from compliance_calendar.plants import finding_key, plant_key

from pracops.billing import chain as billing
from pracops.budget import chain as budget
from pracops.compliance_calendar import chain as compliance
from pracops.daily_close import chain as daily_close
from pracops.patient_access import chain as patient_access
from pracops.purchasing import chain as purchasing
from pracops.sample.generator import Shape, generate
from pracops.staffing import chain as staffing

SHAPES = {
    "two": (Shape(providers=2, specialty="Family Medicine", state="CO",
                  name="Fort Collins Family Medicine"), 99),
    "small": (Shape(providers=3, specialty="Internal Medicine", state="IA",
                    name="Ames Internal Medicine"), 7),
    "larger": (Shape(providers=12, specialty="Primary Care", state="WI",
                     name="Eau Claire Primary Care"), 11),
}


@pytest.mark.parametrize("providers", [1, 41])
def test_a_shape_has_2_to_40_providers(providers: int) -> None:
    with pytest.raises(ValueError, match=f"a practice of {providers} providers: give 2 to 40"):
        Shape(providers=providers)


def _daily_close_keys() -> dict:
    """How each daily-close plant is found (its other-seed test's table, not copied)."""
    path = Path(__file__).parent / "daily_close" / "test_other_seeds.py"
    spec = importlib.util.spec_from_file_location("daily_close_other_seeds", path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module.KEYS


def _rows(path: Path) -> list[dict[str, str]]:
    with path.open(newline="", encoding="utf-8") as fh:
        return list(csv.DictReader(fh))


@pytest.fixture(scope="module", params=list(SHAPES))
def practice(request, tmp_path_factory) -> tuple[Shape, Path, dict]:
    shape, seed = SHAPES[request.param]
    folder = generate(tmp_path_factory.mktemp(request.param), seed=seed, shape=shape)
    return shape, folder, json.loads((folder / "ground_truth.json").read_text())


def test_the_practice_has_its_shape(practice) -> None:
    shape, folder, truth = practice
    providers = _rows(folder / "providers.csv")
    locations = _rows(folder / "locations.csv")
    assert len(providers) == shape.providers
    physicians = {p["specialty"] for p in providers if p["kind"] in ("MD", "DO")}
    assert physicians == {
        "Family Medicine": {"Family Medicine"}, "Internal Medicine": {"Internal Medicine"},
        "Primary Care": {"Family Medicine", "Internal Medicine", "Pediatrics"}}[shape.specialty]
    assert {(loc["state"], loc["city"]) for loc in locations} == {
        (shape.state, {"CO": "Fort Collins", "IA": "Ames", "WI": "Eau Claire"}[shape.state])}
    assert len(locations) == 2
    assert truth["practice"]["shape"] == {"providers": shape.providers,
                                          "specialty": shape.specialty, "state": shape.state}
    assert f"providers: {shape.providers}\n" in (folder / "practice.yaml").read_text()
    # The panel is in proportion to the providers' visits a day (6,400 for the bundled 88.8).
    capacity = sum(float(p["fte"]) * int(p["visits_per_day_target"]) for p in providers)
    patients = {c["patient_id"] for c in _rows(folder / "claims.csv")}
    assert len(patients) <= round(6400 * capacity / 88.8)
    if shape.specialty == "Internal Medicine":  # an adult panel
        born = [pd.Timestamp(c["patient_dob"]) for c in _rows(folder / "claims.csv")]
        assert min(born) < pd.Timestamp("1960-07-01") and max(born) < pd.Timestamp("2008-01-01")


def test_staffing_finds_exactly_its_shortage(practice) -> None:
    _, folder, truth = practice
    (shortage,) = truth["staffing"]
    figures = staffing.summary_figures(staffing.compute(staffing.load_inputs(folder),
                                                        solver_deterministic_time=1.0))
    assert [(g["location_id"], g["role"], g["day"], g["hours"], g["short_by"])
            for g in figures["roster_gaps"]] == [
        (shortage["location_id"], shortage["role"], shortage["weekday"], shortage["hours"], 1)]


def test_compliance_calendar_finds_exactly_its_plants(practice) -> None:
    _, folder, truth = practice
    # all thirteen plants on every shape (two providers: the DEA and CAQH plants on one)
    assert {p["plant"] for p in truth["compliance_calendar"]} == set(range(1, 14))
    cal = compliance.compute(compliance.load_inputs(folder))
    assert sorted(map(finding_key, cal.findings), key=str) == sorted(
        map(plant_key, truth["compliance_calendar"]), key=str)


def test_patient_access_finds_exactly_its_plants(practice) -> None:
    _, folder, truth = practice
    def key(problem: dict) -> str:
        return json.dumps(problem, sort_keys=True)
    assert sorted(map(key, patient_access.run(folder).problems)) == sorted(
        map(key, truth["patient_access"]))


def test_daily_close_finds_exactly_its_plants(practice) -> None:
    _, folder, truth = practice
    plants = truth["daily_close"]
    minimum = next(p for p in plants if p["kind"] == "forecast_below_minimum")[
        "minimum_balance_cents"]
    found = daily_close.compute(daily_close.load_inputs(folder),
                                minimum_balance=minimum / 100).findings
    assert sorted(found["kind"]) == sorted(p["kind"] for p in plants)
    got = found.set_index("kind")
    for plant in plants:
        day, reference, amount = _daily_close_keys()[plant["kind"]](plant)
        row = got.loc[plant["kind"]]
        assert row["reference"] == reference, plant
        assert day is None or row["date"] == pd.Timestamp(day), plant
        assert amount is None or row["amount_cents"] == amount, plant


def _kinds(plants: list[dict], kind: str) -> list[dict]:
    return [p for p in plants if p["kind"] == kind]


def test_billing_finds_exactly_its_plants(practice) -> None:
    _, folder, truth = practice
    plants = truth["billing"]
    recon = billing.compute(billing.load_inputs(folder)).reconciliation
    under = recon.underpayments
    assert dict(zip(zip(under["claim_id"], under["line_no"], strict=True),
                    under["shortfall_cents"], strict=True)) == {
        (p["claim_id"], p["line_no"]): p["difference_cents"]
        for p in _kinds(plants, "underpayment")}
    deposits = recon.deposits
    assert list(deposits.eras_without_deposit["trace_number"]) == [
        p["trace"] for p in _kinds(plants, "era_without_deposit")]
    assert list(deposits.deposits_without_era["deposit_id"]) == [
        p["deposit_id"] for p in _kinds(plants, "deposit_without_era")]
    (mismatch,) = _kinds(plants, "deposit_amount_mismatch")
    assert deposits.amount_mismatches[["trace_number", "deposit_id", "difference_cents"]
                                      ].values.tolist() == [
        [mismatch["trace"], mismatch["deposit_id"], mismatch["difference_cents"]]]
    (duplicate,) = _kinds(plants, "duplicate_835")
    assert list(recon.duplicates["trace_number"]) == [duplicate["trace"]]


def test_purchasing_finds_exactly_its_plants(practice) -> None:
    _, folder, truth = practice
    plants = truth["purchasing"]
    figures = purchasing.summary_figures(purchasing.compute(purchasing.load_inputs(folder)))
    assert figures["below_reorder_point_skus"] == [
        p["sku"] for p in _kinds(plants, "below_reorder_point")]
    assert figures["overdue_orders"] == [p["po_number"] for p in _kinds(plants, "overdue_order")]
    assert [(c["sku"], c["current_vendor"], c["cheaper_vendor"])
            for c in figures["cheaper_vendor"]] == [
        (p["sku"], p["current_vendor"], p["cheaper_vendor"])
        for p in _kinds(plants, "cheaper_vendor")]
    assert [(e["sku"], e["lot"]) for e in figures["expiring_lots"]] == [
        (p["sku"], p["lot"]) for p in _kinds(plants, "expiring_lot")]
    # material: at least 5 % on the current vendor (the report's default)
    assert [(m["sku"], m["vendor"]) for m in figures["material_price_increases"]] == [
        (p["sku"], p["vendor"]) for p in _kinds(plants, "price_increase") if p["pct"] >= 5]


def test_budget_finds_exactly_its_plants(practice) -> None:
    _, folder, truth = practice
    injected = {p["kind"]: p for p in truth["budget"]["injected"]}
    c = budget.compute(budget.load_inputs(folder)).comparison
    lines = c.lines[c.lines["material"]]
    costs = lines[lines["kind"] == "cost"]
    over = injected["supply_overspend"]
    assert list(zip(costs["account"], costs["month"], strict=True)) == [
        (over["account"], int(over["month"][5:]))]
    shift = injected["payer_mix_shift"]
    p = c.payers.set_index("payer")
    moved = (p["actual_visits"] / p["actual_visits"].sum()
             - p["budget_visits"] / p["budget_visits"].sum()) * 100
    assert moved[shift["to_class"]] == pytest.approx(shift["points"], abs=0.5)
    assert moved[shift["from_class"]] == pytest.approx(-shift["points"], abs=0.5)
    assert c.revenue_by_class.set_index("payer")["rate_cents"].idxmin() == injected[
        "rate_cut"]["payer_class"]
