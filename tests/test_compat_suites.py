"""Compat profiles through the suite path: ``score --suite S RUN --profile P`` on runs that carry
structured gold (mention lists, tags, triples, events, scores, option letters) gives, on every
task the profile defines, the number the compat metric gives on the paper's own gold text, item
for item; and perfect output scores perfectly (issue #12, item 1)."""

from __future__ import annotations

import json
import math
from collections.abc import Mapping, Sequence
from dataclasses import replace
from pathlib import Path
from typing import Any

import numpy as np
import pytest

from medmetrics import cli
from medmetrics.catalog.classification import HALLMARKS_OF_CANCER
from medmetrics.errors import InputError
from medmetrics.inputs.adapters.base import Fields, load_run
from medmetrics.inputs.run import TaskRun
from medmetrics.metrics.compat import get_profile
from medmetrics.metrics.compat.gold import paper_references
from medmetrics.plugins import load_catalog

# An item: (generation, the run's structured gold, the paper's gold text written by hand, context).
Item = tuple[str, Any, Any, Mapping[str, Any]]
# A group: the context fields the run names (the CLI reads the same ones for every task of a run),
# and its tasks' items.
Group = tuple[tuple[str, ...], Mapping[str, Sequence[Item]]]

NO = {}  # no per-item context


# --- BioMistral-NLU (BLURB and BLUE) -----------------------------------------------------------

def _ner(kind: str, a: str, b: str, c: str) -> list[Item]:
    return [
        (f"{kind}: {a}...{c}", [{"type": kind, "text": a}, {"type": kind, "text": b}],
         f"{kind}: {a}...{b}", NO),
        (f"{kind}: None", [], f"{kind}: None", NO),
        (f"{kind}: {c.upper()}", [[kind, c], {"type": kind, "text": a}], f"{kind}: {c}...{a}", NO),
        ("I cannot tell.", [{"type": kind, "text": b}], f"{kind}: {b}", NO),
    ]


JNLPBA: list[Item] = [
    ("protein: IL-2...p53\nDNA: None\ncell type: T cells",
     [{"type": "protein", "text": "IL-2"}, {"type": "cell line", "text": "p53"},
      {"type": "cell type", "text": "T cells"}],
     "DNA: None\nRNA: None\ncell line: p53\ncell type: T cells\nprotein: IL-2", NO),
    ("DNA: None\nRNA: None\ncell line: None\ncell type: None\nprotein: NF-kappa B",
     [{"type": "protein", "text": "NF-kappa B"}, {"type": "DNA", "text": "kappa B site"}],
     "DNA: kappa B site\nRNA: None\ncell line: None\ncell type: None\nprotein: NF-kappa B", NO),
]

SOURCE = "Fever and rash, then fever again."
BC5_DISEASE: list[Item] = [  # grounded gold, listed out of order: written in document order
    ("Disease: fever...rash", [{"type": "Disease", "text": "rash", "start": 10, "end": 14},
                               {"type": "Disease", "text": "Fever", "start": 0, "end": 5},
                               {"type": "Disease", "text": "fever", "start": 21, "end": 26}],
     "Disease: Fever...rash...fever", {"source": SOURCE}),
    ("Disease: None", [], "Disease: None", {"source": "No disease here."}),
]

PICO_TOKENS = ["Adults", "with", "asthma", "received", "an", "inhaler", "for", "wheeze", "control"]
PICO_TAGS = ["I-PAR", "I-PAR", "I-PAR", "O", "O", "I-INT", "O", "I-OUT", "I-OUT"]
PICO: list[Item] = [
    (" ".join(f"{w} [{t}]" for w, t in zip(PICO_TOKENS, ["B-PAR", "O", "B-PAR", "O", "O", "B-INT", "O", "B-OUT", "O"])),
     PICO_TAGS, "Participants: Adults with asthma\nInterventions: inhaler\nOutcomes: wheeze control",
     {"tokens": PICO_TOKENS}),
    ("Participants: children...asthma\nInterventions: None\nOutcomes: None", ["I-PAR", "O", "B-PAR", "I-PAR"],
     "Participants: children...with asthma\nInterventions: None\nOutcomes: None",
     {"tokens": ["children", "and", "with", "asthma"]}),
]


