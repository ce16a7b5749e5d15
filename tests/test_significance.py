"""Paired significance tests: ``compare_systems`` with paired bootstrap, approximate
randomization (AR) and McNemar, checked on exact small cases, against scipy, and against a slow
reference implementation of AR."""

from __future__ import annotations

import json
import math
from typing import Any

import numpy as np
import pytest
from scipy import stats as scipy_stats

from medmetrics.aggregate.significance import METHODS, compare_systems
from medmetrics.errors import InputError
from medmetrics.metrics.base import Metric
from medmetrics.metrics.classification import F1, Accuracy
from medmetrics.metrics.correlation import Pearson, Spearman

RESAMPLING = ("paired_bootstrap", "approximate_randomization")
LABELS = ["a", "b", "c"]


def labelled_systems(n: int, right_a: float, right_b: float, seed: int = 0) -> tuple[list[str], list[str], list[str]]:
    """References and two systems right on about ``right_a`` / ``right_b`` of the items, independently."""
    rng = np.random.default_rng(seed)
    refs = [str(v) for v in rng.choice(LABELS, size=n)]

    def system(rate: float) -> list[str]:
        wrong = {r: [v for v in LABELS if v != r] for r in LABELS}
        return [r if rng.random() < rate else str(rng.choice(wrong[r])) for r in refs]

    return system(right_a), system(right_b), refs


def scored_systems(n: int, noise_a: float, noise_b: float,
                   seed: int = 0) -> tuple[list[float], list[float], list[float]]:
    """Gold scores in [0, 5] and two systems with Gaussian noise of the given spread."""
    rng = np.random.default_rng(seed)
    refs = rng.uniform(0, 5, size=n)
    return ([float(v) for v in refs + rng.normal(0, noise_a, n)], [float(v) for v in refs + rng.normal(0, noise_b, n)],
            [float(v) for v in refs])


def moderate_pair() -> tuple[list[str], list[str], list[str]]:
    """40 items; A is wrong on items 0-5, B on items 3-13: 8 items only A gets right, 3 only B.

    The exact McNemar p-value is 2 * P(X <= 3 | n=11, p=1/2) = 2 * 232 / 2048 ~= 0.23: a
    difference (5 / 40 in accuracy) that no method should call significant.
    """
    refs = [LABELS[i % 3] for i in range(40)]

    def wrong(i: int) -> str:
        return LABELS[(i + 1) % 3]

    preds_a = [wrong(i) if i < 6 else r for i, r in enumerate(refs)]
    preds_b = [wrong(i) if 3 <= i < 14 else r for i, r in enumerate(refs)]
    return preds_a, preds_b, refs


def moderate_scored_pair() -> tuple[list[float], list[float], list[float]]:
    """40 scores; B is A plus a little extra noise: correlations a little lower, not significantly."""
    rng = np.random.default_rng(3)
    refs = rng.uniform(0, 5, size=40)
    a = refs + rng.normal(0, 1.0, 40)
    b = a + rng.normal(0, 0.3, 40)
    return [float(v) for v in a], [float(v) for v in b], [float(v) for v in refs]


# --- identical systems ---------------------------------------------------------------------------

@pytest.mark.parametrize("method", RESAMPLING)
@pytest.mark.parametrize("metric", [Accuracy(), F1(average="macro"), Pearson(), Spearman()],
                         ids=["accuracy", "f1_macro", "pearson", "spearman"])
def test_identical_systems_differ_by_zero_with_p_one(metric: Metric, method: str) -> None:
    if isinstance(metric, (Pearson, Spearman)):
        preds, _, refs = scored_systems(60, 1.0, 1.0)
    else:
        preds, _, refs = labelled_systems(60, 0.7, 0.7)
    result = compare_systems(metric, preds, list(preds), refs, method=method, resamples=300)
    assert result.difference == 0.0
    assert result.value_a == result.value_b
    # correlations centre on the mean of the distinct rows of both systems: last bits may differ
    assert result.value_a == pytest.approx(metric.compute(preds, refs).value, abs=1e-12)
    assert result.p_value == 1.0


