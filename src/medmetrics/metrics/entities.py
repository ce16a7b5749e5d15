"""Entity-mention precision, recall and F1 per document, in the four SemEval-2013 schemes.

Each item is one document: the reference and the prediction are sequences of mentions. A
mention is a mapping ``{"type", "text", "start", "end"}`` (character offsets, half-open; ``None``
offsets, or none at all, when the mention is not grounded in the source text), or a tuple
``(type, start, end)`` / ``(type, text)``. ``type`` is a string, or ``None`` for untyped mentions;
every mention of a call is typed or every one is untyped.

``match`` chooses how each document is compared: ``offsets`` (spans), ``text`` (see below), or
``auto`` (the default): offsets when every gold mention of the document has offsets, text
otherwise. The choice depends on the gold only, so a model's hallucinated mention never switches
a document to the laxer rule. Under offsets, a *predicted* mention without offsets (the parser
could not find it in the text) is spurious: a false positive that matches nothing, counted in
``components["ungrounded"]``; a *gold* mention without offsets is an ``InputError`` under
``match="offsets"``.

Outcomes, counted as nervaluate 1.2.1 counts them (COR, INC, PAR, MIS, SPU; POS = COR + INC +
PAR + MIS gold mentions, ACT = COR + INC + PAR + SPU predicted ones), under the scheme the option
``criterion`` names (``scheme`` before; the old name is accepted for a release):

- ``strict``: same span and type is correct; any other overlap is incorrect.
- ``exact``: same span is correct, whatever the type; any other overlap is incorrect.
- ``partial``: same span is correct, any other overlap is partial, types ignored.
- ``type``: an overlap with a gold mention of the same type is correct; an overlap with only
  other types is incorrect (nervaluate calls it ``ent_type``).

Precision = (COR + 0.5 PAR) / ACT and recall = (COR + 0.5 PAR) / POS (PAR is 0 except in
``partial``); F1 = 2 (COR + 0.5 PAR) / (ACT + POS), which equals 2PR / (P + R) and stays
defined when one of them is 0/0. ``zero_division`` (0, 1 or NaN) replaces 0/0.

Matching (nervaluate 1.2.1's rule, one-to-one, so no gold mention is counted twice; computed for
all documents at once, in rounds: the k-th prediction of every document chooses in round k): each
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

import array
import math
import numbers
from collections import Counter, defaultdict
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from itertools import chain, count, pairwise
from operator import itemgetter, methodcaller
from typing import Any, ClassVar, Literal

import numpy as np

from medmetrics.errors import InputError
from medmetrics.metrics.base import AdditiveMetric, Sequences, Table, equal_to_references, sequences
from medmetrics.metrics.prf import mean_over_labels, prf
from medmetrics.metrics.sequence import Codebook
from medmetrics.metrics.statistics import cell_table
from medmetrics.options import Options, non_empty, option, zero_division
from medmetrics.parsing.text import fold

#: The matching criteria (the ``criterion`` option), as this module names them.
SCHEMES = ("strict", "exact", "partial", "type")
#: The counts, with the names results show. The first five are statistics columns, overall and
#: per type (``cor:<type>``); possible and actual are their sums, derived when scored (fewer
#: columns: less memory to fill and copy on large inputs).
COUNT_NAMES = {"cor": "correct", "inc": "incorrect", "par": "partial", "mis": "missed", "spu": "spurious",
               "pos": "possible", "act": "actual"}
STORED = ("cor", "inc", "par", "mis", "spu")
#: Outcome of a matching: (correct, incorrect, partial, missed, spurious).
Outcome = tuple[int, int, int, int, int]


@dataclass(frozen=True, slots=True)
class Mention:
    """One mention as the text matcher sees it: its type and normalized text."""

    type: str | None
    text: str


def normalize_mention_text(text: str) -> str:
    """NFKC + casefold + whitespace collapsed; nothing that carries meaning is removed."""
    return " ".join(fold(text).split())


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


def _counts(totals: Table, suffix: str) -> dict[str, np.ndarray]:
    """Every count of ``COUNT_NAMES`` from the stored columns ``cor<suffix>``, ``inc<suffix>``, ..."""
    out = {c: totals[f"{c}{suffix}"] for c in STORED}
    common = out["cor"] + out["inc"] + out["par"]
    out["pos"], out["act"] = common + out["mis"], common + out["spu"]
    return out


def _scores(counts: dict[str, np.ndarray], zero_division: float) -> dict[str, np.ndarray]:
    """Precision, recall and F1 of ``_counts``."""
    return prf(counts["cor"] + 0.5 * counts["par"], counts["act"], counts["pos"], zero_division)


#: Columns after the counts: predicted mentions of undeclared types, predicted mentions without
#: offsets (under offset matching), documents matched by text, documents with no mention at all.
_EXTRA = ("undeclared", "ungrounded", "text_matched", "empty_documents")
_COUNT_AT = {c: i for i, c in enumerate(STORED)}
#: Stand-in for a missing offset (``None``) in offset arrays; never a valid offset.
_NO_OFFSET = np.iinfo(np.int64).min


class _BadMention(Exception):
    """A malformed mention at flat index ``index`` (turned into an ``InputError`` naming it)."""

    def __init__(self, index: int, problem: str) -> None:
        super().__init__(problem)
        self.index, self.problem = index, problem


@dataclass(frozen=True)
class _Side:
    """One side's mentions, flattened in document then listing order, as arrays."""

    role: str
    answered: np.ndarray  # per document: a list of mentions, not None (no answer)
    first: np.ndarray  # index of each document's first mention; len = documents + 1
    doc: np.ndarray  # document of each mention
    type: np.ndarray  # type code of each mention (index into the shared type names)
    start: np.ndarray  # offsets, _NO_OFFSET when ungrounded (or not read: match="text")
    end: np.ndarray
    texts: Sequence[Any]  # raw text field of each mention (None when absent)
    raw: list[Any]

    @property
    def size(self) -> int:
        return len(self.raw)

    @property
    def grounded(self) -> np.ndarray:
        return self.start != _NO_OFFSET

    @property
    def per_document(self) -> np.ndarray:
        return np.diff(self.first)

    def where(self, index: int) -> str:
        doc = int(self.doc[index])
        return f"{self.role} {doc}, mention {index - int(self.first[doc])}"

    def mentions(self, doc: int, type_names: list[str | None]) -> list[Mention]:
        """One document's mentions with normalized texts, for ``match_texts``."""
        out = []
        for k in range(int(self.first[doc]), int(self.first[doc + 1])):
            text = self.texts[k]
            if not isinstance(text, str):
                raise InputError(f"{self.where(k)} has no text: its document is matched by text (match='text', "
                                 f"or match='auto' and a gold mention has no offsets): {self.raw[k]!r}")
            out.append(Mention(type_names[self.type[k]], normalize_mention_text(text)))
        return out


