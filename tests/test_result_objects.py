"""Results in notebooks and scripts: ``to_frame`` (pandas, an optional extra), a short ``repr``,
``from_dict`` reading ``to_dict`` back, and the same interval from the command line and from Python.

Everything is checked on real scoring of the bundled data (``data/demo``, the three demo models):
each frame's numbers are the objects' own, each ``from_dict(to_dict())`` gives the same dict (and
the same JSON text), and ``docs/python-api.md``'s examples run.
"""

from __future__ import annotations

import json
import math
import re
import subprocess
import sys
from importlib import resources
from pathlib import Path
from typing import Any

import pytest

import medmetrics
from medmetrics import cli
from medmetrics.aggregate.comparison import (
    DEMO_MODEL_TASKS,
    ModelComparison,
    SuiteComparison,
    compare_models,
    compare_suite,
    demo_models,
)
from medmetrics.aggregate.suites import SuiteResult, TaskScore, score_suite
from medmetrics.catalog.suite import Suite
from medmetrics.errors import InputError, MissingDependencyError
from medmetrics.plugins import default_catalog
from medmetrics.results import Comparison, ConfidenceInterval, MetricResult, Parsed, Report

pd = pytest.importorskip("pandas")

ROOT = Path(__file__).resolve().parents[1]
DEMO = ROOT / "src" / "medmetrics" / "data" / "demo"
DEMO_MODELS = ROOT / "src" / "medmetrics" / "data" / "demo_models"
RESAMPLES = 200


def demo_items(task: str) -> tuple[list[str], list[Any], list[dict[str, Any]]]:
    text = (resources.files("medmetrics") / "data" / "demo" / f"{task}.jsonl").read_text(encoding="utf-8")
    items = [json.loads(line) for line in text.splitlines() if line.strip()]
    return [i["generation"] for i in items], [i["reference"] for i in items], [i.get("context", {}) for i in items]


def same(a: Any, b: Any) -> bool:
    """Equal numbers, NaN (or a frame's missing value) equal to NaN and to ``None``."""
    missing_a = a is None or a is pd.NA or (isinstance(a, float) and math.isnan(a))
    missing_b = b is None or b is pd.NA or (isinstance(b, float) and math.isnan(b))
    return missing_a and missing_b if missing_a or missing_b else a == pytest.approx(b)


def run_cli(capsys: pytest.CaptureFixture[str], *argv: Any) -> Any:
    code = cli.main([str(a) for a in argv])
    out, err = capsys.readouterr()
    assert code == 0, err
    return json.loads(out)


@pytest.fixture(scope="module")
def reports() -> dict[str, Report]:
    out = {}
    for task in ("medqa", "chemprot", "bc5_disease", "biosses"):
        generations, references, context = demo_items(task)
        out[task] = medmetrics.evaluate(task, generations, references, context=context, ci=True, resamples=RESAMPLES)
    return out


@pytest.fixture(scope="module")
def suite_result() -> SuiteResult:
    return score_suite(medmetrics.get_suite("blurb"), demo_models()["med-7b"], catalog=default_catalog(),
                       resamples=RESAMPLES)


@pytest.fixture(scope="module")
def models() -> ModelComparison:
    return compare_models(demo_models(), tasks=DEMO_MODEL_TASKS, resamples=RESAMPLES)


@pytest.fixture(scope="module")
def suite_models() -> ModelComparison:
    return compare_models(demo_models(), suite=medmetrics.get_suite("blurb"), resamples=RESAMPLES)


@pytest.fixture(scope="module")
def suite_comparison() -> SuiteComparison:
    runs = demo_models()
    return compare_suite(medmetrics.get_suite("blue"), runs["med-7b"], runs["base-7b"], catalog=default_catalog(),
                         resamples=RESAMPLES)


