"""The sample practice's year of billing: visits, claims, remittances, deposits and postings.

Writers registered here run after the foundation ones of :mod:`pracops.sample.generator`, in
this order, each with its own random stream:

``fee_schedule``
    Contracted allowed amounts per unit: Medicare-like base rates, Medicaid about 70 % of them,
    the commercial plans 110-140 %; a telehealth (modifier 95) price where a payer has one.
``appointments``
    The five providers' schedules for 2025 (and what is already booked for January and February
    2026): no weekends or federal holidays, Mondays busiest, a winter peak and an August dip,
    no-shows and cancellations.
``claims`` and ``claim_lines``
    One claim per completed appointment, coded from the visit type: E/M levels, preventive
    visits, procedures (with modifier 25 on the E/M), labs, flu shots in season.
``era``
    The payers' 835 files (``era/``): one per payer and weekly payment run, one payment each,
    adjudicated against the fee schedule with deductibles, copays, coinsurance and Medicare's
    sequestration. Claims seen in the last weeks of 2025 are not paid yet.
``deposits`` and ``payments_posted``
    The bank's credits (one per ERA payment, plus the daily patient card and cash batches,
    banked the next business day, the cards net of the processor's fees) and what the
    practice-management system posted to each claim: the ERAs, and the patients' payments
    (copays and self-pay visits at the front desk, statement balances weeks after the ERA;
    some stay unpaid).

The deliberate problems of the billing data contract are made here and recorded with
:meth:`~pracops.sample.generator.Sample.inject` under ``"billing"``, each identified by claim ids,
trace numbers, deposit ids and amounts in cents.
"""

from __future__ import annotations

import datetime as dt
import random
from collections import defaultdict
from dataclasses import dataclass, field, replace
from typing import Any

from pracops.sample.generator import (
    AS_OF,
    BOOKED_UNTIL,
    BUNDLED_VISITS_A_DAY,
    NO_SHOW_WEEK,
    Sample,
    add_business_days,
    business_day,
    writer,
)
from pracops.x12.write import (
    Adjustment,
    ClaimPayment,
    Party,
    Payment,
    ProviderAdjustment,
    ServicePayment,
    write_835,
)

__all__ = ["PROCEDURES"]

_YEAR_START = dt.date(2025, 1, 1)


def _business_days(first: dt.date, last: dt.date) -> list[dt.date]:
    days = (first + dt.timedelta(days=n) for n in range((last - first).days + 1))
    return [d for d in days if business_day(d)]


def _pct(amount_cents: int, percent: float) -> int:
    """``percent`` % of a non-negative amount, rounded half up to the cent."""
    return int(amount_cents * round(percent * 100) + 5000) // 10000


# --------------------------------------------------------------------------------------------
# Procedures and prices

PROCEDURES: dict[str, tuple[int, int]] = {  # CPT/HCPCS: Medicare-like allowed, practice charge
    "99202": (7200, 15500), "99203": (11000, 23000), "99204": (16800, 34000),
    "99205": (21800, 44000),
    "99212": (5600, 11500), "99213": (9100, 18500), "99214": (12900, 26000),
    "99215": (18200, 36500),
    "99392": (11500, 23000), "99393": (11300, 22500), "99394": (12500, 25000),
    "99395": (12800, 26000), "99396": (13700, 27500), "99397": (14900, 30000),
    "G0439": (13000, 26000),
    "17110": (12000, 24500), "11102": (10400, 21000), "20610": (6600, 17500),
    "69210": (4300, 11000), "J3301": (160, 1500),
    "36415": (300, 2500), "81002": (350, 2000), "85025": (770, 3500), "80053": (1040, 5000),
    "90471": (2100, 4000), "90686": (2100, 4500),
}
"""Per unit: a Medicare-like allowed amount and the practice's charge (its charge master)."""

_NEW_EM = ("99202", "99203", "99204", "99205")
_EST_EM = ("99212", "99213", "99214", "99215")
_EM = frozenset(_NEW_EM + _EST_EM)
_PREVENTIVE = frozenset({"99392", "99393", "99394", "99395", "99396", "99397", "G0439"})
_VACCINE = frozenset({"90471", "90686"})
_LABS = frozenset({"36415", "81002", "85025", "80053"})
_SURGICAL = frozenset({"17110", "11102", "20610", "69210"})  # modifier 25 on a same-day E/M
_TELEHEALTH_MODIFIER = "95"

_PAYER_LEVEL = {"MCR": 1.0, "MCD": 0.70, "NWH": 1.25, "LKM": 1.15, "PRS": 1.35}
_TELEHEALTH_LEVEL = {"MCD": 0.90, "NWH": 0.95}  # payers that pay less for a 95 visit
_INSURERS = tuple(_PAYER_LEVEL)


@writer("fee_schedule")
def fee_schedule(sample: Sample) -> list[dict[str, Any]]:
    """Allowed per unit for every payer and procedure; 95 rows where telehealth pays less."""
    rng = sample.rng("fee_schedule")
    rows = []
    for payer_id in _INSURERS:
        level = _PAYER_LEVEL[payer_id]
        for cpt, (base, _) in sorted(PROCEDURES.items()):
            jitter = 1.0 if payer_id == "MCR" else rng.uniform(0.96, 1.04)
            allowed = round(base * level * jitter)
            rows.append({"payer_id": payer_id, "cpt": cpt, "modifier": None,
                         "allowed_cents": allowed})
            if payer_id in _TELEHEALTH_LEVEL and cpt in ("99212", "99213", "99214"):
                rows.append({"payer_id": payer_id, "cpt": cpt, "modifier": _TELEHEALTH_MODIFIER,
                             "allowed_cents": round(allowed * _TELEHEALTH_LEVEL[payer_id])})
    return rows


def _fees(sample: Sample) -> dict[tuple[str, str, str], int]:
    return {(r["payer_id"], r["cpt"], r["modifier"] or ""): r["allowed_cents"]
            for r in sample.tables["fee_schedule"]}


def _contract_per_unit(fees: dict[tuple[str, str, str], int], payer_id: str, cpt: str,
                       modifiers: str) -> int:
    """The contracted price: the row of one of the line's modifiers, else the plain row."""
    for modifier in modifiers.split(";") if modifiers else ():
        if (payer_id, cpt, modifier) in fees:
            return fees[payer_id, cpt, modifier]
    return fees[payer_id, cpt, ""]


# --------------------------------------------------------------------------------------------
# Patients (not a dataset: the claims carry what the reports need)

_PATIENT_FIRST = (
    "Abel", "Adair", "Alder", "Anneliese", "Arlo", "Bettina", "Birgit", "Bram", "Cassia",
    "Cosmo", "Dagny", "Delphine", "Eamon", "Elspeth", "Emrys", "Fenna", "Florian", "Greer",
    "Halvard", "Honora", "Ilse", "Isidore", "Jarrah", "Juniper", "Kasimir", "Linnea",
    "Lorcan", "Maren", "Mirela", "Niamh", "Odile", "Orrin", "Perpetua", "Quillon", "Ragna",
    "Rosalind", "Saoirse", "Severin", "Solveig", "Tancred", "Thisbe", "Ulla", "Valdis",
    "Wendell", "Wilhelmina", "Xanthe", "Yara", "Zephyr", "Aurelio", "Bronagh", "Cormac",
    "Dorothea", "Eino", "Femke", "Gunnar", "Hester", "Ignatius", "Jessamy", "Kerensa", "Leopold",
)
_PATIENT_LAST = (
    "Ackerly", "Bellweather", "Birchall", "Calloway", "Corrigan", "Dunmore", "Eastwick",
    "Falkner", "Gallantry", "Greenhalgh", "Hartigan", "Hollister", "Ingleby", "Jessop",
    "Kettering", "Lockridge", "Maddox", "Merriweather", "Northcott", "Oakhurst", "Pemberton",
    "Quarrington", "Ravensworth", "Rookwood", "Saltonstall", "Sherwood", "Tallis", "Thistlewood",
    "Upshaw", "Vandermeer", "Wakefield", "Westerberg", "Yardley", "Ashdown", "Blackwood",
    "Coldwell", "Dovecote", "Elmstead", "Fairweather", "Gildersleeve", "Hawthorne", "Ironside",
    "Kingsley", "Larkspur", "Marchbanks", "Nettleship", "Oldcastle", "Pickering", "Redfern",
    "Stonebridge", "Tindall", "Underwood", "Waverley", "Winterbourne", "Brightwater", "Copperfield",
    "Dunleavy", "Farrow", "Goodfellow", "Holloway",
)
_PATIENTS = 6400  # the bundled sample's panel; another shape's in proportion to its visits
_NEW_SHARE = 0.16  # patients whose first visit is in 2025
_AGE_GROUPS = ((0, 17, 0.17), (18, 39, 0.25), (40, 64, 0.33), (65, 92, 0.25))
_ADULT_AGE_GROUPS = ((18, 39, 0.22), (40, 64, 0.40), (65, 92, 0.38))  # internal medicine
_UNDER_65_PAYERS = (("MCD", 0.20), ("NWH", 0.30), ("LKM", 0.22), ("PRS", 0.22), ("SELF", 0.06))
_OVER_65_PAYERS = (("MCR", 0.92), ("NWH", 0.03), ("PRS", 0.03), ("SELF", 0.02))
# Medicare Advantage: of the patients on Medicare, the share enrolled in a Medicare Advantage
# plan of a commercial insurer, which the practice bills (and books) as that insurer's. Drawn
# from a stream of its own, so the patients' other draws (and the schedule) stay as they were.
# With it the payer mix by charges is a family practice's: Medicare 18-30 %, commercial 50-68 %
# (Practice Management STATS quick reference; sources in tests/test_sample_realism.py).
_ADVANTAGE_SHARE = 0.28
_ADVANTAGE_PAYERS = (("NWH", 0.55), ("PRS", 0.45))
_ADVANTAGE_COPAYS = (0, 1000, 1500, 2000)  # a primary-care visit's copay, cents; no deductible
_MBI_LETTERS = "ACDEFGHJKMNPQRTUVWXY"  # the letters a Medicare beneficiary identifier uses
_MEDICARE_DEDUCTIBLE = 25700