def _read_side(values: Sequences, role: str, need_offsets: bool, type_index: defaultdict[Any, int],
               skip: np.ndarray | None = None) -> _Side:
    """One side's mentions as arrays; ``type_index`` (shared by both sides) codes the types.

    The mentions of documents where ``skip`` is True are not read and are not there.
    """
    answered = values.lengths >= 0
    wanted = np.ones(len(values), dtype=bool) if skip is None else ~skip
    lengths = np.where(wanted, np.maximum(values.lengths, 0), 0)
    # Metric.stats laid out the mentions of every reference, and of the predictions that differ
    laid_out = np.ones(len(values), dtype=bool) if values.same is None else ~values.same
    if values.flat is not None and np.array_equal(laid_out, wanted):
        flat = values.flat
    else:
        flat = list(chain.from_iterable(map(values.__getitem__, np.flatnonzero(lengths > 0).tolist())))
    first = np.concatenate([[0], np.cumsum(lengths)])
    doc = np.repeat(np.arange(len(values)), lengths)
    side = _Side(role, answered, first, doc, np.zeros(0, dtype=np.int64), np.zeros(0, dtype=np.int64),
                 np.zeros(0, dtype=np.int64), (), flat)
    try:
        triples = _triples(flat, type_index) if need_offsets else None  # text matching reads no offsets
        codes, start, end, texts = triples or _mentions(flat, type_index, need_offsets)
    except _BadMention as bad:
        raise InputError(f"{side.where(bad.index)} {bad.problem}") from None
    return _Side(role, answered, first, doc, codes, start, end, texts, flat)


