"""MedS-Bench compat (MAGIC-AI4Med/MedS-Ins ``Metrics/``): how the scripts read their CSV, choose
their tokenizer and strip the clinical-outcome gold, each on a minimal example (issue #12, item 2).

Every script reads the run with ``pandas.read_csv``, so an output cell "", "None", "NA", "N/A",
"#N/A" (any of pandas' NA strings) is NaN; then ``str()`` reads it as "nan" (MCQA, NLI, IE, clinical
outcome, HoC), NER and concept explanation skip the row, and fact verification, diagnosis,
treatment, summarization and rationale crash: the compat value is then NaN with a note, as the
script prints no number.
"""

from __future__ import annotations

import io
import math

import pytest

from medmetrics.api import get_task
from medmetrics.inputs.run import TaskRun
from medmetrics.metrics.compat import get_profile
from medmetrics.metrics.compat.base import EvaluatorCrash
from medmetrics.metrics.compat.meds_bench import (
    NAN_HANDLING,
    PANDAS_NA,
    FirstCharacter,
    GoldInOutput,
    NerMicroF1,
    QuotesRemovedInOutput,
    Similarity,
    TrueFalse,
    cell,
)

PROFILE = get_profile("meds_bench")
NA_OUTPUTS = ["", "None", "NA", "N/A", "#N/A"]


def _compat(task: str, generations: list, references: list, context=None):
    return PROFILE.scorer(get_task(task), TaskRun(task, generations, references, context=context))


# --- reading the CSV --------------------------------------------------------------------------

def test_the_na_strings_are_pandas_own() -> None:
    pandas = pytest.importorskip("pandas")
    from pandas._libs.parsers import STR_NA_VALUES

    assert frozenset(STR_NA_VALUES) == PANDAS_NA
    lines = "".join(f'task41,gold,"{value}"\n' for value in [*NA_OUTPUTS, " NA", "none", "n.a."])
    frame = pandas.read_csv(io.StringIO("task_id,GT,output\n" + lines))
    read = [None if isinstance(v, float) and math.isnan(v) else v for v in frame["output"]]
    assert read == [cell(v) for v in [*NA_OUTPUTS, " NA", "none", "n.a."]] == [None] * 5 + [" NA", "none", "n.a."]
    assert cell(None) is None and cell(float("nan")) is None  # an unanswered item is an empty cell


@pytest.mark.parametrize("output", NA_OUTPUTS)
def test_mcqa_reads_nan_as_the_text_nan(output: str) -> None:
    """``str(nan)[0]`` is 'n': PubMedQA (task123, letters yn) reads it as "no"; a-d options as wrong."""
    assert FirstCharacter(letters="yn").compute([output, output], ["no", "yes"]).value == 0.5
    assert FirstCharacter().compute([output], ["a"]).value == 0.0


def test_mcqa_crashes_on_an_answer_empty_after_its_clean_up() -> None:
    result = _compat("medqa", ["B", "   "], ["B", "B"])  # "   " is text to pandas; pred[0] raises IndexError
    assert math.isnan(result.value) and "MCQA.py raises IndexError on item 1" in result.notes[0]
    with pytest.raises(EvaluatorCrash):
        FirstCharacter().compute(["the right answer is"], ["a"])


def test_nli_ie_clinical_outcome_and_hoc_read_nan_as_text() -> None:
    assert GoldInOutput().compute(["N/A", "#N/A"], ["A.", "b"]).value == 0.5  # "a" is in "nan", "b" is not
    assert QuotesRemovedInOutput().compute(["None"], ["nan"]).value == 1.0
    assert TrueFalse().compute(["", "NA"], ["true", "false"]).value == 0.0
    assert _compat("meds_hoc", ["None", ""], [["A"], []]).value == 0.0


