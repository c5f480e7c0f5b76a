"""Labelled clauses: read them from JSONL/CSV, check them, merge them.

Every reader returns a DataFrame with :data:`RECORD_COLUMNS` (the codebook's record
format). A user's smallest label file has just ``text`` and ``themes``; the other
fields are filled in. Problems raise :class:`LabelError`, which names the file and
row so that a person can open the file and fix it.
"""

from __future__ import annotations

import csv
import hashlib
import io
import json
import math
import re
from collections.abc import Iterable, Mapping
from pathlib import Path

import pandas as pd

from itunlp._resources import data_dir
from itunlp.labels.errors import LabelError
from itunlp.themes.scheme import ThemeScheme, load_themes

RECORD_COLUMNS = [
    "doc_id",
    "clause_id",
    "start",
    "end",
    "text",
    "function",
    "themes",
    "source",
    "annotator",
    "note",
    "section_title",
    "writer",
]
REQUIRED_COLUMNS = ("text", "themes")
#: The shipped corpus: the seed article, standalone supplement clauses, the dev set,
#: full documents by eight kinds of writer (``data/documents``) and documents in real
#: layouts (``data/formats``, when present).
SHIPPED_PARTS = ("seed", "supplement", "dev", "documents", "formats")
#: Where each part's label files and document texts live, relative to the data folder.
_PART_FILES = {
    "seed": ("seed/*.jsonl", "seed/*.txt"),
    "supplement": ("supplement/*.jsonl", None),
    "dev": ("dev/*.jsonl", "dev/docs/*.txt"),
    "documents": ("documents/clauses-*.jsonl", "documents/docs/*.txt"),
    "formats": ("formats/*/clauses.jsonl", "formats/*/docs/*.txt"),
}
_MAX_TEXT_CHARS = 20_000


def _is_missing(value: object) -> bool:
    return value is None or (isinstance(value, float) and math.isnan(value)) or value is pd.NA


def _parse_themes(value: object, where: str) -> list[str]:
    """Themes from a list, a JSON list string, or a ``;``-separated string."""
    if _is_missing(value):
        return []
    if isinstance(value, list | tuple):
        items = list(value)
    elif isinstance(value, str):
        stripped = value.strip()
        if stripped.startswith("["):
            try:
                items = json.loads(stripped)
            except json.JSONDecodeError as error:
                raise LabelError(
                    f"{where}: themes {value!r} look like a JSON list but do not parse "
                    f'({error.msg}); write them as ["a", "b"] or as a;b'
                ) from None
            if not isinstance(items, list):
                raise LabelError(f"{where}: themes must be a list, got {value!r}")
        else:
            items = [part for part in stripped.replace(",", ";").split(";")]
    else:
        raise LabelError(
            f"{where}: themes must be a list or a ';'-separated string, "
            f"got {type(value).__name__} {value!r}"
        )
    themes: list[str] = []
    for item in items:
        if not isinstance(item, str):
            raise LabelError(f"{where}: theme {item!r} is not text")
        item = item.strip()
        if item and item not in themes:
            themes.append(item)
    return themes


def _parse_offset(value: object, name: str, where: str) -> int | None:
    if _is_missing(value) or value == "":
        return None
    try:
        number = float(value)  # CSV gives strings, pandas may give floats
    except (TypeError, ValueError):
        raise LabelError(f"{where}: {name} {value!r} is not a whole number") from None
    if not number.is_integer() or number < 0:
        raise LabelError(f"{where}: {name} {value!r} must be a whole number >= 0")
    return int(number)


