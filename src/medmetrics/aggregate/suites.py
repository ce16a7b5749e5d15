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
from typing import Any

import numpy as np

from medmetrics._json import json_native
from medmetrics.aggregate.evaluation import run_evaluation
from medmetrics.catalog.suite import Suite
from medmetrics.catalog.task import Task
from medmetrics.errors import InputError, MissingDependencyError
from medmetrics.inputs.files import coerce
from medmetrics.inputs.run import TaskRun
from medmetrics.metrics.base import Metric, Stats, Table
from medmetrics.metrics.resampling import percentile_interval
from medmetrics.parsing.references import normalize_references
from medmetrics.plugins import Catalog
from medmetrics.results import (
    ConfidenceInterval,
    MetricResult,
    Parsed,
    Report,
    interval_columns,
    load_pandas,
    restore_nan,
    short_number,
    short_value,
)


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
    columns, unique, counts = stats.distinct()
    return metric.bootstrap(Table(columns, unique), counts, resamples, seed)


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

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> TaskScore:
        """The task score ``to_dict`` wrote. Its report holds the results only (no parsed items;
        the status counts are the headline result's), and the bootstrap ``samples`` are not kept."""
        headline = data.get("headline")
        results: dict[str, MetricResult] = {}
        if headline and data.get("result") is not None:
            results[headline] = MetricResult.from_dict(data["result"])
        results.update({name: MetricResult.from_dict(r) for name, r in (data.get("other_results") or {}).items()})
        report = None
        if results:
            first = results.get(headline or "")
            statuses = dict(first.statuses) if first is not None and first.statuses else None
            report = Report(results, task=data["task"], stored_statuses=statuses)
        compat = data.get("compat")
        return cls(data["task"], data.get("group", ""), data["status"], data.get("reason", ""), headline, report,
                   None if compat is None else MetricResult.from_dict(compat), source=data.get("source", ""))

    def __repr__(self) -> str:
        result = self.result
        where = f"<TaskScore {self.task}" + (f" ({self.group})" if self.group else "")
        if result is None:
            reason = f": {self.reason}" if self.reason else ""
            return f"{where}: {self.status}{reason if len(reason) <= 100 else reason[:99] + '...'}>"
        shown = short_value(self.headline or result.metric, result.value, result.ci)
        return f"{where}: {shown} n={result.n} failed={result.n_failed}>"


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

    @classmethod
    def from_dict(cls, data: Mapping[str, Any], *, suite: Suite | None = None) -> SuiteResult:
        """The suite result ``to_dict`` wrote (the tasks as ``TaskScore.from_dict`` reads them).

        The suite is rebuilt from the tasks' groups, name and averaging rule (its description and
        source are not written); pass ``suite`` to use the suite itself (its signature must match)."""
        tasks = tuple(TaskScore.from_dict(t) for t in data.get("tasks") or ())
        if suite is None:
            groups: dict[str, list[str]] = {}
            for score in tasks:
                groups.setdefault(score.group, []).append(score.task)
            suite = Suite(data["suite"], {g: tuple(members) for g, members in groups.items()},
                          data.get("average", "tasks"))
        profile = data.get("profile")
        signature = f"{suite.signature}|compat:{profile}" if profile else suite.signature
        if data.get("signature") not in (None, signature):
            raise InputError(f"the stored suite result is for {data.get('signature')}, not {signature}")
        ci = data.get("ci")
        return cls(suite, tasks, restore_nan(data.get("value")), restore_nan(dict(data.get("groups") or {})),
                   None if ci is None else ConfidenceInterval.from_dict(ci),
                   restore_nan(data.get("compat_value")) if profile else data.get("compat_value"), profile,
                   tuple(data.get("notes") or ()), data.get("model"))

    def __repr__(self) -> str:
        model = f" ({self.model})" if self.model else ""
        compat = f", {self.profile}={short_number(self.compat_value)}" if self.profile else ""
        average = short_value(f"average({self.suite.average})", self.value, self.ci)
        return (f"<SuiteResult {self.suite.name}{model}: {average} over {len(self.averaged)} of {len(self.tasks)} "
                f"tasks{compat}>")

    def to_frame(self, summary: bool = True) -> Any:
        """One row per suite task, as a pandas DataFrame: ``model``, ``kind`` (``task``), ``group``,
        ``task``, ``status``, ``reason``, ``metric`` (the headline), ``value``, ``ci_low``,
        ``ci_high``, ``ci_level``, ``n``, ``n_failed``, ``failure_rate``, ``compat_value`` (the
        profile's number, with ``--profile``), ``source``, ``signature``.

        With ``summary`` (the default) one row per group mean (``kind`` ``group``) and the suite
        average (``kind`` ``average``: its joint interval, ``compat_value`` and the suite's
        signature) follow, as in the printed table; ``frame[frame.kind == "task"]`` keeps the
        tasks. Needs pandas (``pip install 'medmetrics[pandas]'``)."""
        rows: list[dict[str, Any]] = []
        for score in self.tasks:
            result = score.result
            rows.append({
                "model": self.model, "kind": "task", "group": score.group, "task": score.task, "status": score.status,
                "reason": score.reason, "metric": score.headline, "value": None if result is None else result.value,
                **interval_columns(None if result is None else result.ci),
                "n": None if result is None else result.n, "n_failed": None if result is None else result.n_failed,
                "failure_rate": score.failure_rate,
                "compat_value": None if score.compat is None else score.compat.value, "source": score.source,
                "signature": None if result is None else result.signature,
            })
        if summary:
            empty = dict.fromkeys(rows[0] if rows else ())
            for group, value in self.groups.items():
                rows.append({**empty, "model": self.model, "kind": "group", "group": group, "metric": "mean",
                             "value": value})
            rows.append({**empty, "model": self.model, "kind": "average", "task": f"{self.suite.name} average",
                         "metric": f"{self.suite.average} ({len(self.averaged)} of {len(self.tasks)} tasks)",
                         "value": self.value, **interval_columns(self.ci), "compat_value": self.compat_value,
                         "signature": self.signature})
        return load_pandas().DataFrame(rows, columns=[
            "model", "kind", "group", "task", "status", "reason", "metric", "value", "ci_low", "ci_high", "ci_level",
            "n", "n_failed", "failure_rate", "compat_value", "source", "signature",
        ]).astype({"value": "float64", "ci_low": "float64", "ci_high": "float64", "ci_level": "float64", "n": "Int64",
                   "n_failed": "Int64", "failure_rate": "float64", "compat_value": "float64"})

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
    jobs: int | str | None = None,
) -> SuiteResult:
    """Score every task of ``suite`` found in ``runs`` (task name -> inputs); ``jobs``: processes
    that parse each task (as in ``evaluate``; the result does not depend on it)."""
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
                                     compat=compat, jobs=jobs))
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
    from medmetrics.plugins import get_parser

    parser = get_parser(task.parser, catalog=catalog, **dict(task.parser_options))
    if run.loglikelihood is not None:
        from medmetrics.aggregate.loglikelihood import loglikelihood_inputs

        return list(loglikelihood_inputs(task, parser, run)[1])
    return normalize_references(parser, coerce(list(run.references), task.reference_type), run.context)


