"""medmetrics' parsers on real model outputs, against hand annotations.

Two sets: ``tests/data/realworld`` (the development set the rules were written against) and
``tests/data/realworld_heldout`` (collected and annotated blind by someone who did not read the
parser, from other groups' releases and other models; the parser was measured on it once blind,
83.6% read as annotated and 1.5% false reads, before the rules its misses showed were added).

The scoring rules live in ``medmetrics.testing.realworld``, which ``benchmarks/bench_realworld.py``
uses too. ``FLOORS`` holds today's figures per kind: the share read as annotated may not fall below
the first number, and the share of false reads may not rise above the second. Raise them as the
parsers improve.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from medmetrics.results import Parsed
from medmetrics.testing import realworld as rw

DATA = Path(__file__).resolve().parent / "data" / "realworld" / "generations.jsonl"
HELDOUT = Path(__file__).resolve().parent / "data" / "realworld_heldout" / "generations.jsonl"

#: kind -> (minimum share read as annotated, maximum share of false reads); today's counts over n.
FLOORS = {
    "mc": (150 / 150, 0 / 150),
    "label": (49 / 49, 0 / 49),
    "score": (68 / 68, 0 / 68),
}


@pytest.fixture(scope="module")
def items() -> list[dict[str, Any]]:
    return rw.load(DATA)


@pytest.fixture(scope="module")
def scored(items: list[dict[str, Any]]) -> tuple[dict[str, rw.Tally], list[Parsed]]:
    return rw.score_medmetrics(items)


def test_fixture_is_the_annotated_set(items: list[dict[str, Any]]) -> None:
    assert len(items) == 267
    assert {rw.kind(item) for item in items} == set(rw.KINDS)
    for item in items:
        assert isinstance(item["generation"], str) and isinstance(item["annotated_answer"], str), item["id"]
        if rw.kind(item) == "mc":
            assert item["options"], item["id"]
        elif rw.kind(item) == "label":
            assert item["labels"], item["id"]
        else:
            assert len(item["score_range"]) == 2, item["id"]


@pytest.mark.parametrize("kind", rw.KINDS)
def test_floors(kind: str, scored: tuple[dict[str, rw.Tally], list[Parsed]]) -> None:
    tallies, _ = scored
    t = tallies[kind]
    min_read, max_false = FLOORS[kind]
    summary = f"{kind}: read as annotated {t.read}/{t.n}, false reads {t.false}, misses {t.miss}"
    assert t.read_share >= min_read - 1e-12, summary
    assert t.false_share <= max_false + 1e-12, summary


def test_every_parse_that_is_not_ok_says_why(
    items: list[dict[str, Any]], scored: tuple[dict[str, rw.Tally], list[Parsed]]
) -> None:
    _, parsed = scored
    silent = [(item["id"], p.status) for item, p in zip(items, parsed) if p.status != "ok" and not p.reason.strip()]
    assert not silent, f"parses that are not ok with an empty reason: {silent}"


@pytest.mark.parametrize(
    ("value", "annotation", "task", "exact", "expected"),
    [
        ("B", "B", "mc_usmle", True, rw.READ),
        ("b ", "B", "mc_usmle", True, rw.READ),
        ("C", "B", "mc_usmle", True, rw.FALSE),
        (None, "B", "mc_usmle", True, rw.MISS),
        (None, "none", "mc_usmle", True, rw.READ),
        ("A", "none", "mc_usmle", True, rw.FALSE),
        ("cpr:4", "CPR:4", "label_chemprot", True, rw.READ),
        (2.5, "2.5", "score_biosses", True, rw.READ),
        ("2.5", "2.5", "score_biosses", True, rw.READ),
        (3, "2.5", "score_biosses", True, rw.FALSE),
        (3, "2.5", "score_biosses", False, rw.READ),  # with rounding: 2.5 rounds half up
        (2, "2.5", "score_biosses", False, rw.FALSE),
        ("four", "4", "score_biosses", True, rw.FALSE),
        (float("inf"), "4", "score_biosses", False, rw.FALSE),
    ],
)
def test_outcome_rules(value: Any, annotation: str, task: str, exact: bool, expected: str) -> None:
    item = {"task": task, "annotated_answer": annotation}
    assert rw.outcome(value, item, exact_numbers=exact) == expected


#: The held-out set: multiple choice only (134 generations, 17 models, 7 sources).
HELDOUT_FLOORS = {"mc": (127 / 134, 1 / 134)}


def test_heldout_floors() -> None:
    items = rw.load(HELDOUT)
    assert len(items) == 134 and {rw.kind(item) for item in items} == {"mc"}
    tallies, parsed = rw.score_medmetrics(items)
    t = tallies["mc"]
    min_read, max_false = HELDOUT_FLOORS["mc"]
    summary = f"held-out mc: read as annotated {t.read}/{t.n}, false reads {t.false}, misses {t.miss}"
    assert t.read_share >= min_read - 1e-12, summary
    assert t.false_share <= max_false + 1e-12, summary
    assert all(p.reason for p in parsed if p.status != "ok")
