"""The patient access report on samples it was not written against: other seeds' practices,
with their plants drawn elsewhere (another provider's Monday mornings, another payer), must
give exactly their ground truth's six problems and nothing else. Generating a sample takes
about 50 s here, so one other seed runs by default."""

from __future__ import annotations

import csv
import json
from pathlib import Path

import openpyxl
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


def test_another_seeds_handout_holds_booked_visits_of_its_next_three_days(
        folder: Path, tmp_path: Path) -> None:
    with (folder / "appointments.csv").open(encoding="utf-8", newline="") as fh:
        appointments = list(csv.DictReader(fh))
    result = chain.run(folder, output_dir=tmp_path)
    after = sorted({r["date"] for r in appointments if r["date"] > result.as_of.isoformat()})[:3]
    booked = {r["appointment_id"] for r in appointments
              if r["date"] in after and r["status"] == "booked"}
    book = openpyxl.load_workbook(tmp_path / "patient_access.xlsx", read_only=True)
    for sheet in ("reminder_calls", "unverified"):
        ids = [row[0] for row in book[sheet].iter_rows(min_row=2, values_only=True)]
        assert ids and set(ids) <= booked
    assert result.revenue_lost_cents > 0
