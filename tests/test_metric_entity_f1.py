"""entity_f1: equal to nervaluate 1.2.1 on generated span sets, and its deliberate differences.

Tolerance against nervaluate: counts are compared exactly; precision, recall and F1 within 1e-12
(absolute). Precision and recall use nervaluate's own formula, so they agree to the last bit;
F1 is 2(COR + 0.5 PAR)/(ACT + POS) here and 2PR/(P + R) there, equal up to rounding.
"""

from __future__ import annotations

import math
import random
from typing import Any

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from nervaluate import Evaluator

from medmetrics.errors import InputError
from medmetrics.metrics.entities import SCHEMES, EntityF1, normalize_mention_text
from medmetrics.results import Parsed
from medmetrics.testing.conformance import check_metric
from medmetrics.testing.entity_styles import Span, span_corpora

TAGS = ["A", "B", "C"]
TOLERANCE = 1e-12
#: Our scheme name -> nervaluate's.
NERVALUATE_SCHEME = {"strict": "strict", "exact": "exact", "partial": "partial", "type": "ent_type"}
MATCH_MODES_WITH_TEXT = ("auto", "offsets", "text")
COUNTS = ("correct", "incorrect", "partial", "missed", "spurious", "possible", "actual")



# -- generated span sets ------------------------------------------------------------------------
def corpora() -> st.SearchStrategy[tuple[list[list[Span]], list[list[Span]]]]:
    return span_corpora(TAGS)


def as_dicts(document: list[Span]) -> list[dict[str, Any]]:
    """Our half-open spans as nervaluate dict spans (inclusive end), in document order."""
    return [{"label": t, "start": s, "end": e - 1} for t, s, e in sorted(document, key=lambda m: (m[1], m[2], m[0]))]


def nervaluate(predictions: list[list[Span]], references: list[list[Span]], tags: list[str]) -> dict[str, Any]:
    # loader="dict" is what loader="default" infers for dict spans, without its IndexError
    # when the first document has no mention.
    return Evaluator([as_dicts(d) for d in references], [as_dicts(d) for d in predictions], tags=tags,
                     loader="dict").evaluate()


def assert_same(ours: dict[str, float], theirs: Any, where: str) -> None:
    for count in COUNTS:
        assert ours[count] == getattr(theirs, count), f"{where}: {count} {ours[count]} != {getattr(theirs, count)}"
    for score in ("precision", "recall", "f1"):
        assert abs(ours[score] - getattr(theirs, score)) <= TOLERANCE, \
            f"{where}: {score} {ours[score]} != {getattr(theirs, score)}"


def as_mappings(document: list[Span]) -> list[dict[str, Any]]:
    return [{"type": t, "start": s, "end": e} for t, s, e in document]


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(corpora())
def test_equals_nervaluate_overall_and_per_type(corpus: tuple[list[list[Span]], list[list[Span]]]) -> None:
    predictions, references = corpus  # predicted types are all declared: nervaluate would drop the rest
    theirs = nervaluate(predictions, references, TAGS)
    for scheme in SCHEMES:
        name = NERVALUATE_SCHEME[scheme]
        for declared in (TAGS, None):
            # tuples and mappings are the same mentions
            preds: list[Any] = predictions if declared else [as_mappings(d) for d in predictions]
            result = EntityF1(criterion=scheme, types=declared).compute(preds, references)
            assert_same(dict(result.components), theirs["overall"][name], f"{scheme} overall")
            for tag in TAGS:
                ours = dict(result.per_label.get(tag, {}))
                if tag in theirs["entities"]:
                    assert_same(ours, theirs["entities"][tag][name], f"{scheme} {tag}")
                else:  # never seen: no row without declared types, all zeros with them
                    assert not ours or all(ours[c] == 0 for c in COUNTS)


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(corpora())
def test_predictions_equal_to_their_gold_score_as_nervaluate_scores_them(
        corpus: tuple[list[list[Span]], list[list[Span]]]) -> None:
    """Every other prediction equals its gold (so it is neither read nor matched): same numbers."""
    predictions, references = corpus
    mixed = [list(r) if k % 2 == 0 else p for k, (p, r) in enumerate(zip(predictions, references))]
    theirs = nervaluate(mixed, references, TAGS)
    for scheme in SCHEMES:
        name = NERVALUATE_SCHEME[scheme]
        result = EntityF1(criterion=scheme, types=TAGS).compute(mixed, references)
        assert_same(dict(result.components), theirs["overall"][name], f"{scheme} overall")
        for tag in theirs["entities"]:
            assert_same(dict(result.per_label[tag]), theirs["entities"][tag][name], f"{scheme} {tag}")


