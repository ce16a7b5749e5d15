"""Compact statistics: wide tables held sparse, and statistics compacted to distinct rows with
counts; nothing a user sees depends on either.

Compacted statistics (``Stats.compacted``: one row per distinct row, with how many items it
stands for) are what streamed chunks and Dask partitions keep. Scored, merged or resampled, they
give the result of the items one by one exactly, interval included (the bootstrap draws over
distinct rows either way), across every metric family here, counts and continuous scores alike.

Sparse tables:
A table from ``SPARSE_MIN_COLUMNS`` columns on is a canonical CSR array (f1 over many labels,
seqeval/entity_f1/relation_f1 over many types). These tests score the same items with every
table dense and with every table sparse (the threshold moved, by ``layout``), and check:

- point values, components, statuses and per-label tables are equal (exactly: the statistics are
  counts, whose sums are exact in any order; multi-label per-sample fractions within 1e-12);
- under the sparse layout, merged shards still equal the whole, interval included, and the
  statistics survive ``to_dict(stats=True)`` and ``Report.from_dict``;
- the Poisson bootstrap's exact integer sums, hence its interval, are the same in both layouts;
- f1 over 20-80 labels (sparse at the default threshold) equals scikit-learn;
- 10,000 labels on 100,000 items fit in well under 1 GB (it was killed for memory when dense).

The distinct rows of a sparse table are ordered by their own projection keys, so a multinomial
bootstrap interval may differ between the two layouts (each is a valid draw); it never differs
between statistics made whole and merged from shards, as the layout follows the width alone.
"""

from __future__ import annotations

import itertools
import json
import math
import subprocess
import sys
from collections.abc import Callable
from typing import Any

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import medmetrics.metrics.statistics as statistics
from medmetrics.aggregate.poisson import poisson_interval, poisson_totals
from medmetrics.aggregate.significance import compare_systems
from medmetrics.errors import InputError
from medmetrics.metrics.base import Metric
from medmetrics.metrics.classification import F1, Accuracy
from medmetrics.metrics.correlation import Pearson, Spearman
from medmetrics.metrics.entities import EntityF1
from medmetrics.metrics.relations import RelationF1
from medmetrics.metrics.sequence import SeqevalF1
from medmetrics.results import MetricResult, Report
from medmetrics.testing.entity_styles import span_corpora, tag_corpora

SETTINGS = settings(max_examples=30, deadline=None, suppress_health_check=[HealthCheck.too_slow,
                                                                             HealthCheck.function_scoped_fixture])
LABELS = [f"L{k}" for k in range(30)]
TYPES = ["A", "B", "C"]
ENTITIES = ["aspirin", "fever", "rash"]
#: metrics of one column or a few (never sparse): accuracy, and continuous scores (few repeats)
SCALAR: dict[str, Callable[[], Metric]] = {"accuracy": Accuracy, "pearson": Pearson, "spearman": Spearman}
RELATIONS = ["treats", "causes", "false"]


@pytest.fixture
def layout(monkeypatch: pytest.MonkeyPatch) -> Callable[[str], None]:
    """Switch every table built from now on to ``"dense"`` or ``"sparse"``."""
    def use(kind: str) -> None:
        monkeypatch.setattr(statistics, "SPARSE_MIN_COLUMNS", 1 if kind == "sparse" else 10**9)
    return use


def mentions_with_text(draw: st.DrawFn) -> tuple[list[Any], list[Any]]:
    words = st.sampled_from(["fever", "Fever", "rash", "cough", "aspirin"])
    documents = st.lists(st.lists(st.tuples(st.sampled_from(TYPES), words), max_size=5), min_size=1, max_size=6)
    golds = draw(documents)
    preds = [draw(st.none() | st.lists(st.tuples(st.sampled_from([*TYPES, "D"]), words), max_size=5))  # D: undeclared
             for _ in golds]
    return preds, golds


def triples(draw: st.DrawFn) -> list[Any]:
    return draw(st.lists(st.tuples(st.sampled_from(ENTITIES), st.sampled_from(RELATIONS),
                                   st.sampled_from(ENTITIES)), max_size=5))


