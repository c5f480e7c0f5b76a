"""Speed and quality of itunlp's clause segmenter against generic splitters.

Speed, in one run on the same generated corpus (``benchmarks/corpus.py``: the
project's texts with shuffled sentences, redrawn numbers and swapped or invented
words, so that no cache sees the same string twice): words per second of spaCy's
bare tokenizer (``spacy.blank("en").tokenizer`` through ``tokenizer.pipe``, the
baseline every ratio is divided by), spaCy's ``sentencizer``, pySBD and
``split_into_clauses`` (rules only, and with a boundary model trained on the
shipped gold). The methods take turns chunk by chunk, so that load from other
processes slows all of them alike; a method that would exceed ``--budget-s``
stops after a prefix of the corpus, and its ratio is taken against the
tokenizer on that same prefix.

Quality, for each splitter: how many of the 48 English "Golden Rules" it passes
(``../shared/golden/``, when present) and clause precision/recall/F1 on the
development set (``data/dev``) under the scoring rule of issue 3. The boundary
model's F1 is leave-one-document-out: each development document is scored by a
model trained on the seed and the other documents, never on itself.

Run ``python benchmarks/bench_segmenter.py`` (0.2 MB by default, a few seconds;
``--size 5`` for steadier figures).
"""

from __future__ import annotations

import argparse
import json
import re
import sys
import time
from collections.abc import Callable, Sequence
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(Path(__file__).resolve().parent))
sys.path.insert(0, str(REPO / "src"))

from corpus import CorpusGenerator  # noqa: E402  (a sibling script, not a package)
from reporting import fmt_rate, fmt_ratio, header_lines, text_table  # noqa: E402

PACKAGES = ("itunlp", "spacy", "pysbd", "scikit-learn", "pandas")
GOLDEN = REPO.parent / "shared" / "golden" / "english_golden_rules.json"
TARGET_TOKENIZER_RATIO = 0.3
TARGET_PYSBD_RATIO = 10.0

Spans = list[tuple[int, int]]

# ---------------------------------------------------------------- the splitters


def _trimmed(text: str, start: int, end: int) -> tuple[int, int] | None:
    """(start, end) without surrounding whitespace, or None if nothing is left."""
    while start < end and text[start].isspace():
        start += 1
    while end > start and text[end - 1].isspace():
        end -= 1
    return (start, end) if start < end else None


def _sentencizer():
    import spacy

    nlp = spacy.blank("en")
    nlp.add_pipe("sentencizer")
    return nlp


def sentencizer_spans(nlp) -> Callable[[str], Spans]:
    """spaCy's sentencizer: one span per sentence."""

    def spans(text: str) -> Spans:
        doc = nlp(text)
        found = (_trimmed(text, s.start_char, s.end_char) for s in doc.sents)
        return [s for s in found if s]

    return spans


#: The naive clause splitter of the issue: every ``;``, ``:`` and newline.
_NAIVE_CUT = re.compile(r"[;:](?=\s)|\n")


def sentencizer_cut_spans(nlp) -> Callable[[str], Spans]:
    """Sentencizer sentences further cut at every ``;``, ``:`` and newline."""
    base = sentencizer_spans(nlp)

    def spans(text: str) -> Spans:
        out: Spans = []
        for start, end in base(text):
            piece_start = start
            for m in _NAIVE_CUT.finditer(text, start, end):
                cut = m.end() if m.group() != "\n" else m.start()
                piece = _trimmed(text, piece_start, cut)
                if piece:
                    out.append(piece)
                piece_start = m.end()
            piece = _trimmed(text, piece_start, end)
            if piece:
                out.append(piece)
        return out

    return spans


def pysbd_spans() -> Callable[[str], Spans]:
    """pySBD with character spans."""
    import pysbd

    segmenter = pysbd.Segmenter(language="en", clean=False, char_span=True)

    def spans(text: str) -> Spans:
        found = (_trimmed(text, s.start, s.end) for s in segmenter.segment(text))
        return [s for s in found if s]

    return spans


def itunlp_spans(model=None) -> Callable[[str], Spans]:
    """itunlp's clause segmenter, rules only or with a boundary model."""
    from itunlp.segmentation.component import split_into_clauses

    return lambda text: [(c.start, c.end) for c in split_into_clauses(text, model)]


# ------------------------------------------------------------------ gold data


