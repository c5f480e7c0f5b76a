"""The small learned decider for ambiguous clause boundaries.

The rules in :mod:`itunlp.segmentation.rules` find *candidate* points where a clause
may end: a comma before a connective (``, and``, ``, but``, ``, while`` ...) and a
colon standing alone. Whether ``, and`` joins two statements or two nouns cannot
be read off the punctuation, so each candidate is described by a handful of
part-of-speech-free cues (what word follows, is there a finite-verb-like word on
each side, how long are the sides, does it look like a list) and decided either by
hand-written rules (:func:`rule_decision`, the fallback) or by a logistic model
whose weights are plain JSON (:class:`BoundaryModel`). Scoring is pure Python, so
the segmenter never imports scikit-learn; :mod:`itunlp.segmentation.boundary_training` fits it.
"""

from __future__ import annotations

import itertools
import json
import math
import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from itunlp.segmentation import rules

#: Identifies the JSON layout of :meth:`BoundaryModel.to_dict`.
FORMAT_NAME = "itunlp-boundary-model"

#: Version of that layout; :meth:`BoundaryModel.from_dict` refuses others.
FORMAT_VERSION = 1

#: File name of a boundary model inside a model folder or a spaCy component folder.
MODEL_FILE_NAME = "boundary_model.json"

#: How many words after a connective are searched for a subject and a verb.
RIGHT_WINDOW = 16

#: Words after a connective whose own identity is a useful feature.
_CLOSED_CLASS = (
    rules.SUBJECT_WORDS | rules.NON_CLAUSE_AFTER_CONNECTIVE | rules.PREPOSITIONS | rules.AUXILIARIES
)


def _words(text: str, limit: int) -> list[tuple[str, int]]:
    """Return at most ``limit`` (word, offset) pairs of ``text`` from its start."""
    out: list[tuple[str, int]] = []
    for match in rules.WORD.finditer(text):
        out.append((match.group(), match.start()))
        if len(out) >= limit:
            break
    return out


def _is_verb_like(word: str, previous: str) -> bool:
    """Whether a word looks like a finite verb, judged without a tagger.

    Auxiliaries and irregular past forms always count; known stems and their
    -s/-ed forms count unless a determiner or "to" comes right before them
    ("the work", "to connect"), which is how noun/verb homographs are told apart.
    """
    low = word.lower()
    if low in rules.AUXILIARIES or low in rules.IRREGULAR_VERB_FORMS:
        return True
    if not word[0].islower():
        return False
    prev = previous.lower()
    if prev in rules.DETERMINERS or prev == "to":
        return False
    if low in rules.VERB_STEMS:
        return True
    if low.endswith("ies") or low.endswith("ied"):
        return low[:-3] + "y" in rules.VERB_STEMS
    if low.endswith("es") and (low[:-2] in rules.VERB_STEMS or low[:-1] in rules.VERB_STEMS):
        return True
    if low.endswith("s") and low[:-1] in rules.VERB_STEMS:
        return True
    if low.endswith("ed"):
        if prev in rules.DEGREE_WORDS:
            return False  # "less detailed", "well founded": an adjective
        return low[:-2] in rules.VERB_STEMS or low[:-1] in rules.VERB_STEMS or len(low) > 5
    return False


_OBJECT_RELATIVES = frozenset(("that", "which", "whom"))
_RELATIVE_SUBJECT_STARTS = rules.DETERMINERS | rules.PERSONAL_PRONOUNS


def _first_verb(words: list[tuple[str, int]], text: str) -> int:
    """Index of the first main-clause verb before any comma, or -1.

    The first verb of an object relative clause ("that"/"which"/"whom" + a subject)
    is not the main one: "the text that the Council adopted" has no verb of its own.
    """
    previous = ""
    relative = False
    for i, (word, offset) in enumerate(words):
        if i and "," in text[words[i - 1][1] : offset]:
            return -1
        if _is_verb_like(word, previous):
            if not relative and previous.lower() not in rules.RELATIVE_PRONOUNS:
                return i
            relative = False
        elif (
            i
            and word.lower() in _OBJECT_RELATIVES
            and i + 1 < len(words)
            and words[i + 1][0].lower() in _RELATIVE_SUBJECT_STARTS
        ):
            relative = True
        previous = word
    return -1