def _read_rows(path: Path) -> tuple[list[dict], str]:
    """Raw rows of a label file and the word used to locate a row ('line' or 'row')."""
    if not path.is_file():
        raise FileNotFoundError(f"Label file not found: {path}")
    try:
        raw = path.read_text(encoding="utf-8-sig")
    except UnicodeDecodeError as error:
        raise LabelError(
            f"{path}: not UTF-8 text (byte {error.start}); save the file as UTF-8"
        ) from None
    suffix = path.suffix.lower()
    if suffix in {".jsonl", ".ndjson"}:
        rows = []
        # Split on "\n" only: str.splitlines() also breaks at U+2028/U+0085, which
        # json.dumps(ensure_ascii=False) leaves raw inside strings.
        for number, line in enumerate(raw.split("\n"), start=1):
            if not line.strip():
                continue
            try:
                record = json.loads(line)
            except json.JSONDecodeError as error:
                raise LabelError(f"{path} line {number}: not valid JSON ({error.msg})") from None
            except RecursionError:
                raise LabelError(f"{path} line {number}: JSON nested too deeply") from None
            if not isinstance(record, dict):
                raise LabelError(f"{path} line {number}: expected a JSON object per line")
            record["_row"] = f"line {number}"
            rows.append(record)
        return rows, "line"
    if suffix == ".json":
        from itunlp.labels.label_studio import read_label_studio  # one format among several

        return read_label_studio(path, raw), "task"
    if suffix in {".csv", ".tsv"}:
        # newline="" keeps line breaks inside quoted cells (PDF clauses span lines).
        reader = csv.DictReader(
            io.StringIO(raw, newline=""), delimiter="\t" if suffix == ".tsv" else ","
        )
        missing = [c for c in REQUIRED_COLUMNS if c not in (reader.fieldnames or [])]
        if missing:
            raise LabelError(
                f"{path}: missing column(s) {', '.join(missing)}; found "
                f"{', '.join(reader.fieldnames or []) or 'no header'}. A label file needs at "
                "least 'text' and 'themes' columns"
            )
        rows = []
        for number, record in enumerate(reader, start=1):
            record["_row"] = f"row {number}"
            rows.append(record)
        return rows, "row"
    raise LabelError(
        f"{path}: unsupported label file type '{suffix}'; use .jsonl, .csv, .tsv or a "
        "Label Studio export (.json)"
    )


_LONE_SURROGATE = re.compile("[\ud800-\udfff]")


def _check_characters(row: Mapping[str, object], where: str) -> None:
    """Refuse lone surrogates (JSON's ``"\\ud800"``), naming the field.

    Half a character is not text: kept, it fails later and far from the file (writing
    the model, printing a clause) with a UnicodeEncodeError.
    """
    for field, value in row.items():
        name = str(field).encode("utf-8", "backslashreplace").decode("utf-8")
        values = value if isinstance(value, list | tuple) else [value]
        for item in [str(field), *values]:
            found = _LONE_SURROGATE.search(item) if isinstance(item, str) else None
            if found:
                raise LabelError(
                    f"{where}: {name} holds a lone surrogate (\\u{ord(found.group()):04x}), "
                    "half of a character; fix or remove it and save the file as UTF-8"
                )


def _validate(
    rows: Iterable[dict],
    origin: str,
    scheme: ThemeScheme,
    documents: Mapping[str, str] | None,
    drop_retired: bool = False,
) -> pd.DataFrame:
    retired = {t.id for t in scheme.themes if t.retired}
    records = []
    for position, row in enumerate(rows, start=1):
        where = f"{origin} {row.get('_row', f'row {position}')}"
        _check_characters(row, where)
        missing = [c for c in REQUIRED_COLUMNS if c not in row]
        if missing:
            raise LabelError(f"{where}: missing field(s) {', '.join(missing)}")
        text = row["text"]
        if not _is_missing(text) and not isinstance(text, str):
            raise LabelError(f"{where}: text must be a string, got {type(text).__name__} {text!r}")
        if _is_missing(text) or not text.strip():
            raise LabelError(f"{where}: empty text; every labelled clause needs its text")
        if len(text) > _MAX_TEXT_CHARS:
            raise LabelError(
                f"{where}: text has {len(text):,} characters, more than {_MAX_TEXT_CHARS:,}; "
                "a clause is one claim or point, so split it first (itunlp segment)"
            )
        themes = _parse_themes(row["themes"], where)
        if drop_retired:
            themes = [t for t in themes if t not in retired]
        for theme in themes:
            if theme not in scheme.ids:
                raise LabelError(scheme.unknown_theme_message(theme, where))
        start = _parse_offset(row.get("start"), "start", where)
        end = _parse_offset(row.get("end"), "end", where)
        if (start is None) != (end is None):
            raise LabelError(f"{where}: give both start and end, or neither")
        doc_id = "" if _is_missing(row.get("doc_id")) else str(row.get("doc_id"))
        if start is not None and end is not None:
            if end <= start:
                raise LabelError(f"{where}: end {end} must be greater than start {start}")
            document = documents.get(doc_id) if documents else None
            if document is not None:
                found = document[start:end]
                if found != text:
                    raise LabelError(
                        f"{where}: offsets {start}-{end} of document '{doc_id}' hold "
                        f"{found[:60]!r}, but the text is {text[:60]!r}; the text was edited "
                        "or the offsets are wrong (clear start/end to keep the edited text)"
                    )
        records.append(
            {
                "doc_id": doc_id,
                "clause_id": "" if _is_missing(row.get("clause_id")) else str(row["clause_id"]),
                "start": start,
                "end": end,
                "text": text,
                "function": ""
                if _is_missing(row.get("function"))
                else " ".join(str(row["function"]).lower().split()),
                "themes": themes,
                "source": "" if _is_missing(row.get("source")) else str(row["source"]),
                "annotator": "" if _is_missing(row.get("annotator")) else str(row["annotator"]),
                "note": "" if _is_missing(row.get("note")) else str(row["note"]),
                # Context a document gives its clause, read by the theme model.
                "section_title": ""
                if _is_missing(row.get("section_title"))
                else " ".join(str(row["section_title"]).split()),
                "writer": "" if _is_missing(row.get("writer")) else str(row["writer"]),
                "_where": where,
            }
        )
    frame = pd.DataFrame.from_records(records, columns=[*RECORD_COLUMNS, "_where"])
    return frame


