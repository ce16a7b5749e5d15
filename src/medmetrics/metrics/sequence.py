"""Entity-level precision/recall/F1 over tag sequences (BIO and friends), as seqeval 1.2.2 scores.

Each item is one sentence: a sequence of tag strings such as ``["B-Chem", "I-Chem", "O"]``.
Entities are read from the tags exactly as seqeval reads them, in one of two modes:

- ``mode=None`` (seqeval's default, conlleval-compatible): ``get_entities`` chunking. An orphan
  ``I-`` tag opens an entity, a type change closes one, and a tag seqeval only warns about
  ("Chem seems not to be NE tag") is read the way seqeval reads it (first character as the
  prefix, the rest as the type). ``suffix=True`` reads ``PER-B`` style tags.
- ``mode="strict"`` with ``scheme`` in IOB1, IOB2, IOE1, IOE2, IOBES, BILOU: only chunks whose
  transitions the scheme allows (``seqeval.scheme``) are entities.

An entity is a hit when its type, start and end all match a gold entity of the same sentence.
Averages (micro, macro, weighted) and ``zero_division`` follow seqeval, whose ``weighted``
average with no gold entity at all is recall ``zero_division`` and precision/F1
``zero_division`` only when nothing was predicted either (else 0).

Deliberate differences from seqeval (each one is tested):

- A malformed tag never raises. In strict mode, a tag seqeval rejects (``KeyError`` on an
  unknown prefix such as ``"Chem"``, ``ValueError`` on a prefix the scheme does not allow such
  as ``E-`` in IOB2) is read as ``O``. The empty string (seqeval: ``IndexError``) and non-string
  tags are read as ``O`` in both modes. Every tag seqeval would reject, or in default mode warn
  about, is counted in the ``malformed`` component (``malformed_reference`` for gold tags) and
  reported in the notes.
- Sentences are scored independently. seqeval's default mode joins all sentences into one
  sequence, so a chunk whose last tag is one seqeval cannot close (a bare ``"X"``, or a tag
  starting with ``"."``) can stay open across the sentence break and become an entity that
  spans sentences, with a start left over from an earlier sentence. Here every sentence is
  read as seqeval reads it alone, which also makes the score independent of item order.
- ``zero_division=nan`` is supported (undefined values are NaN and macro/weighted averages skip
  them); seqeval treats any value other than 0 as 1.
- ``types`` declares the entity types: a predicted entity of any other type is *spurious*, a
  false positive in micro precision (reported in ``components["spurious"]``), never dropped;
  macro and weighted averages and ``per_label`` cover the declared types. A gold entity of an
  undeclared type is an ``InputError``. Without ``types``, the types are those seen, as in seqeval.
- ``mode="strict"`` without a scheme, or a scheme without strict mode, is an ``InputError``
  (seqeval silently falls back to default mode, or ignores the scheme).
- A prediction with no answer (``None``, a failed parse) predicts no entity: every gold entity
  of that sentence is a false negative. A prediction whose length differs from its reference
  is an ``InputError`` naming the item and both lengths (seqeval raises for the whole corpus).
"""

from __future__ import annotations

import functools
import operator
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from itertools import chain, count
from typing import Any, Literal

import numpy as np

from medmetrics.errors import InputError
from medmetrics.metrics.base import AdditiveMetric, Table, equal_to_references, sequences
from medmetrics.metrics.prf import label_averages, prf, prf_row
from medmetrics.metrics.statistics import cell_table
from medmetrics.options import Options, non_empty, option, zero_division

# --- strict mode: seqeval.scheme, transcribed ---------------------------------------------------
#: Prefix letters in code order; code 0 (O) is also what a malformed tag is read as.
_PREFIXES = "OIBESUL"
_ANY = _PREFIXES
#: (previous prefixes, current prefixes, type condition) as in ``seqeval.scheme.Token`` patterns.
Pattern = tuple[str, str, str]


