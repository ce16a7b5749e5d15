"""NER, PICO, relation and linking tasks of BLURB, MedINST32 and MedS-Bench.

Definitions (notes/seed-evaluators.md sections 2-4):

- BLURB NER (BC5-chem, BC5-disease, NCBI-disease, BC2GM, JNLPBA): entity-level F1 with strict
  matching (same span, same type), micro over mentions, as BLUE's ``eval_ner.py`` and seqeval
  compute it. Generations are BioMistral-NLU's "Type: span...span" lines; mentions are matched
  by normalized text (``match="text"``), since a generation names spans, not offsets.
- BLURB PICO (EBM-NLP): token-level F1 per class, macro over P/I/O (``pico_token_f1``), from
  tags aligned to the gold tokens (the ``bio`` parser with per-item ``tokens``).
- MedINST32: bracketed answers scored as corpus-level F1 (the released evaluator averages a
  per-document F1 and scores an empty-against-empty document 0; ``medinst`` compat reproduces
  that); MLEE-EE events as trigger and argument F1 (``event_f1``); NCBI-disease and BC5CDR
  "word [B]" tags as entity-level seqeval F1 (the evaluator scores tags, not entities).
- MedS-Bench NER: comma-separated entity lists, micro F1 over the corpus (``meds_bench`` compat
  reproduces the evaluator's cut of the last character).
"""

from __future__ import annotations

from medmetrics.catalog.task import Task

#: strict entity-level F1 (same text, same type), micro over mentions
STRICT_BY_TEXT = {"f1": ("entity_f1", {"criterion": "strict", "match": "text"})}
JNLPBA_TYPES = ("DNA", "RNA", "cell line", "cell type", "protein")
PICO_CLASSES = ("PAR", "INT", "OUT")
_MEDINST_SOURCE = "MedINST32 evaluation.py 'entity' (per-document Counter F1, averaged); scored here as corpus F1."


def _blurb_ner(name: str, dataset: str, types: tuple[str, ...]) -> Task:
    return Task(
        name=name, parser="labeled_spans", parser_options={"types": list(types)},
        metrics={"f1": ("entity_f1", {"criterion": "strict", "match": "text", "types": list(types)})},
        description=f"{dataset} NER ({', '.join(types)}): strict entity-level micro F1.",
        source="BLURB: entity-level F1, strict span match (BLUE eval_ner.py; LinkBERT seqeval).",
    )


def _brackets(name: str, dataset: str, kind: str, metric: str) -> Task:
    # MedINST's bracketed mentions carry no type, so a run's typed gold is compared by span only
    options = {"criterion": "strict", "match": "text", "spans_only": True} if metric == "entity_f1" else {}
    return Task(name=name, parser="brackets", parser_options={"kind": kind}, metrics={"f1": (metric, options)},
                description=f"{dataset} (MedINST32): bracketed {kind}; {metric} micro over the corpus.",
                source=_MEDINST_SOURCE)


def _medinst_bio(name: str, dataset: str) -> Task:
    # "word [B]" tags carry no type, so a run's typed gold (B-Disease) is compared by span only
    return Task(name=name, parser="bio", metrics={"f1": ("seqeval", {"spans_only": True})},
                description=f"{dataset} as 'word [B]' tags (MedINST32): entity-level F1 (seqeval).",
                source="MedINST32 'bio' scores padded tag lists, not entities (compat medinst reproduces it).")


ENTITY_TASKS = (
    _blurb_ner("bc5_chem", "BC5CDR chemical", ("Chemical",)),
    _blurb_ner("bc5_disease", "BC5CDR disease", ("Disease",)),
    _blurb_ner("ncbi_disease", "NCBI-disease", ("Disease",)),
    _blurb_ner("bc2gm", "BC2GM gene", ("Gene",)),
    _blurb_ner("jnlpba", "JNLPBA", JNLPBA_TYPES),
    Task(
        name="ebm_pico", parser="bio", parser_options={"types": list(PICO_CLASSES)},
        metrics={"f1": ("pico_token_f1", {})},
        description="EBM-NLP PICO: token-level F1 per class, macro over participants, interventions, outcomes.",
        source="BLURB: macro F1, word level (LinkBERT rewrites I- to B- and averages seqeval per type).",
    ),
    _medinst_bio("medinst_ncbi_disease", "NCBI-disease"),
    _medinst_bio("medinst_bc5cdr", "BC5CDR"),
    *(_brackets(name, dataset, "entities", "entity_f1") for name, dataset in (
        ("anem", "AnEM"), ("bionlp_2009", "BioNLP-2009"), ("bionlp_2011_ge", "BioNLP-2011-GE"),
        ("bionlp_2011_id", "BioNLP-2011-ID"), ("bionlp_2011_rel", "BioNLP-2011-REL"),
        ("bionlp_2013_cg", "BioNLP-2013-CG"), ("bionlp_2013_ge", "BioNLP-2013-GE"),
        ("bionlp_2013_gro", "BioNLP-2013-GRO"), ("bionlp_2013_pc", "BioNLP-2013-PC"), ("biored", "BioRED"),
        ("tmvar_v3", "tmVar-v3"), ("anem_coref", "AnEM-COREF"), ("mlee_coref", "MLEE-COREF"))),
    _brackets("tmvar_v3_ned", "tmVar-v3-NED", "ids", "ned"),
    *(_brackets(name, dataset, "relations", "relation_f1") for name, dataset in (
        ("anem_re", "AnEM-RE"), ("bc5cdr_re", "BC5CDR-RE"), ("bioinfer_re", "BioInfer-RE"))),
    _brackets("mlee_ee", "MLEE-EE", "events", "event_f1"),
    Task(
        name="meds_ner", parser="entity_list", metrics=STRICT_BY_TEXT,
        description="MedS-Bench NER (task125-128): comma-separated entities; strict micro F1 by text.",
        source="MedS-Ins Metrics/NamedEntityRecognition.py (compat meds_bench reproduces its last-character cut).",
    ),
)
