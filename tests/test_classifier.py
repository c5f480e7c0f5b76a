"""ThemeClassifier: scikit-learn conventions, threshold tuning, scheme knowledge, explanations."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
import scipy.sparse as sp
from sklearn.base import clone
from sklearn.exceptions import NotFittedError

from itunlp.themes import load_themes
from itunlp.themes.classifier import (
    PRIOR_HIT,
    FewLabelsWarning,
    ThemeClassifier,
    _nb_scale,
    coerce_clauses,
    function_kind,
)

# A tiny corpus in the ITU styles: enough clauses for 2-fold threshold tuning on four
# themes, small enough to fit in well under a second.
CLAUSES: list[tuple[str, list[str]]] = [
    ("Broadband must reach rural schools in least developed countries.", ["connectivity"]),
    ("Affordable Internet access remains out of reach for refugees.", ["connectivity"]),
    ("The digital divide between cities and villages keeps widening.", ["connectivity"]),
    ("Fibre backbones were extended to landlocked developing countries.", ["connectivity"]),
    ("Mobile coverage now reaches most remote areas of the region.", ["connectivity"]),
    ("ITU-D programmes connect hospitals in small island states.", ["connectivity"]),
    ("Women and girls remain under-represented among ICT engineers.", ["gender"]),
    ("Gender mainstreaming must continue in every Sector of the Union.", ["gender"]),
    ("The Girls in ICT day drew thousands of students this year.", ["gender"]),
    ("More women should be elected to leadership positions.", ["gender", "institutional_process"]),
    ("Mentoring schemes help women engineers stay in the profession.", ["gender"]),
    (
        "Resolution 70 on gender equality was revised by the conference.",
        ["gender", "institutional_process"],
    ),
    ("National CIRTs should share information on cyberthreats.", ["cybersecurity"]),
    ("Confidence and security in the use of ICTs is a shared task.", ["cybersecurity"]),
    ("Ransomware attacks on hospitals have doubled since last year.", ["cybersecurity"]),
    ("The Global Cybersecurity Index ranks national preparedness.", ["cybersecurity"]),
    ("Critical infrastructure needs protection against malware.", ["cybersecurity"]),
    ("Child online protection guidelines were updated.", ["cybersecurity"]),
    ("The plenary elected the Secretary-General on the first ballot.", ["institutional_process"]),
    ("The Council approved the budget for the next biennium.", ["institutional_process"]),
    ("Member States reached consensus on the strategic plan.", ["institutional_process"]),
    ("The committee will meet again on Thursday afternoon.", ["institutional_process"]),
    ("Delegates adopted the revised rules of procedure.", ["institutional_process"]),
    ("The conference suppressed two outdated resolutions.", ["institutional_process"]),
    ("Lunch will be served in the main hall.", []),
    ("Thank you, Chair.", []),
    ("We look forward to a fruitful discussion.", []),
    ("The weather in Bucharest was mild all week.", []),
]
TEXTS = [text for text, _ in CLAUSES]
LABELS = [themes for _, themes in CLAUSES]


@pytest.fixture(scope="module")
def scheme():
    return load_themes()


@pytest.fixture(scope="module")
def fitted(scheme) -> ThemeClassifier:
    with pytest.warns(FewLabelsWarning):  # no labelled clause on spectrum, rights, ...
        return ThemeClassifier(scheme=scheme, cv=2).fit(TEXTS, LABELS)


# ------------------------------------------------------------- conventions
def test_init_only_stores_parameters() -> None:
    clf = ThemeClassifier(C=-1, cv="many")  # invalid, but only fit may complain
    assert clf.get_params()["C"] == -1
    assert clf.get_params()["cv"] == "many"


def test_clone_gives_an_unfitted_copy_with_equal_params(fitted: ThemeClassifier) -> None:
    copy = clone(fitted)
    assert copy.get_params() == fitted.get_params()
    assert not hasattr(copy, "thresholds_")


def test_set_params_returns_self_and_changes_the_param() -> None:
    clf = ThemeClassifier()
    assert clf.set_params(C=2.0, cv=3) is clf
    assert clf.C == 2.0 and clf.cv == 3


def test_predict_before_fit_raises_not_fitted() -> None:
    with pytest.raises(NotFittedError):
        ThemeClassifier().predict(["Spectrum is scarce."])
    with pytest.raises(NotFittedError):
        ThemeClassifier().predict_proba(["Spectrum is scarce."])


def test_fit_returns_self(scheme) -> None:
    clf = ThemeClassifier(scheme=scheme, cv=0)
    with pytest.warns(FewLabelsWarning):
        assert clf.fit(TEXTS, LABELS) is clf


def test_same_random_state_gives_identical_models(scheme, fitted: ThemeClassifier) -> None:
    with pytest.warns(FewLabelsWarning):
        again = ThemeClassifier(scheme=scheme, cv=2).fit(TEXTS, LABELS)
    np.testing.assert_array_equal(again.thresholds_, fitted.thresholds_)
    np.testing.assert_array_equal(again.predict_proba(TEXTS), fitted.predict_proba(TEXTS))


def test_classes_are_the_scheme_ids(scheme, fitted: ThemeClassifier) -> None:
    assert list(fitted.classes_) == scheme.ids


def test_predict_proba_is_a_probability_matrix(fitted: ThemeClassifier) -> None:
    proba = fitted.predict_proba(TEXTS)
    assert proba.shape == (len(TEXTS), len(fitted.classes_))
    assert ((proba >= 0) & (proba <= 1)).all()


def test_predict_is_a_binary_indicator_matrix_using_thresholds(fitted: ThemeClassifier) -> None:
    predicted = fitted.predict(TEXTS)
    assert set(np.unique(predicted)) <= {0, 1}
    np.testing.assert_array_equal(
        predicted, (fitted.predict_proba(TEXTS) >= fitted.thresholds_).astype(int)
    )


def test_learns_the_training_themes(fitted: ThemeClassifier) -> None:
    new = ["Broadband access for remote schools.", "The Council elected a new Director."]
    predicted = fitted.predict(new)
    themes = list(fitted.classes_)
    assert predicted[0, themes.index("connectivity")] == 1
    assert predicted[1, themes.index("institutional_process")] == 1


def test_indicator_matrix_labels_equal_label_lists(scheme) -> None:
    matrix = np.array([[int(t in labels) for t in scheme.ids] for labels in LABELS])
    with pytest.warns(FewLabelsWarning):
        from_lists = ThemeClassifier(scheme=scheme, cv=0).fit(TEXTS, LABELS)
    with pytest.warns(FewLabelsWarning):
        from_matrix = ThemeClassifier(scheme=scheme, cv=0).fit(TEXTS, matrix)
    np.testing.assert_array_equal(from_lists.predict_proba(TEXTS), from_matrix.predict_proba(TEXTS))


def test_sklearn_tags_declare_string_multilabel_input() -> None:
    tags = ThemeClassifier().__sklearn_tags__()
    assert tags.input_tags.string and not tags.input_tags.two_d_array
    assert tags.classifier_tags.multi_label


# -------------------------------------------------------------- validation
def test_a_single_string_is_a_type_error(fitted: ThemeClassifier) -> None:
    with pytest.raises(TypeError, match="single string"):
        fitted.predict("Spectrum is scarce.")


def test_a_non_text_clause_is_a_type_error(fitted: ThemeClassifier) -> None:
    with pytest.raises(TypeError, match="Clause 1 is int"):
        fitted.predict(["fine", 3])


def test_unknown_theme_names_the_valid_ones(scheme) -> None:
    with pytest.raises(ValueError, match=r"Unknown theme 'cyber' in y\[0\]; valid themes: conn"):
        ThemeClassifier(scheme=scheme).fit(["a clause"], [["cyber"]])


def test_label_rows_must_match_clauses(scheme) -> None:
    with pytest.raises(ValueError, match="Got 2 clauses but 1 label rows"):
        ThemeClassifier(scheme=scheme).fit(["a", "b"], [["gender"]])


def test_a_bad_parameter_is_reported_by_fit(scheme) -> None:
    with pytest.raises(ValueError, match="C must be a number"):
        ThemeClassifier(scheme=scheme, C=-1).fit(TEXTS, LABELS)


def test_dataframe_needs_a_text_column(fitted: ThemeClassifier) -> None:
    with pytest.raises(ValueError, match="needs a 'text' column; found clause"):
        fitted.predict(pd.DataFrame({"clause": ["x"]}))


# ------------------------------------------------------ threshold tuning
def _row_keys(features: sp.csr_matrix) -> set[tuple]:
    """Hashable identities of feature rows (each training clause is distinct)."""
    features = sp.csr_matrix(features)
    return {
        (tuple(features[i].indices), tuple(np.round(features[i].data, 10)))
        for i in range(features.shape[0])
    }


def test_thresholds_are_tuned_on_out_of_fold_scores_only(
    scheme, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Every internal fold scores clauses that its logistic models were not fitted on."""
    events: list[tuple[str, set[tuple]]] = []
    fit_logistic = ThemeClassifier._fit_logistic
    scores = ThemeClassifier._scores

    def spy_fit(self, features, Y, weights):
        events.append(("fit", _row_keys(features)))
        return fit_logistic(self, features, Y, weights)

    def spy_scores(estimators, features):
        events.append(("score", _row_keys(features)))
        return scores(estimators, features)

    monkeypatch.setattr(ThemeClassifier, "_fit_logistic", spy_fit)
    monkeypatch.setattr(ThemeClassifier, "_scores", staticmethod(spy_scores))
    with pytest.warns(FewLabelsWarning):
        ThemeClassifier(scheme=scheme, cv=3).fit(TEXTS, LABELS)
    folds = [(events[i][1], events[i + 1][1]) for i in range(0, 6, 2)]
    assert [events[i][0] for i in range(6)] == ["fit", "score"] * 3
    scored: set[tuple] = set()
    for trained, held_out in folds:
        assert held_out, "each fold scores some clauses"
        assert not (trained & held_out), "a fold scored a clause it was trained on"
        scored |= held_out
    assert len(scored) == len(TEXTS)  # every clause gets exactly one out-of-fold score
    assert events[6][0] == "fit"  # the final model comes after the tuning


