"""The ``choice`` and ``choices`` parsers: properties, round trips, spans, rules and statuses."""

from __future__ import annotations

from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from medmetrics.errors import InputError
from medmetrics.parsing.choice import ChoiceParser, ChoicesParser
from medmetrics.testing.choice_styles import (
    OPTION_TEXTS,
    choice_generations,
    choices_generations,
    explained_choice_generations,
)
from medmetrics.testing.conformance import ADVERSARIAL_GENERATIONS, check_parsed

CHOICE = ChoiceParser()
CHOICES = ChoicesParser()
SYMPTOMS = ["Cough", "Fever", "Rash", "Headache"]

contexts = st.one_of(
    st.just({}),
    st.builds(lambda n: {"letters": "ABCDEFGHIJKLMNOPQRSTUVWXYZ"[:n]}, st.integers(1, 26)),
    st.builds(lambda texts: {"options": texts}, st.lists(st.text(max_size=30), min_size=1, max_size=12)),
    st.builds(lambda texts: {"options": texts}, st.lists(st.sampled_from(OPTION_TEXTS), min_size=1, max_size=10)),
)
# Text made of the characters the rules look at, so Hypothesis reaches the rules' corners.
answerish = st.text(alphabet=" \n\t()[]*:.,;-ABCDEabcde0123456789<>/\\{}thinkAnswerIsorandnot答案是选", max_size=300)
LONG_ADVERSARIAL = (
    "Answer: " * 5000, "The answer is " * 3000, "(A" * 5000, "A, " * 5000, "A and " * 4000, " " * 20000 + "B",
    "B is correct " * 2000, "<think>" * 3000, "\\boxed{" * 3000, "**" * 5000, "答案是" * 5000,
    "fever, " * 4000, "not fever " * 3000, "A. x\n" * 4000, "Answer:\n" + "\n" * 20000 + "B",
)
#: the long strings take up to a second each: in the slow set (CI runs them)
LONG_CASES = [pytest.param(g, marks=pytest.mark.slow) for g in LONG_ADVERSARIAL]


def _ok_span(generation: str, parsed: Any) -> None:
    start, end = parsed.span
    assert 0 <= start < end <= len(generation)


@settings(max_examples=300, deadline=None, suppress_health_check=list(HealthCheck))
@given(generation=st.text() | answerish, context=contexts)
def test_choice_never_raises(generation: str, context: dict[str, Any]) -> None:
    check_parsed(CHOICE.parse(generation, **context), CHOICE, generation)


@settings(max_examples=300, deadline=None, suppress_health_check=list(HealthCheck))
@given(generation=st.text() | answerish, context=contexts, allow_empty=st.booleans())
def test_choices_never_raises(generation: str, context: dict[str, Any], allow_empty: bool) -> None:
    check_parsed(CHOICES.parse(generation, allow_empty=allow_empty, **context), CHOICES, generation)


@pytest.mark.parametrize("generation", [*ADVERSARIAL_GENERATIONS, *LONG_CASES], ids=lambda g: repr(g[:20]))
@pytest.mark.parametrize("parser", [CHOICE, CHOICES], ids=["choice", "choices"])
def test_adversarial_strings(parser: ChoiceParser | ChoicesParser, generation: str) -> None:
    for context in ({}, {"options": SYMPTOMS}, {"options": ["fever", "fever and rash", "rash"]}):
        check_parsed(parser.parse(generation, **context), parser, generation)


