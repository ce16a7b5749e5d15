"""The scale rows of issue 16: 10,000,000 classification items and 1,000,000 NER documents scored in
one process, with ``--jobs 2``, and on a 2-worker Dask LocalCluster: wall time and peak memory.

    .venv/bin/python benchmarks/bench_scale.py [--cls 10000000] [--ner 1000000] [--parts 20]
                                               [--modes single,jobs2,dask] [--json PATH] [--keep DIR]

Each run is one fresh ``medmetrics score ... --format json`` process (``bench_parallel.measure``:
wall and CPU time, peak memory as the summed PSS of the command and every process under it,
Dask's nanny and workers included, sampled every 0.25 s):

- ``single``: ``MEDMETRICS_JOBS=1 medmetrics score all.jsonl --task T`` (streamed in chunks of 50,000);
- ``jobs2``: the same with ``MEDMETRICS_JOBS=2`` (parsing in two worker processes);
- ``dask``: ``medmetrics score 'parts-N/part-*.jsonl' --task T --dask local:2`` on the same
  records split into ``--parts`` files (Dask reads one partition per file, in name order, which is
  the order of ``all.jsonl``), a LocalCluster of 2 worker processes started by the command. A
  worker holds a whole partition: 200 parts (50,000 items each, the size docs/scale.md plans
  with) keep each worker near 0.5 GB; 20 parts of 500,000 items took 3.0 GB in all for
  10,000,000 classification items.

All must print the same JSON (the run exits 1 otherwise; with ``--keep``, the outputs of earlier
runs on the same data are kept in ``outputs/`` and compared too). One round each: at these sizes a
round is minutes. Data (seeded):

- ``cls``: PubMedQA-style yes/no/maybe answers (task ``pubmedqa``: accuracy and macro F1 over the
  three labels): bare labels, "Answer: no", "The answer is maybe.", a sentence of reasoning then
  the label, markdown, refusals and hedges that name two labels (which the parser reports as
  ambiguous); references uniform, predictions right for 50% to 90% of items by block of 100,000.
- ``ner``: ``bench_parallel.write_ner`` (task ``bc5_disease``, ``--context-field source``).
"""

from __future__ import annotations

import argparse
import json
import os
import random
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

from bench_common import Row, finish
from bench_parallel import CLI, measure, write_ner

LABELS = ("yes", "no", "maybe")
FORMS = ("{A}", "Answer: {A}", "The answer is {A}.", "Based on the abstract, the answer is {A}.",
         "**{A}**", "{A}. The trial reports a significant effect on the primary outcome.",
         "Final answer: {A}", "I cannot tell from the abstract.", "It could be yes or no.")
TASKS = {"cls": ("pubmedqa", None), "ner": ("bc5_disease", "source")}


