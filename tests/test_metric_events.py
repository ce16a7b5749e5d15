"""event_f1: hand-computed counts, and an independent set-based count on Hypothesis data."""

from __future__ import annotations

from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

import medmetrics
from medmetrics.errors import InputError
from medmetrics.metrics.events import EventF1
from medmetrics.testing.conformance import check_metric


def ev(trigger: str, kind: str, *arguments: tuple[str, str]) -> dict[str, Any]:
    return {"trigger": trigger, "type": kind, "arguments": [{"role": r, "text": t} for r, t in arguments]}


GOLD = [[ev("expression", "Gene_expression", ("Theme", "VEGF")),
         ev("induces", "Positive_regulation", ("Theme", "angiogenesis"), ("Cause", "VEGF"))],
        [ev("binds", "Binding", ("Theme", "p53"), ("Theme2", "MDM2"))]]
PRED = [[ev("Expression", "gene_expression", ("theme", "VEGF")),
         ev("induces", "Regulation", ("Theme", "angiogenesis"), ("Cause", "VEGF")),
         ev("blocks", "Negative_regulation")],
        None]


def test_by_hand() -> None:
    result = EventF1().compute(PRED, GOLD)
    c = result.components
    # triggers: 1 right of 3 predicted, 3 gold; arguments: 1 right (wrong type loses 2) of 3, 5 gold
    assert (c["trigger_precision"], c["trigger_recall"]) == pytest.approx((1 / 3, 1 / 3))
    assert (c["argument_precision"], c["argument_recall"], c["argument_f1"]) == pytest.approx((1 / 3, 1 / 5, 2 / 8))
    assert result.value == c["argument_f1"]
    assert EventF1(level="trigger").compute(PRED, GOLD).value == pytest.approx(2 / 6)
    assert result.n_failed == 1


def test_duplicates_count_once() -> None:
    gold = [[ev("binds", "Binding", ("Theme", "p53"))]]
    result = EventF1().compute([[ev("binds", "Binding", ("Theme", "p53"))] * 2], gold)
    assert result.value == 1.0 and result.components["duplicates"] == 1


def test_reads_what_the_brackets_parser_reads() -> None:
    parser = medmetrics.get_parser("brackets", kind="events")
    parsed = parser.parse("[phosphorylates, Phosphorylation, Theme: p53, Site: Ser15]")
    gold = [[ev("phosphorylates", "Phosphorylation", ("Theme", "p53"), ("Site", "Ser15"))]]
    assert EventF1().compute([parsed], gold).value == 1.0


def test_caller_mistakes() -> None:
    with pytest.raises(InputError, match="level"):
        EventF1(level="event")
    with pytest.raises(InputError, match="reference 0"):
        EventF1().compute([[]], ["[binds, Binding]"])
    with pytest.raises(InputError, match="reference 0, event 0: trigger"):
        EventF1().compute([[]], [[{"type": "Binding"}]])
    with pytest.raises(InputError, match="arguments"):
        EventF1().compute([[]], [[{"type": "Binding", "trigger": "b", "arguments": "Theme: p53"}]])


names = st.sampled_from(["binds", "Binds", "expression", "p53", "P53 ", "VEGF"])
events = st.builds(lambda t, k, a: ev(t, k, *a), names, st.sampled_from(["Binding", "binding", "Regulation"]),
                   st.lists(st.tuples(st.sampled_from(["Theme", "Cause"]), names), max_size=3))
documents = st.lists(events, max_size=4)


def independent_counts(preds: list[Any], golds: list[Any]) -> dict[str, tuple[int, int, int]]:
    def norm(text: str) -> str:
        return " ".join(text.casefold().split())

    def sets(doc: list[Any]) -> tuple[set, set]:
        triggers = {(norm(e["type"]), norm(e["trigger"])) for e in doc}
        arguments = {(norm(e["type"]), norm(e["trigger"]), norm(a["role"]), norm(a["text"]))
                     for e in doc for a in e["arguments"]}
        return triggers, arguments

    out = {"trigger": (0, 0, 0), "argument": (0, 0, 0)}
    for p, g in zip(preds, golds):
        for level, ps, gs in zip(("trigger", "argument"), sets(p or []), sets(g)):
            tp, pred, true = out[level]
            out[level] = (tp + len(ps & gs), pred + len(ps), true + len(gs))
    return out


@given(st.lists(st.tuples(st.none() | documents, documents), min_size=1, max_size=6))
def test_equals_independent_set_counting(corpus: list[tuple[Any, Any]]) -> None:
    preds, golds = [p for p, _ in corpus], [g for _, g in corpus]
    components = EventF1().compute(preds, golds).components
    for level, (tp, pred, true) in independent_counts(preds, golds).items():
        assert components[f"{level}_precision"] == pytest.approx(tp / pred if pred else 0.0, abs=1e-12)
        assert components[f"{level}_recall"] == pytest.approx(tp / true if true else 0.0, abs=1e-12)
        assert components[f"{level}_f1"] == pytest.approx(2 * tp / (pred + true) if pred + true else 0.0, abs=1e-12)


def test_conformance() -> None:
    check_metric(EventF1(), [*PRED, []], [*GOLD, [ev("x", "Binding")]])
