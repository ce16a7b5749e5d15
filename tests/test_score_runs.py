"""``score`` on a run (issue #13, items 5 and 6): every task it recognizes without ``--suite``,
``--tasks`` to pick some, a user's suite file, and ``--per-item`` for a whole run."""

from __future__ import annotations

import json
import shutil
from importlib import resources
from pathlib import Path

import pytest

from cli_helpers import run_cli as run

DEMO_MODELS = Path(str(resources.files("medmetrics") / "data" / "demo_models"))


@pytest.fixture
def one_model(tmp_path: Path) -> Path:
    folder = tmp_path / "med-7b"
    shutil.copytree(DEMO_MODELS / "med-7b", folder)
    (folder / "not_a_task.jsonl").write_text('{"generation": "x", "reference": "y"}\n', encoding="utf-8")
    return folder


def _rows(out: str) -> dict[str, dict[str, object]]:
    data = json.loads(out)
    return {t["task"]: t for t in data["tasks"]}


def test_a_run_without_suite_scores_every_task_it_knows_and_names_the_rest(one_model: Path, capsys) -> None:
    code, out, err = run(capsys, "score", str(one_model), "--format", "json")
    assert code == 0, err
    tasks = _rows(out)
    assert sorted(tasks) == ["biosses", "chemprot", "medqa", "pubmedqa"]
    assert all(t["status"] == "scored" for t in tasks.values())
    assert any("not_a_task" in note for note in json.loads(out)["notes"])
    # each task's number is what `score --task` gives on its file alone
    code, alone, _ = run(capsys, "score", str(one_model / "medqa.jsonl"), "--task", "medqa", "--format", "json")
    assert tasks["medqa"]["result"]["value"] == json.loads(alone)["medqa"]["results"]["accuracy"]["value"]


def test_tasks_picks_some_of_a_run_or_of_a_suite(one_model: Path, capsys, tmp_path: Path) -> None:
    code, out, err = run(capsys, "score", str(one_model), "--tasks", "medqa,biosses", "--format", "json")
    assert code == 0, err
    assert sorted(_rows(out)) == ["biosses", "medqa"]
    assert json.loads(out)["signature"] == "suite:run(average=tasks,tasks=2)"
    code, out, err = run(capsys, "score", str(one_model), "--suite", "blurb", "--tasks", "pubmedqa,chemprot",
                         "--format", "json")
    assert code == 0, err
    assert sorted(_rows(out)) == ["chemprot", "pubmedqa"]
    code, _, err = run(capsys, "score", str(one_model), "--tasks", "medqa,nosuch")
    assert code == 2 and "no task(s) nosuch in the run" in err and err.count("\n") == 1
    code, _, err = run(capsys, "score", str(one_model), "--suite", "blurb", "--tasks", "medqa")
    assert code == 2 and "suite 'blurb' has no task(s) medqa" in err
    code, _, err = run(capsys, "score", str(one_model / "medqa.jsonl"), "--tasks", "medqa")
    assert code == 2 and "--tasks picks tasks of a run" in err


@pytest.mark.parametrize("suffix", [".json", ".yaml"])
def test_a_users_suite_file_with_groups_and_its_averaging_rule(suffix: str, one_model: Path, capsys,
                                                                 tmp_path: Path) -> None:
    spec = {"name": "my-bench", "average": "groups", "groups": {"qa": ["medqa", "pubmedqa"], "re": ["chemprot"]}}
    path = tmp_path / f"my-bench{suffix}"
    if suffix == ".json":
        path.write_text(json.dumps(spec), encoding="utf-8")
    else:
        yaml = pytest.importorskip("yaml")
        path.write_text(yaml.safe_dump(spec), encoding="utf-8")
    code, out, err = run(capsys, "score", str(one_model), "--suite", str(path), "--format", "json")
    assert code == 0, err
    data = json.loads(out)
    tasks = _rows(out)
    qa = (tasks["medqa"]["result"]["value"] + tasks["pubmedqa"]["result"]["value"]) / 2
    assert data["value"] == pytest.approx((qa + tasks["chemprot"]["result"]["value"]) / 2, abs=1e-12)
    assert data["signature"] == "suite:my-bench(average=groups,tasks=3)"