@st.composite
def cases(draw: st.DrawFn) -> tuple[str, Metric, list[Any], list[Any]]:
    """A metric whose tables grow with labels or types, and items for it."""
    kind = draw(st.sampled_from(["f1", "f1_declared", "f1_samples", "seqeval", "entity_offsets", "entity_text",
                                 "relation", *SCALAR]))
    if kind in SCALAR:
        values = st.integers(0, 5) | st.floats(-100, 100, allow_nan=False, allow_infinity=False)
        golds = draw(st.lists(values if kind != "accuracy" else st.sampled_from("abc"), min_size=1, max_size=40))
        preds = [draw(st.none() | (values if kind != "accuracy" else st.sampled_from("abcd"))) for _ in golds]
        return kind, SCALAR[kind](), preds, golds
    if kind in ("f1", "f1_declared"):
        labels = st.sampled_from(LABELS[:draw(st.integers(1, len(LABELS)))])
        golds = draw(st.lists(labels, min_size=1, max_size=40))
        preds = [draw(st.none() | labels | st.just("other")) for _ in golds]
        metric: Metric = (F1(average=draw(st.sampled_from(["micro", "macro", "weighted"])),
                             zero_division=draw(st.sampled_from([0, 1, math.nan])))
                          if kind == "f1" else F1(average="macro", labels=[*LABELS[:20], "x"], exclude=LABELS[20:]))
        return kind, metric, preds, golds
    if kind == "f1_samples":
        sets = st.frozensets(st.sampled_from(LABELS[:12]), max_size=4)
        golds = draw(st.lists(sets, min_size=1, max_size=30))
        return kind, F1(average="samples"), [draw(st.none() | sets) for _ in golds], golds
    if kind == "seqeval":
        preds, golds = draw(tag_corpora(st.sampled_from(["O", "B-A", "I-A", "B-B", "I-B", "B-C", "I-C", "I-X"])))
        return kind, SeqevalF1(average=draw(st.sampled_from(["micro", "macro", "weighted"]))), preds, golds
    if kind == "entity_offsets":
        preds, golds = draw(span_corpora(TYPES))
        criterion = draw(st.sampled_from(["strict", "exact", "partial", "type"]))
        return kind, EntityF1(criterion=criterion, average="macro"), preds, golds
    if kind == "entity_text":
        preds, golds = mentions_with_text(draw)
        declared = draw(st.none() | st.just(tuple(TYPES)))
        return kind, EntityF1(match="text", average="macro", types=declared), preds, golds
    golds = [triples(draw) for _ in range(draw(st.integers(1, 6)))]
    return kind, RelationF1(exclude="false", average="macro"), [draw(st.none() | st.just(triples(draw)))
                                                                for _ in golds], golds


def same(a: Any, b: Any, tolerance: float) -> bool:
    """Equal JSON-like values, floats within ``tolerance`` (NaN equals NaN)."""
    if isinstance(a, float) or isinstance(b, float):
        return (math.isnan(a) and math.isnan(b)) or abs(a - b) <= tolerance
    if isinstance(a, dict):
        return a.keys() == b.keys() and all(same(a[k], b[k], tolerance) for k in a)
    if isinstance(a, (list, tuple)):
        return len(a) == len(b) and all(same(x, y, tolerance) for x, y in zip(a, b))
    return bool(a == b)


def scored(result: MetricResult) -> dict[str, Any]:
    out = result.to_dict()
    out.pop("ci")
    return out


@SETTINGS
@given(cases())
def test_dense_and_sparse_tables_give_the_same_numbers(layout: Callable[[str], None],
                                                       case: tuple[str, Metric, list[Any], list[Any]]) -> None:
    kind, metric, preds, golds = case
    if kind in SCALAR:
        return  # narrow tables: checked by the compaction tests below
    layout("dense")
    dense = metric.compute(preds, golds)
    assert not statistics.is_sparse(dense.stats.rows)
    layout("sparse")
    sparse = metric.compute(preds, golds)
    assert statistics.is_sparse(sparse.stats.rows)
    assert same(scored(dense), scored(sparse), 1e-12 if kind == "f1_samples" else 0.0)


