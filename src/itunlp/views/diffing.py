"""Compare two versions of a text clause by clause: what was struck out, added, reworded.

The analysis this serves is the PP-22 dispatch's: gender and stakeholder language
proposed in draft resolutions and missing from the adopted texts. Between a proposal
and the adopted resolution the surviving items are re-lettered and renumbered, so a
line-based diff would report nearly everything as changed. Here clauses are compared
on a normalised form (no item markers, numbering, case, punctuation or spacing
differences), aligned in order with :class:`difflib.SequenceMatcher`, and the
clauses left over are paired by similarity so that moved or reworded items are still
matched to their counterpart.
"""

from __future__ import annotations

import difflib
import re
import unicodedata
from collections import Counter
from collections.abc import Sequence
from typing import Any, Protocol

import pandas as pd

CHANGES = ("removed", "added", "changed", "kept")
DIFF_COLUMNS = [
    "change",
    "old_clause_id",
    "new_clause_id",
    "old_text",
    "new_text",
    "function",
    "old_themes",
    "new_themes",
    "similarity",
]
BALANCE_COLUMNS = [
    "removed",
    "added",
    "changed",
    "kept",
    "lost_in_change",
    "gained_in_change",
    "net",
]

# Below this similarity two clauses are different points, not one point reworded.
# Chosen on the example resolutions: a reworded item scores 0.75-0.95 against its
# old self, while unrelated items of the same resolution score 0.3-0.5 (they share
# "to", "the", "Union", ...).
PAIRING_THRESHOLD = 0.6

# Item markers a segmenter may leave at the start of a clause: a), (b), iv), 1., 1,
# 1.2, 3bis, bullets and dashes. Normalisation removes them so that "c) that ..."
# and "d) that ..." compare equal.
_MARKER = re.compile(
    r"""^\s*(?:
        \(?[a-z]{1,2}\)                    # a)  (b)  aa)
      | \(?[ivxlc]{1,6}\)                  # iv)  (xii)
      | \(?\d+(?:\.\d+)*\s*(?:bis|ter)?[.)]?  # 1  1.  1)  2.3  3bis
      | [•\u2022\u2023\u25e6\u2043\u2219*·–—-]  # bullets and dashes
    )\s+""",
    re.VERBOSE | re.IGNORECASE,
)
_NON_WORD = re.compile(r"[^\w]+")
# How far below the threshold a pair's shared-word share may be and the pair still be
# scored in full: rewordings that keep the point share at least this many words.
_PLAUSIBLE_MARGIN = 0.25


class _Model(Protocol):
    """What :func:`diff` needs of a model: themes per clause (and optionally cutting)."""

    themes: Sequence[str]

    def predict(self, texts: list[str], functions: list[str] | None = None) -> list[list[str]]:
        """Themes of each clause."""
        ...


def normalise_clause(text: str) -> str:
    """The comparison form of a clause: no item marker, case, punctuation or extra spaces.

    Parameters
    ----------
    text : str
        One clause, with or without its item marker.

    Returns
    -------
    str
        Lower-case words separated by single spaces.

    Examples
    --------
    >>> normalise_clause("c) That threats cross borders;")
    'that threats cross borders'
    >>> normalise_clause("4 to support training,")
    'to support training'
    """
    text = unicodedata.normalize("NFKC", text)
    previous = None
    while previous != text:  # markers can nest: "1 a) ..."
        previous = text
        text = _MARKER.sub("", text, count=1)
    return " ".join(_NON_WORD.sub(" ", text.casefold()).split())


def clause_similarity(a: str, b: str) -> float:
    """How alike two normalised clauses are, from 0 (unrelated) to 1 (identical).

    The largest of three views, each catching a kind of edit the others miss: the
    :class:`difflib.SequenceMatcher` ratio over characters (small edits inside words,
    "State" -> "States") and over words (words put in or struck out, "regulators" ->
    "regulators and operators"), and the Dice overlap of the word sets (words moved
    around inside the clause).

    Parameters
    ----------
    a, b : str
        Clauses, ideally already passed through :func:`normalise_clause`.

    Returns
    -------
    float

    Examples
    --------
    >>> clause_similarity("to support training", "to support training")
    1.0
    >>> clause_similarity("to support training", "in the orbit") < 0.6
    True
    """
    if a == b:
        return 1.0
    if not a or not b:
        return 0.0
    return max(_word_similarity(a.split(), b.split()), _char_ratio(a, b))


