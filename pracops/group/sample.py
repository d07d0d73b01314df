"""``pracops sample --practices N --out DIR``: a group of N practices to try a group run on.

Each practice is the bundled sample's generator (:func:`pracops.sample.generator.generate`)
with its own seed, so its data, figures and planted problems differ (each folder holds its own
``ground_truth.json``), under its own name; ``practices.yaml`` lists them.

As built, every practice has the generator's one shape (five providers at two clinics, one
state): the generator does not yet vary the number of providers, specialties or states that
issue 18 asks for (2 to 40 providers). The seeds are the bundled sample's (2026) and those after
it.
"""

from __future__ import annotations

import re
from pathlib import Path

import yaml

from pracops.errors import PracopsError
from pracops.report import PRACTICE_FILE
from pracops.sample.generator import DEFAULT_SEED, generate

__all__ = ["NAMES", "write_group_sample"]

NAMES = (
    "Maple Grove Family Medicine", "Riverside Internal Medicine", "Cedar Park Pediatrics",
    "Lakeshore Primary Care", "Hillcrest Family Practice", "Northfield Medical Group",
    "Prairie View Clinic", "Stonebridge Health Partners", "Willow Creek Family Medicine",
    "Harbor Point Internal Medicine", "Oak Hollow Medical Associates", "Summit Ridge Clinic",
)
"""The practices' names, in turn (a number is added after the twelfth)."""


def _slug(name: str) -> str:
    return re.sub(r"[^a-z0-9]+", "-", name.lower()).strip("-")


def write_group_sample(out: Path, count: int, *, overwrite: bool = False) -> Path:
    """Write ``count`` practices into ``out/<id>/`` and ``out/practices.yaml``; its path.

    Raises
    ------
    PracopsError
        ``out`` already holds a ``practices.yaml`` and ``overwrite`` is not set.
    """
    out = Path(out).expanduser()
    listing = out / "practices.yaml"
    if listing.exists() and not overwrite:
        raise PracopsError(f"{listing} already exists; nothing was written. Choose an empty "
                           "folder, or overwrite it (pracops sample --practices N --force)")
    entries = []
    for i in range(count):
        name = NAMES[i % len(NAMES)] + (f" {i // len(NAMES) + 1}" if i >= len(NAMES) else "")
        pid = _slug(name)
        folder = generate(out / pid, seed=DEFAULT_SEED + i)
        (folder / PRACTICE_FILE).write_text(
            "# The practice's name, as report titles show it\n"
            + yaml.safe_dump({"name": name}, allow_unicode=True), encoding="utf-8")
        entries.append({"id": pid, "name": name, "data": f"{pid}/"})
    listing.write_text("# The practices of a group run: pracops run --practices "
                       f"{listing.name}\n" + yaml.safe_dump({"practices": entries},
                                                            sort_keys=False, allow_unicode=True),
                       encoding="utf-8")
    return listing
