"""The seeded generator of the bundled sample practice, Maple Grove Family Medicine.

One writer function per dataset, registered with :func:`writer` in the order they run (a later
writer may use the rows of an earlier one through :attr:`Sample.tables`, and add to them the
optional columns their dataset declares; the files are written after the last writer). Each
writer draws from its own random stream, seeded by the seed and the dataset's name, so adding a
dataset leaves every existing file unchanged. Writers return rows keyed by the frame's column
names, with money as integer cents; :func:`generate` writes them as CSV in the declared column
order, with money as dollars under the header without ``_cents``.

Deliberate problems are recorded with :meth:`Sample.inject` under the report that should find
them; :func:`generate` writes them to ``ground_truth.json`` so tests can check that each report
finds exactly them.
"""

from __future__ import annotations

import csv
import datetime as dt
import importlib
import json
import os
import random
import shutil
from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import Any

import holidays

from pracops import config, data, registry
from pracops.errors import PracopsError
from pracops.money import cents_to_decimal
from pracops.report import PRACTICE_FILE

__all__ = [
    "AS_OF",
    "BOOKED_UNTIL",
    "BUNDLED_VISITS_A_DAY",
    "DEFAULT_SEED",
    "FEDERAL_HOLIDAYS",
    "FOLDERS",
    "GROUND_TRUTH",
    "NO_SHOW_WEEK",
    "PRACTICE_NAME",
    "REPORTS",
    "WRITERS",
    "SPECIALTIES",
    "STATES",
    "Sample",
    "Shape",
    "add_business_days",
    "business_day",
    "fte_of",
    "generate",
    "hire",
    "write_sample",
    "writer",
    "writers",
]

AS_OF = dt.date(2025, 12, 31)
"""The sample's report date: activity runs to here; later appointments are only booked."""

BOOKED_UNTIL = dt.date(2026, 2, 27)
"""Appointments are booked up to here, past :data:`AS_OF`."""

NO_SHOW_WEEK = dt.date(2025, 10, 6)
"""Patient access's plant 6: the Monday of the week whose no-show rate lies above the
p-chart's limit (the appointments writer keeps a two-provider practice's providers at work
that week)."""

FEDERAL_HOLIDAYS: frozenset[dt.date] = frozenset(
    d for d in holidays.country_holidays("US", years=(2025, 2026)) if d <= BOOKED_UNTIL)
"""US federal holidays of 2025 and early 2026 (the ``holidays`` package's calendar): the
clinics are closed and banks do not post."""


def business_day(day: dt.date) -> bool:
    """Whether ``day`` is a weekday that is not a federal holiday."""
    return day.weekday() < 5 and day not in FEDERAL_HOLIDAYS


def add_business_days(day: dt.date, count: int) -> dt.date:
    """``day`` moved ``count`` business days forward (``count`` ≤ 0: ``day`` itself)."""
    while count > 0:
        day += dt.timedelta(days=1)
        count -= business_day(day)
    return day


DEFAULT_SEED = 2026
"""The seed of the bundled sample."""

PRACTICE_NAME = "Maple Grove Family Medicine"
GROUND_TRUTH = "ground_truth.json"
"""The file listing the problems injected into the sample, per report."""

REPORTS: tuple[str, ...] = registry.PACKAGES
"""The report packages, each with its list of injected problems in the ground truth."""


@dataclass(frozen=True)
class Shape:
    """What kind of practice :func:`generate` writes. The default is the bundled sample's,
    Maple Grove Family Medicine: five providers at two clinics in Minnesota, its files exactly
    as they were before shapes existed; any other shape scales the people and the patients to
    its providers (see ``docs/group.md``, "The sample group").

    Parameters
    ----------
    providers
        Providers of the practice, 2 to 40 (two: one at each clinic).
    specialty
        One of :data:`SPECIALTIES`: the physicians' specialty column, their visits a day and,
        for internal medicine, an adult panel.
    state
        One of :data:`STATES`: the clinics' city, addresses and zip codes, the practice's
        state and the payee address of its remittances.
    name
        The practice's name, for page titles.
    """

    providers: int = 5
    specialty: str = "Family Medicine"
    state: str = "MN"
    name: str = PRACTICE_NAME

    def __post_init__(self) -> None:
        if not 2 <= self.providers <= 40:
            raise ValueError(f"a practice of {self.providers} providers: give 2 to 40")
        if self.specialty not in SPECIALTIES:
            raise ValueError(f"unknown specialty {self.specialty!r}; one of {sorted(SPECIALTIES)}")
        if self.state not in STATES:
            raise ValueError(f"unknown state {self.state!r}; one of {sorted(STATES)}")

    @property
    def bundled(self) -> bool:
        """Whether this is the bundled sample's shape (whose files must not change)."""
        return self == Shape()


