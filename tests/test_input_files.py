"""Input files (issue #17, item 3): what lm-eval and Excel write is read, and nothing a user's file
holds gives a traceback; every error names the file and the line, counted from 1."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

from medmetrics import cli
from medmetrics.errors import InputError
from medmetrics.inputs.files import field, read_records

ROW = {"generation": "yes", "reference": "yes"}


def write(path: Path, text: str) -> Path:
    path.write_bytes(text.encode("utf-8"))
    return path


def error(path: Path) -> str:
    with pytest.raises(InputError) as info:
        read_records(path)
    return str(info.value)


def cli_error(capsys: pytest.CaptureFixture[str], path: Path) -> str:
    """The one-line error of ``score`` on ``path`` (no traceback: ``main`` returns 2)."""
    code = cli.main(["score", str(path), "--task", "pubmedqa"])
    err = capsys.readouterr().err
    assert code == 2, err
    assert "Traceback" not in err
    return err


def test_jsonl_strings_may_hold_unicode_line_separators(tmp_path: Path) -> None:
    # lm-eval writes samples with ensure_ascii=False: U+2028, U+2029 and U+0085 appear unescaped
    texts = ["yes\u2028really", "no\u2029para", "maybe\x85next", "form\x0cfeed"]
    lines = [json.dumps({"generation": t, "reference": "yes"}, ensure_ascii=False) for t in texts]
    path = write(tmp_path / "run.jsonl", "\r\n".join(lines) + "\r\n")
    records = read_records(path)
    assert [r["generation"] for r in records] == texts
    assert records.lines == [1, 2, 3, 4]  # type: ignore[attr-defined]


@pytest.mark.parametrize("suffix", ["csv", "jsonl", "json"])
def test_utf8_byte_order_mark_is_accepted(tmp_path: Path, suffix: str) -> None:
    # Excel's "CSV UTF-8" starts the file with a BOM; it must not become part of the first name
    text = {"csv": "generation,reference\nyes,yes\n", "jsonl": json.dumps(ROW) + "\n", "json": json.dumps([ROW])}
    path = write(tmp_path / f"run.{suffix}", "\ufeff" + text[suffix])
    records = read_records(path)
    assert records == [ROW]
    assert field(records, "generation", path) == ["yes"]


def test_csv_short_row_names_file_and_line(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    path = write(tmp_path / "run.csv", "generation,reference\nyes,yes\n\nno\nyes,yes\n")
    message = error(path)
    assert message.startswith(f"{path}:4: ") and "'reference'" in message
    assert f"{path}:4: " in cli_error(capsys, path)


def test_csv_unterminated_quote_names_file_and_line(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    path = write(tmp_path / "run.csv", 'generation,reference\nyes,yes\n"no,no\nyes,yes\n')
    message = error(path)
    assert message.startswith(f"{path}:3: ") and "unterminated quote" in message
    assert f"{path}:3: " in cli_error(capsys, path)


@pytest.mark.parametrize("content", ["", "\ufeff", "\n\n  \n"])
@pytest.mark.parametrize("suffix", ["csv", "jsonl", "json"])
def test_empty_file_is_an_error(tmp_path: Path, capsys: pytest.CaptureFixture[str], suffix: str,
                                content: str) -> None:
    path = write(tmp_path / f"run.{suffix}", content)
    assert error(path) == f"{path}: file is empty"
    assert f"{path}: file is empty" in cli_error(capsys, path)


@pytest.mark.parametrize("suffix", ["jsonl", "json"])
def test_deep_nesting_names_file_and_line(tmp_path: Path, capsys: pytest.CaptureFixture[str], suffix: str) -> None:
    deep = '{"generation": "yes", "reference": "yes", "x": ' + "[" * 100_000 + "]" * 100_000 + "}"
    text = (json.dumps(ROW) + "\n" + deep + "\n") if suffix == "jsonl" else f"[{json.dumps(ROW)},\n{deep}]"
    path = write(tmp_path / f"run.{suffix}", text)
    message = error(path)
    assert message.startswith(f"{path}:2: ") and "nested too deeply" in message
    assert f"{path}:2: " in cli_error(capsys, path)


@pytest.mark.parametrize("number", ["1" * 400, "1" * 400 + ".5", "-" + "9" * 400, "1e400"])
@pytest.mark.parametrize("suffix", ["jsonl", "json"])
def test_number_beyond_a_float_names_file_and_line(tmp_path: Path, capsys: pytest.CaptureFixture[str],
                                                   suffix: str, number: str) -> None:
    # read as inf (or an int no float can hold) it would silently turn into infinity or raise later
    bad = '{"generation": "yes", "reference": "yes", "x": ' + number + "}"
    text = (json.dumps(ROW) + "\n" + bad + "\n") if suffix == "jsonl" else f"[{json.dumps(ROW)},\n{bad}]"
    path = write(tmp_path / f"run.{suffix}", text)
    message = error(path)
    assert message.startswith(f"{path}:2: ") and "too large" in message
    assert f"{path}:2: " in cli_error(capsys, path)


@pytest.mark.parametrize("suffix", ["jsonl", "json"])
def test_integer_beyond_pythons_digit_limit_names_file_and_line(tmp_path: Path, capsys: pytest.CaptureFixture[str],
                                                                 suffix: str) -> None:
    bad = '{"generation": "yes", "reference": "yes", "x": ' + "1" * 5000 + "}"
    text = (json.dumps(ROW) + "\n" + bad + "\n") if suffix == "jsonl" else f"[{json.dumps(ROW)},\n{bad}]"
    path = write(tmp_path / f"run.{suffix}", text)
    message = error(path)
    assert message.startswith(f"{path}:2: ") and "5000 digits" in message
    assert f"{path}:2: " in cli_error(capsys, path)


def test_numbers_a_float_holds_are_still_read(tmp_path: Path) -> None:
    # the limits above must not reject ordinary large or precise numbers
    big = int("1" * 300)
    path = write(tmp_path / "run.jsonl", json.dumps({**ROW, "a": big, "b": 1.7e308, "c": -5e-324, "d": 12}) + "\n")
    assert read_records(path)[0] | {} == {**ROW, "a": big, "b": 1.7e308, "c": -5e-324, "d": 12}


def test_one_counting_convention_lines_from_1(tmp_path: Path) -> None:
    # a record's error names its line in the file (from 1), the same number a JSON error gives
    jsonl = write(tmp_path / "run.jsonl", json.dumps(ROW) + "\n\n" + json.dumps({"generation": "no"}) + "\n")
    with pytest.raises(InputError, match=rf"^{re.escape(str(jsonl))}:3: record 2 has no field 'reference'"):
        field(read_records(jsonl), "reference", jsonl)
    csv_path = write(tmp_path / "run.csv", 'generation,reference\n"multi\nline",yes\nyes,yes\n')
    records = read_records(csv_path)
    assert records.lines == [2, 4]  # type: ignore[attr-defined]  # a record is named by its first line
    with pytest.raises(InputError, match=rf"^{re.escape(str(csv_path))}:2: record 1 has no field 'gold'"):
        field(records, "gold", csv_path)


@pytest.mark.parametrize("bom", [b"", b"\xef\xbb\xbf"])
def test_text_not_utf8_names_file_line_and_byte(tmp_path: Path, bom: bytes) -> None:
    path = tmp_path / "run.jsonl"
    path.write_bytes(bom + json.dumps(ROW).encode() + b"\n" + b'{"generation": "caf\xe9"}\n')
    message = error(path)
    assert message.startswith(f"{path}:2: not UTF-8 text")
    assert f"at byte {len(bom) + len(json.dumps(ROW)) + 20}" in message  # the offset in the file, from 0


# --- an error about an item names its file and line (one counting convention in a file's messages)

@pytest.mark.parametrize(("records", "argv", "expected"), [
    ('{"generation": "yes", "reference": "yes"}\n\n{"generation": "no", "reference": "maybee"}\n',
     ["--task", "pubmedqa"], ":3: record 2: the reference has label(s) ['maybee'] outside the label set"),
    ('{"generation": "yes", "reference": "yes"}\n{"generation": "no", "reference": NaN}\n',
     ["--task", "pubmedqa"], ":2: record 2: the reference is nan (float), not a label"),
    ('{"generation": "yes", "reference": "yes"}\n{"generation": 7, "reference": "no"}\n',
     ["--task", "pubmedqa"], ":2: record 2: the prediction is int 7, not a string"),
    ('{"generation": "A", "reference": "A"}\n{"generation": "B", "reference": "Z"}\n',
     ["--parser", "choice", "--metric", "accuracy", "--context", 'options=["x", "y"]'],
     ":2: record 2: the reference is 'Z' (str), not an option letter (A, B)"),
])
def test_an_item_error_names_the_file_and_line_of_its_record(records: str, argv: list[str], expected: str,
                                                             tmp_path: Path, capsys) -> None:
    path = tmp_path / "run.jsonl"
    path.write_text(records, encoding="utf-8")
    code = cli.main(["score", str(path), *argv])
    err = capsys.readouterr().err
    assert code == 2 and f"{path}{expected}" in err and err.count("\n") == 1, err


def test_a_reference_error_names_the_references_file_when_it_is_apart(tmp_path: Path, capsys) -> None:
    predictions, references = tmp_path / "gen.jsonl", tmp_path / "gold.csv"
    predictions.write_text('{"generation": "yes"}\n{"generation": "no"}\n', encoding="utf-8")
    references.write_text("reference\nyes\nperhaps\n", encoding="utf-8")
    code = cli.main(["score", str(predictions), "--references", str(references), "--task", "pubmedqa"])
    err = capsys.readouterr().err
    assert code == 2 and f"{references}:3: record 2: the reference has label(s) ['perhaps']" in err, err


def test_a_json_list_files_item_error_names_the_record(tmp_path: Path, capsys) -> None:
    path = tmp_path / "run.json"
    path.write_text('[{"generation": "yes", "reference": "yes"}, {"generation": "no", "reference": null}]',
                    encoding="utf-8")
    code = cli.main(["score", str(path), "--task", "pubmedqa"])
    err = capsys.readouterr().err
    assert code == 2 and f"{path}: record 2: the reference is None" in err, err


def test_the_python_api_names_items_by_position_from_0() -> None:
    import medmetrics

    with pytest.raises(InputError, match=r"^reference 1 has label\(s\) \['perhaps'\]") as info:
        medmetrics.evaluate("pubmedqa", ["yes", "no"], ["yes", "perhaps"])
    assert info.value.item == 1


def test_a_runs_item_error_names_the_task_file_and_line(tmp_path: Path, capsys) -> None:
    run = tmp_path / "run"
    run.mkdir()
    (run / "pubmedqa.jsonl").write_text(
        '{"generation": "yes", "reference": "yes"}\n\n{"generation": "no", "reference": "perhaps"}\n', encoding="utf-8")
    code = cli.main(["score", str(run), "--suite", "blurb"])
    err = capsys.readouterr().err
    assert code == 2 and err.count("\n") == 1, err
    assert f"task 'pubmedqa': {run / 'pubmedqa.jsonl'}:3: record 2: the reference has label(s) ['perhaps']" in err
