"""The ``choice`` and ``choices`` parsers: a reader's statements turned into one ``Parsed``."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from medmetrics.options import Options, option
from medmetrics.parsing.base import Parser
from medmetrics.parsing.choice.options import (
    LetterSet,
    OptionIndex,
    letter_set,
    letters_key,
    option_index,
    options_tuple,
)
from medmetrics.parsing.choice.reader import Reader, Statement
from medmetrics.parsing.choice.structured import answer_fields
from medmetrics.parsing.engine import first_tier
from medmetrics.results import Parsed


@dataclass(frozen=True)
class ChoiceContext(Options):
    options: tuple[str, ...] | None = option(
        None, "the option texts of the question, lettered A, B, ... by position")
    letters: str | tuple[str, ...] | None = option(
        None, "the valid letters when the texts are unknown (\"ABCD\"); ABCDE when neither is given")


@dataclass(frozen=True)
class ChoicesOptions(Options):
    allow_empty: bool = option(True, "\"none\", and an empty answer, read as the empty set ()")


class _OptionParser(Parser):
    """What both parsers share: the ``options``/``letters`` context and the first checks."""

    context_class = ChoiceContext

    #: The question ``validate`` just checked, for ``read`` in the same ``parse`` call: (options
    #: object, letters object, result). Matched by identity, so it never outlives those objects.
    _checked: tuple[Any, Any, tuple[LetterSet, OptionIndex | None]] | None = None

    def validate(self, settings: Mapping[str, Any]) -> None:
        self._checked = (settings.get("options"), settings.get("letters"), self._index(settings))

    def _question(self, settings: Mapping[str, Any]) -> tuple[LetterSet, OptionIndex | None]:
        """The valid letters and the indexed option texts (None if unknown), as ``validate`` found them."""
        checked, self._checked = self._checked, None
        if checked is not None and checked[0] is settings.get("options") and checked[1] is settings.get("letters"):
            return checked[2]
        return self._index(settings)

    @staticmethod
    def _index(settings: Mapping[str, Any]) -> tuple[LetterSet, OptionIndex | None]:
        options = options_tuple(settings.get("options"))
        letters = letter_set(letters_key(settings.get("letters")), None if options is None else len(options))
        return letters, option_index(options, letters) if options is not None else None

    def _reader(self, text: str, masked: str, settings: Mapping[str, Any]) -> Reader | Parsed:
        """A ``Reader`` for the masked generation, or the ``Parsed`` when there is nothing to read.

        A JSON answer is read from its answer fields alone, so letters named in its reasoning
        field never count; a JSON object that has no answer field (cut off while reasoning) has
        no answer.
        """
        fields = answer_fields(masked)
        if fields is not None:
            if not fields.keys:
                return Parsed(None, "failed", rule="json",
                              reason="a JSON answer without an answer field (cut off while reasoning?)")
            masked = fields.masked
        return Reader(text, masked, *self._question(settings), json_keys=fields.keys if fields else ())


def _not_found(reader: Reader, dropped_echo: bool = False) -> Parsed:
    if reader.json_keys:
        why = f"the JSON answer field ({', '.join(reader.json_keys)}) names no option"
    elif dropped_echo:
        why = "only an echo of the option list, no answer"
    elif reader.anchors_without_answer:
        why = f"an answer statement without a valid option ({reader.letters.describe()}) after it"
    else:
        why = "no option letter or option text found"
    return Parsed(None, "failed", reason=why)


def _firmest(statements: list[Statement]) -> list[Statement]:
    """The statements of the firmest kind: "the answer is B" outranks "the most likely cause is C"."""
    if not statements:
        return statements
    firmest = max(s.strength for s in statements)
    return [s for s in statements if s.strength == firmest]


def _invalid(letters: Sequence[str], reader: Reader) -> str:
    shown = ", ".join(reader.letters.order(letters))
    return f"{shown} {'is' if len(letters) == 1 else 'are'} not among the options ({reader.letters.describe()})"


def _drop_enumerations(statements: list[Statement], reader: Reader) -> tuple[list[Statement], bool]:
    """Drop runs of lines like "A. fever / B. rash / C. cough": an echoed or analysed option list.

    A run is two or more described single-letter lines whose letters rise; a lone "B. rash"
    after the list is still an answer. In a run that gives each option a verdict, the one line
    that speaks for its option ("B) Spironolactone: This is the correct answer.") while none
    other does is the answer. Returns the kept statements and whether any were dropped.
    """
    runs: list[list[Statement]] = []
    for statement in statements:
        if statement.rule in ("line-letter", "line-rejected") and len(statement.items) == 1 \
                and statement.items[0].described:
            if runs and runs[-1][-1].items[0].letter < statement.items[0].letter:
                runs[-1].append(statement)
            else:
                runs.append([statement])
    dropped = {id(s) for run in runs if len(run) > 1 for s in run}
    kept = [s for s in statements if id(s) not in dropped and s.rule != "line-rejected"]
    for run in (run for run in runs if len(run) > 1):
        affirmed = [s for s in run if s.rule == "line-letter" and reader.affirms(s.items[0].end)]
        if len(affirmed) == 1:
            kept.append(Statement("verdict-line", affirmed[0].items))
    return kept, bool(dropped)


class ChoiceParser(_OptionParser):
    """One multiple-choice answer -> its letter ("B").

    Context: ``options`` (option texts, lettered A, B, ... by position) or ``letters`` (the
    valid letters when the texts are unknown; ``ABCDE`` when neither is given).
    """

    name = "choice"
    # 2: an option named in prose, or named to be set aside, is not an answer
    # 3: JSON answer fields, options named inline, explain-every-option answers, firm anchors
    #    outrank claims, "the answer is unknown", answers in the question's language
    # 4: bracketed letters in a row are a list, an option's text after an article, chat-template
    #    tokens masked
    version = "4"

    def read_masked(self, text: str, masked: str, settings: Mapping[str, Any]) -> Parsed:
        reader = self._reader(text, masked, settings)
        if isinstance(reader, Parsed):
            return reader
        reader = reader.without_invented_question()
        dropped_echo = False

        def answer_lines() -> list[Statement]:
            nonlocal dropped_echo
            kept, dropped_echo = _drop_enumerations(reader.lines(none_ok=False), reader)
            return kept

        statements = first_tier((
            lambda: _firmest(reader.anchored(none_ok=True)),
            answer_lines,
            reader.named_inline,
            lambda: reader.weak,  # filled while reading the anchored tier
            lambda: reader.prose(mentions=False, none_ok=False),
        ))
        return self._decide(statements, reader) if statements else _not_found(reader, dropped_echo)

    @staticmethod
    def _decide(statements: list[Statement], reader: Reader) -> Parsed:
        valid_letters = reader.letters.valid
        valid = [(s, i) for s in statements for i in s.items if i.letter in valid_letters]
        if not valid:
            invalid = [i.letter for s in statements for i in s.items]
            if invalid:
                return Parsed(None, "failed", reason=f"the answer {_invalid(invalid, reader)}",
                              rule=statements[-1].rule)
            if any(s.rule == "unknown" for s in statements):
                return Parsed(None, "failed", reason="the generation says the answer is unknown", rule="unknown")
            return Parsed(None, "failed", reason="the answer is 'none', which is not an option",
                          rule=statements[-1].rule)
        letters = reader.letters.order([item.letter for _, item in valid])
        statement, item = valid[-1]
        if len(letters) > 1:
            return Parsed(None, "ambiguous", reason=f"conflicting answers: {', '.join(letters)}",
                          rule=statement.rule, candidates=letters)
        return Parsed(letters[0], "ok", rule=statement.rule, span=(item.start, item.end))


class ChoicesParser(_OptionParser):
    """A set of options (multi-select, HoC-style) -> a sorted tuple of letters.

    Context as for ``choice``, plus option ``allow_empty``: "none" / "no hallmark" reads as the
    empty tuple (unless an option's own text says none, which is then that option).
    """

    name = "choices"
    # 2: an empty answer is the empty set when allow_empty; 3: bracketed letters in a row are a list,
    # chat-template tokens masked
    version = "3"
    options_class = ChoicesOptions

    def read(self, text: str, settings: Mapping[str, Any]) -> Parsed:
        if settings["allow_empty"] and not text.strip():
            # BioMistral-NLU's HoC gold is an empty answer for a document with no hallmark: with
            # allow_empty, saying nothing is the empty set (a cut-off <think> is still no answer)
            return Parsed((), "ok", rule="none", reason="an empty answer: no option (allow_empty)")
        return super().read(text, settings)

    def read_masked(self, text: str, masked: str, settings: Mapping[str, Any]) -> Parsed:
        allow_empty: bool = settings["allow_empty"]
        reader = self._reader(text, masked, settings)
        if isinstance(reader, Parsed):
            return reader
        anchored = reader.anchored(none_ok=True)
        if anchored:
            return self._decide_anchored(anchored, reader, allow_empty)
        found = first_tier((lambda: reader.lines(none_ok=True), lambda: reader.prose(mentions=True, none_ok=True)))
        return self._decide_union(found, reader, allow_empty) if found else _not_found(reader)

    def _decide_anchored(self, statements: list[Statement], reader: Reader, allow_empty: bool) -> Parsed:
        """Every answer statement must name the same set."""
        answers = {reader.letters.valid_in(s.items) for s in statements}
        if len(answers) > 1:
            shown = sorted(answers)
            return Parsed(None, "ambiguous", reason=f"conflicting answers: {'; '.join(map(str, shown))}",
                          rule=statements[-1].rule, candidates=tuple(shown))
        return self._result(statements, reader, allow_empty)

    def _decide_union(self, statements: list[Statement], reader: Reader, allow_empty: bool) -> Parsed:
        """Lines (or prose mentions) add up; "none" next to letters is a contradiction."""
        has_none = any(s.none for s in statements)
        letters = reader.letters.valid_in([i for s in statements for i in s.items])
        if has_none and letters:
            return Parsed(None, "ambiguous", reason="says none but also names options",
                          rule=statements[-1].rule, candidates=((), letters))
        return self._result(statements, reader, allow_empty)

    @staticmethod
    def _result(statements: list[Statement], reader: Reader, allow_empty: bool) -> Parsed:
        items = [i for s in statements for i in s.items]
        valid = [i for i in items if i.letter in reader.letters.valid]
        invalid = [i.letter for i in items if i.letter not in reader.letters.valid]
        rule = statements[-1].rule
        if not valid:
            if any(s.rule == "unknown" for s in statements):
                return Parsed(None, "failed", reason="the generation says the answer is unknown", rule="unknown")
            if invalid:
                return Parsed(None, "failed", reason=f"the answer {_invalid(invalid, reader)}", rule=rule)
            if not allow_empty:
                return Parsed(None, "failed", reason="the answer is 'none' but allow_empty is off", rule="none")
            return Parsed((), "ok", rule="none")
        value = reader.letters.order([i.letter for i in valid])
        span = (min(i.start for i in valid), max(i.end for i in valid))
        if invalid:
            return Parsed(value, "partial", reason=f"ignored: {_invalid(invalid, reader)}", rule=rule, span=span)
        return Parsed(value, "ok", rule=rule, span=span)