@pytest.mark.parametrize("scheme", SCHEMES)
@pytest.mark.parametrize("match", MATCH_MODES_WITH_TEXT)
def test_skipping_equal_predictions_changes_no_number(scheme: str, match: str) -> None:
    """Reversed, an equal prediction is no longer equal (so it is read and matched) but must score the same."""
    references: list[list[Any]] = [
        [{"type": "A", "text": "fever"}, {"type": "B", "text": "rash"}], [("A", 0, 5), ("B", 6, 9)], [("A", 1, 3)],
        [{"type": "B", "text": "rash", "start": 0, "end": 4}, {"type": "A", "text": "cough", "start": 9, "end": 14}]]
    predictions = [list(references[0]), list(references[1]), [("A", 1, 4)], list(references[3])]
    shuffled = [list(reversed(p)) if p == r else p for p, r in zip(predictions, references)]
    assert shuffled != predictions
    metric = EntityF1(criterion=scheme, match=match)
    keep = {"auto": [0, 1, 2, 3], "offsets": [1, 2, 3], "text": [0, 3]}[match]  # text matching needs texts
    references, predictions, shuffled = ([side[k] for k in keep] for side in (references, predictions, shuffled))
    equal, read = metric.compute(predictions, references), metric.compute(shuffled, references)
    assert equal.components == read.components and equal.per_label == read.per_label


def test_undeclared_predicted_type_is_spurious_where_nervaluate_drops_it() -> None:
    references = [[("DRUG", 0, 7)]]
    predictions = [[("DRUG", 0, 7), ("MEDICATION", 12, 20)]]
    theirs = nervaluate(predictions, references, ["DRUG"])["overall"]["strict"]
    assert (theirs.spurious, theirs.precision) == (0, 1.0)  # the hallucinated type vanished
    ours = EntityF1(types=["DRUG"]).compute(predictions, references)
    assert ours.components["spurious"] == 1 and ours.components["undeclared"] == 1
    assert ours.components["precision"] == 0.5 and ours.components["recall"] == 1.0
    assert ours.per_label["DRUG"]["precision"] == 1.0  # the per-type row of DRUG is untouched
    assert any("undeclared" in note for note in ours.notes)


@pytest.mark.parametrize("scheme", SCHEMES)
def test_undeclared_predicted_type_never_takes_a_gold_mention(scheme: str) -> None:
    # Same span as the gold mention: exact and partial ignore types, yet the undeclared one matches nothing.
    result = EntityF1(criterion=scheme, types=["DRUG"]).compute([[("MEDICATION", 0, 7)]], [[("DRUG", 0, 7)]])
    assert (result.components["spurious"], result.components["missed"], result.value) == (1, 1, 0.0)


def test_mention_order_never_changes_a_number() -> None:
    references = [[("A", 0, 5)]]
    listed, reversed_ = [[("A", 0, 5), ("B", 0, 5)]], [[("B", 0, 5), ("A", 0, 5)]]
    nervaluate_by_order = [Evaluator([[{"label": "A", "start": 0, "end": 4}]],
                                     [[{"label": t, "start": 0, "end": 4} for t, _, _ in p[0]]],
                                     tags=["A", "B"], loader="dict").evaluate()["overall"]["strict"].correct
                           for p in (listed, reversed_)]
    assert nervaluate_by_order == [1, 0]  # nervaluate matches in list order
    ours = [EntityF1().compute(p, references).components["correct"] for p in (listed, reversed_)]
    assert ours == [1, 1]  # we match in document order (start, end, type)


