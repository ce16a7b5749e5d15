"""Typed, frozen, JSON-native results: what a parser returns and what a metric reports.

Every result has ``to_dict`` (JSON-native) and a ``from_dict`` that reads it back:
``X.from_dict(x.to_dict()).to_dict() == x.to_dict()``. ``Report``, ``Comparison`` (and the suite
results) have ``to_frame`` for notebooks: a pandas DataFrame, pandas being an optional extra
(``pip install 'medmetrics[pandas]'``) imported only when ``to_frame`` is called. ``docs/python-api.md``.
"""

from __future__ import annotations

import math
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass, field, replace
from typing import Any, Literal

from medmetrics._json import json_native
from medmetrics.errors import InputError, MissingDependencyError

Status = Literal["ok", "partial", "ambiguous", "empty", "failed"]
STATUSES: tuple[Status, ...] = ("ok", "partial", "ambiguous", "empty", "failed")
#: Statuses that carry a usable value; the others mean "the model gave no answer we can score".
ANSWERED: frozenset[str] = frozenset({"ok", "partial"})


def load_pandas() -> Any:
    """pandas, imported on first use (``to_frame``): ``import medmetrics`` never loads it."""
    try:
        import pandas
    except ImportError:
        raise MissingDependencyError("to_frame needs pandas: pip install 'medmetrics[pandas]'") from None
    return pandas


def restore_nan(value: Any) -> Any:
    """``to_dict`` writes NaN as ``None`` (JSON has no NaN): read a number back as NaN, in nested mappings too."""
    if value is None:
        return math.nan
    if isinstance(value, Mapping):
        return {k: restore_nan(v) for k, v in value.items()}
    return value


def short_number(value: float | None) -> str:
    """A number as a one-line ``__repr__`` shows it: three decimals, or three significant digits."""
    if value is None:
        return "-"
    if not math.isfinite(value):
        return str(value)
    return f"{value:.3f}" if value == 0 or 1e-3 <= abs(value) < 1e4 else f"{value:.3g}"


def short_value(name: str, value: float | None, ci: ConfidenceInterval | None) -> str:
    """``name=0.675 [0.606, 0.744]``: a value and its interval, for ``__repr__``."""
    interval = "" if ci is None else f" [{short_number(ci.low)}, {short_number(ci.high)}]"
    return f"{name}={short_number(value)}{interval}"


