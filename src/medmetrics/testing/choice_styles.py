"""Hypothesis strategies that write multiple-choice answers the way real models do.

Each strategy draws the answer first, then a rendering of it in one supported style, wrapped
in the noise models add around answers: chain-of-thought prose that names no option, a
``<think>`` block (which may name any option: it is masked), markdown, stray whitespace and
case. It returns ``(generation, context, expected)``, so a parser test is::

    @given(choice_generations())
    def test_round_trip(case):
        generation, context, expected = case
        assert ChoiceParser().parse(generation, **context).value == expected

Every rendering here is one a careful reader would read as ``expected``; if a parser gets one
wrong, the parser is wrong.
"""

from __future__ import annotations

import string
from typing import Any

from hypothesis import strategies as st

from medmetrics.testing.noise import surrounded

#: Option texts: medical terms that never occur inside the noise sentences below.
OPTION_TEXTS: tuple[str, ...] = (
    "Hypokalemia", "Aortic stenosis", "Acute pancreatitis", "Sarcoidosis", "Metformin", "Lisinopril",
    "Tuberculosis", "Iron deficiency anemia", "Migraine", "Gout", "Pneumothorax", "Appendicitis",
    "Hyperthyroidism", "Lupus nephritis", "Celiac disease", "Kawasaki disease", "Sustaining proliferative signaling",
    "Evading growth suppressors", "Resisting cell death", "Inducing angiogenesis", "Genomic instability and mutation",
    "Tumor promoting inflammation", "Avoiding immune destruction", "Warfarin", "Heparin", "Digoxin",
)

#: Chain-of-thought sentences that name no option letter, no option text and state no answer.
NOISE_SENTENCES: tuple[str, ...] = (
    "Let's think step by step.",
    "The patient's history and examination findings are the key to this question.",
    "We need to weigh the clinical features carefully.",
    "Considering the laboratory values, one diagnosis stands out.",
    "The timeline of symptoms matters here.",
    "First, recall the typical presentation of each condition.",
    "Several of the options can be excluded quickly.",
    "The abstract describes the experimental design in detail.",
    "Age, sex and exposure history all point in one direction.",
    "This question tests recognition of a classic pattern.",
    "Let me reconsider the vital signs before committing.",
    "Imaging results narrow the differential considerably.",
)

#: Reasoning a model may write inside <think>: it names options freely, since it is masked.
THINK_SENTENCES: tuple[str, ...] = (
    "Option A looks tempting at first.", "Maybe (B)? Or perhaps (C).", "The answer is D, no wait.",
    "Final answer: A. Hmm, not sure.", "I choose E... let me check again.", "B is correct? Let me verify.",
)

# Styles for one letter. ``{L}`` letter, ``{l}`` lowercase letter, ``{T}`` its option text.
_LETTER_STYLES: tuple[str, ...] = (
    "{L}", "({L})", "{L}.", "{L})", "**{L}**", "[{L}]", "\\boxed{{{L}}}", "$\\boxed{{{L}}}$", "Answer: {L}",
    "answer: {l}", "ANSWER: {L}", "**Answer:** {L}", "Answer: **{L}**", "Final answer: {L}",
    "The answer is {L}.", "The answer is ({L}).", "The correct answer is {L}.", "{L} is correct.",
    "I would choose {L}.", "Option {L}", "答案是 {L}", "Therefore, the answer is **{L}**.", "## Answer\n{L}",
    "The best answer is option {L}.", "My final answer: ({L})",
    # JSON answers, answers named inline, and the languages of MMedBench
    '{{"answer": "{L}"}}', "```json\n{{\"answer_choice\": \"{L}\"}}\n```", "{{'answer': '{L}'}}",
    "\\boxed{{\\text{{({L})}}}}", "corresponding to option '{L}'.", "Ans. is '{l}'", "La réponse est {L}.",
    "La respuesta correcta es la {L}.", "Ответ: {L}", "答えは{L}です", "正确答案：{L}", "정답은 {L}입니다",
    "The answer is most likely to be {L}.",
)
_TEXT_STYLES: tuple[str, ...] = (
    "The answer is ({L}) {T}", "The correct answer is {L}: {T}", "The right answer is {L}: {T}.", "{L}) {T}",
    "{L}. {T}", "{L}: {T}", "{T}", "{t}", "{T}.", "The answer is {T}.", "Answer: {t}", "**{L}. {T}**",
    "The most likely diagnosis is {T} (option {L}).", "The patient should receive {t} (Choice {L}).",
    "The best next step is option {L}: {T}.", "It is '{L}': {T}.", '{{"answer": "{L}. {T}"}}',
)
# Styles for a set of letters: {list} is filled by a list rendering.
_SET_STYLES: tuple[str, ...] = ("{list}", "Answer: {list}", "**Answer:** {list}", "The answer is {list}.")
_NONE_RENDERINGS: tuple[str, ...] = ("None", "none", "None of the above.", "Answer: none", "No hallmark")


