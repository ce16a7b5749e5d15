"""``rouge`` and ``meteor`` against rouge-score and nltk over stated text mixes, one cold call each.

``bench_generation`` and ``bench_bertscore_meteor`` time one data set each (short texts; a
90-word vocabulary for ROUGE), where word caches fill at once. Here both metrics run over every
combination of

- text length: short (8-30 words) and long (150-450 words, about 300, one sentence per line in
  sentences of up to 20 words, so rougeLsum has sentences);
- vocabulary: 1,000 and 20,000 of WordNet's one-word lemmas (plus eight function words), drawn
  with Zipf frequencies as in running text: the larger, the more distinct words a call stems;

with the same number of hypothesis words in every mix (60,000; 6,000 with ``--quick``). The
reference is edited from the hypothesis (``bench_bertscore_meteor.text_pairs``: dropped,
replaced, inflected and synonym words, swapped neighbours). Every call is cold: a new metric
(empty stem and synonym caches) and a new ``RougeScorer``; rows: ROUGE 1/2/L/Lsum with and
without the Porter stemmer, ROUGE-L alone with the stemmer (``rouge_types=["rougeL"]``, and
rouge-score asked for rougeL alone), and METEOR against nltk's ``meteor_score`` (same WordNet
reader, loaded before timing). Both sides run in the same rounds, alternately (best of
``--rounds``); every per-item score must equal the peer's (ROUGE to 1e-9, METEOR to 1e-9).

Needs the ``test`` extra and a local WordNet (``apt-get install wordnet-base``).

    .venv/bin/python benchmarks/bench_text_mixes.py [--quick] [--rounds 2] [--json PATH]
"""

from __future__ import annotations

import itertools
import sys
from typing import Any

import numpy as np

from bench_bertscore_meteor import text_pairs
from bench_common import Row, interleaved, mixes_main, note_ranges

TOL = 1e-9
LENGTHS = {"short": (8, 30), "long": (150, 450)}
VOCABULARIES = (1_000, 20_000)
LINE = 20  # words per line of a long text


def _lines(text: str) -> str:
    words = text.split()
    return "\n".join(" ".join(words[i:i + LINE]) for i in range(0, len(words), LINE))


def mix_pairs(words: int, length: str, lemmas: int, wordnet: Any) -> tuple[list[str], list[str]]:
    """About ``words`` hypothesis words in pairs of the given length over ``lemmas`` lemmas."""
    low, high = LENGTHS[length]
    hypotheses, references = text_pairs(max(1, words * 2 // (low + high)), wordnet, seed=7, lemmas=lemmas,
                                        length=(low, high))
    if length == "long":
        hypotheses, references = [_lines(h) for h in hypotheses], [_lines(r) for r in references]
    return hypotheses, references


def _max_diff(ours: np.ndarray, peer: np.ndarray) -> tuple[str, bool]:
    diff = float(np.max(np.abs(ours - peer))) if ours.size else 0.0
    ok = diff <= TOL
    return (f"yes (max |Δ|={diff:.1e})" if ok else f"NO: max |Δ|={diff:.3e}"), ok


def bench_text_mixes(quick: bool, rounds: int = 2) -> list[Row]:
    from nltk.translate.meteor_score import meteor_score
    from rouge_score.rouge_scorer import RougeScorer

    from medmetrics.metrics.generation.meteor import Meteor, load_wordnet
    from medmetrics.metrics.generation.rouge import MEASURES, ROUGE_TYPES, Rouge

    wordnet = load_wordnet()
    words = 6_000 if quick else 60_000
    rows: list[Row] = []
    rouge_cases = [("rouge 1/2/L/Lsum, stemmer", ROUGE_TYPES, True), ("rougeL alone, stemmer", ("rougeL",), True),
                   ("rouge 1/2/L/Lsum", ROUGE_TYPES, False)]
    for length, lemmas in itertools.product(LENGTHS, VOCABULARIES):
        hypotheses, references = mix_pairs(words, length, lemmas, wordnet)
        hyp_words = sum(len(h.split()) for h in hypotheses)
        distinct = len({w for text in hypotheses + references for w in text.lower().split()})
        mix = f"{len(hypotheses):,} {length} pairs ({hyp_words:,} words), {lemmas:,} lemmas, {distinct:,} distinct"

        for name, types, stem in rouge_cases:
            columns = [f"{t}_{m}" for t in types for m in MEASURES]

            def ours(types: tuple[str, ...] = types, stem: bool = stem, columns: list[str] = columns) -> np.ndarray:
                stats = Rouge(rouge_type=types[-1], rouge_types=list(types), use_stemmer=stem).stats(
                    hypotheses, references)  # noqa: B023
                return stats.rows[:, [stats.columns.index(c) for c in columns]]

            def peer(types: tuple[str, ...] = types, stem: bool = stem) -> np.ndarray:
                scorer = RougeScorer(list(types), use_stemmer=stem)
                scores = [scorer.score(r, h) for h, r in zip(hypotheses, references)]  # noqa: B023
                return np.array([[getattr(s[t], m) for t in types for m in MEASURES] for s in scores])

            ours_t, peer_t, ours_v, peer_v = interleaved(ours, peer, rounds)
            agree, ok = _max_diff(ours_v, peer_v)
            rows.append(Row(name, f"rouge-score 0.1.2 ({', '.join(types) if len(types) == 1 else 'all four'})",
                            mix, ours_t, peer_t, agree=agree, ok=ok))

        def ours_meteor() -> np.ndarray:
            stats = Meteor().stats(hypotheses, references)  # noqa: B023
            return stats.rows[:, stats.columns.index("meteor")]

        def nltk_meteor() -> np.ndarray:
            return np.array([meteor_score([r.split()], h.split(), wordnet=wordnet)
                             for h, r in zip(hypotheses, references)])  # noqa: B023

        ours_t, peer_t, ours_v, peer_v = interleaved(ours_meteor, nltk_meteor, rounds)
        agree, ok = _max_diff(ours_v, peer_v)
        rows.append(Row("meteor (sentence scores)", "nltk meteor_score", mix, ours_t, peer_t, agree=agree, ok=ok))
    note_ranges(rows, [case[0] for case in rouge_cases] + ["meteor (sentence scores)"])
    return rows


def main(argv: list[str] | None = None) -> int:
    return mixes_main(__doc__, bench_text_mixes, "rouge and meteor over text lengths and vocabulary sizes, one cold "
                      "call each", 2, argv)


if __name__ == "__main__":
    sys.exit(main())