def interval_columns(ci: ConfidenceInterval | None, prefix: str = "ci") -> dict[str, Any]:
    """The ``ci_low``, ``ci_high``, ``ci_level`` columns of a ``to_frame`` row (``None`` without an interval)."""
    return {f"{prefix}_low": None if ci is None else ci.low, f"{prefix}_high": None if ci is None else ci.high,
            f"{prefix}_level": None if ci is None else ci.level}


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

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> Parsed:
        """The parse ``to_dict`` wrote. ``value`` comes back as JSON holds it (a tuple as a list, a
        mention as its dict); ``span`` and ``candidates`` as tuples."""
        span = data.get("span")
        return cls(value=data.get("value"), status=data["status"], reason=data.get("reason", ""),
                   rule=data.get("rule"), span=None if span is None else (int(span[0]), int(span[1])),
                   candidates=tuple(data.get("candidates") or ()), parser=data.get("parser"))


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

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> ConfidenceInterval:
        """The interval ``to_dict`` wrote (an undefined bound, written ``None``, comes back NaN)."""
        return cls(restore_nan(data.get("low")), restore_nan(data.get("high")), data["level"], data["method"],
                   data.get("resamples"), data.get("seed"))


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
    #: the per-item statistics it was scored from (a ``Stats``) and the metric that scored them:
    #: what merging shards (``Report.merge``) and resampling it again need, without recomputing.
    #: Kept in memory; written by ``to_dict(stats=True)`` only.
    stats: Any = field(default=None, compare=False, repr=False)
    scorer: Any = field(default=None, compare=False, repr=False)
    #: the primary value on each bootstrap resample behind ``ci`` (in memory only): a suite's
    #: average and a paired test reuse it instead of resampling again
    replicates: Any = field(default=None, compare=False, repr=False)

    def to_dict(self, stats: bool = False) -> dict[str, Any]:
        out = self._fields()
        if stats and self.stats is not None:
            out["stats"] = {"metric": self.stats.metric, "columns": list(self.stats.columns),
                            **_rows_to_json(self.stats.rows),
                            **({} if self.stats.counts is None else {"counts": self.stats.counts.tolist()}),
                            "options": json_native(dict(self.scorer.options)) if self.scorer is not None else None}
        return out

    def _fields(self) -> dict[str, Any]:
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

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> MetricResult:
        """The result ``to_dict`` wrote (NaN values, written ``None``, come back NaN), with its
        statistics when they were written (``to_dict(stats=True)``): such results merge."""
        ci = data.get("ci")
        stats, scorer = _stored_stats(data.get("stats"), data["metric"])
        return cls(metric=data["metric"], value=restore_nan(data.get("value")), n=data["n"],
                   n_failed=data.get("n_failed", 0), components=restore_nan(data.get("components") or {}),
                   per_label={label: restore_nan(row) for label, row in (data.get("per_label") or {}).items()},
                   statuses=dict(data.get("statuses") or {}),
                   ci=None if ci is None else ConfidenceInterval.from_dict(ci),
                   signature=data.get("signature", ""), higher_is_better=data.get("higher_is_better", True),
                   notes=tuple(data.get("notes") or ()), stats=stats, scorer=scorer)

    def __float__(self) -> float:
        return self.value

    def __repr__(self) -> str:
        return f"<MetricResult {short_value(self.metric, self.value, self.ci)} n={self.n} failed={self.n_failed}>"

    @property
    def failure_rate(self) -> float:
        return self.n_failed / self.n if self.n else math.nan

    def row(self) -> dict[str, Any]:
        """This result as one ``to_frame`` row: the value, its interval, the counts, the signature,
        and every component as a ``components.<name>`` column (as ``pandas.json_normalize`` names them)."""
        return {
            "metric": self.metric, "value": self.value, **interval_columns(self.ci),
            "n": self.n, "n_failed": self.n_failed, "failure_rate": self.failure_rate,
            "higher_is_better": self.higher_is_better, "signature": self.signature,
            **{f"components.{name}": v for name, v in self.components.items()},
        }


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
    #: the paired bootstrap's differences (A - B per resample; in memory only): a suite's average
    #: is tested from them without resampling the task again
    replicates: Any = field(default=None, compare=False, repr=False)

    def to_dict(self) -> dict[str, Any]:
        return {
            "metric": self.metric, "method": self.method, "value_a": json_native(self.value_a),
            "value_b": json_native(self.value_b), "difference": json_native(self.difference),
            "p_value": json_native(self.p_value), "n": self.n,
            "ci": None if self.ci is None else self.ci.to_dict(), "resamples": self.resamples,
            "seed": self.seed, "signature": self.signature, "details": json_native(self.details),
        }

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> Comparison:
        """The comparison ``to_dict`` wrote (keys it does not write, such as a table's ``p_holm``, are ignored)."""
        ci = data.get("ci")
        return cls(metric=data["metric"], method=data["method"], value_a=restore_nan(data.get("value_a")),
                   value_b=restore_nan(data.get("value_b")), difference=restore_nan(data.get("difference")),
                   p_value=restore_nan(data.get("p_value")), n=data["n"],
                   ci=None if ci is None else ConfidenceInterval.from_dict(ci), resamples=data.get("resamples"),
                   seed=data.get("seed"), signature=data.get("signature", ""),
                   details=restore_nan(data.get("details") or {}))

    def row(self) -> dict[str, Any]:
        """This comparison as one ``to_frame`` row: both values, the difference (A - B) with its
        interval, the p-value."""
        return {"metric": self.metric, "method": self.method, "value_a": self.value_a, "value_b": self.value_b,
                "difference": self.difference, **interval_columns(self.ci), "p_value": self.p_value, "n": self.n,
                "signature": self.signature}

    def to_frame(self) -> Any:
        """A one-row pandas DataFrame (``row``); needs pandas (``pip install 'medmetrics[pandas]'``)."""
        return load_pandas().DataFrame([self.row()])


#: how the note on generations a parser raised on begins (``evaluation.parser_error_note``)
PARSER_NOTE = "parser '"