@dataclass(frozen=True)
class _Patient:
    patient_id: str
    first: str
    last: str
    dob: dt.date
    payer_id: str
    member_id: str | None
    provider_id: str
    new: bool
    plan: str  # "copay" or "high deductible" (commercial); the payer type otherwise
    copay_cents: int = 0
    deductible_cents: int = 0

    @property
    def age(self) -> int:
        """Age on 1 July 2025."""
        mid = dt.date(2025, 7, 1)
        return mid.year - self.dob.year - ((mid.month, mid.day) < (self.dob.month, self.dob.day))


def _member_id(rng: random.Random, payer_id: str) -> str | None:
    digits = "0123456789"
    if payer_id == "SELF":
        return None
    if payer_id == "MCR":  # the MBI's shape: 1A#9-A#9-AA99 (no dashes)
        alnum = _MBI_LETTERS + digits
        shape = ("123456789", _MBI_LETTERS, alnum, digits, _MBI_LETTERS, alnum, digits,
                 _MBI_LETTERS, _MBI_LETTERS, digits, digits)
        return "".join(rng.choice(chars) for chars in shape)
    if payer_id == "MCD":
        return "".join(rng.choice(digits) for _ in range(8))
    return payer_id + "".join(rng.choice(digits) for _ in range(9))


def _patients(sample: Sample) -> list[_Patient]:
    """The practice's patient panel, the same for every writer that asks (one seeded stream)."""
    rng = sample.rng("patients")
    advantage = sample.rng("medicare_advantage")
    providers = sample.tables["providers"]
    weights = [p["visits_per_day_target"] * p["fte"] for p in providers]
    groups = _ADULT_AGE_GROUPS if sample.shape.specialty == "Internal Medicine" else _AGE_GROUPS
    out = []
    for n in range(1, round(_PATIENTS * sum(weights) / BUNDLED_VISITS_A_DAY) + 1):
        low, high, _ = rng.choices(groups, [g[2] for g in groups])[0]
        age = rng.randint(low, high)
        dob = dt.date(2025 - age, 1, 1) + dt.timedelta(days=rng.randrange(365))
        table = _OVER_65_PAYERS if age >= 65 else _UNDER_65_PAYERS
        payer_id = rng.choices([p for p, _ in table], [w for _, w in table])[0]
        if payer_id in ("MCD", "MCR", "SELF"):
            plan, copay, deductible = payer_id, 0, (_MEDICARE_DEDUCTIBLE if payer_id == "MCR"
                                                    else 0)
        elif rng.random() < 0.6:
            plan, copay, deductible = "copay", rng.choice((2000, 2500, 3000, 4000)), rng.choice(
                (50000, 75000, 100000, 150000))
        else:
            plan, copay, deductible = "high deductible", 0, rng.choice((160000, 250000, 330000))
        provider = rng.choices(providers, weights)[0]
        patient = _Patient(
            patient_id=f"PT{n:05d}", first=rng.choice(_PATIENT_FIRST),
            last=rng.choice(_PATIENT_LAST), dob=dob, payer_id=payer_id,
            member_id=_member_id(rng, payer_id), provider_id=provider["provider_id"],
            new=rng.random() < _NEW_SHARE, plan=plan, copay_cents=copay,
            deductible_cents=deductible,
        )
        if payer_id == "MCR" and advantage.random() < _ADVANTAGE_SHARE:
            insurer = advantage.choices([p for p, _ in _ADVANTAGE_PAYERS],
                                        [w for _, w in _ADVANTAGE_PAYERS])[0]
            patient = replace(patient, payer_id=insurer,
                              member_id=_member_id(advantage, insurer), plan="copay",
                              copay_cents=advantage.choice(_ADVANTAGE_COPAYS),
                              deductible_cents=0)
        out.append(patient)
    return out


# --------------------------------------------------------------------------------------------
# Appointments

_VISITS = {  # visit type: scheduled minutes, share of the schedule, no-show rate, lead days
    "new patient": (40, 0.09, 0.09, (7, 45)),
    "established": (20, 0.60, 0.06, (0, 21)),
    "annual wellness": (30, 0.13, 0.045, (14, 90)),
    "procedure": (30, 0.08, 0.03, (3, 30)),
    "telehealth": (15, 0.10, 0.05, (0, 3)),
}
_CANCELLED, _RESCHEDULED = 0.08, 0.03
_SEASON = {1: 1.12, 2: 1.10, 3: 1.04, 4: 0.99, 5: 0.97, 6: 0.95, 7: 0.93, 8: 0.84, 9: 1.0,
           10: 1.04, 11: 1.0, 12: 0.96}
_WEEKDAY = (1.10, 1.02, 1.0, 0.98, 0.88)
_RESPIRATORY_MONTHS = (12, 1, 2, 3)
_WORKDAYS = {1.0: (0, 1, 2, 3, 4), 0.8: (0, 1, 2, 3), 0.6: (0, 1, 3)}  # FTE -> weekdays
_SESSIONS = ((8 * 60, 12 * 60), (13 * 60, 17 * 60))  # clinic sessions, inside every site's hours
_WEEKS_OFF = 4


def _type_weights(day: dt.date) -> list[float]:
    weights = []
    for visit_type, (_, share, _, _) in _VISITS.items():
        if day.month in _RESPIRATORY_MONTHS:
            share *= {"established": 1.15, "telehealth": 1.6, "annual wellness": 0.75}.get(
                visit_type, 1.0)
        elif day.month == 8 and visit_type == "annual wellness":
            share *= 1.5  # school and sports physicals
        weights.append(share)
    return weights


def _clock(minutes: int) -> str:
    return f"{minutes // 60:02d}:{minutes % 60:02d}"


def _start_times(count: int, lengths: list[int]) -> list[str]:
    """Spread ``count`` appointments over the day's sessions, on five-minute marks."""
    span = sum(end - start for start, end in _SESSIONS)
    times = []
    for i, length in enumerate(lengths):
        offset = i * span // count // 5 * 5
        for start, end in _SESSIONS:
            if offset < end - start:
                times.append(_clock(min(start + offset, end - length)))
                break
            offset -= end - start
    return times


@dataclass
class _Panel:
    """One provider's patients: those still to be seen for the first time, and the others."""

    new: list[_Patient]
    known: list[_Patient]
    wellness_done: set[str] = field(default_factory=set)

    def pick(self, rng: random.Random, visit_type: str) -> _Patient:
        if visit_type == "annual wellness":
            for _ in range(6):
                patient = rng.choice(self.known)
                if patient.patient_id not in self.wellness_done:
                    break
            self.wellness_done.add(patient.patient_id)
            return patient
        return rng.choice(self.known)


@writer("appointments")
def appointments(sample: Sample) -> list[dict[str, Any]]:
    """Every provider's schedule from January 2025 to February 2026, whatever became of it;
    each provider takes four weeks of 2025 off."""
    rng = sample.rng("appointments")
    panels: dict[str, _Panel] = {}
    for patient in _patients(sample):
        panel = panels.setdefault(patient.provider_id, _Panel([], []))
        if patient.new:
            panel.new.append(patient)
        else:  # older patients come more often
            panel.known.extend([patient] * (2 if patient.age >= 65 else 1))
    # A two-provider practice's providers are both at work in the patient access report's
    # planted no-show week: with one away the week has too few visits for the plant to lie
    # over the p-chart's limit (seed 11, Primary Care: 107 kept visits).
    planted = NO_SHOW_WEEK.isocalendar().week
    weeks = [w for w in range(2, 51) if sample.shape.providers > 2 or w != planted]
    time_off = {p["provider_id"]: set(rng.sample(weeks, _WEEKS_OFF))
                for p in sample.tables["providers"]}
    rows: list[dict[str, Any]] = []
    for day in _business_days(_YEAR_START, BOOKED_UNTIL):
        future = day > AS_OF
        for provider in sample.tables["providers"]:
            pid = provider["provider_id"]
            if day.weekday() not in _WORKDAYS[provider["fte"]]:
                continue
            if day.year == 2025 and day.isocalendar().week in time_off[pid]:
                continue
            level = _SEASON[day.month] * _WEEKDAY[day.weekday()]
            if day.month == 12 and day.day >= 22:
                level *= 0.8
            count = max(4, round(provider["visits_per_day_target"] * level * rng.gauss(1, 0.07)))
            if future:  # the further ahead, the less of the day is booked yet
                count = round(count * max(0.15, 0.85 - 0.011 * (day - AS_OF).days))
            types = rng.choices(list(_VISITS), _type_weights(day), k=count)
            times = _start_times(count, [_VISITS[t][0] for t in types])
            for visit_type, start in zip(types, times, strict=True):
                minutes, _, no_show, (lead_low, lead_high) = _VISITS[visit_type]
                panel = panels[pid]
                if visit_type == "new patient" and not panel.new:
                    visit_type, minutes = "established", _VISITS["established"][0]
                if visit_type == "new patient":
                    patient = panel.new[0]
                else:
                    patient = panel.pick(rng, visit_type)
                if future:
                    status = "booked"
                    booked = AS_OF - dt.timedelta(days=rng.randint(0, 60))
                else:
                    draw = rng.random()
                    status = ("no-show" if draw < no_show else
                              "cancelled" if draw < no_show + _CANCELLED else
                              "rescheduled" if draw < no_show + _CANCELLED + _RESCHEDULED
                              else "completed")
                    booked = day - dt.timedelta(days=rng.randint(lead_low, lead_high))
                if visit_type == "new patient" and status in ("completed", "booked"):
                    panel.new.pop(0)
                    panel.known.append(patient)
                rows.append({
                    "appointment_id": f"A{len(rows) + 1:06d}", "patient_id": patient.patient_id,
                    "provider_id": pid, "location_id": provider["location_id"], "date": day,
                    "start_time": start, "visit_type": visit_type,
                    "scheduled_minutes": minutes, "status": status, "booked_date": booked,
                })
    return rows


