"""Label Studio as an annotation tool: export suggestions as tasks, read labels back.

Teams that label with several people prefer Label Studio to a spreadsheet: it
shows one clause at a time, records who labelled what and when, and exports
JSON. :func:`to_label_studio` turns ``itunlp suggest`` output into tasks (the
model's guesses as pre-annotations), :func:`label_config` gives the labelling
interface, and :func:`read_label_studio` reads an export back into rows that
:func:`itunlp.labels.corpus.read_labels` validates like any other label file.

Only the JSON export is read (``Export -> JSON``, a list of tasks, and the flat
``JSON-MIN`` variant). The theme choices must be named ``themes`` in the
config, as :func:`label_config` names them.
"""

from __future__ import annotations

import json
import math
from collections.abc import Iterable, Mapping
from pathlib import Path
from xml.sax.saxutils import quoteattr

import pandas as pd

from itunlp.labels.errors import LabelError

CHOICES_NAME = "themes"
TEXT_NAME = "text"
TASK_DATA_FIELDS = ("text", "doc_id", "clause_id", "start", "end", "function", "path")


def label_config(themes: Iterable[object]) -> str:
    """The Label Studio labelling interface for multi-label theme choices.

    Parameters
    ----------
    themes : iterable of str or Theme
        Theme ids in order, or :class:`itunlp.themes.scheme.Theme` objects (their name and
        description then show as the choice's hint).

    Returns
    -------
    str
        XML for *Settings -> Labeling Interface -> Code*.

    Examples
    --------
    >>> print(label_config(["gender"]).splitlines()[4].strip())
    <Choice value="gender"/>
    """
    lines = [
        "<View>",
        '  <Header value="$function"/>',
        f'  <Text name="{TEXT_NAME}" value="$text"/>',
        f'  <Choices name="{CHOICES_NAME}" toName="{TEXT_NAME}" choice="multiple" '
        'showInLine="false">',
    ]
    for theme in themes:
        theme_id = getattr(theme, "id", theme)
        if not isinstance(theme_id, str) or not theme_id:
            raise TypeError(f"themes must be ids (str) or Theme objects, got {theme!r}")
        description = getattr(theme, "description", "")
        hint = f" hint={quoteattr(description)}" if description else ""
        lines.append(f"    <Choice value={quoteattr(theme_id)}{hint}/>")
    lines += ["  </Choices>", "</View>"]
    return "\n".join(lines) + "\n"


def _plain(value: object) -> object:
    """A JSON-able copy of one cell: NaN/NA become None, numpy scalars Python ones."""
    if value is None or value is pd.NA:
        return None
    if isinstance(value, float) and math.isnan(value):
        return None
    if hasattr(value, "item") and not isinstance(value, list | tuple | str):
        return value.item()
    return value


def _theme_list(value: object) -> list[str]:
    if isinstance(value, list | tuple):
        return [str(v) for v in value]
    if isinstance(value, str):
        return [p.strip() for p in value.split(";") if p.strip()]
    return []


def to_label_studio(df: pd.DataFrame, *, model_version: str = "itunlp") -> list[dict]:
    """Label Studio tasks for clauses, with the model's guesses as predictions.

    Parameters
    ----------
    df : pandas.DataFrame
        Clauses with at least ``text``; typically :func:`itunlp.labels.suggest.suggest`
        output. ``doc_id``, ``clause_id``, ``start``, ``end``, ``function`` and
        ``path`` are carried in each task's data so that offsets survive the
        round trip; ``themes`` (or ``suggested_themes``) become the pre-annotation,
        and ``score_<theme>`` columns its score.
    model_version : str
        Shown in Label Studio beside the predictions.

    Returns
    -------
    list of dict
        Tasks ready for ``json.dump`` and *Import* in Label Studio.

    Raises
    ------
    ValueError
        When ``df`` has no ``text`` column.

    Examples
    --------
    >>> import pandas as pd
    >>> tasks = to_label_studio(pd.DataFrame({"text": ["Girls in ICT."], "themes": [["gender"]]}))
    >>> tasks[0]["predictions"][0]["result"][0]["value"]
    {'choices': ['gender']}
    """
    if "text" not in df.columns:
        raise ValueError(
            f"to_label_studio needs a 'text' column; found {', '.join(map(str, df.columns))}"
        )
    guess_column = "suggested_themes" if "suggested_themes" in df.columns else "themes"
    score_columns = [c for c in df.columns if str(c).startswith("score_")]
    tasks = []
    for record in df.to_dict("records"):
        data = {field: _plain(record[field]) for field in TASK_DATA_FIELDS if field in record}
        if data.get("function") is None and "function" in data:
            data["function"] = ""
        task: dict = {"data": data}
        if guess_column in record:
            guessed = _theme_list(record[guess_column])
            scores = [
                _plain(record[f"score_{theme}"])
                for theme in guessed
                if f"score_{theme}" in score_columns
            ]
            prediction: dict = {
                "model_version": model_version,
                "result": [
                    {
                        "from_name": CHOICES_NAME,
                        "to_name": TEXT_NAME,
                        "type": "choices",
                        "value": {"choices": guessed},
                    }
                ],
            }
            numeric = [s for s in scores if isinstance(s, int | float)]
            if numeric:
                prediction["score"] = float(min(numeric))
            task["predictions"] = [prediction]
        tasks.append(task)
    return tasks