@dataclass(frozen=True)
class Scheme:
    """A tagging scheme: its allowed prefixes and where entities start, continue and end."""

    allowed: str
    start: tuple[Pattern, ...]
    inside: tuple[Pattern, ...]
    end: tuple[Pattern, ...]

    def flags(self) -> np.ndarray:
        """``flags[previous prefix, current prefix, same type]``: start, inside and end bits."""
        return (self.table(self.start) * _STARTS | self.table(self.inside) * _INSIDE
                | self.table(self.end) * _ENDS).astype(np.uint8)

    def table(self, patterns: tuple[Pattern, ...]) -> np.ndarray:
        """``table[previous prefix, current prefix, same type]``: does a pattern match."""
        out = np.zeros((len(_PREFIXES), len(_PREFIXES), 2), dtype=bool)
        for previous, current, condition in patterns:
            for p in previous:
                for c in current:
                    i, j = _PREFIXES.index(p), _PREFIXES.index(c)
                    if condition in ("any", "same"):
                        out[i, j, 1] = True
                    if condition in ("any", "diff"):
                        out[i, j, 0] = True
        return out


SCHEMES: dict[str, Scheme] = {
    "IOB1": Scheme(
        "IOB",
        start=(("O", "I", "any"), ("I", "I", "diff"), ("B", "I", "any"), ("I", "B", "same"), ("B", "B", "same")),
        inside=(("B", "I", "same"), ("I", "I", "same")),
        end=(("I", "I", "diff"), ("I", "O", "any"), ("I", "B", "any"), ("B", "O", "any"), ("B", "I", "diff"),
             ("B", "B", "same")),
    ),
    "IOE1": Scheme(
        "IOE",
        start=(("O", "I", "any"), ("I", "I", "diff"), ("E", "I", "any"), ("E", "E", "same")),
        inside=(("I", "I", "same"), ("I", "E", "same")),
        end=(("I", "I", "diff"), ("I", "O", "any"), ("I", "E", "diff"), ("E", "I", "same"), ("E", "E", "same")),
    ),
    "IOB2": Scheme(
        "IOB",
        start=((_ANY, "B", "any"),),
        inside=(("B", "I", "same"), ("I", "I", "same")),
        end=(("I", "O", "any"), ("I", "I", "diff"), ("I", "B", "any"), ("B", "O", "any"), ("B", "I", "diff"),
             ("B", "B", "any")),
    ),
    "IOE2": Scheme(
        "IOE",
        start=(("O", "I", "any"), ("O", "E", "any"), ("E", "I", "any"), ("E", "E", "any"), ("I", "I", "diff"),
               ("I", "E", "diff")),
        inside=(("I", "E", "same"), ("I", "I", "same")),
        end=(("E", _ANY, "any"),),
    ),
    "IOBES": Scheme(
        "IOBES",
        start=((_ANY, "B", "any"), (_ANY, "S", "any")),
        inside=(("B", "I", "same"), ("B", "E", "same"), ("I", "I", "same"), ("I", "E", "same")),
        end=(("S", _ANY, "any"), ("E", _ANY, "any")),
    ),
    "BILOU": Scheme(
        "BILOU",
        start=((_ANY, "B", "any"), (_ANY, "U", "any")),
        inside=(("B", "I", "same"), ("B", "L", "same"), ("I", "I", "same"), ("I", "L", "same")),
        end=(("U", _ANY, "any"), ("L", _ANY, "any")),
    ),
}

# --- default mode: seqeval.metrics.sequence_labeling.end_of_chunk / start_of_chunk ------------
#: Tag classes of the default mode; any other first (or, with suffix, last) character is "other".
_CHUNK_TAGS = "O.BIES"
_OTHER = len(_CHUNK_TAGS)


def _chunk_table(pairs: Iterable[str]) -> np.ndarray:
    """``table[previous tag, current tag]`` from "PC" (previous, current) pairs."""
    out = np.zeros((_OTHER + 1, _OTHER + 1), dtype=bool)
    for pair in pairs:
        out[_CHUNK_TAGS.index(pair[0]), _CHUNK_TAGS.index(pair[1])] = True
    return out


