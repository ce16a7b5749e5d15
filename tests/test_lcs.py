"""The bit-parallel LCS against the textbook dynamic programme, ties included.

Summary-level ROUGE-L takes the union of one particular LCS per sentence pair, so the walk back
must choose exactly the subsequence rouge-score (up on a tie) and the ``rouge`` package (left on
a tie) choose; small alphabets make ties common.
"""

from __future__ import annotations

import numpy as np
from hypothesis import given, settings
from hypothesis import strategies as st

from medmetrics.metrics.generation import lcs as lcs_module
from medmetrics.metrics.generation.lcs import lcs_length, lcs_lengths, union_lcs_positions
from medmetrics.metrics.generation.tokenize import Packed


def _table(reference: list[int], candidate: list[int]) -> list[list[int]]:
    table = [[0] * (len(candidate) + 1) for _ in range(len(reference) + 1)]
    for i in range(1, len(reference) + 1):
        for j in range(1, len(candidate) + 1):
            if reference[i - 1] == candidate[j - 1]:
                table[i][j] = table[i - 1][j - 1] + 1
            else:
                table[i][j] = max(table[i - 1][j], table[i][j - 1])
    return table


def _walk(reference: list[int], candidate: list[int], up_on_tie: bool) -> list[int]:
    table = _table(reference, candidate)
    i, j, positions = len(reference), len(candidate), []
    while i > 0 and j > 0:
        if reference[i - 1] == candidate[j - 1]:
            positions.append(i - 1)
            i, j = i - 1, j - 1
        elif table[i][j - 1] > table[i - 1][j] or (table[i][j - 1] == table[i - 1][j] and not up_on_tie):
            j -= 1
        else:
            i -= 1
    return positions[::-1]


sequences = st.lists(st.integers(0, 4), max_size=90)  # over 64 tokens: columns wider than one machine word


@settings(max_examples=1500, deadline=None)
@given(sequences, sequences)
def test_length_and_one_pair_equal_the_dynamic_programme(reference: list[int], candidate: list[int]) -> None:
    assert lcs_length(reference, candidate) == _table(reference, candidate)[-1][-1]
    for up_on_tie in (True, False):
        positions = union_lcs_positions([reference], [candidate], up_on_tie=up_on_tie)
        assert positions == [set(_walk(reference, candidate, up_on_tie))]


@settings(max_examples=1000, deadline=None)
@given(st.lists(sequences, max_size=6), st.lists(sequences, max_size=6), st.booleans())
def test_union_of_every_sentence_pair(references: list[list[int]], candidates: list[list[int]],
                                      up_on_tie: bool) -> None:
    """One packed pass per candidate gives each reference sentence the union of its pairwise walks."""
    expected = [{p for candidate in candidates for p in _walk(reference, candidate, up_on_tie)}
                for reference in references]
    assert union_lcs_positions(references, candidates, up_on_tie=up_on_tie) == expected


@settings(max_examples=500, deadline=None)
@given(st.lists(st.tuples(sequences, sequences), max_size=12), st.data())
def test_lengths_of_a_batch_equal_each_pair(pairs: list[tuple[list[int], list[int]]], data: st.DataObject) -> None:
    """Short references (one machine word) in numpy, all at once; longer ones one by one; the
    pairs asked for only, the others 0."""
    references, candidates = [r for r, _ in pairs], [c for _, c in pairs]
    expected = [lcs_length(r, c) for r, c in pairs]
    assert lcs_lengths(references, candidates).tolist() == expected
    asked = sorted(data.draw(st.sets(st.integers(0, max(len(pairs) - 1, 0)))) if pairs else set())
    assert lcs_lengths(Packed.of(references), Packed.of(candidates), np.array(asked, dtype=np.int64)).tolist() == [
        expected[i] if i in asked else 0 for i in range(len(pairs))]


@settings(max_examples=100, deadline=None)
@given(st.lists(st.tuples(st.lists(st.integers(0, 3), min_size=1, max_size=63), sequences), min_size=1,
                max_size=40))
def test_lengths_in_chunks_equal_one_chunk(pairs: list[tuple[list[int], list[int]]]) -> None:
    """The match table is built in chunks of pairs (``_MATCH_CELLS``): any chunking, the same lengths."""
    references, candidates = [r for r, _ in pairs], [c for _, c in pairs]
    whole = lcs_lengths(references, candidates)
    cells, lcs_module._MATCH_CELLS = lcs_module._MATCH_CELLS, 64
    try:
        assert lcs_lengths(references, candidates).tolist() == whole.tolist()
    finally:
        lcs_module._MATCH_CELLS = cells