@settings(max_examples=500, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(choice_generations())
def test_choice_round_trip(case: tuple[str, dict[str, Any], str]) -> None:
    generation, context, expected = case
    parsed = CHOICE.parse(generation, **context)
    assert (parsed.value, parsed.status) == (expected, "ok"), parsed
    _ok_span(generation, parsed)


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(explained_choice_generations())
def test_explained_answers_read_the_answer_not_the_rejected_options(case: tuple[str, dict[str, Any], str]) -> None:
    generation, context, expected = case
    parsed = CHOICE.parse(generation, **context)
    assert (parsed.value, parsed.status) == (expected, "ok"), (generation, parsed)
    _ok_span(generation, parsed)


@settings(max_examples=500, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(choices_generations())
def test_choices_round_trip(case: tuple[str, dict[str, Any], tuple[str, ...]]) -> None:
    generation, context, expected = case
    parsed = CHOICES.parse(generation, **context)
    assert (parsed.value, parsed.status) == (expected, "ok"), parsed


# --- spans and rules ----------------------------------------------------------------------


@pytest.mark.parametrize(("generation", "rule", "answer_text"), [
    ("Answer: B", "anchored-letter", "B"),
    ("<think>(A) maybe</think>\nThe answer is **(C)**.", "anchored-letter", "C"),
    ("The answer is fever.", "anchored-text", "fever"),
    ("B is correct.", "anchored-letter", "B"),
    ("Final answer: $\\boxed{D}$", "boxed", "D"),
    ("Explanation first.\n\n(B)", "line-letter", "B"),
    ("  Fever.\n", "option-text", "Fever"),
    ("I think (D) fits, given the timeline.", "paren-letter", "D"),
    ("The picture fits a **C** here.", "bold-letter", "C"),
    ("It might be B.", "weak-anchor", "B"),
    ("I think it's (C), given the timeline.", "weak-anchor", "C"),
])
def test_span_points_at_the_answer_in_the_original(generation: str, rule: str, answer_text: str) -> None:
    parsed = CHOICE.parse(generation, options=SYMPTOMS)
    assert parsed.status == "ok", parsed
    assert parsed.rule == rule
    start, end = parsed.span
    assert generation[start:end] == answer_text


def test_span_of_choices_covers_the_items() -> None:
    generation = "Reasoning.\nAnswer: A, C"
    parsed = CHOICES.parse(generation, letters="ABCDE")
    assert parsed.value == ("A", "C")
    assert generation[slice(*parsed.span)] == "A, C"


# --- statuses and reasons -----------------------------------------------------------------


@pytest.mark.parametrize(("generation", "status", "reason_part"), [
    ("", "empty", "empty"),
    (" \n\t", "empty", "empty"),
    ("<think>so the answer is B", "failed", "unfinished reasoning"),
    ("I cannot answer that.", "failed", "no option"),
    ("Answer: E", "failed", "E is not among the options (A-D)"),
    ("Answer: none of the above", "failed", "none"),
    ("Cough\nFever\nRash\nHeadache", "ambiguous", "conflicting"),
    ("A. Cough\nB. Fever\nC. Rash\nD. Headache", "failed", "echo"),
    ("Answer: A patient like this needs rest.", "failed", "answer statement"),
])
def test_statuses_and_reasons(generation: str, status: str, reason_part: str) -> None:
    parsed = CHOICE.parse(generation, options=SYMPTOMS)
    assert parsed.status == status, parsed
    assert reason_part in parsed.reason
    assert parsed.value is None


def test_ambiguous_lists_the_candidates() -> None:
    parsed = CHOICE.parse("Answer: B\n...\nFinal answer: D")
    assert (parsed.status, parsed.candidates) == ("ambiguous", ("B", "D"))


def test_anchored_answer_beats_lines_and_prose() -> None:
    assert CHOICE.parse("(A) and (C) are plausible.\nD\nThe answer is B.").value == "B"
    assert CHOICE.parse("(A) and (C) are plausible.\nD").value == "D"


def test_choices_partial_and_empty() -> None:
    partial = CHOICES.parse("Answer: A, C, F", letters="ABCDE")
    assert (partial.value, partial.status) == (("A", "C"), "partial")
    assert "F" in partial.reason
    assert CHOICES.parse("None of the above").value == ()
    refused = ChoicesParser(allow_empty=False).parse("None of the above")
    assert refused.status == "failed" and "allow_empty" in refused.reason


def test_none_option_text_is_an_option() -> None:
    options = ["Fever", "Rash", "None of the above"]
    assert CHOICES.parse("None of the above", options=options).value == ("C",)
    assert CHOICE.parse("None of the above", options=options).value == "C"


def test_choices_negated_mentions() -> None:
    options = ["inducing angiogenesis", "evading growth suppressors", "resisting cell death"]
    text = "The tumour is not inducing angiogenesis, but it is evading growth suppressors."
    assert CHOICES.parse(text, options=options).value == ("B",)


def test_option_text_match_ignores_case_spacing_and_separators() -> None:
    options = ["Non-small cell lung cancer", "Small cell lung cancer"]
    for generation in ("non small cell lung cancer", "NON-SMALL-CELL LUNG CANCER.",
                       "Answer: non-small cell lung cancer"):
        assert CHOICE.parse(generation, options=options).value == "A", generation


def test_option_texts_carrying_their_own_letter() -> None:
    assert CHOICE.parse("fever", options=["A. cough", "B. fever"]).value == "B"


def test_letters_option_and_defaults() -> None:
    assert CHOICE.parse("Answer: E").value == "E"  # default letters ABCDE
    assert CHOICE.parse("Answer: E", letters="ABCD").status == "failed"
    assert CHOICE.parse("Answer: G", letters=["A", "G"]).value == "G"
    assert ChoiceParser(letters="abc").parse("(c)").value == "C"


@pytest.mark.parametrize("context", [
    {"options": "fever"}, {"options": [1, 2]}, {"options": []}, {"letters": ""}, {"letters": "AB1"},
    {"letters": "ABA"}, {"letters": 5}, {"options": ["x"] * 3, "letters": "AB"}, {"options": ["x"] * 27},
])
def test_malformed_context_is_an_input_error(context: dict[str, Any]) -> None:
    with pytest.raises(InputError):
        CHOICE.parse("Answer: A", **context)


def test_malformed_allow_empty_is_an_input_error() -> None:
    with pytest.raises(InputError):
        ChoicesParser(allow_empty="yes")


def test_spans_stay_right_when_folding_changes_the_length() -> None:
    generation = "Straße und Maß. The answer is fever."  # casefold turns each ß into ss
    parsed = CHOICE.parse(generation, options=SYMPTOMS)
    assert parsed.value == "B"
    assert generation[slice(*parsed.span)] == "fever"
