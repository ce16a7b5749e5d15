"""Reading records from JSONL, JSON and CSV files, and writing outputs atomically.

A bad input file gives one ``InputError`` naming the file and line; an output file is written
to a temporary name and renamed, so a failed, interrupted or terminated run never leaves a partial
file behind (and a killed one's temporary file is swept by the next run writing beside it).

Counting, one convention everywhere: every message about a file starts ``PATH:LINE:`` with
lines counted from 1, the way editors, ``grep -n`` and compilers count. A record spanning lines
(a CSV field holding a newline) is named by the line it starts on. "record N" also counts from
1 (the N-th record; blank lines are not records) and, from a JSONL or CSV file, comes after its
line (``PATH:7: record 5 has no field ...``): ``read_records`` returns a ``Records`` list that
keeps each record's line. Records of a whole-file JSON list have no line of their own and are
named by number only. The byte of a text that is not UTF-8 is an offset in the file, from 0 as
hex dumps count. An error about one item read from a file (a reference outside the labels, a
prediction that is not text) names that file and line too, through ``items_located`` and the
adapters' ``TaskRun.places``: ``run.jsonl:7: record 5: the reference is ...``. Only where no file
is involved (the Python API given lists) is an item named by its position, "reference 4", from 0
like any Python index, as is ``"index"`` in the per-item output.

What is accepted: UTF-8 text, with or without a byte-order mark (Excel's "CSV UTF-8" writes
one). JSONL lines end at ``\n`` or ``\r\n`` only: U+2028, U+2029, U+0085 and form feeds are
characters of a record, not line ends (JSON allows them unescaped in strings, and
``ensure_ascii=False`` writers such as lm-eval emit them). Nothing in a file produces a
traceback: nesting too deep for the decoder, integers longer than Python's limit for converting
digits, and numbers too large for a float (which would be read as infinity) are each an
``InputError`` naming the line. A CSV row with fewer or more fields than the header is an error
even when the missing columns are not used: a short row almost always means a quote or a
delimiter went astray, and scoring the rest would silently shift values. A quote left open to the
end of the file is an error naming the line it opens on. An empty file (nothing but whitespace
and a byte-order mark) is the error "file is empty", not zero items.
"""

from __future__ import annotations

import csv
import json
import math
import os
import re
import secrets
import sys
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from io import StringIO
from pathlib import Path
from typing import IO, Any

from medmetrics.errors import InputError, MissingDependencyError

#: the text formats (a run folder's task files); ``parquet`` is read too, with pyarrow
FORMATS = ("jsonl", "json", "csv")
#: every format ``read_records`` and ``iter_records`` read (``--input-format``)
INPUT_FORMATS = (*FORMATS, "parquet")
#: records per chunk of ``iter_records`` (and of ``medmetrics score``, ``--chunk-size``)
CHUNK_RECORDS = 50_000
#: bytes read from a JSONL or CSV file at a time (a chunk of text ends at the last line end in it)
BLOCK_BYTES = 1 << 20
_BOM = b"\xef\xbb\xbf"
PARQUET_INSTALL = "pip install 'medmetrics[parquet]'"
#: how string references (from CSV) are converted: a task's ``reference_type``
REFERENCE_TYPES = ("str", "int", "float", "json")


def json_value(text: str) -> Any:
    """A value given as text (a CSV cell, a command-line option): JSON when it parses, else the text."""
    try:
        return json.loads(text)
    except json.JSONDecodeError:
        return text


def coerce(values: list[Any], kind: str | None, what: str = "reference") -> list[Any]:
    """Turn string values (CSV gives only strings) into ``kind``; the error names the item."""
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
                raise InputError(f"{what} of item {i} is {value!r}, not {kind}", item=i) from None
        out.append(value)
    return out


def detect_format(path: Path, given: str | None = None) -> str:
    if given:
        if given not in INPUT_FORMATS:
            raise InputError(f"unknown input format {given!r}; use one of {INPUT_FORMATS}")
        return given
    suffix = path.suffix.lower().lstrip(".")
    if suffix in INPUT_FORMATS:
        return suffix
    raise InputError(f"{path}: cannot tell the format from the file name; pass --input-format "
                     f"({', '.join(INPUT_FORMATS)})")