@pytest.mark.parametrize(("content", "message"), [
    ('{"tasks": ["medqa"], "groups": {"a": ["medqa"]}}', "either 'tasks'"),
    ('{"tasks": []}', "non-empty list of task names"),
    ('{"tasks": ["medqa"], "averge": "groups"}', "unknown key(s) averge"),
    ('{"tasks": ["medqa"], "average": "median"}', "average must be one of"),
    ('{"tasks": ["medqa"],', "invalid JSON"),
])
def test_a_bad_suite_file_is_one_error_naming_it(content: str, message: str, one_model: Path, capsys,
                                                 tmp_path: Path) -> None:
    path = tmp_path / "bad.json"
    path.write_text(content, encoding="utf-8")
    code, _, err = run(capsys, "score", str(one_model), "--suite", str(path))
    assert code == 2 and message in err and err.count("\n") == 1, err


def test_per_item_with_a_suite_writes_every_models_items_with_model_and_task(capsys, tmp_path: Path) -> None:
    items = tmp_path / "items.jsonl"
    code, out, err = run(capsys, "score", str(DEMO_MODELS), "--tasks", "medqa,pubmedqa", "--per-item", str(items),
                         "--format", "json")
    assert code == 0, err
    lines = [json.loads(line) for line in items.read_text(encoding="utf-8").splitlines()]
    by_model_task: dict[tuple[str, str], list[dict[str, object]]] = {}
    for line in lines:
        by_model_task.setdefault((line["model"], line["task"]), []).append(line)
    results = json.loads(out)
    assert sorted(by_model_task) == sorted((m, t) for m in results for t in ("medqa", "pubmedqa"))
    for (model, task), rows in by_model_task.items():
        headline = next(t for t in results[model]["tasks"] if t["task"] == task)["result"]
        assert len(rows) == headline["n"] and [r["index"] for r in rows] == list(range(len(rows)))
        # the items' scores average to the task's accuracy; a right answer scores 1
        assert sum(r["scores"]["accuracy"] for r in rows) / len(rows) == pytest.approx(headline["value"], abs=1e-12)
        assert all(r["scores"]["accuracy"] == float(r["status"] == "ok" and r["value"] == r["reference"])
                   for r in rows)


def _mc_records() -> list[dict[str, object]]:
    options = ["Aspirin", "Heparin", "Warfarin"]
    return [{"generation": "The answer is Heparin.", "reference": "B", "doc": {"choices": options},
             "context": {"options": options}},
            {"generation": "Warfarin", "reference": "C", "doc": {"choices": options}, "context": {"options": options}}]


def _write(path: Path, records: list[dict[str, object]]) -> Path:
    path.write_text("".join(json.dumps(r) + "\n" for r in records), encoding="utf-8")
    return path


@pytest.mark.parametrize("argv", [
    ["--context-field", "options=doc.choices"],  # a dotted path, as in a run
    [],  # each record's own context object
    ["--context-field", "medqa:options=doc.choices"],  # scoped to the task
])
def test_one_task_file_reads_context_as_runs_do(argv: list[str], capsys, tmp_path: Path) -> None:
    path = _write(tmp_path / "medqa.jsonl", _mc_records())
    code, out, err = run(capsys, "score", str(path), "--task", "medqa", "--format", "json", *argv)
    assert code == 0, err
    assert json.loads(out)["medqa"]["results"]["accuracy"]["value"] == 1.0


def test_per_task_context_fields_in_one_run(capsys, tmp_path: Path) -> None:
    folder = tmp_path / "run"
    folder.mkdir()
    records = _mc_records()
    for r in records:
        del r["context"]
    _write(folder / "medqa.jsonl", records)
    _write(folder / "pubmedqa.jsonl", [{"generation": "yes", "reference": "yes"},
                                       {"generation": "no", "reference": "no"}])
    # the options path applies to medqa only: pubmedqa's records have no doc.choices and need none
    code, out, err = run(capsys, "score", str(folder), "--context-field", "medqa:options=doc.choices",
                         "--format", "json")
    assert code == 0, err
    assert {t["task"]: t["result"]["value"] for t in json.loads(out)["tasks"]} == {"medqa": 1.0, "pubmedqa": 1.0}
    code, _, err = run(capsys, "score", str(folder), "--context-field", "options=doc.choices")
    assert code == 2 and "pubmedqa.jsonl:1: record 1 has no field 'doc.choices'" in err