@settings(max_examples=100, deadline=None)
@given(corpora(), st.randoms(use_true_random=False))
def test_shuffling_mentions_within_documents_changes_nothing(corpus: Any, rng: random.Random) -> None:
    predictions, references = corpus
    shuffled = [rng.sample(d, len(d)) for d in predictions]
    for scheme in SCHEMES:
        metric = EntityF1(criterion=scheme, average="macro")
        assert metric.compute(shuffled, references) == metric.compute(predictions, references)


# -- overlap ------------------------------------------------------------------------------------
def test_fever_is_not_a_partial_match_for_rash() -> None:
    """BioMistral-NLU's relaxed overlap counts one shared boundary character as overlap."""
    text = "fever and rash"
    gold, predicted = [("SYMPTOM", 0, 5)], [("SYMPTOM", 10, 14)]
    assert text[0:5] == "fever" and text[10:14] == "rash"
    result = EntityF1(criterion="partial").compute([predicted], [gold])
    assert (result.components["partial"], result.components["spurious"], result.components["missed"]) == (0, 1, 1)
    assert result.value == 0.0
    by_text = EntityF1(criterion="partial", match="text")
    for wrong in ("rash", "red rash"):
        assert by_text.compute([[("SYMPTOM", wrong)]], [[("SYMPTOM", "fever")]]).value == 0.0


def test_touching_spans_do_not_overlap_and_one_shared_character_does() -> None:
    partial = EntityF1(criterion="partial")
    assert partial.compute([[("A", 5, 9)]], [[("A", 0, 5)]]).components["partial"] == 0
    assert partial.compute([[("A", 4, 9)]], [[("A", 0, 5)]]).components["partial"] == 1
    assert nervaluate([[("A", 5, 9)]], [[("A", 0, 5)]], ["A"])["overall"]["partial"].partial == 0


def test_overlap_must_cover_one_percent_of_a_long_gold_mention() -> None:
    partial = EntityF1(criterion="partial")
    for start, expected in ((199, 0), (198, 1)):  # 1 shared character of 200 is 0.5%; 2 are 1%
        predictions, references = [[("A", start, 210)]], [[("A", 0, 200)]]
        assert partial.compute(predictions, references).components["partial"] == expected
        assert nervaluate(predictions, references, ["A"])["overall"]["partial"].partial == expected


def test_incorrect_prediction_over_two_gold_mentions_takes_only_one() -> None:
    """nervaluate#85: no gold mention is counted twice."""
    result = EntityF1(criterion="strict").compute([[("B", 3, 8)]], [[("A", 0, 5), ("A", 6, 10)]])
    counts = {c: result.components[c] for c in ("incorrect", "missed", "possible", "actual")}
    assert counts == {"incorrect": 1, "missed": 1, "possible": 2, "actual": 1}


def test_type_scheme_takes_the_closest_gold_mention_of_its_type() -> None:
    result = EntityF1(criterion="type").compute([[("A", 2, 9), ("A", 0, 4)]], [[("A", 0, 4), ("A", 2, 8)]])
    assert result.components["correct"] == 2  # [0,4) first (document order) takes [0,4), not [2,8)


# -- text mode ----------------------------------------------------------------------------------
@pytest.mark.parametrize(("gold", "predicted", "same"), [
    ("IL-6", "IL6", False),
    ("IL-6", "il-6", True),
    ("IL-6", "ＩＬ－６", True),  # full-width forms fold under NFKC
    ("1.5 mg", "15 mg", False),
    ("1.5 mg", " 1.5\t mg ", True),
    ("α-synuclein", "a-synuclein", False),
    ("α-synuclein", "Α-SYNUCLEIN", True),  # Greek capital alpha casefolds to alpha
    ("10 µg", "10 μg", True),  # micro sign and Greek mu
    ("TNF-α", "TNF-β", False),
])
def test_text_normalization_keeps_what_matters(gold: str, predicted: str, same: bool) -> None:
    assert (normalize_mention_text(gold) == normalize_mention_text(predicted)) is same
    result = EntityF1(match="text").compute([[{"type": "X", "text": predicted}]], [[{"type": "X", "text": gold}]])
    assert result.value == (1.0 if same else 0.0)