class Records(list[dict[str, Any]]):
    """The records of a file (a plain ``list`` of dicts) with the line each one starts on; a chunk
    of ``iter_records`` also knows its place in the file: ``first``, the position (from 0) of its
    first record, so that ``record_place`` names a record by its number in the file."""

    def __init__(self, first: int = 0) -> None:
        super().__init__()
        self.lines: list[int] = []
        self.first = first

    def add(self, record: dict[str, Any], line: int) -> None:
        self.append(record)
        self.lines.append(line)


def read_records(path: str | Path, fmt: str | None = None) -> Records:
    """Every record of the file as a dict (a ``Records`` list); lines in errors count from 1.
    The whole file in one chunk of ``iter_records``: the same reading, the same errors."""
    for records in iter_records(path, fmt, chunk_size=0):
        return records
    return Records()  # a CSV file with a header and no rows


def iter_records(path: str | Path, fmt: str | None = None, chunk_size: int | None = CHUNK_RECORDS) -> Iterator[Records]:
    """The records of the file in chunks of ``chunk_size`` (``Records``, each but the last exactly
    that long; ``0`` or ``None``: one chunk, the whole file), with their lines and, in ``first``,
    the place of each chunk's first record in the file, so that an error names ``PATH:LINE``.

    A JSONL or CSV file is read incrementally (``BLOCK_BYTES`` at a time): memory holds one chunk,
    not the file. A JSON file (one list) is read whole, then cut. A Parquet file (pyarrow:
    ``pip install 'medmetrics[parquet]'``) is read batch by batch; its records have no line and
    are named by number (``PATH: record N``). Decoding and errors are ``read_records``' own (it is
    this with one chunk); an error in a late chunk comes after the earlier chunks were yielded."""
    path = Path(path)
    fmt = detect_format(path, fmt)
    size = chunk_size if chunk_size and chunk_size > 0 else None
    if fmt == "parquet":
        yield from _parquet_chunks(path, size)
        return
    if fmt == "json":
        text = _read_text(path)
        if not text.strip():
            raise InputError(f"{path}: file is empty")
        records = _json(path, text)
        if size is None or len(records) <= size:
            yield records
            return
        for start in range(0, len(records), size):
            chunk = Records(first=start)
            chunk.extend(records[start:start + size])
            yield chunk
        return
    pairs = _jsonl_records(path) if fmt == "jsonl" else _csv_records(path)
    yield from _chunked(pairs, size)


def _chunked(pairs: Iterator[tuple[dict[str, Any], int]], size: int | None) -> Iterator[Records]:
    records = Records()
    for record, line in pairs:
        records.add(record, line)
        if size is not None and len(records) >= size:
            yield records
            records = Records(first=records.first + len(records))
    if records:
        yield records


def read_json(path: str | Path) -> Any:
    """A whole JSON file (a harness's own files: OpenCompass predictions, lm-eval results), read as
    ``read_records`` reads: a BOM accepted, and anything unreadable one ``InputError`` naming the line."""
    path = Path(path)
    return _decode(_read_text(path), path, None)


@contextmanager
def _reading(path: Path) -> Iterator[None]:
    """An ``OSError`` while opening or reading ``path`` as one ``InputError`` naming it."""
    try:
        yield
    except FileNotFoundError:
        raise InputError(f"{path}: no such file") from None
    except IsADirectoryError:
        raise InputError(f"{path}: is a folder, not a file") from None
    except OSError as exc:
        raise InputError(f"{path}: cannot read: {exc.strerror or exc}") from None


def _read_text(path: Path) -> str:
    """The file's text (UTF-8, a byte-order mark dropped); an error names the file and line."""
    with _reading(path):
        data = path.read_bytes()
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        # utf-8-sig reports positions in the bytes after a byte-order mark
        line = exc.object.count(b"\n", 0, exc.start) + 1
        byte = exc.start + len(data) - len(exc.object)
        raise InputError(f"{path}:{line}: not UTF-8 text ({exc.reason} at byte {byte})") from None
    return text


