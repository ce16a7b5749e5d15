"""``meteor`` against nltk's ``meteor_score`` (tolerance 1e-9; in practice bit-equal), on the same WordNet.

WordNet comes from the machine (Debian's ``wordnet-base``, or NLTK data). Where it is missing the
WordNet tests skip with the install hint, except under CI (``CI`` set, as ``.ci/run`` runs), where
they fail with it: CI installs ``wordnet-base`` first.
"""

from __future__ import annotations

import math
import os
import random
import shutil
import zipfile
from pathlib import Path

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from nltk.stem.porter import PorterStemmer
from nltk.tokenize.destructive import NLTKWordTokenizer
from nltk.translate.meteor_score import align_words, meteor_score

import medmetrics
from medmetrics.errors import InputError, MissingDependencyError
from medmetrics.metrics.generation import meteor as meteor_module
from medmetrics.metrics.generation import require
from medmetrics.metrics.generation.meteor import Meteor, WordNetNames, load_wordnet
from medmetrics.testing.conformance import check_metric

TOLERANCE = 1e-9
# Words with stems and WordNet synonyms in common, biomedical and not, and some non-ASCII.
_VOCABULARY = (
    "the a patient patients was were given giving gives aspirin drug drugs medication medicine medicines fever "
    "febrile high temperature pain ache aches hurt heart cardiac attack infarction treated treatment treat cured "
    "cure healing heal heals runs running ran run big large huge small little always forever ever constantly "
    "ill sick disease illness doctor physician dr. kidney renal chronic acute IL-6 1.5 mg µg β-blocker 心脏 café "
    "Party party commands command military army guide guidance action ensures ensure insure obeys heed"
)
VOCABULARY = _VOCABULARY.split()


@pytest.fixture(scope="module")
def wordnet():
    try:
        return load_wordnet()
    except MissingDependencyError as exc:
        if os.environ.get("CI", "").lower() in ("", "0", "false"):
            pytest.skip(str(exc))
        raise


texts = st.lists(st.sampled_from(VOCABULARY), min_size=0, max_size=18).map(" ".join)
reference_groups = st.one_of(texts, st.lists(texts, min_size=1, max_size=3))
parameters = st.fixed_dictionaries({
    "alpha": st.floats(0.0, 1.0), "beta": st.floats(0.0, 6.0), "gamma": st.floats(0.0, 1.0),
})


def _nltk(prediction: str, references: str | list[str], wordnet, tokenize=str.split, **options) -> float:
    group = [references] if isinstance(references, str) else references
    return meteor_score([tokenize(r) for r in group], tokenize(prediction), wordnet=wordnet, **options)


def _scores(metric: Meteor, predictions, references) -> list[float]:
    stats = metric.stats(predictions, references)
    return list(stats.rows[:, stats.columns.index("meteor")])


@settings(max_examples=200, deadline=None)
@given(items=st.lists(st.tuples(texts, reference_groups), min_size=1, max_size=6), params=parameters)
def test_equals_nltk_sentence_scores(wordnet, items, params) -> None:
    predictions, references = [p for p, _ in items], [r for _, r in items]
    ours = _scores(Meteor(**params), predictions, references)
    expected = [_nltk(p, r, wordnet, **params) for p, r in items]
    assert ours == pytest.approx(expected, abs=TOLERANCE, rel=0)
    result = Meteor(**params).compute(predictions, references)
    assert result.value == pytest.approx(sum(expected) / len(expected), abs=TOLERANCE, rel=0)


@settings(max_examples=60, deadline=None)
@given(items=st.lists(st.tuples(st.text(max_size=40), st.text(max_size=40)), min_size=1, max_size=5))
def test_equals_nltk_on_arbitrary_unicode(wordnet, items) -> None:
    predictions, references = [p for p, _ in items], [r for _, r in items]
    expected = [_nltk(p, r, wordnet) for p, r in items]
    assert _scores(Meteor(), predictions, references) == pytest.approx(expected, abs=TOLERANCE, rel=0)


@settings(max_examples=60, deadline=None)
@given(items=st.lists(st.tuples(texts, texts), min_size=1, max_size=5))
def test_options_equal_nltk_with_the_matching_arguments(wordnet, items) -> None:
    class NoWordNet:
        @staticmethod
        def synsets(word):
            return []

    class NoStemmer:
        @staticmethod
        def stem(word):
            return word

    predictions, references = [p for p, _ in items], [r for _, r in items]
    cases = [
        ({"wordnet_synonyms": False}, {"wordnet": NoWordNet()}),
        ({"stemming": False}, {"wordnet": wordnet, "stemmer": NoStemmer()}),
        ({"lowercase": False}, {"wordnet": wordnet, "preprocess": lambda w: w}),
    ]
    for ours_options, nltk_options in cases:
        expected = [meteor_score([r.split()], p.split(), **nltk_options) for p, r in items]
        got = _scores(Meteor(**ours_options), predictions, references)
        assert got == pytest.approx(expected, abs=TOLERANCE, rel=0), ours_options


