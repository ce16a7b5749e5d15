"""What a metric is given, checked and read once: predictions (values or parses) and references.

The caller mistakes every metric rejects the same way (``check_pair``, ``check_references``,
``check_sequences``), the answered values and parse statuses of the predictions (``unpack``), and
``Sequences``: items that are sequences (tags, mentions) read in as few passes as possible.
"""

from __future__ import annotations

import operator
from collections.abc import Callable, Mapping, Sequence
from typing import Any

import numpy as np

from medmetrics.errors import InputError
from medmetrics.results import ANSWERED, Parsed


def unpack(predictions: Sequence[Any]) -> tuple[list[Any], list[str], set[type]]:
    """The answered values (``None`` for a failed parse or a ``None`` prediction), the status of
    each prediction, and the types of those values."""
    kinds = set(map(type, predictions))
    if not any(issubclass(kind, Parsed) for kind in kinds):  # plain values: no per-item work
        if type(None) not in kinds:
            return list(predictions), ["ok"] * len(predictions), kinds
        return list(predictions), ["failed" if p is None else "ok" for p in predictions], kinds
    statuses: list[str] = [p.status if isinstance(p, Parsed) else ("failed" if p is None else "ok")
                           for p in predictions]
    values = [(p.value if isinstance(p, Parsed) else p) if s in ANSWERED else None
              for p, s in zip(predictions, statuses)]
    return values, statuses, set(map(type, values))


def check_pair(predictions: Sequence[Any], references: Sequence[Any]) -> None:
    """The caller mistakes every metric rejects the same way, before looking at the items."""
    for what, seq in (("predictions", predictions), ("references", references)):
        if isinstance(seq, (str, bytes)) or not hasattr(seq, "__len__"):
            raise InputError(f"{what} must be a sequence of items, not {type(seq).__name__}")
    if len(predictions) != len(references):
        raise InputError(
            f"predictions has {len(predictions)} items but references has {len(references)}; "
            "they must pair up one to one"
        )
    if len(references) == 0:
        raise InputError("no items to score: predictions and references are empty")


def check_references(references: Sequence[Any], kinds: set[type]) -> None:
    """References are gold values: neither ``None`` nor a parse (``kinds``: their types)."""
    if type(None) in kinds or any(issubclass(kind, Parsed) for kind in kinds):
        i, ref = next((i, r) for i, r in enumerate(references) if r is None or isinstance(r, Parsed))
        raise InputError(f"reference {i} is {ref!r}; references must be gold values", item=i)


def check_sequences(items: Sequence[Any], kinds: set[type], what: str, must: str,
                    positions: np.ndarray | None = None) -> None:
    """Each item (but an unanswered prediction, ``None``) must be a sized iterable that is not text
    or a mapping: ``InputError`` naming the first that is not (``positions``: where each item
    stands among all, when ``items`` are some of them)."""
    for kind in kinds - {type(None)}:
        if issubclass(kind, (str, bytes, Mapping)) or not (hasattr(kind, "__len__") and hasattr(kind, "__iter__")):
            i = next(i for i, x in enumerate(items) if type(x) is kind)
            item = i if positions is None else int(positions[i])
            raise InputError(f"{what} {item} must be {must}, not {kind.__name__}", item=item)


def equal_items(predictions: Sequence[Any], references: Sequence[Any]) -> np.ndarray:
    """Which predictions equal their reference (False where ``==`` gives no single truth value).

    Most predictions of a good model equal their gold, and their statistics follow from the
    gold alone, so metrics read and match only the others.
    """
    try:
        return np.fromiter(map(operator.eq, predictions, references), dtype=bool, count=len(references))
    except (TypeError, ValueError):  # sequences whose == is not one truth value (numpy arrays)
        return np.zeros(len(references), dtype=bool)


