"""``pracops sample --practices N --out DIR``: a group of N practices to try a group run on.

Each practice is the bundled sample's generator (:func:`pracops.sample.generator.generate`)
with its own seed, so its data, figures and planted problems differ (each folder holds its own
``ground_truth.json``), under its own name; ``practices.yaml`` lists them.

As built, every practice has the generator's one shape (five providers at two clinics, one
state): the generator does not yet vary the number of providers, specialties or states that
issue 18 asks for (2 to 40 providers). The seeds are the bundled sample's (2026) and those after
it, less those the generator refuses: it checks that a seed's data hold only the problems it
planted (with seed 2031, for one, the staffing roster also falls short on a Monday morning,
which its ground truth would not list), and such a seed is passed over for the next one.
"""

from __future__ import annotations

import re
import shutil
from collections.abc import Iterator
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


def _generate(folder: Path, seeds: Iterator[int]) -> Path:
    """The practice of the first seed the generator does not refuse."""
    for seed in seeds:
        try:
            return generate(folder, seed=seed)
        except RuntimeError:  # the generator's check: data that would not match its truth
            shutil.rmtree(folder, ignore_errors=True)
    raise PracopsError("the sample generator refused ten seeds in a row; report this as a bug")


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
    entries, seeds = [], iter(range(DEFAULT_SEED, DEFAULT_SEED + 10 * count + 10))
    for i in range(count):
        name = NAMES[i % len(NAMES)] + (f" {i // len(NAMES) + 1}" if i >= len(NAMES) else "")
        pid = _slug(name)
        folder = _generate(out / pid, seeds)
        (folder / PRACTICE_FILE).write_text(
            "# The practice's name, as report titles show it\n"
            + yaml.safe_dump({"name": name}, allow_unicode=True), encoding="utf-8")
        entries.append({"id": pid, "name": name, "data": f"{pid}/"})
    listing.write_text("# The practices of a group run: pracops run --practices "
                       f"{listing.name}\n" + yaml.safe_dump({"practices": entries},
                                                            sort_keys=False, allow_unicode=True),
                       encoding="utf-8")
    return listing