def _texts(path: Path) -> Iterator[tuple[str, int]]:
    """The file's text in pieces of whole lines (each ends with ``\\n``, but the last), read
    ``BLOCK_BYTES`` at a time, with the line each piece starts on; UTF-8 as ``_read_text`` reads
    it (a byte-order mark dropped; text that is not UTF-8 names its line and byte)."""
    with _reading(path), open(path, "rb") as f:
        offset, line = 0, 1
        pending: list[bytes] = []  # the start of a line that goes on in the next block
        data = f.read(BLOCK_BYTES)
        if data.startswith(_BOM):
            data, offset = data[len(_BOM):], len(_BOM)
        while True:
            if data:
                cut = data.rfind(b"\n") + 1
                if not cut:  # no line end yet: read on
                    pending.append(data)
                    data = f.read(BLOCK_BYTES)
                    continue
                piece = b"".join([*pending, data[:cut]])
                pending = [data[cut:]]
            else:
                piece, pending = b"".join(pending), []
            if piece:
                try:
                    text = piece.decode("utf-8")
                except UnicodeDecodeError as exc:
                    where = line + piece.count(b"\n", 0, exc.start)
                    raise InputError(f"{path}:{where}: not UTF-8 text ({exc.reason} at byte {offset + exc.start})"
                                     ) from None
                yield text, line
                line += piece.count(b"\n")
                offset += len(piece)
            if not data:
                return
            data = f.read(BLOCK_BYTES)


#: a float has at most 309 integer digits; an integer literal longer than this is checked
_FLOAT_DIGITS = 308


class _NumberError(ValueError):
    """A number in the file that cannot be read faithfully (raised from the decoder's hooks)."""


def _parse_float(text: str) -> float:
    value = float(text)
    if math.isinf(value):
        raise _NumberError(f"the number {_short(text)} is too large for a float (it would be read as infinity)")
    return value


def _parse_int(text: str) -> int:
    try:
        value = int(text)
    except ValueError:  # longer than sys.get_int_max_str_digits()
        raise _NumberError(f"the integer {_short(text)} has {len(text.lstrip('-'))} digits, too many to read") from None
    if len(text.lstrip("-")) > _FLOAT_DIGITS:
        try:
            float(value)
        except OverflowError:
            raise _NumberError(f"the integer {_short(text)} ({len(text.lstrip('-'))} digits) is too large "
                               "for a float") from None
    return value


def _short(text: str) -> str:
    return text if len(text) <= 24 else f"{text[:10]}...{text[-10:]}"


_DECODER = json.JSONDecoder(parse_float=_parse_float, parse_int=_parse_int)
#: the tokens of a JSON text that matter for locating an error: strings (skipped), brackets,
#: numbers and line ends; each alternative is unambiguous, so the scan is linear
_TOKENS = re.compile(r'"(?:[^"\\]|\\.)*"|[\[{]|[\]}]|-?[0-9][0-9.eE+-]*|\n')


def _decode(text: str, path: Path, line: int | None) -> Any:
    """``text`` as JSON; every failure is an ``InputError`` naming ``path`` and the line (``line``
    for one JSONL line, else found in ``text``)."""
    try:
        return _DECODER.decode(text)
    except json.JSONDecodeError as exc:
        where = f"{path}:{line or exc.lineno}"
        raise InputError(f"{where}: invalid JSON: {exc.msg} (column {exc.colno})") from None
    except _NumberError as exc:
        where = f"{path}:{line or _error_line(text, 'number')}"
        raise InputError(f"{where}: {exc}") from None
    except RecursionError:
        where = f"{path}:{line or _error_line(text, 'depth')}"
        raise InputError(f"{where}: JSON nested too deeply to read (more than about "
                         f"{sys.getrecursionlimit()} levels of lists and objects)") from None
    except ValueError as exc:  # anything else the decoder rejects
        raise InputError(f"{path}:{line or 1}: invalid JSON: {exc}") from None