def _letters(n: int) -> str:
    return string.ascii_uppercase[:n]


@st.composite
def _question(draw: st.DrawFn, min_options: int = 2, max_options: int = 8) -> tuple[list[str], dict[str, Any]]:
    """Option texts and the context that announces them (texts, letters only, or nothing)."""
    n = draw(st.integers(min_options, max_options))
    texts = draw(st.lists(st.sampled_from(OPTION_TEXTS), min_size=n, max_size=n, unique=True))
    known = draw(st.sampled_from(("options", "letters", "default")))
    if known == "default":
        texts = texts[:5] if len(texts) >= 5 else texts + [t for t in OPTION_TEXTS if t not in texts][: 5 - len(texts)]
        return texts, {}
    if known == "letters":
        return texts, {"letters": _letters(n)}
    return texts, {"options": texts}


def _wrap(answer: str) -> st.SearchStrategy[str]:
    return surrounded(answer, NOISE_SENTENCES, THINK_SENTENCES)


@st.composite
def choice_generations(draw: st.DrawFn) -> tuple[str, dict[str, Any], str]:
    """(generation, context, expected letter) for the ``choice`` parser."""
    texts, context = draw(_question())
    n = len(texts)
    index = draw(st.integers(0, n - 1))
    letter = _letters(n)[index]
    styles = _LETTER_STYLES + (_TEXT_STYLES if "options" in context else ())
    style = draw(st.sampled_from(styles))
    answer = style.format(L=letter, l=letter.lower(), T=texts[index], t=texts[index].lower())
    return draw(_wrap(answer)), context, letter


@st.composite
def explained_choice_generations(draw: st.DrawFn) -> tuple[str, dict[str, Any], str]:
    """(generation, context, expected letter) where the answer is given once and the other options
    are discussed and rejected: GPT-4's explain-every-option style, or a JSON answer whose
    reasoning field names the other options."""
    n = draw(st.integers(3, 5))
    texts = draw(st.lists(st.sampled_from(OPTION_TEXTS), min_size=n, max_size=n, unique=True))
    letters = _letters(n)
    index = draw(st.integers(0, n - 1))
    letter, text = letters[index], texts[index]
    others = [(x, t) for x, t in zip(letters, texts) if x != letter]
    rejections = draw(st.lists(st.sampled_from((
        "Option {X}: {T} is incorrect because the timeline does not fit.",
        "{T} (option {X}) is less likely given the examination findings.",
        "'{X}': {T} can be excluded, as the laboratory values are normal.",
        "Option {X} ({T}) is not consistent with the presentation.",
    )), min_size=len(others), max_size=len(others)))
    discussion = "\n\n".join(r.format(X=x, T=t) for r, (x, t) in zip(rejections, others))
    if draw(st.booleans()):
        reasoning = " ".join(f"({x}) {t} is unlikely." for x, t in others)
        generation = f'{{"step_by_step_thinking": "{reasoning}", "answer_choice": "{letter}"}}'
    else:
        opening = draw(st.sampled_from((
            "The most likely diagnosis is {T} (option {L}).", "This presentation corresponds to option '{L}'.",
            "The best next step is option {L}: {T}.", "It is '{L}': {T}.",
        ))).format(L=letter, T=text)
        turn = draw(st.sampled_from(("", "Why the other options are wrong:\n\n")))
        generation = f"{opening}\n\n{turn}{discussion}"
    return generation, {"options": texts}, letter


@st.composite
def choices_generations(draw: st.DrawFn) -> tuple[str, dict[str, Any], tuple[str, ...]]:
    """(generation, context, expected sorted letters) for the ``choices`` parser."""
    texts, context = draw(_question(max_options=10))
    letters = _letters(len(texts))
    chosen = sorted(draw(st.sets(st.integers(0, len(texts) - 1), max_size=len(texts))))
    expected = tuple(letters[i] for i in chosen)
    if not chosen:
        return draw(_wrap(draw(st.sampled_from(_NONE_RENDERINGS)))), context, ()
    picked = [letters[i] for i in chosen]
    named = [texts[i] for i in chosen]
    renderings = [
        ", ".join(picked), ", ".join(f"({x})" for x in picked), " and ".join(picked),
        ", ".join(picked[:-1]) + (" and " if len(picked) > 1 else "") + picked[-1],
    ]
    lines = ["\n".join(picked), "\n".join(f"- {x}" for x in picked)]
    if "options" in context:
        renderings += [", ".join(t.lower() for t in named), "; ".join(named)]
        lines += ["\n".join(f"- {t}" for t in named), "\n".join(f"{x}. {t}" for x, t in zip(picked, named))]
    if draw(st.booleans()):
        answer = draw(st.sampled_from(_SET_STYLES)).format(list=draw(st.sampled_from(renderings)))
    else:
        answer = draw(st.sampled_from(lines))
    return draw(_wrap(answer)), context, expected
