"""Input files (issue #17, item 3): what lm-eval and Excel write is read, and nothing a user's file
holds gives a traceback; every error names the file and the line, counted from 1."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

from medmetrics import cli
from medmetrics.errors import InputError
from medmetrics.io import field, read_records

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
