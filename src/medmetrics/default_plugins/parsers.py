"""Registers the built-in parsers."""

from medmetrics.hookspecs import hookimpl
from medmetrics.parsing.bio import BioParser
from medmetrics.parsing.choice import ChoiceParser, ChoicesParser
from medmetrics.parsing.free_text import TextParser
from medmetrics.parsing.integer import IntegerParser
from medmetrics.parsing.label import LabelParser
from medmetrics.parsing.mentions import BracketsParser, EntityListParser, LabeledSpansParser
from medmetrics.parsing.number import NumberParser


@hookimpl
def register_parsers(register):  # type: ignore[no-untyped-def]
    register(ChoiceParser, aliases=("multiple_choice", "mcq"))
    register(ChoicesParser, aliases=("multi_choice",))
    register(LabelParser)
    register(IntegerParser, aliases=("score",))
    register(NumberParser)
    register(BioParser)
    register(LabeledSpansParser)
    register(BracketsParser)
    register(EntityListParser)
    register(TextParser)
