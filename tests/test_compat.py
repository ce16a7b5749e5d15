"""Compat profiles: each paper's evaluator reproduced, checked on the cases of seed-evaluators.md section 5."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from scipy.stats import pearsonr
from sklearn.metrics import f1_score

from medmetrics import evaluate
from medmetrics.aggregate.suites import score_suite
from medmetrics.catalog.suite import Suite
from medmetrics.errors import InputError
from medmetrics.inputs.run import TaskRun
from medmetrics.metrics.compat import get_profile
from medmetrics.metrics.compat.biomistral_nlu import (
    Classification,
    QAAccuracy,
    STSPearson,
    clean,
    read_options,
    sts_pearson,
)
from medmetrics.metrics.compat.medinst import EntityF1, LabelF1, MultiLabelF1, PenalizedMSE, bracketed, normalize_answer
from medmetrics.metrics.compat.meds_bench import FirstCharacter, HallmarkMacroF1, NerMicroF1, ner_entities
from medmetrics.plugins import load_catalog

# --- BioMistral-NLU ------------------------------------------------------------------------


def test_read_options_defaults_to_option_a() -> None:
    assert read_options(["yes", "no", "maybe"], "Answer: B") == "yes"
    assert read_options(["yes", "no", "maybe"], "(A) yes (B) no") == "yes"
    assert read_options(["yes", "no", "maybe"], "I pick (C)") == "maybe"


def test_sts_pearson_on_integer_options() -> None:
    predictions, gold = sts_pearson(["(C) 2", "(E) 4", "4", "(F) 5"], ["(C) 2", "(E) 4", "(B) 1", "(F) 5"])
    assert predictions == [2, 4, 0, 5]
    assert STSPearson().compute(predictions, gold).value * 100 == pytest.approx(98.806, abs=5e-4)


def test_clean_deletes_assistant_anywhere() -> None:
    assert clean("<|assistant|>\nphysician assistant [SEP] x") == "physician  ... x"


def test_qa_accuracy_is_substring_of_the_gold_option() -> None:
    metric = QAAccuracy()
    options = ["yes", "no", "maybe"]
    result = metric.compute([("(b) No", options), ("(A) yes (B) no (C) maybe", options), ("no", options)],
                            ["no", "maybe", "no"])
    assert result.value == pytest.approx(2 / 3)  # listing every option is correct; bare 'no' is not
    assert result.signature.startswith("compat:biomistral_nlu|")


def test_classification_overall_drops_classes_without_gold() -> None:
    options = ["CPR:3", "CPR:4", "no relation"]
    items = [("(A)", options), ("(B)", options), ("(C)", options), ("nothing", options)]
    gold = ["CPR:3", "CPR:3", "CPR:4", "no relation"]
    result = Classification(type="chemprot").compute(items, gold)
    # gold keys: CPR:3 (2), CPR:4 (1), no relation (1, not excluded: "no relation" does not match ',no,')
    # predictions: CPR:3, CPR:4, no relation, CPR:3 (no (X): option A) -> tp = 1
    assert result.components["precision"] == pytest.approx(1 / 4)
    assert result.components["recall"] == pytest.approx(1 / 4)
    dropped = Classification(type="chemprot").compute([("(B)", options)], ["CPR:3"])
    assert dropped.components["precision"] == 0.0 and dropped.components["recall"] == 0.0


def test_excluded_option_wording_leaves_the_overall_row() -> None:
    options = ["yes", "no"]
    result = Classification(type="relation").compute([("(A)", options), ("(B)", options)], ["yes", "no"])
    assert result.components["recall"] == 1.0  # the 'no' key matches ',no,' and is not counted


# --- MedINST -------------------------------------------------------------------------------


def test_medinst_penalized_mse() -> None:
    result = PenalizedMSE().compute(["3", "The score is 4 out of 5", "2.5", "I think 1"], ["3", "4", "2", "1"])
    assert result.value == 12.5 and not result.higher_is_better


def test_medinst_cls_macro_over_gold_labels() -> None:
    result = LabelF1().compute(["Supports", "Maybe", "Refutes"], ["Supports", "Refutes", "Refutes"])
    assert result.value == pytest.approx(0.8333, abs=5e-5)
    gold, pred = ["supports", "refutes", "refutes"], ["supports", "maybe", "refutes"]
    assert result.value == pytest.approx(f1_score(gold, pred, labels=sorted(set(gold)), average="macro"))


def test_medinst_entity_empty_against_empty_is_zero() -> None:
    assert EntityF1().compute([""], [""]).value == 0.0
    assert EntityF1().compute(["[IL-2] [T cells]"], ["[il2] [t cells]"]).value == 1.0


def test_medinst_bracket_reader_keeps_outermost_groups() -> None:
    assert bracketed("[x [y]] ] [z") == ["x y"]
    assert normalize_answer("The IL-2, T-cells") == "il2 tcells"


def test_medinst_multicls_splits_on_comma_space() -> None:
    result = MultiLabelF1().compute(["inducing angiogenesis, resisting cell death"], [["E", "C"]])
    assert result.value == 1.0


# --- MedS-Bench ----------------------------------------------------------------------------


def test_meds_ner_cuts_the_last_character() -> None:
    assert ner_entities("Homo sapiens, mice.") == {"homo sapiens", "mic"}
    assert NerMicroF1().compute(["mice, Homo sapiens."], ["Homo sapiens, mice."]).value == 0.0
    assert ner_entities("There is no related enetity.") == set()


def test_meds_mcqa_first_character() -> None:
    assert FirstCharacter().compute(["Answer: B"], ["A"]).value == 1.0
    assert FirstCharacter().compute(["(B) foo"], ["B"]).value == 0.0
    assert FirstCharacter(letters="yn").compute(["maybe"], ["maybe"]).value == 0.0
    assert FirstCharacter().compute([""], ["A"]).value == 0.0


def test_meds_hoc_counts_negated_mentions() -> None:
    result = HallmarkMacroF1().compute(["not inducing angiogenesis"], [[]])
    assert result.value == 0.0  # a false positive for angiogenesis, every label at zero


# --- profiles in a suite --------------------------------------------------------------------


def test_profile_is_scored_beside_the_correct_value() -> None:
    catalog = load_catalog(entry_points=False, strict=True)
    profile = get_profile("meds_bench")
    suite = Suite("s", {"mcqa": ("medqa",)})
    run = TaskRun("medqa", ["Answer: B", "B. because", "C"], ["B", "B", "C"])
    result = score_suite(suite, {"medqa": run}, catalog=catalog, ci=False, compat=profile.scorer, profile=profile.name)
    task = result.tasks[0]
    assert task.result.value == 1.0 and task.compat.value == pytest.approx(2 / 3)
    assert result.compat_value == pytest.approx(2 / 3)
    assert result.signature.endswith("|compat:meds_bench")


def test_biomistral_sts_pearson_equals_scipy_on_integer_options() -> None:
    predictions, gold = sts_pearson(["(B) 1", "(D) 3", "(C) 2"], [1.2, 2.6, 2.4])
    assert STSPearson().compute(predictions, gold).value == pytest.approx(pearsonr(gold, predictions)[0])


def test_unknown_profile() -> None:
    with pytest.raises(InputError, match="biomistral_nlu"):
        get_profile("helm")


@pytest.mark.parametrize(("metric", "predictions", "references"), [
    (QAAccuracy(), [("(B) no", ["yes", "no"]), ("yes", ["yes", "no"]), ("(A)", ["yes", "no"])], ["no", "no", "yes"]),
    (Classification(type="ddi"), [("(A)", ["x", "y"]), ("(B)", ["x", "y"]), ("", ["x", "y"])], ["x", "x", "y"]),
    (LabelF1(), ["Supports", "Refutes", "maybe", "Neutral"], ["Supports", "Neutral", "Refutes", "Neutral"]),
    (PenalizedMSE(), ["3", "2.5", "1", "0"], ["3", "2", "2", "0"]),
    (EntityF1(), ["[a] [b]", "", "[c]"], ["[a]", "", "[c] [d]"]),
    (NerMicroF1(), ["mice, rats.", "There is no related enetity.", "e coli."], ["rats, mice.", "yeast.", "e coli."]),
    (HallmarkMacroF1(), ["inducing angiogenesis", "resisting cell death", ""], [["E"], ["C", "E"], []]),
], ids=lambda v: getattr(v, "name", None))
def test_compat_metrics_conform(metric, predictions, references) -> None:
    """Merge equals whole, permutation invariance, JSON-native results: the kit every metric passes."""
    from medmetrics.testing.conformance import check_metric

    check_metric(metric, predictions, references)


# --- entity parts reproduced as their own code ----------------------------------------------


def test_biomistral_events_case_of_section_5() -> None:
    from medmetrics.metrics.compat.biomistral_nlu import EventSpans

    result = EventSpans().compute(["Disease: Fever...fever...cough"], ["Disease: fever...headache"])
    assert (result.components["precision"], result.components["recall"]) == pytest.approx((1 / 3, 1 / 2))  # 2/3/1


def test_biomistral_events_ignore_the_predicted_type_when_line_counts_agree() -> None:
    from medmetrics.metrics.compat.biomistral_nlu import EventSpans

    result = EventSpans().compute(["Drug: aspirin\nDisease: fever"], ["Disease: fever\nDrug: aspirin"])
    assert result.value == 0.0
    none_spelled = EventSpans().compute(["Disease: fever", "Disease: none"], ["Disease: fever", "Disease: None"])
    assert none_spelled.components["precision"] == 0.5  # 'none' is a predicted span, a false positive


def test_biomistral_pico_bag_of_tokens_case_of_section_5() -> None:
    from medmetrics.metrics.compat.biomistral_nlu import PicoTokens

    result = PicoTokens().compute(["P: asthma adults Adults\nI: inhaler"], ["P: adults with asthma...children\nI: x"])
    # P line: gold 4 tokens, 3 predicted, 2 matched; I line: 1, 1, 0
    assert result.components["precision"] == pytest.approx(2 / 4)
    assert result.components["recall"] == pytest.approx(2 / 5)


@given(st.lists(st.tuples(st.lists(st.sampled_from("BIO"), max_size=8), st.lists(st.sampled_from("BIO"), max_size=8)),
                min_size=1, max_size=8))
@settings(max_examples=80, deadline=None)
def test_medinst_tag_f1_equals_scikit_learn_on_padded_tags(pairs) -> None:
    """The evaluator's own computation (pad with N / cut, flatten, macro over gold tags) by scikit-learn."""
    from medmetrics.metrics.compat.medinst import TagF1

    golds = [" ".join(f"w [{t}]" for t in g) for g, _ in pairs]
    preds = [" ".join(f"w [{t}]" for t in p) for _, p in pairs]
    flat_gold, flat_pred = [], []
    for g, p in pairs:
        flat_gold += [f"[{t}]" for t in g]
        flat_pred += ([f"[{t}]" for t in p] + ["N"] * len(g))[:len(g)]
    if not flat_gold:
        return
    expected = f1_score(flat_gold, flat_pred, labels=sorted(set(flat_gold)), average="macro", zero_division=0)
    assert TagF1().compute(preds, golds).value == pytest.approx(expected, abs=1e-12)


