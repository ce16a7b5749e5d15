"""Streaming (issue #16, item 2): ``score`` reads a task's file in chunks and keeps only each chunk's
statistics, so memory is bounded by the statistics, not by the file; the report is the whole
file's, interval included. Parquet through pyarrow. The 1,000,000-item figures are in
``benchmarks/bench_streaming.py`` (docs/scale.md), not here."""

from __future__ import annotations

import json
import random
import warnings
from importlib import resources
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import medmetrics
from medmetrics import Parser, cli
from medmetrics.aggregate.streaming import chunked, evaluate_stream
from medmetrics.errors import InputError, MissingDependencyError, ParserErrorWarning
from medmetrics.inputs.files import iter_records, read_records
from medmetrics.plugins import default_catalog
from medmetrics.results import Parsed

#: the demo generations of a task, repeated with other references to make a run of ``n`` items
WORDS = ("fever", "cough", "rash", "renal", "failure", "aspirin", "dose", "patient", "trial", "heart")


def _demo(task: str) -> list[dict[str, Any]]:
    text = (resources.files("medmetrics") / "data" / "demo" / f"{task}.jsonl").read_text(encoding="utf-8")
    return [json.loads(line) for line in text.splitlines() if line.strip()]


def _run(task: str, n: int, seed: int = 5) -> list[dict[str, Any]]:
    """``n`` records of ``task`` (generation, reference, context), varied from its demo items."""
    rng = random.Random(seed)
    if task == "paramed":  # free text: BLEU and ROUGE-L on generated sentences
        out = []
        for _ in range(n):
            reference = " ".join(rng.choice(WORDS) for _ in range(rng.randint(3, 12)))
            said = [w if rng.random() < 0.7 else rng.choice(WORDS) for w in reference.split()]
            out.append({"generation": " ".join(said), "reference": reference})
        return out
    demo = _demo(task)
    golds = [item["reference"] for item in demo]
    out = []
    for _ in range(n):
        item = dict(rng.choice(demo))
        if rng.random() < 0.3:
            item["reference"] = rng.choice(golds) if task != "medqa" else rng.choice("ABCD")
        out.append(item)
    return out


def _lists(records: list[dict[str, Any]]) -> tuple[list[Any], list[Any], Any]:
    own = [r.get("context", {}) for r in records]
    return [r["generation"] for r in records], [r["reference"] for r in records], own if any(own) else None


TASKS = ("medqa", "pubmedqa", "chemprot", "bc5_disease", "biosses", "paramed")


