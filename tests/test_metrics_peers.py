"""Built-in metrics against their peers (scikit-learn, scipy) on Hypothesis-generated inputs.

Every test states its tolerance. Counts-based metrics (accuracy, precision, recall, F1) are
ratios of small integer counts, so the only difference allowed is floating-point rounding:
1e-12 absolute. Correlations are compared at 1e-9 relative (with a 1e-12 absolute floor for
coefficients that are zero up to rounding, where a relative tolerance is meaningless).

Where medmetrics deliberately differs from the peer (documented in the metric module's
docstring), the test says so and checks the documented value instead of the peer's.
"""

from __future__ import annotations

import math
import warnings
from collections.abc import Sequence
from typing import Any

import numpy as np
import pytest
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st
from scipy import stats as scipy_stats
from sklearn.metrics import (
    accuracy_score,
    f1_score,
    multilabel_confusion_matrix,
    precision_recall_fscore_support,
)
from sklearn.preprocessing import MultiLabelBinarizer

from medmetrics.metrics.classification import F1, Accuracy
from medmetrics.metrics.correlation import Pearson, Spearman

COUNTS_ABS = 1e-12
CORR_REL = 1e-9
CORR_ABS = 1e-12

#: A small alphabet, so that labels collide often.
ALPHABET = ["a", "b", "c", "d"]
#: A value a model may produce that is not one of the declared labels.
OUTSIDE = "z"
#: What a failed parse (None) becomes for scikit-learn, which has no notion of "no answer".
SENTINEL = "__no_answer__"
ZERO_DIVISIONS = [0, 1, math.nan]

FAST = settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])


def same(ours: float, theirs: float, *, abs_tol: float = COUNTS_ABS, rel_tol: float = 0.0) -> bool:
    """Equal within tolerance; NaN equals NaN (both libraries use it for 'undefined')."""
    ours, theirs = float(ours), float(theirs)
    if math.isnan(ours) or math.isnan(theirs):
        return math.isnan(ours) and math.isnan(theirs)
    return math.isclose(ours, theirs, rel_tol=rel_tol, abs_tol=abs_tol)


def div(numerator: float, denominator: float, zero_division: float) -> float:
    return zero_division if denominator == 0 else numerator / denominator


# --- strategies ----------------------------------------------------------------------------------

@st.composite
def f1_cases(draw: st.DrawFn, multilabel: bool) -> dict[str, Any]:
    """Options and items for F1: declared labels or not, exclusions, zero_division, failed parses."""
    declared = draw(st.none() | st.lists(st.sampled_from(ALPHABET), min_size=1, max_size=4, unique=True))
    exclude = draw(st.lists(st.sampled_from(ALPHABET), max_size=2, unique=True))
    zero_division = draw(st.sampled_from(ZERO_DIVISIONS))
    gold_values = ALPHABET if declared is None else sorted(set(declared) | set(exclude))
    pred_values = [*ALPHABET, OUTSIDE]
    n = draw(st.integers(1, 25))
    if multilabel:
        refs = draw(st.lists(st.frozensets(st.sampled_from(gold_values), max_size=3), min_size=n, max_size=n))
        answer = st.frozensets(st.sampled_from(pred_values), max_size=3)
    else:
        refs = draw(st.lists(st.sampled_from(gold_values), min_size=n, max_size=n))
        answer = st.sampled_from(pred_values)
    preds = draw(st.lists(st.none() | answer, min_size=n, max_size=n))
    return {"declared": declared, "exclude": exclude, "zero_division": zero_division, "refs": refs,
            "preds": preds, "average": draw(st.sampled_from(
                ["micro", "macro", "weighted", *(["samples"] if multilabel else [])]))}


def sklearn_labels(case: dict[str, Any], multilabel: bool) -> list[str]:
    """The labels scikit-learn must be told to use: declared (else seen) minus excluded, never the sentinel."""
    if case["declared"] is not None:
        base = list(case["declared"])
    elif multilabel:
        base = sorted(set().union(*case["refs"], *(p for p in case["preds"] if p is not None)))
    else:
        base = sorted(set(case["refs"]) | {p for p in case["preds"] if p is not None})
    return [v for v in base if v not in case["exclude"]]


