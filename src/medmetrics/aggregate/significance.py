"""Paired significance tests of two systems scored on the same references.

All three work on the statistics rows of the two systems side by side, so they serve every
metric, not only BLEU (as in sacrebleu, whose design this follows):

- ``paired_bootstrap``: resample items; the same resample for both systems. The p-value is the
  share of resampled differences, centred on their mean (the null hypothesis), at least as large
  in magnitude as the observed one (Koehn 2004, as sacrebleu computes it); the interval is the
  percentile interval of the resampled differences.
- ``approximate_randomization``: swap the two systems' outputs item by item with probability
  1/2; the p-value is the share of trials whose |difference| reaches the observed one
  (Riezler and Maxwell 2005), with the usual +1 correction.
- ``mcnemar``: the exact two-sided binomial test on the items where exactly one system is
  right (for accuracy).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, replace
from typing import Any

import numpy as np

from medmetrics.aggregate import METHODS  # the command line reads them there
from medmetrics.errors import InputError
from medmetrics.metrics.base import Metric, Table
from medmetrics.metrics.resampling import (
    bootstrap_weights,
    check_resampling,
    collapse,
    percentile_interval,
    swap_weights,
)
from medmetrics.metrics.statistics import stack
from medmetrics.results import Comparison, ConfidenceInterval


@dataclass(frozen=True)
class PairedTables:
    """Two systems' statistics on the same items, as distinct (row of A, row of B) pairs."""

    table_a: Table
    table_b: Table
    counts: np.ndarray
    n: int
    value_a: float
    value_b: float

    def bootstrap_deltas(self, metric: Metric, resamples: int, seed: int) -> np.ndarray:
        """A's primary value minus B's on each paired bootstrap resample (the same items for both)."""
        def primary(table: Table, weights: np.ndarray) -> np.ndarray:
            return metric.score(table, weights)[metric.primary]

        return np.concatenate([primary(self.table_a, w) - primary(self.table_b, w)
                               for w in bootstrap_weights(self.counts, resamples, seed)])


def paired_tables(metric: Metric, predictions_a: Sequence[Any], predictions_b: Sequence[Any],
                  references: Sequence[Any]) -> PairedTables:
    """Both systems' statistics with one column set, collapsed into distinct pairs."""
    a = metric.stats(predictions_a, references)
    b = metric.stats(predictions_b, references)
    merged = a.merge(b).canonical()  # one column set for both systems
    width = len(merged.columns)
    pairs, counts = collapse(stack([merged.rows[: a.n], merged.rows[a.n:]], side_by_side=True))
    table_a = Table(merged.columns, pairs[:, :width])
    table_b = Table(merged.columns, pairs[:, width:])
    full = counts[None, :].astype(np.float64)
    return PairedTables(table_a, table_b, counts, a.n, float(metric.score(table_a, full)[metric.primary][0]),
                        float(metric.score(table_b, full)[metric.primary][0]))


def bootstrap_p_value(deltas: np.ndarray, observed: float) -> float:
    """Share of resampled differences, centred on their mean, at least as large as ``observed``."""
    finite = deltas[~np.isnan(deltas)]
    centred = finite - finite.mean() if finite.size else finite
    return float((np.sum(np.abs(centred) >= abs(observed)) + 1) / (finite.size + 1))