def test_thresholds_do_not_depend_on_the_data_predicted_later(fitted: ThemeClassifier) -> None:
    before = fitted.thresholds_.copy()
    fitted.predict(["Satellite spectrum filings at WRC-23."] * 5)
    np.testing.assert_array_equal(fitted.thresholds_, before)


def test_without_cv_thresholds_are_one_half(scheme) -> None:
    with pytest.warns(FewLabelsWarning):
        clf = ThemeClassifier(scheme=scheme, cv=0).fit(TEXTS, LABELS)
    assert (clf.thresholds_ == 0.5).all()
    assert clf.cv_scores_ == {}


def test_tuned_thresholds_are_recorded_per_learned_theme(fitted: ThemeClassifier) -> None:
    assert set(fitted.cv_scores_) == set(fitted.learned_themes_)
    assert all(0.05 <= t <= 0.95 for t in fitted.thresholds_)


# ------------------------------------------------------- scheme knowledge
def test_a_theme_with_zero_positives_is_reported_not_dropped(fitted: ThemeClassifier) -> None:
    assert "space_spectrum" in fitted.too_few_positives_
    assert fitted.n_positives_["space_spectrum"] == 0
    assert "space_spectrum" in list(fitted.classes_)
    assert fitted.predict_proba(["x"]).shape[1] == len(fitted.classes_)


