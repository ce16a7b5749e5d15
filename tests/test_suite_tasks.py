"""The NER, PICO, relation, linking and generation tasks of the suites, on small hand-made data
against the metric computed by hand or by the peer library; and MedS-Bench's rationale table
through the suite with the ``meds_bench`` compat profile."""

from __future__ import annotations

import csv
import json
from pathlib import Path

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from medmetrics import cli, evaluate
from medmetrics.aggregate.suites import score_suite
from medmetrics.inputs.run import TaskRun
from medmetrics.metrics.compat import get_profile
from medmetrics.plugins import load_catalog

DATA = Path(__file__).parent / "data" / "meds_ins_rationale_llama3.csv"


def test_blurb_ner_is_strict_micro_f1_over_the_corpus() -> None:
    generations = ["Chemical: aspirin...ibuprofen...naproxen", "Chemical: None", "I cannot tell."]
    gold = [[{"type": "Chemical", "text": "Aspirin"}, {"type": "Chemical", "text": "naproxen"},
             {"type": "Chemical", "text": "caffeine"}], [], [{"type": "Chemical", "text": "heparin"}]]
    result = evaluate("bc5_chem", generations, gold)["f1"]
    precision, recall = 2 / 3, 2 / 4  # 2 right of 3 named; 2 found of 4; the failed parse misses heparin
    assert result.value == pytest.approx(2 * precision * recall / (precision + recall))
    assert result.n_failed == 1


def test_jnlpba_types_must_match() -> None:
    generation = "protein: IL-2...p53\nDNA: None\ncell type: T cells"
    gold = [{"type": "protein", "text": "IL-2"}, {"type": "cell line", "text": "p53"},
            {"type": "cell type", "text": "T cells"}]
    assert evaluate("jnlpba", [generation], [gold])["f1"].value == pytest.approx(2 / 3)  # p53 has the wrong type


TAGS = st.lists(st.sampled_from(["B", "I", "O"]), min_size=1, max_size=8)


@given(data=st.lists(st.tuples(TAGS, st.data()), min_size=1, max_size=6))
@settings(max_examples=40, deadline=None)
def test_medinst_bio_tasks_equal_seqeval(data) -> None:
    from seqeval.metrics import f1_score

    gold, predicted, generations, contexts = [], [], [], []
    for tags, draw in data:
        guess = draw.draw(st.lists(st.sampled_from(["B", "I", "O"]), min_size=len(tags), max_size=len(tags)))
        tokens = [f"w{i}" for i in range(len(tags))]
        gold.append(tags)
        predicted.append(guess)
        generations.append(" ".join(f"{w} [{t}]" for w, t in zip(tokens, guess)))
        contexts.append({"tokens": tokens})
    value = evaluate("medinst_ncbi_disease", generations, gold, context=contexts)["f1"].value
    assert value == pytest.approx(f1_score(gold, predicted), abs=1e-12)


@given(data=st.lists(st.tuples(st.sampled_from(["PAR", "INT", "OUT", "O"]),
                               st.sampled_from(["PAR", "INT", "OUT", "O"])), min_size=3, max_size=40))
@settings(max_examples=40, deadline=None)
def test_ebm_pico_is_token_macro_f1_over_three_classes(data) -> None:
    from sklearn.metrics import f1_score

    gold, guess = [g for g, _ in data], [p for _, p in data]
    tokens = [f"w{i}" for i in range(len(data))]
    generation = " ".join(f"{w} [{'O' if p == 'O' else 'B-' + p}]" for w, p in zip(tokens, guess))
    reference = ["O" if g == "O" else f"I-{g}" for g in gold]
    value = evaluate("ebm_pico", [generation], [reference], context=[{"tokens": tokens}])["f1"].value
    expected = f1_score(gold, guess, labels=["PAR", "INT", "OUT"], average="macro", zero_division=0)
    assert value == pytest.approx(expected, abs=1e-12)


