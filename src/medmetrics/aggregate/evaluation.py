"""``evaluate``: parse every generation, then score the parses with each metric."""

from __future__ import annotations

import warnings
from collections.abc import Callable, Mapping, Sequence
from dataclasses import replace
from typing import TYPE_CHECKING, Any

from medmetrics.aggregate.parallel import Scoring, parse_in_workers, parse_span
from medmetrics.catalog.task import Task
from medmetrics.errors import InputError, ParserErrorWarning, PluginError
from medmetrics.parsing.base import Parser
from medmetrics.parsing.references import check_reference_format, normalize_references
from medmetrics.plugins import Catalog
from medmetrics.results import MetricResult, Parsed, Report
from medmetrics.signatures import with_parser

if TYPE_CHECKING:
    from medmetrics.metrics.base import Metric
    from medmetrics.metrics.statistics import Stats


def resolve(
    task_or_parser: str | Task | Parser, metrics: Any, catalog: Catalog
) -> tuple[Task | None, Parser, dict[str, Any]]:
    """The task (if any), the parser, and result name -> metric object."""
    from medmetrics.plugins import get_metric, get_parser

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
    *,
    strict: bool | None = None,
    jobs: int | str | None = None,
) -> list[Parsed]:
    """Parse every generation with its context; a caller mistake names the item.

    ``jobs``: how many processes parse (an int, ``"auto"``, or ``None`` for ``MEDMETRICS_JOBS``,
    else ``auto``: more than one only for large runs); the parses are the same whatever it is
    (``medmetrics.aggregate.parallel``).

    Generations on which the parser raised (failed parses with ``rule="internal-error"``) are
    reported once for the call: a ``ParserErrorWarning`` naming the parser, its distribution, the
    count and the first error, or, in strict mode (``strict``, default ``MEDMETRICS_STRICT_PLUGINS``),
    a ``PluginError`` when the parser does not come with medmetrics.
    """
    return _parse(parser, predictions, context, progress, strict=strict, jobs=jobs)[0]


def _parse(
    parser: Parser,
    predictions: Sequence[str],
    context: Mapping[str, Any] | Sequence[Mapping[str, Any]] | None,
    progress: Callable[[int], None] | None = None,
    *,
    strict: bool | None = None,
    jobs: int | str | None = None,
    scoring: Scoring | None = None,
    idle: Callable[[], None] | None = None,
) -> tuple[list[Parsed], dict[str, Stats]]:
    """``parse_all``, and with ``scoring`` the item statistics that workers computed while they
    parsed (by result name; the caller computes the others, ``item_statistics``)."""
    if isinstance(predictions, (str, bytes)):
        raise InputError("predictions must be a sequence of generations, not one string")
    per_item = context is not None and not isinstance(context, Mapping)
    if per_item and len(context) != len(predictions):  # type: ignore[arg-type]
        raise InputError(f"context has {len(context)} items but there are {len(predictions)} predictions")  # type: ignore[arg-type]
    shared = context if isinstance(context, Mapping) else {}
    errors_before = parser.internal_errors
    done = None
    if jobs != 1:  # in worker processes when asked for, or worth it; None: parse here
        done = parse_in_workers(parser, predictions, context, jobs=jobs, progress=progress, scoring=scoring,
                                idle=idle)
    parsed, stats = done if done is not None else (
        parse_span(parser, predictions, context if per_item else None, shared, 0, progress), {})  # type: ignore[arg-type]
    if parser.internal_errors != errors_before:
        note = parser_error_note(parser, parsed)
        if note is not None:
            from medmetrics.plugins import ENV_STRICT, _env_flag

            strict = _env_flag(ENV_STRICT) if strict is None else strict
            if strict and not _builtin(parser):
                raise PluginError(note + " (MEDMETRICS_STRICT_PLUGINS is set, so the run stops)")
            warnings.warn(note, ParserErrorWarning, stacklevel=3)
    return parsed, stats


def _builtin(parser: Parser) -> bool:
    return getattr(parser, "provenance", None) is None and type(parser).__module__.split(".")[0] == "medmetrics"


def parser_origin(parser: Parser) -> str:
    """Where a parser comes from, for messages: its distribution, or medmetrics, or its module."""
    provenance = getattr(parser, "provenance", None)
    if provenance is not None:
        return f"distribution {provenance}"
    if _builtin(parser):
        from medmetrics._version import __version__

        return f"medmetrics=={__version__}, a bug in medmetrics"
    return f"module {type(parser).__module__}, not from a plugin"


