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


# --- never raises, and stays linear on long inputs -------------------------------------------

ENTITYISH = st.lists(st.sampled_from([
    "[", "]", "[B-Disease]", "[O]", "/B-Chemical", "\tI-Disease", "Disease:", "None", "...", ",", ", ", ";", "\n",
    "- ", "**", "Answer:", "Entities:", "fever", "1,2-dichloroethane", "There are no", "<think>", "</think>", "```",
    "Theme:", "MESH:D003920", "Explanation:", " ",
]), max_size=60).map("".join)
CONTEXTS = [
    ("bio", {}), ("bio", {"tokens": ["fever", "and", "rash"], "types": ["Disease"]}),
    ("labeled_spans", {"types": ["Disease", "Chemical"], "source": "fever and 1,2-dichloroethane"}),
    ("labeled_spans", {}),
    ("brackets", {"kind": "typed_entities", "source": "fever, fever"}), ("brackets", {"kind": "ids"}),
    ("brackets", {"kind": "relations", "relations": ["causes"]}), ("brackets", {"kind": "events"}),
    ("entity_list", {"source": "7 , 22 - diene and fever"}),
]


@pytest.mark.parametrize(("name", "context"), CONTEXTS, ids=[f"{n}-{i}" for i, (n, _) in enumerate(CONTEXTS)])
def test_never_raises(name: str, context: dict[str, Any]) -> None:
    parser = medmetrics.get_parser(name)

    @settings(max_examples=150, deadline=None, suppress_health_check=list(HealthCheck))
    @given(st.text() | ENTITYISH)
    def search(generation: str) -> None:
        check_parsed(parser.parse(generation, **context), parser, generation)

    search()


LONG = ["[" * 20000, "]" * 20000, "fever [B] " * 3000, "a/B-X " * 3000, "w\tO\n" * 5000, "Disease: " * 4000,
        "fever, " * 5000, "x" * 50000, "Answer: " * 3000, "[a, b, " * 3000, "The entities are " * 2000,
        "Disease: " + "fever..." * 5000, "- fever\n" * 5000]


@pytest.mark.parametrize(("name", "context"), CONTEXTS, ids=[f"{n}-{i}" for i, (n, _) in enumerate(CONTEXTS)])
def test_long_inputs_parse(name: str, context: dict[str, Any]) -> None:
    """Pathological lengths finish (no catastrophic backtracking) and keep the contract."""
    parser = medmetrics.get_parser(name)
    for generation in LONG:
        check_parsed(parser.parse(generation, **context), parser, generation)


# --- grounding --------------------------------------------------------------------------------

SOURCE = "Fever and  rash; later FEVER again, with 1,2-dichloroethane and 7 , 22 - diene."


def _parse(name: str, generation: str, **context: Any) -> Any:
    return medmetrics.get_parser(name).parse(generation, **context)


def test_repeated_mentions_take_successive_occurrences() -> None:
    parsed = _parse("entity_list", "fever, rash, fever", source=SOURCE)
    assert [(m["start"], m["end"]) for m in parsed.value] == [(0, 5), (11, 15), (23, 28)]
    assert [SOURCE[m["start"]:m["end"]] for m in parsed.value] == ["Fever", "rash", "FEVER"]
    assert parsed.status == "ok"


def test_case_and_white_space_differences_point_at_the_source() -> None:
    parsed = _parse("entity_list", "fever   AND rash", source=SOURCE)
    assert [(m["start"], m["end"]) for m in parsed.value] == [(0, 15)]
    assert _parse("entity_list", "7,22-diene", source=SOURCE).value[0]["start"] == SOURCE.index("7 , 22")


def test_ungrounded_mentions_are_kept_and_counted() -> None:
    parsed = _parse("entity_list", "fever, fever, fever, lupus", source=SOURCE)
    assert [m["start"] is None for m in parsed.value] == [False, False, True, True]
    assert parsed.status == "partial" and "2 of 4 mentions not found" in parsed.reason


def test_whole_words_before_matches_inside_words() -> None:
    parsed = _parse("entity_list", "rash", source="thrash and rash")
    assert (parsed.value[0]["start"], parsed.value[0]["end"]) == (11, 15)


def test_commas_in_chemical_names() -> None:
    assert [m["text"] for m in _parse("entity_list", "1,2-dichloroethane, benzene").value] == [
        "1,2-dichloroethane", "benzene"]
    # pre-tokenized source: the pieces form one name there, so they are joined back
    assert [m["text"] for m in _parse("entity_list", "7 , 22 - diene, fever", source=SOURCE).value] == [
        "7 , 22 - diene", "fever"]
    # a natural list in the source stays a list
    assert [m["text"] for m in _parse("entity_list", "Fever, rash", source="Fever, rash and cough").value] == [
        "Fever", "rash"]


# --- the list styles --------------------------------------------------------------------------


@pytest.mark.parametrize("generation", ["None", "none.", "N/A", "[]", "No entities found.",
                                        "There are no chemical entities mentioned in the text.",
                                        "There is no related enetity.", "Answer: None"])
def test_no_entity_sentinels(generation: str) -> None:
    for name in ("entity_list", "brackets"):
        parsed = _parse(name, generation)
        assert (parsed.value, parsed.status) == ([], "ok"), (name, parsed)


