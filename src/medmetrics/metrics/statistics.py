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
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np

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
    explicit zeros, so equal tables have equal ``indptr``/``indices``/``data``."""
    out = _sparse().csr_array(rows, dtype=np.float64)
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


def cell_table(n: int, width: int, items: np.ndarray, columns: np.ndarray,
               values: np.ndarray | None = None) -> Any:
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
    """

    metric: str
    columns: tuple[str, ...]
    rows: Any  # (items, columns): a numpy array, or a canonical CSR array when wide (``in_layout``)

    def __post_init__(self) -> None:
        object.__setattr__(self, "rows", in_layout(self.rows))

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
        if is_wide(len(columns)):  # sparse: each part's column indices renumbered
            return Stats(self.metric, tuple(columns), stack([
                _renumbered(p.rows, np.array([position[c] for c in p.columns], dtype=np.int64), len(columns))
                for p in parts]))
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
        columns = tuple(self.columns[i] for i in order)
        if is_sparse(self.rows):
            return Stats(self.metric, columns, _renumbered(self.rows, np.argsort(order), len(order)))
        # take, not rows[:, order]: the same copy, about 3x faster on wide tables
        return Stats(self.metric, columns, self.rows.take(order, axis=1))


def _renumbered(rows: Any, new_index: np.ndarray, width: int) -> Any:
    """``rows`` with column ``j`` moved to column ``new_index[j]`` of a table ``width`` wide."""
    if not is_sparse(rows):
        rows = canonical_csr(rows)
    out = _sparse().csr_array((rows.data, new_index[rows.indices], rows.indptr), shape=(rows.shape[0], width))
    out.sort_indices()
    return out


class Table:
    """Named access to the columns of (distinct) statistics rows."""

    def __init__(self, columns: Sequence[str], rows: Any) -> None:
        self.columns = tuple(columns)
        self.rows = rows
        self._index = {c: i for i, c in enumerate(self.columns)}
        self._weighted: tuple[np.ndarray, Table] | None = None

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

    def with_prefix(self, prefix: str) -> list[str]:
        """The suffixes of the columns named ``prefix:<suffix>`` (e.g. the labels of ``tp:``)."""
        return [c[len(prefix) + 1:] for c in self.columns if c.startswith(prefix + ":")]


def ratio(numerator: np.ndarray, denominator: np.ndarray, zero_division: float) -> np.ndarray:
    """``numerator / denominator`` with ``zero_division`` where the denominator is 0."""
    out = np.full(np.broadcast(numerator, denominator).shape, zero_division, dtype=np.float64)
    np.divide(numerator, denominator, out=out, where=denominator != 0)
    return out
