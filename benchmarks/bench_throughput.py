"""Throughput and theme quality of itunlp against what a user would otherwise use.

Speed, on one core, on the same generated corpus (``benchmarks/corpus.py``), in
one run: spaCy's bare tokenizer (the floor of any spaCy pipeline, the baseline
every other figure is divided by), spaCy's ``sentencizer``, pySBD,
``itunlp.segment`` and ``model.classify`` end to end, and a spaCy
``textcat_multilabel`` pipeline trained on the same labels (sentences from the
sentencizer, each tagged). The methods take turns batch by batch (so a change
of load on a shared machine hits all of them alike) and are timed in CPU
seconds of this pinned, single-threaded process. A method that would need more
than ``--budget-s`` stops after a prefix of the corpus; its ratio is then taken
against the tokenizer's time on exactly that prefix, so every ratio compares
the same text.

Quality: cross-validated theme micro/macro F1 on the shipped corpus of itunlp's
estimator, the textcat pipeline and a plain TF-IDF + one-vs-rest logistic
regression at threshold 0.5, on the same folds.

Run ``python benchmarks/bench_throughput.py`` (full size: 20 MB) or
``--size-mb 0.05 --folds 2 --textcat-epochs 1`` for a smoke run.

``--profile`` measures nothing else: it runs ``model.classify`` over the corpus
(``--size-mb``, 1 MB is plenty) and prints where its CPU time goes, by stage
(segmentation, term and trap matching, n-gram features, prediction, building the
table), timed by wrapping the functions of each stage (exclusive time: a stage
called inside another is charged to itself only); ``--profile-top N`` adds
cProfile's N costliest functions.
"""

from __future__ import annotations

import os

# One core means one core: BLAS/OpenMP pools read these once, at import.
os.environ["OMP_NUM_THREADS"] = "1"
os.environ["OPENBLAS_NUM_THREADS"] = "1"
os.environ["MKL_NUM_THREADS"] = "1"
os.environ["NUMEXPR_NUM_THREADS"] = "1"
os.environ["VECLIB_MAXIMUM_THREADS"] = "1"

import argparse
import gc
import random
import statistics
import sys
import time
import warnings
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent))

from corpus import CorpusGenerator  # a sibling script, not a package
from reporting import (
    fmt_rate,
    fmt_ratio,
    header_lines,
    markdown_table,
    text_table,
    write_markdown_section,
)

PACKAGES = ("itunlp", "spacy", "scikit-learn", "pysbd", "numpy", "pandas")
TARGET_TOKENIZER = 0.25  # issue 8
TARGET_PYSBD = 10.0  # issue 8
TARGET_WORDS_PER_S = 100_000  # issue 13
TARGET_TOKENIZER_13 = 0.5  # issue 13, also on long documents
TARGET_STARTUP_S = 2.0  # issue 13: `itunlp classify` on one small file, wall
LONG_TEMPLATE = "supplement-resolution"
SMALL_FILE = Path(__file__).resolve().parents[1] / "data" / "seed" / "itu-pp22-dispatch.txt"


def pin_one_core() -> str:
    """Restrict this process to one CPU (Linux) and say which, for the header."""
    if hasattr(os, "sched_setaffinity"):
        cpu = min(os.sched_getaffinity(0))
        os.sched_setaffinity(0, {cpu})
        return f"pinned to CPU {cpu}"
    return "not pinned (no sched_setaffinity); thread pools limited to 1"


@dataclass
class Method:
    """One contender and what it has done so far in the interleaved run."""

    name: str
    unit: str
    run: Callable[[list[str]], int | None]
    batches: int = 0
    words: int = 0
    units: int | None = 0
    cpu_s: float = 0.0
    wall_s: float = 0.0
    stopped: bool = False

    @property
    def words_per_s(self) -> float:
        return self.words / self.cpu_s if self.cpu_s else float("nan")

    @property
    def units_per_s(self) -> float | None:
        return None if self.units is None or not self.cpu_s else self.units / self.cpu_s