def _error_line(text: str, kind: str) -> int:
    """The line of a whole-file JSON text holding the first unreadable number (``kind="number"``)
    or where the nesting is deepest (``kind="depth"``)."""
    line, depth, deepest, deepest_line = 1, 0, 0, 1
    for match in _TOKENS.finditer(text):
        token = match.group()
        if token == "\n":
            line += 1
        elif token in "[{":
            depth += 1
            if depth > deepest:
                deepest, deepest_line = depth, line
        elif token in "]}":
            depth -= 1
        elif kind == "number" and token[0] != '"':
            try:
                (_parse_int if token.lstrip("-").isdigit() else _parse_float)(token)
            except ValueError:
                return line
    return deepest_line


def _jsonl_records(path: Path) -> Iterator[tuple[dict[str, Any], int]]:
    """Each record of a JSONL file with its line, read incrementally; only blank lines: empty."""
    found = False
    for text, first in _texts(path):
        for number, line in enumerate(text.split("\n"), start=first):
            if line.endswith("\r"):
                line = line[:-1]
            if not line.strip():
                continue
            record = _decode(line, path, number)
            if not isinstance(record, dict):
                raise InputError(f"{path}:{number}: expected a JSON object, got {type(record).__name__}")
            found = True
            yield record, number
    if not found:  # every line blank (or whitespace): no record could be read, and none is an error
        raise InputError(f"{path}: file is empty")


def _json(path: Path, text: str) -> Records:
    data = _decode(text, path, None)
    if isinstance(data, dict):
        lists = [v for v in data.values() if isinstance(v, list)]
        if len(lists) != 1:
            raise InputError(f"{path}:1: expected a list of records (or an object holding exactly one list)")
        data = lists[0]
    if not isinstance(data, list):
        raise InputError(f"{path}:1: expected a list of records, got {type(data).__name__}")
    records = Records()
    for i, record in enumerate(data, start=1):
        if not isinstance(record, dict):
            raise InputError(f"{path}: record {i} is {type(record).__name__}, not an object")
        records.append(record)
    return records


def _csv_records(path: Path) -> Iterator[tuple[dict[str, Any], int]]:
    """Each record of a CSV file with the line it starts on, read incrementally. Strictly first,
    so that a quote left open names the line it opens on; when the strict reader rejects the file
    for another reason (text after a closing quote), it is read again leniently from the start, as
    before, and the records already given are skipped (up to there both readers read the same).
    A file of nothing but white space is empty: records are held back until a line that is not
    white space is seen."""
    given = 0
    try:
        for record, line in _csv_rows(path, strict=True):
            given += 1
            yield record, line
        return
    except csv.Error:
        pass
    try:
        for k, (record, line) in enumerate(_csv_rows(path, strict=False)):
            if k >= given:
                yield record, line
    except csv.Error as exc:  # pragma: no cover - the lenient reader only fails on NUL and the like
        raise InputError(f"{path}: invalid CSV: {exc}") from None


def _csv_lines(path: Path, seen: list[bool]) -> Iterator[str]:
    """The lines of a CSV file as ``StringIO(text, newline="")`` splits them (at ``\\n``, ``\\r``
    and ``\\r\\n``, kept), read incrementally; ``seen[0]`` turns true at a line that is not white space."""
    for text, _ in _texts(path):
        for line in StringIO(text, newline=""):
            if not seen[0] and line.strip():
                seen[0] = True
            yield line


def _csv_rows(path: Path, strict: bool) -> Iterator[tuple[dict[str, Any], int]]:
    seen = [False]
    reader = csv.reader(_csv_lines(path, seen), strict=strict)
    held: list[tuple[dict[str, Any], int]] = []
    header: list[str] | None = None
    end = 0
    for row in _rows(reader, path, strict):
        start, end = end + 1, reader.line_num
        if not row:  # a blank line
            continue
        if header is None:
            header = row
            continue
        if len(row) != len(header):
            if len(row) > len(header):
                raise InputError(f"{path}:{start}: more fields than the header names "
                                 f"({len(row)}, the header has {len(header)})")
            missing = ", ".join(repr(name) for name in header[len(row):])
            raise InputError(f"{path}:{start}: {len(row)} field{'s' if len(row) != 1 else ''}, but the header "
                             f"names {len(header)} (missing: {missing}); a short row usually means a stray "
                             "quote or delimiter")
        held.append((dict(zip(header, row)), start))
        if seen[0]:
            yield from held
            held.clear()
    if not seen[0]:
        raise InputError(f"{path}: file is empty")
    yield from held


