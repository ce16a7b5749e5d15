"""MedINST32 and MedS-Bench tasks answered with a label, an option or a short free-text answer.

Each task scores what its benchmark means to measure, correctly; what the paper's released
evaluator computes instead (bugs included) is the business of ``medmetrics.metrics.compat``.

- MedINST32 (aialt/MedINST ``evaluation.py``): yes/no, PubMedQA, claim-verification (TE) and
  MedDialog (speaker of an utterance) tests report macro F1 over the label set; Hallmarks of Cancer
  the per-document (example-based) F1; MedQA exact match of the answer; MeDAL SQuAD-normalized exact
  match of the expansion. BIOSSES is asked for as an integer from 0 to 5 (we read any number, so
  "2.5" is 2.5, not a failure); the released evaluator computes a mean squared error with a
  penalty, we report Pearson's r (the measure of every STS benchmark), and ``medinst`` compat
  reproduces the MSE.
- MedS-Bench (MAGIC-AI4Med/MedS-Ins ``Metrics/``): multiple choice and NLI report accuracy; HoC
  (task106) macro F1 over the ten hallmarks; fact verification and clinical outcome prediction
  accuracy over their label sets. Diagnosis (DDXPlus), treatment planning (SEER) and information
  extraction report accuracy; the released scripts count an answer right when the gold text
  occurs in it, which ``normalized_match`` with ``match="contains"`` scores (as whole words).
"""

from __future__ import annotations

from medmetrics.catalog.classification import HALLMARKS_OF_CANCER, YES_NO_MAYBE
from medmetrics.catalog.task import Task

CLAIM_LABELS = ("Supports", "Refutes", "Neutral")
HEALTHFACT_LABELS = ("true", "false", "mixture", "unproven")
#: BigBio's text-classification view of MedDialog labels each utterance with its speaker
MEDDIALOG_SPEAKERS = ("patient", "doctor")


def _containment(name: str, what: str, source: str, prefixes: tuple[str, ...] = ()) -> Task:
    """A MedS-Bench task scored by whether the (normalized) gold answer occurs in the generation."""
    return Task(
        name=name, parser="text",
        metrics={"accuracy": ("normalized_match", {"match": "contains", "reference_prefixes": list(prefixes)})},
        description=f"MedS-Bench {what}: free text; accuracy, right when the gold answer occurs in it as words.",
        source=source,
    )


def _macro_f1(labels: tuple[str, ...]) -> dict[str, tuple[str, dict[str, object]]]:
    """MedINST's ``label_level_f1``: macro F1 over the label set (plus accuracy, for reference)."""
    return {"f1_macro": ("f1", {"average": "macro", "labels": list(labels)}), "accuracy": ("accuracy", {})}


def _claim_task(name: str, dataset: str) -> Task:
    return Task(
        name=name, parser="label", parser_options={"labels": list(CLAIM_LABELS)}, metrics=_macro_f1(CLAIM_LABELS),
        description=f"{dataset} claim verification (MedINST32 TE): Supports / Refutes / Neutral; macro F1.",
        source="MedINST32 evaluation.py 'cls': macro F1 over the labels.",
    )