def _word_similarity(a: list[str], b: list[str]) -> float:
    """The word-level views: sequence ratio over words and Dice overlap of word sets."""
    if not a or not b:
        return 0.0
    set_a, set_b = set(a), set(b)
    dice = 2 * len(set_a & set_b) / (len(set_a) + len(set_b))
    return max(dice, difflib.SequenceMatcher(None, a, b, autojunk=False).ratio())


def _char_ratio(a: str, b: str) -> float:
    return difflib.SequenceMatcher(None, a, b, autojunk=False).ratio()


def _cut(text: str, model: Any) -> list[Any]:
    """Clauses of ``text``, through the model's own segmenter when it has one."""
    if model is not None and hasattr(model, "segment"):
        return list(model.segment(text))
    from itunlp.segmentation.component import split_into_clauses

    return list(split_into_clauses(text))


def _themes(model: Any, clauses: list[Any]) -> list[list[str]]:
    if not clauses:
        return []
    texts = [c.text for c in clauses]
    functions = [getattr(c, "function", "") or "" for c in clauses]
    return [list(t) for t in model.predict(texts, functions=functions)]


def _pair_by_similarity(
    old_keys: list[str],
    new_keys: list[str],
    old_free: list[int],
    new_free: list[int],
    threshold: float,
) -> dict[int, tuple[int, float]]:
    """Greedy best-first pairing of leftover clauses; returns new index -> (old, sim)."""
    candidates = []
    old_bags = {i: Counter(old_keys[i].split()) for i in old_free}
    new_bags = {j: Counter(new_keys[j].split()) for j in new_free}
    for i in old_free:
        for j in new_free:
            a, b = old_bags[i], new_bags[j]
            size = a.total() + b.total()
            # The shared-word share bounds the word-level similarity from above; pairs far
            # below the threshold on it are unrelated points, and skipping them keeps a
            # diff of two long, much-changed documents fast (the character ratio, the
            # slow part, is only computed for pairs that already share many words).
            if not size or 2 * (a & b).total() / size < threshold - _PLAUSIBLE_MARGIN:
                continue
            score = clause_similarity(old_keys[i], new_keys[j])
            if score >= threshold:
                # Ties go to the pair closest in position, then to the earliest.
                candidates.append((-score, abs(i - j), i, j))
    candidates.sort()
    used_old: set[int] = set()
    pairs: dict[int, tuple[int, float]] = {}
    for negative_score, _, i, j in candidates:
        if i in used_old or j in pairs:
            continue
        used_old.add(i)
        pairs[j] = (i, -negative_score)
    return pairs


def align_clauses(
    old_texts: Sequence[str], new_texts: Sequence[str], *, threshold: float = PAIRING_THRESHOLD
) -> list[tuple[int | None, int | None, float]]:
    """Align two clause sequences: ``(old_index, new_index, similarity)`` in reading order.

    Equal clauses (after :func:`normalise_clause`) are aligned in order by
    :class:`difflib.SequenceMatcher`; what is left is paired by
    :func:`clause_similarity` across the whole text, so an item that moved or was
    reworded still finds its counterpart. An unpaired old clause has
    ``new_index=None`` (removed), an unpaired new one ``old_index=None`` (added).

    Parameters
    ----------
    old_texts, new_texts : sequence of str
        The clause texts of each version, in reading order.
    threshold : float
        The least similarity at which two different clauses count as one reworded.

    Returns
    -------
    list of tuple
        Every clause of either version exactly once; ordered by the new version, with
        removed clauses placed where they stood in the old one.

    Examples
    --------
    >>> align_clauses(["a) one thing;", "b) another;"], ["a) another;"])
    [(0, None, 0.0), (1, 0, 1.0)]
    """
    old_keys = [normalise_clause(t) for t in old_texts]
    new_keys = [normalise_clause(t) for t in new_texts]
    matcher = difflib.SequenceMatcher(None, old_keys, new_keys, autojunk=False)
    # First pass: the in-order skeleton of identical clauses.
    skeleton: list[tuple[int | None, int | None, float]] = []
    for tag, i1, i2, j1, j2 in matcher.get_opcodes():
        if tag == "equal":
            skeleton.extend((i, j, 1.0) for i, j in zip(range(i1, i2), range(j1, j2), strict=True))
        else:
            skeleton.extend((i, None, 0.0) for i in range(i1, i2))
            skeleton.extend((None, j, 0.0) for j in range(j1, j2))
    # Second pass: pair the leftovers, wherever they are (moved items included).
    old_free = [i for i, j, _ in skeleton if j is None and i is not None]
    new_free = [j for i, j, _ in skeleton if i is None and j is not None]
    pairs = _pair_by_similarity(old_keys, new_keys, old_free, new_free, threshold)
    paired_old = {i for i, _ in pairs.values()}
    aligned: list[tuple[int | None, int | None, float]] = []
    for i, j, score in skeleton:
        if j is None and i in paired_old:
            continue  # shown on its new partner's row
        if i is None and j in pairs:
            i, score = pairs[j]
        aligned.append((i, j, score))
    return aligned