def _triples(flat: list[Any], type_index: defaultdict[Any, int]
             ) -> tuple[np.ndarray, np.ndarray, np.ndarray, Sequence[Any]] | None:
    """The fast reading of the usual input, ``(type, start, end)`` tuples with integer offsets;
    ``None`` when the mentions are anything else (``_mentions`` reads them, and names any mistake).

    Unpacking checks every length in the same pass that takes a field, and the types are checked
    once per distinct type: few passes over the mentions, which is where the time goes.
    """
    if not flat or type(flat[0]) is not tuple or len(flat[0]) != 3:
        return None
    book = Codebook()
    try:  # unpacking checks that every mention is a triple
        starts, ends = [s for _, s, _ in flat], [e for _, _, e in flat]
        codes = book.codes(map(itemgetter(0), flat))
    except (TypeError, ValueError):  # not all triples, or an unhashable type
        return None
    if not all(t is None or isinstance(t, str) for t in book.vocabulary):
        return None
    try:  # a C array of int64 takes integers only (bool is one, as in Python): no float, text or None
        offsets = np.frombuffer(array.array("q", starts + ends), dtype=np.int64)
    except (OverflowError, TypeError):
        return None
    start, end = offsets[:len(flat)], offsets[len(flat):]
    if not ((start >= 0) & (start < end)).all():
        return None
    shared = np.array([type_index[t] for t in book.vocabulary], dtype=np.int64)  # this side's codes -> shared
    return shared[codes], start, end, (None,) * len(flat)


def _mentions(flat: list[Any], type_index: defaultdict[Any, int], need_offsets: bool
              ) -> tuple[np.ndarray, np.ndarray, np.ndarray, Sequence[Any]]:
    """Type codes, offsets (read only when needed) and texts of mentions of any accepted form;
    ``_BadMention`` names a bad one."""
    types, starts, ends, texts = _fields(flat)
    codes = _type_codes(types, type_index)
    if not need_offsets:
        return codes, *(np.full(len(flat), _NO_OFFSET, dtype=np.int64),) * 2, texts
    start, end = _offsets(starts, flat), _offsets(ends, flat)
    _check_offsets(start, end)
    return codes, start, end, texts


def _fields(flat: list[Any]) -> tuple[Sequence[Any], ...]:
    """Types, starts, ends and texts of the mentions: one C-level pass per field for uniform input."""
    if not flat:
        return (), (), (), ()
    kinds = set(map(type, flat))
    sizes = set(map(len, flat)) if kinds == {tuple} else set()
    if sizes in ({2}, {3}):  # (type, text) or (type, start, end): every field is a stride of one flat list
        fields = list(chain.from_iterable(flat))
        if sizes == {2}:
            return fields[0::2], (None,) * len(flat), (None,) * len(flat), fields[1::2]
        return fields[0::3], fields[1::3], fields[2::3], (None,) * len(flat)
    if kinds == {dict}:
        return tuple(list(map(methodcaller("get", key), flat)) for key in ("type", "start", "end", "text"))
    rows = [_mention_fields(k, raw) for k, raw in enumerate(flat)]
    return tuple(list(map(itemgetter(k), rows)) for k in range(4))


def _mention_fields(index: int, raw: Any) -> tuple[Any, Any, Any, Any]:
    if isinstance(raw, Mapping):
        return raw.get("type"), raw.get("start"), raw.get("end"), raw.get("text")
    if isinstance(raw, (tuple, list)) and len(raw) == 3:
        return raw[0], raw[1], raw[2], None
    if isinstance(raw, (tuple, list)) and len(raw) == 2:
        return raw[0], None, None, raw[1]
    raise _BadMention(index, f"is {raw!r}: a mention is a mapping with type and start/end (or text), "
                             "or a tuple (type, start, end) or (type, text)")


def _type_codes(types: Sequence[Any], type_index: defaultdict[Any, int]) -> np.ndarray:
    """Each mention's type as a code of ``type_index`` (unseen types get the next code); text or None."""
    if not set(map(type, types)) <= {str, type(None)}:
        bad = next(k for k, t in enumerate(types) if t is not None and not isinstance(t, str))
        raise _BadMention(bad, f"has type {types[bad]!r}: a type is a string, or None for untyped mentions")
    return np.fromiter(map(type_index.__getitem__, types), dtype=np.int64, count=len(types))


