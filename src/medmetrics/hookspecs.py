"""The hook specifications of medmetrics: the whole plugin contract, one documented hook each.

A plugin is a module (or object) with functions decorated ``@medmetrics.hookimpl`` whose names
are hooks below. Built-in parsers, metrics, tasks, suites, adapters and compat profiles are
plugins too: see
``medmetrics.default_plugins``. Third-party plugins are found through the ``medmetrics``
entry-point group, e.g. in ``pyproject.toml``::

    [project.entry-points.medmetrics]
    dose = "medmetrics_dose.plugin"

A hook may take fewer arguments than its specification names; new arguments are only ever
added, so a plugin written today keeps working.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import pluggy

if TYPE_CHECKING:
    from medmetrics.registry import RegisterFn

PROJECT = "medmetrics"
hookspec = pluggy.HookspecMarker(PROJECT)
hookimpl = pluggy.HookimplMarker(PROJECT)


@hookspec
def register_parsers(register: RegisterFn) -> None:
    """Register parser classes: ``register(ParserClass, aliases=("other_name",))``.

    A parser class subclasses ``medmetrics.Parser``, sets a lowercase snake_case ``name`` and
    implements ``read(generation, context) -> Parsed``. It is instantiated with the task's
    options by ``medmetrics.get_parser(name, **options)``. The base class guarantees the
    contract that ``parse`` never raises on model output, so ``read`` may assume a ``str``.
    Registering a name that another plugin already registered is an error naming both.
    """


@hookspec
def register_metrics(register: RegisterFn) -> None:
    """Register metric classes: ``register(MetricClass, aliases=(...))``.

    A metric class subclasses ``medmetrics.Metric`` (or ``AdditiveMetric``): it maps each
    (prediction, reference) pair to a row of sufficient statistics (``item_stats``) and scores
    any weighted set of rows (``score``). That one contract gives exact shard merging,
    vectorized bootstrap confidence intervals and paired significance tests for free.
    """


@hookspec
def register_tasks(register: RegisterFn) -> None:
    """Register ``medmetrics.Task`` objects: ``register(Task(name=..., parser=..., metrics=...))``.

    A task names one parser with its options and the metrics that the benchmark defines for
    a dataset (for example PubMedQA: the ``label`` parser over yes/no/maybe, accuracy and
    macro F1). Parser and metric names are resolved when the task is used, so a task may
    refer to parsers and metrics from other plugins.
    """


@hookspec
def register_suites(register: RegisterFn) -> None:
    """Register ``medmetrics.Suite`` objects: ``register(Suite(name=..., groups={...}))``.

    A suite is the set of tasks of one benchmark, grouped by task type, with the rule that
    averages them (``average="tasks"``: mean over tasks; ``"groups"``: mean of the group means).
    Task names are resolved when the suite is scored: a task that is not registered, or whose
    parser or metric is not, is reported as unavailable rather than failing the suite.
    """


@hookspec
def register_adapters(register: RegisterFn) -> None:
    """Register adapter classes (harness output formats): ``register(AdapterClass)``.

    An adapter class subclasses ``medmetrics.inputs.adapters.Adapter`` and sets a lowercase snake_case
    ``name``. It is registered as a class, never an instance, and medmetrics calls its two
    functions on the class:

    - ``detect(path) -> bool``: whether the file or folder ``path`` looks like this format (read
      as little as needed; it must not raise on paths of other formats);
    - ``read(path, fields, task_map, run) -> {model: {task: TaskRun}}``: every model's run at
      ``path``, with ``fields`` (``medmetrics.inputs.adapters.Fields``) naming the record fields,
      ``task_map`` renaming the harness's task names and ``run`` picking a dated run (or ``None``).

    ``load_runs(adapter=NAME)`` and ``--adapter NAME`` use it by name; ``--adapter auto`` asks
    every adapter's ``detect`` in registration order (built-ins ``lm_eval`` and ``opencompass``
    first, then third-party plugins in load order), and the catch-all ``generic`` (any adapter
    with ``fallback = True``) last.
    """


@hookspec
def register_compat_profiles(register: RegisterFn) -> None:
    """Register compat profiles: ``register(Profile(name=..., description=..., methods={...}))``.

    A profile (``medmetrics.metrics.compat.Profile``) reproduces one paper's released evaluator, bugs
    included: ``methods`` maps each task to a ``medmetrics.metrics.compat.Method`` (the compat metric,
    the inputs it reads and the kind of gold text it expects) and ``bugs`` describes what the
    evaluator does wrong. ``medmetrics score --suite S --profile NAME`` scores every task
    correctly and as the profile does, side by side. A third-party profile's compat results
    carry its ``distribution==version`` in their signatures.
    """
