"""When a mention is denied: the one negation rule the label and choice parsers share.

A model denies a label or an option in two places:

- *before* it, in the same clause: "not supported", "doesn't entail", "neither A nor B", "there
  is no evidence that it supports" (``negated_before``);
- *after* it: a verdict, as models write when they go through every label ("Entailment: No",
  "Neutral: not applicable", "Contradiction - no", "Entailment? No.", "| Neutral | No |",
  "Entailment (false)"), or a dismissal ("(C) is unlikely", "B can be excluded", "neutral is less
  likely", "A is ruled out", "D is incorrect", "entailment is not the answer")
  (``negated_after``). A verdict can also affirm ("Contradiction: Yes", "CPR:4: true"):
  ``affirmed_after``.

The vocabulary is here and nowhere else: ``NEGATORS`` (words that negate what follows),
``CLAUSE_MARKS`` and ``CLAUSE_WORDS`` (where a negation stops reaching), ``AFFIRMING`` and
``DENYING`` (verdict words) and ``DISMISSING`` (what, after a copula, sets a mention aside).

Every function looks at a bounded window next to one position, so a call costs the same on any
text and a parser that calls it once per mention stays linear in the input length.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

#: Words that negate what follows them. Any word ending in "n't" ("doesn't", "isn’t") negates too,
#: and so do the apostrophe-less spellings models write ("doesnt"). "not only" is no negation.
NEGATORS = frozenset({
    "not", "no", "never", "neither", "nor", "without", "cannot", "none", "nothing", "non",
    "lack", "lacks", "lacking", "absence", "absent", "excluding",
    "isnt", "arent", "wasnt", "werent", "doesnt", "dont", "didnt", "hasnt", "havent", "hadnt",
    "couldnt", "wouldnt", "shouldnt",
})
#: Marks that end a clause: a negation before one never reaches past it.
CLAUSE_MARKS = ".;:!?,()\n"
#: Words that start a new clause: "not a small trial, but it supports" / "not X but Y".
CLAUSE_WORDS = frozenset({"but", "however", "whereas", "although", "though", "yet"})
#: How far back a negator reaches: this many words, within this many characters.
WINDOW_WORDS = 4
WINDOW_CHARS = 80

#: Verdict words that affirm or deny the mention before them ("Entailment: Yes", "Neutral: No").
AFFIRMING = ("yes", "true", "correct", "✓", "✔", "☑")
DENYING = ("no", "false", "incorrect", "wrong", "none", "n/a", "✗", "✘", "❌",
           r"not(?:\s+(?:applicable|the\s+case|the\s+answer|correct|true|valid|relevant|likely|present|it))?")
#: What, after a mention and a copula ("is", "can be", ...), sets it aside: "(C) is unlikely".
DISMISSING = (r"not\b(?!\s+only\b)", "unlikely", r"(?:less|least)\s+likely", "excluded", r"ruled\s+out", "eliminated",
              "incorrect", "wrong", "false", "inappropriate", "implausible")
#: The dismissals that also stand after a separator without ending the clause ("(B) - excluded
#: since ..."); "Refutes - false claim" and "Neutral: not enough data" are explanations, not denials.
SETTING_ASIDE = ("unlikely", r"(?:less|least)\s+likely", "excluded", r"ruled\s+out", "eliminated")

_TRIM = "\"'“”‘’()[]{}*-_/"  # around a word: "'not'", "(no", "non-"
_OPENING = " \t\"'“‘([{*"  # glued to the start of a mention: "not (B)", 'not "supported"'
_CLOSING = r"[)\]}）】\"'”’*]*"  # glued to its end: "(B) is unlikely", '"Neutral": No'
#: Where a verdict ends: "no" in "Neutral: No." is a verdict, in "Neutral: no clear link" it is not.
_VERDICT_END = r"(?=[ \t]*(?:[.,;:!?)\]|*\"'”’\r\n]|\Z))"
#: A dash between a mention and its verdict; a hyphen needs a space beside it ("yes-no" is one word).
_DASH = r"(?:[ \t]*[–—]+|[ \t]+-+|-+(?=[ \t]))"
_VERDICT = re.compile(
    _CLOSING + rf"(?:[ \t]*[:=?|(]|{_DASH})[ \t*\"'“‘]*"
    rf"(?:(?P<yes>{'|'.join(AFFIRMING)})|(?P<no>{'|'.join(DENYING)})){_VERDICT_END}"
    rf"|{_CLOSING}(?:[ \t]*[:=|(]|{_DASH})[ \t]*(?P<dismissed>{'|'.join(SETTING_ASIDE)})\b",
    re.IGNORECASE,
)
_COPULA = (r"(?:is|are|was|were|seems|appears|looks|can|could|may|might|should|must|would|will)"
           r"(?:[ \t]+(?:be|to[ \t]+be))?")
_DISMISSAL = re.compile(
    _CLOSING + r"[ \t]*(?:"
    rf"{_COPULA}[ \t]+(?:(?:very|much|far|highly|also|therefore|thus|clearly|definitely)[ \t]+)?"
    rf"(?:{'|'.join(DISMISSING)})\b"
    r"|(?:is|are|was|were|does|do|did|ca|wo|could|would|should)n['’]?t\b|(?:does|do|did)[ \t]+not|cannot\b"
    r"|(?:excluded|ruled[ \t]+out|eliminated)\b)",
    re.IGNORECASE,
)


def negated_before(text: str, pos: int) -> bool:
    """Whether a negator stands among the few words before ``pos``, in the same clause.

    ``text`` may be the generation, its masked form or any same-length view of it (case and
    separators do not matter). Brackets and quotes that open the mention belong to it, so "not
    (B)" and 'not "supported"' are negated; "not only X" is not.
    """
    stop = min(max(pos, 0), len(text))
    low = max(0, stop - WINDOW_CHARS)
    while stop > low and text[stop - 1] in _OPENING:
        stop -= 1
    window = text[low:stop]
    cut = max(window.rfind(mark) for mark in CLAUSE_MARKS)
    words = window[cut + 1:].lower().replace("’", "'").split()[-WINDOW_WORDS:]
    following = ""
    for raw in reversed(words):
        word = raw.strip(_TRIM)
        if word in CLAUSE_WORDS:
            return False
        if (word in NEGATORS or word.endswith("n't")) and not (word == "not" and following == "only"):
            return True
        following = word
    return False


@dataclass(frozen=True, slots=True)
class Verdict:
    """What follows a mention and says whether it holds; ``end`` is where that statement ends."""

    affirms: bool
    end: int


def verdict_after(text: str, end: int) -> Verdict | None:
    """The verdict or dismissal right after a mention ending at ``end``, or None.

    Verdicts follow a separator (":", "=", "?", "|", a dash, an opening parenthesis); a bare
    "no", "yes", "false" must then end its clause, so "Neutral: no clear link" is no verdict.
    Dismissals follow a copula ("is unlikely", "can be excluded", "is not", "doesn't") or
    stand alone when they cannot be anything else ("ruled out", "excluded").
    """
    if not 0 <= end < len(text):
        return None
    match = _VERDICT.match(text, end)
    if match:
        return Verdict(match.group("yes") is not None, match.end())
    match = _DISMISSAL.match(text, end)
    return Verdict(False, match.end()) if match else None


def negated_after(text: str, end: int) -> bool:
    """Whether what follows a mention ending at ``end`` denies it ("Entailment: No", "(C) is unlikely")."""
    verdict = verdict_after(text, end)
    return verdict is not None and not verdict.affirms


def affirmed_after(text: str, end: int) -> bool:
    """Whether a verdict right after a mention affirms it ("Contradiction: Yes", "CPR:4 - true")."""
    verdict = verdict_after(text, end)
    return verdict is not None and verdict.affirms


# A rejection anywhere in what follows, for prose that discusses an option at sentence length
# (GPT-4's explain-every-option answers): "Amiodarone (Choice A) is an antiarrhythmic ..., but it
# will not address his stroke", "(option D) is less likely because ...". Broader than a verdict,
# so it is only asked about a bounded stretch: a clause or a sentence.
_REJECTION = re.compile(
    r"\b(?:incorrect|wrong|unlikely|(?:less|least)\s+likely|not(?!\s+only\b)|cannot|never|ruled\s+out"
    r"|(?:be|been|is|are)\s+(?:excluded|eliminated)|inappropriate|contraindicated|implausible|inconsistent"
    r"|irrelevant|unnecessary|false)\b|n['’]t\b"
    r"|誤り|誤って|誤った|正しくない|不正确|不正確|错误|錯誤",  # Japanese and Chinese: wrong, not correct
    re.IGNORECASE,
)
# Words before a mention that set it against the answer: "rather than (option C)", "unlike option A".
_CONTRAST = re.compile(r"(?:rather\s+than|instead\s+of|unlike|versus|vs\.?|over|except|besides)[\s\"'“‘(]*\Z",
                       re.IGNORECASE)


def rejected_within(text: str, start: int, end: int) -> bool:
    """Whether ``text[start:end]`` (a clause or sentence after a mention) rejects it."""
    return _REJECTION.search(text, start, end) is not None


def contrasted_before(text: str, pos: int) -> bool:
    """Whether the words just before ``pos`` set the mention against another ("rather than (C)")."""
    return _CONTRAST.search(text, max(0, pos - 20), pos) is not None
