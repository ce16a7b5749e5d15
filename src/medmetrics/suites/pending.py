"""Suite members whose parsers or metrics arrive with the entity and generation work.

These are not registered as tasks. A suite asks for them lazily: when every parser and metric a
``Task`` below names is registered, the task is scored like any other; until then the suite
reports it as ``unavailable: needs parser X`` instead of failing or averaging it away. A string
instead of a ``Task`` says what is still undecided about the member.
"""

from __future__ import annotations

from collections.abc import Mapping

from medmetrics.tasks import Task

_STRICT_TEXT = {"f1": ("entity_f1", {"scheme": "strict", "match": "text"})}


def _spans(name: str, dataset: str, source: str) -> Task:
    """A BLURB/BLUE NER dataset in BioMistral-NLU's "Type: span...span" style; strict entity F1."""
    return Task(name=name, parser="labeled_spans", metrics=_STRICT_TEXT,
                description=f"{dataset} NER: strict entity-level F1 over the mentions.", source=source)


def _brackets(name: str, dataset: str, metric: str = "entity_f1") -> Task:
    """A MedINST32 test answered as "[entity] [entity]" (or relation / event tuples)."""
    metrics = _STRICT_TEXT if metric == "entity_f1" else {"f1": (metric, {})}
    return Task(name=name, parser="brackets", metrics=metrics,
                description=f"{dataset} (MedINST32), bracketed answers; {metric}.",
                source="MedINST32 evaluation.py 'entity' (per-document Counter F1); scored here as corpus F1.")


def _generation(name: str, dataset: str, metric: str, options: Mapping[str, object]) -> Task:
    return Task(name=name, parser="text", metrics={metric: (metric, dict(options))},
                description=f"{dataset}: free text scored with {metric}.", source="")


_BLURB = "BLURB: entity-level F1 (strict span match)."
_MEDS_GENERATION = {"bleu": {"variant": "meds_bench"}, "rouge": {"variant": "meds_bench"}}

PENDING: dict[str, Task | str] = {
    "bc2gm": _spans("bc2gm", "BC2GM gene", _BLURB),
    "bc5_chem": _spans("bc5_chem", "BC5CDR chemical", _BLURB + " BLUE eval_ner.py: strict offsets."),
    "bc5_disease": _spans("bc5_disease", "BC5CDR disease", _BLURB + " BLUE eval_ner.py: strict offsets."),
    "ncbi_disease": _spans("ncbi_disease", "NCBI-disease", _BLURB),
    "jnlpba": _spans("jnlpba", "JNLPBA", _BLURB),
    "ebm_pico": Task(name="ebm_pico", parser="labeled_spans", metrics={"f1": ("pico_token_f1", {})},
                     description="EBM PICO: token-level F1 per class, macro over P/I/O.",
                     source="BLURB: macro F1, word level (LinkBERT: I- rewritten to B-, seqeval per type)."),
    # MedINST32
    "medinst_ncbi_disease": Task(name="medinst_ncbi_disease", parser="bio", metrics={"f1": ("seqeval", {})},
                                 description="NCBI-disease as 'word [B]' tags (MedINST32): entity F1.",
                                 source="MedINST32 'bio' scores tags, not entities (compat reproduces it)."),
    "medinst_bc5cdr": Task(name="medinst_bc5cdr", parser="bio", metrics={"f1": ("seqeval", {})},
                           description="BC5CDR as 'word [B]' tags (MedINST32): entity F1.",
                           source="MedINST32 'bio' scores tags, not entities (compat reproduces it)."),
    **{name: _brackets(name, dataset) for name, dataset in (
        ("anem", "AnEM"), ("bionlp_2009", "BioNLP-2009"), ("bionlp_2011_ge", "BioNLP-2011-GE"),
        ("bionlp_2011_id", "BioNLP-2011-ID"), ("bionlp_2011_rel", "BioNLP-2011-REL"),
        ("bionlp_2013_cg", "BioNLP-2013-CG"), ("bionlp_2013_ge", "BioNLP-2013-GE"),
        ("bionlp_2013_gro", "BioNLP-2013-GRO"), ("bionlp_2013_pc", "BioNLP-2013-PC"), ("biored", "BioRED"),
        ("tmvar_v3", "tmVar-v3"), ("anem_coref", "AnEM-COREF"), ("mlee_coref", "MLEE-COREF"))},
    "tmvar_v3_ned": _brackets("tmvar_v3_ned", "tmVar-v3-NED", "ned"),
    **{name: _brackets(name, dataset, "relation_f1") for name, dataset in (
        ("anem_re", "AnEM-RE"), ("bc5cdr_re", "BC5CDR-RE"), ("bioinfer_re", "BioInfer-RE"),
        ("mlee_ee", "MLEE-EE"))},
    "medal": "needs a free-text exact-match parser (MeDAL answers with an expansion, not a label)",
    "meddialog": "needs MedDialog's label set (not in the released MedINST32 code)",
    "multi_xscience": _generation("multi_xscience", "Multi-XScience related work", "rouge", {}),
    "paramed": _generation("paramed", "ParaMed zh-en translation", "bleu", {}),
    # MedS-Bench
    "meds_ner": Task(name="meds_ner", parser="entity_list", metrics=_STRICT_TEXT,
                     description="MedS-Bench NER (task125-128): comma-separated entities; micro F1.",
                     source="MedS-Ins Metrics/NamedEntityRecognition.py (compat meds_bench reproduces its bugs)."),
    **{name: Task(name=name, parser="text",
                  metrics={m: (m, dict(o)) for m, o in _MEDS_GENERATION.items()},
                  description=f"MedS-Bench {what}: BLEU-1 / ROUGE-L as MedS-Bench computes them.",
                  source="MedS-Ins Metrics/utils.cal_similarity.")
       for name, what in (("medqsum", "summarization (MedQSum)"), ("rct_text", "summarization (RCT-Text)"),
                          ("mimic_cxr", "summarization (MIMIC-CXR)"), ("ultrasound", "summarization (Ultrasound)"),
                          ("concept_explanation", "concept explanation"), ("rationale", "rationale (MMedBench)"))},
    "meds_diagnosis": "needs a free-text containment metric (MedS-Bench scores diagnosis by substring)",
    "meds_treatment": "needs a free-text containment metric (MedS-Bench scores treatment by substring)",
    "meds_information_extraction": "needs a free-text containment metric (MedS-Bench IE is substring based)",
}
