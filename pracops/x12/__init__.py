"""X12 835 remittance advice: :mod:`~pracops.x12.read` reads ERAs into DataFrames in exact
cents, :mod:`~pracops.x12.write` writes them (the sample and the benchmarks), and
:mod:`~pracops.x12.codes` gives the meaning of the codes they speak in."""

from pracops.x12.read import PATIENT_COLUMNS, Remittance, parse_835, read_835, read_835_beside

__all__ = ["PATIENT_COLUMNS", "Remittance", "parse_835", "read_835", "read_835_beside"]
