"""Accuracy and precision/recall/F1 for single-label and multi-label classification.

Definitions (the same as scikit-learn's unless said otherwise):

- A prediction with no answer (a failed, empty or ambiguous parse) is wrong: a false negative
  for the gold label, and nobody's false positive; it never becomes a class of its own.
- Without ``labels``, the label set is every value seen in references or predictions, as in
  scikit-learn. With ``labels``, a predicted value outside the set is *spurious*: it counts as a
  false positive in micro precision (scikit-learn ignores it, which inflates precision) and is
  reported in ``components["spurious"]``. A reference outside the set is an ``InputError``.
- ``exclude`` removes labels from every average (the negative class of ChemProt, DDI, i2b2-2010
  relation F1): predicting it is no claim, and missing it is no miss.
- ``zero_division`` (0, 1 or NaN) replaces 0/0 in precision, recall and F1; F1 is
  ``2TP / (2TP + FP + FN)``. With NaN, macro and weighted averages skip undefined labels.
  A weighted average whose labels have no support at all is 0/0 too, so it is
  ``zero_division`` (scikit-learn silently falls back to the unweighted mean there).
- A reference must be a str, int, bool, a finite number, or (multi-label) a tuple, frozenset,
  list or set of those. NaN, infinity, ``None``, dicts and bytes are an ``InputError`` naming
  the item: written as text they would become labels ("nan") that match each other.
"""

from __future__ import annotations

import math
import numbers
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any, Literal

import numpy as np

from medmetrics.errors import InputError
from medmetrics.metrics.base import AdditiveMetric, Stats, Table, ratio
from medmetrics.metrics.prf import COMPONENTS, label_averages, prf, prf_row
from medmetrics.metrics.statistics import cell_table
from medmetrics.options import Options, non_empty, option, zero_division


def label_key(value: Any) -> str:
    """The one form in which every metric compares labels: numbers by value (``4 == 4.0``),
    anything else by its text (so ``1`` and ``"1"`` are the same label, as a CSV file reads it)."""
    if isinstance(value, (int, float)) and not isinstance(value, bool) and float(value).is_integer():
        return str(int(value))
    return str(value)


def _is_label_value(value: Any) -> bool:
    """A str, int, bool or finite number: a value that is one label."""
    if isinstance(value, (str, int)):
        return True
    if isinstance(value, numbers.Real) and not isinstance(value, bytes):
        return math.isfinite(value)
    return isinstance(value, numbers.Integral)


def check_reference_values(references: Sequence[Any], structured: bool = False) -> set[type]:
    """``InputError`` naming the first reference that is no label (or set of labels): NaN,
    infinity, a dict, bytes, ``None``, or a set holding one of those. With ``structured``
    (accuracy, which compares whole answers), a JSON object is a reference too (a plugin's
    ``{"age_years": 67, "sex": "male"}``), as long as no NaN or infinity hides in it.
    Returns the references' types, which the check reads anyway."""
    kinds = set(map(type, references))
    if kinds <= {str, int}:  # the common case, checked without looking at each item
        return kinds
    for i, reference in enumerate(references):
        if structured and isinstance(reference, Mapping):
            bad = _non_finite(reference)
            if bad is _NO_VALUE:
                continue
            problem = f"holds {bad!r}, which equals nothing, not even itself"
        elif isinstance(reference, (list, tuple, set, frozenset)):
            bad = next((x for x in reference if not _is_label_value(x)), _NO_VALUE)
            if bad is _NO_VALUE:
                continue
            problem = f"holds {bad!r:.40}, which is no label ({type(bad).__name__})"
        elif _is_label_value(reference):
            continue
        elif isinstance(reference, numbers.Real):
            problem = "is not a finite number"
        else:
            problem = f"is a {type(reference).__name__}"
        raise InputError(f"reference {i} is {reference!r:.60}: it {problem}; a reference must be a str, int, bool, "
                         "a finite number, or a tuple/frozenset of those")
    return kinds


_NO_VALUE = object()


def _non_finite(value: Any) -> Any:
    """The first NaN or infinity inside a JSON-like value, or ``_NO_VALUE``."""
    if isinstance(value, float) and not math.isfinite(value):
        return value
    if isinstance(value, Mapping):
        value = list(value.values())
    if isinstance(value, (list, tuple)):
        for item in value:
            if (found := _non_finite(item)) is not _NO_VALUE:
                return found
    return _NO_VALUE


def _label_set(value: Any) -> frozenset[str] | None:
    """A multi-label value (list, tuple, set) as a set of label keys; None for single labels."""
    if isinstance(value, (list, tuple, set, frozenset)):
        return frozenset(label_key(v) for v in value)
    return None


def _as_answer(value: Any) -> Any:
    labels = _label_set(value)
    return labels if labels is not None else label_key(value)