def test_identical_systems_mcnemar() -> None:
    preds, _, refs = labelled_systems(40, 0.6, 0.6)
    result = compare_systems(Accuracy(), preds, preds, refs, method="mcnemar")
    assert result.difference == 0.0 and result.p_value == 1.0
    assert result.details == {"only_a_correct": 0.0, "only_b_correct": 0.0}


# --- McNemar ---------------------------------------------------------------------------------------

def test_mcnemar_hand_computed_example() -> None:
    """1 item only A gets right, 6 only B, 3 both, 2 neither: the exact two-sided binomial test on
    the 7 discordant items is 2 * P(X <= 1 | n=7, p=1/2) = 2 * (1 + 7) / 2**7 = 0.125."""
    refs = ["a"] * 12
    outcome = [(True, False)] + [(False, True)] * 6 + [(True, True)] * 3 + [(False, False)] * 2
    preds_a = ["a" if a else "b" for a, _ in outcome]
    preds_b = ["a" if b else "c" for _, b in outcome]
    result = compare_systems(Accuracy(), preds_a, preds_b, refs, method="mcnemar")
    assert result.p_value == pytest.approx(0.125, abs=1e-15)
    assert result.details == {"only_a_correct": 1.0, "only_b_correct": 6.0}
    assert result.difference == pytest.approx(4 / 12 - 9 / 12)
    assert result.ci is None


@pytest.mark.parametrize("seed", range(5))
def test_mcnemar_equals_scipy_binomtest_on_discordant_counts(seed: int) -> None:
    preds_a, preds_b, refs = labelled_systems(80, 0.7, 0.6, seed=seed)
    right_a = np.array([p == r for p, r in zip(preds_a, refs)])
    right_b = np.array([p == r for p, r in zip(preds_b, refs)])
    only_a, only_b = int(np.sum(right_a & ~right_b)), int(np.sum(right_b & ~right_a))
    result = compare_systems(Accuracy(), preds_a, preds_b, refs, method="mcnemar")
    assert result.details == {"only_a_correct": only_a, "only_b_correct": only_b}
    assert result.p_value == scipy_stats.binomtest(only_a, only_a + only_b, 0.5).pvalue


def test_mcnemar_counts_a_failed_parse_as_wrong() -> None:
    refs = ["a", "a", "a", "a"]
    result = compare_systems(Accuracy(), ["a", "a", None, "a"], [None, None, "a", "b"], refs, method="mcnemar")
    assert result.details == {"only_a_correct": 3.0, "only_b_correct": 1.0}
    assert result.p_value == pytest.approx(scipy_stats.binomtest(3, 4, 0.5).pvalue)


@pytest.mark.parametrize("metric", [Pearson(), Spearman(), F1()], ids=["pearson", "spearman", "f1"])
def test_mcnemar_needs_right_or_wrong_items(metric: Metric) -> None:
    if isinstance(metric, F1):
        preds_a, preds_b, refs = labelled_systems(20, 0.7, 0.6)
    else:
        preds_a, preds_b, refs = scored_systems(20, 0.5, 1.0)
    with pytest.raises(InputError, match="mcnemar"):
        compare_systems(metric, preds_a, preds_b, refs, method="mcnemar")


# --- power and intervals ---------------------------------------------------------------------------

@pytest.mark.parametrize("method", METHODS)
def test_clearly_better_system_is_significant(method: str) -> None:
    """500 items, 85% against 60% right: every method rejects the null at 1%."""
    preds_a, preds_b, refs = labelled_systems(500, 0.85, 0.60, seed=1)
    result = compare_systems(Accuracy(), preds_a, preds_b, refs, method=method, resamples=1000)
    assert result.difference > 0.15
    assert result.p_value < 0.01