def diff(
    old_text: str,
    new_text: str,
    model: Any = None,
    *,
    old_id: str = "old",
    new_id: str = "new",
    threshold: float = PAIRING_THRESHOLD,
) -> pd.DataFrame:
    """Clause-level differences between two versions of a text, with the themes of each.

    Use it to see which policy themes a negotiation struck out: compare a proposal
    with the adopted resolution, or one conference's text with the next. Items are
    matched on their wording, not their letter or number, so re-lettered and
    renumbered items count as kept; reworded items count as changed; moved items
    still find each other.

    Parameters
    ----------
    old_text, new_text : str
        The two versions (resolution format or prose).
    model : ThemeModel, optional
        Cuts the texts (``model.segment``) and tags the clauses (``model.predict``);
        the shipped default model (:func:`itunlp.load`) when omitted.
    old_id, new_id : str
        Prefixes of the clause ids, ``<id>-001`` numbered in reading order as in the
        classify table.
    threshold : float
        The least :func:`clause_similarity` at which two different clauses are taken
        for one clause reworded (default :data:`PAIRING_THRESHOLD`).

    Returns
    -------
    pandas.DataFrame
        One row per clause of either version, columns :data:`DIFF_COLUMNS`:
        ``change`` (``removed``, ``added``, ``changed``, ``kept``), ``old_clause_id``
        and ``new_clause_id`` (``None`` on the side a clause is missing from),
        ``old_text`` and ``new_text`` (``""`` when missing), ``function`` (the
        resolution heading, from the new version when there is one), ``old_themes``
        and ``new_themes`` (lists), ``similarity`` (1.0 for kept, 0.0 for removed
        and added). ``attrs["themes"]`` holds the model's themes, for
        :func:`theme_balance`.

    Raises
    ------
    TypeError
        When a version is not a string.

    Examples
    --------
    >>> table = diff(draft, final)  # doctest: +SKIP
    >>> table[table.change == "removed"][["old_text", "old_themes"]]  # doctest: +SKIP
    """
    for name, value in (("old_text", old_text), ("new_text", new_text)):
        if not isinstance(value, str):
            raise TypeError(
                f"{name} must be the text of a version (str), got {type(value).__name__}; "
                "read files first, e.g. with itunlp.read_document(path)"
            )
    if model is None:
        from itunlp.pipeline import load

        model = load()
    old_clauses = _cut(old_text, model)
    new_clauses = _cut(new_text, model)
    old_themes = _themes(model, old_clauses)
    new_themes = _themes(model, new_clauses)
    aligned = align_clauses(
        [c.text for c in old_clauses], [c.text for c in new_clauses], threshold=threshold
    )
    rows = []
    for i, j, score in aligned:
        old = old_clauses[i] if i is not None else None
        new = new_clauses[j] if j is not None else None
        if old is None:
            change = "added"
        elif new is None:
            change = "removed"
        else:
            same = normalise_clause(old.text) == normalise_clause(new.text)
            change = "kept" if same else "changed"
            score = 1.0 if same else round(score, 3)
        function = getattr(new if new is not None else old, "function", "") or ""
        rows.append(
            {
                "change": change,
                "old_clause_id": f"{old_id}-{i + 1:03d}" if i is not None else None,
                "new_clause_id": f"{new_id}-{j + 1:03d}" if j is not None else None,
                "old_text": old.text if old is not None else "",
                "new_text": new.text if new is not None else "",
                "function": function,
                "old_themes": old_themes[i] if i is not None else [],
                "new_themes": new_themes[j] if j is not None else [],
                "similarity": float(score),
            }
        )
    table = pd.DataFrame.from_records(rows, columns=DIFF_COLUMNS)
    table.attrs["themes"] = list(getattr(model, "themes", []))
    return table


