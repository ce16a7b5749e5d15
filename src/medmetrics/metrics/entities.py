"""Entity-mention precision, recall and F1 per document, in the four SemEval-2013 schemes.

Each item is one document: the reference and the prediction are sequences of mentions. A
mention is a mapping ``{"type": ..., "start": ..., "end": ...}`` (character offsets, half-open)
or ``{"type": ..., "text": ...}`` (not grounded), or a tuple ``(type, start, end)`` /
``(type, text)``. ``type`` is a string, or ``None`` for untyped mentions; every mention of a call
is typed or every one is untyped.

Outcomes, counted as nervaluate 1.2.1 counts them (COR, INC, PAR, MIS, SPU; POS = COR + INC +
PAR + MIS gold mentions, ACT = COR + INC + PAR + SPU predicted ones):

- ``strict``: same span and type is correct; any other overlap is incorrect.
- ``exact``: same span is correct, whatever the type; any other overlap is incorrect.
- ``partial``: same span is correct, any other overlap is partial, types ignored.
- ``type``: an overlap with a gold mention of the same type is correct; an overlap with only
  other types is incorrect (nervaluate calls it ``ent_type``).

Precision = (COR + 0.5 PAR) / ACT and recall = (COR + 0.5 PAR) / POS (PAR is 0 except in
``partial``); F1 = 2 (COR + 0.5 PAR) / (ACT + POS), which equals 2PR / (P + R) and stays
defined when one of them is 0/0. ``zero_division`` (0, 1 or NaN) replaces 0/0.

Matching (nervaluate 1.2.1's rule, one-to-one, so no gold mention is counted twice): each
predicted mention, in document order, looks at the gold mentions not yet matched that overlap
it. Among those the scheme accepts (same span; same span and type under ``strict``; same type
under ``type``) it takes the one with the nearest boundaries (|start difference| + |end
difference|, the first on a tie) and is correct. Otherwise it takes the first overlapping one and
is incorrect (``partial``: partial). With no overlapping gold mention left it is spurious. Gold
mentions left unmatched are missed. Two spans overlap when they share at least one character
*and* the shared part is at least 1% of the gold span (nervaluate's default
``min_overlap_percentage=1``, which only matters for gold mentions over 100 characters long);
touching spans such as ``[0, 5)`` and ``[5, 9)`` do not overlap.

Deliberate differences from nervaluate:

- Mentions are put in document order (start, end, type) before matching, so the order in which
  a parser lists them never changes a number. nervaluate matches in list order.
- With ``types`` declared, a predicted mention of another type is *spurious* in every scheme and
  matches nothing; nervaluate drops it, which inflates precision. A gold mention of an undeclared
  type is an ``InputError``. Without ``types``, every type seen is a type.

Micro scores use the counts over all types together (nervaluate's "overall"): under ``strict``
a right span with the wrong type is one incorrect. Per-type counts come from matching each
type's mentions alone (as nervaluate does), so there it is a spurious of the predicted type and a
missed of the gold type, and per-type counts need not add up to the overall ones. Macro
averages the per-type scores over the declared types, or over every type seen; untyped mentions
have no per-type scores and macro equals micro.

``match="text"``: ungrounded mentions compare as multisets of normalized texts (NFKC, casefold,
runs of whitespace as one space; hyphens, digits, decimal points and Greek letters are kept, so
``IL-6`` != ``IL6`` and ``1.5 mg`` != ``15 mg``). Overlap is equality, so ``partial`` gives no
partial credit; under ``strict`` and ``type``, equal texts of different types are incorrect, after
every same-type pair has been matched (a maximum matching, whatever the order).

Degenerate cases: a failed parse (``None``) misses every gold mention. A document with no gold
and no predicted mention adds nothing to any count (MedINST scores it 0, which punishes a correct
"no entities"); it is counted in ``components["empty_documents"]``. When no document has any
mention, precision, recall and F1 are ``zero_division``.
"""

from __future__ import annotations

import numbers
from collections import Counter
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any, ClassVar

import numpy as np

from medmetrics.errors import InputError
from medmetrics.metrics.base import AdditiveMetric, Table, ratio
from medmetrics.metrics.classification import mean_over_labels
from medmetrics.parsing.text import fold

