"""Comparing runs: two runs on a suite (a paired test per task and one for the suite average),
and several models against a baseline (``compare_models``).

Per task, the headline metric of both runs is compared on the same items with the chosen
method (``medmetrics.compare``). For the suite average, each task's items are resampled as in
the paired bootstrap (the same items for both runs, with the task's own seed), the per-task
differences are averaged by the suite's rule, and the p-value and interval come from those
averaged differences. Both runs must hold the same references for a task, item for item.

``compare_models`` scores every model alone (as ``score`` does: the same seeds give the same
intervals) and tests every other model against the baseline with the same paired tests, then
adjusts all the p-values of the table together by Holm's step-down method.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field, replace
from typing import Any

import numpy as np

from medmetrics._json import json_native
from medmetrics.aggregate.evaluation import resolve
from medmetrics.aggregate.significance import bootstrap_p_value, compare_systems, holm
from medmetrics.aggregate.suites import (
    TaskRun,
    TaskScore,
    resolve_task,
    score_suite,
    score_task,
    suite_average,
    task_inputs,
    task_seed,
)
from medmetrics.catalog.suite import Suite
from medmetrics.errors import InputError, UnknownNameError
from medmetrics.metrics.resampling import percentile_interval
from medmetrics.plugins import Catalog
from medmetrics.results import (
    Comparison,
    ConfidenceInterval,
    interval_columns,
    load_pandas,
    restore_nan,
    short_number,
    short_value,
)


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

    @classmethod
    def from_dict(cls, data: Mapping[str, Any], *, suite: Suite | None = None) -> SuiteComparison:
        """The comparison ``to_dict`` wrote. It names its suite only: ``suite`` if given, else the
        registered suite of that name, else one holding the compared tasks (``stored_suite``)."""
        tasks = {t: c if isinstance(c, str) else Comparison.from_dict(c) for t, c in (data.get("tasks") or {}).items()}
        ci = data.get("ci")
        return cls(stored_suite(data["suite"], data.get("signature"), list(tasks), suite), tasks,
                   restore_nan(data.get("value_a")), restore_nan(data.get("value_b")),
                   restore_nan(data.get("difference")), restore_nan(data.get("p_value")),
                   None if ci is None else ConfidenceInterval.from_dict(ci), data["method"],
                   tuple(data.get("notes") or ()))

    def __repr__(self) -> str:
        compared = sum(isinstance(c, Comparison) for c in self.tasks.values())
        return (f"<SuiteComparison {self.suite.name}: A={short_number(self.value_a)} B={short_number(self.value_b)} "
                f"{short_value('difference', self.difference, self.ci)} p={short_number(self.p_value)} "
                f"({self.method}, {compared} of {len(self.tasks)} tasks)>")

    def to_frame(self, summary: bool = True) -> Any:
        """One row per suite task, as a pandas DataFrame: ``kind`` (``task``), ``task``, ``reason``
        (why a task has no comparison), then ``Comparison.row``: ``metric``, ``method``, ``value_a``,
        ``value_b``, ``difference`` (A - B), ``ci_low``, ``ci_high``, ``ci_level``, ``p_value``, ``n``,
        ``signature``. With ``summary``, a last row (``kind`` ``average``) for the suite average.
        Needs pandas (``pip install 'medmetrics[pandas]'``)."""
        rows = [{"kind": "task", "task": t, "reason": c if isinstance(c, str) else "",
                 **({} if isinstance(c, str) else c.row())} for t, c in self.tasks.items()]
        if summary:
            rows.append({"kind": "average", "task": f"{self.suite.name} average", "reason": "",
                         "metric": f"{self.suite.name} average", "method": self.method, "value_a": self.value_a,
                         "value_b": self.value_b, "difference": self.difference, **interval_columns(self.ci),
                         "p_value": self.p_value, "n": sum(isinstance(c, Comparison) for c in self.tasks.values()),
                         "signature": self.suite.signature})
        columns = ["kind", "task", "reason", "metric", "method", "value_a", "value_b", "difference", "ci_low",
                   "ci_high", "ci_level", "p_value", "n", "signature"]
        return load_pandas().DataFrame(rows, columns=columns).astype({"n": "Int64"})


_SUITE_SIGNATURE = re.compile(r"suite:.*\(average=(?P<average>\w+),tasks=(?P<tasks>\d+)\)$")


def stored_suite(name: str, signature: str | None, tasks: Sequence[str], suite: Suite | None = None) -> Suite:
    """The suite a stored comparison names (its ``to_dict`` keeps the name and signature only):
    ``suite`` if given, else the registered suite ``name`` (averaged as the signature says, kept to
    ``tasks`` if that gives the signature), else a suite holding ``tasks`` in one group. The
    signature must match; where none does, an ``InputError`` asks for ``suite``."""
    candidates = [] if suite is None else [suite]
    if suite is None:
        match = _SUITE_SIGNATURE.match(signature or "")
        average = match["average"] if match else "tasks"
        try:
            from medmetrics.plugins import get_suite

            registered = get_suite(name).with_average(average)
            candidates += [registered, registered.only([t for t in tasks if t in registered.tasks])]
        except (UnknownNameError, InputError):
            pass
        candidates.append(Suite(name, {name: tuple(tasks)}, average))
    for candidate in candidates:
        if signature is None or candidate.signature == signature:
            return candidate
    raise InputError(f"the stored result is on {signature}, not {candidates[0].signature}: "
                     "pass suite= (the Suite it was computed on)")


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
    return comparison, comparison.replicates  # the paired bootstrap's differences, made once (None otherwise)


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


# --- several models against a baseline --------------------------------------------------------
#: the tasks of the bundled three-model demo (``medmetrics compare --demo``), in table order
DEMO_MODEL_TASKS = ("medqa", "pubmedqa", "chemprot", "biosses")


@dataclass(frozen=True)
class ModelCell:
    """One model on one row: its value with interval and parse failures, and its paired test
    against the baseline (``None`` for the baseline itself, or where there is no test: ``reason``)."""

    value: float | None
    ci: ConfidenceInterval | None = None
    n: int | None = None
    n_failed: int | None = None
    reason: str = ""
    test: Comparison | None = None
    p_holm: float = float("nan")
    significant: bool = False

    @property
    def failure_rate(self) -> float | None:
        return None if not self.n or self.n_failed is None else self.n_failed / self.n

    def to_dict(self) -> dict[str, Any]:
        return json_native({
            "value": self.value, "ci": None if self.ci is None else self.ci.to_dict(), "n": self.n,
            "n_failed": self.n_failed, "parse_failure_rate": self.failure_rate, "reason": self.reason,
            "test": None if self.test is None else {**self.test.to_dict(), "p_holm": self.p_holm,
                                                    "significant": self.significant},
        })


@dataclass(frozen=True)
class ModelRow:
    """A row of the table: one task's headline metric, or the suite average (``kind`` ``average``)."""

    task: str
    metric: str
    kind: str  # "task" or "average"
    cells: Mapping[str, ModelCell]

    def to_dict(self) -> dict[str, Any]:
        return {"task": self.task, "metric": self.metric, "kind": self.kind,
                "models": {m: c.to_dict() for m, c in self.cells.items()}}


