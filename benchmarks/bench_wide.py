"""Wide statistics: metrics over 1,000 and 10,000 labels or types, time and peak memory.

    .venv/bin/python benchmarks/bench_wide.py [--items 100000] [--json PATH]

f1, seqeval, relation_f1 and entity_f1 keep three or five columns per label or type while an item
fills one or two; their tables are held sparse from ``SPARSE_MIN_COLUMNS`` columns on, so memory
grows with items plus labels (``medmetrics.metrics.statistics``). Each case runs in a fresh
process per side, which reports its own wall times and its peak resident memory (``VmHWM`` of
``/proc/self/status``: the high-water mark of that process alone, Python and numpy included).
Ours: the point value, then the point value with a 1,000-resample bootstrap interval; the peer
(where one computes the number) the point value on the same data. Values must agree to 1e-12.

Data (seeded): labels drawn uniformly; half the predictions replaced by a uniformly drawn label
(f1), half the entities' types (seqeval: sentences of 5-20 tokens, one two-token entity each),
three text mentions per document with 30% of the predicted types redrawn (entity_f1 by text;
nervaluate has no text matching, so no peer), two triples per document with 30% of the relation
types redrawn (relation_f1; no peer).
"""

from __future__ import annotations

import argparse
import json
import resource
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import numpy as np

from bench_common import Row, finish

#: case -> (labels or types, peer or None)
CASES = {
    "f1 macro, 1,000 labels": ("f1", 1_000, "sklearn f1_score"),
    "f1 macro, 10,000 labels": ("f1", 10_000, "sklearn f1_score"),
    "seqeval macro, 1,000 types": ("seqeval", 1_000, "seqeval"),
    "relation_f1 macro, 1,000 types": ("relation", 1_000, None),
    "entity_f1 by text, macro, 1,000 types": ("entity_text", 1_000, None),
}


def make_data(kind: str, labels: int, n: int) -> tuple[list[Any], list[Any]]:
    """(predictions, references) of ``n`` items over ``labels`` labels or types (see the module doc)."""
    rng = np.random.default_rng(labels + n)
    if kind == "f1":
        gold = rng.integers(0, labels, n)
        pred = np.where(rng.random(n) < 0.5, rng.integers(0, labels, n), gold)
        return [f"L{k}" for k in pred], [f"L{k}" for k in gold]
    if kind == "seqeval":
        golds, preds = [], []
        for _ in range(n):
            tags = ["O"] * int(rng.integers(5, 21))
            start = int(rng.integers(0, len(tags) - 1))
            kind_of = f"T{rng.integers(0, labels)}"
            tags[start:start + 2] = [f"B-{kind_of}", f"I-{kind_of}"]
            golds.append(tags)
            predicted = list(tags)
            if rng.random() < 0.5:
                other = f"T{rng.integers(0, labels)}"
                predicted[start:start + 2] = [f"B-{other}", f"I-{other}"]
            preds.append(predicted)
        return preds, golds
    if kind == "entity_text":
        golds = [[(f"T{rng.integers(0, labels)}", f"term {rng.integers(0, 5000)}") for _ in range(3)] for _ in range(n)]
        return [[(t if rng.random() < 0.7 else f"T{rng.integers(0, labels)}", w) for t, w in g] for g in golds], golds
    golds = [[(f"e{rng.integers(0, 50)}", f"R{rng.integers(0, labels)}", f"e{rng.integers(0, 50)}") for _ in range(2)]
             for _ in range(n)]
    return [[(a, r if rng.random() < 0.7 else f"R{rng.integers(0, labels)}", b) for a, r, b in g] for g in golds], golds


def _peak_mb() -> float:
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1]) / 1024
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def child(case: str, side: str, n: int) -> dict[str, Any]:
    """One side of one case, in this (fresh) process."""
    kind, labels, _ = CASES[case]
    preds, refs = make_data(kind, labels, n)
    if side == "peer":
        start = time.perf_counter()
        if kind == "f1":
            from sklearn.metrics import f1_score

            value = float(f1_score(refs, preds, average="macro"))
        else:
            from seqeval.metrics import f1_score as seqeval_f1

            value = float(seqeval_f1(refs, preds, average="macro"))
        return {"point_s": time.perf_counter() - start, "value": value, "peak_mb": _peak_mb()}
    import medmetrics

    metric = {"f1": lambda: medmetrics.get_metric("f1", average="macro"),
              "seqeval": lambda: medmetrics.get_metric("seqeval", average="macro"),
              "relation": lambda: medmetrics.get_metric("relation_f1", average="macro"),
              "entity_text": lambda: medmetrics.get_metric("entity_f1", match="text", average="macro")}[kind]()
    start = time.perf_counter()
    value = metric.compute(preds, refs).value
    point = time.perf_counter() - start
    start = time.perf_counter()
    metric.compute(preds, refs, ci=True, resamples=1000)
    return {"point_s": point, "ci_s": time.perf_counter() - start, "value": value, "peak_mb": _peak_mb()}


def run_side(case: str, side: str, n: int) -> dict[str, Any]:
    out = subprocess.run([sys.executable, __file__, "--child", case, side, str(n)], capture_output=True, text=True)
    if out.returncode != 0:
        raise RuntimeError(f"{case} ({side}) failed:\n{out.stderr[-2000:]}")
    return json.loads(out.stdout)


def bench_wide(quick: bool, items: int | None = None) -> list[Row]:
    n = items or (10_000 if quick else 100_000)
    rows = []
    for case, (_, _, peer) in CASES.items():
        ours = run_side(case, "ours", n)
        theirs = run_side(case, "peer", n) if peer else None
        agree, ok = "", True
        if theirs is not None:
            diff = abs(ours["value"] - theirs["value"])
            ok = diff <= 1e-12
            agree = f"{'yes' if ok else 'NO'} (diff {diff:.1e})"
        row = Row(case, peer or "(no peer computes it)", f"{n:,} items", ours["point_s"],
                  theirs["point_s"] if theirs else None, agree=agree, ok=ok)
        row.notes.append(f"peak memory {ours['peak_mb']:,.0f} MB (with a 1,000-resample interval, "
                         f"{ours['ci_s']:.2f} s)" + (f"; the peer {theirs['peak_mb']:,.0f} MB" if theirs else ""))
        rows.append(row)
    return rows


def main() -> None:
    if len(sys.argv) > 1 and sys.argv[1] == "--child":
        print(json.dumps(child(sys.argv[2], sys.argv[3], int(sys.argv[4]))))
        return
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--items", type=int, default=100_000)
    parser.add_argument("--json", metavar="PATH")
    args = parser.parse_args()
    rows = bench_wide(quick=False, items=args.items)
    sys.exit(finish("medmetrics over wide tables", rows, all(r.ok for r in rows), args.json))


if __name__ == "__main__":
    main()
