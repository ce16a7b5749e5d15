"""The ``number`` parser: real-valued scores (BIOSSES, ClinicalSTS), and ``integer`` as number plus a check."""

from __future__ import annotations

import math
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import medmetrics
from medmetrics.errors import InputError
from medmetrics.parsing.integer import IntegerParser
from medmetrics.parsing.number import NumberParser
from medmetrics.testing.conformance import ADVERSARIAL_GENERATIONS, check_parsed, check_parser
from medmetrics.testing.label_styles import integer_generations

PARSER = NumberParser()
BIOSSES = {"low": 0, "high": 4}
STS = {"low": 0, "high": 5}
OPTIONS = ["0 (unrelated)", "1.5 (same topic)", "2.5 (some details shared)", "4 (equivalent)"]

contexts = st.builds(
    lambda low, width: {"low": low, "high": low + width},
    st.integers(-10, 10) | st.floats(-10, 10), st.integers(0, 10) | st.floats(0, 10),
) | st.just({**BIOSSES, "options": OPTIONS})
answerish = st.lists(
    st.sampled_from(["Score:", "Output:", "score of", "similarity", "rate", "I think", "about", "~", "out of", "/",
                     "-", "−", "0", "1", "2.5", "3.75", "4", "4.0", "5", "10", "four", "or", "to", "(B)", "B", "**",
                     "<think>", "</think>", "\n", " ", ".", ",", "is", "a", "points", "concepts", "The", "answer"]),
    max_size=60,
).map(" ".join)
LONG_ADVERSARIAL = (
    "Score: " * 5000, "about " * 5000, "~" * 20000 + "1", "2.5/" * 5000, "1.5 out of " * 3000, "1.5 " * 10000,
    "9" * 20000, "1." * 10000, "0.5" * 5000, "score of about " * 3000, "Output: ~" * 3000,
)
#: the long strings take up to a second each: in the slow set (CI runs them)
LONG_CASES = [pytest.param(g, marks=pytest.mark.slow) for g in LONG_ADVERSARIAL]


# --- properties -----------------------------------------------------------------------------


@settings(max_examples=300, deadline=None, suppress_health_check=list(HealthCheck))
@given(generation=st.text() | answerish, context=contexts)
def test_never_raises_and_answers_a_float_in_range(generation: str, context: dict[str, Any]) -> None:
    parsed = PARSER.parse(generation, **context)
    check_parsed(parsed, PARSER, generation)
    if parsed.answered:
        assert type(parsed.value) is float
        assert context["low"] <= parsed.value <= context["high"]
    assert all(type(c) is float for c in parsed.candidates)


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(integer_generations())
def test_reads_every_integer_style_as_a_float(case: tuple[str, dict[str, Any], int]) -> None:
    generation, context, expected = case
    parsed = PARSER.parse(generation, **context)
    assert (parsed.value, parsed.status) == (expected, "ok"), parsed
    assert type(parsed.value) is float


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(tenths=st.integers(0, 40),
       style=st.sampled_from(["{n}", "Output: {n}", "Score: {n}/4", "{n} out of 4", "The similarity score is **{n}**.",
                              "I would rate it {n}", "about {n}", "Similarity (0-4): {n} - mostly equivalent",
                              "<think>Score: 1.5?</think>\nScore: {n}"]))
def test_round_trip_of_decimals(tenths: int, style: str) -> None:
    written = f"{tenths / 10:g}"
    generation = style.format(n=written)
    parsed = PARSER.parse(generation, **BIOSSES)
    assert (parsed.value, parsed.status) == (tenths / 10, "ok"), parsed
    assert generation[slice(*parsed.span)] == written


@settings(max_examples=300, deadline=None, suppress_health_check=list(HealthCheck))
@given(st.lists(st.sampled_from(["Score:", "score of", "similarity", "rate", "I think", "-", "or", "0", "1", "2.5",
                                 "3.0", "4", "7", "four", "(B)", "**", "\n", " ", ".", ",", "is", "concepts"]),
                max_size=30).map(" ".join))
