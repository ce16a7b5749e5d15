"""``porter_stem`` against nltk's ``PorterStemmer().stem``: equal on every word tried.

The stemmer replaces nltk's in ROUGE (as rouge-score stems) and METEOR (as nltk's meteor_score
stems), so any difference would move their scores: it is checked on WordNet's whole vocabulary,
inflected with the suffixes every rule reads, on Hypothesis words built from those suffixes and
on arbitrary text (any character, case and length), where nltk's quirks live.
"""

from __future__ import annotations

import os
import sys

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from nltk.stem.porter import PorterStemmer

from medmetrics.errors import MissingDependencyError
from medmetrics.metrics.generation.meteor import load_wordnet
from medmetrics.metrics.generation.porter import porter_stem

NLTK = PorterStemmer().stem
#: every suffix a rule of some step reads (and a few that chain several steps)
SUFFIXES = (
    "s", "es", "sses", "ies", "ss", "ied", "eed", "ed", "ing", "y", "ly", "ally", "alli", "fulli", "logi", "logies",
    "ational", "tional", "enci", "anci", "izer", "bli", "entli", "eli", "ousli", "ization", "ation", "ations", "ator",
    "alism", "iveness", "fulness", "ousness", "aliti", "iviti", "biliti", "icate", "ative", "alize", "iciti", "ical",
    "ful", "ness", "al", "ance", "ence", "er", "ers", "ic", "able", "ible", "ant", "ement", "ment", "ent", "ion",
    "sion", "tion", "ou", "ism", "ate", "ated", "iti", "ous", "ive", "ize", "ized", "izing", "e", "ll", "*d", "*ded",
)


def _differences(words) -> list[tuple[str, str, str]]:
    return [(w, NLTK(w), porter_stem(w)) for w in words if NLTK(w) != porter_stem(w)]


@pytest.fixture(scope="module")
def lemmas() -> list[str]:
    """WordNet's lemma names, and each part of the multi-word ones."""
    try:
        wordnet = load_wordnet()
    except MissingDependencyError as exc:
        if os.environ.get("CI", "").lower() in ("", "0", "false"):
            pytest.skip(str(exc))
        raise
    names = set(wordnet.all_lemma_names())
    names.update(part for name in list(names) for part in name.split("_"))
    return sorted(names)


def test_paper_examples() -> None:
    """Porter's own examples, and nltk's departures from them (irregular forms, short words)."""
    examples = {
        "caresses": "caress", "ponies": "poni", "ties": "tie", "cats": "cat", "feed": "feed", "agreed": "agre",
        "plastered": "plaster", "motoring": "motor", "sing": "sing", "conflated": "conflat", "hopping": "hop",
        "falling": "fall", "filing": "file", "happy": "happi", "enjoy": "enjoy", "relational": "relat",
        "generalization": "gener", "hopefulness": "hope", "electrical": "electr", "adoption": "adopt",
        "controll": "control", "dying": "die", "skies": "sky", "innings": "inning", "Running": "run", "IS": "is",
    }
    assert {word: porter_stem(word) for word in examples} == examples
    assert {word: NLTK(word) for word in examples} == examples


def test_wordnet_vocabulary(lemmas: list[str]) -> None:
    """Every WordNet lemma, and one in a hundred inflected with every suffix."""
    words = lemmas + [lemma + suffix for lemma in lemmas[::100] for suffix in SUFFIXES]
    assert len(words) > 250_000
    assert _differences(words) == []


@pytest.mark.slow
def test_wordnet_vocabulary_every_suffix(lemmas: list[str]) -> None:
    """One WordNet lemma in eight with every suffix: 1.4 million words (all 158,177 lemmas with
    every suffix, 11.4 million words, were checked once, in six minutes: no difference)."""
    assert _differences(lemma + suffix for lemma in lemmas[3::8] for suffix in SUFFIXES) == []


letters = st.sampled_from("aeiouyybcdglmnrstwxz")
suffix_words = st.builds(lambda head, tail: head + "".join(tail), st.text(letters, max_size=7),
                         st.lists(st.sampled_from(SUFFIXES), max_size=3))


@settings(max_examples=3000, deadline=None)
@given(suffix_words)
def test_words_built_from_suffixes(word: str) -> None:
    assert porter_stem(word) == NLTK(word)


@settings(max_examples=2000, deadline=None)
@given(st.one_of(st.text(), st.text("aeiouyAEIOUYbcdlst*İÉß1- ", max_size=12)))
def test_any_text(word: str) -> None:
    """Any string, as nltk takes any: upper case, non-ASCII (its lowercase may be longer), punctuation."""
    assert porter_stem(word) == NLTK(word)


def test_rouge_stems_without_nltk(monkeypatch: pytest.MonkeyPatch) -> None:
    """ROUGE's stemmer no longer needs nltk installed."""
    from medmetrics import get_metric

    for name in [m for m in sys.modules if m == "nltk" or m.startswith("nltk.")]:
        monkeypatch.delitem(sys.modules, name)
    monkeypatch.setitem(sys.modules, "nltk", None)  # import nltk now raises ImportError
    result = get_metric("rouge", rouge_type="rouge1", use_stemmer=True).compute(
        ["the patients were treated"], ["a patient treating"])
    assert result.value == pytest.approx(2 * (2 / 4) * (2 / 3) / (2 / 4 + 2 / 3))