def _shape(word: str) -> str:
    """A coarse shape of a word: cap, ing, ed, digit, lower or other."""
    if not word:
        return "none"
    if word[0].isdigit():
        return "digit"
    if word[0].isupper():
        return "cap"
    low = word.lower()
    if low.endswith("ing"):
        return "ing"
    if low.endswith("ed"):
        return "ed"
    return "lower" if word[0].isalpha() else "other"


def _bucket(n: int) -> str:
    """Length bucket of a word count, so that the model sees short vs long sides."""
    if n < 3:
        return "short"
    if n < 8:
        return "medium"
    return "long"


def candidate_features(left: str, connective: str, right: str) -> dict[str, float]:
    """Describe one candidate clause boundary by POS-free cues.

    The same features feed the hand-written fallback (:func:`rule_decision`) and
    the learned :class:`BoundaryModel`, so that both decide from the same evidence
    and training cannot see anything inference does not.

    Parameters
    ----------
    left : str
        Text from the start of the enclosing sentence or ``;``-segment up to (not
        including) the comma or colon of the candidate.
    connective : str
        The connective word in lower case (``"and"``, ``"but"`` ...), or ``":"``
        for a standalone colon.
    right : str
        Text after the connective word (after the colon) up to the end of the
        enclosing segment.

    Returns
    -------
    dict of str to float
        Sparse feature values; absent keys are zero.

    Examples
    --------
    >>> f = candidate_features("The ITU works on development", "and", "the PP is its top body.")
    >>> "right_subject_verb" in f, "left_verb" in f
    (True, True)
    """
    feats: dict[str, float] = {"bias": 1.0, f"conn={connective}": 1.0}
    right_words = _words(right, RIGHT_WINDOW)
    first = right_words[0][0] if right_words else ""
    low = first.lower()
    second = right_words[1][0].lower() if len(right_words) > 1 else ""
    third = right_words[2][0].lower() if len(right_words) > 2 else ""
    if low == "that" and (
        second in rules.AUXILIARIES
        or second in rules.IRREGULAR_VERB_FORMS
        or (
            third in rules.DEMONSTRATIVE_VERBS
            and second.isalpha()
            and second.islower()
            and not second.endswith("s")
            and second not in rules.DETERMINERS
            and " that " not in left  # "argued that X, and that staff is ...": a list
        )
    ):
        # "..., and that has to change": a demonstrative subject, not the
        # complementizer of "argued that X, and that Y", which stays whole.
        feats["next=that_subject"] = 1.0
        feats["next_pronoun"] = 1.0
    elif low in _CLOSED_CLASS:
        feats[f"next={low}"] = 1.0
    if low in rules.PERSONAL_PRONOUNS:
        feats["next_pronoun"] = 1.0
    elif low in rules.PREPOSITIONS:
        feats["next_preposition"] = 1.0
    feats[f"next_shape={_shape(first)}"] = 1.0

    verb_at = _first_verb(right_words, right)
    if verb_at == 0 and low.endswith("ed") and low not in rules.AUXILIARIES:
        # "while established geostationary operators warned": a participle used as an
        # adjective before its noun, when a finite verb follows the noun.
        later = _first_verb(right_words[2:], right)
        if later >= 0 and later + 2 <= 4:
            verb_at = later + 2
    if (verb_at == 0 and low not in rules.PERSONAL_PRONOUNS) or low == "please":
        # "..., so please connect ...": an imperative has no subject of its own.
        feats["right_starts_with_verb"] = 1.0
    elif verb_at > 0:
        feats["right_verb"] = 1.0
        if low not in rules.NON_CLAUSE_AFTER_CONNECTIVE and low not in rules.PREPOSITIONS:
            feats["right_subject_verb"] = 1.0
    for (word, _), (after, _) in itertools.pairwise(right_words):
        if word.lower() in rules.PERSONAL_PRONOUNS and _is_verb_like(after, word):
            feats["right_pronoun_verb"] = 1.0
            break

    if low in rules.WH_WORDS and re.search(rf"\b{low}\b", left, re.IGNORECASE):
        feats["parallel_wh"] = 1.0
    left_words = _words(left, 60)
    previous = ""
    for word, _ in left_words:
        if _is_verb_like(word, previous):
            feats["left_verb"] = 1.0
            break
        previous = word
    if left_words and left_words[-1][0].lower() in rules.SUBORDINATORS:
        feats["left_ends_subordinator"] = 1.0
    if "," in left:
        feats["left_has_comma"] = 1.0
        last_piece = left[left.rfind(",") + 1 :]
        piece_words = _words(last_piece, 5)
        # A year or number after a comma ("Rev. Dubai, 2018,") is a citation, not a list.
        if len(piece_words) <= 3 and not all(w[0].isdigit() for w, _ in piece_words):
            feats["list_like"] = 1.0
    feats[f"left_len={_bucket(len(left_words))}"] = 1.0
    if connective == ":" and len(left_words) <= 4 and "left_verb" not in feats and "," not in left:
        # "SG: our candidate elected": in a bulleted note the engine keeps such a
        # label with what follows (in prose, "Correction: in our update ..." splits).
        feats["left_label"] = 1.0
    feats[f"right_len={_bucket(len(_words(right, 40)))}"] = 1.0
    if connective == ":":
        stripped = right.lstrip()
        if stripped.startswith(("http://", "https://", "www.")):
            feats["right_url"] = 1.0
        if stripped[:1].isupper():
            feats["right_upper_start"] = 1.0
    return feats


