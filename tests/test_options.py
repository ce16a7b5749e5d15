"""Typed options (``medmetrics.options``): declared once, checked once, the same in signatures.

The declarations themselves (every built-in's option table) are checked against the docs in
``tests/test_docs.py``, and every built-in signature byte for byte in ``tests/test_signatures.py``.
"""

from __future__ import annotations

import math
import warnings
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any, ClassVar, Literal

import numpy as np
import pytest

from medmetrics.api import get_metric, get_parser
from medmetrics.errors import InputError
from medmetrics.metrics.base import AdditiveMetric, Table
from medmetrics.options import Options, declared, finite, non_empty, option, validate
from medmetrics.parsing.base import Parser
from medmetrics.plugins import load_catalog
from medmetrics.results import Parsed


@dataclass(frozen=True)
class ToyOptions(Options):
    mode: Literal["fast", "exact"] = option("exact", "how to count")
    weight: float = option(1.0, "weight of each item", check=finite)
    order: int = option(2, "an order")
    bound: int | float | None = option(None, "a bound, kept as given")
    labels: tuple[str, ...] | None = option(None, "declared labels", check=non_empty)
    flag: bool = option(False, "a switch")

    renamed: ClassVar[Mapping[str, str]] = {"old_mode": "mode"}
    signature_names: ClassVar[Mapping[str, str]] = {"mode": "old_mode"}


class _Counting(AdditiveMetric):
    name = "toy"
    primary = "value"

    def item_stats(self, predictions: Sequence[Any], references: Sequence[Any]) -> tuple[list[str], np.ndarray]:
        return ["right"], np.asarray([[float(p == r)] for p, r in zip(predictions, references)])

    def from_totals(self, totals: Table, present: Table) -> dict[str, np.ndarray]:
        return {"value": totals["right"] / totals["n"]}


class Toy(_Counting):
    options_class = ToyOptions


class Legacy(_Counting):
    """A metric written before typed options: a plain ``defaults`` mapping, names checked only."""

    name = "legacy"
    defaults: ClassVar[dict[str, Any]] = {"threshold": 0.5, "labels": None}


# --- types ------------------------------------------------------------------------------------


@pytest.mark.parametrize(("options", "names"), [
    ({"mode": "slow"}, ["mode", "one of 'fast', 'exact'", "'slow'"]),
    ({"weight": "heavy"}, ["weight", "a number", "'heavy'"]),
    ({"weight": math.inf}, ["weight", "a finite number", "inf"]),
    ({"order": 2.5}, ["order", "an integer", "2.5"]),
    ({"order": True}, ["order", "an integer", "True"]),
    ({"flag": 1}, ["flag", "True or False", "1"]),
    ({"labels": "ab"}, ["labels", "a list of str or None", "'ab'"]),
    ({"labels": ["a", 3]}, ["labels", "a list of str", "3"]),
    ({"labels": []}, ["labels", "a non-empty list", "[]"]),
    ({"bound": "1"}, ["bound", "a number or None", "'1'"]),
])
def test_a_wrong_type_names_the_option_what_it_takes_and_what_was_given(options: dict[str, Any],
                                                                        names: list[str]) -> None:
    with pytest.raises(InputError) as error:
        Toy(**options)
    message = str(error.value)
    assert message.startswith("metric 'toy': ")
    for name in names:
        assert name in message, message


def test_an_unknown_option_lists_the_known_ones() -> None:
    with pytest.raises(InputError, match=r"metric 'toy' has no option 'speed'; its options are: bound, flag"):
        Toy(speed=1)


def test_values_are_normalized_once() -> None:
    toy = Toy(weight=2, bound=3, labels={"b", "a", "c"}, order=3)
    assert toy.options["weight"] == 2.0 and isinstance(toy.options["weight"], float)
    assert toy.options["bound"] == 3 and isinstance(toy.options["bound"], int)  # int | float keeps an int
    assert toy.options["labels"] == ("a", "b", "c")  # a set becomes a sorted tuple
    assert Toy(labels=["b", "a", "b"]).options["labels"] == ("b", "a")  # a list keeps its order, repeats dropped
    assert Toy(bound=2.5).options["bound"] == 2.5
    assert Toy().options == {"mode": "exact", "weight": 1.0, "order": 2, "bound": None, "labels": None,
                             "flag": False}


def test_a_set_gives_the_signature_of_its_sorted_list() -> None:
    assert get_metric("f1", labels={"b", "a"}).signature == get_metric("f1", labels=["a", "b"]).signature
    assert get_metric("f1", labels={"b", "a"}).options["labels"] == ("a", "b")


