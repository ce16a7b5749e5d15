"""References are normalized once per task, or rejected with one InputError: never a silent 0.0.

Issue #13 items 3-4 and issue #17 item 1: multiple-choice golds given as an index, in lowercase
or as the option's text; label golds in another case; NaN, inf, dicts and bytes as labels;
``normalized_match`` on non-text predictions; ``compare`` on raw generations.
"""

from __future__ import annotations

import json
import math
from pathlib import Path

import pytest

import medmetrics
from medmetrics import InputError
from medmetrics.aggregate.lm_eval_task import LmEvalTask
from medmetrics.inputs.adapters import Fields, load_run
from medmetrics.parsing.references import normalize_references

OPTIONS = {"options": ["Fever", "Rash", "Cough", "Joint pain"]}
GENERATIONS = ["Answer: B", "The answer is (C) Cough.", "A", "**D**"]  # read as B, C, A, D
LETTERS = ["B", "C", "A", "D"]


def _medqa(references: list, **kwargs) -> float:
    return medmetrics.evaluate("medqa", GENERATIONS, references, context=OPTIONS, **kwargs)["accuracy"].value


# -- multiple choice -------------------------------------------------------------------------------------


def test_letters_score_as_before() -> None:
    assert _medqa(LETTERS) == 1.0
    assert _medqa(["A", "C", "A", "D"]) == 0.75


def test_lowercase_letters_are_letters() -> None:
    assert _medqa(["b", "c", "a", "d"]) == 1.0
    assert _medqa(["(b)", " c ", "a.", "D"]) == 1.0


def test_option_text_maps_to_its_letter() -> None:
    assert _medqa(["rash", "COUGH", "  fever ", "joint   pain"]) == 1.0
    assert _medqa(["Rash", "Fever", "Fever", "Joint pain"]) == 0.75  # wrong golds are still wrong


def test_letter_with_its_own_option_text() -> None:
    assert _medqa(["B. Rash", "(C) cough", "A: fever", "D) Joint pain"]) == 1.0
    with pytest.raises(InputError, match=r"reference 0 is 'B. Fever' \(str\), not an option letter"):
        _medqa(["B. Fever", "C", "A", "D"])  # letter and text disagree: which one is the gold?


def test_zero_based_index_references() -> None:
    assert _medqa([1, 2, 0, 3], reference_format="index", index_base=0) == 1.0
    assert _medqa(["1", "2", "0", "3"], reference_format="index", index_base=0) == 1.0  # MedQA's label as text


def test_one_based_index_references() -> None:
    assert _medqa([2, 3, 1, 4], reference_format="index", index_base=1) == 1.0  # MedMCQA's cop
    assert _medqa(["2", "3", "1", "4"], reference_format="index", index_base=1) == 1.0


def test_index_references_without_being_told_are_an_error() -> None:
    with pytest.raises(InputError, match=r"reference 0 is 1 \(int\).*reference_format='index'"):
        _medqa([1, 2, 0, 3])
    with pytest.raises(InputError, match=r"reference 0 is '1' \(str\).*reference_format='index'"):
        _medqa(["1", "2", "0", "3"])


def test_index_base_must_be_stated() -> None:
    with pytest.raises(InputError, match="index_base=0 or index_base=1"):
        _medqa([1, 2, 0, 3], reference_format="index")
    with pytest.raises(InputError, match="index_base=0 or index_base=1"):
        _medqa([1, 2, 0, 3], reference_format="index", index_base=2)
    with pytest.raises(InputError, match="index_base is for reference_format='index'"):
        _medqa(LETTERS, index_base=0)
    with pytest.raises(InputError, match="reference_format must be one of"):
        _medqa(LETTERS, reference_format="letters")


def test_index_out_of_range_names_item_value_and_range() -> None:
    with pytest.raises(InputError, match=r"reference 2 is 4: index out of range.*A-D.*0 to 3"):
        _medqa([1, 2, 4, 3], reference_format="index", index_base=0)
    with pytest.raises(InputError, match=r"reference 2 is 0: index out of range.*1 to 4"):
        _medqa([2, 3, 0, 4], reference_format="index", index_base=1)
    with pytest.raises(InputError, match=r"reference 1 is 'C' \(str\): with reference_format='index'"):
        _medqa([1, "C", 0, 3], reference_format="index", index_base=0)