def _labels(options: Sequence[str], golds: Sequence[str], answers: Sequence[str]) -> list[Item]:
    letter = {o: chr(ord("A") + i) for i, o in enumerate(options)}
    return [(answer, gold, f"({letter[gold]}) {gold}", NO) for gold, answer in zip(golds, answers)]


BIOMISTRAL: list[Group] = [
    ((), {
        "bc5_chem": _ner("Chemical", "aspirin", "naproxen", "heparin"),
        "ncbi_disease": _ner("Disease", "breast cancer", "ataxia", "fever"),
        "bc2gm": _ner("Gene", "BRCA1", "p53", "IL-2"),
        "jnlpba": JNLPBA,
        "chemprot": _labels(("CPR:3", "CPR:4", "CPR:5", "CPR:6", "CPR:9", "false"),
                            ["CPR:3", "CPR:4", "false", "CPR:9"], ["(A) CPR:3", "(A)", "(F) false", "CPR:9"]),
        "ddi": _labels(("DDI-advise", "DDI-effect", "DDI-int", "DDI-mechanism", "DDI-false"),
                       ["DDI-effect", "DDI-false", "DDI-advise"], ["(B) DDI-effect", "(E)", "(B)"]),
        "gad": _labels(("yes", "no"), ["yes", "no", "yes"], ["(A) yes", "(B) no", "no"]),
        "i2b2_2010": _labels(("PIP", "TeCP", "TeRP", "TrAP", "TrCP", "TrIP", "TrNAP", "TrWP", "false"),
                             ["TrAP", "false", "PIP"], ["(D) TrAP", "(I) false", "(B)"]),
        "pubmedqa": _labels(("yes", "no", "maybe"), ["yes", "no", "maybe"], ["(A) yes", "(b) No", "maybe"]),
        "bioasq_yesno": _labels(("yes", "no"), ["yes", "no"], ["(A) yes", "no"]),
        "mednli": _labels(("entailment", "neutral", "contradiction"), ["entailment", "contradiction"],
                          ["(A) entailment", "(B) neutral"]),
        "hoc": [("(G) genomic instability and mutation", ["G"], "(G) genomic instability and mutation", NO),
                ("None of them.", [], "", NO),
                ("(A) sustaining proliferative signaling", ["A", "E"],
                 "(A) sustaining proliferative signaling, (E) inducing angiogenesis", NO)],
        "biosses": [("(D) 3", 2.8, "(D) 3", NO), ("1", 0.6, "(B) 1", NO), ("(E) 4", 4.0, "(E) 4", NO),
                    ("(B) 1", 1.2, "(B) 1", NO)],
    }),
    (("source",), {"bc5_disease": BC5_DISEASE}),
    (("tokens",), {"ebm_pico": PICO}),
]

# --- MedINST32 -----------------------------------------------------------------------------------

ENTITIES: list[Item] = [
    ("[fever] [headache]", [{"type": None, "text": "fever"}, {"type": None, "text": "rash"}], "[fever] [rash]", NO),
    ("[IL-2] [T cells]", [{"type": None, "text": "IL-2"}, {"type": None, "text": "T-cells"}], "[IL-2] [T-cells]", NO),
    ("None", [], "", NO),
    ("[cough]", [{"type": None, "text": "cough"}], "[cough]", NO),
]
RELATIONS: list[Item] = [
    ("[aspirin, inhibits, COX-1] [aspirin, causes, ulcer]",
     [{"head": "aspirin", "relation": "inhibits", "tail": "COX-1"}], "[aspirin, inhibits, COX-1]", NO),
    ("[p53, binds, MDM2]", [["p53", "binds", "MDM2"], ["MDM2", "degrades", "p53"]],
     "[p53, binds, MDM2] [MDM2, degrades, p53]", NO),
]
IDS: list[Item] = [
    ("[p53, NCBIGene:7157] [BRCA1, NCBIGene:999]",
     [{"text": "p53", "id": "NCBIGene:7157"}, ["BRCA1", "NCBIGene:672"]],
     "[p53, NCBIGene:7157] [BRCA1, NCBIGene:672]", NO),
    ("[c.35G>A, rs121913529]", [{"text": "c.35G>A", "id": "rs121913529"}], "[c.35G>A, rs121913529]", NO),
]
EVENTS: list[Item] = [
    ("[expression, Gene_expression, Theme: VEGF] [induces, Regulation, Theme: angiogenesis]",
     [{"trigger": "expression", "type": "Gene_expression", "arguments": [{"role": "Theme", "text": "VEGF"}]},
      {"trigger": "induces", "type": "Positive_regulation", "arguments": [{"role": "Theme", "text": "angiogenesis"},
                                                                          {"role": "Cause", "text": "VEGF"}]}],
     "[expression, Gene_expression, Theme: VEGF] [induces, Positive_regulation, Theme: angiogenesis, Cause: VEGF]",
     NO),
    ("[growth, Growth]", [{"trigger": "growth", "type": "Growth", "arguments": []}], "[growth, Growth]", NO),
]
BIO: list[Item] = [
    ("Famial [B] breast [I] cancer [O]", ["B", "I", "I"], "Famial [B] breast [I] cancer [I]",
     {"tokens": ["Famial", "breast", "cancer"]}),
    ("no [O] disease [O] here [O] at [O]", ["O", "B-Disease", "O", "O"], "no [O] disease [B] here [O] at [O]",
     {"tokens": ["no", "disease", "here", "at"]}),
    ("ataxia [B] telangiectasia [I]", ["B-Disease", "I-Disease"], "ataxia [B] telangiectasia [I]",
     {"tokens": ["ataxia", "telangiectasia"]}),
]
MEDQA_OPTIONS = ["rash", "fever", "cough", "chest pain"]
MEDQA: list[Item] = [
    ("fever", "B", "fever", {"options": MEDQA_OPTIONS}),
    ("B", "B", "fever", {"options": MEDQA_OPTIONS}),
    ("The answer is cough.", "C", "cough", {"options": MEDQA_OPTIONS}),
    ("Chest pain", "D", "chest pain", {"options": MEDQA_OPTIONS}),
]


