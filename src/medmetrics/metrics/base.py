"""The metric template: per-item sufficient statistics, scored as weighted rows.

A metric turns each (prediction, reference) pair into a row of named statistics
(``item_stats``) and scores any weighted set of rows (``score``). Everything else is built on
that one contract, once, here:

- ``compute`` = statistics of the items, scored with weight 1 each;
- merging shards = concatenating their rows (``Stats.merge``), exactly equal to the whole;
- bootstrap intervals = scoring multinomial resample weights, vectorized in numpy;
- paired tests (``medmetrics.aggregate.significance``) = scoring paired resample or swap weights.

Additive metrics (counts of true positives, correct answers, ...) only implement
``from_totals``: the score of weighted column sums. Pure scoring functions stay free of state;
a metric object only holds its options.
"""

from __future__ import annotations

import math
from abc import ABC, abstractmethod
from collections.abc import Iterator, Mapping, Sequence
from contextlib import contextmanager
from typing import Any, ClassVar

import numpy as np

from medmetrics._version import __version__
from medmetrics.errors import InputError, MedmetricsError, MetricError
from medmetrics.metrics.inputs import (
    Sequences,
    check_pair,
    check_references,
    check_sequences,
    equal_items,
    equal_to_references,
    first_failing,
    prepare_items,
    sequences,
    unpack,
)
from medmetrics.metrics.resampling import bootstrap_weights, check_resampling, percentile_interval
from medmetrics.metrics.statistics import BASE_COLUMNS, Stats, Table, is_sparse, is_wide, ratio, stack
from medmetrics.options import Options, defaults_of, signature_options, validate
from medmetrics.results import STATUSES, ConfidenceInterval, MetricResult
from medmetrics.signatures import Signature

# the input checks and the statistics types live in their own modules; imported from here too
__all__ = ["BASE_COLUMNS", "AdditiveMetric", "Metric", "Sequences", "Stats", "Table", "check_pair",
           "check_references", "check_sequences", "equal_items", "equal_to_references", "ratio", "sequences",
           "unpack"]


class Metric(ABC):
    """Base of every metric. Subclasses set ``name``, ``primary`` and ``options_class`` (a frozen
    dataclass of ``medmetrics.options.option`` fields, checked here once) and implement
    ``item_stats`` and ``score``; ``version`` changes when a definition changes a number."""

    name: ClassVar[str]
    version: ClassVar[str] = "1"
    primary: ClassVar[str]
    higher_is_better: ClassVar[bool] = True
    #: the declared options; ``defaults`` is derived from it (a class without one may set
    #: ``defaults`` itself, and its options are then checked by name only)
    options_class: ClassVar[type[Options] | None] = None
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
    #: Whether ``--jobs`` worker processes may compute this metric's item statistics, each with its
    #: own copy of the metric. False for a metric that holds a model: a copy per process would
    #: multiply its memory and compete with the model's own threads; its statistics are then
    #: computed in the calling process (``medmetrics.aggregate.parallel``).
    stats_in_workers: ClassVar[bool] = True

    def __init_subclass__(cls, **kwargs: Any) -> None:
        super().__init_subclass__(**kwargs)
        if cls.__dict__.get("options_class") is not None:
            cls.defaults = defaults_of(cls.__dict__["options_class"])

    def __init__(self, **options: Any) -> None:
        self.options = validate(f"metric {self.name!r}", (self.options_class,), options, self.defaults)
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

    def describe(self) -> Signature:
        """The parts of the signature; a subclass adds its own (``dataclasses.replace``)."""
        return Signature(self.name, self.version, signature_options((self.options_class,), self.options),
                         origin=self.provenance or f"medmetrics=={__version__}")

    @property
    def signature(self) -> str:
        return self.describe().format()

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

    def stats_are_whole(self, stats: Stats) -> bool:
        """Whether every statistic in ``stats`` is a whole number (``whole_number_stats``); a
        metric whose columns say so per table (f1: fractions only in multi-label tables) overrides it."""
        return self.whole_number_stats

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
            rows = rows if is_sparse(rows) else np.asarray(rows)
        except (MedmetricsError, MemoryError):
            raise
        except Exception as exc:
            raise self._item_error(predictions, references, exc) from exc
        base = np.zeros((len(answered), len(BASE_COLUMNS)))
        base[:, 0] = 1.0
        status_index: dict[str, int] = {s: i + 1 for i, s in enumerate(STATUSES)}
        if len(kinds) == 1:  # one status for all: one column
            base[:, status_index[statuses[0]]] = 1.0
        else:
            base[np.arange(len(answered)), [status_index[s] for s in statuses]] = 1.0
        if is_sparse(rows) or is_wide(len(BASE_COLUMNS) + rows.shape[1]):
            table = stack([base, rows], side_by_side=True)
        else:  # one allocation, filled in place (the metric's columns cast as copied)
            table = np.empty((len(answered), len(BASE_COLUMNS) + rows.shape[1]))
            table[:, :len(BASE_COLUMNS)] = base
            table[:, len(BASE_COLUMNS):] = rows
        return Stats(self.signature, (*BASE_COLUMNS, *columns), table)

    def _prepare(self, predictions: Sequence[Any], references: Sequence[Any]) -> tuple[Any, list[str], Any]:
        """The answered predictions, their statuses and the references, as ``item_stats`` takes them."""
        return prepare_items(predictions, references, self.sequence_items)

    def _item_error(self, predictions: Sequence[Any], references: Sequence[Any], exc: Exception) -> MetricError:
        """``MetricError`` for ``item_stats`` raising ``exc`` on these items, naming the item that
        raises alone (or the smallest range that raises together: ``first_failing``)."""
        predictions, references = list(predictions), list(references)

        def raises(lo: int, hi: int) -> bool:
            try:
                self.item_stats(*self._prepare(predictions[lo:hi], references[lo:hi])[::2])
            except (MemoryError, KeyboardInterrupt):
                raise
            except Exception:
                return True
            return False

        lo, hi = first_failing(len(predictions), raises)
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
        if ci is False and self.stats_are_whole(stats):
            columns, rows, counts = stats.columns, stats.rows, stats.item_counts()
        else:
            columns, rows, counts = stats.distinct()
        table = Table(columns, rows)
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
