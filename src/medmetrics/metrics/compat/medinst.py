"""MedINST32's released evaluator (aialt/MedINST ``evaluation.py`` @dc13b2b).

Reproduced, bugs included (notes/seed-evaluators.md section 2):

- ``normalize_answer`` (SQuAD): lowercase, drop every ASCII punctuation character (so ``IL-2``
  becomes ``il2``), drop the articles a / an / the, collapse white space;
- ``cls`` (yes/no, PubMedQA, SciFact, ManConCorpus, CoVERt): scikit-learn macro F1 over the
  *gold* label set after normalization; a predicted label outside it is only a miss;
- ``em`` (MedQA, MeDAL): normalized exact match, averaged;
- ``multicls`` (HoC): both sides split on ``", "``, each part lowercased and stripped, nothing
  else read (``(E) inducing angiogenesis``, a final period or ``a; b`` match no gold label);
  per-document multiset F1, averaged over documents, where an empty gold with an empty answer
  scores **1** (both are the one label ``""``);
- ``entity`` (bracketed answers): the outermost ``[...]`` groups of a stack reader (a stray
  ``]`` resets, an unclosed ``[`` is dropped), each normalized; per-document multiset F1
  averaged over documents, where an empty gold with an empty prediction scores **0**;
- ``bio`` (NCBI-disease, BC5CDR): only the tags ``[B]``, ``[I]``, ``[O]`` are read, the words
  ignored; the predicted tags are padded with ``N`` or cut to the gold length, so one dropped
  word shifts every later tag; macro F1 over the gold tags (``O`` included) of the whole corpus;
- the gold as the script reads it (``medmetrics.metrics.compat.gold``): structured gold is written back
  as MedINST's bracketed lists (``[entity]``, ``[entity, Type]``, ``[head, relation, tail]``,
  ``[mention, id]``, ``[trigger, Type, Role: argument]``), ``word [B]`` tag strings, the HoC
  ``", "`` list, the BIOSSES integer, and for MedQA the text of the gold option (the letter's
  option from the item's ``options``), which ``em`` compares with the answer;
- ``mse`` (BIOSSES): the set of integers in each side; unless both give exactly one integer in
  0..5, the pair becomes (gold 0, prediction 5), a squared error of 25. Lower is better;
- a test in none of the type lists (Multi-XScience, ParaMed): only ``rouge`` (rouge-score's
  ROUGE-L F with the Porter stemmer, per item, averaged; its tokenizer keeps a-z and 0-9 only, so
  Chinese text scores 0) and SQuAD word F1 are printed; the compat value is the ``rouge``.
"""

from __future__ import annotations

import re
import string
from collections import Counter
from collections.abc import Iterable, Mapping
from typing import Any, ClassVar

from medmetrics.catalog.classification import HALLMARKS_OF_CANCER
from medmetrics.metrics.compat import Method, Profile, option_texts
from medmetrics.metrics.compat.base import CompatMetric, ItemMean, KeyedCounts, MacroF1
from medmetrics.metrics.generation.rouge import Rouge

PROFILE = "medinst"
_PUNCTUATION = set(string.punctuation)
_ARTICLES = re.compile(r"\b(a|an|the)\b")


def normalize_answer(text: str) -> str:
    text = "".join(ch for ch in text.lower() if ch not in _PUNCTUATION)
    return " ".join(_ARTICLES.sub(" ", text).split())


def multiset_f1(gold: Iterable[str], predicted: Iterable[str]) -> float:
    """``entity_level_f1``: F1 of multiset overlap; 0 when either side is empty (both, too)."""
    gold_counts, predicted_counts = Counter(gold), Counter(predicted)
    tp = sum((gold_counts & predicted_counts).values())
    precision = tp / sum(predicted_counts.values()) if predicted_counts else 0.0
    recall = tp / sum(gold_counts.values()) if gold_counts else 0.0
    return 2 * precision * recall / (precision + recall) if precision + recall > 0 else 0.0


def bracketed(text: str) -> list[str]:
    """``extract_entities_with_stack``: outermost bracket groups, normalized."""
    depth, current, found = 0, [], []
    for char in text:
        if char == "[":
            if depth:
                current.append(char)
            depth += 1
        elif char == "]":
            if not depth:
                current = []
                continue
            depth -= 1
            if depth:
                current.append(char)
            else:
                found.append(normalize_answer("".join(current)))
                current = []
        elif depth:
            current.append(char)
    return found


class LabelF1(MacroF1):
    """``cls``: macro F1 over the normalized gold labels."""

    name = "medinst_cls"
    profile = PROFILE

    def pair(self, prediction: Any, reference: Any) -> tuple[set[str], set[str]]:
        return {normalize_answer(str(reference))}, {normalize_answer(prediction)}


class RougeL(CompatMetric, Rouge):
    """A test in none of the evaluator's type lists (Multi-XScience, ParaMed): its printed ``rouge``,
    rouge-score's ROUGE-L F with the Porter stemmer, per item, averaged."""

    name = "medinst_rouge"
    profile = PROFILE

    def __init__(self) -> None:
        super().__init__(rouge_type="rougeL", use_stemmer=True)


class ExactMatch(ItemMean):
    """``em``: normalized exact match."""

    name = "medinst_em"
    profile = PROFILE

    def item_score(self, prediction: Any, reference: Any) -> float:
        return float(normalize_answer(prediction) == normalize_answer(str(reference)))