@pytest.mark.parametrize(("task", "script", "gold"), [
    ("healthfact", "FactVerification.py", "Supports."),
    ("meds_diagnosis", "Diagnosis.py", "The diagnosis result is GERD."),
    ("meds_treatment", "TreatmentPlanning.py", "The treatment planning is: surgery."),
])
def test_fact_verification_diagnosis_and_treatment_crash_on_nan(task: str, script: str, gold: str) -> None:
    answered = _compat(task, [gold.lower()], [gold])
    assert answered.value == 1.0 and not answered.notes
    result = _compat(task, [gold.lower(), "N/A"], [gold, gold])
    assert math.isnan(result.value) and result.n == 2
    assert f"Metrics/{script} raises AttributeError on item 1 ('N/A' is read by pandas as NaN)" in result.notes[0]
    assert NAN_HANDLING[script] == "crash"


def test_ner_skips_a_nan_output_row_and_crashes_on_a_nan_gold() -> None:
    # the second row's gold would be a false negative; the script skips the row, so it never counts
    result = NerMicroF1().compute(["mice, rats.", "None"], ["mice, rats.", "yeast."])
    assert result.value == 1.0
    assert NerMicroF1().compute(["mice, rats.", None], ["mice, rats.", "yeast."]).value == 1.0
    with pytest.raises(EvaluatorCrash, match=r"NamedEntityRecognition\.py raises AttributeError on item 0"):
        NerMicroF1().compute(["yeast."], ["NA"])


# --- boolean columns: pandas reads "true"/"false" cells as booleans when a whole column is such ------

def test_a_boolean_output_column_is_read_as_booleans() -> None:
    """Every output "True", "false", "TRUE": pandas gives a bool column. ``str()`` gives "True" back
    (MCQA, NLI, IE, clinical outcome, HoC read it as the text); ``.split`` / ``.lower`` raise
    (FactVerification.py, Diagnosis.py, TreatmentPlanning.py, TextSummarization.py's tokenizer)."""
    result = _compat("healthfact", ["True", "false", "TRUE"], ["true", "false", "mixture"])
    assert math.isnan(result.value)
    assert "FactVerification.py raises AttributeError on item 0" in result.notes[0] and "booleans" in result.notes[0]
    # one output that is not a pandas boolean ("true.") keeps the column text: 1 + 1 + 0 of 3
    assert _compat("healthfact", ["true.", "false", "TRUE"], ["true", "false", "mixture"]).value == pytest.approx(2 / 3)
    summary = _compat("rct_text", ["True", "false"], ["a b", "c d"])
    assert math.isnan(summary.value) and "TextSummarization.py raises TypeError" in summary.notes[0]
    outcome = _compat("clinical_outcome", ["True", "false", "TRUE"], ["true", "false", "false"])
    assert outcome.value == pytest.approx(2 / 3)
    assert _compat("mednli", ["True", "N/A"], ["true", "neutral"]).value == 0.5  # str(True) is "True"; NaN "nan"


def test_the_case_of_a_boolean_does_not_matter_but_white_space_does() -> None:
    from medmetrics.metrics.compat.meds_bench import bool_column

    assert bool_column(["tRuE", "FALSE", "", "None"])  # NaN cells leave the column boolean
    assert not bool_column(["True ", "false"]) and not bool_column(["", "N/A"]) and not bool_column(["yes", "no"])


def test_a_script_that_counts_no_row_prints_0() -> None:
    """``100 * sum / cnt if cnt > 0 else 0``: every row skipped is 0, not 'no number'."""
    assert _compat("concept_explanation", ["", "N/A"], ["a b c.", "d e."]).value == 0.0  # NaN rows skipped
    assert _compat("concept_explanation", ["True", "false"], ["a b c.", "d e."]).value == 0.0  # bool rows skipped
    rationale = _compat("rationale", ["   ", "\t"], ["a b c.", "d e."], [{"task_id": "task52"}] * 2)
    assert rationale.value == 0.0 and rationale.components["bleu_1"] == 0.0  # white space stripped, skipped
    assert NerMicroF1().compute(["True", "false"], ["mice.", "rats."]).value == 0.0  # not str: skipped


# --- clinical outcome gold ---------------------------------------------------------------------

def test_clinical_outcome_gold_is_stripped_of_white_space_only() -> None:
    """``str(gt).lower().strip()`` must be exactly 'true' or 'false': "True." never scores."""
    assert TrueFalse().compute(["true", "True"], ["true\n", " TRUE "]).value == 1.0
    assert TrueFalse().compute(["true", "False."], ["True.", "false."]).value == 0.0
    assert _compat("clinical_outcome", ["The outcome is true."], ["false"]).value == 0.0


