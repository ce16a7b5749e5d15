"""Multiple-choice answers: one option letter (``choice``) or a set of them (``choices``).

The package is laid out as the reading goes: ``vocabulary`` (the words and patterns), ``options``
(the question: valid letters, indexed option texts), ``structured`` (JSON answers), ``reader``
(the tiers below) and ``parsers`` (statements turned into one ``Parsed``). Negation is the rule
``parsing/negation`` shares with ``label``; tiers run through ``parsing/engine.first_tier``.

Before the tiers, a JSON answer is narrowed to its answer fields (a letter in its reasoning field
never counts), and text the model wrote past its answer (a chat turn, a question it invented
and answered) is cut off. Then both parsers read in priority tiers, modelled on lighteval rather
than on the "first capital letter anywhere" fallbacks that make OpenCompass read ``Answer:
none`` as A:

1. *anchored*: an answer statement ("the answer is", "Answer:", "final answer", "the correct
   option is", "I choose", "Therefore,", "B is correct", ``\\boxed{B}``, "答案是", "La réponse
   est", "Ответ:", "정답은", a heading such as "Diagnosis:") followed by letters or option texts,
   or naming an option later in its sentence; statements of the answer itself outrank claims
   made on the way ("the most likely complication is ...");
2. *line*: a line that is the answer ("B", "(B)", "B) fever", "Option B", "A, C", an option
   text); for ``choice``, a rising run of "A. ... / B. ... / C. ..." lines is an echoed or
   analysed option list, not an answer, unless exactly one of its lines speaks for its option;
3. *options named inline* (``choice`` only): "(option B)", "option 'C'", "'A': ...", not set
   aside; in an explain-every-option answer, the option named first, before the others are
   discussed;
4. *weak anchors* (``choice`` only): "it could be A or C", "I think it's B", "most likely has
   <option text>", "consistent with <option text>";
5. *prose*: a parenthesized "(B)" or bold letter inside prose; for ``choices`` also option
   texts named anywhere unless negated ("not inducing angiogenesis").

The highest tier that says anything decides; within it, ``choice`` needs every statement to
agree (else ``ambiguous``), ``choices`` needs anchored statements to agree and unions lines
and mentions. A capital letter in prose never counts, and a single letter followed by a
lowercase word is English ("A patient ...") unless the word is a connective that cannot
follow an article ("A because ...") or the letter's own option text.

Everything is found with ``str.find`` and short regexes compiled once at import, applied at
keyword positions or line starts, and every look-around is bounded: a parse is linear in the
input length (``tests/test_linear_time.py``). Letter validity is a set lookup (the letter sets
are cached), which is what lets an out-of-range letter ("E" with four options) be reported
instead of skipped.
"""

from __future__ import annotations

from medmetrics.parsing.choice.options import DEFAULT_LETTERS, LetterSet, OptionIndex, letter_set, option_index
from medmetrics.parsing.choice.parsers import ChoiceParser, ChoicesParser
from medmetrics.parsing.choice.reader import Reader

__all__ = ["DEFAULT_LETTERS", "ChoiceParser", "ChoicesParser", "LetterSet", "OptionIndex", "Reader", "letter_set",
           "option_index"]