def test_medinst_bracket_tasks_by_hand() -> None:
    gold = [[{"type": None, "text": "fever"}, {"type": None, "text": "rash"}], [{"type": None, "text": "cough"}]]
    assert evaluate("anem", ["[fever] [headache]", "[cough]"], gold)["f1"].value == pytest.approx(2 / 3)
    relations = [[{"head": "aspirin", "relation": "inhibits", "tail": "COX-1"}]]
    assert evaluate("bc5cdr_re", ["[aspirin, inhibits, COX-1] [aspirin, causes, ulcer]"], relations)["f1"].value \
        == pytest.approx(2 / 3)
    ids = [[{"text": "p53", "id": "NCBIGene:7157"}, {"text": "BRCA1", "id": "NCBIGene:672"}]]
    assert evaluate("tmvar_v3_ned", ["[p53, NCBIGene:7157] [BRCA1, NCBIGene:999]"], ids)["f1"].value == 0.5


def test_medal_is_squad_normalized_exact_match() -> None:
    generations = ["<think>MI is...</think>The Myocardial Infarction.", "mitral insufficiency", ""]
    gold = ["myocardial infarction", "myocardial infarction", "mitral insufficiency"]
    result = evaluate("medal", generations, gold)["exact_match"]
    assert result.value == pytest.approx(1 / 3) and result.n_failed == 1


@pytest.mark.parametrize(("task", "prefix"), [("meds_diagnosis", "The diagnosis result is "),
                                              ("meds_treatment", "The treatment planning is: "),
                                              ("meds_information_extraction", "")])
def test_meds_free_text_tasks_score_containment_of_the_gold(task: str, prefix: str) -> None:
    generations = ["I think it is Acute Otitis Media.", "Answer: otitis", "acute otitis media, or GERD"]
    gold = [f"{prefix}acute otitis media.", f"{prefix}acute otitis media", f"{prefix}GERD"]
    assert evaluate(task, generations, gold)["accuracy"].value == pytest.approx(2 / 3)


def test_mlee_ee_scores_bracketed_events() -> None:
    generation = "[expression, Gene_expression, Theme: VEGF] [induces, Regulation, Theme: angiogenesis]"
    gold = [{"trigger": "expression", "type": "Gene_expression", "arguments": [{"role": "Theme", "text": "VEGF"}]},
            {"trigger": "induces", "type": "Positive_regulation",
             "arguments": [{"role": "Theme", "text": "angiogenesis"}]}]
    result = evaluate("mlee_ee", [generation], [gold])["f1"]
    assert result.value == pytest.approx(1 / 2)  # the second event has the wrong type, so its argument is wrong
    assert result.components["trigger_f1"] == pytest.approx(1 / 2)


def test_meds_ner_keeps_the_last_character_the_evaluator_cuts() -> None:
    """Section 5: gold "Homo sapiens, mice." against "mice, Homo sapiens." is 0 in MedS-Bench, 1 here."""
    gold = [[{"type": None, "text": "Homo sapiens"}, {"type": None, "text": "mice"}]]
    assert evaluate("meds_ner", ["mice, Homo sapiens."], gold)["f1"].value == 1.0
    compat = get_profile("meds_bench").methods["meds_ner"].metric()
    assert compat.compute(["mice, Homo sapiens."], ["Homo sapiens, mice."]).value == 0.0


SUMMARIES = ["The patient asks whether aspirin can be taken with ibuprofen.",
             "<think>long</think> Fever for three days.", "Mild cardiomegaly, no effusion."]
REFERENCES = ["Can I take aspirin and ibuprofen together?", "The child has had a fever for three days.",
              "Cardiomegaly without pleural effusion."]