@pytest.mark.parametrize(("metric", "scored"), [
    (Accuracy(), False), (F1(average="macro"), False), (F1(average="weighted", labels=LABELS), False),
    (Pearson(), True), (Spearman(), True),
], ids=["accuracy", "f1_macro", "f1_weighted", "pearson", "spearman"])
def test_paired_bootstrap_interval_and_ar_p_value(metric: Metric, scored: bool) -> None:
    """The difference's percentile interval contains the observed difference, the AR p-value is
    in (0, 1], and a clearly better system is significant (f1 macro, pearson, spearman too)."""
    if scored:
        preds_a, preds_b, refs = scored_systems(300, 0.5, 2.0, seed=2)
    else:
        preds_a, preds_b, refs = labelled_systems(300, 0.85, 0.55, seed=2)
    observed = metric.compute(preds_a, refs).value - metric.compute(preds_b, refs).value
    boot = compare_systems(metric, preds_a, preds_b, refs, method="paired_bootstrap", resamples=500, seed=4)
    assert boot.difference == pytest.approx(observed, abs=1e-12)
    assert boot.ci is not None and boot.ci.level == 0.95 and boot.ci.resamples == 500 and boot.ci.seed == 4
    assert boot.ci.low <= boot.difference <= boot.ci.high
    assert boot.ci.low > 0  # A is clearly better
    assert 0 < boot.p_value < 0.01
    ar = compare_systems(metric, preds_a, preds_b, refs, method="approximate_randomization", resamples=500, seed=4)
    assert ar.difference == boot.difference
    assert 0 < ar.p_value <= 1 and ar.p_value < 0.01
    assert ar.ci is None and ar.resamples == 500 and ar.seed == 4


@pytest.mark.parametrize("metric", [Accuracy(), F1(average="macro"), Pearson(), Spearman()],
                         ids=["accuracy", "f1_macro", "pearson", "spearman"])
def test_close_systems_are_not_significant_and_p_is_in_range(metric: Metric) -> None:
    if isinstance(metric, (Pearson, Spearman)):
        preds_a, preds_b, refs = moderate_scored_pair()
    else:
        preds_a, preds_b, refs = moderate_pair()
    for method in RESAMPLING:
        result = compare_systems(metric, preds_a, preds_b, refs, method=method, resamples=1000)
        assert result.difference > 0
        assert 0.05 < result.p_value <= 1
    boot = compare_systems(metric, preds_a, preds_b, refs, method="paired_bootstrap", resamples=1000)
    assert boot.ci is not None and boot.ci.low <= boot.difference <= boot.ci.high
    assert boot.ci.low < 0 < boot.ci.high  # not significant: the interval straddles 0


def test_moderate_pair_mcnemar_hand_value() -> None:
    result = compare_systems(Accuracy(), *moderate_pair(), method="mcnemar")
    assert result.details == {"only_a_correct": 8.0, "only_b_correct": 3.0}
    assert result.p_value == pytest.approx(2 * (1 + 11 + 55 + 165) / 2**11, abs=1e-15)
    assert result.difference == pytest.approx(5 / 40)


@pytest.mark.parametrize("method", METHODS)
def test_reproducible_with_seed(method: str) -> None:
    preds_a, preds_b, refs = moderate_pair()
    first = compare_systems(Accuracy(), preds_a, preds_b, refs, method=method, resamples=300, seed=9)
    assert compare_systems(Accuracy(), preds_a, preds_b, refs, method=method, resamples=300, seed=9) == first
    if method != "mcnemar":
        others = {compare_systems(Accuracy(), preds_a, preds_b, refs, method=method, resamples=300, seed=s).p_value
                  for s in range(10, 14)}
        assert len(others | {first.p_value}) > 1


def test_comparison_is_json_native() -> None:
    preds_a, preds_b, refs = labelled_systems(50, 0.7, 0.6)
    for method in METHODS:
        d = compare_systems(Accuracy(), preds_a, preds_b, refs, method=method, resamples=100).to_dict()
        assert json.loads(json.dumps(d, allow_nan=False)) == d