def rule_decision(features: Mapping[str, float]) -> bool:
    """Decide a candidate boundary by hand-written rules (the fallback).

    Splits before ``but``/``while``/``whereas``/``although``/``though``/``yet``
    unless a gerund, "also"/"not"-like word or a short tail follows; before
    ``and``/``so`` when a pronoun, or a subject and its verb, follow; at a colon
    when a statement with a verb follows. Lists ("A, B, and C"), shared subjects
    ("..., and is undertaken") and subordinate left sides stay whole.

    Parameters
    ----------
    features : mapping of str to float
        Output of :func:`candidate_features`.

    Returns
    -------
    bool
        True to cut before the connective (after the colon).

    Examples
    --------
    >>> rule_decision(candidate_features("Some states agreed on it", "but", "others objected."))
    True
    >>> rule_decision(candidate_features("technology, governance", "and", "human rights."))
    False
    """
    conn = next((k[5:] for k in features if k.startswith("conn=")), "")
    if "right_len=short" in features and "right_verb" not in features:
        return False
    if conn == ":" and any(f"next={w}" in features for w in rules.FOCUS_ADVERBS):
        return "right_verb" in features and "right_len=short" not in features
    if any(f"next={w}" in features for w in rules.NON_CLAUSE_AFTER_CONNECTIVE):
        return False
    if "parallel_wh" in features:
        return False
    if conn == ":":
        return (
            "right_url" not in features
            and "right_verb" in features
            and "right_len=short" not in features
        )
    if "left_ends_subordinator" in features:
        return False
    # A short left side is a clause only with a verb of its own ("Symbolism matters, but").
    if "left_len=short" in features and "left_verb" not in features:
        return False
    if "next_shape=ing" in features or "right_starts_with_verb" in features:
        return False
    if "next_preposition" in features:
        return "right_pronoun_verb" in features
    if conn in rules.CONTRASTIVE_CONNECTIVES:
        # "..., though possibly less informative": no verb, no second statement.
        return conn not in ("though", "although") or "right_verb" in features
    if "next_pronoun" in features:
        return True
    if "list_like" in features:
        return False
    return "right_subject_verb" in features