def test_english_generation_tasks_equal_rouge_score_sacrebleu_and_nltk() -> None:
    import sacrebleu
    from rouge_score.rouge_scorer import RougeScorer

    report = evaluate("medqsum", SUMMARIES, REFERENCES)
    answers = [p.value for p in report.parsed]
    assert answers[1] == "Fever for three days."  # the reasoning block is not scored
    scorer = RougeScorer(["rougeL"])
    rouge = np.mean([scorer.score(r, a)["rougeL"].fmeasure for a, r in zip(answers, REFERENCES)])
    assert report["rouge"].value == pytest.approx(rouge, abs=1e-12)
    assert report["bleu"].value == pytest.approx(sacrebleu.corpus_bleu(answers, [REFERENCES]).score / 100, abs=1e-12)
    stemmed = RougeScorer(["rougeL"], use_stemmer=True)
    expected = np.mean([stemmed.score(r, a)["rougeL"].fmeasure for a, r in zip(answers, REFERENCES)])
    stemmed_report = evaluate("multi_xscience", SUMMARIES, REFERENCES, metrics=["rouge"])
    assert stemmed_report["rouge"].value == pytest.approx(expected)


@pytest.mark.skipif(not __import__("os").environ.get("CI"), reason="METEOR needs WordNet (installed in CI)")
def test_generation_tasks_report_meteor_with_its_defaults() -> None:
    """The task's METEOR is the ``meteor`` metric (itself tested against nltk) on the parsed answers."""
    from medmetrics import get_metric

    report = evaluate("concept_explanation", SUMMARIES, REFERENCES, metrics=["meteor"])
    answers = [p.value for p in report.parsed]
    ours = get_metric("meteor").compute(answers, REFERENCES)
    assert report["meteor"].value == pytest.approx(ours.value)
    assert 0 < report["meteor"].value < 1


def test_multilingual_tasks_tokenize_chinese() -> None:
    import sacrebleu

    predictions, references = ["患者发烧三天。", "The fever resolved."], ["患者发烧两天。", "The fever has resolved."]
    report = evaluate("paramed", predictions, references)
    assert report["bleu"].value == pytest.approx(
        sacrebleu.corpus_bleu(predictions, [references], tokenize="zh").score / 100, abs=1e-12)
    chinese = evaluate("rationale", predictions[:1], references[:1])["rouge"].value
    assert chinese == pytest.approx(5 / 6)  # 患 者 发 烧 天 。 of six characters each: LCS 5


# MedS-Bench rationale table (shared/fixtures/meds-ins/README.md): task -> (BLEU, ROUGE) x 100, exact in
# every language (BLEU in en/fr/ru/es with nltk's word_tokenize on NLTK's English Punkt, read locally).
LANGUAGES = {"task51": "zh", "task52": "en", "task53": "fr", "task54": "ja", "task55": "ru", "task56": "es"}
TABLE = {"task51": ("51.50", "35.35"), "task52": ("48.63", "38.22"), "task53": ("47.69", "39.24"),
         "task54": ("53.31", "36.83"), "task55": ("34.91", "23.71"), "task56": ("47.14", "36.42")}


def _rationale_run(task: str) -> TaskRun:
    with DATA.open(encoding="utf-8", newline="") as handle:
        rows = [r for r in csv.DictReader(handle) if r["task_id"] == task]
    return TaskRun("rationale", [r["output"] for r in rows], [r["GT"] for r in rows], source=task)


@pytest.mark.slow  # the MedS-Bench tables in full: CI runs it
@pytest.mark.parametrize("task", sorted(TABLE))
def test_meds_bench_rationale_compat_by_task_id_equals_the_table(task: str) -> None:
    """Given each row's task id (as Rationale.py's TASKID2LANG uses it), the compat metric picks the
    tokenizer from it and gives the same table."""
    run = _rationale_run(task)
    compat = get_profile("meds_bench").scorer(
        load_catalog(entry_points=False, strict=True).tasks.get("rationale").obj,
        TaskRun("rationale", run.generations, run.references, context=[{"task_id": task}] * len(run.references)))
    assert compat is not None
    assert (f"{100 * compat.components['bleu_1']:.2f}", f"{100 * compat.value:.2f}") == TABLE[task]


