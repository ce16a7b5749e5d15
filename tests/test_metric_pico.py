"""pico_token_f1: BLURB's token-level macro F1 over PAR/INT/OUT, against scikit-learn.

The independent implementation of BLURB's definition is scikit-learn's
``precision_recall_fscore_support`` on the flattened token classes with
``labels=["PAR", "INT", "OUT"]`` (no-class tokens are not a label) and ``average="macro"`` (or
``"micro"``); tolerance 1e-12 absolute.
"""

from __future__ import annotations

import math

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from sklearn.metrics import precision_recall_fscore_support

from medmetrics.errors import InputError
from medmetrics.metrics.pico import CLASSES, PicoTokenF1, pico_class
from medmetrics.testing.conformance import check_metric

TOLERANCE = 1e-12
#: Tag spellings and the class each names ("" = none).
SPELLINGS = {"O": "", "B-PAR": "PAR", "I-PAR": "PAR", "I-INT": "INT", "B-INT": "INT", "I-OUT": "OUT",
             "OUT": "OUT", "I-Participants": "PAR", "Intervention": "INT", "b-outcome": "OUT", "N": "", "None": ""}


@st.composite
def corpora(draw: st.DrawFn) -> tuple[list[list[str]], list[list[str]]]:
    sizes = draw(st.lists(st.integers(0, 12), min_size=1, max_size=8))
    tag = st.sampled_from(sorted(SPELLINGS))
    gold = [draw(st.lists(tag, min_size=n, max_size=n)) for n in sizes]
    pred = [draw(st.lists(tag, min_size=n, max_size=n)) for n in sizes]
    return pred, gold


def flat_classes(corpus: list[list[str]]) -> list[str]:
    return [SPELLINGS[t] or "none" for doc in corpus for t in doc]


@settings(max_examples=300, deadline=None)
@given(corpora(), st.sampled_from(["macro", "micro"]), st.sampled_from([0.0, 1.0]))
def test_equals_sklearn_token_f1(corpus: tuple[list[list[str]], list[list[str]]], average: str, zd: float) -> None:
    pred, gold = corpus
    y_true, y_pred = flat_classes(gold), flat_classes(pred)
    result = PicoTokenF1(average=average, zero_division=zd).compute(pred, gold)
    if not y_true:  # scikit-learn refuses empty input; every class is then 0/0
        assert result.value == zd
        return
    # one scikit-learn call gives precision, recall and F1 together (three calls cost 3x the time)
    averaged = precision_recall_fscore_support(y_true, y_pred, labels=list(CLASSES), average=average,
                                               zero_division=zd)
    for name, theirs in zip(("precision", "recall", "f1"), averaged):
        assert abs(result.components[name] - theirs) <= TOLERANCE, (name, result.components[name], theirs)
    per_class = precision_recall_fscore_support(y_true, y_pred, labels=list(CLASSES), average=None,
                                                zero_division=zd)[2]
    for label, theirs in zip(CLASSES, per_class):
        assert abs(result.per_label[label]["f1"] - theirs) <= TOLERANCE


def test_worked_example() -> None:
    gold = [["B-PAR", "I-PAR", "O", "B-INT", "I-OUT"]]
    pred = [["B-PAR", "O", "I-INT", "I-INT", "I-OUT"]]
    result = PicoTokenF1().compute(pred, gold)
    # PAR: tp 1, pred 1, gold 2 -> 2/3; INT: tp 1, pred 2, gold 1 -> 2/3; OUT: 1
    assert result.value == pytest.approx((2 / 3 + 2 / 3 + 1) / 3, abs=1e-15)
    assert result.per_label["PAR"]["recall"] == 0.5


def test_positional_not_bag_of_words() -> None:
    """BioMistral-NLU counts tokens as a bag; BLURB (and we) count them where they are."""
    result = PicoTokenF1().compute([["O", "I-PAR"]], [["I-PAR", "O"]])
    assert result.per_label["PAR"]["f1"] == 0.0


def test_unknown_predicted_tags_are_counted_as_no_class() -> None:
    result = PicoTokenF1().compute([["B-Drug", "I-PAR"]], [["I-PAR", "I-PAR"]])
    assert result.components["unknown"] == 1
    assert result.per_label["PAR"]["recall"] == 0.5


def test_failed_parse_predicts_no_class() -> None:
    result = PicoTokenF1().compute([None, ["I-OUT"]], [["I-PAR"], ["I-OUT"]])
    assert result.per_label["PAR"]["recall"] == 0.0
    assert result.n_failed == 1


def test_caller_mistakes() -> None:
    with pytest.raises(InputError, match="reference 1 has tag 'B-Drug'"):
        PicoTokenF1().compute([["O"], ["O"]], [["O"], ["B-Drug"]])
    with pytest.raises(InputError, match="prediction 0 has 1 tags but its reference has 2"):
        PicoTokenF1().compute([["O"]], [["O", "O"]])
    with pytest.raises(InputError, match="average"):
        PicoTokenF1(average="weighted")


def test_tag_reading() -> None:
    tags = ("I-PAR", "population", "B-Interventions", "OUTCOMES", "O", "")
    assert [pico_class(t) for t in tags] == [1, 1, 2, 3, 0, 0]
    assert pico_class("P") == pico_class("I") == -1  # single letters are ambiguous with BIO
    assert pico_class(None) == -1


def test_conformance_and_interval() -> None:
    gold = [["I-PAR", "I-PAR", "O"], ["I-INT", "O"], ["I-OUT", "I-OUT", "O", "I-PAR"], ["O"]]
    pred = [["I-PAR", "O", "O"], None, ["I-OUT", "I-INT", "O", "I-PAR"], ["I-OUT"]]
    result = check_metric(PicoTokenF1(), pred, gold)
    assert result.ci is not None and not math.isnan(result.ci.low)
