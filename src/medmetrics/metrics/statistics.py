"""Per-item statistics and the tables a metric scores: what every metric makes and reads.

``Stats`` are the rows a metric's ``item_stats`` makes (one per item, named columns), which merge
across shards; ``Table`` gives named access to (distinct, weighted) rows; ``ratio`` is the one
safe division every score uses.

Per-label and per-type statistics (f1, seqeval, entity_f1, relation_f1) have three columns for
each label while an item fills one or two of them, so a wide table is held sparse (a canonical
scipy CSR array: sorted indices, no explicit zeros): memory and time then grow with items plus
labels, not items times labels. Whether a table is sparse depends on its width alone
(``SPARSE_MIN_COLUMNS``), so statistics made whole or merged from shards are held, collapsed and
resampled alike and give the same numbers. scipy.sparse is imported only when a table is wide.
"""

from __future__ import annotations

import functools
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
from numpy.typing import ArrayLike

from medmetrics.errors import InputError
from medmetrics.results import STATUSES

#: Columns every statistics table starts with: the item count and its parse status (one-hot).
BASE_COLUMNS: tuple[str, ...] = ("n", *STATUSES)
#: Tables with at least this many columns (base columns included) are sparse. Below it a dense
#: table is small (a million items x 63 columns is 500 MB) and numpy's dense kernels are faster.
SPARSE_MIN_COLUMNS = 64


def is_wide(width: int) -> bool:
    """Whether a statistics table ``width`` columns wide (base columns included) is held sparse."""
    return width >= SPARSE_MIN_COLUMNS


def _sparse() -> Any:
    """scipy.sparse, imported on the first wide table (it costs about 170 ms)."""
    import scipy.sparse

    return scipy.sparse


def is_sparse(rows: Any) -> bool:
    """Whether ``rows`` is a scipy.sparse array (checked without importing scipy)."""
    return type(rows).__module__.startswith("scipy.sparse")


def canonical_csr(rows: Any) -> Any:
    """``rows`` as a float64 CSR array in canonical form: duplicates summed, indices sorted and no
    explicit zeros, so equal tables have equal ``indptr``/``indices``/``data``. A sparse ``rows`` is
    copied first: the clean-up works in place, and ``rows`` may be someone else's."""
    out = _sparse().csr_array(rows, dtype=np.float64, copy=is_sparse(rows))
    out.sum_duplicates()
    out.eliminate_zeros()
    out.sort_indices()
    return out


def in_layout(rows: Any) -> Any:
    """A statistics table in the layout its width calls for: canonical CSR from
    ``SPARSE_MIN_COLUMNS`` columns on, a dense float array below."""
    if rows.ndim == 2 and is_wide(rows.shape[1]):
        return canonical_csr(rows)
    return rows.toarray() if is_sparse(rows) else rows


def cell_table(n: int, width: int, items: ArrayLike, columns: ArrayLike, values: ArrayLike | None = None) -> Any:
    """The ``(n, width)`` table of a metric's own columns holding ``values`` (default 1) at
    ``(items[k], columns[k])``, repeated cells adding up: sparse when the statistics it becomes
    (base columns added) are wide, so a wide table is never made dense first."""
    items, columns = np.asarray(items, dtype=np.int64), np.asarray(columns, dtype=np.int64)
    weights = np.ones(len(items)) if values is None else np.asarray(values, dtype=np.float64)
    if is_wide(len(BASE_COLUMNS) + width):
        return canonical_csr(_sparse().coo_array((weights, (items, columns)), shape=(n, width)))
    return np.bincount(items * width + columns, weights, minlength=n * width).reshape(n, width)


def stack(parts: Sequence[Any], *, side_by_side: bool = False) -> Any:
    """Tables one above the other (or, ``side_by_side``, one beside the other): sparse if any is."""
    if any(map(is_sparse, parts)):
        sparse = _sparse()
        return canonical_csr((sparse.hstack if side_by_side else sparse.vstack)(parts, format="csr"))
    return (np.hstack if side_by_side else np.vstack)(parts)


def with_values(rows: Any, values: np.ndarray) -> Any:
    """A sparse table of ``rows``' pattern (same stored cells) holding ``values`` instead."""
    return rows.__class__((values, rows.indices, rows.indptr), shape=rows.shape)


def column(rows: Any, index: int) -> np.ndarray:
    """Column ``index`` of a table (the last axis) as a dense array."""
    if is_sparse(rows):
        return rows[:, [index]].toarray().reshape(-1)
    return rows[..., index]