def _check_conflicts(frame: pd.DataFrame) -> pd.DataFrame:
    """Raise on one text labelled two ways; drop exact repeats."""
    seen: dict[tuple[str, str], tuple[frozenset[str], str]] = {}
    keep = []
    for text, function, themes, where in zip(
        frame["text"], frame["function"], frame["themes"], frame["_where"], strict=True
    ):
        key = (" ".join(text.split()), function)
        labels = frozenset(themes)
        if key in seen:
            first_labels, first_where = seen[key]
            if first_labels != labels:
                raise LabelError(
                    f"{where}: the same clause is labelled {sorted(labels)} here and "
                    f"{sorted(first_labels)} at {first_where}; keep one labelling"
                )
            keep.append(False)
        else:
            seen[key] = (labels, where)
            keep.append(True)
    return frame.loc[keep]


def _finish(frame: pd.DataFrame) -> pd.DataFrame:
    frame = frame.drop(columns="_where").reset_index(drop=True)
    frame["start"] = frame["start"].astype("Int64")
    frame["end"] = frame["end"].astype("Int64")
    return frame


def read_labels(
    sources: str | Path | pd.DataFrame | Iterable[str | Path],
    *,
    scheme: ThemeScheme | None = None,
    documents: Mapping[str, str] | None = None,
    drop_retired: bool = False,
) -> pd.DataFrame:
    """Read and validate labelled clauses.

    Parameters
    ----------
    sources : path, DataFrame, or iterable of paths
        ``.jsonl``, ``.csv``/``.tsv`` (themes as a JSON list or ``a;b``), or a Label
        Studio export ``.json``; or a DataFrame with at least ``text`` and ``themes``.
    scheme : ThemeScheme, optional
        Valid themes; the shipped scheme when omitted.
    documents : mapping of doc_id to text, optional
        When a row's document is here, its offsets must hold exactly its text.
    drop_retired : bool, default False
        Remove themes the scheme retires instead of rejecting them (used for the
        shipped corpus, so that retiring a theme in a scheme copy needs no relabelling).

    Returns
    -------
    pandas.DataFrame
        One row per clause, columns :data:`RECORD_COLUMNS`; ``themes`` holds lists.

    Raises
    ------
    LabelError
        Missing columns, empty text, unknown themes, offsets that do not match their
        document, or one clause labelled two different ways; the message names the
        file and row.
    FileNotFoundError
        A path that does not exist.

    Examples
    --------
    >>> import pandas as pd
    >>> frame = read_labels(pd.DataFrame({"text": ["Girls in ICT Day was marked."],
    ...                                   "themes": ["gender"]}))
    >>> frame.loc[0, "themes"]
    ['gender']
    """
    scheme = scheme or load_themes()
    if isinstance(sources, pd.DataFrame):
        missing = [c for c in REQUIRED_COLUMNS if c not in sources.columns]
        if missing:
            raise LabelError(
                f"DataFrame: missing column(s) {', '.join(missing)}; found "
                f"{', '.join(map(str, sources.columns))}"
            )
        rows = sources.to_dict("records")
        for number, row in enumerate(rows, start=1):
            row["_row"] = f"row {number}"
        frames = [_validate(rows, "DataFrame", scheme, documents, drop_retired)]
    else:
        paths = [sources] if isinstance(sources, str | Path) else list(sources)
        if not paths:
            raise LabelError("No label files given")
        frames = []
        for path in map(Path, paths):
            rows, _ = _read_rows(path)
            if not rows:
                raise LabelError(f"{path}: no labelled clauses in the file")
            frames.append(_validate(rows, str(path), scheme, documents, drop_retired))
    frame = _check_conflicts(pd.concat(frames, ignore_index=True))
    return _finish(frame)


