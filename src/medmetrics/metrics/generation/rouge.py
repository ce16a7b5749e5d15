"""ROUGE-1, -2, -L and -Lsum as rouge-score computes them, and MedS-Bench's ROUGE-L (``rouge``).

``rouge`` equals rouge-score 0.1.2 (``RougeScorer(..., use_stemmer=...).score``) number for
number with ``tokenize="rouge_score"``, the default, with or without the Porter stemmer.
Definitions (rouge-score's):

- ROUGE-N: clipped n-gram overlap; precision = overlap / predicted n-grams, recall = overlap /
  reference n-grams (a side with no n-gram divides by 1); F = 2PR / (P + R), 0 when P + R = 0.
- ROUGE-L: longest common subsequence of the two token sequences; P = LCS / predicted tokens,
  R = LCS / reference tokens; 0 when either side has no token.
- ROUGE-Lsum: summary-level LCS. Both texts are split into sentences; for each reference
  sentence the union of its LCS positions with every predicted sentence is taken, and the
  tokens there count as hits while both texts still have that token left (clipping). Sentences
  are split **explicitly**, by ``lsum_split``: ``"newline"`` (rouge-score's behaviour: only
  ``\\n`` separates sentences, so a one-line summary makes Lsum equal L) or ``"punctuation"``
  (also after ``.``, ``!``, ``?`` followed by white space, and after ``。！？``). rouge-score's
  ``split_summaries=True`` needs NLTK's Punkt data, which is never downloaded here.

``tokenize="unicode"`` keeps what rouge-score's tokenizer throws away (non-ASCII letters, Greek
letters, decimals, CJK characters; see ``tokenize.py``); it is a documented deviation from
rouge-score, chosen explicitly, and recorded in the signature.

Degenerate cases (rouge-score's policy, kept): an empty prediction, an empty reference, or both
empty (no token after tokenization) score P = R = F = 0. An unanswered prediction (``None``)
is scored as an empty text, so 0, and counted in ``n_failed``.

The value is the mean over items of the chosen ``rouge_type`` and ``measure``; each item's
twelve scores are its statistics row, so bootstrap intervals, shard merging and ``compare`` come
from the metric base.

``meds_bench_rouge`` is the ``rouge`` package's (pltrdy, 1.0.1) summary-level ROUGE-L F, which
MedS-Bench reports as "ROUGE": sentences split on ``.`` only, words on single spaces, no
lowercasing, unique-word denominators, the union of LCS *words* over all sentence pairs, and
F = 2PR / (P + R + 1e-8). Chinese and Japanese texts are first segmented with jieba / janome and
joined with spaces, as MedS-Bench does. Deliberate difference: the ``rouge`` package raises
``ValueError`` on an empty hypothesis or reference (MedS-Bench then skips the row); here such an
item scores 0 and is counted, never dropped.

Option names: ``tokenize`` was ``tokenizer`` and ``lsum_split`` was ``sentence_split`` (the old
names are accepted for a release, with a warning, and signatures still write them).
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, replace
from typing import Any, ClassVar, Literal

import numpy as np

from medmetrics.errors import InputError
from medmetrics.metrics.base import AdditiveMetric, Table, ratio
from medmetrics.metrics.generation.bleu import meds_bench_language
from medmetrics.metrics.generation.lcs import lcs_lengths, union_lcs_positions
from medmetrics.metrics.generation.pairs import check_texts
from medmetrics.metrics.generation.tokenize import Packed, Stemmer, TokenCoder, meds_bench_tokenizer, split_lines
from medmetrics.options import Options, option
from medmetrics.signatures import Signature

ROUGE_TYPES = ("rouge1", "rouge2", "rougeL", "rougeLsum")
MEASURES = ("precision", "recall", "fmeasure")
#: items whose tokens are held at once (the token lists of 10,000 long texts are tens of MB)
BATCH = 10_000
#: sentence splitters for rougeLsum (rouge-score splits on newlines)
SPLITS: dict[str, Callable[[str], list[str]]] = {
    "newline": split_lines,
    "punctuation": re.compile(r"\n|(?<=[.!?])\s+|(?<=[。！？])").split}


def _scores(hits: np.ndarray, predicted: np.ndarray, referenced: np.ndarray) -> np.ndarray:
    """(precision, recall, F) columns from per-item hit counts and the predicted and reference
    n-gram (or token) counts, a count below 1 dividing by 1, F = 2PR / (P + R) or 0: rouge-score's
    arithmetic (``scoring.fmeasure``), operation for operation, so the same floats."""
    precision = hits / np.maximum(predicted, 1)
    recall = hits / np.maximum(referenced, 1)
    total = precision + recall
    f = np.zeros_like(total)
    np.divide(2 * precision * recall, total, out=f, where=total > 0)
    return np.column_stack([precision, recall, f])


def ngram_overlaps(references: Sequence[Sequence[int]] | Packed, predictions: Sequence[Sequence[int]] | Packed,
                   n: int) -> np.ndarray:
    """Per item, the clipped overlap of the unigrams (``n=1``) or bigrams (``n=2``) of two token-id
    sequences (ids >= 0): the sum over n-grams of the smaller of their two counts.

    All items at once: each (item, n-gram) is one integer key; each side's keys sorted once give
    their counts, and the keys both sides hold are found by binary search.
    """
    if n not in (1, 2):
        raise ValueError(f"n-grams of length 1 or 2, not {n}")
    sides = (Packed.of(references), Packed.of(predictions))
    base = 1 + max((int(side.tokens.max()) for side in sides if side.tokens.size), default=0)
    items = len(sides[0])
    owners, grams = [], []  # per side: the text of each n-gram, its tokens (one column each)
    for side in sides:
        owner = side.owner
        starts = np.flatnonzero(owner[:max(len(owner) - n + 1, 0)] == owner[n - 1:])  # inside one text
        owners.append(owner[starts])
        grams.append(np.column_stack([side.tokens[starts + k] for k in range(n)]))
    if items * base ** n < 2**62:  # (item, n-gram) as item * base**n + the n-gram's tokens in base ``base``
        width = base ** n
        codes = [gram[:, 0] * base + gram[:, 1] if n == 2 else gram[:, 0] for gram in grams]
    else:  # a huge vocabulary: number the distinct n-grams first
        dense = np.unique(np.concatenate(grams), axis=0, return_inverse=True)[1].reshape(-1)
        codes = [dense[:len(grams[0])], dense[len(grams[0]):]]
        width = int(dense.max()) + 1 if dense.size else 1
    (ref_keys, ref_counts), (pred_keys, pred_counts) = (
        _counted(owner * width + code) for owner, code in zip(owners, codes))
    at = np.searchsorted(ref_keys, pred_keys).clip(max=max(len(ref_keys) - 1, 0))
    both = ref_keys[at] == pred_keys if ref_keys.size else np.zeros(len(pred_keys), dtype=bool)
    return np.bincount(pred_keys[both] // width, weights=np.minimum(ref_counts[at[both]], pred_counts[both]),
                       minlength=items)


def _counted(keys: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """The distinct keys, sorted, and how often each occurs."""
    keys = np.sort(keys)
    first = np.flatnonzero(np.r_[True, keys[1:] != keys[:-1]]) if keys.size else np.zeros(0, dtype=np.int64)
    return keys[first], np.diff(np.r_[first, keys.size])


def summary_lcs_hits(reference: list[list[int]], prediction: list[list[int]]) -> int:
    """rouge-score's ``_summary_level_lcs`` hit count (union LCS per reference sentence, clipped)."""
    left_ref = Counter(t for sentence in reference for t in sentence)
    left_pred = Counter(t for sentence in prediction for t in sentence)
    hits = 0
    for sentence, union in zip(reference, union_lcs_positions(reference, prediction)):
        for position in sorted(union):
            token = sentence[position]
            if left_pred[token] > 0 and left_ref[token] > 0:
                hits += 1
                left_pred[token] -= 1
                left_ref[token] -= 1
    return hits


