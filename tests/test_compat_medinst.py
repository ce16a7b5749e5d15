"""The ``medinst`` compat profile on minimal examples of what MedINST's released evaluator does
(aialt/MedINST ``evaluation.py`` @dc13b2b), each expected value worked out by hand.

``benchmarks/side_by_side/medinst.py`` sets the profile beside the script itself on a few
thousand generations; these pin the behaviours found there one by one."""

from __future__ import annotations

from typing import Any

import pytest

from medmetrics.inputs.run import TaskRun
from medmetrics.metrics.compat import get_profile
from medmetrics.plugins import load_catalog


def _compat(task: str, generations: list[str], references: list[Any], context: Any = None) -> float:
    """The profile's number for ``task`` on a run with this (structured or paper) gold."""
    catalog = load_catalog(entry_points=False, strict=True)
    result = get_profile("medinst").scorer(catalog.tasks.get(task).obj,
                                          TaskRun(task, generations, references, context))
    assert result is not None
    return float(result.value)


def test_hoc_splits_the_raw_answer_and_scores_empty_against_empty_1() -> None:
    # "" split at ", " is [""] on both sides: one label, matched, F1 1 (not 0 as for bracketed
    # entities); "(E) ..." is not the label; "b." is not "b": P = R = 1/2, F1 1/2
    value = _compat("medinst_hoc", ["", "(E) inducing angiogenesis",
                                    "cellular energetics, resisting cell death."],
                    [[], ["E"], ["I", "C"]])
    assert value == pytest.approx((1 + 0 + 0.5) / 3, abs=1e-12)
    assert get_profile("medinst").known_bugs("medinst_hoc") == ("comma-split-labels",)


def test_bracketed_entities_score_empty_against_empty_0() -> None:
    # gold nothing, answer nothing: 0; "[Fever.]" normalizes to the gold's "fever": 1
    value = _compat("anem", ["", "[Fever.]"], [[], [{"type": None, "text": "fever"}]])
    assert value == pytest.approx(0.5, abs=1e-12)


@pytest.mark.parametrize(("generation", "expected"), [
    ("[[3H]thymidine] [rash]", 1.0),  # the outer group keeps the inner brackets, as the gold's does
    ("fever] [rash]", 2 / 3),  # text before a stray "]" is no group: P 1, R 1/2
    ("[fever [rash]", 0.0),  # an unclosed "[" swallows the rest and is dropped
])
def test_the_outermost_brackets_are_read(generation: str, expected: float) -> None:
    gold = [{"type": None, "text": "[3H]thymidine"}, {"type": None, "text": "rash"}]
    if "fever" in generation:
        gold = [{"type": None, "text": "fever"}, {"type": None, "text": "rash"}]
    assert _compat("biored", [generation], [gold]) == pytest.approx(expected, abs=1e-12)


def test_label_f1_is_macro_over_the_gold_labels_only() -> None:
    # normalized answers: yes, maybe, no. Labels: no (F1 1) and yes (P 1, R 1/2: F1 2/3); the
    # answer "maybe" is only a miss, no label of its own with F1 0
    value = _compat("medinst_pubmedqa", ["Yes.", "maybe", "no"], ["yes", "yes", "no"])
    assert value == pytest.approx((1 + 2 / 3) / 2, abs=1e-12)


def test_bio_tags_are_padded_by_position() -> None:
    # item 1 drops its first word: tags I O + pad N against B I O, every position wrong;
    # item 2 right. B: gold 2, predicted 1, hit 1 (2/3); I: gold 1, predicted 1, hit 0 (0);
    # O: gold 2, predicted 2, hit 1 (1/2); N is no gold tag. Macro (2/3 + 0 + 1/2) / 3
    value = _compat("medinst_ncbi_disease", ["b [I] c [O]", "x [O] y [B]"],
                    [["B-Disease", "I-Disease", "O"], ["O", "B"]],
                    [{"tokens": ["a", "b", "c"]}, {"tokens": ["x", "y"]}])
    assert value == pytest.approx(7 / 18, abs=1e-12)


def test_biosses_reads_the_set_of_integers() -> None:
    # "2.2" holds the integers {2}: one, so 2 (error 0); "3.0" holds {3, 0}: penalized, 25;
    # "4" against the gold 1.8, written as MedINST's integer 2: error 4
    value = _compat("medinst_biosses", ["2.2", "3.0", "4"], [2.0, 3, 1.8])
    assert value == pytest.approx((0 + 25 + 4) / 3, abs=1e-12)


def test_medqa_compares_the_answer_with_the_option_text() -> None:
    # the gold letter B is written as its option's text, "Fever": "The fever" is right (the
    # article goes), the letter alone is not, "Fever." is
    options = {"options": ["Rash", "Fever"]}
    value = _compat("medqa", ["The fever", "B", "Fever."], ["B", "B", "B"], [options] * 3)
    assert value == pytest.approx(2 / 3, abs=1e-12)


def test_tests_in_no_type_list_print_rouge_l_with_the_stemmer() -> None:
    """Multi-XScience and ParaMed are in none of evaluation.py's type lists: it prints rouge-score's
    ROUGE-L F with the Porter stemmer, per item, averaged (the peer here, tolerance 1e-12), whose
    tokenizer keeps a-z and 0-9 only, so a Chinese answer scores 0."""
    from rouge_score.rouge_scorer import RougeScorer

    from medmetrics.metrics.compat import get_profile

    answers = ["The patients were treated with aspirin.", "病人发烧。", "Fevers went down"]
    golds = ["The patient was treated with aspirin.", "病人发烧。", "The fever went down."]
    for task in ("multi_xscience", "paramed"):
        value = get_profile("medinst").methods[task].metric().compute(answers, golds).value
        scorer = RougeScorer(["rougeL"], use_stemmer=True)
        expected = sum(scorer.score(g, a)["rougeL"].fmeasure for a, g in zip(answers, golds)) / len(golds)
        assert abs(value - expected) <= 1e-12
        assert scorer.score(golds[1], answers[1])["rougeL"].fmeasure == 0.0  # Chinese scores 0