SCHEMES = ("strict", "exact", "partial", "type")
AVERAGES = ("micro", "macro")
MATCHES = ("offsets", "text")
#: Count columns, overall and per type (``cor:<type>``), with the names results show.
COUNT_NAMES = {"cor": "correct", "inc": "incorrect", "par": "partial", "mis": "missed", "spu": "spurious",
               "pos": "possible", "act": "actual"}
#: Outcome of a matching: (correct, incorrect, partial, missed, spurious).
Outcome = tuple[int, int, int, int, int]


@dataclass(frozen=True, slots=True)
class Mention:
    """One mention as the matcher sees it: offsets (``-1`` when ungrounded) or normalized text."""

    type: str | None
    start: int = -1
    end: int = -1
    text: str = ""


def normalize_mention_text(text: str) -> str:
    """NFKC + casefold + whitespace collapsed; nothing that carries meaning is removed."""
    return " ".join(fold(text).split())


def _overlaps(predicted: Mention, gold: Mention) -> bool:
    """At least one shared character, covering at least 1% of the gold span (nervaluate)."""
    shared = min(predicted.end, gold.end) - max(predicted.start, gold.start)
    return shared > 0 and 100 * shared >= gold.end - gold.start


def _accepts(scheme: str, predicted: Mention, gold: Mention) -> bool:
    """Whether an overlapping gold mention makes the prediction correct under ``scheme``."""
    same_span = predicted.start == gold.start and predicted.end == gold.end
    if scheme == "type":
        return predicted.type == gold.type
    if scheme == "strict":
        return same_span and predicted.type == gold.type
    return same_span


def match_spans(golds: Sequence[Mention], predictions: Sequence[Mention], scheme: str) -> Outcome:
    """nervaluate 1.2.1's greedy one-to-one matching (see the module docstring)."""
    matched = [False] * len(golds)
    correct = incorrect = partial = spurious = 0
    for predicted in predictions:
        best: int | None = None
        best_distance = 0
        first_overlap: int | None = None
        for index, gold in enumerate(golds):
            if matched[index] or not _overlaps(predicted, gold):
                continue
            if first_overlap is None:
                first_overlap = index
            if _accepts(scheme, predicted, gold):
                distance = abs(predicted.start - gold.start) + abs(predicted.end - gold.end)
                if best is None or distance < best_distance:
                    best, best_distance = index, distance
        if best is not None:
            correct += 1
            matched[best] = True
        elif first_overlap is not None:
            matched[first_overlap] = True
            if scheme == "partial":
                partial += 1
            else:
                incorrect += 1
        else:
            spurious += 1
    missed = len(golds) - sum(matched)
    return correct, incorrect, partial, missed, spurious


def match_texts(golds: Sequence[Mention], predictions: Sequence[Mention], scheme: str) -> Outcome:
    """Multiset matching of normalized texts: same (text, type) pairs first, then same texts."""
    typed = scheme in ("strict", "type")
    gold_left = Counter((m.text, m.type if typed else None) for m in golds)
    predicted_left = Counter((m.text, m.type if typed else None) for m in predictions)
    pairs = gold_left & predicted_left
    correct = sum(pairs.values())
    incorrect = 0
    if typed:
        gold_texts = Counter(text for text, _ in (gold_left - pairs).elements())
        predicted_texts = Counter(text for text, _ in (predicted_left - pairs).elements())
        incorrect = sum((gold_texts & predicted_texts).values())
    return correct, incorrect, 0, len(golds) - correct - incorrect, len(predictions) - correct - incorrect


def _count_row(outcome: Outcome) -> list[float]:
    """The seven count columns (in ``COUNT_NAMES`` order) of one matching."""
    correct, incorrect, partial, missed, spurious = outcome
    return [correct, incorrect, partial, missed, spurious, correct + incorrect + partial + missed,
            correct + incorrect + partial + spurious]


def _scores(totals: Table, suffix: str, zero_division: float) -> dict[str, np.ndarray]:
    """Precision, recall and F1 of the counts ``cor<suffix>``, ``par<suffix>``, ..."""
    credit = totals[f"cor{suffix}"] + 0.5 * totals[f"par{suffix}"]
    actual, possible = totals[f"act{suffix}"], totals[f"pos{suffix}"]
    return {"precision": ratio(credit, actual, zero_division), "recall": ratio(credit, possible, zero_division),
            "f1": ratio(2 * credit, actual + possible, zero_division)}


