"""Multiple-choice answers: one option letter (``choice``) or a set of them (``choices``).

Both parsers read a generation in priority tiers, modelled on lighteval rather than on the
"first capital letter anywhere" fallbacks that make OpenCompass read ``Answer: none`` as A:

1. *anchored*: an answer statement ("the answer is", "Answer:", "final answer", "the correct
   option is", "I choose", "Therefore,", "B is correct", ``\\boxed{B}``, "答案是") followed by
   letters or option texts;
2. *line*: a line that is the answer ("B", "(B)", "B) fever", "Option B", "A, C", an option
   text); for ``choice``, a rising run of "A. ... / B. ... / C. ..." lines is an echoed or
   analysed option list, not an answer;
3. *weak anchors* (``choice`` only): "it could be A or C", "I think it's B", "most likely has
   <option text>", "consistent with <option text>";
4. *prose*: a parenthesized "(B)" or bold letter inside prose; for ``choices`` also option
   texts named anywhere unless negated ("not inducing angiogenesis").

The highest tier that says anything decides; within it, ``choice`` needs every statement to
agree (else ``ambiguous``), ``choices`` needs anchored statements to agree and unions lines
and mentions. A capital letter in prose never counts, and a single letter followed by a
lowercase word is English ("A patient ...") unless the word is a connective that cannot
follow an article ("A because ...") or the letter's own option text.

Everything is found with ``str.find`` and short regexes compiled once at import, applied at
keyword positions or line starts, plus a left-to-right item reader: a parse is linear in the
input length. Letter validity is a set lookup (the letter sets are cached), which is what
lets an out-of-range letter ("E" with four options) be reported instead of skipped.
"""

from __future__ import annotations

import re
import string
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from functools import cached_property, lru_cache
from typing import Any, ClassVar, NamedTuple

from medmetrics.errors import InputError
from medmetrics.parsing.base import Parser
from medmetrics.parsing.text import fold, prepare, squash
from medmetrics.results import Parsed

DEFAULT_LETTERS = "ABCDE"

# --- the letter grammar -------------------------------------------------------------------

# A letter alone: "(B)", "[B]", "（B）", or a bare "B" not glued to a word ("B12", "B-cell",
# "B's", "N/A", "e.g.").
_TOKEN = re.compile(
    r"[(\[（【][ \t]*([A-Za-z])[ \t]*[)\]）】]"
    r"|([A-Za-z])(?![A-Za-z0-9_\u00C0-\u024F\-/]|['’][A-Za-z]|\.[A-Za-z0-9])"
)
# Between two items of a list: "A, C", "A and C", "A, or C", "A 和 C".
_SEPARATOR = re.compile(
    r"[ \t]*(?:[,，、;&]|和|或|\band\b|\bor\b)[ \t]*(?:(?:and|or)[ \t]+)?(?:(?:maybe|possibly|perhaps)[ \t]+)?",
    re.IGNORECASE,
)
_SEPARATOR_STARTS = frozenset(" \t,，、;&和或")
# The word after a bare letter ("A patient", "B because").
_NEXT_WORD = re.compile(r"[ \t]+([^\s]{1,40})")
# A letter followed by a description: "B. fever", "B) fever", "B: fever", "(B) fever", "B - fever".
_DESCRIPTION = re.compile(r"[ \t]*(?:[.):：][ \t]*|[-–—][ \t]+)?(?=[^\s.,;])")
# Words that cannot follow the article "a", so "A because ..." is the letter A.
_CONNECTIVES = frozenset({
    "because", "since", "as", "and", "or", "but", "which", "that", "for", "with", "in", "of", "from", "due",
    "given", "so", "then", "while", "whereas", "here", "on", "per", "based", "according", "considering",
    "over", "than", "instead",
})

# What follows a letter named in prose only to set it aside: "(B) can be excluded", "(C) is unlikely".
_DISMISSAL = re.compile(
    r"[ \t]*(?:[-–—,:][ \t]*)?(?:option[ \t]+|choice[ \t]+)?(?:is|are|was|can|could|may|should|seems|appears)?[ \t]*"
    r"(?:be[ \t]+)?(?:not\b|n't|excluded|ruled[ \t]+out|eliminated|unlikely|less[ \t]+likely|incorrect|wrong|"
    r"false|inappropriate|implausible|does[ \t]+not|doesn't)"
)



def _after_brackets(text: str, pos: int) -> int:
    """The position after the closing brackets (and bold marks, masked to spaces) that follow a letter."""
    while pos < len(text) and text[pos] in ")]）】":
        pos += 1
    return pos


# --- anchors ------------------------------------------------------------------------------