def load_gold(data_dir: Path):
    """Development records, documents and styles, plus the seed as training data."""
    import pandas as pd

    from itunlp.evaluation.segmentation import read_gold

    records, documents, styles = read_gold(data_dir)
    seed_dir = data_dir.parent / "seed"
    seed_rows = [
        json.loads(line)
        for line in (seed_dir / "clauses.jsonl").read_text(encoding="utf-8").splitlines()
        if line.strip()
    ]
    seed_docs = {path.stem: path.read_text(encoding="utf-8-sig") for path in seed_dir.glob("*.txt")}
    seed = pd.DataFrame(seed_rows)
    return records, documents, styles, seed, seed_docs


def leave_one_out_spans(records, documents, seed, seed_docs) -> Callable[[str], Spans]:
    """A splitter that scores each dev document with a model not trained on it."""
    import pandas as pd

    from itunlp.segmentation.boundary_training import fit_boundary_model

    by_text = {}
    for doc_id, text in documents.items():
        train = pd.concat([seed, records[records["doc_id"] != doc_id]], ignore_index=True)
        docs = {**seed_docs, **{k: v for k, v in documents.items() if k != doc_id}}
        by_text[text] = itunlp_spans(fit_boundary_model(train, docs))
    return lambda text: by_text[text](text)


# ------------------------------------------------------------------------ speed


def time_interleaved(
    methods: Sequence[tuple[str, Callable[[list[str]], object]]],
    chunks: Sequence[list[str]],
    budget_s: float,
) -> dict[str, list[float]]:
    """Cumulative seconds of each method after each chunk, the methods taking turns.

    Every chunk is run by every method before the next chunk, so that a busy
    machine slows all of them alike and the ratios stay comparable. The first
    method (the baseline) always runs to the end; another stops once past
    ``budget_s``.
    """
    cumulative: dict[str, list[float]] = {name: [] for name, _ in methods}
    for chunk in chunks:
        for index, (name, run) in enumerate(methods):
            spent = cumulative[name]
            if index and spent and spent[-1] > budget_s:
                continue
            start = time.perf_counter()
            run(chunk)
            spent.append((spent[-1] if spent else 0.0) + time.perf_counter() - start)
    return cumulative


def speed_table(docs: list[str], model, budget_s: float, chunk: int) -> list[list[str]]:
    """Words/s of each method and its ratio to the tokenizer on the same prefix."""
    import pysbd
    import spacy

    from itunlp.segmentation.component import split_into_clauses

    chunks = [docs[i : i + chunk] for i in range(0, len(docs), chunk)]
    words = [sum(len(d.split()) for d in c) for c in chunks]
    tokenizer = spacy.blank("en").tokenizer
    nlp = _sentencizer()
    segmenter = pysbd.Segmenter(language="en", clean=False)
    methods: list[tuple[str, Callable[[list[str]], object]]] = [
        ("spaCy tokenizer (baseline)", lambda b: sum(len(d) for d in tokenizer.pipe(b))),
        ("spaCy sentencizer", lambda b: sum(len(list(d.sents)) for d in nlp.pipe(b))),
        ("pySBD", lambda b: sum(len(segmenter.segment(d)) for d in b)),
        ("itunlp rules only", lambda b: sum(len(split_into_clauses(d)) for d in b)),
        ("itunlp + boundary model", lambda b: sum(len(split_into_clauses(d, model)) for d in b)),
    ]
    # One warm-up document from another seed loads lazy state (regex caches, the
    # tokenizer's special cases) without letting any method see the timed text.
    warm_up = [CorpusGenerator(seed=10_000).document()]
    for _, run in methods:
        run(warm_up)
    timings = time_interleaved(methods, chunks, budget_s)
    baseline = timings[methods[0][0]]
    rows = []
    ratios: dict[str, float] = {}
    for name, _ in methods:
        cumulative = timings[name]
        done = len(cumulative)
        n_words = sum(words[:done])
        wps = n_words / cumulative[-1]
        ratio = baseline[done - 1] / cumulative[-1]
        ratios[name] = wps
        rows.append(
            [name, f"{done}/{len(chunks)}", f"{n_words:,}", fmt_rate(wps), fmt_ratio(ratio)]
        )
    return rows, ratios


# ---------------------------------------------------------------------- quality


def golden_passes(split: Callable[[str], list[str]]) -> str:
    """How many golden-rules cases a sentence splitter passes (stripped comparison)."""
    if not GOLDEN.is_file():
        return "—"
    cases = json.loads(GOLDEN.read_text(encoding="utf-8"))
    passed = sum(
        [s.strip() for s in split(c["text"])] == [s.strip() for s in c["sentences"]] for c in cases
    )
    return f"{passed}/{len(cases)}"