SPECIALTIES: dict[str, tuple[tuple[str, int], ...]] = {
    # the physicians' specialties in turn, each with its visits a day (advanced practice
    # providers see four fewer); Primary Care is a multi-specialty group
    "Family Medicine": (("Family Medicine", 22),),
    "Internal Medicine": (("Internal Medicine", 20),),
    "Primary Care": (("Family Medicine", 22), ("Internal Medicine", 20), ("Pediatrics", 24)),
}
"""Specialties a practice's shape may have."""

STATES: dict[str, tuple[str, tuple[tuple[str, str, str], ...]]] = {
    # state: the city, and its clinics' (name, street address, zip) in the order MAIN, NORTH,
    # SOUTH, WEST
    "MN": ("Maple Grove", (("Main Street Clinic", "410 Main Street", "55369"),
                           ("North Clinic", "8120 Birchwood Lane, Suite 200", "55311"),
                           ("South Clinic", "9600 Hemlock Lane", "55369"),
                           ("West Clinic", "15700 Grove Circle", "55311"))),
    "WI": ("Eau Claire", (("Main Clinic", "212 Barstow Street", "54701"),
                          ("North Clinic", "2700 North Hastings Way", "54703"),
                          ("South Clinic", "3460 Oakwood Mall Drive", "54701"),
                          ("West Clinic", "1221 West Clairemont Avenue", "54701"))),
    "IA": ("Ames", (("Main Clinic", "415 Main Street", "50010"),
                    ("North Clinic", "2500 Stange Road", "50010"),
                    ("South Clinic", "3615 South Duff Avenue", "50010"),
                    ("West Clinic", "4610 Lincoln Way", "50014"))),
    "ND": ("Fargo", (("Main Clinic", "600 Main Avenue", "58103"),
                     ("North Clinic", "3200 North Broadway", "58102"),
                     ("South Clinic", "4600 25th Street South", "58104"),
                     ("West Clinic", "5150 13th Avenue South", "58103"))),
    "CO": ("Fort Collins", (("Main Clinic", "150 North College Avenue", "80524"),
                            ("North Clinic", "1015 Vine Drive", "80524"),
                            ("South Clinic", "4501 South Timberline Road", "80525"),
                            ("West Clinic", "2001 West Drake Road", "80526"))),
}
"""States a practice's shape may be in."""

_CLINICS = (("MAIN", "07:30", "17:30"), ("NORTH", "08:00", "17:00"),
            ("SOUTH", "08:00", "17:00"), ("WEST", "08:00", "17:00"))
_NORTH_PROVIDERS = 2  # at most, so the north clinic keeps one nurse (a plant's lone nurse)


def _clinic_count(providers: int) -> int:
    """Two clinics up to 12 providers, three up to 24, four above."""
    return 2 if providers <= 12 else 3 if providers <= 24 else 4


