"""The ``seqeval`` metric against seqeval 1.2.2 on Hypothesis-generated tag sequences.

Tolerance: 1e-12 absolute. Precision, recall and F1 are ratios of small integer counts; the
only difference allowed is floating-point rounding (seqeval computes F1 as 2PR/(P+R), we as
2TP/(pred+true), and averages sum in a different order). Undefined averages (macro over no
type at all) must be NaN on both sides.

Where medmetrics deliberately differs from seqeval (see ``medmetrics.metrics.sequence``), the
test says so and checks the documented behaviour instead: malformed tags in strict mode (read
as O, counted), sentences scored independently in default mode, ``zero_division=nan``,
declared ``types``.
"""

from __future__ import annotations

import math
import warnings
from collections import Counter
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from seqeval import scheme as seqeval_schemes
from seqeval.metrics import classification_report, f1_score, precision_score, recall_score
from seqeval.metrics.sequence_labeling import get_entities
from seqeval.metrics.sequence_labeling import precision_recall_fscore_support as default_prfs

from medmetrics.errors import InputError
from medmetrics.metrics.sequence import SCHEMES, SeqevalF1
from medmetrics.results import Parsed
from medmetrics.testing.conformance import check_metric
from medmetrics.testing.entity_styles import scheme_tags as shipped_scheme_tags
from medmetrics.testing.entity_styles import tag, tag_corpora

TOL = 1e-12
TYPES = ("PER", "LOC", "Chem")
AVERAGES = ("micro", "macro", "weighted")
#: Tags seqeval's default mode warns about but reads the same way alone or inside a corpus.
SAFE_MALFORMED = ("Chem", "PER", "BPER", "I_Chem", "U-PER", "L-LOC", "B", "I", "E", "S")
#: Tags whose chunk seqeval's default mode can carry over a sentence break (see the module doc).
LEAKING_MALFORMED = ("X", ".PER", "O-PER", "OPER", "X-", "")
FAST = settings(max_examples=120, deadline=None, suppress_health_check=list(HealthCheck))


@contextmanager
def quiet() -> Iterator[None]:
    """seqeval warns on every malformed tag and undefined metric; the tests look at numbers."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        yield


def close(ours: float, theirs: float) -> bool:
    return (math.isnan(ours) and math.isnan(theirs)) or abs(ours - theirs) <= TOL


def corpora(tags: st.SearchStrategy[str]) -> st.SearchStrategy[tuple[list[list[str]], list[list[str]]]]:
    return tag_corpora(tags)


def scheme_tags(prefixes: str, suffix: bool) -> st.SearchStrategy[str]:
    return shipped_scheme_tags(prefixes, TYPES, suffix)


# --- default mode ---------------------------------------------------------------------------------
@FAST
@given(st.booleans(), st.sampled_from([0, 1]), st.data())
def test_default_mode_equals_seqeval(suffix: bool, zero_division: int, data: st.DataObject) -> None:
    tags = scheme_tags("BIES", suffix) | st.sampled_from(SAFE_MALFORMED)
    pred, gold = data.draw(corpora(tags))
    for average in AVERAGES:
        result = SeqevalF1(average=average, zero_division=zero_division, suffix=suffix).compute(pred, gold)
        options = {"average": average, "zero_division": zero_division, "suffix": suffix}
        with quiet():
            expected = {"precision": precision_score(gold, pred, **options),
                        "recall": recall_score(gold, pred, **options), "f1": f1_score(gold, pred, **options)}
        for name, value in expected.items():
            assert close(result.components[name], float(value)), (average, name, result.components, expected)
    with quiet():
        p, r, f, s = default_prfs(gold, pred, average=None, zero_division=zero_division, suffix=suffix)
        names = sorted({e[0] for seq in (gold, pred) for e in get_entities(seq, suffix)})
    assert list(result.per_label) == names
    for name, *row in zip(names, p, r, f, s):
        ours = result.per_label[name]
        assert [ours["precision"], ours["recall"], ours["f1"]] == pytest.approx(row[:3], abs=TOL)
        assert ours["support"] == int(row[3])
    warned = sum(1 for seq in pred for t in seq if t in SAFE_MALFORMED[:6])
    assert result.components["malformed"] == warned


def entity_counts(sentences: list[list[str]], suffix: bool) -> Counter[tuple[int, str, int, int]]:
    """seqeval's default-mode entities of each sentence read alone ("" read as O)."""
    with quiet():
        return Counter((i, *e) for i, s in enumerate(sentences)
                       for e in get_entities([t or "O" for t in s], suffix))