@pytest.mark.slow  # the MedS-Bench tables in full: CI runs it
@pytest.mark.parametrize("task", sorted(TABLE))
def test_meds_bench_profile_reproduces_the_rationale_table(task: str) -> None:
    catalog = load_catalog(entry_points=False, strict=True)
    suite = catalog.suites.get("meds_bench").obj
    result = score_suite(suite, {"rationale": _rationale_run(task)}, catalog=catalog, ci=False,
                         compat=get_profile("meds_bench").scorer, profile="meds_bench")
    rationale = next(t for t in result.tasks if t.task == "rationale")
    compat = rationale.compat
    assert compat is not None and compat.signature.startswith("compat:meds_bench|")
    assert (f"{100 * compat.components['bleu_1']:.2f}", f"{100 * compat.value:.2f}") == TABLE[task]
    assert rationale.result is not None and rationale.result.value != compat.value  # the correct ROUGE-L differs


@pytest.mark.slow  # the MedS-Bench tables in full: CI runs it
def test_meds_bench_table_through_the_command_line(capsys) -> None:
    code = cli.main(["score", "--suite", "meds_bench", str(DATA), "--prediction-field", "output",
                     "--reference-field", "GT", "--task-field", "task_id", "--task-map", "task54=rationale",
                     "--profile", "meds_bench", "--format", "json"])
    data = json.loads(capsys.readouterr().out)
    rationale = next(t for t in data["tasks"] if t["task"] == "rationale")
    assert code == 0 and f"{100 * rationale['compat']['value']:.2f}" == "36.83"
    assert f"{100 * rationale['compat']['components']['bleu_1']:.2f}" == "53.31"
    assert any("task51" in note for note in data["notes"])  # the other languages are named, not dropped


def test_pltrdy_rouge_case_of_section_5() -> None:
    """pltrdy ROUGE-L: "the cat the cat" against "the cat" is 1.0 (unique-word denominators)."""
    compat = get_profile("meds_bench").methods["medqsum"].metric()
    assert compat.compute(["the cat the cat"], ["the cat"]).value == pytest.approx(1.0, abs=1e-7)
    correct = evaluate("medqsum", ["the cat the cat"], ["the cat"], metrics=["rouge"])["rouge"].value
    assert correct == pytest.approx(2 * 0.5 * 1.0 / 1.5)  # rouge-score: LCS 2 of 4 predicted words


def test_ebm_pico_reads_biomistral_nlu_pico_lines_and_scores_them_token_level() -> None:
    """Issue 12: BioMistral-NLU answers EBM-PICO with "Participants: ... / Interventions: ... /
    Outcomes: ..." lines; they are found among the gold tokens and scored like tags."""
    tokens = ["Forty", "patients", "with", "type", "2", "diabetes", "received", "metformin", "or", "placebo", ";",
              "HbA1c", "was", "measured", "."]
    gold = ["O", "B-PAR", "I-PAR", "I-PAR", "I-PAR", "I-PAR", "O", "B-INT", "O", "B-INT", "O", "B-OUT", "O", "O", "O"]
    perfect = "Participants: patients with type 2 diabetes\nInterventions: metformin...placebo\nOutcomes: HbA1c"
    report = evaluate("ebm_pico", [perfect], [gold], context=[{"tokens": tokens}])
    assert report["f1"].value == 1.0 and report.parsed[0].rule == "typed-lines"
    missed = "Participants: patients with type 2 diabetes\nInterventions: metformin\nOutcomes: None"
    parsed = evaluate("ebm_pico", [missed], [gold], context=[{"tokens": tokens}]).parsed[0]
    assert parsed.value == [*gold[:9], "O", "O", "O", "O", "O", "O"]
    unfound = evaluate("ebm_pico", ["Participants: adults over 80"], [gold], context=[{"tokens": tokens}]).parsed[0]
    assert unfound.status == "partial" and "1 span(s) not found" in unfound.reason