@dataclass
class Sample:
    """The practice being generated: what writers read from and record into.

    Parameters
    ----------
    seed
        The generation's seed.
    shape
        The kind of practice (:class:`Shape`).
    practice
        Facts about the practice as a whole (name, identifiers, the year of activity).
    tables
        Rows written so far, by dataset name, as the writers returned them.
    ground_truth
        Injected problems by report name.
    names
        First and last names already used, so the practice's people are easy to tell apart.
    notes
        Facts a writer leaves for later writers that are not columns of its dataset (which
        deposit carries which remittance, say), by the writer's name.
    facts
        What a report's tests need to know about the sample besides its injected problems
        (the budget's assumptions, say), by report name. A report with facts has them written
        to the ground truth as an object, its injected problems under ``"injected"``; the
        others as the list of their problems.
    """

    seed: int
    practice: dict[str, Any]
    shape: Shape = field(default_factory=Shape)
    tables: dict[str, list[dict[str, Any]]] = field(default_factory=dict)
    ground_truth: dict[str, list[dict[str, Any]]] = field(
        default_factory=lambda: {report: [] for report in REPORTS}
    )
    names: set[str] = field(default_factory=set)
    notes: dict[str, Any] = field(default_factory=dict)
    facts: dict[str, dict[str, Any]] = field(default_factory=dict)

    def rng(self, stream: str) -> random.Random:
        """A random generator for one stream (a dataset's name), independent of the others."""
        return random.Random(f"{self.seed}:{stream}")

    def inject(self, report: str, problem: dict[str, Any]) -> None:
        """Record a deliberate problem that ``report`` should find.

        Parameters
        ----------
        report
            One of :data:`REPORTS`.
        problem
            JSON-serialisable facts a test compares the report's findings with; by convention
            a ``"kind"`` (``"underpayment"``, ``"expiring_lot"`` …) and the keys that identify
            the rows involved.
        """
        if report not in self.ground_truth:
            raise ValueError(f"unknown report {report!r}; expected one of {REPORTS}")
        self.ground_truth[report].append(problem)


Writer = Callable[[Sample], list[dict[str, Any]]]
WRITERS: dict[str, Writer] = {}
"""Writer functions by dataset name, in the order :func:`generate` runs them."""

FOLDERS: set[str] = set()
"""Writers whose output is a folder of files (``era``) rather than a registered dataset."""


def writers() -> dict[str, Writer]:
    """Every writer, in the order :func:`generate` runs them: the foundation's (this module's)
    first, then each report package's sample part (``pracops/<report>/sample.py``) in
    :data:`pracops.registry.PACKAGES` order, each part's writers in the order it declares
    them."""
    parts = [f"pracops.{name}.sample" for name in registry.PACKAGES]
    for part in parts:
        importlib.import_module(part)
    rank = {part: n for n, part in enumerate(parts, start=1)}
    return dict(sorted(WRITERS.items(), key=lambda item: rank.get(item[1].__module__, 0)))


def writer(dataset: str, *, folder: bool = False) -> Callable[[Writer], Writer]:
    """Register the decorated function as the writer of ``dataset``.

    Parameters
    ----------
    dataset
        A registered dataset, whose rows the writer returns; or, with ``folder``, the name
        of a sub-folder the writer fills with files.
    folder
        The writer returns one row per file, with ``file`` (its name inside the folder) and
        ``text`` (its content); other keys stay in :attr:`Sample.tables` for later writers.
    """

    def register(fn: Writer) -> Writer:
        WRITERS[dataset] = fn
        if folder:
            FOLDERS.add(dataset)
        return fn

    return register


# --------------------------------------------------------------------------------------------
# Names and identifiers

_FIRST = ("Avery", "Priya", "Marcus", "Elena", "Jonah", "Keisha", "Tomas", "Grace", "Dmitri",
          "Hannah", "Luis", "Mei", "Owen", "Fatima", "Caleb", "Ingrid", "Andre", "Rosa",
          "Samuel", "Nadia", "Wesley", "Lucia", "Theo", "Amara", "Gavin", "Yuki", "Julian",
          "Brianna", "Emeka", "Colette", "Rafael", "Sienna", "Henrik", "Tamsin", "Darius",
          "Noor", "Silas", "Leah", "Mateo", "Corinne")
_LAST = ("Lindqvist", "Okafor", "Brandt", "Nuñez", "Haugen", "Castellano", "Whitfield",
         "Nakamura", "Pellegrino", "Abernathy", "Solberg", "Osei", "Kowalczyk", "Delacroix",
         "Thorsen", "Varga", "Mbeki", "Rasmussen", "Quintero", "Ellery", "Fairbanks", "Holm",
         "Iyer", "Jablonski", "Kerrigan", "Lachance", "Moreau", "Nygaard", "Ostrowski",
         "Penhallow", "Rourke", "Sandoval", "Tremblay", "Underhill", "Vance", "Winslow")