@FAST
@given(st.booleans(), st.data())
def test_default_mode_reads_each_sentence_as_seqeval_reads_it_alone(suffix: bool, data: st.DataObject) -> None:
    """Deliberate difference: seqeval joins the corpus, so a chunk ending in "X" or ".PER" can
    run into the next sentence; we read every sentence as seqeval reads it alone."""
    tags = scheme_tags("BIES", suffix) | st.sampled_from(SAFE_MALFORMED + LEAKING_MALFORMED)
    pred, gold = data.draw(corpora(tags))
    result = SeqevalF1(suffix=suffix).compute(pred, gold)
    gold_entities, pred_entities = entity_counts(gold, suffix), entity_counts(pred, suffix)
    hits = gold_entities & pred_entities
    for name, row in result.per_label.items():
        assert row["support"] == sum(1 for e in gold_entities if e[1] == name)
        assert row["predicted"] == sum(1 for e in pred_entities if e[1] == name)
    tp = sum(hits.values())
    assert close(result.value, 2 * tp / (len(gold_entities) + len(pred_entities)) if tp else 0.0)


def test_default_mode_entity_running_over_a_sentence_break() -> None:
    """seqeval: 'X' opens a chunk that the sentence-closing O cannot close, so the next
    sentence's B-LOC closes it with the old start: an entity spanning both sentences."""
    gold = [["X"], ["X", "B-LOC"]]
    with quiet():
        assert ("_", 0, 2) in get_entities(gold)  # positions 0-2 of the joined corpus: both sentences
    result = SeqevalF1().compute(gold, gold)
    assert result.per_label["_"]["support"] == 1  # the "X" of sentence 2 alone, as seqeval reads it alone
    assert result.components["malformed"] == 2


def test_orphan_inside_tags_get_credit_in_default_mode_only() -> None:
    gold, pred = [["B-PER", "I-PER", "O"]], [["I-PER", "I-PER", "O"]]
    assert SeqevalF1().compute(pred, gold).value == 1.0
    assert SeqevalF1(mode="strict", scheme="IOB2").compute(pred, gold).value == 0.0


# --- strict mode ----------------------------------------------------------------------------------
def malformed_for(scheme: str, suffix: bool) -> tuple[str, ...]:
    """Tags seqeval's strict mode raises on: unknown prefix (KeyError), empty (IndexError), or a
    prefix the scheme does not allow (ValueError)."""
    return ("Chem", "", tag("X", "PER", suffix),
            *(tag(p, "PER", suffix) for p in "IOBESUL" if p not in SCHEMES[scheme].allowed))


def seqeval_strict(gold: list[list[str]], pred: list[list[str]], scheme: str, zero_division: int,
                   suffix: bool) -> dict[str, Any]:
    with quiet():
        return classification_report(gold, pred, output_dict=True, mode="strict",
                                     scheme=getattr(seqeval_schemes, scheme),
                                     zero_division=zero_division, suffix=suffix)