def test_integer_is_number_plus_the_integer_check(generation: str) -> None:
    """Without estimates or scales (the only grammar differences), the two differ only on non-integers."""
    number, integer = PARSER.parse(generation, **STS), IntegerParser(**STS).parse(generation)
    if number.status == "ok" and not number.value.is_integer():
        assert (integer.status, integer.reason) == ("failed", f"non-integer score {number.value:g}")
        return
    assert (number.status, number.value, number.span) == (integer.status, integer.value, integer.span)
    assert number.candidates == tuple(float(c) for c in integer.candidates)


@pytest.mark.parametrize("generation", [*ADVERSARIAL_GENERATIONS, *LONG_CASES], ids=lambda g: repr(g[:20]))
@pytest.mark.parametrize("context", [BIOSSES, {"low": 0.5, "high": 4.5}, {**BIOSSES, "options": OPTIONS}],
                         ids=["biosses", "float-bounds", "options"])
def test_adversarial_strings(context: dict[str, Any], generation: str) -> None:
    check_parsed(PARSER.parse(generation, **context), PARSER, generation)


def test_conformance() -> None:
    check_parser(NumberParser(**BIOSSES))


def test_registered() -> None:
    parser = medmetrics.get_parser("number", **BIOSSES)
    assert parser.signature == "number@2(high=4,low=0)"
    assert parser.parse("Output: 2.5").value == 2.5


# --- what is read --------------------------------------------------------------------------


@pytest.mark.parametrize(("generation", "expected", "rule", "written"), [
    ("Output: 2.5", 2.5, "anchored", "2.5"),
    ("2.5", 2.5, "whole", "2.5"),
    ("Score: 3", 3.0, "anchored", "3"),
    ("Score: 3.2/4", 3.2, "anchored", "3.2"),
    ("3.5 out of 4", 3.5, "whole", "3.5"),
    ("The similarity score is 3.5 out of 4", 3.5, "anchored", "3.5"),
    ("I would rate it 2.8", 2.8, "anchored", "2.8"),
    ("three", 3.0, "whole", "three"),
    ("about 2.5", 2.5, "whole", "2.5"),
    ("Similarity: ~2.5", 2.5, "anchored", "2.5"),
    ("**Similarity score:** 1.75", 1.75, "anchored", "1.75"),
    ("Score: 3.2 points", 3.2, "anchored", "3.2"),
    ("Output: 2.50\n\nExplanation: both sentences report p53 loss in tumours.", 2.5, "anchored", "2.50"),
    ("2.5 (some details shared)", 2.5, "leading", "2.5"),
    ("Answer: 2.5/4.0", 2.5, "anchored", "2.5"),
    ("Both state 3.5 out of 4 findings, so they are close.", 3.5, "fraction", "3.5"),
])
def test_span_and_rule(generation: str, expected: float, rule: str, written: str) -> None:
    parsed = PARSER.parse(generation, **BIOSSES)
    assert (parsed.value, parsed.status, parsed.rule) == (expected, "ok", rule), parsed
    assert type(parsed.value) is float
    assert generation[slice(*parsed.span)] == written


@pytest.mark.parametrize(("generation", "reason"), [
    ("The score is 4.5", "score 4.5 outside [0, 4]"),
    ("Score: 7", "score 7 outside [0, 4]"),
    ("-1", "score -1 outside [0, 4]"),
    ("Output: −0.5", "score -0.5 outside [0, 4]"),
    ("8/10", "score 8/10 is on another scale than [0, 4]"),
    ("Score: 2.5/5.0", "score 2.5/5.0 is on another scale than [0, 4]"),
    ("I'd give it 3 out of 5.", "score 3/5 is on another scale than [0, 4]"),
    ("the sentences share 2 concepts", "no score statement or number answer found"),
    ("I think 2 concepts overlap.", "no score statement or number answer found"),
    ("About 3 of the findings overlap.", "no score statement or number answer found"),
])
def test_out_of_range_other_scales_and_prose_fail(generation: str, reason: str) -> None:
    parsed = PARSER.parse(generation, **BIOSSES)
    assert (parsed.value, parsed.status, parsed.reason) == (None, "failed", reason)


