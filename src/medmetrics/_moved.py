"""Old module paths, kept for one release: each is the module now at its new path (folders by
stage, see docs/architecture.md), with a ``DeprecationWarning`` naming the new path.

An import of an old name returns the very module of the new name (one module object, so classes,
``isinstance`` and monkeypatching are the same), found by a meta path finder installed when
``medmetrics`` is imported; nothing is loaded until the old name is asked for.
"""

from __future__ import annotations

import importlib
import importlib.abc
import importlib.machinery
import importlib.util
import sys
import warnings
from types import ModuleType

#: old module -> new module
MOVED = {
    "medmetrics.adapters": "medmetrics.inputs.adapters",
    "medmetrics.adapters.base": "medmetrics.inputs.adapters.base",
    "medmetrics.adapters.generic": "medmetrics.inputs.adapters.generic",
    "medmetrics.adapters.lm_eval": "medmetrics.inputs.adapters.lm_eval",
    "medmetrics.adapters.lm_eval_task": "medmetrics.aggregate.lm_eval_task",
    "medmetrics.adapters.loglikelihood": "medmetrics.aggregate.loglikelihood",
    "medmetrics.adapters.opencompass": "medmetrics.inputs.adapters.opencompass",
    "medmetrics.auditing": "medmetrics.aggregate.auditing",
    "medmetrics.compat": "medmetrics.metrics.compat",
    "medmetrics.compat.base": "medmetrics.metrics.compat.base",
    "medmetrics.compat.biomistral_nlu": "medmetrics.metrics.compat.biomistral_nlu",
    "medmetrics.compat.gold": "medmetrics.metrics.compat.gold",
    "medmetrics.compat.medinst": "medmetrics.metrics.compat.medinst",
    "medmetrics.compat.meds_bench": "medmetrics.metrics.compat.meds_bench",
    "medmetrics.distributed": "medmetrics.aggregate.distributed",
    "medmetrics.evaluation": "medmetrics.aggregate.evaluation",
    "medmetrics.io": "medmetrics.inputs.files",
    "medmetrics.parallel": "medmetrics.aggregate.parallel",
    "medmetrics.parsing.relation_names": "medmetrics.catalog.relation_names",
    "medmetrics.stats": "medmetrics.aggregate",
    "medmetrics.stats.poisson": "medmetrics.aggregate.poisson",
    "medmetrics.stats.resampling": "medmetrics.metrics.resampling",
    "medmetrics.stats.significance": "medmetrics.aggregate.significance",
    "medmetrics.streaming": "medmetrics.aggregate.streaming",
    "medmetrics.suites": "medmetrics.catalog",
    "medmetrics.suites.classification": "medmetrics.catalog.classification",
    "medmetrics.suites.comparison": "medmetrics.aggregate.comparison",
    "medmetrics.suites.definitions": "medmetrics.catalog.suites",
    "medmetrics.suites.entities": "medmetrics.catalog.entities",
    "medmetrics.suites.generation": "medmetrics.catalog.generation",
    "medmetrics.suites.medinst": "medmetrics.catalog.medinst",
    "medmetrics.suites.render": "medmetrics.report.suites",
    "medmetrics.suites.scoring": "medmetrics.aggregate.suites",
    "medmetrics.suites.suite": "medmetrics.catalog.suite",
    "medmetrics.tasks": "medmetrics.catalog.task",
}


class _OldNames(importlib.abc.MetaPathFinder, importlib.abc.Loader):
    def find_spec(self, name: str, path: object = None, target: object = None) -> importlib.machinery.ModuleSpec | None:
        if name not in MOVED:
            return None
        return importlib.util.spec_from_loader(name, self)

    def create_module(self, spec: importlib.machinery.ModuleSpec) -> ModuleType:
        new = MOVED[spec.name]
        warnings.warn(f"{spec.name} is now {new}; the old name goes in a later release", DeprecationWarning,
                      stacklevel=2)
        return importlib.import_module(new)

    def exec_module(self, module: ModuleType) -> None:
        """The module was run under its new name."""


def install() -> None:
    if not any(isinstance(finder, _OldNames) for finder in sys.meta_path):
        sys.meta_path.insert(0, _OldNames())
