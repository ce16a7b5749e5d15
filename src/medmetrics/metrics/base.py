"""The metric template: per-item sufficient statistics, scored as weighted rows.

A metric turns each (prediction, reference) pair into a row of named statistics
(``item_stats``) and scores any weighted set of rows (``score``). Everything else is built on
that one contract, once, here:

- ``compute`` = statistics of the items, scored with weight 1 each;
- merging shards = concatenating their rows (``Stats.merge``), exactly equal to the whole;
- bootstrap intervals = scoring multinomial resample weights, vectorized in numpy;
- paired tests (``medmetrics.stats.significance``) = scoring paired resample or swap weights.

Additive metrics (counts of true positives, correct answers, ...) only implement
``from_totals``: the score of weighted column sums. Pure scoring functions stay free of state;
a metric object only holds its options.
"""

from __future__ import annotations

import functools
import math
import operator
from abc import ABC, abstractmethod
from collections.abc import Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any, ClassVar

import numpy as np

from medmetrics._version import __version__
from medmetrics.errors import InputError, MedmetricsError, MetricError
from medmetrics.options import check_options, render_signature
from medmetrics.results import ANSWERED, STATUSES, ConfidenceInterval, MetricResult, Parsed
from medmetrics.stats.resampling import bootstrap_weights, check_resampling, collapse, percentile_interval

#: Columns every statistics table starts with: the item count and its parse status (one-hot).
BASE_COLUMNS: tuple[str, ...] = ("n", *STATUSES)


@dataclass(frozen=True)
class Stats:
    """Per-item sufficient statistics: ``rows[i]`` holds item i's values of ``columns``.

    ``metric`` is the signature of the metric that made them; only statistics of the same
    metric merge. Column sets may differ between shards (a label seen in one shard only): a
    merge aligns them, filling zeros, which is what the missing items contribute.
    """

    metric: str
    columns: tuple[str, ...]
    rows: np.ndarray

    @property
    def n(self) -> int:
        return int(self.rows.shape[0])

    def merge(self, *others: Stats) -> Stats:
        """Concatenate shards; scoring the result equals scoring all items at once."""
        parts = (self, *others)
        for part in others:
            if part.metric != self.metric:
                raise InputError(f"cannot merge statistics of {part.metric!r} into {self.metric!r}")
        columns = list(self.columns)
        seen = set(columns)
        for part in others:
            columns += [c for c in part.columns if c not in seen]
            seen.update(part.columns)
        position = {c: i for i, c in enumerate(columns)}
        rows = np.zeros((sum(p.n for p in parts), len(columns)))
        start = 0
        for part in parts:
            rows[start:start + part.n, [position[c] for c in part.columns]] = part.rows
            start += part.n
        return Stats(self.metric, tuple(columns), rows)

    def canonical(self) -> Stats:
        """Columns in a fixed order (base columns, then sorted), so that statistics made whole
        or merged from shards give the same resamples and so the same intervals."""
        order = sorted(range(len(self.columns)), key=lambda i: (i >= len(BASE_COLUMNS), self.columns[i]))
        if order == list(range(len(self.columns))):
            return self
        # take, not rows[:, order]: the same copy, about 3x faster on wide tables
        return Stats(self.metric, tuple(self.columns[i] for i in order), self.rows.take(order, axis=1))


class Table:
    """Named access to the columns of (distinct) statistics rows."""

    def __init__(self, columns: Sequence[str], rows: np.ndarray) -> None:
        self.columns = tuple(columns)
        self.rows = rows
        self._index = {c: i for i, c in enumerate(self.columns)}
        self._weighted: tuple[np.ndarray, Table] | None = None

    @functools.cached_property
    def present(self) -> Table:
        """Sums over the rows themselves, unweighted: which columns occur at all (see ``from_totals``)."""
        return Table(self.columns, self.rows.sum(axis=0))

    def totals(self, counts: np.ndarray) -> Table:
        """Column sums with row i counted ``counts[i]`` times; the last one is kept, as the
        full-sample totals are asked for several times (value, statuses, notes, per-label table).
        Every row counted once (a point value of uncollapsed rows) gives ``present``."""
        if self._weighted is None or self._weighted[0] is not counts:
            once = counts.size == len(self.rows) and counts.min(initial=1) == 1 == counts.max(initial=1)
            self._weighted = (counts, self.present if once else
                              Table(self.columns, counts.astype(np.float64) @ self.rows))
        return self._weighted[1]

    def __getitem__(self, name: str) -> np.ndarray:
        index = self._index.get(name)
        return self.rows[..., index] if index is not None else np.zeros(self.rows.shape[:-1])

    def with_prefix(self, prefix: str) -> list[str]:
        """The suffixes of the columns named ``prefix:<suffix>`` (e.g. the labels of ``tp:``)."""
        return [c[len(prefix) + 1:] for c in self.columns if c.startswith(prefix + ":")]


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


