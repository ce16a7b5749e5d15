"""relation_f1 and ned: against a plain, independent set-based implementation on Hypothesis data.

The reference implementation below builds each document's set of normalized tuples with Python
sets and counts hits, with none of the metric's code; scores agree within 1e-12.
"""

from __future__ import annotations

import math
import re
from collections.abc import Callable
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from medmetrics.errors import InputError
from medmetrics.metrics.relations import Ned, RelationF1
from medmetrics.testing.conformance import check_metric

TOLERANCE = 1e-12
ENTITIES = ["aspirin", "Aspirin", "IL-6", "il6", "TNF-α", "fever "]
RELATIONS = ["treats", "Treats", "causes", "false"]


def norm(text: str) -> str:
    return " ".join(text.casefold().split())


def prf(tp: int, pred: int, true: int) -> tuple[float, float, float]:
    return (tp / pred if pred else 0.0, tp / true if true else 0.0, 2 * tp / (pred + true) if pred + true else 0.0)


def reference_scores(preds: list[Any], golds: list[Any], key: Callable[[tuple], Any]) -> dict[str, Any]:
    """Micro and per-type (first key element) counts from per-document sets."""
    tp = pred = true = 0
    per: dict[str, list[int]] = {}
    for p, g in zip(preds, golds):
        ps = {k for k in (key(t) for t in p or []) if k is not None}
        gs = {k for k in (key(t) for t in g) if k is not None}
        tp, pred, true = tp + len(ps & gs), pred + len(ps), true + len(gs)
        for which, keys in ((0, ps & gs), (1, ps), (2, gs)):
            for k in keys:
                per.setdefault(k[0], [0, 0, 0])[which] += 1
    return {"micro": prf(tp, pred, true), "per": {t: prf(*c) for t, c in per.items()}}


triples = st.lists(st.tuples(st.sampled_from(ENTITIES), st.sampled_from(RELATIONS), st.sampled_from(ENTITIES)),
                   max_size=5)


@st.composite
def relation_corpora(draw: st.DrawFn) -> tuple[list[Any], list[Any]]:
    gold = draw(st.lists(triples, min_size=1, max_size=6))
    pred = [draw(st.none() | triples) for _ in gold]
    return pred, gold


@settings(max_examples=300, deadline=None)
@given(relation_corpora(), st.booleans(), st.booleans())
def test_relation_f1_equals_set_counting(corpus: tuple[list[Any], list[Any]], directed: bool, typed: bool) -> None:
    pred, gold = corpus

    def key(t: tuple) -> Any:
        h, r, tl = (norm(x) for x in t)
        if r == "false":
            return None
        if not directed:
            h, tl = sorted((h, tl))
        return (r, h, tl) if typed else ("*", h, tl)

    theirs = reference_scores(pred, gold, key)
    result = RelationF1(exclude="false", directed=directed, typed=typed, average="macro").compute(pred, gold)
    for name, value in zip(("micro_precision", "micro_recall", "micro_f1"), theirs["micro"]):
        assert abs(result.components[name] - value) <= TOLERANCE, name
    if typed:
        assert set(result.per_label) == set(theirs["per"])
        for t, (_, _, f) in theirs["per"].items():
            assert abs(result.per_label[t]["f1"] - f) <= TOLERANCE
        macro = sum(f for _, _, f in theirs["per"].values()) / len(theirs["per"]) if theirs["per"] else 0.0
        assert abs(result.value - macro) <= TOLERANCE
    else:
        assert result.per_label == {} and result.value == result.components["micro_f1"]


def test_negative_relations_count_on_neither_side() -> None:
    gold = [[("a", "CPR:3", "b"), ("a", "false", "c")]]
    pred = [[("a", "CPR:3", "b"), ("b", "false", "c")]]
    result = RelationF1(exclude=["false"]).compute(pred, gold)
    assert result.value == 1.0
    assert result.components["negative"] == 1 and result.components["negative_reference"] == 1
    assert RelationF1().compute(pred, gold).value == 0.5  # without it, "false" is a relation like any other