# Keywords that may start (or end) an answer statement, searched in the lowercased text.
_TRIGGERS = ("answer", "ans:", "correct", "right", "best", "true", "better", "preferred", "most", "choose", "select",
             "pick", "go with", "opt for", "my ", "therefore", "thus", "hence", "so", "conclusion", "summary",
             "could be", "might be", "may be", "either", "between", "it is", "it's", "it’s", "most likely has",
             "most likely is", "is most likely", "consistent with", "suggestive of", "diagnosis is")
# Trigger words that may end a claim: "B is correct", "A is better".
_CLAIMS = frozenset({"correct", "right", "best", "true", "better", "preferred", "answer"})
# "Therefore, B.", "So A.": the letter must stand alone (no "Therefore A patient ...").
_CONCLUSIONS = frozenset({"therefore", "thus", "hence", "so", "conclusion", "summary"})
# "It could be A or C", "I think it's B", "most likely has <option text>": weak anchors, read only
# when nothing firmer is said. An option text merely named in prose is not an answer for
# ``choice`` (models name distractors while reasoning: "Although B12 deficiency is possible").
_WEAK = frozenset({"could be", "might be", "may be", "either", "between", "it is", "it's", "it’s", "most likely has",
                   "most likely is", "is most likely", "consistent with", "suggestive of", "diagnosis is"})
# Anchors that are the keyword itself: the answer follows it directly.
_BARE_ANCHORS = _CONCLUSIONS | _WEAK | {"ans:"}
_CHINESE_TRIGGERS = ("答案", "选", "選")


def _keyword_pattern(words: Sequence[str]) -> re.Pattern[str]:
    """One alternation grouped by first character, longest first: sre then tests one branch per
    position instead of every keyword (about 5x faster than a flat alternation or str.find loops)."""
    groups: dict[str, list[str]] = {}
    for word in sorted(words, key=len, reverse=True):
        groups.setdefault(word[0], []).append(re.escape(word[1:]))
    return re.compile("|".join(f"{re.escape(first)}(?:{'|'.join(rests)})" for first, rests in groups.items()))


_TRIGGER = _keyword_pattern(_TRIGGERS + _CHINESE_TRIGGERS)
# Words just before a trigger that may end a claim verb phrase ("B is the correct answer").
_CLAIM_WORDS = frozenset({"is", "are", "seems", "appears", "be", "the", "a", "an", "only", "likely", "single", "best",
                          "correct", "right"})
_ANSWER_VERB = re.compile(
    r"answers?(?:[ \t]+(?:choice|option|letter))?[ \t]*"
    r"(?:[:：=]|-(?![\w])|(?<=[ \t])(?=[(\[（][ \t]*[a-z][ \t]*[)\]）])"
    r"|(?:is|are|was|were|would\s+be|should\s+be|will\s+be|must\s+be|appears\s+to\s+be|seems\s+to\s+be)\b)"
)
_ANSWER_HEADING = re.compile(r"answers?[ \t]*(?=\n|$)")
_HEADING_PREFIX = re.compile(r"[ \t]*(?:(?:the|final|correct|my)[ \t]+)*")
_QUALIFIED = re.compile(
    r"(?:correct|best|most\s+(?:likely|appropriate|accurate|probable|suitable|correct))(?:[ \t]+[^\W\d_]{2,}){0,4}?"
    r"\s*(?:[:：]|\b(?:is|are|would\s+be|should\s+be|will\s+be|must\s+be)\b)"
    r"|(?:right|true)\s+(?:answers?|options?|choices?|ones?|statements?|responses?)\s*(?:[:：]|\b(?:is|are|would\s+be)\b)"
)
_CHOOSE = re.compile(r"(?:choose|select|pick|go\s+with|opt\s+for)\b")
_CHOOSER = re.compile(
    r"(?:^|[^a-z])(?:i|we)(?:\s+(?:would|will|shall|must|should|now|therefore|thus|definitely)|'d|’d|'ll|’ll)*\s+$"
)
_MY_CHOICE = re.compile(r"my\s+(?:final\s+)?(?:choice|pick|selection|guess)\s*(?:[:：]|is\b)")
_CHINESE_ANSWER = re.compile(r"答案\s*(?:应该是|應該是|应为|應為|是|为|為|[:：])?")
_CHINESE_CHOOSE = re.compile(r"[选選](?:择|擇)?(?![项項])")
_CHINESE_CHOOSER = frozenset("故以此应應我则則当當")
# "if the answer is B" states no answer.
_HYPOTHETICAL_HINT = re.compile(r"if |whether|suppos|assum|unless")
_HYPOTHETICAL = re.compile(
    r"\b(?:if|whether|suppose|assuming|assume|unless)\s+(?:(?:the|my|our|this)\s+)?(?:(?:final|correct|right|best)\s+)?$"
)
# Between an anchor and its answer: "The answer is, therefore, most likely option **(B)**".
_FILLER = re.compile(
    r"[\s:：=\-–—\"'“”‘’$*>,]*(?:(?:most\s+likely|likely|probably|therefore|thus|clearly|definitely|certainly|indeed"
    r"|then|option|choice|letter|number|the|answer)(?![^\W_])[\s:：=\-–—\"'“”‘’$*>,]*){0,4}",
    re.IGNORECASE,
)
# "B is correct", "A and C are correct", "(B) is the best answer": a claim verb before the
# trigger word, and the letters before the verb.
_CLAIM_TAIL = re.compile(
    r" (?:is|are|seems|appears) +(?:to +be +)?(?:(?:the|an?) +)?(?:(?:only|most +likely|single|best|correct|right) +)?"
)
_CLAIMED_LETTERS = re.compile(
    r"(?:(?i:option|choice)\s+)?(?P<list>[(\[]?[A-Z][)\]]?(?:[ \t]*(?:,|&|(?i:and))[ \t]*(?:(?i:option|choice)[ \t]+)?"
    r"[(\[]?[A-Z][)\]]?){0,9})\Z"
)
_LIST_LETTER = re.compile(r"(?<![A-Za-z])[A-Z](?![A-Za-z])")
# Words after which "B is correct" starts a claim (not "vitamin B is correct", "nor B is correct").
_CLAIM_OPENERS = frozenset({
    "option", "choice", "so", "thus", "therefore", "hence", "then", "think", "believe", "conclusion",
    "overall", "that", "answer", "clearly", "only", "statement", "letter", "both", "finally", "summary",
})
_BOXED = re.compile(r"\\boxed\{(?:\\text(?:bf)?\{)?[ \t]*")

