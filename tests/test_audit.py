"""``medmetrics audit`` and ``medmetrics.audit``: status shares, grouped reasons with examples, rules,
per-item spans, the run readers shared with ``score``, and clear errors."""

from __future__ import annotations

import json
from collections import Counter
from pathlib import Path
from typing import Any

import pytest

import medmetrics
from cli_helpers import run_cli as run
from medmetrics.aggregate.auditing import Audit, audit_run, reason_notes, snippet

OPTIONS = ["rash", "fever", "cough"]
#: (generation, reference): MedQA-style, three options each
MC = [
    ("The answer is (B) fever.", "B"),                 # 0 ok, anchored letter, span "B"
    ("Answer: none of the above", "A"),                # 1 failed: 'none' is not an option
    ("Answer: E", "C"),                                # 2 failed: E is not among A-C
    ("The answer is (A). Final answer: (C).", "C"),    # 3 ambiguous: A, C
    ("Answer: D", "A"),                                # 4 failed: D is not among A-C (same group as 2)
    ("", "B"),                                         # 5 empty
    ("The patient has a rash, so the answer is A.", "A"),  # 6 ok
    ("I am not sure.", "B"),                           # 7 failed: nothing found
]
#: PubMedQA labels: 2 ok-ish answers, a failed, an ambiguous, an ok
PUBMEDQA = [
    ("Yes.", "yes"),
    ("The answer is no.", "no"),
    ("I cannot tell.", "maybe"),
    ("Yes or no? It says yes, then no.", "yes"),
    ("maybe", "no"),
]


def write_jsonl(path: Path, rows: list[dict[str, Any]]) -> Path:
    path.write_text("".join(json.dumps(r) + "\n" for r in rows), encoding="utf-8")
    return path


@pytest.fixture
def mc_file(tmp_path: Path) -> Path:
    rows = [{"output": g, "gold": r, "options": OPTIONS} for g, r in MC]
    return write_jsonl(tmp_path / "medqa.jsonl", rows)


@pytest.fixture
def pubmedqa_file(tmp_path: Path) -> Path:
    return write_jsonl(tmp_path / "pubmedqa.jsonl", [{"generation": g, "reference": r} for g, r in PUBMEDQA])


def mc_audit(capsys: pytest.CaptureFixture[str], mc_file: Path, *extra: str) -> tuple[int, str, str]:
    return run(capsys, "audit", str(mc_file), "--task", "medqa", "--prediction-field", "output",
               "--reference-field", "gold", "--context-field", "options", *extra)


# --- the command line -------------------------------------------------------------------------


def test_json_counts_shares_reasons_and_rules(capsys, mc_file: Path) -> None:
    code, out, err = mc_audit(capsys, mc_file, "--format", "json")
    assert code == 0, err
    data = json.loads(out)
    assert data["notes"] == [] and list(data["tasks"]) == ["medqa"]
    result = data["tasks"]["medqa"]
    assert result["n"] == 8 and result["parser"].startswith("choice@")
    assert result["statuses"] == {"ok": 2, "partial": 0, "ambiguous": 1, "empty": 1, "failed": 4}
    assert result["shares"] == {"ok": 0.25, "partial": 0.0, "ambiguous": 0.125, "empty": 0.125, "failed": 0.5}

    reasons = {(r["status"], r["pattern"]): r for r in result["reasons"]}
    assert sum(r["count"] for r in result["reasons"]) == 6  # one note each
    letters = reasons[("failed", "the answer … is not among the options (…)")]
    assert letters["count"] == 2 and letters["share"] == 0.25
    assert letters["reason"] == letters["pattern"]  # two different reasons: the pattern is shown
    assert letters["example"]["index"] == 2  # the first item of the group
    assert letters["example"]["reason"] == "the answer E is not among the options (A-C)"
    assert letters["example"]["snippet"] == "Answer: E"
    assert result["reasons"][0]["count"] == 2 and [r["count"] for r in result["reasons"][1:]] == [1] * 4
    none = reasons[("failed", "the answer is '…', which is not an option")]
    assert none["count"] == 1 and none["reason"] == "the answer is 'none', which is not an option"  # one reason: as is
    ambiguous = reasons[("ambiguous", "conflicting answers: …")]
    assert ambiguous["example"]["index"] == 3 and ambiguous["reason"] == "conflicting answers: A, C"
    assert reasons[("empty", "empty generation")]["example"]["index"] == 5
    assert reasons[("failed", "no option letter or option text found")]["example"]["snippet"] == "I am not sure."

    rules = {r["rule"]: r for r in result["rules"]}
    parser = medmetrics.get_parser("choice")
    expected = Counter(parser.parse(g, options=OPTIONS).rule for g, _ in MC)
    assert {rule: r["count"] for rule, r in rules.items()} == dict(expected)
    assert rules["anchored-letter"]["statuses"]["ok"] == 2
    assert rules[None]["statuses"] == {"empty": 1, "failed": 1}
    assert sum(r["count"] for r in result["rules"]) == 8
    assert [r["count"] for r in result["rules"]] == sorted((r["count"] for r in result["rules"]), reverse=True)