_CHUNK_END = _chunk_table(("BB", "BS", "BO", "IB", "IS", "IO"))
_CHUNK_END[[_CHUNK_TAGS.index("E"), _CHUNK_TAGS.index("S")], :] = True  # after E or S, always
_CHUNK_START = _chunk_table(("EE", "EI", "SE", "SI", "OE", "OI"))
_CHUNK_START[:, [_CHUNK_TAGS.index("B"), _CHUNK_TAGS.index("S")]] = True  # B and S always start
#: A type change ends (starts) a chunk unless the previous (current) tag is O or ".".
_TYPE_CHANGE_COUNTS = np.array([t not in "O." for t in _CHUNK_TAGS] + [True])
#: The type seqeval gives the state before a sentence (""): equal to no real type.
_NO_TYPE = -1


@dataclass(frozen=True)
class _Reading:
    """How each distinct tag string reads: tag class (or prefix) code, type code, malformed."""

    tag: np.ndarray
    type: np.ndarray
    malformed: np.ndarray
    flags: np.ndarray  # flags[previous tag code, tag code, same type], see _STARTS


@dataclass(frozen=True)
class _Entities:
    """Entities of one side, as arrays: sentence, start and end position, type code."""

    sentence: np.ndarray
    start: np.ndarray
    end: np.ndarray
    type: np.ndarray


def _scheme(value: str) -> str:
    """A tagging scheme's name, in any case, as ``SCHEMES`` writes it."""
    scheme = value.upper()
    if scheme not in SCHEMES:
        raise ValueError(f"one of {', '.join(SCHEMES)}")
    return scheme


def _type_names(value: tuple[Any, ...]) -> tuple[str, ...]:
    return non_empty(tuple(str(t) for t in value))


@dataclass(frozen=True)
class SeqevalOptions(Options):
    mode: Literal["strict"] | None = option(
        None, "None: conlleval chunking (an orphan I- starts an entity); strict: the scheme's own boundaries")
    scheme: str | None = option(None, "the tagging scheme, with strict mode: " + ", ".join(SCHEMES), check=_scheme)
    average: Literal["micro", "macro", "weighted"] = option("micro", "micro, macro or weighted over entity types")
    zero_division: float = option(0.0, "the value of 0/0: 0, 1 or nan", check=zero_division)
    suffix: bool = option(False, "tags written PER-B instead of B-PER")
    types: tuple[Any, ...] | None = option(
        None, "the declared entity types: a predicted entity of another type is spurious", check=_type_names)
    spans_only: bool | None = option(
        None, "True: types dropped on both sides, for tags that carry none (MedINST's [B]/[I]/[O])")


