"""Suites: definitions, averaging rules, unavailable/missing tasks, joint-bootstrap CIs, compare."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from sklearn.metrics import f1_score

from medmetrics import evaluate
from medmetrics.aggregate.comparison import compare_suite
from medmetrics.aggregate.suites import resolve_task, score_suite, suite_average
from medmetrics.catalog.suite import Suite
from medmetrics.errors import InputError
from medmetrics.inputs.run import TaskRun
from medmetrics.plugins import Catalog, load_catalog

#: BioMistral-NLU Table 5 (ChatGPT, GPT-4, LLaMA-3.1-8B, BioMistral baseline, BioMistral-NLU)
TABLE5 = {
    "bc2gm": (37.5, 54.6, 34.0, 34.1, 61.5), "bc5_chem": (60.3, 78.2, 46.0, 45.0, 89.9),
    "bc5_disease": (51.8, 63.9, 35.2, 33.7, 67.0), "ncbi_disease": (50.5, 66.0, 49.4, 39.9, 61.8),
    "jnlpba": (41.3, 45.4, 15.0, 25.6, 64.4), "ebm_pico": (55.6, 33.5, 12.2, 19.6, 55.3),
    "hoc": (51.2, 62.5, 37.6, 47.3, 63.8), "pubmedqa": (76.5, 70.6, 73.4, 72.0, 70.2),
    "bioasq_yesno": (88.6, 85.7, 92.0, 74.9, 86.7), "gad": (52.4, 51.5, 57.7, 55.0, 58.5),
    "ddi": (51.6, 37.7, 22.2, 10.0, 13.0), "chemprot": (34.2, 37.6, 40.4, 28.6, 38.1),
    "i2b2_2010": (None, None, 40.6, 30.9, 41.8), "mednli": (None, None, 44.8, 49.3, 57.5),
    "biosses": (42.8, 89.3, 68.7, 69.1, 80.8),
}
BLURB_MACRO = (53.4, 59.7, 44.9, 42.7, 62.4)
BLUE_AVG = (None, None, 41.9, 39.2, 56.5)


@pytest.fixture(scope="module")
def catalog() -> Catalog:
    return load_catalog(entry_points=False, strict=True)


def test_builtin_suites_are_registered_with_their_averaging_rule(catalog: Catalog) -> None:
    suites = {e.name: e.obj for e in catalog.suites}
    assert set(suites) == {"blurb", "blue", "medinst32", "meds_bench"}
    assert len(suites["blurb"].tasks) == 13 and suites["blurb"].average == "groups"
    assert len(suites["blue"].tasks) == 8 and suites["blue"].average == "tasks"
    assert len(suites["medinst32"].tasks) == 32
    assert len(suites["meds_bench"].groups) == 12


def test_every_built_in_suite_member_is_a_task(catalog: Catalog) -> None:
    for entry in catalog.suites:
        for name in entry.obj.tasks:
            assert name in catalog.tasks, (entry.name, name)
            assert not isinstance(resolve_task(name, catalog), str), (entry.name, name)


@pytest.mark.parametrize("system", range(5))
def test_table5_blurb_macro_is_the_mean_over_datasets(catalog: Catalog, system: int) -> None:
    """BioMistral-NLU's "BLURB macro" row equals --suite-average tasks on its own rows (to the rounding)."""
    blurb = catalog.suites.get("blurb").obj.with_average("tasks")
    values = {t: np.array([TABLE5[t][system]]) for t in blurb.tasks}
    assert round(float(suite_average(blurb, values)[0][0]), 1) == BLURB_MACRO[system]


def test_blurb_official_score_averages_task_types_first(catalog: Catalog) -> None:
    blurb = catalog.suites.get("blurb").obj
    values = {t: np.array([TABLE5[t][4]]) for t in blurb.tasks}
    by_type = [np.mean([TABLE5[t][4] for t in members]) for members in blurb.groups.values()]
    assert float(suite_average(blurb, values)[0][0]) == pytest.approx(np.mean(by_type))
    assert round(float(np.mean(by_type)), 2) == 63.97  # not the paper's 62.4: the rule matters


