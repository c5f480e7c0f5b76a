"""A progress bar on stderr for batch runs: files and clauses done, rate, time left.

It is shown only when stderr is a terminal (so logs and pipes stay clean) and not
asked to be quiet; error lines printed through :meth:`Progress.message` go above
the bar instead of through it, and are printed whether the bar is shown or not.
"""

from __future__ import annotations

import sys
import time
from typing import Any, TextIO

__all__ = ["Progress"]


class Progress:
    """Files and clauses done, with the clause rate and the time left over files.

    Parameters
    ----------
    total : int
        Number of documents in the run (the bar's 100 %).
    enabled : bool or None, default None
        ``None`` shows the bar when ``stream`` is a terminal; ``True``/``False``
        force it on or off (``--quiet`` passes ``False``).
    stream : text stream, optional
        Where the bar goes; ``sys.stderr`` by default.

    Examples
    --------
    >>> with Progress(total=2, enabled=False) as bar:
    ...     bar.advance(files=1, clauses=40)
    >>> bar.files, bar.clauses
    (1, 40)
    """

    def __init__(self, total: int, enabled: bool | None = None, stream: TextIO | None = None):
        self.stream = stream if stream is not None else sys.stderr
        self.total = total
        self.files = 0
        self.clauses = 0
        self._started = time.monotonic()
        if enabled is None:
            enabled = _is_terminal(self.stream)
        self._bar: Any = None
        if enabled:
            from tqdm import tqdm

            self._bar = tqdm(
                total=total,
                unit="file",
                file=self.stream,
                dynamic_ncols=True,
                leave=True,
                desc="itunlp",
            )

    @property
    def enabled(self) -> bool:
        """Whether a bar is drawn."""
        return self._bar is not None

    def set_total(self, total: int) -> None:
        """Set the number of documents once the inputs are known (folders expanded)."""
        self.total = total
        if self._bar is not None:
            self._bar.total = total
            self._bar.refresh()

    def advance(self, files: int = 0, clauses: int = 0) -> None:
        """Count ``files`` more documents and ``clauses`` more clauses done."""
        self.files += files
        self.clauses += clauses
        if self._bar is not None:
            elapsed = max(time.monotonic() - self._started, 1e-9)
            self._bar.set_postfix_str(
                f"{self.clauses} clauses, {self.clauses / elapsed:.0f} clauses/s", refresh=False
            )
            self._bar.update(files)

    def message(self, text: str) -> None:
        """Print a line (an error, a note) to the stream without breaking the bar."""
        if self._bar is not None:
            self._bar.write(text, file=self.stream)
        else:
            print(text, file=self.stream, flush=True)

    def close(self) -> None:
        """Finish the bar (idempotent)."""
        if self._bar is not None:
            self._bar.close()
            self._bar = None

    def __enter__(self) -> Progress:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


def _is_terminal(stream: TextIO) -> bool:
    try:
        return stream.isatty()
    except (AttributeError, ValueError):
        return False
