"""Read one label from a closed label set.

A generation is read in priority tiers; the first tier that finds anything decides, and
everything it found must agree, else the parse is ``ambiguous``:

1. ``whole``: the answer (after masking reasoning and markdown, and stripping an ``Answer:`` /
   ``The answer is`` prefix and end punctuation) is exactly a label or one of its synonyms.
2. ``anchored`` / ``leading`` / ``affirmed``: a label right after an answer anchor ("Answer: X",
   "the label is X", "The relation between A and B is X", "I think X", a Q:/A: line "A: X"), a
   label that opens the answer and is followed by a clause break ("No, the study shows ..."), or
   a label followed by a verdict that affirms it ("Contradiction: Yes").
3. ``mention``: labels mentioned anywhere at word boundaries, longest first ("not entailment" is
   one mention of ``not_entailment``, never one of ``entailment``), skipping negated mentions
   ("not supported" is not ``Supports``): first labels as declared (and their inflections), then,
   if there are none, labels named by a caller synonym.

Synonym policy (built-in, applied only to declared labels they name):

- *Inflections* of a label's own word are strong and count in every tier:
  ``entails/entailed/entail`` for entailment, ``supported/support`` for Supports,
  ``not enough information`` for NOT ENOUGH INFO, and so on.
- *Different words with the same meaning* are weak and count only in answer position (tiers 1
  and 2, but not ``leading``): ``true/correct`` for yes, ``false/incorrect`` for no,
  ``possibly/uncertain/unclear/perhaps`` for maybe, ``neither/undetermined`` for neutral,
  ``contradicts/contradicted`` for Refutes, ``yes``/``no`` for true/false. These words are common
  in prose ("it is unclear whether", "the results contradict earlier work"), where reading
  them as an answer would invent one.
- Relation classes by the names models write for them (``catalog/relation_names``): "ANTAGONIST"
  for ``CPR:6``, "mechanism" for ``DDI-mechanism``, weak, whenever those codes are declared.
- A built-in form that is already a declared label, or that two labels would both claim, is
  dropped. Caller synonyms always count in every tier (in prose, only when no label is mentioned
  as declared: "effect" for DDI-effect is also a word of every explanation), and a clash with
  another label is an ``InputError``.

Negation (the rule of ``negation``, shared with the choice parser): a mention is denied by a
negator among the few words before it in the same clause ("not supported", "doesn't entail"), or
by what follows it: a verdict ("Entailment: No", "Neutral: not applicable", "Contradiction - no",
as models write when they go through every label) or a dismissal ("neutral is unlikely"). A
denied mention does not count in any tier; in the mention tier, when the label set also holds the
literal negation of that label (``not_entailment`` beside ``entailment``), it counts for that one
instead. A label affirmed by a verdict ("Contradiction: Yes") is an answer statement (tier 2,
rule ``affirmed``), so "Entailment: No / Neutral: No / Contradiction: Yes" reads contradiction.
A label that is itself a negating word (``no``) counts in prose only when it stands alone ("No,
..." or "... no."), never as a determiner ("no evidence").
"""

from __future__ import annotations

import functools
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from medmetrics.catalog.relation_names import POSITIVE_CLASS_NAMES
from medmetrics.errors import InputError
from medmetrics.options import Options, option
from medmetrics.parsing.base import Parser
from medmetrics.parsing.engine import (
    OPENER,
    TRAILING,
    VALUE_LEAD,
    Reading,
    Scanner,
    answer_anchor,
    answer_core,
    answer_start,
    decide,
    initials,
)
from medmetrics.parsing.negation import negated_before, verdict_after
from medmetrics.parsing.text import fold, squash
from medmetrics.results import Parsed

# ----------------------------------------------------------------------------------------------
# Label sets
# ----------------------------------------------------------------------------------------------