# --------------------------------------------------------------------------------------------
# Claims and their lines

_TIMELY_FILING_DAYS = 90  # the commercial plans' filing limit
_LATE_CLAIM_DAYS = 118
_UNCHARGED_FROM, _UNCHARGED_TO = dt.date(2025, 12, 22), dt.date(2025, 12, 30)
_MISSED_CHARGE_DAYS = 3  # the daily close's missed_charge_days default


def _business_days_to(day: dt.date, end: dt.date) -> int:
    """Business days from ``day`` (counted) to ``end`` (not counted)."""
    return sum(business_day(day + dt.timedelta(days=n)) for n in range((end - day).days))


@writer("claims")
def claims(sample: Sample) -> list[dict[str, Any]]:
    """One claim per completed appointment, submitted one to five business days later.

    One Lakeshore Mutual claim from March sat in a work queue and went out after the plan's
    filing limit (the remittances deny it for timely filing).
    """
    rng = sample.rng("claims")
    patients = {p.patient_id: p for p in _patients(sample)}
    npis = {p["provider_id"]: p["npi"] for p in sample.tables["providers"]}
    rows = []
    for appt in sample.tables["appointments"]:
        if appt["status"] != "completed":
            continue
        patient = patients[appt["patient_id"]]
        dos = appt["date"]
        rows.append({
            "claim_id": f"C{len(rows) + 1:06d}", "appointment_id": appt["appointment_id"],
            "patient_id": patient.patient_id, "patient_name": f"{patient.first} {patient.last}",
            "patient_dob": patient.dob, "member_id": patient.member_id,
            "payer_id": patient.payer_id, "rendering_npi": npis[appt["provider_id"]],
            "location_id": appt["location_id"], "date_of_service": dos,
            "submitted_date": min(add_business_days(dos, rng.randint(1, 5)), AS_OF),
        })
    march = [r for r in rows if r["payer_id"] == "LKM" and r["date_of_service"].month == 3]
    late = rng.choice(march)
    late["submitted_date"] = late["date_of_service"] + dt.timedelta(days=_LATE_CLAIM_DAYS)
    # The daily close's plant (4): a late-December visit that was never charged, of an insured
    # patient with no copay to take at the desk (so no payment either). Its claim is drawn like
    # the others and then left out (its number stays unused); the writers that draw per claim
    # still draw for it (_visits), so nothing else moves.
    pool = [r for r in rows if r["payer_id"] in _PAYER_LEVEL
            and patients[r["patient_id"]].plan != "copay"
            and _UNCHARGED_FROM <= r["date_of_service"] <= _UNCHARGED_TO]
    draw = sample.rng("uncharged_visit")
    uncharged = draw.choice(pool)
    if _business_days_to(uncharged["date_of_service"], AS_OF) < _MISSED_CHARGE_DAYS:
        # Too recent to be missed at the report date with the report's default allowance
        # (29 or 30 December: 2 or 1 business days): drawn again among the old enough. The
        # first draw is kept where it is old enough, so the bundled sample's stays.
        uncharged = draw.choice([r for r in pool if _business_days_to(
            r["date_of_service"], AS_OF) >= _MISSED_CHARGE_DAYS])
    rows.remove(uncharged)
    sample.notes["claims"] = {"uncharged": uncharged}
    sample.inject("daily_close", {
        "kind": "missed_charge", "appointment_id": uncharged["appointment_id"],
        "patient_account": uncharged["patient_id"], "location_id": uncharged["location_id"],
        "date_of_service": uncharged["date_of_service"].isoformat(),
        "unused_claim_id": uncharged["claim_id"]})
    return rows


def _visits(sample: Sample) -> list[tuple[dict[str, Any], bool]]:
    """Every completed visit's claim in claim order, the daily close's uncharged one
    included, each with whether it was charged: the writers that draw per claim draw for
    the uncharged visit too and write nothing for it."""
    uncharged = sample.notes["claims"]["uncharged"]
    out = [(c, True) for c in sample.tables["claims"]]
    at = next((n for n, (c, _) in enumerate(out) if c["claim_id"] > uncharged["claim_id"]),
              len(out))
    out.insert(at, (uncharged, False))
    return out


def _in_flu_season(day: dt.date) -> bool:
    return day >= dt.date(2025, 9, 15) or day <= dt.date(2025, 3, 15)


def _preventive_code(age: int, payer_id: str) -> str:
    if payer_id == "MCR":
        return "G0439"
    for top, code in ((4, "99392"), (11, "99393"), (17, "99394"), (39, "99395"), (64, "99396")):
        if age <= top:
            return code
    return "99397"


def _visit_codes(rng: random.Random, visit_type: str, age: int, payer_id: str,
                 dos: dt.date) -> list[tuple[str, int]]:
    """The procedures billed for one visit, in claim order, with their units."""
    codes: list[tuple[str, int]] = []
    labs = 0.0
    if visit_type == "new patient":
        codes.append((rng.choices(_NEW_EM, (5, 45, 40, 10))[0], 1))
        labs = 0.2
    elif visit_type == "established":
        codes.append((rng.choices(_EST_EM, (10, 45, 38, 7))[0], 1))
        if rng.random() < 0.06:
            codes.append((rng.choice(("69210", "20610")), 1))
        labs = 0.25
    elif visit_type == "annual wellness":
        codes.append((_preventive_code(age, payer_id), 1))
        labs = 0.4
    elif visit_type == "procedure":
        if rng.random() < 0.4:
            codes.append((rng.choice(("99212", "99213")), 1))
        codes.append((rng.choices(("17110", "11102", "20610", "69210"), (30, 25, 30, 15))[0], 1))
    else:  # telehealth
        return [(rng.choices(("99212", "99213", "99214"), (25, 55, 20))[0], 1)]
    if any(cpt == "20610" for cpt, _ in codes):
        codes.append(("J3301", rng.randint(2, 4)))  # triamcinolone, per 10 mg
    if rng.random() < labs:
        codes += [("36415", 1), (rng.choice(("85025", "80053")), 1)]
    if rng.random() < labs / 3:
        codes.append(("81002", 1))
    if _in_flu_season(dos) and age >= 3 and rng.random() < 0.25:
        codes += [("90471", 1), ("90686", 1)]
    return codes


_CHARGE_LAG = {  # business days from the visit to its charge entry, by provider: (days, weight)
    "P001": ((0, 55), (1, 35), (2, 8), (3, 2)),
    "P002": ((0, 30), (1, 45), (2, 18), (3, 7)),
    "P003": ((0, 45), (1, 40), (2, 12), (3, 3)),
    "P004": ((0, 25), (1, 45), (2, 20), (3, 10)),
    "P005": ((0, 40), (1, 40), (2, 15), (3, 5)),
}


def _charge_lag(provider_id: str) -> tuple[tuple[int, int], ...]:
    """The provider's charge-entry habit: those of P001 … P005 in turn."""
    return _CHARGE_LAG[f"P{(int(provider_id[1:]) - 1) % len(_CHARGE_LAG) + 1:03d}"]


@writer("claim_lines")
def claim_lines(sample: Sample) -> list[dict[str, Any]]:
    """The claims' service lines, priced from the charge master."""
    rng = sample.rng("claim_lines")
    entry = sample.rng("claim_entry")
    visit_types = {a["appointment_id"]: a["visit_type"] for a in sample.tables["appointments"]}
    patients = {p.patient_id: p for p in _patients(sample)}
    providers = {p["npi"]: p["provider_id"] for p in sample.tables["providers"]}
    rows = []
    for claim, charged in _visits(sample):
        visit_type = visit_types[claim["appointment_id"]]
        patient = patients[claim["patient_id"]]
        codes = _visit_codes(rng, visit_type, patient.age, claim["payer_id"],
                             claim["date_of_service"])
        if not charged:
            continue
        lags, weights = zip(*_charge_lag(providers[claim["rendering_npi"]]), strict=True)
        entered = min(add_business_days(claim["date_of_service"],
                                         entry.choices(lags, weights)[0]),
                      claim["submitted_date"])
        surgical = any(cpt in _SURGICAL for cpt, _ in codes)
        for line_no, (cpt, units) in enumerate(codes, start=1):
            modifiers = None
            if cpt in _EM and visit_type == "telehealth":
                modifiers = _TELEHEALTH_MODIFIER
            elif cpt in _EM and surgical:
                modifiers = "25"
            rows.append({"claim_id": claim["claim_id"], "line_no": line_no, "cpt": cpt,
                         "modifiers": modifiers, "units": units,
                         "charge_cents": PROCEDURES[cpt][1] * units, "entered_date": entered})
    # The daily close's plant (5): one line of a late-December insured claim (not remitted by
    # the report date) entered a second time the same day, as the claim's next line.
    plants = sample.rng("duplicate_charge")
    insured = _late_insured(sample)
    late = sorted({r["claim_id"] for r in rows if r["claim_id"] in insured})
    claim_id = plants.choice(late)
    lines = [r for r in rows if r["claim_id"] == claim_id]
    copy = {**plants.choice(lines), "line_no": len(lines) + 1}
    rows.insert(rows.index(lines[-1]) + 1, copy)
    sample.inject("daily_close", {
        "kind": "duplicate_charge", "claim_id": claim_id, "line_nos": [
            next(r["line_no"] for r in lines if r["cpt"] == copy["cpt"]), copy["line_no"]],
        "cpt": copy["cpt"], "entered_date": copy["entered_date"].isoformat(),
        "charge_cents": copy["charge_cents"]})
    return rows