@dataclass(frozen=True)
class ModelComparison:
    """Several models side by side, each non-baseline model tested against the baseline on every
    row; the p-values are Holm-adjusted over the ``family`` of all the tests in the table."""

    models: tuple[str, ...]  # the baseline first
    baseline: str
    rows: tuple[ModelRow, ...]
    method: str
    level: float
    resamples: int
    seed: int
    suite: Suite | None = None
    notes: tuple[str, ...] = ()
    family: int = 0
    scores: Mapping[str, Any] = field(default_factory=dict, repr=False, compare=False)

    @property
    def alpha(self) -> float:
        """Where a Holm-adjusted p-value is marked: below ``1 - level``."""
        return round(1.0 - self.level, 10)

    @property
    def family_description(self) -> str:
        rows = len(self.rows)
        others = len(self.models) - 1
        return (f"Holm over the {self.family} paired tests of this table ({rows} row{'s' * (rows != 1)} x "
                f"{others} model{'s' * (others != 1)} against {self.baseline}"
                + (", rows with no test left out" if self.family < rows * others else "") + ")")

    def to_dict(self) -> dict[str, Any]:
        return json_native({
            "baseline": self.baseline, "models": list(self.models), "method": self.method, "level": self.level,
            "alpha": self.alpha, "resamples": self.resamples, "seed": self.seed,
            "suite": None if self.suite is None else self.suite.name,
            "signature": None if self.suite is None else self.suite.signature,
            "correction": {"method": "holm", "family_size": self.family, "family": self.family_description},
            "rows": [r.to_dict() for r in self.rows], "notes": list(self.notes),
        })

    @classmethod
    def from_dict(cls, data: Mapping[str, Any], *, suite: Suite | None = None) -> ModelComparison:
        """The table ``to_dict`` wrote. The per-model scores (``scores``: reports, resamples) are not
        written and come back empty; a suite is found as ``stored_suite`` finds it (pass ``suite``
        for one that is not registered)."""
        rows = tuple(ModelRow(r["task"], r["metric"], r["kind"],
                              {m: cls._cell_from_dict(c) for m, c in r["models"].items()})
                     for r in data.get("rows") or ())
        stored = None if data.get("suite") is None else stored_suite(
            data["suite"], data.get("signature"), [r.task for r in rows if r.kind == "task"], suite)
        return cls(tuple(data["models"]), data["baseline"], rows, data["method"], data["level"], data["resamples"],
                   data["seed"], stored, tuple(data.get("notes") or ()), (data.get("correction") or {}).get(
                       "family_size", 0))

    @staticmethod
    def _cell_from_dict(data: Mapping[str, Any]) -> ModelCell:
        ci, test = data.get("ci"), data.get("test")
        return ModelCell(data.get("value"), None if ci is None else ConfidenceInterval.from_dict(ci), data.get("n"),
                         data.get("n_failed"), data.get("reason", ""),
                         None if test is None else Comparison.from_dict(test),
                         restore_nan(None if test is None else test.get("p_holm")),
                         bool(test and test.get("significant")))

    def __repr__(self) -> str:
        significant = sum(c.significant for r in self.rows for c in r.cells.values())
        on = f" on {self.suite.name}" if self.suite is not None else ""
        return (f"<ModelComparison {len(self.models)} models x {len(self.rows)} rows{on}: baseline {self.baseline}, "
                f"{self.method}, Holm over {self.family} tests, {significant} significant>")

    def to_frame(self) -> Any:
        """The table in long (tidy) form, as a pandas DataFrame: one row per table row x model, the
        baseline first. Columns: ``task``, ``metric``, ``kind`` (``task`` or ``average``),
        ``model``, ``baseline`` (bool), ``value``, ``ci_low``, ``ci_high``, ``ci_level``, ``n``,
        ``n_failed``, ``failure_rate``, ``reason`` (why a cell has no value or no test), then the
        test against the baseline (empty for the baseline and where there is none):
        ``difference`` (model - baseline), ``diff_ci_low``, ``diff_ci_high``, ``p_value`` (raw),
        ``p_holm`` (Holm-adjusted over the table), ``significant`` (``p_holm`` below ``1 - level``).
        ``frame.pivot(index="task", columns="model", values="value")`` gives the wide table.
        Needs pandas (``pip install 'medmetrics[pandas]'``)."""
        rows = []
        for row in self.rows:
            for model in self.models:
                cell = row.cells.get(model)
                if cell is None:
                    continue
                test = cell.test
                diff = interval_columns(None if test is None else test.ci, "diff_ci")
                rows.append({
                    "task": row.task, "metric": row.metric, "kind": row.kind, "model": model,
                    "baseline": model == self.baseline, "value": cell.value, **interval_columns(cell.ci),
                    "n": cell.n, "n_failed": cell.n_failed, "failure_rate": cell.failure_rate, "reason": cell.reason,
                    "difference": None if test is None else test.difference, "diff_ci_low": diff["diff_ci_low"],
                    "diff_ci_high": diff["diff_ci_high"], "p_value": None if test is None else test.p_value,
                    "p_holm": None if test is None else cell.p_holm, "significant": cell.significant,
                })
        columns = ["task", "metric", "kind", "model", "baseline", "value", "ci_low", "ci_high", "ci_level", "n",
                   "n_failed", "failure_rate", "reason", "difference", "diff_ci_low", "diff_ci_high", "p_value",
                   "p_holm", "significant"]
        floats = ["value", "ci_low", "ci_high", "ci_level", "failure_rate", "difference", "diff_ci_low",
                  "diff_ci_high", "p_value", "p_holm"]
        return load_pandas().DataFrame(rows, columns=columns).astype(
            {"n": "Int64", "n_failed": "Int64", **dict.fromkeys(floats, "float64")})


