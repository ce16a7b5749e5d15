"""MedS-Bench's released evaluator (MAGIC-AI4Med/MedS-Ins ``Metrics/`` @185cfc0).

Reproduced, bugs included (notes/seed-evaluators.md section 3):

- MCQA (``MCQA.py``, with its missing import fixed): lowercase, drop "the right answer is",
  strip, then compare **first characters** only, when both are in ``abcd`` (``yn`` for PubMedQA,
  task123); anything else is wrong. So "Answer: B" reads as A, option E and the gold "maybe"
  can never be right. An empty output (an IndexError in the script) is scored wrong.
- NLI (task41): ``gt.replace('.', '').strip().lower() in output.lower()``.
- Fact verification: the lowercased gold with '.' removed from the gold only, found in the
  first line of the lowercased output.
- Diagnosis and treatment planning (task131): the gold with '.' and "The diagnosis result is" /
  "The treatment planning is:" removed, stripped and lowercased, found in the lowercased output.
- Information extraction (task1, 2, 3, 29, 74): both lowercased and stripped, quotes and newlines
  removed; the gold found in the output.
- Clinical outcome: 'true' in the output and 'false' not (or the reverse), against the gold.
- HoC (task106): a hallmark is predicted when its lowercase name occurs anywhere (negations
  count); scikit-learn macro F1 over the ten hallmarks, zero_division 0.
- NER (task125-128): gold and prediction lowercased, '.' removed, the sentinel "there is no
  related enetity" (sic) is the empty set, else ``text[:-1].split(", ")``, which **cuts the
  last character of the last entity**; sets, micro P/R/F1 over the corpus. Structured gold (a
  mention list) is written first as the released gold, ``e1, e2.`` or the no-entity sentence
  (``medmetrics.compat.gold``, ``entity_list``), so the cut falls where it falls on that gold.
- Generation (summarization, concept explanation, rationale; ``utils.cal_similarity``): "ROUGE"
  is pltrdy's ROUGE-L F (``meds_bench_rouge``, the compat value) and "BLEU" nltk's BLEU-1
  (``meds_bench_bleu``, the component ``bleu_1``), both item means. The evaluator picks the
  tokenizer by task id; a run here may mix languages, so each item's language is read from its
  reference: kana means Japanese (janome), other CJK ideographs Chinese (jieba), anything else
  nltk's ``word_tokenize`` (which MedS-Bench calls with English Punkt for every other language).
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from typing import Any, ClassVar

import numpy as np

from medmetrics.compat import Method, Profile, generations, option_texts
from medmetrics.compat.base import CompatMetric, ItemMean, KeyedCounts, MacroF1
from medmetrics.metrics.base import Metric, Table, ratio
from medmetrics.suites.classification import HALLMARKS_OF_CANCER
from medmetrics.suites.scoring import TaskRun
from medmetrics.tasks import Task

PROFILE = "meds_bench"


class FirstCharacter(ItemMean):
    """``MCQA.py``: the first character of answer and gold, when both are allowed letters."""

    name = "meds_bench_mcqa"
    profile = PROFILE
    defaults: ClassVar[Mapping[str, Any]] = {"letters": "abcd"}

    def item_score(self, prediction: Any, reference: Any) -> float:
        predicted = str(prediction).lower().replace("the right answer is", "").strip()
        gold = str(reference).lower().replace("the right answer is", "").strip()
        letters = self.options["letters"]
        if predicted and gold and predicted[0] in letters and gold[0] in letters:
            return float(predicted[0] == gold[0])
        return 0.0


class GoldInOutput(ItemMean):
    """NLI, diagnosis, treatment: the gold, without periods (and ``gold_phrase``) and lowercased,
    is a substring of the lowercased output; an empty gold is found in any output."""

    name = "meds_bench_substring"
    profile = PROFILE
    defaults: ClassVar[Mapping[str, Any]] = {"first_line": False, "gold_phrase": ""}

    def item_score(self, prediction: Any, reference: Any) -> float:
        output = str(prediction).lower()
        if self.options["first_line"]:
            output = output.split("\n")[0]
        gold = str(reference).replace(".", "").replace(self.options["gold_phrase"], "")
        return float(gold.strip().lower() in output)


class QuotesRemovedInOutput(ItemMean):
    """``InformationExtraction.py``: both sides lowercased, stripped, quotes and newlines removed; substring."""

    name = "meds_bench_ie_substring"
    profile = PROFILE

    def item_score(self, prediction: Any, reference: Any) -> float:
        output, gold = (re.sub("[\"'\n]", "", str(text).lower().strip()) for text in (prediction, reference))
        return float(gold in output)


class TrueFalse(ItemMean):
    """Clinical outcome: 'true' without 'false' reads true, 'false' without 'true' reads false."""

    name = "meds_bench_true_false"
    profile = PROFILE

    def item_score(self, prediction: Any, reference: Any) -> float:
        output, gold = str(prediction).lower(), str(reference).lower().strip(" .")
        if "true" in output and "false" not in output:
            return float(gold == "true")
        if "false" in output and "true" not in output:
            return float(gold == "false")
        return 0.0


class HallmarkMacroF1(MacroF1):
    """``TextClassification.py``: substring presence of each hallmark; macro over all ten."""

    name = "meds_bench_hoc"
    profile = PROFILE

    def pair(self, prediction: Any, reference: Any) -> tuple[set[str], set[str]]:
        gold = set(option_texts(reference, HALLMARKS_OF_CANCER)) if isinstance(reference, (list, tuple)) else \
            {h for h in HALLMARKS_OF_CANCER if h in str(reference).lower()}
        return {g.lower() for g in gold}, {h for h in HALLMARKS_OF_CANCER if h in str(prediction).lower()}

    def labels(self, gold: set[str], predicted: set[str]) -> list[str]:
        return list(HALLMARKS_OF_CANCER)


def ner_entities(text: str) -> set[str]:
    """``NamedEntityRecognition.py``'s reading, last-character cut included."""
    text = text.replace(".", "").strip().lower()
    return set() if text == "there is no related enetity" else set(text[:-1].split(", "))