def test_text_mentions_are_multisets() -> None:
    metric = EntityF1(match="text")
    gold = [[("D", "fever"), ("D", "fever")]]
    once = metric.compute([[("D", "Fever")]], gold).components
    assert (once["correct"], once["missed"]) == (1, 1)
    thrice = metric.compute([[("D", "fever")] * 3], gold).components
    assert (thrice["correct"], thrice["spurious"]) == (2, 1)


def test_text_mode_matches_same_types_first_whatever_the_order() -> None:
    for predicted in ([("A", "x"), ("B", "x")], [("B", "x"), ("A", "x")]):
        strict = EntityF1(match="text").compute([predicted], [[("B", "x")]]).components
        assert (strict["correct"], strict["incorrect"], strict["spurious"]) == (1, 0, 1)
    wrong_type = EntityF1(match="text", criterion="type").compute([[("A", "x")]], [[("B", "x")]]).components
    assert (wrong_type["incorrect"], wrong_type["correct"]) == (1, 0)
    exact = EntityF1(match="text", criterion="exact").compute([[("A", "x")]], [[("B", "x")]]).components
    assert exact["correct"] == 1
    partial = EntityF1(match="text", criterion="partial").compute([[("A", "fever x")]], [[("A", "fever")]]).components
    assert (partial["partial"], partial["spurious"]) == (0, 1)  # text overlap is equality


def test_untyped_text_mentions() -> None:
    result = EntityF1(match="text", average="macro").compute([[(None, "fever"), (None, "rash")]],
                                                              [[(None, "Fever")]])
    assert result.components["precision"] == 0.5 and result.components["recall"] == 1.0
    assert result.per_label == {} and result.components["macro_f1"] == result.components["micro_f1"]


# -- degenerate cases, failures and averages --------------------------------------------------
def test_failed_parses_miss_every_gold_mention_and_are_counted() -> None:
    predictions = [Parsed(None, "failed", "no list"), None, Parsed([("A", 0, 3)], "ok")]
    result = EntityF1().compute(predictions, [[("A", 0, 3), ("B", 5, 8)], [("A", 1, 2)], [("A", 0, 3)]])
    assert result.n == 3 and result.n_failed == 2
    assert result.components["missed"] == 3 and result.components["correct"] == 1
    assert result.components["recall"] == 0.25 and result.components["f1_answered"] == 1.0


def test_document_with_nothing_on_either_side_adds_nothing() -> None:
    metric = EntityF1()
    base = metric.compute([[("A", 0, 3)]], [[("A", 0, 3), ("B", 4, 6)]])
    padded = metric.compute([[("A", 0, 3)], [], []], [[("A", 0, 3), ("B", 4, 6)], [], []])
    assert padded.value == base.value  # MedINST would average in a 0 per empty document
    assert padded.components["empty_documents"] == 2


@pytest.mark.parametrize("zero_division", [0, 1, math.nan])
def test_no_mentions_anywhere_is_zero_division(zero_division: float) -> None:
    result = EntityF1(zero_division=zero_division).compute([[], []], [[], []])
    assert (math.isnan(result.value) and math.isnan(zero_division)) or result.value == zero_division
    assert result.notes and "zero_division" in result.notes[0]


def test_macro_averages_per_type_scores() -> None:
    predictions = [[("A", 0, 3), ("B", 5, 8)], [("B", 0, 2)]]
    references = [[("A", 0, 3), ("B", 5, 9)], [("C", 0, 2)]]
    result = EntityF1(average="macro").compute(predictions, references)
    per_type = [result.per_label[t]["f1"] for t in ("A", "B", "C")]
    assert per_type == [1.0, 0.0, 0.0] and result.value == pytest.approx(1 / 3, abs=1e-15)
    declared = EntityF1(average="macro", types=["A", "B", "C", "D"]).compute(predictions, references)
    assert declared.value == pytest.approx(1 / 4, abs=1e-15)  # a declared type never seen scores zero_division
    skipped = EntityF1(average="macro", types=["A", "B", "C", "D"], zero_division=math.nan)
    assert skipped.compute(predictions, references).value == pytest.approx(1 / 3, abs=1e-15)


