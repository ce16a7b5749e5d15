"""BioMistral-NLU compat (uw-bionlp/BioMistral-NLU ``evaluation.py``): the inference-time clean-up
of line 499 in full, and STS read on each item's own options (issue #12, item 2)."""

from __future__ import annotations

import math

import pytest
from scipy.stats import pearsonr

from medmetrics.api import get_task
from medmetrics.inputs.run import TaskRun
from medmetrics.metrics.compat import get_profile
from medmetrics.metrics.compat.base import EvaluatorCrash
from medmetrics.metrics.compat.biomistral_nlu import EventSpans, PicoTokens, clean, sts_pearson

PROFILE = get_profile("biomistral_nlu")
HEADER = "<|start_header_id|>assistant<|end_header_id|>\n\n"


@pytest.mark.parametrize(("text", "cleaned"), [  # what the script's line 499 makes of each (checked side by side)
    (HEADER + "Disease: fever", "Disease: fever"),
    ("<|start_header_id|>user<|end_header_id|>\nprotein: IL-2 [SEP] p53<|end_header_id|>",
     "user\nprotein: IL-2 ... p53"),
    ("<|assistant|>\nphysician assistant [SEP] x", "physician  ... x"),  # 'assistant' deleted inside the answer
    ("<|start_header_id|><|start_header_id|>assistant<|end_header_id|><|end_header_id|> y", "y"),
    ("", ""),
])
def test_clean_is_line_499(text: str, cleaned: str) -> None:
    assert clean(text) == cleaned


def test_llama3_header_no_longer_adds_a_line_that_changes_the_pairing() -> None:
    """jnlpba: with the header markers kept, the generation had one line more than the gold, so its
    lines went to the gold lines by type prefix (both right); cleaned in full, the line counts
    agree and lines pair by position with the predicted type ignored (both wrong), as in the script."""
    gold = "DNA: kappa B site\nprotein: IL-2"
    generation = HEADER.replace("\n\n", "\n") + "protein: IL-2\nDNA: kappa B site"
    assert clean(generation) == "protein: IL-2\nDNA: kappa B site"
    assert EventSpans().compute([generation], [gold]).value == 0.0
    half_cleaned = generation.replace("assistant", "")  # the old partial clean-up left the markers
    assert EventSpans().compute([half_cleaned.replace("<|start_header_id|><|end_header_id|>", "x")], [gold]).value \
        == 1.0  # a third line: paired by type prefix
    # through the suite, the gold is written with a line per JNLPBA type (DNA, RNA, cell line, cell type, protein)
    lines = ["protein: IL-2", "RNA: None", "cell line: None", "cell type: None", "DNA: kappa B site"]
    reordered, in_order = HEADER + "\n".join(lines), HEADER + "\n".join([lines[4], *lines[1:4], lines[0]])
    mentions = [{"type": "DNA", "text": "kappa B site"}, {"type": "protein", "text": "IL-2"}]
    result = PROFILE.scorer(get_task("jnlpba"), TaskRun("jnlpba", [reordered, in_order], [mentions, mentions]))
    assert result.components["recall"] == pytest.approx(2 / 4)  # the reordered item scores 0, the other 2 of 2


def test_sts_reads_each_items_own_options() -> None:
    """``evaluate_pearson_correlation`` splits ``dic['options']`` per item: "(A)" is that item's first option."""
    generations = ["(A)", "(B)", "(C) 3", "(A)"]
    gold = ["(A) 5", "(B) 4", "(C) 3", "(F) 0"]
    own = [["5", "4", "3", "2", "1", "0"], "5[SEP]4[SEP]3[SEP]2[SEP]1[SEP]0", None, ["0", "1", "2", "3", "4", "5"]]
    predicted, gold_values = sts_pearson(generations, gold, own)
    assert (predicted, gold_values) == ([5, 4, 2, 0], [5, 4, 2, 5])
    task = get_task("biosses")
    contexts = [{"options": o} if o is not None else {} for o in own]
    result = PROFILE.scorer(task, TaskRun("biosses", generations, gold, context=contexts))
    assert result.value == pytest.approx(pearsonr(gold_values, predicted)[0])


def test_sts_option_that_is_not_an_integer_crashes_the_script() -> None:
    with pytest.raises(EvaluatorCrash, match="int"):
        sts_pearson(["(A)"], ["(B) high"], [["low", "high"]])
    task = get_task("biosses")
    result = PROFILE.scorer(task, TaskRun("biosses", ["(A)", "(B)"], ["(A) low", "(B) high"],
                                          context=[{"options": ["low", "high"]}] * 2))
    assert math.isnan(result.value) and "ValueError" in result.notes[0]


# --- side by side with evaluation.py (benchmarks/side_by_side/biomistral_nlu.py) -------------------
# Expected values below are worked out by hand from what the released script does on these inputs.


def test_a_one_type_gold_is_read_against_the_whole_generation() -> None:
    """A one-line gold (BC5-chem, BC2GM, ...) is not paired line by line: everything after the
    generation's first colon is split on '...', newlines included. One span per line is one
    wrong span; prose with a colon before the answer makes its first span wrong."""
    gold = "Chemical: aspirin...heparin"
    one_per_line = EventSpans().compute(["Chemical: aspirin\nChemical: heparin"], [gold])
    assert one_per_line.value == 0.0 and one_per_line.components["precision"] == 0.0  # 0 of 1 predicted
    prose = EventSpans().compute(["Here are the chemicals:\nChemical: aspirin...heparin"], [gold])
    assert prose.value == pytest.approx(0.5)  # spans "Chemical: aspirin" (wrong) and "heparin" (right)
    assert EventSpans().compute(["Chemical: aspirin...heparin"], [gold]).value == 1.0


def test_only_the_opening_brace_is_removed_before_spans_are_compared() -> None:
    """'{heparin' matches 'heparin'; '{aspirin}' keeps its '}' and matches nothing."""
    result = EventSpans().compute(["Chemical: {aspirin}...{heparin"], ["Chemical: aspirin...heparin"])
    assert result.value == pytest.approx(0.5)  # 1 of 2 predicted, 1 of 2 gold


def test_pico_line_with_more_than_20_spans_is_deduplicated() -> None:
    """A repetition loop past 20 spans counts once (a set); 20 repeats still count 20 times."""
    gold = "Participants: adults\nInterventions: None\nOutcomes: pain"
    looped = "Participants: adults\nInterventions: None\nOutcomes: " + "...".join(["pain"] * 21)
    assert PicoTokens().compute([looped], [gold]).value == 1.0
    twenty = "Participants: adults\nInterventions: None\nOutcomes: " + "...".join(["pain"] * 20)
    assert PicoTokens().compute([twenty], [gold]).value == pytest.approx(4 / 23)  # P = 2/21, R = 1
    assert "dedup-over-20" in PROFILE.known_bugs("ebm_pico")
