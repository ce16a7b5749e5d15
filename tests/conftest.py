"""Shared helpers for the test suite: fake plugin distributions installed into a temp dir."""

from __future__ import annotations

import importlib
import sys
import textwrap
from collections.abc import Callable
from pathlib import Path

import pytest

from medmetrics import plugins


@pytest.fixture
def fake_distribution(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Callable[..., None]:
    """Install a distribution with one ``medmetrics`` entry point, visible to importlib.metadata."""
    monkeypatch.syspath_prepend(str(tmp_path))
    created: list[str] = []

    def make(dist: str, entry_name: str, module: str, source: str, version: str = "1.0") -> None:
        (tmp_path / f"{module}.py").write_text(textwrap.dedent(source), encoding="utf-8")
        info = tmp_path / f"{dist.replace('-', '_')}-{version}.dist-info"
        info.mkdir()
        (info / "METADATA").write_text(f"Metadata-Version: 2.1\nName: {dist}\nVersion: {version}\n", encoding="utf-8")
        (info / "entry_points.txt").write_text(f"[medmetrics]\n{entry_name} = {module}\n", encoding="utf-8")
        created.append(module)
        importlib.invalidate_caches()

    yield make
    for module in created:
        sys.modules.pop(module, None)
    plugins.reset_default_catalog()
