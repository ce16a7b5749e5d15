"""``bleu`` against sacrebleu 2.x and ``meds_bench_bleu`` against nltk's ``sentence_bleu``.

Tolerance: 1e-9 absolute on our [0, 1] scale (sacrebleu's score / 100). The counts are
sacrebleu's own; the score goes through the same float operations, vectorized. Texts are
Hypothesis-generated with empty strings and non-ASCII words.
"""

from __future__ import annotations

import re
import subprocess
import sys

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from nltk.tokenize import NLTKWordTokenizer
from nltk.translate.bleu_score import SmoothingFunction, sentence_bleu
from sacrebleu.metrics import BLEU

from generation_texts import pairs
from medmetrics.api import compare
from medmetrics.errors import InputError, MissingDependencyError
from medmetrics.metrics.base import Table
from medmetrics.metrics.generation import require
from medmetrics.metrics.generation.bleu import Bleu, MedsBenchBleu
from medmetrics.testing.conformance import check_metric

TOL = 1e-9
FAST = settings(max_examples=120, deadline=None, suppress_health_check=list(HealthCheck))
options = st.fixed_dictionaries({
    "smooth_method": st.sampled_from(["exp", "floor", "add-k", "none"]),
    "max_ngram_order": st.sampled_from([1, 2, 4]),
    "lowercase": st.booleans(),
    "tokenize": st.sampled_from(["13a", "intl", "char", "zh", "none"]),
})


@FAST
@given(pairs, options, st.booleans())
def test_corpus_bleu_equals_sacrebleu(items: list[tuple[str, str]], opts: dict, effective_order: bool) -> None:
    predictions, references = [p for p, _ in items], [r for _, r in items]
    result = Bleu(effective_order=effective_order, **opts).compute(predictions, references)
    expected = BLEU(effective_order=effective_order, **opts).corpus_score(predictions, [references])
    assert abs(result.value - expected.score / 100) <= TOL
    assert abs(result.components["brevity_penalty"] - expected.bp) <= TOL
    for n, precision in enumerate(expected.precisions, start=1):
        assert abs(result.components[f"precision_{n}"] - precision / 100) <= TOL


@FAST
@given(pairs, options)
def test_sentence_bleu_mean_equals_sacrebleu(items: list[tuple[str, str]], opts: dict) -> None:
    predictions, references = [p for p, _ in items], [r for _, r in items]
    result = Bleu(level="sentence", **opts).compute(predictions, references)
    scorer = BLEU(effective_order=True, **opts)
    expected = sum(scorer.sentence_score(p, [r]).score for p, r in items) / len(items) / 100
    assert abs(result.value - expected) <= TOL


def test_signature_holds_sacrebleus() -> None:
    metric = Bleu(tokenize="intl", lowercase=True)
    scorer = BLEU(tokenize="intl", lowercase=True)
    scorer.corpus_score(["fever"], [["fever"]])
    assert f"sacrebleu({scorer.get_signature().format()})" in metric.signature
    assert "nrefs:1|case:lc|eff:no|tok:intl|smooth:exp" in metric.signature


def test_bootstrap_interval_and_compare_resample_segment_statistics() -> None:
    references = [f"the patient had fever on day {i} and was treated" for i in range(40)]
    good = [f"the patient had fever on day {i} and was treated" if i % 4 else "fever" for i in range(40)]
    bad = ["a patient with a rash" for _ in range(40)]
    metric = Bleu()
    result = metric.compute(good, references, ci=True, resamples=300)
    assert result.ci is not None and result.ci.low <= result.value <= result.ci.high
    comparison = compare(metric, good, bad, references, resamples=300)
    assert comparison.difference > 0 and comparison.p_value < 0.05


def test_degenerate_cases_follow_sacrebleu() -> None:
    assert Bleu().compute([""], ["fever"]).value == 0.0
    assert Bleu().compute([""], [""]).value == 0.0
    result = Bleu().compute([None, "the fever"], ["the rash", "the fever"])
    assert result.n_failed == 1
    expected = BLEU().corpus_score(["", "the fever"], [["the rash", "the fever"]])
    assert result.value == pytest.approx(expected.score / 100)


