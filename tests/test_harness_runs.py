"""Harness output folders as the harnesses write them: lm-eval 0.4.x (``<output>/<model>/samples_<task>_<date>.jsonl``,
written here by lm-eval's own ``EvaluationTracker``) and OpenCompass (``<time>/predictions/<model>/<dataset>.json``):
every model kept apart, the latest run per task or ``--run``, nothing recognized is an error, and log-likelihood
(``multiple_choice``) samples scored as lm-eval scores them (acc, acc_norm, equal to lm-eval's own
``process_results`` on the same numbers), with the expected calibration error.
"""

from __future__ import annotations

import copy
import json
import math
from pathlib import Path
from types import SimpleNamespace
from typing import Any

import numpy as np
import pytest

import medmetrics
from cli_helpers import run_cli
from medmetrics.aggregate.loglikelihood import ExpectedCalibrationError
from medmetrics.errors import InputError
from medmetrics.inputs.adapters import load_run, load_runs

lm_eval = pytest.importorskip("lm_eval")
from lm_eval.api.task import ConfigurableTask  # noqa: E402
from lm_eval.loggers.evaluation_tracker import EvaluationTracker  # noqa: E402

YES_NO_MAYBE = ["yes", "no", "maybe"]


# --- writing runs as lm-eval writes them --------------------------------------------------------
def write_lm_eval_run(out: Path, model: str, tasks: dict[str, list[dict[str, Any]]],
                      configs: dict[str, Any] | None = None, results: dict[str, Any] | None = None) -> str:
    """One lm-eval run of ``model`` (``--model_args pretrained=<model>``) into ``out``, written by lm-eval's
    own tracker: ``out/<sanitized model>/results_<date>.json`` and ``samples_<task>_<date>.jsonl``. Returns the date."""
    tracker = EvaluationTracker(output_path=str(out))
    tracker.general_config_tracker.log_experiment_args(
        model_source="hf", model_args=f"pretrained={model}", system_instruction=None, chat_template=None,
        fewshot_as_multiturn=False)
    tracker.save_results_aggregated(results={"results": results or {}, "configs": configs or {}}, samples=None)
    for task, samples in tasks.items():
        tracker.save_results_samples(task, copy.deepcopy(samples))
    return tracker.date_id


def generated_samples(answers: list[str], gold: list[str]) -> list[dict[str, Any]]:
    """``generate_until`` samples as lm-eval's evaluator logs them (before the tracker sanitizes them)."""
    return [{"doc_id": i, "doc": {"QUESTION": f"q{i}", "final_decision": g}, "target": g,
             "arguments": [(f"Question: q{i}\nAnswer:", {"until": ["\n\n"], "do_sample": False})],
             "resps": [[a]], "filtered_resps": [a], "filter": "none", "metrics": ["exact_match"],
             "doc_hash": "d", "prompt_hash": "p", "target_hash": "t", "exact_match": float(a == g)}
            for i, (a, g) in enumerate(zip(answers, gold))]


def lm_eval_metrics(choices: list[str], gold: Any, lls: list[float]) -> dict[str, float]:
    """lm-eval's own ``ConfigurableTask.process_results`` for a multiple_choice document."""
    fake = SimpleNamespace(
        config=SimpleNamespace(process_results=None), OUTPUT_TYPE="multiple_choice",
        _metric_fn_list={"acc": None, "acc_norm": None}, doc_to_choice=lambda doc: choices,
        doc_to_target=lambda doc: gold, doc_to_text=lambda doc: "", multiple_input=False, multiple_target=False)
    greedy = [ll == max(lls) for ll in lls]
    return ConfigurableTask.process_results(fake, {}, list(zip(lls, greedy)))


def mc_samples(choices: list[list[str]] | list[str], gold: list[Any], lls: list[list[float]],
               delimiter: str = " ") -> list[dict[str, Any]]:
    """``multiple_choice`` samples as lm-eval's evaluator logs them: one loglikelihood request per
    choice (continuation = delimiter + choice), its (ll, is_greedy), and lm-eval's acc/acc_norm."""
    out = []
    for i, (target, item_lls) in enumerate(zip(gold, lls)):
        item_choices = choices[i] if isinstance(choices[0], list) else choices
        pairs = [(ll, ll == max(item_lls)) for ll in item_lls]
        metrics = lm_eval_metrics(list(item_choices), target, item_lls)
        out.append({"doc_id": i, "doc": {"question": f"q{i}", "options": list(item_choices)}, "target": target,
                    "arguments": [(f"Question: q{i}\nAnswer:", f"{delimiter}{c}") for c in item_choices],
                    "resps": [[p] for p in pairs], "filtered_resps": pairs, "filter": "none",
                    "metrics": list(metrics), "doc_hash": "d", "prompt_hash": "p", "target_hash": "t", **metrics})
    return out