def _late_insured(sample: Sample) -> set[str]:
    """Insured claims of :data:`_UNCHARGED_FROM` … :data:`_UNCHARGED_TO`: no payer answers
    them by the report date."""
    return {c["claim_id"] for c in sample.tables["claims"] if c["payer_id"] in _PAYER_LEVEL
            and _UNCHARGED_FROM <= c["date_of_service"] <= _UNCHARGED_TO}


# --------------------------------------------------------------------------------------------
# Remittances (835s)

_PAYERS = {  # payer: payment weekday, days from submission to payment, method, trace prefix
    "MCR": (1, (14, 20), "ACH", "88"),
    "MCD": (2, (21, 30), "CHK", ""),
    "NWH": (4, (10, 16), "ACH", "EFT"),
    "LKM": (3, (15, 28), "ACH", "LK"),
    "PRS": (0, (12, 20), "ACH", "PS"),
}
_FILING = {"MCR": "MB", "MCD": "MC", "NWH": "HM", "LKM": "15", "PRS": "12"}  # CLP06
_PAYER_ADDRESS = {
    "MCR": ("PO BOX 6475", "INDIANAPOLIS", "IN", "46206"),
    "MCD": ("PO BOX 64838", "SAINT PAUL", "MN", "55164"),
    "NWH": ("PO BOX 1459", "MINNEAPOLIS", "MN", "55440"),
    "LKM": ("PO BOX 3307", "MILWAUKEE", "WI", "53201"),
    "PRS": ("PO BOX 8820", "SIOUX FALLS", "SD", "57117"),
}
_SEQUESTRATION = 2.0  # percent Medicare withholds from its payment
_COINSURANCE = 20.0
_LAST_RUN = dt.date(2025, 12, 30)  # the last business day before the report date
_UNDERPAID = ("PRS", "99214", dt.date(2025, 5, 1), dt.date(2025, 5, 31), 0.92)
_DENIALS = (  # group, CARC, remark, level, payers, how many
    ("CO", "197", None, "line", ("NWH", "PRS"), 2),
    ("CO", "16", "MA130", "claim", ("MCD", "NWH"), 2),
    ("CO", "50", "N115", "line", ("MCR",), 2),
    ("PR", "204", None, "line", ("PRS", "NWH"), 2),
)
_UNANSWERED = {"LKM": 3, "NWH": 2, "MCD": 1, "PRS": 1}

# The everyday denials besides the planted ones above, so the denial analysis has a practice's
# worth of material. First-pass denial rate: published ranges are 5-10 % of claims (HFMA and
# the AMA put the average at 7-10 %; MGMA calls under 5 % strong and reports medians of about
# 10-12 % lately; primary care sits at the low end), so about 7 % of adjudicated claims here.
_FIRST_PASS_DENIAL_RATE = 0.07
_LABS_TESTED = ("85025", "80053", "81002")  # the tests a payer may judge unnecessary
_COMMERCIAL = ("NWH", "LKM", "PRS")
_EVERYDAY_DENIALS = (
    # group, CARC, remark, which line (None: the claim), payers, weight, share paid once
    # resubmitted. Weights follow the usual shares of denial causes in published breakdowns
    # (registration and missing information 15-25 %, eligibility 15-20 %, authorisation
    # 10-18 %, duplicates 10-15 %, medical necessity 7-10 %, non-covered 8-12 %); the share
    # recovered follows what each cause allows: a corrected claim is paid, an appeal with
    # records sometimes, a service after coverage ended or not covered rarely or never.
    ("CO", "16", "MA130", None, _INSURERS, 0.26, 0.90),
    ("CO", "27", "N30", None, ("MCD", *_COMMERCIAL), 0.16, 0.15),
    ("CO", "18", "M86", None, _INSURERS, 0.12, 0.85),
    ("CO", "197", None, "surgical", ("MCD", *_COMMERCIAL), 0.12, 0.60),
    ("CO", "50", "N115", "lab", ("MCR",), 0.05, 0.40),  # N115: a local coverage determination
    ("CO", "50", None, "lab", ("MCD", *_COMMERCIAL), 0.09, 0.40),
    ("CO", "96", "N130", "other", _COMMERCIAL, 0.10, 0.0),
)
_RESUBMIT_DAYS = (5, 30)  # from the denial's ERA to the corrected claim or appeal


@dataclass(frozen=True)
class _Denial:
    """How a claim is denied on its first response, and whether a resubmission is paid."""

    group: str
    carc: str
    remark: str | None
    line: int | None  # index of the denied line; None: the whole claim
    paid_on: dt.date | None = None  # the payment run that pays the resubmission


def _everyday_denials(rng: random.Random, candidates: list[dict[str, Any]],
                      lines_of: dict[str, list[dict[str, Any]]], pay_day: dict[str, dt.date],
                      runs: dict[str, list[dt.date]]) -> dict[str, _Denial]:
    """About :data:`_FIRST_PASS_DENIAL_RATE` of ``candidates`` denied on their first response,
    each for a reason its payer and lines allow; a share of them resubmitted and paid at a later
    payment run (if one comes by the report date)."""
    out = {}
    for claim in candidates:
        if rng.random() >= _FIRST_PASS_DENIAL_RATE:
            continue
        claim_id, payer_id = claim["claim_id"], claim["payer_id"]
        options = [(group, carc, remark, _denied_line(lines_of[claim_id], which), weight, share)
                   for group, carc, remark, which, payers, weight, share in _EVERYDAY_DENIALS
                   if payer_id in payers]
        options = [option for option in options if option[3] != -1]
        group, carc, remark, line, _, share = rng.choices(options, [o[4] for o in options])[0]
        paid_on = None
        if rng.random() < share:
            resubmitted = pay_day[claim_id] + dt.timedelta(days=rng.randint(*_RESUBMIT_DAYS))
            low, high = _PAYERS[payer_id][1]
            paid_on = _next_run(runs[payer_id],
                                resubmitted + dt.timedelta(days=rng.randint(low, high)))
        out[claim_id] = _Denial(group, carc, remark, line, paid_on)
    return out


def _denied_line(lines: list[dict[str, Any]], which: str | None) -> int | None:
    """Index of the line a line-level denial of this kind hits, or -1 when the claim has none."""
    if which is None:
        return None
    kinds = {"surgical": _SURGICAL, "lab": frozenset(_LABS_TESTED)}
    for index, line in enumerate(lines):
        if index and (line["cpt"] in kinds[which] if which in kinds else True):
            return index
    return -1


@dataclass
class _Line:
    """One adjudicated service line."""

    line_no: int
    cpt: str
    modifiers: str
    units: int
    charge_cents: int
    allowed_cents: int | None
    patient: list[tuple[str, int]] = field(default_factory=list)  # PR reason, amount
    other: list[tuple[str, str, int]] = field(default_factory=list)  # group, reason, amount
    remarks: tuple[str, ...] = ()

    @property
    def patient_cents(self) -> int:
        return sum(a for _, a in self.patient)

    @property
    def paid_cents(self) -> int:
        return self.charge_cents - self.patient_cents - sum(a for _, _, a in self.other)


def _adjudicate(line: dict[str, Any], allowed: int, payer_id: str, patient: _Patient,
                remaining: dict[str, int], copay_used: bool) -> _Line:
    """Allowed, the patient's share, the contractual write-off and what the payer pays."""
    cpt = line["cpt"]
    result = _Line(line["line_no"], cpt, line["modifiers"] or "", line["units"],
                   line["charge_cents"], allowed)
    if allowed < line["charge_cents"]:
        result.other.append(("CO", "45", line["charge_cents"] - allowed))
    free = cpt in _PREVENTIVE or cpt in _VACCINE
    shares = []
    if payer_id == "MCR":
        free = free or cpt in _LABS
    elif payer_id == "MCD" or (patient.plan == "copay" and cpt in _LABS):
        free = True
    if not free and patient.plan == "copay" and cpt in _EM:
        if not copay_used:
            shares.append(("3", min(patient.copay_cents, allowed)))
    elif not free:
        left = remaining.get(patient.patient_id, patient.deductible_cents)
        deductible = min(left, allowed)
        remaining[patient.patient_id] = left - deductible
        shares += [("1", deductible), ("2", _pct(allowed - deductible, _COINSURANCE))]
    result.patient = [(reason, amount) for reason, amount in shares if amount]
    if payer_id == "MCR":
        owed = allowed - sum(a for _, a in result.patient)
        if owed:
            result.other.append(("CO", "253", _pct(owed, _SEQUESTRATION)))
    return result


def _deny(line: _Line, group: str, carc: str, remark: str | None) -> _Line:
    """The line denied in full: the whole charge adjusted under one reason, nothing allowed."""
    patient = [(carc, line.charge_cents)] if group == "PR" else []
    other = [] if group == "PR" else [(group, carc, line.charge_cents)]
    return replace(line, allowed_cents=None, patient=patient, other=other,
                   remarks=(remark,) if remark else ())