def test_letter_outside_the_options_is_an_error() -> None:
    with pytest.raises(InputError, match=r"reference 3 is 'E' \(str\), not an option letter \(A-D\)"):
        _medqa(["B", "C", "A", "E"])
    with pytest.raises(InputError, match=r"reference 3 is 'e'"):
        _medqa(["B", "C", "A", "e"])


def test_text_that_is_no_option_is_an_error() -> None:
    with pytest.raises(InputError, match=r"reference 0 is 'Headache' \(str\), not an option letter \(A-D\) "
                                         r"or an option's exact text"):
        _medqa(["Headache", "C", "A", "D"])


@pytest.mark.parametrize("bad", [math.nan, math.inf, None, {"answer": "B"}, b"B", True])
def test_non_text_choice_references_are_errors(bad: object) -> None:
    with pytest.raises(InputError, match="reference 1 is"):
        _medqa(["B", bad, "A", "D"])


def test_per_item_options_and_default_letters() -> None:
    contexts = [{"options": ["x", "y"]}, {"options": ["p", "q", "r", "s", "t"]}]
    report = medmetrics.evaluate("medqa", ["B", "E"], ["y", "e"], context=contexts)
    assert report["accuracy"].value == 1.0
    with pytest.raises(InputError, match=r"reference 0 is 'C'.*A, B"):
        medmetrics.evaluate("medqa", ["B", "E"], ["C", "E"], context=contexts)
    # no option texts: the choice parser's default letters A-E
    assert medmetrics.evaluate("medqa", ["B"], ["b"])["accuracy"].value == 1.0


def test_multi_select_references_are_normalized_per_element() -> None:
    report = medmetrics.evaluate("hoc", ["(A), (C)", "E"], [["c", "sustaining proliferative signaling"], ["e"]])
    assert report["f1"].value == 1.0
    with pytest.raises(InputError, match=r"reference 1, element 0 is 'Z'"):
        medmetrics.evaluate("hoc", ["(A), (C)", "E"], [["A", "C"], ["Z"]])
    with pytest.raises(InputError, match=r"reference 0 is 'A' .*must be a list of options"):
        medmetrics.evaluate("hoc", ["A"], ["A"])


# -- labels ---------------------------------------------------------------------------------------------


def test_label_references_in_another_case_map_to_the_declared_label() -> None:
    report = medmetrics.evaluate("mednli", ["entailment", "neutral"], ["Entailment", "NEUTRAL"])
    assert report["accuracy"].value == 1.0
    pubmedqa = medmetrics.evaluate("pubmedqa", ["yes", "no", "maybe"], ["Yes", " no.", "MAYBE"])
    assert pubmedqa["accuracy"].value == 1.0 and pubmedqa["f1_macro"].value == 1.0
    chemprot = medmetrics.evaluate("chemprot", ["CPR:3", "CPR:4"], ["cpr 3", "CPR:4"])
    assert chemprot["f1"].value == 1.0


def test_label_reference_outside_the_label_set_is_an_error() -> None:
    # accuracy alone used to compare 'neutrality' with every parse and give 0.0
    with pytest.raises(InputError, match=r"reference 1 has label\(s\) \['neutrality'\] outside the label set "
                                         r"\['entailment', 'neutral', 'contradiction'\]"):
        medmetrics.evaluate("mednli", ["entailment", "neutral"], ["entailment", "neutrality"])


@pytest.mark.parametrize("bad", [math.nan, math.inf, None, {"label": "yes"}, b"yes", 1.5])
def test_non_text_label_references_are_errors(bad: object) -> None:
    with pytest.raises(InputError, match=r"reference 1 is .*not a label"):
        medmetrics.evaluate("mednli", ["entailment", "neutral"], ["entailment", bad])


def test_index_format_is_for_choice_tasks_only() -> None:
    with pytest.raises(InputError, match="multiple-choice"):
        medmetrics.evaluate("mednli", ["entailment"], [0], reference_format="index", index_base=0)
    with pytest.raises(InputError, match="multiple-choice"):
        medmetrics.evaluate("biosses", ["3"], [3.0], reference_format="index", index_base=0)


def test_other_parsers_pass_references_unchanged() -> None:
    parser = medmetrics.get_parser("number", low=0, high=4)
    assert normalize_references(parser, [2.5, "3"]) == [2.5, "3"]


