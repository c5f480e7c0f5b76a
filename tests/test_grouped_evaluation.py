"""Issue 12: folds by document, sources left out, the learning curve, context, adaptation.

Tiny corpora only: every fit here takes well under a second.
"""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from click.testing import CliRunner

from itunlp._resources import data_dir
from itunlp.cli import main
from itunlp.cli._train import format_results
from itunlp.themes.classifier import ThemeClassifier
from itunlp.themes.folds import add_neighbours, clause_groups, grouped_folds
from itunlp.themes.state import predictor_for
from itunlp.training import evaluate

pytestmark = pytest.mark.filterwarnings("ignore::itunlp.themes.classifier.FewLabelsWarning")

THEMES = ("connectivity", "gender", "institutional_process")
# Sentences per theme for generated documents (each a little different).
SENTENCES = {
    "connectivity": [
        "Broadband must reach rural schools in {place}.",
        "Affordable Internet access for {place} is the priority.",
        "Fibre backbones will connect {place} by next year.",
        "Mobile coverage now reaches remote villages of {place}.",
    ],
    "gender": [
        "Women engineers from {place} lead the study group.",
        "Girls in ICT day drew many students in {place}.",
        "Gender equality in {place} needs mentoring programmes.",
        "More women from {place} should hold leadership posts.",
    ],
    "institutional_process": [
        "The Council of {place} approved the budget.",
        "The plenary in {place} elected the Secretary-General.",
        "Delegates in {place} adopted the rules of procedure.",
        "The committee meets again in {place} on Thursday.",
    ],
}
PLACES = ["Fiji", "Chad", "Peru", "Laos", "Mali", "Oman", "Togo", "Nepal"]


def _documents(writers: tuple[str, ...] = ("ngo", "team"), per_writer: int = 4) -> pd.DataFrame:
    """Labelled clauses of small documents (doc_id, offsets, writer), texts included."""
    rows = []
    for w, writer in enumerate(writers):
        for d in range(per_writer):
            doc_id = f"{writer}-{d}"
            place = PLACES[(w * per_writer + d) % len(PLACES)]
            text, start = "", 0
            for k in range(6):
                theme = THEMES[(d + k) % len(THEMES)]
                sentence = SENTENCES[theme][(k + w) % 4].format(place=place)
                rows.append(
                    {"doc_id": doc_id, "clause_id": f"{doc_id}-{k:03d}", "start": start,
                     "end": start + len(sentence), "text": sentence, "function": "",
                     "themes": [theme], "source": "test documents", "writer": writer,
                     "section_title": ""}
                )  # fmt: skip
                text += sentence + " "
                start = len(text)
            rows[-1]["_document"] = text
    return pd.DataFrame(rows)


def _standalone(n: int = 12) -> pd.DataFrame:
    rows = []
    for i in range(n):
        theme = THEMES[i % 3]
        rows.append(
            {"text": SENTENCES[theme][i % 4].format(place=PLACES[i % len(PLACES)]) + f" ({i})",
             "themes": [theme], "source": "standalone"}
        )  # fmt: skip
    return pd.DataFrame(rows)


# ------------------------------------------------------------------- folds
def test_standalone_clauses_are_groups_of_their_own() -> None:
    frame = pd.DataFrame({"doc_id": ["a", "a", "s", "s", ""], "start": [0, 5, None, None, 3]})
    groups = clause_groups(frame)
    assert groups[0] == groups[1] == "a"
    assert len({groups[2], groups[3], groups[4]}) == 3 and "a" not in groups[2:]


@pytest.mark.parametrize("seed", range(5))
def test_grouped_folds_never_put_a_document_on_both_sides(seed: int) -> None:
    rng = np.random.default_rng(seed)
    groups = rng.choice([f"d{i}" for i in range(12)] + [f"#{i}" for i in range(20)], 120)
    Y = rng.integers(0, 2, (120, 4))
    folds = grouped_folds(Y, groups, 4, seed)
    tested = np.concatenate([test for _, test in folds])
    assert sorted(tested) == list(range(120))  # every clause tested once
    for train, test in folds:
        assert not set(groups[train]) & set(groups[test])
        assert len(test)


def test_too_few_documents_for_the_folds_is_an_error() -> None:
    with pytest.raises(ValueError, match="too few"):
        grouped_folds(np.ones((3, 2)), ["a", "a", "b"], 3)


