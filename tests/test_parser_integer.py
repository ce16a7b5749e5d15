"""The ``integer`` (alias ``score``) parser: properties, round trips, spans, rules and statuses."""

from __future__ import annotations

from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import medmetrics
from medmetrics.errors import InputError
from medmetrics.parsing.integer import NUMBER_WORDS, IntegerParser
from medmetrics.testing.conformance import ADVERSARIAL_GENERATIONS, check_parsed, check_parser
from medmetrics.testing.label_styles import integer_generations

PARSER = IntegerParser()
STS = {"low": 0, "high": 5}
BIOSSES = {"low": 0, "high": 4}
OPTIONS = ["0 (no similarity)", "1 (not equivalent, same topic)", "2 (not equivalent, some details shared)",
           "3 (roughly equivalent)", "4 (mostly equivalent)", "5 (completely equivalent)"]

contexts = st.builds(
    lambda low, width, rounding: {"low": low, "high": low + width, "rounding": rounding},
    st.integers(-10, 10), st.integers(0, 10), st.sampled_from([None, "nearest"]),
) | st.just({**STS, "options": OPTIONS})
answerish = st.lists(
    st.sampled_from(["Score:", "score of", "similarity", "rate", "I think", "I'd give it a", "out of", "/", "-", "−",
                     "0", "1", "2.5", "4", "5", "10", "four", "ten", "or", "to", "(E)", "E", "**", "<think>",
                     "</think>", "\n", " ", ".", ",", "is", "a", "The", "answer", "\\boxed{", "}"]),
    max_size=60,
).map(" ".join)
LONG_ADVERSARIAL = (
    "Score: " * 5000, "score of " * 4000, "1/" * 5000, "4 out of " * 3000, "1 " * 10000, "-" * 20000 + "1",
    "9" * 20000, "1." * 10000, "I think " * 4000, "rate this a " * 3000, "The score of " + "x " * 10000 + "is 3",
    "score" + " " * 20000 + "3", "0.5" * 5000, "four " * 5000,
)
#: the long strings take up to a second each: in the slow set (CI runs them)
LONG_CASES = [pytest.param(g, marks=pytest.mark.slow) for g in LONG_ADVERSARIAL]


# --- properties -----------------------------------------------------------------------------


@settings(max_examples=300, deadline=None, suppress_health_check=list(HealthCheck))
@given(generation=st.text() | answerish, context=contexts)
def test_never_raises(generation: str, context: dict[str, Any]) -> None:
    parsed = PARSER.parse(generation, **context)
    check_parsed(parsed, PARSER, generation)
    if parsed.answered:
        assert type(parsed.value) is int
        assert context["low"] <= parsed.value <= context["high"]


