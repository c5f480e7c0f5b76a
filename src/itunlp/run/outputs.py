"""Write clause tables to ``.csv``, ``.jsonl`` or ``.parquet``, atomically and in chunks.

The format follows the output file's extension. Writers take the table chunk by
chunk, so a corpus of any size is written with flat memory, and they write into
a hidden temporary file in the destination folder that replaces the destination
with :func:`os.replace` only when the last chunk is in: a run that fails or is
killed half-way leaves the previous output intact and never half a file. The
temporary's name carries the writer's process id; the next run writing the same
file deletes temporaries whose process is gone.

Cell conventions, per format:

- ``themes`` (a list) is ``;``-joined in CSV, a JSON array in JSONL and a
  ``list<string>`` in Parquet; ``explanation`` (a dict) is a JSON string in CSV
  and Parquet, an object in JSONL; a missing ``page`` is an empty CSV cell and
  ``null`` elsewhere.
- CSV only: a text cell that starts with ``=``, ``+``, ``-``, ``@``, a tab or a
  carriage return gets a leading apostrophe (``'=1+2``), so that a spreadsheet
  opening the file shows it as text instead of running it as a formula (CSV
  injection, OWASP). JSONL and Parquet keep text byte for byte; read those when
  you need the exact clause text.
"""

from __future__ import annotations

import contextlib
import csv
import glob
import io
import json
import math
import os
import shutil
import sys
import tempfile
from collections.abc import Iterable, Sequence
from pathlib import Path
from typing import IO, Any, TextIO

import pandas as pd

__all__ = [
    "ERRORS_COLUMNS",
    "OUTPUT_FORMATS",
    "OutputFormatError",
    "TablePrinter",
    "TableWriter",
    "check_output",
    "errors_path",
    "escape_formula",
    "output_format",
    "write_errors",
    "write_table",
]

OUTPUT_FORMATS: dict[str, str] = {".csv": "csv", ".jsonl": "jsonl", ".parquet": "parquet"}
ERRORS_COLUMNS = ["path", "reason"]
_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


class OutputFormatError(ValueError):
    """An output path whose extension names no format itunlp writes."""


def output_format(path: str | os.PathLike[str]) -> str:
    """The format (``csv``, ``jsonl``, ``parquet``) chosen by ``path``'s extension.

    Raises
    ------
    OutputFormatError
        For any other extension, listing the valid ones.

    Examples
    --------
    >>> output_format("out/clauses.JSONL")
    'jsonl'
    """
    suffix = Path(path).suffix.lower()
    try:
        return OUTPUT_FORMATS[suffix]
    except KeyError:
        valid = ", ".join(OUTPUT_FORMATS)
        raise OutputFormatError(
            f"cannot write {os.fspath(path)!r}: unknown output extension "
            f"{suffix or '(none)'!r}; use one of {valid}"
        ) from None


def check_output(path: str | os.PathLike[str]) -> str:
    """Check, before any work is done, that ``path`` can be written; return its format.

    Raises
    ------
    OutputFormatError
        Unknown extension.
    ImportError
        ``.parquet`` without pyarrow, naming ``pip install 'itunlp[parquet]'``.
    FileNotFoundError
        The destination folder does not exist.
    """
    fmt = output_format(path)
    if fmt == "parquet":
        _pyarrow()
    parent = Path(path).resolve().parent
    if not parent.is_dir():
        raise FileNotFoundError(f"cannot write {os.fspath(path)!r}: folder {parent} does not exist")
    return fmt


def errors_path(out: str | os.PathLike[str]) -> Path:
    """Where the failures of a run writing ``out`` are listed: ``OUT.errors.csv``.

    Examples
    --------
    >>> errors_path("runs/clauses.parquet").name
    'clauses.parquet.errors.csv'
    """
    out = Path(out)
    return out.with_name(out.name + ".errors.csv")