# --- to_frame --------------------------------------------------------------------------------
@pytest.mark.parametrize("task", ["medqa", "chemprot", "bc5_disease", "biosses"])
def test_report_frame_has_one_row_per_result_with_its_numbers(reports: dict[str, Report], task: str) -> None:
    report = reports[task]
    frame = report.to_frame()
    assert list(frame.columns[:11]) == ["task", "metric", "value", "ci_low", "ci_high", "ci_level", "n", "n_failed",
                                        "failure_rate", "higher_is_better", "signature"]
    assert list(frame["metric"]) == list(report)
    assert len(frame) == len(report)
    for row, result in zip(frame.to_dict("records"), report.values()):
        assert row["task"] == task
        assert same(row["value"], result.value)
        assert result.ci is not None
        assert (row["ci_low"], row["ci_high"], row["ci_level"]) == (result.ci.low, result.ci.high, result.ci.level)
        assert (row["n"], row["n_failed"], row["signature"]) == (result.n, result.n_failed, result.signature)
        assert same(row["failure_rate"], result.failure_rate)
        for component, value in result.components.items():
            assert same(row[f"components.{component}"], value), component
    components = {c for r in report.values() for c in r.components}
    assert {c for c in frame.columns if c.startswith("components.")} == {f"components.{c}" for c in components}


def test_items_frame_has_one_row_per_generation(reports: dict[str, Report]) -> None:
    report = reports["medqa"]
    _, references, context = demo_items("medqa")
    frame = report.items_frame()
    assert frame.index.name == "item"
    assert list(frame.index) == list(range(len(report.parsed)))
    assert list(frame.columns) == ["value", "status", "answered", "reason", "rule", "span_start", "span_end",
                                   "candidates", "parser"]
    for (_, row), parsed in zip(frame.iterrows(), report.parsed):
        assert row["status"] == parsed.status and row["answered"] == parsed.answered
        assert row["reason"] == parsed.reason and row["parser"] == parsed.parser
        assert same(row["value"], parsed.value)
        assert same(row["span_start"], None if parsed.span is None else parsed.span[0])
        assert same(row["span_end"], None if parsed.span is None else parsed.span[1])
    assert (frame["status"] != "ok").sum() == report["accuracy"].n_failed == 1
    scored = report.items_frame(references, context)
    assert list(scored["reference"]) == references
    assert scored["score.accuracy"].mean() == pytest.approx(report["accuracy"].value)


def test_items_frame_keeps_structured_values(reports: dict[str, Report]) -> None:
    report = reports["bc5_disease"]
    frame = report.items_frame()
    assert len(frame) == report.n == 10
    assert [v for v in frame["value"] if v is not None] == [p.value for p in report.parsed if p.value is not None]


def test_suite_frame_has_a_row_per_task_then_the_group_means_and_the_average(suite_result: SuiteResult) -> None:
    frame = suite_result.to_frame()
    tasks = frame[frame.kind == "task"]
    assert list(tasks["task"]) == list(suite_result.suite.tasks)
    assert list(tasks["status"]) == [t.status for t in suite_result.tasks]
    assert list(tasks["group"]) == [t.group for t in suite_result.tasks]
    for row, score in zip(tasks.to_dict("records"), suite_result.tasks):
        result = score.result
        if result is None:
            assert same(row["value"], None) and row["reason"] == score.reason
            continue
        assert result.ci is not None
        assert row["metric"] == score.headline and row["source"] == score.source
        assert (row["value"], row["ci_low"], row["ci_high"]) == (result.value, result.ci.low, result.ci.high)
        assert (row["n"], row["n_failed"]) == (result.n, result.n_failed)
        assert row["failure_rate"] == pytest.approx(score.failure_rate)
    assert (tasks["status"] == "scored").sum() == len(suite_result.averaged) == 3
    groups = frame[frame.kind == "group"]
    assert dict(zip(groups["group"], groups["value"])) == dict(suite_result.groups)
    average = frame[frame.kind == "average"].to_dict("records")
    assert len(average) == 1 and frame.iloc[-1]["kind"] == "average"
    assert suite_result.ci is not None
    assert (average[0]["value"], average[0]["ci_low"], average[0]["ci_high"]) == (
        suite_result.value, suite_result.ci.low, suite_result.ci.high)
    assert average[0]["signature"] == suite_result.signature
    assert average[0]["metric"] == "groups (3 of 13 tasks)"
    only = suite_result.to_frame(summary=False)
    assert len(only) == len(suite_result.tasks) and set(only["kind"]) == {"task"}
    assert str(frame["n"].dtype) == "Int64"