def test_the_few_labels_warning_names_the_themes(scheme) -> None:
    with pytest.warns(FewLabelsWarning, match=r"space_spectrum \(0\)"):
        ThemeClassifier(scheme=scheme, cv=0).fit(TEXTS, LABELS)


def test_a_term_only_theme_is_still_predicted(fitted: ThemeClassifier) -> None:
    themes = list(fitted.classes_)
    text = "Satellite operators asked for more spectrum in the geostationary orbit."
    proba = fitted.predict_proba([text])[0]
    assert proba[themes.index("space_spectrum")] == PRIOR_HIT
    assert fitted.predict([text])[0, themes.index("space_spectrum")] == 1
    assert fitted.predict(["Lunch is served."])[0, themes.index("space_spectrum")] == 0


def test_a_trap_does_not_count_as_a_term(fitted: ThemeClassifier) -> None:
    themes = list(fitted.classes_)
    features = fitted._term_block(fitted.scheme_, ["The financial security of the Union."])
    row = features.toarray()[0]
    j = themes.index("cybersecurity")
    assert row[3 * j] == 0 and row[3 * j + 2] == 1  # no net term hit, one trap


def test_the_learned_part_can_overrule_a_misleading_term(scheme) -> None:
    # "operator" is a telecom_regulation term; here the labels say it is about meetings.
    extra = [
        ("The tour operator will take delegates to the castle.", ["institutional_process"]),
        ("A tour operator offers a city walk after the plenary.", ["institutional_process"]),
        ("Ask the tour operator about the excursion on Sunday.", []),
        ("The tour operator cancelled the boat trip.", []),
        ("Operators must publish their international roaming tariffs.", ["telecom_regulation"]),
        ("The regulator fined two operators for misuse of numbering.", ["telecom_regulation"]),
        ("OTT services and taxation divided the regulators.", ["telecom_regulation"]),
        ("Interconnection rates were set by the national regulator.", ["telecom_regulation"]),
    ]
    texts = TEXTS + [t for t, _ in extra]
    labels = LABELS + [lab for _, lab in extra]
    with pytest.warns(FewLabelsWarning):
        clf = ThemeClassifier(scheme=scheme, cv=2).fit(texts, labels)
    themes = list(clf.classes_)
    j = themes.index("telecom_regulation")
    tour, roaming = clf.predict_proba(
        ["The tour operator is waiting at the gate.", "Operators raised roaming tariffs again."]
    )[:, j]
    assert tour < roaming
    assert clf.predict(["The tour operator is waiting at the gate."])[0, j] == 0