@pytest.mark.parametrize("system", range(2, 5))
def test_table5_blue_average(catalog: Catalog, system: int) -> None:
    blue = catalog.suites.get("blue").obj
    values = {t: np.array([TABLE5[t][system]]) for t in blue.tasks}
    assert round(float(suite_average(blue, values)[0][0]), 1) == BLUE_AVG[system]


def test_suite_rejects_a_bad_definition() -> None:
    with pytest.raises(InputError, match="average"):
        Suite("x", {"a": ("t",)}, average="median")
    with pytest.raises(InputError, match="twice"):
        Suite("x", {"a": ("t",), "b": ("t",)})


def test_unavailable_members_say_why(catalog: Catalog) -> None:
    assert resolve_task("bc2gm", catalog).parser == "labeled_spans"
    assert resolve_task("medinst_ncbi_disease", catalog).metrics["f1"][0] == "seqeval"
    assert resolve_task("meddialog", catalog).parser_options == {"labels": ["patient", "doctor"]}
    assert resolve_task("medal", catalog).metrics["exact_match"][0] == "normalized_match"
    assert resolve_task("no_such_task", catalog) == "no task 'no_such_task' is registered"
    assert resolve_task("pubmedqa", catalog).name == "pubmedqa"


def _task_plugin() -> object:
    """A third-party plugin whose task needs a parser and a metric that are not installed."""
    from types import SimpleNamespace

    from medmetrics.catalog.task import Task
    from medmetrics.hookspecs import hookimpl

    @hookimpl
    def register_tasks(register):  # type: ignore[no-untyped-def]
        register(Task(name="their_ner", parser="their_parser", metrics={"f1": ("entity_f1", {})}))
        register(Task(name="their_qa", parser="label", metrics={"score": ("their_metric", {})}))

    @hookimpl
    def register_suites(register):  # type: ignore[no-untyped-def]
        register(Suite("theirs", {"ner": ("their_ner",), "qa": ("their_qa", "pubmedqa")}))

    return SimpleNamespace(register_tasks=register_tasks, register_suites=register_suites)


def test_a_third_party_suite_reports_members_it_cannot_score() -> None:
    catalog = load_catalog(entry_points=False, strict=True, extra_plugins=[("theirs", _task_plugin())])
    suite = catalog.suites.get("theirs").obj
    result = score_suite(suite, {"pubmedqa": PUBMEDQA, "their_ner": PUBMEDQA}, catalog=catalog, ci=False)
    by_task = {t.task: t for t in result.tasks}
    assert by_task["their_ner"].status == "unavailable" and by_task["their_ner"].reason == "needs parser their_parser"
    assert by_task["their_qa"].reason == "needs metric their_metric"
    assert result.value == pytest.approx(3 / 5) and "average over 1 of 3 tasks" in result.notes[0]



def test_a_missing_optional_dependency_makes_one_task_unavailable(monkeypatch: pytest.MonkeyPatch) -> None:
    """No WordNet (or another extra) for one task: that task says what to install, the rest is scored."""
    from medmetrics.aggregate import suites as scoring
    from medmetrics.errors import MissingDependencyError

    real = scoring.score_task

    def needs_wordnet(task, *args, **kwargs):  # type: ignore[no-untyped-def]
        if task.name == "their_qa":
            raise MissingDependencyError("metric 'meteor' needs WordNet: apt-get install wordnet-base")
        return real(task, *args, **kwargs)

    monkeypatch.setattr(scoring, "score_task", needs_wordnet)
    catalog = load_catalog(entry_points=False, strict=True, extra_plugins=[("theirs", _task_plugin())])
    catalog.tasks.get("their_qa")  # registered; its metric is what is missing
    suite = Suite("wordnet", {"qa": ("their_qa", "pubmedqa")})
    monkeypatch.setattr(scoring, "resolve_task", lambda name, cat: cat.tasks.get(name).obj)
    result = score_suite(suite, {"pubmedqa": PUBMEDQA, "their_qa": PUBMEDQA}, catalog=catalog, ci=False)
    by_task = {t.task: t for t in result.tasks}
    assert by_task["their_qa"].status == "unavailable"
    assert "apt-get install wordnet-base" in (by_task["their_qa"].reason or "")
    assert by_task["pubmedqa"].status == "scored" and result.value == pytest.approx(3 / 5)


