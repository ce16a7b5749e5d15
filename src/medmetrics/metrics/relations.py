"""Relation-triple F1 (``relation_f1``) and entity-linking F1 (``ned``), per document.

Each item is one document. Both metrics compare the *sets* of normalized tuples a document's
prediction and reference contain: a tuple the model repeats counts once, as a gold set lists
each fact once (repeats are reported in the ``duplicates`` components, never silently folded).

``relation_f1``: a triple is a mapping ``{"head", "relation", "tail"}`` or a tuple
``(head, relation, tail)``. Entity texts and relation labels are normalized like entity texts
(``normalize_mention_text``: NFKC, casefold, white space collapsed; hyphens, digits and Greek
letters kept). Options:

- ``exclude`` (called ``negative`` before; ``f1`` names the same thing ``exclude``; the old name
  is accepted for a release): relation labels that mean "no relation" (ChemProt ``false``, DDI
  ``DDI-false``): such triples are removed from both sides before counting, so predicting one is
  no claim and missing one is no miss (BLURB's and BLUE's micro F1 over the positive classes).
  The number removed is reported in ``negative`` / ``negative_reference``.
- ``types``: the declared relation types; a predicted triple of another type is *spurious*, a
  false positive in micro precision; a gold triple of another type is an ``InputError``.
- ``directed=False``: ``(a, r, b)`` equals ``(b, r, a)``.
- ``typed=False``: the relation label is ignored (after ``exclude`` is applied): unlabeled
  entity pairs. ``types`` then makes no sense and is an ``InputError``.

Micro P/R/F1 count every triple; macro averages the per-relation scores over the declared types
(or every type seen). Untyped scoring has one class, so macro is micro.

``ned``: a pair is a mapping ``{"text", "id"}`` or a tuple ``(text, id)``. Ids are compared after
stripping white space and, with ``casefold`` (default), case; ``strip_namespace`` drops a
namespace prefix (``MESH:D003920`` -> ``D003920``, ``NCBIGene:7157`` -> ``7157``) on both sides.
``ids_only=True`` scores each document's *set of ids*, whatever the mention texts (how
normalization benchmarks such as BC5CDR's document-level evaluation score linking); otherwise
a pair is right when its normalized text and id both match.

Degenerate cases (both): a failed parse (``None``) predicts nothing, so every gold tuple of that
document is missed; 0/0 is ``zero_division``.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any, ClassVar, Literal

import numpy as np

from medmetrics.errors import InputError
from medmetrics.metrics.base import Table
from medmetrics.metrics.counting import KINDS, CountsF1
from medmetrics.metrics.entities import normalize_mention_text
from medmetrics.metrics.statistics import cell_table
from medmetrics.options import Options, non_empty, option, zero_division

#: The type name of tuples scored without types (untyped relations, linked pairs).
ANY_TYPE = "*"
_NAMESPACE = re.compile(r"^[A-Za-z][A-Za-z0-9_.\-]*:(?=.)")

Key = tuple[str, ...]


def read_tuples(value: Any, fields: tuple[str, ...], where: str) -> list[tuple[str, ...]]:
    """One document's tuples (mappings with ``fields`` or tuples in that order) as string tuples."""
    if isinstance(value, (str, bytes, Mapping)) or not isinstance(value, Iterable):
        raise InputError(f"{where} is {value!r}: it must be a list of {'/'.join(fields)} tuples")
    out: list[tuple[str, ...]] = []
    for index, raw in enumerate(value):
        parts: tuple[Any, ...]
        if isinstance(raw, Mapping):
            parts = tuple(raw.get(f) for f in fields)
        elif isinstance(raw, (tuple, list)) and len(raw) == len(fields):
            parts = tuple(raw)
        else:
            parts = ()
        if len(parts) != len(fields) or not all(isinstance(p, str) for p in parts):
            raise InputError(f"{where}, entry {index} is {raw!r}: it must be a mapping with string "
                             f"{', '.join(fields)} or a tuple ({', '.join(fields)}) of strings")
        out.append(parts)
    return out


class _TupleSetF1(CountsF1):
    """Per-document set comparison of normalized tuples, counted per type (see module docstring).

    ``keys`` maps each tuple to ``(type, key)``; type ``None`` marks a spurious prediction (no
    declared type) and a result of ``None`` a tuple that does not count (a negative relation).
    """

    fields: ClassVar[tuple[str, ...]]
    #: Columns besides the per-type counts, also reported as components.
    extra_components: ClassVar[tuple[str, ...]] = ("duplicates", "duplicates_reference")

    def keys(self, raw: tuple[str, ...], role: str, where: str) -> tuple[str | None, Key] | None:
        """The type and comparison key of one tuple, or None when it does not count."""
        raise NotImplementedError

    def item_stats(self, predictions: Sequence[Any], references: Sequence[Any]) -> tuple[list[str], np.ndarray]:
        sides = []
        for role, values in (("reference", references), ("prediction", predictions)):
            documents = []
            for i, value in enumerate(values):
                where = f"{role} {i}"
                tuples = [] if value is None else read_tuples(value, self.fields, where)
                documents.append([self.keys(t, role, where) for t in tuples])
            sides.append(documents)
        golds, preds = sides
        types = sorted({kt[0] for doc in (*golds, *preds) for kt in doc if kt is not None and kt[0] is not None})
        columns = [f"{kind}:{t}" for t in types for kind in KINDS] + list(self.extra_components)
        position = {c: i for i, c in enumerate(columns)}
        items: list[int] = []
        cells: list[int] = []
        counts: list[int] = []
        for i, (gold, pred) in enumerate(zip(golds, preds)):
            counted_gold = [k for k in gold if k is not None]
            counted_pred = [k for k in pred if k is not None]
            gold_set, pred_set = set(counted_gold), set(counted_pred)
            spurious = {k for k in pred_set if k[0] is None}
            pred_set -= spurious
            extra = {"duplicates_reference": len(counted_gold) - len(gold_set),
                     "duplicates": len(counted_pred) - len(pred_set) - len(spurious), "spurious": len(spurious),
                     "negative_reference": len(gold) - len(counted_gold), "negative": len(pred) - len(counted_pred)}
            found = [(position[name], extra[name]) for name in self.extra_components]
            found += [(position[f"{kind}:{t}"], 1) for kind, keys in (("tp", gold_set & pred_set), ("pred", pred_set),
                                                                      ("true", gold_set)) for t, _ in keys]
            items += [i] * len(found)
            cells += [c for c, _ in found]
            counts += [v for _, v in found]
        rows = cell_table(len(golds), len(columns), items, cells, counts)
        return columns, rows