@dataclass
class _Remit:
    """A claim's adjudication as one CLP: its lines, or claim-level adjustments only."""

    claim: dict[str, Any]
    lines: list[_Line]
    status: str = "1"
    claim_adjustments: list[tuple[str, str, int]] = field(default_factory=list)
    charge_cents: int | None = None
    sign: int = 1


def _payment_runs(payer_id: str) -> list[dt.date]:
    weekday = _PAYERS[payer_id][0]
    days = (_YEAR_START + dt.timedelta(days=n) for n in range((_LAST_RUN - _YEAR_START).days + 1))
    runs = []
    for day in days:
        if day.weekday() == weekday:
            runs.append(day if business_day(day) else add_business_days(day, 1))
    return runs


def _next_run(runs: list[dt.date], day: dt.date) -> dt.date | None:
    return next((run for run in runs if run >= day), None)


def _service(line: _Line, dos: dt.date, claim_id: str, sends_allowed: bool,
             sign: int, claim_level_patient: bool) -> ServicePayment:
    """The SVC loop; a plan that reports cost sharing on the claim leaves it off the line."""
    adjustments = [Adjustment(g, r, sign * a) for g, r, a in line.other]
    paid = line.paid_cents
    if claim_level_patient:
        paid += line.patient_cents
    else:
        adjustments += [Adjustment("PR", r, sign * a) for r, a in line.patient]
    allowed = line.allowed_cents if sends_allowed and line.allowed_cents is not None else None
    return ServicePayment(
        procedure=line.cpt, charge_cents=sign * line.charge_cents, paid_cents=sign * paid,
        modifiers=tuple(line.modifiers.split(";")) if line.modifiers else (),
        units=line.units, service_date=dos,
        allowed_cents=None if allowed is None else sign * allowed,
        adjustments=tuple(adjustments), remarks=line.remarks,
        line_control=f"{claim_id}-{line.line_no}",
    )


def _claim_payment(remit: _Remit, payer_id: str, number: str,
                   patients: dict[str, _Patient]) -> ClaimPayment:
    claim, sign = remit.claim, remit.sign
    patient = patients[claim["patient_id"]]
    claim_level_patient = payer_id == "LKM"  # this plan reports cost sharing on the claim
    claim_adj: list[tuple[str, str, int]] = list(remit.claim_adjustments)
    if claim_level_patient:
        shares: dict[str, int] = defaultdict(int)
        for line in remit.lines:
            for reason, amount in line.patient:
                shares[reason] += amount
        claim_adj += [("PR", reason, amount) for reason, amount in sorted(shares.items())]
    services = tuple(_service(line, claim["date_of_service"], claim["claim_id"],
                              payer_id != "MCD", sign, claim_level_patient)
                     for line in remit.lines)
    charge = remit.charge_cents if remit.charge_cents is not None else sum(
        line.charge_cents for line in remit.lines)
    paid = charge - sum(a for _, _, a in claim_adj) - sum(
        s.charge_cents - s.paid_cents for s in services) * sign
    patient_resp = (sum(line.patient_cents for line in remit.lines)
                    + sum(a for g, _, a in remit.claim_adjustments if g == "PR"))
    telehealth = any(_TELEHEALTH_MODIFIER in line.modifiers.split(";") for line in remit.lines)
    return ClaimPayment(
        claim_id=claim["claim_id"], status=remit.status, charge_cents=sign * charge,
        paid_cents=sign * paid, patient_resp_cents=sign * patient_resp,
        payer_claim_number=number, filing_indicator=_FILING[payer_id],
        facility_code="10" if telehealth else "11",
        patient_last=patient.last.upper(), patient_first=patient.first.upper(),
        member_id=patient.member_id or "", rendering_npi=claim["rendering_npi"],
        adjustments=tuple(Adjustment(g, r, sign * a) for g, r, a in claim_adj),
        services=services,
    )


@dataclass
class _Run:
    """One payer's payment on one day: its claims (CLPs) and provider-level adjustments."""

    payer_id: str
    day: dt.date
    remits: list[_Remit] = field(default_factory=list)
    plb: list[ProviderAdjustment] = field(default_factory=list)


def _party(payer: dict[str, Any]) -> Party:
    street, city, state, zip_code = _PAYER_ADDRESS[payer["payer_id"]]
    return Party(payer["name"].upper(), "XV", payer["n1_pr_id"], street, city, state, zip_code)