PUBMEDQA = TaskRun("pubmedqa", ["yes", "no", "maybe", "Answer: yes", "hmm"], ["yes", "no", "no", "yes", "maybe"])
CHEMPROT = TaskRun("chemprot", ["CPR:3", "false", "CPR:4", "CPR:9"], ["CPR:3", "CPR:4", "CPR:4", "false"])
BIOSSES = TaskRun("biosses", ["1", "2", "3", "4"], ["1.2", "2.0", "2.5", "3.9"])  # CSV strings: coerced


def test_score_suite_reports_each_task_and_averages_by_groups(catalog: Catalog) -> None:
    blurb = catalog.suites.get("blurb").obj
    result = score_suite(blurb, {"pubmedqa": PUBMEDQA, "chemprot": CHEMPROT, "biosses": BIOSSES},
                         catalog=catalog, resamples=300)
    by_task = {t.task: t for t in result.tasks}
    assert [t.task for t in result.tasks] == list(blurb.tasks)
    assert by_task["pubmedqa"].result.value == pytest.approx(3 / 5)
    assert by_task["pubmedqa"].failure_rate == pytest.approx(1 / 5)
    assert by_task["chemprot"].result.value == pytest.approx(2 / 3)  # micro over CPR:*, 'false' excluded
    assert by_task["biosses"].result.value == pytest.approx(np.corrcoef([1, 2, 3, 4], [1.2, 2.0, 2.5, 3.9])[0, 1])
    assert by_task["ddi"].status == "missing" and by_task["bc2gm"].status == "missing"
    expected = np.mean([2 / 3, by_task["biosses"].result.value, 3 / 5])  # three task types present
    assert result.value == pytest.approx(expected)
    assert not result.complete and "average over 3 of 13 tasks" in result.notes[0]
    assert result.ci is not None and result.ci.low <= result.value <= result.ci.high
    data = result.to_dict()
    assert data["averaged_tasks"] == 3 and data["signature"] == "suite:blurb(average=groups,tasks=13)"


def test_joint_interval_is_the_percentile_of_averaged_task_resamples(catalog: Catalog) -> None:
    suite = Suite("two", {"qa": ("pubmedqa",), "re": ("chemprot",)}, average="tasks")
    result = score_suite(suite, {"pubmedqa": PUBMEDQA, "chemprot": CHEMPROT}, catalog=catalog, resamples=400, seed=3)
    samples = [t.samples for t in result.tasks]
    joint = (samples[0] + samples[1]) / 2
    assert result.ci.low == pytest.approx(np.quantile(joint, 0.025))
    assert result.ci.high == pytest.approx(np.quantile(joint, 0.975))
    for task in result.tasks:  # each task's own interval comes from the same resamples
        assert task.result.ci.low == pytest.approx(np.quantile(task.samples[~np.isnan(task.samples)], 0.025))


def test_tasks_outside_the_suite_are_named_not_dropped(catalog: Catalog) -> None:
    suite = Suite("one", {"qa": ("pubmedqa",)})
    result = score_suite(suite, {"pubmedqa": PUBMEDQA, "mystery": PUBMEDQA}, catalog=catalog, ci=False)
    assert result.complete and any("mystery" in n for n in result.notes)


def test_a_bad_item_names_its_task(catalog: Catalog) -> None:
    suite = Suite("one", {"sts": ("biosses",)})
    with pytest.raises(InputError, match="task 'biosses'"):
        score_suite(suite, {"biosses": TaskRun("biosses", ["1"], ["high"])}, catalog=catalog, ci=False)


