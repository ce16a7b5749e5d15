"""Hypothesis strategies that write labels and scores the way real models do.

Each strategy draws the value first (a label from a real task's label set, or a score in a
real range), then a rendering of it in one supported style, wrapped in the noise models add:
chain-of-thought prose that names no label and states no number, a ``<think>`` block (which may
name any label or number: it is masked), markdown, stray whitespace and case. It returns
``(generation, context, expected)``, so a parser test is::

    @given(label_generations())
    def test_round_trip(case):
        generation, context, expected = case
        assert LabelParser().parse(generation, **context).value == expected

Every rendering here is one a careful reader would read as ``expected``; if a parser gets one
wrong, the parser is wrong.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from typing import Any

from hypothesis import strategies as st

from medmetrics.testing.noise import surrounded

#: Label sets of real biomedical tasks (MedNLI, RTE-style, PubMedQA, SciFact, ChemProt, outcomes, DDI).
LABEL_SETS: tuple[tuple[str, ...], ...] = (
    ("entailment", "neutral", "contradiction"),
    ("entailment", "not_entailment"),
    ("yes", "no", "maybe"),
    ("Supports", "Refutes", "NOT ENOUGH INFO"),
    ("SUPPORT", "CONTRADICT", "NOINFO"),
    ("CPR:3", "CPR:4", "CPR:5", "CPR:6", "CPR:9", "false"),
    ("true", "false"),
    ("DDI-advise", "DDI-effect", "DDI-mechanism", "DDI-int", "DDI-false"),
)

#: Score ranges of real STS tasks (BIOSSES 0-4, the 0-5 STS convention, a 1-5 Likert scale).
SCORE_RANGES: tuple[tuple[int, int], ...] = ((0, 4), (0, 5), (1, 5))

#: Chain-of-thought sentences that name no label, use no negation and state no number.
NOISE_SENTENCES: tuple[str, ...] = (
    "Let me look at the key findings first.",
    "The premise describes a patient admitted with chest pain.",
    "The abstract reports a randomised, double blind trial.",
    "Both sentences discuss the role of the protein in cell signalling.",
    "I will compare the statements carefully.",
    "First, consider what the passage says about the intervention.",
    "The study enrolled adults with diabetes.",
    "The sentence describes how the compound acts on the enzyme.",
    "Several details of the methods matter here.",
    "The outcome was measured at discharge.",
)

#: Reasoning inside <think>: names labels and numbers freely, since it is masked.
THINK_SENTENCES: tuple[str, ...] = (
    "Is it entailment? Maybe neutral.", "The answer is yes, no wait.", "Supports or Refutes? Hmm.",
    "Score: 2? Or 3/5.", "I would rate this a 1.", "Final answer: contradiction... let me check.",
    "CPR:4 looks plausible, not CPR:9.", "It is not supported, or is it?",
)

# Styles for a label ``{X}`` (already spelt in a drawn variant).
_LABEL_STYLES: tuple[str, ...] = (
    "{X}", "{X}.", "**{X}**", "Answer: {X}", "answer: {X}", "ANSWER: {X}", "**Answer:** {X}", "Answer: **{X}**",
    "The answer is {X}.", "The answer is: {X}", "Label: {X}", "Final answer: {X}", "Final Answer: **{X}**",
    "The relation is {X}.", "\\boxed{{{X}}}", "I would say {X}.", "Therefore, the answer is **{X}**.",
    "## Answer\n{X}", "{X}\n\nExplanation: the evidence above decides it.", "Prediction: {X}",
)
# Styles for a score. ``{n}`` the number, ``{w}``/``{W}`` its word, ``{l}``-``{h}`` the range.
_SCORE_STYLES: tuple[str, ...] = (
    "Score: {n}", "score of {n}", "The similarity score is **{n}**", "Similarity: {n}.", "I would rate this a {n}",
    "I'd give it a {n}.", "Rating: {n}", "Final answer: {n}", "The score is {n} out of {h}",
    "Similarity score: {n}/{h}", "SCORE: {n}", "The answer is {n}.", "I think {n}", "Similarity score ({l}-{h}): {n}",
)
# Styles that are the whole answer or open it; prose before them would hide them.
_BARE_SCORE_STYLES: tuple[str, ...] = (
    "{n}", "{n}.", "**{n}**", "{w}", "{W}.", "{n}/{h}", "{n} out of {h}", "\\boxed{{{n}}}",
    "{n} - the sentences overlap in meaning as described.",
)
_NUMBER_WORDS = ("zero", "one", "two", "three", "four", "five", "six", "seven", "eight", "nine", "ten")


@st.composite
def _spelling(draw: st.DrawFn, label: str) -> str:
    """The label in a case and separator variant a model may write ("Not-Entailment")."""
    separator = draw(st.sampled_from((None, " ", "_", "-")))
    spelt = label if separator is None else re.sub(r"[\s_\-]+", separator, label)
    case = draw(st.sampled_from(("as is", "lower", "upper", "title")))
    if case == "lower":
        return spelt.lower()
    if case == "upper":
        return spelt.upper()
    if case == "title":
        return spelt.title()
    return spelt


def _wrap(answer: str, prose_before: bool = True) -> st.SearchStrategy[str]:
    return surrounded(answer, NOISE_SENTENCES, THINK_SENTENCES, prose_before=prose_before, explanation_after=False)


@st.composite
def label_generations(
    draw: st.DrawFn, label_sets: Sequence[Sequence[str]] = LABEL_SETS
) -> tuple[str, dict[str, Any], str]:
    """(generation, context, expected label) for the ``label`` parser."""
    labels = list(draw(st.sampled_from(label_sets)))
    label = draw(st.sampled_from(labels))
    answer = draw(st.sampled_from(_LABEL_STYLES)).format(X=draw(_spelling(label)))
    return draw(_wrap(answer)), {"labels": labels}, label


@st.composite
def integer_generations(
    draw: st.DrawFn, ranges: Sequence[tuple[int, int]] = SCORE_RANGES
) -> tuple[str, dict[str, Any], int]:
    """(generation, context, expected score) for the ``integer`` parser."""
    low, high = draw(st.sampled_from(ranges))
    value = draw(st.integers(low, high))
    word = _NUMBER_WORDS[value]
    bare = draw(st.booleans())
    style = draw(st.sampled_from(_BARE_SCORE_STYLES if bare else _SCORE_STYLES))
    answer = style.format(n=value, w=word, W=word.title(), l=low, h=high)
    return draw(_wrap(answer, prose_before=not bare)), {"low": low, "high": high}, value