def test_a_path_is_stored_as_text(tmp_path: Path) -> None:
    meteor = get_metric("meteor", wordnet_path=tmp_path)
    assert meteor.options["wordnet_path"] == str(tmp_path)
    with pytest.raises(InputError, match=r"wordnet_path must be a string or a path or None, not 3"):
        get_metric("meteor", wordnet_path=3)


# --- renamed options --------------------------------------------------------------------------


def test_an_old_name_warns_and_works() -> None:
    with pytest.warns(DeprecationWarning, match=r"metric 'toy': option 'old_mode' is now called 'mode'"):
        toy = Toy(old_mode="fast")
    assert toy.options["mode"] == "fast" and "old_mode" not in toy.options
    assert toy.signature == Toy(mode="fast").signature


def test_an_old_name_with_its_new_one_is_an_error() -> None:
    with pytest.raises(InputError, match=r"'old_mode' is the old name of 'mode'; give one of them, not both"):
        Toy(old_mode="fast", mode="exact")


def test_an_error_in_an_option_given_by_its_old_name_names_both() -> None:
    with pytest.raises(InputError, match=r"mode \(given as 'old_mode'\) must be one of"), \
            pytest.warns(DeprecationWarning):
        Toy(old_mode="slow")


def test_signatures_write_the_legacy_name_in_the_same_place() -> None:
    assert Toy().signature.startswith("toy@1(flag=False,old_mode=exact,order=2,weight=1.0)")


@pytest.mark.parametrize(("metric", "old", "new", "value", "signature"), [
    ("entity_f1", "scheme", "criterion", "partial", "scheme=partial"),
    ("relation_f1", "negative", "exclude", ["false"], "negative=false"),
    ("rouge", "tokenizer", "tokenize", "unicode", "tokenizer=unicode"),
    ("rouge", "sentence_split", "lsum_split", "punctuation", "sentence_split=punctuation"),
    ("meteor", "synonyms", "wordnet_synonyms", False, "synonyms=False"),
])
def test_renamed_builtin_options(metric: str, old: str, new: str, value: Any, signature: str) -> None:
    with pytest.warns(DeprecationWarning, match=f"option '{old}' is now called '{new}'"):
        by_old_name = get_metric(metric, **{old: value})
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # the new name warns about nothing
        by_new_name = get_metric(metric, **{new: value})
    assert by_old_name.signature == by_new_name.signature
    assert f",{signature}," in by_new_name.signature or f"({signature}," in by_new_name.signature \
        or f",{signature})" in by_new_name.signature
    assert new in by_new_name.options and old not in by_new_name.options


def test_bertscore_model_is_now_model_path(tmp_path: Path) -> None:
    """On the CLI ``--model`` names a model of a run folder; bertscore's local directory is ``model_path``."""
    (tmp_path / "config.json").write_text("{}")
    with pytest.warns(DeprecationWarning, match="option 'model' is now called 'model_path'"):
        by_old_name = get_metric("bertscore", model=str(tmp_path), num_layers=2)
    by_new_name = get_metric("bertscore", model_path=str(tmp_path), num_layers=2)
    assert by_old_name.signature == by_new_name.signature
    assert ",model=" in by_new_name.signature and "model_path" not in by_new_name.signature  # the old name


def test_a_result_written_with_an_old_name_is_rebuilt() -> None:
    """Stored results keep a metric's options by name; one written before a rename still merges."""
    with pytest.warns(DeprecationWarning):
        old = get_metric("entity_f1", **{"scheme": "strict", "match": "text"})
    assert old.signature == get_metric("entity_f1", criterion="strict", match="text").signature


# --- parsers: options once, context on each item -----------------------------------------------


def test_parser_options_and_context_are_declared_apart() -> None:
    choice = get_parser("choice")
    assert choice.options_class is None and set(declared(choice.context_class)) == {"options", "letters"}
    number = get_parser("number", low=0, high=4)
    assert set(declared(number.options_class)) == {"low", "high"}
    assert set(declared(number.context_class)) == {"options"}
    assert number.options["low"] == 0 and isinstance(number.options["low"], int)  # signatures keep "low=0"
    assert number.signature == "number@2(high=4,low=0)"


def test_per_item_context_is_checked_by_type_on_each_item() -> None:
    choice = get_parser("choice")
    assert choice.parse("The answer is B", options=["fever", "rash", "cough"]).value == "B"
    with pytest.raises(InputError, match=r"context of parser 'choice': options must be a list of str or None, "
                                         r"not 'fever'"):
        choice.parse("B", options="fever")
    with pytest.raises(InputError, match=r"parser 'choice' \(per-item context\) has no option 'option'"):
        choice.parse("B", option=["fever"])
    with pytest.raises(InputError, match=r"context of parser 'integer': low must be an integer or None"):
        get_parser("integer", high=4).parse("3", low=0.5)


