"""The ``patient_age_sex`` parser: the rules, the statuses, the regression list and the test kit."""

from __future__ import annotations

from typing import Any

import medmetrics
import pytest
from medmetrics.testing.conformance import check_parser, check_parser_never_raises

from example_cases import regression_cases
from medmetrics_example.parsers import PatientAgeSexParser, years

PARSER = PatientAgeSexParser()


def answer(age: float | None, sex: str | None) -> dict[str, Any]:
    return {"age_years": age, "sex": sex}


@pytest.mark.parametrize(("generation", "expected"), [
    ("A 45-year-old woman", answer(45.0, "female")),
    ("45 y/o M", answer(45.0, "male")),
    ("45 y.o. Male presented with fever.", answer(45.0, "male")),
    ("Age: 45 years, Sex: Female", answer(45.0, "female")),
    ("18-month-old boy", answer(1.5, "male")),
    ("The patient is a 3-week-old infant girl", answer(0.0575, "female")),
    ("female, 60 years", answer(60.0, "female")),
    ("60/F", answer(60.0, "female")),
    ("A forty-five-year-old man", answer(45.0, "male")),
    ("A 2-year, 3-month-old boy", answer(2.25, "male")),
    ("The patient is 6 months old and male.", answer(0.5, "male")),
    ("Age: 45 yrs; Gender: M", answer(45.0, "male")),
    ("45F, nonsmoker", answer(45.0, "female")),
    ("A 2-day-old newborn boy", answer(0.0055, "male")),
])
def test_reads_age_and_sex(generation: str, expected: dict[str, Any]) -> None:
    parsed = PARSER.parse(generation)
    assert (parsed.value, parsed.status) == (expected, "ok"), parsed


@pytest.mark.parametrize(("generation", "expected", "missing"), [
    ("newborn", answer(0.0, None), "sex"),
    ("aged 72", answer(72.0, None), "sex"),
    ("The patient is a woman with lupus.", answer(None, "female"), "age"),
])
def test_one_field_is_partial_and_says_which_is_missing(generation: str, expected: dict[str, Any],
                                                       missing: str) -> None:
    parsed = PARSER.parse(generation)
    assert (parsed.value, parsed.status, parsed.reason) == (expected, "partial", f"no {missing} found")


@pytest.mark.parametrize(("generation", "candidates"), [
    ("Age: 45\nAge: 50\nSex: F", (45.0, 50.0)),
    ("Sex: M/F, Age: 3", ("female", "male")),
    ("A 45-year-old or 50-year-old man", (45.0, 50.0)),
    ("Age: 3-4 months", (0.25, 0.3333)),
])
def test_two_answers_are_ambiguous_with_candidates(generation: str, candidates: tuple[Any, ...]) -> None:
    parsed = PARSER.parse(generation)
    assert (parsed.value, parsed.status, parsed.candidates) == (None, "ambiguous", candidates)
    assert parsed.reason.startswith("conflicting")


@pytest.mark.parametrize(("generation", "status", "reason"), [
    ("", "empty", "empty generation"),
    ("The text does not say.", "failed", "no age or sex of a patient found"),
    ("<think>a 30-year-old", "failed", "only an unfinished reasoning block"),
])
def test_no_answer_fails_with_a_reason(generation: str, status: str, reason: str) -> None:
    parsed = PARSER.parse(generation)
    assert (parsed.value, parsed.status, parsed.reason) == (None, status, reason)


def test_labeled_fields_beat_prose() -> None:
    parsed = PARSER.parse("The report mentions a 70-year-old man.\nAge: 45\nSex: female")
    assert parsed.value == answer(45.0, "female")
    assert parsed.rule == "age:age-label,sex:sex-label"


def test_only_the_first_sentence_answers_and_relatives_are_not_the_patient() -> None:
    assert PARSER.parse("A 45-year-old woman. Her 70-year-old father had cancer.").value == answer(45.0, "female")
    assert PARSER.parse("A 3-week-old girl born to a 30-year-old mother.").value == answer(0.0575, "female")


def test_age_at_an_earlier_event_does_not_compete() -> None:
    parsed = PARSER.parse("A 45-year-old woman diagnosed with lupus at the age of 30.")
    assert parsed.value == answer(45.0, "female")


def test_reasoning_is_masked_and_the_span_points_into_the_generation() -> None:
    generation = "<think>a 30-year-old man?</think>\nThe patient is a 45-year-old woman."
    parsed = PARSER.parse(generation)
    assert parsed.value == answer(45.0, "female")
    assert parsed.span is not None
    assert generation[parsed.span[0]:parsed.span[1]] == "45-year-old woman"


def test_gestational_age_is_not_the_age() -> None:
    assert PARSER.parse("Gestational age: 32 weeks. A newborn girl.").value == answer(0.0, "female")


def test_an_implausible_age_is_not_read() -> None:
    assert PARSER.parse("A 150-year-old tradition").status == "failed"
    assert PatientAgeSexParser(max_age_years=200).parse("A 150-year-old man").value == answer(150.0, "male")


@pytest.mark.parametrize("limit", [0, -1, "old", True, None])
def test_a_bad_option_is_an_input_error(limit: object) -> None:
    with pytest.raises(medmetrics.InputError, match="max_age_years"):
        PatientAgeSexParser(max_age_years=limit)


def test_value_is_json_native_and_rounded() -> None:
    parsed = PARSER.parse("A 10-day-old boy")
    assert parsed.to_dict()["value"] == {"age_years": 0.0274, "sex": "male"}


@pytest.mark.parametrize(("quantity", "expected"), [
    ("45", 45.0), ("18 months", 1.5), ("3 weeks", 0.0575), ("2 years and 3 months", 2.25), ("forty-five", 45.0),
    ("36 hours", 0.0041),
])
def test_years(quantity: str, expected: float) -> None:
    assert years(quantity) == expected


@pytest.mark.parametrize("case", regression_cases("patient_age_sex"))
def test_regression(case: dict[str, Any]) -> None:
    got = PARSER.parse(case["generation"]).to_dict()
    assert (got["value"], got["status"]) == (case["expected"]["value"], case["expected"]["status"]), (
        f"{case['note']}\n  generation: {case['generation']!r}\n  got: {got}")


def test_regression_list_is_long_enough() -> None:
    assert len(regression_cases("patient_age_sex")) >= 15


def test_conforms_on_adversarial_and_regression_generations() -> None:
    check_parser(PARSER)
    check_parser(PARSER, [case.values[0]["generation"] for case in regression_cases("patient_age_sex")])


def test_never_raises_on_any_string() -> None:
    check_parser_never_raises(PARSER, max_examples=300)
