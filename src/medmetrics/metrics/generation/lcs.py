"""Longest common subsequences of token-id sequences, bit-parallel.

The classic dynamic programme is O(m x n) Python steps, which is what makes rouge-score slow.
Here each column of the table is one Python integer whose set bits mark the rows where the table
does not grow going down (Hyyro's bit-vector algorithm), so a whole column is a handful of big-integer
operations: O(n) operations of m/64 machine words each.

Keeping the n column vectors is enough to read back one particular LCS: the table entry
``L[i][j]`` is ``i`` minus the set bits among the lowest ``i`` bits of column ``j``. ``union_lcs_positions``
walks the table back exactly as rouge-score and the ``rouge`` package do, so the chosen
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


def union_lcs_positions(references: Sequence[Sequence[int]], candidates: Sequence[Sequence[int]], *,
                        up_on_tie: bool = True) -> list[set[int]]:
    """For each reference sentence, the union over ``candidates`` of the positions of one LCS:
    the one read back from the bottom-right corner of the table, where on a match both indices
    step back and otherwise the walk moves to the larger neighbour, on a tie up (``i - 1``, as
    rouge-score's ``_backtrack_norec``, for summary-level ROUGE-L) or left (``j - 1``, as the
    ``rouge`` package's ``_recon_lcs``).

    All reference sentences share one bit vector per column, each in its own field with a zero
    guard bit above it: a carry out of one field stops in its guard bit and ``& full`` clears it
    (the subtraction never borrows, as ``match`` is a subset of ``column``), so one pass over a
    candidate computes its LCS table against every reference sentence at once.
    """
    unions: list[set[int]] = [set() for _ in references]
    offsets: list[int] = []
    masks: dict[int, int] = {}  # token -> its positions in every sentence's field
    full = offset = 0
    for sentence in references:
        offsets.append(offset)
        for position, token in enumerate(sentence):
            masks[token] = masks.get(token, 0) | (1 << (offset + position))
        full |= ((1 << len(sentence)) - 1) << offset
        offset += len(sentence) + 1
    for candidate in candidates:
        if not candidate:
            continue
        column, columns = full, [full]
        for token in candidate:
            match = column & masks.get(token, 0)
            column = ((column + match) | (column - match)) & full
            columns.append(column)
        for reference, start, union in zip(references, offsets, unions):
            # the walk in this sentence's field. Off a match it moves to a neighbour holding the
            # current value L[i][j] (``left``, which so drops only at matches, and the walk ends at
            # the last one); going up keeps it exactly when the column does not grow at row i
            # (bit i - 1 set): one bit test per step up on a tie, one count left on a tie
            i, j = len(reference), len(candidate)
            left = i - (columns[j] >> start & ((1 << i) - 1)).bit_count()
            while left:
                if reference[i - 1] == candidate[j - 1]:
                    union.add(i - 1)
                    i -= 1
                    j -= 1
                    left -= 1
                elif up_on_tie:
                    if columns[j] >> (start + i - 1) & 1:
                        i -= 1
                    else:
                        j -= 1
                elif i - (columns[j - 1] >> start & ((1 << i) - 1)).bit_count() == left:
                    j -= 1
                else:
                    i -= 1
    return unions
