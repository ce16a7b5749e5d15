"""The ``label`` parser: properties, round trips, spans, rules, statuses and the synonym policy."""

from __future__ import annotations

from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from medmetrics.catalog.classification import TASKS
from medmetrics.errors import InputError
from medmetrics.parsing.label import LabelParser, compile_label_set, label_key
from medmetrics.parsing.negation import affirmed_after, negated_after, negated_before
from medmetrics.parsing.text import squash
from medmetrics.testing.conformance import ADVERSARIAL_GENERATIONS, check_parsed, check_parser
from medmetrics.testing.label_styles import LABEL_SETS, label_generations

PARSER = LabelParser()
NLI = ["entailment", "neutral", "contradiction"]
RTE = ["entailment", "not_entailment"]
PQA = ["yes", "no", "maybe"]
SCIFACT = ["Supports", "Refutes", "NOT ENOUGH INFO"]
CHEMPROT = ["CPR:3", "CPR:4", "CPR:5", "CPR:6", "CPR:9", "false"]

contexts = st.one_of(
    st.sampled_from(LABEL_SETS).map(lambda labels: {"labels": list(labels)}),
    st.lists(st.text(min_size=1, max_size=20).filter(lambda t: any(c.isalnum() for c in t)),
             min_size=1, max_size=8, unique_by=label_key).map(lambda labels: {"labels": labels}),
)
# Text made of the characters and words the rules look at, so Hypothesis reaches their corners.
answerish = st.lists(
    st.sampled_from(["Answer:", "answer is", "label", "not", "no", "n't", "yes", "maybe", "neither", "nor", "or", "/",
                     "entailment", "not_entailment", "Supports", "supported", "CPR:3", "CPR", ":", "3", "false", " ",
                     "\n", ".", ",", "(b)", "**", "<think>", "</think>", "I think", "The relation between", "is"]),
    max_size=60,
).map(" ".join)
LONG_ADVERSARIAL = (
    "Answer: " * 5000, "The answer is " * 3000, "not " * 5000 + "entailment", "entailment " * 5000,
    " " * 20000 + "yes", "no, " * 5000, "The relation between " + "x " * 10000 + "is yes",
    "CPR" + " " * 20000 + "3", "not_" * 5000, "yes/" * 5000, "I think " * 4000, "<think>" * 3000 + "yes",
    "Entailment: No\n" * 3000, "entailment is " * 5000, "\nA: " * 5000, "yes" + ")" * 20000 + " is unlikely",
    "Example-2 " * 5000 + "A: yes", "no relation: no\n" * 3000, ("neutral" + "*" * 7) * 3000,
)
#: the long strings take up to a second each: in the slow set (CI runs them)
LONG_CASES = [pytest.param(g, marks=pytest.mark.slow) for g in LONG_ADVERSARIAL]


def _label_of_span(generation: str, span: tuple[int, int] | None) -> str:
    assert span is not None
    start, end = span
    assert 0 <= start < end <= len(generation)
    return squash(generation[start:end])


# --- properties -----------------------------------------------------------------------------


@settings(max_examples=300, deadline=None, suppress_health_check=list(HealthCheck))
@given(generation=st.text() | answerish, context=contexts)
def test_never_raises(generation: str, context: dict[str, Any]) -> None:
    check_parsed(PARSER.parse(generation, **context), PARSER, generation)