def run_interleaved(
    methods: list[Method], batches: Sequence[list[str]], budget_s: float
) -> list[float]:
    """Run every method on each batch in turn; return the baseline's CPU time per batch.

    Interleaving means a change of load on a shared machine hits every method
    alike, and rotating the order within a round spreads cache warm-up fairly.
    Times are CPU seconds of this (single-threaded, pinned) process, so other
    processes on the machine do not inflate them; wall time is kept to show how
    busy the machine was. ``methods[0]`` is the baseline and always runs to the
    end; another method stops once its CPU time passes ``budget_s``, having
    covered a prefix of the batches.
    """
    baseline_per_batch: list[float] = []
    gc.collect()
    for round_index, batch in enumerate(batches):
        words = sum(len(doc.split()) for doc in batch)
        shift = round_index % len(methods)
        for method in methods[shift:] + methods[:shift]:
            if method.stopped:
                continue
            cpu, wall = time.process_time(), time.perf_counter()
            produced = method.run(batch)
            cpu, wall = time.process_time() - cpu, time.perf_counter() - wall
            if method is methods[0]:
                baseline_per_batch.append(cpu)
            method.batches += 1
            method.words += words
            method.cpu_s += cpu
            method.wall_s += wall
            method.units = (
                None if produced is None or method.units is None else (method.units + produced)
            )
            if method is not methods[0] and method.cpu_s >= budget_s:
                method.stopped = True
    return baseline_per_batch


# ------------------------------------------------------------------ the methods


def spacy_tokenizer() -> Callable[[list[str]], None]:
    """The bare tokenizer of ``spacy.blank("en")``, the floor of any spaCy pipeline."""
    import spacy

    tokenizer = spacy.blank("en").tokenizer

    def run(batch: list[str]) -> None:
        for doc in batch:
            tokenizer(doc)

    return run


def spacy_sentencizer() -> Callable[[list[str]], int]:
    """spaCy's rule-based sentencizer on a blank English pipeline; counts sentences."""
    import spacy

    nlp = spacy.blank("en")
    nlp.add_pipe("sentencizer")
    return lambda batch: sum(len(list(doc.sents)) for doc in nlp.pipe(batch))


def pysbd_segmenter() -> Callable[[list[str]], int]:
    """pySBD, the reference for sentence-boundary quality; counts sentences."""
    import pysbd

    segmenter = pysbd.Segmenter(language="en", clean=False)
    return lambda batch: sum(len(segmenter.segment(doc)) for doc in batch)


def itunlp_segment() -> Callable[[list[str]], int]:
    """``itunlp.segment`` (the clause segmenter on the raw string); counts clauses."""
    import itunlp

    return lambda batch: sum(len(itunlp.segment(doc)) for doc in batch)


def itunlp_classify(model: Any) -> Callable[[list[str]], int]:
    """``model.classify`` on texts, one process: segment, tag, build the table."""
    return lambda batch: len(model.classify(batch, n_jobs=1))


def textcat_end_to_end(nlp: Any) -> Callable[[list[str]], int]:
    """spaCy-only tagging: sentencizer, then the textcat on each sentence as a Doc.

    This is how a spaCy user would tag sentence-sized units with a multilabel
    textcat; the sentence docs reuse the tokens (no second tokenization).
    """
    textcat = nlp.get_pipe("textcat_multilabel")

    def run(batch: list[str]) -> int:
        count = 0
        for doc in nlp.pipe(batch, disable=["textcat_multilabel"]):
            sentences = [s.as_doc() for s in doc.sents if s.text.strip()]
            for tagged in textcat.pipe(sentences, batch_size=128):
                _ = [label for label, score in tagged.cats.items() if score >= 0.5]
                count += 1
        return count

    return run


# -------------------------------------------------------------- the taggers' F1


def train_textcat(
    texts: Sequence[str],
    labels: Sequence[Sequence[str]],
    themes: Sequence[str],
    *,
    epochs: int,
    max_seconds: float,
    seed: int = 0,
) -> Any:
    """A blank English pipeline with sentencizer and a default ``textcat_multilabel``.

    The default architecture (spaCy's TextCatEnsemble) is what ``add_pipe``
    gives a user; training stops after ``epochs`` or ``max_seconds``.
    """
    import spacy
    from spacy.training import Example
    from spacy.util import compounding, fix_random_seed, minibatch

    fix_random_seed(seed)
    nlp = spacy.blank("en")
    nlp.add_pipe("sentencizer")
    textcat = nlp.add_pipe("textcat_multilabel")
    for theme in themes:
        textcat.add_label(theme)
    examples = [
        Example.from_dict(nlp.make_doc(text), {"cats": {t: float(t in tags) for t in themes}})
        for text, tags in zip(texts, labels, strict=True)
    ]
    optimizer = nlp.initialize(lambda: examples)
    rng = random.Random(seed)
    started = time.perf_counter()
    for _ in range(epochs):
        rng.shuffle(examples)
        for batch in minibatch(examples, size=compounding(4.0, 32.0, 1.001)):
            nlp.update(batch, sgd=optimizer, drop=0.2, losses={})
        if time.perf_counter() - started > max_seconds:
            break
    return nlp