# -- the metric contract ------------------------------------------------------------------------
CONFORMANCE_REFERENCES: list[Any] = [
    [("A", 0, 4), ("B", 6, 10)], [("C", 3, 9)], [], [("A", 0, 5), ("A", 2, 7)], [("B", 0, 3)], [],
    [("A", 10, 20), ("C", 30, 35)], [("B", 1, 4)], [("A", 0, 2)],
]
CONFORMANCE_PREDICTIONS: list[Any] = [
    Parsed([("A", 0, 4), ("B", 7, 10)], "ok"), Parsed(None, "failed", "no list"), Parsed([], "ok"),
    [("A", 1, 5)], Parsed([("C", 0, 3), ("B", 10, 12)], "partial", "truncated"), [("A", 4, 8)], None,
    [("B", 1, 4)], [("A", 0, 2), ("A", 0, 2)],
]


@pytest.mark.parametrize("scheme", SCHEMES)
@pytest.mark.parametrize("average", ["micro", "macro"])
def test_conformance_offsets(scheme: str, average: str) -> None:
    result = check_metric(EntityF1(criterion=scheme, average=average), CONFORMANCE_PREDICTIONS, CONFORMANCE_REFERENCES)
    assert result.n == 9 and result.n_failed == 2


def test_conformance_text_and_declared_types() -> None:
    references = [[(t, f"entity {s}") for t, s, _ in doc] for doc in CONFORMANCE_REFERENCES]
    predictions = [[("D", "x")], *CONFORMANCE_PREDICTIONS[1:3], [("A", "entity 0")], None, [("A", "entity 4")],
                   None, [("B", "Entity 1")], [("A", "ENTITY 0"), ("A", "entity 0")]]
    check_metric(EntityF1(match="text", types=["A", "B", "C"], average="macro"), predictions, references)
    check_metric(EntityF1(types=["A", "B", "C"]), [[("D", 0, 4)], *CONFORMANCE_PREDICTIONS[1:]],
                 CONFORMANCE_REFERENCES)


# -- caller mistakes ----------------------------------------------------------------------------
@pytest.mark.parametrize(("options", "predictions", "references", "message"), [
    ({}, [[]], [[("A", 1, 2)]], None),
    ({}, [[], []], [[("A", 1, 2)], [("A", 5, 3)]], r"reference 1, mention 0 .*start=5, end=3"),
    ({}, [[("A", 4, 4)]], [[]], r"prediction 0, mention 0 .*non-empty"),
    ({"match": "offsets"}, [[]], [[{"type": "A", "text": "fever"}]], r"reference 0, mention 0 has no offsets"),
    ({}, [[("A", 3, None)]], [[]], r"prediction 0, mention 0 has start=3 and end=None: give both"),
    ({}, [[("A", "x"), ("A", 0, 1, 2)]], [[]], r"prediction 0, mention 1 is \('A', 0, 1, 2\)"),
    ({}, [[(3, 0, 1)]], [[]], r"prediction 0, mention 0 has type 3"),
    ({}, [[{"type": "A", "start": None, "end": None}]], [[{"type": "A", "text": "x"}]],
     r"prediction 0, mention 0 has no text: its document is matched by text"),
    ({}, [[("A", 0, 2), (None, 3, 4)]], [[("A", 0, 2)]], r"prediction 0, mention 1 has type None"),
    ({"types": ["A"]}, [[]], [[("A", 0, 2), ("B", 3, 4)]], r"reference 0, mention 1 .*outside types"),
    ({"types": ["A"]}, [[]], [[(None, 0, 2)]], r"reference 0, mention 0 .*types are declared"),
    ({"match": "text"}, [[("A", 0, 2)]], [[]], r"prediction 0, mention 0 has no text"),
    ({}, [[]], ["fever"], r"reference 0 must be a list of mentions, not str"),
    # a prediction equal to its reference is not looked at again: the bad one is still named by its place
    ({}, [[("A", 0, 2)], [], "fever"], [[("A", 0, 2)], [("A", 1, 2)], [("A", 0, 2)]],
     r"prediction 2 must be a list of mentions, not str"),
    ({}, [[("A", 0, 2)], Parsed({"A": 1}, "ok")], [[("A", 0, 2)], [("A", 1, 2)]],
     r"prediction 1 must be a list of mentions, not dict"),
    ({}, [[("A", 0, 2)], 5, None], [[("A", 0, 2)], [("A", 1, 2)], [("A", 1, 2)]],
     r"prediction 1 must be a list of mentions, not int"),
    ({}, [[("A", 0, 2)], Parsed(7, "ok")], [[("A", 0, 2)], [("A", 1, 2)]],
     r"prediction 1 must be a list of mentions, not int"),
    ({}, [[]], [[("A", 1.0, 2)]], r"reference 0, mention 0 has no integer start"),
])
def test_caller_mistakes_name_the_item_and_mention(options: dict[str, Any], predictions: list[Any],
                                                   references: list[Any], message: str | None) -> None:
    metric = EntityF1(**options)
    if message is None:
        metric.compute(predictions, references)  # the well-formed control case
        return
    with pytest.raises(InputError, match=message):
        metric.compute(predictions, references)