#: Labels that are negating words: they negate what follows, so they count only standing alone.
_NEGATING_LABELS = frozenset({"not", "no", "never", "neither", "nor", "without", "cannot", "none", "nothing"})
_ALNUM_RUN = re.compile(r"[^\W_]+")
_LABEL_NOUNS = (
    "answer", "label", r"relation(?:ship)?(?:\s+type)?", "classification", "class", "category", "prediction",
    "verdict", "conclusion", "output", "response",
)
_LABEL_ANCHOR = answer_anchor(_LABEL_NOUNS)
#: After a label that opens the answer: a clause break, so "No, ..." counts and "No evidence" not.
_CLAUSE_END = r"(?=[ \t]*(?:[.,;:!?()\-–—\n]|\Z))"
#: Between two labels offered together ("entailment or neutral", "yes/no").
_ALTERNATIVE = re.compile(r"[ \t]*(?:/|\bor\b|\band/or\b)[ \t]*", re.IGNORECASE)
#: After a label opening the answer, a list of labels: the question's options echoed, not an answer
#: ("yes, no or maybe", "(A) yes (B) no (C) maybe").
_ENUMERATION = re.compile(r"[ \t]*(?:[,;][ \t]*(?:(?:or|and)[ \t]+)?|[(\[]?[A-Za-z][)\]][ \t]*)", re.IGNORECASE)
_STANDALONE = re.compile(_CLAUSE_END)
_LABEL_PREFIX = re.compile(OPENER + "(?:" + _LABEL_ANCHOR.source + ")?" + VALUE_LEAD, re.IGNORECASE)
#: "A: CPR:4" opening a line, as in Q:/A: prompts, also after an echoed few-shot "Example-2" heading.
_QA_ANSWER = re.compile(r"^[ \t]*(?:example[ \t-]{0,3}\d{1,3}[ \t:.]{0,3})?(?-i:A)[ \t]*:",
                        re.IGNORECASE | re.MULTILINE)


@dataclass(frozen=True, slots=True)
class _SynonymGroup:
    """Spellings of one label (any may be the declared one) and its synonyms."""

    spellings: frozenset[str]
    strong: tuple[str, ...] = ()
    weak: tuple[str, ...] = ()


_BUILTIN_GROUPS: tuple[_SynonymGroup, ...] = (
    _SynonymGroup(frozenset({"entailment", "entails", "entailed", "entail"})),
    _SynonymGroup(frozenset({"contradiction", "contradicts", "contradicted", "contradictory", "contradict"})),
    _SynonymGroup(frozenset({"neutral"}), strong=("neither entailment nor contradiction",),
                  weak=("neither", "undetermined")),
    _SynonymGroup(frozenset({"supports", "supported", "support", "supporting"})),
    _SynonymGroup(frozenset({"refutes", "refuted", "refute", "refuting"}),
                  weak=("contradicts", "contradicted", "contradict")),
    _SynonymGroup(frozenset({"not enough info", "not enough information", "not enough evidence", "noinfo"}),
                  weak=("nei", "insufficient information", "insufficient evidence")),
    _SynonymGroup(frozenset({"yes"}), weak=("true", "correct")),
    _SynonymGroup(frozenset({"no"}), weak=("false", "incorrect")),
    _SynonymGroup(frozenset({"maybe"}), weak=("possibly", "perhaps", "uncertain", "unclear")),
    _SynonymGroup(frozenset({"true"}), weak=("yes", "correct")),
    _SynonymGroup(frozenset({"false"}), weak=("no", "incorrect")),
    # relation classes by the names models write for them ("ANTAGONIST" for CPR:6)
    *(_SynonymGroup(frozenset({squash(code)}), weak=tuple(names)) for code, names in POSITIVE_CLASS_NAMES.items()),
)


@dataclass(frozen=True, slots=True)
class _Form:
    """One surface form: the label it names, whether it counts in prose, whether it negates, and
    whether it is a caller synonym (which, in prose, gives way to a label mentioned as declared)."""

    label: int
    strong: bool
    negator: bool
    caller: bool = False


@dataclass(frozen=True)
class LabelSet:
    """A compiled label set: one alternation of every surface form, longest first.

    Group ``f<i>`` of each pattern is form ``i``; matching runs on the masked generation, so
    match offsets are offsets in the generation.
    """

    labels: tuple[str, ...]
    forms: tuple[_Form, ...]
    whole: re.Pattern[str]
    anchored: Scanner
    leading: re.Pattern[str]
    value: re.Pattern[str]
    mention: Scanner
    negation_of: Mapping[int, int]

    def form(self, match: re.Match[str]) -> _Form:
        return self.forms[int(match.lastgroup[1:])]  # type: ignore[index]


def label_key(surface: str) -> tuple[str, ...]:
    """What two spellings of one form share: folded alphanumeric runs ("CPR:3" ~ "cpr 3")."""
    folded = fold(surface)
    return tuple(_ALNUM_RUN.findall(folded)) or ((folded.strip(),) if folded.strip() else ())


def _is_negator(surface: str) -> bool:
    """Whether a form is one negating word ("no"), which is a determiner unless it stands alone."""
    key = label_key(surface)
    return len(key) == 1 and key[0] in _NEGATING_LABELS