def textcat_predict(nlp: Any, texts: Sequence[str], themes: Sequence[str]) -> np.ndarray:
    """Indicator matrix of the textcat's themes at threshold 0.5."""
    return np.array(
        [[doc.cats.get(t, 0.0) >= 0.5 for t in themes] for doc in nlp.pipe(texts)], dtype=int
    )


def tfidf_lr() -> Any:
    """The plain baseline: default TF-IDF, one-vs-rest logistic regression, 0.5 cut."""
    from sklearn.feature_extraction.text import TfidfVectorizer
    from sklearn.linear_model import LogisticRegression
    from sklearn.multiclass import OneVsRestClassifier
    from sklearn.pipeline import make_pipeline

    return make_pipeline(TfidfVectorizer(), OneVsRestClassifier(LogisticRegression(max_iter=1000)))


def itunlp_estimator(model: Any | None) -> Any:
    """An unfitted copy of the default model's estimator (its parameters), or the defaults."""
    from sklearn.base import clone

    from itunlp.themes.classifier import ThemeClassifier

    for attribute in ("classifier", "classifier_", "estimator"):
        estimator = getattr(model, attribute, None)
        if isinstance(estimator, ThemeClassifier):
            return clone(estimator)
    return ThemeClassifier()


def shipped_clauses(sample: int | None) -> Any:
    """The shipped labelled corpus, or a seeded sample of it (for smoke runs)."""
    from itunlp.labels.corpus import load_shipped_corpus

    frame = load_shipped_corpus()
    if sample is not None and sample < len(frame):
        frame = frame.sample(n=sample, random_state=0).reset_index(drop=True)
    return frame


def cross_validated_f1(
    model: Any | None,
    frame: Any,
    *,
    folds: int,
    textcat_epochs: int,
    textcat_max_s: float,
) -> tuple[list[list[str]], int, dict[str, int]]:
    """Micro/macro F1 of each tagger on the same multilabel-stratified folds.

    Out-of-fold predictions are pooled over the folds (every theme then has
    support), and the spread of micro-F1 across folds is given beside them.
    """
    from iterstrat.ml_stratifiers import MultilabelStratifiedKFold
    from sklearn.metrics import f1_score
    from sklearn.preprocessing import MultiLabelBinarizer

    from itunlp.themes import load_themes

    themes = list(load_themes().ids)
    texts = frame["text"].tolist()
    labels = frame["themes"].tolist()
    y = MultiLabelBinarizer(classes=themes).fit_transform(labels)
    splitter = MultilabelStratifiedKFold(n_splits=folds, shuffle=True, random_state=0)
    taggers = ("itunlp ThemeClassifier", "spaCy textcat_multilabel", "TF-IDF + LR (0.5)")
    predicted = {name: np.zeros_like(y) for name in taggers}
    fold_micro: dict[str, list[float]] = {name: [] for name in taggers}
    for train, test in splitter.split(np.zeros(len(y)), y):
        train_labels = [labels[i] for i in train]
        test_texts = [texts[i] for i in test]
        estimator = itunlp_estimator(model)
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")  # few-label warnings are expected in folds
            estimator.fit(frame.iloc[train][["text", "function"]], train_labels)
            scores = estimator.predict(frame.iloc[test][["text", "function"]])
        columns = [list(estimator.classes_).index(t) for t in themes]
        predicted[taggers[0]][test] = np.asarray(scores)[:, columns]
        nlp = train_textcat(
            [texts[i] for i in train],
            train_labels,
            themes,
            epochs=textcat_epochs,
            max_seconds=textcat_max_s,
        )
        predicted[taggers[1]][test] = textcat_predict(nlp, test_texts, themes)
        baseline = tfidf_lr().fit([texts[i] for i in train], y[train])
        predicted[taggers[2]][test] = baseline.predict(test_texts)
        for name in taggers:
            fold_micro[name].append(
                f1_score(y[test], predicted[name][test], average="micro", zero_division=0)
            )
    rows = []
    for name in taggers:
        micro = f1_score(y, predicted[name], average="micro", zero_division=0)
        macro = f1_score(y, predicted[name], average="macro", zero_division=0)
        spread = statistics.pstdev(fold_micro[name])
        rows.append([name, f"{micro:.3f}", f"{macro:.3f}", f"{spread:.3f}"])
    support = dict(zip(themes, y.sum(axis=0).tolist(), strict=True))
    return rows, len(texts), support