def spurious_count(case: dict[str, Any], multilabel: bool) -> int:
    """Predicted values outside declared + excluded labels (medmetrics counts them, sklearn ignores them)."""
    if case["declared"] is None:
        return 0
    known = set(case["declared"]) | set(case["exclude"])
    if multilabel:
        return sum(len(p - known) for p in case["preds"] if p is not None)
    return sum(1 for p in case["preds"] if p is not None and p not in known)


def to_sklearn(case: dict[str, Any], multilabel: bool) -> tuple[Any, Any, list[Any]]:
    """y_true, y_pred and labels in scikit-learn's terms (indicator arrays for multi-label)."""
    labels = sklearn_labels(case, multilabel)
    if not multilabel:
        preds = [SENTINEL if p is None else p for p in case["preds"]]
        return np.asarray(case["refs"], dtype=object), np.asarray(preds, dtype=object), labels
    # A fixed column set wider than one column, so sklearn always sees a multilabel-indicator.
    binarizer = MultiLabelBinarizer(classes=[*ALPHABET, OUTSIDE, SENTINEL])
    y_true = binarizer.fit_transform(case["refs"])
    y_pred = binarizer.transform([{SENTINEL} if p is None else p for p in case["preds"]])
    column = {c: i for i, c in enumerate(binarizer.classes_)}
    return y_true, y_pred, [column[v] for v in labels]


def ours(case: dict[str, Any]) -> Any:
    metric = F1(average=case["average"], labels=case["declared"], exclude=case["exclude"],
                zero_division=case["zero_division"])
    return metric.compute(case["preds"], case["refs"])


def check_against_sklearn(case: dict[str, Any], multilabel: bool) -> None:
    y_true, y_pred, labels = to_sklearn(case, multilabel)
    assume(labels)  # sklearn has nothing to average over otherwise
    result = ours(case)
    zd = case["zero_division"]
    c = result.components
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        per_p, per_r, per_f, support = precision_recall_fscore_support(
            y_true, y_pred, labels=labels, average=None, zero_division=zd)
        mcm = multilabel_confusion_matrix(y_true, y_pred, labels=labels)
        averaged = {avg: precision_recall_fscore_support(y_true, y_pred, labels=labels, average=avg,
                                                         zero_division=zd)
                    for avg in ("micro", "macro", "weighted", *(["samples"] if multilabel else []))}
        headline = f1_score(y_true, y_pred, labels=labels, average=case["average"], zero_division=zd)

    # per label == sklearn's average=None, in the same label order
    names = [v for v in (case["declared"] or sklearn_labels(case, multilabel)) if v not in case["exclude"]]
    assert list(result.per_label) == names
    for k, name in enumerate(names):
        row = result.per_label[name]
        assert same(row["precision"], per_p[k]) and same(row["recall"], per_r[k]) and same(row["f1"], per_f[k])
        assert row["support"] == support[k]

    # micro: sklearn's counts, plus the documented spurious predictions as false positives
    spurious = spurious_count(case, multilabel)
    assert c["spurious"] == spurious
    tp, fp, fn = (int(mcm[:, i, j].sum()) for i, j in ((1, 1), (0, 1), (1, 0)))
    assert same(c["micro_precision"], div(tp, tp + fp + spurious, zd))
    assert same(c["micro_recall"], div(tp, tp + fn, zd))
    assert same(c["micro_f1"], div(2 * tp, 2 * tp + fp + spurious + fn, zd))
    if spurious == 0:
        p, r, f, _ = averaged["micro"]
        assert same(c["micro_precision"], p) and same(c["micro_recall"], r) and same(c["micro_f1"], f)

    p, r, f, _ = averaged["macro"]
    assert same(c["macro_precision"], p) and same(c["macro_recall"], r) and same(c["macro_f1"], f)

    for name, per, theirs in zip(("precision", "recall", "f1"), (per_p, per_r, per_f), averaged["weighted"]):
        if _weighted_fallback(per, support):
            # documented difference: no support among the (defined) labels is 0/0 -> zero_division;
            # sklearn falls back to the unweighted mean of the defined labels
            assert same(c[f"weighted_{name}"], zd), name
            assert same(theirs, np.nanmean(per) if not np.isnan(per).all() else math.nan), name
        else:
            assert same(c[f"weighted_{name}"], theirs), name

    if multilabel:
        p, r, f, _ = averaged["samples"]
        assert same(c["samples_precision"], p) and same(c["samples_recall"], r) and same(c["samples_f1"], f)

    # the `average` option picks which average is the headline value; f1_score agrees with it
    # except where the documented spurious false positives or the weighted fallback intervene
    if not ((case["average"] == "micro" and spurious) or (case["average"] == "weighted"
                                                          and _weighted_fallback(per_f, support))):
        assert same(c["f1"], headline)
    for name in ("precision", "recall", "f1"):
        assert same(c[name], c[f"{case['average']}_{name}"], abs_tol=0.0)
    assert same(result.value, c["f1"], abs_tol=0.0)


