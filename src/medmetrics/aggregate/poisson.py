"""The Poisson bootstrap with weights keyed by item: intervals that do not depend on partitioning.

The multinomial bootstrap (``medmetrics.metrics.resampling``) draws n items with replacement from
the whole sample, so every resample needs every item at once. The Poisson bootstrap gives each
item, in each resample b, an independent weight ``Poisson(1)`` instead: the weighted column sums
of a shard can then be made where the shard is, and the sums of all shards add up to the sums of
the whole. Both bootstraps estimate the same sampling distribution (a multinomial(n, 1/n) count
is Binomial(n, 1/n), which tends to Poisson(1); the Poisson resample size varies around n).

Each item's weights come from its own random stream, keyed by ``(seed, item id)``: numpy's
Philox counter-based generator with a 128-bit key, the BLAKE2b hash of the seed and the id's text.
An item gets the same weights on any worker, in any partition, in any order. Poisson(1) is drawn
by inversion of one 64-bit output per weight (thresholds exact to 2**-64, the largest weight is 20).

The weighted sums are exact: every statistic is split into an integer part and two 30-bit
fixed-point fraction limbs (resolution 2**-60, far below a float's precision for any sum the
metrics make), the weights are integers, and the sums are kept as Python integers. Integers add
in any order to the same value, so the totals, the replicates and the interval are bit-identical
however the items are partitioned and whatever the number of workers. Counts (accuracy, F1,
entity F1, seqeval) have no fraction and are summed exactly as they are.
"""

from __future__ import annotations

import hashlib
from collections.abc import Sequence
from dataclasses import dataclass
from decimal import Decimal, localcontext
from typing import Any

import numpy as np

from medmetrics.errors import InputError
from medmetrics.metrics.resampling import check_resampling, percentile_interval
from medmetrics.metrics.statistics import Stats, Table, is_sparse, with_values
from medmetrics.results import ConfidenceInterval

#: the interval method recorded in ``ConfidenceInterval.method`` (it starts with "bootstrap", so a
#: report holding it still merges with ``Report.merge``, which then makes the multinomial bootstrap)
METHOD = "bootstrap-poisson-percentile"
#: items whose weights are drawn and summed in one block (bounds memory at ~BLOCK x resamples x 9 bytes)
BLOCK = 4096
_FRACTION_BITS = 30
_SCALE = 1 << (2 * _FRACTION_BITS)  # totals are integers in units of 2**-60
_LIMB_SCALES = (_SCALE, 1 << _FRACTION_BITS, 1)  # of hi, lo1, lo2 (see ``_limbs``)
_PERSON = b"medmetrics-pois1"  # the hash's personalization: changes only with the weight scheme
_EXACT = float(2 ** 53)
_INT64_ROOM = 2.0 ** 62


def _thresholds() -> np.ndarray:
    """``T[j-1]``: a 64-bit output ``r`` gives a weight of at least ``j`` exactly when ``r >= T[j-1]``,
    with ``T[j-1] = floor(2**64 * P(Poisson(1) <= j - 1))`` computed to 50 digits."""
    out = []
    with localcontext() as ctx:
        ctx.prec = 50
        term = cdf = Decimal(-1).exp()
        k = 0
        while True:
            threshold = int(cdf * (1 << 64))
            if threshold >= (1 << 64) - 1:
                break
            out.append(threshold)
            k += 1
            term /= k
            cdf += term
    return np.array(out, dtype=np.uint64)


_T = _thresholds()


def item_key(seed: int, item_id: Any) -> np.ndarray:
    """The 128-bit Philox key of an item's weights: BLAKE2b of the seed and the id's text (an id
    is compared as text: 7 and "7" are the same item)."""
    digest = hashlib.blake2b(f"{int(seed)}\x1f{item_id}".encode("utf-8", "surrogatepass"), digest_size=16,
                             person=_PERSON).digest()
    return np.frombuffer(digest, dtype="<u8").astype(np.uint64, copy=False)


class _Streams:
    """One Philox generator re-keyed for each item (setting a key costs a few microseconds;
    building a generator, several times more)."""

    def __init__(self) -> None:
        self.bit_generator = np.random.Philox(key=np.zeros(2, dtype=np.uint64))
        self._zeros = np.zeros(4, dtype=np.uint64)

    def raw(self, key: np.ndarray, count: int) -> np.ndarray:
        self.bit_generator.state = {"bit_generator": "Philox", "state": {"counter": self._zeros, "key": key},
                                    "buffer": self._zeros, "buffer_pos": 4, "has_uint32": 0, "uinteger": 0}
        return self.bit_generator.random_raw(count)


def _poisson_from_raw(raw: np.ndarray) -> np.ndarray:
    """Poisson(1) weights (uint8) from 64-bit outputs, by inversion: most are 0 to 3, found by three
    comparisons; the rest (2%) by a search of the thresholds."""
    weights = (raw >= _T[0]).astype(np.uint8)
    weights += raw >= _T[1]
    weights += raw >= _T[2]
    tail = raw >= _T[3]
    if tail.any():
        weights[tail] = np.searchsorted(_T, raw[tail], side="right")
    return weights