def startup_seconds(runs: int = 3) -> float:
    """Median wall time of ``itunlp classify`` on one small file, start-up included."""
    import subprocess
    import tempfile

    times = []
    with tempfile.TemporaryDirectory() as folder:
        for _ in range(runs):
            started = time.perf_counter()
            subprocess.run(
                [
                    sys.executable,
                    "-m",
                    "itunlp",
                    "classify",
                    str(SMALL_FILE),
                    "-o",
                    str(Path(folder) / "out.csv"),
                    "-q",
                ],
                check=True,
            )
            times.append(time.perf_counter() - started)
    return statistics.median(times)


def long_documents_rows(
    model: Any, generator: CorpusGenerator, n_docs: int
) -> tuple[list[list[str]], float, int]:
    """Classify vs the tokenizer on long whole documents (a resolution of ~5,000 words each)."""
    docs = [generator.variant(LONG_TEMPLATE) for _ in range(n_docs)]
    words = [len(d.split()) for d in docs]
    methods = [
        Method("spaCy tokenizer (baseline)", "token", spacy_tokenizer()),
        Method("itunlp model.classify", "clause", itunlp_classify(model)),
    ]
    for method in methods:
        method.run(docs[:1])
    baseline = run_interleaved(methods, [[d] for d in docs], float("inf"))
    ratio = sum(baseline) / methods[1].cpu_s
    rows = [
        [
            m.name,
            fmt_rate(m.words_per_s),
            fmt_ratio(sum(baseline) / m.cpu_s),
            f"{m.wall_s / m.cpu_s:.2f}",
        ]
        for m in methods
    ]
    return rows, ratio, int(statistics.median(words))


# --------------------------------------------------------------------- profile

# Where model.classify spends its time. Each stage names the functions that do its
# work, in the old layout (before issue 13) and the new one; those that exist are
# wrapped with a timer. Whatever no stage claims (reading inputs, building and
# concatenating the clause table, bookkeeping) is "table building and the rest".
PROFILE_STAGES: dict[str, tuple[str, ...]] = {
    "segmentation": ("itunlp.pipeline:ThemeModel.segment",),
    "terms and traps": (
        "itunlp.themes.classifier:ThemeClassifier._term_block",  # before issue 13
        "itunlp.classifier:ThemeClassifier._term_block",
        "itunlp.themes.matcher:TermMatcher.counts",
    ),
    "n-gram features": (
        "itunlp.themes.classifier:ThemeClassifier._transform",  # before issue 13
        "itunlp.classifier:ThemeClassifier._transform",
        "itunlp.themes.text_features:TextBlock.score",
        "itunlp.themes.text_features:TextBlock.__call__",
        "itunlp.themes.blocks:FunctionBlock.__call__",
    ),
    "prediction": (
        "itunlp.themes.classifier:ThemeClassifier._proba",  # before issue 13
        "itunlp.classifier:ThemeClassifier._proba",
        "itunlp.themes.inference:FastThemePredictor.predict_proba",
    ),
}
REST = "table building and the rest"


class StageTimer:
    """Exclusive CPU time per stage, from wrappers around the stages' functions."""

    def __init__(self) -> None:
        self.seconds: dict[str, float] = {}
        self.stack: list[tuple[str, float]] = []

    def wrap(self, stage: str, function: Callable[..., Any]) -> Callable[..., Any]:
        timer = self

        def timed(*args: Any, **kwargs: Any) -> Any:
            now = time.process_time()
            if timer.stack:  # pause the enclosing stage
                outer, since = timer.stack[-1]
                timer.seconds[outer] = timer.seconds.get(outer, 0.0) + now - since
            timer.stack.append((stage, now))
            try:
                return function(*args, **kwargs)
            finally:
                end = time.process_time()
                _, since = timer.stack.pop()
                timer.seconds[stage] = timer.seconds.get(stage, 0.0) + end - since
                if timer.stack:
                    outer, _ = timer.stack[-1]
                    timer.stack[-1] = (outer, end)

        timed.__wrapped__ = function  # type: ignore[attr-defined]
        return timed