def name_models(loaded: Sequence[tuple[str, Mapping[str, dict[str, TaskRun]]]],
                chosen: Sequence[str] | None = None) -> dict[str, dict[str, TaskRun]]:
    """Model name -> its run, from (path as given, ``load_runs(path)``) pairs.

    One path holding several models gives every model (or those ``chosen`` names, in that order).
    Several paths give one model each: the only one, or where a path holds several, the one
    ``chosen`` names (one name for every path, or one per path). A model is named by its folder
    (lm-eval ``org__model``, OpenCompass ``predictions/<model>``) or the run's own name; where two
    names are equal, each becomes ``name (path)``.
    """
    from medmetrics.inputs.adapters import pick_model

    chosen = list(chosen or [])
    picked: list[tuple[str, str, dict[str, TaskRun]]] = []  # (path, model, run)
    if len(loaded) == 1:
        path, models = loaded[0]
        for model in chosen or list(models):
            picked.append((path, model, pick_model(models, model, path)))
    else:
        if chosen and len(chosen) not in (1, len(loaded)):
            raise InputError(f"--model is given once (for every run that holds several models) or once per run "
                             f"({len(loaded)}); got {len(chosen)}")
        for i, (path, models) in enumerate(loaded):
            wanted = None if not chosen else chosen[0] if len(chosen) == 1 else chosen[i]
            if len(models) == 1 and (wanted is None or len(chosen) == 1):
                wanted = next(iter(models))
            run = pick_model(models, wanted, path)  # several models and no choice: an error listing them
            picked.append((path, wanted or next(iter(models)), run))
    given = [model for _, model, _ in picked]
    names = [f"{model} ({path})" if given.count(model) > 1 else model for path, model, _ in picked]
    out: dict[str, dict[str, TaskRun]] = {}
    for (_, _, run), name in zip(picked, names):
        if names.count(name) > 1:  # the same run given twice
            name = f"{name} #{sum(1 for n in out if n.startswith(name + ' #')) + 1}"
        out[name] = run
    return out


