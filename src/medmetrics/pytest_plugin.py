"""pytest fixtures for scoring tests, registered through the ``pytest11`` entry point.

Every fixture name starts with ``medmetrics_``; none is autouse, and importing this module
loads no plugin and nothing heavy (catalogs are built when a fixture is requested).

- ``medmetrics_catalog``: a fresh catalog with the built-ins only.
- ``medmetrics_installed``: the installed plugins, loaded in strict mode (a broken one fails).
- ``medmetrics_register``: ``register(plugin, name=...)`` makes a temporary plugin the default
  for this test (built-ins plus it, strict) and removes it afterwards.
- ``medmetrics_score``: ``score(task_or_parser, predictions, references, **kw) -> Report`` on
  the built-ins, or on ``catalog=`` (e.g. the one ``medmetrics_register`` or
  ``medmetrics_installed`` returns).
- ``medmetrics_assert_result``: ``check(result, expected, abs_tol=..., expected_items=...)``
  compares a result (or one metric of a report) with an expected value within a tolerance and,
  when it fails, lists the items whose parse differs from what was expected.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Iterator, Sequence
from typing import TYPE_CHECKING, Any

import pytest

if TYPE_CHECKING:
    from medmetrics.plugins import Catalog
    from medmetrics.results import MetricResult, Report


@pytest.fixture
def medmetrics_catalog() -> Catalog:
    from medmetrics.plugins import load_catalog

    return load_catalog(entry_points=False, strict=True)


@pytest.fixture
def medmetrics_installed() -> Catalog:
    from medmetrics.plugins import load_catalog

    return load_catalog(strict=True)


@pytest.fixture
def medmetrics_register() -> Iterator[Callable[..., Catalog]]:
    from medmetrics import plugins

    previous = plugins._default

    def register(plugin: object, name: str = "test-plugin") -> Catalog:
        catalog = plugins.load_catalog(entry_points=False, strict=True, extra_plugins=[(name, plugin)])
        plugins._default = catalog
        return catalog

    yield register
    plugins._default = previous


@pytest.fixture
def medmetrics_score(medmetrics_catalog: Catalog) -> Callable[..., Report]:
    from medmetrics.aggregate.evaluation import run_evaluation

    def score(task_or_parser: Any, predictions: Sequence[str], references: Sequence[Any], *,
              metrics: Any = None, context: Any = None, ci: bool | float = False, resamples: int = 1000,
              seed: int = 12345, catalog: Catalog | None = None) -> Report:
        return run_evaluation(task_or_parser, predictions, references, metrics=metrics, context=context, ci=ci,
                              resamples=resamples, seed=seed, catalog=catalog or medmetrics_catalog)

    return score


def assert_result(result: MetricResult | Report, expected: float, *, metric: str | None = None,
                  abs_tol: float = 1e-9, expected_items: Sequence[Any] | None = None) -> None:
    """Assert ``result``'s value is within ``abs_tol`` of ``expected``; explain a failure by item."""
    from medmetrics.results import Report

    report = result if isinstance(result, Report) else None
    if report is not None:
        if metric is None:
            if len(report) != 1:
                raise ValueError(f"the report has metrics {sorted(report)}: say which with metric=")
            metric = next(iter(report))
        result = report[metric]
    value = result.value  # type: ignore[union-attr]
    if (math.isnan(expected) and math.isnan(value)) or abs(value - expected) <= abs_tol:
        return
    lines = [f"{result.metric} = {value!r}, expected {expected!r} (tolerance {abs_tol})"]  # type: ignore[union-attr]
    if report is not None and expected_items is not None:
        for i, (parsed, want) in enumerate(zip(report.parsed, expected_items)):
            if parsed.value != want:
                why = f"{parsed.status}: {parsed.reason}" if parsed.reason else parsed.status
                lines.append(f"  item {i}: parsed {parsed.value!r} ({why}), expected {want!r}")
    pytest.fail("\n".join(lines), pytrace=False)


@pytest.fixture
def medmetrics_assert_result() -> Callable[..., None]:
    return assert_result
