"""The plugin as users meet it: installed, found through the entry point, used by name.

These tests use the medmetrics pytest fixtures and need the plugin installed
(``pip install -e plugins/medmetrics-example``); they fail, rather than skip, when it is not,
because an uninstalled template is a broken template.
"""

from __future__ import annotations

import warnings
from collections.abc import Callable
from typing import Any

import medmetrics
from medmetrics.plugins import Catalog, load_catalog
from medmetrics.results import Report

import medmetrics_example
from medmetrics_example import plugin
from medmetrics_example.parsers import PatientAgeSexParser

GENERATIONS = ["The patient is a 67-year-old male.", "Age: 8 months\nGender: Male", "The text does not say."]
REFERENCES = [{"age_years": 67.0, "sex": "male"}, {"age_years": 0.6667, "sex": "male"},
              {"age_years": 30.0, "sex": "female"}]


def test_installed_catalog_holds_the_plugin_names(medmetrics_installed: Catalog) -> None:
    assert "patient_age_sex" in medmetrics_installed.parsers
    assert "dose_match" in medmetrics_installed.metrics
    assert "pmc_patients_age_sex" in medmetrics_installed.tasks
    info = {p.name: p for p in medmetrics_installed.plugins}["example"]
    assert (info.distribution, info.version, info.status) == ("medmetrics-example", medmetrics_example.__version__,
                                                              "loaded")


def test_loads_without_warnings_and_builtins_only_leaves_it_out() -> None:
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        load_catalog(strict=True)
    assert "patient_age_sex" not in load_catalog(entry_points=False).parsers


def test_signatures_name_the_distribution(medmetrics_installed: Catalog) -> None:
    parser = medmetrics.get_parser("patient_age_sex", catalog=medmetrics_installed)
    metric = medmetrics.get_metric("dose_match", catalog=medmetrics_installed)
    provenance = f"medmetrics-example=={medmetrics_example.__version__}"
    assert provenance in parser.signature and provenance in metric.signature


def test_task_scores_by_name(medmetrics_installed: Catalog, medmetrics_assert_result: Callable[..., None]) -> None:
    report = medmetrics.evaluate("pmc_patients_age_sex", GENERATIONS, REFERENCES, catalog=medmetrics_installed)
    medmetrics_assert_result(report, 2 / 3, metric="accuracy", expected_items=[*REFERENCES[:2], None])
    assert report["accuracy"].n_failed == 1


def test_scoring_fixture_with_the_parser(medmetrics_score: Callable[..., Report],
                                         medmetrics_assert_result: Callable[..., None]) -> None:
    report = medmetrics_score(PatientAgeSexParser(), GENERATIONS, REFERENCES, metrics=["accuracy"], ci=True,
                              resamples=200)
    medmetrics_assert_result(report, 2 / 3, metric="accuracy", abs_tol=1e-12)
    assert report.statuses["failed"] == 1


def test_temporary_registration_matches_the_entry_point(medmetrics_register: Callable[..., Catalog]) -> None:
    catalog = medmetrics_register(plugin, name="example")
    assert medmetrics.get_metric("dose_match").compute(["1500 mcg"], ["1.5 mg"]).value == 1.0
    assert {"patient_age_sex", "dose_match", "pmc_patients_age_sex"} <= {
        *catalog.parsers.names(), *catalog.metrics.names(), *catalog.tasks.names()}


def test_plugin_module_is_only_glue() -> None:
    hooks: dict[str, Any] = {name: getattr(plugin, name) for name in ("register_parsers", "register_metrics",
                                                                      "register_tasks")}
    assert all(callable(hook) for hook in hooks.values())
    own = [name for name, value in vars(plugin).items()
           if callable(value) and getattr(value, "__module__", None) == plugin.__name__]
    assert sorted(own) == sorted(hooks)
