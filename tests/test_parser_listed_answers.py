"""Where the default parsers were weaker than the evaluators they correct (found side by side with
the released evaluators, benchmarks/side_by_side/): an answer that lists every label echoes the
options and conflicts (it read as the first label before: a false read), and BioMistral-NLU's
"[SEP]" joins spans as "..." does."""

from __future__ import annotations

import pytest

from medmetrics import get_parser, get_task


def _parser(task: str):
    definition = get_task(task)
    return get_parser(definition.parser, **dict(definition.parser_options))


@pytest.mark.parametrize("task, generation, listed", [
    ("pubmedqa", "(A) yes (B) no (C) maybe", ("yes", "no", "maybe")),
    ("pubmedqa", "yes, no or maybe", ("yes", "no", "maybe")),
    ("pubmedqa", "Yes, no or maybe?", ("yes", "no", "maybe")),
    ("pubmedqa", "yes/no", ("yes", "no")),
    ("chemprot", "(A) CPR:3 (B) CPR:4 (C) CPR:5 (D) CPR:6 (E) CPR:9 (F) false",
     ("CPR:3", "CPR:4", "CPR:5", "CPR:6", "CPR:9", "false")),
])
def test_an_answer_listing_the_labels_conflicts(task: str, generation: str, listed: tuple[str, ...]) -> None:
    parsed = _parser(task).parse(generation)
    assert parsed.status == "ambiguous" and parsed.rule == "listed"
    assert set(parsed.candidates) == set(listed)


@pytest.mark.parametrize("task, generation, value", [
    ("pubmedqa", "yes, no doubt about it.", "yes"),
    ("pubmedqa", "Yes, no adverse effects were seen.", "yes"),
    ("pubmedqa", "(A) yes", "yes"),
    ("pubmedqa", "yes, yes", "yes"),
    ("pubmedqa", "The options are (A) yes (B) no (C) maybe. The answer is (B) no.", "no"),
])
def test_one_label_with_words_after_it_is_still_read(task: str, generation: str, value: str) -> None:
    parsed = _parser(task).parse(generation)
    assert (parsed.status, parsed.value) == ("ok", value)


@pytest.mark.parametrize("generation, texts", [
    ("Chemical: aspirin[SEP]heparin", ["aspirin", "heparin"]),
    ("Chemical: aspirin [SEP] heparin", ["aspirin", "heparin"]),
    ("Chemical: aspirin...heparin[SEP]cisplatin", ["aspirin", "heparin", "cisplatin"]),
])
def test_sep_joins_spans(generation: str, texts: list[str]) -> None:
    parsed = get_parser("labeled_spans", types=["Chemical"]).parse(generation)
    assert parsed.status == "ok" and [m["text"] for m in parsed.value] == texts
