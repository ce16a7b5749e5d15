"""BioMistral-NLU's released evaluator (uw-bionlp/BioMistral-NLU ``evaluation.py`` @56bfcee).

Reproduced, bugs included (notes/seed-evaluators.md section 1):

- the raw generation is cleaned as the script does at inference (line 499): ``<|assistant|>\n``,
  ``<|start_header_id|>assistant<|end_header_id|>``, ``<|start_header_id|>``,
  ``<|end_header_id|>`` and then *every* ``assistant`` substring removed, stripped, ``[SEP]``
  turned into ``...``; this runs before the NER lines are split, so a Llama-3 header left in a
  generation does not add a line that changes how the lines pair;
- options are read by ``read_options``: the first option, in option order, whose literal
  ``(A)``.. ``(M)`` occurs anywhere wins, and output with none of them is option A;
- QA / NLI (PubMedQA, BioASQ, MedNLI): correct when the whole reference option, ``(b) no``,
  occurs in the lowercased generation;
- classification / relation extraction: per-class gold / predicted / matched counts keyed
  ``type,option``; the "Overall" row is micro over the keys that do not match the script's
  exclusion patterns (``,no,``, ``,not mentioned,``, ``not related to``, ``cannot be``, ``can
  not be``, ``none,``) and that have gold items (a class without gold drops its false positives);
- HoC: every option whose ``(X)`` occurs is predicted; micro over the options;
- BIOSSES: ``int(read_options(...))`` on each item's own options (its ``options`` context, a
  list or the script's ``[SEP]`` string; ``0``..``5`` without it) for both sides, then Pearson's r
  (the script prints it times 100) against the *integer* gold; an option that is not an integer
  crashes the script (no number);
- NER ("Type: span...span" lines, ``evaluate_events``): with as many predicted lines as gold
  lines, lines pair by position and the predicted type is ignored; otherwise each predicted line
  goes to the first gold line that starts with its type (later ones overwrite). A one-line gold
  (a task with one type: BC5-chem, BC5-disease, NCBI-disease, BC2GM) is read against the whole
  generation, not its lines: everything after the generation's first colon, newlines included,
  is split on ``...``, so one span per line, or prose with a colon before the answer, scores as
  one wrong span. ``None`` means no span only when written exactly so; spans split on ``...``
  only (``, `` is part of a span); more than 20 spans are de-duplicated (gold too); a span
  matches a gold span when equal after lowercasing with ``{`` removed (only ``{``: the clean-up
  that looks meant to remove ``}`` too removes nothing, so ``{aspirin}`` keeps its ``}`` and never
  matches ``aspirin``), greedily one to one; micro over the types;
- PICO: the same lines, but the spans of a line (de-duplicated past 20, as above) are pooled into
  whitespace tokens matched as a case-sensitive bag, position ignored (a one-line gold goes
  through the NER path, as in the script).

Structured gold (mention lists, PICO tags) is written as the script's "Type: span...span" lines
first (``medmetrics.metrics.compat.gold``: ``labeled_spans``, ``pico_lines``). The option texts are the
item's ``options`` context when the run has them (the wording decides what the exclusion
patterns drop, as in the script), else the task's label set in its order. A reference that is a
plain label is written as the script's gold option, ``(B) no``.
"""

from __future__ import annotations

import functools
import string
from collections.abc import Mapping, Sequence
from dataclasses import replace
from typing import Any, ClassVar

from medmetrics.catalog.task import Task
from medmetrics.inputs.run import TaskRun
from medmetrics.metrics.compat import Method, Profile, item_context, option_texts
from medmetrics.metrics.compat.base import EvaluatorCrash, ItemMean, KeyedCounts
from medmetrics.metrics.correlation import Pearson
from medmetrics.signatures import Signature

PROFILE = "biomistral_nlu"
LETTERS = string.ascii_uppercase[:13]  # the script's ``chars``: (A) .. (M)
EXCLUDED = (",no,", ",not mentioned,", "not related to", "cannot be", "can not be", "none,")


#: What line 499 deletes from a vLLM generation, in its order (chat markers, then 'assistant' anywhere).
CLEANED_AWAY = ("<|assistant|>\n", "<|start_header_id|>assistant<|end_header_id|>", "<|start_header_id|>",
                "<|end_header_id|>", "assistant")


