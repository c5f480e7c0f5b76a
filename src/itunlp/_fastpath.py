"""Theme prediction at the speed of tokenizing: numpy only, no scikit-learn, no SciPy.

A fitted :class:`~itunlp.classifier.ThemeClassifier` scores a clause as one linear
function of its features (word and character TF-IDF n-grams, the heading, the
scheme's term and trap hits), then calibrates and thresholds the score. This
module computes exactly that from the arrays of a model folder, for a whole batch
of clauses at once, without importing what training needs:

* :class:`TermMatcher` finds every theme's terms and traps in one pass over the
  batch: one regular expression (a trie of all the scheme's stems) finds the few
  positions where some term can start, and only there are the patterns of the
  themes whose terms begin with those letters tried. The hits are exactly those
  of :meth:`ThemeScheme.term_hits` / :meth:`ThemeScheme.trap_hits` (same regular
  expressions, same left-to-right, non-overlapping scan per theme).
* :class:`TextBlock` gives the word (1-2-gram) and character (``char_wb``)
  TF-IDF features of scikit-learn's vectorizers from one tokenisation: each
  distinct lower-cased whitespace token is analysed once (its character n-grams
  and its word tokens, as vocabulary indices) and cached, so a batch costs a
  dictionary look-up per token and a few numpy passes.
* :class:`FastThemePredictor` adds the blocks' contributions with ``np.bincount``
  (a sparse dot product), then applies the intercepts, Platt calibration, term
  priors and thresholds.

Feature blocks (extending the features)
---------------------------------------
The features are named blocks in one shared index space, in this order: ``text``
(word n-grams, then character n-grams), ``function`` (the heading), ``terms``
(3 per theme). A block is any object with

* ``name`` (str) and ``n_features`` (int);
* ``__call__(batch) -> (rows, cols, values)``: numpy arrays, one entry per
  non-zero feature of the batch's clauses, ``rows`` indexing ``batch``'s clauses
  and ``cols`` the block's own features ``0 .. n_features - 1``;
* ``feature_name(col) -> str``, for :meth:`FastThemePredictor.explain`.

A :class:`ClauseBatch` carries the clause texts, their headings and any context
fields (``batch.context["section_title"]``, neighbouring clauses ...), plus a
``shared`` dictionary where blocks keep work others can reuse (the term counts,
the tokenisation). A new block is appended to the predictor's list; the weights
it needs are the next ``n_features`` columns of ``coef``. Nothing else changes:
the existing blocks neither know nor care. :func:`blocks_matrix` turns blocks
into a SciPy CSR matrix for training.
"""

from __future__ import annotations

import itertools
import math
import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any, Protocol

import numpy as np

__all__ = [
    "ClauseBatch",
    "FastThemePredictor",
    "FeatureBlock",
    "FunctionBlock",
    "TermMatcher",
    "TermsBlock",
    "TextBlock",
    "blocks_matrix",
    "char_wb_ngrams",
    "function_kind",
]

# ----------------------------------------------------------------------- headings

# The same word lists as itunlp.classifier (kept in one place there once merged).
_PREAMBLE_WORDS = frozenset(
    """recalling considering recognizing recognising noting bearing having emphasizing
    emphasising aware convinced mindful acknowledging taking observing concerned welcoming
    reaffirming affirming stressing underlining highlighting expressing alarmed deeply
    appreciating realizing realising guided referring""".split()
)
_OPERATIVE_WORDS = frozenset(
    """resolves resolve decides decide instructs instruct invites invite encourages encourage
    requests request calls urges urge asks appeals charges directs endorses approves adopts
    recommends recommend accepts agrees declares""".split()
)
_HEADING_PREFIXES = frozenset({"further", "also", "and", "firmly", "strongly", "moreover"})


def function_kind(function: str) -> str:
    """``preamble``, ``operative``, ``other`` or ``none`` for a resolution heading.

    Examples
    --------
    >>> function_kind("recognizing further"), function_kind("further resolves")
    ('preamble', 'operative')
    """
    words = function.lower().split()
    if not words:
        return "none"
    while len(words) > 1 and words[0] in _HEADING_PREFIXES:
        words = words[1:]
    if words[0] in _PREAMBLE_WORDS:
        return "preamble"
    if words[0] in _OPERATIVE_WORDS:
        return "operative"
    return "other"


# ------------------------------------------------------------------------- batch


@dataclass
class ClauseBatch:
    """Clauses predicted together: texts, headings, context fields, shared work.

    Parameters
    ----------
    texts : list of str
    functions : list of str
        Headings, lower case and whitespace-folded (as :func:`coerce_clauses` gives).
    context : dict of str to sequence
        Extra per-clause fields for context blocks (one value per clause).
    """

    texts: list[str]
    functions: list[str]
    context: dict[str, Sequence[Any]] = field(default_factory=dict)
    shared: dict[str, Any] = field(default_factory=dict, repr=False)

    def __len__(self) -> int:
        return len(self.texts)


SparseRows = tuple[np.ndarray, np.ndarray, np.ndarray]


class FeatureBlock(Protocol):
    """What a feature block provides (see the module docstring)."""

    name: str
    n_features: int

    def __call__(self, batch: ClauseBatch) -> SparseRows: ...

    def feature_name(self, col: int) -> str: ...


def _empty() -> SparseRows:
    return np.zeros(0, np.int64), np.zeros(0, np.int64), np.zeros(0, np.float64)


# ------------------------------------------------------------------ term matcher


def _term_alternative(term: str) -> str:
    """One term's regex, exactly as :mod:`itunlp.themes` writes it."""
    from itunlp.themes import _term_regex

    return _term_regex(term)


def _case_sensitive(term: str) -> bool:
    from itunlp.themes import _is_case_sensitive

    return _is_case_sensitive(term)