@writer("era", folder=True)
def era(sample: Sample) -> list[dict[str, Any]]:
    """The payers' 835 files: one per payer and payment run, with the injected problems.

    Rows carry ``file`` and ``text`` (written to ``era/``), and for later writers ``payer_id``
    and the ``payment`` (a :class:`~pracops.x12.write.Payment`; ``None`` for the duplicate
    copy of a file).
    """
    rng = sample.rng("era")
    payers = {p["payer_id"]: p for p in sample.tables["payers"]}
    patients = {p.patient_id: p for p in _patients(sample)}
    fees = _fees(sample)
    lines_of: dict[str, list[dict[str, Any]]] = defaultdict(list)
    for line in sample.tables["claim_lines"]:
        lines_of[line["claim_id"]].append(line)
    runs = {payer_id: _payment_runs(payer_id) for payer_id in _PAYERS}

    # When each insured claim would be paid; claims paid after the last run are still open.
    pay_day: dict[str, dt.date] = {}
    insured = [c for c in sample.tables["claims"] if c["payer_id"] in _PAYERS]
    for claim, charged in _visits(sample):  # the daily close's uncharged visit keeps its draw
        if claim["payer_id"] not in _PAYERS:
            continue
        low, high = _PAYERS[claim["payer_id"]][1]
        day = _next_run(runs[claim["payer_id"]],
                        claim["submitted_date"] + dt.timedelta(days=rng.randint(low, high)))
        if day is not None and charged:
            pay_day[claim["claim_id"]] = day
    paid = [c for c in insured if c["claim_id"] in pay_day]
    by_id = {c["claim_id"]: c for c in insured}
    used: set[str] = set()

    def choose(candidates: list[dict[str, Any]], count: int) -> list[dict[str, Any]]:
        pool = [c for c in candidates if c["claim_id"] not in used]
        chosen = sorted(rng.sample(pool, count), key=lambda c: c["claim_id"])
        used.update(c["claim_id"] for c in chosen)
        return chosen

    def in_months(claim: dict[str, Any], first: int, last: int) -> bool:
        return first <= claim["date_of_service"].month <= last

    late = [c for c in paid
            if (c["submitted_date"] - c["date_of_service"]).days > _TIMELY_FILING_DAYS]
    late_ids = {c["claim_id"] for c in late}
    used.update(late_ids)
    unanswered = [c for payer_id, count in _UNANSWERED.items()
                  for c in choose([c for c in paid if c["payer_id"] == payer_id
                                   and in_months(c, 3, 9)], count)]
    denials: dict[str, _Denial] = {}
    for group, carc, remark, level, payer_ids, count in _DENIALS:
        if level == "line":  # a claim with an E/M and something else to deny
            pool = [c for c in paid if c["payer_id"] in payer_ids and in_months(c, 2, 10)
                    and len(lines_of[c["claim_id"]]) >= 2
                    and lines_of[c["claim_id"]][0]["cpt"] in _EM
                    and (carc != "197" or lines_of[c["claim_id"]][1]["cpt"] in _SURGICAL)]
        else:
            pool = [c for c in paid if c["payer_id"] in payer_ids and in_months(c, 2, 10)]
        for claim in choose(pool, count):
            denials[claim["claim_id"]] = _Denial(group, carc, remark,
                                                 1 if level == "line" else None)
    split = choose([c for c in paid if c["payer_id"] in ("NWH", "PRS") and in_months(c, 6, 8)
                    and len(lines_of[c["claim_id"]]) >= 3], 1)[0]
    reversal_pool = [c for c in paid if c["payer_id"] == "NWH" and in_months(c, 2, 3)
                     and patients[c["patient_id"]].plan == "high deductible"
                     and lines_of[c["claim_id"]][0]["cpt"] in _EM]
    # The everyday denials, drawn from their own stream among the claims no planted problem
    # uses (nor could: a Prairie Shield 99214 paid in May is the planted underpayment's).
    underpaid_pool = {c["claim_id"] for c in paid if c["payer_id"] == _UNDERPAID[0]
                      and _UNDERPAID[2] <= pay_day[c["claim_id"]] <= _UNDERPAID[3]
                      and any(ln["cpt"] == _UNDERPAID[1] for ln in lines_of[c["claim_id"]])}
    denials.update(_everyday_denials(
        sample.rng("denials"), [c for c in paid if c["claim_id"] not in used | underpaid_pool],
        lines_of, pay_day, runs))
    used.update(denials)

    # Adjudicate in order of service, so deductibles are met early in the year; denied lines
    # (and the claim filed too late) leave the patient's deductible alone, unless a
    # resubmission of them is paid.
    remaining: dict[str, int] = {}
    adjudicated: dict[str, list[_Line]] = {}
    repaid: dict[str, list[_Line]] = defaultdict(list)
    underpaid: list[tuple[dict[str, Any], _Line, int]] = []
    for claim in sorted(insured, key=lambda c: (c["date_of_service"], c["claim_id"])):
        payer_id, patient = claim["payer_id"], patients[claim["patient_id"]]
        denial = denials.get(claim["claim_id"])
        lines, copay_used = [], False
        for index, line in enumerate(lines_of[claim["claim_id"]]):
            denied = claim["claim_id"] in late_ids or (
                denial is not None and denial.line in (None, index))
            if denied and (denial is None or denial.paid_on is None):
                result = _Line(line["line_no"], line["cpt"], line["modifiers"] or "",
                               line["units"], line["charge_cents"], None)
                lines.append(_deny(result, denial.group, denial.carc, denial.remark)
                             if denial else result)
                continue
            contract = _contract_per_unit(fees, payer_id, line["cpt"], line["modifiers"] or "")
            allowed = min(line["charge_cents"], contract * line["units"])
            day = pay_day.get(claim["claim_id"])
            short = (payer_id, line["cpt"]) == _UNDERPAID[:2] and day is not None and (
                _UNDERPAID[2] <= day <= _UNDERPAID[3]) and claim["claim_id"] not in used
            if short:  # last year's rate, with CO-45 taking up the difference
                allowed = round(contract * _UNDERPAID[4]) * line["units"]
            result = _adjudicate(line, allowed, payer_id, patient, remaining, copay_used)
            copay_used = copay_used or any(reason == "3" for reason, _ in result.patient)
            if denied:  # denied first, paid when resubmitted
                repaid[claim["claim_id"]].append(result)
                lines.append(_deny(result, denial.group, denial.carc, denial.remark))
                continue
            if short:
                underpaid.append((claim, result, contract * line["units"]))
            lines.append(result)
        adjudicated[claim["claim_id"]] = lines
    used.update(claim["claim_id"] for claim, _, _ in underpaid)
    reversal = choose([c for c in reversal_pool
                       if any(r == "1" for ln in adjudicated[c["claim_id"]]
                              for r, _ in ln.patient)
                       and sum(ln.paid_cents for ln in adjudicated[c["claim_id"]]) > 0], 1)[0]

    # Group the remittances into payment runs.
    payment_runs: dict[tuple[str, dt.date], _Run] = {}

    def run_of(payer_id: str, day: dt.date) -> _Run:
        return payment_runs.setdefault((payer_id, day), _Run(payer_id, day))

    unanswered_ids = {c["claim_id"] for c in unanswered}
    for claim in paid:
        claim_id, payer_id = claim["claim_id"], claim["payer_id"]
        if claim_id in unanswered_ids:
            continue
        day, lines = pay_day[claim_id], adjudicated[claim_id]
        if claim_id in late_ids:  # denied on the claim, without its lines
            charge = sum(line.charge_cents for line in lines)
            remit = _Remit(claim, [], "4", [("CO", "29", charge)], charge)
        elif claim_id in denials:
            remit = _Remit(claim, lines, "4" if denials[claim_id].line is None else "1")
        else:
            remit = _Remit(claim, lines)
        if claim is split:
            run_of(payer_id, day).remits.append(_Remit(claim, lines[:1]))
            later = _next_run(runs[payer_id], day + dt.timedelta(days=1))
            run_of(payer_id, later).remits.append(_Remit(claim, lines[1:]))
            continue
        run_of(payer_id, day).remits.append(remit)
        if claim_id in repaid:  # the corrected claim or the appeal, paid
            run_of(payer_id, denials[claim_id].paid_on).remits.append(
                _Remit(claim, repaid[claim_id]))
        if claim is reversal:  # reprocessed six weeks later: the deductible was already met
            fixed = [replace(ln, patient=[(r, a) for r, a in ln.patient if r != "1"])
                     for ln in lines]
            again = run_of(payer_id, _next_run(runs[payer_id], day + dt.timedelta(weeks=6)))
            again.remits += [_Remit(claim, lines, "22", sign=-1), _Remit(claim, fixed)]

    # Provider-level adjustments: interest on a late payment, an overpayment taken back.
    def first_run(payer_id: str, month: int) -> _Run:
        return min((r for r in payment_runs.values()
                    if r.payer_id == payer_id and r.day.month == month), key=lambda r: r.day)

    interest_run = first_run("LKM", 10)
    interest_claim = max(interest_run.remits, key=lambda r: (
        (interest_run.day - r.claim["submitted_date"]).days, r.claim["claim_id"])).claim
    interest_run.plb.append(ProviderAdjustment("L6", interest_claim["claim_id"],
                                               -rng.randint(300, 2500)))
    recovery_run = first_run("NWH", 11)
    overpaid = choose([c for c in paid if c["payer_id"] == "NWH" and pay_day[c["claim_id"]]
                       .month == 9 and c["claim_id"] not in unanswered_ids], 1)[0]
    recovery_run.plb.append(ProviderAdjustment("WO", overpaid["claim_id"],
                                               rng.randint(3500, 9000)))
    # The file sent twice carries no other injected problem (the split payment's parts, say),
    # so each problem stays findable on its own.
    duplicate_run = min((r for r in payment_runs.values()
                         if r.payer_id == "PRS" and r.day.month == 8
                         and all(m.claim is not split for m in r.remits)), key=lambda r: r.day)

    # Traces, files.
    main = sample.tables["locations"][0]  # the back office's clinic
    payee = Party(sample.practice["name"].upper(), "XX", sample.practice["group_npi"],
                  main["address"].upper(), main["city"].upper(), main["state"], main["zip"],
                  tin=sample.practice["tax_id"].replace("-", ""))
    counters = {payer_id: rng.randrange(100000, 900000) for payer_id in _PAYERS}
    claim_numbers = {payer_id: rng.randrange(10**11, 9 * 10**11) for payer_id in _PAYERS}
    traces: dict[tuple[str, dt.date], str] = {}
    rows: list[dict[str, Any]] = []
    numbers: dict[str, str] = {}
    for key in sorted(payment_runs, key=lambda k: (k[1], k[0])):
        run = payment_runs[key]
        payer_id = run.payer_id
        _, _, method, prefix = _PAYERS[payer_id]
        counters[payer_id] += 1
        trace = f"{prefix}{counters[payer_id]:07d}"
        traces[key] = trace
        claim_payments = []
        for remit in run.remits:
            if remit.status == "22":  # a reversal repeats the number it reverses
                number = numbers[remit.claim["claim_id"]]
            else:
                claim_numbers[payer_id] += rng.randint(1, 40)
                number = f"{claim_numbers[payer_id]:012d}"
                numbers[remit.claim["claim_id"]] = number
            claim_payments.append(_claim_payment(remit, payer_id, number, patients))
        payment = Payment(
            trace_number=trace, payer_trn03=payers[payer_id]["trn03"], payment_date=run.day,
            payer=_party(payers[payer_id]), payee=payee, claims=tuple(claim_payments),
            method=method, provider_adjustments=tuple(run.plb),
            provider_id=sample.practice["group_npi"],
        )
        text = write_835([payment], sender_id=payers[payer_id]["n1_pr_id"],
                         receiver_id=sample.practice["tax_id"].replace("-", ""),
                         control_number=counters[payer_id],
                         created=dt.datetime.combine(run.day - dt.timedelta(days=2),
                                                     dt.time(21, 5)))
        name = f"{run.day.isoformat()}_{payer_id}_{trace}.835"
        rows.append({"file": name, "text": text, "payer_id": payer_id, "payment": payment})
        if run is duplicate_run:
            copy = name.removesuffix(".835") + "_r1.835"
            rows.append({"file": copy, "text": text, "payer_id": payer_id, "payment": None})
            sample.inject("billing", {"kind": "duplicate_835", "trace": trace,
                                      "files": [name, copy],
                                      "amount_cents": payment.computed_total_cents()})
    sample.notes["era"] = {"injected_traces": sorted(
        traces[(r.payer_id, r.day)] for r in (interest_run, recovery_run, duplicate_run))}

    def trace_of(claim: dict[str, Any], day: dt.date) -> str:
        return traces[(claim["payer_id"], day)]

    for claim_id, denial in sorted(denials.items()):
        claim = by_id[claim_id]
        lines = adjudicated[claim_id]
        denied = lines if denial.line is None else lines[denial.line:denial.line + 1]
        entry = {"kind": "denial", "claim_id": claim_id, "payer_id": claim["payer_id"],
                 "trace": trace_of(claim, pay_day[claim_id]),
                 "status": "4" if denial.line is None else "1", "group_code": denial.group,
                 "carc": denial.carc, "remark": denial.remark,
                 "line_nos": [ln.line_no for ln in denied],
                 "amount_cents": sum(ln.charge_cents for ln in denied),
                 "resubmission_trace": None, "resubmission_paid_cents": None}
        if denial.paid_on is not None:
            entry["resubmission_trace"] = trace_of(claim, denial.paid_on)
            entry["resubmission_paid_cents"] = sum(ln.paid_cents for ln in repaid[claim_id])
        sample.inject("billing", entry)
    for claim in late:
        sample.inject("billing", {
            "kind": "denial", "claim_id": claim["claim_id"], "payer_id": claim["payer_id"],
            "trace": trace_of(claim, pay_day[claim["claim_id"]]), "status": "4",
            "group_code": "CO", "carc": "29", "remark": None, "line_nos": [],
            "amount_cents": sum(ln.charge_cents for ln in adjudicated[claim["claim_id"]]),
            "resubmission_trace": None, "resubmission_paid_cents": None})
    for claim, line, expected in underpaid:
        sample.inject("billing", {
            "kind": "underpayment", "claim_id": claim["claim_id"], "line_no": line.line_no,
            "cpt": line.cpt, "payer_id": claim["payer_id"],
            "trace": trace_of(claim, pay_day[claim["claim_id"]]),
            "expected_allowed_cents": expected, "paid_allowed_cents": line.allowed_cents,
            "difference_cents": expected - (line.allowed_cents or 0)})
    first_day = pay_day[split["claim_id"]]
    second_day = _next_run(runs[split["payer_id"]], first_day + dt.timedelta(days=1))
    split_lines = adjudicated[split["claim_id"]]
    sample.inject("billing", {
        "kind": "split_payment", "claim_id": split["claim_id"], "payer_id": split["payer_id"],
        "traces": [trace_of(split, first_day), trace_of(split, second_day)],
        "line_nos": [[split_lines[0].line_no], [ln.line_no for ln in split_lines[1:]]],
        "paid_cents": [split_lines[0].paid_cents, sum(ln.paid_cents for ln in split_lines[1:])]})
    original_day = pay_day[reversal["claim_id"]]
    again_day = _next_run(runs["NWH"], original_day + dt.timedelta(weeks=6))
    original_paid = sum(ln.paid_cents for ln in adjudicated[reversal["claim_id"]])
    deductible = sum(a for ln in adjudicated[reversal["claim_id"]] for r, a in ln.patient
                     if r == "1")
    sample.inject("billing", {
        "kind": "reversal", "claim_id": reversal["claim_id"], "payer_id": "NWH",
        "original_trace": trace_of(reversal, original_day),
        "reversal_trace": trace_of(reversal, again_day),
        "correction_trace": trace_of(reversal, again_day),
        "original_paid_cents": original_paid,
        "corrected_paid_cents": original_paid + deductible})
    for run, kind, claim in ((interest_run, "plb_interest", interest_claim),
                             (recovery_run, "overpayment_recovery", overpaid)):
        plb = run.plb[0]
        sample.inject("billing", {"kind": kind, "trace": traces[(run.payer_id, run.day)],
                                  "payer_id": run.payer_id, "reason": plb.reason,
                                  "claim_id": claim["claim_id"],
                                  "amount_cents": plb.amount_cents})
    for claim in unanswered:
        sample.inject("billing", {
            "kind": "no_remittance", "claim_id": claim["claim_id"],
            "payer_id": claim["payer_id"],
            "date_of_service": claim["date_of_service"].isoformat(),
            "submitted_date": claim["submitted_date"].isoformat()})
    return rows


