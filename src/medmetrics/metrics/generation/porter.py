"""The Porter stemmer exactly as nltk's ``PorterStemmer()`` (its default ``NLTK_EXTENSIONS`` mode).

rouge-score and nltk's METEOR both stem with that class, so matching their numbers means
matching it word for word, including nltk's own departures from Porter's paper (the table of
irregular forms, "ies"/"ied" in four-letter words, "y" -> "i" only after a consonant, "alli",
"fulli" and "logi" in step 2, a two-letter *o). nltk's class runs each rule through generic
helpers and recomputes consonants per call, tens of microseconds a word; this module does the
same steps with rule tables keyed by the last two letters and the consonant pattern built in C by
``str.translate``, several times faster. It works on any string, as nltk's does (every
character other than a, e, i, o, u and a vowel-like y is a consonant), and
``tests/test_porter.py`` checks it against nltk on WordNet's vocabulary and on Hypothesis text.
"""

from __future__ import annotations

from collections.abc import Callable

__all__ = ["porter_stem"]

#: nltk's table of irregular forms (form -> stem), looked up after lowercasing.
_IRREGULAR = {
    "sky": "sky", "skies": "sky", "dying": "die", "lying": "lie", "tying": "tie", "news": "news",
    "innings": "inning", "inning": "inning", "outings": "outing", "outing": "outing",
    "cannings": "canning", "canning": "canning", "howe": "howe",
    "proceed": "proceed", "exceed": "exceed", "succeed": "succeed",
}


class _Pattern(dict[int, str]):
    """``str.translate`` table for words beyond ASCII: a, e, i, o, u -> "v", y -> "y" (resolved
    in ``_cv``), any other character -> "c", each added on first sight so lookups stay in C."""

    def __missing__(self, code_point: int) -> str:
        self[code_point] = "c"
        return "c"


_PATTERN = _Pattern({ord(v): "v" for v in "aeiou"})
_PATTERN[ord("y")] = "y"
#: the same for ASCII words, as a bytes table (five times faster than the str one)
_ASCII_PATTERN = bytes(ord(_PATTERN[byte]) for byte in range(256))


def _cv(word: str) -> str:
    """One letter per character of ``word``: "c" for a consonant, "v" for a vowel.

    A "y" is a consonant at the start of a word or after a vowel, and a vowel after a consonant
    (Porter's definition). The pattern of a prefix is the prefix of the pattern."""
    pattern = word.encode().translate(_ASCII_PATTERN).decode() if word.isascii() else word.translate(_PATTERN)
    if "y" not in pattern:
        return pattern
    letters = list(pattern)
    for i, letter in enumerate(letters):
        if letter == "y":
            letters[i] = "c" if i == 0 or letters[i - 1] == "v" else "v"
    return "".join(letters)


def _measure(stem: str) -> int:
    """Porter's m: how many vowel-consonant sequences ``stem`` has ([C](VC){m}[V])."""
    return _cv(stem).count("vc")


def _ends_cvc(word: str, pattern: str) -> bool:
    """Porter's *o (consonant-vowel-consonant, the last not w, x or y), and nltk's two-letter
    vowel-consonant; ``pattern`` is ``_cv(word)``."""
    if len(word) >= 3:
        return pattern.endswith("cvc") and word[-1] not in "wxy"
    return pattern == "vc"


def _positive_measure(stem: str) -> bool:
    return _measure(stem) > 0


def _measure_above_one(stem: str) -> bool:
    return _measure(stem) > 1


#: (suffix, replacement, condition on the word without the suffix). In a rule list the first
#: rule whose suffix ends the word decides: it applies if its condition holds, else the word
#: is left as it is.
_Rule = tuple[str, str, Callable[[str], bool]]


def _by_ending(rules: list[_Rule]) -> dict[str, list[_Rule]]:
    """Rules grouped by the last two letters of their suffix, in their order: only rules whose
    suffix ends as the word does can match, so this keeps the first-match order."""
    grouped: dict[str, list[_Rule]] = {}
    for rule in rules:
        grouped.setdefault(rule[0][-2:], []).append(rule)
    return grouped


def _apply(word: str, rules: list[_Rule]) -> str:
    """The first of ``rules`` (those of the word's ending) whose suffix ends the word, if any."""
    for suffix, replacement, condition in rules:
        if word.endswith(suffix):
            stem = word[:-len(suffix)]
            return stem + replacement if condition(stem) else word
    return word


_STEP2 = _by_ending([
    ("ational", "ate", _positive_measure), ("tional", "tion", _positive_measure),
    ("enci", "ence", _positive_measure), ("anci", "ance", _positive_measure),
    ("izer", "ize", _positive_measure), ("bli", "ble", _positive_measure),
    ("alli", "al", _positive_measure), ("entli", "ent", _positive_measure),
    ("eli", "e", _positive_measure), ("ousli", "ous", _positive_measure),
    ("ization", "ize", _positive_measure), ("ation", "ate", _positive_measure),
    ("ator", "ate", _positive_measure), ("alism", "al", _positive_measure),
    ("iveness", "ive", _positive_measure), ("fulness", "ful", _positive_measure),
    ("ousness", "ous", _positive_measure), ("aliti", "al", _positive_measure),
    ("iviti", "ive", _positive_measure), ("biliti", "ble", _positive_measure),
    ("fulli", "ful", _positive_measure),
    ("logi", "log", lambda stem: _measure(stem + "l") > 0),  # nltk measures the word less "ogi"
])