def _form_source(surface: str) -> str:
    """Regex for one surface form: separators flexible, inner punctuation optional, case-insensitive."""
    tokens = re.split(r"[\s_\-/]+", surface.strip())
    out = []
    for token in tokens:
        runs = re.findall(r"[^\W_]+|[\W_]+", token)
        pieces = []
        for i, run in enumerate(runs):
            interior = 0 < i < len(runs) - 1
            if run[0].isalnum() or not interior:
                pieces.append(re.escape(run))
            else:  # "CPR:3" also matches "CPR 3", "CPR: 3", "CPR3"
                pieces.append(r"[\s_\-/]*(?:" + re.escape(run) + r"[\s_\-/]*)?")
        out.append("".join(pieces))
    return r"[\s_\-/]+".join(out)


def _mention_triggers(surfaces: Sequence[str]) -> tuple[str, ...] | None:
    """First words of the surface forms, or None when one does not start with an ASCII letter or digit
    (lowercasing is then not a safe stand-in for the regex's case-insensitive match)."""
    triggers = []
    for surface in surfaces:
        first = re.match(r"[A-Za-z0-9]+", surface)
        if first is None:
            return None
        triggers.append(first.group().lower())
    return tuple(triggers)


@functools.lru_cache(maxsize=512)
def compile_label_set(labels: tuple[str, ...], synonyms: tuple[tuple[str, tuple[str, ...]], ...] = ()) -> LabelSet:
    """Compile (once per label set) the patterns that read ``labels``.

    ``InputError`` for a malformed set or clashing forms; checking here, inside the cache, keeps
    per-item label sets cheap to validate.
    """
    if not labels:
        raise InputError("'labels' is empty; a label parser needs at least one label")
    for surface in (*labels, *(form for _, forms in synonyms for form in forms)):
        if not isinstance(surface, str) or not label_key(surface):
            raise InputError(f"labels and synonyms must be non-blank strings, got {surface!r}")
    owner: dict[tuple[str, ...], int] = {}  # key of a label or caller synonym -> label index
    entries: list[tuple[str, int, bool]] = []  # (surface, label index, strong)
    for i, label in enumerate(labels):
        key = label_key(label)
        if key in owner:
            raise InputError(f"labels {labels[owner[key]]!r} and {label!r} are the same once case, "
                             "spacing and punctuation are ignored")
        owner[key] = i
        entries.append((label, i, True))
    label_index = dict(owner)
    caller_keys = set()
    for label, forms in synonyms:
        i = labels.index(label) if label in labels else label_index.get(label_key(label), -1)
        if i < 0:
            raise InputError(f"synonyms given for {label!r}, which is not in the label set {list(labels)}")
        for form in forms:
            key = label_key(form)
            if owner.get(key, i) != i:
                raise InputError(f"synonym {form!r} of {labels[i]!r} also names {labels[owner[key]]!r}")
            if key not in owner:
                owner[key] = i
                caller_keys.add(key)
                entries.append((form, i, True))
    claims: dict[tuple[str, ...], list[tuple[str, int, bool]]] = {}
    for i, label in enumerate(labels):
        squashed = squash(label)
        for group in _BUILTIN_GROUPS:
            if squashed in group.spellings:
                extra = [(s, True) for s in sorted(group.spellings - {squashed})]
                extra += [(s, True) for s in group.strong] + [(s, False) for s in group.weak]
                for surface, strong in extra:
                    key = label_key(surface)
                    if key not in owner:
                        claims.setdefault(key, []).append((surface, i, strong))
    for claimants in claims.values():
        if len({i for _, i, _ in claimants}) == 1:  # a form two labels would claim names neither
            entries.append(claimants[0])

    entries.sort(key=lambda entry: -len(entry[0]))
    compiled_forms = tuple(_Form(i, strong, _is_negator(surface), label_key(surface) in caller_keys)
                           for surface, i, strong in entries)
    alternation = "|".join(f"(?P<f{n}>{_form_source(surface)})" for n, (surface, _, _) in enumerate(entries))
    bounded = r"(?<![^\W_])(?:" + alternation + r")(?![^\W_])"
    surfaces = [surface for surface, _, _ in entries]
    flags = re.IGNORECASE
    negation_of = {}
    for i, label in enumerate(labels):
        key = label_key(label)
        if len(key) > 1 and key[0] in ("not", "non") and key[1:] in label_index:
            negation_of[label_index[key[1:]]] = i
    return LabelSet(
        labels=labels,
        forms=compiled_forms,
        whole=re.compile("(?:" + alternation + ")", flags),
        anchored=_LABEL_ANCHOR.scanner(bounded),
        leading=re.compile(VALUE_LEAD + bounded + _CLAUSE_END, flags),
        value=re.compile(VALUE_LEAD + bounded, flags),
        mention=Scanner(re.compile(initials(surfaces) + bounded, flags), _mention_triggers(surfaces)),
        negation_of=negation_of,
    )


