"""The compliance calendar on another seed's sample finds exactly its ground truth."""

from __future__ import annotations

import json

import pytest

from pracops.compliance_calendar import chain
from pracops.sample.generator import generate

from .plants import finding_key, plant_key


@pytest.mark.parametrize("seed", [3])
def test_plants_of_another_seed_found_exactly(tmp_path, seed: int) -> None:
    folder = generate(tmp_path, seed=seed)
    truth = json.loads((folder / "ground_truth.json").read_text())["compliance_calendar"]
    cal = chain.compute(chain.load_inputs(folder))
    assert sorted(p["plant"] for p in truth) == list(range(1, 14))
    assert sorted(map(finding_key, cal.findings), key=str) == sorted(map(plant_key, truth),
                                                                      key=str)
