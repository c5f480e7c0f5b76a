"""Which clauses to label next: uncertainty sampling, balanced over themes.

Labelling is the scarce resource. A clause the model already tags with
confidence teaches it little; a clause whose score sits at a theme's decision
threshold is where one label moves the boundary. :func:`suggest` ranks clauses
that way, one theme at a time in turn (so a rare theme gets its share instead of
the common themes taking every slot), drops near-duplicates (resolutions repeat
themselves; two near-identical clauses cost twice and teach once) and pre-fills
each row with the model's guess, so the annotator corrects rather than types.

:func:`write_suggestions` writes the result as a spreadsheet-safe CSV or as
Label Studio tasks. The CSV rules, which ``itunlp train`` relies on when it
reads the file back:

* themes are ``;``-separated ids; ``suggested_themes`` keeps the model's guess
  untouched so that reviewers can see what the annotator changed;
* ``text`` is always exactly ``document[start:end]``. A clause that starts with
  a character a spreadsheet would run as a formula (``= + - @``, tab, carriage
  return) is trimmed past those characters and its ``start`` moved along, so
  the cell is safe and the offsets still hold with no escaping to undo;
* any other text cell starting with such a character, or with an apostrophe, gets
  one leading apostrophe (OWASP's advice against CSV injection); the apostrophe
  only touches provenance columns (``doc_id``, ``path``, ``function``,
  ``clause_id``), never ``text`` or ``themes``.
"""

from __future__ import annotations

import csv
import io
import json
import math
import os
import tempfile
from collections.abc import Iterable, Mapping, Sequence
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from itunlp.labels.agreement import normalise_text
from itunlp.labels.corpus import _MAX_TEXT_CHARS  # one limit: what suggest writes, train accepts

__all__ = [
    "FORMULA_TRIGGERS",
    "NEAR_DUPLICATE_JACCARD",
    "SUGGEST_COLUMNS",
    "escape_cell",
    "label_documents",
    "suggest",
    "write_atomic",
    "write_suggestions",
]

NEAR_DUPLICATE_JACCARD = 0.8
FORMULA_TRIGGERS = ("=", "+", "-", "@", "\t", "\r")
SUGGEST_COLUMNS = ["text", "themes", "suggested_themes"]
PROVENANCE_COLUMNS = ["doc_id", "path", "page", "start", "end", "function", "clause_id"]
RANKING_COLUMNS = ["focus_theme", "uncertainty"]


def _thresholds(model: Any, themes: Sequence[str]) -> dict[str, float]:
    """Per-theme thresholds from a model, whether it keeps a mapping or a sequence."""
    raw = getattr(model, "thresholds", None)
    if raw is None:
        return dict.fromkeys(themes, 0.5)
    if isinstance(raw, Mapping):
        return {t: float(raw.get(t, 0.5)) for t in themes}
    values = list(np.asarray(raw, dtype=float).ravel())
    if len(values) != len(themes):
        raise ValueError(f"The model has {len(themes)} themes but {len(values)} thresholds")
    return dict(zip(themes, values, strict=True))


def _score_table(model: Any, inputs: Any, classify_options: Mapping[str, Any]) -> pd.DataFrame:
    """Clauses with ``score_<theme>`` columns: classify paths/texts, or score a clause table."""
    themes = list(model.themes)
    if isinstance(inputs, pd.DataFrame):
        table = inputs.copy()
        if "text" not in table.columns:
            raise ValueError(
                "suggest needs clauses with a 'text' column, or paths/texts to classify; got "
                f"columns {', '.join(map(str, table.columns))}"
            )
        missing = [t for t in themes if f"score_{t}" not in table.columns]
        if missing:
            functions = table["function"].fillna("").tolist() if "function" in table else None
            proba = model.predict_proba(table["text"].tolist(), functions=functions)
            for theme in themes:
                column = theme if theme in proba.columns else f"score_{theme}"
                table[f"score_{theme}"] = np.asarray(proba[column], dtype=float)
        return table.reset_index(drop=True)
    return model.classify(inputs, **classify_options).reset_index(drop=True)