def _same(golds: Sequence[str], answers: Sequence[str]) -> list[Item]:
    return [(answer, gold, gold, NO) for gold, answer in zip(golds, answers)]


ENTITY_TASKS = ("anem", "bionlp_2009", "bionlp_2011_ge", "bionlp_2011_id", "bionlp_2011_rel", "bionlp_2013_cg",
                "bionlp_2013_ge", "bionlp_2013_gro", "bionlp_2013_pc", "biored", "tmvar_v3", "anem_coref",
                "mlee_coref")
TRANSLATIONS = [("The patient was given aspirin.", "The patient received aspirin.", "The patient received aspirin.",
                 NO),
                ("病人发烧。", "The patient has a fever.", "The patient has a fever.", NO)]
MEDINST: list[Group] = [
    ((), {
        **{t: ENTITIES for t in ENTITY_TASKS},
        **{t: RELATIONS for t in ("anem_re", "bc5cdr_re", "bioinfer_re")},
        "tmvar_v3_ned": IDS,
        "mlee_ee": EVENTS,
        **{t: TRANSLATIONS for t in ("multi_xscience", "paramed")},
        "medinst_bioasq_yesno": _same(["yes", "no", "yes"], ["Yes.", "no", "No"]),
        "medinst_pubmedqa": _same(["yes", "no", "maybe"], ["yes", "maybe", "maybe"]),
        "scifact": _same(["Supports", "Refutes", "Refutes"], ["Supports", "Maybe", "Refutes"]),
        "mancon": _same(["Neutral", "Refutes"], ["Neutral", "Supports"]),
        "covert": _same(["Supports", "Neutral"], ["supports.", "Neutral"]),
        "meddialog": _same(["patient", "doctor"], ["patient", "patient"]),
        "medal": _same(["myocardial infarction", "mitral insufficiency"], ["The Myocardial Infarction.", "MI"]),
        "medinst_hoc": [("inducing angiogenesis, resisting cell death", ["E", "C"],
                         "inducing angiogenesis, resisting cell death", NO),
                        ("cellular energetics", ["cellular energetics", "A"],
                         "cellular energetics, sustaining proliferative signaling", NO)],
        "medinst_biosses": [("3", 2.8, "3", NO), ("1", 1.0, "1", NO), ("2", "3", "3", NO), ("I think 1", 0.6, "1", NO),
                            ("2.5", 2.2, "2", NO)],
    }),
    (("tokens",), {"medinst_ncbi_disease": BIO, "medinst_bc5cdr": BIO}),
    (("options",), {"medqa": MEDQA}),
]

# --- MedS-Bench ----------------------------------------------------------------------------------

