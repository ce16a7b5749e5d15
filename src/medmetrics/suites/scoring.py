"""Scoring a whole run against a suite: every task, the group means, the suite average, with CIs.

The suite's interval is a joint bootstrap: each task's items are resampled on their own (the
datasets are independent samples), resample ``b`` of every task is averaged by the suite's rule,
and the percentile interval of those averages is the suite's. Each task's seed is derived from
the run's seed and the task's name, so a task's interval does not depend on which other tasks
were scored; the seed is recorded in the task's interval.

A suite task that is not in the run is ``missing``; one that cannot be scored (no task defines
it yet, its parser or metric is not registered, or a metric's optional dependency such as WordNet
is not installed) is ``unavailable`` with the reason, which says what to install. Either way it is
listed, and the average says over how many of the suite's tasks it was taken.
"""

from __future__ import annotations

import zlib
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from typing import TYPE_CHECKING, Any

import numpy as np

from medmetrics._json import json_native
from medmetrics.errors import InputError, MissingDependencyError
from medmetrics.evaluation import normalize_references, run_evaluation
from medmetrics.io import coerce
from medmetrics.metrics.base import Metric, Stats, Table
from medmetrics.plugins import Catalog
from medmetrics.results import ConfidenceInterval, MetricResult, Parsed, Report
from medmetrics.stats.resampling import collapse, percentile_interval
from medmetrics.suites.suite import Suite
from medmetrics.tasks import Task

if TYPE_CHECKING:
    from medmetrics.adapters.loglikelihood import LoglikelihoodItems


@dataclass(frozen=True)
class TaskRun:
    """One task's inputs from a run: generations, references, and per-item (or shared) context.

    A log-likelihood run (lm-eval ``multiple_choice`` samples) has ``loglikelihood`` instead of
    text: its ``generations`` cannot be read (an ``InputError`` says why), its references are the
    gold choices' indices, and it is scored from the log-likelihoods.
    """

    task: str
    generations: Sequence[str]
    references: Sequence[Any]
    context: Mapping[str, Any] | Sequence[Mapping[str, Any]] | None = None
    source: str = ""
    loglikelihood: LoglikelihoodItems | None = field(default=None, repr=False, compare=False)
    #: where each item was read (``PATH:LINE: record N``), for errors about one item
    places: Sequence[str] | None = field(default=None, repr=False, compare=False)


def resolve_task(name: str, catalog: Catalog) -> Task | str:
    """The task to score for suite member ``name``, or why it cannot be scored (no such task, or a
    plugin's task whose parser or metric is not installed)."""
    if name not in catalog.tasks:
        return f"no task {name!r} is registered"
    task: Task = catalog.tasks.get(name).obj
    if task.parser not in catalog.parsers:
        return f"needs parser {task.parser}"
    for metric, _ in task.metrics.values():
        if metric not in catalog.metrics:
            return f"needs metric {metric}"
    return task


def task_seed(seed: int, task: str) -> int:
    """A per-task bootstrap seed: independent across tasks, stable for a given task name."""
    return (seed + zlib.crc32(task.encode("utf-8"))) % (2**31)


def resample_values(metric: Metric, stats: Stats, resamples: int, seed: int) -> np.ndarray:
    """The metric's primary value on each bootstrap resample (the stream ``result`` uses)."""
    canonical = stats.canonical()
    unique, counts = collapse(canonical.rows)
    return metric.bootstrap(Table(canonical.columns, unique), counts, resamples, seed)


@dataclass(frozen=True)
class TaskScore:
    """One suite member: its headline result (with the full report), or why there is none."""

    task: str
    group: str
    status: str  # "scored", "missing" or "unavailable"
    reason: str = ""
    headline: str | None = None
    report: Report | None = None
    compat: MetricResult | None = None
    samples: np.ndarray | None = field(default=None, repr=False, compare=False)
    #: where the task's inputs were read (for a harness's output: the file, whose name dates the run)
    source: str = ""

    @property
    def result(self) -> MetricResult | None:
        return self.report[self.headline] if self.report is not None and self.headline else None

    @property
    def failure_rate(self) -> float | None:
        result = self.result
        return None if result is None else result.n_failed / result.n

    def to_dict(self) -> dict[str, Any]:
        result = self.result
        return json_native({
            "task": self.task, "group": self.group, "status": self.status, "reason": self.reason,
            "source": self.source, "headline": self.headline, "result": None if result is None else result.to_dict(),
            "parse_failure_rate": self.failure_rate,
            "other_results": {} if self.report is None else
            {k: r.to_dict() for k, r in self.report.items() if k != self.headline},
            "compat": None if self.compat is None else self.compat.to_dict(),
        })