class EntityF1(AdditiveMetric):
    """Entity-mention P/R/F1 with nervaluate's strict, exact, partial and type schemes."""

    name = "entity_f1"
    primary = "f1"
    defaults: ClassVar[dict[str, Any]] = {
        "scheme": "strict", "average": "micro", "types": None, "zero_division": 0.0, "match": "offsets",
    }

    def configure(self) -> None:
        o = self.options
        if o["scheme"] == "ent_type":  # nervaluate's name for the same scheme
            o["scheme"] = "type"
        for option, allowed in (("scheme", SCHEMES), ("average", AVERAGES), ("match", MATCHES)):
            self.check_choice(option, allowed)
        self.check_zero_division()
        types = o["types"]
        if types is not None:
            if isinstance(types, str) or len(types) == 0 or not all(isinstance(t, str) for t in types):
                raise InputError(f"metric 'entity_f1': types must be a non-empty list of strings, not {types!r}")
            o["types"] = tuple(sorted(set(types)) if isinstance(types, (set, frozenset)) else dict.fromkeys(types))

    # -- reading mentions -------------------------------------------------------------------
    def _read(self, value: Any, role: str, item: int) -> list[Mention]:
        """The mentions of one document, as listed; caller mistakes raise ``InputError``."""
        if isinstance(value, (str, bytes, Mapping)) or not isinstance(value, Iterable):
            raise InputError(f"{role} {item} is {value!r}: it must be a list of mentions")
        return [self._mention(raw, f"{role} {item}, mention {index}") for index, raw in enumerate(value)]

    def _mention(self, raw: Any, where: str) -> Mention:
        if isinstance(raw, Mapping):
            fields = dict(raw)
        elif isinstance(raw, (tuple, list)) and len(raw) in (2, 3):
            fields = dict(zip(("type", "text") if len(raw) == 2 else ("type", "start", "end"), raw))
        else:
            raise InputError(f"{where} is {raw!r}: a mention is a mapping with type and start/end (or text), "
                             "or a tuple (type, start, end) or (type, text)")
        kind = fields.get("type")
        if kind is not None and not isinstance(kind, str):
            raise InputError(f"{where} has type {kind!r}: a type is a string, or None for untyped mentions")
        if self.options["match"] == "text":
            text = fields.get("text")
            if not isinstance(text, str):
                raise InputError(f"{where} has no text (match='text' compares mention texts): {raw!r}")
            return Mention(kind, text=normalize_mention_text(text))
        start, end = fields.get("start"), fields.get("end")
        if not (isinstance(start, numbers.Integral) and isinstance(end, numbers.Integral)) \
                or isinstance(start, bool) or isinstance(end, bool):
            raise InputError(f"{where} has no integer start and end offsets (match='offsets'): {raw!r}")
        start, end = int(start), int(end)
        if not 0 <= start < end:
            raise InputError(f"{where} has offsets start={start}, end={end}: "
                             "they must satisfy 0 <= start < end (half-open, non-empty)")
        return Mention(kind, start, end)

    def _check_types(self, documents: Sequence[tuple[str, int, list[Mention]]]) -> None:
        """Every mention typed or every one untyped; gold types declared, when ``types`` is given."""
        declared = self.options["types"]
        typed: bool | None = True if declared is not None else None
        for role, item, mentions in documents:
            for index, mention in enumerate(mentions):
                if typed is None:
                    typed = mention.type is not None
                if (mention.type is not None) != typed:
                    others = "typed" if typed else "untyped"
                    why = "types are declared" if declared is not None else f"other mentions are {others}"
                    raise InputError(f"{role} {item}, mention {index} has type {mention.type!r} but {why}: "
                                     "every mention must have a type, or none")
                if role == "reference" and declared is not None and mention.type not in declared:
                    raise InputError(f"{role} {item}, mention {index} has type {mention.type!r} "
                                     f"outside types={list(declared)}")

    # -- statistics -----------------------------------------------------------------------
    def item_stats(self, predictions: Sequence[Any], references: Sequence[Any]) -> tuple[list[str], np.ndarray]:
        golds = [self._read(r, "reference", i) for i, r in enumerate(references)]
        predicted = [None if p is None else self._read(p, "prediction", i) for i, p in enumerate(predictions)]
        self._check_types([("reference", i, g) for i, g in enumerate(golds)]
                          + [("prediction", i, p) for i, p in enumerate(predicted) if p is not None])
        if self.options["match"] == "offsets":  # document order: the listing order never changes a number
            for doc in (*golds, *(p for p in predicted if p)):
                doc.sort(key=lambda m: (m.start, m.end, m.type or ""))
        declared = self.options["types"]
        seen = sorted({m.type for doc in (*golds, *(p for p in predicted if p)) for m in doc if m.type is not None})
        types = list(declared or ()) + [t for t in seen if declared is None or t not in declared]
        match = match_texts if self.options["match"] == "text" else match_spans
        scheme = self.options["scheme"]
        columns = [*COUNT_NAMES, *(f"{c}:{t}" for t in types for c in COUNT_NAMES), "undeclared", "empty_documents"]
        rows = np.zeros((len(golds), len(columns)))
        for i, (gold, answer) in enumerate(zip(golds, predicted)):
            answer = answer or []
            scored = [m for m in answer if declared is None or m.type in declared]
            undeclared = len(answer) - len(scored)
            correct, incorrect, partial, missed, spurious = match(gold, scored, scheme)
            row = _count_row((correct, incorrect, partial, missed, spurious + undeclared))
            for t in types:  # an undeclared type has no gold mentions, so all its predictions are spurious
                row += _count_row(match([m for m in gold if m.type == t], [m for m in answer if m.type == t], scheme))
            row += [undeclared, float(predicted[i] is not None and not gold and not answer)]
            rows[i] = row
        return columns, rows

    # -- scoring --------------------------------------------------------------------------
    def _types(self, present: Table) -> list[str]:
        """The types macro averages over: declared ones, else every type seen in the sample."""
        if self.options["types"] is not None:
            return list(self.options["types"])
        return [t for t in present.with_prefix("cor") if any(present[f"{c}:{t}"] for c in ("pos", "act"))]

    def from_totals(self, totals: Table, present: Table) -> dict[str, np.ndarray]:
        zd = self.options["zero_division"]
        micro = _scores(totals, "", zd)
        types = self._types(present)
        if types:
            per_type = [_scores(totals, f":{t}", zd) for t in types]
            macro = {k: mean_over_labels(np.stack([s[k] for s in per_type], axis=-1), None) for k in micro}
        else:  # untyped mentions, or none at all: one class, so macro is micro
            macro = micro
        chosen = micro if self.options["average"] == "micro" else macro
        out = {**chosen, **{f"micro_{k}": v for k, v in micro.items()}, **{f"macro_{k}": v for k, v in macro.items()}}
        out.update({name: totals[column] for column, name in COUNT_NAMES.items()})
        out["undeclared"] = totals["undeclared"]
        out["empty_documents"] = totals["empty_documents"]
        return out

    def per_label_from_totals(self, totals: Table, present: Table) -> dict[str, dict[str, float]]:
        zd = self.options["zero_division"]
        out = {}
        for t in self._types(present):
            scores = {k: float(v) for k, v in _scores(totals, f":{t}", zd).items()}
            out[t] = {**scores, **{name: float(totals[f"{c}:{t}"]) for c, name in COUNT_NAMES.items()}}
        return out

    def notes(self, table: Table, counts: np.ndarray) -> tuple[str, ...]:
        totals = Table(table.columns, counts.astype(np.float64) @ table.rows)
        notes = []
        if totals["pos"] + totals["act"] == 0:
            notes.append("no gold and no predicted mentions in any document: precision, recall and F1 are "
                         f"zero_division={self.options['zero_division']}")
        elif totals["empty_documents"]:
            notes.append(f"{int(totals['empty_documents'])} document(s) with no gold and no predicted mentions "
                         "add nothing to the counts")
        if totals["undeclared"]:
            notes.append(f"{int(totals['undeclared'])} predicted mention(s) of undeclared types counted as spurious")
        return tuple(notes)
