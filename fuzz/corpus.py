"""Seed corpora, built at run time from the project's own real and regression generations.

Nothing here is checked in as files: the seeds come from ``tests/regression/*.jsonl``,
``tests/data/realworld*/`` and (when present) ``../shared/fixtures/realworld/``, plus a few
hand-made input files for the readers, and are written into a temporary folder that libFuzzer
then grows. Parser seeds are encoded for ``atheris.FuzzedDataProvider`` (see ``encode_text``) so
that a seed decodes to exactly the generation it came from.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parent.parent
SHARED_REALWORLD = REPO.parent / "shared" / "fixtures" / "realworld"


# --- the FuzzedDataProvider byte layout -----------------------------------------------------
# ConsumeUnicode(n) reads one "decider" byte, then n characters: odd -> ASCII (one byte each,
# masked to 7 bits), 2 -> UTF-16 code units (little-endian), 0 -> UTF-32 code points.
# ConsumeIntInRange takes its bytes from the END of the data, last byte most significant.

def encode_text(text: str) -> bytes:
    """The bytes that ``ConsumeUnicode`` decodes back into ``text`` (the cheapest of its three modes)."""
    if text.isascii():
        return b"\x01" + text.encode("ascii")
    if all(ord(c) < 0x10000 and not 0xD800 <= ord(c) < 0xE000 for c in text):
        return b"\x02" + text.encode("utf-16-le")
    return b"\x00" + text.encode("utf-32-le", "surrogatepass")


def encode_parser_input(mode: int, generation: str, extra: str | None = None) -> bytes:
    """A parser target's input: the context ``mode`` byte, then ``extra`` (a JSON context, read
    with a 2-byte length from the end) when given, then the generation."""
    if extra is None:
        return bytes([mode]) + encode_text(generation)
    return bytes([mode]) + encode_text(extra) + encode_text(generation) + len(extra).to_bytes(2, "little")


def encode_sections(selector: int, first: bytes | None, rest: bytes) -> bytes:
    """A reader target's input: a ``selector`` byte, an optional ``first`` file (its length in 2
    bytes at the end) and the main file's bytes."""
    if first is None:
        return bytes([selector]) + rest
    return bytes([selector]) + first + rest + len(first).to_bytes(2, "little")


# --- where the seeds come from ---------------------------------------------------------------

def _jsonl(path: Path) -> Iterator[dict[str, Any]]:
    try:
        lines = path.read_text(encoding="utf-8").splitlines()
    except OSError:
        return
    for line in lines:
        if line.strip():
            try:
                row = json.loads(line)
            except json.JSONDecodeError:
                continue
            if isinstance(row, dict):
                yield row


def regression_rows() -> list[dict[str, Any]]:
    """Every row of tests/regression/*.jsonl: parser, options, context and generation."""
    return [row for path in sorted((REPO / "tests" / "regression").glob("*.jsonl")) for row in _jsonl(path)
            if isinstance(row.get("generation"), str)]


def realworld_rows() -> list[dict[str, Any]]:
    """The real model generations of tests/data/realworld*/ and the shared fixtures, when present."""
    paths = sorted((REPO / "tests" / "data").glob("realworld*/*.jsonl"))
    if SHARED_REALWORLD.is_dir():
        paths += sorted(SHARED_REALWORLD.glob("*.jsonl"))
    return [row for path in paths for row in _jsonl(path) if isinstance(row.get("generation"), str)]


def generations() -> list[str]:
    """Every distinct generation, regression and real-world, in a stable order."""
    seen: dict[str, None] = {}
    for row in regression_rows() + realworld_rows():
        seen.setdefault(row["generation"], None)
    return list(seen)


def write_corpus(folder: Path, seeds: list[bytes]) -> Path:
    """Write ``seeds`` (deduplicated, named by content hash, as libFuzzer names its own) into ``folder``."""
    folder.mkdir(parents=True, exist_ok=True)
    for seed in seeds:
        (folder / hashlib.sha1(seed).hexdigest()).write_bytes(seed)
    return folder


#: Tokens the parsers and readers branch on; libFuzzer splices them into inputs (``-dict``).
DICTIONARY = (
    "Answer:", "The answer is", "answer_choice", "<think>", "</think>", "\\boxed{", "```", "```json", "**",
    "(A)", "B.", "option", "none of the above", "Explanation:", "Note:", "Entities:", "Disease:", "Chemical:",
    "N/A", "None", "[", "]", ", ", "...", "B-Disease", "I-Disease", "/5", " out of ", "Score:", "yes", "no",
    "maybe", "not", "MESH:D", "Theme:", "\\u2028", '"prediction"', '"gold"', '"filtered_resps"', '"resps"',
    '"target"', '"doc_id"', '"filter"', '"arguments"', '"arg_1"', '"doc"', "\r\n", "\ufeff", "1e999", "NaN",
)


def write_dictionary(path: Path) -> Path:
    """A libFuzzer ``-dict`` file of ``DICTIONARY`` (ASCII entries, which splice into ASCII-mode text)."""
    def quote(token: str) -> str:  # libFuzzer's dictionary syntax knows only \\, \" and \xNN
        return "".join(c if " " <= c <= "~" and c not in '"\\' else f"\\x{ord(c):02X}" for c in token)

    lines = [f'"{quote(token)}"' for token in DICTIONARY if token.isascii()]
    path.write_text("\n".join(lines) + "\n", encoding="ascii")
    return path