# --- lines and prose ----------------------------------------------------------------------

_LINE_START = re.compile(
    r"[ \t]*(?:[-*•+>][ \t]*){0,3}(?:\d{1,2}[.)][ \t]+)?(?:(?i:option|choice)[ \t]*|选项[ \t]*)?"
    r"(?=(?:[(\[（【][ \t]*)?[A-Za-z](?![A-Za-z0-9]))",
)
_BOLD_LETTER = re.compile(r"\*\*[ \t]*\(?([A-Z])\)?[.):]?[ \t]*\*\*")
_NONE = re.compile(
    r"(?:none(?:\s+of\s+(?:the\s+)?(?:above|options|choices|these|them|hallmarks|labels|listed|categories))?"
    r"|no\s+(?:hallmarks?|labels?|options?|categories|category|classes|class)(?:\s+of\s+cancer)?"
    r"(?:\s+(?:apply|applies|applicable|present|mentioned|identified))?"
    r"|not\s+applicable|nothing|n/a)(?![^\W_])",
    re.IGNORECASE,
)
_NONE_SENTENCE = re.compile(
    r"\b(?:none\s+of\s+the\s+(?:above|options|choices|hallmarks|labels|categories|listed)"
    r"|no\s+(?:hallmarks?|labels?|categories)\s+(?:of\s+cancer\s+)?(?:(?:is|are)\s+)?"
    r"(?:apply|applies|present|mentioned|described|discussed|identified|found|relevant)"
    r"|(?:does|do)\s+not\s+(?:mention|describe|discuss|address|involve|relate\s+to)\s+any)",
    re.IGNORECASE,
)
_NONE_LINES = frozenset({"none", "none of the above", "none of them", "none of these", "no hallmark",
                         "no hallmarks", "no hallmarks of cancer", "no label", "no labels", "n/a", "not applicable"})
_NEGATIONS = frozenset({
    "not", "no", "without", "neither", "nor", "never", "non", "lacks", "lack", "lacking", "absence",
    "absent", "excluding", "cannot", "isnt", "doesnt", "dont", "didnt", "arent", "wasnt",
})
# "A. fever" in an echoed list: a labelled option text is not a mention of the answer.
_LABELLED = re.compile(r"(?<![A-Za-z0-9])[(\[]?[A-Za-z][).:\]][ \t]*\Z")
_CLAUSE_END = re.compile(r".*[,.;:!?()\n]", re.DOTALL)
_VIEW_SEPARATORS = str.maketrans({c: " " for c in "\t\n\r\x0b\x0c_-/\u00a0"})


# --- letter sets and option texts ---------------------------------------------------------


