"""BioMistral-NLU's released evaluator (uw-bionlp/BioMistral-NLU ``evaluation.py`` @56bfcee).

Reproduced, bugs included (notes/seed-evaluators.md section 1):

- the raw generation is cleaned as the script does: ``<|assistant|>`` and then *every*
  ``assistant`` substring removed, ``[SEP]`` turned into ``...``;
- options are read by ``read_options``: the first option, in option order, whose literal
  ``(A)``.. ``(M)`` occurs anywhere wins, and output with none of them is option A;
- QA / NLI (PubMedQA, BioASQ, MedNLI): correct when the whole reference option, ``(b) no``,
  occurs in the lowercased generation;
- classification / relation extraction: per-class gold / predicted / matched counts keyed
  ``type,option``; the "Overall" row is micro over the keys that do not match the script's
  exclusion patterns (``,no,``, ``,not mentioned,``, ``not related to``, ``cannot be``, ``can
  not be``, ``none,``) and that have gold items (a class without gold drops its false positives);
- HoC: every option whose ``(X)`` occurs is predicted; micro over the options;
- BIOSSES: ``read_options`` on options ``0``..``5`` for both sides, then Pearson's r (the script
  prints it times 100) against the *integer* gold.

The option texts are the item's ``options`` context when the run has them (the wording decides
what the exclusion patterns drop, as in the script), else the task's label set in its order. A
reference that is a plain label is written as the script's gold option, ``(B) no``.
"""

from __future__ import annotations

import functools
import string
from collections.abc import Mapping, Sequence
from typing import Any, ClassVar

from medmetrics.compat import Method, Profile, item_context, option_texts
from medmetrics.compat.base import ItemMean, KeyedCounts
from medmetrics.metrics.correlation import Pearson
from medmetrics.suites.scoring import TaskRun
from medmetrics.tasks import Task

PROFILE = "biomistral_nlu"
LETTERS = string.ascii_uppercase[:13]  # the script's ``chars``: (A) .. (M)
EXCLUDED = (",no,", ",not mentioned,", "not related to", "cannot be", "can not be", "none,")


def clean(generation: str) -> str:
    """The script's clean-up of a vLLM generation (it deletes 'assistant' anywhere)."""
    return generation.replace("<|assistant|>\n", "").replace("assistant", "").strip().replace("[SEP]", "...")


def read_options(options: Sequence[str], output: str) -> str:
    """The first option whose ``(X)`` occurs in ``output``; option A when none does."""
    for letter, option in zip(LETTERS, options):
        if f"({letter})" in output:
            return option
    return options[0]


def as_option(reference: Any, options: Sequence[str]) -> str:
    """A gold label as the script's gold text, ``(B) no``; a reference that has a ``(X)`` stays."""
    text = str(reference)
    if any(f"({letter})" in text for letter in LETTERS[:len(options)]):
        return text
    for letter, option in zip(LETTERS, options):
        if option.lower() == text.lower():
            return f"({letter}) {option}"
    return text


class QAAccuracy(ItemMean):
    """``evaluate_accuracy``: the reference option, lowercased, is a substring of the generation."""

    name = "biomistral_nlu_qa"
    profile = PROFILE

    def item_score(self, prediction: Any, reference: Any) -> float:
        generation, options = prediction
        return float(as_option(reference, options).strip().lower() in clean(generation).strip().lower())


class Classification(KeyedCounts):
    """``evaluate_classification`` with ``write_scores``' Overall row."""

    name = "biomistral_nlu_classification"
    profile = PROFILE
    defaults: ClassVar[Mapping[str, Any]] = {"type": "relation"}

    def key(self, option: str) -> str:
        key = f"{self.options['type']},{option.replace(',', '-')}"
        return key + ",-" if key.count(",") == 1 else key

    def item_counts(self, prediction: Any, reference: Any) -> Mapping[str, tuple[int, int, int]]:
        generation, options = prediction
        gold = self.key(read_options(options, as_option(reference, options)))
        predicted = self.key(read_options(options, clean(generation)))
        if gold == predicted:
            return {gold: (1, 1, 1)}
        return {gold: (1, 0, 0), predicted: (0, 1, 0)}

    def counted(self, key: str, gold_total: float) -> bool:
        return gold_total > 0 and not any(pattern in key.lower() + "," for pattern in EXCLUDED)


class MultiLabel(KeyedCounts):
    """``evaluate_MultiClassification`` (HoC): options whose ``(X)`` occurs, micro over options."""

    name = "biomistral_nlu_multilabel"
    profile = PROFILE

    def item_counts(self, prediction: Any, reference: Any) -> Mapping[str, tuple[int, int, int]]:
        generation, options = prediction
        gold_text = " ".join(as_option(g, options) for g in option_texts(reference, options))
        gold = {o for letter, o in zip(LETTERS, options) if f"({letter})" in gold_text}
        predicted = {o for letter, o in zip(LETTERS, options) if f"({letter})" in clean(generation)}
        return {o: (int(o in gold), int(o in predicted), int(o in gold and o in predicted)) for o in gold | predicted}

    def counted(self, key: str, gold_total: float) -> bool:
        return gold_total > 0 and not any(pattern in key.lower() + "," for pattern in EXCLUDED)


STS_OPTIONS = tuple(str(i) for i in range(6))


def sts_value(text: Any) -> int:
    """``int(read_options(['0'..'5'], text))``; a number without brackets reads as option 0."""
    return int(read_options(STS_OPTIONS, str(text)))


def sts_pearson(generations: Sequence[str], references: Sequence[Any]) -> tuple[list[int], list[int]]:
    """Both sides as the script reads them; a continuous gold score is rounded to its option."""
    gold = [sts_value(r) if isinstance(r, str) and "(" in r else round(float(r)) for r in references]
    return [sts_value(clean(g)) for g in generations], gold


class STSPearson(Pearson):
    """``evaluate_pearson_correlation``: Pearson's r of the integer options (not times 100)."""

    name = "biomistral_nlu_sts"

    @property
    def signature(self) -> str:
        return f"compat:{PROFILE}|{super().signature}"


def with_options(task: Task, run: TaskRun) -> tuple[list[tuple[str, list[str]]], list[Any]]:
    """(generation, option texts) per item: the run's ``options`` context, else the task's labels."""
    declared = task.parser_options.get("labels") or task.parser_options.get("options") or []
    options = item_context(run, "options", list(declared))
    return [(g, list(o)) for g, o in zip(run.generations, options)], list(run.references)


def sts_inputs(task: Task, run: TaskRun) -> tuple[list[int], list[int]]:
    return sts_pearson(run.generations, run.references)


DEFINITION = Profile(
    name=PROFILE,
    description="uw-bionlp/BioMistral-NLU evaluation.py @56bfcee: option reading, substring QA, Overall row",
    methods={
        **{t: Method(QAAccuracy, with_options) for t in ("pubmedqa", "bioasq_yesno", "mednli")},
        **{t: Method(functools.partial(Classification, type=t), with_options)
           for t in ("chemprot", "ddi", "gad", "i2b2_2010")},
        "hoc": Method(MultiLabel, with_options),
        "biosses": Method(STSPearson, sts_inputs),
    },
)