def test_suite_frame_gives_the_profiles_numbers(capsys: pytest.CaptureFixture[str]) -> None:
    data = run_cli(capsys, "score", "--suite", "blurb", DEMO_MODELS / "med-7b", "--profile", "biomistral_nlu",
                   "--format", "json", "--resamples", RESAMPLES)
    result = SuiteResult.from_dict(data)
    assert result.to_dict() == data
    frame = result.to_frame()
    compat = {t["task"]: t["compat"]["value"] for t in data["tasks"] if t["compat"] is not None}
    assert compat == {"chemprot": 0.125, "biosses": None, "pubmedqa": 0.0}   # biosses: the paper's NaN
    for task, value in compat.items():
        assert same(frame.loc[frame.task == task, "compat_value"].item(), value)
    assert same(frame.iloc[-1]["compat_value"], data["compat_value"])
    assert repr(result).endswith("biomistral_nlu=nan>")


def test_model_frame_is_long_one_row_per_task_and_model(models: ModelComparison) -> None:
    frame = models.to_frame()
    assert len(frame) == len(models.rows) * len(models.models) == 12
    assert list(frame["model"][:3]) == list(models.models)
    assert list(frame.columns) == ["task", "metric", "kind", "model", "baseline", "value", "ci_low", "ci_high",
                                   "ci_level", "n", "n_failed", "failure_rate", "reason", "difference", "diff_ci_low",
                                   "diff_ci_high", "p_value", "p_holm", "significant"]
    records = iter(frame.to_dict("records"))
    for row in models.rows:
        for model in models.models:
            record, cell = next(records), row.cells[model]
            assert (record["task"], record["metric"], record["model"]) == (row.task, row.metric, model)
            assert cell.ci is not None
            assert (record["value"], record["ci_low"], record["ci_high"]) == (cell.value, cell.ci.low, cell.ci.high)
            assert (record["n"], record["n_failed"]) == (cell.n, cell.n_failed)
            assert record["failure_rate"] == pytest.approx(cell.failure_rate)
            assert record["baseline"] == (model == models.baseline)
            if cell.test is None:
                assert model == models.baseline
                assert all(same(record[c], None) for c in ("difference", "p_value", "p_holm", "diff_ci_low"))
                assert record["significant"] is False
            else:
                assert cell.test.ci is not None
                assert record["difference"] == pytest.approx(cell.value - row.cells[models.baseline].value)
                assert (record["difference"], record["p_value"], record["p_holm"], record["significant"]) == (
                    cell.test.difference, cell.test.p_value, cell.p_holm, cell.significant)
                assert (record["diff_ci_low"], record["diff_ci_high"]) == (cell.test.ci.low, cell.test.ci.high)
    assert frame["significant"].sum() == 4
    wide = frame.pivot(index="task", columns="model", values="value")
    assert wide.loc["medqa", "med-7b"] == models.rows[0].cells["med-7b"].value


def test_model_frame_on_a_suite_has_the_average_rows(suite_models: ModelComparison) -> None:
    frame = suite_models.to_frame()
    average = frame[frame.kind == "average"]
    assert list(average["model"]) == list(suite_models.models)
    row = suite_models.rows[-1]
    assert row.kind == "average"
    assert list(average["value"]) == [row.cells[m].value for m in suite_models.models]
    assert list(average["p_holm"][1:]) == [row.cells[m].p_holm for m in suite_models.models[1:]]


def test_suite_comparison_and_comparison_frames(suite_comparison: SuiteComparison) -> None:
    frame = suite_comparison.to_frame()
    assert len(frame) == len(suite_comparison.tasks) + 1
    for record, (task, c) in zip(frame.to_dict("records"), suite_comparison.tasks.items()):
        assert record["task"] == task
        if isinstance(c, str):
            assert record["reason"] == c and same(record["difference"], None)
        else:
            assert (record["value_a"], record["value_b"], record["difference"], record["p_value"]) == (
                c.value_a, c.value_b, c.difference, c.p_value)
    last = frame.iloc[-1]
    assert last["kind"] == "average" and last["difference"] == suite_comparison.difference
    assert last["p_value"] == suite_comparison.p_value
    chemprot = suite_comparison.tasks["chemprot"]
    assert isinstance(chemprot, Comparison)
    one = chemprot.to_frame()
    assert len(one) == 1 and one.iloc[0]["difference"] == chemprot.difference


