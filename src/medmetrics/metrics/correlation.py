"""Pearson and Spearman correlation between predicted and reference scores (STS, BIOSSES).

Policy for degenerate input, written down once: fewer than two answered pairs, or a constant
side, make the correlation undefined: the value is NaN (``null`` in JSON) and ``notes`` says
why; scipy returns NaN with a warning or raises. A prediction with no answer is left out of the
correlation by default (``missing="exclude"``; the result counts it in ``n_failed``), or
replaced by a fixed score with ``missing=<number>``, which the signature records.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any, Literal

import numpy as np

from medmetrics.errors import InputError
from medmetrics.metrics.base import Metric, Table
from medmetrics.options import Options, option

_NUMBER_TYPES = (int, float, np.integer, np.floating)


def _numbers(values: Sequence[Any], what: str, positions: np.ndarray | None = None) -> np.ndarray:
    """``values`` as finite floats; anything else is an ``InputError`` naming its item."""
    kinds = set(map(type, values))
    array = np.asarray(values, dtype=np.float64) if all(
        issubclass(k, _NUMBER_TYPES) and k is not bool and not issubclass(k, np.bool_) for k in kinds) else None
    if array is not None and np.isfinite(array).all():
        return array
    for i, value in enumerate(values):  # slow path: find the first bad item for the message
        index = int(positions[i]) if positions is not None else i
        if isinstance(value, (bool, np.bool_)) or not isinstance(value, _NUMBER_TYPES):
            raise InputError(f"{what} {index} is {value!r}; a correlation needs numbers", item=index)
        if not math.isfinite(float(value)):
            raise InputError(f"{what} {index} is {value!r}; a correlation needs finite numbers", item=index)
    raise AssertionError("unreachable: a non-finite value was not found")


def weighted_pearson(x: np.ndarray, y: np.ndarray, weights: np.ndarray) -> np.ndarray:
    """Pearson r of rows ``x``, ``y`` under each weight vector: weights (B, rows) -> (B,).

    ``x`` and ``y`` hold one value per row, or (for ranks) one per row and weight vector. Values
    are centred on their weighted mean over the rows in use first, so the weighted sums do not
    cancel catastrophically when scores sit far from zero. A side whose values in use are all
    equal (tested exactly, not by a variance threshold) or fewer than two items give NaN, as in
    scipy.
    """
    n = weights.sum(-1)
    if not (n > 0).any():  # no weight anywhere (weights are counts: never negative)
        return np.full(n.shape, np.nan)
    raw_x, raw_y = x, y
    x, y = _unit_scale(x), _unit_scale(y)  # r does not depend on scale; squares of 1e200 or 1e-200 do
    if x.ndim == 1 and y.ndim == 1:  # one matrix product gives every weighted sum
        total = weights.sum(0)
        x = x - total @ x / total.sum()
        y = y - total @ y / total.sum()
        sx, sy, sxx, syy, sxy = (weights @ np.stack([x, y, x * x, y * y, x * y], axis=1)).T
    else:
        with np.errstate(invalid="ignore", divide="ignore"):
            x = x - ((weights * x).sum(-1) / n)[:, None]
            y = y - ((weights * y).sum(-1) / n)[:, None]
        sx, sy = (weights * x).sum(-1), (weights * y).sum(-1)
        sxx, syy, sxy = (weights * x * x).sum(-1), (weights * y * y).sum(-1), (weights * x * y).sum(-1)
    with np.errstate(invalid="ignore", divide="ignore"):
        vx = sxx - sx * sx / n
        vy = syy - sy * sy / n
        r = (sxy - sx * sy / n) / (np.sqrt(vx) * np.sqrt(vy))
        # A side constant in a resample leaves only rounding in its variance, some 1e-13 of its sum
        # of squares; a variance above 1e-6 of it is no constant side, so the exact test (two
        # passes over every weight) runs only on the resamples that could be one: few or none.
        suspect = np.flatnonzero(~((vx > 1e-6 * sxx) & (vy > 1e-6 * syy)))
    constant = np.zeros(n.shape, dtype=bool)
    if suspect.size:
        rows = weights[suspect]  # x and y hold one value per row, or (ranks) one per row and weight vector
        constant[suspect] = (_constant(raw_x[suspect] if raw_x.ndim == 2 else raw_x, rows)
                             | _constant(raw_y[suspect] if raw_y.ndim == 2 else raw_y, rows))
    return np.where((n < 2) | constant, np.nan, np.clip(r, -1.0, 1.0))


def _unit_scale(values: np.ndarray) -> np.ndarray:
    """``values`` divided by their largest magnitude (when finite and not zero): at most 1 in size."""
    largest = np.max(np.abs(values)) if values.size else 0.0
    return values / largest if np.isfinite(largest) and largest > 0 else values


def _constant(values: np.ndarray, weights: np.ndarray) -> np.ndarray:
    """Per weight vector: do all rows with positive weight hold the same value?"""
    present = weights > 0
    highest = np.where(present, values, -np.inf).max(-1)
    lowest = np.where(present, values, np.inf).min(-1)
    return highest == lowest


def weighted_ranks(values: np.ndarray, weights: np.ndarray) -> np.ndarray:
    """Mid-ranks of each row's value within each weighted resample (ties share their mean rank):
    weights (B, rows) -> ranks (B, rows), in the rows' order (``_Order.twice_ranks`` gives twice
    them in value order)."""
    order = _Order(values)
    inverse = np.empty_like(order.order)
    inverse[order.order] = np.arange(order.order.size)
    return order.twice_ranks(weights.take(order.order, axis=1)).take(inverse, axis=1) / 2.0


class _Order:
    """The value order of rows and their tie groups: what ranking them under any weights needs,
    found once (one sort) for all the resamples."""

    def __init__(self, values: np.ndarray) -> None:
        self.order = np.argsort(values, kind="stable")
        ordered = values[self.order]
        starts_group = np.r_[True, ordered[1:] != ordered[:-1]]
        self.starts = np.flatnonzero(starts_group)
        self.group = np.cumsum(starts_group) - 1  # of each row, in value order
        # the groups of more than one row (ties), and their rows in value order: ranked apart
        size = np.diff(np.r_[self.starts, ordered.size])
        shared = size > 1
        self.tie_starts = self.starts[shared]
        self.tie_ends = self.tie_starts + size[shared] - 1
        self.tied = np.flatnonzero(shared[self.group])
        self.tie_group = (np.cumsum(shared) - 1)[self.group[self.tied]]

    def twice_ranks(self, sorted_weights: np.ndarray) -> np.ndarray:
        """Twice the mid-ranks of the rows in value order, under whole-number weights (B, rows)
        in that order: integers (for integer weights), so exact, and cheap to centre.

        A row drawn k times is k tied items; its rank is the rank of that tie group: with ``c``
        the weight of the groups up to and including it and ``g`` its own, ranks c - g + 1 ... c,
        whose mean is c - (g - 1) / 2, twice that 2c - g + 1. Integer weights make the running
        sums (the cost of ranking) integer additions, several times faster than float ones.
        """
        size = sorted_weights.shape[-1]
        if 4 * self.starts.size < size:  # few groups (integer scores): sum each, accumulate over groups
            group_weight = np.add.reduceat(sorted_weights, self.starts, axis=1)
            group_through = np.cumsum(group_weight, axis=1)
            return (2 * group_through - group_weight + 1).take(self.group, axis=1)
        # every row its own group, then the rows of shared groups (ties: few here) set apart
        through = np.cumsum(sorted_weights, axis=1)
        twice = 2 * through
        twice -= sorted_weights
        twice += 1
        if self.tied.size:
            group_through = through[:, self.tie_ends]
            group_weight = group_through - np.where(self.tie_starts > 0, through[:, self.tie_starts - 1], 0)
            twice[:, self.tied] = (2 * group_through - group_weight + 1)[:, self.tie_group]
        return twice


class RankedPairs:
    """Spearman's rho of the rows ``x``, ``y`` under any weights: both sides sorted once, so
    scoring block after block of resamples sorts nothing (``Spearman`` keeps one per table)."""

    def __init__(self, x: np.ndarray, y: np.ndarray) -> None:
        self.by_x, self.by_y = _Order(x), _Order(y)
        where_in_y = np.empty_like(self.by_y.order)
        where_in_y[self.by_y.order] = np.arange(self.by_y.order.size)
        self.y_to_x = where_in_y[self.by_x.order]

    def __call__(self, weights: np.ndarray) -> np.ndarray:
        """rho under each weight vector (whole numbers): weights (B, rows) -> (B,).

        Pearson's r of the mid-ranks, using what ranks make known: the ranks of n items sum to
        n(n + 1) / 2 whatever the ties, so their weighted mean is (n + 1) / 2 and needs no pass.
        The ranks are found doubled (``twice_ranks``: integers) and centred there, 2r - (n + 1),
        then halved as they become floats: multiples of 1/2, so a side is constant in a resample
        exactly when its sum of squares is 0 (no threshold), and the sums are exact (so the same
        in any order) up to some 300,000 items. Everything is computed in the order of ``x``'s
        values: its ranks need no reordering, and only ``y``'s are moved there. One resample at a
        time, its weights as integers, so its arrays stay in the processor's cache (a block at once
        is several times slower on 100,000 rows). Fewer than two items give NaN, as in scipy.
        """
        n = weights.sum(-1)
        by_x, by_y = self.by_x, self.by_y
        sxy, sxx, syy = (np.empty(n.shape) for _ in range(3))
        for k in range(len(weights)):
            row = weights[k:k + 1].astype(np.int64)  # read in order once: the gathers below then hit the cache
            centre = int(n[k]) + 1
            weights_x = row.take(by_x.order, axis=1)
            rx = by_x.twice_ranks(weights_x)
            rx -= centre
            ry = by_y.twice_ranks(row.take(by_y.order, axis=1)).take(self.y_to_x, axis=1)  # in x's order
            ry -= centre
            rx, ry = rx * 0.5, ry * 0.5  # centred ranks, as floats (products would pass int64 on large n)
            weighted_rx = weights_x * rx
            sxy[k] = np.einsum("ij,ij->i", weighted_rx, ry)[0]
            sxx[k] = np.einsum("ij,ij->i", weighted_rx, rx)[0]
            syy[k] = np.einsum("ij,ij,ij->i", weights_x, ry, ry)[0]
        with np.errstate(invalid="ignore", divide="ignore"):
            r = sxy / (np.sqrt(sxx) * np.sqrt(syy))
        return np.where((n < 2) | (sxx == 0) | (syy == 0), np.nan, np.clip(r, -1.0, 1.0))


def weighted_spearman(x: np.ndarray, y: np.ndarray, weights: np.ndarray) -> np.ndarray:
    """Spearman's rho of rows ``x``, ``y`` under each weight vector (whole numbers): weights
    (B, rows) -> (B,). See ``RankedPairs``."""
    return RankedPairs(x, y)(weights)


@dataclass(frozen=True)
class CorrelationOptions(Options):
    missing: Literal["exclude"] | int | float = option(
        "exclude", "an unanswered prediction is left out (exclude), or replaced by this score")


class _Correlation(Metric):
    options_class = CorrelationOptions

    def item_stats(self, predictions: Sequence[Any], references: Sequence[Any]) -> tuple[list[str], np.ndarray]:
        fill = self.options["missing"]
        if fill != "exclude":
            predictions = [fill if p is None else p for p in predictions]
        rows = np.zeros((len(references), 3))
        rows[:, 1] = _numbers(references, "reference")
        if None not in predictions:
            scored = np.ones(len(predictions), dtype=bool)
            rows[:, 0] = _numbers(predictions, "prediction")
        else:
            scored = np.fromiter((p is not None for p in predictions), dtype=bool, count=len(predictions))
            rows[scored, 0] = _numbers([p for p in predictions if p is not None], "prediction",
                                       np.flatnonzero(scored))
        rows[:, 2] = scored
        return ["prediction", "reference", "scored"], rows

    def _pairs(self, table: Table, weights: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        scored = table["scored"]
        return table["prediction"], table["reference"], weights if scored.all() else weights * scored

    def notes(self, table: Table, counts: np.ndarray) -> tuple[str, ...]:
        x, y, w = self._pairs(table, counts[None, :].astype(np.float64))
        used = w[0] > 0
        if w.sum() < 2:
            return ("fewer than two scored pairs: correlation undefined",)
        if np.ptp(x[used]) == 0 or np.ptp(y[used]) == 0:
            return ("constant input: correlation undefined",)
        return ()


class Pearson(_Correlation):
    """Pearson's r between predicted and reference scores; bootstrap or Fisher-z interval."""

    name = "pearson"
    primary = "pearson"
    analytic_intervals = ("fisher_z",)

    def score(self, table: Table, weights: np.ndarray) -> dict[str, np.ndarray]:
        x, y, w = self._pairs(table, weights)
        return {"pearson": weighted_pearson(x, y, w), "n_scored": w.sum(-1)}

    def interval(
        self, table: Table, counts: np.ndarray, value: float, level: float, method: str
    ) -> tuple[float, float]:
        """Fisher's z interval, as ``scipy.stats.pearsonr(...).confidence_interval()``."""
        n = float((counts * table["scored"]).sum())
        if math.isnan(value) or n < 4:
            return (math.nan, math.nan) if math.isnan(value) else (-1.0, 1.0)
        z = math.atanh(value) if abs(value) < 1 else math.copysign(math.inf, value)
        from scipy import special  # here, not at import: scipy.special alone costs ~0.2 s, and most runs never ask

        half = special.ndtri(0.5 + level / 2.0) / math.sqrt(n - 3)
        return math.tanh(z - half), math.tanh(z + half)


class Spearman(_Correlation):
    """Spearman's rho: Pearson's r of mid-ranks, re-ranked within every resample."""

    name = "spearman"
    primary = "spearman"

    def score(self, table: Table, weights: np.ndarray) -> dict[str, np.ndarray]:
        x, y, w = self._pairs(table, weights)
        ranked = table.cached("spearman", lambda: RankedPairs(x, y))  # sorted once for every block
        return {"spearman": ranked(w), "n_scored": w.sum(-1)}