class SeqevalF1(AdditiveMetric):
    """Entity-level P/R/F1 from tag sequences: seqeval 1.2.2's numbers, vectorized and mergeable."""

    name = "seqeval"
    primary = "f1"
    whole_number_stats = True
    sequence_items = "a sequence of tags, one per token"
    options_class = SeqevalOptions

    def configure(self) -> None:
        o = self.options
        if o["spans_only"] and o["types"] is not None:
            raise InputError("metric 'seqeval': spans_only=True compares no types; drop types")
        if (o["mode"] == "strict") != (o["scheme"] is not None):
            raise InputError("metric 'seqeval': mode='strict' and a scheme go together "
                             f"(got mode={o['mode']!r}, scheme={o['scheme']!r})")

    # -- statistics -----------------------------------------------------------------------
    def item_stats(self, predictions: Sequence[Any], references: Sequence[Any]) -> tuple[list[str], np.ndarray]:
        predictions, lengths = aligned_tags(predictions, references)
        codes = _encode(references, predictions, lengths)
        reading, type_names = self._read(codes.vocabulary)
        layout, changed = _Layout(lengths), _Layout(lengths[codes.differ])
        strict = self.options["mode"] == "strict"
        gold = _find_entities(layout, codes.gold, reading, strict)
        pred = _predicted_entities(layout, changed, gold, codes, reading, strict)
        hit = _hits(gold, pred, codes.same, layout.size)

        n = len(references)
        used = np.flatnonzero(np.bincount(np.concatenate([gold.type, pred.type]), minlength=len(type_names)))
        names = [type_names[t] for t in used]
        self._check_declared(gold, used, names)
        compact = np.zeros(len(type_names), dtype=np.int64)
        compact[used] = np.arange(len(used))
        width = len(used)

        # columns: tp, pred and true of each type in turn, then malformed (predicted, reference)
        counted = ((pred.sentence[hit], pred.type[hit]), (pred.sentence, pred.type), (gold.sentence, gold.type))
        items = [sentences for sentences, _ in counted]
        cells = [block * width + compact[types] for block, (_, types) in enumerate(counted)]
        values = [np.ones(len(c)) for c in cells]
        if reading.malformed.any():
            in_reference = layout.per_sentence(reading.malformed[codes.gold])
            in_prediction = in_reference.copy()
            in_prediction[codes.differ] = changed.per_sentence(reading.malformed[codes.changed])
            for column, counts in ((3 * width, in_prediction), (3 * width + 1, in_reference)):
                items.append(np.arange(n))
                cells.append(np.full(n, column))
                values.append(counts)
        rows = cell_table(n, 3 * width + 2, *map(np.concatenate, (items, cells, values)))
        columns = [f"{kind}:{name}" for kind in ("tp", "pred", "true") for name in names]
        return [*columns, "malformed", "malformed_reference"], rows

    def _check_declared(self, gold: _Entities, used: np.ndarray, names: list[str]) -> None:
        """A gold entity of an undeclared type is a caller mistake (the gold data or ``types``)."""
        declared = self.options["types"]
        if declared is None:
            return
        for code, name in zip(used, names):
            found = gold.type == code
            if name not in declared and found.any():
                item = int(gold.sentence[np.argmax(found)])
                raise InputError(f"reference {item} has an entity of type {name!r} outside types={list(declared)}")

    def _read(self, vocabulary: list[Any]) -> tuple[_Reading, list[str]]:
        """Read each distinct tag once; also return the type name of each type code."""
        types: dict[str, int] = {"_": 0}  # the type of O, and of the O that closes each sentence
        tag_codes, type_codes, malformed = [], [], []
        strict = self.options["mode"] == "strict"
        allowed = SCHEMES[self.options["scheme"]].allowed if strict else ""
        spans_only = bool(self.options["spans_only"])
        for raw in vocabulary:
            tag, kind, bad = (_read_strict(raw, allowed, self.options["suffix"]) if strict
                              else _read_default(raw, self.options["suffix"]))
            kind = "_" if spans_only else kind  # the type an untyped "B" has
            tag_codes.append(tag)
            type_codes.append(types.setdefault(kind, len(types)))
            malformed.append(bad)
        # two more entries: the O closing each sentence, and the state before it (O of no type)
        tag_codes += [0, 0]
        type_codes += [0, _NO_TYPE]
        malformed += [False, False]
        flags = SCHEMES[self.options["scheme"]].flags() if strict else _DEFAULT_FLAGS
        reading = _Reading(np.array(tag_codes, dtype=np.int64), np.array(type_codes, dtype=np.int64),
                           np.array(malformed, dtype=np.int64), flags)
        return reading, list(types)

    # -- scoring --------------------------------------------------------------------------
    def _types(self, present: Table) -> list[str]:
        """Types averaged over: declared, else every type with an entity on either side (sorted)."""
        if self.options["types"] is not None:
            return list(self.options["types"])
        seen = {t for kind in ("pred", "true") for t in present.with_prefix(kind) if present[f"{kind}:{t}"]}
        return sorted(seen)

    def _spurious(self, present: Table) -> list[str]:
        if self.options["types"] is None:
            return []
        return [t for t in present.with_prefix("pred") if t not in self.options["types"]]

    def from_totals(self, totals: Table, present: Table) -> dict[str, np.ndarray]:
        zd = self.options["zero_division"]
        types = self._types(present)
        shape = totals["n"].shape
        tp, pred, true = (np.stack([totals[f"{kind}:{t}"] for t in types], axis=-1) if types
                          else np.zeros((*shape, 0)) for kind in ("tp", "pred", "true"))
        spurious = sum((totals[f"pred:{t}"] for t in self._spurious(present)), np.zeros(shape))
        micro_tp, micro_pred, micro_true = tp.sum(-1), pred.sum(-1) + spurious, true.sum(-1)
        out = {f"micro_{k}": v for k, v in prf(micro_tp, micro_pred, micro_true, zd).items()}
        # seqeval's weighted average with no gold entity: recall is undefined, precision and F1
        # too when nothing was predicted, and 0 when something was (every prediction is wrong)
        nothing_right = np.where(micro_pred == 0, zd, 0.0)
        out.update(label_averages(prf(tp, pred, true, zd), true,
                                  {"precision": nothing_right, "recall": zd, "f1": nothing_right}))
        average = self.options["average"]
        for name in ("precision", "recall", "f1"):
            out[name] = out[f"{average}_{name}"]
        out["support"] = micro_true
        out["predicted"] = micro_pred
        out["spurious"] = spurious
        out["malformed"] = totals["malformed"]
        out["malformed_reference"] = totals["malformed_reference"]
        return out

    def per_label_from_totals(self, totals: Table, present: Table) -> dict[str, dict[str, float]]:
        """Per type, like seqeval's ``classification_report(output_dict=True)``, JSON-native."""
        zd = self.options["zero_division"]
        out: dict[str, dict[str, float]] = {}
        for t in self._types(present):
            tp, pred, true = (float(totals[f"{kind}:{t}"]) for kind in ("tp", "pred", "true"))
            out[t] = {**prf_row(tp, pred, true, zd), "support": int(true), "predicted": int(pred)}
        return out

    def notes(self, table: Table, counts: np.ndarray) -> tuple[str, ...]:
        totals = table.totals(counts)
        strict = self.options["mode"] == "strict"
        reading = (f"not valid {self.options['scheme']} tags (seqeval strict mode would raise); read as O" if strict
                   else "not well-formed tags; read as seqeval's default mode reads them (empty or non-text: O)")
        out = []
        for column, side in (("malformed", "predicted"), ("malformed_reference", "reference")):
            count = int(totals[column])
            if count:
                out.append(f"{count} {side} tag(s) are {reading}")
        spurious = int(sum(totals[f"pred:{t}"] for t in self._spurious(table.present)))
        if spurious:
            out.append(f"{spurious} predicted entit(y/ies) of undeclared types count as spurious false positives")
        if not any(totals[f"true:{t}"] for t in table.with_prefix("true")):
            out.append("no gold entities: recall is undefined (zero_division)")
        return tuple(out)