class Accuracy(AdditiveMetric):
    """Share of items whose prediction equals the reference (sets compare as sets)."""

    name = "accuracy"
    primary = "accuracy"
    whole_number_stats = True

    def item_stats(self, predictions: Sequence[Any], references: Sequence[Any]) -> tuple[list[str], np.ndarray]:
        check_reference_values(references, structured=True)
        correct = [p is not None and _as_answer(p) == _as_answer(r) for p, r in zip(predictions, references)]
        return ["correct"], np.asarray(correct, dtype=np.float64)[:, None]

    def from_totals(self, totals: Table, present: Table) -> dict[str, np.ndarray]:
        return {"accuracy": ratio(totals["correct"], totals["n"], math.nan)}


def _label_keys(labels: tuple[Any, ...]) -> tuple[str, ...]:
    """Declared labels as label keys, in the declared order (a set's: sorted), repeats dropped."""
    return non_empty(tuple(map(label_key, labels)))


def _excluded(exclude: str | tuple[Any, ...]) -> tuple[str, ...]:
    """One label or several, as sorted label keys."""
    return tuple(sorted({label_key(x) for x in ((exclude,) if isinstance(exclude, str) else exclude)}))


@dataclass(frozen=True)
class F1Options(Options):
    average: Literal["micro", "macro", "weighted", "samples", "binary"] = option(
        "micro", "which average is the value (samples: multi-label only; binary needs pos_label)")
    labels: tuple[Any, ...] | None = option(
        None, "the declared label set; without it, every value seen in references or predictions",
        check=_label_keys)
    exclude: str | tuple[Any, ...] = option(
        (), "labels left out of every average (the negative class of relation tasks)", check=_excluded)
    zero_division: float = option(0.0, "the value of 0/0: 0, 1 or nan", check=zero_division)
    pos_label: Any = option(None, "the positive label for average='binary'", check=label_key)