def _weighted_fallback(per_label: np.ndarray, support: np.ndarray) -> bool:
    """True where the weighted average has zero total weight over the defined labels.

    scikit-learn then silently returns the *unweighted* mean (``_nanaverage`` catches the
    ZeroDivisionError); medmetrics returns ``zero_division`` (module docstring).
    """
    defined = ~np.isnan(np.asarray(per_label, dtype=float))
    return float(np.asarray(support)[defined].sum()) == 0.0


# --- accuracy ------------------------------------------------------------------------------------

@FAST
@given(st.data())
def test_accuracy_single_label_matches_sklearn(data: st.DataObject) -> None:
    """Accuracy == sklearn.metrics.accuracy_score; tolerance 1e-12 absolute. None -> a sentinel class."""
    n = data.draw(st.integers(1, 30))
    refs = data.draw(st.lists(st.sampled_from(ALPHABET), min_size=n, max_size=n))
    preds = data.draw(st.lists(st.none() | st.sampled_from([*ALPHABET, OUTSIDE]), min_size=n, max_size=n))
    expected = accuracy_score(refs, [SENTINEL if p is None else p for p in preds])
    assert same(Accuracy().compute(preds, refs).value, expected)


@FAST
@given(st.data())
def test_accuracy_multilabel_is_sklearn_subset_accuracy(data: st.DataObject) -> None:
    """Set-valued accuracy == accuracy_score on MultiLabelBinarizer indicator arrays (exact match
    of the label set); tolerance 1e-12 absolute. None -> {sentinel}, which never matches a gold set
    (an empty gold set is not matched by a failed parse)."""
    n = data.draw(st.integers(1, 30))
    labels = st.frozensets(st.sampled_from(ALPHABET), max_size=3)
    refs = data.draw(st.lists(labels, min_size=n, max_size=n))
    preds = data.draw(st.lists(st.none() | labels, min_size=n, max_size=n))
    binarizer = MultiLabelBinarizer(classes=[*ALPHABET, SENTINEL])
    expected = accuracy_score(binarizer.fit_transform(refs),
                              binarizer.transform([{SENTINEL} if p is None else p for p in preds]))
    # lists and tuples are label sets too, compared as sets
    shuffled = [None if p is None else sorted(p, reverse=True) for p in preds]
    assert same(Accuracy().compute(shuffled, [tuple(sorted(r)) for r in refs]).value, expected)


# --- F1 --------------------------------------------------------------------------------------------

@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(f1_cases(multilabel=False))
def test_f1_single_label_matches_sklearn(case: dict[str, Any]) -> None:
    """P/R/F1 micro, macro, weighted and per label == precision_recall_fscore_support with
    labels = (declared or seen) minus excluded; tolerance 1e-12 absolute.

    Documented differences accounted for, not tolerated: a failed parse is a sentinel class
    that sklearn is told to ignore (it is nobody's false positive), and a prediction outside
    declared labels adds a false positive to micro precision (sklearn drops it).
    """
    check_against_sklearn(case, multilabel=False)


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(f1_cases(multilabel=True))
def test_f1_multilabel_matches_sklearn(case: dict[str, Any]) -> None:
    """Multi-label P/R/F1 micro, macro, weighted, samples and per label == sklearn on indicator
    arrays; tolerance 1e-12 absolute. A failed parse predicts no label."""
    check_against_sklearn(case, multilabel=True)


