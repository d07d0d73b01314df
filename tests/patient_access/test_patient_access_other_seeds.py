"""The patient access report on samples it was not written against: other seeds' practices,
with their plants drawn elsewhere (another provider's Monday mornings, another payer), must
give exactly their ground truth's six problems and nothing else. Generating a sample takes
about 50 s here, so one other seed runs by default."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from pracops.patient_access import chain
from pracops.sample.generator import generate

SEED = 7


@pytest.fixture(scope="module")
def folder(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return generate(tmp_path_factory.mktemp(f"seed{SEED}"), seed=SEED)


def test_another_seed_gives_exactly_its_six_plants(folder: Path) -> None:
    truth = json.loads((folder / "ground_truth.json").read_text(encoding="utf-8"))
    found = chain.run(folder).problems
    def key(problem: dict) -> str:
        return json.dumps(problem, sort_keys=True)
    assert sorted(map(key, found)) == sorted(map(key, truth["patient_access"]))
    assert len(found) == 6
