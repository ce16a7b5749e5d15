"""Per-item metric scores: each metric of a report on each item alone.

A metric scores weighted rows of per-item statistics (``Metric.item_stats`` / ``Metric.score``);
the score of item ``i`` is the metric on the one row of item ``i`` (weight 1). Items with equal
statistics share the score, so it is computed once per distinct row. A metric that is undefined
on one item (a correlation) gives NaN; for those, ``abs_error`` (``|prediction - reference|``, NaN
where the parse gave no number) is added for numeric predictions.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from typing import Any

import numpy as np

from medmetrics.errors import InputError
from medmetrics.metrics.base import Metric, Table
from medmetrics.metrics.resampling import distinct_rows
from medmetrics.results import Report
from medmetrics.signatures import metric_part

#: beyond this many distinct statistics rows, rows are scored in blocks (see ``_score_rows``)
_ONE_BY_ONE = 4000
_BLOCK = 256


def task_metrics(report: Report, catalog: Any = None) -> dict[str, Metric]:
    """Result name -> the metric object that made it, rebuilt from the report's task; a result
    whose signature the rebuilt metric does not reproduce is left out."""
    from medmetrics.plugins import default_catalog, get_metric

    catalog = catalog or default_catalog()
    if report.task is None or report.task not in catalog.tasks:
        return {}
    task = catalog.tasks.get(report.task).obj
    out: dict[str, Metric] = {}
    for name, result in report.items():
        if name not in task.metrics:
            continue
        metric_name, options = task.metrics[name]
        try:
            metric = get_metric(metric_name, catalog=catalog, **dict(options))
        except Exception:  # an optional dependency missing: no per-item scores for it
            continue
        if metric_part(result.signature) == metric.signature:
            out[name] = metric
    return out


def _score_rows(metric: Metric, columns: Sequence[str], rows: Any) -> np.ndarray:
    """The metric's primary value on each row alone."""
    with metric.guarded("score (per item)"):
        return _score_each_row(metric, columns, rows)


def _score_each_row(metric: Metric, columns: Sequence[str], rows: Any) -> np.ndarray:
    count = rows.shape[0]
    out = np.full(count, np.nan)
    if count <= _ONE_BY_ONE:
        one = np.ones((1, 1))
        for i in range(count):
            value = metric.score(Table(columns, rows[i:i + 1]), one)[metric.primary]
            out[i] = float(np.asarray(value).reshape(-1)[0])
        return out
    for start in range(0, count, _BLOCK):  # identity weights: every row of the block alone
        block = rows[start:start + _BLOCK]
        size = block.shape[0]
        value = metric.score(Table(columns, block), np.eye(size))[metric.primary]
        out[start:start + size] = np.asarray(value, dtype=np.float64).reshape(-1)
    return out


def metric_item_scores(metric: Metric, parsed: Sequence[Any], references: Sequence[Any]) -> list[float]:
    """``metric`` on each (parse, reference) pair alone: one float per item (NaN: undefined)."""
    stats = metric.stats(parsed, references)
    if stats.n == 0:
        return []
    unique, inverse, _ = distinct_rows(stats.rows)
    with np.errstate(all="ignore"):
        scores = _score_rows(metric, stats.columns, unique)
    return [float(x) for x in scores[inverse]]


def _number(value: Any) -> float | None:
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        return None
    return float(value)


def item_scores(
    report: Report,
    references: Sequence[Any],
    context: Mapping[str, Any] | Sequence[Mapping[str, Any]] | None = None,
    *,
    metrics: Mapping[str, Metric] | None = None,
    catalog: Any = None,
    normalized: bool = False,
) -> dict[str, list[float]]:
    """Result name -> one score per item: each metric of ``report`` on each item alone.

    ``references`` and ``context`` are those the report was scored on (references are normalized
    as ``evaluate`` normalizes them, unless ``normalized`` says they are already). ``metrics``
    gives the metric objects of a report that is not a registered task's (result name ->
    ``Metric``); by default they are rebuilt from the task.
    For a numeric task ``abs_error`` is added. A metric undefined on every single item (a correlation) is left out.
    """
    from medmetrics.parsing.references import normalize_references

    if len(references) != len(report.parsed):
        raise InputError(f"the report has {len(report.parsed)} items but references has {len(references)}")
    built = dict(metrics) if metrics is not None else task_metrics(report, catalog)
    refs = list(references)
    if report.task is not None and not normalized:
        try:
            from medmetrics.plugins import default_catalog, get_parser

            cat = catalog or default_catalog()
            task = cat.tasks.get(report.task).obj
            parser = get_parser(task.parser, catalog=cat, **dict(task.parser_options))
            refs = normalize_references(parser, refs, context)
        except Exception:  # not a registered task, or references given normalized already
            refs = list(references)
    out: dict[str, list[float]] = {}
    for name, metric in built.items():
        try:
            out[name] = metric_item_scores(metric, report.parsed, refs)
        except InputError:
            continue
    numeric = [(_number(p.value) if p.answered else None, _number(r)) for p, r in zip(report.parsed, refs)]
    undefined = not out or all(all(math.isnan(x) for x in v) for v in out.values())
    if undefined and any(p is not None for p, _ in numeric) and all(r is not None for _, r in numeric):
        out["abs_error"] = [abs(p - r) if p is not None and r is not None else math.nan for p, r in numeric]
    return {name: values for name, values in out.items() if not all(math.isnan(x) for x in values)}