@pytest.mark.parametrize(("task", "labels", "positive"), [
    ("gad", ["yes", "no"], ["yes"]),
    ("i2b2_2010", ["PIP", "TeCP", "TrAP", "false"], ["PIP", "TeCP", "TrAP"]),
])
def test_relation_tasks_equal_scikit_learn_micro_f1_over_positive_classes(task: str, labels: list[str],
                                                                          positive: list[str]) -> None:
    rng = np.random.default_rng(7)
    gold = [str(x) for x in rng.choice(labels, 60)]
    pred = [str(x) for x in rng.choice(labels, 60)]
    value = evaluate(task, pred, gold)["f1"].value
    assert value == pytest.approx(f1_score(gold, pred, labels=positive, average="micro"), abs=1e-12)


@pytest.mark.parametrize("task", ["scifact", "medinst_pubmedqa", "medinst_bioasq_yesno"])
def test_medinst_label_tasks_equal_scikit_learn_macro_f1(task: str, catalog: Catalog) -> None:
    labels = catalog.tasks.get(task).obj.parser_options["labels"]
    rng = np.random.default_rng(11)
    gold = [str(x) for x in rng.choice(labels, 50)]
    pred = [str(x) for x in rng.choice(labels, 50)]
    value = evaluate(task, pred, gold)["f1_macro"].value
    assert value == pytest.approx(f1_score(gold, pred, labels=labels, average="macro", zero_division=0), abs=1e-12)


def test_meds_hoc_is_macro_over_all_ten_hallmarks() -> None:
    from sklearn.preprocessing import MultiLabelBinarizer

    gold = [["A"], ["B", "C"], []]
    generations = ["sustaining proliferative signaling", "evading growth suppressors", "none"]
    value = evaluate("meds_hoc", generations, gold)["f1_macro"].value
    binarizer = MultiLabelBinarizer(classes=list("ABCDEFGHIJ"))
    expected = f1_score(binarizer.fit_transform(gold), binarizer.transform([["A"], ["B"], []]), average="macro",
                        zero_division=0)
    assert value == pytest.approx(expected)


def test_medinst_biosses_reads_integers_up_to_five() -> None:
    report = evaluate("medinst_biosses", ["5", "0", "3"], [4.6, 0.2, 2.8])
    assert report["pearson"].n_failed == 0


def test_compare_suite_pairs_tasks_and_tests_the_average(catalog: Catalog) -> None:
    suite = Suite("two", {"qa": ("pubmedqa",), "re": ("chemprot",)}, average="tasks")
    worse = {"pubmedqa": TaskRun("pubmedqa", ["no"] * 5, PUBMEDQA.references),
             "chemprot": TaskRun("chemprot", ["false"] * 4, CHEMPROT.references)}
    result = compare_suite(suite, {"pubmedqa": PUBMEDQA, "chemprot": CHEMPROT}, worse, catalog=catalog,
                           resamples=300)
    assert result.tasks["pubmedqa"].difference == pytest.approx(3 / 5 - 2 / 5)
    assert result.difference == pytest.approx(((3 / 5 - 2 / 5) + (2 / 3 - 0.0)) / 2)
    assert result.ci is not None and result.ci.low <= result.difference <= result.ci.high
    assert 0 < result.p_value <= 1


def test_compare_suite_refuses_different_references(catalog: Catalog) -> None:
    suite = Suite("one", {"qa": ("pubmedqa",)})
    other = {"pubmedqa": TaskRun("pubmedqa", PUBMEDQA.generations, ["no"] * 5)}
    with pytest.raises(InputError, match="different references"):
        compare_suite(suite, {"pubmedqa": PUBMEDQA}, other, catalog=catalog)


def _suite_plugin(name: str) -> object:
    """A third-party plugin that registers a suite through the hook, as the built-ins do."""
    from types import SimpleNamespace

    from medmetrics.hookspecs import hookimpl

    @hookimpl
    def register_suites(register):  # type: ignore[no-untyped-def]
        register(Suite(name, {"qa": ("pubmedqa", "bioasq_yesno")}, description="two QA sets"))

    return SimpleNamespace(register_suites=register_suites)


