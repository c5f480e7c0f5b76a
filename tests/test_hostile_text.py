"""Hostile text against the segmenter, its spaCy component and the theme model.

Real folders hold PDF extractions with runs of dots, documents in Arabic or
Chinese, NUL bytes and text with no spaces at all. On any ``str`` the segmenter
must return clauses whose offsets index the original text, in order, never
overlapping, raise nothing (its only documented error is ``TypeError`` for a
non-string), and finish: pathological regex backtracking is a defect.

"Finish" is checked by running each pathological case in a forked child that
is killed after :data:`HANG_SECONDS`; that is a hang detector with a generous
bound, not a speed assertion (speed is measured in ``benchmarks/``).
"""

from __future__ import annotations

import multiprocessing
import signal
import traceback
from collections.abc import Callable, Iterator
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from itunlp.segmentation.component import split_into_clauses, split_sentences

HANG_SECONDS = 60

ARABIC = (
    "قرر المؤتمر تعزيز بناء القدرات في مجال الأمن السيبراني، ودعوة الدول الأعضاء إلى "
    "التعاون. هل تم ربط المدارس بالإنترنت؟ نعم؛ لكن العمل لم ينته بعد."
)
HEBREW = "הכנס החליט לקדם את השוויון המגדרי. האם כל בתי הספר מחוברים? עדיין לא; העבודה נמשכת."
CHINESE = (
    "全权代表大会决定加强网络安全能力建设。各成员国应当合作！学校是否已经联网？尚未；工作仍在继续。"
)
JAPANESE = (
    "全権委員会議は、女性の参加を促進することを決議した。すべての学校が接続されたか？まだです。"
)
KOREAN = "전권회의는 디지털 격차 해소를 결의하였다. 모든 학교가 연결되었는가? 아직 아니다."
EMOJI = "We connect schools 🏫🌍; women in ICT 👩🏽‍💻 rise! Flags 🇷🇴🇰🇪 and ❤️‍🔥 too. 🚀🚀🚀"

# name -> text; each is run in a bounded child. Sizes are the brief's: 100k dots,
# 1 MB without a space, deep nesting.
PATHOLOGICAL: dict[str, str] = {
    "100k dots": "." * 100_000,
    "dots between words": "word. " + ". " * 50_000 + "end.",
    "ellipsis run": "Wait" + "…" * 100_000,
    "punctuation run": ".,;:!?" * 20_000,
    "semicolon run": "a;" * 100_000,
    "colon run": "x: " * 60_000,
    "comma-and run": "We met, and " * 30_000 + "we left.",
    "question and bang": "?!" * 50_000,
    "1 MB no space": "a" * 1_000_000,
    "1 MB no space with dots": "U.S.e.g.Res.No." * 70_000,
    "1 MB digits and dots": "1.5." * 250_000,
    "hyphen wraps": "tele-\n" * 150_000,
    "nested parentheses": "(" * 50_000 + "core text." + ")" * 50_000,
    "nested mixed brackets": "([{" * 30_000 + "x. y;" + "}])" * 30_000,
    "unclosed parentheses": "(a. " * 50_000,
    "unbalanced closers": "a.) " * 50_000,
    "quotes run": "\"'“”‘’«»" * 20_000,
    "NUL bytes": "\x00" * 100_000,
    "NUL inside text": "The ITU\x00 met.\x00 It decided;\x00 it ended.\x00" * 2_000,
    "newlines only": "\n" * 500_000,
    "mixed newlines": "First line.\r\nSecond line;\rthird\u2028fourth.\u2029fifth\x85sixth\x0b\x0c."
    * 5_000,
    "carriage returns only": "a\r" * 200_000,
    "whitespace only": " \t" * 300_000,
    "item markers only": "a)\n" * 100_000,
    "bullets only": "•\n- \n" * 60_000,
    "headings only": "considering\nresolves\n" * 30_000,
    "furniture only": "- 4 -\nPP22/61(Add.3)-E\nhttps://www.itu.int/x\n" * 20_000,
    "one long heading line": "instructs the Secretary-General " * 30_000,
    "arabic": (ARABIC + "\n") * 3_000,
    "hebrew": (HEBREW + "\n") * 3_000,
    "rtl marks": ("\u202eevil\u202c \u200fRes. 70\u200e. " + ARABIC) * 1_000,
    "chinese": CHINESE * 5_000,
    "japanese": JAPANESE * 5_000,
    "korean": KOREAN * 5_000,
    "cjk without spaces": "网络安全能力建设" * 100_000,
    "emoji": EMOJI * 3_000,
    "emoji without spaces": "👩🏽‍💻🇷🇴❤️‍🔥" * 60_000,
    "combining marks": "e\u0301\u0302\u0303" * 100_000,
    "zero-width characters": "a\u200b.\u200c\u200d\ufeff " * 60_000,
    "private use and noncharacters": "\ue000\uffff\U0010ffff. " * 50_000,
    "abbreviation run": "e.g. i.e. U.S. No. Dr. Res. Rev. Oct. " * 20_000,
    "decimal run": "3.14 " * 150_000,
    "resolution with a megabyte item": "resolves\n\n1 " + "to act " * 150_000 + ";\n2 to report.",
}