def poisson_weights(ids: Sequence[Any], resamples: int, seed: int) -> np.ndarray:
    """Each item's weight in each resample, ``(len(ids), resamples)``: item ``i``'s row depends only on
    ``(seed, ids[i])``."""
    check_resampling(resamples, seed)
    streams = _Streams()
    raw = np.empty((len(ids), resamples), dtype=np.uint64)
    for i, item_id in enumerate(ids):
        raw[i] = streams.raw(item_key(seed, item_id), resamples)
    return _poisson_from_raw(raw)


def _limbs(rows: Any) -> tuple[Any, Any, Any]:
    """``x = hi + lo1 * 2**-30 + lo2 * 2**-60`` (rounded at 2**-60), each an integer-valued float
    array (sparse rows: sparse arrays of the same pattern); ``x`` must be finite. ``x - floor(x)``
    and the scalings by powers of two are exact."""
    values = rows.data if is_sparse(rows) else rows
    hi = np.floor(values)
    fraction = (values - hi) * float(1 << _FRACTION_BITS)
    lo1 = np.floor(fraction)
    lo2 = np.round((fraction - lo1) * float(1 << _FRACTION_BITS))
    if not is_sparse(rows):
        return hi, lo1, lo2
    return with_values(rows, hi), with_values(rows, lo1), with_values(rows, lo2)


def _exact_product(weights_t: np.ndarray, as_float: np.ndarray, values: Any, largest_weight: int
                   ) -> tuple[np.ndarray, float]:
    """``weights_t @ values`` as int64, exact, and a bound on its entries' size: integer-valued
    floats add exactly below 2**53 in any order, so BLAS (on ``as_float``, the weights as floats)
    is used when every partial sum stays below it, int64 arithmetic otherwise."""
    stored = values.data if is_sparse(values) else values
    bound = float(largest_weight) * values.shape[0] * (float(np.abs(stored).max()) if stored.size else 0.0)
    if bound < _EXACT:
        return np.asarray(as_float @ values).astype(np.int64), bound
    if bound >= _INT64_ROOM:
        raise InputError("a statistic is too large for the exact Poisson-bootstrap sums (over 2**62 per block)")
    return np.asarray(weights_t.astype(np.int64) @ values.astype(np.int64)), bound


def _used_columns(rows: Any) -> np.ndarray:
    """The columns holding a non-zero statistic (the weighted sums of the others are zero)."""
    if is_sparse(rows):
        return np.unique(rows.indices)
    return np.flatnonzero((rows != 0).any(axis=0))


@dataclass(frozen=True)
class PoissonTotals:
    """The Poisson-weighted column sums of some items: ``exact[b, c]`` is the sum over the items of
    weight(item, b) x statistic(item, c), an integer in units of 2**-60 (object array of Python
    ints); ``inexact`` holds the same sums over non-finite statistics (``None`` when there are none).
    Totals of disjoint sets of items add (``+``), whatever the order."""

    columns: tuple[str, ...]
    exact: np.ndarray
    inexact: np.ndarray | None
    n: int
    resamples: int
    seed: int

    def __add__(self, other: PoissonTotals) -> PoissonTotals:
        if (other.resamples, other.seed) != (self.resamples, self.seed):
            raise InputError("Poisson totals made with different resamples or seeds do not add")
        columns = tuple(dict.fromkeys((*self.columns, *other.columns)))
        exact = self._aligned(columns, exact=True) + other._aligned(columns, exact=True)
        inexact = None
        if self.inexact is not None or other.inexact is not None:
            inexact = self._aligned(columns, exact=False) + other._aligned(columns, exact=False)
        return PoissonTotals(columns, exact, inexact, self.n + other.n, self.resamples, self.seed)

    def _aligned(self, columns: Sequence[str], *, exact: bool) -> np.ndarray:
        """The sums in the order of ``columns`` (zero for a column these items never had)."""
        source = self.exact if exact else self.inexact
        out = np.zeros((self.resamples, len(columns)), dtype=object if exact else np.float64)
        if exact:
            out[...] = 0
        return out if source is None else _placed(source, self.columns, columns, out)

    def values(self, columns: Sequence[str]) -> np.ndarray:
        """The sums as floats, ``(resamples, len(columns))``, each correctly rounded from the exact
        integer (only the columns these items have are converted; the others are zero)."""
        own = np.array([int(v) / _SCALE for v in self.exact.ravel()], dtype=np.float64).reshape(self.exact.shape)
        if self.inexact is not None:
            own += self.inexact
        return _placed(own, self.columns, columns, np.zeros((self.resamples, len(columns))))


