"""normalized_match: hand-computed cases, and SQuAD's normalization (written out independently
here, as in the SQuAD v1.1 evaluation script) on random ASCII text."""

from __future__ import annotations

import re
import string

import pytest
from hypothesis import given
from hypothesis import strategies as st

from medmetrics.errors import InputError
from medmetrics.metrics.answers import NormalizedMatch, normalize_answer
from medmetrics.results import Parsed
from medmetrics.testing.conformance import check_metric


def squad_normalize(text: str) -> str:
    """SQuAD v1.1: lower, drop string.punctuation, drop articles, collapse white space."""
    text = "".join(ch for ch in text.lower() if ch not in set(string.punctuation))
    text = re.sub(r"\b(a|an|the)\b", " ", text)
    return " ".join(text.split())


ascii_text = st.text(alphabet=st.sampled_from(string.printable), max_size=40) | st.lists(
    st.sampled_from(["a", "An", "the", "THE", "theory", "an-", "a.", "IL-2", "(b)", "fever", " ", "\t", "'s"]),
    max_size=8).map(" ".join)


@given(ascii_text)
def test_normalization_equals_squad_on_ascii(text: str) -> None:
    assert normalize_answer(text) == squad_normalize(text)


def test_normalization_is_unicode_aware() -> None:
    assert normalize_answer("ＴＨＥ Straße — «Fieber»!") == "strasse fieber"
    assert normalize_answer("β-blocker, 5 µg") == "βblocker 5 μg"


def test_exact_match_by_hand() -> None:
    preds = ["The Myocardial infarction.", Parsed(None, "failed", "no answer"), "an  acute renal failure",
             "renal failure"]
    refs = ["myocardial infarction", "fever", "acute renal failure", "acute renal failure"]
    result = NormalizedMatch().compute(preds, refs)
    assert result.value == pytest.approx(2 / 4)
    assert result.n_failed == 1


def test_containment_by_hand_is_whole_words() -> None:
    metric = NormalizedMatch(match="contains", reference_prefixes=["The diagnosis result is"])
    preds = ["Most likely: Pulmonary embolism.", "not bronchitis", "Diagnosis: GERD", "pneumonia, or bronchitis"]
    refs = ["The diagnosis result is pulmonary embolism.", "no", "The diagnosis result is GERD",
            "The diagnosis result is bronchitis."]
    result = metric.compute(preds, refs)
    # MedS-Bench's raw substring test also finds "no" in "not bronchitis" (4 of 4); we do not.
    assert result.value == pytest.approx(3 / 4)
    assert NormalizedMatch(match="contains").compute(["the GERD"], ["The diagnosis result is GERD"]).value == 0.0


def test_caller_mistakes() -> None:
    with pytest.raises(InputError, match="match"):
        NormalizedMatch(match="fuzzy")
    with pytest.raises(InputError, match="reference_prefixes"):
        NormalizedMatch(reference_prefixes="The answer is")
    with pytest.raises(InputError, match="reference 1"):
        NormalizedMatch().compute(["a", "b"], ["fever", "the ..."])
    with pytest.raises(InputError, match="reference 0"):
        NormalizedMatch().compute(["a"], [3])


def test_conformance() -> None:
    check_metric(NormalizedMatch(match="contains"), ["fever and rash", None, "cough", "The GERD."],
                 ["rash", "fever", "fever", "gerd"])
