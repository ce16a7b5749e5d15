"""The command line: list, score (JSONL, CSV, JSON; task or parser+metrics), demo, errors."""

from __future__ import annotations

import csv
import json
from pathlib import Path

import pytest

from cli_helpers import run_cli as run
from medmetrics import cli


@pytest.fixture
def pubmedqa_jsonl(tmp_path: Path) -> Path:
    path = tmp_path / "run.jsonl"
    rows = [
        {"generation": "Yes.", "reference": "yes"},
        {"generation": "The answer is no.", "reference": "no"},
        {"generation": "I cannot tell.", "reference": "maybe"},
        {"generation": "maybe", "reference": "no"},
    ]
    path.write_text("".join(json.dumps(r) + "\n" for r in rows), encoding="utf-8")
    return path


def test_list_json_names_every_kind(capsys) -> None:
    code, out, _ = run(capsys, "list", "--json")
    data = json.loads(out)
    assert code == 0
    assert {e["name"] for e in data["parsers"]} >= {"choice", "choices", "label", "integer"}
    assert {e["name"] for e in data["metrics"]} >= {"accuracy", "f1", "pearson", "spearman"}
    assert "pubmedqa" in {e["name"] for e in data["tasks"]}
    assert all(e["summary"] for e in data["parsers"] + data["metrics"] + data["tasks"])


def test_score_task_json(capsys, pubmedqa_jsonl: Path) -> None:
    code, out, _ = run(capsys, "score", str(pubmedqa_jsonl), "--task", "pubmedqa", "--format", "json", "--ci")
    assert code == 0
    report = json.loads(out)["pubmedqa"]
    accuracy = report["results"]["accuracy"]
    assert accuracy["value"] == 0.5 and accuracy["n"] == 4 and accuracy["n_failed"] == 1
    assert accuracy["ci"]["level"] == 0.95 and "parser:label" in accuracy["signature"]


def test_score_parser_and_metrics_from_csv_with_context(capsys, tmp_path: Path) -> None:
    path = tmp_path / "mcq.csv"
    with path.open("w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle)
        writer.writerow(["output", "gold", "options"])
        writer.writerow(["The answer is (B) fever.", "B", json.dumps(["rash", "fever", "cough"])])
        writer.writerow(["Answer: none of the above", "A", json.dumps(["rash", "fever", "cough"])])
    code, out, _ = run(capsys, "score", str(path), "--prediction-field", "output", "--reference-field", "gold",
                       "--context-field", "options", "--parser", "choice", "--metric", "accuracy",
                       "--metric", "f1:average=macro", "--format", "csv")
    assert code == 0
    rows = {r["metric"]: r for r in csv.DictReader(out.splitlines())}
    assert float(rows["accuracy"]["value"]) == 0.5 and rows["accuracy"]["n_failed"] == "1"
    assert "f1" in rows


def test_per_item_output_says_why(capsys, pubmedqa_jsonl: Path, tmp_path: Path) -> None:
    items = tmp_path / "items.jsonl"
    code, _, _ = run(capsys, "score", str(pubmedqa_jsonl), "--task", "pubmedqa", "--per-item", str(items))
    assert code == 0
    lines = [json.loads(line) for line in items.read_text(encoding="utf-8").splitlines()]
    assert [line["status"] for line in lines].count("failed") == 1
    assert all(line["reason"] for line in lines if line["status"] != "ok")
    # each item's own scores: right answers 1, wrong and unanswered ones 0
    for line in lines:
        right = line["status"] == "ok" and line["value"] == line["reference"]
        assert line["scores"]["accuracy"] == (1.0 if right else 0.0), line


def test_bad_json_line_names_file_and_line_and_leaves_no_output(capsys, tmp_path: Path) -> None:
    path = tmp_path / "bad.jsonl"
    path.write_text('{"generation": "yes", "reference": "yes"}\n{"generation": "no", \n', encoding="utf-8")
    output = tmp_path / "out.json"
    code, out, err = run(capsys, "score", str(path), "--task", "pubmedqa", "--output", str(output))
    assert code == 2 and out == ""
    assert f"{path}:2: invalid JSON" in err
    assert not output.exists() and not list(tmp_path.glob(".out.json*"))


def test_missing_field_and_unknown_task_are_one_clear_line(capsys, pubmedqa_jsonl: Path) -> None:
    code, _, err = run(capsys, "score", str(pubmedqa_jsonl), "--task", "pubmedqa", "--reference-field", "gold")
    assert code == 2 and "record 1 has no field 'gold'" in err and err.count("\n") == 1
    code, _, err = run(capsys, "score", str(pubmedqa_jsonl), "--task", "pubmedq")
    assert code == 2 and "Did you mean 'pubmedqa'" in err


def test_length_mismatch_between_files(capsys, pubmedqa_jsonl: Path, tmp_path: Path) -> None:
    refs = tmp_path / "refs.jsonl"
    refs.write_text('{"reference": "yes"}\n', encoding="utf-8")
    code, _, err = run(capsys, "score", str(pubmedqa_jsonl), "--references", str(refs), "--task", "pubmedqa")
    assert code == 2 and "4" in err and "1" in err


def test_demo_prints_the_table(capsys) -> None:
    code, out, _ = run(capsys, "demo")
    assert code == 0
    for task in cli.DEMO_TASKS:
        assert task in out
    assert "95% CI" in out and "no usable answer" in out


def test_unconvertible_reference_names_the_record(capsys, tmp_path: Path) -> None:
    path = tmp_path / "sts.csv"
    path.write_text("generation,reference\n4,3.8\n2,n/a\n", encoding="utf-8")
    code, _, err = run(capsys, "score", str(path), "--task", "biosses")
    assert code == 2 and f"{path}:3: record 2: reference is 'n/a', not float" in err


def test_help_and_version_start_without_scipy_or_numpy() -> None:
    """The command answers --help and --version (of every command) without importing numpy or
    scipy, the slow part of a start: what reads runs and scores is imported by the command."""
    import subprocess
    import sys

    code = ("import sys\nfrom medmetrics.cli import main\n"
            "for argv in (['--help'], ['--version'], ['score', '--help'], ['compare', '--help'], ['report', '--help'],"
            " ['audit', '--help']):\n"
            "    try:\n        main(argv)\n    except SystemExit as done:\n        assert done.code == 0\n"
            "loaded = sorted(m for m in sys.modules if m.split('.')[0] in ('numpy', 'scipy'))\n"
            "assert not loaded, loaded[:3]\n")
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    assert result.returncode == 0, result.stderr
    assert "medmetrics 0." in result.stdout and "usage: medmetrics" in result.stdout
