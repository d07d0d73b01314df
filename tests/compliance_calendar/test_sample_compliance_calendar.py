"""The compliance calendar on the bundled sample finds exactly its thirteen plants and flags
nothing else; the revenue at risk of the Medicare revalidation is recomputed from the CSV text
with Decimal, independently of the report's code."""

from __future__ import annotations

import csv
import json
from decimal import ROUND_HALF_UP, Decimal
from pathlib import Path

import pytest

from pracops import config
from pracops.compliance_calendar import chain

from .plants import finding_key, plant_key


@pytest.fixture(scope="module")
def truth() -> list[dict]:
    return json.loads((Path(config.SAMPLE_DIR) / "ground_truth.json").read_text())[
        "compliance_calendar"]


@pytest.fixture(scope="module")
def cal() -> chain.Calendar:
    return chain.compute(chain.load_inputs())


def test_thirteen_plants_numbered_as_the_issue(truth) -> None:
    assert sorted(p["plant"] for p in truth) == list(range(1, 14))


def test_each_plant_found_exactly_and_nothing_else(cal, truth) -> None:
    assert cal.as_of.date().isoformat() == "2025-12-31"
    found = sorted(map(finding_key, cal.findings), key=str)
    assert found == sorted(map(plant_key, truth), key=str)


def _rows(name: str) -> list[dict[str, str]]:
    with (Path(config.SAMPLE_DIR) / f"{name}.csv").open(encoding="utf-8") as f:
        return list(csv.DictReader(f))


def test_medicare_revalidation_revenue_at_risk_by_hand(cal, truth) -> None:
    plant = next(p for p in truth if p["plant"] == 3)
    npi = {p["provider_id"]: p["npi"] for p in _rows("providers")}[plant["person_id"]]
    claims = _rows("claims")
    payer_of = {c["claim_id"]: c["payer_id"] for c in claims}
    mine = [c for c in claims if c["rendering_npi"] == npi]
    share = Decimal(sum(c["payer_id"] == "MCR" for c in mine)) / Decimal(len(mine))
    era = [p for p in _rows("payments_posted")
           if p["source"] == "ERA" and payer_of[p["claim_id"]] == "MCR"]
    paid = sum(Decimal(p["amount"]) for p in era) / len({p["claim_id"] for p in era})
    booked = sum(1 for a in _rows("appointments") if a["provider_id"] == plant["person_id"]
                 and a["status"] == "booked" and a["date"] > plant["due"])
    assert booked == plant["booked_visits"] > 0
    # exact: booked × MCR claims / all claims × cents paid / paid visits, rounded once
    n_mcr = sum(c["payer_id"] == "MCR" for c in mine)
    cents = sum(int(Decimal(p["amount"]) * 100) for p in era)
    visits = len({p["claim_id"] for p in era})
    exact = (Decimal(booked * n_mcr * cents) / Decimal(len(mine) * visits)).quantize(
        Decimal(1), rounding=ROUND_HALF_UP)
    assert abs(Decimal(booked) * share * paid * 100 - exact) < 1
    lapse = next(f for f in cal.findings if f["kind"] == "lapse"
                 and f["requirement"] == "payer_enrolment")
    assert lapse["payer_id"] == "MCR"
    assert lapse["revenue_at_risk_cents"] == int(exact)
    assert cal.figures["revenue_at_risk_30_days_cents"] == int(exact)


def test_dea_lapse_is_a_stop_on_prescribing_without_a_figure(cal) -> None:
    dea = next(f for f in cal.findings if f["requirement"] == "dea")
    assert dea["effect"] == "prescribing" and dea["revenue_at_risk_cents"] is None


def test_overridden_payment_per_visit_prices_the_visits(cal) -> None:
    frames = chain.load_inputs()
    lapse = next(f for f in cal.findings if f["requirement"] == "payer_enrolment")
    other = chain.compute(frames, payment_per_visit={"MCR": 100.0},
                          payer_visit_share={lapse["subject"]: {"MCR": 0.5}})
    moved = next(f for f in other.findings if f["requirement"] == "payer_enrolment")
    assert moved["revenue_at_risk_cents"] == lapse["booked_visits"] * 5000