def _offsets(values: Sequence[Any], flat: list[Any]) -> np.ndarray:
    """Offsets as int64 (``_NO_OFFSET`` for None); anything but an integer or None is a mistake."""
    kinds = set(map(type, values))
    if kinds <= {int}:
        return np.fromiter(values, dtype=np.int64, count=len(values))
    if kinds <= {int, type(None)}:
        return np.fromiter((_NO_OFFSET if v is None else v for v in values), dtype=np.int64, count=len(values))
    out = np.empty(len(values), dtype=np.int64)
    for k, v in enumerate(values):
        if v is None:
            out[k] = _NO_OFFSET
        elif isinstance(v, numbers.Integral):
            out[k] = int(v)
        else:
            raise _BadMention(k, f"has no integer start and end offsets: {flat[k]!r}")
    return out


def _check_offsets(start: np.ndarray, end: np.ndarray) -> None:
    """Both offsets or neither; given ones half-open and non-empty."""
    missing = (start == _NO_OFFSET) != (end == _NO_OFFSET)
    invalid = (start != _NO_OFFSET) & (end != _NO_OFFSET) & ~((start >= 0) & (start < end))
    for k in np.flatnonzero(missing | invalid)[:1]:
        s, e = (None if x == _NO_OFFSET else int(x) for x in (start[k], end[k]))
        if missing[k]:
            raise _BadMention(int(k), f"has start={s} and end={e}: give both offsets, or neither (ungrounded)")
        raise _BadMention(int(k), f"has offsets start={s}, end={e}: they must satisfy 0 <= start < end "
                                  "(half-open, non-empty)")


def _check_types(gold: _Side, pred: _Side, declared: tuple[str, ...] | None, type_names: list[Any]) -> None:
    """Every mention typed or every one untyped; gold types declared, when ``types`` is given."""
    is_typed = np.array([t is not None for t in type_names] or [True], dtype=bool)
    if declared is not None:
        typed = True
    elif gold.size or pred.size:
        typed = bool(is_typed[gold.type[0] if gold.size else pred.type[0]])
    else:
        return
    for side in (gold, pred):
        wrong = np.flatnonzero(is_typed[side.type] != typed)
        if wrong.size:
            k = int(wrong[0])
            others = "typed" if typed else "untyped"
            why = "types are declared" if declared is not None else f"other mentions are {others}"
            raise InputError(f"{side.where(k)} has type {type_names[side.type[k]]!r} but {why}: "
                             "every mention must have a type, or none")
    if declared is not None:
        outside = np.array([t not in declared for t in type_names] or [False], dtype=bool)
        wrong = np.flatnonzero(outside[gold.type])
        if wrong.size:
            k = int(wrong[0])
            raise InputError(f"{gold.where(k)} has type {type_names[gold.type[k]]!r} outside types={list(declared)}")


class _Counts:
    """Count events (document, column) gathered from vectorized matching, summed into one table."""

    def __init__(self, documents: int, types: int) -> None:
        self.documents = documents
        self.count_width = len(STORED) * (types + 1)
        self.width = self.count_width + len(_EXTRA)
        self.docs: list[np.ndarray] = []
        self.columns: list[np.ndarray] = []
        self.values: list[np.ndarray] = []

    def add(self, docs: np.ndarray, column: int | np.ndarray, values: np.ndarray | None = None) -> None:
        """``values`` (default 1 each) in ``column`` of documents ``docs``."""
        docs = np.asarray(docs, dtype=np.int64)
        self.docs.append(docs)
        self.columns.append(np.broadcast_to(np.asarray(column, dtype=np.int64), docs.shape))
        self.values.append(np.ones(len(docs)) if values is None else np.asarray(values, dtype=np.float64))

    def add_extra(self, docs: np.ndarray, name: str) -> None:
        self.add(docs, self.count_width + _EXTRA.index(name))

    def add_per_type(self, docs: np.ndarray, groups: np.ndarray, kind: str) -> None:
        """Events of kind ``kind`` in the per-type columns of ``groups`` (-1: no per-type column)."""
        keep = groups >= 0
        self.add(docs[keep], len(STORED) * (groups[keep] + 1) + _COUNT_AT[kind])

    def rows(self) -> Any:
        if not self.docs:
            return cell_table(self.documents, self.width, np.zeros(0), np.zeros(0))
        return cell_table(self.documents, self.width, *map(np.concatenate, (self.docs, self.columns, self.values)))