# -- bare metrics: references that are no labels --------------------------------------------------------


@pytest.mark.parametrize("bad", [math.nan, math.inf, -math.inf, {"a": math.nan}, b"yes", ("a", math.nan)])
def test_accuracy_rejects_references_that_are_no_labels(bad: object) -> None:
    with pytest.raises(InputError, match=r"reference 1 is .*a reference must be a str, int, bool, a finite number"):
        medmetrics.get_metric("accuracy").compute(["a", bad], ["a", bad])


def test_accuracy_compares_structured_answers_whole_but_f1_wants_labels() -> None:
    """A plugin's structured answer ({"age_years": 67, "sex": "male"}) is one answer to accuracy;
    f1 counts labels, and a dict is none."""
    answer = {"age_years": 67.0, "sex": "male"}
    assert medmetrics.get_metric("accuracy").compute([answer, {"sex": "female"}], [answer, answer]).value == 0.5
    with pytest.raises(InputError, match=r"reference 0 is .*it is a dict"):
        medmetrics.get_metric("f1").compute([answer], [answer])


def test_nan_against_nan_is_no_longer_a_match() -> None:
    # used to be 1.0: both sides written as the label 'nan'
    with pytest.raises(InputError, match="reference 0 is nan"):
        medmetrics.get_metric("accuracy").compute([math.nan], [math.nan])


def test_f1_rejects_references_that_are_no_labels() -> None:
    # used to add a class 'nan' to the macro average
    with pytest.raises(InputError, match="reference 2 is nan"):
        medmetrics.get_metric("f1", average="macro").compute(["a", "b", "a"], ["a", "b", math.nan])
    with pytest.raises(InputError, match=r"reference 0 is .*holds b'x'"):
        medmetrics.get_metric("f1").compute([("a",)], [("a", b"x")])


def test_valid_reference_kinds_still_score() -> None:
    accuracy = medmetrics.get_metric("accuracy")
    assert accuracy.compute([1, 2.0, True, ("a", "b"), "x"], [1, 2, True, frozenset({"a", "b"}), "x"]).value == 1.0
    assert medmetrics.get_metric("f1", average="macro").compute([1, 2], [1.0, 2.0]).value == 1.0


def test_normalized_match_rejects_non_text_predictions() -> None:
    metric = medmetrics.get_metric("normalized_match")
    with pytest.raises(InputError, match=r"prediction 1 is 3 \(int\)"):
        metric.compute(["fever", 3], ["fever", "3"])
    with pytest.raises(InputError, match=r"prediction 0 is \['fever'\] \(list\)"):
        metric.compute([["fever"]], ["fever"])
    result = metric.compute(["fever", None], ["fever", "rash"])  # a failed parse is still just wrong
    assert result.value == 0.5 and result.n_failed == 1


# -- compare ---------------------------------------------------------------------------------------------


RAW_A = ["Answer: yes", "No, the trial found no effect.", "The answer is maybe.", "yes", "no", "maybe"]
RAW_B = ["I think no.", "No.", "yes", "The answer is no.", "Yes, clearly.", "no"]
GOLD = ["yes", "no", "maybe", "yes", "no", "maybe"]


def test_compare_parses_raw_generations_of_a_task() -> None:
    parsed_a = medmetrics.evaluate("pubmedqa", RAW_A, GOLD).parsed
    parsed_b = medmetrics.evaluate("pubmedqa", RAW_B, GOLD).parsed
    expected = medmetrics.compare("accuracy", parsed_a, parsed_b, GOLD, method="mcnemar")
    assert (expected.value_a, expected.value_b) == (1.0, pytest.approx(1 / 6))
    by_task = medmetrics.compare("pubmedqa", RAW_A, RAW_B, GOLD, method="mcnemar")
    with_task = medmetrics.compare("accuracy", RAW_A, RAW_B, GOLD, task="pubmedqa", method="mcnemar")
    with_parser = medmetrics.compare("accuracy", RAW_A, RAW_B, GOLD, method="mcnemar",
                                     parser=medmetrics.get_parser("label", labels=["yes", "no", "maybe"]))
    for comparison in (by_task, with_task, with_parser):
        assert (comparison.value_a, comparison.value_b, comparison.p_value) == \
            (expected.value_a, expected.value_b, expected.p_value)