def random_lls(rng: np.random.Generator, n: int, k: int) -> list[list[float]]:
    return [[float(x) for x in rng.normal(-3.0, 1.5, size=k)] for _ in range(n)]


GOLD = ["yes", "no", "maybe", "no", "yes", "maybe", "no", "yes"]
MODEL_A = ["yes", "no", "maybe", "no", "yes", "maybe", "no", "yes"]  # 8/8
MODEL_B = ["no", "no", "yes", "no", "no", "maybe", "yes", "yes"]  # 4/8


@pytest.fixture
def two_models(tmp_path: Path) -> Path:
    out = tmp_path / "lm_eval_out"
    write_lm_eval_run(out, "org/model-a", {"pubmedqa": generated_samples(MODEL_A, GOLD)})
    write_lm_eval_run(out, "org/model-b", {"pubmedqa": generated_samples(MODEL_B, GOLD)})
    return out


# --- 1. run folders: lm-eval ------------------------------------------------------------------
def test_lm_eval_layout_is_lm_evals_own(two_models: Path) -> None:
    folders = sorted(p.name for p in two_models.iterdir())
    assert folders == ["org__model-a", "org__model-b"]  # lm-eval's sanitized model names
    files = sorted(p.name for p in (two_models / "org__model-a").iterdir())
    assert files[0].startswith("results_") and files[1].startswith("samples_pubmedqa_")
    models = load_runs(two_models)
    assert set(models) == {"org__model-a", "org__model-b"}
    assert list(models["org__model-b"]["pubmedqa"].generations) == MODEL_B


def test_two_models_are_each_scored_not_one_silently(two_models: Path, capsys) -> None:
    # used to score one model's folder and drop the other with no warning
    code, out, err = run_cli(capsys, "score", "--suite", "blurb", two_models, "--format", "json")
    assert code == 0, err
    data = json.loads(out)
    assert set(data) == {"org__model-a", "org__model-b"}
    value = {m: next(t for t in d["tasks"] if t["task"] == "pubmedqa")["result"] for m, d in data.items()}
    assert value["org__model-a"]["value"] == 1.0 and value["org__model-b"]["value"] == 0.5
    assert value["org__model-a"]["n"] == value["org__model-b"]["n"] == 8
    assert data["org__model-b"]["model"] == "org__model-b"
    _, text, _ = run_cli(capsys, "score", "--suite", "blurb", two_models)
    assert "model: org__model-a" in text and "model: org__model-b" in text
    code, out, _ = run_cli(capsys, "score", "--suite", "blurb", two_models, "--model", "org__model-b",
                           "--format", "json")
    assert code == 0 and json.loads(out)["model"] == "org__model-b"  # one model: one table, as before


def test_where_one_model_is_expected_the_error_lists_them(two_models: Path, capsys) -> None:
    code, _, err = run_cli(capsys, "compare", two_models, two_models, "--task", "pubmedqa")
    assert code == 2 and "2 models (org__model-a, org__model-b)" in err and "--model NAME" in err
    code, _, err = run_cli(capsys, "score", two_models, "--task", "pubmedqa")
    assert code == 2 and "--model NAME" in err
    with pytest.raises(InputError, match="org__model-a, org__model-b"):
        load_run(two_models)
    code, out, err = run_cli(capsys, "compare", two_models, two_models, "--task", "pubmedqa", "--model",
                             "org__model-a", "--model", "org__model-b", "--format", "json")
    assert code == 0, err
    result = json.loads(out)["pubmedqa"]
    assert result["value_a"] == 1.0 and result["value_b"] == 0.5
    code, out, err = run_cli(capsys, "score", two_models, "--task", "pubmedqa", "--model", "org__model-b",
                             "--format", "json")
    assert code == 0 and json.loads(out)["pubmedqa"]["results"]["accuracy"]["value"] == 0.5