def clean(generation: str) -> str:
    """The script's clean-up of a vLLM generation (line 499 in full): Zephyr's ``<|assistant|>``
    line and Llama-3's header markers removed, then 'assistant' deleted anywhere; stripped;
    ``[SEP]`` turned into ``...``. Run before the lines are split, so it decides how they pair."""
    for marker in CLEANED_AWAY:
        generation = generation.replace(marker, "")
    return generation.strip().replace("[SEP]", "...")


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


def option_list(options: Any) -> list[str]:
    """An item's options: a list, or the script's ``[SEP]``-joined string (``dic['options']``)."""
    if isinstance(options, str):
        return options.split("[SEP]")
    return [str(o) for o in options]


def sts_value(text: Any, options: Sequence[str] = STS_OPTIONS) -> int:
    """``int(read_options(options, text))`` on the item's own options (``0``..``5`` when it has
    none); a number without brackets reads as option A. An option that is not an integer raises
    ``EvaluatorCrash``, as the script's ``int()`` does."""
    answer = read_options(options, str(text)).replace(",", "-")
    try:
        return int(answer)
    except ValueError:
        raise EvaluatorCrash(f"evaluation.py's evaluate_pearson_correlation raises ValueError: int({answer!r}) "
                             "on an option that is not an integer, so it prints no number") from None


def sts_pearson(generations: Sequence[str], references: Sequence[Any],
                options: Sequence[Any] | None = None) -> tuple[list[int], list[int]]:
    """Both sides as the script reads them, each item on its own options (``options``, one list or
    ``[SEP]`` string per item; ``0``..``5`` where missing); a continuous gold score is rounded."""
    per_item = [STS_OPTIONS if o is None else option_list(o) for o in (options or [None] * len(references))]
    gold = [sts_value(r, o) if isinstance(r, str) and "(" in r else round(float(r))
            for r, o in zip(references, per_item)]
    return [sts_value(clean(g), o) for g, o in zip(generations, per_item)], gold


class STSPearson(Pearson):
    """``evaluate_pearson_correlation``: Pearson's r of the integer options (not times 100)."""

    name = "biomistral_nlu_sts"

    def describe(self) -> Signature:
        return replace(super().describe(), profile=PROFILE)


def read_events(line: str) -> tuple[list[str], str | None]:
    """``read_events``: the type before the first colon and the ``...``-separated spans after it."""
    if ":" not in line:
        return [], None
    head, _, rest = line.partition(":")
    trigger = head.strip().replace(" - ", ",").replace("-", ",")
    rest = rest.strip()
    if rest == "None":
        return [], trigger
    spans = [span.strip() for span in rest.split("...") if span.strip()]
    return (list(set(spans)) if len(spans) > 20 else spans), trigger


def paired_lines(reference: str, prediction: str) -> list[tuple[str, str]]:
    """``evaluate_events``: gold and predicted lines paired as the script pairs them."""
    if "\n" not in reference:
        return [(reference, prediction)]
    gold = [line.strip() for line in reference.split("\n") if line.strip()]
    predicted = [line.strip() for line in prediction.split("\n") if line.strip()]
    if len(gold) == len(predicted):
        return list(zip(gold, predicted))
    assigned = ["None"] * len(gold)
    for line in predicted:
        if ":" in line:
            kind = line.split(":")[0]
            index = next((i for i, g in enumerate(gold) if g[:len(kind)] == kind), None)
            if index is not None:
                assigned[index] = line
    return list(zip(gold, assigned))


def greedy_matches(gold: list[str], predicted: list[str]) -> int:
    """Each predicted item takes the first unused equal gold item."""
    remaining = list(gold)
    matched = 0
    for item in predicted:
        if item in remaining:
            remaining.remove(item)
            matched += 1
    return matched