class Sequences(list):
    """Items that are sequences (tags, mentions), with what metrics need from them, read in as
    few passes as possible: ``lengths`` (-1 for ``None``, an unanswered prediction), ``flat``,
    the elements laid end to end, and for predictions ``same``, which equal their reference.
    Metrics read every gold element, but of the predictions only those that differ from their
    reference, so a prediction's ``flat`` holds only theirs.

    On large inputs the items lie scattered in memory, and a pass for their types, another for
    their lengths and a third for their elements cost several times one pass that streams
    through them. ``Metric.stats`` hands both sides of a ``sequence_items`` metric over in this form.
    """

    flat: list[Any] | None = None
    lengths: np.ndarray
    same: np.ndarray | None = None

    @classmethod
    def read(cls, items: Sequence[Any], flatten: bool = True) -> Sequences:
        """Items checked to be sequences or ``None``; extending ``flat`` streams through their memory."""
        out = cls(items)
        if not flatten:
            out.lengths = np.array([-1 if x is None else len(x) for x in out], dtype=np.int64)
            return out
        out.flat = []
        extend = out.flat.extend
        try:
            lengths = [extend(x) or len(x) for x in out]
        except TypeError:  # unanswered predictions among them
            out.flat.clear()
            lengths = [-1 if x is None else extend(x) or len(x) for x in out]
        out.lengths = np.array(lengths, dtype=np.int64)
        return out

    @classmethod
    def read_unchecked(cls, items: Sequence[Any]) -> tuple[Sequences, set[type]] | None:
        """``read`` of items not checked yet, and their types, for checking them after, in the
        same pass; ``None`` when an item is ``None`` or no sized iterable (look closer)."""
        out, flat, kinds = cls(items), list[Any](), set[type]()
        extend, note = flat.extend, kinds.add
        try:
            lengths = [extend(x) or note(type(x)) or len(x) for x in out]
        except TypeError:
            return None
        out.flat, out.lengths = flat, np.array(lengths, dtype=np.int64)
        return out, kinds


def equal_to_references(predictions: Sequences, references: Sequence[Any]) -> np.ndarray:
    """``predictions.same``, found by ``Metric.stats``, or (on a direct call of ``item_stats``) now."""
    return predictions.same if predictions.same is not None else equal_items(predictions, references)


def sequences(items: Sequence[Any], flatten: bool = False) -> Sequences:
    """``items`` as ``Sequences``, as ``Metric.stats`` hands them over (for a direct call of
    ``item_stats``, whose items are not checked); ``flatten`` for references."""
    return items if isinstance(items, Sequences) else Sequences.read(items, flatten)


def read_sequences(predictions: Sequence[Any], references: Sequence[Any], must: str
                    ) -> tuple[Sequences, list[str], Sequences]:
    """Answered predictions, statuses and references of a ``sequence_items`` metric, checked
    and read as ``Sequences``: one pass over the references, and of the predictions only
    those that differ from their reference (an equal one is a checked sequence already)."""
    read = Sequences.read_unchecked(references)
    kinds = read[1] if read is not None else set(map(type, references))
    check_references(references, kinds)
    check_sequences(references, kinds, "reference", must)
    gold = read[0] if read is not None else Sequences.read(references)
    same = equal_items(predictions, gold)
    differ = np.flatnonzero(~same)
    items = list(map(predictions.__getitem__, differ.tolist()))
    answered, all_statuses = Sequences(predictions), ["ok"] * len(predictions)
    plain = Sequences.read_unchecked(items)  # None when parses or unanswered predictions are among them
    values, statuses, kinds = (items, None, plain[1]) if plain is not None else unpack(items)
    check_sequences(values, kinds, "prediction", must, positions=differ)
    rest = plain[0] if plain is not None else Sequences.read(values)
    if statuses is not None:
        for i, value, status in zip(differ.tolist(), values, statuses):  # a parse gives its value, or None
            answered[i], all_statuses[i] = value, status
    answered.same, answered.flat = same, rest.flat
    answered.lengths = gold.lengths.copy()
    answered.lengths[differ] = rest.lengths
    return answered, all_statuses, gold


def prepare_items(predictions: Sequence[Any], references: Sequence[Any], sequence_items: str | None
                  ) -> tuple[Any, list[str], Any]:
    """The answered predictions, their statuses and the references, as a metric's ``item_stats``
    takes them: checked references and unpacked parses, or, for a metric whose items are
    sequences (``sequence_items`` says what each must be), ``read_sequences``."""
    if sequence_items is None:
        check_references(references, set(map(type, references)))
        answered, statuses, _ = unpack(predictions)
        return answered, statuses, list(references)
    return read_sequences(predictions, references, sequence_items)


def first_failing(n: int, raises: Callable[[int, int], bool]) -> tuple[int, int]:
    """The range [lo, hi) of ``n`` items to blame when they raise together: halving, left half
    first, down to one item that raises alone (the first, when items raise independently), or the
    smallest range found when they raise only together. O(log n) calls of ``raises(lo, hi)``,
    about 2n items' work in all; only ever on an error path."""
    lo, hi = 0, n
    while hi - lo > 1:
        mid = (lo + hi) // 2
        if raises(lo, mid):
            hi = mid
        elif raises(mid, hi):
            lo = mid
        else:
            break
    return lo, hi