@dataclass(frozen=True)
class LetterSet:
    """The valid letters of one question, in order."""

    letters: tuple[str, ...]

    @cached_property
    def valid(self) -> frozenset[str]:
        return frozenset(self.letters)

    def describe(self) -> str:
        """``A-D`` for a run, else the letters listed."""
        run = "".join(self.letters)
        if len(run) > 2 and run in string.ascii_uppercase:
            return f"{run[0]}-{run[-1]}"
        return ", ".join(self.letters)

    @cached_property
    def rank(self) -> Mapping[str, int]:
        return {letter: i for i, letter in enumerate(self.letters)}

    def valid_in(self, items: Sequence[Item]) -> tuple[str, ...]:
        """The distinct valid letters of ``items``, in option order."""
        valid = self.valid
        return self.order([item.letter for item in items if item.letter in valid])

    def order(self, letters: Sequence[str]) -> tuple[str, ...]:
        """Distinct letters in option order (letters outside the set last, alphabetically)."""
        distinct = set(letters)
        if len(distinct) == 1:
            return tuple(distinct)
        rank = self.rank
        return tuple(sorted(distinct, key=lambda x: (rank.get(x, len(rank)), x)))


@dataclass(frozen=True)
class OptionIndex:
    """Option texts squashed for matching, longest first, so "fever and rash" beats "fever"."""

    longest_first: tuple[tuple[str, str], ...]  # (squashed text, letter)
    by_text: Mapping[str, tuple[str, ...]]
    own: Mapping[str, str]  # letter -> squashed text
    longest: int


@lru_cache(maxsize=256)
def letter_set(letters: str | tuple[str, ...] | None, n_options: int | None) -> LetterSet:
    """Check and normalize the ``letters``/``options`` context; raise ``InputError`` if malformed."""
    if letters is None:
        chosen: tuple[str, ...] = tuple(string.ascii_uppercase if n_options is not None else DEFAULT_LETTERS)
    else:
        chosen = tuple(letters)
        bad = [x for x in chosen if not (isinstance(x, str) and len(x) == 1 and x in string.ascii_letters)]
        if bad:
            raise InputError(f"letters must be single ASCII letters, got {bad[0]!r} in {letters!r}")
        chosen = tuple(x.upper() for x in chosen)
        if len(set(chosen)) != len(chosen):
            raise InputError(f"letters must not repeat (case-insensitively): {letters!r}")
    if not chosen:
        raise InputError("letters must not be empty")
    if n_options is not None:
        if len(chosen) < n_options:
            raise InputError(f"{n_options} options need {n_options} letters, only {len(chosen)} available")
        chosen = chosen[:n_options]
    return LetterSet(chosen)


@lru_cache(maxsize=4096)
def option_index(options: tuple[str, ...], letters: LetterSet) -> OptionIndex:
    """Index the option texts; a leading copy of the option's own letter ("B. fever") is dropped."""
    pairs: list[tuple[str, str]] = []
    own: dict[str, str] = {}
    for letter, option in zip(letters.letters, options):
        prefix = re.match(rf"[ \t]*[(\[]?{letter}[)\].:][ \t]*(?=\S)", option, re.IGNORECASE)
        text = squash(option[prefix.end():] if prefix else option)
        if text:
            pairs.append((text, letter))
            own[letter] = text
    by_text: dict[str, tuple[str, ...]] = {}
    for text, letter in pairs:
        by_text[text] = (*by_text.get(text, ()), letter)
    pairs.sort(key=lambda pair: -len(pair[0]))
    return OptionIndex(tuple(pairs), by_text, own, max((len(t) for t, _ in pairs), default=0))


def _options_tuple(options: Any) -> tuple[str, ...] | None:
    if options is None:
        return None
    if isinstance(options, (str, bytes)) or not isinstance(options, Sequence):
        raise InputError(f"options must be a list of option texts, got {type(options).__name__}: {options!r:.80}")
    bad = [o for o in options if not isinstance(o, str)]
    if bad:
        raise InputError(f"options must all be str, got {type(bad[0]).__name__}: {bad[0]!r:.60}")
    if not options:
        raise InputError("options must not be empty (pass None when the option texts are unknown)")
    return tuple(options)


def _letters_key(letters: Any) -> str | tuple[str, ...] | None:
    if letters is None or isinstance(letters, str):
        return letters
    if isinstance(letters, Sequence):
        return tuple(letters)
    raise InputError(f"letters must be a string or a list of letters, got {type(letters).__name__}")


# --- what a generation says ---------------------------------------------------------------


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


