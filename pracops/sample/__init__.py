"""The bundled sample practice: a seeded generator, and a copy for a practice to adapt.

``python -m pracops.sample`` regenerates the files in :data:`pracops.config.SAMPLE_DIR`. The
foundation datasets (sites, providers, staff, payers) are written by
:mod:`pracops.sample.generator`, then each report package's part in registry order
(:func:`~pracops.sample.generator.writers`): the year of billing activity (appointments,
claims, remittances, deposits) by :mod:`pracops.billing.sample`, the phone volumes (and the
check of the staff roster against the demand) by :mod:`pracops.staffing.sample`, the supplies by
:mod:`pracops.purchasing.sample`, the books by :mod:`pracops.budget.sample`, the front desk,
card settlements, bank statement, payables, posting journal and payroll by
:mod:`pracops.daily_close.sample`.
"""

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
    writers,
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
    "writers",
]