class EventSpans(KeyedCounts):
    """``calculate_event_scores`` over the paired lines; micro over the types (``write_scores``)."""

    name = "biomistral_nlu_events"
    profile = PROFILE
    tokens: ClassVar[bool] = False

    def item_counts(self, prediction: Any, reference: Any) -> Mapping[str, tuple[int, int, int]]:
        counts: dict[str, tuple[int, int, int]] = {}
        multi_line = "\n" in str(reference)
        for gold_line, predicted_line in paired_lines(str(reference), clean(prediction)):
            gold, trigger = read_events(gold_line)
            predicted, _ = read_events(predicted_line)
            key = trigger if trigger and "," in trigger else f"{trigger},trigger,span"
            if self.tokens and multi_line:
                gold = [w for span in gold for w in span.split()]
                predicted = [w for span in predicted for w in span.split()]
            else:
                gold = [g.lower().replace("{", "") for g in gold]
                predicted = [p.lower().replace("{", "") for p in predicted]
            before = counts.get(key, (0, 0, 0))
            counts[key] = (before[0] + len(gold), before[1] + len(predicted),
                           before[2] + greedy_matches(gold, predicted))
        return counts

    def counted(self, key: str, gold_total: float) -> bool:
        return gold_total > 0 and not any(pattern in key.lower() + "," for pattern in EXCLUDED)


class PicoTokens(EventSpans):
    """``calculate_PICO_scores``: whitespace tokens of a line's spans, a case-sensitive bag."""

    name = "biomistral_nlu_pico"
    tokens: ClassVar[bool] = True


def with_options(task: Task, run: TaskRun) -> tuple[list[tuple[str, list[str]]], list[Any]]:
    """(generation, option texts) per item: the run's ``options`` context, else the task's labels."""
    declared = task.parser_options.get("labels") or task.parser_options.get("options") or []
    options = item_context(run, "options", list(declared))
    return [(g, option_list(o)) for g, o in zip(run.generations, options)], list(run.references)


def sts_inputs(task: Task, run: TaskRun) -> tuple[list[int], list[int]]:
    """Both sides read on each item's own ``options`` context, as ``evaluate_pearson_correlation``."""
    return sts_pearson(run.generations, run.references, item_context(run, "options", None))


BUGS = {
    "assistant-deleted": "line 499 deletes 'assistant' anywhere in the generation (with the chat markers) "
                         "before anything is read",
    "option-a": "read_options: the first (X) in option order wins, and an answer without one is option A",
    "substring-qa": "correct when the gold option text, '(b) no', occurs anywhere in the generation (listing "
                    "every option is correct)",
    "overall-drops": "the Overall row drops classes whose option wording matches an exclusion pattern, and classes "
                     "without gold items together with their false positives",
    "integer-sts-gold": "Pearson against the integer option, not the continuous gold",
    "lines-by-position": "with as many lines as the gold, lines pair by position and the predicted type is ignored; "
                         "otherwise each goes to the first gold line its type prefixes; a one-line gold (one-type "
                         "sets) is read against the whole generation after its first colon, newlines included",
    "none-exact": "only the exact, case-sensitive 'None' means no span ('none' is a span)",
    "dedup-over-20": "a line with more than 20 spans is de-duplicated, the gold's too",
    "pico-bag": "PICO spans become a bag of case-sensitive whitespace tokens, position ignored, micro over P/I/O",
}
_QA = ("assistant-deleted", "substring-qa")
_RE = ("assistant-deleted", "option-a", "overall-drops")
_NER = ("assistant-deleted", "lines-by-position", "none-exact", "dedup-over-20", "overall-drops")

DEFINITION = Profile(
    name=PROFILE,
    description="uw-bionlp/BioMistral-NLU evaluation.py @56bfcee: option reading, substring QA, Overall row",
    methods={
        **{t: Method(QAAccuracy, with_options, bugs=_QA) for t in ("pubmedqa", "bioasq_yesno", "mednli")},
        **{t: Method(functools.partial(Classification, type=t), with_options, bugs=_RE)
           for t in ("chemprot", "ddi", "gad", "i2b2_2010")},
        "hoc": Method(MultiLabel, with_options, bugs=("assistant-deleted", "overall-drops")),
        "biosses": Method(STSPearson, sts_inputs, bugs=("assistant-deleted", "option-a", "integer-sts-gold")),
        **{t: Method(EventSpans, gold="labeled_spans", bugs=_NER)
           for t in ("bc2gm", "bc5_chem", "bc5_disease", "ncbi_disease", "jnlpba")},
        "ebm_pico": Method(PicoTokens, gold="pico_lines", bugs=("assistant-deleted", "lines-by-position",
                                                                 "none-exact", "dedup-over-20", "pico-bag")),
    },
    bugs=BUGS,
)