def label_set(settings: Mapping[str, Any]) -> LabelSet:
    """The compiled label set for ``settings`` (labels plus caller synonyms), from the cache."""
    labels, synonyms = settings["labels"], settings.get("synonyms") or {}
    if not _is_collection(labels):
        raise InputError(f"'labels' must be a list of label strings, not {type(labels).__name__}: {labels!r:.60}")
    if not isinstance(synonyms, Mapping):
        raise InputError(f"'synonyms' must map a label to a list of surface forms, not {type(synonyms).__name__}")
    for label, forms in synonyms.items():
        if not _is_collection(forms):
            raise InputError(f"synonyms of {label!r} must be a list of strings, not {forms!r:.60}")
    try:
        ordered = tuple(sorted(labels)) if isinstance(labels, set | frozenset) else tuple(labels)
        return compile_label_set(ordered, tuple((label, tuple(forms)) for label, forms in synonyms.items()))
    except TypeError:  # an unhashable or unsortable label or synonym
        raise InputError(f"labels and synonyms must be strings, got {labels!r:.60} / {synonyms!r:.60}") from None


def _is_collection(value: Any) -> bool:
    """A list, tuple or set, but not a string (which would be read as its characters)."""
    return isinstance(value, Sequence | set | frozenset) and not isinstance(value, (str, bytes))


@dataclass(frozen=True, slots=True)
class _Mention:
    """A label mentioned in prose, with what the words around it say of it."""

    match: re.Match[str]
    label: int
    caller: bool  # a caller synonym, not the label as declared or a built-in inflection
    denied: bool  # a negator before it, or a verdict or dismissal after it
    affirmed: bool  # a verdict after it says yes ("Contradiction: Yes")


def _synonyms(value: Mapping[Any, Any]) -> Mapping[Any, Any]:
    """Label -> a list of surface forms (kept as given: the label set checks the forms)."""
    if not all(_is_collection(forms) for forms in value.values()):
        raise ValueError("a mapping of label -> list of surface forms")
    return value


@dataclass(frozen=True)
class LabelOptions(Options):
    labels: tuple[str, ...] | None = option(None, "the label set (required, as an option or per item)")
    synonyms: Mapping[str, Any] | None = option(
        None, "label -> extra surface forms ({\"CPR:4\": [\"INHIBITOR\"]}); a form naming another label is an error",
        check=_synonyms)


