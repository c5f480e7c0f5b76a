"""Word and character TF-IDF of clauses, as scikit-learn's vectorizers, from one tokenisation.

:class:`TextBlock` reproduces the two ``TfidfVectorizer`` of
:class:`~itunlp.themes.classifier.ThemeClassifier` (words: ``(?u)\\b[\\w][\\w-]*\\b``
tokens, 1-2-grams; characters: ``char_wb`` 2-5-grams; both lower-cased, sublinear
tf, idf, l2-normalised) without a Python loop per n-gram: every distinct
lower-cased whitespace token is analysed once (its character n-grams and its word
tokens, as vocabulary indices) and cached, so a batch costs one dictionary look-up
per token and a few numpy passes. :meth:`TextBlock.score` goes further and never
builds the features (see :meth:`TextBlock._char_sums`).
"""

from __future__ import annotations

import itertools
import re
import threading
from collections.abc import Sequence
from typing import Any

import numpy as np

from itunlp.themes.blocks import ClauseBatch, SparseRows, empty_rows

__all__ = ["TextBlock", "char_wb_ngrams"]

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
    out: list[str] = []
    for n in range(ngram_range[0], ngram_range[1] + 1):
        if size <= n:  # a short word counts once, whole, and longer n-grams stop
            out.append(padded)
            break
        out += [padded[i : i + n] for i in range(size - n + 1)]
    return out


_MAX_PACKED = 15
# 1 + log(count) for the packed counts 0..15 (0 is never used).
_LOG_TF = np.concatenate(([0.0], np.log(np.arange(1, _MAX_PACKED + 1)) + 1.0))