def test_failed_parse_is_never_a_class_unlike_sklearn() -> None:
    """Exact values of both libraries where medmetrics deliberately differs (module docstring).

    Undeclared labels: sklearn turns the failed-parse sentinel into a class of its own, which
    enters the macro average with F1 0; medmetrics never makes one.
    """
    refs = ["a", "a", "b", "b"]
    preds = ["a", None, "b", "b"]
    sentinel_preds = [SENTINEL if p is None else p for p in preds]
    # sklearn, left to find the labels itself: a (P 1, R 1/2, F 2/3), b (1, 1, 1), sentinel (0, 0, 0)
    assert f1_score(refs, sentinel_preds, average="macro", zero_division=0) == pytest.approx((2 / 3 + 1 + 0) / 3)
    result = F1(average="macro").compute(preds, refs)
    assert set(result.per_label) == {"a", "b"}
    assert result.value == pytest.approx((2 / 3 + 1) / 2, abs=COUNTS_ABS)
    # micro agrees: the sentinel's false positive is the only difference, and it is ours to drop
    assert f1_score(refs, sentinel_preds, average="micro") == pytest.approx(3 / 4)  # accuracy, sentinel an FP
    assert F1(average="micro").compute(preds, refs).value == pytest.approx(2 * 3 / (2 * 3 + 0 + 1), abs=COUNTS_ABS)


def test_prediction_outside_declared_labels_is_spurious_unlike_sklearn() -> None:
    """Declared labels: a prediction outside them is a false positive in micro precision
    (medmetrics, documented) while sklearn ignores it, inflating precision."""
    refs = ["a", "a", "b", "b"]
    preds = ["a", "z", "b", "a"]
    labels = ["a", "b"]
    # sklearn: tp = 2 (a, b), fp = 1 (a for gold b), the "z" is dropped -> P = 2/3, R = 2/4
    p, r, f, _ = precision_recall_fscore_support(refs, preds, labels=labels, average="micro")
    assert (p, r) == (pytest.approx(2 / 3), pytest.approx(1 / 2))
    assert f == pytest.approx(2 * 2 / (2 * 2 + 1 + 2))
    result = F1(labels=labels).compute(preds, refs)
    c = result.components
    assert c["spurious"] == 1
    assert c["micro_precision"] == pytest.approx(2 / 4, abs=COUNTS_ABS)
    assert c["micro_recall"] == pytest.approx(1 / 2, abs=COUNTS_ABS)
    assert result.value == pytest.approx(2 * 2 / (2 * 2 + 2 + 2), abs=COUNTS_ABS)
    # macro only looks at declared labels and agrees with sklearn
    assert F1(labels=labels, average="macro").compute(preds, refs).value == pytest.approx(
        f1_score(refs, preds, labels=labels, average="macro"), abs=COUNTS_ABS)


def test_weighted_average_with_zero_total_support_unlike_sklearn() -> None:
    """All references carry an excluded label: the weighted average has no weight at all.

    sklearn falls back to the unweighted (macro) mean: P 0, R = zero_division, F 0 here.
    medmetrics documents it as 0/0, so zero_division, for P, R and F alike.
    """
    refs, preds = ["x", "x", "x"], ["a", "x", "b"]
    for zd in (0, 1):
        theirs = precision_recall_fscore_support(refs, preds, labels=["a", "b"], average="weighted",
                                                 zero_division=zd)[:3]
        assert theirs == (0.0, float(zd), 0.0)
        c = F1(average="weighted", exclude=["x"], zero_division=zd).compute(preds, refs).components
        assert (c["weighted_precision"], c["weighted_recall"], c["weighted_f1"]) == (zd, zd, zd)
    # zero_division=nan: precision is defined only for the labels a and b, which have no support
    refs, preds = ["a", "a"], ["b", None]
    theirs = precision_recall_fscore_support(refs, [SENTINEL if p is None else p for p in preds], labels=["a", "b"],
                                             average="weighted", zero_division=math.nan)
    assert theirs[0] == 0.0  # sklearn: unweighted mean of b's precision 0
    c = F1(average="weighted", zero_division=math.nan).compute(preds, refs).components
    assert math.isnan(c["weighted_precision"]) and c["weighted_recall"] == 0.0 and c["weighted_f1"] == 0.0


# --- correlations ----------------------------------------------------------------------------------

def well_conditioned(values: Sequence[float]) -> bool:
    """Not constant and not nearly so: spread well above rounding noise."""
    arr = np.asarray(values, dtype=float)
    scale = max(1.0, float(np.abs(arr).max()))
    return float(arr.std()) > 1e-3 * scale