def test_a_plugin_registers_a_suite() -> None:
    catalog = load_catalog(entry_points=False, strict=True, extra_plugins=[("mine", _suite_plugin("qa2"))])
    assert catalog.suites.get("qa2").plugin == "mine"
    assert catalog.suites.get("qa2").summary == "two QA sets"


def test_a_plugin_cannot_take_a_builtin_suite_name() -> None:
    from medmetrics.errors import PluginError

    with pytest.raises(PluginError, match="suite name 'blurb'"):
        load_catalog(entry_points=False, strict=True, extra_plugins=[("mine", _suite_plugin("blurb"))])


def test_meddialog_is_macro_f1_over_the_speakers() -> None:
    generations = ["Doctor", "The speaker is the patient.", "patient", "Doctor."]
    gold = ["doctor", "patient", "doctor", "doctor"]
    expected = f1_score(gold, ["doctor", "patient", "patient", "doctor"], average="macro")
    assert evaluate("meddialog", generations, gold)["f1_macro"].value == pytest.approx(expected)


@pytest.mark.parametrize("task", ["mancon", "covert"])
def test_claim_tasks_share_scifact_definition(task: str, catalog: Catalog) -> None:
    assert catalog.tasks.get(task).obj.metrics == catalog.tasks.get("scifact").obj.metrics


def test_medinst_hoc_is_scikit_learn_samples_f1() -> None:
    from sklearn.preprocessing import MultiLabelBinarizer

    gold = [["A", "C"], ["B"], ["D"], ["E", "F"]]
    generations = ["(A), (C)", "(B) and (D)", "(E)", "(F)"]
    predicted = [["A", "C"], ["B", "D"], ["E"], ["F"]]
    binarizer = MultiLabelBinarizer(classes=list("ABCDEFGHIJ"))
    expected = f1_score(binarizer.fit_transform(gold), binarizer.transform(predicted), average="samples")
    assert evaluate("medinst_hoc", generations, gold)["f1_samples"].value == pytest.approx(expected)


@pytest.mark.parametrize(("task", "generations", "gold", "accuracy"), [
    ("healthfact", ["The claim is true.", "mixture", "Unproven."], ["true", "false", "unproven"], 2 / 3),
    ("clinical_outcome", ["true", "False.", "I cannot say."], ["true", "true", "false"], 1 / 3),
])
def test_accuracy_tasks_by_hand(task: str, generations: list[str], gold: list[str], accuracy: float) -> None:
    assert evaluate(task, generations, gold)["accuracy"].value == pytest.approx(accuracy)


_answers = st.lists(st.tuples(st.sampled_from(["yes", "no", "maybe", "Answer: no", "unclear"]),
                              st.sampled_from(["yes", "no", "maybe"])), min_size=2, max_size=12)


@given(pubmedqa=_answers, bioasq=_answers, average=st.sampled_from(["tasks", "groups"]))
@settings(max_examples=30, deadline=None)
def test_suite_value_is_the_rule_applied_to_task_values(pubmedqa, bioasq, average) -> None:
    """Any run: the suite value is its averaging rule applied to what evaluate() gives per task."""
    catalog = load_catalog(entry_points=False, strict=True)
    suite = Suite("h", {"pubmed": ("pubmedqa",), "bioasq": ("bioasq_yesno",)}, average=average)
    bioasq = [(g, r if r != "maybe" else "no") for g, r in bioasq]
    runs = {"pubmedqa": TaskRun("pubmedqa", *map(list, zip(*pubmedqa))),
            "bioasq_yesno": TaskRun("bioasq_yesno", *map(list, zip(*bioasq)))}
    result = score_suite(suite, runs, catalog=catalog, ci=False)
    values = [evaluate(name, list(run.generations), list(run.references))["accuracy"].value
              for name, run in runs.items()]
    assert result.value == pytest.approx(sum(values) / 2)  # one task per group: both rules agree
    shuffled = {name: TaskRun(name, list(run.generations)[::-1], list(run.references)[::-1])
                for name, run in runs.items()}
    assert score_suite(suite, shuffled, catalog=catalog, ci=False).value == pytest.approx(result.value)
