"""The regression cases of the plugin's tests, one JSON object a line, as pytest params."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

REGRESSION = Path(__file__).parent / "regression"


def regression_cases(name: str) -> list[Any]:
    """``tests/regression/<name>.jsonl`` as pytest params with ``file:line`` ids."""
    path = REGRESSION / f"{name}.jsonl"
    lines = path.read_text(encoding="utf-8").splitlines()
    return [pytest.param(json.loads(line), id=f"{name}:{number}")
            for number, line in enumerate(lines, start=1) if line.strip()]