def test_meds_bench_diagnosis_treatment_and_ie_are_raw_substrings() -> None:
    profile = get_profile("meds_bench")
    diagnosis = profile.methods["meds_diagnosis"].metric()
    # the raw substring finds "no" in "not"; the correct task matches whole words only
    generations = ["Not sure: Pneumonia", "URTI"]
    gold = ["The diagnosis result is no.", "The diagnosis result is GERD."]
    assert diagnosis.compute(generations, gold).value == 0.5
    assert evaluate("meds_diagnosis", generations, gold)["accuracy"].value == 0.0
    treatment = profile.methods["meds_treatment"].metric()
    assert treatment.compute(["surgery, then radiation"], ["The treatment planning is: Surgery."]).value == 1.0
    extraction = profile.methods["meds_information_extraction"].metric()
    assert extraction.compute(['Age: "45"\nSex: F', "age 45."], ["age: 45", "Age: 45"]).value == 0.5


def test_medinst_scores_medal_by_its_ascii_exact_match() -> None:
    method = get_profile("medinst").methods["medal"].metric()
    generations, gold = ["The Myocardial-Infarction.", "Straße"], ["myocardial infarction", "strasse"]
    # both drop the hyphen ("myocardialinfarction", as SQuAD does); only casefold reads ß as ss
    assert method.compute(generations, gold).value == 0.0
    assert evaluate("medal", generations, gold)["exact_match"].value == 0.5