# --- reading tags ------------------------------------------------------------------------------
class Codebook:
    """Integer codes for hashable values, in order of first appearance, millions at a time.

    Each code is first one character, ``chr(code)``: joining them and decoding the string as
    UTF-32 is about 25% faster than converting millions of Python ints (on the hot paths).
    """

    def __init__(self) -> None:
        self._chars: defaultdict[Any, str] = defaultdict(lambda: chr(len(self._chars)))

    @property
    def vocabulary(self) -> list[Any]:
        """The distinct values, in code order."""
        return list(self._chars)

    def codes(self, values: Iterable[Any]) -> np.ndarray:
        """The code of each value, as int32 (half of int64's memory traffic); ``TypeError`` for an
        unhashable value, ``ValueError`` past 1,114,112 distinct values."""
        if isinstance(values, (list, tuple)) and values:
            # one itemgetter call looks a list's keys up in C: about 20% faster than a map (but
            # slower on an iterator, which it must first turn into a tuple); with one key it
            # returns that key's code itself, which joins to the same string
            chars = "".join(operator.itemgetter(*values)(self._chars))
        else:
            chars = "".join(map(self._chars.__getitem__, values))
        text = chars.encode("utf-32-le", "surrogatepass")
        return np.frombuffer(text, dtype=np.uint32).astype(np.int32)


