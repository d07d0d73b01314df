"""``pracops sample --practices N --out DIR``: a group of N practices to try a group run on.

Each practice is the bundled sample's generator (:func:`pracops.sample.generator.generate`)
with its own seed and its own shape (:class:`~pracops.sample.generator.Shape`): the first is
the bundled sample itself (seed 2026, Maple Grove Family Medicine, five providers in
Minnesota); the others take in turn the sizes of :data:`SIZES` (2 to 40 providers), the
specialties of :data:`~pracops.sample.generator.SPECIALTIES` and the states of
:data:`~pracops.sample.generator.STATES`, named after their city and specialty. Each folder
holds its own ``ground_truth.json`` and a ``practice.yaml`` with its name and shape;
``practices.yaml`` lists them, each with its shape in a comment.

The seeds are 2026 and those after it. The generator refuses a seed whose data would hold a
problem its ground truth does not list (none is known since the staffing writer staffs its
roster to the standard); such a seed would be passed over for the next one.
"""

from __future__ import annotations

import json
import re
import shutil
from collections.abc import Iterator
from pathlib import Path

from pracops.errors import PracopsError
from pracops.sample.generator import DEFAULT_SEED, SPECIALTIES, STATES, Shape, generate

__all__ = ["SIZES", "shapes", "write_group_sample"]

SIZES = (2, 12, 20, 8, 40, 4, 15, 6, 25, 10, 30, 3)
"""Providers of the practices after the first, in turn: 2 to 40, small and large mixed so that
any first few of them already vary."""


def _slug(name: str) -> str:
    return re.sub(r"[^a-z0-9]+", "-", name.lower()).strip("-")


def shapes(count: int) -> list[Shape]:
    """The shapes of a group of ``count``: the bundled one, then :data:`SIZES`, the specialties
    and the states in turn (the states from the second: Minnesota is the first's), each named
    ``<city> <specialty>`` with a number after a name already taken."""
    out = [Shape()]
    specialties, states = list(SPECIALTIES), list(STATES)
    taken = {out[0].name}
    for i in range(1, count):
        specialty = specialties[i % len(specialties)]
        state = states[i % len(states)]
        base = f"{STATES[state][0]} {specialty}"
        name, n = base, 1
        while name in taken:
            n += 1
            name = f"{base} {n}"
        taken.add(name)
        out.append(Shape(providers=SIZES[(i - 1) % len(SIZES)], specialty=specialty,
                         state=state, name=name))
    return out


def _generate(folder: Path, seeds: Iterator[int], shape: Shape) -> tuple[Path, int]:
    """The practice of the first seed the generator does not refuse, and the seed."""
    for seed in seeds:
        try:
            return generate(folder, seed=seed, shape=shape), seed
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
    lines = [f"# The practices of a group run: pracops run --practices {listing.name}",
             "practices:"]
    seeds = iter(range(DEFAULT_SEED, DEFAULT_SEED + 10 * count + 10))
    for shape in shapes(count):
        pid = _slug(shape.name)
        _, seed = _generate(out / pid, seeds, shape)
        lines += [f"  # {shape.providers} providers, {shape.specialty}, {shape.state}; "
                  f"seed {seed}",
                  f"  - id: {pid}", f"    name: {json.dumps(shape.name)}",
                  f"    data: {pid}/"]
    listing.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return listing