def _stem_key(term: str) -> str | None:
    """Up to three leading letters of a term, lower case; None when not plain ASCII."""
    stem = term.rstrip("*")
    cut = len(stem)
    for index, char in enumerate(stem):
        if char.isspace():
            cut = index
            break
    key = stem[: min(3, cut)]
    if not key or not key.isascii():
        return None
    return key.lower()


def _trie_regex(stems: Sequence[str]) -> str:
    """A regex matching where any stem starts (a stem's whitespace as ``\\s+``)."""
    root: dict[str, dict] = {}
    for stem in stems:
        node = root
        for char in stem:
            node = node.setdefault(char, {})
        node[""] = {}

    def emit(node: dict[str, dict]) -> str:
        if "" in node:
            return ""  # a stem ends here: enough for a candidate
        parts = [
            (r"\s+" if char == " " else re.escape(char)) + emit(child)
            for char, child in sorted(node.items())
        ]
        return parts[0] if len(parts) == 1 else "(?:" + "|".join(parts) + ")"

    return emit(root)


def _join_alternatives(terms: Sequence[str]) -> str | None:
    """The pattern :func:`itunlp.themes._compile_terms` builds, for a subset of terms."""
    folded = [_term_alternative(t) for t in terms if not _case_sensitive(t)]
    exact = [_term_alternative(t) for t in terms if _case_sensitive(t)]
    parts = []
    if folded:
        parts.append("(?i:" + "|".join(sorted(folded, key=len, reverse=True)) + ")")
    if exact:
        parts.append("(?:" + "|".join(sorted(exact, key=len, reverse=True)) + ")")
    return "|".join(parts) if parts else None


class TermMatcher:
    """All themes' term and trap hits in one pass (same hits as :class:`ThemeScheme`).

    Each theme's terms form one regular expression in :mod:`itunlp.themes`,
    scanned left to right without overlaps. Here one trie regex over every stem
    finds the positions where any term can begin; at each, only the themes with
    a term starting with the same (up to three, case-folded) letters try their
    pattern restricted to those terms, in the original order, and a theme skips
    positions inside its previous hit. That reproduces each theme's own scan
    exactly. Text whose first letters at a candidate are not ASCII is checked
    with the themes' complete patterns.

    Parameters
    ----------
    scheme : ThemeScheme

    Examples
    --------
    >>> from itunlp.themes import load_themes
    >>> matcher = TermMatcher(load_themes())
    >>> counts = matcher.counts(["The financial security of the Union"])
    >>> j = matcher.themes.index("cybersecurity")
    >>> counts[0, j].tolist()  # (term hits, trap hits)
    [1, 1]
    """

    def __init__(self, scheme: Any) -> None:
        self.themes = list(scheme.ids)
        # One slot per theme and kind (0 terms, 1 traps) that has a pattern.
        self.slots: list[tuple[int, int]] = []
        full: list[tuple[int, re.Pattern[str]]] = []
        by_key: dict[str | None, list[tuple[int, str]]] = {}
        stems: set[str] = set()
        slot_terms: list[list[str]] = []
        for j, theme_id in enumerate(self.themes):
            theme = scheme[theme_id]
            for kind, terms in ((0, theme.terms), (1, theme.traps)):
                pattern = _join_alternatives(terms)
                if pattern is None:
                    continue
                slot = len(self.slots)
                self.slots.append((j, kind))
                full.append((slot, re.compile(pattern)))
                slot_terms.append(list(terms))
                for term in terms:
                    stems.add(term.rstrip("*"))
                    by_key.setdefault(_stem_key(term), []).append((slot, term))
        self._full = tuple(full)
        self._candidates = re.compile(r"(?<![\w-])(?=(?i:" + _trie_regex(sorted(stems)) + "))")
        wild = set(by_key.get(None, []))

        def entries(keys: set[str]) -> tuple[tuple[int, re.Pattern[str]], ...]:
            # Per slot, the terms whose key is one of ``keys`` (or not ASCII), in the
            # slot's own order, as one pattern: the same first match as the full one.
            out = []
            for slot, terms in enumerate(slot_terms):
                chosen = [
                    t for t in terms if _stem_key(t) in keys or (slot, t) in wild
                ]
                pattern = _join_alternatives(chosen)
                if pattern is not None:
                    out.append((slot, re.compile(pattern)))
            return tuple(out)

        keys = [k for k in by_key if k is not None]
        self._by3 = {k: entries({k, k[:2], k[:1]}) for k in keys if len(k) == 3}
        self._by2 = {k: entries({k, k[:1]}) for k in keys if len(k) == 2}
        self._by1 = {k: entries({k}) for k in keys if len(k) == 1}
        self._wild = entries(set())
        self.n_slots = len(self.slots)

    def _scan(self, texts: Sequence[str], record: Callable[[int, int, re.Match[str]], None]) -> None:
        """Call ``record(clause, slot, match)`` for every hit, in text order per slot."""
        # "\0" is neither a word character, a hyphen nor whitespace: no pattern can
        # match across it, and a clause start looks like a string start to every
        # lookbehind. Offsets map hits back to clauses.
        joined = "\0".join(texts)
        starts = np.cumsum([0] + [len(t) + 1 for t in texts[:-1]]) if texts else np.zeros(0)
        last_end = [0] * self.n_slots
        by3, by2, by1, wild, full = self._by3, self._by2, self._by1, self._wild, self._full
        positions = []
        found = []
        for candidate in self._candidates.finditer(joined):
            pos = candidate.start()
            head = joined[pos : pos + 3]
            if head.isascii():
                key = head.lower()
                tries = by3.get(key) or by2.get(key[:2]) or by1.get(key[:1]) or wild
            else:
                tries = full
            for slot, pattern in tries:
                if pos < last_end[slot]:
                    continue
                match = pattern.match(joined, pos)
                if match is not None:
                    last_end[slot] = match.end()
                    positions.append(pos)
                    found.append((slot, match))
        if not found:
            return
        rows = np.searchsorted(starts, np.asarray(positions), side="right") - 1
        for row, (slot, match) in zip(rows.tolist(), found, strict=True):
            record(row, slot, match)

    def counts(self, texts: Sequence[str]) -> np.ndarray:
        """Hit counts of shape ``(n_texts, n_themes, 2)``: terms, then traps."""
        out = np.zeros((len(texts), len(self.themes), 2), dtype=np.int64)
        if not texts:
            return out
        hits: list[tuple[int, int]] = []
        self._scan(texts, lambda row, slot, match: hits.append((row, slot)))
        if hits:
            rows, slots = np.asarray(hits).T
            slot_theme = np.array([j for j, _ in self.slots])
            slot_kind = np.array([k for _, k in self.slots])
            np.add.at(out, (rows, slot_theme[slots], slot_kind[slots]), 1)
        return out

    def hits(self, text: str) -> tuple[dict[str, list[str]], dict[str, list[str]]]:
        """``(term_hits, trap_hits)`` of one text, as the scheme's methods give them."""
        found: tuple[dict[str, list[str]], dict[str, list[str]]] = ({}, {})

        def record(row: int, slot: int, match: re.Match[str]) -> None:
            j, kind = self.slots[slot]
            found[kind].setdefault(self.themes[j], []).append(match.group(0))

        self._scan([text], record)
        order = {t: i for i, t in enumerate(self.themes)}
        return tuple(dict(sorted(d.items(), key=lambda kv: order[kv[0]])) for d in found)  # type: ignore[return-value]