def test_text_output(capsys, pubmedqa_file: Path) -> None:
    code, out, _ = run(capsys, "audit", str(pubmedqa_file), "--task", "pubmedqa")
    assert code == 0
    signature = medmetrics.get_parser("label", labels=["yes", "no", "maybe"]).signature
    assert out.startswith(f"pubmedqa: 5 items, parser {signature}  ({pubmedqa_file})")
    rows = {line.split()[0]: line.split()[1:] for line in out.splitlines() if line.split()[:1] in
            (["ok"], ["failed"], ["ambiguous"], ["empty"], ["partial"])}
    assert rows["ok"] == ["3", "60.0%"] and rows["failed"] == ["1", "20.0%"] and rows["ambiguous"] == ["1", "20.0%"]
    assert rows["partial"] == ["0", "0.0%"]
    assert "no label from the label set found" in out
    assert 'e.g. item 2: "I cannot tell."' in out
    assert "conflicting answers: yes, no" in out and 'e.g. item 3: "Yes or no? It says yes, then no."' in out
    assert "rule" in out and "(none)" in out and "1 ambiguous" in out


def test_text_shows_the_span_of_an_example_and_limits_reasons(capsys, tmp_path: Path) -> None:
    rows = [{"generation": g, "reference": []} for g in ["A, D, K", "A, Q", "(C)", "B"]]
    path = write_jsonl(tmp_path / "hoc.jsonl", rows)
    code, out, _ = run(capsys, "audit", str(path), "--task", "hoc", "--top", "1")
    assert code == 0
    assert "partial    ignored: … is not among the options (…)" in out  # K and Q: one group, the pattern
    assert 'e.g. item 0: "A, D, K"' in out and "reason: ignored: K is not among the options (A-J)" in out
    assert 'read [0, 4): "A, D"' in out
    code, out, _ = run(capsys, "audit", str(path), "--task", "hoc", "--top", "0")
    assert "more (--top 0" not in out


def test_per_item_lines_point_at_the_text_they_read(capsys, mc_file: Path, tmp_path: Path) -> None:
    items = tmp_path / "items.jsonl"
    code, _, err = mc_audit(capsys, mc_file, "--per-item", str(items))
    assert code == 0, err
    lines = [json.loads(line) for line in items.read_text(encoding="utf-8").splitlines()]
    assert [line["index"] for line in lines] == list(range(len(MC)))
    assert {"task", "index", "status", "value", "rule", "reason", "span", "span_text"} <= set(lines[0])
    first = lines[0]
    assert first["task"] == "medqa" and first["status"] == "ok" and first["value"] == "B"
    assert first["span_text"] == "B" and MC[0][0][slice(*first["span"])] == "B"
    assert first["reference"] == "B" and first["generation"] == MC[0][0]
    assert lines[6]["value"] == "A" and lines[6]["span_text"] == "A" and lines[6]["span"] == [41, 42]
    for line, (generation, _) in zip(lines, MC):
        if line["span"] is None:
            assert line["span_text"] is None
        else:
            assert generation[line["span"][0]:line["span"][1]] == line["span_text"]
        assert (line["status"] == "ok") == (line["reason"] == "")
    assert lines[3]["candidates"] == ["A", "C"] and lines[3]["value"] is None