def _rouge_types(value: Any) -> tuple[str, ...]:
    """Requested ROUGE types, in ``ROUGE_TYPES`` order."""
    asked = tuple(value)
    if not asked or set(asked) - set(ROUGE_TYPES):
        raise ValueError(f"one or more of {', '.join(ROUGE_TYPES)}")
    return tuple(t for t in ROUGE_TYPES if t in asked)


@dataclass(frozen=True)
class RougeOptions(Options):
    rouge_type: Literal["rouge1", "rouge2", "rougeL", "rougeLsum"] = option("rougeL", "which score is the value")
    rouge_types: tuple[str, ...] = option(
        ROUGE_TYPES, "the scores computed (components); fewer is faster; must include rouge_type",
        check=_rouge_types)
    measure: Literal["fmeasure", "precision", "recall"] = option("fmeasure", "fmeasure, precision or recall")
    use_stemmer: bool = option(False, "Porter-stem tokens longer than three characters, as rouge-score")
    tokenize: Literal["rouge_score", "unicode"] = option(
        "rouge_score", "rouge_score (identical to rouge-score: [a-z0-9] runs) or unicode (letters and digits of "
        "any script)")
    lsum_split: Literal["newline", "punctuation"] = option(
        "newline", "sentences for rougeLsum: newline (rouge-score) or punctuation (also after . ! ? and 。！？)")

    #: ``tokenize`` was ``tokenizer`` (``bleu`` and ``meteor`` say ``tokenize``); ``lsum_split`` was
    #: ``sentence_split``, which in ``meds_bench_bleu`` is the sentence splitter of the tokenizer
    renamed: ClassVar[Mapping[str, str]] = {"tokenizer": "tokenize", "sentence_split": "lsum_split"}
    signature_names: ClassVar[Mapping[str, str]] = {"tokenize": "tokenizer", "lsum_split": "sentence_split"}


