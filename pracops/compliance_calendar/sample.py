"""The compliance calendar's part of the bundled sample: the practice's requirements (the
defaults a practice edits), its people's credentials, trainings and HR review dates, its
equipment with three months of logs, and its documents. Every date is placed relative to
:data:`~pracops.sample.generator.AS_OF`; everything that is not planted is current beyond the
90-day window (except what is due every few weeks by nature: CAQH attestations, monthly AED and
weekly eyewash checks, which are current but within it). The thirteen plants are recorded under
``"compliance_calendar"`` in the ground truth (see ``docs/compliance_calendar-sample.md``).
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from pracops.sample.generator import AS_OF, Sample, writer

_DAY = dt.timedelta(days=1)
_LOG_DAYS = 92
"""Days of equipment logs up to the report date."""

REQUIREMENTS: tuple[tuple[Any, ...], ...] = (
    # requirement, title, kind, applies_to, at_hire, interval_days, per_day, low, high, effect,
    # source
    ("state_licence", "State medical licence", "credential", "provider", True, None, None,
     None, None, "all visits", "State medical practice act; renewed by its expiry date"),
    ("dea", "DEA registration", "credential", "provider", True, None, None, None, None,
     "prescribing", "21 CFR 1301.13 (renewed every 3 years)"),
    ("board_certification", "Board certification", "credential", "provider", True, None, None,
     None, None, "none", "Certifying board; payer credentialing"),
    ("acls", "ACLS provider card", "credential", "provider", True, 730, None, None, None,
     "none", "AHA ACLS provider course: valid 2 years"),
    ("bls", "BLS provider card", "credential", "nurse", True, 730, None, None, None, "none",
     "AHA BLS provider course: valid 2 years"),
    ("malpractice", "Malpractice coverage", "credential", "provider", True, None, None, None,
     None, "none", "Payer contracts; practice policy"),
    ("caqh", "CAQH ProView attestation", "credential", "provider", True, 120, None, None, None,
     "none", "CAQH ProView: re-attest every 120 days"),
    ("payer_enrolment", "Payer enrolment or revalidation", "credential", "provider", True, 1826,
     None, None, None, "payer visits", "42 CFR 424.515 (Medicare revalidation every 5 years); "
     "payer contracts"),
    ("bbp", "OSHA bloodborne pathogens training", "training",
     "provider;nurse;medical assistant;lab technician", True, 365, None, None, None, "none",
     "29 CFR 1910.1030(g)(2): at hire and yearly"),
    ("hazcom", "OSHA hazard communication training", "training", "all", True, None, None, None,
     None, "none", "29 CFR 1910.1200(h): at hire"),
    ("hipaa", "HIPAA privacy and security training", "training", "all", True, 365, None, None,
     None, "none", "45 CFR 164.530(b), 164.308(a)(5); yearly by practice policy"),
    ("performance_review", "Performance review", "review", "staff", False, 365, None, None,
     None, "none", "Practice policy: yearly"),
    ("risk_analysis", "HIPAA security risk analysis", "document", "practice", False, 365, None,
     None, None, "none", "45 CFR 164.308(a)(1)(ii)(A); yearly by practice policy"),
    ("clia", "CLIA certificate of waiver", "document", "practice", False, None, None, None,
     None, "none", "42 CFR 493.37 (certificate valid 2 years)"),
    ("baa", "Business associate agreement", "document", "practice", False, None, None, None,
     None, "none", "45 CFR 164.502(e), 164.504(e)"),
    ("osha_300a", "OSHA 300A summary posting", "document", "practice", False, 365, None, None,
     None, "none", "29 CFR 1904.32(b)(6): posted 1 February to 30 April"),
    ("policy_review", "Policy manual section review", "document", "practice", False, 365,
     None, None, None, "none", "Practice policy: yearly"),
    ("fridge_temps", "Vaccine refrigerator temperatures", "log", "vaccine refrigerator",
     False, 1, 2, 2.0, 8.0, "none", "CDC Vaccine Storage and Handling Toolkit: twice a day, "
     "2-8 °C"),
    ("freezer_temps", "Vaccine freezer temperatures", "log", "vaccine freezer", False, 1, 2,
     -50.0, -15.0, "none", "CDC Vaccine Storage and Handling Toolkit: twice a day, "
     "-50 to -15 °C"),
    ("spore_test", "Autoclave spore test", "log", "autoclave", False, 7, None, None, None,
     "none", "CDC Guideline for Disinfection and Sterilization (2008): weekly"),
)

_COLUMNS = ("requirement", "title", "kind", "applies_to", "at_hire", "interval_days",
            "per_day", "low", "high", "effect", "source")


@writer("requirements")
def requirements(sample: Sample) -> list[dict[str, Any]]:
    """The default requirements, with their sources."""
    return [dict(zip(_COLUMNS, row, strict=True)) for row in REQUIREMENTS]


def _people(sample: Sample) -> dict[str, Any]:
    """Who the plants fall on, chosen by role and location so that other seeds work too."""
    staff = sample.tables["staff"]
    providers = sample.tables["providers"]
    nurses = [s for s in staff if s["role"] == "nurse"]
    by_location: dict[str, list[dict[str, Any]]] = {}
    for s in nurses:
        by_location.setdefault(s["location_id"], []).append(s)
    lone = next(loc for loc, group in by_location.items() if len(group) == 1)
    part_time = next(s for loc, group in by_location.items() if len(group) > 1
                     for s in group if "Mon-Fri" not in s["usual_shifts"])
    assistants = [s for s in staff if s["role"] == "medical assistant"]
    desk = [s for s in staff if s["role"] == "front desk"]
    return {
        "expired_bls": part_time["employee_id"], "lone_location": lone,
        "lone_nurse": by_location[lone][0]["employee_id"],
        "dea": providers[0]["provider_id"], "medicare": providers[1]["provider_id"],
        # a two-provider practice: the CAQH plant falls on the DEA plant's provider
        "caqh": providers[2 if len(providers) > 2 else 0]["provider_id"],
        "hipaa": [desk[0]["employee_id"], staff[-1]["employee_id"]],
        "new_hire": assistants[-1]["employee_id"], "review": desk[1]["employee_id"],
    }


@writer("credentials")
def credentials(sample: Sample) -> list[dict[str, Any]]:
    """Each provider's licence, DEA, board, ACLS, malpractice, CAQH and one enrolment per payer
    billed in the year; each nurse's BLS card. Plants 1 to 4 and 13."""
    rng = sample.rng("credentials")
    who = _people(sample)
    sample.notes["compliance_calendar"] = who
    billed: dict[str, set[str]] = {}
    npi = {p["npi"]: p["provider_id"] for p in sample.tables["providers"]}
    self_pay = {p["payer_id"] for p in sample.tables["payers"] if p["type"] == "self-pay"}
    for c in sample.tables["claims"]:
        if c["payer_id"] not in self_pay:
            billed.setdefault(npi[c["rendering_npi"]], set()).add(c["payer_id"])
    rows: list[dict[str, Any]] = []

    def add(person: str, kind: str, issuer: str, issued: dt.date, expires: dt.date | None,
            payer: str | None = None) -> None:
        rows.append({"credential_id": f"CR{len(rows) + 1:04d}", "person_id": person,
                     "kind": kind, "payer_id": payer, "number": f"{rng.randrange(10**7):07d}",
                     "issuer": issuer, "issued": issued, "expires": expires})

    def later(years: int) -> tuple[dt.date, dt.date]:
        expires = AS_OF + dt.timedelta(days=rng.randint(150, 365 * years - 30))
        return expires - dt.timedelta(days=365 * years), expires

    for p in sample.tables["providers"]:
        pid = p["provider_id"]
        add(pid, "state_licence", "Minnesota Board of Medical Practice", *later(2))
        issued, expires = later(3)
        if pid == who["dea"]:
            expires = AS_OF + dt.timedelta(days=20)
            sample.inject("compliance_calendar", {
                "plant": 2, "kind": "lapse", "person_id": pid, "requirement": "dea",
                "due": expires.isoformat(), "effect": "prescribing"})
        add(pid, "dea", "Drug Enforcement Administration", issued, expires)
        add(pid, "board_certification", "American Board of Medical Specialties", *later(10))
        add(pid, "acls", "American Heart Association", *later(2))
        add(pid, "malpractice", "MMIC", *later(1))
        attested = AS_OF - dt.timedelta(days=rng.randint(5, 60))
        if pid == who["caqh"]:
            attested = AS_OF - dt.timedelta(days=150)
            sample.inject("compliance_calendar", {
                "plant": 4, "kind": "overdue", "person_id": pid, "requirement": "caqh",
                "due": (attested + dt.timedelta(days=120)).isoformat()})
        add(pid, "caqh", "CAQH", attested, None)
        for payer in sorted(billed.get(pid, ())):
            issued = AS_OF - dt.timedelta(days=rng.randint(200, 1500))
            expires = None
            if payer == "MCR" and pid == who["medicare"]:
                expires = AS_OF + dt.timedelta(days=25)
                issued = expires - dt.timedelta(days=1826)
                booked = sum(1 for a in sample.tables["appointments"]
                             if a["provider_id"] == pid and a["status"] == "booked"
                             and a["date"] > expires)
                sample.inject("compliance_calendar", {
                    "plant": 3, "kind": "lapse", "person_id": pid,
                    "requirement": "payer_enrolment", "payer_id": payer,
                    "due": expires.isoformat(), "effect": "payer visits",
                    "booked_visits": booked})
            add(pid, "payer_enrolment", "payer", issued, expires, payer)
    for s in sample.tables["staff"]:
        if s["role"] != "nurse":
            continue
        issued, expires = later(2)
        if s["employee_id"] == who["expired_bls"]:
            expires = AS_OF - dt.timedelta(days=12)
            sample.inject("compliance_calendar", {
                "plant": 1, "kind": "overdue", "person_id": s["employee_id"],
                "requirement": "bls", "due": expires.isoformat()})
        if s["employee_id"] == who["lone_nurse"]:
            expires = AS_OF + dt.timedelta(days=18)
            sample.inject("compliance_calendar", {
                "plant": 13, "kind": "coverage", "location_id": who["lone_location"],
                "person_id": s["employee_id"], "from": (expires + _DAY).isoformat()})
        add(s["employee_id"], "bls", "American Heart Association", issued, expires)
    return rows