def test_evaluate_grouped_folds_keep_documents_apart(monkeypatch: pytest.MonkeyPatch) -> None:
    seen: list[tuple[str, set[str]]] = []
    fit, predict = ThemeClassifier.fit, ThemeClassifier.predict

    def spy_fit(self, X, y, **kwargs):
        seen.append(("fit", set(X["doc_id"])))
        return fit(self, X, y, **kwargs)

    def spy_predict(self, X):
        seen.append(("predict", set(X["doc_id"])))
        return predict(self, X)

    monkeypatch.setattr(ThemeClassifier, "fit", spy_fit)
    monkeypatch.setattr(ThemeClassifier, "predict", spy_predict)
    labels = _documents().drop(columns="_document")
    evaluate(None, labels, no_seed=True, folds=3, repeats=2, cross_source=False,
             learning=False, random_folds=False, baselines=False)  # fmt: skip
    assert [kind for kind, _ in seen] == ["fit", "predict"] * 6
    for k in range(6):
        assert not seen[2 * k][1] & seen[2 * k + 1][1]


# ------------------------------------------------------------ the settings
@pytest.fixture(scope="module")
def table() -> pd.DataFrame:
    labels = pd.concat([_documents().drop(columns="_document"), _standalone()])
    labels["source"] = labels["writer"].fillna("standalone").replace("", "standalone")
    return evaluate(None, labels, no_seed=True, folds=3, repeats=2)


def test_leave_one_source_out_covers_every_source(table: pd.DataFrame) -> None:
    loso = table[(table["setting"] == "leave-one-source-out") & (table["method"] == "model")]
    assert set(loso["test"]) == {"ngo", "team", "standalone"}
    for source in ("ngo", "team", "standalone"):
        assert set(loso.loc[loso["test"] == source, "train"]) == {f"all but {source}"}
    micro = loso[loso["theme"] == "micro"].set_index("test")["support"]
    assert micro["ngo"] == micro["team"] == 24 and micro["standalone"] == 12


def test_learning_curve_has_a_row_per_share_and_theme(table: pd.DataFrame) -> None:
    curve = table[table["setting"] == "learning-curve"]
    shares = list(dict.fromkeys(curve["train"]))
    assert [s.split("%")[0] for s in shares] == ["25", "50", "75", "100"]
    assert len(curve) == 4 * (9 + 2)  # nine themes, micro and macro
    assert set(curve["n_folds"]) == {3}
    assert curve["f1_std"].notna().all()


def test_grouped_cv_is_the_headline_with_spread(table: pd.DataFrame) -> None:
    grouped = table[(table["setting"] == "grouped-cv") & (table["method"] == "model")]
    micro = grouped.set_index("theme").loc["micro"]
    assert micro["n_folds"] == 6 and np.isfinite(micro["f1"]) and micro["f1_std"] >= 0
    text = format_results(table)
    assert text.startswith("HEADLINE: cross-validation by document")
    assert text.index("Leave one source out") < text.index("Learning curve")


# ----------------------------------------------------------------- context
def _context_model(context_weight: float = 0.5) -> tuple[ThemeClassifier, pd.DataFrame]:
    frame = add_neighbours(_documents().drop(columns="_document"))
    model = ThemeClassifier(cv=2, min_positives=2, context_weight=context_weight)
    return model.fit(frame, list(frame["themes"])), frame


def test_context_changes_predictions_only_through_context() -> None:
    model, frame = _context_model()
    plain = model.predict_proba(frame[["text", "function"]])
    blank = frame.assign(prev_text="", next_text="", section_title="")
    assert np.array_equal(model.predict_proba(blank), plain)  # no context: text alone
    with_context = model.predict_proba(frame)
    assert not np.allclose(with_context, plain)  # the neighbours move the scores
    # The numpy predictor reads the same context and gives the same probabilities.
    predictor = predictor_for(model)
    batch = predictor.batch(
        list(frame["text"]), list(frame["function"]),
        **{c: list(frame[c]) for c in ("prev_text", "next_text", "section_title")},
    )  # fmt: skip
    assert np.allclose(predictor.predict_proba(batch), with_context, atol=1e-9)


def test_a_model_without_the_context_block_ignores_context() -> None:
    model, frame = _context_model(context_weight=0.0)
    assert np.array_equal(model.predict_proba(frame), model.predict_proba(frame[["text"]]))


def test_explain_names_context_features() -> None:
    model, frame = _context_model()
    row = frame.iloc[1]
    context = {"prev_text": row["prev_text"], "next_text": row["next_text"]}
    explained = model.explain(row["text"], themes=list(THEMES), top=50, context=context)
    names = [name for entries in explained.values() for name, _ in entries]
    assert any(name.startswith("context: previous clause terms of ") for name in names)
    assert explained == predictor_for(model).explain(
        row["text"], themes=list(THEMES), top=50, context=context
    )


