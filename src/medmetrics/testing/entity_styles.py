"""Hypothesis strategies for entity data: BIO tag sequences and span sets, gold and predicted.

Predictions are drawn close to their gold (copied, retyped, shifted) as well as at random, so
that matches, partial matches and misses all occur; tag corpora keep each predicted sentence as
long as its gold one. Used by the ``seqeval`` and ``entity_f1`` tests against their peers, and
available to plugin authors for their own entity metrics.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from hypothesis import strategies as st

#: One mention: (type, start, end), half-open character offsets.
Span = tuple[str, int, int]


def tag(prefix: str, kind: str, suffix: bool = False) -> str:
    """``B-PER`` (or ``PER-B`` with ``suffix``); ``O`` stays ``O``."""
    return "O" if prefix == "O" else (f"{kind}-{prefix}" if suffix else f"{prefix}-{kind}")


def scheme_tags(prefixes: str, types: Sequence[str], suffix: bool = False) -> st.SearchStrategy[str]:
    """Tags of one scheme: ``prefixes`` such as ``"BI"`` (IOB2) or ``"BIES"`` (IOBES), plus ``O``."""
    return st.sampled_from(["O", *(tag(p, t, suffix) for p in prefixes for t in types)])


def tag_corpora(tags: st.SearchStrategy[str], max_sentences: int = 8,
                max_tokens: int = 8) -> st.SearchStrategy[tuple[list[list[str]], list[list[str]]]]:
    """(predictions, references): sentences of equal length per pair, some predictions copied from gold."""
    lengths = st.lists(st.integers(0, max_tokens), min_size=1, max_size=max_sentences)

    def build(sizes: list[int]) -> st.SearchStrategy[tuple[Any, Any, list[bool]]]:
        sentences = st.tuples(*(st.lists(tags, min_size=n, max_size=n) for n in sizes))
        return st.tuples(sentences, sentences, st.lists(st.booleans(), min_size=len(sizes), max_size=len(sizes)))

    def pair(drawn: tuple[Any, Any, list[bool]]) -> tuple[list[list[str]], list[list[str]]]:
        pred, gold, copy = drawn
        return [list(g if c else p) for p, g, c in zip(pred, gold, copy)], [list(g) for g in gold]

    return lengths.flatmap(build).map(pair)


@st.composite
def spans(draw: st.DrawFn, types: Sequence[str]) -> Span:
    """Short spans packed in 40 characters (overlaps, nesting, duplicates) and a few long ones,
    where nervaluate's 1%-of-gold overlap threshold starts to matter."""
    start = draw(st.integers(0, 30))
    length = draw(st.one_of(st.integers(1, 8), st.integers(1, 8), st.integers(95, 250)))
    return draw(st.sampled_from(list(types))), start, start + length


@st.composite
def predicted_from(draw: st.DrawFn, gold: list[Span], types: Sequence[str]) -> list[Span]:
    """Copies of gold spans (some retyped or shifted) mixed with random spans, in any order."""
    out: list[Span] = []
    for _ in range(draw(st.integers(0, 6))):
        copy_gold: bool = draw(st.booleans())
        if gold and copy_gold:
            kind, start, end = draw(st.sampled_from(gold))
            kind = draw(st.sampled_from([kind, kind, *types]))
            start = max(0, start + draw(st.sampled_from([0, 0, -2, 1])))
            end = max(start + 1, end + draw(st.sampled_from([0, 0, 3, -1])))
            out.append((kind, start, end))
        else:
            out.append(draw(spans(types)))
    return out


@st.composite
def span_corpora(draw: st.DrawFn, types: Sequence[str]) -> tuple[list[list[Span]], list[list[Span]]]:
    """(predictions, references): one list of mentions per document."""
    golds = draw(st.lists(st.lists(spans(types), max_size=6), min_size=1, max_size=4))
    return [draw(predicted_from(g, types)) for g in golds], golds
