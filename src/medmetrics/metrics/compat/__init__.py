"""Compat profiles: each paper's released evaluator, reproduced exactly, bugs included.

A profile is never the default. ``medmetrics score --suite S --profile NAME`` scores every task
correctly *and* as the paper's evaluator would, side by side, so a published number can be
matched and the size of the evaluator's effect seen. Every compat result's signature starts
with ``compat:<profile>``.

Profiles: ``biomistral_nlu`` (uw-bionlp/BioMistral-NLU evaluation.py), ``medinst``
(aialt/MedINST evaluation.py), ``meds_bench`` (MAGIC-AI4Med/MedS-Ins Metrics/). What each
reproduces is in its module's docstring; which tasks each covers is ``Profile.tasks``. They are
built-in plugins (``medmetrics.default_plugins.compat``); a third-party plugin adds a paper's
evaluator by registering a ``Profile`` through the ``register_compat_profiles`` hook.

Every compat metric reads the reference as its paper's evaluator receives it, whatever the run's
gold looks like: each ``Method`` names its kind of gold text (``Method.gold``) and
``medmetrics.metrics.compat.gold`` writes the run's structured gold (mention lists, tags, triples,
scores, option letters) in that format, one renderer per kind; a reference that cannot be
written so is an ``InputError`` naming the task, never a number.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from typing import TYPE_CHECKING, Any

from medmetrics.catalog.task import Task
from medmetrics.errors import InputError, UnknownNameError
from medmetrics.inputs.run import TaskRun
from medmetrics.metrics.base import Metric
from medmetrics.metrics.compat.base import EvaluatorCrash
from medmetrics.metrics.compat.gold import RENDERERS, paper_references
from medmetrics.results import MetricResult

if TYPE_CHECKING:
    from medmetrics.plugins import Catalog

#: (task, run) -> (predictions, references) in the form the compat metric reads
Inputs = Callable[[Task, TaskRun], tuple[Sequence[Any], Sequence[Any]]]


def generations(task: Task, run: TaskRun) -> tuple[Sequence[Any], Sequence[Any]]:
    """The raw generations and references, untouched: most evaluators read exactly these."""
    return list(run.generations), list(run.references)


def item_context(run: TaskRun, key: str, default: Any) -> list[Any]:
    """Per-item context value ``key`` (or the shared one, or ``default``) for every item."""
    context = run.context
    if context is None or isinstance(context, Mapping):
        return [(context or {}).get(key, default)] * len(run.generations)
    return [c.get(key, default) for c in context]


def option_texts(values: Any, options: Sequence[str]) -> list[str]:
    """References as option texts: an option letter (how the ``choices`` parser answers, so how
    runs hold multi-label gold) becomes its option's text; anything else is kept as text."""
    items = values if isinstance(values, (list, tuple)) else [values]
    out = []
    for value in items:
        text = str(value)
        index = ord(text) - ord("A") if len(text) == 1 else -1
        out.append(options[index] if 0 <= index < len(options) else text)
    return out


@dataclass(frozen=True)
class Method:
    """How a profile scores one task: the compat metric, the inputs it reads, and the kind of gold
    text its evaluator reads (a renderer of ``medmetrics.metrics.compat.gold``, applied before ``inputs``)."""

    metric: Callable[[], Metric]
    inputs: Inputs = generations
    gold: str = "as_given"
    #: the evaluator's known bugs that apply to the task: keys of ``Profile.bugs``
    bugs: tuple[str, ...] = ()

    def __post_init__(self) -> None:
        if self.gold not in RENDERERS:
            raise ValueError(f"no gold renderer {self.gold!r}; the renderers are: {', '.join(sorted(RENDERERS))}")


@dataclass(frozen=True)
class Profile:
    name: str
    description: str
    methods: Mapping[str, Method]
    #: short key -> what the evaluator does wrong; the suite table's compat column names the keys
    #: that apply to each task (docs/builtins.md, "Compat profiles", lists them)
    bugs: Mapping[str, str] = field(default_factory=dict)
    #: ``distribution==version`` of a third-party plugin's profile (set by ``get_profile``); its
    #: compat results' signatures end with it, as third-party metrics' do. ``None``: built-in
    provenance: str | None = None

    def __post_init__(self) -> None:
        for task, method in self.methods.items():
            unknown = [key for key in method.bugs if key not in self.bugs]
            if unknown:
                raise ValueError(f"profile {self.name!r}, task {task!r}: no such bug key {', '.join(unknown)}")

    @property
    def tasks(self) -> list[str]:
        return sorted(self.methods)

    def known_bugs(self, task: str) -> tuple[str, ...]:
        """The keys of the evaluator's known bugs that apply to ``task`` (empty for a task it lacks)."""
        method = self.methods.get(task)
        return () if method is None else method.bugs

    def inputs(self, task: Task, run: TaskRun) -> tuple[Sequence[Any], Sequence[Any]]:
        """(predictions, references) as the compat metric of ``task`` reads them: the references
        written as the paper's gold first (``Method.gold``). ``KeyError`` if the profile has no such task."""
        method = self.methods[task.name]
        references = paper_references(method.gold, task, run, self.name)
        return method.inputs(task, replace(run, references=references))

    def scorer(self, task: Task, run: TaskRun) -> MetricResult | None:
        """The evaluator's number for ``task`` on ``run``, or ``None`` if the profile has no such task.
        Where the released script crashes on the run (``EvaluatorCrash``) it prints no number: the
        value is NaN and the result's note says where and why."""
        method = self.methods.get(task.name)
        if method is None:
            return None
        metric = method.metric()
        if self.provenance is not None:
            metric.provenance = self.provenance
        try:
            predictions, references = self.inputs(task, run)
            return metric.compute(predictions, references)
        except EvaluatorCrash as crash:  # the released script stops here: it prints no number
            return MetricResult(metric=metric.name, value=math.nan, n=len(run.references),
                                signature=metric.signature,
                                notes=(f"{self.name} evaluator crashes on task {task.name!r}: {crash}",))


#: the built-in profiles (``medmetrics.default_plugins.compat``); plugins register more through the
#: ``register_compat_profiles`` hook: ``medmetrics list profiles``
PROFILES = ("biomistral_nlu", "medinst", "meds_bench")


def get_profile(name: str, *, catalog: Catalog | None = None) -> Profile:
    """The compat profile registered as ``name`` (``catalog``, default: the default catalog).

    A third-party profile comes back with its ``provenance`` (``distribution==version``), which
    its compat results' signatures carry. An unknown name is an ``InputError`` listing the
    registered profiles, with the closest matches.
    """
    from medmetrics.plugins import default_catalog

    catalog = catalog if catalog is not None else default_catalog()
    if name not in catalog.profiles:
        raise InputError(str(UnknownNameError("compat profile", str(name), catalog.profiles.names())))
    entry = catalog.profiles.get(name)
    profile: Profile = entry.obj
    provenance = catalog.provenance(entry.plugin)
    return profile if provenance is None else replace(profile, provenance=provenance)