def test_classify_passes_each_clause_its_neighbours(tmp_path: Path) -> None:
    from itunlp.pipeline import ThemeModel

    model, _ = _context_model()
    wrapped = ThemeModel(model)
    calls = []
    real = type(wrapped).score_clauses

    def spy(self, texts, functions, **context):
        calls.append(context)
        return real(self, texts, functions, **context)

    type(wrapped).score_clauses = spy
    try:
        wrapped.classify(["Women engineers lead the group. The Council approved it."])
    finally:
        type(wrapped).score_clauses = real
    [context] = calls
    first, second = "Women engineers lead the group.", "The Council approved it."
    assert context["prev_text"] == ["", first]
    assert context["next_text"] == [second, ""]


# -------------------------------------------------------------- adaptation
def _tiny_data(tmp_path: Path) -> Path:
    """A data folder holding only two writers' documents (and the shipped scheme)."""
    root = tmp_path / "data"
    (root / "documents" / "docs").mkdir(parents=True)
    shutil.copy(data_dir() / "themes.toml", root / "themes.toml")
    frame = _documents()
    with (root / "documents" / "clauses-t.jsonl").open("w", encoding="utf-8") as out:
        for record in frame.drop(columns="_document").to_dict("records"):
            out.write(json.dumps(record) + "\n")
    for doc_id, group in frame.groupby("doc_id"):
        (root / "documents" / "docs" / f"{doc_id}.txt").write_text(
            group["_document"].dropna().iloc[0], encoding="utf-8"
        )
    return root


def test_adaptation_benchmark_runs_on_a_tiny_corpus(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    root = _tiny_data(tmp_path)
    monkeypatch.setattr("itunlp.labels.corpus.data_dir", lambda: root)
    monkeypatch.setattr("itunlp.themes.scheme.data_dir", lambda: root)
    from itunlp.cli._retrain import format_adaptation
    from itunlp.training import ADAPTATION_COLUMNS, adaptation_benchmark

    table = adaptation_benchmark(cv_folds=2)
    assert list(table.columns) == ADAPTATION_COLUMNS
    assert set(table["source"]) == {"documents:ngo", "documents:team"}
    assert list(table["labelled_half"]) == ["A", "B", "A", "B"]
    assert (table["clauses_labelled"] + table["clauses_scored"] == 24).all()
    assert np.isclose(table["gain"], table["f1_adapted"] - table["f1_unchanged"]).all()
    assert np.isfinite(table.attrs["mean_gain"])
    assert "Mean gain over sources" in format_adaptation(table)


def test_user_labels_get_a_weight_chosen_by_grouped_cv(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    root = _tiny_data(tmp_path)
    monkeypatch.setattr("itunlp.labels.corpus.data_dir", lambda: root)
    monkeypatch.setattr("itunlp.themes.scheme.data_dir", lambda: root)
    from itunlp.training import train

    user = _documents(writers=("user",)).drop(columns="_document")
    user["doc_id"] = [f"mine-{i // 6}" for i in range(len(user))]  # documents not on disk
    model = train(user, cv_folds=2, metrics=False)
    record = model.meta["user_adaptation"]
    assert record["user_clauses"] == 24 and record["user_documents"] == 4
    assert record["chosen_weight"] in record["candidates"]
    assert set(record["scores"]) == {str(w) for w in record["candidates"]}


def test_compare_adaptation_verb(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    root = _tiny_data(tmp_path)
    monkeypatch.setattr("itunlp.labels.corpus.data_dir", lambda: root)
    monkeypatch.setattr("itunlp.themes.scheme.data_dir", lambda: root)
    result = CliRunner().invoke(
        main, ["compare", "--adaptation", "--source", "documents:ngo", "--one-way"]
    )
    assert result.exit_code == 0, result.output
    assert "documents:ngo" in result.output and "Mean gain over sources" in result.output
    assert CliRunner().invoke(main, ["compare"]).exit_code == 2


def test_classify_explanations_name_the_context_that_scored() -> None:
    from itunlp.pipeline import ThemeModel

    model, _ = _context_model()
    table = ThemeModel(model).classify(
        ["Women engineers from Fiji lead the study group. The Council of Fiji approved it."],
        explain=True,
    )
    names = [e[0] for row in table["explanation"] for entries in row.values() for e in entries]
    assert any(name.startswith("context: ") for name in names)
