"""Every claim denied for eligibility on the sample, by payer, with how its visit was checked:
recomputed from the text of the 835 files, claims.csv, appointments.csv and
eligibility_checks.csv (the csv module and decimals), not through the report's readers."""

from __future__ import annotations

from collections import defaultdict
from decimal import Decimal

import pytest
from sample_text import day, rows

from pracops import config
from pracops.patient_access import chain, view

# the eligibility reasons the docs name (docs/patient_access-sample.md)
CARCS = {"26", "27", "31", "32", "33", "34", "35", "39", "177", "200"}


def _denied_cents() -> dict[str, int]:
    """Cents adjusted for an eligibility reason, by claim, from the 835 segments; a
    transaction read twice (the planted duplicate file) counted once."""
    seen: set[tuple[str, str, int]] = set()
    cents: dict[str, int] = defaultdict(int)
    for path in sorted((config.SAMPLE_DIR / "era").glob("*.835")):
        trace = claim = ""
        for position, segment in enumerate(path.read_text(encoding="utf-8").split("~")):
            fields = segment.strip().split("*")
            if fields[0] == "TRN":
                trace = fields[2]
            elif fields[0] == "CLP":
                claim = fields[1]
            elif fields[0] == "CAS" and (trace, claim, position) not in seen:
                seen.add((trace, claim, position))
                for i in range(2, len(fields), 3):
                    if fields[i] in CARCS:
                        cents[claim] += int(Decimal(fields[i + 1]) * 100)
    return dict(cents)


def _expected() -> dict[str, list[int]]:
    """By payer and for every payer: claims, cents, verified ahead, checked late, never."""
    denied = _denied_cents()
    visit = {a["appointment_id"]: day(a["date"]) for a in rows("appointments")}
    checks = defaultdict(list)
    for c in rows("eligibility_checks"):
        checks[c["appointment_id"]].append(c)
    out: dict[str, list[int]] = defaultdict(lambda: [0, 0, 0, 0, 0])
    for claim in rows("claims"):
        if claim["claim_id"] not in denied:
            continue
        mine = checks[claim["appointment_id"]]
        ahead = any(c["result"] == "active"
                    and (visit[claim["appointment_id"]] - day(c["checked_date"])).days >= 2
                    for c in mine)
        how = 2 if ahead else 4 if not mine else 3
        for payer in (claim["payer_id"], "every payer"):
            out[payer][0] += 1
            out[payer][1] += denied[claim["claim_id"]]
            out[payer][how] += 1
    return dict(out)


@pytest.fixture(scope="module")
def result(tmp_path_factory: pytest.TempPathFactory) -> chain.PatientAccess:
    return chain.run(output_dir=tmp_path_factory.mktemp("denials"))


def test_the_denials_by_payer_are_those_of_the_remittances(result) -> None:
    table = result.denials_by_payer.set_index("payer_id")
    got = {p: [int(v) for v in r] for p, r in table.iterrows()}
    assert got == _expected()
    # the audit's count of the sample: 177 claims, $44,105.00, 94 ahead, 70 never checked
    assert got["every payer"] == [177, 4410500, 94, 13, 70]


def test_the_figures_and_the_summary_say_them(result) -> None:
    claims, cents, ahead, late, never = _expected()["every payer"]
    figures = view.figures(result)
    assert (figures["eligibility_denials"], figures["eligibility_denied_cents"]) == (
        claims, cents)
    dollars = f"<span>&#36;</span>{cents // 100:,}.{cents % 100:02d}"  # $ kept from MathJax
    assert (f"Claims denied for eligibility: {claims}, {dollars}; of their visits {ahead} "
            f"were verified ahead, {late} checked late or found not active, and {never} "
            "never checked") in view.summary_text(result)
