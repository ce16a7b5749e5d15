"""Adapters: generic folders and files, lm-eval samples files, OpenCompass predictions (real formats)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from medmetrics.errors import InputError
from medmetrics.inputs.adapters import Fields, load_run
from medmetrics.inputs.adapters.base import detect

RUNS = Path(__file__).parent / "data" / "runs"
PUBMEDQA_GENERATIONS = ["Answer: yes", "No, the trial found no effect.", "maybe", "The answer is yes.", "yes",
                        "I cannot tell.", "no", "Yes."]
PUBMEDQA_GOLD = ["yes", "no", "maybe", "no", "yes", "maybe", "no", "yes"]


def test_detects_each_format() -> None:
    assert detect(RUNS / "lm_eval") == "lm_eval"
    assert detect(RUNS / "opencompass") == "opencompass"
    assert detect(RUNS / "run_a") == "generic"
    assert detect(RUNS / "one_file.jsonl") == "generic"


def test_generic_folder_has_one_task_per_file() -> None:
    runs = load_run(RUNS / "run_a")
    assert set(runs) == {"pubmedqa", "chemprot", "biosses", "hoc"}
    assert list(runs["pubmedqa"].generations) == PUBMEDQA_GENERATIONS
    assert runs["biosses"].references[0] == "2.8"  # CSV text; the task's reference_type converts it
    assert runs["hoc"].references[0] == ["G"]


def test_generic_file_with_a_task_field() -> None:
    runs = load_run(RUNS / "one_file.jsonl")
    assert set(runs) == {"pubmedqa", "chemprot"}
    assert list(runs["pubmedqa"].references) == PUBMEDQA_GOLD


def test_generic_fields_and_context_paths(tmp_path: Path) -> None:
    path = tmp_path / "run.jsonl"
    rows = [{"name": "MedQA", "out": "B", "gold": "B", "doc": {"choices": ["x", "y"]}}]
    path.write_text("".join(json.dumps(r) + "\n" for r in rows), encoding="utf-8")
    runs = load_run(path, fields=Fields(prediction="out", reference="gold", task="name",
                                        context={"options": "doc.choices"}))
    assert runs["medqa"].context == [{"options": ["x", "y"]}]


def test_generic_missing_field_names_the_record(tmp_path: Path) -> None:
    path = tmp_path / "run.jsonl"
    path.write_text('{"generation": "yes", "reference": "yes"}\n', encoding="utf-8")
    with pytest.raises(InputError, match=r"record 1 .*no field .task."):
        load_run(path)


def test_lm_eval_reads_raw_generations_of_the_first_filter() -> None:
    runs = load_run(RUNS / "lm_eval")
    run = runs["pubmedqa"]
    assert list(run.generations) == PUBMEDQA_GENERATIONS  # 16 lines: two filters, each document once
    assert list(run.references) == PUBMEDQA_GOLD


def test_lm_eval_filtered_responses_of_a_named_filter() -> None:
    runs = load_run(RUNS / "lm_eval", fields=Fields(filter="take_first", response="filtered"))
    assert runs["pubmedqa"].generations[1] == "No, the trial found no effect"
    with pytest.raises(InputError, match="no filter 'nope'"):
        load_run(RUNS / "lm_eval", fields=Fields(filter="nope"))


def test_lm_eval_loglikelihood_task_is_read_as_loglikelihoods() -> None:
    run = load_run(RUNS / "lm_eval_mc")["medqa"]  # lm-eval's medqa_4options is medmetrics' medqa
    assert run.loglikelihood is not None and run.loglikelihood.loglikelihoods == ((-1.5, -0.5),)
    assert run.loglikelihood.choices == (("a", "b"),) and list(run.references) == [1]
    with pytest.raises(InputError, match="log-likelihood samples"):
        list(run.generations)  # no text to parse, and saying so


def test_lm_eval_task_names_are_mapped() -> None:
    assert set(load_run(RUNS / "lm_eval", task_map={"pubmedqa": "medinst_pubmedqa"})) == {"medinst_pubmedqa"}


def test_opencompass_joins_split_files_in_index_order() -> None:
    runs = load_run(RUNS / "opencompass", task_map={"PubMedQA": "pubmedqa"})
    assert set(runs) == {"pubmedqa", "chemprot"}
    assert list(runs["pubmedqa"].generations) == PUBMEDQA_GENERATIONS
    assert list(runs["pubmedqa"].references) == PUBMEDQA_GOLD


def test_opencompass_missing_gold_is_an_error(tmp_path: Path) -> None:
    (tmp_path / "ds.json").write_text(json.dumps({"0": {"origin_prompt": "p", "prediction": "0"}}), encoding="utf-8")
    with pytest.raises(InputError, match=r"item 0 .*gold"):
        load_run(tmp_path, adapter="opencompass")


def test_a_task_in_two_files_is_a_caller_mistake(tmp_path: Path) -> None:
    for name in ("pubmedqa.jsonl", "pubmedqa.csv"):
        (tmp_path / name).write_text('{"generation": "yes", "reference": "yes"}\n' if name.endswith("jsonl")
                                     else "generation,reference\nyes,yes\n", encoding="utf-8")
    with pytest.raises(InputError, match="appears in both"):
        load_run(tmp_path)


def test_unknown_adapter_and_missing_path() -> None:
    with pytest.raises(InputError, match="unknown adapter"):
        load_run(RUNS / "run_a", adapter="helm")
    with pytest.raises(InputError, match="no such file"):
        load_run(RUNS / "nowhere")