@dataclass(frozen=True)
class SuiteResult:
    """A suite scored on one run. ``value`` averages the scored tasks by the suite's rule."""

    suite: Suite
    tasks: tuple[TaskScore, ...]
    value: float
    groups: Mapping[str, float]
    ci: ConfidenceInterval | None = None
    compat_value: float | None = None
    profile: str | None = None
    notes: tuple[str, ...] = ()
    model: str | None = None

    @property
    def averaged(self) -> list[str]:
        return [t.task for t in self.tasks if t.status == "scored" and t.result and t.result.higher_is_better]

    @property
    def complete(self) -> bool:
        return len(self.averaged) == len(self.tasks)

    @property
    def signature(self) -> str:
        sig = self.suite.signature
        return f"{sig}|compat:{self.profile}" if self.profile else sig

    def to_dict(self) -> dict[str, Any]:
        return json_native({
            "suite": self.suite.name, "model": self.model, "signature": self.signature, "average": self.suite.average,
            "value": self.value, "ci": None if self.ci is None else self.ci.to_dict(),
            "complete": self.complete, "averaged_tasks": len(self.averaged), "suite_tasks": len(self.tasks),
            "groups": dict(self.groups), "profile": self.profile, "compat_value": self.compat_value,
            "notes": list(self.notes), "tasks": [t.to_dict() for t in self.tasks],
        })

    def to_html(self, runs: Mapping[str, Any] | None = None, *, path: str | None = None,
                title: str | None = None) -> str:
        """One self-contained HTML page of this suite result (``docs/report.md``); ``runs`` (task ->
        ``TaskRun``) adds the per-item drill-down; written to ``path`` if given."""
        from medmetrics.report import suite_to_html

        return suite_to_html(self, runs, path=path, title=title)


def suite_average(suite: Suite, values: Mapping[str, np.ndarray]) -> tuple[np.ndarray, dict[str, np.ndarray]]:
    """The suite's average of per-task value arrays (one entry per resample), and each group's mean."""
    groups = {g: np.mean([values[t] for t in members if t in values], axis=0)
              for g, members in suite.groups.items() if any(t in values for t in members)}
    if not groups:
        return np.array([np.nan]), {}
    if suite.average == "groups":
        return np.mean(list(groups.values()), axis=0), groups
    return np.mean(list(values.values()), axis=0), groups


#: a compat profile's scoring of one task (``None`` when the profile does not define the task)
CompatScorer = Callable[[Task, TaskRun], "MetricResult | None"]


def score_suite(
    suite: Suite,
    runs: Mapping[str, TaskRun],
    *,
    catalog: Catalog,
    ci: bool | float = True,
    resamples: int = 1000,
    seed: int = 12345,
    compat: CompatScorer | None = None,
    profile: str | None = None,
) -> SuiteResult:
    """Score every task of ``suite`` found in ``runs`` (task name -> inputs)."""
    scores: list[TaskScore] = []
    for name in suite.tasks:
        group = suite.group_of(name)
        task = resolve_task(name, catalog)
        if isinstance(task, str):
            scores.append(TaskScore(name, group, "unavailable", reason=task))
            continue
        run = runs.get(name)
        if run is None:
            scores.append(TaskScore(name, group, "missing", reason="not in the run"))
            continue
        try:
            scores.append(score_task(task, group, run, catalog=catalog, ci=ci, resamples=resamples, seed=seed,
                                     compat=compat))
        except MissingDependencyError as exc:  # one task's extra must not sink the whole table
            scores.append(TaskScore(name, group, "unavailable", reason=str(exc)))
    result = summarize(suite, scores, ci=ci, profile=profile)
    stray = sorted(set(runs) - set(suite.tasks))
    if stray:  # reported, never silently dropped
        note = (f"not scored: the run has tasks that suite {suite.name!r} does not list: {', '.join(stray)} "
                "(rename them with --task-map)")
        result = replace(result, notes=(*result.notes, note))
    return result


def task_references(task: Task, run: TaskRun, *, catalog: Catalog) -> list[Any]:
    """The run's references as the task scored them (normalized: option letters, declared labels;
    a log-likelihood run's gold answers)."""
    from medmetrics.api import get_parser

    parser = get_parser(task.parser, catalog=catalog, **dict(task.parser_options))
    if run.loglikelihood is not None:
        from medmetrics.adapters.loglikelihood import loglikelihood_inputs

        return list(loglikelihood_inputs(task, parser, run)[1])
    return normalize_references(parser, coerce(list(run.references), task.reference_type), run.context)