def _greedy(pair_p: np.ndarray, pair_g: np.ndarray, accepted: np.ndarray, distance: np.ndarray,
            groups: np.ndarray, place: np.ndarray, gold_order: np.ndarray, gold_size: int
            ) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """``match_spans`` for every document at once, on the overlapping (prediction, gold) pairs.

    Predictions choose in rounds: in round r, the r-th prediction (by ``place``, its place in
    document order) of each of its ``groups`` (document, or document and type) takes, among the
    gold mentions still free, an accepted one with the nearest boundaries, else the first in
    document order (``gold_order``). A gold mention overlaps predictions of its own group only,
    so the choices of one round never collide. Returns the chosen pairs: prediction, gold
    mention, accepted.
    """
    # a prediction whose only candidate overlaps no other prediction takes it in any order (most
    # pairs, usually): only the contested pairs go through the rounds, counted among themselves
    sole = (np.bincount(pair_p)[pair_p] == 1) & (np.bincount(pair_g)[pair_g] == 1)
    chosen = [(pair_p[sole], pair_g[sole], accepted[sole])]
    contested = np.flatnonzero(~sole)
    choosers = np.unique(pair_p[contested])
    rank = _ranks(groups[choosers], np.argsort(place[choosers], kind="stable"))
    rounds = rank[np.searchsorted(choosers, pair_p[contested])]
    order = np.argsort(rounds, kind="stable")
    rounds = rounds[order]
    order = contested[order]
    pair_p, pair_g, accepted, distance = pair_p[order], pair_g[order], accepted[order], distance[order]
    bounds = np.searchsorted(rounds, np.arange(int(rounds.max(initial=-1)) + 2))
    taken = np.zeros(gold_size, dtype=bool)
    for lo, hi in pairwise(bounds):
        free = np.arange(lo, hi)[~taken[pair_g[lo:hi]]]
        p, g, ok = pair_p[free], pair_g[free], accepted[free]
        best = np.lexsort((gold_order[g], np.where(ok, distance[free], 0), ~ok, p))
        p, g, ok = p[best], g[best], ok[best]
        first = np.ones(len(p), dtype=bool)
        first[1:] = p[1:] != p[:-1]
        taken[g[first]] = True
        chosen.append((p[first], g[first], ok[first]))
    p_all, g_all, ok_all = (np.concatenate(parts) for parts in zip(*chosen))
    return p_all, g_all, ok_all


def _ranks(groups: np.ndarray, order: np.ndarray) -> np.ndarray:
    """Each element's position within its group, counting in ``order`` (a permutation)."""
    ordered = groups[order]
    grouped = bool((ordered[1:] >= ordered[:-1]).all())  # e.g. documents, in document order
    by_group = order if grouped else order[np.argsort(ordered, kind="stable")]
    sorted_groups = groups[by_group]
    starts = np.flatnonzero(np.concatenate([[True], sorted_groups[1:] != sorted_groups[:-1]]))
    rank = np.empty(len(groups), dtype=np.int64)
    rank[by_group] = np.arange(len(groups)) - np.repeat(starts, np.diff(np.append(starts, len(groups))))
    return rank