class Metric(ABC):
    """Base of every metric. Subclasses set ``name``, ``primary`` and ``defaults`` and implement
    ``item_stats`` and ``score``; ``version`` changes when a definition changes a number."""

    name: ClassVar[str]
    version: ClassVar[str] = "1"
    primary: ClassVar[str]
    higher_is_better: ClassVar[bool] = True
    defaults: ClassVar[Mapping[str, Any]] = {}
    #: Interval methods besides the bootstrap (e.g. ``fisher_z`` for Pearson).
    analytic_intervals: ClassVar[tuple[str, ...]] = ()
    #: Every statistic is a whole number (a count). Sums of them are then exact in any order, so
    #: a point value is scored from the rows as they are: collapsing identical rows, which keeps
    #: float sums independent of item order and makes resampling cheap, is only done for intervals.
    whole_number_stats: ClassVar[bool] = False
    #: For metrics whose items are sequences (tags, mentions), what each item must be, e.g. "a
    #: list of mentions". ``stats`` then checks every reference and answered prediction (sized,
    #: iterable, not text, not a mapping) with the type scan it makes anyway, so ``item_stats``
    #: takes lengths without looking at the items' types again.
    sequence_items: ClassVar[str | None] = None

    def __init__(self, **options: Any) -> None:
        self.options = check_options(f"metric {self.name!r}", options, self.defaults)
        self.provenance: str | None = None  # "distribution==version" for third-party metrics
        self.configure()

    def configure(self) -> None:
        """Check and normalize ``self.options``; raise ``InputError`` for bad ones."""

    def check_choice(self, option: str, allowed: Sequence[Any]) -> None:
        """``InputError`` unless option ``option`` is one of ``allowed``."""
        if self.options[option] not in allowed:
            raise InputError(f"metric {self.name!r}: {option} must be one of {tuple(allowed)}, "
                             f"not {self.options[option]!r}")

    def check_zero_division(self) -> None:
        """The ``zero_division`` option: 0, 1 or NaN (the value of 0/0), stored as a float."""
        value = self.options["zero_division"]
        if isinstance(value, bool) or not isinstance(value, (int, float)) or not (value in (0, 1) or math.isnan(value)):
            raise InputError(f"metric {self.name!r}: zero_division must be 0, 1 or nan, not {value!r}")
        self.options["zero_division"] = float(value)

    @property
    def signature(self) -> str:
        sig = render_signature(self.name, self.version, self.options)
        origin = self.provenance or f"medmetrics=={__version__}"
        return f"{sig}|{origin}"

    # --- the contract -------------------------------------------------------------------
    @abstractmethod
    def item_stats(
        self, predictions: Sequence[Any], references: Sequence[Any]
    ) -> tuple[Sequence[str], np.ndarray]:
        """Columns and rows (one per item) for these pairs; an unanswered prediction is ``None``."""

    @abstractmethod
    def score(self, table: Table, weights: np.ndarray) -> dict[str, np.ndarray]:
        """Every component, one value per weight vector: ``weights`` is (B, rows) -> arrays (B,)."""

    def per_label(self, table: Table, counts: np.ndarray) -> dict[str, dict[str, float]]:
        """A per-label table of the full sample, where the metric has one."""
        return {}

    def notes(self, table: Table, counts: np.ndarray) -> tuple[str, ...]:
        """Degenerate-case notes for the full sample (constant input, nothing answered, ...)."""
        return ()

    def interval(
        self, table: Table, counts: np.ndarray, value: float, level: float, method: str
    ) -> tuple[float, float]:
        """An analytic interval named in ``analytic_intervals``."""
        raise NotImplementedError(method)

    # --- built on the contract ----------------------------------------------------------
    def stats(self, predictions: Sequence[Any], references: Sequence[Any]) -> Stats:
        """Per-item statistics, with the parse status of each prediction.

        A caller mistake found by ``item_stats`` is its ``InputError``; anything else it raises is
        a bug in the metric, raised as one ``MetricError`` naming the metric, its distribution and
        an item that raises on its own (the first, when items raise independently)."""
        check_pair(predictions, references)
        answered, statuses, gold = self._prepare(predictions, references)
        kinds = set(statuses)
        try:
            columns, rows = self.item_stats(answered, gold)
            rows = np.asarray(rows)
        except (MedmetricsError, MemoryError):
            raise
        except Exception as exc:
            raise self._item_error(predictions, references, exc) from exc
        # one allocation, filled in place: the base columns, then the metric's (cast as copied)
        table = np.zeros((len(answered), len(BASE_COLUMNS) + rows.shape[1]))
        table[:, len(BASE_COLUMNS):] = rows
        table[:, 0] = 1.0
        status_index: dict[str, int] = {s: i + 1 for i, s in enumerate(STATUSES)}
        if len(kinds) == 1:  # one status for all: one column
            table[:, status_index[statuses[0]]] = 1.0
        else:
            table[np.arange(len(answered)), [status_index[s] for s in statuses]] = 1.0
        return Stats(self.signature, (*BASE_COLUMNS, *columns), table)

    def _prepare(self, predictions: Sequence[Any], references: Sequence[Any]) -> tuple[Any, list[str], Any]:
        """The answered predictions, their statuses and the references, as ``item_stats`` takes them."""
        if self.sequence_items is None:
            check_references(references, set(map(type, references)))
            answered, statuses, _ = unpack(predictions)
            return answered, statuses, list(references)
        return self._read_sequences(predictions, references, self.sequence_items)

    def _item_error(self, predictions: Sequence[Any], references: Sequence[Any], exc: Exception) -> MetricError:
        """``MetricError`` for ``item_stats`` raising ``exc`` on these items. An item that raises
        alone (the first, when items raise independently) is found by halving, left half first:
        O(log n) calls, about 2n items' work in all, on this error path only. If no single item
        does (the items raise only together), the smallest range found is named instead."""
        predictions, references = list(predictions), list(references)

        def raises(lo: int, hi: int) -> bool:
            try:
                self.item_stats(*self._prepare(predictions[lo:hi], references[lo:hi])[::2])
            except (MemoryError, KeyboardInterrupt):
                raise
            except Exception:
                return True
            return False

        lo, hi = 0, len(predictions)
        while hi - lo > 1:
            mid = (lo + hi) // 2
            if raises(lo, mid):
                hi = mid
            elif raises(mid, hi):
                lo = mid
            else:
                break
        where = (f"item {lo}" if hi - lo == 1 else
                 f"items {lo} to {hi - 1} together (no single item raises on its own)")
        return MetricError(f"metric {self.name!r} (distribution {self._origin()}) raised in item_stats on {where}: "
                           f"{type(exc).__name__}: {exc}")

    def _origin(self) -> str:
        return self.provenance or f"medmetrics=={__version__}, a bug in medmetrics"

    @contextmanager
    def guarded(self, stage: str) -> Iterator[None]:
        """Run the metric's own code for ``stage`` (``score``, ``per_label``, ``notes``, ...): a
        caller mistake stays its ``InputError``; anything else is a bug in the metric, raised as one
        ``MetricError`` naming the metric, its distribution and the stage, never a traceback."""
        try:
            yield
        except (MedmetricsError, MemoryError):
            raise
        except Exception as exc:
            raise MetricError(f"metric {self.name!r} (distribution {self._origin()}) raised in {stage}: "
                              f"{type(exc).__name__}: {exc}") from exc

    @staticmethod
    def _read_sequences(predictions: Sequence[Any], references: Sequence[Any], must: str
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

    def compute(
        self,
        predictions: Sequence[Any],
        references: Sequence[Any],
        *,
        ci: bool | float = False,
        resamples: int = 1000,
        seed: int = 12345,
        ci_method: str = "bootstrap",
    ) -> MetricResult:
        """Score ``predictions`` against ``references``; ``ci=True`` adds a 95% interval."""
        return self.result(self.stats(predictions, references), ci=ci, resamples=resamples, seed=seed,
                           ci_method=ci_method)

    def result(
        self,
        stats: Stats,
        *,
        ci: bool | float = False,
        resamples: int = 1000,
        seed: int = 12345,
        ci_method: str = "bootstrap",
    ) -> MetricResult:
        """The ``MetricResult`` of (possibly merged) statistics."""
        if stats.metric != self.signature:
            raise InputError(f"statistics of {stats.metric!r} cannot be scored by {self.signature!r}")
        if stats.n == 0:
            raise InputError("no items to score")
        if ci is False and self.whole_number_stats:
            rows, counts = stats.rows, np.ones(stats.n, dtype=np.int64)
        else:
            stats = stats.canonical()
            rows, counts = collapse(stats.rows)
        table = Table(stats.columns, rows)
        with self.guarded("score"):
            components = {k: float(v[0]) for k, v in self.score(table, counts[None, :].astype(np.float64)).items()}
            value = components[self.primary]
        statuses: dict[str, int] = {s: int(table.totals(counts)[s]) for s in STATUSES}
        n_failed = stats.n - statuses["ok"] - statuses["partial"]
        if 0 < n_failed < stats.n:  # the metric on the answered items alone, as if the rest were absent
            answered = (table["ok"] + table["partial"]) > 0
            subset = Table(table.columns, table.rows[answered])
            with self.guarded("score"):
                components[f"{self.primary}_answered"] = float(
                    self.score(subset, counts[answered][None, :].astype(np.float64))[self.primary][0])
        with self.guarded("notes"):
            interval, notes = None, tuple(self.notes(table, counts))
        if ci is not False:
            level = 0.95 if ci is True else float(ci)
            if not 0.0 < level < 1.0:
                raise InputError(f"ci level must be between 0 and 1, got {level}")
            check_resampling(resamples, seed)
            interval, undefined, replicates = self._interval(table, counts, value, level, resamples, seed,
                                                             ci_method)
            if undefined:
                notes += (f"{undefined} of {resamples} bootstrap resamples were undefined (e.g. a constant side) "
                          "and are left out of the interval",)
        with self.guarded("per_label"):
            per_label = self.per_label(table, counts)
        return MetricResult(
            metric=self.name, value=value, n=stats.n, n_failed=n_failed, components=components,
            per_label=per_label, statuses=statuses, ci=interval,
            signature=self.signature, higher_is_better=self.higher_is_better, notes=notes, stats=stats, scorer=self,
            replicates=replicates if ci is not False else None,
        )

    def bootstrap(self, table: Table, counts: np.ndarray, resamples: int, seed: int) -> np.ndarray:
        """The primary value on each of ``resamples`` bootstrap resamples."""
        if resamples < 1:
            raise InputError(f"resamples must be a positive integer, got {resamples}")
        with self.guarded("score (bootstrap)"):
            return np.concatenate([self.score(table, w)[self.primary]
                                   for w in bootstrap_weights(counts, resamples, seed)])

    def _interval(self, table: Table, counts: np.ndarray, value: float, level: float, resamples: int,
                  seed: int, method: str) -> tuple[ConfidenceInterval, int, np.ndarray | None]:
        """The interval, how many resamples had no defined value (left out of it), and the
        bootstrap's values (None for an analytic interval)."""
        if method == "bootstrap":
            replicates = self.bootstrap(table, counts, resamples, seed)
            low, high, undefined = percentile_interval(replicates, level)
            return ConfidenceInterval(low, high, level, "bootstrap-percentile", resamples, seed), undefined, replicates
        if method in self.analytic_intervals:
            with self.guarded(f"interval ({method})"):
                low, high = self.interval(table, counts, value, level, method)
            return ConfidenceInterval(low, high, level, method), 0, None
        raise InputError(f"metric {self.name!r} has no interval method {method!r}; "
                         f"use one of {('bootstrap', *self.analytic_intervals)}")

    def __repr__(self) -> str:
        return f"<metric {self.signature}>"


class AdditiveMetric(Metric):
    """A metric whose score depends on the items only through column sums (counts)."""

    def score(self, table: Table, weights: np.ndarray) -> dict[str, np.ndarray]:
        totals = table.totals(weights[0]).rows[None, :] if len(weights) == 1 else weights @ table.rows
        return self.from_totals(Table(table.columns, totals), table.present)

    def per_label(self, table: Table, counts: np.ndarray) -> dict[str, dict[str, float]]:
        return self.per_label_from_totals(table.totals(counts), table.present)

    def per_label_from_totals(self, totals: Table, present: Table) -> dict[str, dict[str, float]]:
        """The per-label table from the full-sample ``totals`` (see ``from_totals``), if any."""
        return {}

    @abstractmethod
    def from_totals(self, totals: Table, present: Table) -> dict[str, np.ndarray]:
        """Components from weighted column sums ``totals`` (one row per weight vector).

        ``present`` holds the sums over the distinct rows of the full sample: use it for
        decisions that must not change between resamples, such as which labels exist.
        """


def ratio(numerator: np.ndarray, denominator: np.ndarray, zero_division: float) -> np.ndarray:
    """``numerator / denominator`` with ``zero_division`` where the denominator is 0."""
    out = np.full(np.broadcast(numerator, denominator).shape, zero_division, dtype=np.float64)
    np.divide(numerator, denominator, out=out, where=denominator != 0)
    return out