def _check_clauses(text: str) -> int:
    """Run the segmenter on ``text`` and check its invariants; return the clause count."""
    clauses = split_into_clauses(text)
    previous_end = 0
    for index, clause in enumerate(clauses):
        where = f"clause {index} ({clause.start}, {clause.end})"
        if not 0 <= clause.start < clause.end <= len(text):
            raise AssertionError(f"{where}: offsets outside the text of length {len(text)}")
        if text[clause.start : clause.end] != clause.text:
            raise AssertionError(f"{where}: text[start:end] != clause.text")
        if clause.start < previous_end:
            raise AssertionError(f"{where}: overlaps or precedes the previous clause")
        if not isinstance(clause.function, str):
            raise AssertionError(f"{where}: function is {type(clause.function).__name__}")
        previous_end = clause.end
    return len(clauses)


def _check_sentences(text: str) -> int:
    """Run ``split_sentences``; every sentence is stripped text found in order."""
    sentences = split_sentences(text)
    position = 0
    for index, sentence in enumerate(sentences):
        if not isinstance(sentence, str) or not sentence or sentence != sentence.strip():
            raise AssertionError(f"sentence {index} is empty or not stripped: {sentence[:40]!r}")
        found = text.find(sentence, position)
        if found < 0:
            raise AssertionError(f"sentence {index} is not a piece of the text after {position}")
        position = found + len(sentence)
    return len(sentences)


def _check_component(text: str) -> int:
    """Run the spaCy component on a blank pipeline; spans are ordered and disjoint."""
    import spacy

    nlp = spacy.blank("en")
    nlp.add_pipe("itunlp_clause_segmenter")
    doc = nlp(text)
    spans = list(doc.spans["clauses"])
    previous_end = 0
    for span in spans:
        if span.start < previous_end or span.end <= span.start or span.end > len(doc):
            raise AssertionError(f"span ({span.start}, {span.end}) out of order or bounds")
        previous_end = span.end
    if len(doc) and not doc[0].is_sent_start:
        raise AssertionError("first token is not a sentence start")
    return len(spans)


def _child(conn: Any, fn: Callable[[str], int], text: str) -> None:
    try:
        conn.send(("ok", fn(text)))
    except BaseException as error:  # report everything; the parent decides
        conn.send(("error", type(error).__name__, str(error)[:500], traceback.format_exc()))
    finally:
        conn.close()


def run_bounded(fn: Callable[[str], int], text: str, seconds: float = HANG_SECONDS) -> tuple:
    """Run ``fn(text)`` in a forked child; fail the test if it does not finish in time.

    Forking keeps the imported modules (cheap), and killing the child is the
    only way to stop a loop stuck inside C code such as a regex engine.
    """
    context = multiprocessing.get_context("fork")
    receiver, sender = context.Pipe(duplex=False)
    child = context.Process(target=_child, args=(sender, fn, text), daemon=True)
    child.start()
    sender.close()
    if not receiver.poll(seconds):
        child.kill()
        child.join()
        pytest.fail(f"no result within {seconds} s: {fn.__name__} hangs on this input")
    result = receiver.recv()
    child.join()
    return result


@pytest.mark.parametrize("name", list(PATHOLOGICAL))
def test_segmenter_survives_pathological_text(name: str) -> None:
    result = run_bounded(_check_clauses, PATHOLOGICAL[name])
    assert result[0] == "ok", f"{name}: {result[1]}: {result[2]}\n{result[-1]}"