def _unique_names(rng: random.Random, count: int, taken: set[str]) -> list[str]:
    """``count`` names whose first and last names are not in ``taken`` (which they join, with
    the full names); in a practice too large for that, full names no one has."""
    firsts = [n for n in _FIRST if n not in taken]
    lasts = [n for n in _LAST if n not in taken]
    if count > min(len(firsts), len(lasts)):
        names: list[str] = []
        while len(names) < count:
            name = f"{rng.choice(_FIRST)} {rng.choice(_LAST)}"
            if name not in taken:
                taken.add(name)
                names.append(name)
        return names
    firsts, lasts = rng.sample(firsts, count), rng.sample(lasts, count)
    names = [f"{first} {last}" for first, last in zip(firsts, lasts, strict=True)]
    taken.update(firsts + lasts + names)
    return names


def _npi(rng: random.Random, taken: set[str]) -> str:
    while True:
        first_nine = "1" + "".join(rng.choice("0123456789") for _ in range(8))
        npi = first_nine + data.npi_check_digit(first_nine)
        if npi not in taken:
            taken.add(npi)
            return npi


def _digits(rng: random.Random, count: int) -> str:
    return "".join(rng.choice("0123456789") for _ in range(count))


# --------------------------------------------------------------------------------------------
# Writers, in generation order


@writer("locations")
def locations(sample: Sample) -> list[dict[str, Any]]:
    """Two clinics: the main one with the back office, and a smaller north clinic (a larger
    practice: a south and a west clinic too, as :func:`_clinic_count` says)."""
    city, sites = STATES[sample.shape.state]
    count = _clinic_count(sample.shape.providers)
    return [{"location_id": location, "name": name, "address": address, "city": city,
             "state": sample.shape.state, "zip": zip_code, "opens": opens, "closes": closes,
             "days_open": "Mon-Fri"}
            for (location, opens, closes), (name, address, zip_code)
            in zip(_CLINICS[:count], sites[:count], strict=True)]


_PROVIDER_PLAN = (  # kind, specialty, fte, location, visits per day target
    ("MD", "Family Medicine", 1.0, "MAIN", 22),
    ("MD", "Internal Medicine", 0.8, "MAIN", 20),
    ("DO", "Family Medicine", 1.0, "NORTH", 22),
    ("NP", "Family Medicine", 1.0, "MAIN", 18),
    ("PA", "Family Medicine", 0.6, "NORTH", 18),
)
BUNDLED_VISITS_A_DAY = sum(fte * visits for _, _, fte, _, visits in _PROVIDER_PLAN)
"""The bundled sample's providers' visits a day (FTE-weighted targets): another shape scales
what depends on the practice's size (the patient panel) by its own over this."""
_SESSIONS_PER_FTE = 9  # half-day clinic sessions a week at 1.0 FTE (one half-day for admin)


_KINDS = ("MD", "DO", "NP", "MD", "PA", "MD", "NP", "DO")  # another shape's providers in turn
_FTES = (1.0, 1.0, 0.8, 1.0, 0.6, 1.0, 0.8, 1.0)  # (the appointments writer's FTE steps)


def _provider_plan(shape: Shape) -> tuple[tuple[str, str, float, str, int], ...]:
    """The bundled plan for the bundled shape; else ``shape.providers`` providers in turn of
    :data:`_KINDS` and :data:`_FTES`, the physicians of the specialty's specialties in turn,
    at the main clinic and the others in turn (the north clinic holding at most
    :data:`_NORTH_PROVIDERS`)."""
    if shape.bundled:
        return _PROVIDER_PLAN
    clinics = [c for c, _, _ in _CLINICS[:_clinic_count(shape.providers)]]
    specialties = SPECIALTIES[shape.specialty]
    plan, at = [], dict.fromkeys(clinics, 0)
    for i in range(shape.providers):
        kind, fte = _KINDS[i % len(_KINDS)], _FTES[i % len(_FTES)]
        specialty, visits = specialties[i % len(specialties)]
        open_ = [c for c in clinics if c != "NORTH" or at[c] < _NORTH_PROVIDERS]
        location = clinics[i % len(clinics)] if clinics[i % len(clinics)] in open_ else "MAIN"
        at[location] += 1
        plan.append((kind, specialty, fte, location, visits - (4 if kind in ("NP", "PA")
                                                                else 0)))
    return tuple(plan)