# --------------------------------------------------------------------------------------------
# Money received: patient collections, deposits, postings

_SHORT_NAMES = {"MCR": "CMS MEDICARE B", "NWH": "NORTHWOODS HEALTH", "LKM": "LAKESHORE MUTUAL",
                "PRS": "PRAIRIE SHIELD"}
_COPAY_AT_VISIT = 0.90  # share of copays the front desk collects at check-out
_SELF_PAY_AT_VISIT = 0.85  # self-pay visits paid in full at check-out
_CARD_AT_DESK = 0.78  # the rest is cash (or a check), banked on the day's cash slip
_SELF_PAY_BILLED_PAYS = 0.60  # of the other self-pay visits, paid from the statement
_STATEMENT_PAYS = 0.88  # statement balances paid after the first statement
_FINAL_NOTICE_PAYS = 0.55  # of the balances left, paid after the final notice
_STATEMENT_DAYS = (15, 75, 28)  # days from the (last) ERA to the payment: low, high, mode
_FINAL_NOTICE_DAYS = (76, 150)
_SELF_PAY_STATEMENT_DAYS = (20, 80, 35)  # days from the visit, for billed self-pay visits


@dataclass(frozen=True)
class _Collection:
    """One patient payment, posted to its claim the day it is received."""

    claim_id: str
    day: dt.date
    amount_cents: int
    tender: str  # "card", or "cash" (cash and checks taken at the desk, on one slip)
    at_visit: bool
    receipt: str = ""


def _remitted(sample: Sample) -> dict[str, tuple[int, dt.date]]:
    """Per answered claim: net patient responsibility (Σ CLP05) and the last ERA's date."""
    out: dict[str, tuple[int, dt.date]] = {}
    for row in sample.tables["era"]:
        payment = row["payment"]
        if payment is None:  # the duplicate copy of a file
            continue
        for claim in payment.claims:
            owed, last = out.get(claim.claim_id, (0, payment.payment_date))
            out[claim.claim_id] = (owed + claim.patient_resp_cents,
                                   max(last, payment.payment_date))
    return out


def _on_business_day(day: dt.date) -> dt.date:
    while not business_day(day):
        day += dt.timedelta(days=1)
    return day


def _collections(sample: Sample) -> list[_Collection]:
    """What patients paid, by the report date, with receipt numbers in order of posting.

    At the front desk: most copays (commercial copay plans' E/M visits; capped at what the
    plan later put on the patient, so no claim is overpaid) and most self-pay visits, at the
    charge (the practice gives no self-pay discount, so nothing needs writing off), by card or
    cash. After the ERA, by card (portal, phone): the statement balance (deductible,
    coinsurance, a copay not taken at the desk, a service the plan does not cover), which most
    patients pay 15-75 days after the ERA and some only after the final notice; the rest stays
    open. Self-pay visits not paid at the desk are billed; most of those get paid too.

    The front desk keeps its own random stream, drawn the same way for every claim, so its
    daily card and cash batches (and with them the deposit ids) do not depend on the
    statements.
    """
    cached = sample.notes.get("patient_collections")
    if cached is not None:
        return cached
    desk = sample.rng("patient_collections")
    mail = sample.rng("patient_statements")
    patients = {p.patient_id: p for p in _patients(sample)}
    remitted = _remitted(sample)
    charges: dict[str, int] = defaultdict(int)
    em: set[str] = set()
    for line in sample.tables["claim_lines"]:
        charges[line["claim_id"]] += line["charge_cents"]
        if line["cpt"] in _EM:
            em.add(line["claim_id"])

    def later(start: dt.date, low: int, high: int, mode: float | None = None) -> dt.date:
        days = mail.triangular(low, high, mode) if mode is not None else mail.uniform(low, high)
        return _on_business_day(start + dt.timedelta(days=int(days)))

    out: list[_Collection] = []
    for claim, _charged in _visits(sample):  # the uncharged visit has no copay: no payment
        claim_id, dos = claim["claim_id"], claim["date_of_service"]
        patient = patients[claim["patient_id"]]
        if claim["payer_id"] == "SELF":
            charge = charges[claim_id]
            if desk.random() < _SELF_PAY_AT_VISIT:
                tender = "card" if desk.random() < _CARD_AT_DESK else "cash"
                kept = [_Collection(claim_id, dos, charge, tender, True)]
            elif mail.random() < _SELF_PAY_BILLED_PAYS:
                kept = [_Collection(claim_id, later(dos, *_SELF_PAY_STATEMENT_DAYS),
                                    charge, "card", False)]
            else:
                kept = []
            out += kept
            continue
        owed, last_era = remitted.get(claim_id, (None, None))
        copay = patient.copay_cents if patient.plan == "copay" and claim_id in em else 0
        paid = 0
        if desk.random() < _COPAY_AT_VISIT and copay:
            tender = "card" if desk.random() < _CARD_AT_DESK else "cash"
            paid = copay if owed is None else min(copay, max(owed, 0))
            if paid:
                out.append(_Collection(claim_id, dos, paid, tender, True))
        if owed is None or owed - paid <= 0:
            continue
        draw = mail.random()
        if draw < _STATEMENT_PAYS:
            day = later(last_era, *_STATEMENT_DAYS)
        elif draw < _STATEMENT_PAYS + (1 - _STATEMENT_PAYS) * _FINAL_NOTICE_PAYS:
            day = later(last_era, *_FINAL_NOTICE_DAYS)
        else:
            continue
        out.append(_Collection(claim_id, day, owed - paid, "card", False))
    out = [c for c in out if c.day <= AS_OF]
    out.sort(key=lambda c: (c.day, not c.at_visit, c.claim_id))
    out = [replace(c, receipt=f"R{n:07d}") for n, c in enumerate(out, start=1)]
    sample.notes["patient_collections"] = out
    return out


def _ach_description(payer: dict[str, Any], trace: str) -> str:
    return f"HCCLAIMPMT {_SHORT_NAMES[payer['payer_id']]} TRN*1*{trace}*{payer['trn03']}\\"


def _deposit_day(rng: random.Random, paid_on: dt.date, low: int, high: int) -> dt.date:
    """A business day ``low``-``high`` business days after ``paid_on``, by the report date."""
    days = [add_business_days(paid_on, n) for n in range(low, high + 1)]
    return rng.choice([d for d in days if d <= AS_OF])


_CARD_FEE_PCT, _CARD_FEE_CENTS = 2.6, 10  # the card processor's fees: % and cents a payment
_CHECK_SHARE = 0.35  # of the money banked on the day's cash slip, the receipts paid by check


def _desk_tenders(sample: Sample) -> dict[str, str]:
    """The daily close's front desk: which receipts of the cash slip were checks, with the
    check's number (the others were cash), from a stream of its own."""
    cached = sample.notes.get("desk_checks")
    if cached is not None:
        return cached
    rng = sample.rng("desk_checks")
    out = {}
    for c in _collections(sample):
        if c.tender == "cash" and rng.random() < _CHECK_SHARE:
            out[c.receipt] = str(rng.randint(1001, 9999))
    sample.notes["desk_checks"] = out
    return out


