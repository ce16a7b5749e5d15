"""``medmetrics score`` end to end with one parsing process and with two: wall time, speed-up and
peak memory, on multiple-choice and NER-like runs of 100,000 and 1,000,000 items.

    .venv/bin/python benchmarks/bench_parallel.py [--sizes 100000,1000000] [--rounds 3] [--kinds mc,ner]
                                                  [--jobs 2] [--json PATH] [--keep DIR]

Each run is one JSONL file scored by a fresh ``medmetrics score FILE --task T --format json``
process; the number of parsing processes is set with ``MEDMETRICS_JOBS`` (what ``--jobs`` and
``jobs=`` set), so the command is otherwise the same. Rounds are interleaved (1 then N, then N
then 1, ...) so that a busy period of a shared machine does not land on one side only; the table
gives the fastest round of each side (``bench_common.best_of`` per call) and the speed-up
``--jobs 1`` / ``--jobs N``; the notes give every round's wall and CPU times (the command and its
workers: on a machine that other work keeps busy, the CPU times show what idle cores would give)
and the peak memory: the sum of the proportional set sizes (PSS) of the command and its worker
processes, sampled every 0.25 s, and the command's own high-water mark. Both sides must print
the same JSON (the run exits 1 otherwise).

Data (seeded, so both sides and every round read the same file):

- ``mc``: MedQA-style generations from ``bench_data.choice_items`` (chain of thought, "Answer: C",
  markdown, ``<think>`` blocks, refusals, "none of the above", option text only: about 200
  characters), a tenth of them with a longer reasoning (up to ~2,000 characters); the options per
  item (``--context-field options``); references right for 50% to 90% of items, varying by block
  of 10,000. Task ``medqa``.
- ``ner``: BC5CDR-disease-style "Disease: a...b" lines over a generated sentence of about 25
  tokens (``--context-field source``), with missed and invented mentions at rates varying by block
  (5% to 40%), a third wrapped in reasoning or markdown. Task ``bc5_disease``.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import resource
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path
from typing import Any

from bench_common import Row, best_of, finish
from bench_data import REASONING, choice_items

HERE = Path(__file__).resolve().parent
CLI = [sys.executable, "-m", "medmetrics"]
TASKS = {"mc": ("medqa", "options"), "ner": ("bc5_disease", "source")}
#: How often memory is sampled: rarely enough that sampling costs nothing measurable on 2 cores.
SAMPLE_SECONDS = 0.25


# --- data ------------------------------------------------------------------------------------------


def write_mc(path: Path, n: int, seed: int = 20240611) -> None:
    rng = random.Random(seed + 1)
    with path.open("w", encoding="utf-8") as out:
        for i, item in enumerate(choice_items(n, seed)):
            right = 0.5 + 0.4 * ((i // 10_000) % 5) / 4  # 50% .. 90% by block
            text = item.text
            if rng.random() < 0.1:  # a long tail of long generations
                text = " ".join(rng.choice(REASONING).format(d1="A", t1=item.options[0])
                                for _ in range(rng.randint(10, 30))) + "\n" + text
            gold = item.intended if item.intended and rng.random() < right else rng.choice("ABCD")
            out.write(json.dumps({"generation": text, "reference": gold, "options": list(item.options)}) + "\n")


def write_ner(path: Path, n: int, seed: int = 3) -> None:
    sys.path.insert(0, str(HERE))
    from bench_entity_parsers import _document
    from medmetrics.testing.entity_styles import ENTITY_NAMES

    rng = random.Random(seed)
    around = ("Let me read the sentence carefully.\n\nAnswer: {A}\n\nExplanation: they are named in the text.",
              "<think>Some reasoning about the sentence.</think>\n{A}", "**Entities:**\n{A}")
    names = [name for name, kind in ENTITY_NAMES if kind == "Disease"]
    with path.open("w", encoding="utf-8") as out:
        for i in range(n):
            error = 0.05 + 0.35 * ((i // 10_000) % 8) / 7  # 5% .. 40% by block
            source, mentions, _, _ = _document(rng)
            gold = [name for name, kind in mentions if kind == "Disease"]
            said = [m for m in gold if rng.random() >= error]
            if rng.random() < error:
                said.append(rng.choice(names))
            answer = "Disease: " + ("...".join(said) or "None")
            if rng.random() < 0.33:
                answer = rng.choice(around).format(A=answer)
            out.write(json.dumps({"generation": answer, "reference": [{"type": "Disease", "text": m} for m in gold],
                                  "source": source}, ensure_ascii=False) + "\n")


# --- one timed command -----------------------------------------------------------------------------


def _pss(pid: int, rss_kib: int) -> int:
    """The proportional set size of ``pid`` (KiB): pages shared with the other processes (a forked
    worker's copy of the parent) counted once in all; the resident size where it is not known."""
    try:
        with open(f"/proc/{pid}/smaps_rollup", encoding="ascii") as f:
            return next((int(line.split()[1]) for line in f if line.startswith("Pss:")), rss_kib)
    except OSError:
        return rss_kib


def _descendants(root: int) -> list[int]:
    """``root`` and its descendants (parent ids read from /proc/PID/stat)."""
    children: dict[int, list[int]] = {}
    for entry in os.listdir("/proc"):
        if entry.isdigit():
            try:
                with open(f"/proc/{entry}/stat", encoding="ascii", errors="replace") as f:
                    children.setdefault(int(f.read().rsplit(")", 1)[1].split()[1]), []).append(int(entry))
            except (OSError, IndexError, ValueError):
                continue
    out, todo = [], [root]
    while todo:
        pid = todo.pop()
        out.append(pid)
        todo += children.get(pid, [])
    return out


def _tree_memory(root: int) -> tuple[int, int]:
    """(proportional memory KiB of ``root`` and its descendants, ``root``'s high-water mark KiB)."""
    total = sum(_pss(pid, 0) for pid in _descendants(root))
    hwm = 0
    try:
        with open(f"/proc/{root}/status", encoding="ascii") as f:
            hwm = next((int(line.split()[1]) for line in f if line.startswith("VmHWM:")), 0)
    except OSError:
        pass
    return total, hwm


def score(path: Path, kind: str, jobs: int) -> dict[str, Any]:
    """Run ``medmetrics score`` once; its output, wall time and peak memory."""
    task, field = TASKS[kind]
    return measure([*CLI, "score", str(path), "--task", task, "--context-field", field, "--format", "json"],
                   {**os.environ, "MEDMETRICS_JOBS": str(jobs)})


def measure(command: list[str], env: dict[str, str]) -> dict[str, Any]:
    """Run ``command`` once: its output, wall time, CPU time (with its reaped children) and peak
    memory (the PSS of the process tree, sampled; the command's own high-water mark)."""
    peak = {"tree": 0, "main": 0}

    def run() -> tuple[str, str, int]:
        process = subprocess.Popen(command, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
        stop = threading.Event()

        def sample() -> None:
            while not stop.wait(SAMPLE_SECONDS):
                tree, hwm = _tree_memory(process.pid)
                peak["tree"] = max(peak["tree"], tree)
                peak["main"] = max(peak["main"], hwm)

        sampler = threading.Thread(target=sample, daemon=True)
        sampler.start()
        stdout, stderr = process.communicate()
        stop.set()
        sampler.join()
        return stdout, stderr, process.returncode

    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    seconds, (stdout, stderr, code) = best_of(run, 1)
    after = resource.getrusage(resource.RUSAGE_CHILDREN)  # the command and its workers, which it reaped
    cpu = (after.ru_utime + after.ru_stime) - (before.ru_utime + before.ru_stime)
    if code != 0:
        jobs = env.get("MEDMETRICS_JOBS", "")
        raise SystemExit(f"{' '.join(command)} (MEDMETRICS_JOBS={jobs}) failed with {code}:\n{stderr[-2000:]}")
    return {"seconds": seconds, "cpu": cpu, "output": stdout, "tree_mb": peak["tree"] / 1024,
            "main_mb": peak["main"] / 1024}


def bench(kinds: list[str], sizes: list[int], rounds: int, jobs: int, folder: Path) -> tuple[list[Row], bool]:
    rows: list[Row] = []
    ok = True
    for kind in kinds:
        for n in sizes:
            path = folder / f"{kind}-{n}.jsonl"
            if not path.exists():
                started = time.perf_counter()
                (write_mc if kind == "mc" else write_ner)(path, n)
                print(f"# wrote {path} ({path.stat().st_size / 1e6:.0f} MB) in {time.perf_counter() - started:.0f} s",
                      file=sys.stderr)
            runs: dict[int, list[dict[str, Any]]] = {1: [], jobs: []}
            for r in range(rounds):
                for j in ((1, jobs) if r % 2 == 0 else (jobs, 1)):
                    runs[j].append(score(path, kind, j))
                    print(f"# {kind} {n:,} round {r + 1} jobs={j}: {runs[j][-1]['seconds']:.1f} s", file=sys.stderr)
            one, many = (min(runs[j], key=lambda x: x["seconds"]) for j in (1, jobs))
            same = all(x["output"] == runs[1][0]["output"] for j in runs for x in runs[j])
            ok &= same
            times = {j: ", ".join(f"{x['seconds']:.1f} (CPU {x['cpu']:.1f})" for x in runs[j]) for j in runs}
            rows.append(Row(
                benchmark=f"score --task {TASKS[kind][0]}", peer="--jobs 1", size=f"{n:,} items",
                ours_s=many["seconds"], peer_s=one["seconds"], agree="same JSON" if same else "DIFFERENT",
                ok=same, notes=[
                    f"{n:,} items: rounds, wall s (CPU s of the command and its workers) --jobs 1: {times[1]}; "
                    f"--jobs {jobs}: {times[jobs]}",
                    f"{n:,} items: peak memory, command + workers (PSS): {one['tree_mb']:.0f} MB (--jobs 1), "
                    f"{many['tree_mb']:.0f} MB (--jobs {jobs}); the command alone: {one['main_mb']:.0f} MB, "
                    f"{many['main_mb']:.0f} MB"]))
    return rows, ok


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--sizes", default="100000,1000000")
    parser.add_argument("--kinds", default="mc,ner")
    parser.add_argument("--rounds", type=int, default=3, help="interleaved rounds per side (best is reported)")
    parser.add_argument("--jobs", type=int, default=2)
    parser.add_argument("--json", metavar="PATH")
    parser.add_argument("--keep", metavar="DIR", help="write (and reuse) the data files here")
    args = parser.parse_args(argv)
    sizes = [int(s) for s in args.sizes.split(",")]
    kinds = [k.strip() for k in args.kinds.split(",")]
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(args.keep or tmp)
        folder.mkdir(parents=True, exist_ok=True)
        rows, ok = bench(kinds, sizes, args.rounds, args.jobs, folder)
    return finish(f"medmetrics score, --jobs 1 against --jobs {args.jobs} ({os.cpu_count()} CPUs; 'peer/ours' is "
                  "the speed-up)", rows, ok, args.json)


if __name__ == "__main__":
    sys.exit(main())