def write_cls(path: Path, n: int, seed: int = 10) -> None:
    rng = random.Random(seed)
    with path.open("w", encoding="utf-8") as out:
        for i in range(n):
            right = 0.5 + 0.4 * ((i // 100_000) % 5) / 4
            gold = rng.choice(LABELS)
            said = gold if rng.random() < right else rng.choice(LABELS)
            out.write(json.dumps({"generation": rng.choice(FORMS).format(A=said), "reference": gold}) + "\n")


def write_parts(folder: Path, kind: str, n: int, parts: int) -> None:
    """The records in ``all.jsonl`` and split into ``parts`` files under ``parts-<parts>/`` (each written once)."""
    folder.mkdir(parents=True, exist_ok=True)
    whole = folder / "all.jsonl"
    started = time.perf_counter()
    if not whole.exists():
        (write_cls if kind == "cls" else write_ner)(folder / "source.jsonl", n)
        (folder / "source.jsonl").rename(whole)
    split = folder / f"parts-{parts}"
    if split.exists():
        return
    split.mkdir()
    per_part = -(-n // parts)
    with whole.open(encoding="utf-8") as lines:
        for k in range(parts):
            with (split / f"part-{k:04d}.jsonl").open("w", encoding="utf-8") as out:
                for _ in range(per_part):
                    line = lines.readline()
                    if not line:
                        break
                    out.write(line)
    print(f"# wrote {n:,} {kind} records ({whole.stat().st_size / 1e6:.0f} MB) and {parts} parts in "
          f"{time.perf_counter() - started:.0f} s", file=sys.stderr)


def command(kind: str, folder: Path, mode: str, parts: int) -> tuple[list[str], dict[str, str]]:
    task, field = TASKS[kind]
    options = ["--task", task, *(["--context-field", field] if field else []), "--format", "json"]
    if mode == "dask":
        return [*CLI, "score", str(folder / f"parts-{parts}" / "part-*.jsonl"), *options, "--dask", "local:2"], \
            {**os.environ, "MEDMETRICS_JOBS": "1"}
    return [*CLI, "score", str(folder / "all.jsonl"), *options], \
        {**os.environ, "MEDMETRICS_JOBS": "2" if mode == "jobs2" else "1"}


def bench(sizes: dict[str, int], parts: int, modes: list[str], root: Path) -> tuple[list[Row], bool]:
    rows, ok = [], True
    for kind, n in sizes.items():
        if not n:
            continue
        folder = root / f"{kind}-{n}"
        write_parts(folder, kind, n, parts)
        runs: dict[str, dict[str, Any]] = {}
        for mode in modes:
            runs[mode] = measure(*command(kind, folder, mode, parts))
            print(f"# {kind} {n:,} {mode}: {runs[mode]['seconds']:.0f} s, {runs[mode]['tree_mb']:.0f} MB",
                  file=sys.stderr)
        # every run's JSON is kept beside the data (with --keep, runs of earlier invocations too) and
        # all must agree
        saved = folder / "outputs"
        saved.mkdir(exist_ok=True)
        for mode, run in runs.items():
            name = f"{mode}-{parts}.json" if mode == "dask" else f"{mode}.json"
            (saved / name).write_text(json.dumps(_comparable(json.loads(run["output"])), sort_keys=True))
        outputs = {path.read_text() for path in saved.glob("*.json")}
        same = len(outputs) == 1
        ok &= same
        base = runs.get("single")
        for mode, run in runs.items():
            row = Row(f"score --task {TASKS[kind][0]}, {mode}", "one process" if base else "-", f"{n:,} items",
                      run["seconds"], base["seconds"] if base and mode != "single" else None,
                      agree="same JSON" if same else "DIFFERENT", ok=same)
            row.notes.append(f"{kind} {n:,} {mode}: wall {run['seconds']:.0f} s, CPU {run['cpu']:.0f} s (command and "
                             f"workers), peak memory {run['tree_mb']:.0f} MB (PSS of the process tree), the command "
                             f"alone {run['main_mb']:.0f} MB")
            rows.append(row)
    return rows, ok


def _comparable(report: Any) -> Any:
    """The JSON without what names the input (the file or glob read)."""
    if isinstance(report, dict):
        return {k: _comparable(v) for k, v in report.items() if k not in ("source", "input", "path")}
    if isinstance(report, list):
        return [_comparable(v) for v in report]
    return report


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--cls", type=int, default=10_000_000)
    parser.add_argument("--ner", type=int, default=1_000_000)
    parser.add_argument("--parts", type=int, default=200, help="files (Dask partitions) the records are split into")
    parser.add_argument("--modes", default="single,jobs2,dask")
    parser.add_argument("--json", metavar="PATH")
    parser.add_argument("--keep", metavar="DIR", help="write (and reuse) the data files here")
    args = parser.parse_args(argv)
    with tempfile.TemporaryDirectory() as tmp:
        rows, ok = bench({"cls": args.cls, "ner": args.ner}, args.parts, args.modes.split(","), Path(args.keep or tmp))
    return finish(f"medmetrics score at scale ({os.cpu_count()} CPUs; one round each; 'peer/ours' is the speed-up "
                  "on one process)", rows, ok, args.json)


if __name__ == "__main__":
    sys.exit(main())