def merge_labels(base: pd.DataFrame, update: pd.DataFrame) -> pd.DataFrame:
    """Labels of ``update`` added to ``base``; where both label one clause, ``update`` wins.

    This is how a user's corrections of shipped clauses take effect on retraining.
    """
    keys = {
        (" ".join(t.split()), f) for t, f in zip(update["text"], update["function"], strict=True)
    }
    overridden = [
        (" ".join(t.split()), f) in keys
        for t, f in zip(base["text"], base["function"], strict=True)
    ]
    kept = base.loc[[not o for o in overridden]]
    return pd.concat([kept, update], ignore_index=True)[RECORD_COLUMNS]


def shipped_label_files(parts: Iterable[str] = SHIPPED_PARTS) -> list[Path]:
    """The JSONL label files of the shipped corpus parts (see :data:`SHIPPED_PARTS`)."""
    root = data_dir()
    files: list[Path] = []
    for part in parts:
        if part not in SHIPPED_PARTS:
            raise ValueError(
                f"Unknown corpus part '{part}'; valid parts: {', '.join(SHIPPED_PARTS)}"
            )
        files.extend(sorted(root.glob(_PART_FILES[part][0])))
    return files


def shipped_documents() -> dict[str, str]:
    """The texts that shipped clause offsets point into, by doc_id (the file's stem).

    Read in text mode, so CRLF files are newline-normalised, as their offsets assume.
    """
    root = data_dir()
    documents: dict[str, str] = {}
    for part in SHIPPED_PARTS:
        pattern = _PART_FILES[part][1]
        for path in sorted(root.glob(pattern)) if pattern else []:
            if path.stem in documents:  # offsets would silently point into the wrong text
                raise ValueError(f"Two shipped documents share the doc_id '{path.stem}': {path}")
            documents[path.stem] = path.read_text(encoding="utf-8")
    return documents


def load_shipped_corpus(
    parts: Iterable[str] = SHIPPED_PARTS, scheme: ThemeScheme | None = None
) -> pd.DataFrame:
    """The shipped labelled clauses (seed, supplement, dev set), validated."""
    files = shipped_label_files(parts)
    if not files:
        raise FileNotFoundError(f"No shipped label files found under {data_dir()}")
    return read_labels(files, scheme=scheme, documents=shipped_documents(), drop_retired=True)


def files_sha256(paths: Iterable[str | Path]) -> dict[str, str]:
    """SHA-256 of each file, recorded in model cards so training data is traceable."""
    digests = {}
    for path in map(Path, paths):
        digests[str(path)] = hashlib.sha256(path.read_bytes()).hexdigest()
    return digests


def frame_sha256(frame: pd.DataFrame) -> str:
    """A content hash of labelled clauses (text, function, themes), order-independent."""
    lines = sorted(
        json.dumps([t, f, sorted(th)], ensure_ascii=False)
        for t, f, th in zip(frame["text"], frame["function"], frame["themes"], strict=True)
    )
    return hashlib.sha256("\n".join(lines).encode("utf-8")).hexdigest()
