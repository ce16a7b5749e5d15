"""The built-in suites: BLURB, BLUE, MedINST32 and MedS-Bench.

Averaging (see ``medmetrics.catalog.suite``):

- ``blurb``: the mean of the six task-type means (NER, PICO, relation extraction, sentence
  similarity, document classification, QA), as BLURB defines its score (Gu et al. 2021). The
  BioMistral-NLU paper's "BLURB macro" is instead the mean over the 13 datasets (it reproduces
  Table 5 exactly: 62.38 for BioMistral-NLU, against 63.97 by task type); ``--suite-average tasks``
  or the ``biomistral_nlu`` compat profile gives that one.
- ``blue``: the mean over its eight datasets (BLUE's total, and BioMistral-NLU's "BLUE AVG").
- ``medinst32``: the mean over its tests; the released evaluator prints per-test numbers only,
  so this average is ours, and lower-is-better scores never enter it.
- ``meds_bench``: the mean of per-category means. MedS-Bench publishes one table per category;
  in summarization its "Avg." covers only the four primary tasks (MedQSum, RCT-Text, MIMIC-CXR,
  Ultrasound), which are the four this suite lists.
"""

from __future__ import annotations

from medmetrics.catalog.suite import Suite

SUITES = (
    Suite(
        name="blurb",
        groups={
            "ner": ("bc5_chem", "bc5_disease", "ncbi_disease", "bc2gm", "jnlpba"),
            "pico": ("ebm_pico",),
            "relation_extraction": ("chemprot", "ddi", "gad"),
            "sentence_similarity": ("biosses",),
            "document_classification": ("hoc",),
            "question_answering": ("pubmedqa", "bioasq_yesno"),
        },
        average="groups",
        description="BLURB (13 datasets, 6 task types): the mean of the task-type means.",
        source="Gu et al. 2021; BioMistral-NLU Table 5 averages over datasets instead (--suite-average tasks).",
    ),
    Suite(
        name="blue",
        groups={
            "ner": ("bc5_chem", "bc5_disease"),
            "relation_extraction": ("ddi", "chemprot", "i2b2_2010"),
            "document_classification": ("hoc",),
            "inference": ("mednli",),
            "sentence_similarity": ("biosses",),
        },
        average="tasks",
        description="BLUE as in BioMistral-NLU Table 5 (8 datasets): the mean over datasets.",
        source="Peng et al. 2019 (the ShARe/CLEFE and i2b2-2012 sets are not in BioMistral-NLU's table).",
    ),
    Suite(
        name="medinst32",
        groups={
            "qa": ("medinst_bioasq_yesno", "medinst_pubmedqa", "medqa"),
            "te": ("scifact", "mancon", "covert"),
            "ner": ("medinst_ncbi_disease", "medinst_bc5cdr", "anem", "bionlp_2009", "bionlp_2011_ge",
                    "bionlp_2011_id", "bionlp_2011_rel", "bionlp_2013_cg", "bionlp_2013_ge", "bionlp_2013_gro",
                    "bionlp_2013_pc", "biored", "tmvar_v3"),
            "txtclass": ("medinst_hoc", "meddialog"),
            "ned": ("medal", "tmvar_v3_ned"),
            "re": ("anem_re", "bc5cdr_re", "bioinfer_re"),
            "coref": ("anem_coref", "mlee_coref"),
            "sum": ("multi_xscience",),
            "ee": ("mlee_ee",),
            "sts": ("medinst_biosses",),
            "transl": ("paramed",),
        },
        average="tasks",
        description="MedINST32 (32 tests in 11 categories, as aialt/MedINST evaluation.py lists them).",
        source="Wang et al. 2024 (MedINST); the average over tests is ours (the evaluator prints none).",
    ),
    Suite(
        name="meds_bench",
        groups={
            "mcqa": ("medqa", "medmcqa", "pubmedqa", "mmedbench"),
            "summarization": ("medqsum", "rct_text", "mimic_cxr", "ultrasound"),
            "information_extraction": ("meds_information_extraction",),
            "concept_explanation": ("concept_explanation",),
            "rationale": ("rationale",),
            "ner": ("meds_ner",),
            "diagnosis": ("meds_diagnosis",),
            "treatment_planning": ("meds_treatment",),
            "clinical_outcome_prediction": ("clinical_outcome",),
            "text_classification": ("meds_hoc",),
            "fact_verification": ("healthfact",),
            "nli": ("mednli",),
        },
        average="groups",
        description="MedS-Bench (12 task categories): the mean of the category means.",
        source="Wu et al. 2024; the paper reports per-category tables, the across-category mean is ours.",
    ),
)