def _trim_formula_start(text: str) -> tuple[str, int]:
    """The text without leading formula triggers and spaces, and how many chars went."""
    kept = text
    while kept and (kept[0] in FORMULA_TRIGGERS or kept[0].isspace()):
        kept = kept[1:]
    return kept, len(text) - len(kept)


def _tokens(text: str) -> frozenset[str]:
    return frozenset(normalise_text(text).split())


def _jaccard(a: frozenset[str], b: frozenset[str]) -> float:
    if not a and not b:
        return 1.0
    return len(a & b) / len(a | b)


def _predicted(row_scores: np.ndarray, thresholds: np.ndarray, themes: Sequence[str]) -> list[str]:
    return [t for t, s, h in zip(themes, row_scores, thresholds, strict=True) if s >= h]


def suggest(
    model: Any,
    inputs: Any,
    n: int,
    *,
    theme: str | None = None,
    seed: int = 0,
    exclude: Iterable[str] = (),
    **classify_options: Any,
) -> pd.DataFrame:
    """Pick the ``n`` clauses whose labels would help the model most.

    For each theme, a clause's closeness to the theme's decision threshold is
    ``1 - |score - threshold| / max(threshold, 1 - threshold)`` (1 at the
    threshold, 0 where the model is surest). Themes take turns (round-robin in
    scheme order), each picking its closest clause not yet taken; ties go to the
    clause with the highest mean binary entropy over all themes, then to a
    seeded shuffle. With ``theme`` only that theme's ranking is used.

    A clause is skipped when its normalised text was already picked, is in
    ``exclude``, or shares at least :data:`NEAR_DUPLICATE_JACCARD` of its word
    set with a clause already picked; when its text is longer than ``itunlp
    train`` accepts; or when it is only formula-trigger characters.

    Parameters
    ----------
    model : ThemeModel
        Gives ``themes``, ``thresholds``, ``classify`` and ``predict_proba``.
    inputs : paths, texts, or DataFrame
        What :meth:`ThemeModel.classify` accepts (files, folders, raw texts), or a
        clause table (``text`` and optionally ``function``, offsets and
        ``score_<theme>`` columns, e.g. the output of ``classify``).
    n : int
        How many clauses to suggest (fewer when the input has fewer usable ones).
    theme : str, optional
        Focus on one theme: rank by closeness to its threshold only.
    seed : int, default=0
        Breaks exact ties reproducibly.
    exclude : iterable of str
        Clause texts already labelled (compared after :func:`normalise_text`), so
        a second round does not suggest the first round's clauses again.
    **classify_options
        Passed to ``model.classify`` (for example ``n_jobs``).

    Returns
    -------
    pandas.DataFrame
        ``n`` rows in suggestion order with columns ``text, themes,
        suggested_themes, score_<theme>..., doc_id, path, page, start, end,
        function, clause_id, focus_theme, uncertainty``. ``themes`` and
        ``suggested_themes`` are both the model's guess (lists); the annotator
        edits ``themes``. ``focus_theme`` is the theme whose turn picked the
        clause and ``uncertainty`` its closeness to that theme's threshold.

    Raises
    ------
    ValueError
        When ``n`` < 1, ``theme`` is not one of the model's themes (with a close
        id suggested), or the table has no ``text``.

    Examples
    --------
    >>> import pandas as pd
    >>> class Model:  # the three attributes suggest uses
    ...     themes, thresholds = ["gender"], {"gender": 0.5}
    ...     def predict_proba(self, texts, functions=None):
    ...         return pd.DataFrame({"gender": [0.9, 0.52, 0.1][: len(texts)]})
    >>> table = pd.DataFrame({"text": ["Women in ICT.", "Girls may code.", "Spectrum."]})
    >>> suggest(Model(), table, 1)["text"].tolist()
    ['Girls may code.']
    """
    if not isinstance(n, int | np.integer) or isinstance(n, bool) or n < 1:
        raise ValueError(f"n must be a whole number >= 1, got {n!r}")
    themes = list(model.themes)
    if theme is not None and theme not in themes:
        scheme = getattr(model, "scheme", None)
        if scheme is not None and hasattr(scheme, "unknown_theme_message"):
            raise ValueError(scheme.unknown_theme_message(theme, "--theme"))
        raise ValueError(f"Unknown theme '{theme}'; the model's themes are: {', '.join(themes)}")
    thresholds = _thresholds(model, themes)
    table = _score_table(model, inputs, classify_options)

    scores = table[[f"score_{t}" for t in themes]].to_numpy(dtype=float)
    cuts = np.array([thresholds[t] for t in themes])
    spread = np.maximum(cuts, 1.0 - cuts)
    closeness = 1.0 - np.abs(scores - cuts) / np.where(spread > 0, spread, 1.0)
    clipped = np.clip(scores, 1e-9, 1 - 1e-9)
    entropy = (-(clipped * np.log2(clipped) + (1 - clipped) * np.log2(1 - clipped))).mean(axis=1)
    shuffle = np.random.default_rng(seed).permutation(len(table))

    usable, shifts = _usable_rows(table, {normalise_text(t) for t in exclude})
    lanes = [themes.index(theme)] if theme is not None else list(range(len(themes)))
    # Sort keys: closeness (desc), entropy (desc), shuffled position (asc).
    orders = {
        lane: [row for row in np.lexsort((shuffle, -entropy, -closeness[:, lane])) if row in usable]
        for lane in lanes
    }
    cursors = dict.fromkeys(lanes, 0)
    picked: list[tuple[int, int]] = []
    picked_tokens: list[frozenset[str]] = []
    picked_rows: set[int] = set()
    while len(picked) < n and any(cursors[lane] < len(orders[lane]) for lane in lanes):
        for lane in lanes:
            if len(picked) >= n:
                break
            order = orders[lane]
            while cursors[lane] < len(order):
                row = int(order[cursors[lane]])
                cursors[lane] += 1
                if row in picked_rows:
                    continue
                tokens = usable[row]
                if any(_jaccard(tokens, seen) >= NEAR_DUPLICATE_JACCARD for seen in picked_tokens):
                    continue
                picked.append((row, lane))
                picked_rows.add(row)
                picked_tokens.append(tokens)
                break
    return _suggestion_frame(table, picked, themes, scores, cuts, closeness, shifts)


