"""The command line: thin verbs over the library's functions.

Importing each verb module registers it on the ``main`` group.
"""

from itunlp.cli import (
    _audit,  # noqa: F401
    _classify,  # noqa: F401
    _report,  # noqa: F401
    _retrain,  # noqa: F401
    _segmentation,  # noqa: F401
    _train,  # noqa: F401
)
from itunlp.cli._group import main

__all__ = ["main"]
