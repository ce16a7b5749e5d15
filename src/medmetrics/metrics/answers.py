"""Free-text answers: normalized exact match and containment (``normalized_match``).

For benchmarks whose answer is a short phrase a model writes out rather than picks from a
label list: MeDAL's abbreviation expansions (MedINST32 scores them by SQuAD-normalized exact
match) and MedS-Bench's diagnosis, treatment and extraction answers (its released evaluator
checks that the gold string occurs in the output).

Normalization (``normalize_answer``) is SQuAD's, made Unicode-aware: NFKC, casefold, every
punctuation and symbol character (Unicode categories P and S) removed, the articles
``a``/``an``/``the`` removed as words, white space collapsed. On ASCII text it equals SQuAD's
``normalize_answer`` (a test checks this on random text).

``match="exact"``: the normalized texts are equal. ``match="contains"``: the normalized
reference occurs in the normalized prediction *as whole words* (MedS-Bench tests a raw
substring, so its gold ``no`` is found in ``not``; that is a bug we do not copy, and a test shows
it). Containment is lenient by nature: an answer listing every option contains the right one.
``reference_prefixes`` removes boilerplate that MedS-Bench's golds start with ("The diagnosis
result is ...") before comparing, as its evaluator does.

A failed parse (``None``) is wrong; an answered prediction that is not text (a number, a list)
is an ``InputError``, not a wrong answer: it comes from the wrong parser. A reference that
normalizes to nothing is an ``InputError``: it would match everything under containment and
nothing meaningful under exact match.
"""

from __future__ import annotations

import math
import re
import unicodedata
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any, Literal

import numpy as np

from medmetrics.errors import InputError
from medmetrics.metrics.base import AdditiveMetric, Table, ratio
from medmetrics.options import Options, option
from medmetrics.parsing.text import fold

_ARTICLES = re.compile(r"\b(?:a|an|the)\b")


def _is_punctuation_or_symbol(char: str) -> bool:
    return unicodedata.category(char)[0] in "PS"


def normalize_answer(text: str) -> str:
    """SQuAD's answer normalization, Unicode-aware (see the module docstring)."""
    kept = "".join(" " if char.isspace() else char for char in fold(text) if not _is_punctuation_or_symbol(char))
    return " ".join(_ARTICLES.sub(" ", kept).split())


@dataclass(frozen=True)
class NormalizedMatchOptions(Options):
    match: Literal["exact", "contains"] = option(
        "exact", "exact: the normalized texts are equal; contains: the reference occurs in the prediction as words")
    reference_prefixes: tuple[str, ...] = option(
        (), "boilerplate a reference may start with, removed (normalized) before comparing")


class NormalizedMatch(AdditiveMetric):
    """Share of items whose normalized answer equals (or contains, as words) the normalized reference."""

    name = "normalized_match"
    primary = "accuracy"
    whole_number_stats = True
    options_class = NormalizedMatchOptions

    def configure(self) -> None:
        self._prefixes = [normalize_answer(p) for p in self.options["reference_prefixes"] if normalize_answer(p)]

    def reference_answer(self, reference: Any, where: str) -> str:
        """The normalized reference with a declared prefix removed; ``InputError`` when nothing is left."""
        if not isinstance(reference, str):
            raise InputError(f"{where} is {reference!r}: it must be a string")
        answer = normalize_answer(reference)
        for prefix in self._prefixes:
            if answer.startswith(prefix + " "):
                answer = answer[len(prefix) + 1:]
                break
        if not answer:
            raise InputError(f"{where} is {reference!r}: nothing is left of it after normalization")
        return answer

    def is_match(self, prediction: str, reference: str) -> bool:
        if self.options["match"] == "exact":
            return prediction == reference
        return f" {reference} " in f" {prediction} "

    def item_stats(self, predictions: Sequence[Any], references: Sequence[Any]) -> tuple[list[str], np.ndarray]:
        correct = []
        for i, (prediction, reference) in enumerate(zip(predictions, references)):
            gold = self.reference_answer(reference, f"reference {i}")
            if prediction is not None and not isinstance(prediction, str):
                raise InputError(f"prediction {i} is {prediction!r:.60} ({type(prediction).__name__}): "
                                 "normalized_match compares text answers; parse with the 'text' parser")
            correct.append(prediction is not None and self.is_match(normalize_answer(prediction), gold))
        return ["correct"], np.asarray(correct, dtype=np.float64).reshape(-1, 1)

    def from_totals(self, totals: Table, present: Table) -> dict[str, np.ndarray]:
        return {"accuracy": ratio(totals["correct"], totals["n"], math.nan)}
