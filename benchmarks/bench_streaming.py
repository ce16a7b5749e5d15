"""``medmetrics score`` on one large file, read whole (``--chunk-size 0``) and streamed in chunks (the
default): peak memory and wall time, on 1,000,000 multiple-choice items and 200,000 NER documents.

    .venv/bin/python benchmarks/bench_streaming.py [--mc 1000000] [--ner 200000] [--rounds 3]
                                                   [--chunk-size 50000] [--jobs 1] [--json PATH] [--keep DIR]

Each run is a fresh ``medmetrics score FILE --task T --context-field F --format json`` process; the
two sides differ only in ``--chunk-size`` (0: the whole file is read, every generation and parse
held, then scored: what ``score`` did before streaming). Peak memory is the child's own maximum
resident set size (``ru_maxrss`` from ``os.wait4`` on that child, so one run's figure is not another's;
Linux counts in it the memory of this process at the fork, so this process stays small: the data
are written by a child process).
Parsing runs in one process on both sides (``MEDMETRICS_JOBS=1``, default ``--jobs 1``), so the
figures compare reading and holding, not the machine's free cores. Rounds are interleaved (whole
then streamed, then streamed then whole, ...) so that a busy period of a shared machine does not
land on one side only; the table gives the fastest round of each side and the notes every round.
Both sides must print the same JSON (the run exits 1 otherwise).

Data: ``bench_parallel.write_mc`` (MedQA-style generations of about 200 characters, a tenth with
up to ~2,000 characters of reasoning, the four option texts per item; task ``medqa``) and
``bench_parallel.write_ner`` (BC5CDR-disease "Disease: a...b" answers over a generated sentence;
task ``bc5_disease``), seeded, written once into a temporary folder (``--keep DIR`` reuses them).
"""

from __future__ import annotations

import argparse
import os
import platform
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

from bench_common import Row, finish
from bench_parallel import write_mc, write_ner

CLI = [sys.executable, "-m", "medmetrics"]
KINDS = {"mc": ("medqa", "options", write_mc), "ner": ("bc5_disease", "source", write_ner)}


def score(path: Path, kind: str, chunk_size: int, jobs: int) -> dict[str, Any]:
    """One ``medmetrics score`` process: wall time, its peak resident memory and its output."""
    task, field, _ = KINDS[kind]
    command = [*CLI, "score", str(path), "--task", task, "--context-field", field, "--format", "json",
               "--chunk-size", str(chunk_size)]
    env = {**os.environ, "MEDMETRICS_JOBS": str(jobs)}
    with tempfile.TemporaryFile("w+") as out, tempfile.TemporaryFile("w+") as err:
        started = time.perf_counter()
        process = subprocess.Popen(command, env=env, stdout=out, stderr=err, text=True)
        _, status, usage = os.wait4(process.pid, 0)
        seconds = time.perf_counter() - started
        process.returncode = os.waitstatus_to_exitcode(status)
        out.seek(0)
        err.seek(0)
        if process.returncode != 0:
            raise SystemExit(f"{' '.join(command)} failed with {process.returncode}:\n{err.read()[-2000:]}")
        return {"seconds": seconds, "rss_mb": usage.ru_maxrss / 1024, "cpu": usage.ru_utime + usage.ru_stime,
                "output": out.read()}


def bench(sizes: dict[str, int], rounds: int, chunk_size: int, jobs: int, folder: Path) -> tuple[list[Row], bool]:
    rows: list[Row] = []
    ok = True
    for kind, n in sizes.items():
        if not n:
            continue
        task = KINDS[kind][0]
        path = folder / f"{kind}-{n}.jsonl"
        if not path.exists():  # in a child: this process stays small (see ``score``)
            started = time.perf_counter()
            subprocess.run([sys.executable, __file__, "--write", kind, str(n), str(path)], check=True)
            print(f"# wrote {path} ({path.stat().st_size / 1e6:.0f} MB) in {time.perf_counter() - started:.0f} s",
                  file=sys.stderr)
        runs: dict[int, list[dict[str, Any]]] = {0: [], chunk_size: []}
        for r in range(rounds):
            for size in ((0, chunk_size) if r % 2 == 0 else (chunk_size, 0)):
                runs[size].append(score(path, kind, size, jobs))
                last = runs[size][-1]
                print(f"# {kind} {n:,} round {r + 1} --chunk-size {size}: {last['seconds']:.1f} s, "
                      f"{last['rss_mb']:.0f} MB", file=sys.stderr)
        whole, streamed = (min(runs[s], key=lambda x: x["seconds"]) for s in (0, chunk_size))
        same = all(x["output"] == runs[0][0]["output"] for s in runs for x in runs[s])
        ok &= same
        memory = {s: min(x["rss_mb"] for x in runs[s]) for s in runs}
        rounds_text = {s: ", ".join(f"{x['seconds']:.1f} s / {x['rss_mb']:.0f} MB" for x in runs[s]) for s in runs}
        mb = path.stat().st_size / 1e6
        rows.append(Row(
            benchmark=f"score --task {task} (peak {memory[chunk_size]:.0f} MB streamed, {memory[0]:.0f} MB whole)",
            peer="--chunk-size 0 (whole file)", size=f"{n:,} items, {mb:.0f} MB JSONL",
            ours_s=streamed["seconds"], peer_s=whole["seconds"], agree="same JSON" if same else "DIFFERENT",
            ok=same, notes=[
                f"{kind} {n:,}: rounds (wall s / peak RSS) --chunk-size 0: {rounds_text[0]}; "
                f"--chunk-size {chunk_size}: {rounds_text[chunk_size]}",
                f"{kind} {n:,}: peak memory {memory[0]:.0f} MB whole, {memory[chunk_size]:.0f} MB streamed "
                f"({memory[0] / memory[chunk_size]:.1f}x less)"]))
    return rows, ok


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--mc", type=int, default=1_000_000, help="multiple-choice items (0: skip)")
    parser.add_argument("--ner", type=int, default=200_000, help="NER documents (0: skip)")
    parser.add_argument("--rounds", type=int, default=3, help="interleaved rounds per side (best is reported)")
    parser.add_argument("--chunk-size", type=int, default=50_000)
    parser.add_argument("--jobs", type=int, default=1, help="parsing processes (MEDMETRICS_JOBS) on both sides")
    parser.add_argument("--json", metavar="PATH")
    parser.add_argument("--keep", metavar="DIR", help="write (and reuse) the data files here")
    parser.add_argument("--write", nargs=3, metavar=("KIND", "N", "PATH"), help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.write:
        kind, n, path = args.write
        KINDS[kind][2](Path(path), int(n))
        return 0
    load = os.getloadavg()
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(args.keep or tmp)
        folder.mkdir(parents=True, exist_ok=True)
        rows, ok = bench({"mc": args.mc, "ner": args.ner}, args.rounds, args.chunk_size, args.jobs, folder)
    return finish(f"medmetrics score, whole file against streamed in chunks of {args.chunk_size:,} "
                  f"({platform.platform()}, {os.cpu_count()} CPUs, load average at start {load[0]:.2f}, {load[1]:.2f}, "
                  f"{load[2]:.2f}, at end {', '.join(f'{x:.2f}' for x in os.getloadavg())}; "
                  f"MEDMETRICS_JOBS={args.jobs}; 'peer/ours' is whole / streamed time)", rows, ok, args.json)


if __name__ == "__main__":
    sys.exit(main())