def parser_error_note(parser: Parser, parsed: Sequence[Parsed]) -> str | None:
    """One sentence on the generations ``parser`` raised on (``None`` if none): the parser, its
    distribution, how many, and the first error with its item. Only called when the parser's
    ``internal_errors`` counter moved, so a clean run never scans its parses."""
    hits = [i for i, p in enumerate(parsed) if p.rule == "internal-error" and p.status == "failed"]
    if not hits:
        return None
    return parser_error_text(parser, len(hits), len(parsed), hits[0], parsed[hits[0]].reason)


def parser_error_text(parser: Parser, count: int, total: int, first: int, reason: str) -> str:
    """The note of ``parser_error_note``: ``count`` of ``total`` generations, the first at item
    ``first`` with its parse's ``reason`` (also made for a run scored in chunks, ``medmetrics.aggregate.streaming``)."""
    first_error = reason.removeprefix("parser error ")
    # begins as results.PARSER_NOTE says: Report.merge keeps a shard's note by its beginning
    return (f"parser {parser.name!r} ({parser_origin(parser)}) raised on {count} of {total} generations, "
            f"which are scored as failed parses (rule 'internal-error'); first error, item {first}: {first_error:.300}")


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
    reference_format: str = "label",
    index_base: int | None = None,
    jobs: int | str | None = None,
    idle: Callable[[], None] | None = None,
) -> Report:
    """Parse and score one run (what ``evaluate`` does). ``idle``: called once while worker
    processes parse, if they do (``parallel.parse_in_workers``)."""
    task, parser, built = resolve(task_or_parser, metrics, catalog)
    if len(predictions) != len(references):
        raise InputError(f"predictions has {len(predictions)} items but references has {len(references)}")
    if task is not None:
        context = task.parser_context(context)
    errors_before = parser.internal_errors
    parsed, stats = _parse(parser, predictions, context, progress, strict=catalog.strict, jobs=jobs,
                           scoring=Scoring(built, references, reference_format, index_base), idle=idle)
    # generations the parser raised on: warned about once by parse_all, and recorded in every result
    note = parser_error_note(parser, parsed) if parser.internal_errors != errors_before else None
    if len(stats) < len(built):  # the metrics no worker computed
        stats.update(item_statistics(parser, {k: m for k, m in built.items() if k not in stats}, parsed, references,
                                     context, reference_format=reference_format, index_base=index_base))
    results: dict[str, MetricResult] = {}
    for result_name, metric in built.items():
        try:
            result = metric.result(stats[result_name], ci=ci, resamples=resamples, seed=seed)
        except InputError as exc:
            raise InputError(f"metric {result_name!r}: {exc}", item=exc.item) from None
        if note is not None:
            result = replace(result, notes=(*result.notes, note))
        results[result_name] = _with_parser(result, parser.signature)
    return Report(results=results, parsed=tuple(parsed), task=task.name if task else None, parser=parser.signature)


def item_statistics(
    parser: Parser,
    metrics: Mapping[str, Metric],
    parsed: Sequence[Parsed],
    references: Sequence[Any],
    context: Mapping[str, Any] | Sequence[Mapping[str, Any]] | None,
    *,
    reference_format: str = "label",
    index_base: int | None = None,
) -> dict[str, Stats]:
    """Each metric's per-item statistics of these parses, by result name: the references read as
    the parser reads answers (``normalize_references``), then ``Metric.stats``. An item's
    statistics depend on it alone, so ``--jobs`` workers run this on their chunks and the merged
    chunks equal one call on all items (``medmetrics.aggregate.parallel``)."""
    references = normalize_references(parser, references, context, reference_format=reference_format,
                                      index_base=index_base)
    out: dict[str, Stats] = {}
    for result_name, metric in metrics.items():
        try:
            out[result_name] = metric.stats(parsed, references)
        except InputError as exc:
            raise InputError(f"metric {result_name!r}: {exc}", item=exc.item) from None
    return out


def _with_parser(result: MetricResult, parser_signature: str) -> MetricResult:
    """Pin the parser in the signature: the same metric on another parser is another number."""
    return replace(result, signature=with_parser(result.signature, parser_signature))


# ----------------------------------------------------------------------------------------------
# References: one normalization step per task, where the parser's context is known
# ----------------------------------------------------------------------------------------------