def test_parser_constructor_options_are_typed() -> None:
    with pytest.raises(InputError, match=r"parser 'brackets': kind must be one of 'entities', 'typed_entities'"):
        get_parser("brackets", kind="triples")
    with pytest.raises(InputError, match=r"parser 'choices': allow_empty must be True or False, not 'yes'"):
        get_parser("choices", allow_empty="yes")
    with pytest.raises(InputError, match=r"parser 'number': high must be a finite number, not nan"):
        get_parser("number", low=0, high=math.nan)


class LegacyParser(Parser):
    name = "legacy_parser"
    defaults: ClassVar[Mapping[str, Any]] = {"words": None}

    def read_masked(self, text: str, masked: str, settings: Mapping[str, Any]) -> Parsed:
        return Parsed(settings["words"], "ok")


def test_a_class_with_a_legacy_defaults_mapping_still_works() -> None:
    legacy = Legacy(threshold="anything")  # names are checked, values are the class's business
    assert legacy.options == {"threshold": "anything", "labels": None}
    assert legacy.signature.startswith("legacy@1(threshold=anything)")
    with pytest.raises(InputError, match="has no option 'treshold'; its options are: labels, threshold"):
        Legacy(treshold=0.2)
    assert Legacy().compute(["a", "b"], ["a", "c"]).value == 0.5
    parser = LegacyParser(words=3)
    assert parser.parse("x").value == 3 and parser.parse("x", words=[1]).value == [1]
    with pytest.raises(InputError, match="has no option 'word'"):
        parser.parse("x", word=1)


# --- the declared listing -------------------------------------------------------------------


def test_declared_lists_name_default_help_and_type_in_order() -> None:
    listing = declared(ToyOptions)
    assert list(listing) == ["mode", "weight", "order", "bound", "labels", "flag"]
    assert listing["mode"].default == "exact" and listing["mode"].help == "how to count"
    assert listing["mode"].kind == "'fast' | 'exact'"
    assert listing["weight"].kind == "float" and listing["order"].kind == "int"
    assert listing["bound"].kind == "int | float | None"
    assert listing["labels"].kind == "tuple[str, ...] | None" and listing["flag"].kind == "bool"


def test_validate_without_declarations_checks_names_only() -> None:
    assert validate("metric 'x'", (None,), {"a": object}, {"a": 1, "b": 2}) == {"a": object, "b": 2}
    with pytest.raises(InputError, match="metric 'x' has no option 'c'"):
        validate("metric 'x'", (None,), {"c": 1}, {"a": 1})


def _builtins() -> list[type]:
    catalog = load_catalog(entry_points=False, strict=True)
    return [entry.obj for kind in ("parser", "metric") for entry in catalog.registry(kind)]


def test_every_builtin_declaration_is_complete() -> None:
    """One short line of help per option; renames point at declared names and keep their old
    name in signatures; defaults are what the class's ``defaults`` says."""
    problems = []
    for cls in _builtins():
        declarations = [d for d in (cls.options_class, getattr(cls, "context_class", None)) if d is not None]
        names: dict[str, Any] = {}
        for declaration in declarations:
            for name, item in declared(declaration).items():
                names[name] = item.default
                if not item.help or "\n" in item.help or len(item.help) > 160:
                    problems.append(f"{cls.__name__}.{name}: help must be one short line, is {item.help!r}")
            for old, new in declaration.renamed.items():
                if new not in names or old in names or declaration.signature_names.get(new) != old:
                    problems.append(f"{cls.__name__}: rename {old} -> {new} is not declared both ways")
        if declarations and dict(cls.defaults) != names:
            problems.append(f"{cls.__name__}: defaults {dict(cls.defaults)} are not the declared {names}")
    assert not problems, "\n".join(problems)


def test_one_meaning_per_option_name() -> None:
    """The names renamed so that each means one thing stay that way."""
    owners: dict[str, set[str]] = {}
    for cls in _builtins():
        for declaration in (cls.options_class, getattr(cls, "context_class", None)):
            for name in declared(declaration) if declaration is not None else ():
                owners.setdefault(name, set()).add(cls.name)
    assert owners["scheme"] == {"bio", "seqeval"}  # the tagging scheme
    assert owners["synonyms"] == {"label"}  # label -> surface forms
    assert owners["sentence_split"] == {"meds_bench_bleu"}  # the tokenizer's sentence splitter
    assert owners["exclude"] == {"f1", "relation_f1"}  # labels that count on neither side
    assert "tokenizer" not in owners and {"bleu", "meteor", "rouge"} <= owners["tokenize"]
    assert "negative" not in owners
    assert "model" not in owners  # the CLI's --model: a model of a run folder
