"""The pytest plugin, exercised in isolated pytest runs (pytester)."""

from __future__ import annotations

import subprocess
import sys

import pytest

pytest_plugins = ["pytester"]


def test_fixtures_are_registered_and_prefixed(pytester: pytest.Pytester) -> None:
    result = pytester.runpytest("--fixtures", "-p", "no:cacheprovider")
    ours = [line.split()[0] for line in result.outlines if line.startswith("medmetrics")]
    assert set(ours) >= {"medmetrics_catalog", "medmetrics_installed", "medmetrics_register", "medmetrics_score",
                         "medmetrics_assert_result"}
    assert all(name.startswith("medmetrics_") for name in ours)


def test_scoring_fixture_and_passing_assertion(pytester: pytest.Pytester) -> None:
    pytester.makepyfile(
        """
        def test_pubmedqa(medmetrics_score, medmetrics_assert_result):
            report = medmetrics_score("pubmedqa", ["Yes.", "no", "maybe"], ["yes", "no", "no"])
            medmetrics_assert_result(report, 2 / 3, metric="accuracy", abs_tol=1e-12)
        """
    )
    pytester.runpytest("-p", "no:cacheprovider").assert_outcomes(passed=1)


def test_failing_assertion_shows_the_items_that_differ(pytester: pytest.Pytester) -> None:
    pytester.makepyfile(
        """
        def test_pubmedqa(medmetrics_score, medmetrics_assert_result):
            report = medmetrics_score("pubmedqa", ["Yes.", "I cannot tell", "maybe"], ["yes", "no", "no"])
            medmetrics_assert_result(report, 1.0, metric="accuracy", expected_items=["yes", "no", "no"])
        """
    )
    result = pytester.runpytest("-p", "no:cacheprovider")
    result.assert_outcomes(failed=1)
    result.stdout.fnmatch_lines([
        "*accuracy = 0.333*, expected 1.0 (tolerance 1e-09)*",
        "*item 1: parsed None (failed: *), expected 'no'*",
        "*item 2: parsed 'maybe' (ok), expected 'no'*",
    ])


def test_temporary_plugin_is_registered_for_one_test_only(pytester: pytest.Pytester) -> None:
    pytester.makepyfile(
        """
        import medmetrics
        from medmetrics.metrics.classification import Accuracy

        class Agreement(Accuracy):
            '''Accuracy by another name.'''
            name = "agreement"

        class Plugin:
            @medmetrics.hookimpl
            def register_metrics(self, register):
                register(Agreement)

        def test_with_plugin(medmetrics_register):
            medmetrics_register(Plugin(), name="agree")
            assert medmetrics.get_metric("agreement").compute(["a"], ["a"]).value == 1.0

        def test_after_plugin():
            assert "agreement" not in medmetrics.list_metrics()
        """
    )
    pytester.runpytest("-p", "no:cacheprovider").assert_outcomes(passed=2)


def test_fresh_catalog_has_builtins_only(pytester: pytest.Pytester) -> None:
    pytester.makepyfile(
        """
        def test_builtins(medmetrics_catalog):
            assert all(p.builtin for p in medmetrics_catalog.plugins)
            assert "f1" in medmetrics_catalog.metrics
        """
    )
    pytester.runpytest("-p", "no:cacheprovider").assert_outcomes(passed=1)


def test_importing_the_plugin_loads_nothing_heavy() -> None:
    code = (
        "import sys, medmetrics.pytest_plugin\n"
        "loaded = {'numpy', 'scipy', 'medmetrics.plugins', 'medmetrics.default_plugins.parsers'} & set(sys.modules)\n"
        "assert not loaded, loaded\n"
    )
    subprocess.run([sys.executable, "-c", code], check=True)
