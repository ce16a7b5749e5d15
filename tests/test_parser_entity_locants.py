"""``entity_list`` without a source keeps a chemical name whole across the commas between its
locants ("7 , 22 - diene", as pre-tokenized corpora write it), which MedS-Bench's evaluator shreds
at ", " (issue #12, item 3); real list commas still split."""

from __future__ import annotations

import pytest

import medmetrics
from medmetrics.metrics.compat.meds_bench import ner_entities


def _texts(generation: str) -> list[str]:
    return [m["text"] for m in medmetrics.get_parser("entity_list").parse(generation).value]


@pytest.mark.parametrize(("generation", "expected"), [
    ("7 , 22 - diene", ["7 , 22 - diene"]),
    ("cholesta - 5 , 7 , 22 - trien - 3beta - ol, ergosterol", ["cholesta - 5 , 7 , 22 - trien - 3beta - ol",
                                                                "ergosterol"]),
    ("2, 3, 7, 8-tetrachlorodibenzo-p-dioxin, dioxin", ["2, 3, 7, 8-tetrachlorodibenzo-p-dioxin", "dioxin"]),
    ("N , N - dimethylformamide, DMSO", ["N , N - dimethylformamide", "DMSO"]),
    ("2', 3'-dideoxycytidine, zidovudine", ["2', 3'-dideoxycytidine", "zidovudine"]),
    ("1,2-dichloroethane, benzene", ["1,2-dichloroethane", "benzene"]),
])
def test_a_comma_between_locants_does_not_split(generation: str, expected: list[str]) -> None:
    assert _texts(generation) == expected


@pytest.mark.parametrize(("generation", "expected"), [
    ("IL-2, IL-4", ["IL-2", "IL-4"]),
    ("IL-6, 1,2-dichloroethane", ["IL-6", "1,2-dichloroethane"]),  # "IL-6" is a name, not a locant
    ("cholesta - 5 , 7 - diene", ["cholesta - 5 , 7 - diene"]),  # pre-tokenized: spaced before the comma
    ("p53, p21, mdm2", ["p53", "p21", "mdm2"]),
    ("type 1, 2 and 3", ["type 1", "2 and 3"]),  # a number not followed by a hyphen or comma: a list
    ("fever, 5, rash", ["fever", "5", "rash"]),
    ("vitamin D3, vitamin B12", ["vitamin D3", "vitamin B12"]),
])
def test_list_commas_still_split(generation: str, expected: list[str]) -> None:
    assert _texts(generation) == expected


def test_meds_bench_ner_default_scores_the_whole_name_where_the_evaluator_shreds_it() -> None:
    gold = [{"type": None, "text": "7 , 22 - diene"}, {"type": None, "text": "ergosterol"}]
    generation = "7 , 22 - diene, ergosterol."
    assert ner_entities(generation) == {"7 ", "22 - diene", "ergostero"}  # the evaluator: split and cut
    result = medmetrics.evaluate("meds_ner", [generation], [gold])
    assert next(iter(result.values())).value == 1.0