def test_json_round_trips_to_the_python_audit(capsys, mc_file: Path, tmp_path: Path) -> None:
    output = tmp_path / "audit.json"
    code, out, _ = mc_audit(capsys, mc_file, "--format", "json", "--output", str(output))
    assert code == 0 and out == ""
    data = json.loads(output.read_text(encoding="utf-8"))
    result = medmetrics.audit("medqa", [g for g, _ in MC], [r for _, r in MC],
                              context=[{"options": OPTIONS}] * len(MC), source=str(mc_file))
    assert data["tasks"]["medqa"] == result.to_dict()
    assert json.loads(json.dumps(result.to_dict(items=True), allow_nan=False))["items"] == result.per_item()


def test_parser_instead_of_a_task(capsys, mc_file: Path) -> None:
    code, out, err = run(capsys, "audit", str(mc_file), "--parser", "choice", "--parser-option", "letters=ABCDE",
                         "--prediction-field", "output", "--reference-field", "gold", "--format", "json")
    assert code == 0, err
    result = json.loads(out)["tasks"]["command-line"]
    assert result["task"] is None and "letters=ABCDE" in result["parser"]
    assert result["statuses"]["failed"] == 2  # D and E are options now; "none" and nothing found still fail


def test_suite_audits_every_task_of_the_run(capsys, tmp_path: Path) -> None:
    folder = tmp_path / "run"
    folder.mkdir()
    write_jsonl(folder / "pubmedqa.jsonl", [{"generation": g, "reference": r} for g, r in PUBMEDQA])
    write_jsonl(folder / "chemprot.jsonl", [{"generation": "CPR:4", "reference": "CPR:4"},
                                            {"generation": "It activates it.", "reference": "CPR:3"}])
    write_jsonl(folder / "medqa.jsonl", [{"generation": "B", "reference": "B"}])
    items = tmp_path / "items.jsonl"
    code, out, err = run(capsys, "audit", "--suite", "blurb", str(folder), "--format", "json", "--per-item", str(items))
    assert code == 0, err
    data = json.loads(out)
    assert set(data["tasks"]) == {"pubmedqa", "chemprot"}
    assert data["tasks"]["chemprot"]["statuses"]["failed"] == 1
    assert data["tasks"]["pubmedqa"]["source"].endswith("pubmedqa.jsonl")
    assert any("medqa" in note and "not asked for" in note for note in data["notes"])
    assert any(note.startswith("not in the run:") and "bc5_chem" in note for note in data["notes"])
    lines = [json.loads(line) for line in items.read_text(encoding="utf-8").splitlines()]
    assert Counter(line["task"] for line in lines) == {"pubmedqa": 5, "chemprot": 2}

    code, out, _ = run(capsys, "audit", "--suite", "blurb", str(folder))
    assert code == 0
    overview = out.split("\n\n")[0].splitlines()
    assert overview[0].split() == ["task", "n", "ok", "partial", "ambiguous", "empty", "failed"]
    assert overview[2].split() == ["chemprot", "2", "50.0%", "0.0%", "0.0%", "0.0%", "50.0%"]
    assert "note: not in the run:" in out


def test_task_from_a_harness_run(capsys) -> None:
    run_dir = Path(__file__).parent / "data" / "runs" / "lm_eval"
    code, out, err = run(capsys, "audit", str(run_dir), "--task", "pubmedqa", "--format", "json")
    assert code == 0, err
    result = json.loads(out)["tasks"]["pubmedqa"]
    assert "samples_pubmedqa" in result["source"] and result["n"] == sum(result["statuses"].values()) > 0
    code, _, err = run(capsys, "audit", str(run_dir), "--task", "medqa")
    assert code == 2 and "has no task 'medqa'; it has: pubmedqa" in err


