"""The reading engine: what a generation says about the options, tier by tier."""

from __future__ import annotations

import re
from functools import cached_property, lru_cache
from typing import NamedTuple

from medmetrics.parsing.choice.options import (
    LetterSet,
    OptionIndex,
)
from medmetrics.parsing.choice.vocabulary import (
    ABBREVIATED_ANSWER,
    ABBREVIATIONS,
    AFFIRMATION,
    ANSWER_FIELD,
    ANSWER_HEADING,
    ANSWER_VERB,
    ARTICLES,
    BARE_ANCHORS,
    BOLD_LETTER,
    BOXED,
    BRACKETED_NEXT,
    CHINESE_ANSWER,
    CHINESE_CHOOSE,
    CHINESE_CHOOSER,
    CHOOSE,
    CHOOSER,
    CJK_CLAIM,
    CJK_CLAIM_HINT,
    CLAIM_OPENERS,
    CLAIM_TAIL,
    CLAIM_WORDS,
    CLAIMED_LETTERS,
    CLAIMS,
    CLAUSE_BREAK,
    CONCLUSIONS,
    CONNECTIVES,
    DESCRIPTION,
    FILLER,
    FIRM_ANCHORS,
    FOREIGN_ANSWERS,
    FUNCTION_WORDS,
    HEADING_PREFIX,
    HYPOTHETICAL,
    HYPOTHETICAL_HINT,
    LABELLED,
    LINE_START,
    LIST_LETTER,
    MY_CHOICE,
    NEW_QUESTION,
    NEW_TURN,
    NEXT_WORD,
    NON_PREFIX,
    NONE,
    NONE_LINES,
    NONE_SENTENCE,
    ORDERING,
    OTHER_OPTIONS,
    PAREN_LETTER,
    QUALIFIED,
    REFERENCE,
    SENTENCE_END,
    SEPARATOR,
    SEPARATOR_STARTS,
    TOKEN,
    TRIGGER,
    UNKNOWN,
    VIEW_SEPARATORS,
    WEAK,
    WORD,
)
from medmetrics.parsing.negation import contrasted_before, negated_after, negated_before, rejected_within
from medmetrics.parsing.text import blank, fold, squash


class Item(NamedTuple):
    """One letter read from the generation, with where it was read."""

    letter: str
    start: int
    end: int
    described: bool = False  # followed by its text or a description ("B. fever")
    from_text: bool = False  # read from the option text, not a letter


class Reading(NamedTuple):
    """What ``Reader.items_at`` read: the items, where reading stopped, and how it went.

    ``none`` marks a "none of the above" answer; ``clean`` is False when a later letter of
    the list turned out to be English ("A, B and C are wrong").
    """

    items: tuple[Item, ...]
    end: int
    none: bool = False
    clean: bool = True
    unknown: bool = False  # "the answer is unknown": no answer at all, not the empty set


#: How firmly an anchored statement answers. "The answer is B", "Answer: B", ``\\boxed{B}``,
#: "I choose B" are FIRM; "the most likely diagnosis is B", "B is correct", "Therefore, B" are
#: CLAIMs, which models also make about intermediate steps ("the most likely complication is
#: ..."), so a firm statement outranks them.
CLAIM, FIRM = 1, 2


class Statement(NamedTuple):
    """One answer statement: its items, or ``none`` for "none of the above" / "unknown"."""

    rule: str
    items: tuple[Item, ...]
    none: bool = False
    strength: int = FIRM

    @property
    def span(self) -> tuple[int, int]:
        return self.items[0].start, self.items[-1].end


@lru_cache(maxsize=16384)
def _option_words(text: str) -> frozenset[str]:
    """``_content_words`` of an option text, remembered: every question asks about its options again."""
    return _content_words(text)


def _content_words(text: str) -> frozenset[str]:
    """The words of a phrase that carry its meaning: abbreviations spelled out ("CT"), "non-contrast"
    as "noncontrast", plurals folded ("diuretics" -> "diuretic"), function words and order verbs out."""
    words: list[str] = []
    for word in WORD.findall(NON_PREFIX.sub("non", text.lower())):
        words.extend(ABBREVIATIONS.get(word, (word,)))
    return frozenset(w[:-1] if len(w) > 3 and w.endswith("s") and not w.endswith("ss") else w
                     for w in words if w not in FUNCTION_WORDS)


