"""The page shell shared by the HTML views, rendered from ``templates/`` with Jinja2.

:func:`_page` wraps a view's body in ``templates/page.html.j2``, which inlines the
stylesheet (``report.css``) and the view's script (``report.js`` or ``diff.js``), so
each page stays one self-contained file that opens offline. :func:`_write_atomic`
writes it (a temporary file in the same folder, then :func:`os.replace`).
"""

from __future__ import annotations

import html
import os
import tempfile
from datetime import UTC, datetime
from functools import lru_cache
from pathlib import Path
from typing import Any

from itunlp import __version__

__all__ = ["TEMPLATES"]

#: Where the page template, the stylesheet and the scripts live (package data).
TEMPLATES = Path(__file__).parent / "templates"

_esc = html.escape


@lru_cache(maxsize=1)
def _environment() -> Any:
    import jinja2  # spaCy depends on it; imported only when a page is written

    return jinja2.Environment(
        loader=jinja2.FileSystemLoader(TEMPLATES),
        autoescape=True,
        keep_trailing_newline=True,
        undefined=jinja2.StrictUndefined,
    )


def _page(title: str, body: str, script: str) -> str:
    """The whole page: ``body`` (HTML) in the shell, with ``script`` (a template name)."""
    from markupsafe import Markup

    stamp = datetime.now(UTC).strftime("%Y-%m-%d %H:%M UTC")
    return _environment().get_template("page.html.j2").render(
        version=__version__,
        title=Markup(_esc(title)),  # escaped as html.escape does (quotes included)
        body=Markup(body),
        stamp=stamp,
        script=script,
    )


def _write_atomic(path: str | os.PathLike[str], content: str) -> Path:
    """Write ``content`` so that ``path`` is either the old file or the whole new one."""
    target = Path(path)
    target.parent.mkdir(parents=True, exist_ok=True)
    handle, temporary = tempfile.mkstemp(
        dir=target.parent, prefix=f".{target.name}.", suffix=".tmp"
    )
    try:
        with os.fdopen(handle, "w", encoding="utf-8", newline="\n") as stream:
            stream.write(content)
        os.chmod(temporary, 0o644)  # mkstemp's 0600 would hide the report from colleagues
        os.replace(temporary, target)
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise
    return target