MEDS_NER: list[Item] = [
    ("mice, Homo sapiens.", [{"type": None, "text": "Homo sapiens"}, {"type": None, "text": "mice"}],
     "Homo sapiens, mice.", NO),
    ("There is no related enetity.", [], "There is no related enetity.", NO),
    ("E. coli, yeast.", [{"type": None, "text": "E. coli"}, {"type": None, "text": "yeast"}], "E. coli, yeast.", NO),
]
SUMMARIES = [("The patient asks whether aspirin can be taken with ibuprofen.",
              "Can I take aspirin and ibuprofen together?", "Can I take aspirin and ibuprofen together?", NO),
             ("Fever for three days.", "The child has had a fever for three days.",
              "The child has had a fever for three days.", NO)]
MEDS_BENCH: list[Group] = [
    ((), {
        "medqa": [("B. fever", "B", "The right answer is B: fever", NO),
                  ("Answer: C", "C", "The right answer is C.", NO)],
        "medmcqa": _same(["A", "D"], ["A", "(D)"]),
        "mmedbench": _same(["C", "B"], ["C", "b"]),
        "pubmedqa": _same(["yes", "maybe", "no"], ["yes", "maybe", "No."]),
        **{t: SUMMARIES for t in ("medqsum", "rct_text", "mimic_cxr", "ultrasound", "concept_explanation",
                                  "rationale")},
        "meds_information_extraction": _same(["age: 45", "Age: 45"], ['Age: "45"\nSex: F', "age 45."]),
        "meds_ner": MEDS_NER,
        "meds_diagnosis": _same(["The diagnosis result is no.", "The diagnosis result is GERD."],
                                ["Not sure: Pneumonia", "URTI"]),
        "meds_treatment": _same(["The treatment planning is: Surgery."], ["surgery, then radiation"]),
        "clinical_outcome": _same(["true", "false"], ["True", "true or false"]),
        "meds_hoc": [("inducing angiogenesis", ["E"], "inducing angiogenesis", NO),
                     ("not resisting cell death", [], "", NO),
                     ("cellular energetics; avoiding immune destruction", ["I", "J", "A"],
                      "cellular energetics, avoiding immune destruction, sustaining proliferative signaling", NO)],
        "healthfact": _same(["true", "mixture"], ["true\nbecause", "false"]),
        "mednli": _same(["entailment", "contradiction"], ["Entailment.", "neutral"]),
    }),
]

SUITES = {"biomistral_nlu": (("blurb", "blue"), BIOMISTRAL), "medinst": (("medinst32",), MEDINST),
          "meds_bench": (("meds_bench",), MEDS_BENCH)}


def _write(root: Path, context_fields: Sequence[str], tasks: Mapping[str, Sequence[Item]], perfect: bool) -> Path:
    root.mkdir(parents=True)
    for task, items in tasks.items():
        with (root / f"{task}.jsonl").open("w", encoding="utf-8") as out:
            for generation, structured, paper, context in items:
                record = {"generation": _perfect(task, paper, structured) if perfect else generation,
                          "reference": structured, **{k: context[k] for k in context_fields}}
                out.write(json.dumps(record) + "\n")
    return root


def _perfect(task: str, paper: Any, structured: Any) -> str:
    """A perfect answer: the paper's gold itself (a MedS-Bench MCQA answer is the letter)."""
    return structured if task in ("medmcqa", "mmedbench", "medqa") and paper.startswith("The right") else str(paper)


def _cli(capsys: pytest.CaptureFixture[str], suite: str, run: Path, profile: str, fields: Sequence[str]) -> dict:
    argv = ["score", "--suite", suite, str(run), "--profile", profile, "--format", "json"]
    for name in fields:
        argv += ["--context-field", name]
    code = cli.main(argv)
    out, err = capsys.readouterr()
    assert code == 0, err
    return {t["task"]: t for t in json.loads(out)["tasks"]}


def _same_value(a: float, b: float) -> bool:
    return (math.isnan(a) and math.isnan(b)) or a == pytest.approx(b, abs=1e-12)


