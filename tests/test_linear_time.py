"""Every built-in parser is linear in the generation's length, on the shapes that once were not.

Each case times one parse at about 10 KB and at about 100 KB of the same pathological shape (a
repeated anchor, a run of brackets, a list that is also the source, ...) and checks the ratio:
linear work gives about 10, quadratic about 100. A ratio, not a time, so it holds on a busy
machine; the bound (40) leaves room for noise and for CPU caches that a 100 KB input outgrows
(a fast parser's 10 KB time is floored at 1 ms for the same reason). Each timing is the best of
three.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import Any

import pytest

import medmetrics

pytestmark = pytest.mark.slow

LABELS = [f"label{i}" for i in range(500)]
OPTIONS = ["Aspirin", "Aspirin and clopidogrel", "Clopidogrel", "Heparin"]


def _list(n: int) -> str:
    return ", ".join(f"w{i}" for i in range(n // 6))


def _brackets(n: int) -> str:
    return "".join(f"[w{i}, Chemical]" for i in range(n // 14))


def _repeat(unit: str) -> Callable[[int], str]:
    return lambda n: unit * (n // len(unit))


#: (parser, options, shape of the generation at about n characters, context from the generation)
CASES: list[tuple[str, dict[str, Any], Callable[[int], str], Callable[[str], dict[str, Any]]]] = [
    ("choice", {}, _repeat("The answer is "), lambda g: {"options": OPTIONS}),
    ("choice", {}, _repeat("(option A) "), lambda g: {"options": OPTIONS}),
    ("choice", {}, _repeat("'A': "), lambda g: {}),
    ("choice", {}, _repeat('{"answer": {"answer": '), lambda g: {}),
    ("choice", {}, _repeat("Answer: aspirin with "), lambda g: {"options": OPTIONS}),
    ("choices", {}, _repeat("(A), "), lambda g: {"options": OPTIONS}),
    ("label", {"labels": LABELS}, _repeat("("), lambda g: {}),
    ("label", {"labels": LABELS}, _repeat("label1 is not "), lambda g: {}),
    ("label", {"labels": ["entailment", "neutral", "contradiction"]}, _repeat("Entailment: No\n"), lambda g: {}),
    ("number", {"low": 0, "high": 4}, _repeat("Score: "), lambda g: {}),
    ("integer", {"low": 0, "high": 5}, _repeat("4/5 "), lambda g: {}),
    ("labeled_spans", {"types": ["Disease", "Chemical"]}, _repeat("Answer: "), lambda g: {}),
    ("labeled_spans", {"types": ["Disease"]}, lambda n: "Disease: " + _list(n), lambda g: {"source": g}),
    ("entity_list", {}, _list, lambda g: {"source": g}),
    ("entity_list", {}, _repeat("7 , 22 - diene, "), lambda g: {"source": g}),
    ("brackets", {"types": ["Chemical"]}, _brackets, lambda g: {"source": g}),
    ("bio", {}, _repeat("fever [B-Disease] "), lambda g: {}),
    ("text", {}, _repeat("<think> a "), lambda g: {}),
]


def _best(parse: Callable[[], Any]) -> float:
    best = float("inf")
    for _ in range(3):
        start = time.perf_counter()
        parse()
        best = min(best, time.perf_counter() - start)
    return best


@pytest.mark.parametrize(("name", "options", "shape", "context"), CASES,
                         ids=[f"{c[0]}-{i}" for i, c in enumerate(CASES)])
def test_parse_time_grows_linearly(name: str, options: dict[str, Any], shape: Callable[[int], str],
                                   context: Callable[[str], dict[str, Any]]) -> None:
    parser = medmetrics.get_parser(name, **options)
    small, large = shape(10_000), shape(100_000)
    small_context, large_context = context(small), context(large)
    parser.parse(small, **small_context)  # warm the caches that do not grow with the input
    t_small = max(_best(lambda: parser.parse(small, **small_context)), 1e-3)
    t_large = _best(lambda: parser.parse(large, **large_context))
    ratio = t_large / t_small
    assert ratio < 40, f"{name}: {t_small * 1e3:.1f} ms at {len(small)} chars, {t_large * 1e3:.1f} ms at {len(large)}"