def test_to_frame_without_pandas_says_what_to_install(reports: dict[str, Report], models: ModelComparison,
                                                      suite_result: SuiteResult,
                                                      monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setitem(sys.modules, "pandas", None)   # import pandas raises ImportError
    for frame in (reports["medqa"].to_frame, reports["medqa"].items_frame, suite_result.to_frame, models.to_frame):
        with pytest.raises(MissingDependencyError, match=re.escape("pip install 'medmetrics[pandas]'")):
            frame()


def test_import_stays_light_with_the_result_classes() -> None:
    code = ("import sys, medmetrics\n"
            "from medmetrics.results import Report\n"
            "from medmetrics.aggregate.comparison import ModelComparison\n"
            "from medmetrics.aggregate.suites import SuiteResult\n"
            "assert 'pandas' not in sys.modules, 'pandas imported'\n")
    subprocess.run([sys.executable, "-c", code], check=True)


# --- repr ------------------------------------------------------------------------------------
def test_reprs_are_one_short_informative_line(reports: dict[str, Report], suite_result: SuiteResult,
                                              models: ModelComparison, suite_models: ModelComparison,
                                              suite_comparison: SuiteComparison) -> None:
    report = reports["medqa"]
    accuracy = report["accuracy"]
    assert accuracy.ci is not None
    interval = f"[{accuracy.ci.low:.3f}, {accuracy.ci.high:.3f}]"
    assert repr(report) == f"<Report medqa: accuracy={accuracy.value:.3f} {interval} n=10 failed=1>"
    assert repr(accuracy) == f"<MetricResult accuracy={accuracy.value:.3f} {interval} n=10 failed=1>"
    assert suite_result.ci is not None
    assert repr(suite_result) == (f"<SuiteResult blurb: average(groups)={suite_result.value:.3f} "
                                  f"[{suite_result.ci.low:.3f}, {suite_result.ci.high:.3f}] over 3 of 13 tasks>")
    assert repr(models) == ("<ModelComparison 3 models x 4 rows: baseline base-7b, paired_bootstrap, "
                            "Holm over 8 tests, 4 significant>")
    assert " on blurb:" in repr(suite_models)
    assert repr(suite_comparison).startswith("<SuiteComparison blue: ")
    scored = next(t for t in suite_result.tasks if t.status == "scored")
    missing = next(t for t in suite_result.tasks if t.status == "missing")
    assert repr(scored).startswith(f"<TaskScore {scored.task} ({scored.group}): {scored.headline}=")
    assert repr(missing) == f"<TaskScore {missing.task} ({missing.group}): missing: not in the run>"
    objects = [*reports.values(), *(r for report in reports.values() for r in report.values()), suite_result,
               *suite_result.tasks, models, suite_models, suite_comparison]
    for obj in objects:
        text = repr(obj)
        assert len(text) < 200 and "\n" not in text and "Parsed(" not in text, text
        assert text.startswith("<") and text.endswith(">")


def test_a_long_report_repr_names_three_results_and_counts_the_rest() -> None:
    result = MetricResult("f1", 0.5, 4, 1, ci=ConfidenceInterval(math.nan, 0.9, 0.95, "bootstrap-percentile"))
    report = Report({f"m{i}": result for i in range(5)}, tuple(Parsed("A", "ok") for _ in range(400)), task="t")
    assert repr(report) == "<Report t: m0=0.500 [nan, 0.900], m1=0.500 [nan, 0.900], m2=0.500 [nan, 0.900], " \
                           "+2 more n=400 failed=0>"
    assert repr(MetricResult("mse", 12345.678, 3)) == "<MetricResult mse=1.23e+04 n=3 failed=0>"


# --- from_dict -------------------------------------------------------------------------------
def round_trips(obj: Any, cls: Any, **options: Any) -> Any:
    data = obj.to_dict(**options)
    again = cls.from_dict(json.loads(json.dumps(data)))
    assert again.to_dict(**options) == data
    assert json.dumps(again.to_dict(**options)) == json.dumps(data)
    return again


@pytest.mark.parametrize("parsed", [
    Parsed("B", "ok", rule="answer-is", span=(10, 11), parser="choice@3"),
    Parsed(None, "ambiguous", reason="two answers", candidates=("A", "C")),
    Parsed(("A", "C"), "partial", reason="ignored: E", span=(0, 4)),
    Parsed(None, "failed", reason="no answer"),
    Parsed(2.5, "ok"),
])
def test_parsed_round_trips(parsed: Parsed) -> None:
    again = round_trips(parsed, Parsed)
    assert (again.status, again.span, again.candidates) == (parsed.status, parsed.span, parsed.candidates)


def test_intervals_results_and_comparisons_round_trip_nan_too(reports: dict[str, Report],
                                                              suite_comparison: SuiteComparison) -> None:
    for report in reports.values():
        for result in report.values():
            assert round_trips(result, MetricResult) == result
    undefined = ConfidenceInterval(math.nan, math.nan, 0.95, "bootstrap-percentile", 1000, 1)
    again = round_trips(undefined, ConfidenceInterval)
    assert math.isnan(again.low) and math.isnan(again.high)
    nan_result = MetricResult("pearson", math.nan, 3, components={"pearson": math.nan}, ci=undefined)
    assert math.isnan(round_trips(nan_result, MetricResult).value)
    for comparison in suite_comparison.tasks.values():
        if isinstance(comparison, Comparison):
            assert round_trips(comparison, Comparison) == comparison


def kept(report: Report) -> list[tuple[Any, ...]]:
    return [(p.status, p.reason, p.rule, p.span, p.candidates) for p in report.parsed]


def test_reports_round_trip_with_and_without_their_items(reports: dict[str, Report]) -> None:
    for report in reports.values():
        full = round_trips(report, Report, items=True)
        assert kept(full) == kept(report)
        assert full.stored_statuses is None and full.statuses == report.statuses
        summary = round_trips(report, Report)
        assert summary.parsed == () and summary.n == report.n and summary.statuses == report.statuses
        assert repr(summary) == repr(report)
    assert round_trips(reports["medqa"], Report, items=True) == reports["medqa"]   # letters: equal objects


def test_suite_results_round_trip(suite_result: SuiteResult) -> None:
    again = round_trips(suite_result, SuiteResult)
    assert again.suite.tasks == suite_result.suite.tasks and again.suite.groups == suite_result.suite.groups
    assert again.signature == suite_result.signature and again.averaged == suite_result.averaged
    assert repr(again) == repr(suite_result)
    for before, after in zip(suite_result.tasks, again.tasks):
        assert round_trips(before, TaskScore).to_dict() == after.to_dict()
        assert repr(after) == repr(before)
    assert again.to_frame().equals(suite_result.to_frame())
    registered = medmetrics.get_suite("blurb")
    assert SuiteResult.from_dict(suite_result.to_dict(), suite=registered).suite is registered
    with pytest.raises(InputError, match="not suite:blue"):
        SuiteResult.from_dict(suite_result.to_dict(), suite=medmetrics.get_suite("blue"))


def test_model_comparisons_round_trip(models: ModelComparison, suite_models: ModelComparison) -> None:
    again = round_trips(models, ModelComparison)
    assert again.suite is None and repr(again) == repr(models)   # (rows hold NaN p-values: compared by to_dict)
    assert again.to_frame().equals(models.to_frame())
    on_suite = round_trips(suite_models, ModelComparison)
    assert on_suite.suite == suite_models.suite   # the registered suite, found by its name and signature
    assert on_suite.to_frame().equals(suite_models.to_frame())


def test_comparisons_on_a_suite_of_ones_own_need_it(suite_comparison: SuiteComparison) -> None:
    again = round_trips(suite_comparison, SuiteComparison)
    assert again.suite == suite_comparison.suite and again.tasks == suite_comparison.tasks
    mine = Suite("mine", {"a": ("chemprot",), "b": ("biosses", "pubmedqa")}, "groups")
    runs = demo_models()
    compared = compare_suite(mine, runs["med-7b"], runs["base-7b"], catalog=default_catalog(), resamples=RESAMPLES)
    data = compared.to_dict()
    assert SuiteComparison.from_dict(data, suite=mine).suite is mine
    rebuilt = SuiteComparison.from_dict(data)   # not registered: its tasks in one group, the same signature
    assert rebuilt.to_dict() == data and rebuilt.suite.tasks == mine.tasks
    table = compare_models(runs, suite=mine.only(["chemprot", "biosses"]), resamples=RESAMPLES).to_dict()
    assert ModelComparison.from_dict(table).to_dict() == table
    with pytest.raises(InputError, match="pass suite="):
        ModelComparison.from_dict({**table, "signature": "suite:mine(average=groups,tasks=9)"})


def test_json_written_by_the_command_line_loads_back(capsys: pytest.CaptureFixture[str]) -> None:
    scored = run_cli(capsys, "score", DEMO / "medqa.jsonl", "--task", "medqa", "--ci", "--format", "json")
    assert Report.from_dict(scored["medqa"]).to_dict() == scored["medqa"]
    suite = run_cli(capsys, "score", "--suite", "blurb", DEMO_MODELS / "med-7b", "--ci", "--format", "json",
                    "--resamples", RESAMPLES)
    assert SuiteResult.from_dict(suite).to_dict() == suite
    table = run_cli(capsys, "compare", "--demo", "--format", "json", "--resamples", RESAMPLES)
    table.pop("title")
    assert ModelComparison.from_dict(table).to_dict() == table


# --- the same seed, the same interval --------------------------------------------------------
@pytest.mark.parametrize("seed", [None, 7])
def test_the_command_line_and_python_give_the_same_interval(capsys: pytest.CaptureFixture[str],
                                                            seed: int | None) -> None:
    generations, references, context = demo_items("medqa")
    options = [] if seed is None else ["--seed", seed, "--resamples", 500]
    data = run_cli(capsys, "score", DEMO / "medqa.jsonl", "--task", "medqa", "--ci", "--format", "json", *options)
    kwargs = {} if seed is None else {"seed": seed, "resamples": 500}
    report = medmetrics.evaluate("medqa", generations, references, context=context, ci=True, **kwargs)
    assert data["medqa"] == report.to_dict()
    ci = report["accuracy"].ci
    assert ci is not None and (ci.seed, ci.resamples) == ((12345, 1000) if seed is None else (7, 500))
    assert data["medqa"]["results"]["accuracy"]["ci"] == ci.to_dict()


def test_a_suite_gives_the_same_intervals_from_the_command_line_and_python(capsys: pytest.CaptureFixture[str],
                                                                           suite_result: SuiteResult) -> None:
    data = run_cli(capsys, "score", "--suite", "blurb", DEMO_MODELS / "med-7b", "--ci", "--format", "json",
                   "--resamples", RESAMPLES)
    assert suite_result.ci is not None
    assert data["ci"] == suite_result.ci.to_dict()
    for stored, score in zip(data["tasks"], suite_result.tasks):
        assert stored["result"] == (None if score.result is None else score.result.to_dict())


# --- the documentation -----------------------------------------------------------------------
def test_the_python_api_page_runs() -> None:
    page = (ROOT / "docs" / "python-api.md").read_text(encoding="utf-8")
    blocks = re.findall(r"^```python\n(.*?)^```", page, flags=re.MULTILINE | re.DOTALL)
    assert len(blocks) >= 4
    namespace: dict[str, Any] = {}
    exec(compile("\n".join(blocks), "docs/python-api.md", "exec"), namespace)
    report, result, comparison = namespace["report"], namespace["result"], namespace["comparison"]
    for obj in (report, report["accuracy"], result, comparison):   # the page shows each repr as the code gives it
        assert f"# {obj!r}" in page, repr(obj)