def test_a_bad_file_is_one_clear_error_and_leaves_no_output(capsys, tmp_path: Path) -> None:
    path = tmp_path / "bad.jsonl"
    path.write_text('{"generation": "yes", "reference": "yes"}\n{"generation": "no", \n', encoding="utf-8")
    items, output = tmp_path / "items.jsonl", tmp_path / "out.txt"
    code, out, err = run(capsys, "audit", str(path), "--task", "pubmedqa", "--per-item", str(items),
                         "--output", str(output))
    assert code == 2 and out == ""
    assert err.startswith("medmetrics: error: ") and f"{path}:2: invalid JSON" in err and err.count("\n") == 1
    assert not items.exists() and not output.exists()


@pytest.mark.parametrize(("argv", "message"), [
    (["--task", "pubmedqa", "--prediction-field", "output"], "has no field 'output'"),
    ([], "audit needs --task"),
    (["--task", "pubmedqa", "--parser", "label"], "drop --parser"),
    (["--suite", "blurb", "--task", "pubmedqa"], "drop --task"),
    (["--task", "no_such_task"], "no_such_task"),
    (["--task", "pubmedqa", "--top", "-1"], "--top"),
])
def test_caller_mistakes_are_one_line(capsys, pubmedqa_file: Path, argv: list[str], message: str) -> None:
    code, out, err = run(capsys, "audit", str(pubmedqa_file), *argv)
    assert code == 2 and out == "" and message in err and err.startswith("medmetrics: error: ")


def test_a_wrong_context_names_the_item(capsys, tmp_path: Path) -> None:
    path = write_jsonl(tmp_path / "mc.jsonl", [{"generation": "B", "reference": "B", "options": "fever"}])
    code, _, err = run(capsys, "audit", str(path), "--task", "medqa", "--context-field", "options")
    assert code == 2 and f"{path}:1: record 1: context of parser 'choice'" in err, err


# --- from Python ------------------------------------------------------------------------------


def test_python_audit_of_a_list_of_generations() -> None:
    generations = [g for g, _ in PUBMEDQA]
    result = medmetrics.audit("pubmedqa", generations)
    assert isinstance(result, Audit) and result.task == "pubmedqa" and result.n == 5
    assert result.statuses["ok"] == 3 and result.shares["failed"] == pytest.approx(0.2)
    assert [(g.status, g.reason, g.count, g.example.index) for g in result.reasons] == [
        ("failed", "no label from the label set found", 1, 2),
        ("ambiguous", "conflicting answers: yes, no", 1, 3),
    ]
    assert all(item["reference"] is None for item in result.per_item())
    assert str(result) == result.render() and "pubmedqa: 5 items" in str(result)
    json.dumps(result.to_dict(items=True), allow_nan=False)


def test_python_audit_with_a_parser_and_per_item_context() -> None:
    parser = medmetrics.get_parser("choice")
    result = medmetrics.audit(parser, ["Answer: B", "Answer: D"], ["B", "A"],
                              context=[{"options": OPTIONS}, {"options": OPTIONS}])
    assert result.task is None and result.parser == parser.signature
    assert [i.parsed.status for i in result.items] == ["ok", "failed"]
    assert result.items[0].span_text == "B" and result.per_item()[1]["reference"] == "A"
    with pytest.raises(medmetrics.InputError, match="references has 1"):
        medmetrics.audit(parser, ["Answer: B", "Answer: D"], ["B"])
    with pytest.raises(medmetrics.InputError, match="context has 1 items"):
        medmetrics.audit(parser, ["Answer: B", "Answer: D"], context=[{"options": OPTIONS}])
    with pytest.raises(medmetrics.InputError, match="audit needs a task"):
        medmetrics.audit(42, ["B"])  # type: ignore[arg-type]