@pytest.mark.parametrize("profile_name", sorted(SUITES))
def test_suite_compat_equals_compat_on_the_papers_gold(profile_name: str, tmp_path: Path, capsys) -> None:
    profile = get_profile(profile_name)
    catalog = load_catalog(entry_points=False, strict=True)
    suites, groups = SUITES[profile_name]
    covered: set[str] = set()
    for number, (fields, tasks) in enumerate(groups):
        run_dir = _write(tmp_path / f"run{number}", fields, tasks, perfect=False)
        runs = load_run(run_dir, fields=Fields(context={f: f for f in fields}))
        for suite in suites:
            listed = catalog.suites.get(suite).obj.tasks
            scored = _cli(capsys, suite, run_dir, profile_name, fields)
            for name in (t for t in tasks if t in listed):
                task, run = catalog.tasks.get(name).obj, runs[name]
                method = profile.methods[name]
                paper = replace(run, references=[item[2] for item in tasks[name]])
                expected_inputs = method.inputs(task, paper)  # the compat metric on the paper's gold, directly
                expected = method.metric().compute(*expected_inputs).value
                compat = scored[name]["compat"]
                assert compat is not None, name
                assert _same_value(compat["value"], expected), (name, compat["value"], expected)
                metric = method.metric()
                columns, rows = metric.item_stats(*profile.inputs(task, run))
                paper_columns, paper_rows = metric.item_stats(*expected_inputs)
                assert list(columns) == list(paper_columns), name
                np.testing.assert_allclose(rows, paper_rows, atol=1e-12, err_msg=name)  # item for item
                covered.add(name)
    defined = {t for suite in suites for t in catalog.suites.get(suite).obj.tasks if t in profile.methods}
    assert covered == defined  # every task of the suite the profile defines


PERFECT = {"medinst_biosses": 0.0}


@pytest.mark.parametrize("profile_name", sorted(SUITES))
def test_perfect_output_gets_the_perfect_compat_score(profile_name: str, tmp_path: Path, capsys) -> None:
    suites, groups = SUITES[profile_name]
    for number, (fields, tasks) in enumerate(groups):
        run_dir = _write(tmp_path / f"perfect{number}", fields, _perfect_items(tasks), perfect=True)
        for suite in suites:
            for name, task in _cli(capsys, suite, run_dir, profile_name, fields).items():
                if name in tasks and task["compat"] is not None:
                    assert task["compat"]["value"] == pytest.approx(PERFECT.get(name, 1.0), abs=1e-6), name


def _perfect_items(tasks: Mapping[str, Sequence[Item]]) -> dict[str, list[Item]]:
    """The items, less those where the evaluator cannot give full marks by design: MedINST's empty
    against empty entity lists (0), MedS-Bench's PubMedQA 'maybe' (never right); MedS-Bench's HoC
    has every hallmark present, its macro average covering all ten."""
    out: dict[str, list[Item]] = {}
    for name, items in tasks.items():
        kept = [i for i in items if not (i[1] == [] and name in ENTITY_TASKS) and i[1] != "maybe"]
        if name == "meds_hoc":
            kept = [("", list("ABCDEFGHIJ"), ", ".join(HALLMARKS_OF_CANCER), NO)]
        out[name] = kept
    return out


# --- the renderers on their own ------------------------------------------------------------------

def _render(kind: str, task: str, references: list[Any], context: Any = None) -> list[Any]:
    catalog = load_catalog(entry_points=False, strict=True)
    run = TaskRun(task, [""] * len(references), references, context, source="run/x.jsonl")
    return paper_references(kind, catalog.tasks.get(task).obj, run, "test")


def test_renderers_write_each_papers_gold() -> None:
    heart = {"type": "Anatomy", "text": "heart", "start": 10, "end": 15}
    assert _render("brackets", "anem", [[heart, ("Anatomy", 0, 5)]], [{"source": "Liver and heart"}]) == \
        ["[Liver, Anatomy] [heart, Anatomy]"]  # with offsets, in text order
    assert _render("integer_score", "medinst_biosses", [2.8, "1.0", 4, "(C) 2"]) == ["3", "1", "4", "(C) 2"]
    assert _render("bio_tags", "medinst_bc5cdr", [["B-Chemical", "O"]]) == ["[B] [O]"]
    assert _render("entity_list", "meds_ner", [[], [["x", "a"], {"text": "b"}]]) == \
        ["There is no related enetity.", "a, b."]
    assert _render("label_list", "medinst_hoc", ['["E", "C"]']) == ["inducing angiogenesis, resisting cell death"]
    assert _render("answer_text", "medqa", ["(b)", "rash"], {"options": ["rash", "fever"]}) == ["fever", "rash"]
    assert _render("labeled_spans", "jnlpba", ["protein: p53"]) == ["protein: p53"]  # the paper's text stays