@dataclass(frozen=True)
class Report(Mapping[str, MetricResult]):
    """What ``evaluate`` returns: metric name -> result, plus how every prediction was parsed.

    ``stored_statuses`` holds the status counts of a report read back without its items
    (``from_dict``); a report with ``parsed`` items counts them from the items.
    """

    results: Mapping[str, MetricResult]
    parsed: tuple[Parsed, ...] = ()
    task: str | None = None
    parser: str | None = None
    stored_statuses: Mapping[str, int] | None = field(default=None, compare=False, repr=False)

    def __getitem__(self, name: str) -> MetricResult:
        return self.results[name]

    def __iter__(self) -> Iterator[str]:
        return iter(self.results)

    def __len__(self) -> int:
        return len(self.results)

    def __repr__(self) -> str:
        shown = [short_value(name, r.value, r.ci) for name, r in list(self.results.items())[:3]]
        if len(self.results) > 3:
            shown.append(f"+{len(self.results) - 3} more")
        n = self.n
        failed = n - sum(self.statuses[s] for s in ANSWERED)
        if not n and self.results:  # read back without items or counts: the first result's
            first = next(iter(self.results.values()))
            n, failed = first.n, first.n_failed
        return f"<Report {self.task or self.parser or '-'}: {', '.join(shown) or 'no results'} n={n} failed={failed}>"

    @property
    def n(self) -> int:
        """How many generations were scored."""
        if not self.parsed and self.stored_statuses is not None:
            return sum(self.stored_statuses.values())
        return len(self.parsed)

    @property
    def statuses(self) -> dict[str, int]:
        if not self.parsed and self.stored_statuses is not None:
            return {**dict.fromkeys(STATUSES, 0), **self.stored_statuses}
        counts: dict[str, int] = dict.fromkeys(STATUSES, 0)
        for p in self.parsed:
            counts[p.status] += 1
        return counts

    def to_dict(self, items: bool = False, stats: bool = False) -> dict[str, Any]:
        """JSON-native; ``items`` adds every parse, ``stats`` every result's per-item statistics
        (what a shard scored elsewhere needs to be merged with ``merge``)."""
        out: dict[str, Any] = {
            "task": self.task,
            "parser": self.parser,
            "n": self.n,
            "statuses": self.statuses,
            "results": {name: r.to_dict(stats=stats) for name, r in self.results.items()},
        }
        if items:
            out["items"] = [p.to_dict() for p in self.parsed]
        return out

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> Report:
        """The report ``to_dict`` wrote. Its parsed items come back only if they were written
        (``to_dict(items=True)``, ``--per-item``); without them ``parsed`` is empty and the status
        counts (``statuses``, ``n``) are those stored, so ``to_dict`` gives the same dict again."""
        results = {name: MetricResult.from_dict(r) for name, r in (data.get("results") or {}).items()}
        items = data.get("items")
        if items is not None:
            return cls(results, tuple(Parsed.from_dict(p) for p in items), data.get("task"), data.get("parser"))
        statuses = data.get("statuses")
        return cls(results, (), data.get("task"), data.get("parser"),
                   stored_statuses=None if statuses is None else dict(statuses))

    def merge(self, *others: Report, ci: bool | float | None = None, resamples: int | None = None,
              seed: int | None = None) -> Report:
        """One report of shards of a run (the same task, parser and metrics; different items),
        each result scored from the shards' statistics merged: equal to scoring all the items at
        once, its interval too for the same seed. By default intervals are made as the first
        shard's were (level, resamples, seed). Parsed items are concatenated in order.

        Every shard needs its statistics: a report made in this process has them; one read back
        with ``from_dict`` has them if it was written with ``to_dict(stats=True)``."""
        reports = (self, *others)
        for k, other in enumerate(others, start=2):
            if (other.task, other.parser, list(other.results)) != (self.task, self.parser, list(self.results)):
                raise InputError(f"report {k} ({other.task or other.parser}: {', '.join(other.results)}) is not a "
                                 f"shard of report 1 ({self.task or self.parser}: {', '.join(self.results)}): "
                                 "the task, parser and metrics must be the same")
        merged: dict[str, MetricResult] = {}
        for name, first in self.results.items():
            parts = [r.results[name] for r in reports]
            missing = [k for k, p in enumerate(parts, start=1) if p.stats is None]
            if missing:
                raise InputError(f"result {name!r} of report {missing[0]} has no statistics to merge: merge reports "
                                 "scored in this process, or written with to_dict(stats=True)")
            scorer = _rebuild_scorer(first) if isinstance(first.scorer, _Options) else first.scorer
            made = first.ci  # how the first shard's interval was made, unless told otherwise
            result = scorer.result(
                first.stats.merge(*[p.stats for p in parts[1:]]),
                ci=ci if ci is not None else (made.level if made is not None else False),
                resamples=resamples or (made.resamples if made and made.resamples else 1000),
                seed=seed if seed is not None else (made.seed if made and made.seed is not None else 12345),
                ci_method="bootstrap" if made is None or made.method.startswith("bootstrap") else made.method)
            # the metric's own notes are made again for the whole; a shard's parser-error note stays, named
            shard_notes = [f"shard {k}: {note}" for k, p in enumerate(parts, start=1) for note in p.notes
                           if note.startswith(PARSER_NOTE)]
            merged[name] = replace(result, signature=first.signature, notes=(*result.notes, *shard_notes))
        parsed = tuple(p for r in reports for p in r.parsed) if all(r.parsed for r in reports) else ()
        statuses: dict[str, int] | None = None
        if not parsed:
            statuses = {s: sum(r.statuses[s] for r in reports) for s in STATUSES}
        return Report(merged, parsed, self.task, self.parser, stored_statuses=statuses)

    def compacted(self) -> Report:
        """This report with each result's statistics as distinct rows with counts
        (``Stats.compacted``): the same scores, merges and intervals, in the memory of the distinct
        rows rather than the items. What a streamed chunk or a Dask partition keeps for the merge."""
        return replace(self, results={name: r if r.stats is None else replace(r, stats=r.stats.compacted())
                                      for name, r in self.results.items()})

    def to_frame(self) -> Any:
        """One row per metric result, as a pandas DataFrame: ``task``, ``metric`` (the result's
        name in the report), ``value``, ``ci_low``, ``ci_high``, ``ci_level``, ``n``, ``n_failed``,
        ``failure_rate``, ``higher_is_better``, ``signature``, then each component as a
        ``components.<name>`` column (empty where a metric has no such component). ``per_label``
        tables stay on the results. Needs pandas (``pip install 'medmetrics[pandas]'``)."""
        rows = [{"task": self.task, **r.row(), "metric": name} for name, r in self.results.items()]
        return load_pandas().DataFrame(rows, columns=_columns(rows, ["task", "metric"]))

    def items_frame(self, references: Sequence[Any] | None = None, context: Any = None) -> Any:
        """One row per generation (index ``item``, from 0): ``value``, ``status``, ``answered``,
        ``reason``, ``rule``, ``span_start``, ``span_end``, ``candidates``, ``parser``. Given the
        ``references`` (and ``context``) the report was scored on, also ``reference`` and each
        metric's score of the item alone as a ``score.<name>`` column (``item_scores``)."""
        pandas = load_pandas()
        rows = [{"value": p.value, "status": p.status, "answered": p.answered, "reason": p.reason, "rule": p.rule,
                 "span_start": None if p.span is None else p.span[0], "span_end": None if p.span is None else p.span[1],
                 "candidates": p.candidates, "parser": p.parser} for p in self.parsed]
        frame = pandas.DataFrame(rows, columns=["value", "status", "answered", "reason", "rule", "span_start",
                                                "span_end", "candidates", "parser"])
        frame = frame.astype({"span_start": "Int64", "span_end": "Int64"})
        frame.index.name = "item"
        if references is not None:
            frame["reference"] = list(references)
            for name, scores in self.item_scores(references, context).items():
                frame[f"score.{name}"] = scores
        return frame

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