def aligned_tags(predictions: Sequence[Any], references: Sequence[Any]) -> tuple[Sequence[Any], np.ndarray]:
    """Check that every prediction has one tag per gold token; an unanswered one becomes all ``O``.

    Returns the predictions (with ``None`` replaced) and the reference lengths.
    """
    lengths, predicted = sequences(references, flatten=True).lengths, sequences(predictions).lengths
    wrong = np.flatnonzero((predicted >= 0) & (predicted != lengths))
    if wrong.size:
        i = int(wrong[0])
        raise InputError(f"prediction {i} has {predicted[i]} tags but its reference has {lengths[i]}; "
                         "tags must align one to one with the gold tokens")
    if (predicted < 0).any():  # no answer: no entity (no class) for any token
        predictions = [("O",) * len(r) if p is None else p for p, r in zip(predictions, references)]
    return predictions, lengths


@dataclass(frozen=True)
class _Codes:
    """Both sides' tags as indices into the distinct tags (``vocabulary``).

    A prediction equal to its reference (most sentences of a good tagger) is not encoded again:
    only the predictions of the ``differ`` sentences are, concatenated in ``changed``.
    """

    vocabulary: list[Any]
    gold: np.ndarray
    same: np.ndarray  # per sentence: the prediction equals its reference
    differ: np.ndarray  # indices of the other sentences
    changed: np.ndarray  # the predicted tags of those sentences

    def predicted(self, lengths: np.ndarray) -> np.ndarray:
        """Every predicted tag, in the layout of ``gold``."""
        out = self.gold.copy()
        out[np.repeat(~self.same, lengths)] = self.changed
        return out


def _encode(gold: Sequence[Any], pred: Sequence[Any], lengths: np.ndarray) -> _Codes:
    """Encode the tags; each distinct tag is then read once, by its code."""
    book = Codebook()
    try:
        gold_codes = book.codes(sequences(gold, flatten=True).flat or ())
        pred = sequences(pred)
        same = equal_to_references(pred, gold)
        differ = np.flatnonzero(~same)
        changed = book.codes(pred.flat if pred.flat is not None  # laid out by Metric.stats: the differing ones
                             else chain.from_iterable(map(pred.__getitem__, differ.tolist())))
    except (TypeError, ValueError):  # an unhashable "tag" (a list), or over a million distinct tags
        numbers: defaultdict[Any, int] = defaultdict(count().__next__)  # non-text tags all read alike (as O)
        gold_codes, pred_codes = (np.fromiter((numbers[t if isinstance(t, str) else None] for s in side for t in s),
                                              dtype=np.int64, count=int(lengths.sum())) for side in (gold, pred))
        return _Codes(list(numbers), gold_codes, np.zeros(len(gold), dtype=bool), np.arange(len(gold)), pred_codes)
    return _Codes(book.vocabulary, gold_codes, same, differ, changed)


def _read_default(raw: Any, suffix: bool) -> tuple[int, str, bool]:
    """seqeval ``get_entities``: tag class from the first (last) character, type from the rest."""
    if not isinstance(raw, str) or not raw:
        return 0, "_", True
    char = raw[-1] if suffix else raw[0]
    kind = (raw[:-1].rsplit("-", maxsplit=1)[0] if suffix else raw[1:].split("-", maxsplit=1)[-1]) or "_"
    well_formed = raw in ("O", "B", "I", "E", "S") or (
        raw.endswith(("-B", "-I", "-E", "-S")) if suffix else raw.startswith(("B-", "I-", "E-", "S-")))
    return (_CHUNK_TAGS.index(char) if char in _CHUNK_TAGS else _OTHER), kind, not well_formed


def _read_strict(raw: Any, allowed: str, suffix: bool) -> tuple[int, str, bool]:
    """seqeval ``Token``: the prefix letter and the stripped rest; a tag it rejects reads as O."""
    if not isinstance(raw, str) or not raw:
        return 0, "_", True
    char = raw[-1] if suffix else raw[0]
    if char not in allowed:  # seqeval: KeyError (no such prefix) or ValueError (not in this scheme)
        return 0, "_", True
    return _PREFIXES.index(char), (raw[:-1] if suffix else raw[1:]).strip("-") or "_", False