def as_sentences(spans: Callable[[str], Spans]) -> Callable[[str], list[str]]:
    """A span splitter as a sentence splitter, for the golden rules."""
    return lambda text: [text[a:b] for a, b in spans(text)]


def quality_table(data_dir: Path) -> tuple[list[list[str]], dict[str, float]]:
    """Golden-rules passes and dev-set clause F1 of each splitter."""
    from itunlp.evaluation.segmentation import evaluate_segmentation
    from itunlp.segmentation.component import split_sentences

    records, documents, styles, seed, seed_docs = load_gold(data_dir)
    nlp = _sentencizer()
    pysbd_split = pysbd_spans()
    splitters = [
        ("spaCy sentencizer", sentencizer_spans(nlp), as_sentences(sentencizer_spans(nlp))),
        ("pySBD", pysbd_split, as_sentences(pysbd_split)),
        (
            "sentencizer + cut at ; : newline",
            sentencizer_cut_spans(nlp),
            as_sentences(sentencizer_cut_spans(nlp)),
        ),
        ("itunlp rules only", itunlp_spans(), split_sentences),
        (
            "itunlp + boundary model (leave-one-doc-out)",
            leave_one_out_spans(records, documents, seed, seed_docs),
            split_sentences,  # the sentence level does not use the boundary model
        ),
    ]
    rows = []
    f1s: dict[str, float] = {}
    for name, spans, sentences in splitters:
        table = evaluate_segmentation(records, documents, styles, splitter=spans).set_index("style")
        overall, resolution = table.loc["overall"], table.loc["resolution"]
        f1s[name] = float(overall.f1)
        f1s[name + " / resolution"] = float(resolution.f1)
        rows.append(
            [
                name,
                golden_passes(sentences),
                f"{overall.precision:.3f}",
                f"{overall.recall:.3f}",
                f"{overall.f1:.3f}",
                f"{resolution.f1:.3f}",
                " ".join(
                    f"{style}={table.loc[style].f1:.2f}"
                    for style in table.index
                    if style not in ("overall", "resolution")
                ),
            ]
        )
    return rows, f1s


def trained_model(data_dir: Path):
    """A boundary model trained on the seed and the whole development set."""
    import pandas as pd

    from itunlp.segmentation.boundary_training import fit_boundary_model

    records, documents, _, seed, seed_docs = load_gold(data_dir)
    return fit_boundary_model(
        pd.concat([seed, records], ignore_index=True), {**seed_docs, **documents}
    )


# ------------------------------------------------------------------------- main


def main(argv: Sequence[str] | None = None) -> int:
    """Print the speed and quality tables; return 0."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--size", type=float, default=0.2, help="corpus size in MB (default 0.2)")
    parser.add_argument("--seed", type=int, default=0, help="corpus generator seed")
    parser.add_argument(
        "--budget-s", type=float, default=30.0, help="time budget per slow method (seconds)"
    )
    parser.add_argument("--chunk", type=int, default=20, help="documents per timed batch")
    parser.add_argument("--data", type=Path, default=REPO / "data" / "dev", help="gold folder")
    args = parser.parse_args(argv)

    for label, value in header_lines(PACKAGES):
        print(f"{label:9} {value}")
    docs = list(CorpusGenerator(args.seed).documents(int(args.size * 1_000_000)))
    n_bytes = sum(len(d.encode("utf-8")) for d in docs)
    n_words = sum(len(d.split()) for d in docs)
    print(f"corpus    {len(docs)} documents, {n_bytes / 1e6:.2f} MB, {n_words:,} words")
    print()

    model = trained_model(args.data)
    rows, wps = speed_table(docs, model, args.budget_s, args.chunk)
    print(text_table(["method", "chunks", "words", "words/s", "vs tokenizer"], rows))
    tokenizer = wps["spaCy tokenizer (baseline)"]
    ours = wps["itunlp rules only"]
    print(
        f"\nitunlp rules only: {ours / tokenizer:.2f}x the tokenizer "
        f"(target >= {TARGET_TOKENIZER_RATIO}x), {ours / wps['pySBD']:.1f}x pySBD "
        f"(target >= {TARGET_PYSBD_RATIO}x)"
    )
    print()

    rows, f1 = quality_table(args.data)
    print(
        text_table(
            ["splitter", "golden", "P", "R", "F1", "F1 resolutions", "F1 other styles"], rows
        )
    )
    print(
        f"\nitunlp rules only: dev clause F1 {f1['itunlp rules only']:.3f} overall, "
        f"{f1['itunlp rules only / resolution']:.3f} on resolutions (target >= 0.95 each)"
    )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