class NerMicroF1(KeyedCounts):
    """NER: entity sets per item, micro over the corpus."""

    name = "meds_bench_ner"
    profile = PROFILE

    def item_counts(self, prediction: Any, reference: Any) -> Mapping[str, tuple[int, int, int]]:
        gold, predicted = ner_entities(str(reference)), ner_entities(str(prediction))
        return {"entity": (len(gold), len(predicted), len(gold & predicted))}


_KANA = re.compile(r"[\u3040-\u30ff]")
_IDEOGRAPH = re.compile(r"[\u4e00-\u9fff]")


def text_language(text: str) -> str:
    """The tokenizer MedS-Bench would have used for this text: ``ja``, ``zh`` or ``en``."""
    return "ja" if _KANA.search(text) else "zh" if _IDEOGRAPH.search(text) else "en"


class Similarity(CompatMetric):
    """``cal_similarity``: pltrdy ROUGE-L F and nltk BLEU-1 per item, averaged; language per item."""

    name = "meds_bench_similarity"
    profile = PROFILE
    primary = "rouge_l_f"
    _parts: ClassVar[Mapping[str, tuple[str, str]]] = {"rouge_l_f": ("meds_bench_rouge", "rouge_l_f"),
                                                       "bleu_1": ("meds_bench_bleu", "bleu_1_item")}

    def item_stats(self, predictions: Sequence[Any], references: Sequence[Any]) -> tuple[Sequence[str], np.ndarray]:
        from medmetrics.api import get_metric

        rows = np.zeros((len(references), len(self._parts)))
        languages = [text_language(str(r)) for r in references]
        for language in sorted(set(languages)):
            where = [i for i, lang in enumerate(languages) if lang == language]
            for j, (metric, column) in enumerate(self._parts.values()):
                built: Metric = get_metric(metric, language=language)
                columns, stats = built.item_stats([predictions[i] for i in where], [references[i] for i in where])
                rows[where, j] = stats[:, list(columns).index(column)]
        return tuple(self._parts), rows

    def from_totals(self, totals: Table, present: Table) -> dict[str, np.ndarray]:
        return {name: ratio(totals[name], totals["n"], float("nan")) for name in self._parts}


GENERATION_TASKS = ("medqsum", "rct_text", "mimic_cxr", "ultrasound", "concept_explanation", "rationale")


def _letter_reference(task: Task, run: TaskRun) -> tuple[list[str], list[str]]:
    return list(run.generations), [str(r) for r in run.references]


DEFINITION = Profile(
    name=PROFILE,
    description="MAGIC-AI4Med/MedS-Ins Metrics/ @185cfc0: first-character MCQA, substring accuracy, NER cut",
    methods={
        **{t: Method(FirstCharacter, _letter_reference) for t in ("medqa", "medmcqa", "mmedbench")},
        "pubmedqa": Method(lambda: FirstCharacter(letters="yn"), _letter_reference),
        "mednli": Method(GoldInOutput),
        "healthfact": Method(lambda: GoldInOutput(first_line=True)),
        "clinical_outcome": Method(TrueFalse),
        "meds_diagnosis": Method(lambda: GoldInOutput(gold_phrase="The diagnosis result is")),
        "meds_treatment": Method(lambda: GoldInOutput(gold_phrase="The treatment planning is:")),
        "meds_information_extraction": Method(QuotesRemovedInOutput),
        "meds_hoc": Method(HallmarkMacroF1, generations),
        "meds_ner": Method(NerMicroF1, gold="entity_list"),
        **{t: Method(Similarity) for t in GENERATION_TASKS},
    },
)