# --- finding entities, vectorized ----------------------------------------------------------------
class _Layout:
    """Sentences laid end to end, each followed by the O that seqeval appends to close it."""

    def __init__(self, lengths: np.ndarray) -> None:
        self.lengths = lengths
        self.size = int(lengths.sum()) + len(lengths)
        self.closing_position = np.cumsum(lengths + 1) - 1
        self.first_position = self.closing_position - lengths
        self.is_token = np.ones(self.size, dtype=bool)
        self.is_token[self.closing_position] = False

    @functools.cached_property
    def sentence(self) -> np.ndarray:
        """The sentence of every position (a look-up is several times faster than a binary search)."""
        return np.repeat(np.arange(len(self.lengths), dtype=np.int32 if len(self.lengths) < 2**31 else np.int64),
                         self.lengths + 1)

    def sentence_of(self, positions: np.ndarray) -> np.ndarray:
        return self.sentence[positions].astype(np.int64)

    def per_sentence(self, per_token: np.ndarray) -> np.ndarray:
        """Sum a per-token value over each sentence."""
        total = np.concatenate([[0], np.cumsum(per_token)])
        ends = self.closing_position - np.arange(len(self.lengths))  # token index after each sentence
        return total[ends] - total[ends - self.lengths]


#: Bits of the (previous tag, tag) flags: an entity may start here, continue here, end before here.
_STARTS, _INSIDE, _ENDS = 1, 2, 4
#: Above this many distinct tags, flags are looked up per position instead of per pair of tags.
_PAIR_TABLE_MAX = 1024


def _default_flags() -> np.ndarray:
    """seqeval's ``end_of_chunk`` / ``start_of_chunk`` as ``flags[previous tag, tag, same type]``."""
    changed = np.array([True, False])[None, None, :]
    ends = _CHUNK_END[:, :, None] | (_TYPE_CHANGE_COUNTS[:, None, None] & changed)
    starts = _CHUNK_START[:, :, None] | (_TYPE_CHANGE_COUNTS[None, :, None] & changed)
    return (ends * _ENDS | starts * _STARTS).astype(np.uint8)


_DEFAULT_FLAGS = _default_flags()


def _pair_flags(layout: _Layout, codes: np.ndarray, reading: _Reading
                ) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """The positions that matter, their tag codes, their predecessors' codes, and the flags of
    each (predecessor, tag) pair.

    Every position is laid out (the closing O of each sentence included), but a position that
    reads as O after one that reads as O starts, continues and ends nothing in any mode or
    scheme; most positions are such, so only the others are kept (their original positions
    come first in the result) and the rest of the work runs on a fraction of the arrays.
    """
    closing, before = len(reading.tag) - 2, len(reading.tag) - 1
    tag, kind, table = reading.tag, reading.type, reading.flags
    width = len(tag)
    paired = width <= _PAIR_TABLE_MAX
    current = np.full(layout.size, closing, dtype=np.int32 if paired else np.int64)
    current[layout.is_token] = codes
    loud = (tag != 0)[current]  # not read as O (tag code 0 is O, and the closing and before entries)
    kept = loud.copy()
    kept[1:] |= loud[:-1]
    positions = np.flatnonzero(kept)
    previous = current[positions - 1]
    previous[~layout.is_token[positions - 1]] = before  # after a closing O (or at 0, after the last): a first
    current = current[positions]
    if paired:  # one look-up per position in a table of every pair of distinct tags
        pairs = table[tag[:, None], tag[None, :], (kind[:, None] == kind[None, :]).astype(np.int64)].ravel()
        flags = pairs[previous * width + current]
    else:
        flags = table[tag[previous], tag[current], (kind[previous] == kind[current]).astype(np.int64)]
    return positions, current, previous, flags


