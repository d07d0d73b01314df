"""The bundled sample practice: a seeded generator, and a copy for a practice to adapt.

``python -m pracops.sample`` regenerates the files in :data:`pracops.config.SAMPLE_DIR`.
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
