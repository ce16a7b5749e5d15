"""Run medmetrics and its peers on the same data in one run and print the ratios.

    .venv/bin/python benchmarks/run.py [--quick] [--only NAME ...] [--json PATH] [--wait SECONDS]

Benchmarks (``--only`` takes these names, repeated or comma-separated): import, f1, f1_mixes (f1 over
5/20/50 classes and 0/10/50% wrong predictions), wide (f1, seqeval, relation_f1 and entity_f1 over
1,000-10,000 labels or types: time and peak memory), accuracy,
pearson (and spearman), seqeval, entities, entity_mixes (seqeval strict and entity_f1 strict over 0/10/50% errors,
5/80-token sentences and 3/20 types), entity_parsers, generation, bertscore_meteor (needs the ``test`` extra
and a local WordNet), text_mixes (rouge and meteor over short and ~300-word texts and 1,000/20,000-lemma
vocabularies, one cold call each; the same needs), choice, realworld, report (the HTML report of
100,000 items: scored, written, opened in Debian's Chromium; no peer). The peers of ``choice`` and
``realworld`` (OpenCompass, lm-eval) run in ``benchmarks/.venv-peers`` (see benchmarks/README.md);
scikit-learn, scipy, seqeval, nervaluate, bert-score and the generation peers (sacrebleu,
rouge-score, nltk, rouge) run here. Exits 1 when a number that both sides compute does not agree,
or a benchmark crashed; timings never fail a run.
"""

from __future__ import annotations

import argparse
import datetime
import json
import os
import platform
import subprocess
import sys
import time
import traceback
from collections.abc import Callable
from pathlib import Path

from bench_common import Row, render

NAMES = ("import", "f1", "f1_mixes", "wide", "accuracy", "pearson", "seqeval", "entities", "entity_mixes",
         "entity_parsers",
         "generation", "bertscore_meteor", "text_mixes", "choice", "realworld", "report")
READY_CHECK = "import medmetrics; medmetrics.get_metric('f1'); medmetrics.get_parser('choice', letters='ABCD')"


def _medmetrics_ready(wait: float) -> str | None:
    """None when medmetrics imports and builds a metric and the choice parser; else the error.

    Checked in a fresh interpreter, polling for up to ``wait`` seconds (modules written by
    others may not exist yet).
    """
    deadline = time.monotonic() + wait
    while True:
        proc = subprocess.run([sys.executable, "-c", READY_CHECK], capture_output=True, text=True)
        if proc.returncode == 0:
            return None
        error = (proc.stderr.strip().splitlines() or ["unknown error"])[-1]
        if time.monotonic() >= deadline:
            return error
        print(f"[run] medmetrics not ready ({error}); retrying in 15 s", file=sys.stderr)
        time.sleep(15)


def _machine() -> str:
    import numpy

    try:
        import medmetrics

        version = medmetrics.__version__
    except Exception as exc:  # report, don't crash: the table says what ran
        version = f"unavailable ({type(exc).__name__})"
    git = subprocess.run(["git", "describe", "--always", "--dirty"], capture_output=True, text=True,
                         cwd=Path(__file__).resolve().parent)
    commit = git.stdout.strip() if git.returncode == 0 else "unknown"
    load = ", ".join(f"{x:.2f}" for x in os.getloadavg()) if hasattr(os, "getloadavg") else "n/a"
    return (f"{platform.platform()}, {os.cpu_count()} cores (load average {load} at start), "
            f"Python {platform.python_version()}, numpy {numpy.__version__}, medmetrics {version} (commit {commit}), "
            f"{datetime.datetime.now(datetime.timezone.utc):%Y-%m-%d %H:%M} UTC")


def _selected(only: list[str] | None) -> list[str]:
    if not only:
        return list(NAMES)
    chosen = [n.strip() for item in only for n in item.split(",") if n.strip()]
    unknown = [n for n in chosen if n not in NAMES]
    if unknown:
        raise SystemExit(f"unknown benchmark(s) {unknown}; choose from {', '.join(NAMES)}")
    return [n for n in NAMES if n in chosen]


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--quick", action="store_true", help="small data and few repeats: a smoke run, not figures")
    ap.add_argument("--only", action="append", metavar="NAME", help=f"run only these ({', '.join(NAMES)})")
    ap.add_argument("--json", metavar="PATH", help="also write the rows, raw seconds included, as JSON")
    ap.add_argument("--wait", type=float, default=0.0, metavar="SECONDS",
                    help="poll this long for medmetrics to become importable before giving up")
    args = ap.parse_args(argv)
    names = _selected(args.only)

    from bench_bertscore_meteor import bench_bertscore_meteor
    from bench_choice import bench_choice
    from bench_entities import bench_entities
    from bench_entity_mixes import bench_entity_mixes
    from bench_entity_parsers import bench_entity_parsers
    from bench_generation import bench_generation
    from bench_import import bench_import
    from bench_metrics import bench_accuracy, bench_f1, bench_f1_mixes, bench_pearson
    from bench_realworld import bench_realworld
    from bench_report import bench_report
    from bench_seqeval import bench_seqeval
    from bench_text_mixes import bench_text_mixes
    from bench_wide import bench_wide

    # benchmarks that also return a detail table, printed after the main table
    detailed: dict[str, Callable[[bool], tuple[list[Row], str]]] = {"choice": bench_choice,
                                                                    "realworld": bench_realworld}
    runners: dict[str, Callable[[bool], list[Row]]] = {
        "import": bench_import, "f1": bench_f1, "f1_mixes": bench_f1_mixes, "wide": bench_wide,
        "accuracy": bench_accuracy,
        "pearson": bench_pearson,
        "seqeval": bench_seqeval, "entities": bench_entities, "entity_mixes": bench_entity_mixes,
        "entity_parsers": bench_entity_parsers,
        "generation": bench_generation, "bertscore_meteor": bench_bertscore_meteor,
        "text_mixes": bench_text_mixes, "report": bench_report,
    }
    not_ready = _medmetrics_ready(args.wait)
    machine = _machine()
    print(f"medmetrics benchmarks{' (--quick: smoke sizes, not figures)' if args.quick else ''}\n{machine}\n",
          flush=True)
    rows: list[Row] = []
    details: list[str] = []
    for name in names:
        print(f"[run] {name} ...", file=sys.stderr, flush=True)
        if not_ready is not None:
            rows.append(Row(name, "-", "-", None, None, agree="skipped", ok=False,
                            notes=[f"SKIPPED: medmetrics is not usable: {not_ready}"]))
            continue
        start = time.perf_counter()
        try:
            if name in detailed:
                new, detail = detailed[name](args.quick)
                details.append(detail)
            else:
                new = runners[name](args.quick)
        except Exception as exc:
            traceback.print_exc()
            new = [Row(name, "-", "-", None, None, agree="CRASHED", ok=False,
                       notes=[f"{type(exc).__name__}: {exc}"])]
        rows += new
        print(f"[run] {name} done in {time.perf_counter() - start:.1f} s", file=sys.stderr, flush=True)
    print(render(rows))
    for detail in details:
        print(f"\n{detail}")
    failed = [r for r in rows if not r.ok]
    if failed:
        print(f"\nFAILED: {len(failed)} row(s) disagree, crashed or were skipped: "
              + ", ".join(f"{r.benchmark} vs {r.peer}" for r in failed))
    if args.json:
        Path(args.json).write_text(json.dumps({"machine": machine, "quick": args.quick,
                                               "rows": [r.to_dict() for r in rows], "details": details},
                                              indent=2), encoding="utf-8")
    return 1 if failed else 0


if __name__ == "__main__":
    raise SystemExit(main())