def _placed(source: np.ndarray, source_columns: Sequence[str], columns: Sequence[str], out: np.ndarray
            ) -> np.ndarray:
    """``out`` with each of ``columns`` that ``source`` has (named ``source_columns``) copied in."""
    position = {c: i for i, c in enumerate(source_columns)}
    where = [(j, position[c]) for j, c in enumerate(columns) if c in position]
    if where:
        to, taken = map(list, zip(*where))
        out[:, to] = source[:, taken]
    return out


def poisson_totals(ids: Sequence[Any], stats: Stats, resamples: int, seed: int, block: int = BLOCK) -> PoissonTotals:
    """The Poisson-weighted sums of ``stats``' rows, row ``i`` being the item ``ids[i]``."""
    check_resampling(resamples, seed)
    if stats.counts is not None:
        raise InputError("the Poisson bootstrap weighs items one by one: give it the statistics of the items, "
                         "not compacted ones")
    if len(ids) != stats.n:
        raise InputError(f"{len(ids)} item ids for {stats.n} rows of statistics")
    used = _used_columns(stats.rows)
    rows = stats.rows[:, used]
    limbs = len(_LIMB_SCALES)
    sums = np.zeros((limbs, resamples, len(used)), dtype=np.int64)  # per limb, while int64 has room
    room = [0.0] * limbs
    exact = np.zeros((resamples, len(used)), dtype=object)
    exact[...] = 0
    inexact: np.ndarray | None = None
    streams = _Streams()
    for start in range(0, stats.n, block):
        part = rows[start:start + block]
        count = part.shape[0]
        raw = np.empty((count, resamples), dtype=np.uint64)
        for k, item_id in enumerate(ids[start:start + block]):
            raw[k] = streams.raw(item_key(seed, item_id), resamples)
        weights = _poisson_from_raw(raw)
        weights_t = weights.T
        as_float = weights_t.astype(np.float64)
        largest = int(weights.max(initial=0))
        part, odd = _split_non_finite(part)
        if odd is not None:
            with np.errstate(invalid="ignore"):
                product = np.asarray(as_float @ odd)
            inexact = product if inexact is None else inexact + product
        for k, limb in enumerate(_limbs(part)):
            product, bound = _exact_product(weights_t, as_float, limb, largest)
            if room[k] + bound >= _INT64_ROOM:  # move the sum so far to Python integers
                exact += sums[k].astype(object) * _LIMB_SCALES[k]
                sums[k] = 0
                room[k] = 0.0
            sums[k] += product
            room[k] += bound
    for k in range(limbs):
        exact += sums[k].astype(object) * _LIMB_SCALES[k]
    columns = tuple(stats.columns[j] for j in used)
    return PoissonTotals(columns, exact, inexact, stats.n, resamples, seed)


def _split_non_finite(part: Any) -> tuple[Any, Any]:
    """``part`` with its non-finite statistics set to 0, and those statistics alone (None if none)."""
    stored = part.data if is_sparse(part) else part
    finite = np.isfinite(stored)
    if finite.all():
        return part, None
    if not is_sparse(part):
        return np.where(finite, part, 0.0), np.where(finite, 0.0, part)
    return with_values(part, np.where(finite, stored, 0.0)), with_values(part, np.where(finite, 0.0, stored))


def poisson_replicates(metric: Any, stats: Stats, totals: PoissonTotals) -> np.ndarray:
    """An additive metric's primary value on each Poisson resample: ``from_totals`` of the summed
    weighted statistics. ``stats`` are those of all the items (merged from every shard): which
    columns exist and ``present`` (the distinct rows' sums) come from them, as in ``Metric.bootstrap``."""
    from medmetrics.metrics.base import AdditiveMetric

    if not isinstance(metric, AdditiveMetric):
        raise InputError(f"metric {metric.name!r} is not additive: it has no Poisson bootstrap")
    if totals.n != stats.n:
        raise InputError(f"Poisson totals of {totals.n} items for statistics of {stats.n}")
    columns, distinct, _ = stats.distinct()
    present = Table(columns, distinct).present
    weighted = Table(columns, totals.values(columns))
    with metric.guarded("score (Poisson bootstrap)"):
        return np.asarray(metric.from_totals(weighted, present)[metric.primary], dtype=np.float64)


def poisson_interval(metric: Any, stats: Stats, totals: PoissonTotals, level: float
                     ) -> tuple[ConfidenceInterval, int, np.ndarray]:
    """The percentile interval of the Poisson bootstrap, how many resamples were undefined (left
    out of it, as the multinomial bootstrap does), and the replicates."""
    if not 0.0 < level < 1.0:
        raise InputError(f"ci level must be between 0 and 1, got {level}")
    replicates = poisson_replicates(metric, stats, totals)
    low, high, undefined = percentile_interval(replicates, level)
    return ConfidenceInterval(low, high, level, METHOD, totals.resamples, totals.seed), undefined, replicates
