"""Corpus and sentence BLEU through sacrebleu, and MedS-Bench's BLEU-1 (``meds_bench_bleu``).

``bleu``: sacrebleu 2.x tokenizes each pair and counts, per item, the hypothesis and closest
reference lengths and the matched and total n-grams of every order: sacrebleu's own segment
statistics (``_extract_corpus_statistics``, the ones its paired bootstrap resamples). Corpus
BLEU is a function of their weighted sums, computed here vectorized exactly as sacrebleu's
``BLEU.compute_bleu`` does (smoothing ``exp``, ``floor``, ``add-k``, ``none``; effective order),
so the value equals ``BLEU(...).corpus_score`` and bootstrap intervals, shard merging and
``compare`` are exact. ``level="sentence"`` scores each item on its own statistics
(``BLEU(...).sentence_score``) and takes the mean. Values are in [0, 1]: sacrebleu's score / 100.
The signature holds sacrebleu's own signature (``nrefs:1|case:mixed|eff:no|tok:13a|...``).

Degenerate cases (sacrebleu's, kept): no matched n-gram at all gives 0 (so an empty hypothesis
scores 0, and so does an empty hypothesis against an empty reference); a hypothesis shorter than
its reference gets the brevity penalty exp(1 - r/c), 0 when c = 0. An unanswered prediction
(``None``) is scored as an empty hypothesis and counted in ``n_failed``. One reference per item.

``meds_bench_bleu``: MedS-Bench's "BLEU", the mean over items of nltk's ``sentence_bleu`` with
weights (1, 0, 0, 0) and ``SmoothingFunction().method1``: clipped unigram precision times the
brevity penalty (the closest reference length; 0 for an empty hypothesis), on MedS-Bench's tokens
(jieba for zh, janome surfaces for ja, nltk ``word_tokenize`` otherwise, whose sentence split is
NLTK's English Punkt model read locally: ``tokenize.punkt_parameters``).
The weight-0 orders and the smoothing never change the number: nltk adds 0 x log(p) for them.
"""

from __future__ import annotations

import math
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass, replace
from typing import Any, Literal

import numpy as np

from medmetrics.errors import InputError, MissingDependencyError
from medmetrics.metrics.base import AdditiveMetric, Metric, Table, ratio
from medmetrics.metrics.generation import require
from medmetrics.metrics.generation.pairs import check_texts
from medmetrics.metrics.generation.tokenize import LANGUAGES, meds_bench_tokenizer
from medmetrics.options import Options, at_least, option
from medmetrics.signatures import Signature

#: sacrebleu's ``my_log(0)``: the log of a zero precision.
_LOG_ZERO = -9999999999.0


def bleu_from_counts(hyp_len: np.ndarray, ref_len: np.ndarray, correct: np.ndarray, total: np.ndarray,
                     smooth_method: str, smooth_value: float, effective_order: bool) -> dict[str, np.ndarray]:
    """sacrebleu's ``BLEU.compute_bleu``, for many count vectors at once.

    ``hyp_len``, ``ref_len``: shape (B,); ``correct``, ``total``: (B, max order). Returns the
    score (0-100, as sacrebleu), the brevity penalty and the precisions (0-100) per order.
    """
    batch, orders = correct.shape
    correct, total = correct.astype(np.float64), total.astype(np.float64)
    with np.errstate(divide="ignore", invalid="ignore"):
        bp = np.where(hyp_len < ref_len, np.where(hyp_len > 0, np.exp(1 - ref_len / hyp_len), 0.0), 1.0)
        precisions = np.zeros((batch, orders))
        active = np.ones(batch, dtype=bool)  # still inside sacrebleu's loop (no ``break`` yet)
        eff_order = np.full(batch, orders)
        smooth_mteval = np.ones(batch)
        for n in range(orders):
            c, t = correct[:, n], total[:, n]
            if smooth_method == "add-k" and n > 0:
                c, t = c + smooth_value, t + smooth_value
            active &= t != 0
            if effective_order:
                eff_order = np.where(active, n + 1, eff_order)
            zero = active & (c == 0)
            if smooth_method == "exp":
                smooth_mteval = np.where(zero, smooth_mteval * 2, smooth_mteval)
                precisions[:, n] = np.where(zero, 100.0 / (smooth_mteval * t), precisions[:, n])
            elif smooth_method == "floor":
                precisions[:, n] = np.where(zero, 100.0 * smooth_value / t, precisions[:, n])
            precisions[:, n] = np.where(active & (c != 0), 100.0 * c / t, precisions[:, n])
        logs = np.where(precisions > 0, np.log(np.where(precisions > 0, precisions, 1.0)), _LOG_ZERO)
        log_sum = np.zeros(batch)
        for n in range(orders):  # left to right, as Python's ``sum`` adds them
            log_sum = np.where(n < eff_order, log_sum + logs[:, n], log_sum)
        score = bp * np.exp(log_sum / eff_order)
    no_match = correct.sum(axis=1) == 0  # sacrebleu's early stop (its #141): score and precisions 0
    return {"score": np.where(no_match, 0.0, score), "bp": bp,
            "precisions": np.where(no_match[:, None], 0.0, precisions)}