class Statement(NamedTuple):
    """One answer statement: its items, or ``none`` for "none of the above"."""

    rule: str
    items: tuple[Item, ...]
    none: bool = False

    @property
    def span(self) -> tuple[int, int]:
        return self.items[0].start, self.items[-1].end


def _statement(reading: Reading, letter_rule: str, text_rule: str) -> Statement:
    rule = "none" if reading.none else text_rule if reading.items and reading.items[0].from_text else letter_rule
    return Statement(rule, reading.items, reading.none)


class Reader:
    """Reads the answer statements of one masked generation, tier by tier.

    Both parsers use it: ``choice`` wants one letter from the winning tier, ``choices`` a set.
    """

    def __init__(self, text: str, masked: str, letters: LetterSet, index: OptionIndex | None) -> None:
        self.text = text
        self.masked = masked
        self.letters = letters
        self.index = index
        lowered = masked.lower()
        self.lowered = lowered if len(lowered) == len(masked) else masked
        self.anchors_without_answer = 0
        self.weak: list[Statement] = []

    @cached_property
    def view(self) -> str:
        """The text case-folded, each separator (space, ``-``, ``_``, ``/``) a space: for option texts.

        It has the text's length, so a match in it is a span in the generation.
        """
        folded = fold(self.masked)
        if len(folded) != len(self.masked):
            folded = self.lowered
        return folded.translate(_VIEW_SEPARATORS)

    # -- items ---------------------------------------------------------------------------

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
        if self.masked[pos:pos + 1] not in _SEPARATOR_STARTS:
            return False
        sep = _SEPARATOR.match(self.masked, pos)
        return sep is not None and _TOKEN.match(self.masked, sep.end()) is not None

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
        token = _TOKEN.match(masked, pos)
        if token is None:
            return None, pos, False
        enclosed = token.group(1) is not None
        raw = token.group(1) or token.group(2)
        letter = raw.upper()
        start = token.start(1) if enclosed else token.start(2)
        after = token.end()
        if self._continues(after):
            return Item(letter, start, start + 1), after, True
        word = None if enclosed else _NEXT_WORD.match(masked, after)
        if word is not None:
            first = word.group(1)
            own_end = self._own_text_end(letter, word.start(1)) if raw.isupper() else None
            if own_end is not None:  # "B fever" where B is "Fever"
                return Item(letter, start, start + 1, True), own_end, True
            if anchored and first.rstrip(".,;:!?").lower() in _CONNECTIVES:  # "the answer is A because"
                return Item(letter, start, start + 1), after, False
            # "A patient", "A 45-year-old", "a fever"; on a line of its own even "A Patient".
            # After an anchor, "B Fever" and "B (fever)" keep the letter.
            if first[0].isalnum() and (first[0].islower() or first[0].isdigit() or raw.islower() or not anchored):
                return None, pos, False
        description = _DESCRIPTION.match(masked, after)
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
            more = True
            if found:
                items.extend(found)
            else:
                item, after, more = self.letter_at(pos, anchored)
                if item is None:
                    if not items and none_ok and (none := _NONE.match(self.masked, pos)):
                        return Reading((), none.end(), none=True)
                    # "A, B and C are wrong": a rejected letter joined by "and"/"or" spoils the list.
                    joined = sep is not None and bool(sep.group(0).strip(" \t,，、;"))
                    spoiled = joined and _TOKEN.match(self.masked, pos) is not None
                    return Reading(tuple(items), pos, clean=not spoiled)
                items.append(item)
            sep = _SEPARATOR.match(self.masked, after) if more else None
            if sep is None:
                return Reading(tuple(items), after)
            pos = sep.end()

    # -- tier 1: anchored ----------------------------------------------------------------

    def anchored(self, none_ok: bool) -> list[Statement]:
        """Answer statements: an anchor followed by letters or option texts, or "B is correct".

        Weak anchors ("it could be A or C", "I think it's B") found on the way are kept in
        ``self.weak``, for when nothing firmer is said.
        """
        statements: list[Statement] = []
        seen_ends: set[int] = set()
        lowered = self.lowered
        for trigger in _TRIGGER.finditer(lowered):
            pos, word = trigger.start(), trigger.group()
            if pos > 0 and lowered[pos - 1].isalnum() and word[0].isascii():
                continue
            if word in _CLAIMS:
                claimed = self._letters_before(pos, pos + len(word))
                if claimed is not None:
                    statements.append(claimed)
            end = self._anchor_end(word, pos)
            if end is None or end in seen_ends or self._hypothetical(pos):
                continue
            seen_ends.add(end)
            filler = _FILLER.match(self.masked, end)
            start = filler.end() if filler else end
            strict = word in _CONCLUSIONS
            reading = self.items_at(start, anchored=not strict, none_ok=none_ok and not strict)
            if not reading.clean or not (reading.items or reading.none):
                if not strict and word not in _WEAK:
                    self.anchors_without_answer += 1  # for the reason of a failed parse
            elif word in _WEAK:
                self.weak.append(_statement(reading, "weak-anchor", "weak-anchor"))
            else:
                statements.append(_statement(reading, "anchored-letter", "anchored-text"))
        if "\\boxed{" in self.text:
            statements.extend(self._boxed(none_ok))
        return statements

    def _hypothetical(self, pos: int) -> bool:
        """"If the answer is B": a condition, not an answer."""
        start = max(0, pos - 30)
        return _HYPOTHETICAL_HINT.search(self.lowered, start, pos) is not None and \
            _HYPOTHETICAL.search(self.lowered[start:pos]) is not None

    def _anchor_end(self, word: str, pos: int) -> int | None:
        """Where the anchor starting with ``word`` at ``pos`` ends, or None if it is no anchor."""
        lowered = self.lowered
        if word == "answer":
            verb = _ANSWER_VERB.match(lowered, pos)
            if verb:
                return verb.end()
            heading = _ANSWER_HEADING.match(lowered, pos)
            if heading and self._line_prefix_is(pos, _HEADING_PREFIX):
                return heading.end()
            if lowered.endswith("final ", 0, pos):
                return pos + len("answer")
            return None
        if word in ("correct", "best", "most", "right", "true"):
            qualified = _QUALIFIED.match(lowered, pos)
            return qualified.end() if qualified else None
        if word in ("choose", "select", "pick", "go with", "opt for"):
            verb = _CHOOSE.match(lowered, pos)
            if verb and _CHOOSER.search(lowered, max(0, pos - 24), pos):
                return verb.end()
            return None
        if word == "my ":
            mine = _MY_CHOICE.match(lowered, pos)
            return mine.end() if mine else None
        if word in _BARE_ANCHORS:
            end = pos + len(word)
            return end if end == len(lowered) or not lowered[end].isalnum() else None
        if word == "答案":
            chinese = _CHINESE_ANSWER.match(lowered, pos)
            return chinese.end() if chinese else None
        chose = _CHINESE_CHOOSE.match(lowered, pos)
        if chose and pos > 0 and lowered[pos - 1] in _CHINESE_CHOOSER:
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
        if lowered[lowered.rfind(" ", max(0, pos - 12), pos - 1) + 1:pos - 1] not in _CLAIM_WORDS:
            return None
        lo = max(0, pos - 40)
        verb = max(lowered.rfind(" is ", lo, pos), lowered.rfind(" are ", lo, pos),
                   lowered.rfind(" seems ", lo, pos), lowered.rfind(" appears ", lo, pos))
        if verb < 0 or not _CLAIM_TAIL.fullmatch(lowered, verb, pos):
            return None
        window = start = max(0, verb - 60)
        while (claim := _CLAIMED_LETTERS.search(self.masked, start, verb)) is not None:
            # The subject must open its clause: "Between A and D, A is better" claims only A,
            # "vitamin B is correct" claims nothing.
            before = self.masked[window:claim.start()].rstrip(" \t")
            if not before or not before[-1].isalnum() or before.split()[-1].lower() in _CLAIM_OPENERS:
                list_start = claim.start("list")
                items = tuple(Item(m.group(0), list_start + m.start(), list_start + m.end())
                              for m in _LIST_LETTER.finditer(claim.group("list")))
                return Statement("anchored-letter", items) if items else None
            start = claim.start("list") + 1
        return None

    def _boxed(self, none_ok: bool) -> list[Statement]:
        """``\\boxed{B}`` outside reasoning: masking unwrapped it, so read its content in place."""
        statements = []
        for boxed in _BOXED.finditer(self.text):
            pos = boxed.end()
            if pos < len(self.masked) and self.masked[pos] == self.text[pos] and not self.masked[pos].isspace():
                reading = self.items_at(pos, anchored=True, none_ok=none_ok)
                if reading.items or reading.none:
                    statements.append(_statement(reading, "boxed", "boxed"))
        return statements

    # -- tier 2: lines -------------------------------------------------------------------

    def lines(self, none_ok: bool) -> list[Statement]:
        """Lines that are the answer: "B", "(B)", "B) fever", "Option B", "A, C", an option text."""
        statements: list[Statement] = []
        masked = self.masked
        line_start = 0
        while line_start >= 0:
            line = _LINE_START.match(masked, line_start)
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
            if any(self._dismissed(i.start, _after_brackets(masked, i.end)) for i in reading.items):
                continue  # "Choice (B) can be excluded ...": an option set aside, not an answer
            statements.append(_statement(reading, "line-letter", "option-text"))
        if self.index is not None or none_ok:
            statements.extend(self._whole_lines(none_ok))
        statements.sort(key=lambda s: s.span[0] if s.items else 0)
        return statements

    def _whole_lines(self, none_ok: bool) -> list[Statement]:
        """Lines that are exactly an option text (case, spacing and end punctuation aside) or "none"."""
        statements = []
        longest = self.index.longest + 12 if self.index is not None else 0
        start = 0
        for line in self.masked.split("\n"):
            end = start + len(line)
            if line.strip() and len(line) <= max(longest, 40):
                key = squash(line)
                letters = self.index.by_text.get(key, ()) if self.index is not None else ()
                if letters:
                    left = start + len(line) - len(line.lstrip(" \t-*•+>"))
                    right = start + len(line.rstrip(" \t.,;:!?*"))
                    items = tuple(Item(letter, left, max(left, right), True, True) for letter in letters)
                    statements.append(Statement("option-text", items))
                elif none_ok and key in _NONE_LINES:
                    statements.append(Statement("none", (), none=True))
            start = end + 1
        return statements

    # -- tier 3: prose -------------------------------------------------------------------

    def prose(self, mentions: bool, none_ok: bool) -> list[Statement]:
        """Parenthesized or bold letters in prose; with ``mentions``, option texts named anywhere."""
        statements: list[Statement] = []
        masked = self.masked
        for opening, closing in (("(", ")"), ("（", "）")):
            start = masked.find(opening)
            while start >= 0:
                letter = masked[start + 1:start + 2]
                if letter in self.letters.valid and masked.startswith(closing, start + 2) and \
                        not (start > 0 and masked[start - 1].isalnum()) and not self._dismissed(start, start + 3):
                    statements.append(Statement("paren-letter", (Item(letter, start + 1, start + 2),)))
                start = masked.find(opening, start + 1)
        if "**" in self.text:
            for bold in _BOLD_LETTER.finditer(self.text):
                pos = bold.start(1)
                if bold.group(1) in self.letters.valid and masked[pos] == bold.group(1) and \
                        not self._dismissed(bold.start(), bold.end()):
                    statements.append(Statement("bold-letter", (Item(bold.group(1), pos, pos + 1),)))
        if mentions and self.index is not None:
            statements.extend(self._mentions())
        if none_ok and _NONE_SENTENCE.search(masked):
            statements.append(Statement("none", (), none=True))
        statements.sort(key=lambda s: s.span[0] if s.items else len(masked))
        return statements

    def _mentions(self) -> list[Statement]:
        """Option texts named anywhere, longest first, not overlapping, not negated."""
        assert self.index is not None
        view = self.view
        taken = bytearray(len(view))  # characters already read as a (longer) option text
        statements = []
        for text, letter in self.index.longest_first:
            pos = view.find(text)
            while pos >= 0:
                end = pos + len(text)
                if (pos == 0 or not view[pos - 1].isalnum()) and (end == len(view) or not view[end].isalnum()) \
                        and not any(taken[pos:end]):
                    taken[pos:end] = b"\x01" * (end - pos)
                    if not self._negated(pos) and not _LABELLED.search(self.masked, max(0, pos - 6), pos):
                        statements.append(Statement("option-mention", (Item(letter, pos, end, True, True),)))
                pos = view.find(text, end)
        return statements

    def _dismissed(self, start: int, end: int) -> bool:
        """A letter named in prose only to be set aside: "(B) can be excluded", "not (C)"."""
        return self._negated(start) or bool(_DISMISSAL.match(self.lowered, _after_brackets(self.masked, end)))

    def _negated(self, pos: int) -> bool:
        """A negation among the (at most three) words before ``pos`` in the same clause."""
        before = self.view[max(0, pos - 48):pos]
        clause = _CLAUSE_END.match(before)
        words = (before[clause.end():] if clause else before).replace("'", "").replace("’", "").split()
        recent = words[-3:]
        for i, word in enumerate(recent):
            if word in _NEGATIONS:
                return not (i + 1 < len(recent) and recent[i + 1] == "only")  # "not only X but also Y"
        return False


