"""Comparing two runs on a suite: a paired test per task and one for the suite average.

Per task, the headline metric of both runs is compared on the same items with the chosen
method (``medmetrics.compare``). For the suite average, each task's items are resampled as in
the paired bootstrap (the same items for both runs, with the task's own seed), the per-task
differences are averaged by the suite's rule, and the p-value and interval come from those
averaged differences. Both runs must hold the same references for a task, item for item.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

import numpy as np

from medmetrics._json import json_native
from medmetrics.errors import InputError
from medmetrics.evaluation import resolve
from medmetrics.plugins import Catalog
from medmetrics.results import Comparison, ConfidenceInterval
from medmetrics.stats.resampling import percentile_interval
from medmetrics.stats.significance import bootstrap_p_value, compare_systems, paired_tables
from medmetrics.suites.scoring import TaskRun, resolve_task, suite_average, task_inputs, task_seed
from medmetrics.suites.suite import Suite


@dataclass(frozen=True)
class SuiteComparison:
    """Run A against run B: per task a ``Comparison`` or why there is none, and the average."""

    suite: Suite
    tasks: Mapping[str, Comparison | str]
    value_a: float
    value_b: float
    difference: float
    p_value: float
    ci: ConfidenceInterval | None
    method: str
    notes: tuple[str, ...] = ()

    def to_dict(self) -> dict[str, Any]:
        return json_native({
            "suite": self.suite.name, "signature": self.suite.signature, "method": self.method,
            "value_a": self.value_a, "value_b": self.value_b, "difference": self.difference,
            "p_value": self.p_value, "ci": None if self.ci is None else self.ci.to_dict(), "notes": list(self.notes),
            "tasks": {t: c if isinstance(c, str) else c.to_dict() for t, c in self.tasks.items()},
        })


def compare_task(name: str, run_a: TaskRun, run_b: TaskRun, *, catalog: Catalog, method: str, resamples: int,
                 seed: int, level: float) -> tuple[Comparison, np.ndarray | None]:
    """The paired comparison of one task's headline metric, and its bootstrap differences."""
    task = resolve_task(name, catalog)
    if isinstance(task, str):
        raise InputError(f"task {name!r} cannot be compared: {task}")
    headline = next(iter(task.metrics))
    metric = resolve(task, [headline], catalog)[2][headline]
    # read as scoring reads them: parsed generations, or a log-likelihood run's answers
    parsed_a, references = task_inputs(task, run_a, catalog=catalog)
    parsed_b, references_b = task_inputs(task, run_b, catalog=catalog)
    if references != references_b:
        raise InputError(f"task {name!r}: the two runs have different references ({run_a.source} and "
                         f"{run_b.source}); a paired test needs the same items in the same order")
    own_seed = task_seed(seed, name)
    comparison = compare_systems(metric, parsed_a, parsed_b, references, method=method, resamples=resamples,
                                 seed=own_seed, level=level)
    deltas = None
    if method == "paired_bootstrap":
        deltas = paired_tables(metric, parsed_a, parsed_b, references).bootstrap_deltas(metric, resamples, own_seed)
    return comparison, deltas


def compare_suite(suite: Suite, runs_a: Mapping[str, TaskRun], runs_b: Mapping[str, TaskRun], *,
                  catalog: Catalog, method: str = "paired_bootstrap", resamples: int = 1000, seed: int = 12345,
                  level: float = 0.95) -> SuiteComparison:
    tasks: dict[str, Comparison | str] = {}
    deltas: dict[str, np.ndarray] = {}
    for name in suite.tasks:
        reason = resolve_task(name, catalog)
        if isinstance(reason, str):
            tasks[name] = f"unavailable: {reason}"
        elif name not in runs_a or name not in runs_b:
            tasks[name] = "missing in " + " and ".join(r for r, runs in (("A", runs_a), ("B", runs_b))
                                                      if name not in runs)
        else:
            tasks[name], task_deltas = compare_task(name, runs_a[name], runs_b[name], catalog=catalog, method=method,
                                                    resamples=resamples, seed=seed, level=level)
            if task_deltas is not None:
                deltas[name] = task_deltas
    compared = {t: c for t, c in tasks.items() if isinstance(c, Comparison)}
    notes = []
    if len(compared) < len(tasks):
        notes.append(f"average over the {len(compared)} of {len(tasks)} tasks both runs have")
    value_a = float(suite_average(suite, {t: np.array([c.value_a]) for t, c in compared.items()})[0][0])
    value_b = float(suite_average(suite, {t: np.array([c.value_b]) for t, c in compared.items()})[0][0])
    difference = value_a - value_b
    p_value, interval = float("nan"), None
    if deltas and len(deltas) == len(compared):
        joint = suite_average(suite, deltas)[0]
        p_value = bootstrap_p_value(joint, difference)
        low, high, _ = percentile_interval(joint, level)
        interval = ConfidenceInterval(low, high, level, "joint-paired-bootstrap-percentile", resamples, seed)
    elif compared:
        notes.append(f"the suite average is tested by the paired bootstrap only (method was {method})")
    return SuiteComparison(suite, tasks, value_a, value_b, difference, p_value, interval, method, tuple(notes))