@FAST
@given(st.sampled_from(sorted(SCHEMES)), st.booleans(), st.sampled_from([0, 1]), st.data())
def test_strict_mode_equals_seqeval(scheme: str, suffix: bool, zero_division: int, data: st.DataObject) -> None:
    allowed = SCHEMES[scheme].allowed
    bad = malformed_for(scheme, suffix)
    pred, gold = data.draw(corpora(scheme_tags(allowed, suffix) | st.sampled_from(bad)))
    as_o = [[t if t not in bad else "O" for t in s] for s in pred]
    gold_as_o = [[t if t not in bad else "O" for t in s] for s in gold]
    report = seqeval_strict(gold_as_o, as_o, scheme, zero_division, suffix)
    for average in AVERAGES:
        result = SeqevalF1(mode="strict", scheme=scheme, average=average, zero_division=zero_division,
                           suffix=suffix).compute(pred, gold)
        expected = report[f"{average} avg"]
        for component, key in (("precision", "precision"), ("recall", "recall"), ("f1", "f1-score")):
            assert close(result.components[component], float(expected[key])), (average, component, result, expected)
    per_type = {k: v for k, v in report.items() if not k.endswith(" avg")}
    assert list(result.per_label) == list(per_type)
    for name, row in per_type.items():
        ours = result.per_label[name]
        assert [ours["precision"], ours["recall"], ours["f1"]] == pytest.approx(
            [row["precision"], row["recall"], row["f1-score"]], abs=TOL)
        assert ours["support"] == int(row["support"])
    with quiet():
        assert close(result.components["f1"], float(f1_score(
            gold_as_o, as_o, average="weighted", mode="strict", scheme=getattr(seqeval_schemes, scheme),
            zero_division=zero_division, suffix=suffix)))
    n_bad = sum(t in bad for s in pred for t in s)
    assert result.components["malformed"] == n_bad
    assert result.components["malformed_reference"] == sum(t in bad for s in gold for t in s)
    if n_bad:  # seqeval itself gives up on these tags
        with quiet(), pytest.raises((KeyError, ValueError, IndexError)):
            classification_report(gold_as_o, pred, mode="strict", scheme=getattr(seqeval_schemes, scheme),
                                  suffix=suffix)


def test_strict_mode_reads_a_tag_seqeval_crashes_on_as_o() -> None:
    """Deliberate difference: seqeval raises KeyError('C') on "Chem"; we read it as O and say so."""
    from seqeval.scheme import IOB2

    gold, pred = [["B-Chem", "I-Chem", "O"]], [["Chem", "I-Chem", "O"]]
    with quiet(), pytest.raises(KeyError):
        f1_score(gold, pred, mode="strict", scheme=IOB2)
    result = SeqevalF1(mode="strict", scheme="IOB2").compute(pred, gold)
    assert result.value == 0.0
    assert result.components["malformed"] == 1
    assert any("not valid IOB2" in note for note in result.notes)


# --- policies -----------------------------------------------------------------------------------
def test_length_mismatch_names_the_item_and_both_lengths() -> None:
    gold = [["O"], ["B-PER", "I-PER", "O"]]
    with pytest.raises(InputError, match=r"prediction 1 has 2 tags but its reference has 3"):
        SeqevalF1().compute([["O"], ["B-PER", "O"]], gold)


def test_failed_parses_count_as_missed_entities() -> None:
    gold = [["B-PER", "O"], ["B-LOC", "I-LOC"], ["O", "B-PER"]]
    pred = [["B-PER", "O"], Parsed(None, "failed", reason="no tags"), None]
    result = SeqevalF1().compute(pred, gold)
    assert result.n_failed == 2
    assert result.components["precision"] == 1.0
    assert result.components["recall"] == pytest.approx(1 / 3)
    assert result.components["f1_answered"] == 1.0
    assert SeqevalF1().compute([Parsed(["B-PER", "O"], "ok"), *pred[1:]], gold).value == result.value


def test_zero_division_nan_skips_undefined_types() -> None:
    """seqeval reads zero_division=nan as 1; we keep NaN and macro averages skip it."""
    gold, pred = [["B-PER", "O", "O"]], [["B-PER", "O", "B-LOC"]]
    result = SeqevalF1(average="macro", zero_division=math.nan).compute(pred, gold)
    assert math.isnan(result.per_label["LOC"]["recall"])
    assert result.components["macro_recall"] == 1.0
    assert result.components["macro_precision"] == 0.5


