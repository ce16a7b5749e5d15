"""Longest common subsequences of token-id sequences, bit-parallel.

The classic dynamic programme is O(m x n) Python steps, which is what makes rouge-score slow.
Here each column of the table is one Python integer whose bits say where the table grows by one
going down (Hyyro's bit-vector algorithm), so a whole column is a handful of big-integer
operations: O(n) operations of m/64 machine words each.

Keeping the n column vectors is enough to read back one particular LCS: the table entry
``L[i][j]`` is ``i`` minus the set bits among the lowest ``i`` bits of column ``j``. The readers
below walk the table back exactly as rouge-score and the ``rouge`` package do, so the chosen
subsequence (which matters for summary-level ROUGE-L) is theirs, tie-breaking included.
"""

from __future__ import annotations

from collections.abc import Sequence


def position_masks(reference: Sequence[int]) -> dict[int, int]:
    """For each token, the bit mask of its positions in ``reference``."""
    masks: dict[int, int] = {}
    for position, token in enumerate(reference):
        masks[token] = masks.get(token, 0) | (1 << position)
    return masks


def lcs_length(reference: Sequence[int], candidate: Sequence[int]) -> int:
    """Length of the longest common subsequence."""
    if not reference or not candidate:
        return 0
    masks = position_masks(reference)
    full = (1 << len(reference)) - 1
    column = full
    for token in candidate:
        match = column & masks.get(token, 0)
        column = ((column + match) | (column - match)) & full
    return len(reference) - column.bit_count()


def _columns(reference: Sequence[int], candidate: Sequence[int], masks: dict[int, int]) -> list[int]:
    """Column bit vectors 0..n of the LCS table (column j after ``candidate[:j]``)."""
    full = (1 << len(reference)) - 1
    columns = [full]
    column = full
    for token in candidate:
        match = column & masks.get(token, 0)
        column = ((column + match) | (column - match)) & full
        columns.append(column)
    return columns


def lcs_positions(reference: Sequence[int], candidate: Sequence[int], *, up_on_tie: bool,
                  masks: dict[int, int] | None = None) -> list[int]:
    """Positions in ``reference`` of one LCS, read back from the bottom-right corner.

    On a match both indices step back; otherwise the walk moves to the larger neighbour. On a
    tie it moves up (``i - 1``) when ``up_on_tie`` (rouge-score's ``_backtrack_norec``) and left
    (``j - 1``) otherwise (the ``rouge`` package's ``_recon_lcs``). ``masks`` are
    ``position_masks(reference)``, when the caller reuses them for many candidates.
    """
    if not reference or not candidate:
        return []
    columns = _columns(reference, candidate, position_masks(reference) if masks is None else masks)

    def table(i: int, j: int) -> int:
        return i - (columns[j] & ((1 << i) - 1)).bit_count()

    i, j = len(reference), len(candidate)
    positions: list[int] = []
    while i > 0 and j > 0:
        if reference[i - 1] == candidate[j - 1]:
            positions.append(i - 1)
            i -= 1
            j -= 1
            continue
        left, up = table(i, j - 1), table(i - 1, j)
        if left > up or (left == up and not up_on_tie):
            j -= 1
        else:
            i -= 1
    positions.reverse()
    return positions