def test_compare_with_a_task_uses_its_metric_options_and_normalizes_references() -> None:
    comparison = medmetrics.compare("f1_macro", RAW_A, RAW_B, ["Yes", "NO", "maybe", "yes", "no", "Maybe"],
                                    task="pubmedqa", resamples=50)
    expected = medmetrics.evaluate("pubmedqa", RAW_A, GOLD)["f1_macro"].value
    assert comparison.value_a == pytest.approx(expected) and comparison.metric == "f1"
    medqa = medmetrics.compare("medqa", GENERATIONS, ["A"] * 4, [1, 2, 0, 3], context=OPTIONS,
                               reference_format="index", index_base=0, method="mcnemar")
    assert (medqa.value_a, medqa.value_b) == (1.0, 0.25)


def test_compare_rejects_raw_generations_for_a_bare_metric() -> None:
    with pytest.raises(InputError, match=r"system A prediction 0 is 'Answer: yes'.*raw generation.*task="):
        medmetrics.compare("accuracy", RAW_A, RAW_B, GOLD)
    with pytest.raises(InputError, match="system B prediction 0"):
        medmetrics.compare("f1", GOLD, RAW_B, GOLD)


def test_compare_takes_parsed_and_plain_values_for_a_bare_metric() -> None:
    plain = medmetrics.compare("accuracy", GOLD, ["no"] * 6, GOLD, method="mcnemar")
    assert (plain.value_a, plain.value_b) == (1.0, pytest.approx(2 / 6))
    # a value outside the references that is one word is a (wrong) answer, not a generation
    assert medmetrics.compare("accuracy", GOLD, ["perhaps"] * 6, GOLD, method="mcnemar").value_b == 0.0
    parsed = medmetrics.evaluate("pubmedqa", RAW_A, GOLD).parsed
    assert medmetrics.compare("accuracy", parsed, parsed, GOLD, method="mcnemar").value_a == 1.0


def test_compare_argument_mistakes() -> None:
    with pytest.raises(InputError, match="not both"):
        medmetrics.compare("accuracy", GOLD, GOLD, GOLD, task="pubmedqa", parser="label")
    with pytest.raises(InputError, match="needs task= or parser="):
        medmetrics.compare("accuracy", ["B"], ["B"], [1], reference_format="index", index_base=0)


# -- lm-eval ---------------------------------------------------------------------------------------------


DOCS = [
    {"id": "q1", "question": "?", "choices": ["Fever", "Rash", "Cough", "Joint pain"], "label": 1},
    {"id": "q2", "question": "?", "choices": ["Fever", "Rash", "Cough", "Joint pain"], "label": 2},
    {"id": "q3", "question": "?", "choices": ["Fever", "Rash", "Cough"], "label": 0},
]
RESPONSES = [["Answer: B"], ["The answer is (C) Cough."], ["Answer: B"]]


def _lm_eval_accuracy(task: LmEvalTask, docs: list[dict]) -> float:
    filtered = task.filter(RESPONSES, docs)
    items = [task.process_results(doc, [parsed])["accuracy"] for doc, parsed in zip(docs, filtered)]
    return task.aggregation("accuracy")(items)


def test_lm_eval_task_index_reference() -> None:
    task = LmEvalTask("medqa", reference="label", context={"options": "choices"},
                      reference_format="index", index_base=0)
    assert _lm_eval_accuracy(task, DOCS) == pytest.approx(2 / 3)  # used to be 0.0
    one_based = LmEvalTask("medqa", reference="cop", context={"options": "choices"},
                           reference_format="index", index_base=1)
    docs = [{**doc, "cop": doc["label"] + 1} for doc in DOCS]
    assert _lm_eval_accuracy(one_based, docs) == pytest.approx(2 / 3)


