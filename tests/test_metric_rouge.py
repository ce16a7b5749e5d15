"""``rouge`` against rouge-score 0.1.2 and ``meds_bench_rouge`` against the ``rouge`` package 1.0.1.

Tolerance: 1e-9 absolute (in practice the numbers are bit-identical: the same integer counts go
through the same float operations). Texts are Hypothesis-generated with empty strings,
non-ASCII words, newlines and periods. Where we deliberately differ (the ``unicode`` tokenizer,
empty texts in ``meds_bench_rouge``), the test checks the documented behaviour instead.
"""

from __future__ import annotations

from collections import Counter

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from rouge import Rouge as PltrdyRouge
from rouge_score.rouge_scorer import RougeScorer

from generation_texts import pairs, texts
from medmetrics.metrics.base import Table
from medmetrics.metrics.generation.rouge import MEASURES, ROUGE_TYPES, MedsBenchRouge, Rouge, ngram_overlaps
from medmetrics.metrics.generation.tokenize import Stemmer, TokenCoder, split_lines
from medmetrics.testing.conformance import check_metric

TOL = 1e-9
FAST = settings(max_examples=150, deadline=None, suppress_health_check=list(HealthCheck))
SCORERS = {stem: RougeScorer(list(ROUGE_TYPES), use_stemmer=stem) for stem in (False, True)}


def per_item(metric: Rouge | MedsBenchRouge, predictions: list, references: list) -> Table:
    stats = metric.stats(predictions, references)
    return Table(stats.columns, stats.rows)


@FAST
@given(pairs, st.booleans())
def test_every_score_equals_rouge_score(items: list[tuple[str, str]], use_stemmer: bool) -> None:
    predictions, references = [p for p, _ in items], [r for _, r in items]
    table = per_item(Rouge(use_stemmer=use_stemmer), predictions, references)
    for i, (prediction, reference) in enumerate(items):
        expected = SCORERS[use_stemmer].score(reference, prediction)
        for rouge_type in ROUGE_TYPES:
            for measure in MEASURES:
                ours = table[f"{rouge_type}_{measure}"][i]
                assert abs(ours - getattr(expected[rouge_type], measure)) <= TOL, (rouge_type, measure, items[i])


@FAST
@given(pairs)
def test_value_is_the_mean_of_the_chosen_score(items: list[tuple[str, str]]) -> None:
    predictions, references = [p for p, _ in items], [r for _, r in items]
    for rouge_type, measure in (("rouge1", "recall"), ("rouge2", "precision"), ("rougeLsum", "fmeasure")):
        result = Rouge(rouge_type=rouge_type, measure=measure).compute(predictions, references)
        expected = np.mean([getattr(SCORERS[False].score(r, p)[rouge_type], measure) for p, r in items])
        assert abs(result.value - expected) <= TOL


def test_punctuation_split_equals_rouge_score_on_newline_separated_sentences() -> None:
    prediction = "The rash resolved. Fever persisted! Was it the β-blocker? No."
    reference = "Fever persisted. The rash resolved quickly.\nNo β-blocker was given."
    ours = Rouge(rouge_type="rougeLsum", lsum_split="punctuation").compute([prediction], [reference]).value
    newline = {"prediction": prediction.replace(". ", ".\n").replace("! ", "!\n").replace("? ", "?\n"),
               "reference": reference.replace(". ", ".\n")}
    expected = SCORERS[False].score(newline["reference"], newline["prediction"])["rougeLsum"].fmeasure
    assert ours == pytest.approx(expected, abs=TOL)
    one_line = Rouge(rouge_type="rougeLsum").compute([prediction], [reference]).value
    assert one_line != ours  # the split is explicit and changes the number


def test_degenerate_cases_score_zero_as_rouge_score_does() -> None:
    metric = Rouge()
    for prediction, reference in (("", "fever"), ("fever", ""), ("", ""), ("!!", "..."), (None, "fever")):
        result = metric.compute([prediction], [reference])
        assert result.value == 0.0 and all(v == 0.0 for k, v in result.components.items() if k.startswith("rouge"))
    assert metric.compute([None, "fever"], ["fever", "fever"]).n_failed == 1