@settings(max_examples=24, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(task=st.sampled_from(TASKS), n=st.integers(1, 60), size=st.integers(1, 70), ci=st.booleans(),
       seed=st.integers(0, 3))
def test_a_run_scored_in_chunks_is_the_whole_runs_report(task: str, n: int, size: int, ci: bool, seed: int) -> None:
    generations, references, context = _lists(_run(task, n, seed))
    whole = medmetrics.evaluate(task, generations, references, context=context, ci=ci, resamples=200, seed=seed)
    streamed = evaluate_stream(task, chunked(generations, references, context, size), ci=ci, resamples=200,
                               seed=seed)
    assert streamed.to_dict() == whole.to_dict()  # values, components, per-label, statuses, notes, intervals
    kept = evaluate_stream(task, chunked(generations, references, context, size), ci=ci, resamples=200, seed=seed,
                           items=True)
    assert kept.to_dict(items=True) == whole.to_dict(items=True)


class Fragile(Parser):
    """Raises on generations holding 'boom' (a third-party parser with a bug)."""

    name = "fragile"

    def read(self, text: str, settings: Any) -> Any:
        if "boom" in text:
            raise RuntimeError(f"cannot read {text!r}")
        return Parsed(text.strip(), "ok", rule="text")


def test_a_parsers_errors_are_one_note_and_one_warning_for_the_whole_run() -> None:
    generations = ["yes", "no", "boom 1", "yes", "no", "boom 2", "yes", "boom 3"]
    references = ["yes", "no", "yes", "yes", "no", "no", "yes", "no"]

    def score(streamed: bool) -> tuple[dict[str, Any], list[str]]:
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always")
            if streamed:
                report = evaluate_stream(Fragile(), chunked(generations, references, None, 3), metrics=["accuracy"])
            else:
                report = medmetrics.evaluate(Fragile(), generations, references, metrics=["accuracy"])
        return report.to_dict(), [str(w.message) for w in caught if issubclass(w.category, ParserErrorWarning)]

    (whole, whole_warned), (streamed, streamed_warned) = score(False), score(True)
    assert streamed == whole and streamed_warned == whole_warned
    assert len(streamed_warned) == 1 and "raised on 3 of 8 generations" in streamed_warned[0]
    assert "first error, item 2:" in streamed_warned[0]


def test_an_error_names_the_item_by_its_index_in_the_run() -> None:
    generations = ["yes"] * 10
    references = ["yes"] * 7 + ["perhaps", "no", "no"]
    with pytest.raises(InputError) as whole:
        medmetrics.evaluate("pubmedqa", generations, references)
    with pytest.raises(InputError) as streamed:
        evaluate_stream("pubmedqa", chunked(generations, references, None, 3))
    assert str(streamed.value) == str(whole.value) and streamed.value.item == whole.value.item == 7


# --- the reader -------------------------------------------------------------------------------------


def _write(path: Path, records: list[dict[str, Any]]) -> Path:
    if path.suffix == ".csv":
        import csv

        with path.open("w", encoding="utf-8", newline="") as f:
            writer = csv.DictWriter(f, fieldnames=list(records[0]))
            writer.writeheader()
            writer.writerows(records)
    elif path.suffix == ".json":
        path.write_text(json.dumps(records), encoding="utf-8")
    elif path.suffix == ".parquet":
        import pyarrow as pa
        import pyarrow.parquet as pq

        pq.write_table(pa.Table.from_pylist(records), path, row_group_size=7)
    else:
        path.write_text("".join(json.dumps(r) + "\n" for r in records), encoding="utf-8")
    return path


@pytest.mark.parametrize("suffix", ["jsonl", "csv", "json", "parquet"])
@pytest.mark.parametrize("size", [1, 4, 10, 100])
def test_chunks_are_the_records_of_the_file(tmp_path: Path, suffix: str, size: int, monkeypatch) -> None:
    monkeypatch.setattr("medmetrics.inputs.files.BLOCK_BYTES", 64)  # many blocks, lines cut across them
    records = [{"generation": f"line {i}\nwith a newline" if i % 3 == 0 else f"é {i}", "reference": str(i)}
               for i in range(23)]
    records[5]["generation"] = "a line longer than several blocks " * 20
    path = _write(tmp_path / f"run.{suffix}", records)
    chunks = list(iter_records(path, chunk_size=size))
    assert [len(c) for c in chunks[:-1]] == [size] * (len(chunks) - 1)
    assert [c.first for c in chunks] == list(range(0, 23, size))
    whole = read_records(path)
    assert [r for c in chunks for r in c] == list(whole) == records
    assert [line for c in chunks for line in c.lines] == whole.lines


@pytest.mark.parametrize("bom", [b"", b"\xef\xbb\xbf"])
def test_text_not_utf8_in_a_late_block_names_line_and_byte(tmp_path: Path, monkeypatch, bom: bytes) -> None:
    monkeypatch.setattr("medmetrics.inputs.files.BLOCK_BYTES", 16)
    lines = [json.dumps({"generation": "yes", "reference": "yes"}).encode() for _ in range(9)]
    lines[6] = b'{"generation": "y\xffs", "reference": "yes"}'
    path = tmp_path / "run.jsonl"
    path.write_bytes(bom + b"\n".join(lines) + b"\n")
    byte = len(bom) + sum(len(line) + 1 for line in lines[:6]) + lines[6].index(b"\xff")
    with pytest.raises(InputError, match=rf"run.jsonl:7: not UTF-8 text \(invalid start byte at byte {byte}\)"):
        list(iter_records(path, chunk_size=2))


def test_a_bad_line_in_a_late_chunk_names_file_and_line(tmp_path: Path, capsys) -> None:
    lines = [json.dumps({"generation": "yes", "reference": "yes"}) for _ in range(30)]
    lines[24] = '{"generation": "yes", "reference": }'
    path = tmp_path / "run.jsonl"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    assert cli.main(["score", str(path), "--task", "pubmedqa", "--chunk-size", "4"]) == 2
    assert f"{path}:25: invalid JSON" in capsys.readouterr().err


@pytest.mark.parametrize("suffix", ["jsonl", "csv", "parquet"])
def test_an_item_error_in_a_late_chunk_names_file_line_and_record(tmp_path: Path, capsys, suffix: str) -> None:
    records = [{"generation": "yes", "reference": "yes"} for _ in range(30)]
    records[26]["reference"] = "perhaps"
    path = _write(tmp_path / f"run.{suffix}", records)
    expected = {"jsonl": f"{path}:27: record 27: the reference has label(s) ['perhaps']",
                "csv": f"{path}:28: record 27: the reference has label(s) ['perhaps']",
                "parquet": f"{path}: record 27: the reference has label(s) ['perhaps']"}[suffix]
    for size in ("5", "0"):
        assert cli.main(["score", str(path), "--task", "pubmedqa", "--chunk-size", size]) == 2
        assert expected in capsys.readouterr().err


def test_a_reference_error_names_the_references_file(tmp_path: Path, capsys) -> None:
    predictions = _write(tmp_path / "run.jsonl", [{"generation": "yes"} for _ in range(12)])
    references = _write(tmp_path / "gold.jsonl", [{"reference": "yes" if i != 9 else "perhaps"} for i in range(12)])
    assert cli.main(["score", str(predictions), "--references", str(references), "--task", "pubmedqa",
                     "--chunk-size", "4"]) == 2
    assert f"{references}:10: record 10: the reference has label(s) ['perhaps']" in capsys.readouterr().err
    short = _write(tmp_path / "short.jsonl", [{"reference": "yes"} for _ in range(9)])
    assert cli.main(["score", str(predictions), "--references", str(short), "--task", "pubmedqa",
                     "--chunk-size", "4"]) == 2
    assert "predictions has 12 items but references has 9" in capsys.readouterr().err
    long = _write(tmp_path / "long.jsonl", [{"reference": "yes"} for _ in range(15)])
    for size in ("4", "0"):
        assert cli.main(["score", str(predictions), "--references", str(long), "--task", "pubmedqa",
                         "--chunk-size", size]) == 2
        assert "predictions has 12 items but references has 15" in capsys.readouterr().err


# --- the command ------------------------------------------------------------------------------------


def _score(capsys, path: Path, *argv: str) -> str:
    assert cli.main(["score", str(path), *argv]) == 0, capsys.readouterr().err
    return capsys.readouterr().out


@pytest.mark.parametrize("task", ["medqa", "bc5_disease", "biosses"])
def test_score_in_chunks_prints_and_writes_what_the_whole_file_gives(tmp_path: Path, capsys, task: str) -> None:
    path = _write(tmp_path / "run.jsonl", _run(task, 45))
    common = ["--task", task, "--ci", "--resamples", "300", "--format", "json"]
    outputs = {}
    for size in ("0", "7", "45", "1000"):
        items = tmp_path / f"items-{size}.jsonl"
        outputs[size] = (_score(capsys, path, *common, "--chunk-size", size, "--per-item", str(items)),
                         items.read_text(encoding="utf-8"))
    assert len({text for text, _ in outputs.values()}) == 1
    assert len({items for _, items in outputs.values()}) == 1
    lines = [json.loads(line) for line in outputs["7"][1].splitlines()]
    assert [line["index"] for line in lines] == list(range(45))


def test_score_with_references_file_in_chunks(tmp_path: Path, capsys) -> None:
    records = _run("medqa", 30)
    predictions = _write(tmp_path / "run.jsonl", [{"generation": r["generation"]} for r in records])
    references = _write(tmp_path / "gold.jsonl", [{"reference": r["reference"], "context": r["context"]}
                                                  for r in records])
    both = _write(tmp_path / "both.jsonl", records)
    argv = ["--task", "medqa", "--format", "json"]
    expected = _score(capsys, both, *argv)
    assert _score(capsys, predictions, "--references", str(references), *argv, "--chunk-size", "4") == expected
    assert _score(capsys, predictions, "--references", str(references), *argv, "--chunk-size", "0") == expected


def test_a_bad_record_in_chunk_3_leaves_no_output_file(tmp_path: Path, capsys) -> None:
    records = _run("pubmedqa", 40)
    records[33]["generation"] = 7  # chunk 3 of 15 records: not a string
    path = _write(tmp_path / "run.jsonl", records)
    output, items = tmp_path / "out.json", tmp_path / "items.jsonl"
    code = cli.main(["score", str(path), "--task", "pubmedqa", "--chunk-size", "15", "--output", str(output),
                     "--per-item", str(items)])
    assert code == 2
    assert f"{path}:34: record 34: the prediction is int 7, not a string" in capsys.readouterr().err
    assert sorted(p.name for p in tmp_path.iterdir()) == ["run.jsonl"]  # nor any temporary file


@pytest.mark.parametrize("suffix", ["csv", "parquet", "json"])
def test_every_format_scores_the_same_streamed(tmp_path: Path, capsys, suffix: str) -> None:
    records = [{"generation": r["generation"], "reference": r["reference"]} for r in _run("chemprot", 33)]
    jsonl = _write(tmp_path / "run.jsonl", records)
    other = _write(tmp_path / f"run.{suffix}", records)
    argv = ["--task", "chemprot", "--ci", "--resamples", "200", "--format", "json"]
    expected = _score(capsys, jsonl, *argv, "--chunk-size", "0")
    assert _score(capsys, other, *argv, "--chunk-size", "5") == expected
    assert _score(capsys, other, *argv, "--chunk-size", "0") == expected


def test_parquet_round_trip_with_nested_values(tmp_path: Path, capsys) -> None:
    records = _run("medqa", 25)  # options per item: a nested list in a struct column
    path = _write(tmp_path / "run.parquet", records)
    assert list(read_records(path)) == records
    named = tmp_path / "run.data"
    named.write_bytes(path.read_bytes())
    argv = ["--task", "medqa", "--format", "json"]
    expected = _score(capsys, _write(tmp_path / "run.jsonl", records), *argv)
    assert _score(capsys, path, *argv, "--chunk-size", "6") == expected
    assert _score(capsys, named, *argv, "--input-format", "parquet") == expected


def test_parquet_without_pyarrow_is_one_error_saying_what_to_install(tmp_path: Path, monkeypatch, capsys) -> None:
    path = _write(tmp_path / "run.parquet", [{"generation": "yes", "reference": "yes"}])
    import builtins

    real = builtins.__import__

    def no_pyarrow(name: str, *args: Any, **kwargs: Any) -> Any:
        if name.split(".")[0] == "pyarrow":
            raise ImportError(f"No module named {name!r}")
        return real(name, *args, **kwargs)

    monkeypatch.setattr(builtins, "__import__", no_pyarrow)
    with pytest.raises(MissingDependencyError, match=r"pip install 'medmetrics\[parquet\]'"):
        read_records(path)
    assert cli.main(["score", str(path), "--task", "pubmedqa"]) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "pip install 'medmetrics[parquet]'" in err


def test_a_file_that_is_not_parquet_is_an_input_error(tmp_path: Path) -> None:
    path = tmp_path / "run.parquet"
    path.write_text("generation,reference\nyes,yes\n", encoding="utf-8")
    with pytest.raises(InputError, match=r"run.parquet: not a Parquet file"):
        read_records(path)


def test_chunk_size_must_not_be_negative(tmp_path: Path, capsys) -> None:
    path = _write(tmp_path / "run.jsonl", [{"generation": "yes", "reference": "yes"}])
    assert cli.main(["score", str(path), "--task", "pubmedqa", "--chunk-size", "-1"]) == 2
    assert "--chunk-size must be" in capsys.readouterr().err


def test_catalog_is_not_changed_by_streaming() -> None:
    catalog = default_catalog()
    evaluate_stream("pubmedqa", chunked(["yes", "no"], ["yes", "no"], None, 1), catalog=catalog)
    assert catalog is default_catalog()


def test_a_metrics_error_about_an_item_names_its_file_and_line(tmp_path: Path, capsys) -> None:
    records: list[dict[str, Any]] = [{"generation": "3", "reference": 2.5} for _ in range(10)]
    records[7]["reference"] = None
    path = _write(tmp_path / "run.jsonl", records)
    for size in ("0", "3"):
        assert cli.main(["score", str(path), "--task", "biosses", "--chunk-size", size]) == 2
        assert f"{path}:8: record 8: metric 'pearson': reference 7 is None" in capsys.readouterr().err
