"""Reproduce MedS-Bench's rationale table (shared/fixtures/meds-ins/README.md) with the two variants.

``tests/data/meds_ins_rationale_llama3.csv`` holds the ``task_id``, ``GT`` and ``output`` columns
of the fixture ``rationale_mmeds_llama3.csv`` (the MedS-Ins repository's example output file,
commit 185cfc04; the 3-shot prompts are left out, they are not scored). MedS-Bench's evaluator
prints the mean per task x 100 with two decimals.

Exact: ROUGE in every language, BLEU in zh and ja. BLEU in en, fr, ru and es depends on NLTK's
Punkt sentence model inside ``word_tokenize``, which cannot be downloaded here; with
``sentence_split="regex"`` the numbers equal the fixture README's figures for that regex split.
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
#: task -> (BLEU, ROUGE) as printed by MedS-Bench's evaluator; BLEU of en/fr/ru/es with the regex split.
TABLE = {"task51": ("51.50", "35.35"), "task52": ("48.79", "38.22"), "task53": ("47.95", "39.24"),
         "task54": ("53.31", "36.83"), "task55": ("35.43", "23.71"), "task56": ("47.33", "36.42")}
EXACT_BLEU = {"task51", "task54"}


def _rows(task: str) -> tuple[list[str], list[str]]:
    with DATA.open(encoding="utf-8", newline="") as handle:
        rows = [r for r in csv.DictReader(handle) if r["task_id"] == task]
    assert len(rows) == 50
    return [r["output"] for r in rows], [r["GT"] for r in rows]


@pytest.mark.parametrize("task", sorted(TABLE))
def test_table_row(task: str) -> None:
    outputs, golds = _rows(task)
    language = LANGUAGES[task]
    bleu = medmetrics.get_metric("meds_bench_bleu", language=language).compute(outputs, golds)
    rouge = medmetrics.get_metric("meds_bench_rouge", language=language).compute(outputs, golds)
    assert (f"{100 * bleu.value:.2f}", f"{100 * rouge.value:.2f}") == TABLE[task]


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