# --- the parsers --------------------------------------------------------------------------


class _OptionParser(Parser):
    """What both parsers share: the ``options``/``letters`` context and the first checks."""

    defaults: ClassVar[Mapping[str, Any]] = {"options": None, "letters": None}

    def validate(self, settings: Mapping[str, Any]) -> None:
        self._question(settings)

    @staticmethod
    def _question(settings: Mapping[str, Any]) -> tuple[LetterSet, OptionIndex | None]:
        """The valid letters and the indexed option texts (None if unknown); both cached."""
        options = _options_tuple(settings.get("options"))
        letters = letter_set(_letters_key(settings.get("letters")), None if options is None else len(options))
        return letters, option_index(options, letters) if options is not None else None

    def _reader(self, text: str, settings: Mapping[str, Any]) -> Reader | Parsed:
        """A ``Reader`` for the generation, or the ``Parsed`` when there is nothing to read."""
        masked, why = prepare(text)
        if why is not None:
            return Parsed(None, "empty" if not text.strip() else "failed", reason=why)
        return Reader(text, masked, *self._question(settings))


def _not_found(reader: Reader, dropped_echo: bool = False) -> Parsed:
    if dropped_echo:
        why = "only an echo of the option list, no answer"
    elif reader.anchors_without_answer:
        why = f"an answer statement without a valid option ({reader.letters.describe()}) after it"
    else:
        why = "no option letter or option text found"
    return Parsed(None, "failed", reason=why)


