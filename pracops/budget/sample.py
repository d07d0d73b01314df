"""The sample practice's books: chart of accounts, monthly volumes and general-ledger actuals.

The writers here run last; they summarise the billing, provider and staff data of the other
sample modules, each with its own random stream. The books are closed through
:data:`CLOSED_THROUGH` (November 2025); the volumes and the GL cover :data:`MONTHS`, January
2024 to November 2025.

``chart_of_accounts``
    :data:`ACCOUNTS`: four revenue accounts (one per payer class) and fifteen expense accounts
    in the budget's categories, each with its cost behaviour; the malpractice premium is paid
    in January, the property insurance in January and July.
``volumes``
    Visits, work RVUs and provider FTE per month and payer class. 2025: the claims by month of
    service and payer class (``claims.payer_id`` → ``payers.class``); work RVUs from
    :data:`WORK_RVUS` × units of the claim lines; provider FTE the sum of ``providers.fte`` of
    the providers who had started by the end of the month. 2024: each month's total visits are
    the same month's 2025 visits / 1.03 (December 2024 from the December 2025 visits), with a
    small noise, split by the 2025 month's payer mix moved back by the injected mix shift;
    work RVUs at the class's 2025 January–November work RVUs per visit.
``gl_actuals``
    The P&L per month and account, revenue and expenses both positive; months in which an
    account has no activity (the premiums outside their payment months) have no row.
    Revenue 2025: the expected net revenue of the month's claims (the contract allowed amount
    of ``fee_schedule`` × units per line; self-pay the charge, as the billing sample collects
    it). Revenue 2024: visits × the class's 2024 net revenue per visit (the 2025
    January–November average, but Medicare's 2025 rate / 0.94), ± 0.5 %. Expenses from the
    providers (compensation per FTE by kind), the staff roster (Σ fte × hourly rate × 2080 / 12
    a month, plus overtime), benefits at the load of :data:`ASSUMPTIONS` on all wages,
    supplies per visit, and fixed costs; 2024 is 2025 less the wage increase or the category's
    inflation.

A budget built from 2024 with :data:`ASSUMPTIONS` matches 2025 within noise except for three
problems recorded under ``"budget"`` in the ground truth (``injected``):

``supply_overspend``
    Medical supplies of one month above the per-visit rate by a round amount (``account``,
    ``month``, ``extra_cents``).
``payer_mix_shift``
    In 2025 Commercial lost ``points`` points of the visit mix to Medicaid (``from_class``,
    ``to_class``): 2024 had Commercial 5 points higher and Medicaid 5 points lower.
``rate_cut``
    Medicare paid 2025 rates ``pct`` % below 2024's (``payer_class``, ``pct``).

The ground truth's budget section also holds ``closed_through``, ``first_month``, the
``assumptions`` the budget was set with, and the true visits, payer mix and net revenue per
visit of each class in 2024 and 2025 (January–November).
"""

from __future__ import annotations

import datetime as dt
import random
from collections import defaultdict
from fractions import Fraction
from typing import Any

from pracops.sample.generator import BUNDLED_VISITS_A_DAY, Sample, writer

__all__ = ["ACCOUNTS", "ASSUMPTIONS", "CLOSED_THROUGH", "MONTHS", "WORK_RVUS"]

CLOSED_THROUGH = "2025-11"
"""The last month whose books are closed: the GL and volumes run to here."""

MONTHS: tuple[str, ...] = tuple(f"{y}-{m:02d}" for y in (2024, 2025) for m in range(1, 13)
                                if (y, m) <= (2025, 11))
"""The months of the GL and the volumes, 2024-01 … 2025-11."""

CLASSES: tuple[str, ...] = ("Medicare", "Medicaid", "Commercial", "Self-pay")
"""The payer classes of the sample's payers, in the order the chart lists their revenue."""

