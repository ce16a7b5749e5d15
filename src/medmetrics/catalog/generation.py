"""Free-text tasks of MedINST32 (SUM, TRANSL) and MedS-Bench (summarization, explanation, rationale).

The headline is ROUGE-L F (rouge-score's definition) for summaries and explanations and BLEU
(sacrebleu) for translation, with the other metrics beside it. Where a text may be Chinese or
Japanese (ParaMed, MMedBench rationales) ROUGE uses the ``unicode`` tokenizer (rouge-score's
drops every non-Latin character, so Chinese scores 0) and BLEU sacrebleu's ``zh`` tokenizer, and
METEOR, whose synonyms are English WordNet, is left out. BERTScore needs a local model, so it is
not a default: score it with the ``text`` parser and ``metrics={"bertscore": ...}``. What
MedS-Bench itself prints (BLEU-1 and pltrdy's ROUGE-L) is the ``meds_bench`` compat profile.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from medmetrics.catalog.task import Task

Metrics = dict[str, tuple[str, Mapping[str, Any]]]

ENGLISH: Metrics = {"rouge": ("rouge", {"rouge_type": "rougeL"}), "bleu": ("bleu", {}), "meteor": ("meteor", {})}
MULTILINGUAL: Metrics = {"rouge": ("rouge", {"rouge_type": "rougeL", "tokenize": "unicode"}),
                         "bleu": ("bleu", {"tokenize": "zh"})}
_MEDS_SOURCE = "MedS-Ins Metrics/utils.cal_similarity reports BLEU-1 and pltrdy ROUGE-L (compat meds_bench)."


def _task(name: str, what: str, metrics: Metrics, source: str, item_fields: tuple[str, ...] = ()) -> Task:
    return Task(name=name, parser="text", metrics=metrics,
                description=f"{what}: free text; {', '.join(metrics)}.", source=source, item_fields=item_fields)


GENERATION_TASKS = (
    _task("multi_xscience", "Multi-XScience related-work summarization (MedINST32 SUM)",
          {"rouge": ("rouge", {"rouge_type": "rougeL", "use_stemmer": True}), "bleu": ("bleu", {}),
           "meteor": ("meteor", {})},
          "MedINST32 evaluation.py: ROUGE-L F with the Porter stemmer, per item, averaged."),
    _task("paramed", "ParaMed Chinese-English translation (MedINST32 TRANSL)",
          {"bleu": ("bleu", {"tokenize": "zh"}), "rouge": MULTILINGUAL["rouge"]},
          "MedINST32 reports only ROUGE-L (0 on Chinese) and word F1; BLEU is the translation measure."),
    *(_task(name, f"MedS-Bench {what}", ENGLISH, _MEDS_SOURCE) for name, what in (
        ("medqsum", "summarization (MedQSum)"), ("rct_text", "summarization (RCT-Text)"),
        ("mimic_cxr", "summarization (MIMIC-CXR)"), ("ultrasound", "summarization (Ultrasound)"),
        ("concept_explanation", "concept explanation"))),
    # each item's MedS-Ins task id (task51..task56) or language picks the compat profile's tokenizer
    _task("rationale", "MedS-Bench rationale (MMedBench, six languages)", MULTILINGUAL, _MEDS_SOURCE,
          item_fields=("task_id", "language")),
)