# --- generation: tokenizer by task id; NaN and empty rows per script ------------------------------

def test_summaries_and_explanations_are_tokenized_as_english_whatever_the_script() -> None:
    """TextSummarization.py and ConceptExplanation.py pass lang='en': a Chinese text is one
    ``word_tokenize`` token, so reordered words do not match, as they would with jieba."""
    output, gold = "世界你好", "你好世界"
    for task in ("medqsum", "concept_explanation"):
        result = _compat(task, [output], [gold])
        assert result.components["bleu_1"] == 0.0 and result.value == 0.0
    assert Similarity(language="zh").compute([output], [gold]).components["bleu_1"] == 1.0


def test_rationale_tokenizer_comes_from_the_task_id() -> None:
    output, gold = "世界你好", "你好世界"
    by_id = _compat("rationale", [output, output], [gold, gold], [{"task_id": "task51"}, {"task_id": "task52"}])
    assert by_id.components["bleu_1"] == 0.5  # jieba for task51, word_tokenize for task52
    by_language = _compat("rationale", [output], [gold], [{"language": "zh"}])
    assert by_language.components["bleu_1"] == 1.0
    unknown_id = _compat("rationale", [output], [gold], [{"task_id": "task99"}])  # TASKID2LANG.get(id, 'en')
    assert unknown_id.components["bleu_1"] == 0.0
    guessed = _compat("rationale", [output], [gold])  # neither given: the reference's script decides
    assert guessed.components["bleu_1"] == 1.0


def test_concept_explanation_skips_nan_rows_and_summaries_crash_on_them() -> None:
    outputs, golds = ["N/A", "a b c"], ["x y", "a b c"]
    skipped = _compat("concept_explanation", outputs, golds)
    assert skipped.value == pytest.approx(1.0) and skipped.components["bleu_1"] == 1.0
    crashed = _compat("rct_text", outputs, golds)
    assert math.isnan(crashed.value) and "TextSummarization.py raises TypeError on item 0" in crashed.notes[0]


def test_rationale_crashes_on_nan_and_skips_white_space_outputs() -> None:
    context = [{"task_id": "task52"}] * 2
    skipped = _compat("rationale", ["   ", "a b c"], ["x y", "a b c"], context)
    assert skipped.components["bleu_1"] == 1.0  # "   ".strip() is empty: skipped, not scored 0
    crashed = _compat("rationale", ["", "a b c"], ["x y", "a b c"], context)
    assert math.isnan(crashed.value) and "Rationale.py raises AttributeError on item 0" in crashed.notes[0]


def test_pltrdy_empty_text_crashes_every_generation_script() -> None:
    """pltrdy's Rouge raises "Hypothesis is empty." on a text of periods; the scripts do not catch it."""
    for task in ("medqsum", "concept_explanation", "rationale"):
        result = _compat(task, ["...", "a b"], ["x y", "a b"], [{"task_id": "task52"}] * 2)
        assert math.isnan(result.value) and "ValueError (pltrdy: empty text)" in result.notes[0]


@pytest.mark.parametrize(("metric", "predictions", "references"), [
    (FirstCharacter(), ["B", "NA", "c", None], ["B", "a", "c", "d"]),
    (GoldInOutput(), ["yes", "None", "no"], ["yes", "a", "no"]),
    (TrueFalse(), ["true", "", "false"], ["True.", "true\n", "false"]),
    (Similarity(script="ConceptExplanation.py"), ["a b", "N/A", "c d e"], ["a b", "x", "c d"]),
    (NerMicroF1(), ["mice, rats.", "", "e coli."], ["rats, mice.", "yeast.", "e coli."]),
], ids=lambda v: getattr(v, "name", None))
def test_skipping_metrics_conform(metric, predictions, references) -> None:
    """Merge equals whole and permutation invariance hold with skipped rows (the 'counted' column)."""
    from medmetrics.testing.conformance import check_metric

    check_metric(metric, predictions, references)
