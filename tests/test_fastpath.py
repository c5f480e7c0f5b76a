"""The numpy fast path: the same term hits, features and scores as the scikit-learn path."""

from __future__ import annotations

import json
import random
import warnings
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
import scipy.sparse as sp

from itunlp.labels.corpus import load_shipped_corpus
from itunlp.persistence import _classifier_state
from itunlp.themes.blocks import ClauseBatch, blocks_matrix
from itunlp.themes.classifier import ThemeClassifier
from itunlp.themes.inference import predictor_from_state
from itunlp.themes.matcher import TermMatcher
from itunlp.themes.scheme import ThemeScheme, load_themes
from itunlp.themes.text_features import char_wb_ngrams

DATA = Path(__file__).resolve().parents[1] / "data"

# Edges of the old regular expressions: hyphens before and after, case-sensitive
# acronyms, prefixes, whitespace runs inside terms, non-ASCII letters that fold to
# ASCII under re.IGNORECASE (long s, Kelvin sign), NUL bytes, overlapping terms.
EDGE_TEXTS = [
    "",
    "non-GSO and GSO filings; the NGSO constellation*",
    "cyber-attacks and anti-cyberattack measures, cybersecurity",
    "the Plenipotentiary Conference (PP) and pp. 4; PP-22",
    "ſpectrum, ſatellite and \u212aelvin; SPECTRUM Spectrum spectrum",
    "digital\n\n  divide and digital\u00a0divide, bridging the digital divide",
    "financial security and security; financial  security",
    "Women\x00engineers\x00 women in leadership",
    "LDCs, LLDCs and SIDS; ldcs are not LDCS",
    "İnternet governance, INTERNET GOVERNANCE, internet-governance",
    "e-government and e‑government (non-breaking hyphen)",
    "Res. 70, res 70, Resolution 70 (Rev. Bucharest, 2022) and resolution 700",
    "The ITU-D, ITU-R and ITU-T Sectors; itu-d",
    "5G and 6G; 5Gs; IMT-2020",
    "a",
    "connect connectivity connected, in connection with, connect with",
    # Once read a bigram ("governance and") that is not there: pair keys collided.
    "Meanwhile, the forum held every year under the UN, where companies, academics and "
    "activists sit at the same table as governments, got two lines of praise.",
]


@pytest.fixture(scope="module")
def scheme() -> ThemeScheme:
    return load_themes()


@pytest.fixture(scope="module")
def shipped() -> pd.DataFrame:
    return load_shipped_corpus()


def _document_lines() -> list[str]:
    lines = []
    for path in sorted(DATA.rglob("*.txt")):
        text = path.read_text(encoding="utf-8-sig")
        lines += [line for line in text.splitlines() if line.strip()]
        lines.append(text)  # whole documents too: hits across line breaks
    return lines


def _random_texts(scheme: ThemeScheme, n: int, seed: int = 0) -> list[str]:
    """Texts made of scheme terms and traps glued with separators and case changes."""
    rng = random.Random(seed)
    pieces = [t.rstrip("*") for theme in scheme.themes for t in (*theme.terms, *theme.traps)]
    pieces += ["the", "of", "-", "non", "s", "ing", "ITU", "x", "é", "ſ"]
    separators = [" ", "", "-", "\n", "  ", ", ", "\t", "\u00a0", "(", "/", "\x00"]
    out = []
    for _ in range(n):
        parts = []
        for _ in range(rng.randint(1, 12)):
            piece = rng.choice(pieces)
            case = rng.random()
            if case < 0.2:
                piece = piece.upper()
            elif case < 0.4:
                piece = piece.lower()
            elif case < 0.5:
                piece = piece.title()
            parts.append(piece + rng.choice(separators))
        out.append("".join(parts))
    return out


def _assert_same_hits(scheme: ThemeScheme, texts: list[str]) -> None:
    matcher = TermMatcher(scheme)
    counts = matcher.counts(texts)
    for i, text in enumerate(texts):
        terms, traps = scheme.term_hits(text), scheme.trap_hits(text)
        assert matcher.hits(text) == (terms, traps), text
        for j, theme in enumerate(matcher.themes):
            assert counts[i, j].tolist() == [len(terms.get(theme, [])), len(traps.get(theme, []))]


def test_matcher_same_hits_on_shipped_corpus(scheme, shipped):
    _assert_same_hits(scheme, shipped["text"].tolist())


def test_matcher_same_hits_on_documents_and_edges(scheme):
    _assert_same_hits(scheme, _document_lines() + EDGE_TEXTS)


def test_matcher_same_hits_on_random_term_soup(scheme):
    _assert_same_hits(scheme, _random_texts(scheme, 1500))


def test_matcher_works_for_a_scheme_with_odd_terms():
    odd = ThemeScheme.from_dict(
        {
            "themes": [
                {"id": "a", "terms": ["x", "Ωmega*", "ab cd", "a b", "Q*", "AB"], "traps": ["x y"]},
                {"id": "b", "terms": ["éclair", "ab", "b"], "retired": False},
                {"id": "c", "terms": ["zz"], "retired": True},
            ]
        }
    )
    texts = ["x y x ab cd a  b AB ab Q Qs q ωmegas ΩMEGA éclair ÉCLAIR b-b zz", "a\tb", "x"]
    _assert_same_hits(odd, texts + _random_texts(odd, 300, seed=1))


