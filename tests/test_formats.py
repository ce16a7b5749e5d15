"""One renderer for every command (issue #13, item 8): each format means the same thing in every
command, and an unknown one is an error, never another format printed silently."""

from __future__ import annotations

import csv
import io
import json
import re
from importlib import resources
from pathlib import Path

import pytest

from medmetrics import cli
from medmetrics.errors import InputError
from medmetrics.report.tables import FORMATS, check_format, document

DEMO = Path(str(resources.files("medmetrics") / "data"))
MODELS = DEMO / "demo_models"

COMMANDS = {
    "score one task": ["score", str(DEMO / "demo" / "medqa.jsonl"), "--task", "medqa", "--ci"],
    "score a run": ["score", str(MODELS / "med-7b"), "--ci"],
    "score a suite, several models": ["score", str(MODELS), "--suite", "blurb"],
    "compare two runs": ["compare", str(MODELS / "base-7b"), str(MODELS / "med-7b"), "--task", "medqa,pubmedqa"],
    "compare models": ["compare", "--demo"],
    "demo": ["demo"],
}


def _run(capsys: pytest.CaptureFixture[str], argv: list[str]) -> str:
    code = cli.main(argv)
    out, err = capsys.readouterr()
    assert code == 0, err
    return out


@pytest.mark.parametrize("fmt", FORMATS)
@pytest.mark.parametrize("command", COMMANDS)
def test_every_command_prints_every_format_as_that_format(command: str, fmt: str, capsys) -> None:
    out = _run(capsys, [*COMMANDS[command], "--format", fmt])
    if fmt == "json":
        json.loads(out)
    elif fmt == "csv":
        rows = list(csv.reader(io.StringIO(out)))
        assert len(rows) >= 2 and len({len(r) for r in rows}) == 1, "a CSV whose rows all have the header's width"
        assert not any(line.startswith(("note:", "**", "|", "\\", "%")) for line in out.splitlines())
    elif fmt == "latex":
        assert out.count("\\begin{tabular}") == out.count("\\end{tabular}") >= 1
        assert "\\toprule" in out and "\\bottomrule" in out
        body = [re.sub(r"\$[^$]*\$", "", line) for line in out.splitlines() if not line.startswith("%")]
        assert all("_" not in line.replace("\\_", "") for line in body), "underscores escaped outside math"
        assert all(line.count("{") == line.count("}") for line in body if "multicolumn" not in line)
    elif fmt == "markdown":
        assert any(line.startswith("|---") for line in out.splitlines())
    else:
        assert not any(line.startswith(("|", "\\begin")) for line in out.splitlines())
        assert any(set(line) <= {"-", " "} and "--" in line for line in out.splitlines()), "an aligned text table"


def test_score_one_task_in_markdown_is_markdown_not_text(capsys) -> None:
    out = _run(capsys, [*COMMANDS["score one task"], "--format", "markdown"])
    assert "| task | metric | value | 95% CI | n | failed |" in out


def test_an_unknown_format_is_an_error_that_lists_the_formats() -> None:
    with pytest.raises(InputError, match="unknown format 'xlsx'; use one of text, markdown, csv, json, latex"):
        check_format("xlsx")
    with pytest.raises(InputError, match="unknown format 'html'"):
        document("html", ["a"], [["1"]])
    assert check_format("table") == "text"


def test_the_command_line_refuses_an_unknown_format(capsys) -> None:
    with pytest.raises(SystemExit) as info:
        cli.main(["score", str(DEMO / "demo" / "medqa.jsonl"), "--task", "medqa", "--format", "xlsx"])
    assert info.value.code == 2 and "invalid choice: 'xlsx'" in capsys.readouterr().err


def test_suite_csv_keeps_numbers_apart(capsys) -> None:
    out = _run(capsys, ["score", str(MODELS), "--tasks", "medqa", "--ci", "--format", "csv"])
    rows = list(csv.DictReader(io.StringIO(out)))
    tasks = [r for r in rows if r["kind"] == "task"]
    assert {r["model"] for r in tasks} == {"base-7b", "med-7b", "med-7b-chat"}
    for r in tasks:
        assert float(r["ci_low"]) <= float(r["value"]) <= float(r["ci_high"])
        assert int(r["n"]) == 160 and float(r["parse_failure_rate"]) == pytest.approx(int(r["n_failed"]) / 160)
