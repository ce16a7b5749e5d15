"""Classification and regression tasks of BLURB, BLUE, MedQA and MedNLI.

Each task says which parser reads a generation and which metrics the benchmark reports,
with the definition written down where benchmarks disagree (see ``source``).
"""

from __future__ import annotations

from medmetrics.catalog.relation_names import CHEMPROT_NAMES, DDI_NAMES
from medmetrics.catalog.task import Task

HALLMARKS_OF_CANCER = (
    "sustaining proliferative signaling",
    "evading growth suppressors",
    "resisting cell death",
    "enabling replicative immortality",
    "inducing angiogenesis",
    "activating invasion and metastasis",
    "genomic instability and mutation",
    "tumor promoting inflammation",
    "cellular energetics",
    "avoiding immune destruction",
)
CHEMPROT_LABELS = ("CPR:3", "CPR:4", "CPR:5", "CPR:6", "CPR:9", "false")
DDI_LABELS = ("DDI-advise", "DDI-effect", "DDI-int", "DDI-mechanism", "DDI-false")
GAD_LABELS = ("yes", "no")
I2B2_2010_LABELS = ("PIP", "TeCP", "TeRP", "TrAP", "TrCP", "TrIP", "TrNAP", "TrWP", "false")
NLI_LABELS = ("entailment", "neutral", "contradiction")
YES_NO_MAYBE = ("yes", "no", "maybe")
CHEMPROT_SYNONYMS = CHEMPROT_NAMES  # the class names models write (catalog/relation_names.py)
DDI_SYNONYMS = DDI_NAMES


def _relation_f1(labels: tuple[str, ...], negative: str) -> dict[str, tuple[str, dict[str, object]]]:
    """BLURB's relation score: micro P/R/F1 over the positive classes; the negative one excluded."""
    return {"f1": ("f1", {"average": "micro", "labels": list(labels), "exclude": [negative]})}


TASKS = (
    Task(
        name="medqa",
        parser="choice",
        metrics={"accuracy": ("accuracy", {})},
        description="MedQA (USMLE) multiple choice: the letter of the answer; accuracy.",
        source="Jin et al. 2021; options are given per item as context (4 or 5).",
    ),
    Task(
        name="pubmedqa",
        parser="label",
        parser_options={"labels": list(YES_NO_MAYBE)},
        metrics={"accuracy": ("accuracy", {}),
                 "f1_macro": ("f1", {"average": "macro", "labels": list(YES_NO_MAYBE)})},
        description="PubMedQA reasoning-required: yes / no / maybe; accuracy and macro F1.",
        source="BLURB reports accuracy; the PubMedQA paper also reports macro F1.",
    ),
    Task(
        name="bioasq_yesno",
        parser="label",
        parser_options={"labels": ["yes", "no"]},
        metrics={"accuracy": ("accuracy", {})},
        description="BioASQ task B yes/no questions; accuracy.",
        source="BLURB: accuracy.",
    ),
    Task(
        name="mednli",
        parser="label",
        parser_options={"labels": list(NLI_LABELS)},
        metrics={"accuracy": ("accuracy", {})},
        description="MedNLI: entailment / neutral / contradiction; accuracy.",
        source="Romanov and Shivade 2018; BLUE: accuracy.",
    ),
    Task(
        name="chemprot",
        parser="label",
        parser_options={"labels": list(CHEMPROT_LABELS), "synonyms": CHEMPROT_SYNONYMS},
        metrics=_relation_f1(CHEMPROT_LABELS, "false"),
        description="ChemProt chemical-protein relations: micro F1 over CPR:3/4/5/6/9, 'false' excluded.",
        source="BLURB and BLUE eval_rel.py: micro F1 over the positive classes.",
    ),
    Task(
        name="ddi",
        parser="label",
        parser_options={"labels": list(DDI_LABELS), "synonyms": DDI_SYNONYMS},
        metrics=_relation_f1(DDI_LABELS, "DDI-false"),
        description="DDI-2013 drug-drug interactions: micro F1 over the four types, DDI-false excluded.",
        source="BLURB and BLUE eval_rel.py: micro F1 over the positive classes.",
    ),
    Task(
        name="gad",
        parser="label",
        parser_options={"labels": list(GAD_LABELS)},
        metrics=_relation_f1(GAD_LABELS, "no"),
        description="GAD gene-disease associations, yes / no: F1 of the positive class (micro, 'no' excluded).",
        source="BLURB: micro F1 with the negative class excluded (LinkBERT run_seqcls PRF1), which for one "
               "positive class is its F1.",
    ),
    Task(
        name="i2b2_2010",
        parser="label",
        parser_options={"labels": list(I2B2_2010_LABELS)},
        metrics=_relation_f1(I2B2_2010_LABELS, "false"),
        description="i2b2-2010 clinical relations (8 types): micro F1 over the positive classes, 'false' excluded.",
        source="BLUE eval_rel.py: micro F1 over the labels other than 'false'.",
    ),
    Task(
        name="hoc",
        parser="choices",
        parser_options={"options": list(HALLMARKS_OF_CANCER)},
        metrics={"f1": ("f1", {"average": "micro"}),
                 "f1_samples": ("f1", {"average": "samples"})},
        description="Hallmarks of Cancer, multi-label: micro F1 over (document, hallmark) pairs; per-sample F1.",
        source="BLURB 'average micro F1': micro over the document x label matrix as LinkBERT computes it "
               "; f1_samples is scikit-learn's per-document average (BLUE's example-based score is another).",
        reference_type="json",
    ),
    Task(
        name="biosses",
        parser="number",
        parser_options={"low": 0, "high": 4},
        metrics={"pearson": ("pearson", {})},
        description="BIOSSES sentence similarity 0-4: Pearson r against the continuous gold score.",
        source="BLURB and BLUE eval_sts.py: Pearson against the mean of the annotators' scores.",
        reference_type="float",
    ),
    Task(
        name="clinicalsts",
        parser="number",
        parser_options={"low": 0, "high": 5},
        metrics={"pearson": ("pearson", {})},
        description="n2c2-2019 ClinicalSTS clinical sentence similarity 0-5: Pearson r against the gold score.",
        source="n2c2/OHNLP 2019 Track 1 (Wang et al. 2020): Pearson correlation, the official measure.",
        reference_type="float",
    ),
)
