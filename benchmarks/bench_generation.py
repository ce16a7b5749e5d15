"""Generation metrics against their reference implementations, on the same 10,000 pairs in one run.

- ``rouge`` (ROUGE-1/2/L/Lsum, Porter stemmer on and off) against rouge-score 0.1.2's
  ``RougeScorer.score``: every per-item precision, recall and F checked equal.
- ``bleu`` (corpus) against sacrebleu's ``corpus_score``, and with a 1,000-resample bootstrap
  interval against sacrebleu's own (``corpus_score(n_bootstrap=1000)``): values checked equal
  (the intervals use different random draws and are not compared).
- ``meds_bench_rouge`` against the ``rouge`` package and ``meds_bench_bleu`` against nltk's
  ``sentence_bleu`` on the same tokens, per item.

Texts are seeded biomedical-style summaries of 2-6 sentences (one per line in a third of the
pairs, so rougeLsum has sentences to split), with Greek letters, doses and decimals. Every call
of ours builds a fresh metric, so the stem cache starts cold.

    .venv/bin/python benchmarks/bench_generation.py [--quick]
"""

from __future__ import annotations

import random
import sys

from bench_common import Row, best_of, render

TOL = 1e-9
_WORDS = (
    "patient patients presented with fever rash cough dyspnea chest pain treated treatment was were "
    "given received started stopped improved improving worsened after before during days weeks the a an of "
    "and or in on to for no not mg daily twice β-blocker ACE inhibitor IL-6 levels elevated normal "
    "1.5 2.5 10 mg/kg CT scan showed revealed bilateral infiltrates pneumonia sepsis antibiotics "
    "discharged admitted hospital ICU oxygen saturation blood pressure heart rate diagnosis history "
    "hypertension diabetes metformin insulin glucose creatinine kidney renal failure acute chronic")
VOCABULARY = tuple(_WORDS.split())


def text_pairs(n: int, seed: int = 4) -> tuple[list[str], list[str]]:
    """(predictions, references): a prediction shares about half its words with its reference."""
    rng = random.Random(seed)

    def sentence() -> list[str]:
        return [rng.choice(VOCABULARY) for _ in range(rng.randint(6, 16))]

    predictions, references = [], []
    for i in range(n):
        reference = [sentence() for _ in range(rng.randint(2, 6))]
        prediction = [[w if rng.random() < 0.6 else rng.choice(VOCABULARY) for w in s] for s in reference]
        rng.shuffle(prediction)
        joiner = ".\n" if i % 3 == 0 else ". "
        references.append(joiner.join(" ".join(s).capitalize() for s in reference) + ".")
        predictions.append(joiner.join(" ".join(s).capitalize() for s in prediction[: rng.randint(1, 6)]) + ".")
    return predictions, references


def _agreement(max_diff: float) -> tuple[str, bool]:
    ok = max_diff <= TOL
    return (f"yes (max |Δ|={max_diff:.1e})" if ok else f"NO: max |Δ|={max_diff:.3e}"), ok


def bench_rouge(predictions: list[str], references: list[str], repeat: int) -> list[Row]:
    from rouge_score.rouge_scorer import RougeScorer

    from medmetrics.metrics.base import Table
    from medmetrics.metrics.generation.rouge import MEASURES, ROUGE_TYPES, Rouge

    rows = []
    for stem in (True, False):
        def ours(stem: bool = stem) -> Table:
            stats = Rouge(use_stemmer=stem).stats(predictions, references)
            return Table(stats.columns, stats.rows)

        def peer(stem: bool = stem) -> list:
            scorer = RougeScorer(list(ROUGE_TYPES), use_stemmer=stem)
            return [scorer.score(r, p) for p, r in zip(predictions, references)]

        ours_s, table = best_of(ours, repeat)
        peer_s, expected = best_of(peer, 1)
        diff = max(abs(table[f"{t}_{m}"][i] - getattr(s[t], m))
                   for i, s in enumerate(expected) for t in ROUGE_TYPES for m in MEASURES)
        agree, ok = _agreement(diff)
        rows.append(Row(f"rouge 1/2/L/Lsum{', stemmer' if stem else ''}", "rouge-score 0.1.2",
                        f"{len(references):,} pairs", ours_s, peer_s, per_item=len(references), agree=agree, ok=ok))
    return rows