def test_declared_types_make_other_predictions_spurious() -> None:
    gold = [[("a", "treats", "b")]]
    pred = [[("a", "treats", "b"), ("a", "cures", "b"), ("a", "cures", "b")]]
    result = RelationF1(types=["treats"]).compute(pred, gold)
    assert result.components["spurious"] == 1 and result.components["precision"] == 0.5
    assert list(result.per_label) == ["treats"]
    with pytest.raises(InputError, match="reference 0 has relation 'cures' outside types"):
        RelationF1(types=["treats"]).compute(gold, pred)


def test_duplicates_count_once_and_are_reported() -> None:
    result = RelationF1().compute([[("a", "r", "b"), ("A", "R", "b"), ("a", "r", "c")]], [[("a", "r", "b")]])
    assert result.components["duplicates"] == 1
    assert result.components["precision"] == 0.5


def test_directed_and_mapping_forms() -> None:
    gold = [[{"head": "a", "relation": "binds", "tail": "b"}]]
    pred = [[("b", "binds", "a")]]
    assert RelationF1().compute(pred, gold).value == 0.0
    assert RelationF1(directed=False).compute(pred, gold).value == 1.0


def test_relation_caller_mistakes() -> None:
    with pytest.raises(InputError, match="prediction 0, entry 0"):
        RelationF1().compute([[("a", "b")]], [[("a", "r", "b")]])
    with pytest.raises(InputError, match="reference 0 is 'a r b'"):
        RelationF1().compute([[]], ["a r b"])
    with pytest.raises(InputError, match="typed=False"):
        RelationF1(types=["r"], typed=False)
    with pytest.raises(InputError, match="directed"):
        RelationF1(directed="yes")


pairs = st.lists(st.tuples(st.sampled_from(["Fever", "fever", "rash", "IL-6"]),
                           st.sampled_from(["MESH:D005334", "mesh:d005334", "D005334", "C0015967", "UMLS:C0015967"])),
                 max_size=4)


@settings(max_examples=300, deadline=None)
@given(st.lists(st.tuples(st.none() | pairs, pairs), min_size=1, max_size=6), st.booleans(), st.booleans(),
       st.booleans())
def test_ned_equals_set_counting(corpus: list[tuple[Any, Any]], ids_only: bool, strip: bool, fold: bool) -> None:
    pred, gold = [p for p, _ in corpus], [g for _, g in corpus]

    def concept(i: str) -> str:
        i = re.sub(r"^[A-Za-z]+:", "", i) if strip else i
        return i.casefold() if fold else i

    theirs = reference_scores(pred, gold, lambda t: ("*", concept(t[1])) if ids_only
                              else ("*", norm(t[0]), concept(t[1])))
    result = Ned(ids_only=ids_only, strip_namespace=strip, casefold=fold).compute(pred, gold)
    for name, value in zip(("precision", "recall", "f1"), theirs["micro"]):
        assert abs(result.components[name] - value) <= TOLERANCE, name


def test_ned_ids() -> None:
    gold = [[{"text": "fever", "id": "MESH:D005334"}]]
    assert Ned().compute([[("Fever", "mesh:d005334")]], gold).value == 1.0
    assert Ned().compute([[("Fever", "D005334")]], gold).value == 0.0
    assert Ned(strip_namespace=True).compute([[("Fever", "D005334")]], gold).value == 1.0
    assert Ned(casefold=False).compute([[("Fever", "mesh:d005334")]], gold).value == 0.0
    assert Ned(ids_only=True).compute([[("pyrexia", "MESH:D005334")]], gold).value == 1.0
    assert Ned(strip_namespace=True).normalize_id(" MESH:D005334 ") == "d005334"


@pytest.mark.parametrize(("metric", "pred", "gold"), [
    (RelationF1(exclude="false", average="macro"),
     [[("a", "treats", "b")], None, [("c", "causes", "d"), ("x", "false", "y")], []],
     [[("a", "treats", "b"), ("a", "causes", "c")], [("c", "causes", "d")], [("c", "causes", "d")], []]),
    (Ned(ids_only=True), [[("a", "D1")], [], None, [("b", "D2"), ("c", "D3")]],
     [[("a", "D1")], [("x", "D9")], [("b", "D2")], [("b", "D2")]]),
])
def test_conformance(metric: Any, pred: list[Any], gold: list[Any]) -> None:
    result = check_metric(metric, pred, gold)
    assert not math.isnan(result.value)