floats = st.floats(-1e3, 1e3, allow_nan=False, allow_infinity=False)


@st.composite
def paired(draw: st.DrawFn, values: st.SearchStrategy[float], min_size: int = 3) -> tuple[list[float], list[float]]:
    n = draw(st.integers(min_size, 40))
    return (draw(st.lists(values, min_size=n, max_size=n)), draw(st.lists(values, min_size=n, max_size=n)))


@FAST
@given(paired(floats))
def test_pearson_matches_scipy(xy: tuple[list[float], list[float]]) -> None:
    """Pearson r == scipy.stats.pearsonr(...).statistic; 1e-9 relative (1e-12 absolute floor)."""
    x, y = xy
    assume(well_conditioned(x) and well_conditioned(y))
    expected = scipy_stats.pearsonr(x, y).statistic
    assert same(Pearson().compute(x, y).value, expected, rel_tol=CORR_REL, abs_tol=CORR_ABS)


@FAST
@given(paired(floats, min_size=4), st.sampled_from([0.9, 0.95, 0.99]))
def test_pearson_fisher_z_interval_matches_scipy(xy: tuple[list[float], list[float]], level: float) -> None:
    """ci_method='fisher_z' == pearsonr(...).confidence_interval(level); 1e-9 relative.

    |r| < 0.99 is assumed: near |r| = 1 the interval ends are tanh(atanh(r) -+ h), whose
    derivative in r is (1 - t^2) / (1 - r^2), so the last-bit difference between two r
    computations is amplified without bound and no tolerance would be meaningful.
    """
    x, y = xy
    assume(well_conditioned(x) and well_conditioned(y))
    scipy_result = scipy_stats.pearsonr(x, y)
    assume(abs(scipy_result.statistic) < 0.99)
    expected = scipy_result.confidence_interval(confidence_level=level)
    result = Pearson().compute(x, y, ci=level, ci_method="fisher_z")
    assert result.ci is not None and result.ci.method == "fisher_z" and result.ci.level == level
    assert same(result.ci.low, expected.low, rel_tol=CORR_REL, abs_tol=CORR_ABS)
    assert same(result.ci.high, expected.high, rel_tol=CORR_REL, abs_tol=CORR_ABS)


@FAST
@given(st.one_of(paired(st.integers(0, 5)), paired(floats)))
def test_spearman_matches_scipy(xy: tuple[list[float], list[float]]) -> None:
    """Spearman rho == scipy.stats.spearmanr(...).statistic, with ties (integers 0..5) and without
    (floats); 1e-9 relative (1e-12 absolute floor)."""
    x, y = xy
    assume(len(set(x)) > 1 and len(set(y)) > 1)  # constant input is tested on its own below
    expected = scipy_stats.spearmanr(x, y).statistic
    assert same(Spearman().compute(x, y).value, expected, rel_tol=CORR_REL, abs_tol=CORR_ABS)


@pytest.mark.parametrize("metric", [Pearson(), Spearman()], ids=["pearson", "spearman"])
@pytest.mark.parametrize(("predictions", "references", "why"), [
    ([2.0, 2.0, 2.0, 2.0], [1.0, 2.0, 3.0, 4.0], "constant"),
    ([1.0, 2.0, 3.0, 4.0], [5, 5, 5, 5], "constant"),
    ([1e6, 1e6, 1e6, 1e6], [1.0, 2.0, 3.0, 4.0], "constant"),  # large, still constant
    ([1.0], [2.0], "fewer than two"),
    ([1.0, None, None], [1.0, 2.0, 3.0], "fewer than two"),  # one answered pair left
    # the scored pairs have a constant reference; only the unanswered items' references vary
    ([0, 0, 0, 1, 2, None, None], [0, 0, 0, 0, 0, 0, 1], "constant"),
])
def test_undefined_correlation_is_nan_with_a_note(metric: Any, predictions: list[Any], references: list[Any],
                                                  why: str) -> None:
    """Constant input or n < 2: value NaN and a note saying why (scipy warns or raises instead)."""
    result = metric.compute(predictions, references)
    assert math.isnan(result.value)
    assert any(why in note for note in result.notes), result.notes
    assert result.to_dict()["value"] is None