@writer("providers")
def providers(sample: Sample) -> list[dict[str, Any]]:
    """Five providers: two MDs, a DO, an NP and a PA, with valid, distinct NPIs (another
    shape: :func:`_provider_plan`)."""
    rng = sample.rng("providers")
    plan = _provider_plan(sample.shape)
    names = _unique_names(rng, len(plan), sample.names)
    npis: set[str] = {sample.practice["group_npi"]}
    rows = []
    for i, ((kind, specialty, fte, location, target), name) in enumerate(
        zip(plan, names, strict=True), start=1
    ):
        start = date(rng.randint(2009, 2023), rng.randint(1, 12), 1)
        rows.append({
            "provider_id": f"P{i:03d}", "npi": _npi(rng, npis), "name": name, "kind": kind,
            "specialty": specialty, "fte": fte, "location_id": location,
            "sessions_per_week": round(fte * _SESSIONS_PER_FTE),
            "visits_per_day_target": target, "start_date": start,
        })
    return rows


_RATES = {  # role -> hourly rate range in cents
    "front desk": (1800, 2150), "medical assistant": (2000, 2350), "nurse": (3000, 4200),
    "lab technician": (2400, 2700), "billing": (2200, 2650), "medical records": (1900, 2250),
    "manager": (3800, 4800),
}
_DAY = "Mon-Fri 08:00-17:00"
_ROSTER = (  # role, location, usual shifts; employee ids E001, E002 … in this order
    ("front desk", "MAIN", "Mon-Fri 08:00-12:00"),  # the morning rush on the phones
    ("front desk", "MAIN", "Mon-Fri 08:30-17:30"),  # closes
    ("front desk", "NORTH", _DAY),
    ("front desk", "MAIN", _DAY),
    ("front desk", "MAIN", "Mon-Fri 07:30-16:30"),  # opens
    ("medical assistant", "MAIN", _DAY),
    ("medical assistant", "MAIN", "Mon-Thu 08:00-12:00"),
    ("medical assistant", "NORTH", _DAY),
    ("medical assistant", "MAIN", _DAY),
    ("medical assistant", "MAIN", "Mon,Tue,Wed,Fri 08:00-17:00; Thu 08:00-12:00"),  # short
    ("medical assistant", "NORTH", "Mon,Tue,Thu 08:00-17:00"),  # the PA's clinic days
    ("nurse", "MAIN", "Mon,Wed,Fri 08:00-17:00"),
    ("nurse", "MAIN", _DAY),
    ("nurse", "NORTH", _DAY),
    ("lab technician", "MAIN", _DAY),
    ("billing", "MAIN", _DAY),
    ("billing", "MAIN", _DAY),
    ("billing", "MAIN", _DAY),
    ("manager", "MAIN", _DAY),
    ("manager", "MAIN", _DAY),
    ("front desk", "NORTH", "Mon,Tue,Thu 08:00-17:00"),
    ("front desk", "NORTH", "Mon-Fri 08:00-12:00"),
    ("medical assistant", "NORTH", "Mon-Fri 08:00-14:00"),  # the first hour of each session
    ("lab technician", "NORTH", _DAY),
    ("medical records", "MAIN", "Mon-Fri 08:00-12:00"),
)
_FIRST_HIRES = 20  # employees named in a first draw, the later hires in a second
_SHORT_HANDED = ("E010", "Thu")  # the employee whose week leaves the roster short, and the day
_LUNCH_MINUTES = 60  # unpaid, in every shift longer than six hours
_WEEK_HOURS = 40  # paid hours of one FTE