def test_latest_run_per_task_and_run_picks_another(tmp_path: Path, capsys) -> None:
    out = tmp_path / "out"
    first = write_lm_eval_run(out, "org/model-a", {"pubmedqa": generated_samples(MODEL_B, GOLD)})
    second = write_lm_eval_run(out, "org/model-a", {"pubmedqa": generated_samples(MODEL_A, GOLD)})
    assert first < second
    assert list(load_run(out)["pubmedqa"].generations) == MODEL_A  # the latest
    assert list(load_run(out, run=first)["pubmedqa"].generations) == MODEL_B
    assert list(load_run(out, run=first.replace("-", ":")[:10] + first[10:])["pubmedqa"].generations) == MODEL_B
    code, text, err = run_cli(capsys, "score", "--suite", "blurb", out, "--run", first, "--format", "json")
    assert code == 0, err
    pubmedqa = next(t for t in json.loads(text)["tasks"] if t["task"] == "pubmedqa")
    assert pubmedqa["result"]["value"] == 0.5 and pubmedqa["source"].endswith(f"samples_pubmedqa_{first}.jsonl")
    code, _, err = run_cli(capsys, "score", "--suite", "blurb", out, "--model", "org__nope")
    assert code == 2 and "has no model 'org__nope'; it has: org__model-a" in err
    code, _, err = run_cli(capsys, "score", "--suite", "blurb", out, "--run", "1999-01-01")
    assert code == 2 and "no lm-eval run of date '1999-01-01'" in err and first in err and second in err


def test_a_folder_with_nothing_recognized_is_an_error(tmp_path: Path, capsys) -> None:
    empty = tmp_path / "empty"
    empty.mkdir()
    code, _, err = run_cli(capsys, "score", "--suite", "blurb", empty)
    assert code == 2 and "no .jsonl, .json or .csv files" in err
    code, _, err = run_cli(capsys, "score", "--suite", "blurb", empty, "--adapter", "lm_eval")
    assert code == 2 and "no lm-eval samples files" in err
    no_samples = tmp_path / "no_samples" / "org__m"
    no_samples.mkdir(parents=True)
    (no_samples / "results_2026-01-05T10-11-12.123456.json").write_text('{"results": {}}', encoding="utf-8")
    code, _, err = run_cli(capsys, "score", "--suite", "blurb", no_samples.parent)
    assert code == 2 and "--log_samples" in err
    unknown = tmp_path / "unknown"
    write_lm_eval_run(unknown, "org/m", {"my_own_task": generated_samples(MODEL_A, GOLD)})
    code, _, err = run_cli(capsys, "score", "--suite", "blurb", unknown)
    assert code == 2 and "none of its tasks (my_own_task) is a medmetrics task" in err and "--task-map" in err


# --- 1. run folders: OpenCompass ----------------------------------------------------------------
def write_opencompass(folder: Path, answers: list[str], gold: list[str]) -> None:
    folder.mkdir(parents=True, exist_ok=True)
    items = {str(i): {"origin_prompt": f"q{i}", "prediction": a, "gold": g}
             for i, (a, g) in enumerate(zip(answers, gold))}
    (folder / "PubMedQA.json").write_text(json.dumps(items), encoding="utf-8")


def test_opencompass_models_are_kept_apart_not_pooled(tmp_path: Path, capsys) -> None:
    # used to pool both models into one task: n 16, the mean of the two models
    predictions = tmp_path / "outputs" / "default" / "20260105_101112" / "predictions"
    write_opencompass(predictions / "model-a", MODEL_A, GOLD)
    write_opencompass(predictions / "model-b", MODEL_B, GOLD)
    for root in (predictions, tmp_path / "outputs"):
        code, out, err = run_cli(capsys, "score", "--suite", "blurb", root, "--task-map", "PubMedQA=pubmedqa",
                                 "--format", "json")
        assert code == 0, err
        data = json.loads(out)
        result = {m: next(t for t in d["tasks"] if t["task"] == "pubmedqa")["result"] for m, d in data.items()}
        assert {m: (r["n"], r["value"]) for m, r in result.items()} == {"model-a": (8, 1.0), "model-b": (8, 0.5)}
    code, _, err = run_cli(capsys, "compare", predictions, predictions / "model-a", "--task", "pubmedqa",
                           "--task-map", "PubMedQA=pubmedqa")
    assert code == 2 and "model-a, model-b" in err and "--model NAME" in err
    assert set(load_run(predictions / "model-b", task_map={"PubMedQA": "pubmedqa"})) == {"pubmedqa"}


