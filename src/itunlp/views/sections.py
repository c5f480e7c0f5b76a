"""Sections of a clause table: runs in reading order, labels, and pairing two versions.

A Final Acts volume, a summary record or the International Telecommunication
Regulations holds many texts in one file, and every clause of the classify table
carries the ``section`` it sits in (``Resolution 70``, ``Decision 614``, ``Article 3``,
``Annex 1 to Resolution 70``; ``""`` outside any section). The views read sections
from that column alone:

- a *run* is a stretch of consecutive clauses with one section value; a section runs
  from its title line to the next title line, so runs are sections;
- a section name that comes back after another section is a second section of that
  name: its *label* is ``Decision 5 (2)``, so the two are never merged; so is a
  section of the same name that directly follows one with another title, or (where
  the text is at hand) after a title line of its own (a summary record holding
  ``DRAFT DECISION 5`` and the adopted ``DECISION 5``, :func:`title_restarts`);
- two versions (a draft and the adopted Final Acts) are compared section by section:
  sections are paired by kind and number (``RESOLUTION 70`` and ``Resolution 70`` are
  one section), repeated names in order of appearance.

Tables without a ``section`` column (made before sections existed) read as one
section ``""`` per document, so every view behaves as it did.
"""

from __future__ import annotations

import difflib
import math
import re
from collections import Counter
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any

__all__ = [
    "SECTION_COLUMNS",
    "Aligner",
    "SectionLabeller",
    "SectionRun",
    "align_by_section",
    "clean",
    "has_sections",
    "pair_sections",
    "section_key",
    "section_labels",
    "section_runs",
    "title_restarts",
]

#: The columns a segmenter with sections adds to the clause table, after ``function``.
SECTION_COLUMNS = ("section", "section_title", "part", "change")


def clean(value: object) -> str:
    """A section-column cell as a string: ``""`` for missing values (None, NaN).

    Examples
    --------
    >>> clean(None), clean(float("nan")), clean(" Resolution 70 ")
    ('', '', 'Resolution 70')
    """
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return ""
    return " ".join(str(value).split())


def section_key(name: object) -> str:
    """The comparison form of a section name: case and spacing folded.

    Examples
    --------
    >>> section_key("RESOLUTION  70") == section_key("Resolution 70")
    True
    """
    return clean(name).casefold()


def has_sections(sections: Iterable[object]) -> bool:
    """Whether any clause sits in a named section."""
    return any(clean(s) for s in sections)


class SectionLabeller:
    """Label sections as they stream by, one clause at a time, per document.

    A name met again after another section gets a running number: the second
    ``Decision 5`` of a file is ``Decision 5 (2)``. Chunks of a streamed table can be
    fed in order; the state is per document.

    Examples
    --------
    >>> labeller = SectionLabeller()
    >>> [labeller.label("d", s) for s in ["Decision 5", "Decision 5", "Decision 6", "Decision 5"]]
    ['Decision 5', 'Decision 5', 'Decision 6', 'Decision 5 (2)']
    """

    def __init__(self) -> None:
        # doc -> (key of the current run, its label, its title); doc -> key -> runs seen
        self._current: dict[str, tuple[str, str, str]] = {}
        self._seen: dict[str, Counter[str]] = {}

    def label(self, doc: str, section: object, title: object = "", restart: bool = False) -> str:
        """The label of ``section`` for the next clause of ``doc``.

        A new section of the same name starts right after the current one when its
        ``title`` differs (both given), or when ``restart`` says a title line stands
        before the clause (see :func:`title_restarts`).
        """
        name, heading = clean(section), clean(title)
        key = section_key(name)
        current = self._current.get(doc)
        retitled = current is not None and bool(heading and current[2] and heading != current[2])
        if current is not None and current[0] == key and not restart and not retitled:
            if heading and not current[2]:
                self._current[doc] = (key, current[1], heading)
            return current[1]
        seen = self._seen.setdefault(doc, Counter())
        seen[key] += 1
        label = name if seen[key] == 1 else f"{name or '(no section)'} ({seen[key]})"
        self._current[doc] = (key, label, heading)
        return label