def test_undeclared_predicted_types_are_spurious() -> None:
    gold, pred = [["B-PER", "O", "O"]], [["B-PER", "O", "B-DRUG"]]
    result = SeqevalF1(types=["PER"]).compute(pred, gold)
    assert result.components["precision"] == 0.5
    assert result.components["spurious"] == 1
    assert list(result.per_label) == ["PER"]
    with pytest.raises(InputError, match="reference 0 has an entity of type 'DRUG'"):
        SeqevalF1(types=["PER"]).compute(gold, pred)


@pytest.mark.parametrize("options", [{"mode": "strict"}, {"scheme": "IOB2"}, {"mode": "lenient"},
                                     {"mode": "strict", "scheme": "IO"}, {"average": "samples"},
                                     {"zero_division": "warn"}, {"types": "PER"}])
def test_bad_options_are_input_errors(options: dict[str, Any]) -> None:
    with pytest.raises(InputError):
        SeqevalF1(**options)


def test_nothing_to_find_anywhere() -> None:
    gold = [["O", "O"], []]
    result = SeqevalF1(average="macro").compute(gold, gold)
    assert math.isnan(result.value)
    assert SeqevalF1(average="weighted", zero_division=1).compute(gold, gold).value == 1.0
    assert any("no gold entities" in note for note in result.notes)


# --- conformance ----------------------------------------------------------------------------------
CONFORMANCE_SETS: dict[str, tuple[list[Any], list[list[str]], dict[str, Any]]] = {
    "default": ([["B-PER", "I-PER", "O"], ["O", "B-LOC"], ["I-Chem", "O"], None, ["B-PER", "O"]] * 3,
                [["B-PER", "I-PER", "O"], ["B-LOC", "I-LOC"], ["B-Chem", "O"], ["B-PER"], ["O", "O"]] * 3, {}),
    "strict-malformed": ([["Chem", "I-Chem"], ["B-PER", "E-PER"], ["S-LOC", "O"], ["B-LOC", "L-LOC"]] * 4,
                         [["B-Chem", "I-Chem"], ["B-PER", "I-PER"], ["O", "B-LOC"], ["B-LOC", "I-LOC"]] * 4,
                         {"mode": "strict", "scheme": "IOB2", "average": "macro"}),
    "bilou-suffix": ([["PER-U", "O"], ["LOC-B", "LOC-L"], ["O", "O"]] * 5,
                     [["PER-U", "O"], ["LOC-B", "LOC-I"], ["O", "PER-U"]] * 5,
                     {"mode": "strict", "scheme": "BILOU", "suffix": True, "average": "weighted"}),
}


@pytest.mark.parametrize("name", sorted(CONFORMANCE_SETS))
def test_conformance(name: str) -> None:
    pred, gold, options = CONFORMANCE_SETS[name]
    result = check_metric(SeqevalF1(**options), pred, gold)
    assert result.metric == "seqeval"


@FAST
@given(st.sampled_from([None, "IOB2", "IOBES"]), st.data())
def test_predictions_equal_to_their_reference_reuse_gold_and_still_equal_seqeval(scheme: str | None,
                                                                                 data: st.DataObject) -> None:
    """The shortcut for sentences predicted exactly (gold codes and entities reused) changes no number."""
    allowed = SCHEMES[scheme].allowed if scheme else "BIES"
    pred, gold = data.draw(corpora(scheme_tags(allowed, False)))
    copies = data.draw(st.lists(st.booleans(), min_size=len(gold), max_size=len(gold)))
    pred = [list(g) if copy else p for p, g, copy in zip(pred, gold, copies)]
    options: dict[str, Any] = {"mode": "strict", "scheme": scheme} if scheme else {}
    result = SeqevalF1(**options).compute(pred, gold)
    with quiet():
        peer_options = {"mode": "strict", "scheme": getattr(seqeval_schemes, scheme)} if scheme else {}
        assert close(result.value, float(f1_score(gold, pred, **peer_options)))
        assert close(result.components["recall"], float(recall_score(gold, pred, **peer_options)))