def test_audit_of_nothing_and_of_a_loaded_run() -> None:
    empty = medmetrics.audit("pubmedqa", [])
    assert empty.n == 0 and empty.to_dict()["shares"]["ok"] is None and "0 items" in empty.render()
    from medmetrics.inputs.adapters import load_run

    runs = load_run(Path(__file__).parent / "data" / "runs" / "run_a")
    audits, notes = audit_run(runs, ["pubmedqa", "medqa"])
    assert list(audits) == ["pubmedqa"] and audits["pubmedqa"].n == len(runs["pubmedqa"].generations)
    assert "not in the run: medqa" in notes
    assert any("not asked for" in note for note in notes)


def test_the_function_stays_medmetrics_audit_after_the_module_is_imported() -> None:
    import medmetrics.aggregate.auditing

    assert medmetrics.audit("pubmedqa", ["yes"]).statuses["ok"] == 1


def test_import_stays_light() -> None:
    import subprocess
    import sys

    code = ("import sys, medmetrics; "
            "assert 'medmetrics.aggregate.auditing' not in sys.modules and 'numpy' not in sys.modules")
    subprocess.run([sys.executable, "-c", code], check=True)


# --- grouping and snippets --------------------------------------------------------------------


@pytest.mark.parametrize(("reason", "candidates", "patterns"), [
    ("the answer E is not among the options (A-D)", (), ["the answer … is not among the options (…)"]),
    ("the answer B, E are not among the options (A, C, F)", (), ["the answer … are not among the options (…)"]),
    ("conflicting answers: yes, no", ("yes", "no"), ["conflicting answers: …"]),
    ("conflicting answers: ('A',); ('A', 'C')", (("A",), ("A", "C")), ["conflicting answers: …"]),
    ("non-integer score 2.5", (), ["non-integer score …"]),
    ("score 2/10 is on another scale than [0, 5]", (), ["score …/… is on another scale than […]"]),
    ("only negated label mentions: 'entailment', 'neutral'", (), ["only negated label mentions: '…'"]),
    ("2 mention(s) of undeclared types 'Dis', 'Chem' (kept with the type as written); "
     "1 of 3 mentions not found in the source (kept ungrounded)", (),
     ["… mention(s) of undeclared types '…' (kept with the type as written)",
      "… of … mentions not found in the source (kept ungrounded)"]),
    ("not a triple: [a; b]; not a triple: [c]", (), ["not a triple: […]"]),
    ("no 'Type: span...span' line found", (), ["no '…' line found"]),
    ("", (), ["(no reason given)"]),
])
def test_reason_patterns(reason: str, candidates: tuple[Any, ...], patterns: list[str]) -> None:
    assert [pattern for _, pattern in reason_notes(reason, candidates)] == patterns


def test_snippet_cuts_around_the_answer() -> None:
    text = "Let me think. " * 20 + "So the answer is (C). " + "More text. " * 10
    start = text.index("(C)") + 1
    cut = snippet(text, (start, start + 1))
    assert "the answer is (C)" in cut and cut.startswith("…") and cut.endswith("…") and len(cut) <= 122
    plain = snippet(text)
    assert plain.startswith("Let me think.") and plain.endswith("More text. ") and " … " in plain
    assert snippet("short", None) == "short"


def test_a_loglikelihood_task_is_left_out_of_a_suite_audit_and_alone_is_an_error(capsys) -> None:
    from pathlib import Path

    from medmetrics.aggregate.auditing import audit_run
    from medmetrics.cli import main
    from medmetrics.inputs.adapters import load_run

    run = Path(__file__).parent / "data" / "runs" / "lm_eval_mc"
    assert main(["audit", str(run), "--suite", "meds_bench"]) == 2  # its only task is log-likelihood
    assert "nothing to audit: medqa (log-likelihood samples: no generated text to audit)" in capsys.readouterr().err
    generated = load_run(str(Path(__file__).parent / "data" / "runs" / "run_a"))
    mixed = {**generated, "medqa": load_run(str(run))["medqa"]}
    audits, notes = audit_run(mixed, [*generated, "medqa"])
    assert set(audits) == set(generated)
    assert any("medqa (log-likelihood samples" in note for note in notes)