def pick_baseline(models: Mapping[str, Any], baseline: str | None, paths: Mapping[str, str] | None = None) -> str:
    """The baseline's name: ``baseline`` as a model name, the model part of one, or a path given
    for it (``paths``: model name -> the path it was read from); by default the first model."""
    if baseline is None:
        return next(iter(models))
    if baseline in models:
        return baseline
    matches = [m for m in models if m.split(" (")[0] == baseline or (paths or {}).get(m) == baseline]
    if len(matches) == 1:
        return matches[0]
    what = "names several models" if matches else "is none of the models"
    raise InputError(f"--baseline {baseline!r} {what}; the models are: {', '.join(models)}")


def _cell(score: TaskScore) -> ModelCell:
    result = score.result
    if result is None:
        return ModelCell(None, reason=score.reason or score.status)
    return ModelCell(result.value, result.ci, result.n, result.n_failed)


def compare_models(
    models: Mapping[str, Mapping[str, TaskRun]],
    *,
    suite: Suite | None = None,
    tasks: Sequence[str] | None = None,
    baseline: str | None = None,
    catalog: Catalog | None = None,
    method: str = "paired_bootstrap",
    resamples: int = 1000,
    seed: int = 12345,
    level: float = 0.95,
) -> ModelComparison:
    """Score every model (model name -> task -> ``TaskRun``) on ``suite``'s tasks or on ``tasks``,
    and test every other model against ``baseline`` (default: the first) on each task and on the
    suite average, with Holm-adjusted p-values over all the tests of the table.

    A model's values and intervals are those ``score`` gives it alone (``score_suite`` /
    ``score_task`` with the same ``resamples`` and ``seed``, at ``level``). Each test compares the
    model (A) with the baseline (B): ``difference`` is model minus baseline.
    """
    if catalog is None:
        from medmetrics.plugins import default_catalog

        catalog = default_catalog()
    if len(models) < 2:
        raise InputError(f"comparing models needs two or more; got {len(models)}"
                         + (f" ({', '.join(models)})" if models else "")
                         + ": give several runs, or a folder that holds several models")
    if (suite is None) == (tasks is None):
        raise InputError("compare models on a suite or on tasks (one of them)")
    base = pick_baseline(models, baseline)
    order = [base, *(m for m in models if m != base)]
    notes: list[str] = []
    scores: dict[str, Any] = {}
    per_task: dict[str, dict[str, ModelCell]] = {}
    tests: dict[str, dict[str, Comparison | str]] = {}  # row -> model -> test or why none
    average_tests: dict[str, Comparison | str] = {}
    if suite is not None:
        names = list(suite.tasks)
        for model in order:
            result = score_suite(suite, models[model], catalog=catalog, ci=level, resamples=resamples, seed=seed)
            scores[model] = result
            for score in result.tasks:
                per_task.setdefault(score.task, {})[model] = _cell(score)
        for model in order[1:]:
            compared = compare_suite(suite, models[model], models[base], catalog=catalog, method=method,
                                     resamples=resamples, seed=seed, level=level)
            for name, c in compared.tasks.items():
                if isinstance(c, str) and c.startswith("missing in "):  # A: the model, B: the baseline
                    c = "missing in " + " and ".join({"A": model, "B": base}[side] for side in c[11:].split(" and "))
                tests.setdefault(name, {})[model] = c
            average_tests[model] = _average_test(compared, suite, resamples, seed)
        absent = [t for t in names if all(t not in models[m] for m in order)]
        if absent:  # left out of the rows, named in a note: a paper's table lists what was run
            notes.append(f"{len(absent)} of {len(names)} {suite.name} tasks are in no model's run: "
                         f"{', '.join(absent)}")
        names = [t for t in names if t not in absent]
    else:
        names = list(dict.fromkeys(tasks or ()))
        if not names:
            raise InputError("no tasks to compare")
        for name in names:
            task = resolve_task(name, catalog)
            if isinstance(task, str):
                raise InputError(f"task {name!r} cannot be compared: {task}")
            if all(name not in models[m] for m in order):
                raise InputError(f"no model's run has task {name!r}; the runs have: "
                                 f"{', '.join(sorted({t for m in order for t in models[m]}))}")
            for model in order:
                run = models[model].get(name)
                score = TaskScore(name, "", "missing", reason="not in the run") if run is None else \
                    score_task(task, "", run, catalog=catalog, ci=level, resamples=resamples, seed=seed)
                scores.setdefault(model, {})[name] = score
                per_task.setdefault(name, {})[model] = _cell(score)
            for model in order[1:]:
                if name not in models[base] or name not in models[model]:
                    missing = " and ".join(m for m in (base, model) if name not in models[m])
                    tests.setdefault(name, {})[model] = f"missing in {missing}"
                else:
                    tests.setdefault(name, {})[model] = compare_task(
                        name, models[model][name], models[base][name], catalog=catalog, method=method,
                        resamples=resamples, seed=seed, level=level)[0]

    headline = {name: next(iter(t.metrics)) if not isinstance(t := resolve_task(name, catalog), str) else "-"
                for name in names}
    rows: list[tuple[str, str, str, dict[str, ModelCell], dict[str, Comparison | str]]] = [
        (name, headline[name], "task", per_task[name], tests.get(name, {})) for name in names]
    if suite is not None:
        cells = {}
        for model in order:
            result = scores[model]
            cells[model] = ModelCell(result.value, result.ci, reason="" if result.averaged else "no task scored")
        rows.append((f"{suite.name} average", f"{suite.average} ({len(scores[base].averaged)} of "
                     f"{len(suite.tasks)} tasks)", "average", cells, average_tests))

    # Holm over every test of the table that has a p-value
    family = {(i, m): test.p_value for i, row in enumerate(rows) for m in order[1:]
              if isinstance(test := row[4].get(m), Comparison) and not np.isnan(test.p_value)}
    adjusted = dict(zip(family, holm(list(family.values()))))
    alpha = round(1.0 - level, 10)
    out_rows = []
    for i, (name, metric, kind, row_cells, row_tests) in enumerate(rows):
        final = {}
        for model in order:
            cell = row_cells.get(model, ModelCell(None, reason="not scored"))
            test = row_tests.get(model) if model != base else None
            if isinstance(test, Comparison):
                p = float(adjusted.get((i, model), float("nan")))
                cell = replace(cell, test=test, p_holm=p, significant=bool(p < alpha))
            elif isinstance(test, str) and not cell.reason:
                cell = replace(cell, reason=f"no test: {test}")
            final[model] = cell
        out_rows.append(ModelRow(name, metric, kind, final))
    return ModelComparison(tuple(order), base, tuple(out_rows), method, level, resamples, seed, suite,
                           tuple(dict.fromkeys(notes)), len(family), scores)


