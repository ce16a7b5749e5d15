"""Entity F1 over spans: medmetrics' ``entity_f1`` against nervaluate 1.2.1 itself.

The documents are the sentences of ``bench_seqeval`` (100,000 of 25 tokens, 10,000 with
``--quick``; gold IOB2 with three types, predictions with shifted boundaries, wrong types, split
and invented entities), read into spans: ours get ``(type, start, end)`` tuples, nervaluate its
own dict spans. nervaluate computes its four schemes in one ``evaluate()`` call and cannot
compute fewer, so there are two rows: one scheme (strict) and all four (four calls of ours),
each against the same single nervaluate call; every scheme's F1 is checked equal. The last row
is our 1,000-resample bootstrap interval of strict F1 against a naive bootstrap that calls
nervaluate once per resample (a few timed, then extrapolated).

    .venv/bin/python benchmarks/bench_entities.py [--quick]
"""

from __future__ import annotations

import sys
from typing import Any

import numpy as np

from bench_common import Row, best_of, render
from bench_seqeval import TYPES, _agreement, settings, tag_pairs

NERVALUATE_SCHEME = {"strict": "strict", "exact": "exact", "partial": "partial", "type": "ent_type"}

Span = tuple[str, int, int]


def spans(tags: list[str]) -> list[Span]:
    """IOB2 tags to half-open (type, start, end) token spans; an orphan I- opens a span."""
    out: list[Span] = []
    kind, start = None, 0
    for i, tag in enumerate([*tags, "O"]):
        inside = kind is not None and tag == f"I-{kind}"
        if kind is not None and not inside:
            out.append((kind, start, i))
            kind = None
        if tag != "O" and not inside:
            kind, start = tag[2:], i
    return out


def documents(sentences: int, tokens: int) -> tuple[list[list[Span]], list[list[Span]]]:
    preds, refs = tag_pairs(sentences, tokens)
    return [spans(p) for p in preds], [spans(r) for r in refs]


def as_nervaluate(docs: list[list[Span]]) -> list[list[dict[str, Any]]]:
    return [[{"label": t, "start": s, "end": e - 1} for t, s, e in doc] for doc in docs]


def bench_entities(quick: bool) -> list[Row]:
    from nervaluate import Evaluator

    from medmetrics.metrics.entities import EntityF1

    s = settings(quick)
    preds, refs = documents(s.sentences, s.tokens)
    their_preds, their_refs = as_nervaluate(preds), as_nervaluate(refs)
    size = f"{s.sentences:,} documents, {sum(map(len, refs)):,} gold / {sum(map(len, preds)):,} predicted mentions"

    def nervaluate() -> dict[str, Any]:
        return Evaluator(their_refs, their_preds, tags=list(TYPES), loader="dict").evaluate()["overall"]

    peer_t, theirs = best_of(nervaluate, s.repeat_slow)
    metrics = {scheme: EntityF1(scheme=scheme) for scheme in NERVALUATE_SCHEME}
    strict_t, strict = best_of(lambda: metrics["strict"].compute(preds, refs), s.repeat_fast)
    all_t, results = best_of(lambda: {k: m.compute(preds, refs) for k, m in metrics.items()}, s.repeat_fast)
    checks = [_agreement(results[k].value, float(theirs[v].f1)) for k, v in NERVALUATE_SCHEME.items()]
    agree, ok = _agreement(strict.value, float(theirs["strict"].f1))
    rows = [Row("entity_f1 strict (point)", "nervaluate Evaluator.evaluate (4 schemes)", size, strict_t, peer_t,
                agree=agree, ok=ok),
            Row("entity_f1, all 4 schemes (4 calls)", "nervaluate Evaluator.evaluate (4 schemes)", size, all_t,
                peer_t, agree="; ".join(f"{k} {text}" for k, (text, _) in zip(metrics, checks)),
                ok=all(good for _, good in checks))]

    ci_t, ci = best_of(lambda: metrics["strict"].compute(preds, refs, ci=True, resamples=s.resamples), s.repeat_slow)

    def naive() -> None:
        rng = np.random.default_rng(0)
        for _ in range(s.naive_resamples):
            idx = rng.integers(0, s.sentences, s.sentences)
            Evaluator([their_refs[i] for i in idx], [their_preds[i] for i in idx], tags=list(TYPES),
                      loader="dict").evaluate()

    naive_t, _ = best_of(naive, 1)
    agree, ok = _agreement(ci.value, float(theirs["strict"].f1))
    row = Row("entity_f1 strict + bootstrap CI", "naive nervaluate bootstrap", f"{s.sentences:,} documents, "
              f"{s.resamples:,} resamples", ci_t, naive_t * s.resamples / s.naive_resamples, agree=agree, ok=ok,
              extrapolated=True)
    row.notes.append(f"peer time = {s.naive_resamples} timed nervaluate resamples x "
                     f"{s.resamples // s.naive_resamples}; ours CI [{ci.ci.low:.4f}, {ci.ci.high:.4f}] "
                     f"in {ci_t:.2f} s (target: under 2 s)")
    rows.append(row)
    return rows


def run(quick: bool) -> list[dict[str, Any]]:
    """The rows as dictionaries (raw seconds included), as ``run.py --json`` writes them."""
    return [row.to_dict() for row in bench_entities(quick)]


if __name__ == "__main__":
    table = bench_entities("--quick" in sys.argv[1:])
    print(render(table))
    raise SystemExit(0 if all(r.ok for r in table) else 1)
