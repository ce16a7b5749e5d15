"""The entity parsers (``bio``, ``labeled_spans``, ``brackets``, ``entity_list``) and grounding."""

from __future__ import annotations

from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import medmetrics
from medmetrics.testing.conformance import check_parsed
from medmetrics.testing.entity_styles import (
    bio_generations,
    bracket_generations,
    entity_list_generations,
    labeled_span_generations,
    relation_generations,
)

ROUND_TRIPS = {
    "entity_list": entity_list_generations(),
    "labeled_spans": labeled_span_generations(),
    "brackets": bracket_generations(),
    "brackets (relations)": relation_generations(),
    "bio": bio_generations(),
}


@pytest.mark.parametrize("style", sorted(ROUND_TRIPS))
def test_render_parse_round_trip(style: str) -> None:
    parser = medmetrics.get_parser(style.split()[0])

    @settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.too_slow])
    @given(ROUND_TRIPS[style])
    def round_trip(case: tuple[str, dict[str, Any], Any]) -> None:
        generation, context, expected = case
        parsed = parser.parse(generation, **context)
        check_parsed(parsed, parser, generation)
        assert parsed.value == expected, f"{generation!r}\n{parsed}"

    round_trip()