ASSUMPTIONS: dict[str, Any] = {
    "budget_year": 2025,
    "visit_growth_pct": 3.0,
    "rate_change_pct_by_class": {c: 0.0 for c in CLASSES},
    "wage_increase_pct": 3.0,
    "benefits_load_pct": 22.0,
    "inflation_pct_by_category": {
        "medical supplies": 4.0, "office supplies": 2.0, "rent and occupancy": 3.0,
        "malpractice": 0.0, "IT/EHR": 5.0, "purchased services": 3.0, "depreciation": 0.0,
        "other": 2.5,
    },
}
"""What the 2025 budget was set with in late 2024 (percentages: 3 means 3 %)."""

# account, name, category, behaviour, payer class, payment months
ACCOUNTS: tuple[tuple[str, str, str, str, str | None, str | None], ...] = (
    ("4100", "Patient revenue - Medicare", "revenue", "variable per visit", "Medicare", None),
    ("4200", "Patient revenue - Medicaid", "revenue", "variable per visit", "Medicaid", None),
    ("4300", "Patient revenue - Commercial", "revenue", "variable per visit", "Commercial",
     None),
    ("4400", "Patient revenue - Self-pay", "revenue", "variable per visit", "Self-pay", None),
    ("5100", "Physician compensation", "provider compensation", "step per provider FTE",
     None, None),
    ("5110", "NP/PA compensation", "provider compensation", "step per provider FTE", None,
     None),
    ("5200", "Staff salaries and wages", "staff salaries", "fixed", None, None),
    ("5300", "Payroll taxes and benefits", "benefits", "fixed", None, None),
    ("5400", "Medical supplies", "medical supplies", "variable per visit", None, None),
    ("5500", "Office supplies", "office supplies", "variable per visit", None, None),
    ("6100", "Rent", "rent and occupancy", "fixed", None, None),
    ("6110", "Utilities", "rent and occupancy", "fixed", None, None),
    ("6200", "Malpractice insurance", "malpractice", "fixed", None, "1"),
    ("6210", "Property and liability insurance", "other", "fixed", None, "1,7"),
    ("6300", "EHR and IT services", "IT/EHR", "fixed", None, None),
    ("6400", "Janitorial and linen service", "purchased services", "fixed", None, None),
    ("6410", "Clearinghouse and answering service", "purchased services", "fixed", None, None),
    ("6500", "Depreciation", "depreciation", "fixed", None, None),
    ("6900", "Other operating expenses", "other", "fixed", None, None),
)
"""The chart of accounts: account, name, category, behaviour, payer class, payment months."""

REVENUE_ACCOUNT = {pc: acct for acct, _, cat, _, pc, _ in ACCOUNTS if cat == "revenue"}

WORK_RVUS: dict[str, float] = {
    # E/M office visits (CY 2025 national work RVUs, CMS physician fee schedule)
    "99202": 0.93, "99203": 1.60, "99204": 2.60, "99205": 3.50,
    "99212": 0.70, "99213": 1.30, "99214": 1.92, "99215": 2.80,
    # preventive visits and the Medicare annual wellness visit
    "99392": 1.50, "99393": 1.50, "99394": 1.70, "99395": 1.75, "99396": 1.90, "99397": 2.00,
    "G0439": 1.92,
    # office procedures and the vaccine administration
    "17110": 0.70, "11102": 0.66, "20610": 0.79, "69210": 0.61, "90471": 0.17,
    # no physician work: lab tests (clinical lab fee schedule), venipuncture, drug, vaccine
    "36415": 0.0, "81002": 0.0, "85025": 0.0, "80053": 0.0, "J3301": 0.0, "90686": 0.0,
}
"""Work RVUs per unit of the codes the sample bills (public CMS physician fee schedule values,
rounded to 0.01). A month and class with a line whose code is not listed has no wRVUs."""