def _usable_rows(
    table: pd.DataFrame, excluded: set[str]
) -> tuple[dict[int, frozenset[str]], dict[int, tuple[str, int]]]:
    """Rows worth suggesting (with their word sets) and the start shifts of trimmed texts."""
    usable: dict[int, frozenset[str]] = {}
    shifts: dict[int, tuple[str, int]] = {}
    seen: set[str] = set()
    for row, text in enumerate(table["text"].tolist()):
        if not isinstance(text, str) or len(text) > _MAX_TEXT_CHARS:
            continue
        safe, shift = _trim_formula_start(text)
        safe = safe.rstrip()
        if not safe.strip():
            continue
        key = normalise_text(safe)
        if not key or key in excluded or key in seen:
            continue
        seen.add(key)
        usable[row] = _tokens(safe)
        if safe != text:
            shifts[row] = (safe, shift)
    return usable, shifts


def _suggestion_frame(
    table: pd.DataFrame,
    picked: list[tuple[int, int]],
    themes: list[str],
    scores: np.ndarray,
    cuts: np.ndarray,
    closeness: np.ndarray,
    shifts: Mapping[int, tuple[str, int]],
) -> pd.DataFrame:
    records = []
    for row, lane in picked:
        source = table.iloc[row]
        given = source.get("themes")
        # The model's own decision when the table carries it (classify output), so the
        # pre-filled guess is exactly what `itunlp classify` would say.
        guess = (
            list(given)
            if isinstance(given, list | tuple)
            else _predicted(scores[row], cuts, themes)
        )
        text = source["text"]
        start = source.get("start")
        end = source.get("end")
        start = None if start is None or pd.isna(start) else int(start)
        end = None if end is None or pd.isna(end) else int(end)
        if row in shifts:
            # Trimmed for spreadsheet safety: move the offsets so text == doc[start:end].
            text, shift = shifts[row]
            if start is not None:
                start += shift
                end = start + len(text)
        record: dict[str, Any] = {
            "text": text,
            "themes": list(guess),
            "suggested_themes": list(guess),
        }
        for index, theme in enumerate(themes):
            record[f"score_{theme}"] = round(float(scores[row, index]), 4)
        for column in PROVENANCE_COLUMNS:
            value = source.get(column)
            if column in ("start", "end"):
                value = start if column == "start" else end
            elif _is_blank(value):
                value = "" if column != "page" else None
            record[column] = value
        record["focus_theme"] = themes[lane]
        record["uncertainty"] = round(float(closeness[row, lane]), 4)
        records.append(record)
    columns = [
        *SUGGEST_COLUMNS,
        *(f"score_{t}" for t in themes),
        *PROVENANCE_COLUMNS,
        *RANKING_COLUMNS,
    ]
    frame = pd.DataFrame.from_records(records, columns=columns)
    frame["start"] = frame["start"].astype("Int64")
    frame["end"] = frame["end"].astype("Int64")
    frame["page"] = frame["page"].astype("Int64") if frame["page"].notna().any() else pd.NA
    return frame