def section_labels(sections: Iterable[object]) -> list[str]:
    """The label of each clause's section, for the clauses of one document in order.

    Examples
    --------
    >>> section_labels(["", "Decision 5", "Decision 5", "Resolution 1", "Decision 5"])
    ['', 'Decision 5', 'Decision 5', 'Resolution 1', 'Decision 5 (2)']
    """
    labeller = SectionLabeller()
    return [labeller.label("", s) for s in sections]


@dataclass
class SectionRun:
    """One section of one version: its name, label, title and clause positions."""

    name: str
    label: str
    title: str = ""
    indices: list[int] = field(default_factory=list)
    occurrence: int = 1

    @property
    def key(self) -> str:
        """The pairing key: the folded name."""
        return section_key(self.name)


def title_restarts(
    text: str,
    starts: Sequence[int],
    ends: Sequence[int],
    sections: Sequence[object],
    titles: Sequence[object] | None = None,
) -> list[bool]:
    """Whether a title line of its own section stands before each clause.

    Two sections of one name that follow each other (``DRAFT DECISION 5`` and the
    adopted ``DECISION 5 (C24)`` in a summary record) give the same ``section`` and
    often the same title; only the text between their clauses tells them apart. A
    line there that opens with the section's kind and number (after ``DRAFT``,
    ``NEW`` or a change marker) starts a new section when the section's title
    follows it; without a title, when the line occurs once in the text. A running
    page header (``Resolution 58`` at the top of a page) is neither.

    Parameters
    ----------
    text : str
        The document.
    starts, ends : sequence of int
        The clauses' offsets, in reading order.
    sections : sequence
        The clauses' ``section``.
    titles : sequence, optional
        The clauses' ``section_title``.

    Returns
    -------
    list of bool
        ``True`` where a second section of the previous clause's name begins.

    Examples
    --------
    >>> doc = "DRAFT DECISION 5\\nBudget\\na;\\nDECISION 5 (C24)\\nBudget\\nb."
    >>> title_restarts(doc, [24, 51], [26, 53], ["Decision 5"] * 2, ["Budget"] * 2)
    [False, True]
    >>> header = "RESOLUTION 58\\nAccess\\na;\\nResolution 58\\nb."
    >>> title_restarts(header, [21, 38], [23, 40], ["Resolution 58"] * 2, ["Access"] * 2)
    [False, False]
    """
    flags = [False] * len(starts)
    lines: Counter[str] | None = None
    for k in range(1, len(starts)):
        name = clean(sections[k])
        words = name.split()
        if len(words) < 2 or section_key(sections[k - 1]) != section_key(name):
            continue
        pattern = re.compile(
            r"^\W*(?:(?:MOD|ADD|SUP|NOC)\b[^\n]*?\s)?(?:draft\s+)?(?:new\s+)?"
            + re.escape(words[0]) + r"\s+" + re.escape(words[1]) + r"(?!\w)",
            re.IGNORECASE,
        )  # fmt: skip
        title = section_key(titles[k])[:40] if titles is not None else ""
        gap = text[ends[k - 1] : starts[k]].splitlines()[1:]
        for at, line in enumerate(gap):
            if not pattern.match(line):
                continue
            if title:
                flags[k] = title in section_key(" ".join(gap[at + 1 :]))
            else:
                if lines is None:
                    lines = Counter(x.strip() for x in text.splitlines())
                flags[k] = lines[line.strip()] == 1
            if flags[k]:
                break
    return flags


def section_runs(
    sections: Sequence[object],
    titles: Sequence[object] | None = None,
    restarts: Sequence[bool] | None = None,
) -> list[SectionRun]:
    """Cut one document's clauses into its sections, in reading order.

    Parameters
    ----------
    sections : sequence
        The ``section`` of each clause, in reading order.
    titles : sequence, optional
        The ``section_title`` of each clause; a run's title is its first non-empty one,
        and a new title under the same name starts a new section.
    restarts : sequence of bool, optional
        Where a new section of the same name starts (:func:`title_restarts`).

    Returns
    -------
    list of SectionRun
        Every clause index in exactly one run.

    Examples
    --------
    >>> [(r.label, r.indices) for r in section_runs(["A 1", "A 1", "A 2", "A 1"])]
    [('A 1', [0, 1]), ('A 2', [2]), ('A 1 (2)', [3])]
    """
    runs: list[SectionRun] = []
    labeller = SectionLabeller()
    seen: Counter[str] = Counter()
    for index, section in enumerate(sections):
        title = clean(titles[index]) if titles is not None else ""
        restart = bool(restarts[index]) if restarts is not None else False
        label = labeller.label("", section, title, restart)
        if not runs or runs[-1].label != label:
            name = clean(section)
            seen[section_key(name)] += 1
            runs.append(SectionRun(name, label, occurrence=seen[section_key(name)]))
        runs[-1].indices.append(index)
        if title and not runs[-1].title:
            runs[-1].title = title
    return runs