@dataclass(frozen=True)
class Stats:
    """Per-item sufficient statistics: ``rows[i]`` holds item i's values of ``columns``.

    ``metric`` is the signature of the metric that made them; only statistics of the same
    metric merge. Column sets may differ between shards (a label seen in one shard only): a
    merge aligns them, filling zeros, which is what the missing items contribute.

    ``counts``, when set, says how many items each row stands for: ``compacted()`` keeps one
    row per distinct statistics row (a few hundred for accuracy or F1 at any size), which is
    all a score, an interval or a merge needs; only pairing items (a paired test) needs them
    one by one.
    """

    metric: str
    columns: tuple[str, ...]
    rows: Any  # (rows, columns): a numpy array, or a canonical CSR array when wide (``in_layout``)
    counts: np.ndarray | None = None  # items per row; None: one each

    def __post_init__(self) -> None:
        object.__setattr__(self, "rows", in_layout(self.rows))
        if self.counts is not None and len(self.counts) != self.rows.shape[0]:
            raise InputError(f"{len(self.counts)} counts for {self.rows.shape[0]} rows of statistics")

    @property
    def n(self) -> int:
        """The number of items."""
        return int(self.rows.shape[0]) if self.counts is None else int(self.counts.sum())

    def item_counts(self) -> np.ndarray:
        """How many items each row stands for (int64)."""
        if self.counts is None:
            return np.ones(self.rows.shape[0], dtype=np.int64)
        return self.counts

    def distinct(self) -> tuple[tuple[str, ...], Any, np.ndarray]:
        """Canonical columns (``canonical``), one row per distinct row (dense when few, see
        ``distinct_rows``) and how many items each stands for, in an order that depends only on
        the values: what scores and intervals read, alike whether the items came whole, merged
        from shards or compacted."""
        canonical = self.canonical()
        unique, counts = collapse(canonical.rows, canonical.counts)
        return canonical.columns, unique, counts

    def compacted(self) -> Stats:
        """The same statistics as distinct rows with counts: what a shard sends to be merged."""
        return Stats(self.metric, *self.distinct())

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
        counts = (None if all(p.counts is None for p in parts)
                  else np.concatenate([p.item_counts() for p in parts]))
        if is_wide(len(columns)):  # sparse: each part's column indices renumbered
            return Stats(self.metric, tuple(columns), stack([
                _renumbered(p.rows, np.array([position[c] for c in p.columns], dtype=np.int64), len(columns))
                for p in parts]), counts)
        rows = np.zeros((sum(p.rows.shape[0] for p in parts), len(columns)))
        start = 0
        for part in parts:
            size = part.rows.shape[0]
            rows[start:start + size, [position[c] for c in part.columns]] = part.rows
            start += size
        return Stats(self.metric, tuple(columns), rows, counts)

    def canonical(self) -> Stats:
        """Columns in a fixed order (base columns, then sorted), so that statistics made whole
        or merged from shards give the same resamples and so the same intervals."""
        order = sorted(range(len(self.columns)), key=lambda i: (i >= len(BASE_COLUMNS), self.columns[i]))
        if order == list(range(len(self.columns))):
            return self
        columns = tuple(self.columns[i] for i in order)
        if is_sparse(self.rows):
            return Stats(self.metric, columns, _renumbered(self.rows, np.argsort(order), len(order)), self.counts)
        # take, not rows[:, order]: the same copy, about 3x faster on wide tables
        return Stats(self.metric, columns, self.rows.take(order, axis=1), self.counts)


def _renumbered(rows: Any, new_index: np.ndarray, width: int) -> Any:
    """``rows`` with column ``j`` moved to column ``new_index[j]`` of a table ``width`` wide."""
    if not is_sparse(rows):
        rows = canonical_csr(rows)
    out = _sparse().csr_array((rows.data.copy(), new_index[rows.indices], rows.indptr.copy()),
                              shape=(rows.shape[0], width))
    out.sort_indices()  # in place: hence the copies, as ``rows`` keeps its own arrays
    return out


def collapse(rows: Any, counts: np.ndarray | None = None) -> tuple[Any, np.ndarray]:
    """Distinct rows and how many items each stands for (row i standing for ``counts[i]`` items,
    default one), in an order that depends only on their values (see ``distinct_rows``)."""
    unique, inverse, occurs = distinct_rows(rows)
    if counts is None:
        return unique, occurs
    return unique, np.bincount(inverse, weights=counts, minlength=len(occurs)).astype(np.int64)


