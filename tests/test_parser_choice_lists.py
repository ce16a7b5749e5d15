"""Bracketed letters in a row are a list, on an answer line or after an anchor: BioMistral-NLU's
HoC answers are "(A) (E) (G)", which read as A alone before (two hallmarks silently dropped).
A second bracketed option further along an answer line is read too, unless it is set aside."""

from __future__ import annotations

import pytest

from medmetrics import get_parser, get_task

HOC = get_task("hoc")


@pytest.mark.parametrize("generation, letters", [
    ("(A) (E) (G)", ("A", "E", "G")),
    ("(A) (E) (G) ", ("A", "E", "G")),
    ("The answer is (A) (E).", ("A", "E")),
    ("(A) sustaining proliferative signaling (E) inducing angiogenesis", ("A", "E")),
    ("(A), (E)", ("A", "E")),
    ("(A)\n(E)", ("A", "E")),
    ("(C) resisting cell death, not (E)", ("C",)),
])
def test_hoc_reads_every_bracketed_hallmark(generation: str, letters: tuple[str, ...]) -> None:
    parsed = get_parser(HOC.parser, **dict(HOC.parser_options)).parse(generation)
    assert (parsed.status, parsed.value) == ("ok", letters)


@pytest.mark.parametrize("generation, status, value", [
    ("(A) (B)", "ambiguous", None),
    ("The answer is (B) (C)", "ambiguous", None),
    ("(A) fever (B) rash", "ambiguous", None),
    ("(B) fever", "ok", "B"),
    ("B) fever, not (C)", "ok", "B"),
    ("(B) fever rather than (C)", "ok", "B"),
    ("(B) fever; (C) is unlikely", "ok", "B"),
])
def test_a_single_choice_naming_two_bracketed_options_conflicts(generation: str, status: str, value) -> None:
    parsed = get_parser("choice", letters="ABCD").parse(generation)
    assert (parsed.status, parsed.value) == (status, value)


@pytest.mark.parametrize("generation, letter", [("The fever", "A"), ("A rash", "B"), ("a rash.", "B"),
                                                ("An cough", "C"), ("Rash", "B")])
def test_an_option_text_after_an_article_is_that_option(generation: str, letter: str) -> None:
    """MedINST's MedQA evaluator counts "The fever" right (SQuAD normalization drops articles); a
    line that is an option's text after an article names that option for our parser too."""
    parsed = get_parser("choice", options=["Fever", "Rash", "Cough", "Headache"]).parse(generation)
    assert (parsed.status, parsed.value, parsed.rule) == ("ok", letter, "option-text")
