"""The bundled sample's six patient access plants are found exactly, and nothing else."""

from __future__ import annotations

import json

import pytest

from pracops import config
from pracops.patient_access import chain


@pytest.fixture(scope="module")
def result() -> chain.PatientAccess:
    return chain.run()


def truth() -> list[dict]:
    text = (config.SAMPLE_DIR / "ground_truth.json").read_text(encoding="utf-8")
    return json.loads(text)["patient_access"]


def key(problem: dict) -> str:
    return json.dumps(problem, sort_keys=True)


def test_the_six_plants_are_found_exactly_and_nothing_else(result) -> None:
    assert sorted(map(key, result.problems)) == sorted(map(key, truth()))
    assert len(truth()) == 6


def test_the_as_of_date_is_the_last_day_of_history(result) -> None:
    assert result.as_of.isoformat() == "2025-12-31"
    assert result.start.isoformat() == "2025-01-01"


def test_missing_checkouts_are_counted(result) -> None:
    import csv
    with (config.SAMPLE_DIR / "visit_events.csv").open(encoding="utf-8") as fh:
        empty = sum(row["checkout"] == "" for row in csv.DictReader(fh))
    assert empty > 0
    assert result.missing_checkout == empty