class _Growing:
    """An append-only int64 array with amortised growth."""

    def __init__(self, dtype: type = np.int64) -> None:
        self.data = np.zeros(1024, dtype=dtype)
        self.size = 0

    def extend(self, values: Sequence[int]) -> None:
        need = self.size + len(values)
        if need > len(self.data):
            grown = np.zeros(max(need, 2 * len(self.data)), dtype=self.data.dtype)
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
        return empty_rows()
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
        max_types: int = 50_000,
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
        # Token ids run from -1 - len(token_ids) (words seen only in bigrams) to
        # n_word - 1: shifted to >= 0, a pair of ids is one integer without collisions.
        self._pair_shift = len(self._token_ids) + 2
        self._pair_span = len(self.word_vocabulary) + self._pair_shift + 1
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
        # _char_sums sorts (clause, column, count) packed in one integer: 32 bits while
        # the clause numbers of a chunk fit, else 64.
        self._col_bits = max(1, int(self.n_char).bit_length())
        self._row_shift = self._col_bits + 4
        self._key_dtype = np.int32 if self._row_shift <= 24 else np.int64
        self._chunk_rows = (
            (1 << (31 - self._row_shift)) if self._key_dtype is np.int32 else (1 << 40)
        )
        self.max_types = max_types
        # The caches grow as new tokens arrive; one lock keeps them consistent when
        # threads share a model (a Dask worker with --nthreads > 1, a notebook's threads).
        self._lock = threading.RLock()
        self._reset()

    def __getstate__(self) -> dict:
        # The caches are rebuilt on demand: a pickled block (sent to workers) stays small.
        state = {k: v for k, v in self.__dict__.items() if not k.startswith(("_type", "_char_"))}
        state.pop("_word_ptr", None)
        state.pop("_word_flat", None)
        state.pop("_table_cache", None)
        state.pop("_lock", None)
        return state

    def __setstate__(self, state: dict) -> None:
        self.__dict__.update(state)
        self._lock = threading.RLock()
        self._reset()

    def _pair_key(self, first: Any, second: Any) -> Any:
        return (first + self._pair_shift) * self._pair_span + (second + self._pair_shift)

    def _reset(self) -> None:
        self._types: dict[str, int] = {}
        self._char_ptr, self._char_flat, self._char_count = _Growing(), _Growing(), _Growing()
        # (column << 4) | count of each entry, the low bits of the sort keys in _char_sums.
        self._char_packed = _Growing(self._key_dtype)
        # Per token type, its character block's contribution (see score); filled lazily.
        self._type_sums = np.zeros((0, 0))
        self._type_sums_filled = 0
        self._word_ptr, self._word_flat = _Growing(), _Growing()
        self._char_ptr.extend([0])
        self._word_ptr.extend([0])

    def _add_types(self, tokens: list[str]) -> None:
        """Analyse new token types, all at once: their n-grams and word tokens as ids."""
        n_new = len(tokens)
        owners = np.arange(n_new)
        if self.char_ngram_range is not None:
            grams = [char_wb_ngrams(token, self.char_ngram_range) for token in tokens]
            lengths = np.fromiter(map(len, grams), dtype=np.int64, count=n_new)
            cols = np.fromiter(
                map(self.char_ids.get, itertools.chain.from_iterable(grams), itertools.repeat(-1)),
                dtype=np.int64,
                count=int(lengths.sum()),
            )
            owner = np.repeat(owners, lengths)
            known = cols >= 0
            keys = owner[known] * max(self.n_char, 1) + cols[known]
            unique, counts = np.unique(keys, return_counts=True)
            owner, cols = np.divmod(unique, max(self.n_char, 1))
            if len(counts) and counts.max() > _MAX_PACKED:
                # Counts are packed in 4 bits: split larger ones into pieces of at most 15.
                pieces = (counts + _MAX_PACKED - 1) // _MAX_PACKED
                first = np.repeat(np.cumsum(pieces) - pieces, pieces)
                index = np.arange(int(pieces.sum())) - first
                total = np.repeat(counts, pieces)
                counts = np.minimum(total - index * _MAX_PACKED, _MAX_PACKED)
                owner, cols = np.repeat(owner, pieces), np.repeat(cols, pieces)
            self._char_flat.extend(cols)
            self._char_count.extend(counts)
            self._char_packed.extend((cols << 4) | counts)
            ends = np.cumsum(np.bincount(owner, minlength=n_new)) + self._char_ptr.view()[-1]
            self._char_ptr.extend(ends)
        words = [_WORD_TOKEN.findall(token) for token in tokens]
        lengths = np.fromiter(map(len, words), dtype=np.int64, count=n_new)
        ids = np.fromiter(
            map(self._token_ids.get, itertools.chain.from_iterable(words), itertools.repeat(-1)),
            dtype=np.int64,
            count=int(lengths.sum()),
        )
        self._word_flat.extend(ids)
        self._word_ptr.extend(np.cumsum(lengths) + self._word_ptr.view()[-1])
        types = self._types  # last, so a failure above leaves no type without its arrays
        for token in tokens:
            types[token] = len(types)

    def _type_ids(self, batch: ClauseBatch) -> tuple[np.ndarray, np.ndarray]:
        """Token type ids of the batch and the clause of each token (cached in ``shared``)."""
        cached = batch.shared.get("text.types")
        if cached is not None:
            return cached
        if len(self._types) > self.max_types:
            self._reset()
        tokens_per_clause = [text.lower().split() for text in batch.texts]
        lengths = np.fromiter(map(len, tokens_per_clause), dtype=np.int64, count=len(batch))
        flat = list(itertools.chain.from_iterable(tokens_per_clause))
        ids = list(map(self._types.get, flat))
        if None in ids:
            new = [t for t, i in zip(flat, ids, strict=True) if i is None]
            self._add_types(list(dict.fromkeys(new)))
            ids = list(map(self._types.__getitem__, flat))
        type_ids = np.array(ids, dtype=np.int64)
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

    def _char_entries(self, batch: ClauseBatch) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
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
        (clause, n-gram, count) entries packed in one integer each.
        """
        n = len(batch)
        type_ids, token_rows = self._type_ids(batch)
        type_sums = self._fill_type_sums(table)
        out = self._by_row(np.ascontiguousarray(type_sums[type_ids].T), token_rows, n)
        step = self._chunk_rows
        for first_row in range(0, n, step):
            lo, hi = np.searchsorted(token_rows, [first_row, first_row + step])
            if hi > lo:
                self._char_corrections(
                    out, table, type_ids[lo:hi], token_rows[lo:hi] - first_row, first_row
                )
        return out

    def _char_corrections(
        self,
        out: np.ndarray,
        table: np.ndarray,
        type_ids: np.ndarray,
        rows: np.ndarray,
        first_row: int,
    ) -> None:
        """Add the shared n-grams' corrections of a chunk of clauses to ``out``."""
        k1 = table.shape[0]
        dtype = self._key_dtype
        ptr = self._char_ptr.data
        begin = ptr[type_ids]
        lengths = ptr[type_ids + 1] - begin
        total = int(lengths.sum())
        if not total:
            return
        where = np.repeat((begin - (np.cumsum(lengths) - lengths)).astype(dtype), lengths)
        where += np.arange(total, dtype=dtype)
        keys = self._char_packed.data[where]
        keys |= np.repeat((rows << self._row_shift).astype(dtype), lengths)
        keys.sort()
        pairs = keys >> 4
        differs = pairs[1:] != pairs[:-1]
        starts = np.concatenate(([True], differs))
        ends = np.concatenate((differs, [True]))
        # Groups of two entries or more: one start that is not an end, and one end
        # that is not a start, in the same order.
        group_first = np.flatnonzero(starts & ~ends)
        if not len(group_first):
            return
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
            group, extra = group[inside], (keys[several[inside]] & 15).astype(np.int64)
            np.add.at(tf, group, extra - 1)
            np.add.at(alone, group, _LOG_TF[extra] - 1.0)
            np.add.at(alone_sq, group, _LOG_TF[extra] ** 2 - 1.0)
        together = np.log(tf) + 1.0
        pair = pairs[group_first].astype(np.int64)
        sums = table[:, pair & ((1 << self._col_bits) - 1)]
        sums[: k1 - 1] *= together - alone
        sums[k1 - 1] *= together * together - alone_sq
        corrections = self._by_row(sums, pair >> self._col_bits, int(rows[-1]) + 1)
        out[:, first_row : first_row + corrections.shape[1]] += corrections

    def score(self, batch: ClauseBatch, coef: np.ndarray) -> np.ndarray:
        """``features @ coef.T`` for the batch without building the features.

        ``coef`` holds this block's columns of the weights, shape ``(k, n_features)``.
        The idf (and the character weight) are folded into the weights once; each
        vectorizer's l2 norm divides the clause's sums at the end.
        """
        with self._lock:
            return self._score(batch, coef)

    def _score(self, batch: ClauseBatch, coef: np.ndarray) -> np.ndarray:
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
        with self._lock:
            return self._rows(batch)

    def _rows(self, batch: ClauseBatch) -> SparseRows:
        n = len(batch)
        if not n:
            return empty_rows()
        wr, wc = self._word_entries(batch)
        r1, c1, v1 = _tfidf(wr, wc, n, self.n_word, self.word_idf, 1.0)
        if not self.n_char:
            return r1, c1, v1
        rows, grams, counts = self._char_entries(batch)
        r2, c2, v2 = _tfidf(
            np.repeat(rows, counts),
            np.repeat(grams, counts),
            n,
            self.n_char,
            self.char_idf,
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
