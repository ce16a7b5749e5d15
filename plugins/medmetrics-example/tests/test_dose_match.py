"""The ``dose_match`` metric: reading doses, scoring, degenerate input, and the test kit."""

from __future__ import annotations

from fractions import Fraction
from typing import Any

import medmetrics
import pytest
from medmetrics.testing.conformance import check_metric

from example_cases import regression_cases
from medmetrics_example.metrics import Dose, DoseMatch, read_dose

METRIC = DoseMatch()
CASES = regression_cases("dose_match")


@pytest.mark.parametrize("same", ["1500 mcg", "1.5 mg", "1,500 µg", "1500 ug", "1500 μg", "0.0015 g", "1.50 MG"])
def test_one_and_a_half_milligrams_in_every_spelling(same: str) -> None:
    assert read_dose(same) == Dose(Fraction(3, 2), ("mass",))


@pytest.mark.parametrize(("a", "b"), [
    ("1.5 mg", "15 mg"), ("10 mg", "10 mg/kg"), ("10 IU", "10 units"), ("5 mL", "5 mg"), ("1 mg/kg", "1 mg/kg/day"),
])
def test_different_doses_differ(a: str, b: str) -> None:
    assert read_dose(a) is not None and read_dose(b) is not None
    assert read_dose(a) != read_dose(b)


@pytest.mark.parametrize(("a", "b"), [
    ("1000 mcg/kg", "1 mg/kg"), ("1 mg/kg/d", "1 mg/kg/day"), ("2 mg/m²", "2 mg per m2"), ("5 mL", "0.005 L"),
    ("10 international units", "10 IU"), ("1.5 mg (1500 mcg)", "1.5 mg"),
])
def test_equal_doses_match(a: str, b: str) -> None:
    assert read_dose(a) == read_dose(b) is not None


@pytest.mark.parametrize("text", ["1,5 mg", "1-2 mg", "1 to 2 mg", "5 tablets", "from 25 mg to 50 mg", "", None, 1.5,
                                  "mg"])
def test_not_one_dose_is_unreadable(text: Any) -> None:
    assert read_dose(text) is None


def test_score_counts_unreadable_and_unanswered_predictions_as_wrong() -> None:
    predictions = ["1500 mcg", "15 mg", "no dose given", None]
    result = METRIC.compute(predictions, ["1.5 mg"] * 4)
    assert result.value == 0.25
    assert result.components["unreadable"] == 1.0
    assert result.n_failed == 1
    assert result.components["dose_match_answered"] == pytest.approx(1 / 3)


def test_an_unreadable_reference_is_an_input_error_naming_it() -> None:
    with pytest.raises(medmetrics.InputError, match=r"reference 1 is 'about a milligram'"):
        METRIC.compute(["1 mg", "1 mg"], ["1 mg", "about a milligram"])


def test_parsed_predictions_are_scored_by_their_value() -> None:
    predictions = [medmetrics.Parsed("1.5 mg", "ok"), medmetrics.Parsed(None, "failed", reason="no answer")]
    assert METRIC.compute(predictions, ["1500 mcg", "1500 mcg"]).value == 0.5


def test_mcnemar_and_paired_bootstrap_work_on_the_correct_column() -> None:
    references = ["1.5 mg"] * 20
    system_a = ["1500 mcg"] * 18 + ["15 mg"] * 2
    system_b = ["1500 mcg"] * 8 + ["15 mg"] * 12
    exact = medmetrics.compare(METRIC, system_a, system_b, references, method="mcnemar")
    assert (exact.value_a, exact.value_b) == (0.9, 0.4)
    assert exact.p_value < 0.01
    bootstrap = medmetrics.compare(METRIC, system_a, system_b, references, resamples=200, seed=1)
    assert bootstrap.difference == pytest.approx(0.5)


@pytest.mark.parametrize("case", CASES)
def test_regression(case: dict[str, Any]) -> None:
    result = METRIC.compute([case["prediction"]], [case["reference"]])
    assert result.value == float(case["correct"]), f"{case['note']}: {case['prediction']!r} vs {case['reference']!r}"


def test_regression_list_is_long_enough() -> None:
    assert len(CASES) >= 15


def test_conforms_merge_permutation_interval_json() -> None:
    predictions = [case.values[0]["prediction"] for case in CASES]
    references = [case.values[0]["reference"] for case in CASES]
    whole = check_metric(METRIC, predictions, references)
    assert whole.value == sum(case.values[0]["correct"] for case in CASES) / len(CASES)
