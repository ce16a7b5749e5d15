"""Reading records from JSONL, JSON and CSV files, and writing outputs atomically.

A bad input file gives one ``InputError`` naming the file and line; an output file is written
to a temporary name and renamed, so a failed run never leaves a partial file behind.
"""

from __future__ import annotations

import csv
import json
import os
import tempfile
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import IO, Any

from medmetrics.errors import InputError

FORMATS = ("jsonl", "json", "csv")
#: how string references (from CSV) are converted: a task's ``reference_type``
REFERENCE_TYPES = ("str", "int", "float", "json")


def json_value(text: str) -> Any:
    """A value given as text (a CSV cell, a command-line option): JSON when it parses, else the text."""
    try:
        return json.loads(text)
    except json.JSONDecodeError:
        return text


def coerce(values: list[Any], kind: str | None, what: str = "reference") -> list[Any]:
    """Turn string values (CSV gives only strings) into ``kind``; the error names the record."""
    if kind in (None, "str"):
        return values
    converters: dict[str, Callable[[str], Any]] = {"json": json_value, "list": json_value, "float": float, "int": int}
    convert = converters[kind]
    out = []
    for i, value in enumerate(values):
        if isinstance(value, str):
            try:
                value = convert(value)
            except ValueError:
                raise InputError(f"{what} of record {i + 1} is {value!r}, not {kind}") from None
        out.append(value)
    return out


def detect_format(path: Path, given: str | None = None) -> str:
    if given:
        if given not in FORMATS:
            raise InputError(f"unknown input format {given!r}; use one of {FORMATS}")
        return given
    suffix = path.suffix.lower().lstrip(".")
    if suffix in FORMATS:
        return suffix
    raise InputError(f"{path}: cannot tell the format from the file name; pass --input-format ({', '.join(FORMATS)})")


def read_records(path: str | Path, fmt: str | None = None) -> list[dict[str, Any]]:
    """Every record of the file as a dict; line numbers in errors are 1-based."""
    path = Path(path)
    fmt = detect_format(path, fmt)
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise InputError(f"{path}: no such file") from None
    except UnicodeDecodeError as exc:
        raise InputError(f"{path}: not UTF-8 text ({exc.reason} at byte {exc.start})") from None
    except OSError as exc:
        raise InputError(f"{path}: cannot read: {exc.strerror}") from None
    if fmt == "jsonl":
        return list(_jsonl(path, text))
    if fmt == "json":
        return _json(path, text)
    return _csv(path, text)


def _jsonl(path: Path, text: str) -> Iterator[dict[str, Any]]:
    for number, line in enumerate(text.splitlines(), start=1):
        if not line.strip():
            continue
        try:
            record = json.loads(line)
        except json.JSONDecodeError as exc:
            raise InputError(f"{path}:{number}: invalid JSON: {exc.msg} (column {exc.colno})") from None
        if not isinstance(record, dict):
            raise InputError(f"{path}:{number}: expected a JSON object, got {type(record).__name__}")
        yield record


def _json(path: Path, text: str) -> list[dict[str, Any]]:
    try:
        data = json.loads(text)
    except json.JSONDecodeError as exc:
        raise InputError(f"{path}:{exc.lineno}: invalid JSON: {exc.msg} (column {exc.colno})") from None
    if isinstance(data, dict):
        lists = [v for v in data.values() if isinstance(v, list)]
        if len(lists) != 1:
            raise InputError(f"{path}: expected a list of records (or an object holding exactly one list)")
        data = lists[0]
    if not isinstance(data, list):
        raise InputError(f"{path}: expected a list of records, got {type(data).__name__}")
    for i, record in enumerate(data):
        if not isinstance(record, dict):
            raise InputError(f"{path}: record {i} is {type(record).__name__}, not an object")
    return data


def _csv(path: Path, text: str) -> list[dict[str, Any]]:
    reader = csv.DictReader(text.splitlines(keepends=True))
    records = []
    try:
        for record in reader:
            if None in record:
                raise InputError(f"{path}:{reader.line_num}: more fields than the header names")
            records.append(dict(record))
    except csv.Error as exc:
        raise InputError(f"{path}:{reader.line_num}: invalid CSV: {exc}") from None
    return records


def field(records: list[dict[str, Any]], name: str, path: str | Path) -> list[Any]:
    """The values of ``name`` in every record; a missing field names the record."""
    values = []
    for i, record in enumerate(records):
        if name not in record:
            keys = ", ".join(sorted(record)) or "(none)"
            raise InputError(f"{path}: record {i + 1} has no field {name!r}; its fields are: {keys}")
        values.append(record[name])
    return values


@contextmanager
def atomic_writer(path: str | Path) -> Iterator[IO[str]]:
    """Write to a temporary file beside ``path`` and move it into place only on success."""
    path = Path(path)
    handle = tempfile.NamedTemporaryFile(  # noqa: SIM115 - closed below, before the rename
        "w", encoding="utf-8", dir=path.parent or ".", prefix=f".{path.name}.", suffix=".tmp", delete=False, newline=""
    )
    try:
        with handle:
            yield handle
        os.replace(handle.name, path)
    except BaseException:
        os.unlink(handle.name)
        raise