def test_descriptions_give_signal_to_a_theme_with_few_labels(scheme) -> None:
    """With description_weight > 0 a learned theme's score rises on its description's words."""
    texts = [
        *TEXTS,
        "Radio astronomy needs quiet bands.",
        "The WRC allotted new bands.",
        "Earth stations must avoid harmful interference.",
    ]
    labels = LABELS + [["space_spectrum"]] * 3
    with pytest.warns(FewLabelsWarning):
        with_desc = ThemeClassifier(scheme=scheme, cv=0).fit(texts, labels)
    with pytest.warns(FewLabelsWarning):
        without = ThemeClassifier(scheme=scheme, cv=0, description_weight=0).fit(texts, labels)
    j = list(with_desc.classes_).index("space_spectrum")
    probe = ["Space debris and the sustainability of orbits."]
    assert with_desc.predict_proba(probe)[0, j] > without.predict_proba(probe)[0, j]


# --------------------------------------------------------------- function
@pytest.mark.parametrize(
    ("heading", "kind"),
    [
        ("considering", "preamble"),
        ("recognizing further", "preamble"),
        ("bearing in mind", "preamble"),
        ("resolves", "operative"),
        ("further resolves", "operative"),
        ("instructs the director of the telecommunication development bureau", "operative"),
        ("invites member states", "operative"),
        ("annex", "other"),
        ("", "none"),
    ],
)
def test_function_kind(heading: str, kind: str) -> None:
    assert function_kind(heading) == kind


def test_the_function_heading_is_a_feature(scheme) -> None:
    headings = ["resolves" if i % 2 else "considering" for i in range(len(TEXTS))]
    frame = pd.DataFrame({"text": TEXTS, "function": headings})
    with pytest.warns(FewLabelsWarning):
        clf = ThemeClassifier(scheme=scheme, cv=0).fit(frame, LABELS)
    text = "to report on progress to the next conference;"
    probe = pd.DataFrame({"text": [text, text], "function": ["resolves", "considering"]})
    proba = clf.predict_proba(probe)
    assert not np.allclose(proba[0], proba[1])
    assert "heading '__operative__'" in clf.feature_names()


def test_coerce_clauses_normalises_headings() -> None:
    _, heads = coerce_clauses(["a", "b"], ["  Instructs the\n Secretary-General ", None])
    assert heads == ["instructs the secretary-general", ""]


# ------------------------------------------------------------ explanation
def test_explanation_lists_the_drivers_of_each_predicted_theme(fitted: ThemeClassifier) -> None:
    text = "Broadband access for rural schools in least developed countries."
    explained = fitted.explain(text)
    assert "connectivity" in explained
    entries = explained["connectivity"]
    assert entries and all(isinstance(n, str) and w > 0 for n, w in entries)
    assert [w for _, w in entries] == sorted((w for _, w in entries), reverse=True)
    assert any("broadband" in name.lower() or "schools" in name.lower() for name, _ in entries)


def test_explanation_of_a_term_prior_theme_names_the_terms(fitted: ThemeClassifier) -> None:
    explained = fitted.explain("Satellite filings for the geostationary orbit.")
    assert explained["space_spectrum"]
    assert all("(prior)" in name for name, _ in explained["space_spectrum"])