def _paid_hours(usual_shifts: str) -> float:
    """Paid hours a week of ``usual_shifts`` such as ``"Mon-Thu 08:00-17:00; Fri 08:00-12:00"``."""
    weekdays = ("Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun")
    minutes = 0
    for group in usual_shifts.split("; "):
        days, hours = group.split(" ")
        if "-" in days:
            first, last = days.split("-")
            count = weekdays.index(last) - weekdays.index(first) + 1
        else:
            count = len(days.split(","))
        start, end = (int(t[:2]) * 60 + int(t[3:]) for t in hours.split("-"))
        minutes += count * (end - start - (_LUNCH_MINUTES if end - start > 360 else 0))
    return minutes / 60


def fte_of(usual_shifts: str) -> float:
    """The FTE of a person on ``usual_shifts``: paid hours a week over :data:`_WEEK_HOURS`."""
    return _paid_hours(usual_shifts) / _WEEK_HOURS


def _employee(rng: random.Random, staff: list[dict[str, Any]], name: str, role: str,
              location: str, shifts: str) -> dict[str, Any]:
    """The row of the next employee after ``staff``, at a rate of the role's range."""
    low, high = _RATES[role]
    return {
        "employee_id": f"E{len(staff) + 1:03d}", "name": name, "role": role,
        "fte": fte_of(shifts),
        "hourly_rate_cents": rng.randrange(low, high + 1, 25),
        "overtime_eligible": role != "manager", "location_id": location,
        "usual_shifts": shifts,
    }


def hire(sample: Sample, rng: random.Random, role: str, location: str,
         shifts: str) -> dict[str, Any]:
    """Add an employee to the practice's ``staff`` (a later writer's hire, drawn from its
    ``rng``): a name no one else has, a rate of the role's range, FTE from the shifts."""
    staff = sample.tables["staff"]
    staff.append(_employee(rng, staff, _unique_names(rng, 1, sample.names)[0], role, location,
                           shifts))
    return staff[-1]