def _statement(reading: Reading, letter_rule: str, text_rule: str, strength: int = FIRM) -> Statement:
    if reading.none:
        rule = "unknown" if reading.unknown else "none"
    else:
        rule = text_rule if reading.items and reading.items[0].from_text else letter_rule
    return Statement(rule, reading.items, reading.none, strength)


class Reference(NamedTuple):
    """An option named inline ("(option B)", "option 'C'", "'A': ..."): its item and its whole match."""

    item: Item
    start: int
    end: int
    set_aside: bool  # named to be rejected: "(option D) is less likely", "rather than (C)"


class Reader:
    """Reads the answer statements of one masked generation, tier by tier.

    Both parsers use it: ``choice`` wants one letter from the winning tier, ``choices`` a set.
    """

    def __init__(self, text: str, masked: str, letters: LetterSet, index: OptionIndex | None,
                 json_keys: tuple[str, ...] = ()) -> None:
        self.text = text
        self.json_keys = json_keys  # read from these JSON answer fields only (the rest is masked)
        self.masked = masked
        self.letters = letters
        self.index = index
        lowered = masked.lower()
        self.lowered = lowered if len(lowered) == len(masked) else masked
        self.anchors_without_answer = 0
        self.weak: list[Statement] = []

    # -- items -------------------------------------------------------------------------

    @cached_property
    def view(self) -> str:
        """The text case-folded, each separator (space, ``-``, ``_``, ``/``) a space: for option texts.

        It has the text's length, so a match in it is a span in the generation.
        """
        folded = fold(self.masked)
        if len(folded) != len(self.masked):
            folded = self.lowered
        return folded.translate(VIEW_SEPARATORS)

    def option_text_at(self, pos: int) -> tuple[list[Item], int]:
        """Items for the longest option text starting at ``pos`` (several if texts repeat)."""
        if self.index is None or pos >= len(self.masked):
            return [], pos
        view = self.view
        if pos > 0 and view[pos - 1].isalnum():
            return [], pos
        for text, _ in self.index.longest_first:
            end = pos + len(text)
            if view.startswith(text, pos) and (end == len(view) or not view[end].isalnum()):
                return [Item(letter, pos, end, True, True) for letter in self.index.by_text[text]], end
        return [], pos

    def _own_text_end(self, letter: str, pos: int) -> int | None:
        """End of the letter's own option text if it starts at ``pos``."""
        text = self.index.own.get(letter) if self.index is not None else None
        if not text or not self.view.startswith(text, pos):
            return None
        end = pos + len(text)
        return end if end == len(self.view) or not self.view[end].isalnum() else None

    def _continues(self, pos: int) -> bool:
        """A separator and another letter follow: "A and C"."""
        if self.masked[pos:pos + 1] not in SEPARATOR_STARTS:
            return False
        sep = SEPARATOR.match(self.masked, pos)
        return sep is not None and TOKEN.match(self.masked, sep.end()) is not None

    def _species_name(self, raw: str, dot: int, word: int) -> bool:
        """"E. coli" where some option text holds "E. coli": the letter is part of a name."""
        if self.index is None or self.masked[dot] != ".":
            return False
        following = self.view[word:word + 40].split(" ", 1)[0]
        name = f"{raw.lower()}. {following}"
        return any(name in text for text, _ in self.index.longest_first)

    def letter_at(self, pos: int, anchored: bool) -> tuple[Item | None, int, bool]:
        """The letter at ``pos``, where a list may go on after it, and whether it may.

        No item when ``pos`` holds no letter, or a letter that is an English word here
        ("A patient", "I think", "A 45-year-old").
        """
        masked = self.masked
        token = TOKEN.match(masked, pos)
        if token is None:
            return None, pos, False
        enclosed = token.group(1) is not None
        raw = token.group(1) or token.group(2)
        letter = raw.upper()
        start = token.start(1) if enclosed else token.start(2)
        after = token.end()
        if self._continues(after) or (enclosed and BRACKETED_NEXT.match(masked, after)):
            return Item(letter, start, start + 1), after, True
        word = None if enclosed else NEXT_WORD.match(masked, after)
        if word is not None:
            first = word.group(1)
            own_end = self._own_text_end(letter, word.start(1)) if raw.isupper() else None
            if own_end is not None:  # "B fever" where B is "Fever"
                return Item(letter, start, start + 1, True), own_end, True
            if anchored and first.rstrip(".,;:!?").lower() in CONNECTIVES:  # "the answer is A because"
                return Item(letter, start, start + 1), after, False
            # "A patient", "A 45-year-old", "a fever"; on a line of its own even "A Patient".
            # After an anchor, "B Fever" and "B (fever)" keep the letter.
            if first[0].isalnum() and (first[0].islower() or first[0].isdigit() or raw.islower() or not anchored):
                return None, pos, False
        description = DESCRIPTION.match(masked, after)
        if description is None:
            return Item(letter, start, start + 1), after, True
        own_end = self._own_text_end(letter, description.end())
        if own_end is not None:
            return Item(letter, start, start + 1, True), own_end, True
        if self._species_name(raw, after, description.end()):
            return None, pos, False
        return Item(letter, start, start + 1, True), after, False

    def items_at(self, pos: int, anchored: bool, none_ok: bool) -> Reading:
        """Read a list of letters or option texts ("A, C", "B: fever", "fever or rash") at ``pos``."""
        items: list[Item] = []
        sep: re.Match[str] | None = None
        while True:
            found, after = self.option_text_at(pos)
            more, enclosed = True, False
            if found:
                items.extend(found)
            else:
                enclosed = self.masked[pos:pos + 1] in "([（【"
                item, after, more = self.letter_at(pos, anchored)
                if item is None:
                    if not items and none_ok and (none := NONE.match(self.masked, pos)):
                        return Reading((), none.end(), none=True)
                    if not items and none_ok and (unknown := UNKNOWN.match(self.masked, pos)):
                        return Reading((), unknown.end(), none=True, unknown=True)
                    # "A, B and C are wrong": a rejected letter joined by "and"/"or" spoils the list.
                    joined = sep is not None and bool(sep.group(0).strip(" \t,，、;"))
                    spoiled = joined and TOKEN.match(self.masked, pos) is not None
                    return Reading(tuple(items), pos, clean=not spoiled)
                items.append(item)
            sep = (SEPARATOR.match(self.masked, after) or (BRACKETED_NEXT.match(self.masked, after) if enclosed
                                                           else None)) if more else None
            if sep is None:
                return Reading(tuple(items), after)
            pos = sep.end()

    # -- tier 1: anchored --------------------------------------------------------------

    def anchored(self, none_ok: bool) -> list[Statement]:
        """Answer statements: an anchor followed by letters or option texts, or "B is correct".

        Weak anchors ("it could be A or C", "I think it's B") found on the way are kept in
        ``self.weak``, for when nothing firmer is said.
        """
        statements: list[Statement] = []
        seen_ends: set[int] = set()
        lowered = self.lowered
        for trigger in TRIGGER.finditer(lowered):
            pos, word = trigger.start(), trigger.group()
            if pos > 0 and lowered[pos - 1].isalnum() and word[0].isascii():
                continue
            if word in CLAIMS:
                claimed = self._letters_before(pos, pos + len(word))
                if claimed is not None:
                    statements.append(claimed)
            end = self._anchor_end(word, pos)
            if end is None or end in seen_ends or self._hypothetical(pos):
                continue
            seen_ends.add(end)
            filler = FILLER.match(self.masked, end)
            start = filler.end() if filler else end
            strict = word in CONCLUSIONS
            strength = FIRM if word in FIRM_ANCHORS or "answer" in lowered[pos:end] else CLAIM
            reading = self.items_at(start, anchored=not strict, none_ok=none_ok and not strict)
            if strict and reading.items and self.rejected_in_clause(reading.end):
                continue  # "so (A) pyloric stenosis is unlikely": a step of reasoning, no conclusion
            if not reading.clean or not (reading.items or reading.none):
                named = self._named_after(start) if word not in WEAK else None
                if named is not None:  # "the best next step is a CT scan of the head (Option A)"
                    statements.append(Statement("anchored-inline", named, strength=strength))
                elif not strict and word not in WEAK:
                    self.anchors_without_answer += 1  # for the reason of a failed parse
            elif word in WEAK:
                self.weak.append(_statement(reading, "weak-anchor", "weak-anchor"))
            else:
                widest = self._widest(reading, start)
                statements.append(_statement(widest, "anchored-letter", "anchored-text", strength))
        if "\\boxed{" in self.text:
            statements.extend(self._boxed(none_ok))
        if ":" in self.masked or "：" in self.masked:
            statements.extend(self._answer_fields())
        if any(hint in self.masked for hint in CJK_CLAIM_HINT):
            statements.extend(
                Statement("anchored-letter", (Item(m.group(1).upper(), m.start(1), m.end(1)),), strength=CLAIM)
                for m in CJK_CLAIM.finditer(self.masked) if m.group(1).upper() in self.letters.valid)
        return statements

    def _hypothetical(self, pos: int) -> bool:
        """"If the answer is B": a condition, not an answer."""
        start = max(0, pos - 30)
        return HYPOTHETICAL_HINT.search(self.lowered, start, pos) is not None and \
            HYPOTHETICAL.search(self.lowered[start:pos]) is not None

    def _anchor_end(self, word: str, pos: int) -> int | None:
        """Where the anchor starting with ``word`` at ``pos`` ends, or None if it is no anchor."""
        lowered = self.lowered
        if word == "answer":
            verb = ANSWER_VERB.match(lowered, pos)
            if verb:
                return verb.end()
            heading = ANSWER_HEADING.match(lowered, pos)
            if heading and self._line_prefix_is(pos, HEADING_PREFIX):
                return heading.end()
            if lowered.endswith("final ", 0, pos):
                return pos + len("answer")
            return None
        if word in ("correct", "best", "most", "right", "true"):
            qualified = QUALIFIED.match(lowered, pos)
            if qualified is None or ORDERING.search(lowered, max(0, pos - 30), pos):
                return None  # "from the least likely to the most likely:" announces an order
            return qualified.end()
        if word in ("ans.", "ans "):
            abbreviated = ABBREVIATED_ANSWER.match(lowered, pos)
            return abbreviated.end() if abbreviated else None
        if word in FOREIGN_ANSWERS:
            foreign = FOREIGN_ANSWERS[word].match(lowered, pos)
            return foreign.end() if foreign else None
        if word in ("choose", "select", "pick", "go with", "opt for"):
            verb = CHOOSE.match(lowered, pos)
            if verb and CHOOSER.search(lowered, max(0, pos - 24), pos):
                return verb.end()
            return None
        if word == "my ":
            mine = MY_CHOICE.match(lowered, pos)
            return mine.end() if mine else None
        if word in BARE_ANCHORS:
            end = pos + len(word)
            return end if end == len(lowered) or not lowered[end].isalnum() else None
        if word == "答案":
            chinese = CHINESE_ANSWER.match(lowered, pos)
            return chinese.end() if chinese else None
        chose = CHINESE_CHOOSE.match(lowered, pos)
        if chose and pos > 0 and lowered[pos - 1] in CHINESE_CHOOSER:
            return chose.end()
        return None

    def _line_prefix_is(self, pos: int, prefix: re.Pattern[str]) -> bool:
        """The line up to ``pos`` (at most 40 characters of it) is all ``prefix``."""
        window = max(0, pos - 40)
        newline = self.lowered.rfind("\n", window, pos)
        if newline < 0 and window > 0:
            return False
        return prefix.fullmatch(self.lowered, newline + 1, pos) is not None

    def _letters_before(self, pos: int, trigger_end: int) -> Statement | None:
        """"B is correct", "A and C are the correct answers": the letters before ``pos``."""
        lowered = self.lowered
        if trigger_end < len(lowered) and lowered[trigger_end].isalpha() and lowered[trigger_end] != "s":
            return None
        if pos < 2 or lowered[pos - 1] != " ":
            return None
        if lowered[lowered.rfind(" ", max(0, pos - 12), pos - 1) + 1:pos - 1] not in CLAIM_WORDS:
            return None
        lo = max(0, pos - 40)
        verb = max(lowered.rfind(" is ", lo, pos), lowered.rfind(" are ", lo, pos),
                   lowered.rfind(" seems ", lo, pos), lowered.rfind(" appears ", lo, pos))
        if verb < 0 or not CLAIM_TAIL.fullmatch(lowered, verb, pos):
            return None
        window = start = max(0, verb - 60)
        while (claim := CLAIMED_LETTERS.search(self.masked, start, verb)) is not None:
            # The subject must open its clause: "Between A and D, A is better" claims only A,
            # "vitamin B is correct" claims nothing.
            before = self.masked[window:claim.start()].rstrip(" \t")
            if not before or not before[-1].isalnum() or before.split()[-1].lower() in CLAIM_OPENERS:
                list_start = claim.start("list")
                items = tuple(Item(m.group(0), list_start + m.start(), list_start + m.end())
                              for m in LIST_LETTER.finditer(claim.group("list")))
                return Statement("anchored-letter", items) if items else None
            start = claim.start("list") + 1
        return None

    def _boxed(self, none_ok: bool) -> list[Statement]:
        """``\\boxed{B}`` outside reasoning: masking unwrapped it, so read its content in place."""
        statements = []
        for boxed in BOXED.finditer(self.text):
            pos = boxed.end()
            if pos < len(self.masked) and self.masked[pos] == self.text[pos] and not self.masked[pos].isspace():
                reading = self.items_at(pos, anchored=True, none_ok=none_ok)
                if reading.items or reading.none:
                    statements.append(_statement(reading, "boxed", "boxed"))
        return statements

    def _answer_fields(self) -> list[Statement]:
        """"Diagnosis: Manic episode", "**Next step:** Perform PCI": a field of the answer, named
        by its own heading at the start of a line, read like a claim."""
        statements = []
        for field in ANSWER_FIELD.finditer(self.masked):
            filler = FILLER.match(self.masked, field.end())
            start = filler.end() if filler else field.end()
            reading = self.items_at(start, anchored=True, none_ok=False)
            if reading.items and reading.clean:
                statements.append(_statement(reading, "anchored-letter", "anchored-text", CLAIM))
            elif (named := self._named_after(start)) is not None:
                statements.append(Statement("anchored-inline", named, strength=CLAIM))
        return statements

    def _named_after(self, start: int) -> tuple[Item, ...] | None:
        """The option an answer statement names in prose after ``start``: labelled or by its text in
        the same sentence, or as a phrase with the words of exactly one option."""
        return self._named_in_sentence(start) or self._option_phrase(start)

    def _named_in_sentence(self, start: int) -> tuple[Item, ...] | None:
        """The one option an anchor's sentence names further on, labelled or by its text.

        "The most likely diagnosis is abscess due to Entamoeba histolytica (choice E)": the
        anchor is followed by prose, and the option is named later in the same sentence. None
        when the sentence names no option, or several that are not set aside.
        """
        end = self.sentence_end(start)
        named = [r.item for r in self.references(start, end, PAREN_LETTER) if not r.set_aside]
        if self.index is not None:
            named += [s.items[0] for s in self._mentions(start, end)
                      if not contrasted_before(self.lowered, s.items[0].start)]
        if len({item.letter for item in named}) != 1:
            return None
        return (min(named, key=lambda item: item.start),)

    def _option_phrase(self, start: int) -> tuple[Item, ...] | None:
        """"Answer: Magnesium sulfate" for option "Intravenous magnesium sulfate.": the answer's phrase
        (the rest of its line or sentence, at most 12 words) and exactly one option whose words
        contain its words, or are contained in them (articles and prepositions aside, plurals
        folded). Never when two options fit ("Aspirin" with "Aspirin and clopidogrel")."""
        if self.index is None:
            return None
        end = min(self.sentence_end(start, limit=160), self._line_end(start))
        phrase = _content_words(self.view[start:end])
        if not phrase or len(phrase) > 12:
            return None
        fits = [letter for letter, text in self.index.own.items()
                if (words := _option_words(text)) and (words <= phrase or phrase <= words)]
        if len(fits) != 1:
            return None
        stop = start + len(self.masked[start:end].rstrip(" \t.,;:!?*)\"'”’"))
        return (Item(fits[0], start, max(start + 1, stop), True, True),)

    def _widest(self, reading: Reading, start: int) -> Reading:
        """An option read by its text, or the wider option the answer's phrase names: "Answer: aspirin
        together with clopidogrel" is "Aspirin and clopidogrel", not "Aspirin"."""
        if self.index is None or len(reading.items) != 1 or not reading.items[0].from_text:
            return reading
        end = min(self.sentence_end(start, limit=160), self._line_end(start))
        phrase = _content_words(self.view[start:end])
        if len(phrase) > 12:
            return reading
        fits = sorted(((len(words), letter) for letter, text in self.index.own.items()
                       if (words := _option_words(text)) and words <= phrase), reverse=True)
        read = len(_option_words(self.index.own[reading.items[0].letter]))
        if not fits or fits[0][0] <= read or (len(fits) > 1 and fits[1][0] == fits[0][0]):
            return reading
        stop = start + len(self.masked[start:end].rstrip(" \t.,;:!?*)\"'”’"))
        return reading._replace(items=(Item(fits[0][1], start, max(start + 1, stop), True, True),))

    # -- tier 2: lines -----------------------------------------------------------------

    def lines(self, none_ok: bool) -> list[Statement]:
        """Lines that are the answer: "B", "(B)", "B) fever", "Option B", "A, C", an option text."""
        statements: list[Statement] = []
        masked = self.masked
        line_start = 0
        while line_start >= 0:
            line = LINE_START.match(masked, line_start)
            next_line = masked.find("\n", line_start)
            line_start = next_line + 1 if next_line >= 0 else -1
            if line is None:
                continue
            reading = self.items_at(line.end(), anchored=False, none_ok=False)
            if not reading.items or not reading.clean:
                continue
            line_end = masked.find("\n", reading.end)
            rest = masked[reading.end:line_end if line_end >= 0 else len(masked)]
            last = reading.items[-1]
            if rest.strip(" \t.:)]）】*") and (len(reading.items) > 1 or not last.described or last.from_text):
                continue  # "B is unlikely", "(A) and (C) are plausible": a sentence, not an answer line
            if any(i.letter not in self.letters.valid and i.described for i in reading.items):
                continue  # "I. Introduction", "F. Fever" with four options: a heading, not an answer
            if any(self._dismissed(i.start, i.end) for i in reading.items):
                continue  # "Choice (B) can be excluded ...": an option set aside, not an answer
            description = DESCRIPTION.match(masked, reading.end)  # "B: ...", "B) ...": the verdict follows
            if self.rejected_in_clause(description.end() if description else reading.end):
                # "Option D (Hyperfibrinolysis) is less likely because ...": an option discussed and
                # rejected; kept (as such) so that it still counts in a run of analysed options
                statements.append(Statement("line-rejected", reading.items))
                continue
            statements.append(_statement(reading, "line-letter", "option-text"))
            statements += self._more_on_the_line(reading.end, line_end if line_end >= 0 else len(masked))
        if self.index is not None or none_ok:
            statements.extend(self._whole_lines(none_ok))
        statements.sort(key=lambda s: s.span[0] if s.items else 0)
        return statements

    def _more_on_the_line(self, start: int, end: int) -> list[Statement]:
        """Further bracketed options on an answer line: "(A) sustaining ... (E) inducing ..." names
        both (a multi-select answer; two different answers to a single choice conflict)."""
        statements = []
        for token in TOKEN.finditer(self.masked, start, end):
            if token.group(1) is None or token.group(1).upper() not in self.letters.valid:
                continue
            if self._dismissed(token.start(), token.end()) or self._set_aside(token.start(), token.end()):
                continue  # "B) fever, not (C)", "rather than (C)": an option set aside
            reading = self.items_at(token.start(), anchored=False, none_ok=False)
            if reading.items and reading.clean:
                statements.append(_statement(reading, "line-letter", "option-text"))
        return statements

    def _whole_lines(self, none_ok: bool) -> list[Statement]:
        """Lines that are exactly an option text (case, spacing and end punctuation aside) or "none"."""
        statements = []
        longest = self.index.longest + 12 if self.index is not None else 0
        start = 0
        for line in self.masked.split("\n"):
            end = start + len(line)
            if line.strip() and len(line.strip()) <= max(longest, 40):
                key = squash(line)
                letters = self.index.by_text.get(key, ()) if self.index is not None else ()
                article, _, rest = key.partition(" ")
                if not letters and article in ARTICLES and self.index is not None:
                    letters = self.index.by_text.get(rest, ())  # "The fever", "A rash": the option's text
                if letters:
                    left = start + len(line) - len(line.lstrip(" \t-*•+>"))
                    right = start + len(line.rstrip(" \t.,;:!?*"))
                    items = tuple(Item(letter, left, max(left, right), True, True) for letter in letters)
                    statements.append(Statement("option-text", items))
                elif none_ok and key in NONE_LINES:
                    statements.append(Statement("none", (), none=True))
            start = end + 1
        return statements

    # -- tier 3: options named inline --------------------------------------------------

    def references(self, lo: int = 0, hi: int | None = None, extra: re.Pattern[str] | None = None) -> list[Reference]:
        """Valid options named inline between ``lo`` and ``hi`` (also by ``extra``), each marked if set aside."""
        found = []
        valid = self.letters.valid
        hi = len(self.masked) if hi is None else hi
        matches = list(REFERENCE.finditer(self.masked, lo, hi))
        if extra is not None:
            matches = sorted(matches + list(extra.finditer(self.masked, lo, hi)), key=lambda m: m.start())
        for match in matches:
            letter = match.group(match.lastindex or 1).upper()  # 'option "d"': quoted lowercase letters too
            if letter not in valid:
                continue
            index = match.start(match.lastindex or 1)
            item = Item(letter, index, index + 1)
            found.append(Reference(item, match.start(), match.end(), self._set_aside(match.start(), match.end())))
        return found

    def _set_aside(self, start: int, end: int) -> bool:
        """An option named to be rejected: a negation or contrast before it, a rejection after it
        in the same sentence ("Option D (...) is less likely", "rather than (C)")."""
        if self._negated(start) or contrasted_before(self.lowered, start):
            return True
        return rejected_within(self.lowered, end, self.sentence_end(end))

    def named_inline(self) -> list[Statement]:
        """Options named inline and not set aside ("is myositis (option B)").

        When several are named, an explain-every-option answer is recognized: the answer is
        named first in a sentence of its own, and the other options are discussed after it (under
        a "the other options are wrong" turn, or two or more of them, never affirmed, while the
        answer is not named again). Otherwise every named option is returned, for the parser to
        call ambiguous.
        """
        if self.index is None and "(" not in self.masked and "'" not in self.masked and \
                "option" not in self.lowered and "choice" not in self.lowered:
            return []
        references = self.references()
        headings = [r for r in references if self._opens_line(r.start)]
        # "Option A: ... / Option D: ...": two or more headings are a discussion of the options
        kept = [r for r in references if not r.set_aside and not (len(headings) > 1 and self._opens_line(r.start))]
        if not kept:
            return []
        if len({r.item.letter for r in kept}) > 1:
            kept = self._answer_before_analysis(references, kept) or kept
        return [Statement("inline-option", (r.item,)) for r in kept]

    def _answer_before_analysis(self, references: list[Reference], kept: list[Reference]) -> list[Reference]:
        first = kept[0]
        answer = first.item.letter
        turn = OTHER_OPTIONS.search(self.masked, first.end)
        if turn is not None:
            before = [r for r in kept if r.start < turn.start()]
            if all(r.item.letter == answer for r in before):
                return before
        line_end = self.masked.find("\n", first.start)
        line_end = len(self.masked) if line_end < 0 else line_end
        if self._opens_line(first.start):
            return []  # "Option A: ..." opening its line heads a discussion; it states no answer
        own_line = [r for r in kept if r.start < line_end]
        later_kept = [r for r in kept if r.start >= line_end]
        discussed = {r.item.letter for r in references if r.start >= line_end} - {answer}
        if any(r.item.letter != answer for r in own_line) or any(r.item.letter == answer for r in later_kept):
            return []
        if len(discussed) < 2 or any(self._affirmed(r) for r in later_kept):
            return []
        return own_line

    def _affirmed(self, reference: Reference) -> bool:
        """The sentence of ``reference`` speaks for it ("(option C) is the most likely cause")."""
        lo = max(self.masked.rfind("\n", max(0, reference.start - 200), reference.start), reference.start - 200, 0)
        return AFFIRMATION.search(self.lowered, lo, self.sentence_end(reference.end)) is not None

    # -- tier 5: prose (tier 4, weak anchors, is filled by ``anchored``) ---------------

    def prose(self, mentions: bool, none_ok: bool) -> list[Statement]:
        """Parenthesized or bold letters in prose; with ``mentions``, option texts named anywhere."""
        statements: list[Statement] = []
        masked = self.masked
        listed_to = 0
        for paren in PAREN_LETTER.finditer(masked):
            start = paren.start()
            if start < listed_to or (start > 0 and masked[start - 1].isalnum()):
                continue
            # "(A), (C) and (D) can be ruled out": what follows the list says what becomes of all of it
            listed = self.items_at(start, anchored=False, none_ok=False)
            items = listed.items if listed.items and listed.items[0].start == paren.start(1) else (
                Item(paren.group(1), paren.start(1), paren.end(1)),)
            listed_to = max(listed.end, paren.end())
            if self._dismissed(start, listed_to) or self.rejected_in_clause(listed_to):
                continue
            statements.extend(Statement("paren-letter", (item,)) for item in items if item.letter in self.letters.valid)
        if "**" in self.text:
            for bold in BOLD_LETTER.finditer(self.text):
                pos = bold.start(1)
                if bold.group(1) in self.letters.valid and masked[pos] == bold.group(1) and \
                        not self._dismissed(bold.start(), bold.end()):
                    statements.append(Statement("bold-letter", (Item(bold.group(1), pos, pos + 1),)))
        if mentions and self.index is not None:
            statements.extend(self._mentions())
        if none_ok and NONE_SENTENCE.search(masked):
            statements.append(Statement("none", (), none=True))
        statements.sort(key=lambda s: s.span[0] if s.items else len(masked))
        return statements

    def _mentions(self, lo: int = 0, hi: int | None = None) -> list[Statement]:
        """Option texts named between ``lo`` and ``hi``, longest first, not overlapping, not negated."""
        assert self.index is not None
        view = self.view
        hi = len(view) if hi is None else hi
        taken = bytearray(hi - lo)  # characters already read as a (longer) option text
        statements = []
        for text, letter in self.index.longest_first:
            pos = view.find(text, lo, hi)
            while pos >= 0:
                end = pos + len(text)
                if (pos == 0 or not view[pos - 1].isalnum()) and (end == len(view) or not view[end].isalnum()) \
                        and not any(taken[pos - lo:end - lo]):
                    taken[pos - lo:end - lo] = b"\x01" * (end - pos)
                    if not self._negated(pos) and not LABELLED.search(self.masked, max(0, pos - 6), pos):
                        statements.append(Statement("option-mention", (Item(letter, pos, end, True, True),)))
                pos = view.find(text, end, hi)
        return statements

    # -- where a statement ends, and what it says of an option -------------------------

    def sentence_end(self, pos: int, limit: int = 300) -> int:
        """The end of the sentence running at ``pos`` (at most ``limit`` characters on)."""
        stop = SENTENCE_END.search(self.masked, pos, pos + limit)
        return stop.start() if stop else min(len(self.masked), pos + limit)

    def _line_end(self, pos: int) -> int:
        end = self.masked.find("\n", pos)
        return len(self.masked) if end < 0 else end

    def _opens_line(self, pos: int) -> bool:
        """Only bullets or markup (at most 12 characters of it) stand before ``pos`` on its line."""
        window = max(0, pos - 12)
        line_start = self.masked.rfind("\n", window, pos) + 1
        if line_start == 0 and window > 0:
            return False
        return not self.masked[line_start:pos].strip(" \t-*•>#")

    def rejected_in_clause(self, end: int) -> bool:
        """The clause that goes on after ``end`` rejects what stands before it ("(A) pyloric stenosis
        is unlikely because ..."); "B, not C" rejects nothing about B."""
        clause = CLAUSE_BREAK.search(self.lowered, end, end + 120)
        return rejected_within(self.lowered, end, clause.start() if clause else end + 120)

    def affirms(self, end: int) -> bool:
        """The rest of the line after ``end`` speaks for the option and rejects nothing ("This is
        the correct answer")."""
        line_end = self.masked.find("\n", end)
        line_end = len(self.masked) if line_end < 0 else line_end
        return AFFIRMATION.search(self.lowered, end, line_end) is not None and \
            not rejected_within(self.lowered, end, line_end)

    def _dismissed(self, start: int, end: int) -> bool:
        """A letter named in prose only to be set aside: "(B) can be excluded", "not (C)"."""
        return negated_before(self.masked, start) or negated_after(self.masked, end)

    def _negated(self, pos: int) -> bool:
        """A negation among the few words before ``pos`` in the same clause (the rule ``label`` uses)."""
        return negated_before(self.masked, pos)

    # -- text the model wrote past its answer ------------------------------------------

    def without_invented_question(self) -> Reader:
        """This reader, or one that stops where the model went on past its answer: at a chat turn it
        wrote itself ("...user\n問題: ...", ``<|im_start|>user``), or at a new question it invented
        after answering ("**Final Answer: C**\n## Medical Question\n... Answer: B"). What is said
        there answers another question."""
        reader = self
        turn = NEW_TURN.search(self.masked) if ("user" in self.lowered or "<" in self.masked or
                                                "assistant" in self.lowered or "human" in self.lowered) else None
        if turn is not None and self.masked[:turn.start()].strip():
            reader = Reader(self.text, blank(self.masked, turn.start(), len(self.masked)), self.letters, self.index,
                            self.json_keys)
        return reader._before_new_question()

    def _before_new_question(self) -> Reader:
        if "uestion" not in self.masked and "問題" not in self.masked and "问题" not in self.masked and \
                "题目" not in self.masked:
            return self
        for marker in NEW_QUESTION.finditer(self.masked):
            if not self.masked[:marker.start()].strip():
                continue  # the question restated before any answer
            cut = blank(self.masked, marker.start(), len(self.masked))
            before = Reader(self.text, cut, self.letters, self.index, self.json_keys)
            if any(s.strength == FIRM and (s.items or s.none) for s in before.anchored(none_ok=True)):
                return Reader(self.text, cut, self.letters, self.index, self.json_keys)
            return self
        return self
