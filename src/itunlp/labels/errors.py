"""The error every label reader raises: :class:`LabelError`.

Its own module so that the label readers (:mod:`.corpus`, :mod:`.label_studio`) can
both raise it without importing each other both ways.
"""

from __future__ import annotations

__all__ = ["LabelError"]


class LabelError(ValueError):
    """A label file or row that cannot be used, with where and why."""
