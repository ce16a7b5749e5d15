"""``evaluate``: parse every generation, then score the parses with each metric."""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import replace
from typing import Any

from medmetrics.errors import InputError
from medmetrics.parsing.base import Parser
from medmetrics.plugins import Catalog
from medmetrics.results import MetricResult, Parsed, Report
from medmetrics.tasks import Task


def resolve(
    task_or_parser: str | Task | Parser, metrics: Any, catalog: Catalog
) -> tuple[Task | None, Parser, dict[str, Any]]:
    """The task (if any), the parser, and result name -> metric object."""
    from medmetrics.api import get_metric, get_parser

    task: Task | None = None
    if isinstance(task_or_parser, str):
        if task_or_parser in catalog.tasks:
            task = catalog.tasks.get(task_or_parser).obj
        else:
            task_or_parser = get_parser(task_or_parser, catalog=catalog)
    elif isinstance(task_or_parser, Task):
        task = task_or_parser
    elif not isinstance(task_or_parser, Parser):
        raise InputError(f"evaluate needs a task, a parser or a name, not {type(task_or_parser).__name__}")

    if task is not None:
        parser = get_parser(task.parser, catalog=catalog, **dict(task.parser_options))
        wanted: Mapping[str, tuple[str, Mapping[str, Any]]] = task.metrics
        if metrics is not None:
            names = list(metrics)
            unknown = [m for m in names if m not in wanted]
            if unknown:
                raise InputError(f"task {task.name!r} has no metric {unknown}; it defines {sorted(wanted)}")
            wanted = {m: wanted[m] for m in names}
    else:
        parser = task_or_parser  # type: ignore[assignment]
        if not metrics:
            raise InputError("evaluate with a parser needs metrics=[...] (or use a task, which names its metrics)")
        if isinstance(metrics, str):
            metrics = [metrics]
        wanted = {m: (m, {}) for m in metrics} if not isinstance(metrics, Mapping) else \
            {m: (m, dict(o)) for m, o in metrics.items()}
    built = {result: get_metric(name, catalog=catalog, **dict(options)) for result, (name, options) in wanted.items()}
    return task, parser, built


def parse_all(
    parser: Parser,
    predictions: Sequence[str],
    context: Mapping[str, Any] | Sequence[Mapping[str, Any]] | None,
    progress: Callable[[int], None] | None = None,
) -> list[Parsed]:
    """Parse every generation with its context; a caller mistake names the item."""
    if isinstance(predictions, (str, bytes)):
        raise InputError("predictions must be a sequence of generations, not one string")
    per_item = context is not None and not isinstance(context, Mapping)
    if per_item and len(context) != len(predictions):  # type: ignore[arg-type]
        raise InputError(f"context has {len(context)} items but there are {len(predictions)} predictions")  # type: ignore[arg-type]
    shared = context if isinstance(context, Mapping) else {}
    parsed: list[Parsed] = []
    for i, generation in enumerate(predictions):
        item_context = context[i] if per_item else shared  # type: ignore[index]
        if not isinstance(generation, str):
            raise InputError(f"prediction {i} is {type(generation).__name__} {generation!r:.60}, not a string")
        try:
            parsed.append(parser.parse(generation, **item_context))
        except InputError as exc:
            raise InputError(f"item {i}: {exc}") from None
        if progress is not None:
            progress(i + 1)
    return parsed


def run_evaluation(
    task_or_parser: str | Task | Parser,
    predictions: Sequence[str],
    references: Sequence[Any],
    *,
    metrics: Any,
    context: Mapping[str, Any] | Sequence[Mapping[str, Any]] | None,
    ci: bool | float,
    resamples: int,
    seed: int,
    catalog: Catalog,
    progress: Callable[[int], None] | None = None,
) -> Report:
    task, parser, built = resolve(task_or_parser, metrics, catalog)
    if len(predictions) != len(references):
        raise InputError(f"predictions has {len(predictions)} items but references has {len(references)}")
    parsed = parse_all(parser, predictions, context, progress)
    results: dict[str, MetricResult] = {}
    for result_name, metric in built.items():
        try:
            result = metric.compute(parsed, references, ci=ci, resamples=resamples, seed=seed)
        except InputError as exc:
            raise InputError(f"metric {result_name!r}: {exc}") from None
        results[result_name] = _with_parser(result, parser.signature)
    return Report(results=results, parsed=tuple(parsed), task=task.name if task else None, parser=parser.signature)


def _with_parser(result: MetricResult, parser_signature: str) -> MetricResult:
    """Pin the parser in the signature: the same metric on another parser is another number."""
    return replace(result, signature=f"{result.signature}|parser:{parser_signature}")