def compare_systems(
    metric: Metric,
    predictions_a: Sequence[Any],
    predictions_b: Sequence[Any],
    references: Sequence[Any],
    *,
    method: str = "paired_bootstrap",
    resamples: int = 1000,
    seed: int = 12345,
    level: float = 0.95,
) -> Comparison:
    if method not in METHODS:
        raise InputError(f"unknown comparison method {method!r}; use one of {METHODS}")
    if len(predictions_a) != len(predictions_b):
        raise InputError(f"system A has {len(predictions_a)} predictions but system B has {len(predictions_b)}")
    check_resampling(resamples, seed)
    paired = paired_tables(metric, predictions_a, predictions_b, references)
    table_a, table_b, counts = paired.table_a, paired.table_b, paired.counts
    value_a, value_b = paired.value_a, paired.value_b
    observed = value_a - value_b
    common = Comparison(metric=metric.name, method=method, value_a=value_a, value_b=value_b, difference=observed,
                        p_value=float("nan"), n=paired.n, signature=metric.signature)

    if method == "mcnemar":
        if "correct" not in table_a.columns:
            raise InputError(f"mcnemar compares right/wrong per item; metric {metric.name!r} has no such statistic")
        only_a = float((counts * table_a["correct"] * (1 - table_b["correct"])).sum())
        only_b = float((counts * table_b["correct"] * (1 - table_a["correct"])).sum())
        discordant = int(only_a + only_b)
        from scipy import stats as scipy_stats  # imported when a McNemar test runs, not at CLI start

        p = 1.0 if discordant == 0 else float(scipy_stats.binomtest(int(only_a), discordant, 0.5).pvalue)
        return replace(common, p_value=p, details={"only_a_correct": only_a, "only_b_correct": only_b})

    def primary(table: Table, weights: np.ndarray) -> np.ndarray:
        return metric.score(table, weights)[metric.primary]

    if method == "paired_bootstrap":
        deltas = paired.bootstrap_deltas(metric, resamples, seed)
        p = bootstrap_p_value(deltas, observed)
        low, high, undefined = percentile_interval(deltas, level)
        interval = ConfidenceInterval(low, high, level, "paired-bootstrap-percentile", resamples, seed)
        return replace(common, p_value=p, ci=interval, resamples=resamples, seed=seed,
                       details={"undefined_resamples": float(undefined)}, replicates=deltas)

    # approximate randomization: rows of both systems, weighted by how many of each pair swap
    both = Table(table_a.columns, stack([table_a.rows, table_b.rows]))
    hits = trials = 0
    for swapped in swap_weights(counts, resamples, seed):
        kept = counts[None, :] - swapped
        deltas = primary(both, np.hstack([kept, swapped])) - primary(both, np.hstack([swapped, kept]))
        finite = deltas[~np.isnan(deltas)]
        hits += int(np.sum(np.abs(finite) >= abs(observed) - 1e-12))
        trials += finite.size
    p = float((hits + 1) / (trials + 1))
    return replace(common, p_value=p, resamples=resamples, seed=seed,
                   details={"undefined_trials": float(resamples - trials)})


def holm(p_values: Sequence[float]) -> np.ndarray:
    """Holm's step-down adjusted p-values (Holm 1979), in the order given.

    With the ``m`` p-values sorted ascending, ``p_(1) <= ... <= p_(m)``, the adjusted value of the
    ``i``-th is ``max_{j <= i} min(1, (m - j + 1) p_(j))``: monotone in the raw p-values, never
    below the raw p-value, at most 1, and the raw p-value when ``m`` is 1. Rejecting where the
    adjusted p-value is below ``alpha`` controls the family-wise error rate at ``alpha``. NaN
    (a comparison with no test) stays NaN and is not counted in ``m``. Equal to
    ``statsmodels.stats.multitest.multipletests(p, method="holm")[1]``.
    """
    p = np.asarray(p_values, dtype=np.float64).reshape(-1)
    if np.any((p < 0) | (p > 1)):
        raise InputError(f"p-values must lie in [0, 1]; got {p[(p < 0) | (p > 1)].tolist()}")
    adjusted = np.full(p.shape, np.nan)
    tested = np.flatnonzero(~np.isnan(p))
    if tested.size:
        order = tested[np.argsort(p[tested], kind="stable")]
        m = order.size
        stepped = (m - np.arange(m)) * p[order]
        adjusted[order] = np.minimum(1.0, np.maximum.accumulate(stepped))
    return adjusted
