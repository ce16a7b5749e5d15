"""BLURB's EBM-NLP PICO score: token-level F1 per class, macro-averaged over P, I and O.

Definition (BLURB; LinkBERT's ``process_PICO`` rewrites every ``I-`` tag to ``B-``, so each token
is its own entity, then averages seqeval's per-type F1): every gold token has one class, PAR
(participants), INT (interventions), OUT (outcomes) or none. For each class c,

    TP_c = tokens whose gold and predicted class are both c,
    P_c = TP_c / tokens predicted c,   R_c = TP_c / gold tokens of c,   F1_c = 2 TP_c / (predicted c + gold c),

and the score is the mean of F1_PAR, F1_INT and F1_OUT (``average="macro"``); tokens of no class
are not a class. This is positional: a token counts only at its own position (BioMistral-NLU's
bag-of-words PICO score is not this). ``average="micro"`` pools the three classes instead.

One item is one abstract (or sentence): a sequence of token tags, one per gold token, as the
``bio`` parser produces them. A tag is a class name with an optional BIO prefix: ``B-PAR``,
``I-INT``, ``OUT``, ``I-Participants``, ``Outcome`` (PAR / participant(s) / population,
INT / intervention(s), OUT / outcome(s); any case). ``O``, ``N``, ``None`` and the empty tag are
no class. Single letters (P/I/O) are not accepted as class names: ``I`` and ``O`` mean inside
and outside in BIO.

Policies: a predicted tag that names no class (``B-Drug``, ``???``) is read as no class and
counted in ``components["unknown"]``; such a gold tag is an ``InputError``. A prediction whose
length differs from its reference is an ``InputError`` (align it first: the ``bio`` parser
does). A failed parse predicts no class for any token. A class with no gold and no predicted
token has F1 = ``zero_division`` (and still counts in the macro mean, as scikit-learn's
``f1_score(labels=[...], average="macro")``).
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any, Literal

import numpy as np

from medmetrics.errors import InputError
from medmetrics.metrics.base import Table
from medmetrics.metrics.counting import KINDS, CountsF1
from medmetrics.metrics.sequence import _encode, _Layout, aligned_tags
from medmetrics.options import Options, option, zero_division

CLASSES = ("PAR", "INT", "OUT")
_ALIASES = {
    **dict.fromkeys(("par", "participant", "participants", "population"), 1),
    **dict.fromkeys(("int", "intervention", "interventions"), 2),
    **dict.fromkeys(("out", "outcome", "outcomes"), 3),
    **dict.fromkeys(("o", "n", "none", ""), 0),
}
_PREFIX = re.compile(r"^[BIESLU]-", re.IGNORECASE)
_UNKNOWN = -1


def pico_class(tag: Any) -> int:
    """0 for no class, 1-3 for PAR, INT, OUT, ``_UNKNOWN`` for a tag that names none."""
    if not isinstance(tag, str):
        return _UNKNOWN
    return _ALIASES.get(_PREFIX.sub("", tag.strip()).casefold(), _UNKNOWN)


@dataclass(frozen=True)
class PicoTokenF1Options(Options):
    average: Literal["macro", "micro"] = option("macro", "macro over the three classes (BLURB) or micro (pooled)")
    zero_division: float = option(0.0, "the value of 0/0: 0, 1 or nan", check=zero_division)


class PicoTokenF1(CountsF1):
    """BLURB EBM-NLP PICO: token-level F1 per class, macro over participants, interventions, outcomes."""

    name = "pico_token_f1"
    primary = "f1"
    sequence_items = "a sequence of tags, one per token"
    options_class = PicoTokenF1Options
    extra_components = ("unknown",)

    def item_stats(self, predictions: Sequence[Any], references: Sequence[Any]) -> tuple[list[str], np.ndarray]:
        predictions, lengths = aligned_tags(predictions, references)
        codes = _encode(references, predictions, lengths)
        vocabulary, gold_codes = codes.vocabulary, codes.gold
        classes = np.fromiter(map(pico_class, vocabulary), dtype=np.int64, count=len(vocabulary))
        gold, pred = classes[gold_codes], classes[codes.predicted(lengths)]
        if (gold == _UNKNOWN).any():
            position = int(np.argmax(gold == _UNKNOWN))
            item = int(np.searchsorted(np.cumsum(lengths), position, side="right"))
            raise InputError(f"reference {item} has tag {vocabulary[gold_codes[position]]!r}, which names no PICO "
                             f"class (PAR, INT, OUT, or O for none)")
        layout = _Layout(lengths)
        unknown = pred == _UNKNOWN
        pred = np.where(unknown, 0, pred)
        per_class = [layout.per_sentence(counted) for c in range(1, len(CLASSES) + 1)
                     for counted in ((gold == c) & (pred == c), pred == c, gold == c)]
        rows = np.column_stack([*per_class, layout.per_sentence(unknown)]).astype(np.float64)
        return [f"{kind}:{c}" for c in CLASSES for kind in KINDS] + ["unknown"], rows

    def types(self, present: Table) -> list[str]:
        return list(CLASSES)