VISIT_GROWTH = Fraction(103, 100)  # 2025 visits over 2024's
WAGE_INCREASE = Fraction(103, 100)
BENEFITS_LOAD = Fraction(22, 100)
MIX_SHIFT_POINTS = 5  # Commercial → Medicaid, points of the visit mix, 2024 → 2025
RATE_CUT_PCT = 6  # Medicare's 2025 rate below 2024's
OVERSPEND = ("5400", "2025-06", 750_000)  # account, month, extra cents
COMPENSATION_CENTS = {"MD": 26_500_000, "DO": 26_500_000, "NP": 12_500_000, "PA": 12_500_000}
"""Provider compensation per FTE and year in 2025, by kind of provider."""
COMPENSATION_ACCOUNT = {"MD": "5100", "DO": "5100", "NP": "5110", "PA": "5110"}
PER_VISIT_CENTS = {"5400": 600, "5500": 140}
"""Supplies per visit in 2025, cents. Medical supplies come to 3-6 % of patient revenue, the
range of the STATS quick reference (3.6-4.6 % of collections for medical supplies and drugs)
and MGMA primary-care medians (sources in tests/test_sample_realism.py)."""
_HOURS_PER_YEAR = 2080
_OVERTIME = (0.003, 0.012)  # overtime and extra hours on top of base wages, share
_VISIT_NOISE = 0.01  # 2024 monthly visits, ± share
_RATE_NOISE = 0.005  # 2024 monthly revenue per visit, ± share
_SUPPLY_NOISE = 0.02
# fixed costs: account -> (2024 monthly cents, ± share of noise per month); the premiums are
# annual amounts paid in their payment months
_FIXED_2024: dict[str, tuple[int, float]] = {
    "6100": (2_230_000, 0.0),  # leases of the two clinics
    "6110": (260_000, 0.06),
    "6300": (620_000, 0.0),  # EHR subscription and managed IT
    "6400": (240_000, 0.03),
    "6410": (185_000, 0.04),
    "6500": (450_000, 0.0),
    "6900": (280_000, 0.08),
}
_PREMIUMS_2024 = {"6200": 3_840_000, "6210": 960_000}  # a year, split over the pay months


def _category(account: str) -> str:
    return next(a[2] for a in ACCOUNTS if a[0] == account)


def _inflation(account: str) -> Fraction:
    pct = ASSUMPTIONS["inflation_pct_by_category"][_category(account)]
    return 1 + Fraction(str(pct)) / 100


def _cents(x: Fraction | float) -> int:
    """Round half away from zero to a whole cent."""
    f = Fraction(x)
    n = abs(f.numerator) * 2 + f.denominator
    q = n // (2 * f.denominator)
    return q if f >= 0 else -q


def _noise(rng: random.Random, share: float) -> Fraction:
    return Fraction(1) + Fraction(rng.uniform(-share, share)).limit_denominator(10**9)