# ------------------------------------------------------------------ text features

_WORD_TOKEN = re.compile(r"(?u)\b[\w][\w-]*\b")


def char_wb_ngrams(word: str, ngram_range: tuple[int, int]) -> list[str]:
    """scikit-learn's ``char_wb`` n-grams of one whitespace-free, lower-cased token.

    Examples
    --------
    >>> char_wb_ngrams("itu", (2, 3))
    [' i', 'it', 'tu', 'u ', ' it', 'itu', 'tu ']
    """
    padded = " " + word + " "
    size = len(padded)
    out = []
    for n in range(ngram_range[0], ngram_range[1] + 1):
        offset = 0
        out.append(padded[offset : offset + n])
        while offset + n < size:
            offset += 1
            out.append(padded[offset : offset + n])
        if offset == 0:
            break
    return out


_MAX_PACKED = 15
# 1 + log(count) for the packed counts 0..15 (0 is never used).
_LOG_TF = np.concatenate(([0.0], np.log(np.arange(1, _MAX_PACKED + 1)) + 1.0))


class _TypeIndex(dict):
    """Token type -> id; an unseen token is analysed on first look-up."""

    def __init__(self, add: Callable[[str], int]) -> None:
        super().__init__()
        self.add = add

    def __missing__(self, token: str) -> int:
        return self.add(token)


class _Growing:
    """An append-only int64 array with amortised growth."""

    def __init__(self) -> None:
        self.data = np.zeros(1024, dtype=np.int64)
        self.size = 0

    def extend(self, values: Sequence[int]) -> None:
        need = self.size + len(values)
        if need > len(self.data):
            grown = np.zeros(max(need, 2 * len(self.data)), dtype=np.int64)
            grown[: self.size] = self.data[: self.size]
            self.data = grown
        self.data[self.size : need] = values
        self.size = need

    def view(self) -> np.ndarray:
        return self.data[: self.size]