def task_inputs(task: Task, run: TaskRun, *, catalog: Catalog) -> tuple[list[Parsed], list[Any]]:
    """What the task's metrics score for one run: the parses and the normalized references.

    Generations are parsed with the task's parser; a log-likelihood run gives its argmax answers
    (rule ``loglikelihood-argmax``). Code that compares runs reads them through this, so a
    log-likelihood run compares like a generated one.
    """
    from medmetrics.aggregate.evaluation import parse_all
    from medmetrics.plugins import get_parser

    parser = get_parser(task.parser, catalog=catalog, **dict(task.parser_options))
    if run.loglikelihood is not None:
        from medmetrics.aggregate.loglikelihood import loglikelihood_inputs

        return loglikelihood_inputs(task, parser, run)
    references = normalize_references(parser, coerce(list(run.references), task.reference_type), run.context)
    return parse_all(parser, run.generations, task.parser_context(run.context)), references


def score_task(task: Task, group: str, run: TaskRun, *, catalog: Catalog, ci: bool | float, resamples: int,
               seed: int, compat: CompatScorer | None = None, jobs: int | str | None = None) -> TaskScore:
    """One task's report, its headline resamples, and the compat result beside it (a paper's
    evaluator reads generations: a log-likelihood run has none, so no compat result)."""
    from medmetrics.plugins import get_metric, get_parser

    if run.loglikelihood is not None:
        from medmetrics.aggregate.loglikelihood import score_loglikelihood_task

        return score_loglikelihood_task(task, group, run, catalog=catalog, ci=ci, resamples=resamples, seed=seed)

    own_seed = task_seed(seed, task.name)
    where = f"task {task.name!r}" + (f" ({run.source})" if run.source else "")
    try:
        references = coerce(list(run.references), task.reference_type)  # normalized by run_evaluation
        report = run_evaluation(task, run.generations, references, metrics=None, context=run.context,
                                ci=ci, resamples=resamples, seed=own_seed, catalog=catalog, jobs=jobs)
    except InputError as exc:
        if exc.item is not None and run.places is not None and 0 <= exc.item < len(run.places):
            raise exc.located(f"task {task.name!r}: {run.places[exc.item]}") from None
        raise InputError(f"{where}: {exc}") from None
    headline = next(iter(task.metrics))
    samples = None
    if ci is not False:
        kept = report[headline]
        if kept.replicates is not None and kept.ci is not None and (kept.ci.resamples, kept.ci.seed) == (
                resamples, own_seed):
            samples = kept.replicates  # the resamples behind the task's own interval, not made again
        else:
            name, options = task.metrics[headline]
            metric = get_metric(name, catalog=catalog, **dict(options))
            if kept.stats is not None:
                stats = kept.stats
            else:  # a result made without its statistics (a metric overriding ``result``)
                parser = get_parser(task.parser, catalog=catalog, **dict(task.parser_options))
                stats = metric.stats(report.parsed, normalize_references(parser, references, run.context))
            samples = resample_values(metric, stats, resamples, own_seed)
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
