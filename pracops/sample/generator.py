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
    "DEFAULT_SEED",
    "FEDERAL_HOLIDAYS",
    "FOLDERS",
    "GROUND_TRUTH",
    "PRACTICE_NAME",
    "REPORTS",
    "WRITERS",
    "Sample",
    "add_business_days",
    "business_day",
    "generate",
    "write_sample",
    "writer",
    "writers",
]

AS_OF = dt.date(2025, 12, 31)
"""The sample's report date: activity runs to here; later appointments are only booked."""

BOOKED_UNTIL = dt.date(2026, 2, 27)
"""Appointments are booked up to here, past :data:`AS_OF`."""

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


@dataclass
class Sample:
    """The practice being generated: what writers read from and record into.

    Parameters
    ----------
    seed
        The generation's seed.
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
    """``count`` names whose first and last names are not in ``taken`` (which they join)."""
    firsts = rng.sample([n for n in _FIRST if n not in taken], count)
    lasts = rng.sample([n for n in _LAST if n not in taken], count)
    taken.update(firsts + lasts)
    return [f"{first} {last}" for first, last in zip(firsts, lasts, strict=True)]


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
    """Two clinics: the main one with the back office, and a smaller north clinic."""
    return [
        {"location_id": "MAIN", "name": "Main Street Clinic", "address": "410 Main Street",
         "city": "Maple Grove", "state": "MN", "zip": "55369", "opens": "07:30",
         "closes": "17:30", "days_open": "Mon-Fri"},
        {"location_id": "NORTH", "name": "North Clinic",
         "address": "8120 Birchwood Lane, Suite 200", "city": "Maple Grove", "state": "MN",
         "zip": "55311", "opens": "08:00", "closes": "17:00", "days_open": "Mon-Fri"},
    ]


_PROVIDER_PLAN = (  # kind, specialty, fte, location, visits per day target
    ("MD", "Family Medicine", 1.0, "MAIN", 22),
    ("MD", "Internal Medicine", 0.8, "MAIN", 20),
    ("DO", "Family Medicine", 1.0, "NORTH", 22),
    ("NP", "Family Medicine", 1.0, "MAIN", 18),
    ("PA", "Family Medicine", 0.6, "NORTH", 18),
)
_SESSIONS_PER_FTE = 9  # half-day clinic sessions a week at 1.0 FTE (one half-day for admin)


@writer("providers")
def providers(sample: Sample) -> list[dict[str, Any]]:
    """Five providers: two MDs, a DO, an NP and a PA, with valid, distinct NPIs."""
    rng = sample.rng("providers")
    names = _unique_names(rng, len(_PROVIDER_PLAN), sample.names)
    npis: set[str] = {sample.practice["group_npi"]}
    rows = []
    for i, ((kind, specialty, fte, location, target), name) in enumerate(
        zip(_PROVIDER_PLAN, names, strict=True), start=1
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


@writer("staff")
def staff(sample: Sample) -> list[dict[str, Any]]:
    """Twenty-five employees at the two clinics, on usual shifts with one gap in the week.

    The roster meets the demand the staffing standard of :mod:`pracops.staffing.sample` derives
    from the visits and calls, except on Thursday afternoons at the main clinic, where one
    medical assistant goes home at noon (:mod:`pracops.staffing.sample` records it). FTE is the
    paid hours over 40, with an unpaid lunch hour in shifts over six hours. The last five were
    hired after the first twenty, whose names they leave as they were.
    """
    rng = sample.rng("staff")
    names = _unique_names(rng, _FIRST_HIRES, sample.names)
    names += _unique_names(rng, len(_ROSTER) - _FIRST_HIRES, sample.names)
    rows = []
    for (role, location, shifts), name in zip(_ROSTER, names, strict=True):
        low, high = _RATES[role]
        rows.append({
            "employee_id": f"E{len(rows) + 1:03d}", "name": name, "role": role,
            "fte": _paid_hours(shifts) / _WEEK_HOURS,
            "hourly_rate_cents": rng.randrange(low, high + 1, 25),
            "overtime_eligible": role != "manager", "location_id": location,
            "usual_shifts": shifts,
        })
    employee_id, weekday = _SHORT_HANDED
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


def _practice(rng: random.Random) -> dict[str, Any]:
    first_nine = "1" + _digits(rng, 8)
    return {
        "name": PRACTICE_NAME,
        "group_npi": first_nine + data.npi_check_digit(first_nine),
        "tax_id": f"41-{_digits(rng, 7)}",
        "state": "MN",
        "year": 2025,
    }


def _write_practice_file(folder: Path, name: str) -> None:
    """The practice's name for page titles (``report.page_title``), a practice edits it."""
    (folder / PRACTICE_FILE).write_text(
        "# The practice's name, as report titles show it\n"
        f"name: {json.dumps(name, ensure_ascii=False)}\n", encoding="utf-8")


def generate(out_dir: str | os.PathLike[str] | None = None, seed: int = DEFAULT_SEED) -> Path:
    """Write the sample practice's files and its ``ground_truth.json``.

    Parameters
    ----------
    out_dir
        Folder to write into (created if needed); default the bundled
        :data:`pracops.config.SAMPLE_DIR`. Existing files of the same names are replaced; a
        folder written by a writer (``era/``) keeps only the files this generation wrote.
    seed
        The same seed gives byte-identical files.

    Returns
    -------
    Path
        The folder written.
    """
    folder = Path(out_dir) if out_dir is not None else config.SAMPLE_DIR
    folder.mkdir(parents=True, exist_ok=True)
    sample = Sample(seed=seed, practice=_practice(random.Random(f"{seed}:practice")))
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
    _write_practice_file(folder, sample.practice["name"])
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