def _last_at_or_before(sorted_positions: np.ndarray, at: np.ndarray) -> np.ndarray:
    """For each of ``at``, the largest of ``sorted_positions`` not after it, or -1."""
    index = np.searchsorted(sorted_positions, at, side="right") - 1
    if sorted_positions.size == 0:
        return np.full(at.shape, -1, dtype=np.int64)
    return np.where(index >= 0, sorted_positions[np.maximum(index, 0)], -1)


def _find_entities(layout: _Layout, codes: np.ndarray, reading: _Reading, strict: bool) -> _Entities:
    positions, current, previous, flags = _pair_flags(layout, codes, reading)
    starts = np.flatnonzero(flags & _STARTS)  # indices into positions, as are all below
    if not strict:
        # default mode: an entity ends before each chunk end and begins at the last chunk start
        # before it, or at the sentence start when there was none (seqeval's begin_offset)
        at = np.flatnonzero(flags & _ENDS)  # never a sentence's first position: its predecessor is O
        at_position = positions[at]
        sentence = layout.sentence_of(at_position)
        begin = np.maximum(_last_at_or_before(positions[starts], at_position - 1), layout.first_position[sentence])
        return _Entities(sentence, begin, at_position, reading.type[previous[at]])
    # strict mode (seqeval's ``Tokens.entities`` without its loop): an entity starts where a start
    # pattern matches, unless that position continues an entity already open (IOB1's B-X I-X is
    # both), runs over the following inside pairs, and counts if the pair after it is an end
    is_break = (flags & _INSIDE) == 0  # every closing O that is kept is one
    breaks = np.flatnonzero(is_break)
    both = starts[(flags[starts] & _INSIDE) != 0]
    if both.size:
        open_start = _last_at_or_before(starts, both - 1)
        still_open = (open_start >= 0) & (_last_at_or_before(breaks, both - 1) <= open_start)
        starts = np.setdiff1d(starts, both[still_open], assume_unique=True)
    end = breaks[np.cumsum(is_break)[starts]]  # the first break after each start
    valid = (flags[end] & _ENDS) != 0
    begin, end = starts[valid], end[valid]
    return _Entities(layout.sentence_of(positions[begin]), positions[begin], positions[end],
                     reading.type[current[begin]])


def _predicted_entities(layout: _Layout, changed: _Layout, gold: _Entities, codes: _Codes, reading: _Reading,
                        strict: bool) -> _Entities:
    """The predictions' entities: the gold ones where a sentence equals its reference, read elsewhere.

    ``changed`` lays out the sentences whose prediction differs (``codes.differ``) alone.
    """
    if codes.differ.size == 0:
        return gold
    found = _find_entities(changed, codes.changed, reading, strict)
    shift = (layout.first_position[codes.differ] - changed.first_position)[found.sentence]  # to the whole layout
    kept = codes.same[gold.sentence]
    return _Entities(np.concatenate([gold.sentence[kept], codes.differ[found.sentence]]),
                     np.concatenate([gold.start[kept], found.start + shift]),
                     np.concatenate([gold.end[kept], found.end + shift]),
                     np.concatenate([gold.type[kept], found.type]))


def _hits(gold: _Entities, pred: _Entities, same: np.ndarray, size: int) -> np.ndarray:
    """Which predicted entities equal a gold entity (type, start and end); keys are unique per side.

    In a sentence equal to its reference every predicted entity is a gold one (a hit), so only
    the entities of the other sentences are matched.
    """
    hit = same[pred.sentence]
    pred_rest, gold_rest = np.flatnonzero(~hit), np.flatnonzero(~same[gold.sentence])
    _, pred_index, gold_index = np.intersect1d(pred.start[pred_rest] * (size + 1) + pred.end[pred_rest],
                                               gold.start[gold_rest] * (size + 1) + gold.end[gold_rest],
                                               assume_unique=True, return_indices=True)
    matched = pred.type[pred_rest[pred_index]] == gold.type[gold_rest[gold_index]]
    hit[pred_rest[pred_index[matched]]] = True
    return hit