def test_char_wb_ngrams_match_scikit_learn():
    from sklearn.feature_extraction.text import TfidfVectorizer

    analyzer = TfidfVectorizer(analyzer="char_wb", ngram_range=(2, 5)).build_analyzer()
    for word in ["a", "it", "itu", "resolution", "ﬁ", "x-y"]:
        assert char_wb_ngrams(word, (2, 5)) == analyzer(word)


def _fitted(shipped: pd.DataFrame, **params) -> ThemeClassifier:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return ThemeClassifier(cv=2, **params).fit(
            shipped[["text", "function"]], shipped["themes"].tolist()
        )


def _predictor(classifier: ThemeClassifier):
    state, arrays = _classifier_state(classifier)
    state = json.loads(json.dumps(state))  # as read back from classifier.json
    return predictor_from_state(state, arrays, classifier.scheme_)


def _check_same_scores(classifier: ThemeClassifier, frame: pd.DataFrame) -> None:
    fast = _predictor(classifier)
    batch = fast.batch(frame["text"].tolist(), frame["function"].tolist())
    _, _, features = classifier._features(frame[["text", "function"]])
    expected = np.column_stack([e.decision_function(features) for e in classifier.estimators_])
    np.testing.assert_allclose(fast.decision_function(batch), expected, rtol=0, atol=1e-9)
    np.testing.assert_allclose(
        fast.predict_proba(batch), classifier.predict_proba(frame), rtol=0, atol=1e-9
    )
    np.testing.assert_array_equal(fast.predict(batch), classifier.predict(frame))
    # The blocks, put together, are the classifier's feature matrix.
    matrix = blocks_matrix(
        fast.blocks, fast.batch(frame["text"].tolist(), frame["function"].tolist())
    )
    assert abs(matrix - features).max() < 1e-12


def test_scores_equal_the_sklearn_path(shipped):
    classifier = _fitted(shipped)
    frame = shipped.sample(n=400, random_state=1)[["text", "function"]].reset_index(drop=True)
    lines = EDGE_TEXTS + _document_lines()
    extra = pd.DataFrame({"text": lines, "function": ["resolves"] * len(lines)})
    _check_same_scores(classifier, pd.concat([frame, extra], ignore_index=True))


@pytest.mark.parametrize(
    "params",
    [
        {"char_ngram_range": None},
        {"word_ngram_range": (1, 1), "char_ngram_range": (3, 4), "min_positives": 40},
        {"word_ngram_range": (2, 2)},
    ],
)
def test_scores_equal_the_sklearn_path_for_other_settings(shipped, params):
    small = shipped.sample(n=300, random_state=2).reset_index(drop=True)
    classifier = _fitted(small, **params)
    _check_same_scores(classifier, shipped.sample(n=150, random_state=3).reset_index(drop=True))


def test_batches_do_not_depend_on_each_other(shipped):
    classifier = _fitted(shipped.sample(n=300, random_state=4).reset_index(drop=True))
    fast = _predictor(classifier)
    texts = shipped["text"].tolist()[:120]
    functions = shipped["function"].tolist()[:120]
    whole = fast.predict_proba(fast.batch(texts, functions))
    parts = np.vstack(
        [
            fast.predict_proba(fast.batch(texts[i : i + 7], functions[i : i + 7]))
            for i in range(0, len(texts), 7)
        ]
    )
    np.testing.assert_allclose(whole, parts, rtol=0, atol=1e-12)
    # Chunks of clauses (the packed sort keys' limit) give the same scores.
    fast.blocks[0]._chunk_rows = 3
    chunked = fast.predict_proba(fast.batch(texts, functions))
    np.testing.assert_allclose(whole, chunked, rtol=0, atol=1e-12)
    # An emptied token cache gives the same scores.
    fast.blocks[0].max_types = 0
    again = fast.predict_proba(fast.batch(texts, functions))
    np.testing.assert_allclose(whole, again, rtol=0, atol=1e-12)


def test_explain_matches_the_classifier(shipped):
    classifier = _fitted(shipped)
    fast = _predictor(classifier)
    for text, function in zip(shipped["text"][:40], shipped["function"][:40], strict=True):
        assert fast.explain(text, function) == classifier.explain(text, function)


def test_empty_batch(shipped):
    fast = _predictor(_fitted(shipped.sample(n=200, random_state=5).reset_index(drop=True)))
    assert fast.predict_proba(ClauseBatch([], [])).shape == (0, len(fast.classes))
    assert fast.predict_proba(fast.batch([""], [""])).shape == (1, len(fast.classes))


def test_blocks_matrix_is_csr(shipped):
    fast = _predictor(_fitted(shipped.sample(n=200, random_state=6).reset_index(drop=True)))
    matrix = blocks_matrix(fast.blocks, fast.batch(["Spectrum for satellites."], ["resolves"]))
    assert sp.issparse(matrix) and matrix.shape == (1, fast.coef.shape[1])


def test_threads_sharing_a_model_get_the_scores_of_one_thread():
    """The token caches grow under a lock: threads that share a model agree with one."""
    from concurrent.futures import ThreadPoolExecutor

    import itunlp

    model = itunlp.load()
    texts = [
        f"to connect {i} schools and protect networks number{i} from attack" for i in range(400)
    ]
    expected = model.predict_proba(texts).to_numpy()
    fresh = itunlp.load()
    chunks = [texts[i : i + 7] for i in range(0, len(texts), 7)]
    with ThreadPoolExecutor(8) as pool:
        parts = list(pool.map(lambda c: fresh.predict_proba(c).to_numpy(), chunks))
    np.testing.assert_allclose(np.vstack(parts), expected, rtol=0, atol=1e-9)