_STEP3 = _by_ending([
    ("icate", "ic", _positive_measure), ("ative", "", _positive_measure),
    ("alize", "al", _positive_measure), ("iciti", "ic", _positive_measure),
    ("ical", "ic", _positive_measure), ("ful", "", _positive_measure),
    ("ness", "", _positive_measure),
])

_STEP4 = _by_ending([
    ("al", "", _measure_above_one), ("ance", "", _measure_above_one),
    ("ence", "", _measure_above_one), ("er", "", _measure_above_one),
    ("ic", "", _measure_above_one), ("able", "", _measure_above_one),
    ("ible", "", _measure_above_one), ("ant", "", _measure_above_one),
    ("ement", "", _measure_above_one), ("ment", "", _measure_above_one),
    ("ent", "", _measure_above_one),
    ("ion", "", lambda stem: _measure(stem) > 1 and stem[-1] in "st"),
    ("ou", "", _measure_above_one), ("ism", "", _measure_above_one),
    ("ate", "", _measure_above_one), ("iti", "", _measure_above_one),
    ("ous", "", _measure_above_one), ("ive", "", _measure_above_one),
    ("ize", "", _measure_above_one),
])


def _step1a(word: str) -> str:
    if word.endswith("s"):
        if word.endswith("ies"):
            return word[:-3] + ("ie" if len(word) == 4 else "i")
        if word.endswith("sses"):
            return word[:-2]
        if not word.endswith("ss"):
            return word[:-1]
    return word


def _step1b(word: str) -> str:
    if word.endswith("ied"):
        return word[:-3] + ("ie" if len(word) == 4 else "i")
    if word.endswith("eed"):
        stem = word[:-3]
        return stem + "ee" if _measure(stem) > 0 else word
    if word.endswith("ed"):
        stem = word[:-2]
    elif word.endswith("ing"):
        stem = word[:-3]
    else:
        return word
    pattern = _cv(stem)
    if "v" not in pattern:
        return word
    # the suffix went: restore an "e", undouble a final consonant, or add an "e" to a short stem
    if stem.endswith(("at", "bl", "iz")):
        return stem + "e"
    if len(stem) >= 2 and stem[-1] == stem[-2] and pattern[-1] == "c":
        return stem if stem[-1] in "lsz" else stem[:-1]
    if stem.endswith("*d"):  # nltk's rule table names the double-consonant rule "*d"; it matches literally too
        return stem[:-2] + "d"
    return stem + "e" if pattern.count("vc") == 1 and _ends_cvc(stem, pattern) else stem


def _step1c(word: str) -> str:
    if word.endswith("y") and len(word) > 2 and _cv(word[:-1])[-1] == "c":
        return word[:-1] + "i"
    return word


def _step2(word: str, rules: list[_Rule]) -> str:
    if word.endswith("alli") and _measure(word[:-4]) > 0:
        word = word[:-4] + "al"
        return _step2(word, _STEP2.get(word[-2:], []))
    return _apply(word, rules)


def _step5a(word: str) -> str:
    if word.endswith("e"):
        stem = word[:-1]
        pattern = _cv(stem)
        measure = pattern.count("vc")
        if measure > 1 or (measure == 1 and not _ends_cvc(stem, pattern)):
            return stem
    return word


def _step5b(word: str) -> str:
    if word.endswith("ll") and _measure(word[:-1]) > 1:
        return word[:-1]
    return word


def porter_stem(word: str) -> str:
    """``nltk.stem.porter.PorterStemmer().stem(word)``: the same string for every ``word``.

    Each step is entered only when the word ends as one of its rules needs (most words skip
    most steps); a step never leaves the word empty."""
    stem = word.lower()
    irregular = _IRREGULAR.get(stem)
    if irregular is not None:
        return irregular
    if len(word) <= 2:  # nltk tests the length of the word as given, before lowercasing
        return stem
    if stem[-1] == "s":
        stem = _step1a(stem)
    if stem[-1] in "dg":  # -ed, -ing (and nltk's literal "*d")
        stem = _step1b(stem)
    if stem[-1] == "y":
        stem = _step1c(stem)
    rules = _STEP2.get(stem[-2:])
    if rules:
        stem = _step2(stem, rules)
    rules = _STEP3.get(stem[-2:])
    if rules:
        stem = _apply(stem, rules)
    rules = _STEP4.get(stem[-2:])
    if rules:
        stem = _apply(stem, rules)
    if stem[-1] == "e":
        stem = _step5a(stem)
    if stem.endswith("ll"):
        stem = _step5b(stem)
    return stem
