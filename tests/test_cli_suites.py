"""The command line for whole runs: score --suite (text, markdown, json, --profile), compare."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from cli_helpers import run_cli as run

RUNS = Path(__file__).parent / "data" / "runs"


def test_score_suite_json_lists_every_task(capsys) -> None:
    code, out, _ = run(capsys, "score", "--suite", "blurb", str(RUNS / "run_a"), "--ci", "--resamples", "200",
                       "--format", "json")
    data = json.loads(out)
    assert code == 0
    statuses = {t["task"]: t["status"] for t in data["tasks"]}
    assert statuses["pubmedqa"] == "scored" and statuses["ddi"] == "missing" and statuses["bc2gm"] == "missing"
    assert set(statuses.values()) == {"scored", "missing"}  # every BLURB dataset has a task now
    assert data["averaged_tasks"] == 4 and data["complete"] is False
    assert data["ci"]["method"] == "joint-bootstrap-percentile"
    pubmedqa = next(t for t in data["tasks"] if t["task"] == "pubmedqa")
    assert pubmedqa["parse_failure_rate"] == pytest.approx(1 / 8)
    assert "f1_macro" in pubmedqa["other_results"]


def test_score_suite_text_and_markdown(capsys) -> None:
    _, text, _ = run(capsys, "score", "--suite", "blue", str(RUNS / "run_a"))
    assert "average (tasks)" in text and "bc5_chem" in text and "not in the run" in text and "partial: 3 of 8" in text
    assert "does not list: pubmedqa" in text
    _, markdown, _ = run(capsys, "score", "--suite", "blue", str(RUNS / "run_a"), "--format", "markdown")
    assert "| group | task | metric |" in markdown and "| blue | average (tasks) |" in markdown


def test_score_several_suites_reads_the_run_once_and_gives_one_table_each(capsys) -> None:
    code, out, _ = run(capsys, "score", "--suite", "blurb,blue", str(RUNS / "run_a"), "--format", "json")
    both = json.loads(out)
    assert code == 0 and [d["suite"] for d in both] == ["blurb", "blue"]
    _, alone, _ = run(capsys, "score", "--suite", "blue", str(RUNS / "run_a"), "--format", "json")
    assert both[1] == json.loads(alone)  # the same table as scoring that suite alone
    _, text, _ = run(capsys, "score", "--suite", "blurb, blue", str(RUNS / "run_a"))
    assert "average (groups)" in text and "average (tasks)" in text


def test_score_suite_with_average_override(capsys) -> None:
    _, out, _ = run(capsys, "score", "--suite", "blurb", str(RUNS / "run_a"), "--suite-average", "tasks",
                    "--format", "json")
    assert json.loads(out)["signature"] == "suite:blurb(average=tasks,tasks=13)"


def test_score_suite_with_profile_shows_both_numbers(capsys) -> None:
    code, out, _ = run(capsys, "score", "--suite", "blurb", str(RUNS / "run_a"), "--profile", "biomistral_nlu")
    assert code == 0 and "biomistral_nlu" in out and "moved" in out
    _, out, _ = run(capsys, "score", "--suite", "blurb", str(RUNS / "run_a"), "--profile", "biomistral_nlu",
                    "--format", "json")
    data = json.loads(out)
    pubmedqa = next(t for t in data["tasks"] if t["task"] == "pubmedqa")
    assert pubmedqa["compat"]["signature"].startswith("compat:biomistral_nlu|")
    assert pubmedqa["compat"]["value"] == 0.0  # no "(x) label" option text in any generation


def test_score_suite_from_lm_eval_and_opencompass(capsys) -> None:
    _, out, _ = run(capsys, "score", "--suite", "blurb", str(RUNS / "lm_eval"), "--format", "json")
    assert next(t for t in json.loads(out)["tasks"] if t["task"] == "pubmedqa")["result"]["n"] == 8
    _, out, _ = run(capsys, "score", "--suite", "blurb", str(RUNS / "opencompass"), "--task-map", "PubMedQA=pubmedqa",
                    "--format", "json")
    assert json.loads(out)["averaged_tasks"] == 2


def test_score_suite_errors_are_one_line(capsys) -> None:
    code, _, err = run(capsys, "score", "--suite", "blurb", str(RUNS / "lm_eval_mc"), "--task-map",
                       "medqa_4options=nope")
    assert code == 2 and err.startswith("medmetrics: error:") and "none of its tasks (nope)" in err
    code, _, err = run(capsys, "score", "--suite", "nope", str(RUNS / "run_a"))
    assert code == 2 and "blurb" in err
    code, _, err = run(capsys, "score", "--suite", "blurb", str(RUNS / "run_a"), "--task", "pubmedqa")
    assert code == 2 and "--suite" in err


def test_compare_suite_and_task(capsys) -> None:
    code, out, _ = run(capsys, "compare", str(RUNS / "run_a"), str(RUNS / "run_b"), "--suite", "blurb",
                       "--resamples", "200", "--format", "json")
    data = json.loads(out)
    assert code == 0 and data["difference"] > 0 and 0 < data["p_value"] <= 1
    assert data["tasks"]["pubmedqa"]["value_a"] == 0.75 and data["tasks"]["ddi"] == "missing in A and B"
    code, out, _ = run(capsys, "compare", str(RUNS / "run_a"), str(RUNS / "run_b"), "--task", "pubmedqa",
                       "--method", "mcnemar")
    assert code == 0 and "pubmedqa" in out and "mcnemar" in out
    code, _, err = run(capsys, "compare", str(RUNS / "run_a"), str(RUNS / "run_b"))
    assert code == 2 and "--suite" in err


def test_list_suites(capsys) -> None:
    _, out, _ = run(capsys, "list", "suites")
    assert "blurb" in out and "meds_bench" in out


@pytest.mark.parametrize(("old", "new", "value", "command"), [
    ("--average", "--suite-average", "tasks", ("score", "--suite", "blurb", str(RUNS / "run_a"))),
    ("--level", "--ci-level", "0.9", ("compare", str(RUNS / "run_a"), str(RUNS / "run_b"), "--suite", "blurb",
                                      "--resamples", "200")),
])
def test_renamed_flags_still_work_for_a_release_and_say_so(capsys, old: str, new: str, value: str,
                                                           command: tuple[str, ...]) -> None:
    """``--average`` (a metric's option too) is now ``--suite-average``; compare's ``--level`` is
    ``--ci-level``, as intervals' levels are called elsewhere. The old spelling gives the same output."""
    code, out_new, err_new = run(capsys, *command, new, value, "--format", "json")
    assert code == 0 and "warning" not in err_new
    code, out_old, err_old = run(capsys, *command, old, value, "--format", "json")
    assert code == 0 and out_old == out_new
    assert f"{old} is now {new}" in err_old
    with pytest.raises(SystemExit):
        run(capsys, command[0], "--help")
    usage = capsys.readouterr().out
    assert new in usage and f"{old} " not in usage