def _invalid(letters: Sequence[str], reader: Reader) -> str:
    shown = ", ".join(reader.letters.order(letters))
    return f"{shown} {'is' if len(letters) == 1 else 'are'} not among the options ({reader.letters.describe()})"


def _drop_enumerations(statements: list[Statement]) -> tuple[list[Statement], bool]:
    """Drop runs of lines like "A. fever / B. rash / C. cough": an echoed or analysed option list.

    A run is two or more described single-letter lines whose letters rise; a lone "B. rash"
    after the list is still an answer. Returns the kept statements and whether any were dropped.
    """
    runs: list[list[Statement]] = []
    for statement in statements:
        if statement.rule == "line-letter" and len(statement.items) == 1 and statement.items[0].described:
            if runs and runs[-1][-1].items[0].letter < statement.items[0].letter:
                runs[-1].append(statement)
            else:
                runs.append([statement])
    dropped = {id(s) for run in runs if len(run) > 1 for s in run}
    return [s for s in statements if id(s) not in dropped], bool(dropped)


class ChoiceParser(_OptionParser):
    """One multiple-choice answer -> its letter ("B").

    Context: ``options`` (option texts, lettered A, B, ... by position) or ``letters`` (the
    valid letters when the texts are unknown; ``ABCDE`` when neither is given).
    """

    name = "choice"
    version = "2"  # 2: an option named in prose, or named to be set aside, is not an answer

    def read(self, text: str, settings: Mapping[str, Any]) -> Parsed:
        reader = self._reader(text, settings)
        if isinstance(reader, Parsed):
            return reader
        anchored = reader.anchored(none_ok=True)
        if anchored:
            return self._decide(anchored, reader)
        lines, dropped_echo = _drop_enumerations(reader.lines(none_ok=False))
        for statements in (lines, reader.weak):
            if statements:
                return self._decide(statements, reader)
        prose = reader.prose(mentions=False, none_ok=False)
        if prose:
            return self._decide(prose, reader)
        return _not_found(reader, dropped_echo)

    @staticmethod
    def _decide(statements: list[Statement], reader: Reader) -> Parsed:
        valid_letters = reader.letters.valid
        valid = [(s, i) for s in statements for i in s.items if i.letter in valid_letters]
        if not valid:
            invalid = [i.letter for s in statements for i in s.items]
            if invalid:
                return Parsed(None, "failed", reason=f"the answer {_invalid(invalid, reader)}",
                              rule=statements[-1].rule)
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
    version = "1"
    defaults: ClassVar[Mapping[str, Any]] = {**_OptionParser.defaults, "allow_empty": True}

    def validate(self, settings: Mapping[str, Any]) -> None:
        super().validate(settings)
        if not isinstance(settings.get("allow_empty"), bool):
            raise InputError(f"allow_empty must be True or False, got {settings.get('allow_empty')!r}")

    def read(self, text: str, settings: Mapping[str, Any]) -> Parsed:
        reader = self._reader(text, settings)
        if isinstance(reader, Parsed):
            return reader
        allow_empty: bool = settings["allow_empty"]
        anchored = reader.anchored(none_ok=True)
        if anchored:
            return self._decide_anchored(anchored, reader, allow_empty)
        for statements in (lambda: reader.lines(none_ok=True), lambda: reader.prose(mentions=True, none_ok=True)):
            found = statements()
            if found:
                return self._decide_union(found, reader, allow_empty)
        return _not_found(reader)

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
