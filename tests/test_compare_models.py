"""Several models against a baseline: ``medmetrics compare A B C``, ``compare ROOT``, ``compare --demo``
and ``compare_models``: one column per model, paired tests against the baseline, Holm-adjusted
p-values over the table, in text, Markdown, CSV, JSON and LaTeX.

Holm is checked against statsmodels (``multipletests(method="holm")``), by hand and by its
properties; McNemar's p-values in the table against scipy's exact binomial test, approximate
randomization against scipy's exact paired permutation test; each model's value and interval
against ``score`` of that model alone.
"""

from __future__ import annotations

import csv
import io
import json
import math
import re
import sys
from pathlib import Path

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from scipy import stats as scipy_stats

from cli_helpers import run_cli as run
from medmetrics.aggregate.comparison import (
    DEMO_MODEL_TASKS,
    ModelComparison,
    compare_models,
    compare_task,
    demo_models,
    name_models,
)
from medmetrics.aggregate.significance import holm
from medmetrics.aggregate.suites import resolve_task, score_suite, score_task
from medmetrics.errors import InputError
from medmetrics.inputs.run import TaskRun
from medmetrics.plugins import default_catalog
from medmetrics.report.suites import MARK, MODEL_FORMATS, latex_escape, render_models
from medmetrics.results import Comparison

ROOT = Path(__file__).resolve().parents[1]
DEMO = ROOT / "src" / "medmetrics" / "data" / "demo_models"
RESAMPLES = "200"


@pytest.fixture(scope="module")
def demo() -> ModelComparison:
    return compare_models(demo_models(), tasks=DEMO_MODEL_TASKS, resamples=200)


# --- Holm ------------------------------------------------------------------------------------
def test_holm_hand_worked_example() -> None:
    # sorted: 0.005 x 4 = 0.02, 0.01 x 3 = 0.03, 0.03 x 2 = 0.06, 0.04 x 1 = 0.04 -> max(0.06, 0.04)
    assert holm([0.01, 0.04, 0.03, 0.005]) == pytest.approx([0.03, 0.06, 0.06, 0.02])
    assert holm([0.5, 0.6]) == pytest.approx([1.0, 1.0])  # capped at 1
    assert holm([]).size == 0
    adjusted = holm([0.01, float("nan"), 0.02])  # a comparison with no test is not in the family
    assert adjusted[0] == pytest.approx(0.02) and math.isnan(adjusted[1]) and adjusted[2] == pytest.approx(0.02)
    with pytest.raises(InputError, match=r"\[0, 1\]"):
        holm([0.2, 1.5])