def _roster(providers: list[dict[str, Any]]) -> list[tuple[str, str, str]]:
    """Another shape's roster before the staffing writer staffs it to the standard: at each
    clinic a medical assistant per provider and a front desk per two (the main one opening
    and closing), a lab technician and a nurse (the main clinic two, one of them three days a
    week); at the main clinic the back office, scaled to the providers."""
    at: dict[str, int] = defaultdict(int)
    for p in providers:
        at[p["location_id"]] += 1
    n = len(providers)
    roster: list[tuple[str, str, str]] = [
        ("front desk", "MAIN", "Mon-Fri 07:30-16:30"),
        ("front desk", "MAIN", "Mon-Fri 08:30-17:30"), ("nurse", "MAIN", "Mon,Wed,Fri 08:00-17:00"),
        ("manager", "MAIN", _DAY), ("medical records", "MAIN", "Mon-Fri 08:00-12:00")]
    roster += [("billing", "MAIN", _DAY)] * max(1, n // 3)
    roster += [("manager", "MAIN", _DAY)] * (n // 10)
    for location, count in at.items():
        roster += [("medical assistant", location, _DAY)] * count
        roster += [("front desk", location, _DAY)] * max(1, (count - 2) // 2)
        roster += [("nurse", location, _DAY), ("lab technician", location, _DAY)]
    return roster


@writer("staff")
def staff(sample: Sample) -> list[dict[str, Any]]:
    """Twenty-five employees at the two clinics, on usual shifts with one gap in the week.

    The roster meets the demand the staffing standard of :mod:`pracops.staffing.sample` derives
    from the visits and calls, except on Thursday afternoons at the main clinic, where one
    medical assistant goes home at noon (:mod:`pracops.staffing.sample` records it). FTE is the
    paid hours over 40, with an unpaid lunch hour in shifts over six hours. The last five were
    hired after the first twenty, whose names they leave as they were. Another shape: the
    roster of :func:`_roster`, its last full-time medical assistant at the main clinic the one
    whose Thursday is planned short; the staffing writer staffs it to the standard and may
    choose another day or person (it records whom).
    """
    rng = sample.rng("staff")
    roster = _ROSTER if sample.shape.bundled else _roster(sample.tables["providers"])
    names = _unique_names(rng, min(_FIRST_HIRES, len(roster)), sample.names)
    names += _unique_names(rng, max(0, len(roster) - _FIRST_HIRES), sample.names)
    rows: list[dict[str, Any]] = []
    for (role, location, shifts), name in zip(roster, names, strict=True):
        rows.append(_employee(rng, rows, name, role, location, shifts))
    employee_id, weekday = _SHORT_HANDED if sample.shape.bundled else (
        next(r["employee_id"] for r in reversed(rows) if r["role"] == "medical assistant"
             and r["location_id"] == "MAIN" and r["usual_shifts"] == _DAY), "Thu")
    sample.notes["staff"] = {"shortage": {"employee_id": employee_id, "weekday": weekday}}
    return rows


_PAYER_PLAN = (  # payer_id, name, type, class, N1*PR id digits (None: no 835s)
    ("MCR", "Medicare Part B", "Medicare", "Medicare", 5),
    ("MCD", "State Medical Assistance (Medicaid)", "Medicaid", "Medicaid", 9),
    ("NWH", "Northwoods Health Plan", "commercial", "Commercial", 5),
    ("LKM", "Lakeshore Mutual Insurance", "commercial", "Commercial", 5),
    ("PRS", "Prairie Shield PPO", "commercial", "Commercial", 5),
    ("SELF", "Self-pay", "self-pay", "Self-pay", None),
)


_TIMELY_FILING = {"MCR": 365, "MCD": 180, "NWH": 180, "LKM": 90, "PRS": 120}
"""Days from the date of service a payer accepts a claim (self-pay has no limit)."""


@writer("payers")
def payers(sample: Sample) -> list[dict[str, Any]]:
    """Medicare, Medicaid, three commercial plans and self-pay (which sends no remittances)."""
    rng = sample.rng("payers")
    rows = []
    for payer_id, name, kind, budget_class, id_digits in _PAYER_PLAN:
        rows.append({
            "payer_id": payer_id, "name": name, "type": kind,
            "trn03": "1" + _digits(rng, 9) if id_digits else None,
            "n1_pr_id": _digits(rng, id_digits) if id_digits else None,
            "class": budget_class, "timely_filing_days": _TIMELY_FILING.get(payer_id),
        })
    return rows


# --------------------------------------------------------------------------------------------
# Writing


def _cell(column: data.Column, value: Any) -> str:
    if value is None:
        return ""
    if column.kind == "money":
        return str(cents_to_decimal(value))
    if column.kind == "bool":
        return "true" if value else "false"
    if column.kind == "date":
        return value.isoformat()
    if column.kind == "float":
        return f"{value:g}"
    return str(value)


def _write_csv(path: Path, dataset: data.Dataset, rows: list[dict[str, Any]]) -> None:
    names = [c.name for c in dataset.columns]
    with path.open("w", encoding="utf-8", newline="") as fh:
        out = csv.writer(fh, lineterminator="\n")
        out.writerow([c.header for c in dataset.columns])
        for row in rows:
            unknown = set(row) - set(names)
            if unknown:
                raise ValueError(f"{dataset.name} writer returned undeclared {sorted(unknown)}")
            out.writerow([_cell(c, row.get(c.name)) for c in dataset.columns])


def _write_folder(path: Path, rows: list[dict[str, Any]]) -> None:
    """Write one file per row into ``path``, and remove the files there it did not write."""
    path.mkdir(parents=True, exist_ok=True)
    written = set()
    for row in rows:
        (path / row["file"]).write_text(row["text"], encoding="utf-8", newline="")
        written.add(row["file"])
    for stale in sorted(path.iterdir()):
        if stale.is_file() and stale.name not in written:
            stale.unlink()


def _practice(rng: random.Random, shape: Shape) -> dict[str, Any]:
    first_nine = "1" + _digits(rng, 8)
    practice = {
        "name": shape.name,
        "group_npi": first_nine + data.npi_check_digit(first_nine),
        "tax_id": f"41-{_digits(rng, 7)}",
        "state": shape.state,
        "year": 2025,
    }
    if not shape.bundled:
        practice["shape"] = _shape_facts(shape)
    return practice


def _shape_facts(shape: Shape) -> dict[str, Any]:
    return {"providers": shape.providers, "specialty": shape.specialty, "state": shape.state}


def _write_practice_file(folder: Path, shape: Shape) -> None:
    """The practice's name for page titles (``report.page_title``), a practice edits it; and
    the shape it was generated with, unless the bundled one."""
    text = ("# The practice's name, as report titles show it\n"
            f"name: {json.dumps(shape.name, ensure_ascii=False)}\n")
    if not shape.bundled:
        text += ("# How the sample generator made it (pracops.sample.generator.Shape)\n"
                 + "".join(f"{key}: {json.dumps(value, ensure_ascii=False)}\n"
                           for key, value in _shape_facts(shape).items()))
    (folder / PRACTICE_FILE).write_text(text, encoding="utf-8")


def generate(out_dir: str | os.PathLike[str] | None = None, seed: int = DEFAULT_SEED,
             shape: Shape | None = None) -> Path:
    """Write the sample practice's files and its ``ground_truth.json``.

    Parameters
    ----------
    out_dir
        Folder to write into (created if needed); default the bundled
        :data:`pracops.config.SAMPLE_DIR`. Existing files of the same names are replaced; a
        folder written by a writer (``era/``) keeps only the files this generation wrote.
    seed
        The same seed gives byte-identical files.
    shape
        The kind of practice; default the bundled sample's (:class:`Shape`).

    Returns
    -------
    Path
        The folder written.
    """
    folder = Path(out_dir) if out_dir is not None else config.SAMPLE_DIR
    folder.mkdir(parents=True, exist_ok=True)
    shape = shape or Shape()
    sample = Sample(seed=seed, practice=_practice(random.Random(f"{seed}:practice"), shape),
                    shape=shape)
    for name, write in writers().items():
        sample.tables[name] = write(sample)
    # Written once every writer has run: a later writer may add a column an earlier dataset
    # declares as optional to its rows (the patient access report's to appointments).
    for name, rows in sample.tables.items():
        if name in FOLDERS:
            _write_folder(folder / name, rows)
        else:
            dataset = data.get(name)
            _write_csv(folder / f"{dataset.stem}.csv", dataset, rows)
    _write_practice_file(folder, shape)
    practice = dict(sample.practice)
    practice["counts"] = {name: len(rows) for name, rows in sample.tables.items()}
    truth: dict[str, Any] = {"seed": seed, "practice": practice}
    for report, problems in sample.ground_truth.items():
        facts = sample.facts.get(report)
        truth[report] = problems if facts is None else {**facts, "injected": problems}
    (folder / GROUND_TRUTH).write_text(json.dumps(truth, indent=2, ensure_ascii=False) + "\n",
                                       encoding="utf-8")
    return folder


def write_sample(out_dir: str | os.PathLike[str], *, overwrite: bool = False) -> list[Path]:
    """Copy the bundled sample's data files to a folder, for a practice to adapt.

    ``ground_truth.json`` is not copied: it describes the sample, not a practice.

    Parameters
    ----------
    out_dir
        Destination folder, created if needed.
    overwrite
        Replace files that already exist there; otherwise nothing is copied when any exists.

    Returns
    -------
    list of Path
        The files written.

    Raises
    ------
    PracopsError
        When ``out_dir`` is a file, or files would be overwritten without ``overwrite``.
    """
    target = Path(out_dir).expanduser()
    if target.exists() and not target.is_dir():
        raise PracopsError(f"{target} is a file; give a folder to write the sample into")
    sources = sorted(p for p in config.SAMPLE_DIR.rglob("*")
                     if p.is_file() and p.name != GROUND_TRUTH)
    pairs = [(p, target / p.relative_to(config.SAMPLE_DIR)) for p in sources]
    existing = [dest for _, dest in pairs if dest.exists()]
    if existing and not overwrite:
        shown = ", ".join(p.name for p in existing[:5]) + (" …" if len(existing) > 5 else "")
        raise PracopsError(
            f"{target} already has {len(existing)} of the sample's files ({shown}); nothing "
            "was copied. Choose an empty folder, or overwrite them (pracops sample --force)"
        )
    for src, dest in pairs:
        dest.parent.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(src, dest)
    return [dest for _, dest in pairs]
