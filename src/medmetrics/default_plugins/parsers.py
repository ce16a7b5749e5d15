"""Registers the built-in parsers, by reference: a parser's module (and the patterns it compiles)
is imported when the parser is first asked for, not when the catalog is built."""

from medmetrics.hookspecs import hookimpl


@hookimpl
def register_parsers(register):  # type: ignore[no-untyped-def]
    register("medmetrics.parsing.choice:ChoiceParser", name="choice", aliases=("multiple_choice", "mcq"))
    register("medmetrics.parsing.choice:ChoicesParser", name="choices", aliases=("multi_choice",))
    register("medmetrics.parsing.label:LabelParser", name="label")
    register("medmetrics.parsing.integer:IntegerParser", name="integer", aliases=("score",))
    register("medmetrics.parsing.number:NumberParser", name="number")
    register("medmetrics.parsing.bio:BioParser", name="bio")
    register("medmetrics.parsing.mentions:LabeledSpansParser", name="labeled_spans")
    register("medmetrics.parsing.mentions:BracketsParser", name="brackets")
    register("medmetrics.parsing.mentions:EntityListParser", name="entity_list")
    register("medmetrics.parsing.free_text:TextParser", name="text")
