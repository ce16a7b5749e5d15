"""Hand-written, real-style generations with the value and status each parser must give.

Every ``tests/regression/*.jsonl`` line is one case:
``{"parser": NAME, "options": {...}, "context": {...}, "generation": STR,
   "expected": {"value": ..., "status": STATUS}, "note": "why this case matters"}``.
A list value is compared as a list (the ``choices`` parser returns a sorted tuple).
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest

import medmetrics

CASES = []
for path in sorted((Path(__file__).parent / "regression").glob("*.jsonl")):
    for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1):
        if line.strip():
            CASES.append(pytest.param(json.loads(line), id=f"{path.stem}:{number}"))


def test_corpus_is_large_enough() -> None:
    parsers = {case.values[0]["parser"] for case in CASES}
    assert {"choice", "choices", "label", "integer", "number", "bio", "labeled_spans", "brackets",
            "entity_list"} <= parsers
    entity_cases = [case for case in CASES if case.id.startswith("entities:")]  # type: ignore[attr-defined]
    assert len(entity_cases) >= 60
    assert len(CASES) >= 100


@pytest.mark.parametrize("case", CASES)
def test_case(case: dict) -> None:
    parser = medmetrics.get_parser(case["parser"], **case.get("options", {}))
    parsed = parser.parse(case["generation"], **case.get("context", {}))
    got = parsed.to_dict()
    assert (got["value"], got["status"]) == (case["expected"]["value"], case["expected"]["status"]), (
        f"{case.get('note', '')}\n  generation: {case['generation']!r}\n  got: {got}"
    )
    assert parsed.rule != "internal-error", parsed.reason