def _month_end(month: str) -> dt.date:
    year, number = int(month[:4]), int(month[5:])
    first_next = dt.date(year + number // 12, number % 12 + 1, 1)
    return first_next - dt.timedelta(days=1)


# --------------------------------------------------------------------------------------------
# The 2025 activity, summarised from the billing sample


def _contract_cents(fees: dict[tuple[str, str, str], int], line: dict[str, Any],
                    payer_id: str) -> int:
    """Expected revenue of a claim line: the contract allowed × units; self-pay its charge."""
    if payer_id == "SELF":
        return line["charge_cents"]
    for modifier in line["modifiers"].split(";") if line["modifiers"] else ():
        if (payer_id, line["cpt"], modifier) in fees:
            return fees[payer_id, line["cpt"], modifier] * line["units"]
    return fees[payer_id, line["cpt"], ""] * line["units"]


def activity_2025(sample: Sample) -> dict[str, dict[tuple[str, str], Any]]:
    """Visits, expected revenue (cents) and work RVUs (``None`` if unknown) by (month, class).

    Every month of 2025 with claims, December included (2024's December is built from it).
    """
    cached = sample.notes.get("budget_activity")
    if cached is not None:
        return cached
    classes = {p["payer_id"]: p["class"] for p in sample.tables["payers"]}
    fees = {(r["payer_id"], r["cpt"], r["modifier"] or ""): r["allowed_cents"]
            for r in sample.tables["fee_schedule"]}
    claim_of: dict[str, tuple[str, str, str]] = {}
    visits: dict[tuple[str, str], int] = defaultdict(int)
    for claim in sample.tables["claims"]:
        key = (claim["date_of_service"].strftime("%Y-%m"), classes[claim["payer_id"]])
        claim_of[claim["claim_id"]] = (*key, claim["payer_id"])
        visits[key] += 1
    # The daily close's visit never charged (December's, left out of the claims) still counts
    # as a visit: 2024's December is built from December 2025's visits.
    uncharged = sample.notes["claims"]["uncharged"]
    visits[(uncharged["date_of_service"].strftime("%Y-%m"), classes[uncharged["payer_id"]])] += 1
    revenue: dict[tuple[str, str], int] = defaultdict(int)
    wrvus: dict[tuple[str, str], Fraction | None] = defaultdict(Fraction)
    for line in sample.tables["claim_lines"]:
        month, budget_class, payer_id = claim_of[line["claim_id"]]
        key = (month, budget_class)
        revenue[key] += _contract_cents(fees, line, payer_id)
        rvu = WORK_RVUS.get(line["cpt"])
        if rvu is None or wrvus[key] is None:
            wrvus[key] = None
        else:
            wrvus[key] += Fraction(str(rvu)) * line["units"]
    out = {"visits": dict(visits), "revenue": dict(revenue), "wrvus": dict(wrvus)}
    sample.notes["budget_activity"] = out
    return out


def _provider_fte(sample: Sample, month: str) -> Fraction:
    end = _month_end(month)
    return sum((Fraction(str(p["fte"])) for p in sample.tables["providers"]
                if p["start_date"] <= end), Fraction(0))


def _largest_remainder(total: int, shares: dict[str, Fraction]) -> dict[str, int]:
    """Whole counts in proportion to ``shares`` (summing to 1) that add up to ``total``."""
    exact = {k: total * s for k, s in shares.items()}
    counts = {k: int(v) for k, v in exact.items()}
    left = total - sum(counts.values())
    for k in sorted(exact, key=lambda k: (-(exact[k] - counts[k]), k))[:left]:
        counts[k] += 1
    return counts


def _sum(values: Any) -> Fraction:
    return sum(values, Fraction(0))


def _plan(sample: Sample) -> dict[str, Any]:
    """Volumes and rates of both years, shared by the volumes and GL writers."""
    cached = sample.notes.get("budget")
    if cached is not None:
        return cached
    act = activity_2025(sample)
    rng = sample.rng("budget_volumes")
    closed = [m for m in MONTHS if m.startswith("2025")]
    visits: dict[tuple[str, str], int] = {}
    for m in closed:
        for c in CLASSES:
            visits[m, c] = act["visits"].get((m, c), 0)
    # 2025 January–November rates and work RVUs per visit, by class
    rate_2025 = {c: Fraction(_sum(act["revenue"].get((m, c), 0) for m in closed),
                             _sum(visits[m, c] for m in closed)) for c in CLASSES}
    rate_2024 = dict(rate_2025)
    rate_2024["Medicare"] = rate_2025["Medicare"] / (1 - Fraction(RATE_CUT_PCT, 100))
    rvu_per_visit = {}
    for c in CLASSES:
        known = [act["wrvus"].get((m, c)) for m in closed]
        rvu_per_visit[c] = (None if any(k is None for k in known)
                            else _sum(known) / _sum(visits[m, c] for m in closed))
    shift = {"Commercial": Fraction(MIX_SHIFT_POINTS, 100),
             "Medicaid": -Fraction(MIX_SHIFT_POINTS, 100)}
    for m in (x for x in MONTHS if x.startswith("2024")):
        same_2025 = f"2025-{m[5:]}"
        by_class = {c: act["visits"].get((same_2025, c), 0) for c in CLASSES}
        total_2025 = sum(by_class.values())
        total = _cents(Fraction(total_2025) / VISIT_GROWTH * _noise(rng, _VISIT_NOISE))
        shares = {c: Fraction(by_class[c], total_2025) + shift.get(c, 0) for c in CLASSES}
        for c, n in _largest_remainder(total, shares).items():
            visits[m, c] = n
    plan = {"visits": visits, "rate_2025": rate_2025, "rate_2024": rate_2024,
            "rvu_per_visit": rvu_per_visit, "activity": act}
    sample.notes["budget"] = plan
    return plan


# --------------------------------------------------------------------------------------------
# Writers


@writer("chart_of_accounts")
def chart_of_accounts(sample: Sample) -> list[dict[str, Any]]:
    """The accounts of :data:`ACCOUNTS`."""
    return [{"account": a, "name": n, "category": cat, "behaviour": beh, "payer_class": pc,
             "pay_months": months} for a, n, cat, beh, pc, months in ACCOUNTS]


@writer("volumes")
def volumes(sample: Sample) -> list[dict[str, Any]]:
    """Visits, work RVUs and provider FTE per month and payer class, 2024-01 … 2025-11."""
    plan = _plan(sample)
    act = plan["activity"]
    rows = []
    for m in MONTHS:
        fte = _provider_fte(sample, m)
        for c in CLASSES:
            n = plan["visits"][m, c]
            if m.startswith("2025"):
                rvus = act["wrvus"].get((m, c), Fraction(0)) if n else Fraction(0)
            else:
                per_visit = plan["rvu_per_visit"][c]
                rvus = None if per_visit is None else n * per_visit
            rows.append({"month": m, "payer_class": c, "visits": n,
                         "wrvus": None if rvus is None else round(float(rvus), 2),
                         "provider_fte": round(float(fte), 4)})
    return rows


def _wages(sample: Sample, month: str, rng: random.Random) -> dict[str, int]:
    """Provider compensation and staff wages of a month, cents by account."""
    factor = Fraction(1) if month.startswith("2025") else 1 / WAGE_INCREASE
    end = _month_end(month)
    out: dict[str, Fraction] = {"5100": Fraction(0), "5110": Fraction(0)}
    for p in sample.tables["providers"]:
        if p["start_date"] <= end:
            out[COMPENSATION_ACCOUNT[p["kind"]]] += (
                Fraction(str(p["fte"])) * COMPENSATION_CENTS[p["kind"]] / 12)
    base = _sum(Fraction(s["fte"]) * s["hourly_rate_cents"] * _HOURS_PER_YEAR / 12
                for s in sample.tables["staff"])
    overtime = Fraction(rng.uniform(*_OVERTIME)).limit_denominator(10**9)
    out["5200"] = base * (1 + overtime)
    return {a: _cents(v * factor) for a, v in out.items()}


def _overspend(sample: Sample) -> tuple[str, str, int]:
    """:data:`OVERSPEND`, its amount times the practice's size in bundled practices (the
    providers' visits a day over the bundled sample's, rounded; at least 1), so that a larger
    practice's overspend stands out of its larger supply bill as the bundled one does."""
    account, month, cents = OVERSPEND
    size = sum(p["fte"] * p["visits_per_day_target"] for p in sample.tables["providers"])
    return account, month, cents * max(1, round(size / BUNDLED_VISITS_A_DAY))


@writer("gl_actuals")
def gl_actuals(sample: Sample) -> list[dict[str, Any]]:
    """The P&L per month and account, 2024-01 … 2025-11 (see the module docstring)."""
    plan = _plan(sample)
    rng = sample.rng("gl_actuals")
    act = plan["activity"]
    extra_account, extra_month, extra_cents = _overspend(sample)
    rows = []
    for m in MONTHS:
        is_2025 = m.startswith("2025")
        amounts: dict[str, int] = {}
        for c in CLASSES:
            n = plan["visits"][m, c]
            amounts[REVENUE_ACCOUNT[c]] = (
                act["revenue"].get((m, c), 0) if is_2025
                else _cents(n * plan["rate_2024"][c] * _noise(rng, _RATE_NOISE)))
        wages = _wages(sample, m, rng)
        amounts.update(wages)
        amounts["5300"] = _cents(sum(wages.values()) * BENEFITS_LOAD)
        total_visits = sum(plan["visits"][m, c] for c in CLASSES)
        for account, per_visit in PER_VISIT_CENTS.items():
            rate = Fraction(per_visit) if is_2025 else per_visit / _inflation(account)
            amounts[account] = _cents(total_visits * rate * _noise(rng, _SUPPLY_NOISE))
        for account, (monthly, noise) in _FIXED_2024.items():
            amount = Fraction(monthly) * (_inflation(account) if is_2025 else 1)
            amounts[account] = _cents(amount * (_noise(rng, noise) if noise else 1))
        for account, annual in _PREMIUMS_2024.items():
            months = next(a[5] for a in ACCOUNTS if a[0] == account).split(",")
            if str(int(m[5:])) in months:
                amount = Fraction(annual, len(months))
                amounts[account] = _cents(amount * (_inflation(account) if is_2025 else 1))
        if m == extra_month:
            amounts[extra_account] += extra_cents
        for account, *_ in ACCOUNTS:
            if account in amounts:
                rows.append({"month": m, "account": account, "amount_cents": amounts[account]})
    _record(sample, plan)
    return rows


def _record(sample: Sample, plan: dict[str, Any]) -> None:
    """The budget's ground truth: the assumptions, the true volumes and rates, the problems."""
    visits = plan["visits"]

    def per_class(year: str) -> dict[str, int]:
        return {c: sum(visits[m, c] for m in MONTHS if m.startswith(year)) for c in CLASSES}

    def mix(counts: dict[str, int]) -> dict[str, float]:
        total = sum(counts.values())
        return {c: round(100 * counts[c] / total, 2) for c in CLASSES}

    v2024, v2025 = per_class("2024"), per_class("2025")
    extra_account, extra_month, extra_cents = _overspend(sample)
    sample.facts["budget"] = {
        "closed_through": CLOSED_THROUGH,
        "first_month": MONTHS[0],
        "assumptions": ASSUMPTIONS,
        "visits": {"2024": v2024, "2025_jan_nov": v2025},
        "mix_pct": {"2024": mix(v2024), "2025_jan_nov": mix(v2025)},
        "net_revenue_per_visit_cents": {
            "2024": {c: round(float(plan["rate_2024"][c]), 2) for c in CLASSES},
            "2025_jan_nov": {c: round(float(plan["rate_2025"][c]), 2) for c in CLASSES},
        },
        "revenue_accounts": dict(REVENUE_ACCOUNT),
        "supplies_per_visit_cents_2025": dict(PER_VISIT_CENTS),
        "provider_compensation_per_fte_cents_2025": {"MD/DO": COMPENSATION_CENTS["MD"],
                                                     "NP/PA": COMPENSATION_CENTS["NP"]},
        "december_2024_visits": "the December 2025 claims / 1.03, with the 2024 noise",
    }
    sample.inject("budget", {"kind": "supply_overspend", "account": extra_account,
                             "month": extra_month, "extra_cents": extra_cents})
    sample.inject("budget", {"kind": "payer_mix_shift", "from_class": "Commercial",
                             "to_class": "Medicaid", "points": MIX_SHIFT_POINTS})
    sample.inject("budget", {"kind": "rate_cut", "payer_class": "Medicare",
                             "pct": RATE_CUT_PCT})
