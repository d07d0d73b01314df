"""pracops.x12.write: what it writes is valid (pyx12) and reads back to the same cents."""

from __future__ import annotations

import datetime as dt

import pytest

from pracops.x12 import parse_835
from pracops.x12.write import (
    Adjustment,
    ClaimPayment,
    Party,
    Payment,
    ProviderAdjustment,
    ServicePayment,
    UnbalancedRemittance,
    format_amount,
    write_835,
)

PAYER = Party("ACME HEALTH", "XV", "ACME01", "1 Main St", "Raleigh", "NC", "27601")
PAYEE = Party("MAPLE GROVE FAMILY MEDICINE", "XX", "1234567893", "2 Oak Ave", "Cary", "NC",
              "27511", tin="561234567")
DOS = dt.date(2026, 1, 5)


def _claim(claim_id: str = "C0001") -> ClaimPayment:
    # 99213: charged 150.00, allowed 120.00 (CO-45 30.00), patient copay 20.00 (PR-3),
    # paid 100.00. 36415: charged 25.00, denied in full (CO-97 25.00).
    lines = (
        ServicePayment("99213", 15000, 10000, ("25",), 1, DOS, 12000,
                       (Adjustment("CO", "45", 3000), Adjustment("PR", "3", 2000))),
        ServicePayment("36415", 2500, 0, (), 1, DOS, None, (Adjustment("CO", "97", 2500),),
                       remarks=("M15",)),
    )
    return ClaimPayment(claim_id, "1", 17500, 10000, 2000, "PCN" + claim_id,
                        patient_last="DOE", patient_first="JANE", member_id="M1",
                        rendering_npi="1234567893", statement_from=DOS, services=lines)


def _payments() -> list[Payment]:
    ach = Payment("EFT0001", "1512345678", dt.date(2026, 1, 15), PAYER, PAYEE,
                  (_claim("C0001"), _claim("C0002")),
                  provider_adjustments=(ProviderAdjustment("L6", "INT1", -150),
                                        ProviderAdjustment("WO", "C0009", 4000)))
    chk = Payment("CHK0002", "1512345678", dt.date(2026, 1, 16), PAYER, PAYEE,
                  (_claim("C0003"),), method="CHK")
    return [ach, chk]


def test_format_amount() -> None:
    assert [format_amount(c) for c in (12345, -5, 1200, 0, -100000)] == [
        "123.45", "-0.05", "12", "0", "-1000"]


def test_round_trip_through_the_reader() -> None:
    text = write_835(_payments(), sender_id="ACME01", receiver_id="MAPLE", control_number=7,
                     created=dt.datetime(2026, 1, 15, 9, 30))
    r = parse_835(text)
    # ACH: 2 × 100.00 paid, interest 1.50 added (PLB −1.50), recovery 40.00 kept → 161.50
    assert r.payments["total_paid_cents"].tolist() == [16150, 10000]
    assert r.payments["trace_number"].tolist() == ["EFT0001", "CHK0002"]
    assert r.payments["payment_method"].tolist() == ["ACH", "CHK"]
    assert r.claims["claim_id"].tolist() == ["C0001", "C0002", "C0003"]
    assert r.claims["charge_cents"].sum() == 3 * 17500
    assert r.service_lines["paid_cents"].tolist() == [10000, 0] * 3
    assert r.adjustments["amount_cents"].sum() == 3 * (3000 + 2000 + 2500)
    assert sorted(r.provider_adjustments["amount_cents"]) == [-150, 4000]
    assert r.balance_errors.empty
    assert r.warnings.empty and r.quarantined.empty


def test_unbalanced_remittance_is_refused() -> None:
    bad = ClaimPayment("C1", "1", 10000, 9000, 0, "P1",
                       services=(ServicePayment("99213", 10000, 9000, (), 1, DOS, None,
                                                (Adjustment("CO", "45", 500),)),))
    pay = Payment("T1", "1512345678", DOS, PAYER, PAYEE, (bad,))
    with pytest.raises(UnbalancedRemittance, match="claim C1 line 99213"):
        write_835([pay], sender_id="A", receiver_id="B", control_number=1,
                  created=dt.datetime(2026, 1, 1))
    text = write_835([pay], sender_id="A", receiver_id="B", control_number=1,
                     created=dt.datetime(2026, 1, 1), check_balance=False)
    errors = parse_835(text).balance_errors
    assert sorted(errors["rule"]) == ["claim", "line"]
    assert set(errors["difference_cents"].abs()) == {500}


def test_pyx12_validates_what_we_write(pyx12_check) -> None:
    text = write_835(_payments(), sender_id="ACME01", receiver_id="MAPLE", control_number=7,
                     created=dt.datetime(2026, 1, 15, 9, 30))
    assert pyx12_check(text) == (True, [])