def bench_bleu(predictions: list[str], references: list[str], repeat: int) -> list[Row]:
    from sacrebleu.metrics import BLEU

    from medmetrics.metrics.generation.bleu import Bleu

    size = f"{len(references):,} pairs"
    ours_s, result = best_of(lambda: Bleu().compute(predictions, references), repeat)
    peer_s, expected = best_of(lambda: BLEU().corpus_score(predictions, [references]), repeat)
    agree, ok = _agreement(abs(result.value - expected.score / 100))
    rows = [Row("bleu (corpus)", "sacrebleu corpus_score", size, ours_s, peer_s, per_item=len(references),
                agree=agree, ok=ok)]
    ours_s, result = best_of(lambda: Bleu().compute(predictions, references, ci=True, resamples=1000), 1)
    peer_s, expected = best_of(lambda: BLEU().corpus_score(predictions, [references], n_bootstrap=1000), 1)
    agree, ok = _agreement(abs(result.value - expected.score / 100))
    rows.append(Row("bleu + 1,000-resample CI", "sacrebleu n_bootstrap=1000", size, ours_s, peer_s,
                    agree=agree, ok=ok, notes=["values compared; the intervals use different random draws"]))
    return rows


def bench_meds_bench(predictions: list[str], references: list[str]) -> list[Row]:
    from nltk.translate.bleu_score import SmoothingFunction, sentence_bleu
    from rouge import Rouge as PltrdyRouge

    from medmetrics.metrics.generation.bleu import MedsBenchBleu
    from medmetrics.metrics.generation.rouge import MedsBenchRouge
    from medmetrics.metrics.generation.tokenize import meds_bench_tokenizer

    size = f"{len(references):,} pairs"
    ours_s, stats = best_of(lambda: MedsBenchRouge().stats(predictions, references), 1)
    peer_s, expected = best_of(lambda: [PltrdyRouge().get_scores(p, r)[0]["rouge-l"]["f"]
                                        for p, r in zip(predictions, references)], 1)
    agree, ok = _agreement(max(abs(a - b) for a, b in zip(stats.rows[:, -1], expected)))
    rows = [Row("meds_bench_rouge", "rouge 1.0.1 (pltrdy)", size, ours_s, peer_s, per_item=len(references),
                agree=agree, ok=ok)]
    tokenize = meds_bench_tokenizer("en", MedsBenchBleu().options["sentence_split"])  # the same tokens as ours
    smoothing = SmoothingFunction().method1
    ours_s, stats = best_of(lambda: MedsBenchBleu().stats(predictions, references), 1)
    peer_s, expected = best_of(lambda: [sentence_bleu([tokenize(r)], tokenize(p), weights=(1, 0, 0, 0),
                                                      smoothing_function=smoothing)
                                        for p, r in zip(predictions, references)], 1)
    agree, ok = _agreement(max(abs(a - b) for a, b in zip(stats.rows[:, -1], expected)))
    rows.append(Row("meds_bench_bleu", "nltk sentence_bleu (same tokens)", size, ours_s, peer_s,
                    per_item=len(references), agree=agree, ok=ok, notes=["both sides tokenize"]))
    return rows


def bench_generation(quick: bool) -> list[Row]:
    pairs = 1_000 if quick else 10_000
    repeat = 1 if quick else 3
    predictions, references = text_pairs(pairs)
    return (bench_rouge(predictions, references, repeat) + bench_bleu(predictions, references, repeat)
            + bench_meds_bench(predictions, references))


if __name__ == "__main__":
    print(render(bench_generation("--quick" in sys.argv[1:])))