#: The least title similarity at which two leftover sections of one kind are one section.
TITLE_THRESHOLD = 0.85
# Leftover sections compared by title at most (old x new pairs), to stay fast.
_TITLE_PAIRS = 40_000


def _pair_by_title(
    old: Sequence[SectionRun], new: Sequence[SectionRun], partner: dict[int, int | None]
) -> list[tuple[int, int]]:
    """Pairs of leftover sections of one kind whose titles are near-identical, best first."""
    taken = {j for j in partner.values() if j is not None}
    free_old = [i for i, j in partner.items() if j is None and old[i].title and old[i].name]
    free_new = [j for j in range(len(new)) if j not in taken and new[j].title and new[j].name]
    if not free_old or not free_new or len(free_old) * len(free_new) > _TITLE_PAIRS:
        return []
    candidates = []
    for i in free_old:
        for j in free_new:
            if old[i].key.split()[0] != new[j].key.split()[0]:
                continue
            matcher = difflib.SequenceMatcher(
                None, section_key(old[i].title), section_key(new[j].title)
            )
            if matcher.quick_ratio() >= TITLE_THRESHOLD and matcher.ratio() >= TITLE_THRESHOLD:
                candidates.append((-matcher.ratio(), i, j))
    pairs, used_old, used_new = [], set(), set()
    for _, i, j in sorted(candidates):
        if i not in used_old and j not in used_new:
            used_old.add(i)
            used_new.add(j)
            pairs.append((i, j))
    return pairs


def pair_sections(
    old: Sequence[SectionRun], new: Sequence[SectionRun]
) -> tuple[list[tuple[int | None, int | None]], list[str]]:
    """Pair the sections of two versions by kind and number, in display order.

    The n-th section of a name in the old version pairs with the n-th of that name in
    the new one. Sections left over pair when they are of one kind and their titles
    are near-identical (a proposal's draft new ``Resolution [EUR-1]`` adopted as
    ``Resolution 219``). A section with no partner is *gone* (old only) or *new*
    (new only).

    Parameters
    ----------
    old, new : sequence of SectionRun
        The sections of each version, from :func:`section_runs`.

    Returns
    -------
    pairs : list of (old index or None, new index or None)
        Every section of either version exactly once; ordered by the new version, with
        gone sections placed where they stood in the old one.
    notes : list of str
        One line per pair made by title, and per section name that occurs more than
        once in a version (its sections are paired in order).

    Examples
    --------
    >>> old = section_runs(["Res 1", "Res 2", "Res 3"])
    >>> new = section_runs(["Res 1", "Res 3", "Res 4"])
    >>> pair_sections(old, new)[0]
    [(0, 0), (1, None), (2, 1), (None, 2)]
    >>> pair_sections(section_runs(["A", "B"]), section_runs(["A", "C"]))[0]
    [(0, 0), (1, None), (None, 1)]
    >>> draft = section_runs(["Resolution [EUR-1]"], ["Cyber capacity building"])
    >>> pair_sections(draft, section_runs(["Resolution 219"], ["Cyber capacity building"]))
    ([(0, 0)], ['Resolution [EUR-1] (old) and Resolution 219 (new) are paired by their title'])
    """
    by_key_new = {(r.key, r.occurrence): j for j, r in enumerate(new)}
    partner = {i: by_key_new.get((r.key, r.occurrence)) for i, r in enumerate(old)}
    notes = []
    for i, j in _pair_by_title(old, new, partner):
        partner[i] = j
        notes.append(f"{old[i].name} (old) and {new[j].name} (new) are paired by their title")
    old_of_new = {j: i for i, j in partner.items() if j is not None}
    pairs: list[tuple[int | None, int | None]] = []
    emitted: set[int] = set()

    def flush(upto: int) -> None:
        for i in range(upto):
            if i not in emitted and partner[i] is None:
                emitted.add(i)
                pairs.append((i, None))

    # The old section each new one is paired with, or else the next paired one after it:
    # gone sections are placed before it, as removed clauses are within a section.
    upcoming, following = [len(old)] * len(new), len(old)
    for j in reversed(range(len(new))):
        following = old_of_new.get(j, following)
        upcoming[j] = following
    for j in range(len(new)):
        flush(upcoming[j])
        i = old_of_new.get(j)
        if i is not None:
            emitted.add(i)
        pairs.append((i, j))
    flush(len(old))
    for side, runs in (("old", old), ("new", new)):
        counts = Counter(r.key for r in runs if r.key)
        for key, n in counts.items():
            if n > 1:
                name = next(r.name for r in runs if r.key == key)
                notes.append(
                    f"{name} occurs {n} times in the {side} version: "
                    "its sections are paired in order of appearance"
                )
    return pairs, notes