@dataclass(frozen=True)
class BleuOptions(Options):
    level: Literal["corpus", "sentence"] = option(
        "corpus", "corpus (BLEU of the summed counts) or sentence (mean of per-item BLEU)")
    tokenize: str = option("13a", "a sacrebleu tokenizer: 13a, intl, zh, char, none, ja-mecab, ...")
    lowercase: bool = option(False, "lowercase both sides first")
    smooth_method: Literal["exp", "floor", "add-k", "none"] = option("exp", "sacrebleu's smoothing method")
    smooth_value: int | float | None = option(
        None, "the value for floor and add-k; None is sacrebleu's default")
    max_ngram_order: int = option(4, "the highest n-gram order", check=at_least(1))
    effective_order: bool | None = option(
        None, "leave out orders with no n-gram; None: False at corpus level, True at sentence level")


def meds_bench_language(value: str) -> str:
    """The ISO code of a MedS-Bench language, in any case (``jp``, ``spa``, ``fra`` accepted)."""
    code = LANGUAGES.get(value.lower())
    if code is None:
        raise ValueError(f"one of {', '.join(sorted(LANGUAGES))}")
    return code


class Bleu(Metric):
    """Corpus BLEU (or the mean sentence BLEU) equal to sacrebleu; see the module docstring."""

    name = "bleu"
    primary = "bleu"
    options_class = BleuOptions

    def configure(self) -> None:
        o = self.options
        if o["effective_order"] is None:  # as sacrebleu's corpus_bleu / sentence_bleu functions
            o["effective_order"] = o["level"] == "sentence"
        order = o["max_ngram_order"]
        metrics = require("sacrebleu.metrics", "metric 'bleu'")
        # sacrebleu's own list, which needs sacrebleu imported: checked here, not in the declaration
        if o["tokenize"] not in metrics.BLEU.TOKENIZERS:
            raise InputError(f"metric 'bleu': tokenize must be one of {sorted(metrics.BLEU.TOKENIZERS)}, "
                             f"not {o['tokenize']!r}")
        try:
            self._sacrebleu = metrics.BLEU(
                lowercase=o["lowercase"], tokenize=o["tokenize"], smooth_method=o["smooth_method"],
                smooth_value=o["smooth_value"], max_ngram_order=order, effective_order=o["effective_order"],
                force=True)
        except (ImportError, RuntimeError) as error:  # e.g. ja-mecab without sacrebleu[ja]; says what to install
            raise MissingDependencyError(
                f"metric 'bleu': sacrebleu cannot build tokenizer {o['tokenize']!r}: {' '.join(str(error).split())}"
            ) from error
        if o["smooth_value"] is None:
            self._smooth_value = float(metrics.BLEU.SMOOTH_DEFAULTS[o["smooth_method"]] or 0.0)
        else:
            self._smooth_value = float(o["smooth_value"])
        self._sacrebleu.num_refs = 1  # one reference per item; sacrebleu sets this when it first scores
        self._sacrebleu_signature = self._sacrebleu.get_signature().format()

    def describe(self) -> Signature:
        return replace(super().describe(), details=(f"sacrebleu({self._sacrebleu_signature})",))

    def _columns(self) -> list[str]:
        orders = range(1, self.options["max_ngram_order"] + 1)
        return ["hyp_len", "ref_len", *(f"correct_{n}" for n in orders), *(f"total_{n}" for n in orders)]

    def _from_counts(self, counts: Table) -> dict[str, np.ndarray]:
        orders = range(1, self.options["max_ngram_order"] + 1)
        correct = np.stack([counts[f"correct_{n}"] for n in orders], axis=-1)
        total = np.stack([counts[f"total_{n}"] for n in orders], axis=-1)
        return bleu_from_counts(counts["hyp_len"], counts["ref_len"], correct, total, self.options["smooth_method"],
                                self._smooth_value, self.options["effective_order"])

    def item_stats(self, predictions: Sequence[Any], references: Sequence[Any]) -> tuple[list[str], np.ndarray]:
        check_texts(self.name, predictions, references)
        hypotheses = [p or "" for p in predictions]
        counts = np.asarray(self._sacrebleu._extract_corpus_statistics(hypotheses, [list(references)]),
                            dtype=np.float64).reshape(len(references), -1)
        columns = self._columns()
        sentence = self._from_counts(Table(columns, counts))["score"] / 100.0
        return [*columns, "sentence_bleu"], np.column_stack([counts, sentence])

    def score(self, table: Table, weights: np.ndarray) -> dict[str, np.ndarray]:
        totals = Table(table.columns, weights @ table.rows)
        corpus = self._from_counts(totals)
        out = {"corpus_bleu": corpus["score"] / 100.0, "sentence_bleu": ratio(totals["sentence_bleu"], totals["n"],
                                                                              math.nan),
               "brevity_penalty": corpus["bp"], "hyp_len": totals["hyp_len"], "ref_len": totals["ref_len"]}
        for n in range(self.options["max_ngram_order"]):
            out[f"precision_{n + 1}"] = corpus["precisions"][:, n] / 100.0
        out["bleu"] = out["corpus_bleu" if self.options["level"] == "corpus" else "sentence_bleu"]
        return out