def test_explain_rejects_an_unknown_theme(fitted: ThemeClassifier) -> None:
    with pytest.raises(ValueError, match="Unknown theme 'space'; valid themes"):
        fitted.explain("text", themes=["space"])


def test_a_theme_whose_term_prior_beats_the_model_out_of_fold_uses_the_prior(
    scheme, monkeypatch: pytest.MonkeyPatch
) -> None:
    import itunlp.themes.classifier as module

    # Make every learned model look useless out of fold: the prior must take over.
    monkeypatch.setattr(
        module, "_best_threshold", lambda p, y: (0.5, {"precision": 0.0, "recall": 0.0, "f1": 0.0})
    )
    with pytest.warns(FewLabelsWarning):
        clf = ThemeClassifier(scheme=scheme, cv=2).fit(TEXTS, LABELS)
    assert "connectivity" in clf.prior_themes_
    j = list(clf.classes_).index("connectivity")
    proba = clf.predict_proba(["Broadband for schools.", "Thank you."])[:, j]
    assert proba.tolist() == [PRIOR_HIT, module.PRIOR_MISS]
    assert all("(prior)" in n for n, _ in clf.explain("Broadband for schools.")["connectivity"])


def test_select_prior_off_keeps_every_learned_model(fitted: ThemeClassifier, scheme) -> None:
    with pytest.warns(FewLabelsWarning):
        clf = ThemeClassifier(scheme=scheme, cv=2, select_prior=False).fit(TEXTS, LABELS)
    assert clf.prior_themes_ == []
    assert set(fitted.prior_themes_) <= set(fitted.learned_themes_)
    assert all("prior_f1" in scores for scores in fitted.cv_scores_.values())


@pytest.mark.parametrize(
    "check",
    [
        "check_no_attributes_set_in_init",
        "check_parameters_default_constructible",
        "check_get_params_invariance",
        "check_set_params",
        "check_estimator_repr",
        "check_estimator_cloneable",
    ],
)
def test_sklearn_api_checks_that_apply_to_string_input(check: str) -> None:
    from sklearn.utils import estimator_checks

    function = getattr(estimator_checks, check, None)
    if function is None:  # older scikit-learn releases lack some checks
        pytest.skip(f"{check} is not in this scikit-learn")
    function("ThemeClassifier", ThemeClassifier())


# ------------------------------------------------------ naive Bayes scaling
def test_nb_scale_is_folded_into_the_weights(scheme) -> None:
    """The scaled model's saved coef_ scores raw features exactly as the fit saw them."""
    with pytest.warns(FewLabelsWarning):
        clf = ThemeClassifier(scheme=scheme, cv=2).fit(TEXTS, LABELS)
    _, _, features = clf._features(TEXTS)
    present = (features > 0).astype(np.float64).tocsr()
    k = clf.learned_themes_.index("gender")
    y = np.array(["gender" in labels for labels in LABELS], dtype=int)
    scale = _nb_scale(present, y, np.ones(len(TEXTS)))
    assert (scale >= 0.1).all()
    coef = clf.estimators_[k].coef_.ravel()
    scores = clf._scores(clf.estimators_, features)[:, k]
    np.testing.assert_allclose(scores, features @ coef + clf.estimators_[k].intercept_[0])


def test_nb_scale_changes_training_not_the_interface(scheme) -> None:
    with pytest.warns(FewLabelsWarning):
        scaled = ThemeClassifier(scheme=scheme, cv=2).fit(TEXTS, LABELS)
    with pytest.warns(FewLabelsWarning):
        plain = ThemeClassifier(scheme=scheme, cv=2, nb_scale=False).fit(TEXTS, LABELS)
    assert scaled.predict_proba(TEXTS).shape == plain.predict_proba(TEXTS).shape
    assert not np.allclose(scaled.estimators_[0].coef_, plain.estimators_[0].coef_)


def test_nb_scale_must_be_a_bool(scheme) -> None:
    with pytest.raises(ValueError, match="nb_scale must be True or False"):
        ThemeClassifier(scheme=scheme, nb_scale="yes").fit(TEXTS, LABELS)


def test_nb_scale_favours_features_that_separate_the_theme() -> None:
    present = sp.csr_matrix(np.array([[1.0, 1.0], [0.0, 1.0], [0.0, 1.0]]))
    scale = _nb_scale(present, np.array([1, 0, 0]), np.ones(3))
    assert scale[0] > scale[1]
