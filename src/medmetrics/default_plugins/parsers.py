"""Registers the built-in parsers."""

from medmetrics.hookspecs import hookimpl
from medmetrics.parsing.choice import ChoiceParser, ChoicesParser
from medmetrics.parsing.integer import IntegerParser
from medmetrics.parsing.label import LabelParser


@hookimpl
def register_parsers(register):  # type: ignore[no-untyped-def]
    register(ChoiceParser, aliases=("multiple_choice", "mcq"))
    register(ChoicesParser, aliases=("multi_choice",))
    register(LabelParser)
    register(IntegerParser, aliases=("score",))