@pytest.mark.parametrize("name", list(PATHOLOGICAL))
def test_sentence_splitter_survives_pathological_text(name: str) -> None:
    result = run_bounded(_check_sentences, PATHOLOGICAL[name])
    assert result[0] == "ok", f"{name}: {result[1]}: {result[2]}\n{result[-1]}"


# The component runs after spaCy's tokenizer, so two limits of spaCy itself shape
# this list: texts over nlp.max_length (1,000,000 characters) raise spaCy's
# documented ValueError E088, and the tokenizer's prefix/suffix loop is quadratic
# in a whitespace-free run of punctuation (12,000 chars of ".,;:!?" take ~35 s,
# "(" * 25,000 ~80 s, in spacy 3.8 before any itunlp code runs). Those upstream
# cases ("punctuation run", "nested parentheses") are left out here;
# ``itunlp.segment`` itself handles them (tests above), since it never tokenizes.
COMPONENT_CASES = [
    "100k dots",
    "NUL inside text",
    "mixed newlines",
    "arabic",
    "chinese",
    "emoji",
    "combining marks",
    "headings only",
    "furniture only",
]


@pytest.mark.parametrize("name", COMPONENT_CASES)
def test_spacy_component_survives_pathological_text(name: str) -> None:
    result = run_bounded(_check_component, PATHOLOGICAL[name])
    assert result[0] == "ok", f"{name}: {result[1]}: {result[2]}\n{result[-1]}"


def test_spacy_component_over_max_length_raises_spacys_documented_error() -> None:
    result = run_bounded(_check_component, "a" * 1_000_001)
    assert result[:2] == ("error", "ValueError") and "E088" in result[2], result


@pytest.mark.parametrize("bad", [b"bytes text.", None, 42, ["a list."]])
def test_non_string_input_raises_type_error(bad: object) -> None:
    with pytest.raises(TypeError, match="str"):
        split_into_clauses(bad)  # type: ignore[arg-type]
    with pytest.raises(TypeError, match="str"):
        split_sentences(bad)  # type: ignore[arg-type]


@pytest.mark.parametrize(
    "text",
    [ARABIC, HEBREW, CHINESE, JAPANESE, KOREAN, EMOJI],
    ids=["arabic", "hebrew", "chinese", "japanese", "korean", "emoji"],
)
def test_non_latin_scripts_give_clauses_covering_their_words(text: str) -> None:
    clauses = split_into_clauses(text)
    assert clauses, "a paragraph of real text gives at least one clause"
    covered = "".join(c.text for c in clauses)
    # Clauses may drop whitespace and furniture, never the script's letters.
    assert sum(ch.isalpha() for ch in covered) == sum(ch.isalpha() for ch in text)


@pytest.mark.parametrize("newline", ["\r\n", "\r", "\u2028", "\u2029", "\x85"])
def test_offsets_index_the_original_text_whatever_the_newline(newline: str) -> None:
    text = newline.join(
        ["resolves", "", "1 to connect every school;", "2 to report to the Council."]
    )
    clauses = split_into_clauses(text)
    assert all(text[c.start : c.end] == c.text for c in clauses)
    assert any("connect every school" in c.text for c in clauses)


# ------------------------------------------------------------------ properties

# Pieces that trigger the segmenter's rules, so random text reaches them often.
_PIECES = [
    ".",
    "..",
    "...",
    "…",
    ";",
    ":",
    ",",
    "!",
    "?",
    "(",
    ")",
    "[",
    "]",
    '"',
    "“",
    "”",
    "'",
    "«",
    "»",
    "-",
    "–",
    "•",
    "\n",
    "\n\n",
    "\r\n",
    "\r",
    "\u2028",
    "\t",
    " ",
    "  ",
    "\x00",
    "and",
    ", and ",
    ", but ",
    "; however, ",
    "e.g.",
    "U.S.",
    "No. 5",
    "Res. 70",
    "Dr.",
    "3.5",
    "a)",
    "(iv)",
    "1.",
    "2 ",
    "considering",
    "resolves",
    "\nresolves\n",
    "instructs the Secretary-General",
    "PP22/61(Add.3)-E",
    "- 4 -",
    "https://itu.int",
    "MOD",
    "ADD",
    "The ITU",
    "we",
    "Member States",
    "تعاون",
    "。",
    "网络",
    "👩🏽‍💻",
    "🇷🇴",
]
hostile_text = st.one_of(
    st.text(max_size=300),
    st.lists(st.sampled_from(_PIECES), max_size=120).map("".join),
    st.lists(st.one_of(st.sampled_from(_PIECES), st.text(min_size=1, max_size=8)), max_size=80).map(
        "".join
    ),
)