def _install_stage_timers(timer: StageTimer) -> tuple[list[str], Callable[[], None]]:
    """Wrap every stage function that exists; return their names and an undo."""
    import importlib

    found: list[str] = []
    undo: list[tuple[Any, str, Any]] = []
    for stage, targets in PROFILE_STAGES.items():
        for target in targets:
            module_name, qualname = target.split(":")
            try:
                owner: Any = importlib.import_module(module_name)
            except ImportError:
                continue
            *path, attribute = qualname.split(".")
            try:
                for part in path:
                    owner = getattr(owner, part)
                original = (
                    owner.__dict__[attribute]
                    if isinstance(owner, type)
                    else getattr(owner, attribute)
                )
            except (AttributeError, KeyError):
                continue
            if any(o is owner and a == attribute for o, a, _ in undo):
                continue  # an alias of a function already wrapped
            if isinstance(original, staticmethod):
                wrapped: Any = staticmethod(timer.wrap(stage, original.__func__))
            else:
                wrapped = timer.wrap(stage, original)
            setattr(owner, attribute, wrapped)
            undo.append((owner, attribute, original))
            found.append(target)

    def restore() -> None:
        for owner, attribute, original in reversed(undo):
            setattr(owner, attribute, original)

    return found, restore


def profile_classify(model: Any, docs: list[str], warmup: str, top: int) -> list[list[str]]:
    """Classify ``docs`` once with stage timers (and cProfile when ``top``); print the split."""
    model.classify([warmup], n_jobs=1)
    timer = StageTimer()
    found, restore = _install_stage_timers(timer)
    words = sum(len(d.split()) for d in docs)
    profiler = None
    if top:
        import cProfile

        profiler = cProfile.Profile()
    try:
        gc.collect()
        cpu = time.process_time()
        if profiler is not None:
            profiler.enable()
        model.classify(docs, n_jobs=1)
        if profiler is not None:
            profiler.disable()
        cpu = time.process_time() - cpu
    finally:
        restore()
    stages = [*PROFILE_STAGES, REST]
    seconds = {stage: timer.seconds.get(stage, 0.0) for stage in PROFILE_STAGES}
    seconds[REST] = max(0.0, cpu - sum(seconds.values()))
    rows = [
        [
            stage,
            f"{seconds[stage]:.2f}",
            f"{seconds[stage] / cpu:.0%}",
            fmt_rate(words / seconds[stage]) if seconds[stage] else "—",
        ]
        for stage in stages
    ]
    rows.append(["total model.classify", f"{cpu:.2f}", "100%", fmt_rate(words / cpu)])
    print(
        f"\nwhere model.classify's CPU time goes ({words:,} words, {len(docs)} documents"
        f"{', under cProfile' if profiler else ''}):"
    )
    print(text_table(["stage", "CPU s", "share", "words/s of the stage alone"], rows))
    print("timed functions: " + ", ".join(found))
    if profiler is not None:
        import io
        import pstats

        out = io.StringIO()
        pstats.Stats(profiler, stream=out).sort_stats("tottime").print_stats(top)
        print(out.getvalue())
    return rows


# ------------------------------------------------------------------------ main