def _relation_labels(value: str | tuple[str, ...]) -> tuple[str, ...]:
    """One relation label or several, normalized as triples are, sorted."""
    return tuple(sorted({normalize_mention_text(x) for x in ((value,) if isinstance(value, str) else value)}))


@dataclass(frozen=True)
class RelationF1Options(Options):
    average: Literal["micro", "macro"] = option("micro", "micro over all triples or macro over relation types")
    types: tuple[str, ...] | None = option(
        None, "the declared relation types: a predicted triple of another type is spurious", check=non_empty)
    exclude: str | tuple[str, ...] = option(
        (), "relation label(s) meaning no relation: such triples count on neither side", check=_relation_labels)
    directed: bool = option(True, "False: (a, r, b) equals (b, r, a)")
    typed: bool = option(True, "False: relation labels are ignored (unlabeled entity pairs)")
    zero_division: float = option(0.0, "the value of 0/0: 0, 1 or nan", check=zero_division)

    #: ``exclude`` was ``negative``; ``f1`` calls the same thing ``exclude``
    renamed: ClassVar[Mapping[str, str]] = {"negative": "exclude"}
    signature_names: ClassVar[Mapping[str, str]] = {"exclude": "negative"}


@dataclass(frozen=True)
class NedOptions(Options):
    ids_only: bool = option(False, "score each document's set of ids, whatever the mention texts")
    casefold: bool = option(True, "compare ids case-insensitively")
    strip_namespace: bool = option(False, "drop a namespace prefix on both sides (MESH:D003920 -> D003920)")
    average: Literal["micro", "macro"] = option("micro", "micro; macro equals it (one class)")
    zero_division: float = option(0.0, "the value of 0/0: 0, 1 or nan", check=zero_division)


class RelationF1(_TupleSetF1):
    """P/R/F1 over (head, relation, tail) triples per document; micro, macro and per relation type."""

    name = "relation_f1"
    primary = "f1"
    fields = ("head", "relation", "tail")
    options_class = RelationF1Options
    extra_components = ("spurious", "duplicates", "duplicates_reference", "negative", "negative_reference")

    def configure(self) -> None:
        o = self.options
        if o["types"] is not None and not o["typed"]:
            raise InputError("metric 'relation_f1': types cannot be declared with typed=False "
                             "(untyped scoring ignores relation labels)")
        self._declared = {normalize_mention_text(t): t for t in o["types"] or ()}

    def keys(self, raw: tuple[str, ...], role: str, where: str) -> tuple[str | None, Key] | None:
        head, relation, tail = (normalize_mention_text(x) for x in raw)
        if relation in self.options["exclude"]:
            return None
        if not self.options["directed"]:
            head, tail = min(head, tail), max(head, tail)
        if not self.options["typed"]:
            return ANY_TYPE, (head, tail)
        if self._declared:
            if relation not in self._declared:
                if role == "reference":
                    raise InputError(f"{where} has relation {raw[1]!r} outside types={list(self.options['types'])}")
                return None, (head, relation, tail)  # spurious
            relation = self._declared[relation]
        return relation, (head, relation, tail)

    def types(self, present: Table) -> list[str]:
        if not self.options["typed"]:
            return []
        if self.options["types"] is not None:
            return list(self.options["types"])
        return [t for t in present.with_prefix("true") if present[f"true:{t}"] or present[f"pred:{t}"]]


class Ned(_TupleSetF1):
    """P/R/F1 over (mention text, concept id) pairs per document, or over each document's id set."""

    name = "ned"
    primary = "f1"
    fields = ("text", "id")
    options_class = NedOptions

    def configure(self) -> None:
        steps: list[Callable[[str], str]] = [str.strip]
        if self.options["strip_namespace"]:
            steps.append(lambda s: _NAMESPACE.sub("", s))
        if self.options["casefold"]:
            steps.append(str.casefold)
        self._steps = steps

    def normalize_id(self, concept: str) -> str:
        for step in self._steps:
            concept = step(concept)
        return concept

    def keys(self, raw: tuple[str, ...], role: str, where: str) -> tuple[str | None, Key] | None:
        text, concept = raw
        if self.options["ids_only"]:
            return ANY_TYPE, (self.normalize_id(concept),)
        return ANY_TYPE, (normalize_mention_text(text), self.normalize_id(concept))

    def types(self, present: Table) -> list[str]:
        return []