@dataclass(slots=True)
class BoundaryModel:
    """A logistic decider over :func:`candidate_features`, stored as JSON.

    Kept as plain weights rather than a pickled estimator so that a model folder
    never runs code on load and the segmenter can score without scikit-learn.

    Parameters
    ----------
    weights : dict of str to float
        One weight per feature name; unknown features weigh zero.
    intercept : float
        The bias term of the logistic model.
    threshold : float
        Probability at or above which a candidate is cut.

    Examples
    --------
    >>> m = BoundaryModel({"right_subject_verb": 4.0}, intercept=-2.0)
    >>> m.decide({"right_subject_verb": 1.0}), m.decide({})
    (True, False)
    """

    weights: dict[str, float] = field(default_factory=dict)
    intercept: float = 0.0
    threshold: float = 0.5

    def probability(self, features: Mapping[str, float]) -> float:
        """Probability that the candidate is a clause boundary."""
        score = self.intercept
        weights = self.weights
        for name, value in features.items():
            weight = weights.get(name)
            if weight is not None:
                score += weight * value
        if score >= 0:
            return 1.0 / (1.0 + math.exp(-score))
        z = math.exp(score)
        return z / (1.0 + z)

    def decide(self, features: Mapping[str, float]) -> bool:
        """True when the candidate should be cut."""
        return self.probability(features) >= self.threshold

    def to_dict(self) -> dict[str, Any]:
        """The model as a JSON-ready dict with a format name and version."""
        return {
            "format": FORMAT_NAME,
            "version": FORMAT_VERSION,
            "intercept": float(self.intercept),
            "threshold": float(self.threshold),
            "weights": {k: float(v) for k, v in sorted(self.weights.items())},
        }

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> BoundaryModel:
        """Rebuild a model from :meth:`to_dict` output.

        Raises
        ------
        TypeError
            If ``data`` is not a mapping.
        ValueError
            If the format name or version is not the one this code writes, or a
            weight is not a number.
        """
        if not isinstance(data, Mapping):
            raise TypeError(f"Boundary model data must be a dict, got {type(data).__name__}.")
        if data.get("format") != FORMAT_NAME or data.get("version") != FORMAT_VERSION:
            raise ValueError(
                f"Not an itunlp boundary model: format={data.get('format')!r}, "
                f"version={data.get('version')!r}; expected format={FORMAT_NAME!r}, "
                f"version={FORMAT_VERSION}. Retrain it with `itunlp train`."
            )
        raw = data.get("weights", {})
        if not isinstance(raw, Mapping):
            raise ValueError(f"Boundary model 'weights' must be a dict, got {type(raw).__name__}.")
        weights: dict[str, float] = {}
        for name, value in raw.items():
            if isinstance(value, bool) or not isinstance(value, (int, float)):
                raise ValueError(f"Boundary model weight {name!r} must be a number, got {value!r}.")
            weights[str(name)] = float(value)
        return cls(
            weights=weights,
            intercept=float(data.get("intercept", 0.0)),
            threshold=float(data.get("threshold", 0.5)),
        )

    def save(self, path: str | Path) -> Path:
        """Write the model as JSON to a file, or into a folder as ``boundary_model.json``.

        Returns
        -------
        Path
            The file written.
        """
        target = Path(path)
        if target.is_dir():
            target = target / MODEL_FILE_NAME
        target.write_text(json.dumps(self.to_dict(), indent=2) + "\n", encoding="utf-8")
        return target

    @classmethod
    def load(cls, path: str | Path) -> BoundaryModel:
        """Read a model written by :meth:`save` (a file, or a folder holding one).

        Raises
        ------
        FileNotFoundError
            If there is no such file.
        ValueError
            If the file is not a boundary model of a known format version.
        """
        source = Path(path)
        if source.is_dir():
            source = source / MODEL_FILE_NAME
        if not source.is_file():
            raise FileNotFoundError(
                f"No boundary model at {str(source)!r}; pass the path of a "
                f"{MODEL_FILE_NAME} written by `itunlp train`, or use the rules alone."
            )
        try:
            data = json.loads(source.read_text(encoding="utf-8"))
        except json.JSONDecodeError as exc:
            raise ValueError(f"{str(source)!r} is not valid JSON: {exc}") from exc
        return cls.from_dict(data)