def _hire_dates(sample: Sample) -> dict[str, dt.date]:
    rng = sample.rng("hire_dates")
    who = sample.notes["compliance_calendar"]
    dates = {s["employee_id"]: dt.date(rng.randint(2012, 2023), rng.randint(1, 12),
                                       rng.randint(1, 28)) for s in sample.tables["staff"]}
    dates[who["new_hire"]] = AS_OF - dt.timedelta(days=20)
    return dates


@writer("trainings")
def trainings(sample: Sample) -> list[dict[str, Any]]:
    """Each person's trainings as the requirements ask: hazard communication at hire, the
    yearly ones within the last eight months. Plants 5, 6 and 7."""
    rng = sample.rng("trainings")
    who = sample.notes["compliance_calendar"]
    hired = _hire_dates(sample)
    sample.notes["compliance_calendar"]["hired"] = hired
    people = [(s["employee_id"], s["role"]) for s in sample.tables["staff"]]
    people += [(p["provider_id"], "provider") for p in sample.tables["providers"]]
    starts = {p["provider_id"]: p["start_date"] for p in sample.tables["providers"]}
    rows: list[dict[str, Any]] = []

    def add(person: str, course: str, day: dt.date) -> None:
        rows.append({"training_id": f"TR{len(rows) + 1:04d}", "person_id": person,
                     "course": course, "completed": day})

    for person, role in people:
        start = hired.get(person) or dt.date.fromisoformat(str(starts[person]))
        add(person, "hazcom", start)
        new = person == who["new_hire"]
        day = start if new else AS_OF - dt.timedelta(days=rng.randint(10, 240))
        if person in who["hipaa"]:
            day = AS_OF - dt.timedelta(days=rng.randint(380, 420))
            sample.inject("compliance_calendar", {
                "plant": 5 + who["hipaa"].index(person), "kind": "overdue",
                "person_id": person, "requirement": "hipaa",
                "due": (day + dt.timedelta(days=365)).isoformat()})
        add(person, "hipaa", day)
        if role in ("provider", "nurse", "medical assistant", "lab technician"):
            if new:
                sample.inject("compliance_calendar", {
                    "plant": 7, "kind": "missing", "person_id": person, "requirement": "bbp",
                    "due": start.isoformat()})
            else:
                add(person, "bbp", AS_OF - dt.timedelta(days=rng.randint(10, 240)))
    return rows