def test_unicode_tokenizer_keeps_what_rouge_score_drops() -> None:
    """Deliberate difference, only with tokenizer='unicode' (rouge-score's is the default)."""
    chinese = "患者发烧三天"
    assert Rouge().compute([chinese], [chinese]).value == 0.0  # rouge-score: no ASCII token, so 0
    assert Rouge(tokenize="unicode").compute([chinese], [chinese]).value == 1.0
    greek = ["β-blocker"], ["α-blocker"]
    assert Rouge().compute(*greek).value == 1.0  # rouge-score sees "blocker" twice: a perfect match
    assert Rouge(tokenize="unicode").compute(*greek).value == 0.5
    decimals = ["1.5 mg"], ["15 mg"]
    assert Rouge(tokenize="unicode").compute(*decimals).value == 0.5  # "1.5" is one token, not "1", "5"
    stemmed = Rouge(rouge_type="rouge1", tokenize="unicode", use_stemmer=True)
    assert stemmed.compute(["Ärzte treated patients"], ["ärzte treating patient"]).value == 1.0


@FAST
@given(pairs)
def test_meds_bench_rouge_equals_the_rouge_package(items: list[tuple[str, str]]) -> None:
    predictions, references = [p for p, _ in items], [r for _, r in items]
    table = per_item(MedsBenchRouge(), predictions, references)
    for i, (prediction, reference) in enumerate(items):
        try:
            expected = PltrdyRouge().get_scores(prediction, reference)[0]["rouge-l"]
        except ValueError:  # the package raises on a text with no sentence: we score 0 (documented)
            assert table["rouge_l_f"][i] == 0.0
            continue
        for ours, theirs in (("rouge_l_p", "p"), ("rouge_l_r", "r"), ("rouge_l_f", "f")):
            assert abs(table[ours][i] - expected[theirs]) <= TOL, items[i]


@given(texts)
@settings(max_examples=60, deadline=None)
def test_identical_texts_score_one_when_they_have_tokens(text: str) -> None:
    result = Rouge(rouge_type="rouge1").compute([text], [text])
    assert result.value in (0.0, pytest.approx(1.0))


@pytest.mark.parametrize("options", [{}, {"use_stemmer": True, "rouge_type": "rougeLsum"}, {"tokenize": "unicode"}])
def test_rouge_conforms(options: dict) -> None:
    predictions = ["The fever resolved.", None, "", "β-blocker 1.5 mg given.\nRash.", "患者发烧", "cough"]
    references = ["Fever resolved after two days.", "rash", "no rash", "β-blocker given.\nNo rash.", "患者发烧",
                  "cough"]
    result = check_metric(Rouge(**options), predictions, references)
    assert result.n == 6 and result.n_failed == 1 and result.ci is not None


def test_bad_options_and_inputs_are_input_errors() -> None:
    from medmetrics.errors import InputError

    with pytest.raises(InputError, match="rouge_type"):
        Rouge(rouge_type="rouge3")
    with pytest.raises(InputError, match="tokenize"):
        Rouge(tokenize="spacy")
    with pytest.raises(InputError, match="reference 0 is int"):
        Rouge().compute(["a"], [3])
    with pytest.raises(InputError, match="language"):
        MedsBenchRouge(language="de")


@settings(max_examples=60, deadline=None, suppress_health_check=list(HealthCheck))
@given(pairs, st.sets(st.sampled_from(ROUGE_TYPES), min_size=1), st.booleans())
def test_rouge_types_computes_only_those_and_equal_to_all(items: list[tuple[str, str]], types: set[str],
                                                           lsum_punctuation: bool) -> None:
    """``rouge_types`` narrows the components; each one left equals the all-types computation
    (and so rouge-score), item by item and in the value."""
    predictions, references = [p for p, _ in items], [r for _, r in items]
    split = "punctuation" if lsum_punctuation else "newline"
    chosen = sorted(types)[0]
    narrow = Rouge(rouge_types=sorted(types), rouge_type=chosen, lsum_split=split)
    table, full = per_item(narrow, predictions, references), per_item(Rouge(lsum_split=split), predictions, references)
    assert [c.rsplit("_", 1)[0] for c in table.columns[6::3]] == [t for t in ROUGE_TYPES if t in types]
    for column in table.columns[6:]:
        assert np.array_equal(table[column], full[column]), column
    # the same per-item scores (above); their mean is summed over each table's distinct rows, whose
    # order follows the table's columns, so the two means may differ in the last bit (a
    # Hypothesis example: 0.24583333333333332 against ...35): equal to 1e-15
    narrow_value = narrow.compute(predictions, references).value
    full_value = Rouge(rouge_type=chosen, lsum_split=split).compute(predictions, references).value
    assert narrow_value == pytest.approx(full_value, rel=1e-15, abs=1e-15)


