"""A BLURB-sized run scored in one command: time and peak memory of ``medmetrics score --suite``.

    .venv/bin/python benchmarks/bench_suite.py [--scale 1.0] [--resamples 1000] [--suite blurb]

Writes one JSONL file per dataset of BioMistral-NLU's Table 5 (the instance counts of the
table, 80,068 items at scale 1) with real-style generations, then runs the command in a child
process and reports its wall time and peak resident memory. Tasks whose parser or metric is not
registered yet (the NER and PICO sets before the entity parsers land) are written too and
reported as unavailable by the command; the item count scored is printed.
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

from medmetrics.suites.classification import CHEMPROT_LABELS, DDI_LABELS, GAD_LABELS, I2B2_2010_LABELS

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
    return {"generation": "Disease: fever...rash", "reference": "Disease: fever"}  # entity styles


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--scale", type=float, default=1.0)
    parser.add_argument("--resamples", type=int, default=1000)
    parser.add_argument("--suite", default="blurb")
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
        command = [sys.executable, "-m", "medmetrics.cli", "score", "--suite", args.suite, folder, "--ci",
                   "--resamples", str(args.resamples), "--format", "json"]
        start = time.perf_counter()
        proc = subprocess.run(command, capture_output=True, text=True)
        seconds = time.perf_counter() - start
    if proc.returncode != 0:
        print(proc.stderr, file=sys.stderr)
        return 1
    data = json.loads(proc.stdout)
    scored = sum(t["result"]["n"] for t in data["tasks"] if t["result"])
    peak_mb = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024
    print(f"suite {args.suite}: {total:,} items written, {scored:,} scored in {data['averaged_tasks']} tasks "
          f"(of {data['suite_tasks']}); {args.resamples} resamples")
    print(f"wall time {seconds:.1f} s (process start and file reading included); peak memory {peak_mb:.0f} MB")
    print(f"average {data['value']:.4f} [{data['ci']['low']:.4f}, {data['ci']['high']:.4f}] ({data['signature']})")
    return 0


if __name__ == "__main__":
    sys.exit(main())