def test_opencompass_latest_time_stamped_run_and_run_option(tmp_path: Path) -> None:
    outputs = tmp_path / "outputs" / "default"
    write_opencompass(outputs / "20260105_101112" / "predictions" / "model-a", MODEL_B, GOLD)
    write_opencompass(outputs / "20260106_090000" / "predictions" / "model-a", MODEL_A, GOLD)
    (outputs / "20260106_090000" / "results" / "model-a").mkdir(parents=True)  # OpenCompass's own scores: not read
    (outputs / "20260106_090000" / "results" / "model-a" / "PubMedQA.json").write_text('{"accuracy": 100.0}')
    assert list(load_run(outputs)["pubmedqa"].generations) == MODEL_A
    assert list(load_run(outputs, run="20260105")["pubmedqa"].generations) == MODEL_B
    with pytest.raises(InputError, match=r"no OpenCompass run '2027'.*20260105_101112, 20260106_090000"):
        load_run(outputs, run="2027")


def test_generic_folder_of_model_folders(tmp_path: Path, capsys) -> None:
    for model, answers in (("model-a", MODEL_A), ("model-b", MODEL_B)):
        (tmp_path / model).mkdir()
        (tmp_path / model / "pubmedqa.jsonl").write_text(
            "".join(json.dumps({"generation": a, "reference": g}) + "\n" for a, g in zip(answers, GOLD)))
    code, out, err = run_cli(capsys, "score", "--suite", "blurb", tmp_path, "--format", "json")
    assert code == 0, err
    assert {m: next(t for t in d["tasks"] if t["task"] == "pubmedqa")["result"]["value"]
            for m, d in json.loads(out).items()} == {"model-a": 1.0, "model-b": 0.5}


# --- 2. log-likelihood samples ------------------------------------------------------------------
def ll_run(tmp_path: Path, n: int = 60, seed: int = 7) -> tuple[Path, dict[str, list[dict[str, Any]]]]:
    """pubmedqa (choices yes/no/maybe, text target), medqa_4options (letters, index target), medmcqa (letters,
    cop) and a medqa variant whose choices are option texts of different lengths (acc_norm moves)."""
    rng = np.random.default_rng(seed)
    texts = [["β-blocker therapy", "ACE inhibitor", "no treatment at all, observe", "ß"] for _ in range(n)]
    tasks = {
        "pubmedqa": mc_samples(YES_NO_MAYBE, [YES_NO_MAYBE[i] for i in rng.integers(0, 3, n)], random_lls(rng, n, 3)),
        "medqa_4options": mc_samples(list("ABCD"), [int(i) for i in rng.integers(0, 4, n)], random_lls(rng, n, 4)),
        "medmcqa": mc_samples(list("ABCD"), [int(i) for i in rng.integers(0, 4, n)], random_lls(rng, n, 4)),
        "medqa_texts": mc_samples(texts, [int(i) for i in rng.integers(0, 4, n)], random_lls(rng, n, 4)),
    }
    out = tmp_path / "lm_eval_out"
    write_lm_eval_run(out, "org/model-a", tasks, configs={t: {"target_delimiter": " "} for t in tasks})
    return out, tasks


def _mean(samples: list[dict[str, Any]], field: str) -> float:
    return float(np.mean([s[field] for s in samples]))