def escape_cell(value: str) -> str:
    """A text cell made safe for spreadsheets: a leading apostrophe before a formula start.

    A cell that already starts with an apostrophe gets one more, so that removing
    exactly one leading apostrophe always gives the original back.

    Examples
    --------
    >>> escape_cell("=cmd|' /C calc'!A0"), escape_cell("ok"), escape_cell("'quoted")
    ("'=cmd|' /C calc'!A0", 'ok', "''quoted")
    """
    if value and (value[0] in FORMULA_TRIGGERS or value[0] == "'"):
        return "'" + value
    return value


def _is_blank(value: object) -> bool:
    return value is None or value is pd.NA or (isinstance(value, float) and math.isnan(value))


def _csv_text(frame: pd.DataFrame) -> str:
    """The suggestion table as spreadsheet-safe CSV (see the module docstring)."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(list(frame.columns))
    for record in frame.itertuples(index=False, name=None):
        cells = []
        for column, value in zip(frame.columns, record, strict=True):
            if isinstance(value, list | tuple):
                cell = ";".join(map(str, value))
            elif _is_blank(value):
                cell = ""
            else:
                cell = str(value)
            if column == "text":
                # Trimmed by suggest already; a hand-made table may still hold a formula.
                if cell and cell[0] in FORMULA_TRIGGERS:
                    raise ValueError(
                        f"Clause text {cell[:40]!r} starts with a spreadsheet formula "
                        "character; pass the table through itunlp.active.suggest, which trims it"
                    )
            elif not column.startswith("score_") and column not in ("start", "end", "page"):
                cell = escape_cell(cell)
            cells.append(cell)
        writer.writerow(cells)
    return buffer.getvalue()


def write_atomic(path: Path, text: str) -> None:
    """Write a text file whole or not at all: a crash never leaves half a file behind.

    The text goes to a hidden temporary file in the same folder, which then
    replaces ``path`` in one :func:`os.replace` (atomic on POSIX and Windows).
    """
    path.parent.mkdir(parents=True, exist_ok=True)
    handle, temporary = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    try:
        with os.fdopen(handle, "w", encoding="utf-8", newline="") as stream:
            stream.write(text)
        os.replace(temporary, path)
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise


def write_suggestions(
    frame: pd.DataFrame,
    path: str | Path,
    *,
    fmt: str | None = None,
    themes: Iterable[object] | None = None,
) -> list[Path]:
    """Write suggestions for annotation, atomically.

    Parameters
    ----------
    frame : pandas.DataFrame
        Output of :func:`suggest`.
    path : str or Path
        The file to write.
    fmt : {"csv", "label-studio"}, optional
        Default: ``label-studio`` for a ``.json`` path, else ``csv``.
    themes : iterable of str or Theme, optional
        For Label Studio, the choices of the labelling config written beside the
        tasks as ``<name>.label_config.xml``; default: the ``score_`` columns' themes.

    Returns
    -------
    list of Path
        The files written.

    Raises
    ------
    ValueError
        An unknown ``fmt``, or a ``text`` cell that starts with a formula character.
    """
    from itunlp.labels.label_studio import label_config, to_label_studio

    path = Path(path)
    fmt = fmt or ("label-studio" if path.suffix.lower() == ".json" else "csv")
    if fmt == "csv":
        write_atomic(path, _csv_text(frame))
        return [path]
    if fmt == "label-studio":
        if themes is None:
            themes = [str(c)[len("score_") :] for c in frame.columns if str(c).startswith("score_")]
        tasks = to_label_studio(frame)
        config_path = path.with_name(f"{path.stem}.label_config.xml")
        write_atomic(path, json.dumps(tasks, ensure_ascii=False, indent=1) + "\n")
        write_atomic(config_path, label_config(themes))
        return [path, config_path]
    raise ValueError(f"Unknown format {fmt!r}; valid formats: csv, label-studio")


def _unescape_cell(value: str) -> str:
    """Undo :func:`escape_cell`: drop the one apostrophe it adds."""
    if (
        value.startswith("'")
        and len(value) > 1
        and (value[1] in FORMULA_TRIGGERS or value[1] == "'")
    ):
        return value[1:]
    return value


def _provenance_rows(path: Path) -> list[dict]:
    """The rows of a label file, raw, for their doc_id and path cells."""
    raw = path.read_text(encoding="utf-8-sig")
    suffix = path.suffix.lower()
    if suffix in {".csv", ".tsv"}:
        stream = io.StringIO(raw, newline="")
        return list(csv.DictReader(stream, delimiter="\t" if suffix == ".tsv" else ","))
    if suffix == ".json":
        from itunlp.labels.label_studio import read_label_studio

        return read_label_studio(path, raw)
    if suffix in {".jsonl", ".ndjson"}:
        rows = []
        for line in raw.splitlines():
            if line.strip():
                try:
                    record = json.loads(line)
                except json.JSONDecodeError:
                    continue  # read_labels reports the broken line with its number
                if isinstance(record, dict):
                    rows.append(record)
        return rows
    return []


def label_documents(label_files: Iterable[str | Path]) -> dict[str, str]:
    """The documents that label rows point to, by ``doc_id``, for offset checks.

    A suggest file carries each clause's ``doc_id``, ``path``, ``start`` and
    ``end``. Passing this mapping as ``documents`` to
    :func:`itunlp.labels.corpus.read_labels` makes it check that ``text`` is still
    ``document[start:end]``, which catches a clause whose text was edited in the
    spreadsheet (the offsets would then teach nothing, or the wrong span).

    Parameters
    ----------
    label_files : iterable of str or Path
        ``.csv``/``.tsv``, ``.jsonl`` or Label Studio ``.json`` label files.
        A relative ``path`` cell is looked up from the current folder, then from
        the label file's folder.

    Returns
    -------
    dict of str to str
        Document text by the ``doc_id`` the rows carry. A document that cannot
        be read is left out with a warning (its rows are then not checked).

    Examples
    --------
    >>> label_documents([])
    {}
    """
    import warnings

    from itunlp.documents import DocumentError, read_document

    documents: dict[str, str] = {}
    tried: set[tuple[str, str]] = set()
    for label_file in map(Path, label_files):
        if not label_file.is_file():
            continue  # read_labels raises the missing-file error itself
        try:
            rows = _provenance_rows(label_file)
        except (OSError, UnicodeDecodeError, ValueError, RecursionError):
            continue  # malformed: read_labels names the problem
        for row in rows:
            doc_id, where = row.get("doc_id"), row.get("path")
            if not isinstance(doc_id, str) or not isinstance(where, str) or not where.strip():
                continue
            if doc_id in documents or (doc_id, where) in tried:
                continue
            tried.add((doc_id, where))
            candidate = Path(_unescape_cell(where))
            if not candidate.is_file() and not candidate.is_absolute():
                candidate = label_file.parent / candidate
            try:
                documents[doc_id] = read_document(candidate).text
            except (DocumentError, OSError, ImportError) as error:
                warnings.warn(
                    f"{label_file}: cannot read document {where!r} of '{doc_id}' ({error}); "
                    "the offsets of its clauses are not checked",
                    stacklevel=2,
                )
    return documents
