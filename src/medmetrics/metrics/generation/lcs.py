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

import numpy as np

from medmetrics.metrics.generation.tokenize import Packed

#: reference tokens per machine word: a column of the table and its carry fit in 64 bits
WORD = 63
#: cells of the (pairs x candidate tokens x 64) match table built at once by ``lcs_lengths``
_MATCH_CELLS = 1 << 22


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


def lcs_lengths(references: Sequence[Sequence[int]] | Packed, candidates: Sequence[Sequence[int]] | Packed,
                pairs: np.ndarray | None = None) -> np.ndarray:
    """LCS length of each (reference, candidate) pair (int64); with ``pairs`` (indices), of
    those pairs only, the others 0.

    Pairs whose reference fits in one machine word (``WORD`` tokens: short texts) run together:
    the same bit-vector columns as ``lcs_length``, as uint64, one numpy step per candidate
    position for all of them; pairs are taken in order of candidate length, so few steps are
    padding. Longer references run one pair at a time through ``lcs_length``.
    """
    refs, cands = Packed.of(references), Packed.of(candidates)
    out = np.zeros(len(refs), dtype=np.int64)
    ref_len, cand_len = refs.lengths, cands.lengths
    if pairs is not None:  # the others as if empty
        asked = np.zeros(len(refs), dtype=bool)
        asked[pairs] = True
        cand_len = np.where(asked, cand_len, 0)
    for i in np.flatnonzero((ref_len > WORD) & (cand_len > 0)):
        out[i] = lcs_length(refs.tokens[refs.starts[i]:refs.starts[i] + ref_len[i]].tolist(),
                            cands.tokens[cands.starts[i]:cands.starts[i] + cand_len[i]].tolist())
    short = np.flatnonzero((ref_len <= WORD) & (ref_len > 0) & (cand_len > 0))
    short = short[np.argsort(cand_len[short], kind="stable")]
    start = 0
    while start < short.size:
        # the longest candidate of a chunk is its last: as many pairs as keep the table in bounds
        cells = np.arange(1, short.size - start + 1) * cand_len[short[start:]] * 64
        size = max(1, int(np.searchsorted(cells, _MATCH_CELLS, side="right")))
        chunk = short[start:start + size]
        out[chunk] = _word_lcs(refs, cands, chunk)
        start += size
    return out


def _word_lcs(refs: Packed, cands: Packed, pairs: np.ndarray) -> np.ndarray:
    """``lcs_length`` of ``pairs`` (their references have 1 to ``WORD`` tokens), all at once."""
    ref_len, cand_len = refs.lengths[pairs], cands.lengths[pairs]
    width, depth = int(cand_len.max()), int(ref_len.max())
    reference, candidate = refs.padded(pairs, depth), cands.padded(pairs, width)
    # masks[p, j]: the bits of the reference positions holding candidate token j of pair p
    # (padding on either side matches nothing), 8 positions a byte, in 8 bytes
    if max(int(reference.max()), int(candidate.max())) < 2**31:  # half the bytes to compare
        reference, candidate = reference.astype(np.int32), candidate.astype(np.int32)
    equal = candidate[:, :, None] == reference[:, None, :]
    equal &= (np.arange(depth) < ref_len[:, None])[:, None, :]
    equal &= (np.arange(width) < cand_len[:, None])[:, :, None]
    packed = np.packbits(equal, axis=-1, bitorder="little")
    masks = np.zeros((len(pairs), width, 8), dtype=np.uint8)
    masks[:, :, :packed.shape[2]] = packed
    words = masks.view("<u8")[:, :, 0]
    full = (np.uint64(1) << ref_len.astype(np.uint64)) - np.uint64(1)
    column = full.copy()
    for j in range(width):
        match = column & words[:, j]
        column = ((column + match) | (column - match)) & full
    return ref_len - _bit_counts(column)


def _bit_counts(values: np.ndarray) -> np.ndarray:
    """Set bits of each uint64 (``np.bitwise_count`` from numpy 2)."""
    if hasattr(np, "bitwise_count"):
        return np.bitwise_count(values).astype(np.int64)
    return np.unpackbits(values.astype("<u8").view(np.uint8).reshape(-1, 8), axis=1).sum(1).astype(np.int64)


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
