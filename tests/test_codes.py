"""Tests of pracops.x12.codes: CARC, group code, PLB and claim status tables."""

from __future__ import annotations

import pytest

from pracops.x12.codes import (
    CATEGORIES,
    GROUP_CODES,
    carc_category,
    carc_description,
    claim_status_meaning,
    plb_description,
)

# The codes the billing report meets (from the issue).
REQUIRED_CARC = ("1", "2", "3", "4", "5", "6", "11", "15", "16", "18", "22", "23", "24", "26",
                 "27", "29", "31", "39", "45", "50", "59", "96", "97", "109", "119", "129",
                 "131", "146", "151", "167", "170", "181", "182", "197", "198", "204", "226",
                 "234", "242", "252", "253", "256", "A1", "B7", "B9", "B13")
REQUIRED_PLB = ("L6", "WO", "FB", "CS", "72", "J1", "50", "AH", "B2", "B3", "BD", "BN", "C5",
                "CR", "CT", "CV", "CW", "DM", "E3", "FC", "GO", "HM", "IP", "IR", "IS", "LE",
                "LS", "OA", "OB", "PI", "PL", "RA", "RE", "SL", "TL", "WU", "90")


@pytest.mark.parametrize(("group", "carc", "category"), [
    ("CO", "45", "contractual"),           # over the contracted rate: written off
    ("CO", "253", "payer reduction"),      # sequestration
    ("CO", "59", "payer reduction"),       # multiple-procedure rule
    ("CO", "50", "denial to work"),        # medical necessity
    ("CO", "16", "denial to work"),        # missing information
    ("PR", "1", "patient responsibility"),
    ("PR", "2", "patient responsibility"),
    ("PR", "3", "patient responsibility"),
    ("PR", "96", "patient responsibility"),  # non-covered, but the patient owes it
    ("PI", "45", "payer reduction"),       # no contract behind a payer-initiated cut
    ("OA", "45", "other"),
    ("OA", "23", "other"),                 # prior payer's adjudication
    ("CO", "1", "other"),                  # a deductible under CO is unusual
    ("CR", "45", "other"),
    ("XX", "45", "other"),                 # unknown group
    ("CO", "999", "other"),                # unknown reason
    (None, None, "other"),
    (" co ", " 45 ", "contractual"),       # case and spaces do not matter
    ("CO", "b13", "denial to work"),
])
def test_carc_category(group: object, carc: object, category: str) -> None:
    assert carc_category(group, carc) == category
    assert category in CATEGORIES


def test_every_required_carc_is_described() -> None:
    missing = [c for c in REQUIRED_CARC if carc_description(c) == "unknown code"]
    assert missing == []
    assert carc_description("N130") == "unknown code"  # a RARC, not a CARC
    assert carc_description(None) == "unknown code"


def test_group_codes() -> None:
    assert set(GROUP_CODES) == {"CO", "PR", "OA", "PI", "CR"}


def test_plb_codes() -> None:
    assert [c for c in REQUIRED_PLB if plb_description(c) == "unknown code"] == []
    assert plb_description("L6") == "interest owed to the provider"
    assert plb_description(" wo ") == "recovery of an earlier overpayment"
    assert plb_description("Q9") == "unknown code"
    assert plb_description(None) == "unknown code"


def test_claim_status() -> None:
    assert claim_status_meaning("1") == "processed as primary"
    assert claim_status_meaning("4") == "denied"
    assert claim_status_meaning("22") == "reversal of an earlier payment"
    assert "forwarded" in claim_status_meaning("19")
    assert claim_status_meaning("99") == "unknown code"