@SETTINGS
@given(cases(), st.data())
def test_sparse_shards_merge_to_the_whole_interval_included(layout: Callable[[str], None],
                                                            case: tuple[str, Metric, list[Any], list[Any]],
                                                            data: st.DataObject) -> None:
    _, metric, preds, golds = case
    layout("sparse")
    cut = data.draw(st.integers(0, len(golds)))
    parts = [metric.stats(preds[a:b], golds[a:b]) for a, b in ((0, cut), (cut, len(golds))) if b > a]
    merged = parts[0].merge(*parts[1:])
    whole = metric.result(metric.stats(preds, golds), ci=True, resamples=200)
    assert metric.result(merged, ci=True, resamples=200).to_dict() == whole.to_dict()


def test_a_table_takes_its_layout_from_its_width_alone() -> None:
    """Shards narrower than the threshold merge into a sparse table once the columns add up."""
    metric = F1(average="macro")
    width = statistics.SPARSE_MIN_COLUMNS
    labels = [f"L{k}" for k in range(width)]
    cut = width // 4
    half = [metric.stats(labels[:cut], labels[:cut]), metric.stats(labels[cut:], labels[cut:])]
    assert [statistics.is_sparse(p.rows) for p in half] == [False, True]
    merged = half[0].merge(half[1])
    whole = metric.stats(labels, labels)
    assert statistics.is_sparse(merged.rows) and statistics.is_sparse(whole.rows)
    assert metric.result(merged, ci=True).to_dict() == metric.result(whole, ci=True).to_dict()


def test_wide_statistics_round_trip_through_json_as_csr() -> None:
    """Shards written with their statistics (``sparse``: the CSR arrays), read back, merge to the whole."""
    rng = np.random.default_rng(3)
    golds = [f"L{k}" for k in rng.integers(0, 200, 500)]
    preds = [g if rng.random() < 0.7 else f"L{rng.integers(0, 200)}" for g in golds]
    metric = F1(average="macro")
    shards = [Report(results={"f1": metric.compute(preds[:250], golds[:250])}),
              Report(results={"f1": metric.compute(preds[250:], golds[250:])})]
    written = [json.loads(json.dumps(s.to_dict(stats=True))) for s in shards]
    stored = [w["results"]["f1"]["stats"] if "results" in w else w["f1"]["stats"] for w in written]
    assert all("sparse" in s and "rows" not in s for s in stored)
    merged = Report.from_dict(written[0]).merge(Report.from_dict(written[1]))
    assert statistics.is_sparse(merged["f1"].stats.rows)
    assert merged["f1"].to_dict() == metric.compute(preds, golds).to_dict()


@SETTINGS
@given(cases(), st.integers(0, 2**31 - 1))
def test_poisson_sums_are_the_same_in_both_layouts(layout: Callable[[str], None],
                                                   case: tuple[str, Metric, list[Any], list[Any]], seed: int) -> None:
    kind, metric, preds, golds = case
    if kind in ("pearson", "spearman"):
        return  # no Poisson bootstrap for them (Pearson's sums are checked in test_dask)
    ids = [f"item-{i}" for i in range(len(golds))]
    intervals = []
    for kind in ("dense", "sparse"):
        layout(kind)
        stats = metric.stats(preds, golds)
        totals = poisson_totals(ids, stats, 50, seed, block=7)
        intervals.append((dict(zip(totals.columns, totals.exact.T.tolist())),
                          poisson_interval(metric, stats, totals, 0.9)[0]))
    assert intervals[0][0] == intervals[1][0]
    assert same(intervals[0][1].to_dict(), intervals[1][1].to_dict(), 0.0)


def test_paired_tests_read_sparse_tables(layout: Callable[[str], None]) -> None:
    rng = np.random.default_rng(5)
    golds = [f"L{k}" for k in rng.integers(0, 40, 300)]
    a = [g if rng.random() < 0.8 else "L0" for g in golds]
    b = [g if rng.random() < 0.6 else "L1" for g in golds]
    results = {}
    for kind in ("dense", "sparse"):
        layout(kind)
        results[kind] = {method: compare_systems(F1(average="macro"), a, b, golds, method=method, resamples=300)
                         for method in ("paired_bootstrap", "approximate_randomization")}
    for method, dense in results["dense"].items():
        sparse = results["sparse"][method]
        assert (sparse.value_a, sparse.value_b) == (dense.value_a, dense.value_b)
        assert sparse.p_value < 0.01 and dense.p_value < 0.01  # a 20-point gap on 300 items


