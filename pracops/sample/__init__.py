"""The bundled sample practice: a seeded generator, and a copy for a practice to adapt.

``python -m pracops.sample`` regenerates the files in :data:`pracops.config.SAMPLE_DIR`. The
foundation datasets are written by :mod:`pracops.sample.generator`, the year of billing activity
(appointments, claims, remittances, deposits) by :mod:`pracops.sample.billing`, whose writers run
after them, and the phone volumes (and the check of the staff roster against the demand) by
:mod:`pracops.sample.staffing`; the supplies (catalogue, vendor prices, usage, stock and open
orders) by :mod:`pracops.sample.purchasing`; the books (chart of accounts, monthly volumes
and general-ledger actuals of 2024 and 2025) by :mod:`pracops.sample.budget`, last.
"""

# The import order is the order their writers run in.
# isort: off
from pracops.sample import billing, staffing, purchasing, budget  # noqa: F401  (register writers)
# isort: on

from pracops.sample.generator import (
    DEFAULT_SEED,
    GROUND_TRUTH,
    PRACTICE_NAME,
    REPORTS,
    WRITERS,
    Sample,
    generate,
    write_sample,
    writer,
)

__all__ = [
    "DEFAULT_SEED",
    "GROUND_TRUTH",
    "PRACTICE_NAME",
    "REPORTS",
    "WRITERS",
    "Sample",
    "generate",
    "write_sample",
    "writer",
]