@pytest.mark.parametrize(("generation", "candidates"), [
    ("2-3", (2.0, 3.0)),
    ("The score is 2.5-3.0", (2.5, 3.0)),
    ("Score: 2.5\nFinal score: 3", (2.5, 3.0)),
])
def test_conflicting_scores_are_ambiguous_with_float_candidates(generation: str, candidates: tuple) -> None:
    parsed = PARSER.parse(generation, **BIOSSES)
    assert (parsed.status, parsed.candidates) == ("ambiguous", candidates)
    assert all(type(c) is float for c in parsed.candidates)


def test_agreeing_scores_are_one_answer() -> None:
    assert PARSER.parse("Score: 3\n\nFinal score: 3.0/4", **BIOSSES).value == 3.0


# --- options and settings ------------------------------------------------------------------


@pytest.mark.parametrize(("generation", "expected"), [("B", 1.5), ("Answer: (C)", 2.5), ("D", 4.0), ("Score: 2", 2.0)])
def test_option_letters_map_to_their_real_scores(generation: str, expected: float) -> None:
    parsed = PARSER.parse(generation, options=OPTIONS, **BIOSSES)
    assert (parsed.value, parsed.status) == (expected, "ok"), parsed
    assert type(parsed.value) is float


@pytest.mark.parametrize("options", [["no score", "1"], ["4.5"], ["1 or 2", "3"]])
def test_options_without_one_score_in_range_are_input_errors(options: list[str]) -> None:
    with pytest.raises(InputError):
        PARSER.parse("A", options=options, **BIOSSES)


def test_float_bounds() -> None:
    parser = NumberParser(low=0.5, high=4.5)
    assert parser.parse("4.5").value == 4.5
    assert parser.parse("Score: 3/4.5").value == 3.0
    assert parser.parse("0.25").reason == "score 0.25 outside [0.5, 4.5]"


@pytest.mark.parametrize("settings", [
    {"low": 4, "high": 0}, {"low": "0", "high": 4}, {"low": True, "high": 4}, {"low": 0, "high": math.inf},
    {"low": math.nan, "high": 4}, {"low": 0, "high": 4, "rounding": "nearest"}, {"low": 0, "high": 4, "options": "0-4"},
])
def test_malformed_settings_are_input_errors(settings: dict[str, Any]) -> None:
    with pytest.raises(InputError):
        NumberParser(**settings)
    with pytest.raises(InputError):
        PARSER.parse("3", **settings)


def test_range_is_required_at_parse_time() -> None:
    with pytest.raises(InputError, match="high"):
        NumberParser(low=0).parse("3")


@pytest.mark.parametrize(("generation", "status"), [("", "empty"), ("<think>Score: 3", "failed")])
def test_statuses(generation: str, status: str) -> None:
    parsed = PARSER.parse(generation, **BIOSSES)
    assert (parsed.value, parsed.status) == (None, status)
    assert parsed.reason


# --- tasks -----------------------------------------------------------------------------------


@pytest.mark.parametrize(("task", "high"), [("biosses", 4), ("clinicalsts", 5), ("medinst_biosses", 5)])
def test_similarity_tasks_read_real_scores(task: str, high: int) -> None:
    report = medmetrics.evaluate(task, ["Output: 2.5", "Score: 3", f"{high}.5", "1.25"], [2.4, 3.2, 1.0, 1.0])
    assert [p.value for p in report.parsed] == [2.5, 3.0, None, 1.25]
    assert report.parsed[2].reason == f"score {high}.5 outside [0, {high}]"
    assert report["pearson"].n_failed == 1
