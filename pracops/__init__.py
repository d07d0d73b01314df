"""pracops: the operations notebook suite for medical practice administrators.

The package computes; the notebooks under ``notebooks/`` load, call and display.
"""

import logging

__version__ = "0.1.0"

logging.getLogger(__name__).addHandler(logging.NullHandler())
