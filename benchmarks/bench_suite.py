"""A BLURB-sized run scored in one command: time and peak memory of ``medmetrics score --suite``.

    .venv/bin/python benchmarks/bench_suite.py [--scale 1.0] [--resamples 1000] [--suite blurb,blue]

Writes one JSONL file per dataset of BioMistral-NLU's Table 5 (the instance counts of the
table, 80,068 items at scale 1) with real-style generations: labels in prose, "Type: span...span"
NER lines with misses and extra spans, PICO as "word [B-PAR]" tags, HoC options, BIOSSES scores.
Then it runs one command, ``medmetrics score --suite blurb,blue``, on that folder in a child
process (the 13 BLURB datasets and the 8 of BLUE, which adds i2b2-2010 and MedNLI: all 15), and
reports its wall time and peak resident memory.
"""

from __future__ import annotations

import argparse
import json
import random
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from medmetrics.catalog.classification import CHEMPROT_LABELS, DDI_LABELS, GAD_LABELS, I2B2_2010_LABELS
from medmetrics.catalog.entities import JNLPBA_TYPES, PICO_CLASSES

#: dataset -> instances in BioMistral-NLU Table 5
SIZES = {
    "bc2gm": 6322, "bc5_chem": 5385, "bc5_disease": 4424, "ncbi_disease": 955, "jnlpba": 8657,
    "ebm_pico": 24474, "hoc": 315, "pubmedqa": 500, "bioasq_yesno": 263, "gad": 534, "ddi": 5761,
    "chemprot": 14744, "i2b2_2010": 6292, "mednli": 1422, "biosses": 20,
}
LABELS = {"chemprot": CHEMPROT_LABELS, "ddi": DDI_LABELS, "gad": GAD_LABELS, "i2b2_2010": I2B2_2010_LABELS,
          "pubmedqa": ("yes", "no", "maybe"), "bioasq_yesno": ("yes", "no"),
          "mednli": ("entailment", "neutral", "contradiction")}
STYLES = ("{x}", "Answer: {x}", "The answer is {x}.", "Based on the text, the relation is {x}.",
          "**{x}**", "I am not sure about this one.")


def item(task: str, rng: random.Random) -> dict[str, object]:
    if task in LABELS:
        gold = rng.choice(LABELS[task])
        said = gold if rng.random() < 0.7 else rng.choice(LABELS[task])
        return {"generation": rng.choice(STYLES).format(x=said), "reference": gold}
    if task == "hoc":
        gold = sorted(rng.sample("ABCDEFGHIJ", rng.randint(0, 3)))
        return {"generation": ", ".join(f"({g})" for g in gold) or "None of them.", "reference": gold}
    if task == "biosses":
        gold = round(rng.uniform(0, 4), 1)
        return {"generation": f"Score: {min(4, max(0, round(gold + rng.uniform(-1, 1))))}", "reference": gold}
    if task == "ebm_pico":
        gold = [rng.choice(("O", "O", *PICO_CLASSES)) for _ in range(rng.randint(5, 30))]
        said = [g if rng.random() < 0.8 else rng.choice(("O", *PICO_CLASSES)) for g in gold]
        words = " ".join(f"w{i} [{'O' if t == 'O' else 'B-' + t}]" for i, t in enumerate(said))
        return {"generation": words, "reference": ["O" if g == "O" else "I-" + g for g in gold]}
    types = JNLPBA_TYPES if task == "jnlpba" else (NER_TYPES[task],)
    gold_mentions = [{"type": rng.choice(types), "text": rng.choice(MENTIONS)} for _ in range(rng.randint(0, 4))]
    said_mentions = [m for m in gold_mentions if rng.random() < 0.75] + \
        [{"type": rng.choice(types), "text": rng.choice(MENTIONS)} for _ in range(rng.randint(0, 1))]
    lines = ["{}: {}".format(t, "...".join(m["text"] for m in said_mentions if m["type"] == t) or "None")
             for t in types]
    return {"generation": "\n".join(lines), "reference": gold_mentions}


NER_TYPES = {"bc5_chem": "Chemical", "bc5_disease": "Disease", "ncbi_disease": "Disease", "bc2gm": "Gene"}
MENTIONS = ("aspirin", "IL-2", "p53", "breast cancer", "T cells", "1,2-dichloroethane", "NF-kappa B", "fever",
            "cisplatin", "BRCA1", "type 2 diabetes", "TNF-alpha")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--scale", type=float, default=1.0)
    parser.add_argument("--resamples", type=int, default=1000)
    parser.add_argument("--suite", default="blurb,blue", help="suites for the one command, comma-separated")
    args = parser.parse_args()
    rng = random.Random(12345)
    with tempfile.TemporaryDirectory() as folder:
        total = 0
        for task, size in SIZES.items():
            n = max(2, int(size * args.scale))
            total += n
            with open(Path(folder) / f"{task}.jsonl", "w", encoding="utf-8") as handle:
                for _ in range(n):
                    handle.write(json.dumps(item(task, rng)) + "\n")
        print(f"{total:,} items written in {len(SIZES)} datasets")
        return 0 if run_suites(args.suite, folder, args.resamples) else 1


def run_suites(suites: str, folder: str, resamples: int) -> bool:
    """One ``score --suite`` command in a fresh child process: its time, peak memory and results."""
    command = [sys.executable, "-m", "medmetrics.cli", "score", "--suite", suites, folder, "--ci",
               "--resamples", str(resamples), "--format", "json"]
    start = time.perf_counter()
    proc = subprocess.run(command, capture_output=True, text=True)
    seconds = time.perf_counter() - start
    if proc.returncode != 0:
        print(proc.stderr, file=sys.stderr)
        return False
    data = json.loads(proc.stdout)
    tables = data if isinstance(data, list) else [data]
    peak_mb = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024
    distinct = {t["task"]: t["result"]["n"] for table in tables for t in table["tasks"] if t["result"]}
    print(f"score --suite {suites}: {sum(distinct.values()):,} items in {len(distinct)} datasets scored; "
          f"{resamples} resamples; wall time {seconds:.1f} s (process start and file reading included); "
          f"peak memory {peak_mb:.0f} MB")
    for table in tables:
        print(f"  {table['suite']}: {table['averaged_tasks']} of {table['suite_tasks']} tasks, average "
              f"{table['value']:.4f} [{table['ci']['low']:.4f}, {table['ci']['high']:.4f}] ({table['signature']})")
    return True

if __name__ == "__main__":
    sys.exit(main())
