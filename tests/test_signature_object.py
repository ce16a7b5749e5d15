"""One ``Signature`` value object writes every signature (``format()``); metrics and parsers add
their parts through ``describe()``, never by editing text. tests/test_signatures.py pins the text
of every built-in byte for byte; here, the parts and the one format."""

from __future__ import annotations

from dataclasses import replace

from medmetrics import get_metric, get_parser
from medmetrics.signatures import Signature, metric_part, with_parser


def test_format_writes_every_part_in_its_place() -> None:
    base = Signature("m", "2", {"b": 1, "a": None, "c": ("x", "y")}, origin="medmetrics==9")
    assert base.format() == "m@2(b=1,c=x,y)|medmetrics==9"
    full = replace(base, profile="paper", details=("peer(v:1)",), installed=("lib==3",))
    assert full.format() == "compat:paper|m@2(b=1,c=x,y)|peer(v:1)|medmetrics==9|lib==3"
    assert Signature("p", "1", {}, parser=True).format() == "p@1"
    assert Signature("p", "1", {"k": "v"}, origin="dist==1.0", parser=True).format() == "p@1(k=v)[dist==1.0]"


def test_metrics_and_parsers_describe_themselves() -> None:
    bleu = get_metric("bleu")
    described = bleu.describe()
    assert described.format() == bleu.signature
    assert described.details and described.details[0].startswith("sacrebleu(")
    meteor = get_metric("meteor", wordnet_synonyms=False)
    installed = meteor.describe().installed
    assert installed[0].startswith("nltk==") and meteor.signature.endswith(installed[0])
    parser = get_parser("label", labels=["yes", "no"])
    assert parser.describe().parser and parser.describe().format() == parser.signature


def test_a_result_signature_names_its_parser_once() -> None:
    metric = get_metric("accuracy").signature
    combined = with_parser(metric, "label@4(labels=yes,no)")
    assert combined == f"{metric}|parser:label@4(labels=yes,no)"
    assert metric_part(combined) == metric
