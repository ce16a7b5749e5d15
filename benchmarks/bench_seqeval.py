"""Entity F1 from tag sequences: medmetrics' ``seqeval`` metric against seqeval 1.2.2 itself.

Both sides get the same Python lists of tag lists: 100,000 sentences of 25 tokens (10,000 with
``--quick``), gold in IOB2 with three types, predictions with the errors taggers and LLMs make
(shifted boundaries, wrong types, orphan ``I-`` tags, missed and invented entities). Rows:
default (conlleval) mode, strict IOB2 mode, and our bootstrap interval against a naive
bootstrap that calls seqeval once per resample (a few timed, then extrapolated).

    .venv/bin/python benchmarks/bench_seqeval.py [--quick]
"""

from __future__ import annotations

import math
import sys
import warnings
from dataclasses import dataclass
from typing import Any

import numpy as np

from bench_common import Row, best_of, render

POINT_TOL = 1e-12
TYPES = ("Chem", "Disease", "Gene")


@dataclass(frozen=True)
class Settings:
    sentences: int
    tokens: int
    resamples: int
    naive_resamples: int  # seqeval calls the naive bootstrap actually times
    repeat_fast: int
    repeat_slow: int


def settings(quick: bool) -> Settings:
    if quick:
        return Settings(sentences=10_000, tokens=25, resamples=200, naive_resamples=1, repeat_fast=2, repeat_slow=1)
    return Settings(sentences=100_000, tokens=25, resamples=1000, naive_resamples=2, repeat_fast=5, repeat_slow=1)


def tag_pairs(sentences: int, tokens: int, seed: int = 20) -> tuple[list[list[str]], list[list[str]]]:
    """(predictions, references): seeded, so both sides and every run see the same tags."""
    rng = np.random.default_rng(seed)
    gold = np.zeros((sentences, tokens), dtype=np.int64)  # 0 = O, 1 + 2k = B-type k, 2 + 2k = I-type k
    starts = rng.random((sentences, tokens)) < 0.12
    kinds = rng.integers(0, len(TYPES), (sentences, tokens))
    lengths = rng.integers(1, 4, (sentences, tokens))
    for s, t in zip(*np.nonzero(starts)):
        if gold[s, t] == 0:
            end = min(tokens, t + lengths[s, t])
            gold[s, t] = 1 + 2 * kinds[s, t]
            gold[s, t + 1:end] = 2 + 2 * kinds[s, t]
    pred = gold.copy()
    noise = rng.random((sentences, tokens))
    entity = gold > 0
    pred[(noise < 0.04) & entity] = 0  # missed tokens (split or shortened entities)
    swap = (noise >= 0.04) & (noise < 0.07) & entity
    pred[swap] = (pred[swap] - 1) % 2 + 1 + 2 * rng.integers(0, len(TYPES), int(swap.sum()))  # wrong type
    orphan = (noise >= 0.07) & (noise < 0.09) & (gold % 2 == 1)
    pred[orphan] += 1  # B- read as I-: an orphan inside tag
    invented = (noise >= 0.09) & (noise < 0.10) & ~entity
    pred[invented] = 1 + 2 * rng.integers(0, len(TYPES), int(invented.sum()))
    names = ["O", *(f"{p}-{t}" for t in TYPES for p in "BI")]
    return ([[names[c] for c in row] for row in pred.tolist()], [[names[c] for c in row] for row in gold.tolist()])


def _size(s: Settings, resamples: int | None = None) -> str:
    return f"{s.sentences:,} x {s.tokens} tags" + (f", {resamples:,} resamples" if resamples else "")


def _agreement(ours: float, peer: float) -> tuple[str, bool]:
    diff = abs(ours - peer)
    ok = bool(diff <= POINT_TOL or (math.isnan(ours) and math.isnan(peer)))
    return (f"yes (|Δ|={diff:.1e})" if ok else f"NO: ours {ours!r} vs peer {peer!r}"), ok


def bench_seqeval(quick: bool) -> list[Row]:
    from seqeval.metrics import f1_score
    from seqeval.scheme import IOB2

    from medmetrics.metrics.sequence import SeqevalF1

    s = settings(quick)
    preds, refs = tag_pairs(s.sentences, s.tokens)
    rows = []
    for label, options, peer_options in (
        ("default mode", {}, {}),
        ("strict IOB2", {"mode": "strict", "scheme": "IOB2"}, {"mode": "strict", "scheme": IOB2}),
    ):
        metric = SeqevalF1(**options)
        ours_t, ours = best_of(lambda: metric.compute(preds, refs), s.repeat_fast)  # noqa: B023
        peer_t, peer = best_of(lambda: f1_score(refs, preds, **peer_options), s.repeat_slow)  # noqa: B023
        agree, ok = _agreement(ours.value, float(peer))
        rows.append(Row(f"seqeval {label} (point)", f"seqeval f1_score {label}", _size(s), ours_t, peer_t,
                        agree=agree, ok=ok))

    metric = SeqevalF1()
    ours_ci_t, ours_ci = best_of(lambda: metric.compute(preds, refs, ci=True, resamples=s.resamples), s.repeat_slow)

    def naive() -> list[float]:
        rng = np.random.default_rng(0)
        out = []
        for _ in range(s.naive_resamples):
            idx = rng.integers(0, s.sentences, s.sentences)
            out.append(float(f1_score([refs[i] for i in idx], [preds[i] for i in idx])))
        return out

    naive_t, _ = best_of(naive, 1)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        full = float(f1_score(refs, preds))
    agree, ok = _agreement(ours_ci.value, full)
    row = Row("seqeval default + bootstrap CI", "naive seqeval bootstrap", _size(s, s.resamples), ours_ci_t,
              naive_t * s.resamples / s.naive_resamples, agree=agree, ok=ok, extrapolated=True)
    row.notes.append(f"peer time = {s.naive_resamples} timed f1_score resamples x {s.resamples // s.naive_resamples} "
                     f"(a full run would take about {row.peer_s:.0f} s); ours CI "
                     f"[{ours_ci.ci.low:.4f}, {ours_ci.ci.high:.4f}]")
    rows.append(row)
    return rows


def run(quick: bool) -> list[dict[str, Any]]:
    """The rows as dictionaries (raw seconds included), as ``run.py --json`` writes them."""
    return [row.to_dict() for row in bench_seqeval(quick)]


if __name__ == "__main__":
    table = bench_seqeval("--quick" in sys.argv[1:])
    print(render(table))
    raise SystemExit(0 if all(r.ok for r in table) else 1)