@settings(max_examples=25, deadline=None)
@given(st.integers(20, 80).flatmap(lambda k: st.tuples(
    st.lists(st.integers(0, k - 1), min_size=1, max_size=300), st.integers(0, 2**31 - 1))),
    st.sampled_from(["micro", "macro", "weighted"]))
def test_f1_over_many_labels_equals_scikit_learn(data: tuple[list[int], int], average: str) -> None:
    """20-80 labels: 66-246 columns, sparse at the default threshold. Tolerance 1e-12."""
    from sklearn.metrics import precision_recall_fscore_support

    golds, seed = data
    rng = np.random.default_rng(seed)
    preds = [g if rng.random() < 0.5 else int(rng.integers(0, max(golds) + 2)) for g in golds]
    result = F1(average=average).compute([str(p) for p in preds], [str(g) for g in golds])
    assert statistics.is_sparse(result.stats.rows) == (3 * len(set(golds) | set(preds)) + 6 >= 64)
    p, r, f, _ = precision_recall_fscore_support(golds, preds, average=average, zero_division=0)
    for ours, theirs in zip((result.components["precision"], result.components["recall"], result.value), (p, r, f)):
        assert abs(ours - theirs) <= 1e-12


MEMORY_CHECK = """
import resource, numpy as np
from medmetrics.metrics.classification import F1, Accuracy
from medmetrics.metrics.correlation import Pearson, Spearman
rng = np.random.default_rng(0)
golds = [f"L{k}" for k in rng.integers(0, 10_000, 100_000)]
preds = [g if rng.random() < 0.5 else f"L{rng.integers(0, 10_000)}" for g in golds]
result = F1(average="macro").compute(preds, golds, ci=True, resamples=200)
assert len(result.per_label) == 10_000, len(result.per_label)
print(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss // 1024)
"""


def test_ten_thousand_labels_on_100k_items_fit_in_under_1_gb() -> None:
    """Peak resident memory of the whole process (Python and numpy included), in its own process."""
    out = subprocess.run([sys.executable, "-c", MEMORY_CHECK], capture_output=True, text=True, check=True)
    assert int(out.stdout.split()[-1]) < 1024, out.stdout


# -- compacted statistics --------------------------------------------------------------------------
@SETTINGS
@given(cases(), st.data(), st.sampled_from(["dense", "sparse"]))
def test_compacted_statistics_score_merge_and_resample_as_the_items(
        layout: Callable[[str], None], case: tuple[str, Metric, list[Any], list[Any]], data: st.DataObject,
        kind: str) -> None:
    _, metric, preds, golds = case
    layout(kind)
    items = metric.stats(preds, golds)
    compact = items.compacted()
    assert compact.n == items.n and compact.rows.shape[0] <= items.rows.shape[0]
    whole = metric.result(items, ci=True, resamples=200)
    assert metric.result(compact, ci=True, resamples=200).to_dict() == whole.to_dict()
    assert metric.result(compact).to_dict() == metric.result(items).to_dict()
    cuts = sorted(data.draw(st.lists(st.integers(0, len(golds)), max_size=3)))
    bounds = [0, *cuts, len(golds)]
    shards = [metric.stats(preds[a:b], golds[a:b]).compacted() for a, b in itertools.pairwise(bounds) if b > a]
    merged = shards[0].merge(*shards[1:])
    assert metric.result(merged, ci=True, resamples=200).to_dict() == whole.to_dict()


def test_compaction_keeps_one_row_per_distinct_row() -> None:
    rng = np.random.default_rng(1)
    golds = list(rng.choice(["yes", "no", "maybe"], 100_000))
    preds = [g if rng.random() < 0.8 else None for g in golds]
    stats = Accuracy().stats(preds, golds)
    compact = stats.compacted()
    assert compact.rows.shape[0] == 2 and compact.n == 100_000  # answered right, and not answered
    assert sorted(compact.counts.tolist()) == sorted(np.unique(stats.rows[:, -1], return_counts=True)[1].tolist())