@pytest.mark.parametrize(("kwargs", "match"), [
    ({"method": "t-test"}, "t-test"),
    ({"resamples": 0}, "resamples"),
])
def test_bad_arguments(kwargs: dict[str, Any], match: str) -> None:
    preds_a, preds_b, refs = labelled_systems(10, 0.7, 0.6)
    with pytest.raises(InputError, match=match):
        compare_systems(Accuracy(), preds_a, preds_b, refs, **kwargs)


def test_system_length_mismatch_names_both_counts() -> None:
    preds_a, preds_b, refs = labelled_systems(10, 0.7, 0.6)
    with pytest.raises(InputError, match=r"10.*9"):
        compare_systems(Accuracy(), preds_a, preds_b[:9], refs)
    with pytest.raises(InputError, match=r"10.*8"):
        compare_systems(Accuracy(), preds_a, preds_b, refs[:8])


# --- approximate randomization against a slow reference ----------------------------------------

def reference_ar_p_value(score: Any, preds_a: list[Any], preds_b: list[Any], refs: list[Any],
                         trials: int, seed: int) -> float:
    """Riezler and Maxwell (2005), item by item: swap each item's two outputs with probability 1/2,
    count trials whose |difference| reaches the observed one, p = (hits + 1) / (trials + 1)."""
    rng = np.random.default_rng(seed)
    a, b = np.asarray(preds_a, dtype=object), np.asarray(preds_b, dtype=object)
    observed = abs(score(a, refs) - score(b, refs))
    hits = 0
    for _ in range(trials):
        swap = rng.random(len(refs)) < 0.5
        shuffled_a, shuffled_b = np.where(swap, b, a), np.where(swap, a, b)
        hits += abs(score(shuffled_a, refs) - score(shuffled_b, refs)) >= observed - 1e-12
    return (hits + 1) / (trials + 1)


def plain_accuracy(preds: np.ndarray, refs: list[Any]) -> float:
    return float(np.mean([p == r for p, r in zip(preds, refs)]))


def plain_macro_f1(preds: np.ndarray, refs: list[Any]) -> float:
    labels = sorted(set(refs) | {p for p in preds if p is not None})
    scores = []
    for v in labels:
        tp = sum(p == v and r == v for p, r in zip(preds, refs))
        fp = sum(p == v and r != v for p, r in zip(preds, refs))
        fn = sum(p != v and r == v for p, r in zip(preds, refs))
        scores.append(2 * tp / (2 * tp + fp + fn) if tp + fp + fn else 0.0)
    return sum(scores) / len(scores)


@pytest.mark.parametrize(("metric", "score"), [(Accuracy(), plain_accuracy), (F1(average="macro"), plain_macro_f1)],
                         ids=["accuracy", "f1_macro"])
def test_approximate_randomization_matches_a_slow_reference(metric: Metric, score: Any) -> None:
    # Both p-values are Monte Carlo estimates of the same exact permutation p-value (around
    # 0.2-0.3 here). With 2000 trials each, one estimate's standard error is at most
    # sqrt(0.25 / 2000) ~= 0.011, the difference of two independent ones ~= 0.016: a gap of
    # 0.05 is three standard errors, so the test fails only when the distributions differ.
    preds_a, preds_b, refs = moderate_pair()
    ours = compare_systems(metric, preds_a, preds_b, refs, method="approximate_randomization", resamples=2000, seed=1)
    theirs = reference_ar_p_value(score, preds_a, preds_b, refs, trials=2000, seed=2)
    assert ours.difference == pytest.approx(score(np.asarray(preds_a, dtype=object), refs)
                                            - score(np.asarray(preds_b, dtype=object), refs), abs=1e-12)
    assert 0.1 < theirs < 0.6  # the example is informative: far from 0 and from 1
    assert math.isclose(ours.p_value, theirs, abs_tol=0.05), (ours.p_value, theirs)