def test_nltk_tokenizer_option(wordnet) -> None:
    tokenizer = NLTKWordTokenizer()
    prediction = "The patient's fever (38.5°C) didn't respond to aspirin, so treatment changed."
    reference = "Patients' fevers did not respond to aspirin; the treatment was changed."
    expected = meteor_score([tokenizer.tokenize(reference)], tokenizer.tokenize(prediction), wordnet=wordnet)
    assert Meteor(tokenize="nltk").compute([prediction], [reference]).value == pytest.approx(expected, abs=1e-12)
    assert Meteor().compute([prediction], [reference]).value != pytest.approx(expected, abs=1e-6)


def test_nltk_doctest_example(wordnet) -> None:
    hypothesis = ("It is a guide to action which ensures that the military always obeys the commands of the "
                  "party")
    reference = "It is a guide to action that ensures that the military will forever heed Party commands"
    assert round(Meteor().compute([hypothesis], [reference]).value, 4) == 0.6944


def test_synonym_stage_works_on_stems_as_nltk_does(wordnet) -> None:
    # "sick" and "ill" are synonyms; "always"/"forever" are too, but their stems ("alway", "forev") are not.
    assert Meteor().compute(["sick"], ["ill"]).value > 0
    assert Meteor().compute(["always"], ["forever"]).value == 0.0
    assert Meteor(stemming=False).compute(["always"], ["forever"]).value > 0
    assert Meteor(wordnet_synonyms=False).compute(["sick"], ["ill"]).value == 0.0


@settings(max_examples=60, deadline=None)
@given(items=st.lists(st.tuples(texts, reference_groups), min_size=1, max_size=6), params=parameters)
def test_corpus_level_pools_matches_lengths_and_chunks(wordnet, items, params) -> None:
    totals = {"m": 0, "h": 0, "r": 0, "c": 0}
    for prediction, references in items:
        group = [references] if isinstance(references, str) else references
        best = max(group, key=lambda r: _nltk(prediction, r, wordnet, **params))  # first best, like nltk
        hyp, ref = prediction.lower().split(), best.lower().split()
        matches = align_words(hyp, ref, wordnet=wordnet)[0]
        chunks = sum(1 for k, (i, j) in enumerate(matches) if k == 0 or (i, j) != (matches[k - 1][0] + 1,
                                                                                    matches[k - 1][1] + 1))
        for key, value in zip("mhrc", (len(matches), len(hyp), len(ref), chunks)):
            totals[key] += value
    m, h, r, c = totals["m"], totals["h"], totals["r"], totals["c"]
    expected = 0.0
    if m and h and r:
        p, rec = m / h, m / r
        if params["alpha"] * p + (1 - params["alpha"]) * rec:
            fmean = p * rec / (params["alpha"] * p + (1 - params["alpha"]) * rec)
            expected = (1 - params["gamma"] * (c / m) ** params["beta"]) * fmean
    result = Meteor(level="corpus", **params).compute([p for p, _ in items], [r for _, r in items])
    assert result.value == pytest.approx(expected, abs=TOLERANCE, rel=0)
    assert result.components["precision"] == pytest.approx(m / h if h else 0.0)


def test_degenerate_cases(wordnet) -> None:
    result = Meteor().compute(["", None, "fever", "fever"], ["fever", "fever", "", "fever"])
    assert result.value == pytest.approx(0.25 * Meteor().compute(["fever"], ["fever"]).value)
    assert result.n_failed == 1
    assert math.isclose(Meteor().compute(["fever"], ["fever"]).value, 0.5, rel_tol=1e-12)  # 1 - 0.5 * 1**3


def test_conformance_with_wordnet(wordnet) -> None:
    predictions = ["the patient had a high fever", None, "aspirin was given", "", "renal disease, chronic",
                   "heart attack"]
    references = ["patient was febrile", "no fever", ["aspirin given", "the drug was aspirin"], "ok",
                  "chronic kidney disease", ["cardiac infarction", "heart attack"]]
    result = check_metric(medmetrics.get_metric("meteor"), predictions, references)
    assert 0 < result.value < 1


def test_wordnet_from_an_nltk_data_directory(wordnet, tmp_path: Path) -> None:
    """NLTK's layout (corpora/wordnet, with lexnames) read through wordnet_path gives the same scores."""
    source = meteor_module.DEBIAN_WORDNET
    if not (source / "index.noun").is_file():
        pytest.skip("needs Debian's wordnet-base to build an NLTK-layout copy")
    target = tmp_path / "corpora" / "wordnet"
    target.mkdir(parents=True)
    for file in source.iterdir():
        if file.is_file():  # Debian's full wordnet package also has folders here (wnres/)
            shutil.copyfile(file, target / file.name)  # nltk refuses symlinks that leave its root
    (target / "lexnames").write_text(meteor_module._lexnames_text(), encoding="utf-8")
    pairs = (["sick patients were treated", "always"], ["ill patient treatment", "ever"])
    assert Meteor(wordnet_path=str(tmp_path)).compute(*pairs).value == Meteor().compute(*pairs).value