def test_labeled_spans_keeps_the_last_character_and_matches_types_leniently() -> None:
    parsed = _parse("labeled_spans", "DISEASES: fever...rash\nchemical: aspirin\nGene: None.",
                    types=["Disease", "Chemical", "Gene"])
    assert [(m["type"], m["text"]) for m in parsed.value] == [
        ("Disease", "fever"), ("Disease", "rash"), ("Chemical", "aspirin")]
    assert parsed.status == "ok"


def test_labeled_spans_reports_undeclared_types() -> None:
    parsed = _parse("labeled_spans", "Disease: fever\nProtein: IL-6", types=["Disease"])
    assert [(m["type"], m["text"]) for m in parsed.value] == [("Disease", "fever"), ("Protein", "IL-6")]
    assert parsed.status == "partial" and "'Protein'" in parsed.reason


def test_brackets_nested_unbalanced_and_kinds() -> None:
    parsed = _parse("brackets", "[[3H]thymidine] ] [[fever]] [rash")
    assert [m["text"] for m in parsed.value] == ["[3H]thymidine", "fever"]
    assert parsed.status == "partial" and "unclosed" in parsed.reason
    ids = _parse("brackets", "[diabetes mellitus, MESH:D003920]", kind="ids")
    assert ids.value == [{"text": "diabetes mellitus", "id": "MESH:D003920"}]
    relation = _parse("brackets", "[1, 2-dichloroethane, causes, fever]", kind="relations", relations=["causes"])
    assert relation.value == [{"head": "1, 2-dichloroethane", "relation": "causes", "tail": "fever"}]
    event = _parse("brackets", "[Phosphorylation, phosphorylates, Theme: p53, Site: Ser15]", kind="events",
                   types=["Phosphorylation"])
    assert event.value == [{"trigger": "phosphorylates", "type": "Phosphorylation",
                            "arguments": [{"role": "Theme", "text": "p53"}, {"role": "Site", "text": "Ser15"}]}]


def test_brackets_entities_read_a_declared_type_after_the_last_comma() -> None:
    types = ["Chemical", "Disease"]
    parsed = _parse("brackets", "[aspirin, Chemical] [Reye syndrome, diseases] [fever]", types=types)
    assert [(m["type"], m["text"]) for m in parsed.value] == [
        ("Chemical", "aspirin"), ("Disease", "Reye syndrome"), (None, "fever")]
    assert (parsed.status, parsed.rule) == ("ok", "brackets")
    # a part that is not a declared type is part of the name, as without types
    for group, text in [("[1,2-dichloroethane]", "1,2-dichloroethane"), ("[aspirin, Symptom]", "aspirin, Symptom"),
                        ("[2, 4-D]", "2, 4-D"), ("[, Chemical]", "Chemical")]:
        parsed = _parse("brackets", group, types=types)
        assert [(m["type"], m["text"]) for m in parsed.value] == [(None, text)], group
    assert [m["text"] for m in _parse("brackets", "[aspirin, Chemical]").value] == ["aspirin, Chemical"]
    grounded = _parse("brackets", "[aspirin, Chemical]", types=types, source="Aspirin was given.")
    assert grounded.value == [{"type": "Chemical", "text": "aspirin", "start": 0, "end": 7}]
    assert grounded.status == "ok"


# --- bio alignment ----------------------------------------------------------------------------

TOKENS = ["Patients", "with", "type", "2", "diabetes", "and", "IL", "-", "2", "deficiency", "had", "fever", "."]
GOLD = ["O", "O", "B-Disease", "I-Disease", "I-Disease", "O", "B-Disease", "I-Disease", "I-Disease", "I-Disease",
        "O", "B-Disease", "O"]


@pytest.mark.parametrize(("generation", "aligned"), [
    # every word, in MedINST's style
    (" ".join(f"{w} [{t}]" for w, t in zip(TOKENS, GOLD)), 13),
    # "with" dropped: the later tags do not shift
    ("Patients [O] type [B-Disease] 2 [I-Disease] diabetes [I-Disease] and [O] IL [B-Disease] - [I-Disease] "
     "2 [I-Disease] deficiency [I-Disease] had [O] fever [B-Disease] . [O]", 12),
    # "IL - 2" merged into one word, re-cased words, an added word
    ("patients/O with/O Type/B-disease 2/I-Disease diabetes/I-Disease and/O IL-2/B-Disease deficiency/I-Disease "
     "had/O a/O fever/B-Disease ./O", 13),
])
def test_bio_alignment(generation: str, aligned: int) -> None:
    parsed = _parse("bio", generation, tokens=TOKENS, types=["Disease"])
    assert parsed.value == GOLD
    assert parsed.status == ("ok" if aligned == len(TOKENS) else "partial")
    if aligned < len(TOKENS):
        assert f"aligned {aligned} of {len(TOKENS)}" in parsed.reason


def test_bio_split_word_continues_its_tag() -> None:
    parsed = _parse("bio", "heart [B-Disease] failure [I-Disease]", tokens=["heart", "fail", "ure"])
    assert parsed.value == ["B-Disease", "I-Disease", "I-Disease"]


def test_bio_columns_untyped_and_without_tokens() -> None:
    parsed = _parse("bio", "Tagged:\nfever\tB\nand O\nrash\tB\n\nExplanation: two diseases.")
    assert (parsed.value, parsed.rule) == (["B", "O", "B"], "columns")
    assert _parse("bio", "fever [b-disease] [I]").value == ["B-disease"]
    assert _parse("bio", "The tags are unclear.").status == "failed"