def parse_args(argv: Sequence[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--size-mb", type=float, default=20.0, help="corpus size (default 20)")
    parser.add_argument("--seed", type=int, default=0, help="corpus generator seed")
    parser.add_argument(
        "--budget-s",
        type=float,
        default=180.0,
        help="CPU seconds per method before it stops at a prefix of the corpus (default 180)",
    )
    parser.add_argument(
        "--batch-docs", type=int, default=8, help="documents per interleaved batch (default 8)"
    )
    parser.add_argument("--folds", type=int, default=5, help="cross-validation folds")
    parser.add_argument("--textcat-epochs", type=int, default=10)
    parser.add_argument(
        "--textcat-max-s", type=float, default=120.0, help="time cap per textcat training"
    )
    parser.add_argument(
        "--train-sample",
        type=int,
        help="use this many shipped clauses for textcat training and the F1 folds (smoke runs)",
    )
    parser.add_argument("--skip-f1", action="store_true", help="speed only")
    parser.add_argument(
        "--profile",
        action="store_true",
        help="only profile model.classify on the corpus: CPU time per stage",
    )
    parser.add_argument(
        "--profile-top", type=int, default=0, help="with --profile: cProfile's N costliest"
    )
    parser.add_argument(
        "--long-docs",
        type=int,
        default=20,
        help="long documents (the ~5,000-word assembled resolution, varied) timed apart",
    )
    parser.add_argument(
        "--skip-textcat", action="store_true", help="leave spaCy's textcat out (faster runs)"
    )
    parser.add_argument(
        "--markdown", type=Path, help="also write the tables into this Markdown file"
    )
    return parser.parse_args(argv)


def main(argv: Sequence[str] | None = None) -> int:
    args = parse_args(argv)
    pinned = pin_one_core()

    import itunlp

    header = header_lines(PACKAGES)
    header.append(("cores used", f"1 ({pinned}; OMP/OpenBLAS/MKL threads = 1)"))
    generator = CorpusGenerator(args.seed)
    docs = list(generator.documents(int(args.size_mb * 1_000_000)))
    warmup = CorpusGenerator(args.seed + 10_000).document()  # unseen text, no cache help
    words = [len(d.split()) for d in docs]
    size_mb = sum(len(d.encode("utf-8")) for d in docs) / 1e6
    header.append(
        (
            "corpus",
            f"{size_mb:.1f} MB, {len(docs):,} documents, {sum(words):,} words "
            f"(generated from the project's texts, seed {args.seed})",
        )
    )
    for label, value in header:
        print(f"{label}: {value}", flush=True)

    try:
        model = itunlp.load()
    except Exception as error:  # the benchmark still reports everything else
        print(
            f"note: itunlp.load() failed ({type(error).__name__}: {error}); classify row skipped",
            flush=True,
        )
        model = None

    if args.profile:
        if model is None:
            return 1
        rows = profile_classify(model, docs, warmup, args.profile_top)
        if args.markdown:
            body = ["## Where model.classify's time goes (`bench_throughput.py --profile`)", ""]
            body += [f"- {label}: {value}" for label, value in header]
            body += [
                "",
                markdown_table(["stage", "CPU s", "share", "words/s of the stage alone"], rows),
            ]
            write_markdown_section(args.markdown, "bench_throughput_profile", "\n".join(body))
            print(f"\nwrote {args.markdown}")
        return 0

    started = time.perf_counter()
    shipped = shipped_clauses(args.train_sample)
    themes = list(itunlp.load_themes().ids)
    textcat_nlp = None
    if not args.skip_textcat:
        textcat_nlp = train_textcat(
            shipped["text"].tolist(),
            shipped["themes"].tolist(),
            themes,
            epochs=args.textcat_epochs,
            max_seconds=args.textcat_max_s,
        )
        print(
            f"textcat trained on {len(shipped):,} clauses in {time.perf_counter() - started:.0f} s",
            flush=True,
        )

    methods = [
        Method("spaCy tokenizer (baseline)", "token", spacy_tokenizer()),
        Method("spaCy sentencizer", "sentence", spacy_sentencizer()),
        Method("pySBD", "sentence", pysbd_segmenter()),
        Method("itunlp.segment", "clause", itunlp_segment()),
    ]
    if model is not None:
        methods.append(Method("itunlp model.classify", "clause", itunlp_classify(model)))
    if textcat_nlp is not None:
        methods.append(
            Method("spaCy textcat_multilabel", "sentence", textcat_end_to_end(textcat_nlp))
        )
    for method in methods:
        method.run([warmup])
    batches = [docs[i : i + args.batch_docs] for i in range(0, len(docs), args.batch_docs)]
    started = time.perf_counter()
    baseline_per_batch = run_interleaved(methods, batches, args.budget_s)
    print(f"measured in {time.perf_counter() - started:.0f} s", flush=True)

    def ratio(m: Method) -> float:
        # The baseline's time on exactly the batches this method covered.
        return sum(baseline_per_batch[: m.batches]) / m.cpu_s

    results = methods
    headers = ["method", "words/s", "x tokenizer", "units/s", "unit", "covered", "wall/CPU"]
    rows = [
        [
            m.name,
            fmt_rate(m.words_per_s),
            fmt_ratio(ratio(m)),
            fmt_rate(m.units_per_s),
            m.unit,
            f"{m.batches / len(batches):.0%}",
            f"{m.wall_s / m.cpu_s:.2f}",
        ]
        for m in results
    ]
    print("\nthroughput, one core, same text (CPU seconds of this process):")
    print(text_table(headers, rows))

    by_name = {m.name: m for m in results}
    target_lines = []
    classify = by_name.get("itunlp model.classify")
    pysbd = by_name["pySBD"]
    if classify is not None:
        vs_tok = ratio(classify)
        # pySBD may have covered fewer batches; both rates are per CPU second.
        vs_pysbd = classify.words_per_s / pysbd.words_per_s
        rate = classify.words_per_s
        target_lines = [
            f"target classify >= {TARGET_WORDS_PER_S:,} words/s (issue 13): {rate:,.0f} "
            f"{'MET' if rate >= TARGET_WORDS_PER_S else 'NOT MET'}",
            f"target classify >= {TARGET_TOKENIZER_13}x tokenizer (issue 13): {vs_tok:.2f}x "
            f"{'MET' if vs_tok >= TARGET_TOKENIZER_13 else 'NOT MET'}",
            f"target classify >= {TARGET_TOKENIZER}x tokenizer (issue 8): {vs_tok:.2f}x "
            f"{'MET' if vs_tok >= TARGET_TOKENIZER else 'NOT MET'}",
            f"target classify >= {TARGET_PYSBD:.0f}x pySBD (issue 8): {vs_pysbd:.1f}x "
            f"{'MET' if vs_pysbd >= TARGET_PYSBD else 'NOT MET'}",
        ]
    for line in target_lines:
        print(line)

    long_headers = ["method", "words/s", "x tokenizer", "wall/CPU"]
    long_rows: list[list[str]] = []
    long_title = ""
    if classify is not None and args.long_docs:
        long_rows, long_ratio, median_words = long_documents_rows(
            model, CorpusGenerator(args.seed + 20_000), args.long_docs
        )
        long_title = (
            f"long whole documents: {args.long_docs} variants of the assembled resolution "
            f"(median {median_words:,} words each), one document per turn"
        )
        print(f"\n{long_title}:")
        print(text_table(long_headers, long_rows))
        line = (
            f"target classify >= {TARGET_TOKENIZER_13}x tokenizer on long documents "
            f"(issue 13): {long_ratio:.2f}x "
            f"{'MET' if long_ratio >= TARGET_TOKENIZER_13 else 'NOT MET'}"
        )
        print(line)
        target_lines.append(line)
    if classify is not None:
        startup = startup_seconds()
        line = (
            f"target `itunlp classify {SMALL_FILE.name}` <= {TARGET_STARTUP_S:.0f} s wall "
            f"(issue 13, start-up included, median of 3): {startup:.2f} s "
            f"{'MET' if startup <= TARGET_STARTUP_S else 'NOT MET'}"
        )
        print(line)
        target_lines.append(line)

    f1_rows: list[list[str]] = []
    f1_headers = ["tagger", "micro-F1", "macro-F1", "micro-F1 sd (folds)"]
    if not args.skip_f1:
        started = time.perf_counter()
        f1_rows, n_clauses, _support = cross_validated_f1(
            model,
            shipped,
            folds=args.folds,
            textcat_epochs=args.textcat_epochs,
            textcat_max_s=args.textcat_max_s,
        )
        print(
            f"\ntheme F1, {args.folds}-fold multilabel-stratified CV on the shipped corpus "
            f"({n_clauses:,} clauses), pooled out-of-fold "
            f"({time.perf_counter() - started:.0f} s):"
        )
        print(text_table(f1_headers, f1_rows))

    if args.markdown:
        body = ["## Throughput and theme F1 (`bench_throughput.py`)", ""]
        body += [f"- {label}: {value}" for label, value in header]
        body += ["", markdown_table(headers, rows)]
        if long_rows:
            body += [
                "",
                f"{long_title[0].upper()}{long_title[1:]}:",
                "",
                markdown_table(long_headers, long_rows),
            ]
        if target_lines:
            body += ["", *(f"- {line}" for line in target_lines)]
        if f1_rows:
            body += [
                "",
                f"Theme F1, {args.folds}-fold CV on the shipped corpus, pooled out-of-fold:",
                "",
                markdown_table(f1_headers, f1_rows),
            ]
        write_markdown_section(args.markdown, "bench_throughput", "\n".join(body))
        print(f"\nwrote {args.markdown}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
