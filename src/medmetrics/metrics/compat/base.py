"""Metric templates for reproducing a paper's evaluator: the same numbers, bugs included.

A compat metric reads the raw generation and the raw reference itself (the evaluator's own
reading is part of what is reproduced), so it takes strings, not ``Parsed`` values. Each is a
``Metric``, so it gets bootstrap intervals like every metric, and its signature starts with
``compat:<profile>`` so that a reproduced number is never mistaken for a correct one.
"""

from __future__ import annotations

from abc import abstractmethod
from collections.abc import Mapping, Sequence
from dataclasses import replace
from typing import Any, ClassVar

import numpy as np

from medmetrics.errors import InputError
from medmetrics.metrics.base import AdditiveMetric, Table, ratio
from medmetrics.signatures import Signature


class EvaluatorCrash(InputError):
    """The released evaluator raises on this input, so it prints no number for the task.

    A compat metric raises it where the script would; ``Profile.scorer`` turns it into a result
    whose value is NaN and whose note says which script failed on which item and why."""


class CompatMetric(AdditiveMetric):
    """A paper's evaluator. ``profile`` names the paper; ``version`` pins the repository commit read."""

    profile: ClassVar[str]

    def describe(self) -> Signature:
        return replace(super().describe(), profile=self.profile)


class ItemMean(CompatMetric):
    """The mean of a per-item score (accuracy-like evaluators, per-document F1 averaged)."""

    primary = "score"

    @abstractmethod
    def item_score(self, prediction: Any, reference: Any) -> float:
        """The evaluator's score of one item."""

    def item_stats(self, predictions: Sequence[Any], references: Sequence[Any]) -> tuple[Sequence[str], np.ndarray]:
        scores = [0.0 if p is None else float(self.item_score(p, r)) for p, r in zip(predictions, references)]
        return ("score",), np.asarray(scores, dtype=np.float64)[:, None]

    def from_totals(self, totals: Table, present: Table) -> dict[str, np.ndarray]:
        return {"score": ratio(totals["score"], totals["n"], float("nan"))}


def prf(tp: np.ndarray, n_pred: np.ndarray, n_gold: np.ndarray) -> dict[str, np.ndarray]:
    """Precision, recall and F1 from counts, 0 where undefined (as the evaluators write it)."""
    precision = ratio(tp, n_pred, 0.0)
    recall = ratio(tp, n_gold, 0.0)
    return {"precision": precision, "recall": recall, "f1": ratio(2 * precision * recall, precision + recall, 0.0)}


class KeyedCounts(CompatMetric):
    """Gold / predicted / matched counts per key (class, entity type, tag), summed over the corpus.

    ``item_counts`` gives one item's counts per key. With ``average = "micro"`` the counts of the
    keys that ``counted`` keeps (decided on the full sample: BioMistral-NLU drops classes without
    gold items) are summed before P/R/F1; with ``"macro"`` the F1 of each key that ``labels``
    lists is averaged, as scikit-learn's macro F1 with ``zero_division=0``.
    """

    primary = "f1"
    average: ClassVar[str] = "micro"

    @abstractmethod
    def item_counts(self, prediction: Any, reference: Any) -> Mapping[str, tuple[int, int, int]]:
        """key -> (gold count, predicted count, matched count) for one item."""

    def counted(self, key: str, gold_total: float) -> bool:
        return True

    def labels(self, gold: set[str], predicted: set[str]) -> list[str]:
        """The keys a macro average covers, given those with gold items and those predicted."""
        return sorted(gold)

    def item_stats(self, predictions: Sequence[Any], references: Sequence[Any]) -> tuple[Sequence[str], np.ndarray]:
        per_item = [self.item_counts("" if p is None else p, r) for p, r in zip(predictions, references)]
        keys = sorted({k for counts in per_item for k in counts})
        columns = [f"{kind}:{k}" for k in keys for kind in ("gold", "pred", "tp")]
        rows = np.zeros((len(per_item), len(columns)))
        position = {c: i for i, c in enumerate(columns)}
        for i, counts in enumerate(per_item):
            for key, values in counts.items():
                for kind, value in zip(("gold", "pred", "tp"), values):
                    rows[i, position[f"{kind}:{key}"]] = value
        return columns, rows

    def from_totals(self, totals: Table, present: Table) -> dict[str, np.ndarray]:
        shape = totals["n"].shape
        if self.average == "macro":
            gold = {k for k in present.with_prefix("gold") if present[f"gold:{k}"] > 0}
            predicted = {k for k in present.with_prefix("pred") if present[f"pred:{k}"] > 0}
            per_key = [prf(totals[f"tp:{k}"], totals[f"pred:{k}"], totals[f"gold:{k}"])["f1"]
                       for k in self.labels(gold, predicted)]
            return {"f1": np.mean(per_key, axis=0) if per_key else np.zeros(shape)}
        keys = [k for k in present.with_prefix("gold") if self.counted(k, float(present[f"gold:{k}"]))]
        tp, n_pred, n_gold = (sum((totals[f"{kind}:{k}"] for k in keys), np.zeros(shape))
                              for kind in ("tp", "pred", "gold"))
        return prf(tp, n_pred, n_gold)


class MacroF1(KeyedCounts):
    """scikit-learn's macro F1 over labels, from each item's (gold labels, predicted labels) sets."""

    average: ClassVar[str] = "macro"

    @abstractmethod
    def pair(self, prediction: Any, reference: Any) -> tuple[set[str], set[str]]:
        """The gold and predicted labels of one item."""

    def item_counts(self, prediction: Any, reference: Any) -> Mapping[str, tuple[int, int, int]]:
        gold, predicted = self.pair(prediction, reference)
        return {label: (int(label in gold), int(label in predicted), int(label in gold and label in predicted))
                for label in gold | predicted}