class Rouge(AdditiveMetric):
    """ROUGE-1/2/L/Lsum precision, recall and F, equal to rouge-score (see the module docstring)."""

    name = "rouge"
    primary = "rouge"
    options_class = RougeOptions

    def configure(self) -> None:
        self._stemmer = Stemmer() if self.options["use_stemmer"] else None
        types = self.options["rouge_types"]
        if self.options["rouge_type"] not in types:
            raise InputError(f"metric 'rouge': rouge_type {self.options['rouge_type']!r} is not among rouge_types "
                             f"{types}")
        self.columns = tuple(f"{t}_{m}" for t in types for m in MEASURES)

    def describe(self) -> Signature:
        """All four types (the default) are not written, so signatures from before the option stand;
        fewer are, so statistics of different scopes never merge."""
        signature = super().describe()
        if self.options["rouge_types"] != ROUGE_TYPES:
            return signature
        return replace(signature, options={k: v for k, v in signature.options.items() if k != "rouge_types"})

    def item_stats(self, predictions: Sequence[Any], references: Sequence[Any]) -> tuple[list[str], np.ndarray]:
        check_texts(self.name, predictions, references)
        coder = TokenCoder(self.options["tokenize"], self._stemmer)
        rows = [self._rows(coder, predictions[lo:lo + BATCH], references[lo:lo + BATCH])
                for lo in range(0, len(references), BATCH)]
        return list(self.columns), np.vstack(rows) if rows else np.zeros((0, len(self.columns)))

    def _rows(self, coder: TokenCoder, predictions: Sequence[Any], references: Sequence[Any]) -> np.ndarray:
        """The statistics rows of a batch of items: every item's tokens are held at once, so
        ROUGE-1/2 and the LCS of short texts are computed for the whole batch."""
        split = SPLITS[self.options["lsum_split"]]
        types = self.options["rouge_types"]
        ref_texts = coder.encode_texts(references, split)
        pred_texts = coder.encode_texts([prediction or "" for prediction in predictions], split)
        refs, preds = ref_texts.tokens, pred_texts.tokens
        blocks = []
        for n, rouge_type in ((1, "rouge1"), (2, "rouge2")):
            if rouge_type in types:
                blocks.append(_scores(ngram_overlaps(refs, preds, n), preds.lengths - n + 1, refs.lengths - n + 1))
        # one sentence each: the summary-level LCS is the LCS
        one_each = (ref_texts.sentence_counts == 1) & (pred_texts.sentence_counts == 1)
        lcs = lcs_lengths(refs, preds, None if "rougeL" in types else np.flatnonzero(one_each)).astype(np.float64)
        if "rougeL" in types:
            blocks.append(_scores(lcs, preds.lengths, refs.lengths))
        if "rougeLsum" in types:
            hits = np.where(one_each, lcs, 0.0)
            for i in np.flatnonzero(~one_each & (refs.lengths > 0) & (preds.lengths > 0)):
                hits[i] = summary_lcs_hits(ref_texts.sentences(int(i)), pred_texts.sentences(int(i)))
            blocks.append(_scores(hits, preds.lengths, refs.lengths))
        return np.hstack(blocks)

    def from_totals(self, totals: Table, present: Table) -> dict[str, np.ndarray]:
        out = {c: ratio(totals[c], totals["n"], np.nan) for c in self.columns}
        out["rouge"] = out[f"{self.options['rouge_type']}_{self.options['measure']}"]
        return out