@pytest.mark.parametrize("options", [{"criterion": "loose"}, {"average": "weighted"}, {"zero_division": 0.5},
                                     {"types": "A"}, {"types": []}, {"match": "tokens"}])
def test_bad_options_are_input_errors(options: dict[str, Any]) -> None:
    with pytest.raises(InputError):
        EntityF1(**options)


def test_nervaluate_scheme_name_is_accepted() -> None:
    assert EntityF1(criterion="ent_type").signature == EntityF1(criterion="type").signature


# -- grounding: the parsers' mention dicts ------------------------------------------------------
def mention(kind: str, text: str, start: int | None, end: int | None) -> dict[str, Any]:
    return {"type": kind, "text": text, "start": start, "end": end}


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(corpora(), st.randoms(use_true_random=False))
def test_ungrounded_predictions_are_spurious_and_counted(corpus: Any, rng: random.Random) -> None:
    """Adding mentions the parser could not find in the text adds exactly that many spurious ones."""
    predictions, references = corpus
    extra = [[mention(rng.choice(TAGS), "hallucinated", None, None) for _ in range(rng.randint(0, 2))]
             for _ in predictions]
    with_extra = [[*as_mappings(d), *e] for d, e in zip(predictions, extra)]
    added = sum(map(len, extra))
    for scheme in SCHEMES:
        for match in ("offsets", "auto"):
            base = EntityF1(criterion=scheme, match=match).compute(predictions, references)
            ours = EntityF1(criterion=scheme, match=match).compute(with_extra, references)
            assert ours.components["ungrounded"] == added
            assert ours.components["spurious"] == base.components["spurious"] + added
            assert ours.components["actual"] == base.components["actual"] + added
            for count in ("correct", "incorrect", "partial", "missed"):
                assert ours.components[count] == base.components[count]
            for tag in TAGS:
                own = sum(m["type"] == tag for doc in extra for m in doc)
                assert ours.per_label.get(tag, {}).get("spurious", 0) == \
                    base.per_label.get(tag, {}).get("spurious", 0) + own


def test_ungrounded_prediction_never_matches_even_with_the_gold_text() -> None:
    gold = [[mention("D", "fever", 0, 5)]]
    result = EntityF1().compute([[mention("D", "fever", None, None)]], gold)
    assert (result.components["spurious"], result.components["missed"], result.value) == (1, 1, 0.0)
    assert any("without offsets" in note for note in result.notes)