@settings(max_examples=500, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(integer_generations())
def test_round_trip(case: tuple[str, dict[str, Any], int]) -> None:
    generation, context, expected = case
    parsed = PARSER.parse(generation, **context)
    assert (parsed.value, parsed.status) == (expected, "ok"), parsed
    start, end = parsed.span
    written = generation[start:end]
    assert int(written) == expected if written.isdigit() else NUMBER_WORDS[written.lower()] == expected


@pytest.mark.parametrize("generation", [*ADVERSARIAL_GENERATIONS, *LONG_CASES], ids=lambda g: repr(g[:20]))
@pytest.mark.parametrize("context", [STS, BIOSSES, {**STS, "rounding": "nearest"}, {**STS, "options": OPTIONS}],
                         ids=["sts", "biosses", "nearest", "options"])
def test_adversarial_strings(context: dict[str, Any], generation: str) -> None:
    check_parsed(PARSER.parse(generation, **context), PARSER, generation)


def test_conformance() -> None:
    check_parser(IntegerParser(**STS))


def test_registered_as_score() -> None:
    assert medmetrics.get_parser("score", **STS).parse("Score: 4").value == 4


# --- what is read --------------------------------------------------------------------------


@pytest.mark.parametrize(("generation", "rule", "written"), [
    ("4", "whole", "4"),
    ("four", "whole", "four"),
    ("4/5", "whole", "4"),
    ("4 out of 5", "whole", "4"),
    ("Score: 4", "anchored", "4"),
    ("a score of 4", "anchored", "4"),
    ("Similarity: 4.", "anchored", "4"),
    ("I would rate this a 4", "anchored", "4"),
    ("The similarity score is **4**", "anchored", "4"),
    ("<think>Score: 2</think>\nScore: 4", "anchored", "4"),
    ("The score of these sentences is 4.", "anchored", "4"),
    ("Similarity score (0-5): 4", "anchored", "4"),
    ("I think four, since both report the same effect.", "anchored", "four"),
    ("4 - nearly equivalent", "leading", "4"),
    ("(E) 4 (mostly equivalent)", "leading", "4"),
    ("Both describe 4 out of 5 key facts, so they are close.", "fraction", "4"),
])
def test_span_and_rule(generation: str, rule: str, written: str) -> None:
    parsed = PARSER.parse(generation, **STS)
    assert (parsed.value, parsed.status, parsed.rule) == (4, "ok", rule), parsed
    assert generation[slice(*parsed.span)] == written


@pytest.mark.parametrize("generation", [
    "The two sentences share 2 concepts.",
    "I think 2 concepts overlap.",
    "1. The first sentence is about p53.\n2. The second is about MDM2.",
    "One of the sentences mentions dosage.",
    "On a scale of 0 to 5, it is hard to say.",
])
def test_unanchored_numbers_are_not_scores(generation: str) -> None:
    parsed = PARSER.parse(generation, **STS)
    assert parsed.status == "failed", parsed


def test_anchored_beats_whole_answer_beats_fraction_in_prose() -> None:
    assert PARSER.parse("4 out of 5 facts match. Score: 3", **STS).value == 3
    assert PARSER.parse("3\n\nThe two share 4 out of 5 facts.", **STS).value == 3


# --- checks on what was read ---------------------------------------------------------------


@pytest.mark.parametrize(("generation", "context", "reason"), [
    ("2.5", STS, "non-integer score 2.5"),
    ("Score: 7", STS, "score 7 outside [0, 5]"),
    ("-1", STS, "score -1 outside [0, 5]"),
    ("Score: −1", STS, "score -1 outside [0, 5]"),
    ("5", BIOSSES, "score 5 outside [0, 4]"),
    ("8/10", STS, "score 8/10 is on another scale than [0, 5]"),
    ("I'd give it a 4/5.", BIOSSES, "score 4/5 is on another scale than [0, 4]"),
])
def test_out_of_range_non_integer_and_other_scales_fail(generation: str, context: dict[str, Any],
                                                        reason: str) -> None:
    parsed = PARSER.parse(generation, **context)
    assert (parsed.value, parsed.status) == (None, "failed")
    assert parsed.reason == reason


@pytest.mark.parametrize(("generation", "expected"), [("2.5", 3), ("0.5", 1), ("4.49", 4), ("Score: 3.5", 4),
                                                      ("4.0", 4)])
def test_rounding_nearest_rounds_half_up(generation: str, expected: int) -> None:
    parsed = PARSER.parse(generation, rounding="nearest", **STS)
    assert (parsed.value, parsed.status) == (expected, "ok")
    assert parsed.reason == ("" if generation == "4.0" else f"rounded {generation.split()[-1]} to {expected}")


def test_integral_decimals_are_integers_without_rounding() -> None:
    assert PARSER.parse("Rating: 4.0", **STS).value == 4


def test_rounding_into_range_and_out_of_it() -> None:
    assert PARSER.parse("5.4", rounding="nearest", **STS).value == 5
    assert PARSER.parse("5.5", rounding="nearest", **STS).status == "failed"


@pytest.mark.parametrize(("generation", "candidates"), [
    ("Score: 2\nFinal score: 3", (2, 3)),
    ("The score is 2 or 3.", (2, 3)),
    ("score of 3-4", (3, 4)),
    ("Similarity: 3 to 4", (3, 4)),
    ("Score: 2.5, or rather score: 3", (2.5, 3)),
])
def test_conflicting_scores_are_ambiguous(generation: str, candidates: tuple[float, ...]) -> None:
    parsed = PARSER.parse(generation, **STS)
    assert (parsed.status, parsed.candidates) == ("ambiguous", candidates)


def test_agreeing_scores_are_one_answer() -> None:
    parsed = PARSER.parse("Score: 4\n\nFinal score: 4/5", **STS)
    assert (parsed.value, parsed.status) == (4, "ok")


# --- options -------------------------------------------------------------------------------


@pytest.mark.parametrize(("generation", "expected"), [
    ("E", 4), ("Answer: (B)", 1), ("The answer is F.", 5), ("(D) roughly equivalent", 3), ("Score: 2", 2),
])
def test_option_letters_map_to_their_scores(generation: str, expected: int) -> None:
    parsed = PARSER.parse(generation, options=OPTIONS, **STS)
    assert (parsed.value, parsed.status) == (expected, "ok"), parsed


def test_option_scores_are_read_from_many_styles() -> None:
    options = ["0", "Score 1: barely related", "very similar (score 2)", "3 - same meaning"]
    assert [PARSER.parse(letter, options=options, low=0, high=3).value for letter in "ABCD"] == [0, 1, 2, 3]


def test_conflicting_options_are_ambiguous() -> None:
    parsed = PARSER.parse("Answer: B or E", options=OPTIONS, **STS)
    assert (parsed.status, parsed.candidates) == ("ambiguous", (1, 4))


@pytest.mark.parametrize("options", [["no score here", "1"], ["1 or 2", "3"], ["7", "1"], "0,1,2", [], [1, 2]])
def test_options_without_one_score_in_range_are_input_errors(options: Any) -> None:
    with pytest.raises(InputError):
        PARSER.parse("A", options=options, **STS)


# --- statuses and settings -----------------------------------------------------------------


@pytest.mark.parametrize(("generation", "status"), [
    ("", "empty"), (" \n", "empty"), ("<think>score 3", "failed"), ("<think>3</think>", "failed"),
    ("I cannot rate these sentences.", "failed"),
])
def test_statuses(generation: str, status: str) -> None:
    parsed = PARSER.parse(generation, **STS)
    assert (parsed.value, parsed.status) == (None, status)
    assert parsed.reason


def test_range_is_required_at_parse_time() -> None:
    with pytest.raises(InputError, match="high"):
        IntegerParser(low=0).parse("3")
    with pytest.raises(InputError, match="low"):
        PARSER.parse("3", high=5)


@pytest.mark.parametrize("settings", [
    {"low": 5, "high": 0}, {"low": 0.0, "high": 5}, {"low": "0", "high": 5}, {"low": True, "high": 5},
    {"low": 0, "high": 5, "rounding": "up"}, {"low": 0, "high": 5, "options": "0-5"},
])
def test_malformed_settings_are_input_errors(settings: dict[str, Any]) -> None:
    with pytest.raises(InputError):
        IntegerParser(**settings)
    with pytest.raises(InputError):
        PARSER.parse("3", **settings)


def test_per_item_range_overrides_the_options() -> None:
    parser = IntegerParser(**BIOSSES)
    assert parser.parse("5").status == "failed"
    assert parser.parse("5", high=5).value == 5