def _pltrdy_sentences(text: str) -> list[list[str]]:
    """The ``rouge`` package's split: on ``.``; empty pieces dropped; white space collapsed."""
    return [" ".join(piece.split()).split(" ") for piece in text.split(".") if piece]


def pltrdy_rouge_l(hypothesis: str, reference: str) -> tuple[float, float, float]:
    """``Rouge().get_scores(hyp, ref)[0]['rouge-l']`` as (p, r, f); 0 where that package raises."""
    hyp, ref = _pltrdy_sentences(hypothesis), _pltrdy_sentences(reference)
    if not hyp or not ref:
        return 0.0, 0.0, 0.0
    ids: dict[str, int] = {}
    hyp_ids = [[ids.setdefault(w, len(ids)) for w in s] for s in hyp]
    ref_ids = [[ids.setdefault(w, len(ids)) for w in s] for s in ref]
    union: set[int] = set()  # the package's LCS "union" is a set of words, not of positions
    for sentence, positions in zip(ref_ids, union_lcs_positions(ref_ids, hyp_ids, up_on_tie=False)):
        union.update(sentence[p] for p in positions)
    ref_words = {w for s in ref_ids for w in s}
    hyp_words = {w for s in hyp_ids for w in s}
    recall, precision = len(union) / len(ref_words), len(union) / len(hyp_words)
    return precision, recall, 2.0 * ((precision * recall) / (precision + recall + 1e-8))


@dataclass(frozen=True)
class MedsBenchRougeOptions(Options):
    language: str = option(
        "en", "as for meds_bench_bleu; only zh and ja change the tokens", check=meds_bench_language)


class MedsBenchRouge(AdditiveMetric):
    """MedS-Bench's "ROUGE": the ``rouge`` package's ROUGE-L F (see the module docstring)."""

    name = "meds_bench_rouge"
    primary = "rouge_l_f"
    options_class = MedsBenchRougeOptions
    columns = ("rouge_l_p", "rouge_l_r", "rouge_l_f")

    def configure(self) -> None:
        language = self.options["language"]
        self._segment: Callable[[str], str] | None = None
        if language in ("zh", "ja"):
            tokens = meds_bench_tokenizer(language)
            self._segment = lambda text: " ".join(tokens(text))

    def item_stats(self, predictions: Sequence[Any], references: Sequence[Any]) -> tuple[list[str], np.ndarray]:
        check_texts(self.name, predictions, references)
        segment = self._segment or (lambda text: text)
        rows = [pltrdy_rouge_l(segment(p or ""), segment(r)) for p, r in zip(predictions, references)]
        return list(self.columns), np.asarray(rows, dtype=np.float64).reshape(len(references), 3)

    def from_totals(self, totals: Table, present: Table) -> dict[str, np.ndarray]:
        return {c: ratio(totals[c], totals["n"], np.nan) for c in self.columns}