def test_auto_matches_each_document_by_offsets_when_its_gold_is_grounded_else_by_text() -> None:
    grounded_gold = [mention("D", "fever", 0, 5)]
    text_gold = [{"type": "D", "text": "Rash"}]  # a data set that ships entity strings only
    predictions = [[mention("D", "fever", 0, 5)], [mention("D", "rash", None, None)]]
    result = EntityF1().compute(predictions, [grounded_gold, text_gold])
    assert result.components["text_matched"] == 1 and result.value == 1.0
    assert any("1 of 2 document(s) matched by text" in note for note in result.notes)
    by_offsets = EntityF1(match="offsets").compute(predictions[:1], [grounded_gold])
    by_text = EntityF1(match="text").compute(predictions[1:], [text_gold])
    for count in COUNTS:
        assert result.components[count] == by_offsets.components[count] + by_text.components[count]
    with pytest.raises(InputError, match="reference 1, mention 0 has no offsets"):
        EntityF1(match="offsets").compute(predictions, [grounded_gold, text_gold])


def test_offsets_are_read_from_every_mention_form() -> None:
    forms: list[Any] = [("D", 0, 5), {"type": "D", "start": 0, "end": 5}, mention("D", "fever", 0, 5),
                        {"type": "D", "start": np.int64(0), "end": np.int32(5)}]
    for form in forms:
        assert EntityF1().compute([[form]], [[("D", 0, 5)]]).value == 1.0


@pytest.mark.slow
def test_large_corpus_interval_is_reproducible_by_shards_and_order() -> None:
    """Over 2,048 distinct statistics rows with ten items per row or more, resamples are multinomial
    draws over the distinct rows (medmetrics.metrics.resampling); shards and item order still give
    the identical interval."""
    rng = np.random.default_rng(3)
    references, predictions = [], []
    for _ in range(40_000):
        gold = [(str(rng.choice(TAGS)), int(s), int(s) + int(rng.integers(1, 4))) for s in
                sorted(rng.choice(40, size=int(rng.integers(0, 6)), replace=False) * 5)]
        kept = [m for m in gold if rng.random() < 0.7]
        invented = [(str(rng.choice(TAGS)), 300 + k, 302 + k) for k in range(int(rng.integers(0, 3)))]
        references.append(gold)
        predictions.append(kept + invented)
    metric = EntityF1(average="macro")
    stats = metric.stats(predictions, references)
    assert 2048 < len(np.unique(stats.rows, axis=0)) <= len(references) // 10
    whole = metric.result(stats, ci=True, resamples=200)
    cut = len(references) // 3
    merged = metric.result(metric.stats(predictions[cut:], references[cut:]).merge(
        metric.stats(predictions[:cut], references[:cut])), ci=True, resamples=200)
    assert merged == whole
    order = rng.permutation(len(references))
    shuffled = metric.compute([predictions[i] for i in order], [references[i] for i in order], ci=True, resamples=200)
    assert shuffled == whole and whole.ci is not None and whole.ci.low < whole.value < whole.ci.high


@settings(max_examples=150, deadline=None)
@given(st.lists(st.tuples(st.lists(st.tuples(st.sampled_from(TAGS), st.sampled_from(["fever", "Fever", "rash", "x"])),
                                   max_size=5),
                          st.lists(st.tuples(st.sampled_from(TAGS), st.sampled_from(["fever", "rash", "x", "y"])),
                                   max_size=5)), min_size=1, max_size=5),
       st.sampled_from(sorted(SCHEMES)))
def test_text_matching_per_type_equals_matching_each_type_alone(documents: list[Any], scheme: str) -> None:
    """A type's counts in a text-matched run are the overall counts of a run on that type's mentions alone."""
    golds, preds = [g for g, _ in documents], [p for _, p in documents]
    per_label = EntityF1(match="text", criterion=scheme).compute(preds, golds).per_label
    for t, row in per_label.items():
        alone = EntityF1(match="text", criterion=scheme).compute([[m for m in p if m[0] == t] for p in preds],
                                                                 [[m for m in g if m[0] == t] for g in golds])
        assert {k: row[k] for k in COUNTS} == {k: alone.components[k] for k in COUNTS}, t