def test_loglikelihood_acc_and_acc_norm_equal_lm_evals(tmp_path: Path) -> None:
    out, tasks = ll_run(tmp_path)
    from medmetrics.aggregate.suites import score_task
    from medmetrics.plugins import default_catalog

    catalog = default_catalog()
    runs = load_run(out)
    assert {"pubmedqa", "medqa", "medmcqa", "medqa_texts"} == set(runs)  # medqa_4options is medmetrics' medqa
    for ours, theirs in (("pubmedqa", "pubmedqa"), ("medqa", "medqa_4options"), ("medmcqa", "medmcqa")):
        score = score_task(catalog.tasks.get(ours).obj, "", runs[ours], catalog=catalog, ci=True, resamples=200,
                           seed=1)
        report = score.report
        assert report["accuracy"].value == pytest.approx(_mean(tasks[theirs], "acc"), abs=1e-12)
        assert report["acc_norm"].value == pytest.approx(_mean(tasks[theirs], "acc_norm"), abs=1e-12)
        assert report["accuracy"].ci is not None and report["ece"].ci is not None
        assert {p.rule for p in report.parsed} == {"loglikelihood-argmax"}
        assert not report["accuracy"].notes  # every item agrees with lm-eval's logged acc
    texts = runs.pop("medqa_texts")
    score = score_task(catalog.tasks.get("medqa").obj, "", texts, catalog=catalog, ci=False, resamples=10, seed=1)
    assert score.report["accuracy"].value == pytest.approx(_mean(tasks["medqa_texts"], "acc"), abs=1e-12)
    assert score.report["acc_norm"].value == pytest.approx(_mean(tasks["medqa_texts"], "acc_norm"), abs=1e-12)
    moved = sum(s["acc"] != s["acc_norm"] for s in tasks["medqa_texts"])
    assert moved > 0  # the lengths (characters, not bytes: 'β' and 'ß' are two bytes) change answers
    assert texts.loglikelihood is not None and texts.loglikelihood.choices[0][0] == "β-blocker therapy"


def test_pubmedqa_values_are_the_tasks_labels_and_f1_flows(tmp_path: Path) -> None:
    out, tasks = ll_run(tmp_path)
    from medmetrics.aggregate.suites import score_task
    from medmetrics.plugins import default_catalog

    catalog = default_catalog()
    score = score_task(catalog.tasks.get("pubmedqa").obj, "", load_run(out)["pubmedqa"], catalog=catalog, ci=False,
                       resamples=10, seed=1)
    values = {p.value for p in score.report.parsed}
    assert values <= set(YES_NO_MAYBE)
    predicted = [p.value for p in score.report.parsed]
    gold = [s["target"] for s in tasks["pubmedqa"]]
    expected = medmetrics.get_metric("f1", average="macro", labels=YES_NO_MAYBE).compute(predicted, gold).value
    assert score.report["f1_macro"].value == pytest.approx(expected)


def expected_calibration_error(lls: list[list[float]], gold: list[int], bins: int = 10) -> float:
    """ECE written out independently: equal-width bins ((m-1)/M, m/M] over the max softmax probability."""
    total, n = 0.0, len(gold)
    confidence = [max(np.exp(np.array(x) - max(x)) / np.exp(np.array(x) - max(x)).sum()) for x in lls]
    correct = [float(int(np.argmax(x)) == g) for x, g in zip(lls, gold)]
    for m in range(1, bins + 1):
        members = [i for i, c in enumerate(confidence) if (m - 1) / bins < c <= m / bins]
        if members:
            gap = abs(np.mean([confidence[i] for i in members]) - np.mean([correct[i] for i in members]))
            total += len(members) / n * gap
    return total


def test_ece_definition_and_interval(tmp_path: Path) -> None:
    out, _ = ll_run(tmp_path, n=120)
    run = load_run(out)["medmcqa"]
    items = run.loglikelihood
    assert items is not None
    expected = expected_calibration_error([list(x) for x in items.loglikelihoods], list(items.gold))
    result = ExpectedCalibrationError().compute(items.probabilities(), list(items.gold), ci=True, resamples=300)
    assert result.value == pytest.approx(expected, abs=1e-12)
    assert result.ci is not None and result.ci.low <= result.value <= result.ci.high
    assert result.higher_is_better is False
    # two items, confidence 0.9 (right) and 0.6 (wrong): bins 9 and 6, ECE = (0.1 + 0.6) / 2
    two = ExpectedCalibrationError().compute([(0.9, 0.1), (0.6, 0.4)], [0, 1])
    assert two.value == pytest.approx(0.35)
    assert two.components["mean_confidence"] == pytest.approx(0.75) and two.components["accuracy"] == 0.5


