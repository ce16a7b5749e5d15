"""The noise real models write around an answer, shared by every style module."""

from __future__ import annotations

from collections.abc import Sequence

from hypothesis import strategies as st


@st.composite
def surrounded(draw: st.DrawFn, answer: str, noise: Sequence[str], thinking: Sequence[str], *,
               prose_before: bool = True, explanation_after: bool = True) -> str:
    """``answer`` among chain-of-thought prose (``noise``: must name no answer), an optional
    ``<think>`` block (``thinking``: may name anything, it is masked), an optional explanation
    after it, and stray blank lines and spaces."""
    parts = []
    if draw(st.booleans()):
        parts.append("<think>" + " ".join(draw(st.lists(st.sampled_from(thinking), max_size=3))) + "</think>")
    before = draw(st.lists(st.sampled_from(noise), max_size=4)) if prose_before else []
    if before:
        parts.append(" ".join(before))
    parts.append(answer)
    after = draw(st.lists(st.sampled_from(noise), max_size=3)) if explanation_after else []
    if after:
        parts.append("Explanation: " + " ".join(after))
    gap = draw(st.sampled_from(("\n\n", "\n", "\n \n")))
    lead = draw(st.sampled_from(("", " ", "\n", "  \n")))
    tail = draw(st.sampled_from(("", "\n", " ", "\n\n")))
    return lead + gap.join(parts) + tail