def escape_formula(value: Any) -> Any:
    """Prefix ``'`` to a string a spreadsheet would run as a formula; other values as is.

    Examples
    --------
    >>> escape_formula("=HYPERLINK(\\"http://x\\")"), escape_formula("plain"), escape_formula(3)
    ('\\'=HYPERLINK("http://x")', 'plain', 3)
    """
    if isinstance(value, str) and value.startswith(_FORMULA_START):
        return "'" + value
    return value


def _pyarrow() -> Any:
    try:
        import pyarrow
        import pyarrow.parquet
    except ImportError:
        raise ImportError(
            "writing .parquet needs pyarrow: pip install 'itunlp[parquet]' "
            "(or write .csv or .jsonl instead)"
        ) from None
    return pyarrow


# ------------------------------------------------------------------- cell conversion


def _missing(value: Any) -> bool:
    return value is None or value is pd.NA or (isinstance(value, float) and math.isnan(value))


def _json_value(value: Any) -> Any:
    """A value json.dumps can write: numpy scalars unwrapped, NaN/NA as null."""
    if _missing(value):
        return None
    if isinstance(value, dict):
        return {str(k): _json_value(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_json_value(v) for v in value]
    if hasattr(value, "tolist"):  # numpy scalars and arrays
        return _json_value(value.tolist())
    return value


def _csv_cell(value: Any) -> Any:
    if _missing(value):
        return ""
    if isinstance(value, list | tuple) or (hasattr(value, "tolist") and not isinstance(value, str)):
        items = value.tolist() if hasattr(value, "tolist") else value
        if isinstance(items, list):
            return escape_formula(";".join(str(item) for item in items))
        return items
    if isinstance(value, dict):
        return escape_formula(json.dumps(_json_value(value), ensure_ascii=False))
    return escape_formula(value)


def _column_type(pa: Any, name: str, values: pd.Series) -> Any:
    """The Arrow type of a column, fixed for the clause table's known columns.

    Fixed types keep every chunk's schema equal even when a chunk's ``page`` is
    all missing or its ``themes`` are all empty.
    """
    if name in ("page", "start", "end"):
        return pa.int64()
    if name.startswith("score_"):
        return pa.float64()
    if name == "themes":
        return pa.list_(pa.string())
    if name == "explanation":
        return pa.string()
    if pd.api.types.is_bool_dtype(values.dtype):
        return pa.bool_()
    if pd.api.types.is_integer_dtype(values.dtype):
        return pa.int64()
    if pd.api.types.is_float_dtype(values.dtype):
        return pa.float64()
    return pa.string()


# ----------------------------------------------------------------------- the writer


class TableWriter:
    """Write a table chunk by chunk to ``path``, replacing it atomically on success.

    Use it as a context manager; leaving the block with an exception discards
    the temporary file and leaves any existing ``path`` untouched.

    Parameters
    ----------
    path : str or os.PathLike
        Destination; its extension picks the format (see :func:`output_format`).
    columns : sequence of str
        The table's columns, in order; every chunk must have them. Known up
        front so that a run with no rows still writes a header (CSV) or schema
        (Parquet).

    Examples
    --------
    >>> import tempfile, pandas as pd
    >>> out = Path(tempfile.mkdtemp()) / "t.csv"
    >>> with TableWriter(out, ["text", "themes"]) as writer:
    ...     writer.write(pd.DataFrame({"text": ["=1+2"], "themes": [["gender", "connectivity"]]}))
    >>> print(out.read_text(encoding="utf-8").strip())
    text,themes
    '=1+2,gender;connectivity
    """

    def __init__(self, path: str | os.PathLike[str], columns: Sequence[str]) -> None:
        self.path = Path(path)
        self.format = output_format(self.path)
        self.columns = list(columns)
        self.rows = 0
        self._handle: IO[Any] | None = None
        self._tmp: Path | None = None
        self._parquet: Any = None
        self._schema: Any = None
        self._csv: Any = None

    def __enter__(self) -> TableWriter:
        if self.format == "parquet":
            _pyarrow()
        folder = self.path.resolve().parent
        _remove_stale_temporaries(folder, self.path.name)
        fd, tmp = tempfile.mkstemp(
            dir=folder, prefix=f".{self.path.name}.{os.getpid()}.", suffix=".tmp"
        )
        self._tmp = Path(tmp)
        if self.format == "parquet":
            os.close(fd)
        else:
            self._handle = open(fd, "w", encoding="utf-8", newline="")
            if self.format == "csv":
                self._csv = csv.writer(self._handle)
                self._csv.writerow([escape_formula(c) for c in self.columns])
        return self

    def write(self, chunk: pd.DataFrame) -> None:
        """Append the rows of ``chunk`` (its columns are reordered to ``columns``)."""
        if self._tmp is None:
            raise RuntimeError("TableWriter.write called outside its 'with' block")
        missing = [c for c in self.columns if c not in chunk.columns]
        if missing:
            raise ValueError(f"chunk lacks columns {missing}; expected {self.columns}")
        chunk = chunk[self.columns]
        if self.format == "csv":
            self._csv.writerows([_csv_cell(v) for v in row] for row in chunk.itertuples(False))
        elif self.format == "jsonl":
            assert self._handle is not None
            for row in chunk.itertuples(False):
                record = {c: _json_value(v) for c, v in zip(self.columns, row, strict=True)}
                self._handle.write(json.dumps(record, ensure_ascii=False) + "\n")
        else:
            self._write_parquet(chunk)
        self.rows += len(chunk)

    def _write_parquet(self, chunk: pd.DataFrame) -> None:
        pa = _pyarrow()
        if self._schema is None:
            self._schema = pa.schema(
                [pa.field(c, _column_type(pa, c, chunk[c])) for c in self.columns]
            )
        chunk = chunk.copy()
        if "themes" in chunk:
            themes = [None if _missing(v) else [str(t) for t in v] for v in chunk["themes"]]
            chunk["themes"] = pd.Series(themes, index=chunk.index, dtype=object)
        if "explanation" in chunk:
            explanations = [
                None if _missing(v) else json.dumps(_json_value(v), ensure_ascii=False)
                for v in chunk["explanation"]
            ]
            chunk["explanation"] = pd.Series(explanations, index=chunk.index, dtype=object)
        table = pa.Table.from_pandas(chunk, schema=self._schema, preserve_index=False)
        if self._parquet is None:
            # The first chunk's pandas metadata goes in the file, so that reading it
            # back gives the same dtypes (a nullable Int64 page, not float).
            self._parquet = pa.parquet.ParquetWriter(self._tmp, table.schema)
        self._parquet.write_table(table.replace_schema_metadata(self._parquet.schema.metadata))

    def __exit__(self, exc_type: Any, exc: Any, tb: Any) -> None:
        if exc_type is None:
            self._commit()
        else:
            self._discard()

    def _commit(self) -> None:
        assert self._tmp is not None
        if self.format == "parquet":
            if self._parquet is None:
                empty = pd.DataFrame({c: pd.Series([], dtype=object) for c in self.columns})
                self._write_parquet(empty)
            self._parquet.close()
        else:
            assert self._handle is not None
            self._handle.flush()
            os.fsync(self._handle.fileno())
            self._handle.close()
        os.chmod(self._tmp, _mode_for(self.path))
        os.replace(self._tmp, self.path)
        self._tmp = None

    def _discard(self) -> None:
        with contextlib.suppress(Exception):
            if self._parquet is not None:
                self._parquet.close()
        with contextlib.suppress(Exception):
            if self._handle is not None:
                self._handle.close()
        if self._tmp is not None:
            with contextlib.suppress(FileNotFoundError):
                self._tmp.unlink()
            self._tmp = None


def _remove_stale_temporaries(folder: Path, name: str) -> None:
    """Delete temporaries left by runs of ``name`` that were killed (their process is gone).

    A temporary's name carries its writer's process id, so a rerun can tell a
    dead run's leftover from a live concurrent run's file, and leaves the latter.
    """
    if os.name != "posix":
        return  # os.kill(pid, 0) is a liveness probe only on POSIX; on Windows it kills
    for leftover in folder.glob(f".{glob.escape(name)}.*.tmp"):
        pid_text = leftover.name[len(name) + 2 :].split(".", 1)[0]
        if not pid_text.isdigit() or int(pid_text) == os.getpid():
            continue
        try:
            os.kill(int(pid_text), 0)
        except ProcessLookupError:
            with contextlib.suppress(OSError):
                leftover.unlink()
        except (PermissionError, OSError):
            continue  # alive (another user's process) or cannot tell: leave it


def _mode_for(path: Path) -> int:
    """Keep an existing file's permissions; else what a plain open() would give."""
    with contextlib.suppress(FileNotFoundError):
        return path.stat().st_mode & 0o777
    umask = os.umask(0)
    os.umask(umask)
    return 0o666 & ~umask


def write_table(df: pd.DataFrame, path: str | os.PathLike[str]) -> Path:
    """Write a whole DataFrame to ``path`` atomically; the format follows the extension.

    Returns
    -------
    Path
        The written file.
    """
    with TableWriter(path, list(df.columns)) as writer:
        writer.write(df)
    return writer.path


def write_errors(failures: Iterable[tuple[str, str]], path: str | os.PathLike[str]) -> Path:
    """Write ``(path, reason)`` pairs as a CSV (header only when there are none), atomically.

    Always written, even empty, so that an errors file left from an earlier run
    never describes this one.
    """
    frame = pd.DataFrame(
        [(str(p), str(r)) for p, r in failures], columns=ERRORS_COLUMNS, dtype=object
    )
    with TableWriter(Path(path), ERRORS_COLUMNS) as writer:
        writer.write(frame)
    return writer.path


# ------------------------------------------------------------------- stdout tables


class TablePrinter:
    """A readable, fixed-width table for a terminal, printed chunk by chunk.

    Shows ``clause_id`` (which starts with the document id), ``page``,
    ``function``, ``themes`` when present, and the clause text cut to the
    terminal width; the full table is what ``-o`` writes.

    Parameters
    ----------
    stream : text stream
        Usually ``sys.stdout``.
    columns : sequence of str
        The clause table's columns (to know whether themes are shown).
    width : int, optional
        Line width; defaults to the terminal's (120 when not a terminal).
    """

    def __init__(
        self, stream: TextIO | None = None, columns: Sequence[str] = (), width: int | None = None
    ) -> None:
        self.stream = stream if stream is not None else sys.stdout
        self.width = width or shutil.get_terminal_size((120, 24)).columns
        self.show_themes = "themes" in columns
        self._widths: dict[str, int] | None = None

    def write(self, chunk: pd.DataFrame) -> None:
        """Print ``chunk``'s rows (and the header before the first chunk)."""
        if self._widths is None:
            self._widths = {
                "clause_id": min(max([len(v) for v in chunk["clause_id"]] + [9]), 32),
                "page": 4,
                "function": min(max([len(v) for v in chunk["function"]] + [8]), 24),
            }
            if self.show_themes:
                self._widths["themes"] = min(
                    max([len(";".join(v)) for v in chunk["themes"]] + [6]), 36
                )
            header = {name: name for name in self._widths}
            self.stream.write(self._line(header, "text") + "\n")
        buffer = io.StringIO()
        for row in chunk.to_dict("records"):
            cells = {
                "clause_id": row["clause_id"],
                "page": "" if _missing(row["page"]) else str(row["page"]),
                "function": row["function"],
            }
            if self.show_themes:
                cells["themes"] = ";".join(row["themes"])
            buffer.write(self._line(cells, row["text"]) + "\n")
        self.stream.write(buffer.getvalue())

    def _line(self, cells: dict[str, str], text: str) -> str:
        assert self._widths is not None
        parts = []
        for name, width in self._widths.items():
            value = _fit(str(cells[name]), width)
            parts.append(value.rjust(width) if name == "page" else value.ljust(width))
        line = "  ".join(parts) + "  "
        room = max(self.width - len(line), 20)
        return line + _fit(" ".join(str(text).split()), room)


def _fit(value: str, width: int) -> str:
    return value if len(value) <= width else value[: width - 1] + "…"