def test_stock_loglikelihood_tasks_in_suites_and_single_task_score(tmp_path: Path, capsys) -> None:
    out, tasks = ll_run(tmp_path)
    code, text, err = run_cli(capsys, "score", "--suite", "blurb", out, "--ci", "--resamples", "200",
                              "--format", "json")
    assert code == 0, err
    data = json.loads(text)
    pubmedqa = next(t for t in data["tasks"] if t["task"] == "pubmedqa")
    assert pubmedqa["status"] == "scored"
    assert pubmedqa["result"]["value"] == pytest.approx(_mean(tasks["pubmedqa"], "acc"))
    assert pubmedqa["other_results"]["acc_norm"]["value"] == pytest.approx(_mean(tasks["pubmedqa"], "acc_norm"))
    assert pubmedqa["other_results"]["ece"]["ci"] is not None
    assert "pubmedqa" in data["notes"][0] or data["averaged_tasks"] == 1
    code, text, err = run_cli(capsys, "score", "--suite", "meds_bench", out, "--format", "json")
    assert code == 0, err
    scored = {t["task"]: t["result"]["value"] for t in json.loads(text)["tasks"] if t["status"] == "scored"}
    assert scored["medqa"] == pytest.approx(_mean(tasks["medqa_4options"], "acc"))
    assert scored["medmcqa"] == pytest.approx(_mean(tasks["medmcqa"], "acc"))
    code, text, _ = run_cli(capsys, "score", "--suite", "blurb", out)
    assert "acc_norm" in text and "ece" in text
    code, text, err = run_cli(capsys, "score", out, "--task", "medmcqa", "--ci", "--resamples", "200",
                              "--format", "json")
    assert code == 0, err
    results = json.loads(text)["medmcqa"]["results"]
    assert set(results) == {"accuracy", "acc_norm", "ece"}
    assert results["accuracy"]["signature"].endswith("|parser:loglikelihood-argmax")


def test_loglikelihood_runs_compare_with_the_python_api(tmp_path: Path) -> None:
    out_a, _ = ll_run(tmp_path / "a", seed=1)
    out_b, _ = ll_run(tmp_path / "b", seed=2)
    from medmetrics.aggregate.suites import score_task
    from medmetrics.plugins import default_catalog

    catalog = default_catalog()
    task = catalog.tasks.get("medmcqa").obj
    run_a, run_b = load_run(out_a)["medmcqa"], load_run(out_b)["medmcqa"]
    # the same items need the same gold: give run B run A's targets and log-likelihoods of its own
    from dataclasses import replace

    items_b = replace(run_b.loglikelihood, gold=run_a.loglikelihood.gold)
    run_b = replace(run_b, loglikelihood=items_b, references=list(items_b.gold))
    a = score_task(task, "", run_a, catalog=catalog, ci=False, resamples=10, seed=1).report
    b = score_task(task, "", run_b, catalog=catalog, ci=False, resamples=10, seed=1).report
    gold = ["ABCD"[g] for g in run_a.loglikelihood.gold]
    comparison = medmetrics.compare("accuracy", a.parsed, b.parsed, gold, method="mcnemar")
    assert comparison.value_a == pytest.approx(a["accuracy"].value) and 0 <= comparison.p_value <= 1


def test_loglikelihood_samples_cannot_be_parsed_or_audited(tmp_path: Path, capsys) -> None:
    out, _ = ll_run(tmp_path)
    code, _, err = run_cli(capsys, "audit", out, "--task", "medmcqa")
    assert code == 2 and "log-likelihood samples" in err


def test_target_delimiter_and_chat_template_come_from_the_results_file(tmp_path: Path) -> None:
    choices = ["yes", "no", "maybe"]
    lls = [[-2.0, -1.6, -3.0], [-1.0, -1.1, -1.5]]
    samples = mc_samples(choices, ["yes", "maybe"], lls, delimiter="\n")
    out = tmp_path / "out"
    write_lm_eval_run(out, "org/m", {"pubmedqa": samples}, configs={"pubmedqa": {"target_delimiter": "\n"}})
    items = load_run(out)["pubmedqa"].loglikelihood
    assert items is not None and items.choices[0] == ("yes", "no", "maybe")
    assert [int(a == g) for a, g in zip(items.answers(normalized=True), items.gold)] == \
        [s["acc_norm"] for s in samples]


