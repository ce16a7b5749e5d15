"""What the three side-by-side drivers share: write a suite run, score it with medmetrics the way
users do (``medmetrics score --suite S RUN --profile P``), and set its numbers beside the released
evaluator's, task by task.

A driver (``biomistral_nlu.py``, ``medinst.py``, ``meds_bench.py``) makes ``Case`` items for each
task of its paper: a generation, the structured gold a suite run carries, and the gold text the
paper's evaluator reads, built by the driver from the same underlying data (never through
``medmetrics.metrics.compat.gold``: the point is to check that renderer, not to trust it). It runs the
released evaluator, from a checkout the user names, on the paper's gold text, and medmetrics on the
run; ``report`` prints one row per task and returns whether every compat value equals the
evaluator's within the tolerance.
"""

from __future__ import annotations

import json
import math
import subprocess
import sys
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

#: compat must equal the evaluator to this, on every task (issue #12's done-when)
TOLERANCE = 1e-9


@dataclass(frozen=True)
class Case:
    """One generated item of one task."""

    generation: str
    #: the gold as a suite run carries it (mention lists, tags, triples, scores, option letters)
    reference: Any
    #: the gold as the paper's evaluator reads it (its own text format)
    paper_gold: Any
    #: per-item context the task reads (``source``, ``tokens``, ``options``, ...)
    context: Mapping[str, Any] = field(default_factory=dict)


def write_run(folder: Path, cases: Mapping[str, Sequence[Case]]) -> Path:
    """One ``<task>.jsonl`` per task, as ``medmetrics score --suite`` reads a run folder; each
    record's per-item context is its ``context`` object (``adapters.generic.context``)."""
    folder.mkdir(parents=True, exist_ok=True)
    for task, items in cases.items():
        with open(folder / f"{task}.jsonl", "w", encoding="utf-8") as handle:
            for case in items:
                record = {"generation": case.generation, "reference": case.reference}
                if case.context:  # the record's own context object: how a run gives per-item context
                    record["context"] = dict(case.context)
                handle.write(json.dumps(record, ensure_ascii=False) + "\n")
    return folder


def score_suite(folder: Path, suite: str, profile: str, *extra: str) -> dict[str, dict[str, Any]]:
    """``medmetrics score --suite SUITE FOLDER --profile PROFILE --format json``, run as a user
    runs it (a child process): task -> {"default": headline value, "headline": its metric,
    "compat": compat value, "compat_notes": [...], "failed": failure share}."""
    command = [sys.executable, "-m", "medmetrics", "score", "--suite", suite, str(folder), "--profile", profile,
               "--format", "json", *extra]
    proc = subprocess.run(command, capture_output=True, text=True)
    if proc.returncode != 0:
        raise RuntimeError(f"{' '.join(command)} failed ({proc.returncode}):\n{proc.stderr}")
    data = json.loads(proc.stdout)
    tables = data if isinstance(data, list) else [data]
    out: dict[str, dict[str, Any]] = {}
    for table in tables:
        for task in table["tasks"]:
            result, compat = task["result"], task["compat"]
            out[task["task"]] = {
                "status": task["status"], "reason": task["reason"], "headline": task["headline"],
                "default": None if result is None else result["value"],
                "failed": task["parse_failure_rate"],
                "compat": None if compat is None else compat["value"],
                "compat_notes": [] if compat is None else compat.get("notes", []),
                "compat_bugs": task.get("compat_bugs"),
            }
    return out


def same(ours: float | None, theirs: float | None, tolerance: float = TOLERANCE) -> bool:
    """Equal within the tolerance; two NaNs (or two missing values) are equal."""
    if ours is None or theirs is None:
        return ours is None and theirs is None
    if math.isnan(ours) or math.isnan(theirs):
        return math.isnan(ours) and math.isnan(theirs)
    return abs(ours - theirs) <= tolerance


def report(paper: str, ours: Mapping[str, Mapping[str, Any]], theirs: Mapping[str, float | None],
           sizes: Mapping[str, int], explain: Mapping[str, str] | None = None) -> bool:
    """Print one row per task (items, evaluator, compat, equal?, default, why the default differs)
    and return whether compat equals the evaluator on every task. ``explain`` gives, per task,
    the documented bug or definition difference that makes the default differ."""
    explain = explain or {}
    rows, ok = [], True
    for task in sorted(theirs):
        mine = ours.get(task, {})
        equal = same(mine.get("compat"), theirs[task])
        ok &= equal
        default = mine.get("default")
        moved = "" if default is None or theirs[task] is None else f"{default - theirs[task]:+.4f}"
        rows.append((task, str(sizes.get(task, "")), _num(theirs[task]), _num(mine.get("compat")),
                     "yes" if equal else "NO", _num(default), moved,
                     explain.get(task, "") or ",".join(mine.get("compat_bugs") or ())))
    header = ("task", "items", "evaluator", "compat", "equal", "default", "default-eval", "why the default differs")
    widths = [max([len(h), *(len(r[i]) for r in rows)]) for i, h in enumerate(header)]
    print(f"== {paper}: {len(rows)} tasks, {sum(sizes.values()):,} generations ==")
    for row in (header, *rows):
        print("  ".join(cell.ljust(width) for cell, width in zip(row, widths)))
    print(f"{paper}: compat equals the released evaluator on "
          f"{sum(r[4] == 'yes' for r in rows)} of {len(rows)} tasks (tolerance {TOLERANCE:g})")
    return ok


def _num(value: float | None) -> str:
    return "-" if value is None else f"{value:.6f}"
