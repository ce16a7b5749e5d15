"""The public, stable entry points. Each resolves names through the plugin catalog."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import TYPE_CHECKING, Any

from medmetrics.plugins import Catalog, PluginInfo, default_catalog, get_metric, get_parser, get_suite, get_task

if TYPE_CHECKING:
    from medmetrics.catalog.task import Task
    from medmetrics.metrics.base import Metric
    from medmetrics.parsing.base import Parser
    from medmetrics.results import Comparison, Report

# the builders by name live with the catalog (every stage looks names up there); here they are public
__all__ = ["compare", "evaluate", "get_metric", "get_parser", "get_suite", "get_task", "list_metrics",
           "list_parsers", "list_plugins", "list_suites", "list_tasks"]


def list_suites(*, catalog: Catalog | None = None) -> list[str]:
    return (catalog or default_catalog()).suites.names()


def list_parsers(*, catalog: Catalog | None = None) -> list[str]:
    return (catalog or default_catalog()).parsers.names()


def list_metrics(*, catalog: Catalog | None = None) -> list[str]:
    return (catalog or default_catalog()).metrics.names()


def list_tasks(*, catalog: Catalog | None = None) -> list[str]:
    return (catalog or default_catalog()).tasks.names()


def list_plugins(*, catalog: Catalog | None = None) -> list[PluginInfo]:
    """Every plugin seen, with its distribution and whether it loaded (and why not)."""
    return list((catalog or default_catalog()).plugins)


def evaluate(
    task_or_parser: str | Task | Parser,
    predictions: Sequence[str],
    references: Sequence[Any],
    *,
    metrics: Sequence[str] | Mapping[str, Mapping[str, Any]] | None = None,
    context: Mapping[str, Any] | Sequence[Mapping[str, Any]] | None = None,
    ci: bool | float = False,
    resamples: int = 1000,
    seed: int = 12345,
    catalog: Catalog | None = None,
    reference_format: str = "label",
    index_base: int | None = None,
    jobs: int | str | None = None,
) -> Report:
    """Parse every generation, score the parses, and return a ``Report``.

    ``task_or_parser`` is a ``Task``, a ``Parser``, or a name: a registered task name first,
    else a parser name. With a parser, ``metrics`` names the metrics (a list of names, or a
    mapping of name -> options). ``context`` is one mapping for every item or one per item
    (option texts, label set, score range). ``ci=True`` adds 95% bootstrap intervals
    (``ci=0.9`` for another level) with ``resamples`` and ``seed``.

    References of a multiple-choice task are option letters (any case) or an option's exact
    text; with ``reference_format="index"`` they are option positions, and ``index_base`` (0 or
    1) must say where counting starts. References of a label task are its labels (case, spacing
    and punctuation ignored). Anything else is an ``InputError`` naming the item.

    ``jobs`` is how many processes parse: an int, ``"auto"``, or ``None`` for the
    ``MEDMETRICS_JOBS`` environment variable, else ``auto`` (one process below 20,000 items, the
    available cores above when parsing is slow enough to gain from them). The report is the same
    whatever it is (``medmetrics.aggregate.parallel``).
    """
    from medmetrics.aggregate.evaluation import run_evaluation

    return run_evaluation(task_or_parser, predictions, references, metrics=metrics, context=context,
                          ci=ci, resamples=resamples, seed=seed, catalog=catalog or default_catalog(),
                          reference_format=reference_format, index_base=index_base, jobs=jobs)


def compare(
    metric: str | Metric | Task,
    predictions_a: Sequence[Any],
    predictions_b: Sequence[Any],
    references: Sequence[Any],
    *,
    method: str = "paired_bootstrap",
    resamples: int = 1000,
    seed: int = 12345,
    level: float = 0.95,
    catalog: Catalog | None = None,
    task: str | Task | None = None,
    parser: str | Parser | None = None,
    context: Mapping[str, Any] | Sequence[Mapping[str, Any]] | None = None,
    reference_format: str = "label",
    index_base: int | None = None,
) -> Comparison:
    """Paired significance of system A against system B on the same references.

    ``method``: ``paired_bootstrap`` (with a CI of the difference), ``approximate_randomization``,
    or ``mcnemar`` (exact, for accuracy). ``metric`` is a metric (name or object) or a task name,
    which compares the task's headline metric.

    Predictions are ``Parsed`` objects, plain values, or raw generations. Raw generations are
    parsed with the task's parser (``metric`` a task, or ``task=``) or with ``parser=`` (a name
    or object), with ``context`` as in ``evaluate``; with a task, ``metric`` may name one of its
    results (``f1_macro``). References are normalized as ``evaluate`` does
    (``reference_format``, ``index_base``). Strings that are not values of the references given
    to a classification metric without a parser are an ``InputError``: raw generations would be
    compared as they are.
    """
    from medmetrics.aggregate.evaluation import compare_inputs
    from medmetrics.aggregate.significance import compare_systems

    catalog = catalog or default_catalog()
    built, predictions_a, predictions_b, references = compare_inputs(
        metric, predictions_a, predictions_b, references, task=task, parser=parser, context=context,
        reference_format=reference_format, index_base=index_base, catalog=catalog)
    return compare_systems(built, predictions_a, predictions_b, references, method=method,
                           resamples=resamples, seed=seed, level=level)