def test_rouge_types_is_in_the_signature_only_when_it_narrows() -> None:
    from medmetrics.errors import InputError

    assert "rouge_types" not in Rouge().signature  # all four, as before the option: signatures unchanged
    assert "rouge_types" not in Rouge(rouge_types=list(reversed(ROUGE_TYPES))).signature
    narrow = Rouge(rouge_types=["rougeL"])
    assert "rouge_types=rougeL" in narrow.signature
    with pytest.raises(InputError, match="cannot merge"):  # statistics of different scopes never merge
        narrow.stats(["a b"], ["a"]).merge(Rouge().stats(["a b"], ["a"]))
    with pytest.raises(InputError, match="rouge_type 'rougeL' is not among rouge_types"):
        Rouge(rouge_types=["rouge1"])
    with pytest.raises(InputError, match="rouge_types must be one or more of"):
        Rouge(rouge_types=["rouge3"])


id_texts = st.lists(st.lists(st.integers(0, 6), max_size=12), max_size=8)


@settings(max_examples=300, deadline=None)
@given(id_texts, id_texts, st.sampled_from([1, 2]))
def test_ngram_overlaps_equal_counting_each_pair(references: list[list[int]], predictions: list[list[int]],
                                                 n: int) -> None:
    """All items at once give each item's clipped overlap (n-grams never span two items)."""
    predictions = (predictions + [[]] * len(references))[:len(references)]

    def grams(tokens: list[int]) -> Counter:
        return Counter(zip(*(tokens[k:] for k in range(n))))

    expected = [sum((grams(r) & grams(p)).values()) for r, p in zip(references, predictions)]
    assert ngram_overlaps(references, predictions, n).tolist() == expected
    # ids so large that (item, bigram) keys would overflow int64: the bigrams are numbered first
    far = [[t + 2**40 for t in tokens] for tokens in references], [[t + 2**40 for t in p] for p in predictions]
    assert ngram_overlaps(*far, n).tolist() == expected


@FAST
@given(st.lists(texts, min_size=1, max_size=8), st.booleans())
def test_texts_read_in_one_pass_equal_text_by_text(items: list[str], use_stemmer: bool) -> None:
    """rouge-score's tokens in lines are read from all texts joined (``encode_texts``); every other
    tokenizer or split reads text by text: for the default, both give the same tokens and sentences
    (the streams differ only in where empty lines leave markers)."""
    joined = TokenCoder("rouge_score", Stemmer() if use_stemmer else None).encode_texts(items, split_lines)
    one_by_one = TokenCoder("rouge_score", Stemmer() if use_stemmer else None).encode_texts(
        items, lambda text: text.split("\n"))  # not ``split_lines``: the text-by-text path
    assert joined.tokens.tokens.tolist() == one_by_one.tokens.tokens.tolist()
    assert joined.tokens.lengths.tolist() == one_by_one.tokens.lengths.tolist()
    assert joined.sentence_counts.tolist() == one_by_one.sentence_counts.tolist()
    assert [joined.sentences(i) for i in range(len(items))] == [one_by_one.sentences(i) for i in range(len(items))]


def test_a_text_holding_the_join_character_is_read_alone() -> None:
    """NUL joins the texts of a batch in the one-pass read; a text that holds one is read text by text."""
    predictions, references = ["fever\x00rash\nof the patient", "cough"], ["the rash\x00fever", "no cough\ntoday"]
    table = per_item(Rouge(), predictions, references)
    for i, (prediction, reference) in enumerate(zip(predictions, references)):
        expected = SCORERS[False].score(reference, prediction)
        for rouge_type in ROUGE_TYPES:
            assert table[f"{rouge_type}_fmeasure"][i] == pytest.approx(expected[rouge_type].fmeasure, abs=TOL)


@FAST
@given(pairs)
def test_batches_give_the_rows_of_one(items: list[tuple[str, str]]) -> None:
    """Items are read and counted in batches (``BATCH``) to bound memory: the rows do not change."""
    from medmetrics.metrics.generation import rouge as rouge_module

    predictions, references = [p for p, _ in items], [r for _, r in items]
    whole = Rouge(use_stemmer=True).stats(predictions, references).rows
    batch, rouge_module.BATCH = rouge_module.BATCH, 2
    try:
        batched = Rouge(use_stemmer=True).stats(predictions, references).rows
    finally:
        rouge_module.BATCH = batch
    assert np.array_equal(batched, whole)