def _match_offsets(counts: _Counts, gold: _Side, gold_used: np.ndarray, pred: _Side, pred_used: np.ndarray,
                   group: np.ndarray, type_keys: np.ndarray, scheme: str) -> None:
    """Count nervaluate's matching of the used mentions, overall and per type (see ``_greedy``)."""
    g, p = np.flatnonzero(gold_used), np.flatnonzero(pred_used)
    per_doc = np.bincount(gold.doc[g], minlength=counts.documents)
    first = np.concatenate([[0], np.cumsum(per_doc)[:-1]])
    fan = per_doc[pred.doc[p]]  # candidate gold mentions of each prediction: its document's
    pair_p = np.repeat(p, fan)
    pair_g = g[np.repeat(first[pred.doc[p]] - np.cumsum(fan) + fan, fan) + np.arange(int(fan.sum()))]
    p_start, p_end, g_start, g_end = pred.start[pair_p], pred.end[pair_p], gold.start[pair_g], gold.end[pair_g]
    shared = np.minimum(p_end, g_end) - np.maximum(p_start, g_start)
    overlap = np.flatnonzero((shared > 0) & (100 * shared >= g_end - g_start))
    pair_p, pair_g = pair_p[overlap], pair_g[overlap]
    p_start, p_end, g_start, g_end = p_start[overlap], p_end[overlap], g_start[overlap], g_end[overlap]
    same_span = (p_start == g_start) & (p_end == g_end)
    same_type = pred.type[pair_p] == gold.type[pair_g]
    distance = np.abs(p_start - g_start) + np.abs(p_end - g_end)
    near_miss = "par" if scheme == "partial" else "inc"

    def document_order(side: _Side) -> np.ndarray:
        """Mentions sorted by (document, start, end, type name), as one integer key when it fits."""
        keys = (side.doc, np.maximum(side.start, 0), np.maximum(side.end, 0), type_keys[side.type])
        spans = [int(k.max(initial=0)) + 1 for k in keys]
        if math.prod(spans) >= 2**62:
            return np.lexsort(keys[::-1])
        key = ((keys[0] * spans[1] + keys[1]) * spans[2] + keys[2]) * spans[3] + keys[3]
        if (key[1:] >= key[:-1]).all():  # listed in document order already (the usual case)
            return np.arange(side.size)
        return np.argsort(key, kind="stable")

    gold_order = np.empty(gold.size, dtype=np.int64)
    gold_order[document_order(gold)] = np.arange(gold.size)
    pred_order = document_order(pred)
    # overall: strict needs span and type, exact and partial the span, type the type
    accepted = {"strict": same_span & same_type, "type": same_type}.get(scheme, same_span)
    place = np.empty(pred.size, dtype=np.int64)
    place[pred_order] = np.arange(pred.size)
    _count_matching(counts, gold, g, pred, p,
                    _greedy(pair_p, pair_g, accepted, distance, pred.doc, place, gold_order, gold.size), near_miss,
                    None)
    # per type: each type's mentions alone, so only same-type pairs compete
    accepted = same_span if scheme != "type" else np.ones(len(pair_p), dtype=bool)
    matched = _greedy(pair_p[same_type], pair_g[same_type], accepted[same_type], distance[same_type],
                      pred.doc * max(len(type_keys), 1) + pred.type, place, gold_order, gold.size)
    _count_matching(counts, gold, g, pred, p, matched, near_miss, group)


def _count_matching(counts: _Counts, gold: _Side, g: np.ndarray, pred: _Side, p: np.ndarray,
                    matched: tuple[np.ndarray, np.ndarray, np.ndarray], near_miss: str,
                    group: np.ndarray | None) -> None:
    """Add a matching's outcomes: correct or near miss per pair, missed and spurious for the rest."""
    chosen_p, chosen_g, ok = matched

    def add(docs: np.ndarray, types: np.ndarray, kind: str) -> None:
        if group is None:
            counts.add(docs, _COUNT_AT[kind])
        else:
            counts.add_per_type(docs, group[types], kind)

    add(pred.doc[chosen_p[ok]], pred.type[chosen_p[ok]], "cor")
    add(pred.doc[chosen_p[~ok]], pred.type[chosen_p[~ok]], near_miss)
    for side, used, paired, kind in ((gold, g, chosen_g, "mis"), (pred, p, chosen_p, "spu")):
        alone = np.ones(side.size, dtype=bool)
        alone[paired] = False
        left = used[alone[used]]
        add(side.doc[left], side.type[left], kind)


def _criterion(value: str) -> str:
    return "type" if value == "ent_type" else value  # nervaluate's name for the same criterion


@dataclass(frozen=True)
class EntityF1Options(Options):
    criterion: Literal["strict", "exact", "partial", "type", "ent_type"] = option(
        "strict", "what a match needs: strict (span and type), exact (span), partial (overlap, half credit "
        "when partial), type (overlap and type)", check=_criterion)
    average: Literal["micro", "macro"] = option("micro", "micro over all mentions, or macro over types")
    types: tuple[str, ...] | None = option(
        None, "the declared entity types: a predicted mention of another type is spurious", check=non_empty)
    zero_division: float = option(0.0, "the value of 0/0: 0, 1 or nan", check=zero_division)
    match: Literal["auto", "offsets", "text"] = option(
        "auto", "compare character offsets, normalized texts, or per document offsets when the gold has them")
    spans_only: bool | None = option(
        None, "True: types dropped on both sides, for answers that carry none (MedINST's [entity])")

    #: ``criterion`` was ``scheme``, which the tagging parsers and seqeval use for the tagging scheme
    renamed: ClassVar[Mapping[str, str]] = {"scheme": "criterion"}
    signature_names: ClassVar[Mapping[str, str]] = {"criterion": "scheme"}


class _SpansOnly(defaultdict):
    """The type index of ``spans_only``: every type reads as None (one untyped class)."""

    def __init__(self) -> None:
        super().__init__(int, {None: 0})

    def __getitem__(self, key: Any) -> int:
        return 0