def _average_test(compared: SuiteComparison, suite: Suite, resamples: int, seed: int) -> Comparison | str:
    """The suite-average test of ``compare_suite`` as a ``Comparison`` (or why there is none)."""
    if compared.ci is None or np.isnan(compared.p_value):
        return "the suite average is tested by the paired bootstrap only" if compared.method != "paired_bootstrap" \
            else "no task both models have"
    return Comparison(metric=f"{suite.name} average", method="paired_bootstrap", value_a=compared.value_a,
                      value_b=compared.value_b, difference=compared.difference, p_value=compared.p_value,
                      n=sum(isinstance(c, Comparison) for c in compared.tasks.values()), ci=compared.ci,
                      resamples=resamples, seed=seed, signature=suite.signature)


def demo_models() -> dict[str, dict[str, TaskRun]]:
    """The bundled three-model demo (``data/demo_models/<model>/<task>.jsonl``): model -> task -> run,
    each item's ``context`` (MedQA's options) read with it. Synthetic, made by
    ``benchmarks/make_demo_models.py``."""
    import json
    from importlib import resources

    root = resources.files("medmetrics") / "data" / "demo_models"
    models: dict[str, dict[str, TaskRun]] = {}
    for folder in sorted((f for f in root.iterdir() if f.is_dir()), key=lambda f: f.name):
        runs = {}
        for task in DEMO_MODEL_TASKS:
            items = [json.loads(line) for line in (folder / f"{task}.jsonl").read_text(encoding="utf-8").splitlines()
                     if line.strip()]
            runs[task] = TaskRun(task, [i["generation"] for i in items], [i["reference"] for i in items],
                                 [i.get("context", {}) for i in items], f"{folder.name}/{task}.jsonl")
        models[folder.name] = runs
    return models