def task_inputs(task: Task, run: TaskRun, *, catalog: Catalog) -> tuple[list[Parsed], list[Any]]:
    """What the task's metrics score for one run: the parses and the normalized references.

    Generations are parsed with the task's parser; a log-likelihood run gives its argmax answers
    (rule ``loglikelihood-argmax``). Code that compares runs reads them through this, so a
    log-likelihood run compares like a generated one.
    """
    from medmetrics.api import get_parser
    from medmetrics.evaluation import parse_all

    parser = get_parser(task.parser, catalog=catalog, **dict(task.parser_options))
    if run.loglikelihood is not None:
        from medmetrics.adapters.loglikelihood import loglikelihood_inputs

        return loglikelihood_inputs(task, parser, run)
    references = normalize_references(parser, coerce(list(run.references), task.reference_type), run.context)
    return parse_all(parser, run.generations, run.context), references


def score_task(task: Task, group: str, run: TaskRun, *, catalog: Catalog, ci: bool | float, resamples: int,
               seed: int, compat: CompatScorer | None = None) -> TaskScore:
    """One task's report, its headline resamples, and the compat result beside it (a paper's
    evaluator reads generations: a log-likelihood run has none, so no compat result)."""
    from medmetrics.api import get_metric, get_parser

    if run.loglikelihood is not None:
        from medmetrics.adapters.loglikelihood import score_loglikelihood_task

        return score_loglikelihood_task(task, group, run, catalog=catalog, ci=ci, resamples=resamples, seed=seed)

    own_seed = task_seed(seed, task.name)
    where = f"task {task.name!r}" + (f" ({run.source})" if run.source else "")
    try:
        references = coerce(list(run.references), task.reference_type)
        # normalized once here, so the headline resamples below see what the report scored
        references = normalize_references(get_parser(task.parser, catalog=catalog, **dict(task.parser_options)),
                                          references, run.context)
        report = run_evaluation(task, run.generations, references, metrics=None, context=run.context,
                                ci=ci, resamples=resamples, seed=own_seed, catalog=catalog)
    except InputError as exc:
        if exc.item is not None and run.places is not None and 0 <= exc.item < len(run.places):
            raise exc.located(f"task {task.name!r}: {run.places[exc.item]}") from None
        raise InputError(f"{where}: {exc}") from None
    headline = next(iter(task.metrics))
    samples = None
    if ci is not False:
        name, options = task.metrics[headline]
        metric = get_metric(name, catalog=catalog, **dict(options))
        samples = resample_values(metric, metric.stats(report.parsed, references), resamples, own_seed)
    compat_result = compat(task, run) if compat is not None else None
    return TaskScore(task.name, group, "scored", headline=headline, report=report, compat=compat_result,
                     samples=samples, source=run.source)


def summarize(suite: Suite, scores: Sequence[TaskScore], *, ci: bool | float, profile: str | None) -> SuiteResult:
    """Average the scored tasks (and their resamples) by the suite's rule."""
    averaged = [s for s in scores if s.status == "scored" and s.result is not None and s.result.higher_is_better]
    point = {s.task: np.array([s.result.value]) for s in averaged if s.result is not None}
    value, groups = suite_average(suite, point)
    notes: list[str] = []
    left_out = [s.task for s in scores if s not in averaged]
    if left_out:
        notes.append(f"average over {len(averaged)} of {len(scores)} tasks; not in it: {', '.join(left_out)}")
    interval = None
    if ci is not False and averaged:
        level = 0.95 if ci is True else float(ci)
        per_task = {s.task: s.samples for s in averaged if s.samples is not None}
        joint, _ = suite_average(suite, per_task)
        low, high, undefined = percentile_interval(joint, level)
        first = averaged[0].result
        resamples = first.ci.resamples if first is not None and first.ci is not None else None
        interval = ConfidenceInterval(low, high, level, "joint-bootstrap-percentile", resamples, None)
        if undefined:
            notes.append(f"{undefined} joint resamples were undefined and are left out of the interval")
    compat_value = None
    if profile is not None and averaged:  # the profile's number where it defines one, the default elsewhere
        as_published = {s.task: np.array([s.compat.value if s.compat is not None else s.result.value])
                        for s in averaged if s.result is not None}
        compat_value = float(suite_average(suite, as_published)[0][0])
    return SuiteResult(suite, tuple(scores), float(value[0]), {g: float(v[0]) for g, v in groups.items()},
                       interval, compat_value, profile, tuple(notes))
