"""P/R/F1 from per-type hit counts: the scoring shared by ``pico_token_f1``, ``relation_f1`` and ``ned``.

Each item contributes columns ``tp:<type>`` (predicted and right), ``pred:<type>`` (predicted)
and ``true:<type>`` (gold), plus ``spurious`` (predictions of no declared type, false positives
that belong to no type). Micro scores use the sums over every column, so a spurious prediction
lowers micro precision; macro averages the per-type scores over ``types``. F1 is
``2 tp / (pred + true)``, which equals 2PR/(P+R) and stays defined when P or R is 0/0.
"""

from __future__ import annotations

from abc import abstractmethod
from typing import ClassVar

import numpy as np

from medmetrics.metrics.base import AdditiveMetric, Table
from medmetrics.metrics.prf import mean_over_labels, prf, prf_row

KINDS = ("tp", "pred", "true")


class CountsF1(AdditiveMetric):
    """Micro and macro P/R/F1 over ``tp:``/``pred:``/``true:`` columns; options ``average``, ``zero_division``."""

    whole_number_stats = True
    #: Statistics columns reported as components as they are (summed over the items).
    extra_components: ClassVar[tuple[str, ...]] = ("spurious",)

    @abstractmethod
    def types(self, present: Table) -> list[str]:
        """The types macro averages over (empty: one class, so macro is micro)."""

    def from_totals(self, totals: Table, present: Table) -> dict[str, np.ndarray]:
        zd = self.options["zero_division"]
        micro_tp, micro_pred, micro_true = (sum((totals[f"{kind}:{t}"] for t in present.with_prefix(kind)),
                                                np.zeros(totals["n"].shape)) for kind in KINDS)
        micro = prf(micro_tp, micro_pred + totals["spurious"], micro_true, zd)
        types = self.types(present)
        if types:
            tp, pred, true = (np.stack([totals[f"{kind}:{t}"] for t in types], axis=-1) for kind in KINDS)
            per_type = prf(tp, pred, true, zd)
            macro = {k: mean_over_labels(v, None) for k, v in per_type.items()}
        else:
            macro = micro
        chosen = micro if self.options["average"] == "micro" else macro
        return {**chosen, **{f"micro_{k}": v for k, v in micro.items()}, **{f"macro_{k}": v for k, v in macro.items()},
                "support": micro_true, "predicted": micro_pred + totals["spurious"], "correct": micro_tp,
                **{name: totals[name] for name in self.extra_components}}

    def per_label_from_totals(self, totals: Table, present: Table) -> dict[str, dict[str, float]]:
        zd = self.options["zero_division"]
        out = {}
        for t in self.types(present):
            tp, pred, true = (float(totals[f"{kind}:{t}"]) for kind in KINDS)
            out[t] = {**prf_row(tp, pred, true, zd), "support": true, "predicted": pred}
        return out
