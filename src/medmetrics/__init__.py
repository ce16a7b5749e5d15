"""medmetrics: parse biomedical LLM generations robustly and score them correctly.

``import medmetrics`` is light: names are imported on first use (PEP 562), and no plugin,
model or heavy library is loaded until a call needs it (``get_parser``, ``evaluate``, ...).
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

from medmetrics import _moved
from medmetrics._version import __version__

_moved.install()  # old module paths (medmetrics.evaluation, medmetrics.suites.scoring, ...) for one release

_EXPORTS = {
    "compare": "medmetrics.api", "evaluate": "medmetrics.api", "get_metric": "medmetrics.api",
    "get_parser": "medmetrics.api", "get_suite": "medmetrics.api", "get_task": "medmetrics.api",
    "list_suites": "medmetrics.api", "Suite": "medmetrics.catalog.suite", "list_metrics": "medmetrics.api",
    "list_parsers": "medmetrics.api", "list_plugins": "medmetrics.api", "list_tasks": "medmetrics.api",
    "DuplicateNameError": "medmetrics.errors", "InputError": "medmetrics.errors",
    "MedmetricsError": "medmetrics.errors", "MissingDependencyError": "medmetrics.errors",
    "PluginError": "medmetrics.errors", "PluginWarning": "medmetrics.errors",
    "UnknownNameError": "medmetrics.errors", "hookimpl": "medmetrics.hookspecs",
    "AdditiveMetric": "medmetrics.metrics.base", "Metric": "medmetrics.metrics.base",
    "Stats": "medmetrics.metrics.base", "Table": "medmetrics.metrics.base", "Parser": "medmetrics.parsing.base",
    "Comparison": "medmetrics.results", "ConfidenceInterval": "medmetrics.results",
    "MetricResult": "medmetrics.results", "Parsed": "medmetrics.results", "Report": "medmetrics.results",
    "Task": "medmetrics.catalog.task", "audit": "medmetrics.aggregate.auditing",
    "compare_models": "medmetrics.aggregate.comparison",
    "evaluate_dask": "medmetrics.aggregate.distributed",
}

__all__ = [
    "AdditiveMetric",
    "Comparison",
    "ConfidenceInterval",
    "DuplicateNameError",
    "InputError",
    "MedmetricsError",
    "Metric",
    "MetricResult",
    "MissingDependencyError",
    "Parsed",
    "Parser",
    "PluginError",
    "PluginWarning",
    "Report",
    "Stats",
    "Suite",
    "Table",
    "Task",
    "UnknownNameError",
    "__version__",
    "audit",
    "compare",
    "compare_models",
    "evaluate",
    "evaluate_dask",
    "get_metric",
    "get_parser",
    "get_suite",
    "get_task",
    "hookimpl",
    "list_metrics",
    "list_parsers",
    "list_plugins",
    "list_suites",
    "list_tasks",
]


def __getattr__(name: str) -> Any:
    module = _EXPORTS.get(name)
    if module is None:
        raise AttributeError(f"module 'medmetrics' has no attribute {name!r}")
    value = getattr(importlib.import_module(module), name)
    globals()[name] = value  # later lookups skip this function
    return value


def __dir__() -> list[str]:
    return __all__


if TYPE_CHECKING:
    from medmetrics.aggregate.auditing import audit
    from medmetrics.aggregate.comparison import compare_models
    from medmetrics.aggregate.distributed import evaluate_dask
    from medmetrics.api import (
        compare,
        evaluate,
        get_metric,
        get_parser,
        get_suite,
        get_task,
        list_metrics,
        list_parsers,
        list_plugins,
        list_suites,
        list_tasks,
    )
    from medmetrics.catalog.suite import Suite
    from medmetrics.catalog.task import Task
    from medmetrics.errors import (
        DuplicateNameError,
        InputError,
        MedmetricsError,
        MissingDependencyError,
        PluginError,
        PluginWarning,
        UnknownNameError,
    )
    from medmetrics.hookspecs import hookimpl
    from medmetrics.metrics.base import AdditiveMetric, Metric, Stats, Table
    from medmetrics.parsing.base import Parser
    from medmetrics.results import Comparison, ConfidenceInterval, MetricResult, Parsed, Report
