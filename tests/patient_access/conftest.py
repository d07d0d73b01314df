"""The patient access report computed once on the bundled sample, for the modules that read
its figures (each recounts them from the CSV text its own way)."""

from __future__ import annotations

import pytest

from pracops.patient_access import chain


@pytest.fixture(scope="session")
def result() -> chain.PatientAccess:
    return chain.compute(chain.load_inputs())
