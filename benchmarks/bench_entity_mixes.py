"""``seqeval`` strict and ``entity_f1`` strict against seqeval and nervaluate over stated mixes.

The speed claims of ``bench_seqeval`` and ``bench_entities`` rest on one data set (25-token
sentences, three types, about 10% of entity tokens wrong). Here the same comparison runs over
every combination of

- error rate 0%, 10%, 50%: that share of gold entity tokens is corrupted (missed, given another
  type, or its B-/I- prefix flipped, which splits or merges entities) and a fifth of that share
  of outside tokens starts an invented entity; at 0% the predictions equal the gold tags;
- sentence length 5 and 80 tokens;
- 3 and 20 entity types;

with the same number of tags in every mix (1,000,000; 100,000 with ``--quick``), so the
sentences number 200,000 at 5 tokens and 12,500 at 80. Each side gets the same Python lists:
tag lists for ``SeqevalF1(mode="strict", scheme="IOB2")`` and seqeval's
``f1_score(mode="strict", scheme=IOB2)``; ``(type, start, end)`` spans for
``EntityF1(criterion="strict")`` and nervaluate's dict spans for ``Evaluator(...).evaluate()`` (which
computes its four schemes in one call and cannot compute fewer). Both sides are timed in the
same rounds, alternately (``bench_common.interleaved``, best of ``--rounds``), and every F1 must
equal the peer's to 1e-12.

    .venv/bin/python benchmarks/bench_entity_mixes.py [--quick] [--rounds 3] [--json PATH]
"""

from __future__ import annotations

import itertools
import sys

import numpy as np

from bench_common import Row, interleaved, mixes_main, note_ranges
from bench_entities import as_nervaluate, spans
from bench_seqeval import _agreement

ERRORS = (0.0, 0.1, 0.5)
LENGTHS = (5, 80)
TYPE_COUNTS = (3, 20)


def mixed_pairs(sentences: int, tokens: int, types: int, error: float,
                seed: int = 7) -> tuple[list[list[str]], list[list[str]]]:
    """(predictions, references) as IOB2 tag lists, seeded: gold entities of 1-3 tokens starting
    at 12% of tokens, types uniform; predictions corrupted at ``error`` as the module says."""
    rng = np.random.default_rng(seed)
    gold = np.zeros((sentences, tokens), dtype=np.int64)  # 0 = O, 1 + 2k = B-type k, 2 + 2k = I-type k
    starts = np.argwhere(rng.random((sentences, tokens)) < 0.12)
    kinds = rng.integers(0, types, len(starts))
    lengths = rng.integers(1, 4, len(starts))
    for (s, t), kind, length in zip(starts.tolist(), kinds.tolist(), lengths.tolist()):
        if gold[s, t] == 0:
            gold[s, t] = 1 + 2 * kind
            gold[s, t + 1:min(tokens, t + length)] = 2 + 2 * kind
    pred = gold.copy()
    noise = rng.random((sentences, tokens))
    how = rng.integers(0, 3, (sentences, tokens))
    entity = gold > 0
    hit = entity & (noise < error)
    pred[hit & (how == 0)] = 0  # missed
    retype = hit & (how == 1)
    shift = rng.integers(1, types, int(retype.sum())) if types > 1 else np.zeros(int(retype.sum()), dtype=np.int64)
    kind = (pred[retype] - 1) // 2
    pred[retype] = (pred[retype] - 1) % 2 + 1 + 2 * ((kind + shift) % types)  # same prefix, another type
    flip = hit & (how == 2)
    pred[flip] = np.where(pred[flip] % 2 == 1, pred[flip] + 1, pred[flip] - 1)  # B- <-> I- of the same type
    invented = ~entity & (noise < error / 5)
    pred[invented] = 1 + 2 * rng.integers(0, types, int(invented.sum()))
    names = ["O", *(f"{p}-T{k}" for k in range(types) for p in "BI")]
    return ([[names[c] for c in row] for row in pred.tolist()], [[names[c] for c in row] for row in gold.tolist()])


def bench_entity_mixes(quick: bool, rounds: int = 3) -> list[Row]:
    from nervaluate import Evaluator
    from seqeval.metrics import f1_score
    from seqeval.scheme import IOB2

    from medmetrics.metrics.entities import EntityF1
    from medmetrics.metrics.sequence import SeqevalF1

    tags = 100_000 if quick else 1_000_000
    rows: list[Row] = []
    seqeval_metric, entity_metric = SeqevalF1(mode="strict", scheme="IOB2"), EntityF1(criterion="strict")
    for error, length, types in itertools.product(ERRORS, LENGTHS, TYPE_COUNTS):
        sentences = tags // length
        preds, refs = mixed_pairs(sentences, length, types, error)
        mix = f"{sentences:,} x {length} tags, {types} types, {error:.0%} errors"

        ours_t, peer_t, ours, peer = interleaved(
            lambda: seqeval_metric.compute(preds, refs),  # noqa: B023
            lambda: f1_score(refs, preds, mode="strict", scheme=IOB2),  # noqa: B023
            rounds)
        agree, ok = _agreement(ours.value, float(peer))
        rows.append(Row("seqeval strict IOB2", "seqeval f1_score strict IOB2", mix, ours_t, peer_t, agree=agree,
                        ok=ok))

        span_preds, span_refs = [spans(p) for p in preds], [spans(r) for r in refs]
        their_preds, their_refs = as_nervaluate(span_preds), as_nervaluate(span_refs)
        labels = [f"T{k}" for k in range(types)]
        ours_t, peer_t, ours, peer = interleaved(
            lambda: entity_metric.compute(span_preds, span_refs),  # noqa: B023
            lambda: Evaluator(their_refs, their_preds, tags=labels, loader="dict").evaluate(),  # noqa: B023
            rounds)
        agree, ok = _agreement(ours.value, float(peer["overall"]["strict"].f1))
        rows.append(Row("entity_f1 strict", "nervaluate Evaluator.evaluate (4 schemes)", mix, ours_t, peer_t,
                        agree=agree, ok=ok))
    note_ranges(rows, ["seqeval strict IOB2", "entity_f1 strict"])
    return rows


def main(argv: list[str] | None = None) -> int:
    return mixes_main(__doc__, bench_entity_mixes, "seqeval strict and entity_f1 strict over error rates, sentence "
                      "lengths and type counts", 3, argv)


if __name__ == "__main__":
    sys.exit(main())
