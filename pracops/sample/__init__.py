"""The bundled sample practice: a seeded generator, and a copy for a practice to adapt.

``python -m pracops.sample`` regenerates the files in :data:`pracops.config.SAMPLE_DIR`. The
foundation datasets are written by :mod:`pracops.sample.generator`, the year of billing activity
(appointments, claims, remittances, deposits) by :mod:`pracops.sample.billing`, whose writers run
after them, and the phone volumes (and the check of the staff roster against the demand) by
:mod:`pracops.sample.staffing`, last.
"""

from pracops.sample import billing, staffing  # noqa: F401  (register their writers, in order)
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