def test_compacted_statistics_round_trip_through_json_with_their_counts() -> None:
    metric = F1(average="macro")
    golds = ["a", "b", "c", "a"] * 50
    preds = ["a", "c", "c", None] * 50
    shards = [Report(results={"f1": metric.compute(preds[:120], golds[:120])}).compacted(),
              Report(results={"f1": metric.compute(preds[120:], golds[120:])}).compacted()]
    written = [json.loads(json.dumps(s.to_dict(stats=True))) for s in shards]
    merged = Report.from_dict(written[0]).merge(Report.from_dict(written[1]))
    assert merged["f1"].to_dict() == metric.compute(preds, golds).to_dict()
    assert merged["f1"].stats.n == 200 and merged["f1"].stats.rows.shape[0] <= 8


def test_the_poisson_bootstrap_refuses_compacted_statistics() -> None:
    stats = Accuracy().stats(["a", "b"], ["a", "a"]).compacted()
    with pytest.raises(InputError, match="not compacted ones"):
        poisson_totals(["x", "y"], stats, 10, 0)


def test_reordering_and_compacting_leave_the_statistics_as_they_were() -> None:
    """Sorting a CSR array's indices works in place: the reordered copy must not share its arrays."""
    metric = RelationF1(exclude="false")
    golds = [[("aspirin", f"r{k}", "fever")] * 3 + [("fever", "causes", "rash")] for k in range(30)]
    stats = metric.stats([None] * 30, golds)
    assert statistics.is_sparse(stats.rows)
    before = stats.rows.toarray().copy()
    stats.canonical()
    stats.compacted()
    assert np.array_equal(stats.rows.toarray(), before)


# --- distinct_rows: one sort of projected keys, checked exactly --------------------------------


def _exact_distinct(dense: np.ndarray) -> dict[tuple[float, ...], int]:
    unique, counts = np.unique(dense, axis=0, return_counts=True)
    return {tuple(row): int(c) for row, c in zip(unique.tolist(), counts.tolist())}


@settings(max_examples=150, deadline=None)
@given(rows=st.integers(1, 60), width=st.integers(1, 5), values=st.lists(st.sampled_from([0.0, 1.0, 2.0, 0.5, -3.25]),
                                                                       min_size=300, max_size=300),
       seed=st.integers(0, 2**31))
def test_distinct_rows_groups_exactly_in_an_order_set_by_the_values(rows: int, width: int, values: list[float],
                                                                  seed: int) -> None:
    table = np.asarray(values[:rows * width]).reshape(rows, width)
    unique, inverse, counts = statistics.distinct_rows(table)
    assert np.array_equal(unique[inverse], table)  # every row maps to its own distinct row
    assert {tuple(r): int(c) for r, c in zip(unique.tolist(), counts.tolist())} == _exact_distinct(table)
    shuffled = table[np.random.default_rng(seed).permutation(rows)]
    again, _, again_counts = statistics.distinct_rows(shuffled)
    assert np.array_equal(again, unique) and np.array_equal(again_counts, counts)  # the same order, any item order


def test_distinct_rows_falls_back_to_exact_grouping_when_keys_collide(monkeypatch: pytest.MonkeyPatch) -> None:
    """A projection that maps every row to one key (all rows 'collide'): the exact check finds
    the rows differ and groups them exactly, dense and sparse alike."""
    table = np.array([[1.0, 0.0], [0.0, 1.0], [1.0, 0.0], [2.0, 2.0]])

    class Flat:
        def __init__(self, seed: int) -> None:
            pass

        def standard_normal(self, size: int) -> np.ndarray:
            return np.zeros(size)

    monkeypatch.setattr(statistics.np.random, "default_rng", Flat)
    unique, inverse, counts = statistics.distinct_rows(table)
    assert np.array_equal(unique[inverse], table)
    assert {tuple(r): int(c) for r, c in zip(unique.tolist(), counts.tolist())} == _exact_distinct(table)
    sparse = statistics.canonical_csr(table)
    unique, inverse, counts = statistics.distinct_rows(sparse)
    dense_unique = unique.toarray() if statistics.is_sparse(unique) else unique
    assert np.array_equal(dense_unique[inverse], table) and sorted(counts.tolist()) == [1, 1, 2]