@pytest.fixture
def alarm_guard() -> Iterator[None]:
    """Fail (rather than hang the suite) if a property test runs for minutes."""

    def on_alarm(signum: int, frame: Any) -> None:
        raise TimeoutError("property test exceeded its hang bound; a segmenter loop hangs")

    previous = signal.signal(signal.SIGALRM, on_alarm)
    signal.alarm(120)
    try:
        yield
    finally:
        signal.alarm(0)
        signal.signal(signal.SIGALRM, previous)


PROPERTY_SETTINGS = settings(
    max_examples=300,
    deadline=None,  # no timing assertions; the alarm guard catches hangs
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)


@PROPERTY_SETTINGS
@given(text=hostile_text)
def test_clause_invariants_hold_on_any_text(alarm_guard: None, text: str) -> None:
    _check_clauses(text)


@PROPERTY_SETTINGS
@given(text=hostile_text)
def test_sentences_are_ordered_pieces_of_any_text(alarm_guard: None, text: str) -> None:
    _check_sentences(text)


@PROPERTY_SETTINGS
@given(text=hostile_text)
def test_segmenting_is_deterministic(alarm_guard: None, text: str) -> None:
    assert split_into_clauses(text) == split_into_clauses(text)


@pytest.mark.slow
@settings(max_examples=60, deadline=None, suppress_health_check=list(HealthCheck))
@given(text=hostile_text)
def test_spacy_component_invariants_hold_on_any_text(alarm_guard: None, text: str) -> None:
    _check_component(text)


# ------------------------------------------------------------------ the model


@pytest.fixture(scope="module")
def model() -> Any:
    """The shipped default model (skipped only while the pipeline module is absent)."""
    pipeline = pytest.importorskip("itunlp.pipeline")
    return pipeline.load()


MODEL_CASES = {
    "empty clause": "",
    "whitespace": " \n\t ",
    "NUL bytes": "\x00" * 1000,
    "100k dots": "." * 100_000,
    "1 MB no space": "a" * 1_000_000,
    "arabic": ARABIC,
    "chinese": CHINESE,
    "emoji": EMOJI,
    "rtl override": "\u202eytiruces rebyc\u202c CIRT",
    "lone combining marks": "\u0301" * 5000,
    "nested brackets": "(" * 10_000 + "cybersecurity" + ")" * 10_000,
}


def _predict_all(model: Any, texts: list[str]) -> int:
    predictions = model.predict(texts)
    if len(predictions) != len(texts):
        raise AssertionError(f"{len(predictions)} predictions for {len(texts)} clauses")
    for themes in predictions:
        unknown = set(themes) - set(model.themes)
        if unknown:
            raise AssertionError(f"unknown themes {unknown}")
    probabilities = model.predict_proba(texts)
    if probabilities.shape != (len(texts), len(model.themes)):
        raise AssertionError(f"predict_proba shape {probabilities.shape}")
    values = probabilities.to_numpy()
    if not ((values >= 0) & (values <= 1)).all():
        raise AssertionError("probabilities outside [0, 1]")
    return len(predictions)


@pytest.mark.slow
def test_model_predicts_hostile_clauses_without_error_or_hang(model: Any) -> None:
    texts = list(MODEL_CASES.values())
    result = run_bounded(lambda _: _predict_all(model, texts), "", seconds=60)
    assert result[0] == "ok", f"{result[1]}: {result[2]}\n{result[-1]}"


@pytest.mark.parametrize("bad", ["one string, not a list", b"bytes", [1, 2], [None]])
def test_model_predict_rejects_non_text_with_type_error(model: Any, bad: object) -> None:
    with pytest.raises(TypeError):
        model.predict(bad)


@settings(max_examples=40, deadline=None, suppress_health_check=list(HealthCheck))
@given(texts=st.lists(hostile_text, min_size=1, max_size=5))
def test_model_predictions_are_valid_themes_for_any_text(
    alarm_guard: None, model: Any, texts: list[str]
) -> None:
    predictions = model.predict(texts)
    assert len(predictions) == len(texts)
    assert all(set(p) <= set(model.themes) for p in predictions)