class F1(AdditiveMetric):
    """Precision, recall and F1: micro, macro, weighted, per label; multi-label and per-sample."""

    name = "f1"
    primary = "f1"
    options_class = F1Options

    def configure(self) -> None:
        if self.options["average"] == "binary" and self.options["pos_label"] is None:
            raise InputError("metric 'f1': average='binary' needs pos_label")

    def stats_are_whole(self, stats: Stats) -> bool:
        return "sample_p" not in stats.columns  # counts, unless multi-label per-sample scores are there

    # -- statistics -----------------------------------------------------------------------
    def item_stats(self, predictions: Sequence[Any], references: Sequence[Any]) -> tuple[list[str], np.ndarray]:
        if check_reference_values(references) <= {str} and set(map(type, predictions)) <= {str, type(None)}:
            # single labels written as text, the common case: each is its own label key
            golds, preds = list(references), list(predictions)
        else:
            multilabel = _label_set(references[0]) is not None
            for i, (p, r) in enumerate(zip(predictions, references)):
                if (_label_set(r) is not None) != multilabel:
                    raise InputError(f"reference {i} is {r!r}: references must be all single labels or all "
                                     "label sets")
                if p is not None and (_label_set(p) is not None) != multilabel:
                    kind = "label sets" if multilabel else "single labels"
                    raise InputError(f"prediction {i} is {p!r} but references are {kind}")
            if multilabel:
                return self._multilabel_stats(predictions, references)
            golds = [label_key(r) for r in references]
            preds = [None if p is None else label_key(p) for p in predictions]
        self._check_declared(golds)
        values = sorted(set(golds) | set(preds) - {None})
        code: dict[str | None, int] = {v: k for k, v in enumerate(values)}
        gold = np.fromiter(map(code.__getitem__, golds), dtype=np.int64, count=len(golds))
        code[None] = -1  # no answer
        pred = np.fromiter(map(code.__getitem__, preds), dtype=np.int64, count=len(preds))
        # columns tp, fp, fn of each value in turn: a hit is a tp, a miss an fn (and an fp of the
        # predicted value, if any)
        items = np.arange(len(golds))
        hit = gold == pred
        wrong = ~hit & (pred >= 0)
        cells = (items, np.where(hit, 3 * gold, 3 * gold + 2)), (items[wrong], 3 * pred[wrong] + 1)
        rows = cell_table(len(golds), 3 * len(values), *map(np.concatenate, zip(*cells)))
        return [f"{kind}:{v}" for v in values for kind in ("tp", "fp", "fn")], rows

    def _check_declared(self, golds: Sequence[str] | Sequence[frozenset[str]]) -> None:
        if self.options["labels"] is None:
            return
        declared = set(self.options["labels"]) | set(self.options["exclude"])
        for i, gold in enumerate(golds):
            outside = sorted(({gold} if isinstance(gold, str) else set(gold)) - declared)
            if outside:
                raise InputError(f"reference {i} has label(s) {outside} outside labels={sorted(declared)}")

    def _multilabel_stats(self, predictions: Sequence[Any], references: Sequence[Any]) -> tuple[list[str], np.ndarray]:
        golds = [_label_set(r) or frozenset() for r in references]
        preds = [_label_set(p) if p is not None else None for p in predictions]
        self._check_declared(golds)
        values = sorted(set().union(*golds, *(p for p in preds if p is not None)))
        columns = [f"{kind}:{v}" for v in values for kind in ("tp", "fp", "fn")]
        position = {c: i for i, c in enumerate(columns)}
        extra = ["sample_p", "sample_r", "sample_f", "sample_p_undefined", "sample_r_undefined", "sample_f_undefined"]
        sample_columns = range(len(columns), len(columns) + len(extra))
        items: list[int] = []
        cells: list[int] = []
        cell_values: list[float] = []
        for i, (gold, pred) in enumerate(zip(golds, preds)):
            got = pred or frozenset()
            hits = [position[f"{kind}:{v}"] for kind, labels in (("tp", gold & got), ("fp", got - gold),
                                                                 ("fn", gold - got)) for v in labels]
            items += [i] * (len(hits) + len(extra))
            cells += [*hits, *sample_columns]
            cell_values += [1.0] * len(hits) + self._sample_scores(gold, got)
        return columns + extra, cell_table(len(golds), len(columns) + len(extra), items, cells, cell_values)

    def _sample_scores(self, gold: frozenset[str], got: frozenset[str]) -> list[float]:
        """Per-sample P, R, F (as scikit-learn's average='samples'), then their undefined flags."""
        excluded = set(self.options["exclude"])
        if self.options["labels"] is not None:
            keep = set(self.options["labels"]) - excluded
            gold, inside = gold & keep, got & keep
        else:
            gold, inside = gold - excluded, got - excluded
        tp = len(gold & inside)
        out = [0.0] * 6
        for k, denominator in enumerate((len(inside), len(gold), len(gold) + len(inside))):
            if denominator:
                out[k] = (2 * tp if k == 2 else tp) / denominator
            else:
                out[3 + k] = 1.0
        return out

    # -- scoring --------------------------------------------------------------------------
    def _labels(self, present: Table) -> list[str]:
        """The labels averaged over: declared, else every value seen; minus excluded ones."""
        if self.options["average"] == "binary":
            return [self.options["pos_label"]]
        seen = set(present.with_prefix("tp")) | set(present.with_prefix("fp")) | set(present.with_prefix("fn"))
        seen = {v for v in seen if any(present[f"{k}:{v}"] for k in ("tp", "fp", "fn"))}
        labels = self.options["labels"] if self.options["labels"] is not None else sorted(seen)
        return [v for v in labels if v not in self.options["exclude"]]

    def _spurious(self, present: Table) -> list[str]:
        """Predicted values that are neither a declared label nor an excluded one."""
        if self.options["labels"] is None:
            return []
        known = set(self.options["labels"]) | set(self.options["exclude"])
        return [v for v in present.with_prefix("fp") if v not in known]

    def from_totals(self, totals: Table, present: Table) -> dict[str, np.ndarray]:
        zd = self.options["zero_division"]
        labels = self._labels(present)
        shape = totals["n"].shape
        if labels:
            tp = np.stack([totals[f"tp:{v}"] for v in labels], axis=-1)
            fp = np.stack([totals[f"fp:{v}"] for v in labels], axis=-1)
            fn = np.stack([totals[f"fn:{v}"] for v in labels], axis=-1)
        else:
            tp = fp = fn = np.zeros((*shape, 0))
        spurious = sum((totals[f"fp:{v}"] for v in self._spurious(present)), np.zeros(shape))
        micro_tp, micro_fp, micro_fn = tp.sum(-1), fp.sum(-1) + spurious, fn.sum(-1)
        out = {f"micro_{k}": v for k, v in prf(micro_tp, micro_tp + micro_fp, micro_tp + micro_fn, zd).items()}
        # no gold support at all: scikit-learn's weighted scores are zero_division
        out.update(label_averages(prf(tp, tp + fp, tp + fn, zd), tp + fn, dict.fromkeys(COMPONENTS, zd)))
        if "sample_f" in totals.columns:
            for short, name in (("p", "precision"), ("r", "recall"), ("f", "f1")):
                undefined = totals[f"sample_{short}_undefined"]
                if math.isnan(zd):
                    out[f"samples_{name}"] = ratio(totals[f"sample_{short}"], totals["n"] - undefined, math.nan)
                else:
                    out[f"samples_{name}"] = ratio(totals[f"sample_{short}"] + zd * undefined, totals["n"], math.nan)
        average = "micro" if self.options["average"] == "binary" else self.options["average"]
        if average == "samples" and "samples_f1" not in out:
            raise InputError("metric 'f1': average='samples' needs multi-label references (sets of labels)")
        for name in ("precision", "recall", "f1"):
            out[name] = out[f"{average}_{name}"]
        out["spurious"] = spurious
        return out

    def per_label_from_totals(self, totals: Table, present: Table) -> dict[str, dict[str, float]]:
        zd = self.options["zero_division"]
        out = {}
        for v in self._labels(present):
            tp, fp, fn = (float(totals[f"{k}:{v}"]) for k in ("tp", "fp", "fn"))
            out[v] = {**prf_row(tp, tp + fp, tp + fn, zd), "support": tp + fn, "predicted": tp + fp}
        return out