def _columns(rows: Sequence[Mapping[str, Any]], first: Sequence[str]) -> list[str]:
    """The columns of ``rows`` in first-seen order, ``first`` leading (rows may differ in components)."""
    return list(dict.fromkeys([*first, *(key for row in rows for key in row)]))


def _rows_to_json(rows: Any) -> dict[str, Any]:
    """A statistics table as JSON: ``rows``, one list per item, or for a wide (sparse) table its
    CSR arrays under ``sparse`` (item i's values are ``data[indptr[i]:indptr[i+1]]`` in the columns
    ``indices[indptr[i]:indptr[i+1]]``), which stays as small as the table."""
    if type(rows).__module__.startswith("scipy.sparse"):
        return {"sparse": {"indptr": rows.indptr.tolist(), "indices": rows.indices.tolist(),
                           "data": json_native(rows.data.tolist())}}
    return {"rows": json_native(rows.tolist())}


def _stored_stats(data: Any, metric: str) -> tuple[Any, Any]:
    """The ``Stats`` of a result written with ``to_dict(stats=True)``, and its metric's options
    (the metric is rebuilt from them when the result is merged), or ``(None, None)``."""
    if not data:
        return None, None
    import numpy as np

    from medmetrics.metrics.base import Stats

    if "sparse" in data:  # a wide table, written as its CSR arrays (see ``_rows_to_json``)
        import scipy.sparse

        csr = data["sparse"]
        arrays = (np.array(csr["data"], dtype=np.float64), np.array(csr["indices"], dtype=np.int64),
                  np.array(csr["indptr"], dtype=np.int64))
        rows = scipy.sparse.csr_array(arrays, shape=(len(arrays[2]) - 1, len(data["columns"])))
    else:
        rows = np.array(data["rows"], dtype=np.float64).reshape(len(data["rows"]), len(data["columns"]))
    counts = None if data.get("counts") is None else np.array(data["counts"], dtype=np.int64)
    return Stats(data["metric"], tuple(data["columns"]), rows, counts), _Options(metric, data.get("options") or {})


@dataclass(frozen=True)
class _Options:
    """A result's metric, not yet rebuilt: its name and options as written."""

    name: str
    options: Mapping[str, Any]


def _rebuild_scorer(result: MetricResult) -> Any:
    """The metric of a result read back from JSON, rebuilt from its name and options; it must make
    the same statistics (the same signature), or the merge would mix two definitions."""
    from medmetrics.plugins import get_metric

    stored = result.scorer
    metric = get_metric(stored.name, **dict(stored.options))
    if metric.signature != result.stats.metric:
        raise InputError(f"the statistics of {result.metric!r} were made by {result.stats.metric!r}; this "
                         f"installation builds {metric.signature!r}: merge with the version that made them")
    return metric