def _parquet_chunks(path: Path, size: int | None) -> Iterator[Records]:
    """The rows of a Parquet file as records, batch by batch (pyarrow), in chunks of ``size``."""
    try:
        import pyarrow as pa
        import pyarrow.parquet as pq
    except ImportError:
        raise MissingDependencyError(f"reading Parquet files needs pyarrow: {PARQUET_INSTALL}") from None
    with _reading(path):
        if path.is_dir():
            raise IsADirectoryError(path)
        try:
            parquet = pq.ParquetFile(path)
        except (pa.ArrowException, ValueError) as exc:
            raise InputError(f"{path}: not a Parquet file ({exc})") from None
        with parquet:
            if parquet.metadata.num_rows == 0:
                raise InputError(f"{path}: file is empty")
            records = Records()
            try:
                batches = parquet.iter_batches(batch_size=size or 65_536)
                for batch in batches:
                    rows = batch.to_pylist()
                    while rows:
                        room = len(rows) if size is None else size - len(records)
                        records.extend(rows[:room])
                        rows = rows[room:]
                        if size is not None and len(records) >= size:
                            yield records
                            records = Records(first=records.first + len(records))
            except pa.ArrowException as exc:
                raise InputError(f"{path}: cannot read the Parquet file ({exc})") from None
            if records:
                yield records


def _rows(reader: Any, path: Path, strict: bool) -> Iterator[list[str]]:
    """The reader's rows; an unterminated quote (only the strict reader reports it) names the line
    the record starts on."""
    end = 0
    while True:
        try:
            row = next(reader)
        except StopIteration:
            return
        except csv.Error as exc:
            if strict and "unexpected end of data" in str(exc):
                raise InputError(f"{path}:{end + 1}: invalid CSV: a quoted field opened here is never closed "
                                 "(unterminated quote)") from None
            if strict:
                raise
            raise InputError(f"{path}:{reader.line_num}: invalid CSV: {exc}") from None
        end = reader.line_num
        yield row


def record_place(records: list[dict[str, Any]], path: str | Path, i: int) -> str:
    """Where record ``i`` (from 0) of ``records`` is: ``PATH:LINE: record N`` (line and N from 1),
    or ``PATH: record N`` for a whole-file JSON list or a Parquet file, whose records have no line
    of their own. N counts in the file: a chunk of ``iter_records`` knows where it starts."""
    lines = getattr(records, "lines", None) or []
    number = getattr(records, "first", 0) + i + 1
    return f"{path}:{lines[i]}: record {number}" if i < len(lines) else f"{path}: record {number}"


def locate_item(exc: InputError, records: list[dict[str, Any]], path: str | Path,
                references: tuple[list[dict[str, Any]], str | Path] | None = None,
                index: int | None = None) -> InputError | None:
    """``exc``, about item ``index`` of ``records`` (default ``exc.item``), named by the file and
    line of its record (with references in a file of their own, an error about a reference names
    that file's record); ``None`` if it is about no item of ``records``."""
    i = exc.item if index is None else index
    if exc.item is None or i is None or not 0 <= i < len(records):
        return None
    about_reference = references is not None and str(exc).startswith("reference ")
    rows, where = references if references is not None and about_reference else (records, path)
    return exc.located(record_place(rows, where, i))


@contextmanager
def items_located(records: list[dict[str, Any]], path: str | Path,
                  references: tuple[list[dict[str, Any]], str | Path] | None = None) -> Iterator[None]:
    """An ``InputError`` about item ``i`` raised inside names the file and line of record ``i``
    instead of its position (one counting convention in a file's messages: lines from 1). With
    references in a file of their own, an error about a reference names that file's record."""
    try:
        yield
    except InputError as exc:
        located = locate_item(exc, records, path, references)
        if located is None:
            raise
        raise located from None