def test_lm_eval_task_letters_texts_and_errors() -> None:
    task = LmEvalTask("medqa", reference="answer", context={"options": "choices"})
    docs = [{**DOCS[0], "answer": "b"}, {**DOCS[1], "answer": "cough"}, {**DOCS[2], "answer": "A"}]
    assert _lm_eval_accuracy(task, docs) == pytest.approx(2 / 3)
    with pytest.raises(InputError, match=r"id='q1'.*reference field 'label'.* is 1 \(int\).*reference_format='index'"):
        LmEvalTask("medqa", reference="label", context={"options": "choices"}).process_results(
            DOCS[0], [{"value": "B", "status": "ok"}])
    with pytest.raises(InputError, match="index_base=0 or index_base=1"):
        LmEvalTask("medqa", reference="label", reference_format="index")
    with pytest.raises(InputError, match=r"id='q3'.*is 3: index out of range"):
        task = LmEvalTask("medqa", reference="label", context={"options": "choices"},
                          reference_format="index", index_base=0)
        task.process_results({**DOCS[2], "label": 3}, [{"value": "B", "status": "ok"}])


def test_lm_eval_task_label_references() -> None:
    task = LmEvalTask("pubmedqa", reference="final_decision")
    docs = [{"final_decision": "Yes"}, {"final_decision": "no"}]
    parsed = task.filter([["yes"], ["no"]], docs)
    items = [task.process_results(doc, [p])["accuracy"] for doc, p in zip(docs, parsed)]
    assert items == [("yes", "yes"), ("no", "no")]
    assert task.aggregation("accuracy")(items) == 1.0


def _samples(tmp_path: Path, task: str, targets: list[object]) -> Path:
    folder = tmp_path / "lm_eval"
    folder.mkdir(exist_ok=True)
    lines = []
    for i, (target, response) in enumerate(zip(targets, RESPONSES)):
        lines.append({"doc_id": i, "doc": DOCS[i], "target": target, "arguments": {}, "resps": [response],
                      "filtered_resps": response, "filter": "none"})
    path = folder / f"samples_{task}_2026-01-05T10-11-12.123456.jsonl"
    path.write_text("".join(json.dumps(line) + "\n" for line in lines), encoding="utf-8")
    return folder


def test_lm_eval_adapter_maps_integer_targets_of_choice_tasks(tmp_path: Path) -> None:
    fields = Fields(context={"options": "doc.choices"})
    run = load_run(_samples(tmp_path, "medqa_gen", [1, 2, 0]), task_map={"medqa_gen": "medqa"}, fields=fields)
    assert list(run["medqa"].references) == ["B", "C", "A"]  # doc_to_choice indices are 0-based
    report = medmetrics.evaluate("medqa", run["medqa"].generations, run["medqa"].references,
                                 context=run["medqa"].context)
    assert report["accuracy"].value == pytest.approx(2 / 3)
    one_based = Fields(context={"options": "doc.choices"}, index_base=1)
    run = load_run(_samples(tmp_path, "medqa_gen", [2, 3, 1]), task_map={"medqa_gen": "medqa"}, fields=one_based)
    assert list(run["medqa"].references) == ["B", "C", "A"]
    with pytest.raises(InputError, match=r"\.jsonl:3: target is 3: index out of range"):
        load_run(_samples(tmp_path, "medqa_gen", [1, 2, 3]), task_map={"medqa_gen": "medqa"}, fields=fields)


def test_lm_eval_adapter_leaves_other_targets(tmp_path: Path) -> None:
    kept = Fields(context={"options": "doc.choices"}, index_base=None)
    run = load_run(_samples(tmp_path, "medqa_gen", [1, 2, 0]), task_map={"medqa_gen": "medqa"}, fields=kept)
    assert list(run["medqa"].references) == [1, 2, 0]
    run = load_run(_samples(tmp_path, "mednli", [1, 2, 0]))  # a label task: no options to index
    assert list(run["mednli"].references) == [1, 2, 0]
    with pytest.raises(InputError, match=r"reference 0 is 1 .*not a label"):
        medmetrics.evaluate("mednli", run["mednli"].generations, run["mednli"].references)
    run = load_run(_samples(tmp_path, "medqa_gen", ["b", "C", "A"]), task_map={"medqa_gen": "medqa"},
                   fields=Fields(context={"options": "doc.choices"}))
    assert list(run["medqa"].references) == ["b", "C", "A"]  # normalized when scored


def test_numpy_references() -> None:
    np = pytest.importorskip("numpy")
    assert _medqa(np.array([1, 2, 0, 3]), reference_format="index", index_base=0) == 1.0
    assert _medqa(np.array(["b", "c", "a", "d"])) == 1.0
    with pytest.raises(InputError, match=r"reference 0 is np.int64\(1\).*reference_format='index'"):
        _medqa(np.array([1, 2, 0, 3]))