def distinct_rows(rows: Any) -> tuple[Any, np.ndarray, np.ndarray]:
    """Distinct rows, the index of each row's distinct row, and how often each occurs.

    Rows are grouped by a fixed random projection (one 1-D sort instead of a slow row-wise
    sort); the grouping is then checked exactly, and a projection collision, should one ever
    happen, falls back to an exact grouping. The order of the distinct rows depends only on
    their values, so shards merged in any order and shuffled items resample identically. Sparse
    rows (wide tables, ``statistics.in_layout``) stay sparse unless the distinct ones are few
    enough to score faster dense; the choice depends on the table's shape alone.
    """
    if rows.shape[0] == 0:
        return rows, np.zeros(0, dtype=np.int64), np.zeros(0, dtype=np.int64)
    projection = np.random.default_rng(0x5EED).standard_normal(rows.shape[1])
    # dense: not ``rows @ projection``, as BLAS may sum identical rows in different orders at
    # different positions, and identical rows must get bit-identical keys; CSR's product adds each
    # row's stored values in column order, so equal canonical rows get bit-identical keys
    keys = rows @ projection if is_sparse(rows) else np.add.reduce(rows * projection, axis=1)
    if np.isnan(keys).any():  # NaN keys sort in no fixed order: group exactly
        unique, inverse, counts = _exact_groups(rows)
    else:
        # one sort of the keys; groups of equal keys start where the sorted key changes
        order = np.argsort(keys)
        sorted_keys = keys[order]
        starts = np.empty(len(keys), dtype=bool)
        starts[0] = True
        np.not_equal(sorted_keys[1:], sorted_keys[:-1], out=starts[1:])
        start_at = np.flatnonzero(starts)
        group = np.cumsum(starts) - 1  # of each sorted row
        inverse = np.empty(len(keys), dtype=np.int64)
        inverse[order] = group
        counts = np.diff(np.append(start_at, len(keys)))
        unique = rows[order[start_at]]
        # only rows that share their key with another need checking against their group's first
        repeated = ~starts
        if repeated.any() and not _same_rows(unique[group[repeated]], rows[order[repeated]]):
            unique, inverse, counts = _exact_groups(rows)
    if is_sparse(unique) and unique.shape[0] * unique.shape[1] <= _DENSE_DISTINCT_CELLS:
        unique = unique.toarray()
    return unique, inverse, counts.astype(np.int64)


#: distinct sparse rows are scored dense up to this many cells (32 MB)
_DENSE_DISTINCT_CELLS = 1 << 22


def _same_rows(a: Any, b: Any) -> bool:
    if is_sparse(b):
        return bool(np.array_equal(a.indptr, b.indptr) and np.array_equal(a.indices, b.indices)
                    and np.array_equal(a.data, b.data))
    return bool(np.array_equal(a, b))


def _exact_groups(rows: Any) -> tuple[Any, np.ndarray, np.ndarray]:
    """The exact grouping behind ``distinct_rows`` (only when two projections collide): dense rows
    by ``np.unique(axis=0)``, sparse rows by the bytes of their stored columns and values."""
    if not is_sparse(rows):
        unique, inverse, counts = np.unique(rows, axis=0, return_inverse=True, return_counts=True)
        return unique, inverse.reshape(-1), counts
    keys = [rows.indices[lo:hi].tobytes() + b"|" + rows.data[lo:hi].tobytes()
            for lo, hi in zip(rows.indptr[:-1], rows.indptr[1:])]
    order = sorted(set(keys))
    position = {k: i for i, k in enumerate(order)}
    inverse = np.fromiter(map(position.__getitem__, keys), dtype=np.int64, count=len(keys))
    first = np.unique(inverse, return_index=True)[1]
    return rows[first], inverse, np.bincount(inverse, minlength=len(order))


class Table:
    """Named access to the columns of (distinct) statistics rows."""

    def __init__(self, columns: Sequence[str], rows: Any) -> None:
        self.columns = tuple(columns)
        self.rows = rows
        self._index = {c: i for i, c in enumerate(self.columns)}
        self._weighted: tuple[np.ndarray, Table] | None = None
        self._cache: dict[str, Any] = {}

    @functools.cached_property
    def present(self) -> Table:
        """Sums over the rows themselves, unweighted: which columns occur at all (see ``from_totals``)."""
        return Table(self.columns, np.asarray(self.rows.sum(axis=0)).reshape(-1))

    def totals(self, counts: np.ndarray) -> Table:
        """Column sums with row i counted ``counts[i]`` times; the last one is kept, as the
        full-sample totals are asked for several times (value, statuses, notes, per-label table).
        Every row counted once (a point value of uncollapsed rows) gives ``present``."""
        if self._weighted is None or self._weighted[0] is not counts:
            once = counts.size == self.rows.shape[0] and counts.min(initial=1) == 1 == counts.max(initial=1)
            self._weighted = (counts, self.present if once else
                              Table(self.columns, counts.astype(np.float64) @ self.rows))
        return self._weighted[1]

    def __getitem__(self, name: str) -> np.ndarray:
        index = self._index.get(name)
        return column(self.rows, index) if index is not None else np.zeros(self.rows.shape[:-1])

    def cached(self, key: str, build: Callable[[], Any]) -> Any:
        """``build()``, made once per table: what scoring each resample block of the same rows
        needs and does not change between blocks (Spearman's sort orders)."""
        if key not in self._cache:
            self._cache[key] = build()
        return self._cache[key]

    def with_prefix(self, prefix: str) -> list[str]:
        """The suffixes of the columns named ``prefix:<suffix>`` (e.g. the labels of ``tp:``)."""
        return [c[len(prefix) + 1:] for c in self.columns if c.startswith(prefix + ":")]


def ratio(numerator: np.ndarray, denominator: np.ndarray, zero_division: float) -> np.ndarray:
    """``numerator / denominator`` with ``zero_division`` where the denominator is 0."""
    out = np.full(np.broadcast(numerator, denominator).shape, zero_division, dtype=np.float64)
    np.divide(numerator, denominator, out=out, where=denominator != 0)
    return out