@settings(max_examples=500, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(label_generations())
def test_round_trip(case: tuple[str, dict[str, Any], str]) -> None:
    generation, context, expected = case
    parsed = PARSER.parse(generation, **context)
    assert (parsed.value, parsed.status) == (expected, "ok"), parsed
    assert _label_of_span(generation, parsed.span) == squash(expected)


@pytest.mark.parametrize("generation", [*ADVERSARIAL_GENERATIONS, *LONG_CASES], ids=lambda g: repr(g[:20]))
@pytest.mark.parametrize("labels", [NLI, RTE, PQA, SCIFACT, CHEMPROT], ids=["nli", "rte", "pqa", "scifact", "chemprot"])
def test_adversarial_strings(labels: list[str], generation: str) -> None:
    check_parsed(PARSER.parse(generation, labels=labels), PARSER, generation)


def test_conformance() -> None:
    check_parser(LabelParser(labels=NLI))


# --- the value is the label as declared ----------------------------------------------------


@pytest.mark.parametrize("generation", ["Not_Entailment", "not entailment", "NOT-ENTAILMENT.", "not/entailment"])
def test_case_spacing_and_punctuation_insensitive(generation: str) -> None:
    assert PARSER.parse(generation, labels=RTE).value == "not_entailment"


def test_longest_match_first() -> None:
    parsed = PARSER.parse("The pair is a case of not entailment.", labels=RTE)
    assert (parsed.value, parsed.rule) == ("not_entailment", "mention")
    assert PARSER.parse("The pair shows entailment.", labels=RTE).value == "entailment"


def test_inner_punctuation_of_a_label_is_optional_but_digits_are_not() -> None:
    for generation in ("CPR:3", "cpr 3", "CPR-3", "CPR: 3", "cpr3"):
        assert PARSER.parse(generation, labels=CHEMPROT).value == "CPR:3", generation
    assert PARSER.parse("CPR:30", labels=CHEMPROT).status == "failed"


# --- spans and rules -----------------------------------------------------------------------


@pytest.mark.parametrize(("generation", "labels", "rule", "answer_text"), [
    ("Entailment", NLI, "whole", "Entailment"),
    ("The answer is: **Neutral**.", NLI, "whole", "Neutral"),
    ("<think>neutral?</think>\n\ncontradiction", NLI, "whole", "contradiction"),
    ("(b) no", PQA, "whole", "no"),
    ("Based on the data, the answer is yes. The drug works.", PQA, "anchored", "yes"),
    ("The relation between aspirin and COX-2 is CPR:4 in this sentence.", CHEMPROT, "anchored", "CPR:4"),
    ("I think it's neutral given the wording.", NLI, "anchored", "neutral"),
    ("No, the trial found no effect.", PQA, "leading", "No"),
    ("SUPPORTS\n\nThe abstract reports lower mortality.", SCIFACT, "leading", "SUPPORTS"),
    ("The abstract clearly refutes the claim.", SCIFACT, "mention", "refutes"),
    ("Here the premise does not entail the hypothesis.", RTE, "mention", "entail"),
])
def test_span_points_at_the_answer_in_the_original(generation: str, labels: list[str], rule: str,
                                                   answer_text: str) -> None:
    parsed = PARSER.parse(generation, labels=labels)
    assert parsed.status == "ok", parsed
    assert parsed.rule == rule
    assert generation[slice(*parsed.span)] == answer_text


def test_an_echoed_label_list_is_not_an_answer() -> None:
    echoed = PARSER.parse("Supports, Refutes, or NOT ENOUGH INFO? Let me check the abstract.", labels=SCIFACT)
    assert echoed.status == "ambiguous"
    assert PARSER.parse("Supports, Refutes or NEI? The answer is Refutes.", labels=SCIFACT).value == "Refutes"
    assert PARSER.parse("Yes, no adverse events occurred.", labels=PQA).value == "yes"


def test_whole_answer_beats_anchors_and_anchors_beat_mentions() -> None:
    assert PARSER.parse("Entailment was considered, but the answer is neutral.", labels=NLI).value == "neutral"
    assert PARSER.parse("Neutral. Some would argue entailment.", labels=NLI).value == "neutral"


# --- negation ------------------------------------------------------------------------------


@pytest.mark.parametrize("generation", [
    "The claim is not supported by the evidence.",
    "The evidence doesn't support the claim.",
    "There is no evidence that it supports this.",
    "The abstract never supports the claim.",
])
def test_negated_mentions_do_not_count(generation: str) -> None:
    parsed = PARSER.parse(generation, labels=SCIFACT)
    assert parsed.status == "failed"
    assert "negated" in parsed.reason


def test_negation_stops_at_the_clause() -> None:
    assert PARSER.parse("It is not a small trial, but it supports the claim.", labels=SCIFACT).value == "Supports"
    assert PARSER.parse("Nothing is missing; the data support the claim.", labels=SCIFACT).value == "Supports"


def test_negated_label_counts_for_its_declared_negation() -> None:
    assert PARSER.parse("The hypothesis is not entailed.", labels=RTE).value == "not_entailment"
    assert PARSER.parse("The hypothesis is not entailed.", labels=NLI).status == "failed"


@pytest.mark.parametrize(("generation", "expected"), [
    ("**Entailment:** No", None), ("Entailment: false", None), ("Contradiction - no", None),
    ("Neutral: not applicable", None), ("Entailment? No.", None), ("Neutral (no)", None),
    ("**Entailment:** Yes", "entailment"), ("Contradiction: true", "contradiction"),
    ("Entailment: No\nNeutral: No\nContradiction: Yes", "contradiction"),
    ("Contradiction: Yes\nEntailment: No\nNeutral: No", "contradiction"),
    ("| Entailment | No |\n| Neutral | Yes |\n| Contradiction | No |", "neutral"),
    ("Entailment is unlikely; the premise contradicts it.", "contradiction"),
    ("Neutral can be excluded. The premise entails the hypothesis.", "entailment"),
    ("Neutral is ruled out. The hypothesis contradicts the premise.", "contradiction"),
])
def test_a_verdict_after_a_label_denies_or_affirms_it(generation: str, expected: str | None) -> None:
    parsed = PARSER.parse(generation, labels=NLI)
    assert (parsed.value, parsed.status) == (expected, "ok" if expected else "failed"), parsed
    if expected and ": Yes" in generation:
        assert parsed.rule == "affirmed"


def test_an_affirmed_label_is_an_answer_statement() -> None:
    text = "The premise mentions neutral findings.\nEntailment: No\nNeutral: No\nContradiction: Yes"
    assert PARSER.parse(text, labels=NLI).value == "contradiction"
    assert PARSER.parse("Entailment: Yes\nContradiction: Yes", labels=NLI).status == "ambiguous"
    assert PARSER.parse("Answer: neutral\nContradiction: No", labels=NLI).value == "neutral"


@pytest.mark.parametrize(("generation", "labels", "expected"), [
    ("Neutral - not enough information to decide.", NLI, "neutral"),  # an explanation, not a verdict
    ("Neutral: the premise does not say.", NLI, "neutral"),
    ("Yes - no adverse events occurred.", PQA, "yes"),  # "no" opens a clause: a determiner
    ("No (no difference in mortality).", PQA, "no"),
    ("Refutes - false claims about the vaccine were common.", SCIFACT, "Refutes"),
    ("The interaction is best described as CPR:4, not CPR:3.", CHEMPROT, "CPR:4"),
    ("The answer is yes, which is not surprising.", PQA, "yes"),
])
def test_what_follows_a_label_without_a_verdict_does_not_deny_it(generation: str, labels: list[str],
                                                                  expected: str) -> None:
    assert PARSER.parse(generation, labels=labels).value == expected


def test_a_verdict_counts_for_the_declared_negation() -> None:
    assert PARSER.parse("Entailment: No", labels=RTE).value == "not_entailment"
    # the verdict word "false" is a verdict on CPR:3, not a mention of the label false
    assert PARSER.parse("CPR:3: false\nCPR:4: true", labels=CHEMPROT).value == "CPR:4"


def test_no_as_a_label_and_no_as_a_determiner() -> None:
    assert PARSER.parse("No, the study shows no difference.", labels=PQA).value == "no"
    assert PARSER.parse("Yes, although there is no long-term data.", labels=PQA).value == "yes"
    assert PARSER.parse("There is no evidence of benefit.", labels=PQA).status == "failed"
    assert PARSER.parse("After weighing everything, I would say no.", labels=PQA).value == "no"
    assert PARSER.parse("Looking at the abstract again: no.", labels=PQA).value == "no"


# --- synonyms ------------------------------------------------------------------------------


@pytest.mark.parametrize(("generation", "labels", "expected"), [
    ("entails", NLI, "entailment"),
    ("The premise clearly entails the hypothesis.", NLI, "entailment"),
    ("The hypothesis contradicts the premise.", NLI, "contradiction"),
    ("The claim is supported.", SCIFACT, "Supports"),
    ("There is not enough information in the abstract.", SCIFACT, "NOT ENOUGH INFO"),
    ("Supported", ["SUPPORT", "CONTRADICT", "NOINFO"], "SUPPORT"),
    ("neither entailment nor contradiction", NLI, "neutral"),
])
def test_strong_synonyms_count_everywhere(generation: str, labels: list[str], expected: str) -> None:
    assert PARSER.parse(generation, labels=labels).value == expected


@pytest.mark.parametrize(("answer", "prose", "labels", "expected"), [
    ("True", "It is true that the cohort was small.", PQA, "yes"),
    ("Incorrect", "An incorrect dose was given to one patient.", PQA, "no"),
    ("Possibly", "The mechanism is unclear.", PQA, "maybe"),
    ("Neither", "Neither group received placebo.", NLI, "neutral"),
    ("Contradicted", "Earlier work contradicted this.", SCIFACT, "Refutes"),
    ("Yes", "Yes, the trial was registered.", ["true", "false"], "true"),
])
def test_weak_synonyms_count_only_in_answer_position(answer: str, prose: str, labels: list[str],
                                                     expected: str) -> None:
    assert PARSER.parse(answer, labels=labels).value == expected
    assert PARSER.parse(f"Answer: {answer.lower()}", labels=labels).value == expected
    assert PARSER.parse(prose, labels=labels).status == "failed"


def test_builtins_apply_only_to_declared_labels() -> None:
    assert PARSER.parse("True", labels=NLI).status == "failed"
    assert PARSER.parse("Maybe", labels=SCIFACT).status == "failed"
    # "true" is itself a label here, so it is not also a synonym of yes
    assert PARSER.parse("true", labels=["yes", "no", "true", "false"]).value == "true"


# --- the negation rule (shared with the choice parser) ------------------------------------


@pytest.mark.parametrize(("text", "negated"), [  # "|" marks the mention
    ("not |supported", True), ("doesn't |support", True), ("doesnt |support", True), ("isn’t |supported", True),
    ("there is no evidence that it |supports", True), ("neither |entailment", True), ("not (|B)", True),
    ('not "|supported"', True), ("the non-|entailment", True), ("in the absence of |support", True),
    ("not only |supports", False), ("not a small trial, but it |supports", False), ("not small; it |supports", False),
    ("not small.\nIt |supports", False), ("it is not true that the trial was small and |supports", False),
    ("|supports", False), ("|", False),
])
def test_negated_before(text: str, negated: bool) -> None:
    pos = text.index("|")
    text = text.replace("|", "")
    assert negated_before(text, pos) is negated
    assert negated_before(text.upper(), pos) is negated


@pytest.mark.parametrize(("after", "denied", "affirmed"), [
    (": No", True, False), (":** No\n", True, False), (" - no.", True, False), (": false", True, False),
    (": Not applicable", True, False), ("? No,", True, False), (" | No |", True, False), (" (no)", True, False),
    (") is unlikely", True, False), (" can be excluded", True, False), (" is less likely", True, False),
    (" is ruled out", True, False), (" ruled out", True, False), (" is incorrect", True, False),
    (" is not the answer", True, False), (" isn't supported", True, False), (" does not fit", True, False),
    (": Yes", False, True), (" - true", False, True), ("? Yes.", False, True), (": correct", False, True),
    (": no clear link", False, False), (" - not enough data", False, False), (", not B", False, False),
    (" is not only likely", False, False), (" (upregulator)", False, False), (": yes or no?", False, False),
    (" not B", False, False), ("", False, False), (" is the answer", False, False),
])
def test_negated_and_affirmed_after(after: str, denied: bool, affirmed: bool) -> None:
    text = "Entailment" + after
    assert negated_after(text, len("Entailment")) is denied
    assert affirmed_after(text, len("Entailment")) is affirmed


# --- caller synonyms and the relation tasks --------------------------------------------------


def test_caller_synonyms() -> None:
    parser = LabelParser(labels=["positive", "negative"], synonyms={"negative": ["no relation", "unrelated"]})
    assert parser.parse("No relation was found.").value == "negative"
    assert parser.parse("The drug is unrelated to the event.").value == "negative"
    per_item = PARSER.parse("Answer: unrelated", labels=["pos", "neg"], synonyms={"neg": ["unrelated"]})
    assert per_item.value == "neg"


# --- statuses ------------------------------------------------------------------------------


@pytest.mark.parametrize(("generation", "status", "reason_part"), [
    ("", "empty", "empty"),
    (" \n\t", "empty", "empty"),
    ("<think>so the answer is entailment", "failed", "unfinished reasoning"),
    ("<think>entailment</think>", "failed", "only reasoning"),
    ("I cannot answer that.", "failed", "no label"),
    ("Answer: entailment\nFinal answer: neutral", "ambiguous", "conflicting"),
    ("Answer: entailment or neutral", "ambiguous", "conflicting"),
    ("It could be entailment or contradiction.", "ambiguous", "conflicting"),
])
def test_statuses_and_reasons(generation: str, status: str, reason_part: str) -> None:
    parsed = PARSER.parse(generation, labels=NLI)
    assert parsed.status == status, parsed
    assert reason_part in parsed.reason
    assert parsed.value is None


def test_ambiguous_lists_the_candidates_in_order() -> None:
    parsed = PARSER.parse("Answer: neutral\n...\nAnswer: entailment", labels=NLI)
    assert parsed.candidates == ("neutral", "entailment")


# --- settings ------------------------------------------------------------------------------


def test_labels_are_required_at_parse_time() -> None:
    with pytest.raises(InputError, match="labels"):
        LabelParser().parse("yes")
    assert LabelParser().parse("yes", labels=PQA).value == "yes"


@pytest.mark.parametrize("settings", [
    {"labels": "yes,no"}, {"labels": []}, {"labels": [""]}, {"labels": ["yes", 1]}, {"labels": ["Yes", "yes"]},
    {"labels": ["CPR:3", "cpr 3"]}, {"labels": 5}, {"labels": PQA, "synonyms": ["x"]},
    {"labels": PQA, "synonyms": {"yes": "yeah"}}, {"labels": PQA, "synonyms": {"perhaps": ["x"]}},
    {"labels": PQA, "synonyms": {"yes": ["no"]}}, {"labels": PQA, "synonyms": {"yes": ["sure"], "no": ["sure"]}},
    {"labels": PQA, "synonyms": {"yes": [""]}}, {"synonyms": {"yes": ["sure"]}},
])
def test_malformed_settings_are_input_errors(settings: dict[str, Any]) -> None:
    with pytest.raises(InputError):
        LabelParser(**settings)
    if "labels" in settings:
        with pytest.raises(InputError):
            LabelParser().parse("yes", **settings)


def test_label_sets_are_compiled_once() -> None:
    compile_label_set.cache_clear()
    for _ in range(3):
        PARSER.parse("yes", labels=PQA)
    info = compile_label_set.cache_info()
    assert info.misses == 1 and info.hits >= 2


def test_signature_names_the_label_set() -> None:
    assert "labels=yes,no,maybe" in LabelParser(labels=PQA).signature


def test_in_prose_a_label_as_declared_outranks_caller_synonyms() -> None:
    parser = LabelParser(labels=["DDI-effect", "DDI-mechanism"], synonyms={"DDI-effect": ["effect"]})
    assert parser.parse("A DDI-mechanism interaction: it raises the effect of warfarin.").value == "DDI-mechanism"
    assert parser.parse("It raises the effect of warfarin.").value == "DDI-effect"
    assert parser.parse("Answer: effect. It is not a DDI-mechanism.").value == "DDI-effect"


def test_a_qa_answer_line_is_an_anchor() -> None:
    assert PARSER.parse("Q: Is the claim supported?\nA: Refutes", labels=SCIFACT).rule == "anchored"
    echoed = PARSER.parse("Example-2\nQ: entailment, neutral or contradiction?\nA: neutral", labels=NLI)
    assert (echoed.value, echoed.rule) == ("neutral", "anchored")
    assert PARSER.parse("a: entailment\nb: neutral", labels=NLI).status == "ambiguous"  # a list, not an answer


RELATION_TASKS = {task.name: task for task in TASKS if task.name in ("chemprot", "ddi")}


@pytest.mark.parametrize(("task", "generation", "expected"), [
    ("chemprot", "A: CPR:4", "CPR:4"), ("chemprot", "ANTAGONIST", "CPR:6"),
    ("chemprot", "The relation is INHIBITOR.", "CPR:4"), ("chemprot", "Example-2 A: ANTAGONIST", "CPR:6"),
    ("chemprot", "activator", "CPR:3"), ("chemprot", "UPREGULATOR", "CPR:3"),
    ("chemprot", "INDIRECT-UPREGULATOR", "CPR:3"), ("chemprot", "DOWNREGULATOR", "CPR:4"),
    ("chemprot", "INDIRECT-DOWNREGULATOR", "CPR:4"), ("chemprot", "AGONIST", "CPR:5"),
    ("chemprot", "AGONIST-ACTIVATOR", "CPR:5"), ("chemprot", "AGONIST-INHIBITOR", "CPR:5"),
    ("chemprot", "SUBSTRATE", "CPR:9"), ("chemprot", "PRODUCT-OF", "CPR:9"),
    ("chemprot", "SUBSTRATE_PRODUCT-OF", "CPR:9"), ("chemprot", "MODULATOR-INHIBITOR", "false"),
    ("chemprot", "none", "false"), ("chemprot", "No relation.", "false"), ("chemprot", "false", "false"),
    ("chemprot", "None of them; the answer is CPR:9.", "CPR:9"),
    ("ddi", "mechanism", "DDI-mechanism"), ("ddi", "DDI-effect", "DDI-effect"), ("ddi", "effect", "DDI-effect"),
    ("ddi", "advise", "DDI-advise"), ("ddi", "Advice.", "DDI-advise"), ("ddi", "int", "DDI-int"),
    ("ddi", "false", "DDI-false"), ("ddi", "No interaction", "DDI-false"), ("ddi", "DDI-false", "DDI-false"),
    ("ddi", "Interaction", None), ("chemprot", "REGULATOR", None),
])
def test_relation_tasks_read_the_names_of_their_classes(task: str, generation: str, expected: str | None) -> None:
    options = RELATION_TASKS[task].parser_options
    parsed = LabelParser(**options).parse(generation)
    assert parsed.value == expected, parsed
    assert set(options["synonyms"]) <= set(options["labels"])


@pytest.mark.parametrize(("generation", "expected"), [
    ("ANTAGONIST", "CPR:6"), ("Example-2 A: ANTAGONIST", "CPR:6"), ("The relation is INHIBITOR.", "CPR:4"),
    ("A: CPR:4", "CPR:4"), ("MODULATOR-ACTIVATOR", None),  # CPR:7, scored as false: no positive class read
])
def test_chemprot_class_names_read_without_the_task(generation: str, expected: str | None) -> None:
    """The label parser alone (labels only, no task synonyms) knows the positive classes' names."""
    parsed = LabelParser(labels=["CPR:3", "CPR:4", "CPR:5", "CPR:6", "CPR:9", "false"]).parse(generation)
    assert (parsed.value if parsed.status == "ok" else None) == expected, parsed


def test_class_names_stay_weak_in_prose() -> None:
    """"an inhibitor" in an explanation is no answer by itself (a weak synonym: answer position only)."""
    parsed = LabelParser(labels=["CPR:3", "CPR:4", "CPR:5", "CPR:6", "CPR:9", "false"]).parse(
        "The sentence says the compound, studied as an inhibitor of other enzymes, was measured.")
    assert parsed.status == "failed", parsed