@writer("reviews")
def reviews(sample: Sample) -> list[dict[str, Any]]:
    """Each employee's hire date and last review (within the last eight months). Plant 8."""
    rng = sample.rng("reviews")
    who = sample.notes["compliance_calendar"]
    rows = []
    for s in sample.tables["staff"]:
        eid, hired = s["employee_id"], who["hired"][s["employee_id"]]
        last = None if eid == who["new_hire"] else AS_OF - dt.timedelta(
            days=rng.randint(10, 240))
        if eid == who["review"]:
            last = AS_OF - dt.timedelta(days=400)
            sample.inject("compliance_calendar", {
                "plant": 8, "kind": "overdue", "person_id": eid,
                "requirement": "performance_review",
                "due": (last + dt.timedelta(days=365)).isoformat()})
        rows.append({"employee_id": eid, "hire_date": hired, "last_review": last,
                     "next_due": None})
    return rows


_ASSETS = (("AED", "AED", 30, "Zoll"), ("EYEWASH", "eyewash station", 7, None),
           ("FIRE", "fire extinguisher", 365, "Cintas"), ("SCALE", "scale", 365, "Detecto"),
           ("FRIDGE", "vaccine refrigerator", 365, "Helmer"))
_MAIN_ONLY = (("FREEZER", "vaccine freezer", 365, "Helmer"),
              ("AUTOCLAVE", "autoclave", 365, "Midmark"),
              ("ANALYSER", "lab analyser", 182, "Abbott"))