def compare_inputs(
    metric: Any,
    predictions_a: Sequence[Any],
    predictions_b: Sequence[Any],
    references: Sequence[Any],
    *,
    task: Any,
    parser: Any,
    context: Mapping[str, Any] | Sequence[Mapping[str, Any]] | None,
    reference_format: str,
    index_base: int | None,
    catalog: Catalog,
) -> tuple[Metric, Sequence[Any], Sequence[Any], Sequence[Any]]:
    """The metric object, both systems' predictions (parsed when they are generations and a
    parser is known) and the references, normalized as ``evaluate`` normalizes them."""
    from medmetrics.metrics.base import Metric
    from medmetrics.plugins import get_metric, get_parser

    if task is not None and parser is not None:
        raise InputError("compare takes task= or parser=, not both (a task names its parser)")
    if task is not None and not isinstance(task, (str, Task)):
        raise InputError(f"task= must be a task name or a Task, not {type(task).__name__}")
    the_task: Task | None = catalog.tasks.get(task).obj if isinstance(task, str) else task
    if isinstance(metric, Task) or (isinstance(metric, str) and metric not in catalog.metrics
                                    and metric in catalog.tasks):
        if the_task is not None:
            raise InputError(f"compare got task {metric!r} as the metric and task= too; name a metric of the task")
        the_task = metric if isinstance(metric, Task) else catalog.tasks.get(metric).obj
        metric = next(iter(the_task.metrics))
    the_parser: Parser | None = None
    if the_task is not None:
        the_parser = get_parser(the_task.parser, catalog=catalog, **dict(the_task.parser_options))
        context = the_task.parser_context(context)
        if isinstance(metric, str) and metric in the_task.metrics:
            name, options = the_task.metrics[metric]
            metric = get_metric(name, catalog=catalog, **dict(options))
    elif parser is not None:
        the_parser = get_parser(parser, catalog=catalog) if isinstance(parser, str) else parser
        if not isinstance(the_parser, Parser):
            raise InputError(f"parser= must be a parser name or a Parser, not {type(parser).__name__}")
    if isinstance(metric, str):
        metric = get_metric(metric, catalog=catalog)
    elif not isinstance(metric, Metric):
        raise InputError(f"compare needs a metric (a name or a Metric) or a task, not {type(metric).__name__}")
    if the_parser is None:
        check_reference_format(reference_format, index_base)
        if reference_format != "label":
            raise InputError("reference_format='index' needs task= or parser= (the options say which letter an "
                             "index is)")
        if context is not None:
            raise InputError("context= is for parsing generations; pass task= or parser= too")
        for side, predictions in (("A", predictions_a), ("B", predictions_b)):
            _reject_raw_generations(metric, predictions, references, side)
        return metric, predictions_a, predictions_b, references
    for side, predictions in (("A", predictions_a), ("B", predictions_b)):
        if len(predictions) != len(references):
            raise InputError(f"system {side} has {len(predictions)} predictions but references has "
                             f"{len(references)}")
    parsed = []
    for side, predictions in (("A", predictions_a), ("B", predictions_b)):
        if isinstance(predictions, (str, bytes)) or not any(isinstance(p, str) for p in predictions):
            parsed.append(predictions)  # Parsed objects or plain values: read already
            continue
        try:
            parsed.append(parse_all(the_parser, predictions, context))
        except InputError as exc:
            raise InputError(f"system {side}: {exc}") from None
    references = normalize_references(the_parser, references, context, reference_format=reference_format,
                                      index_base=index_base)
    return metric, parsed[0], parsed[1], references


def _reject_raw_generations(metric: Any, predictions: Sequence[Any], references: Sequence[Any], side: str) -> None:
    """A classification metric given strings that are no value of the references and read like
    prose (white space, or long): raw generations, which would count as wrong answers."""
    from medmetrics.metrics.classification import F1, Accuracy, label_key

    if not isinstance(metric, (Accuracy, F1)) or isinstance(predictions, (str, bytes)):
        return
    strings = [(i, p) for i, p in enumerate(predictions) if isinstance(p, str)]
    if not strings:
        return
    known: set[str] = set()
    for reference in references:
        values = reference if isinstance(reference, (list, tuple, set, frozenset)) else (reference,)
        known.update(label_key(v) for v in values if isinstance(v, (str, int, float)))
    for option in ("labels", "exclude"):
        known.update(metric.options.get(option) or ())
    for i, prediction in strings:
        if label_key(prediction) not in known and (len(prediction.split()) > 1 or len(prediction) > 40):
            raise InputError(
                f"system {side} prediction {i} is {prediction!r:.60}, which is no value of the references: it "
                f"reads like a raw generation, which {metric.name!r} would compare as it is. Pass task= (or "
                "parser=) to parse generations, or parsed values (evaluate(...).parsed, parser.parse(...))")