@settings(max_examples=30, deadline=None)
@given(st.lists(st.tuples(texts, texts), min_size=1, max_size=5))
def test_wordnet_in_a_zip_reads_the_same_synonyms(wordnet_zip: Path, pairs: list[tuple[str, str]]) -> None:
    """NLTK's zipped layout (corpora/wordnet.zip) is read through nltk's stream, a directory from
    the file itself: the same synonyms, so the same per-item scores."""
    predictions, references = [p for p, _ in pairs], [r for _, r in pairs]
    zipped = Meteor(wordnet_path=str(wordnet_zip)).stats(predictions, references)
    assert np.array_equal(zipped.rows, Meteor().stats(predictions, references).rows)


@pytest.fixture(scope="module")
def wordnet_zip(wordnet, tmp_path_factory: pytest.TempPathFactory) -> Path:
    source = meteor_module.DEBIAN_WORDNET
    if not (source / "index.noun").is_file():
        pytest.skip("needs Debian's wordnet-base to build a zipped NLTK-layout copy")
    root = tmp_path_factory.mktemp("nltk_data")
    (root / "corpora").mkdir()
    with zipfile.ZipFile(root / "corpora" / "wordnet.zip", "w") as archive:
        for file in source.iterdir():
            if file.is_file():
                archive.write(file, f"wordnet/{file.name}")
        archive.writestr("wordnet/lexnames", meteor_module._lexnames_text())
    return root


def test_missing_wordnet_says_how_to_install(tmp_path: Path) -> None:
    with pytest.raises(MissingDependencyError) as error:
        Meteor(wordnet_path=str(tmp_path)).compute(["a"], ["a"])
    message = str(error.value)
    assert "apt-get install wordnet-base" in message and "synonyms=False" in message
    assert "NLTK_DATA" in message and str(tmp_path) in message


def test_without_synonyms_no_wordnet_is_read(monkeypatch: pytest.MonkeyPatch) -> None:
    def no_wordnet(path=None):
        raise AssertionError("WordNet was read")

    monkeypatch.setattr(meteor_module, "load_wordnet", no_wordnet)
    assert Meteor(wordnet_synonyms=False).compute(["fever"], ["fever"]).value == pytest.approx(0.5)


def test_missing_extra_names_it() -> None:
    with pytest.raises(MissingDependencyError, match=r"pip install 'medmetrics\[generation\]'"):
        require("nltk_that_does_not_exist", "metric 'meteor'")


@pytest.mark.parametrize(("options", "match"), [
    ({"alpha": 1.5}, "alpha"), ({"beta": "3"}, "beta"), ({"gamma": math.nan}, "gamma"),
    ({"stemming": "yes"}, "stemming"), ({"tokenize": "spacy"}, "tokenize"), ({"level": "system"}, "level"),
    ({"wordnet_synonyms": False, "wordnet_path": "/x"}, "wordnet_path"),
])
def test_bad_options(options, match) -> None:
    with pytest.raises(InputError, match=match):
        Meteor(**options)


@pytest.mark.parametrize(("predictions", "references", "match"), [
    ([["tokens"]], ["a"], "prediction 0"), (["a"], [3], "reference 0"), (["a"], [[]], "reference 0"),
    (["a", "b"], ["a"], "2 items"),
])
def test_bad_items(predictions, references, match) -> None:
    with pytest.raises(InputError, match=match):
        Meteor(wordnet_synonyms=False).compute(predictions, references)


def test_stemmer_is_porter() -> None:
    aligner = Meteor(wordnet_synonyms=False).aligner()
    assert aligner.stem("running") == PorterStemmer().stem("running") == "run"


def test_lemma_names_read_directly_equal_nltk_synsets(wordnet) -> None:
    """The fast reader of synonym names gives what ``wordnet.synsets(word)`` gives, on WordNet's own
    lemmas (every part of speech, adjective markers such as "(a)", multi-word lemmas) and inflections."""
    rng = random.Random(3)
    words = rng.sample(sorted(wordnet.all_lemma_names()), 1500)
    words += [w + suffix for w in rng.sample(words, 300) for suffix in ("s", "ed", "ing", "er")] + VOCABULARY
    names = WordNetNames(wordnet)
    for word in words:
        expected = {lemma.name() for synset in wordnet.synsets(word) for lemma in synset.lemmas()}
        assert names(word) == expected, word


def test_only_words_left_after_exact_matching_are_stemmed() -> None:
    """As nltk: the stem stage reads the words the exact stage left free, so a cold call never
    stems a word that matched exactly (and the alignment is the same)."""
    from medmetrics.metrics.generation.meteor import Aligner

    stemmed: list[str] = []

    def stem(word: str) -> str:
        stemmed.append(word)
        return word.rstrip("s")

    aligner = Aligner(stem, None)
    assert aligner.align(["the", "fever", "resolved"], ["the", "fever", "resolved"]) == [(0, 0), (1, 1), (2, 2)]
    assert stemmed == []
    assert aligner.align(["the", "cats", "slept"], ["the", "cat", "sleeps"]) == [(0, 0), (1, 1)]
    assert sorted(stemmed) == ["cat", "cats", "sleeps", "slept"]