def _themes_in(diff_df: pd.DataFrame) -> list[str]:
    declared = list(diff_df.attrs.get("themes", []))
    seen = [t for col in ("old_themes", "new_themes") for ts in diff_df[col] for t in ts]
    extra = sorted(set(seen) - set(declared))
    return declared + extra


def theme_balance(diff_df: pd.DataFrame) -> pd.DataFrame:
    """Per theme, how many of its clauses were removed, added, changed and kept.

    This is the one-line answer to "what happened to gender between the draft and
    the adopted text": ``gender: 3 clauses removed, 0 added``.

    Parameters
    ----------
    diff_df : pandas.DataFrame
        The result of :func:`diff`.

    Returns
    -------
    pandas.DataFrame
        Indexed by theme, columns :data:`BALANCE_COLUMNS`: ``removed`` (removed
        clauses that had the theme), ``added`` (added clauses that have it),
        ``changed`` (changed clauses with the theme on either side), ``kept``,
        ``lost_in_change`` and ``gained_in_change`` (changed clauses whose rewording
        dropped or brought the theme), and ``net`` (clauses with the theme in the new
        version minus in the old one).

    Raises
    ------
    ValueError
        When ``diff_df`` lacks the columns :func:`diff` produces.

    Examples
    --------
    >>> balance = theme_balance(diff(draft, final))  # doctest: +SKIP
    >>> balance.loc["gender", ["removed", "added"]]  # doctest: +SKIP
    """
    missing = [c for c in ("change", "old_themes", "new_themes") if c not in diff_df.columns]
    if missing:
        raise ValueError(
            f"theme_balance needs the table itunlp.diff returns; missing column(s) "
            f"{', '.join(missing)}"
        )
    themes = _themes_in(diff_df)
    counts = {theme: dict.fromkeys(BALANCE_COLUMNS, 0) for theme in themes}
    for change, old, new in zip(
        diff_df["change"], diff_df["old_themes"], diff_df["new_themes"], strict=True
    ):
        old, new = set(old), set(new)
        for theme in old | new:
            row = counts[theme]
            if change == "removed":
                row["removed"] += 1
            elif change == "added":
                row["added"] += 1
            elif change == "kept":
                # Kept wording can still be scored differently in its new context.
                row["kept"] += 1
            else:
                row["changed"] += 1
            if change in ("kept", "changed"):
                row["lost_in_change"] += int(theme in old and theme not in new)
                row["gained_in_change"] += int(theme in new and theme not in old)
            row["net"] += int(theme in new) - int(theme in old)
    frame = pd.DataFrame.from_dict(counts, orient="index", columns=BALANCE_COLUMNS)
    frame.index.name = "theme"
    return frame.astype(int)


def describe_balance(balance: pd.DataFrame, *, only_changes: bool = True) -> list[str]:
    """One readable line per theme, e.g. ``gender: 3 clauses removed, 0 added``.

    Parameters
    ----------
    balance : pandas.DataFrame
        The result of :func:`theme_balance`.
    only_changes : bool
        Leave out themes with nothing removed, added or changed.

    Returns
    -------
    list of str

    Examples
    --------
    >>> frame = pd.DataFrame({"removed": [3], "added": [0], "changed": [1], "kept": [2],
    ...                       "lost_in_change": [1], "gained_in_change": [0], "net": [-4]},
    ...                      index=pd.Index(["gender"], name="theme"))
    >>> describe_balance(frame)
    ['gender: 3 clauses removed, 0 added, 1 changed (lost in 1), 2 kept']
    """
    lines = []
    for theme, row in balance.iterrows():
        if only_changes and not (row["removed"] or row["added"] or row["changed"]):
            continue
        noun = "clause" if row["removed"] == 1 else "clauses"
        line = f"{theme}: {row['removed']} {noun} removed, {row['added']} added"
        line += f", {row['changed']} changed"
        shifts = []
        if row.get("lost_in_change", 0):
            shifts.append(f"lost in {row['lost_in_change']}")
        if row.get("gained_in_change", 0):
            shifts.append(f"gained in {row['gained_in_change']}")
        if shifts:
            line += f" ({', '.join(shifts)})"
        line += f", {row['kept']} kept"
        lines.append(line)
    return lines