@writer("equipment")
def equipment(sample: Sample) -> list[dict[str, Any]]:
    """Each site's safety equipment and vaccine refrigerator; the first site's freezer,
    autoclave and lab analyser. Last serviced within its interval."""
    rng = sample.rng("equipment")
    rows = []
    for n, loc in enumerate(sample.tables["locations"]):
        for code, kind, interval, vendor in _ASSETS + (_MAIN_ONLY if n == 0 else ()):
            rows.append({"asset_id": f"{loc['location_id']}-{code}", "kind": kind,
                         "location_id": loc["location_id"],
                         "last_service": AS_OF - dt.timedelta(
                             days=rng.randint(0, min(interval - 1, interval // 2 + 1))),
                         "interval_days": interval, "vendor": vendor})
    return rows


@writer("equipment_logs")
def equipment_logs(sample: Sample) -> list[dict[str, Any]]:
    """Temperatures at 08:00 and 16:00 every day, a spore test every Tuesday, for the last
    three months. Plants 9, 10 and 11."""
    rng = sample.rng("equipment_logs")
    first = AS_OF - dt.timedelta(days=_LOG_DAYS - 1)
    saturday = AS_OF - dt.timedelta(days=(AS_OF.weekday() - 5) % 7 + 42)
    missed_monday = saturday - dt.timedelta(days=19)
    rows = []
    main = sample.tables["locations"][0]["location_id"]
    for asset in sample.tables["equipment"]:
        kind, aid = asset["kind"], asset["asset_id"]
        loc = asset["location_id"]
        initials = ["".join(w[0] for w in s["name"].split()) for s in sample.tables["staff"]
                    if s["location_id"] == loc and s["role"] in ("nurse", "medical assistant")]
        hot = (AS_OF - dt.timedelta(days=22)) if loc != main else None
        day = first
        while day <= AS_OF:
            if kind in ("vaccine refrigerator", "vaccine freezer"):
                skip = kind == "vaccine refrigerator" and loc == main and day in (
                    saturday, saturday + _DAY)
                for time in ("08:00", "16:00"):
                    if skip:
                        continue
                    reading = (round(rng.uniform(3.5, 6.5), 1) if kind == "vaccine refrigerator"
                               else round(rng.uniform(-25.0, -18.0), 1))
                    if kind == "vaccine refrigerator" and day == hot and time == "08:00":
                        reading = 9.5
                        sample.inject("compliance_calendar", {
                            "plant": 11, "kind": "out_of_range", "asset_id": aid,
                            "date": day.isoformat(), "time": time, "reading": reading})
                    rows.append({"asset_id": aid, "date": day, "time": time,
                                 "reading": reading, "result": None,
                                 "initials": rng.choice(initials)})
            elif kind == "autoclave" and day.weekday() == 1 and not (
                    missed_monday <= day < missed_monday + dt.timedelta(days=14)):
                rows.append({"asset_id": aid, "date": day, "time": "10:00", "reading": None,
                             "result": "pass", "initials": rng.choice(initials)})
            day += _DAY
        if kind == "vaccine refrigerator" and loc == main:
            sample.inject("compliance_calendar", {
                "plant": 10, "kind": "log_gap", "asset_id": aid, "first": saturday.isoformat(),
                "last": (saturday + _DAY).isoformat()})
        if kind == "autoclave":
            sample.inject("compliance_calendar", {
                "plant": 9, "kind": "log_gap", "asset_id": aid,
                "first": missed_monday.isoformat(),
                "last": (missed_monday + dt.timedelta(days=13)).isoformat()})
    return rows


@writer("practice_documents")
def practice_documents(sample: Sample) -> list[dict[str, Any]]:
    """The CLIA certificate, three business associate agreements, the OSHA 300A posting, the
    risk analysis and the policy manual's sections. Plant 12."""
    rng = sample.rng("practice_documents")
    managers = [s["employee_id"] for s in sample.tables["staff"] if s["role"] == "manager"]
    rows: list[dict[str, Any]] = []

    def add(kind: str, title: str, done: dt.date, expires: dt.date | None,
            vendor: str | None = None) -> None:
        rows.append({"document_id": f"DOC{len(rows) + 1:03d}", "kind": kind, "title": title,
                     "vendor": vendor, "owner": rng.choice(managers), "last_done": done,
                     "expires": expires})

    def recent() -> dt.date:
        return AS_OF - dt.timedelta(days=rng.randint(10, 240))

    add("clia", "CLIA certificate of waiver", AS_OF - dt.timedelta(days=300),
        AS_OF + dt.timedelta(days=430))
    for vendor in ("Clearinghouse Inc.", "Cloud EHR LLC", "Shred-Right Document Destruction"):
        done = recent()
        expires = done + dt.timedelta(days=730)
        if vendor.startswith("Shred"):
            done, expires = AS_OF - dt.timedelta(days=740), AS_OF - dt.timedelta(days=10)
            sample.inject("compliance_calendar", {
                "plant": 12, "kind": "overdue", "document": f"DOC{len(rows) + 1:03d}",
                "requirement": "baa", "due": expires.isoformat()})
        add("baa", f"Business associate agreement: {vendor}", done, expires, vendor)
    add("osha_300a", "OSHA 300A summary posting", dt.date(AS_OF.year, 2, 1), None)
    add("risk_analysis", "HIPAA security risk analysis", recent(), None)
    for section in ("Infection control", "Emergency response", "Privacy and security",
                    "Billing compliance"):
        add("policy_review", f"Policy manual: {section}", recent(), None)
    return rows