class LabelParser(Parser):
    """One label from a closed set, returned exactly as declared (see the module docstring)."""

    name = "label"
    # 2: denials after a label, verdicts; 3: relation classes by their names (weak);
    # 4: an answer listing the labels conflicts, chat-template tokens masked
    version = "4"
    options_class = LabelOptions
    required = ("labels",)

    def validate(self, settings: Mapping[str, Any]) -> None:
        if settings.get("labels") is not None:
            label_set(settings)  # checks, compiles and caches
        elif settings.get("synonyms"):
            raise InputError("'synonyms' given without 'labels'")

    def read_masked(self, text: str, masked: str, settings: Mapping[str, Any]) -> Parsed:
        compiled = label_set(settings)
        lowered = masked.lower()
        mentions = functools.cache(lambda: self._scan(masked, lowered, compiled))  # tiers 2 and 3 share one scan
        negated: list[str] = []
        outcome = decide((
            lambda: self._whole(masked, compiled),
            lambda: self._anchored(masked, lowered, compiled, mentions()),
            lambda: self._mentions(compiled, mentions(), negated, caller=False),
            lambda: self._mentions(compiled, mentions(), negated, caller=True),
        ))
        if isinstance(outcome, Parsed):
            return outcome
        if outcome is None:
            if negated:
                return Parsed(None, "failed", reason=f"only negated label mentions: {', '.join(negated)}")
            return Parsed(None, "failed", reason="no label from the label set found")
        return Parsed(outcome.value, "ok", rule=outcome.rule, span=outcome.span)

    @staticmethod
    def _reading(compiled: LabelSet, match: re.Match[str], rule: str, label: int | None = None) -> Reading:
        index = compiled.form(match).label if label is None else label
        return Reading(compiled.labels[index], match.span(match.lastgroup or 0), rule)

    def _whole(self, masked: str, compiled: LabelSet) -> list[Reading]:
        start, end = answer_core(masked, _LABEL_PREFIX)
        match = compiled.whole.fullmatch(masked, start, end)
        return [self._reading(compiled, match, "whole")] if match else self._listed(masked, compiled, start, end)

    def _listed(self, masked: str, compiled: LabelSet, start: int, end: int) -> list[Reading]:
        """An answer that is only a list of two or more labels ("yes, no or maybe", "(A) yes (B) no
        (C) maybe"): the options echoed, which conflict; an empty list when the answer is not one."""
        readings: list[Reading] = []
        pos = start
        while True:
            match = compiled.value.match(masked, pos)
            if match is None or match.end() > end:
                return []
            readings.append(self._reading(compiled, match, "listed"))
            if not masked[match.end():end].strip(TRAILING):
                break
            between = _ALTERNATIVE.match(masked, match.end()) or _ENUMERATION.match(masked, match.end())
            if between is None:
                return []
            pos = between.end()
        return readings if len({reading.value for reading in readings}) > 1 else []

    def _anchored(self, masked: str, lowered: str, compiled: LabelSet, mentions: list[_Mention]) -> list[Reading]:
        found = [reading for match in compiled.anchored.scan(masked, lowered)
                 for reading in self._offered(masked, compiled, match, "anchored")]
        for qa in _QA_ANSWER.finditer(masked):
            if value := compiled.value.match(masked, qa.end()):
                found.extend(self._offered(masked, compiled, value, "anchored"))
        lead = compiled.leading.match(masked, answer_start(masked))
        if lead and compiled.form(lead).strong and not self._enumerated(masked, compiled, lead):
            found.extend(self._offered(masked, compiled, lead, "leading"))
        found.extend(self._reading(compiled, mention.match, "affirmed")
                     for mention in mentions if mention.affirmed and not mention.denied)
        found.sort(key=lambda reading: reading.span[0])  # type: ignore[index]  # every reading here has a span
        return found

    @staticmethod
    def _enumerated(masked: str, compiled: LabelSet, match: re.Match[str]) -> bool:
        """Whether another label follows after a comma ("Supports, Refutes or NEI?")."""
        comma = _ENUMERATION.match(masked, match.end())
        if comma is None:
            return False
        other = compiled.mention.pattern.match(masked, comma.end())
        if other is None:
            return False
        if not compiled.form(other).negator or _STANDALONE.match(masked, other.end()):
            return True
        # "no" is a label here only when the list goes on: "yes, no or maybe", not "yes, no doubt"
        after = _ALTERNATIVE.match(masked, other.end()) or _ENUMERATION.match(masked, other.end())
        return after is not None and compiled.mention.pattern.match(masked, after.end()) is not None

    def _offered(self, masked: str, compiled: LabelSet, match: re.Match[str], rule: str) -> list[Reading]:
        """The label an answer statement gives, plus any offered beside it ("Answer: X or Y"), less
        those a verdict after them denies ("Entailment: No" opening a label-by-label answer)."""
        found = []
        while True:
            verdict = verdict_after(masked, match.end())
            if verdict is None or verdict.affirms:
                found.append(self._reading(compiled, match, rule))
            between = _ALTERNATIVE.match(masked, match.end())
            other = compiled.mention.pattern.match(masked, between.end()) if between else None
            if other is None:
                return found
            match = other

    @staticmethod
    def _scan(masked: str, lowered: str, compiled: LabelSet) -> list[_Mention]:
        """Every label mentioned in prose (strong forms only), whether denied or affirmed."""
        found = []
        verdict_end = 0
        for match in compiled.mention.scan(masked, lowered):
            if match.start() < verdict_end:
                continue  # the "false" of "CPR:3: false" is a verdict on CPR:3, not the label false
            form = compiled.form(match)
            if not form.strong or (form.negator and not _STANDALONE.match(masked, match.end())):
                continue
            verdict = verdict_after(masked, match.end())
            if verdict is not None:
                verdict_end = verdict.end
            denied = negated_before(masked, match.start()) or (verdict is not None and not verdict.affirms)
            found.append(_Mention(match, form.label, form.caller, denied, verdict is not None and verdict.affirms))
        return found

    def _mentions(self, compiled: LabelSet, mentions: list[_Mention], negated: list[str],
                  caller: bool) -> list[Reading]:
        """Labels named in prose, as declared (``caller`` False) or by a caller synonym (True).

        Caller synonyms come second: "effect" for DDI-effect is also a word of every explanation
        ("DDI-mechanism, as the effect of ketoconazole on ..."), so in prose a label written as
        declared outranks them."""
        found = []
        for mention in mentions:
            if mention.caller != caller:
                continue
            label = mention.label
            if mention.denied:
                negated.append(repr(mention.match.group(0)))
                if label not in compiled.negation_of:
                    continue
                label = compiled.negation_of[label]
            found.append(self._reading(compiled, mention.match, "mention", label))
        return found
