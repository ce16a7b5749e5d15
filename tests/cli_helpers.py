"""The ``medmetrics`` command run in-process, as the CLI tests use it."""

from __future__ import annotations

from typing import Any

import pytest

from medmetrics import cli


def run_cli(capsys: pytest.CaptureFixture[str], *argv: Any) -> tuple[int, str, str]:
    """``medmetrics ARGV...``: its exit code, stdout and stderr (arguments given as str or paths)."""
    code = cli.main([str(a) for a in argv])
    out, err = capsys.readouterr()
    return code, out, err
