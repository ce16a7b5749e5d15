"""Chat-template tokens left in a generation (decoded without skipping special tokens) are never
part of an answer: every parser reads past them (BioMistral-NLU's evaluator strips the same
tokens before scoring, so a default score that kept them would differ from it for no reason)."""

from __future__ import annotations

import pytest

from medmetrics import get_parser
from medmetrics.parsing.text import mask_template_tokens, prepare

HEADER = "<|start_header_id|>assistant<|end_header_id|>"


@pytest.mark.parametrize("generation, value", [
    ("Chemical: aspirin...heparin<|eot_id|>", ["aspirin", "heparin"]),
    ("Chemical: None<|eot_id|>", []),
    ("Chemical: aspirin</s>", ["aspirin"]),
    (HEADER + "\n\nChemical: cisplatin<|eot_id|>", ["cisplatin"]),
    ("<|im_start|>assistant\nChemical: aspirin<|im_end|>", ["aspirin"]),
])
def test_ner_lines_read_past_template_tokens(generation: str, value: list[str]) -> None:
    parsed = get_parser("labeled_spans", types=["Chemical"]).parse(generation)
    assert parsed.status == "ok"
    assert [m["text"] for m in parsed.value] == value


@pytest.mark.parametrize("generation", ["no</s>", "(B) no</s>", "(B) no<|eot_id|>", "[INST] x [/INST] no",
                                        "<start_of_turn>model\nno<end_of_turn>"])
def test_labels_read_past_template_tokens(generation: str) -> None:
    parsed = get_parser("label", labels=["yes", "no", "maybe"]).parse(generation)
    assert (parsed.status, parsed.value) == ("ok", "no")


def test_masking_keeps_offsets_and_what_is_not_a_template_token() -> None:
    text = HEADER + "Answer: <b>B</b> [SEP] <s>"
    masked = mask_template_tokens(text)
    assert len(masked) == len(text)
    assert masked.strip() == "Answer: <b>B</b> [SEP]"  # HTML and [SEP] are not template tokens
    assert prepare("</s><|eot_id|>") == ("              ", "only reasoning, decoration or template tokens, no answer")