def _daily_close_plants(sample: Sample, batches: dict[tuple[dt.date, str], int]
                        ) -> dict[str, Any]:
    """The daily close's plants in the bank's credits, from a stream of their own: (1) the
    cash slip of one early-December day never deposited, (2) one November card batch settled
    short of its gross less fees, (3) a check of a mid-December slip deposited a second time,
    alone, the day its slip was."""
    rng = sample.rng("daily_close_deposits")
    cash_days = sorted(day for day, tender in batches if tender == "cash")
    undeposited = rng.choice([d for d in cash_days if dt.date(2025, 12, 1) <= d
                              <= dt.date(2025, 12, 10)])
    card_days = sorted(day for day, tender in batches if tender == "card"
                       and day.month == 11)
    checks = _desk_tenders(sample)
    candidates = [c for c in _collections(sample) if c.receipt in checks
                  and dt.date(2025, 12, 15) <= c.day <= dt.date(2025, 12, 19)] or [
        c for c in _collections(sample) if c.receipt in checks
        and dt.date(2025, 12, 11) <= c.day <= dt.date(2025, 12, 26)]
    twice = rng.choice(candidates)
    return {
        "undeposited_day": undeposited,
        "undeposited_receipts": [c.receipt for c in _collections(sample)
                                 if c.day == undeposited and c.tender == "cash"],
        "short_day": rng.choice(card_days), "short": rng.randint(1500, 4500),
        "twice": {"receipt": twice.receipt, "check_number": checks[twice.receipt],
                  "date": twice.day, "amount_cents": twice.amount_cents,
                  "posted_date": add_business_days(twice.day, 1)},
    }


@writer("deposits")
def deposits(sample: Sample) -> list[dict[str, Any]]:
    """The bank's credits: ERA payments (ACH and Medicaid's checks) and patient batches (the
    day's cash slip; the card batch as the processor settles it, net of its fees).

    Injected: an ERA payment that never reached the bank, an ACH credit with no ERA, and an
    ACH credit for less than its ERA says. For the daily close (``_daily_close_plants``): a
    cash slip never deposited, a card batch settled short, a check deposited twice.
    """
    rng = sample.rng("deposits")
    payers = {p["payer_id"]: p for p in sample.tables["payers"]}
    payments = [(r["payer_id"], r["payment"]) for r in sample.tables["era"]
                if r["payment"] is not None]
    injected = set(sample.notes["era"]["injected_traces"])
    clean = [(payer_id, p) for payer_id, p in payments
             if p.method == "ACH" and p.trace_number not in injected
             and payer_id in ("NWH", "LKM", "PRS") and p.computed_total_cents()]
    missing = rng.choice([c for c in clean if c[1].payment_date.month == 9])
    short = rng.choice([c for c in clean if c[1].payment_date.month == 6])
    rows: list[dict[str, Any]] = []
    dates: dict[str, dt.date] = {}
    slips = rng.randrange(10000, 20000)
    for payer_id, payment in payments:
        if payment.trace_number == missing[1].trace_number:
            continue
        amount = payment.computed_total_cents()
        if not amount:  # a run that pays nothing (every claim denied or the patient's) moves
            continue    # no money: a small practice's payer may send one
        if payment.method == "ACH":
            day = _deposit_day(rng, payment.payment_date, 1, 3)
            text, kind = _ach_description(payers[payer_id], payment.trace_number), "ACH"
        else:  # a paper check, deposited at the bank a few days later
            day = _deposit_day(rng, payment.payment_date, 2, 5)
            slips += 1
            text, kind = f"DEPOSIT CHECK {slips:07d}", "check"
        if payment.trace_number == short[1].trace_number:
            amount -= rng.randint(500, 5000)
        dates[payment.trace_number] = day
        rows.append({"posted_date": day, "amount_cents": amount, "description": text,
                     "type": kind, "trace": payment.trace_number})
    orphan_trace = f"LK{rng.randrange(9000000, 9999999)}"
    rows.append({"posted_date": dt.date(2025, 10, 16), "amount_cents": rng.randint(40000, 250000),
                 "description": _ach_description(payers["LKM"], orphan_trace), "type": "ACH",
                 "trace": orphan_trace})
    batches: dict[tuple[dt.date, str], int] = defaultdict(int)
    fees: dict[dt.date, int] = defaultdict(int)
    for c in _collections(sample):
        batches[(c.day, c.tender)] += c.amount_cents
        if c.tender == "card":
            fees[c.day] += _pct(c.amount_cents, _CARD_FEE_PCT) + _CARD_FEE_CENTS
    close = _daily_close_plants(sample, batches)
    card_batches = []
    for (day, tender), amount in sorted(batches.items()):
        posted = add_business_days(day, 1)
        if posted > AS_OF:
            continue
        slips += 1
        text = (f"BANKCARD SETTLEMENT BATCH {day:%m%d}" if tender == "card"
                else f"DEPOSIT CASH {slips:07d}")
        if tender == "card":  # the daily close: the processor pays the batch net of its fees
            net = amount - fees[day] - (close["short"] if day == close["short_day"] else 0)
            card_batches.append({"batch_date": day, "settlement_date": posted,
                                 "gross_cents": amount, "fees_cents": fees[day],
                                 "net_cents": net})
            amount = net
        elif day == close["undeposited_day"]:  # the daily close: this slip never reached
            close["undeposited_slip"] = f"{slips:07d}"  # the bank
            continue
        rows.append({"posted_date": posted, "amount_cents": amount, "description": text,
                     "type": tender, "trace": None})
    slips += 1  # the daily close: a check of one day's slip deposited again, on its own slip
    twice = close["twice"]
    rows.append({"posted_date": twice["posted_date"], "amount_cents": twice["amount_cents"],
                 "description": f"DEPOSIT CASH {slips:07d}", "type": "cash", "trace": None})
    order = {"ACH": 0, "check": 1, "card": 2, "cash": 3}
    rows.sort(key=lambda r: (r["posted_date"], order[r["type"]], r["description"]))
    ids: dict[str, str] = {}
    for n, row in enumerate(rows, start=1):
        row["deposit_id"] = f"D{n:05d}"
        trace = row.pop("trace")
        if trace:
            ids[trace] = row["deposit_id"]
    sample.notes["deposits"] = {"dates": dates}
    sample.notes["card_batches"] = card_batches
    twice_row = next(r for r in rows if r["description"] == f"DEPOSIT CASH {slips:07d}")
    short_batch = next(b for b in card_batches if b["batch_date"] == close["short_day"])
    short_deposit = next(r for r in rows if r["type"] == "card"
                         and r["posted_date"] == short_batch["settlement_date"])
    sample.inject("daily_close", {
        "kind": "undeposited_cash", "date": close["undeposited_day"].isoformat(),
        "amount_cents": batches[(close["undeposited_day"], "cash")],
        "slip": close["undeposited_slip"],
        "receipts": close["undeposited_receipts"]})
    sample.inject("daily_close", {
        "kind": "card_settlement_short", "batch_date": close["short_day"].isoformat(),
        "settlement_date": short_batch["settlement_date"].isoformat(),
        "gross_cents": short_batch["gross_cents"], "fees_cents": short_batch["fees_cents"],
        "net_cents": short_batch["net_cents"], "short_cents": close["short"],
        "deposit_id": short_deposit["deposit_id"]})
    sample.inject("daily_close", {
        "kind": "check_deposited_twice", "receipt": twice["receipt"],
        "check_number": twice["check_number"], "date": twice["date"].isoformat(),
        "amount_cents": twice["amount_cents"], "deposit_id": twice_row["deposit_id"],
        "posted_date": twice["posted_date"].isoformat()})
    payer_id, payment = missing
    sample.inject("billing", {"kind": "era_without_deposit", "trace": payment.trace_number,
                              "payer_id": payer_id,
                              "payment_date": payment.payment_date.isoformat(),
                              "amount_cents": payment.computed_total_cents()})
    orphan = next(r for r in rows if r["deposit_id"] == ids[orphan_trace])
    sample.inject("billing", {"kind": "deposit_without_era", "deposit_id": orphan["deposit_id"],
                              "trace": orphan_trace, "amount_cents": orphan["amount_cents"],
                              "posted_date": orphan["posted_date"].isoformat()})
    payer_id, payment = short
    deposit = next(r for r in rows if r["deposit_id"] == ids[payment.trace_number])
    sample.inject("billing", {
        "kind": "deposit_amount_mismatch", "trace": payment.trace_number, "payer_id": payer_id,
        "deposit_id": deposit["deposit_id"], "era_amount_cents": payment.computed_total_cents(),
        "deposit_amount_cents": deposit["amount_cents"],
        "difference_cents": deposit["amount_cents"] - payment.computed_total_cents()})
    return rows


@writer("payments_posted")
def payments_posted(sample: Sample) -> list[dict[str, Any]]:
    """What the practice-management system posted: each ERA claim, and patients' payments."""
    rng = sample.rng("payments_posted")
    dates = sample.notes["deposits"]["dates"]
    rows = []
    for row in sample.tables["era"]:
        payment = row["payment"]
        if payment is None:  # the system recognised the duplicate file
            continue
        banked = dates.get(payment.trace_number) or add_business_days(payment.payment_date, 2)
        for claim in payment.claims:
            posted = min(banked + dt.timedelta(days=rng.randint(0, 4)), AS_OF)
            rows.append({"claim_id": claim.claim_id, "posted_date": posted,
                         "amount_cents": claim.paid_cents, "source": "ERA",
                         "reference": payment.trace_number})
    rows += [{"claim_id": c.claim_id, "posted_date": c.day, "amount_cents": c.amount_cents,
              "source": "patient", "reference": c.receipt} for c in _collections(sample)]
    rows.sort(key=lambda r: (r["posted_date"], r["source"], r["reference"], r["claim_id"]))
    for n, row in enumerate(rows, start=1):
        row["posting_id"] = f"PP{n:06d}"
    return rows