def _listed(value: Any) -> str:
    """A reference as the evaluator's text: a list of hallmarks (or their option letters) is
    written as MedINST's gold writes it, joined by ``", "``."""
    return ", ".join(option_texts(value, HALLMARKS_OF_CANCER)) if isinstance(value, (list, tuple)) else str(value)


class MultiLabelF1(ItemMean):
    """``multicls``: per-document multiset F1 of the ``", "``-separated labels, averaged."""

    name = "medinst_multicls"
    profile = PROFILE

    def item_score(self, prediction: Any, reference: Any) -> float:
        def split(text: str) -> list[str]:
            return [part.lower().strip() for part in text.split(", ")]

        return multiset_f1(split(_listed(reference)), split(prediction))


class EntityF1(ItemMean):
    """``entity``: per-document multiset F1 of the bracketed entities, averaged."""

    name = "medinst_entity"
    profile = PROFILE

    def item_score(self, prediction: Any, reference: Any) -> float:
        return multiset_f1(bracketed(str(reference)), bracketed(prediction))


_TAG = re.compile(r"\[B\]|\[I\]|\[O\]")


class TagF1(KeyedCounts):
    """``bio``: tag-level macro F1 of position-aligned ``[B]``/``[I]``/``[O]`` tags."""

    name = "medinst_bio"
    profile = PROFILE
    average: ClassVar[str] = "macro"

    def item_counts(self, prediction: Any, reference: Any) -> Mapping[str, tuple[int, int, int]]:
        gold = _TAG.findall(str(reference))
        predicted = (_TAG.findall(prediction) + ["N"] * len(gold))[:len(gold)]
        counts: dict[str, list[int]] = {}
        for g, p in zip(gold, predicted):
            counts.setdefault(g, [0, 0, 0])[0] += 1
            counts.setdefault(p, [0, 0, 0])[1] += 1
            if g == p:
                counts[g][2] += 1
        return {k: (v[0], v[1], v[2]) for k, v in counts.items()}


def _one_score(text: str) -> int | None:
    found = {int(x) for x in re.findall(r"\d+", text)}
    return found.pop() if len(found) == 1 and found <= set(range(6)) else None


class PenalizedMSE(ItemMean):
    """``mse``: squared error, with 25 for any pair where either side is not one integer 0..5."""

    name = "medinst_mse"
    profile = PROFILE
    higher_is_better: ClassVar[bool] = False

    def item_score(self, prediction: Any, reference: Any) -> float:
        gold, predicted = _one_score(str(reference)), _one_score(prediction)
        if gold is None or predicted is None:
            return 25.0
        return float((gold - predicted) ** 2)


BUGS = {
    "squad-normalized": "SQuAD normalize_answer on both sides: punctuation and articles dropped, so IL-2 is il2",
    "gold-only-macro": "macro F1 over the gold label set only; a predicted label outside it is only a miss",
    "empty-scores-0": "per-document F1 averaged over documents, and an empty gold with an empty answer scores 0",
    "outer-brackets": "only the outermost [...] groups are read; a stray ']' resets, an unclosed '[' is dropped",
    "tags-only": "only the [B]/[I]/[O] tags are read, padded with N or cut to the gold's length, so one dropped "
                 "word shifts every later tag; macro over the tags, O included",
    "mse-penalty": "unless both sides give exactly one integer in 0..5 the pair becomes (0, 5), a squared error of 25",
    "untyped-test": "the test is in none of the evaluator's type lists, so it prints only ROUGE-L F (rouge-score, "
                    "whose tokenizer keeps only a-z and 0-9: Chinese scores 0) and SQuAD word F1",
    "comma-split-labels": "labels are the raw answer split at ', ' (lowercased, stripped): '(E) inducing "
                          "angiogenesis', a final period or 'a; b' miss; per-document F1 averaged, and an empty "
                          "gold with an empty answer scores 1",
}
_ENTITY = ("squad-normalized", "outer-brackets", "empty-scores-0")

DEFINITION = Profile(
    name=PROFILE,
    description="aialt/MedINST evaluation.py @dc13b2b: SQuAD normalization, gold-only macro F1, penalized MSE",
    methods={
        **{t: Method(LabelF1, bugs=("squad-normalized", "gold-only-macro"))
           for t in ("medinst_bioasq_yesno", "medinst_pubmedqa", "scifact", "mancon", "covert", "meddialog")},
        "medqa": Method(ExactMatch, gold="answer_text", bugs=("squad-normalized",)),
        "medal": Method(ExactMatch, bugs=("squad-normalized",)),
        "medinst_hoc": Method(MultiLabelF1, gold="label_list", bugs=("comma-split-labels",)),
        "medinst_biosses": Method(PenalizedMSE, gold="integer_score", bugs=("mse-penalty",)),
        **{t: Method(TagF1, gold="bio_tags", bugs=("tags-only",)) for t in ("medinst_ncbi_disease", "medinst_bc5cdr")},
        **{t: Method(EntityF1, gold="brackets", bugs=_ENTITY) for t in (
            "anem", "bionlp_2009", "bionlp_2011_ge", "bionlp_2011_id", "bionlp_2011_rel", "bionlp_2013_cg",
            "bionlp_2013_ge", "bionlp_2013_gro", "bionlp_2013_pc", "biored", "tmvar_v3", "anem_coref",
            "mlee_coref", "tmvar_v3_ned", "anem_re", "bc5cdr_re", "bioinfer_re", "mlee_ee")},
        **{t: Method(RougeL, bugs=("untyped-test",)) for t in ("multi_xscience", "paramed")},
    },
    bugs=BUGS,
)