def _stamp(annotation: Mapping, position: int) -> tuple[str, int, int]:
    # ISO timestamps sort as strings; the id and list position break ties so that
    # "latest" is well defined even in hand-made exports without timestamps.
    when = annotation.get("updated_at") or annotation.get("created_at") or ""
    ident = annotation.get("id")
    return (str(when), ident if isinstance(ident, int) else -1, position)


def _choices(annotation: Mapping, where: str) -> list[str]:
    result = annotation.get("result", [])
    if not isinstance(result, list):
        raise LabelError(
            f"{where}: annotation 'result' must be a list, got {type(result).__name__}"
        )
    themes: list[str] = []
    for item in result:
        if not isinstance(item, Mapping):
            raise LabelError(f"{where}: annotation result item {item!r} is not an object")
        if item.get("type", "choices") != "choices":
            continue  # other controls (a comment box, a rating) carry no themes
        if item.get("from_name", CHOICES_NAME) != CHOICES_NAME:
            continue
        value = item.get("value")
        choices = value.get("choices") if isinstance(value, Mapping) else None
        if not isinstance(choices, list) or not all(isinstance(c, str) for c in choices):
            raise LabelError(
                f"{where}: annotation result has no list of choices (value.choices), got "
                f"{value!r}; label the themes with the Choices control named '{CHOICES_NAME}'"
            )
        themes.extend(c for c in choices if c not in themes)
    return themes


def _min_themes(value: object, where: str) -> list[str]:
    """Themes of a JSON-MIN export: a string, a list, or {"choices": [...]}."""
    if isinstance(value, Mapping):
        value = value.get("choices", [])
    if value is None:
        return []
    if isinstance(value, str):
        return [value] if value else []
    if isinstance(value, list) and all(isinstance(v, str) for v in value):
        return list(value)
    raise LabelError(
        f"{where}: '{CHOICES_NAME}' must be a choice or a list of choices, got {value!r}"
    )


def _row(data: Mapping, themes: list[str], where_row: str, annotator: object) -> dict:
    row = {field: data[field] for field in TASK_DATA_FIELDS if field in data}
    row["themes"] = themes
    row["_row"] = where_row
    if annotator not in (None, ""):
        row["annotator"] = str(annotator)
    return row


def read_label_studio(path: str | Path, raw: str | None = None) -> list[dict]:
    """Rows of labelled clauses from a Label Studio JSON export.

    For each task the latest annotation that was not cancelled (skipped) counts;
    an annotation submitted with no theme ticked means "no theme". Tasks that
    nobody annotated are left out: the model's predictions are not labels.

    Parameters
    ----------
    path : str or Path
        The export file; used in messages, and read when ``raw`` is None.
    raw : str, optional
        The file's text, when the caller has read it already.

    Returns
    -------
    list of dict
        One dict per annotated task with ``text``, ``themes``, ``_row`` (``"task
        N"``, N counting from 1 in file order, plus the Label Studio id) and, when
        the task carries them, ``doc_id``, ``clause_id``, ``start``, ``end``,
        ``function``, ``path`` and ``annotator``.

    Raises
    ------
    LabelError
        When the file is not JSON, not a list of tasks, or a task is malformed;
        the message names the file and the task.
    """
    path = Path(path)
    if raw is None:
        raw = path.read_text(encoding="utf-8-sig")
    try:
        tasks = json.loads(raw)
    except json.JSONDecodeError as error:
        raise LabelError(
            f"{path}: not valid JSON ({error.msg}, line {error.lineno}); export the project "
            "from Label Studio with Export -> JSON"
        ) from None
    except RecursionError:
        # json gives up on pathologically deep nesting; no export is shaped like that.
        raise LabelError(f"{path}: JSON nested too deeply to be a Label Studio export") from None
    if isinstance(tasks, Mapping):
        tasks = [tasks]  # one task exported alone
    if not isinstance(tasks, list):
        raise LabelError(
            f"{path}: expected a Label Studio export (a JSON list of tasks), got a "
            f"{type(tasks).__name__}"
        )
    rows = []
    for number, task in enumerate(tasks, start=1):
        where_row = f"task {number}"
        if isinstance(task, Mapping) and isinstance(task.get("id"), int):
            where_row += f" (id {task['id']})"
        where = f"{path} {where_row}"
        if not isinstance(task, Mapping):
            raise LabelError(f"{where}: expected a task object, got {type(task).__name__}")
        if "data" not in task and "text" in task:  # JSON-MIN: data fields at top level
            themes = _min_themes(task.get(CHOICES_NAME), where)
            rows.append(_row(task, themes, where_row, task.get("annotator")))
            continue
        data = task.get("data")
        if not isinstance(data, Mapping) or not isinstance(data.get("text"), str):
            raise LabelError(
                f"{where}: task has no data.text; each task needs the clause text in "
                "data.text (as itunlp suggest --format label-studio writes it)"
            )
        annotations = task.get("annotations", task.get("completions", []))
        if not isinstance(annotations, list):
            raise LabelError(f"{where}: 'annotations' must be a list")
        live = []
        for position, annotation in enumerate(annotations):
            if not isinstance(annotation, Mapping):
                raise LabelError(f"{where}: annotation {position + 1} is not an object")
            if annotation.get("was_cancelled"):
                continue
            live.append((_stamp(annotation, position), annotation))
        if not live:
            continue
        latest = max(live, key=lambda pair: pair[0])[1]
        annotator = latest.get("completed_by")
        if isinstance(annotator, Mapping):
            annotator = annotator.get("email") or annotator.get("id")
        rows.append(_row(data, _choices(latest, where), where_row, annotator))
    return rows