@pytest.mark.parametrize("options", [{}, {"level": "sentence"}, {"tokenize": "zh", "smooth_method": "floor"}])
def test_bleu_conforms(options: dict) -> None:
    predictions = ["The fever resolved.", None, "", "β-blocker 1.5 mg given.", "患者发烧三天", "cough"]
    references = ["The fever resolved after two days.", "rash", "no rash", "β-blocker given.", "患者发烧两天",
                  "cough"]
    result = check_metric(Bleu(**options), predictions, references)
    assert result.n == 6 and result.n_failed == 1


# --- MedS-Bench BLEU-1 -----------------------------------------------------------------------------

_WORDS = NLTKWordTokenizer()


def _regex_word_tokenize(text: str) -> list[str]:
    return [t for s in re.split(r"(?<=[.!?])\s+", text) for t in _WORDS.tokenize(s)]


def _nltk_bleu_1(prediction: list[str], reference: list[str]) -> float:
    return float(sentence_bleu([reference], prediction, weights=(1, 0, 0, 0),
                               smoothing_function=SmoothingFunction().method1))


@FAST
@given(pairs)
def test_meds_bench_bleu_equals_nltk(items: list[tuple[str, str]]) -> None:
    predictions, references = [p for p, _ in items], [r for _, r in items]
    stats = MedsBenchBleu(sentence_split="regex").stats(predictions, references)  # Punkt: test_punkt_local.py
    table = Table(stats.columns, stats.rows)
    for i, (prediction, reference) in enumerate(items):
        expected = _nltk_bleu_1(_regex_word_tokenize(prediction), _regex_word_tokenize(reference))
        assert abs(table["bleu_1_item"][i] - expected) <= TOL, items[i]


@pytest.mark.parametrize("language", ["zh", "ja"])
@settings(max_examples=40, deadline=None, suppress_health_check=list(HealthCheck))
@given(items=pairs)
def test_meds_bench_bleu_equals_nltk_on_jieba_and_janome_tokens(language: str, items: list[tuple[str, str]]) -> None:
    import jieba
    from janome.tokenizer import Tokenizer

    janome = Tokenizer()
    tokenize = ((lambda text: list(jieba.cut(text))) if language == "zh"
                else (lambda text: [t.surface for t in janome.tokenize(text)]))
    predictions, references = [p for p, _ in items], [r for _, r in items]
    result = MedsBenchBleu(language=language).compute(predictions, references)
    expected = sum(_nltk_bleu_1(tokenize(p), tokenize(r)) for p, r in items) / len(items)
    assert abs(result.value - expected) <= TOL


def test_meds_bench_bleu_conforms_and_accepts_the_evaluators_language_codes() -> None:
    predictions = ["The fever resolved.", None, "", "Fever on day 2.", "rash"]
    references = ["The fever resolved after two days.", "rash", "no rash", "Fever on day two.", "rash"]
    check_metric(MedsBenchBleu(), predictions, references)
    assert MedsBenchBleu(language="jp").options["language"] == "ja"
    assert MedsBenchBleu(language="spa").signature == MedsBenchBleu(language="es").signature


def test_a_missing_extra_names_the_install_command() -> None:
    with pytest.raises(MissingDependencyError, match=r"pip install 'medmetrics\[generation\]'"):
        require("medmetrics_no_such_module", "metric 'bleu'")


def test_a_tokenizer_without_its_dependency_says_what_to_install() -> None:
    try:
        import MeCab  # noqa: F401
    except ImportError:
        with pytest.raises(MissingDependencyError, match=r"pip install sacrebleu\[ja\]"):
            Bleu(tokenize="ja-mecab")
    else:
        assert Bleu(tokenize="ja-mecab").options["tokenize"] == "ja-mecab"


def test_bad_options_are_input_errors() -> None:
    with pytest.raises(InputError, match="tokenize"):
        Bleu(tokenize="moses")
    with pytest.raises(InputError, match="max_ngram_order"):
        Bleu(max_ngram_order=0)
    with pytest.raises(InputError, match="prediction 0 is list"):
        Bleu().compute([["a"]], ["a"])


def test_generation_peers_are_not_imported_with_medmetrics() -> None:
    code = ("import sys, medmetrics\n"
            "medmetrics.get_metric('accuracy')\n"
            "loaded = {'sacrebleu', 'rouge_score', 'rouge', 'nltk', 'jieba', 'janome'} & set(sys.modules)\n"
            "assert not loaded, loaded\n")
    subprocess.run([sys.executable, "-c", code], check=True)