MEDINST_TASKS = (
    Task(
        name="medinst_bioasq_yesno", parser="label", parser_options={"labels": ["yes", "no"]},
        metrics=_macro_f1(("yes", "no")),
        description="BioASQ-Task-B-yesno as MedINST32 scores it: macro F1 over yes / no.",
        source="MedINST32 evaluation.py 'cls'.",
    ),
    Task(
        name="medinst_pubmedqa", parser="label", parser_options={"labels": list(YES_NO_MAYBE)},
        metrics=_macro_f1(YES_NO_MAYBE),
        description="PubMedQA-labeled as MedINST32 scores it: macro F1 over yes / no / maybe.",
        source="MedINST32 evaluation.py 'cls'.",
    ),
    _claim_task("scifact", "SciFact"),
    _claim_task("mancon", "ManConCorpus"),
    _claim_task("covert", "CoVERt"),
    Task(
        name="meddialog", parser="label", parser_options={"labels": list(MEDDIALOG_SPEAKERS)},
        metrics=_macro_f1(MEDDIALOG_SPEAKERS),
        description="MedDialog (MedINST32 TXTCLASS): who says this utterance, patient or doctor; macro F1.",
        source="BigBio meddialog_en_bigbio_text (MedINST32's source): each utterance labelled with its speaker; "
               "MedINST32 evaluation.py 'cls'.",
    ),
    Task(
        name="medinst_hoc", parser="choices", parser_options={"options": list(HALLMARKS_OF_CANCER)},
        metrics={"f1_samples": ("f1", {"average": "samples"}), "f1": ("f1", {"average": "micro"})},
        description="Hallmarks of Cancer as MedINST32 scores it: per-document F1, averaged over documents.",
        source="MedINST32 evaluation.py 'multicls': Counter F1 per sample, averaged (example-based).",
        reference_type="json",
    ),
    Task(
        name="medal", parser="text", metrics={"exact_match": ("normalized_match", {"match": "exact"})},
        description="MeDAL abbreviation expansion (MedINST32 NED): SQuAD-normalized exact match of the expansion.",
        source="MedINST32 evaluation.py 'em': normalize_answer on both sides, exact match, averaged.",
    ),
    Task(
        name="medinst_biosses", parser="number", parser_options={"low": 0, "high": 5},
        metrics={"pearson": ("pearson", {})},
        description="BIOSSES as MedINST32 asks for it (0-5; a decimal answer counts as written): Pearson's r "
                    "against the gold score.",
        source="MedINST32 asks for 0-5 and reports MSE with a penalty; Pearson is the STS measure "
               "(compat profile medinst reproduces the MSE).",
        reference_type="float",
    ),
)

MEDS_BENCH_TASKS = (
    Task(
        name="medmcqa", parser="choice", metrics={"accuracy": ("accuracy", {})},
        description="MedMCQA multiple choice (4 options, given per item as context); accuracy.",
        source="Pal et al. 2022; MedS-Bench MCQA.",
    ),
    Task(
        name="mmedbench", parser="choice", metrics={"accuracy": ("accuracy", {})},
        description="MMedBench multilingual multiple choice (options per item as context); accuracy.",
        source="Qiu et al. 2024; MedS-Bench MCQA.",
    ),
    Task(
        name="meds_hoc", parser="choices", parser_options={"options": list(HALLMARKS_OF_CANCER)},
        metrics={"f1_macro": ("f1", {"average": "macro", "labels": list("ABCDEFGHIJ")})},  # the options' letters
        description="Hallmarks of Cancer as MedS-Bench scores it (task106): macro F1 over the ten hallmarks.",
        source="MedS-Ins Metrics/TextClassification.py: macro over the 10 labels, instance level.",
        reference_type="json",
    ),
    Task(
        name="healthfact", parser="label", parser_options={"labels": list(HEALTHFACT_LABELS)},
        metrics={"accuracy": ("accuracy", {})},
        description="PUBHEALTH / HealthFact verification: true / false / mixture / unproven; accuracy.",
        source="MedS-Bench fact verification (task16).",
    ),
    Task(
        name="clinical_outcome", parser="label", parser_options={"labels": ["true", "false"]},
        metrics={"accuracy": ("accuracy", {})},
        description="MedS-Bench clinical outcome prediction: true / false; accuracy.",
        source="MedS-Ins Metrics: 'true' in the output and 'false' not (or the reverse); accuracy.",
    ),
    _containment("meds_diagnosis", "diagnosis (DDXPlus)",
                 "MedS-Ins Metrics: strips 'The diagnosis result is' from the gold, then a substring test.",
                 ("The diagnosis result is",)),
    _containment("meds_treatment", "treatment planning (SEER, task131)",
                 "MedS-Ins Metrics: strips 'The treatment planning is:' from the gold, then a substring test.",
                 ("The treatment planning is",)),
    _containment("meds_information_extraction", "information extraction (PICO, ADE, PMC-Patients)",
                 "MedS-Ins Metrics (task1, 2, 3, 29, 74): substring test after removing quotes and newlines."),
)