Aligner = Callable[[Sequence[str], Sequence[str]], list[tuple[int | None, int | None, float]]]


def _sections_of(clauses: Sequence[Any]) -> list[str]:
    return [clean(getattr(c, "section", "")) for c in clauses]


def _runs(clauses: Sequence[Any], sections: list[str], text: str | None) -> list[SectionRun]:
    titles = [getattr(c, "section_title", "") for c in clauses]
    restarts = None
    if text is not None:
        starts = [int(getattr(c, "start", 0)) for c in clauses]
        ends = [int(getattr(c, "end", 0)) for c in clauses]
        restarts = title_restarts(text, starts, ends, sections, titles)
    return section_runs(sections, titles, restarts)


def align_by_section(
    old_clauses: Sequence[Any],
    new_clauses: Sequence[Any],
    align: Aligner,
    texts: tuple[str, str] | None = None,
) -> tuple[list[tuple[int | None, int | None, float, str]], list[str]]:
    """Align two versions' clauses within paired sections.

    Parameters
    ----------
    old_clauses, new_clauses : sequence
        Clauses with ``text`` and (optionally) ``section`` and ``section_title``
        attributes, in reading order.
    align : callable
        Aligns two lists of clause texts (:func:`itunlp.views.diffing.align_clauses`).
    texts : (str, str), optional
        The two versions' texts, which the clause offsets index: they tell apart two
        sections of one name that follow each other (:func:`title_restarts`).

    Returns
    -------
    aligned : list of (old index, new index, similarity, section label)
        Indices into the whole versions. Without sections on both sides the whole
        texts are aligned at once and every label is ``""``.
    notes : list of str
        Remarks on the pairing (repeated section names; sections on one side only).
    """
    old_sections, new_sections = _sections_of(old_clauses), _sections_of(new_clauses)
    old_has, new_has = has_sections(old_sections), has_sections(new_sections)
    if not (old_has and new_has):
        rows = align([c.text for c in old_clauses], [c.text for c in new_clauses])
        notes = []
        if old_has or new_has:
            side, names = ("old", old_sections) if old_has else ("new", new_sections)
            found = ", ".join(dict.fromkeys(n for n in names if n))
            notes.append(f"only the {side} version has sections ({found}): compared as whole texts")
        return [(i, j, score, "") for i, j, score in rows], notes
    old_text, new_text = texts if texts is not None else (None, None)
    old_runs = _runs(old_clauses, old_sections, old_text)
    new_runs = _runs(new_clauses, new_sections, new_text)
    pairs, notes = pair_sections(old_runs, new_runs)
    aligned: list[tuple[int | None, int | None, float, str]] = []
    for a, b in pairs:
        old_idx = old_runs[a].indices if a is not None else []
        new_idx = new_runs[b].indices if b is not None else []
        label = new_runs[b].label if b is not None else old_runs[a].label  # type: ignore[index]
        local = align(
            [old_clauses[i].text for i in old_idx], [new_clauses[j].text for j in new_idx]
        )
        for i, j, score in local:
            aligned.append(
                (
                    old_idx[i] if i is not None else None,
                    new_idx[j] if j is not None else None,
                    score,
                    label,
                )
            )
    return aligned, notes