def test_targets_lm_eval_reads_as_index_or_text(tmp_path: Path) -> None:
    out = tmp_path / "out"
    digits = ["1", "2", "3"]  # choice texts that are digits: the logged acc tells index from text
    samples = mc_samples(digits, [0, "3", "2", "2"], [[-1.0, -2.0, -3.0], [-3.0, -2.0, -1.0], [-3.0, -1.0, -2.0],
                                                      [-3.0, -2.0, -1.0]])
    write_lm_eval_run(out, "org/m", {"medqa": samples})
    items = load_run(out)["medqa"].loglikelihood
    # "2" is choice 1's text and index 2: lm-eval read the text (acc 1 with argmax 1; acc 0 with argmax 2)
    assert items is not None and items.gold == (0, 2, 1, 1)
    assert [s["acc"] for s in samples] == [1.0, 1.0, 1.0, 0.0]
    bad = mc_samples(YES_NO_MAYBE, ["perhaps"], [[-1.0, -2.0, -3.0]])
    bad[0].pop("acc")
    write_lm_eval_run(tmp_path / "bad", "org/m", {"pubmedqa": bad})
    with pytest.raises(InputError, match=r"\.jsonl:1: target 'perhaps' is no choice"):
        load_run(tmp_path / "bad")


def test_softmax_is_lm_evals() -> None:
    from lm_eval.utils import softmax

    from medmetrics.inputs.run import LoglikelihoodItems

    lls = (-1.25, -0.5, -7.0)
    items = LoglikelihoodItems((lls,), (("a", "bb", "c"),), (1,))
    assert items.probabilities()[0] == pytest.approx(tuple(softmax(np.array(lls))))
    assert math.isclose(sum(items.probabilities()[0]), 1.0)


def test_compare_task_on_loglikelihood_runs(tmp_path: Path, capsys) -> None:
    rng = np.random.default_rng(3)
    n = 80
    gold = [int(i) for i in rng.integers(0, 4, n)]
    good = [[0.0 if k == g else -2.0 - float(rng.random()) for k in range(4)] for g in gold]  # always right
    noisy = random_lls(rng, n, 4)
    out = tmp_path / "out"
    write_lm_eval_run(out, "org/good", {"medmcqa": mc_samples(list("ABCD"), gold, good)})
    write_lm_eval_run(out, "org/noisy", {"medmcqa": mc_samples(list("ABCD"), gold, noisy)})
    code, text, err = run_cli(capsys, "compare", out, out, "--task", "medmcqa", "--model", "org__good", "--model",
                              "org__noisy", "--method", "mcnemar", "--format", "json")
    assert code == 0, err
    result = json.loads(text)["medmcqa"]
    noisy_acc = float(np.mean([int(np.argmax(x)) == g for x, g in zip(noisy, gold)]))
    assert result["value_a"] == 1.0 and result["value_b"] == pytest.approx(noisy_acc) and result["p_value"] < 0.001


def test_the_results_files_acc_is_checked(tmp_path: Path) -> None:
    from medmetrics.aggregate.suites import score_task
    from medmetrics.plugins import default_catalog

    rng = np.random.default_rng(5)
    samples = mc_samples(list("ABCD"), [int(i) for i in rng.integers(0, 4, 30)], random_lls(rng, 30, 4))
    acc, acc_norm = _mean(samples, "acc"), _mean(samples, "acc_norm")
    catalog = default_catalog()
    task = catalog.tasks.get("medmcqa").obj
    for reported, notes in ((acc, 0), (acc + 0.1, 1)):
        out = tmp_path / f"out{notes}"
        write_lm_eval_run(out, "org/m", {"medmcqa": samples},
                          results={"medmcqa": {"alias": "medmcqa", "acc,none": reported, "acc_norm,none": acc_norm}})
        run = load_run(out)["medmcqa"]
        assert run.loglikelihood is not None and run.loglikelihood.reported == {"acc": reported, "acc_norm": acc_norm}
        report = score_task(task, "", run, catalog=catalog, ci=False, resamples=10, seed=1).report
        assert report is not None and len(report["accuracy"].notes) == notes and not report["acc_norm"].notes
        assert all("results file reports acc" in n for n in report["accuracy"].notes)


def test_a_document_logged_twice_is_an_error_never_counted_twice(tmp_path: Path, capsys) -> None:
    """Issue 17: duplicate lm-eval doc_ids used to be scored twice."""
    samples = generated_samples(["yes", "no", "maybe"], ["yes", "no", "maybe"])
    samples.append(copy.deepcopy(samples[1]))  # doc 1 again, as a resumed run can leave it
    out = tmp_path / "out"
    write_lm_eval_run(out, "org/m", {"pubmedqa": samples})
    code, _, err = run_cli(capsys, "score", str(out), "--task", "pubmedqa")
    assert code == 2 and ".jsonl:4: doc_id 1 was already read at line 2" in err
