"""Typed, frozen, JSON-native results: what a parser returns and what a metric reports."""

from __future__ import annotations

import math
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, Literal

from medmetrics._json import json_native

Status = Literal["ok", "partial", "ambiguous", "empty", "failed"]
STATUSES: tuple[Status, ...] = ("ok", "partial", "ambiguous", "empty", "failed")
#: Statuses that carry a usable value; the others mean "the model gave no answer we can score".
ANSWERED: frozenset[str] = frozenset({"ok", "partial"})


@dataclass(frozen=True, slots=True)
class Parsed:
    """What a parser read from one generation.

    ``value`` is the structure (a letter, a label, an int, a tuple of letters) and is ``None``
    exactly when ``status`` is ``ambiguous``, ``empty`` or ``failed``. ``reason`` says in a few
    words why a parse is not ``ok``; ``rule`` names the rule that produced the value; ``span``
    is the ``[start, end)`` character range of the answer in the generation; ``candidates``
    lists the conflicting values of an ambiguous parse; ``parser`` is the signature of the
    parser that produced it, so a result can say how its predictions were read.
    """

    value: Any
    status: Status
    reason: str = ""
    rule: str | None = None
    span: tuple[int, int] | None = None
    candidates: tuple[Any, ...] = ()
    parser: str | None = None

    def __post_init__(self) -> None:
        if self.status not in STATUSES:
            raise ValueError(f"status must be one of {STATUSES}, not {self.status!r}")
        if (self.value is None) == (self.status in ANSWERED):
            raise ValueError(f"a {self.status!r} parse must {'' if self.status in ANSWERED else 'not '}carry a value")

    @property
    def ok(self) -> bool:
        return self.status == "ok"

    @property
    def answered(self) -> bool:
        """True when the parse carries a value a metric can score (``ok`` or ``partial``)."""
        return self.status in ANSWERED

    def to_dict(self) -> dict[str, Any]:
        return {
            "value": json_native(self.value),
            "status": self.status,
            "reason": self.reason,
            "rule": self.rule,
            "span": json_native(self.span),
            "candidates": json_native(self.candidates),
            "parser": self.parser,
        }


@dataclass(frozen=True, slots=True)
class ConfidenceInterval:
    """A two-sided interval with everything needed to reproduce it."""

    low: float
    high: float
    level: float
    method: str
    resamples: int | None = None
    seed: int | None = None

    def __contains__(self, value: object) -> bool:
        return isinstance(value, (int, float)) and self.low <= value <= self.high

    def to_dict(self) -> dict[str, Any]:
        return json_native(
            {"low": self.low, "high": self.high, "level": self.level, "method": self.method,
             "resamples": self.resamples, "seed": self.seed}
        )


@dataclass(frozen=True, slots=True)
class MetricResult:
    """One metric's score over a set of items.

    ``value`` is the headline number (the component named by the metric's ``primary``);
    ``components`` holds every scalar the metric computes (precision, recall, f1, the score on
    answered items only, ...); ``per_label`` the per-label table where there is one. ``n`` counts
    the items, ``n_failed`` those whose prediction gave no answer (they are scored as wrong), and
    ``statuses`` breaks ``n`` down by parse status. ``signature`` pins what changes the number.
    """

    metric: str
    value: float
    n: int
    n_failed: int = 0
    components: Mapping[str, float] = field(default_factory=dict)
    per_label: Mapping[str, Mapping[str, float]] = field(default_factory=dict)
    statuses: Mapping[str, int] = field(default_factory=dict)
    ci: ConfidenceInterval | None = None
    signature: str = ""
    higher_is_better: bool = True
    notes: tuple[str, ...] = ()

    def to_dict(self) -> dict[str, Any]:
        return {
            "metric": self.metric,
            "value": json_native(self.value),
            "n": self.n,
            "n_failed": self.n_failed,
            "components": json_native(self.components),
            "per_label": json_native(self.per_label),
            "statuses": json_native(self.statuses),
            "ci": None if self.ci is None else self.ci.to_dict(),
            "signature": self.signature,
            "higher_is_better": self.higher_is_better,
            "notes": list(self.notes),
        }

    def __float__(self) -> float:
        return self.value

    @property
    def failure_rate(self) -> float:
        return self.n_failed / self.n if self.n else math.nan


@dataclass(frozen=True, slots=True)
class Comparison:
    """Paired significance of system A against system B on the same references."""

    metric: str
    method: str
    value_a: float
    value_b: float
    difference: float
    p_value: float
    n: int
    ci: ConfidenceInterval | None = None
    resamples: int | None = None
    seed: int | None = None
    signature: str = ""
    details: Mapping[str, float] = field(default_factory=dict)

    def to_dict(self) -> dict[str, Any]:
        return {
            "metric": self.metric, "method": self.method, "value_a": json_native(self.value_a),
            "value_b": json_native(self.value_b), "difference": json_native(self.difference),
            "p_value": json_native(self.p_value), "n": self.n,
            "ci": None if self.ci is None else self.ci.to_dict(), "resamples": self.resamples,
            "seed": self.seed, "signature": self.signature, "details": json_native(self.details),
        }


@dataclass(frozen=True)
class Report(Mapping[str, MetricResult]):
    """What ``evaluate`` returns: metric name -> result, plus how every prediction was parsed."""

    results: Mapping[str, MetricResult]
    parsed: tuple[Parsed, ...] = ()
    task: str | None = None
    parser: str | None = None

    def __getitem__(self, name: str) -> MetricResult:
        return self.results[name]

    def __iter__(self) -> Iterator[str]:
        return iter(self.results)

    def __len__(self) -> int:
        return len(self.results)

    @property
    def statuses(self) -> dict[str, int]:
        counts: dict[str, int] = dict.fromkeys(STATUSES, 0)
        for p in self.parsed:
            counts[p.status] += 1
        return counts

    def to_dict(self, items: bool = False) -> dict[str, Any]:
        out: dict[str, Any] = {
            "task": self.task,
            "parser": self.parser,
            "n": len(self.parsed),
            "statuses": self.statuses,
            "results": {name: r.to_dict() for name, r in self.results.items()},
        }
        if items:
            out["items"] = [p.to_dict() for p in self.parsed]
        return out

    def item_scores(self, references: Sequence[Any], context: Any = None, *, metrics: Any = None,
                    catalog: Any = None) -> dict[str, list[float]]:
        """Result name -> one score per item: each metric on each item alone (``report.item_scores``);
        ``references`` and ``context`` are those the report was scored on."""
        from medmetrics.report import item_scores

        return item_scores(self, references, context, metrics=metrics, catalog=catalog)

    def to_html(self, generations: Sequence[str] | None = None, references: Sequence[Any] | None = None,
                context: Any = None, *, model: str = "model", path: str | None = None,
                title: str | None = None) -> str:
        """One self-contained HTML page of this report (``docs/report.md``); written to ``path`` if given."""
        from medmetrics.report import report_to_html

        return report_to_html(self, generations, references, context, model=model, path=path, title=title)