@dataclass(frozen=True)
class MedsBenchBleuOptions(Options):
    language: str = option(
        "en", "en, fr, es, ru, zh or ja (the evaluator's fra, spa, jp accepted)", check=meds_bench_language)
    sentence_split: Literal["punkt", "regex"] = option(
        "punkt", "how word_tokenize splits sentences for en/fr/es/ru: NLTK's English Punkt (exact) or a regex")


class MedsBenchBleu(AdditiveMetric):
    """MedS-Bench's "BLEU": mean nltk sentence BLEU-1 with method1 smoothing (module docstring)."""

    name = "meds_bench_bleu"
    primary = "bleu_1"
    options_class = MedsBenchBleuOptions

    def configure(self) -> None:
        self._tokenize = meds_bench_tokenizer(self.options["language"], self.options["sentence_split"])

    def item_stats(self, predictions: Sequence[Any], references: Sequence[Any]) -> tuple[list[str], np.ndarray]:
        check_texts(self.name, predictions, references)
        rows = np.zeros((len(references), 4))
        for i, (prediction, reference) in enumerate(zip(predictions, references)):
            hyp, ref = self._tokenize(prediction or ""), self._tokenize(reference)
            reference_counts = Counter(ref)
            matches = sum(min(count, reference_counts[token]) for token, count in Counter(hyp).items())
            rows[i, :3] = matches, len(hyp), len(ref)
            if matches:  # nltk returns 0 when no unigram matches (an empty hypothesis included)
                c, r = len(hyp), len(ref)
                bp = 1.0 if c > r else math.exp(1 - r / c)
                rows[i, 3] = bp * math.exp(math.log(matches / c))
        return ["matches_1", "hyp_len", "ref_len", "bleu_1_item"], rows

    def from_totals(self, totals: Table, present: Table) -> dict[str, np.ndarray]:
        return {"bleu_1": ratio(totals["bleu_1_item"], totals["n"], math.nan),
                "precision_1": ratio(totals["matches_1"], totals["hyp_len"], math.nan)}
