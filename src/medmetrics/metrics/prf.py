"""The one precision/recall/F1 kernel: counts -> per-label scores -> averages.

Every counting metric (``f1``, ``seqeval``, ``entity_f1``, ``pico_token_f1``, ``relation_f1``,
``event_f1``, ``ned``) reduces its summed statistics through these pure functions, on one vector
of totals or on a batch of bootstrap resamples alike (the last axis is the labels).

F1 is ``2 tp / (pred + true)``: equal to 2PR/(P+R), defined when P or R alone is 0/0, and exact on
counts. ``zero_division`` replaces 0/0 (NaN leaves it undefined, skipped by the averages). The
peers differ only in what a weighted average is when no label has gold support: that rule is the
caller's ``no_support`` (scikit-learn: ``zero_division``; seqeval: its own, see ``sequence.py``).
The compat profiles keep their evaluators' own arithmetic (``compat/base.py``), bugs included.
"""

from __future__ import annotations

import math
from collections.abc import Mapping

import numpy as np

from medmetrics.metrics.base import ratio

COMPONENTS = ("precision", "recall", "f1")


def prf(tp: np.ndarray, pred: np.ndarray, true: np.ndarray, zero_division: float) -> dict[str, np.ndarray]:
    """Precision, recall and F1 of hit counts (``pred``: predicted, ``true``: gold)."""
    return {"precision": ratio(tp, pred, zero_division), "recall": ratio(tp, true, zero_division),
            "f1": ratio(2 * tp, pred + true, zero_division)}


def prf_row(tp: float, pred: float, true: float, zero_division: float) -> dict[str, float]:
    """``prf`` of one label's counts, as JSON-native floats (a per-label table's row)."""
    return {k: float(v) for k, v in prf(np.float64(tp), np.float64(pred), np.float64(true), zero_division).items()}


def mean_over_labels(values: np.ndarray, weights: np.ndarray | None) -> np.ndarray:
    """Average over the last axis (labels), skipping NaN (undefined under zero_division=nan)."""
    defined = ~np.isnan(values)
    w = np.where(defined, 1.0 if weights is None else weights, 0.0)
    return ratio((np.where(defined, values, 0.0) * w).sum(-1), w.sum(-1), math.nan)


def label_averages(per_label: Mapping[str, np.ndarray], support: np.ndarray,
                   no_support: Mapping[str, float | np.ndarray]) -> dict[str, np.ndarray]:
    """``macro_<c>`` (the plain mean over labels) and ``weighted_<c>`` (weighted by gold support)
    of each per-label component; where no label has support, ``weighted_<c>`` is ``no_support[c]``."""
    none = support.sum(-1) == 0
    out = {}
    for name, values in per_label.items():
        out[f"macro_{name}"] = mean_over_labels(values, None)
        out[f"weighted_{name}"] = np.where(none, no_support[name], mean_over_labels(values, support))
    return out