@pytest.mark.parametrize("seed", range(6))
def test_holm_equals_statsmodels(seed: int) -> None:
    multitest = pytest.importorskip("statsmodels.stats.multitest")
    rng = np.random.default_rng(seed)
    p = rng.uniform(0, 0.2, size=int(rng.integers(1, 30)))
    p[: len(p) // 3] = p[0]  # ties
    p = np.round(rng.permutation(p), 3)
    assert np.allclose(holm(p), multitest.multipletests(p, method="holm")[1], rtol=0, atol=1e-12)


@settings(max_examples=200, deadline=None)
@given(st.lists(st.floats(0, 1, allow_nan=False), min_size=1, max_size=25))
def test_holm_properties(p: list[float]) -> None:
    raw = np.array(p)
    adjusted = holm(raw)
    assert np.all(adjusted >= raw - 1e-15) and np.all(adjusted <= 1)
    order = np.argsort(raw, kind="stable")
    assert np.all(np.diff(adjusted[order]) >= -1e-15)  # monotone in the raw p-values
    smallest = int(np.argmin(raw))
    assert adjusted[smallest] == pytest.approx(min(1.0, len(p) * raw[smallest]))  # the first step is Bonferroni
    assert np.all(adjusted <= np.minimum(1, len(p) * raw) + 1e-15)  # never above Bonferroni
    assert holm(raw[:1])[0] == pytest.approx(raw[0])  # one test: Holm = Bonferroni = the raw p


# --- the table in Python -----------------------------------------------------------------------
def test_compare_models_python(demo: ModelComparison) -> None:
    assert demo.models == ("base-7b", "med-7b", "med-7b-chat") and demo.baseline == "base-7b"
    assert [r.task for r in demo.rows] == list(DEMO_MODEL_TASKS)
    assert demo.family == len(DEMO_MODEL_TASKS) * 2
    for row in demo.rows:
        base = row.cells["base-7b"]
        assert base.test is None and math.isnan(base.p_holm) and not base.significant  # the baseline has no test
        for model in ("med-7b", "med-7b-chat"):
            test = row.cells[model].test
            assert isinstance(test, Comparison)
            # the same values (paired and alone: equal up to summation order, for Pearson)
            assert test.value_a == pytest.approx(row.cells[model].value, abs=1e-12)
            assert test.value_b == pytest.approx(base.value, abs=1e-12)
            assert test.difference == pytest.approx(row.cells[model].value - base.value)


def test_holm_over_the_whole_table_and_marks(demo: ModelComparison) -> None:
    cells = [row.cells[m] for row in demo.rows for m in demo.models[1:]]
    raw = [c.test.p_value for c in cells if c.test is not None]
    assert [c.p_holm for c in cells] == pytest.approx(list(holm(raw)))
    assert all(c.significant == (c.p_holm < 0.05) for c in cells)
    assert any(c.significant for c in cells) and not all(c.significant for c in cells)
    # each raw p-value is the pair's own test, as compare_task gives it for the two runs alone
    runs = demo_models()
    alone, _ = compare_task("pubmedqa", runs["med-7b"]["pubmedqa"], runs["base-7b"]["pubmedqa"],
                            catalog=default_catalog(), method="paired_bootstrap", resamples=200, seed=12345, level=0.95)
    assert demo.rows[1].cells["med-7b"].test == alone


def test_each_models_numbers_equal_score_alone(demo: ModelComparison, capsys) -> None:
    catalog = default_catalog()
    runs = demo_models()
    for row in demo.rows:
        task = resolve_task(row.task, catalog)
        assert not isinstance(task, str)
        for model, cell in row.cells.items():
            alone = score_task(task, "", runs[model][row.task], catalog=catalog, ci=0.95, resamples=200, seed=12345)
            assert alone.result is not None
            assert (cell.value, cell.ci, cell.n, cell.n_failed) == (alone.result.value, alone.result.ci,
                                                                    alone.result.n, alone.result.n_failed)
    # and as the command line scores one model's folder
    code, out, err = run(capsys, "score", DEMO / "med-7b", "--task", "chemprot", "--ci", "--resamples", "200",
                         "--format", "json")
    assert code == 0, err
    result = json.loads(out)["chemprot"]["results"]["f1"]
    cell = demo.rows[2].cells["med-7b"]
    assert result["value"] == cell.value and (result["ci"]["low"], result["ci"]["high"]) == (cell.ci.low, cell.ci.high)


def test_suite_rows_and_average_equal_score_suite() -> None:
    catalog = default_catalog()
    blurb = catalog.suites.get("blurb").obj
    models = demo_models()
    result = compare_models(models, suite=blurb, resamples=200, catalog=catalog)
    assert [r.task for r in result.rows] == ["chemprot", "biosses", "pubmedqa", "blurb average"]
    assert any("in no model's run" in n and "hoc" in n for n in result.notes)
    average = result.rows[-1]
    assert average.kind == "average" and result.family == 8  # 3 tasks + the average, x 2 models
    for model, cell in average.cells.items():
        alone = score_suite(blurb, models[model], catalog=catalog, ci=0.95, resamples=200, seed=12345)
        assert (cell.value, cell.ci) == (alone.value, alone.ci)
    assert average.cells["med-7b"].test is not None and average.cells["med-7b"].test.ci is not None


def test_mcnemar_p_values_equal_scipy_binomtest() -> None:
    runs = demo_models()
    result = compare_models(runs, tasks=["medqa", "pubmedqa"], method="mcnemar")
    catalog = default_catalog()
    for row in result.rows:
        task = resolve_task(row.task, catalog)
        assert not isinstance(task, str)
        parser_scores = {m: score_task(task, "", runs[m][row.task], catalog=catalog, ci=False, resamples=10,
                                       seed=1) for m in result.models}
        gold = parser_scores["base-7b"].report
        assert gold is not None
        right = {}
        for model, score in parser_scores.items():
            assert score.report is not None
            references = [str(r) for r in runs[model][row.task].references]
            right[model] = np.array([p.status == "ok" and str(p.value) == ref
                                     for p, ref in zip(score.report.parsed, references)])
        for model in result.models[1:]:
            only_model = int(np.sum(right[model] & ~right["base-7b"]))
            only_base = int(np.sum(right["base-7b"] & ~right[model]))
            expected = scipy_stats.binomtest(only_model, only_model + only_base, 0.5).pvalue
            assert row.cells[model].test.p_value == pytest.approx(expected, abs=1e-12)


def test_approximate_randomization_agrees_with_scipy_exact_permutation_test() -> None:
    gold = ["yes", "no", "maybe", "yes", "no", "yes", "yes", "no", "maybe", "yes", "no", "yes", "no", "yes"]
    a = ["yes", "no", "maybe", "yes", "no", "yes", "yes", "no", "no", "yes", "yes", "yes", "no", "yes"]
    b = ["no", "no", "yes", "yes", "maybe", "yes", "no", "no", "no", "yes", "yes", "no", "no", "yes"]
    models = {name: {"pubmedqa": TaskRun("pubmedqa", answers, gold)} for name, answers in (("b", b), ("a", a))}
    result = compare_models(models, tasks=["pubmedqa"], method="approximate_randomization", resamples=20000)
    ours = result.rows[0].cells["a"].test.p_value
    right_a = np.array([x == g for x, g in zip(a, gold)], float)
    right_b = np.array([x == g for x, g in zip(b, gold)], float)
    exact = scipy_stats.permutation_test((right_a, right_b), lambda x, y: np.mean(x) - np.mean(y),
                                         permutation_type="samples", n_resamples=np.inf).pvalue
    assert ours == pytest.approx(exact, abs=0.015)


# --- the command line --------------------------------------------------------------------------
def test_three_runs_every_format_parses(capsys) -> None:
    runs = [DEMO / "base-7b", DEMO / "med-7b", DEMO / "med-7b-chat"]
    outputs = {}
    for fmt in MODEL_FORMATS:
        code, out, err = run(capsys, "compare", *runs, "--task", "pubmedqa,chemprot", "--resamples", RESAMPLES,
                             "--format", fmt)
        assert code == 0, err
        outputs[fmt] = out
    data = json.loads(outputs["json"])
    assert data["models"] == ["base-7b", "med-7b", "med-7b-chat"] and data["baseline"] == "base-7b"
    assert data["correction"]["method"] == "holm" and data["correction"]["family_size"] == 4
    assert [r["task"] for r in data["rows"]] == ["pubmedqa", "chemprot"]
    assert all(r["models"]["base-7b"]["test"] is None for r in data["rows"])
    tested = data["rows"][0]["models"]["med-7b"]["test"]
    assert set(tested) >= {"p_value", "p_holm", "significant", "difference", "ci"}

    rows = list(csv.DictReader(io.StringIO(outputs["csv"])))
    assert len(rows) == 2 * 3 and {r["model"] for r in rows} == {"base-7b", "med-7b", "med-7b-chat"}
    for r in rows:
        is_baseline = r["model"] == "base-7b"
        assert (r["p_holm"] == "") == is_baseline and (r["baseline"] == "True") == is_baseline
        json_cell = next(x for x in data["rows"] if x["task"] == r["task"])["models"][r["model"]]
        assert float(r["value"]) == pytest.approx(json_cell["value"]) and int(r["n"]) == json_cell["n"]

    text = outputs["text"]
    assert "med-7b-chat" in text and "p (Holm)" in text and "Holm over the 4 paired tests" in text
    assert f"{MARK}: Holm-adjusted p < 0.05" in text
    table = [line for line in outputs["markdown"].splitlines() if line.startswith("|")]
    assert len(table) == 2 + 2 and all(line.count("|") == table[0].count("|") for line in table)

    latex = outputs["latex"]
    assert_latex_tabular(latex, columns=2 + 2 + 3 * 2, rows=2)


def assert_latex_tabular(latex: str, columns: int, rows: int) -> None:
    body = [line for line in latex.splitlines() if not line.startswith("%")]
    source = "\n".join(body)
    assert body[0].startswith(r"\begin{tabular}{") and body[-1] == r"\end{tabular}"
    assert r"\toprule" in source and r"\midrule" in source and r"\bottomrule" in source
    unescaped = re.sub(r"\\[{}]", "", source)
    assert unescaped.count("{") == unescaped.count("}")
    text = re.sub(r"\$[^$]*\$", "", source)  # math: $^{\dagger}$, $p_{\mathrm{Holm}}$
    text = re.sub(r"\\[&%#_{}$]", "", text.replace(" & ", " "))  # escaped characters, column separators
    assert re.search(r"[&%#_$^~]", text) is None, "an unescaped special character"
    lines = [line for line in body if line.endswith(r"\\")]
    assert len(lines) == 2 + rows  # the two header lines and the rows
    for line in lines[1:]:
        assert line.count(" & ") == columns - 1


def test_latex_escapes_model_and_task_names(tmp_path: Path, capsys) -> None:
    gold = ["yes", "no", "maybe", "yes"]
    names = ["org__model_a", "b&c 50%", "x#1 {y}"]
    for name, answers in zip(names, (gold, ["yes", "no", "no", "no"], ["no", "no", "maybe", "yes"])):
        folder = tmp_path / "root" / name
        folder.mkdir(parents=True)
        (folder / "pubmedqa.jsonl").write_text("".join(json.dumps({"generation": a, "reference": g}) + "\n"
                                                       for a, g in zip(answers, gold)), encoding="utf-8")
    code, latex, err = run(capsys, "compare", tmp_path / "root", "--task", "pubmedqa", "--resamples", "50",
                           "--format", "latex", "--baseline", "org__model_a")
    assert code == 0, err
    assert r"org\_\_model\_a (baseline)" in latex and r"b\&c 50\%" in latex and r"x\#1 \{y\}" in latex
    assert_latex_tabular(latex, columns=10, rows=1)
    assert latex_escape("a\\b~c^d<e") == r"a\textbackslash{}b\textasciitilde{}c\textasciicircum{}d\textless{}e"


def test_a_root_with_several_models_compares_them_all(tmp_path: Path, capsys) -> None:
    gold = ["yes", "no", "maybe", "yes", "no", "yes"]
    answers = {"model-a": gold, "model-b": ["yes", "no", "no", "yes", "no", "no"], "model-c": ["no"] * 6}
    predictions = tmp_path / "outputs" / "default" / "20260105_101112" / "predictions"
    for model, said in answers.items():  # OpenCompass's layout
        (predictions / model).mkdir(parents=True)
        items = {str(i): {"origin_prompt": f"q{i}", "prediction": a, "gold": g}
                 for i, (a, g) in enumerate(zip(said, gold))}
        (predictions / model / "PubMedQA.json").write_text(json.dumps(items), encoding="utf-8")
    code, out, err = run(capsys, "compare", tmp_path / "outputs", "--task", "pubmedqa", "--task-map",
                         "PubMedQA=pubmedqa", "--resamples", "50", "--format", "json")
    assert code == 0, err
    data = json.loads(out)
    assert data["models"] == ["model-a", "model-b", "model-c"]
    values = {m: c["value"] for m, c in data["rows"][0]["models"].items()}
    assert values == {"model-a": 1.0, "model-b": pytest.approx(4 / 6), "model-c": pytest.approx(2 / 6)}
    # --model picks some of them; --baseline another
    code, out, err = run(capsys, "compare", predictions, "--task", "pubmedqa", "--task-map", "PubMedQA=pubmedqa",
                         "--model", "model-c", "--model", "model-a", "--resamples", "50", "--format", "json")
    assert code == 0, err
    assert json.loads(out)["models"] == ["model-c", "model-a"]
    code, out, _ = run(capsys, "compare", predictions, "--task", "pubmedqa", "--task-map", "PubMedQA=pubmedqa",
                       "--baseline", "model-b", "--resamples", "50", "--format", "json")
    assert json.loads(out)["models"] == ["model-b", "model-a", "model-c"]


def test_fewer_than_two_models_is_a_clear_error(capsys) -> None:
    code, _, err = run(capsys, "compare", DEMO / "med-7b", "--task", "pubmedqa")
    assert code == 2 and "two or more" in err and "med-7b" in err
    code, _, err = run(capsys, "compare", DEMO, "--model", "med-7b", "--task", "pubmedqa")
    assert code == 2 and "two or more" in err
    code, _, err = run(capsys, "compare", "--task", "pubmedqa")
    assert code == 2 and "two or more runs" in err
    with pytest.raises(InputError, match="two or more"):
        compare_models({"only": demo_models()["med-7b"]}, tasks=["pubmedqa"])


def test_baseline_by_name_or_path_and_errors(capsys) -> None:
    runs = [DEMO / "base-7b", DEMO / "med-7b", DEMO / "med-7b-chat"]
    code, out, err = run(capsys, "compare", *runs, "--task", "pubmedqa", "--baseline", DEMO / "med-7b",
                         "--resamples", "50", "--format", "json")
    assert code == 0, err
    assert json.loads(out)["baseline"] == "med-7b"
    assert json.loads(out)["models"] == ["med-7b", "base-7b", "med-7b-chat"]
    code, _, err = run(capsys, "compare", *runs, "--task", "pubmedqa", "--baseline", "nope")
    assert code == 2 and "--baseline 'nope' is none of the models" in err and "med-7b-chat" in err
    code, _, err = run(capsys, "compare", *runs, "--task", "nope")
    assert code == 2 and "nope" in err
    with pytest.raises(SystemExit):  # argparse: exit code 2, the choices listed
        run(capsys, "compare", *runs, "--task", "pubmedqa", "--format", "html")
    assert "invalid choice: 'html'" in capsys.readouterr().err
    with pytest.raises(InputError, match="unknown format 'html'"):
        render_models(compare_models(demo_models(), tasks=["pubmedqa"], resamples=20), "html")


def test_two_runs_keep_the_classic_table_unless_asked(capsys) -> None:
    two = [DEMO / "base-7b", DEMO / "med-7b"]
    _, classic, _ = run(capsys, "compare", *two, "--task", "pubmedqa", "--resamples", "50")
    assert "(A) against" in classic and "A - B" in classic
    _, table, _ = run(capsys, "compare", *two, "--task", "pubmedqa", "--resamples", "50", "--baseline", "base-7b")
    assert "base-7b (baseline)" in table and "p (Holm)" in table
    _, csv_text, _ = run(capsys, "compare", *two, "--task", "pubmedqa", "--resamples", "50", "--format", "csv")
    assert len(list(csv.DictReader(io.StringIO(csv_text)))) == 2


def test_duplicate_names_are_told_apart() -> None:
    run_ = {"pubmedqa": TaskRun("pubmedqa", ["yes"], ["yes"])}
    names = name_models([("out1", {"org__m": run_}), ("out2", {"org__m": run_}), ("x", {"other": run_})])
    assert list(names) == ["org__m (out1)", "org__m (out2)", "other"]
    names = name_models([("out1", {"org__m": run_}), ("out1", {"org__m": run_})])
    assert list(names) == ["org__m (out1) #1", "org__m (out1) #2"]
    with pytest.raises(InputError, match="pick one with --model"):
        name_models([("a", {"m1": run_, "m2": run_}), ("b", {"m3": run_})])
    assert list(name_models([("a", {"m1": run_, "m2": run_}), ("b", {"m3": run_})], ["m2"])) == ["m2", "m3"]


# --- the bundled demo, the README -----------------------------------------------------------------
def test_demo_command_and_readme_table(capsys) -> None:
    code, out, err = run(capsys, "compare", "--demo", "--format", "markdown")
    assert code == 0, err
    printed = [line for line in out.splitlines() if line.startswith("|")]
    assert len(printed) == 2 + len(DEMO_MODEL_TASKS)
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    section = readme.split("## Comparing models", 1)[1].split("\n## ", 1)[0]
    assert "medmetrics compare --demo --format markdown" in section
    shown = [line for line in section.splitlines() if line.startswith("|")]
    assert shown == printed, "README's table is stale: paste `medmetrics compare --demo --format markdown`"
    assert MARK in out


def test_bundled_demo_data_is_what_the_script_writes() -> None:
    sys.path.insert(0, str(ROOT / "benchmarks"))
    try:
        import make_demo_models
    finally:
        sys.path.remove(str(ROOT / "benchmarks"))
    assert make_demo_models.main(["--check"]) == 0
    models = demo_models()
    assert list(models) == ["base-7b", "med-7b", "med-7b-chat"]
    assert {len(models[m][t].references) for m in models for t in DEMO_MODEL_TASKS} == {100, 160, 200}