def _expand(ptr: np.ndarray, flat: np.ndarray, ids: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """For each id, the slice ``flat[ptr[id]:ptr[id+1]]``, concatenated; and the id index."""
    begin = ptr[ids]
    lengths = ptr[ids + 1] - begin
    total = int(lengths.sum())
    owner = np.repeat(np.arange(len(ids)), lengths)
    if not total:
        return flat[:0], owner
    shift = np.repeat(begin - (np.cumsum(lengths) - lengths), lengths)
    return flat[np.arange(total) + shift], owner


def _tfidf(
    rows: np.ndarray, cols: np.ndarray, n_rows: int, n_cols: int, idf: np.ndarray, weight: float
) -> SparseRows:
    """Sublinear TF-IDF, l2-normalised per row, times ``weight`` (as TfidfVectorizer)."""
    if not len(cols):
        return _empty()
    keys = rows.astype(np.int64) * n_cols + cols
    keys.sort()
    edges = np.flatnonzero(np.diff(keys)) + 1
    first = np.concatenate(([0], edges))
    tf = np.diff(np.concatenate((first, [len(keys)])))
    unique = keys[first]
    r, c = np.divmod(unique, n_cols)
    values = (np.log(tf) + 1.0) * idf[c]
    norms = np.sqrt(np.bincount(r, weights=values * values, minlength=n_rows))
    values = values / norms[r] * weight
    return r, c, values


class TextBlock:
    """Word n-gram and ``char_wb`` n-gram TF-IDF, as the classifier's two vectorizers.

    Columns: the word vocabulary, then the character vocabulary (if any).

    Parameters
    ----------
    word_vocabulary, char_vocabulary : list of str
        Feature strings by column (``char_vocabulary`` None when switched off).
    word_idf, char_idf : ndarray
    word_ngram_range : (1, 1), (1, 2) or (2, 2)
    char_ngram_range : tuple of int or None
    char_weight : float
    max_types : int
        Distinct tokens kept in the analysis cache; it is emptied when full, so a
        stream of new words keeps memory flat.
    """

    name = "text"

    def __init__(
        self,
        word_vocabulary: Sequence[str],
        word_idf: np.ndarray,
        word_ngram_range: tuple[int, int],
        char_vocabulary: Sequence[str] | None = None,
        char_idf: np.ndarray | None = None,
        char_ngram_range: tuple[int, int] | None = None,
        char_weight: float = 1.0,
        max_types: int = 200_000,
    ) -> None:
        low, high = word_ngram_range
        if (low, high) not in ((1, 1), (1, 2), (2, 2)):
            raise ValueError(f"word_ngram_range {word_ngram_range} is not supported here")
        self.unigrams, self.bigrams = low == 1, high == 2
        self.word_vocabulary = list(word_vocabulary)
        self.n_word = len(self.word_vocabulary)
        unigram_ids: dict[str, int] = {}
        pairs: list[tuple[str, str, int]] = []
        for index, term in enumerate(self.word_vocabulary):
            if " " in term:
                first, _, second = term.partition(" ")
                pairs.append((first, second, index))
            else:
                unigram_ids[term] = index
        # Bigram words need ids even when the model keeps no unigrams (range (2, 2)).
        self._token_ids = dict(unigram_ids)
        for first, second, _ in pairs:
            for token in (first, second):
                self._token_ids.setdefault(token, -2 - len(self._token_ids))
        keys = []
        values = []
        base = len(self._token_ids) + 2
        self._pair_base = base
        for first, second, index in pairs:
            keys.append(self._pair_key(self._token_ids[first], self._token_ids[second]))
            values.append(index)
        order = np.argsort(np.asarray(keys, dtype=np.int64), kind="stable")
        self._pair_keys = np.asarray(keys, dtype=np.int64)[order]
        self._pair_values = np.asarray(values, dtype=np.int64)[order]
        self.word_idf = np.asarray(word_idf, dtype=np.float64)
        self.char_vocabulary = list(char_vocabulary) if char_vocabulary is not None else None
        self.char_ids = (
            {g: i for i, g in enumerate(self.char_vocabulary)} if self.char_vocabulary else {}
        )
        self.n_char = len(self.char_vocabulary) if self.char_vocabulary is not None else 0
        self.char_idf = np.asarray(char_idf, dtype=np.float64) if self.n_char else None
        self.char_ngram_range = tuple(char_ngram_range) if char_ngram_range else None
        self.char_weight = float(char_weight)
        self.n_features = self.n_word + self.n_char
        self.max_types = max_types
        self._reset()

    def _pair_key(self, first: int, second: int) -> int:
        # Token ids run from -1 - n (bigram-only words) to n_word; shift to >= 0.
        offset = len(self._token_ids) + 1
        return (first + offset) * (2 * offset + 1) + (second + offset)

    def _reset(self) -> None:
        self._types = _TypeIndex(self._add_type)
        self._char_ptr, self._char_flat, self._char_count = _Growing(), _Growing(), _Growing()
        # Per token type, its character block's contribution (see score); filled lazily.
        self._type_sums = np.zeros((0, 0))
        self._type_sums_filled = 0
        self._word_ptr, self._word_flat = _Growing(), _Growing()
        self._char_ptr.extend([0])
        self._word_ptr.extend([0])

    def _add_type(self, token: str) -> int:
        index = len(self._types)
        self._types[token] = index
        if self.char_ngram_range is not None:
            counts: dict[int, int] = {}
            for gram in char_wb_ngrams(token, self.char_ngram_range):
                col = self.char_ids.get(gram)
                if col is not None:
                    counts[col] = counts.get(col, 0) + 1
            cols: list[int] = []
            numbers: list[int] = []
            for col, count in sorted(counts.items()):
                while count > 0:  # counts are packed in 4 bits: split larger ones
                    cols.append(col)
                    numbers.append(min(count, _MAX_PACKED))
                    count -= _MAX_PACKED
            self._char_flat.extend(cols)
            self._char_count.extend(numbers)
            self._char_ptr.extend([self._char_flat.size])
        words = [self._token_ids.get(w, -1) for w in _WORD_TOKEN.findall(token)]
        self._word_flat.extend(words)
        self._word_ptr.extend([self._word_flat.size])
        return index

    def _type_ids(self, batch: ClauseBatch) -> tuple[np.ndarray, np.ndarray]:
        """Token type ids of the batch and the clause of each token (cached in ``shared``)."""
        cached = batch.shared.get("text.types")
        if cached is not None:
            return cached
        if len(self._types) > self.max_types:
            self._reset()
        tokens_per_clause = [text.lower().split() for text in batch.texts]
        lengths = np.fromiter(map(len, tokens_per_clause), dtype=np.int64, count=len(batch))
        type_ids = np.fromiter(
            map(self._types.__getitem__, itertools.chain.from_iterable(tokens_per_clause)),
            dtype=np.int64,
            count=int(lengths.sum()),
        )
        rows = np.repeat(np.arange(len(batch)), lengths)
        batch.shared["text.types"] = (type_ids, rows)
        return type_ids, rows

    def _word_entries(self, batch: ClauseBatch) -> tuple[np.ndarray, np.ndarray]:
        """(clause, word feature) of every word n-gram occurrence of the batch."""
        type_ids, token_rows = self._type_ids(batch)
        words, owner = _expand(self._word_ptr.view(), self._word_flat.view(), type_ids)
        word_rows = token_rows[owner]
        parts_r, parts_c = [], []
        if self.unigrams:
            known = words >= 0
            parts_r.append(word_rows[known])
            parts_c.append(words[known])
        if self.bigrams and len(words) > 1 and len(self._pair_keys):
            first, second = words[:-1], words[1:]
            ok = (word_rows[:-1] == word_rows[1:]) & (first != -1) & (second != -1)
            keys = self._pair_key(first[ok], second[ok])
            where = np.searchsorted(self._pair_keys, keys)
            where[where == len(self._pair_keys)] = 0
            hit = self._pair_keys[where] == keys
            parts_r.append(word_rows[:-1][ok][hit])
            parts_c.append(self._pair_values[where[hit]])
        if not parts_c:
            return np.zeros(0, np.int64), np.zeros(0, np.int64)
        return np.concatenate(parts_r), np.concatenate(parts_c)

    def _char_entries(
        self, batch: ClauseBatch
    ) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """(clause, char feature, count) of each token's character n-grams, token by token."""
        type_ids, token_rows = self._type_ids(batch)
        ptr = self._char_ptr.data
        begin = ptr[type_ids]
        lengths = ptr[type_ids + 1] - begin
        rows = np.repeat(token_rows, lengths)
        total = len(rows)
        if not total:
            return rows, rows, rows
        where = np.repeat(begin - (np.cumsum(lengths) - lengths), lengths)
        where += np.arange(total)
        return rows, self._char_flat.data[where], self._char_count.data[where]

    def _tables(self, coef: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """Weights with idf (and the char weight) folded in, plus idf**2, as (k + 1, n) rows."""
        cached = getattr(self, "_table_cache", None)
        if cached is not None and cached[0] is coef:
            return cached[1], cached[2]
        k = coef.shape[0]
        word = np.empty((k + 1, self.n_word))
        word[:k] = coef[:, : self.n_word] * self.word_idf
        word[k] = self.word_idf**2
        char = np.empty((k + 1, self.n_char))
        if self.n_char:
            char[:k] = coef[:, self.n_word :] * (self.char_idf * self.char_weight)
            char[k] = self.char_idf**2
        self._table_cache = (coef, word, char)
        self._type_sums_filled = 0  # new weights: every type's sums are stale
        return word, char

    @staticmethod
    def _by_row(sums: np.ndarray, rows: np.ndarray, n: int) -> np.ndarray:
        """Column sums of ``sums`` (k + 1, m) grouped by sorted ``rows``, as (k + 1, n)."""
        out = np.zeros((sums.shape[0], n))
        if not len(rows):
            return out
        first = np.flatnonzero(np.concatenate(([True], rows[1:] != rows[:-1])))
        out[:, rows[first]] = np.add.reduceat(sums, first, axis=1)
        return out

    def _word_sums(self, batch: ClauseBatch, table: np.ndarray) -> np.ndarray:
        """Per clause: the word block's weighted sums and squared norm, (k + 1, n)."""
        rows, cols = self._word_entries(batch)
        n, k = len(batch), table.shape[0] - 1
        if not len(cols):
            return np.zeros((k + 1, n))
        bits = max(1, int(self.n_word).bit_length())
        keys = (rows << bits) | cols
        keys.sort()
        first = np.flatnonzero(np.concatenate(([True], keys[1:] != keys[:-1])))
        log_tf = np.log(np.diff(np.append(first, len(keys)))) + 1.0
        unique = keys[first]
        sums = table[:, unique & ((1 << bits) - 1)]
        sums[:k] *= log_tf
        sums[k] *= log_tf * log_tf
        return self._by_row(sums, unique >> bits, n)

    def _fill_type_sums(self, table: np.ndarray) -> np.ndarray:
        """Each token type's character-block sums, as if it were alone in its clause."""
        n_types = len(self._types)
        if self._type_sums.shape[1:] != table.shape[:1]:
            self._type_sums_filled = 0
        filled = self._type_sums_filled
        if self._type_sums.shape != (len(self._char_ptr.data) - 1, table.shape[0]):
            grown = np.zeros((len(self._char_ptr.data) - 1, table.shape[0]))
            if filled:
                grown[:filled] = self._type_sums[:filled]
            self._type_sums = grown
        if filled < n_types:
            ptr = self._char_ptr.data
            lo, hi = ptr[filled], ptr[n_types]
            cols = self._char_flat.data[lo:hi]
            log_tf = _LOG_TF[self._char_count.data[lo:hi]]
            owner = np.repeat(np.arange(n_types - filled), np.diff(ptr[filled : n_types + 1]))
            sums = table[:, cols]
            sums[:-1] *= log_tf
            sums[-1] *= log_tf * log_tf
            for j in range(table.shape[0]):
                self._type_sums[filled:n_types, j] = np.bincount(
                    owner, weights=sums[j], minlength=n_types - filled
                )
            self._type_sums_filled = n_types
        return self._type_sums

    def _char_sums(self, batch: ClauseBatch, table: np.ndarray) -> np.ndarray:
        """Per clause: the character block's weighted sums and squared norm, (k + 1, n).

        A clause's n-gram counts are the sums of its tokens' counts, and TF-IDF is
        not linear in them (``1 + log(tf)``). So each token type's sums are computed
        once, as if the type were alone, and added per clause; only the n-grams
        that two tokens of one clause share (a minority) get a correction,
        ``(1 + log(tf)) - sum(1 + log(count))``, found by sorting the batch's
        (clause, n-gram) pairs.
        """
        n, k1 = len(batch), table.shape[0]
        type_ids, token_rows = self._type_ids(batch)
        type_sums = self._fill_type_sums(table)
        out = self._by_row(np.ascontiguousarray(type_sums[type_ids].T), token_rows, n)
        rows, cols, counts = self._char_entries(batch)
        if not len(cols):
            return out
        bits = max(1, int(self.n_char).bit_length())
        keys = (((rows << bits) | cols) << 4) | counts
        keys.sort()
        pairs = keys >> 4
        differs = pairs[1:] != pairs[:-1]
        starts = np.concatenate(([True], differs))
        ends = np.concatenate((differs, [True]))
        # Groups of two entries or more: one start that is not an end, and one end
        # that is not a start, in the same order.
        group_first = np.flatnonzero(starts & ~ends)
        if not len(group_first):
            return out
        group_last = np.flatnonzero(ends & ~starts)
        # Most n-grams occur once per token: a group of s such entries has tf = s and
        # s alone-terms of 1 + log(1) = 1. Entries with a count above one adjust that.
        tf = (group_last - group_first + 1).astype(np.float64)
        alone = tf.copy()
        alone_sq = tf.copy()
        several = np.flatnonzero((keys & 15) > 1)
        if len(several):
            group = np.searchsorted(group_first, several, side="right") - 1
            inside = (group >= 0) & (several <= group_last[np.maximum(group, 0)])
            group, extra = group[inside], keys[several[inside]] & 15
            np.add.at(tf, group, extra - 1)
            np.add.at(alone, group, _LOG_TF[extra] - 1.0)
            np.add.at(alone_sq, group, _LOG_TF[extra] ** 2 - 1.0)
        together = np.log(tf) + 1.0
        pair = pairs[group_first]
        sums = table[:, pair & ((1 << bits) - 1)]
        sums[: k1 - 1] *= together - alone
        sums[k1 - 1] *= together * together - alone_sq
        return out + self._by_row(sums, pair >> bits, n)

    def score(self, batch: ClauseBatch, coef: np.ndarray) -> np.ndarray:
        """``features @ coef.T`` for the batch without building the features.

        ``coef`` holds this block's columns of the weights, shape ``(k, n_features)``.
        The idf (and the character weight) are folded into the weights once; each
        vectorizer's l2 norm divides the clause's sums at the end.
        """
        n, k = len(batch), coef.shape[0]
        out = np.zeros((n, k))
        if not n:
            return out
        word_table, char_table = self._tables(coef)
        parts = [self._word_sums(batch, word_table)]
        if self.n_char:
            parts.append(self._char_sums(batch, char_table))
        for sums in parts:
            norms = np.sqrt(sums[k])
            present = norms > 0
            out[present] += (sums[:k, present] / norms[present]).T
        return out

    def __call__(self, batch: ClauseBatch) -> SparseRows:
        n = len(batch)
        if not n:
            return _empty()
        type_ids, token_rows = self._type_ids(batch)
        # Words: each token type's word tokens, in order, then n-grams within a clause.
        word_ptr, word_flat = self._word_ptr.view(), self._word_flat.view()
        words, owner = _expand(word_ptr, word_flat, type_ids)
        word_rows = token_rows[owner]
        parts_r, parts_c = [], []
        if self.unigrams:
            known = words >= 0
            parts_r.append(word_rows[known])
            parts_c.append(words[known])
        if self.bigrams and len(words) > 1 and len(self._pair_keys):
            first, second = words[:-1], words[1:]
            ok = (word_rows[:-1] == word_rows[1:]) & (first != -1) & (second != -1)
            keys = self._pair_key(first[ok], second[ok])
            where = np.searchsorted(self._pair_keys, keys)
            where[where == len(self._pair_keys)] = 0
            hit = self._pair_keys[where] == keys
            parts_r.append(word_rows[:-1][ok][hit])
            parts_c.append(self._pair_values[where[hit]])
        if parts_c:
            wr, wc = np.concatenate(parts_r), np.concatenate(parts_c)
        else:
            wr = wc = np.zeros(0, np.int64)
        r1, c1, v1 = _tfidf(wr, wc, n, self.n_word, self.word_idf, 1.0)
        if not self.n_char:
            return r1, c1, v1
        rows, grams, counts = self._char_entries(batch)
        r2, c2, v2 = _tfidf(
            np.repeat(rows, counts), np.repeat(grams, counts), n, self.n_char, self.char_idf,
            self.char_weight,
        )
        return (
            np.concatenate((r1, r2)),
            np.concatenate((c1, c2 + self.n_word)),
            np.concatenate((v1, v2)),
        )

    def feature_name(self, col: int) -> str:
        if col < self.n_word:
            return f"word '{self.word_vocabulary[col]}'"
        assert self.char_vocabulary is not None
        return f"chars '{self.char_vocabulary[col - self.n_word]}'"


class FunctionBlock:
    """The heading's words and kind (``__operative__`` ...), binary, l2-normalised."""

    name = "function"
    _TOKEN = re.compile(r"(?u)\b\w+\b")

    def __init__(self, vocabulary: Sequence[str], weight: float) -> None:
        self.vocabulary = list(vocabulary)
        self.ids = {w: i for i, w in enumerate(self.vocabulary)}
        self.n_features = len(self.vocabulary)
        self.weight = float(weight)
        self._cache: dict[str, tuple[list[int], float]] = {}

    def _analyse(self, function: str) -> tuple[list[int], float]:
        found = self._cache.get(function)
        if found is None:
            document = f"__{function_kind(function)}__ {function}".lower()
            cols = sorted({self.ids[t] for t in self._TOKEN.findall(document) if t in self.ids})
            value = self.weight / math.sqrt(len(cols)) if cols else 0.0
            if len(self._cache) > 10_000:
                self._cache.clear()
            found = self._cache[function] = (cols, value)
        return found

    def __call__(self, batch: ClauseBatch) -> SparseRows:
        rows: list[int] = []
        cols: list[int] = []
        values: list[float] = []
        for row, function in enumerate(batch.functions):
            found, value = self._analyse(function)
            rows += [row] * len(found)
            cols += found
            values += [value] * len(found)
        return (
            np.asarray(rows, dtype=np.int64),
            np.asarray(cols, dtype=np.int64),
            np.asarray(values, dtype=np.float64),
        )

    def feature_name(self, col: int) -> str:
        return f"heading '{self.vocabulary[col]}'"


class TermsBlock:
    """Per theme: a term hit not explained by a trap, log1p of the net count, any trap."""

    name = "terms"

    def __init__(self, matcher: TermMatcher, weight: float) -> None:
        self.matcher = matcher
        self.themes = matcher.themes
        self.n_features = 3 * len(self.themes)
        self.weight = float(weight)

    def dense(self, batch: ClauseBatch) -> np.ndarray:
        """The block as a dense ``(n_clauses, 3 * n_themes)`` array (cached in ``shared``)."""
        cached = batch.shared.get("terms.dense")
        if cached is not None:
            return cached
        counts = self.matcher.counts(batch.texts)
        terms, traps = counts[:, :, 0], counts[:, :, 1]
        net = np.maximum(0, terms - traps)
        out = np.empty((len(batch), len(self.themes), 3))
        out[:, :, 0] = net > 0
        out[:, :, 1] = np.log1p(net)
        out[:, :, 2] = traps > 0
        dense = out.reshape(len(batch), 3 * len(self.themes))
        batch.shared["terms.dense"] = dense
        return dense

    def __call__(self, batch: ClauseBatch) -> SparseRows:
        dense = self.dense(batch)
        rows, cols = np.nonzero(dense)
        return rows, cols, dense[rows, cols] * self.weight

    def feature_name(self, col: int) -> str:
        theme, which = self.themes[col // 3], col % 3
        return (f"terms of {theme}", f"term count of {theme}", f"trap of {theme}")[which]


def blocks_matrix(blocks: Sequence[FeatureBlock], batch: ClauseBatch) -> Any:
    """The blocks' features of a batch as one SciPy CSR matrix (for training)."""
    import scipy.sparse as sp

    parts_r, parts_c, parts_v = [], [], []
    offset = 0
    for block in blocks:
        rows, cols, values = block(batch)
        parts_r.append(rows)
        parts_c.append(cols + offset)
        parts_v.append(values)
        offset += block.n_features
    return sp.csr_matrix(
        (np.concatenate(parts_v), (np.concatenate(parts_r), np.concatenate(parts_c))),
        shape=(len(batch), offset),
    )


# --------------------------------------------------------------------- predictor


def _expit(x: np.ndarray) -> np.ndarray:
    # scipy.special.expit without SciPy: stable for large |x|.
    out = np.empty_like(x)
    positive = x >= 0
    out[positive] = 1.0 / (1.0 + np.exp(-x[positive]))
    exp = np.exp(x[~positive])
    out[~positive] = exp / (1.0 + exp)
    return out


class FastThemePredictor:
    """A fitted theme classifier's predictions from its arrays, numpy only.

    Parameters
    ----------
    blocks : list of FeatureBlock
        In column order; their ``n_features`` add up to ``coef.shape[1]``.
    coef : ndarray of shape (n_learned, n_features)
        Logistic weights (the NB scaling already folded in).
    intercept : ndarray of shape (n_learned,)
    calibration : ndarray of shape (n_learned, 2)
        Platt ``(a, b)``.
    classes : list of str
        Theme ids, the output columns.
    learned_themes : list of str
        Themes with a learned model, the rows of ``coef``.
    prior_themes : list of str
        Themes predicted by the term prior (too few labels, or the prior won).
    thresholds : ndarray of shape (n_classes,)
    terms : TermsBlock
        The block whose term hits the prior uses (one of ``blocks``).
    prior_hit, prior_miss : float
    """

    def __init__(
        self,
        blocks: Sequence[FeatureBlock],
        coef: np.ndarray,
        intercept: np.ndarray,
        calibration: np.ndarray,
        classes: Sequence[str],
        learned_themes: Sequence[str],
        prior_themes: Sequence[str],
        thresholds: np.ndarray,
        terms: TermsBlock,
        prior_hit: float = 0.7,
        prior_miss: float = 0.02,
    ) -> None:
        self.blocks = list(blocks)
        self.coef = np.ascontiguousarray(coef, dtype=np.float64)
        n_features = sum(b.n_features for b in self.blocks)
        if self.coef.shape != (len(learned_themes), n_features):
            raise ValueError(
                f"weights of shape {self.coef.shape} do not fit {len(learned_themes)} themes x "
                f"{n_features} features"
            )
        self.intercept = np.asarray(intercept, dtype=np.float64)
        self.calibration = np.asarray(calibration, dtype=np.float64).reshape(-1, 2)
        self.classes = list(classes)
        self.learned_themes = list(learned_themes)
        self.prior_themes = list(prior_themes)
        self.thresholds = np.asarray(thresholds, dtype=np.float64)
        self.terms = terms
        self.prior_hit, self.prior_miss = prior_hit, prior_miss
        self.offsets = np.cumsum([0] + [b.n_features for b in self.blocks])[:-1].tolist()
        self._block_coef = {
            b.name: np.ascontiguousarray(self.coef[:, o : o + b.n_features])
            for b, o in zip(self.blocks, self.offsets, strict=True)
        }
        self._learned_columns = [self.classes.index(t) for t in self.learned_themes]
        self._prior_columns = [self.classes.index(t) for t in self.prior_themes]

    def batch(
        self, texts: Sequence[str], functions: Sequence[str] | None = None, **context: Any
    ) -> ClauseBatch:
        texts = list(texts)
        heads = list(functions) if functions is not None else [""] * len(texts)
        return ClauseBatch(texts, heads, dict(context))

    def decision_function(self, batch: ClauseBatch) -> np.ndarray:
        """Logistic scores of the learned themes, shape ``(n_clauses, n_learned)``."""
        n, k = len(batch), len(self.learned_themes)
        scores = np.tile(self.intercept, (n, 1)) if n else np.zeros((0, k))
        if not k or not n:
            return scores
        for block, offset in zip(self.blocks, self.offsets, strict=True):
            weights = self._block_coef[block.name]
            if block is self.terms:
                scores += (self.terms.dense(batch) * self.terms.weight) @ weights.T
                continue
            if hasattr(block, "score"):  # a block that computes its own product
                scores += block.score(batch, weights)
                continue
            rows, cols, values = block(batch)
            scores += self._combine(rows, cols + offset, values, n)
        return scores

    def _combine(self, rows: np.ndarray, cols: np.ndarray, values: np.ndarray, n: int) -> np.ndarray:
        """The sparse product of one block's entries with the weights, ``(n, n_learned)``."""
        out = np.empty((n, len(self.learned_themes)))
        for k, weights in enumerate(self.coef):
            out[:, k] = np.bincount(rows, weights=values * weights[cols], minlength=n)
        return out

    def predict_proba(self, batch: ClauseBatch) -> np.ndarray:
        """Probabilities ``(n_clauses, n_classes)`` as ``ThemeClassifier.predict_proba``."""
        n = len(batch)
        out = np.empty((n, len(self.classes)))
        scores = self.decision_function(batch)
        for k, column in enumerate(self._learned_columns):
            a, b = self.calibration[k]
            out[:, column] = _expit(a * scores[:, k] + b)
        if self._prior_columns:
            hit = self.terms.dense(batch)[:, 0::3]
            for column in self._prior_columns:
                out[:, column] = np.where(hit[:, column] > 0, self.prior_hit, self.prior_miss)
        return out

    def predict(self, batch: ClauseBatch) -> np.ndarray:
        return (self.predict_proba(batch) >= self.thresholds).astype(int)

    def explain(
        self, text: str, function: str = "", top: int = 5, themes: Sequence[str] | None = None
    ) -> dict[str, list[tuple[str, float]]]:
        """As :meth:`ThemeClassifier.explain`: the strongest contributions per theme."""
        batch = self.batch([text], [function])
        if themes is None:
            row = self.predict(batch)[0]
            themes = [t for t, on in zip(self.classes, row, strict=True) if on]
        unknown = [t for t in themes if t not in self.classes]
        if unknown:
            raise ValueError(
                f"Unknown theme {unknown[0]!r}; valid themes: {', '.join(self.classes)}"
            )
        term_hits, _ = self.terms.matcher.hits(text)
        entries = []
        for block, offset in zip(self.blocks, self.offsets, strict=True):
            _, cols, values = block(batch)
            entries += [
                (block, int(c), offset + int(c), float(v))
                for c, v in zip(cols, values, strict=True)
            ]
        result: dict[str, list[tuple[str, float]]] = {}
        for theme in themes:
            if theme in self.prior_themes or theme not in self.learned_themes:
                found = term_hits.get(theme, [])
                result[theme] = [(f"term '{t}' (prior)", self.prior_hit) for t in found[:top]]
                continue
            coef = self.coef[self.learned_themes.index(theme)]
            parts: dict[str, float] = {}
            for block, col, column, value in entries:
                name = block.feature_name(col)
                if name.startswith("chars "):
                    name = "character n-grams (sum)"
                elif name.startswith(("terms of ", "term count of ")):
                    owner = name.rsplit(" ", 1)[1]
                    name = f"{name} ({', '.join(dict.fromkeys(term_hits.get(owner, [])))})"
                parts[name] = parts.get(name, 0.0) + value * float(coef[column])
            ranked = sorted(((n, v) for n, v in parts.items() if v > 0), key=lambda p: -p[1])
            result[theme] = [(n, round(v, 4)) for n, v in ranked[:top]]
        return result


# ------------------------------------------------------------------ model folders

# ThemeClassifier's defaults, for a saved state that lacks a parameter.
_DEFAULTS = {
    "word_ngram_range": (1, 2),
    "char_ngram_range": (2, 5),
    "char_weight": 2.0,
    "term_weight": 0.5,
    "function_weight": 0.5,
}


def predictor_from_state(
    state: dict[str, Any], arrays: dict[str, np.ndarray], scheme: Any
) -> FastThemePredictor:
    """Build the predictor from a model folder's ``classifier.json`` and ``.npz`` contents.

    Raises
    ------
    KeyError, TypeError, ValueError
        A state that does not fit (the caller turns these into ``ModelFileError``).
    """
    params = {**_DEFAULTS, **dict(state.get("params") or {})}
    vocabulary = state["vocabulary"]
    char_range = params.get("char_ngram_range")
    has_char = char_range is not None and vocabulary.get("char") is not None
    text = TextBlock(
        vocabulary["word"],
        arrays["word_idf"],
        tuple(params["word_ngram_range"]),
        vocabulary["char"] if has_char else None,
        arrays["char_idf"] if has_char else None,
        tuple(char_range) if has_char else None,
        float(params["char_weight"]),
    )
    if len(text.word_idf) != text.n_word or (has_char and len(text.char_idf) != text.n_char):
        raise ValueError("idf vectors do not match the vocabularies")
    function = FunctionBlock(vocabulary["function"], float(params["function_weight"]))
    terms = TermsBlock(TermMatcher(scheme), float(params["term_weight"]))
    prior = [*state["too_few_positives"], *state.get("prior_themes", [])]
    return FastThemePredictor(
        [text, function, terms],
        arrays["coef"],
        arrays["intercept"],
        np.asarray(state["calibration"], dtype=float).reshape(-1, 2),
        list(state["classes"]),
        list(state["learned_themes"]),
        prior,
        np.asarray(state["thresholds"], dtype=float),
        terms,
    )