def field(records: list[dict[str, Any]], name: str, path: str | Path) -> list[Any]:
    """The values of ``name`` in every record; a missing field names the record."""
    values = []
    for i, record in enumerate(records):
        if name not in record:
            keys = ", ".join(sorted(record)) or "(none)"
            raise InputError(f"{record_place(records, path, i)} has no field {name!r}; its fields are: {keys}")
        values.append(record[name])
    return values


#: temporary files of outputs being written: ``.<name>.medmetrics-<host>-<pid>-<random>.tmp``
_TEMP = re.compile(r"\.(?P<name>.+)\.medmetrics-(?P<host>[^-]+)-(?P<pid>\d+)-[^.]+\.tmp\Z")


def check_output(path: str | Path, option: str = "output") -> Path:
    """``path`` as a file medmetrics can write, checked before any work is done: a folder, a path
    ending in a separator, or a missing parent folder is one error that names the user's path."""
    text = os.fspath(path)
    where = f"cannot write {option} {text!r}"
    if not text:
        raise InputError(f"{where}: the path is empty")
    resolved = Path(text)
    if text.endswith(("/", os.sep)) or resolved.is_dir():
        raise InputError(f"{where}: it is a folder; name a file in it")
    parent = resolved.parent
    if not parent.is_dir():
        raise InputError(f"{where}: its folder {os.fspath(parent)!r} does not exist")
    return resolved


def sweep_stale_temporaries(folder: str | Path) -> list[Path]:
    """Remove the temporary files that a killed medmetrics process on this host left in ``folder``.

    SIGTERM and Ctrl-C remove a run's own temporary files as the run unwinds; SIGKILL leaves no
    chance to, so the next run writing into the same folder sweeps them. A file is swept only when
    its host is this one and its process is gone: a run still writing (here, or on another host
    sharing the folder) keeps its file.
    """
    host, swept = _host(), list[Path]()
    try:
        names = os.listdir(folder)
    except OSError:
        return swept
    for name in names:
        match = _TEMP.match(name)
        if match and match["host"] == host and not _alive(int(match["pid"])):
            try:
                os.unlink(os.path.join(folder, name))
            except OSError:
                continue
            swept.append(Path(folder, name))
    return swept


def _host() -> str:
    return re.sub(r"[^A-Za-z0-9_]", "_", os.uname().nodename if hasattr(os, "uname") else "host") or "host"


def _alive(pid: int) -> bool:
    if pid == os.getpid():
        return True
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except (PermissionError, OSError):
        return True  # someone else's process, or a platform that cannot tell: keep the file
    return True


@contextmanager
def atomic_writers(paths: list[str | Path]) -> Iterator[list[IO[str]]]:
    """Write several outputs all or none: each goes to a temporary file beside it, and all are
    moved into place only when every one was written. Any failure, Ctrl-C or SIGTERM (the CLI
    turns it into an exception) removes the temporary files; errors name the user's path."""
    targets = [check_output(path) for path in paths]
    # each temporary file's name is recorded before the file exists, so a signal arriving while
    # it is being created still finds it to remove
    temporaries: list[Path] = []
    handles: list[IO[str]] = []
    try:
        for target in targets:
            folder = target.parent
            sweep_stale_temporaries(folder)
            temporaries.append(folder / f".{target.name}.medmetrics-{_host()}-{os.getpid()}-{secrets.token_hex(4)}.tmp")
            try:
                handles.append(open(temporaries[-1], "x", encoding="utf-8", newline=""))  # noqa: SIM115 - closed below
            except OSError as exc:
                raise InputError(f"cannot write {os.fspath(target)!r}: {exc.strerror or exc}") from None
        yield handles
        for handle in handles:
            handle.close()
        for target, temporary in zip(targets, temporaries):
            try:
                os.replace(temporary, target)
            except OSError as exc:
                raise InputError(f"cannot write {os.fspath(target)!r}: {exc.strerror or exc}") from None
    finally:
        for handle in handles:
            handle.close()
        for temporary in temporaries:
            if os.path.exists(temporary):
                os.unlink(temporary)


@contextmanager
def atomic_writer(path: str | Path) -> Iterator[IO[str]]:
    """Write to a temporary file beside ``path`` and move it into place only on success."""
    with atomic_writers([path]) as (handle,):
        yield handle