class EntityF1(AdditiveMetric):
    """Entity-mention P/R/F1 with nervaluate's strict, exact, partial and type schemes."""

    name = "entity_f1"
    primary = "f1"
    whole_number_stats = True
    sequence_items = "a list of mentions"
    options_class = EntityF1Options

    def configure(self) -> None:
        if self.options["spans_only"] and self.options["types"] is not None:
            raise InputError("metric 'entity_f1': spans_only=True compares no types; drop types")

    # -- statistics -----------------------------------------------------------------------
    def item_stats(self, predictions: Sequence[Any], references: Sequence[Any]) -> tuple[list[str], np.ndarray]:
        need_offsets = self.options["match"] != "text"
        spans_only = self.options["spans_only"]
        type_index: defaultdict[Any, int] = _SpansOnly() if spans_only else defaultdict(count().__next__)
        predictions, references = sequences(predictions), sequences(references, flatten=True)
        gold = _read_side(references, "reference", need_offsets, type_index)
        by_text = self._text_documents(gold, len(references))
        # a prediction equal to its gold is all correct in every scheme (each mention takes its own
        # copy, at distance 0): it is neither read nor matched, and counts from the gold alone
        same = equal_to_references(predictions, references) & ~by_text
        pred = _read_side(predictions, "prediction", need_offsets, type_index, skip=same if same.any() else None)
        type_names = list(type_index)
        declared = self.options["types"]
        _check_types(gold, pred, declared, type_names)
        types = list(declared) if declared is not None else sorted(t for t in type_names if t is not None)
        position = {t: k for k, t in enumerate(types)}
        group = np.array([position.get(t, -1) for t in type_names] or [-1], dtype=np.int64)  # per-type columns
        counts = _Counts(len(references), len(types))
        copied = np.flatnonzero(same[gold.doc])
        counts.add(gold.doc[copied], _COUNT_AT["cor"])
        counts.add_per_type(gold.doc[copied], group[gold.type[copied]], "cor")

        undeclared = group[pred.type] < 0 if declared is not None else np.zeros(pred.size, dtype=bool)
        on_offsets = ~by_text[pred.doc]
        ungrounded = ~pred.grounded & on_offsets
        counts.add_extra(pred.doc[undeclared], "undeclared")
        counts.add_extra(pred.doc[ungrounded & ~undeclared], "ungrounded")
        counts.add_extra(np.flatnonzero(by_text), "text_matched")
        nothing = (gold.per_document == 0) & (pred.per_document == 0)  # an equal prediction has no mention here
        counts.add_extra(np.flatnonzero(nothing & pred.answered), "empty_documents")
        # under offsets, ungrounded and undeclared predictions are spurious and match nothing
        unusable = (ungrounded | undeclared) & on_offsets
        counts.add(pred.doc[unusable], _COUNT_AT["spu"])
        counts.add_per_type(pred.doc[unusable], group[pred.type[unusable]], "spu")
        type_keys = np.argsort(np.argsort([t or "" for t in type_names], kind="stable"))  # rank of "" or name
        _match_offsets(counts, gold, ~(by_text | same)[gold.doc], pred, on_offsets & ~unusable, group, type_keys,
                       self.options["criterion"])
        for i in np.flatnonzero(by_text):  # their count columns hold nothing yet
            cells = self._text_counts(gold, pred, int(i), position, type_names)
            counts.add(np.full(len(cells), i), np.array([c for c, _ in cells]), np.array([v for _, v in cells]))
        rows = counts.rows()
        columns = [*STORED, *(f"{c}:{t}" for t in types for c in STORED), *_EXTRA]
        return columns, rows

    def _text_documents(self, gold: _Side, documents: int) -> np.ndarray:
        """Which documents are matched by text: all (``text``), none (``offsets``), or those with
        an ungrounded gold mention (``auto``)."""
        match = self.options["match"]
        if match == "text":
            return np.ones(documents, dtype=bool)
        ungrounded = np.bincount(gold.doc[~gold.grounded], minlength=documents) > 0
        if match == "offsets" and ungrounded.any():
            k = int(np.flatnonzero(~gold.grounded)[0])
            raise InputError(f"{gold.where(k)} has no offsets: match='offsets' needs every gold mention grounded "
                             "(use match='text' or 'auto' for text-only gold)")
        return ungrounded

    def _text_counts(self, gold: _Side, pred: _Side, doc: int, position: dict[str, int],
                     type_names: list[str | None]) -> list[tuple[int, int]]:
        """(column, count) of one document matched by text (multisets of normalized texts): the
        overall counts, then those of each type the document has (``position``: a type's place
        among the per-type columns), so the work grows with its mentions, not the types."""
        golds = gold.mentions(doc, type_names)
        answer = pred.mentions(doc, type_names)
        declared = self.options["types"]
        scored = [m for m in answer if declared is None or m.type in declared]
        scheme = self.options["criterion"]
        correct, incorrect, partial, missed, spurious = match_texts(golds, scored, scheme)
        out = list(enumerate((correct, incorrect, partial, missed, spurious + len(answer) - len(scored))))
        # within one type, the multiset match has only correct, missed and spurious mentions:
        # the same (type, text) pairs are correct, and no text is left on both sides
        gold_keys = Counter((m.type, m.text) for m in golds if m.type is not None and m.type in position)
        answer_keys = Counter((m.type, m.text) for m in answer if m.type is not None and m.type in position)
        per_type: dict[str, list[int]] = {}  # correct, gold, predicted
        for k, keys in enumerate((gold_keys & answer_keys, gold_keys, answer_keys)):
            for (t, _), c in keys.items():
                per_type.setdefault(t, [0, 0, 0])[k] += c
        width = len(STORED)
        for t, (hit, gold_count, answer_count) in per_type.items():
            start = (position[t] + 1) * width
            out += [(start + _COUNT_AT["cor"], hit), (start + _COUNT_AT["mis"], gold_count - hit),
                    (start + _COUNT_AT["spu"], answer_count - hit)]
        return out

    # -- scoring --------------------------------------------------------------------------
    def _types(self, present: Table) -> list[str]:
        """The types macro averages over: declared ones, else every type seen in the sample."""
        if self.options["types"] is not None:
            return list(self.options["types"])
        return [t for t in present.with_prefix("cor") if any(present[f"{c}:{t}"] for c in STORED)]

    def from_totals(self, totals: Table, present: Table) -> dict[str, np.ndarray]:
        zd = self.options["zero_division"]
        overall = _counts(totals, "")
        micro = _scores(overall, zd)
        types = self._types(present)
        if types:
            per_type = [_scores(_counts(totals, f":{t}"), zd) for t in types]
            macro = {k: mean_over_labels(np.stack([s[k] for s in per_type], axis=-1), None) for k in micro}
        else:  # untyped mentions, or none at all: one class, so macro is micro
            macro = micro
        chosen = micro if self.options["average"] == "micro" else macro
        out = {**chosen, **{f"micro_{k}": v for k, v in micro.items()}, **{f"macro_{k}": v for k, v in macro.items()}}
        out.update({name: overall[c] for c, name in COUNT_NAMES.items()})
        out.update({name: totals[name] for name in _EXTRA})
        return out

    def per_label_from_totals(self, totals: Table, present: Table) -> dict[str, dict[str, float]]:
        zd = self.options["zero_division"]
        out = {}
        for t in self._types(present):
            counts = _counts(totals, f":{t}")
            scores = {k: float(v) for k, v in _scores(counts, zd).items()}
            out[t] = {**scores, **{name: float(counts[c]) for c, name in COUNT_NAMES.items()}}
        return out

    def notes(self, table: Table, counts: np.ndarray) -> tuple[str, ...]:
        totals = table.totals(counts)
        notes = []
        if not any(totals[c] for c in STORED):
            notes.append("no gold and no predicted mentions in any document: precision, recall and F1 are "
                         f"zero_division={self.options['zero_division']}")
        elif totals["empty_documents"]:
            notes.append(f"{int(totals['empty_documents'])} document(s) with no gold and no predicted mentions "
                         "add nothing to the counts")
        if totals["undeclared"]:
            notes.append(f"{int(totals['undeclared'])} predicted mention(s) of undeclared types counted as spurious")
        if totals["ungrounded"]:
            notes.append(f"{int(totals['ungrounded'])} predicted mention(s) without offsets (not found in the source "
                         "text) counted as spurious")
        if self.options["match"] == "auto" and 0 < totals["text_matched"] < totals["n"]:
            notes.append(f"{int(totals['text_matched'])} of {int(totals['n'])} document(s) matched by text: "
                         "their gold mentions have no offsets")
        return tuple(notes)