@pytest.mark.parametrize(("kind", "task", "references", "context", "says"), [
    ("answer_text", "medqa", ["B"], None, "'options'"),
    ("answer_text", "medqa", ["E"], {"options": ["a", "b"]}, "not one of"),
    ("labeled_spans", "jnlpba", [[{"type": "Drug", "text": "x"}]], None, "does not declare"),
    ("labeled_spans", "jnlpba", [[{"type": None, "text": "x"}]], None, "no type"),
    ("labeled_spans", "bc5_chem", [[("Chemical", 0, 3)]], None, "'source'"),
    ("bio_tags", "medinst_ncbi_disease", [["B", "E-Disease"]], None, "not B, I or O"),
    ("pico_lines", "ebm_pico", [["I-PAR"]], None, "'tokens'"),
    ("integer_score", "medinst_biosses", [7.5], None, "outside"),
    ("brackets", "bc5cdr_re", [[{"head": "a", "tail": "b"}]], None, "relation"),
])
def test_a_gold_that_cannot_be_written_is_an_error_naming_the_task(kind, task, references, context, says) -> None:
    with pytest.raises(InputError, match=f"task {task!r} \\(run/x.jsonl\\), reference 1: compat profile 'test'") as err:
        _render(kind, task, references, context)
    assert says in str(err.value)


def test_the_cli_names_the_task_whose_gold_cannot_be_written(tmp_path: Path, capsys) -> None:
    run_dir = tmp_path / "run"
    run_dir.mkdir()
    (run_dir / "medqa.jsonl").write_text(json.dumps({"generation": "fever", "reference": "B"}) + "\n")
    code = cli.main(["score", "--suite", "medinst32", str(run_dir), "--profile", "medinst"])
    _, err = capsys.readouterr()
    assert code == 2 and "task 'medqa'" in err and "'options'" in err


def test_rationale_task_id_travels_through_the_suite_path(tmp_path: Path, capsys) -> None:
    """Each rationale item's MedS-Ins task id picks the evaluator's tokenizer on the CLI suite path
    too: the ``rationale`` task declares ``task_id`` (and ``language``) as item fields, which the run
    keeps for the compat profile and the ``text`` parser never sees. Japanese written in kanji
    alone is Chinese by its script, so only the task id gives the evaluator's ``ja`` tokenizer."""
    items = [("高血圧症治療薬投与開始", "高血圧症治療薬継続投与", "task54"),
             ("糖尿病合併症予防", "糖尿病合併症早期予防", "task54"),
             ("La fièvre est due à une infection.", "La fièvre vient d'une infection.", "task53")]
    run_dir = tmp_path / "run"
    run_dir.mkdir()
    with (run_dir / "rationale.jsonl").open("w", encoding="utf-8") as out:
        for generation, reference, task_id in items:
            record = {"generation": generation, "reference": reference, "context": {"task_id": task_id}}
            out.write(json.dumps(record, ensure_ascii=False) + "\n")
    scored = _cli(capsys, "meds_bench", run_dir, "meds_bench", ())["rationale"]
    assert scored["status"] == "scored" and scored["result"]["n_failed"] == 0
    method = get_profile("meds_bench").methods["rationale"]
    generations = [g for g, _, _ in items]
    by_task_id = method.metric().compute(generations, [("ja", r) if t == "task54" else ("fr", r)
                                                       for _, r, t in items]).value
    by_script = method.metric().compute(generations, [("zh", r) if t == "task54" else ("fr", r)
                                                      for _, r, t in items]).value
    assert by_task_id != by_script  # the example tells the two rules apart
    assert _same_value(scored["compat"]["value"], by_task_id)


def test_an_item_field_of_another_task_is_still_an_error(tmp_path: Path, capsys) -> None:
    """Only the task that declares ``task_id`` keeps it: elsewhere an unknown context key is the
    parser's error, as before (nothing the run gives is silently dropped)."""
    run_dir = tmp_path / "run"
    run_dir.mkdir()
    record = {"generation": "A summary.", "reference": "A summary.", "context": {"task_id": "task52"}}
    (run_dir / "medqsum.jsonl").write_text(json.dumps(record) + "\n", encoding="utf-8")
    code = cli.main(["score", "--suite", "meds_bench", str(run_dir)])
    _, err = capsys.readouterr()
    assert code != 0 and "task_id" in err and "medqsum" in err
