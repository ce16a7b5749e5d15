"""Old module paths keep working for one release: each is the very module of its new path (one
object: classes, isinstance and monkeypatching agree), and importing it warns with the new path."""

from __future__ import annotations

import importlib
import json
import subprocess
import sys

import pytest

from medmetrics._moved import MOVED

# in a fresh interpreter, so that no old name is imported yet: each old path, its module, its warnings
_CHECK = """
import importlib, json, sys, warnings
from medmetrics._moved import MOVED
out = {}
for old, new in sorted(MOVED.items()):
    module = importlib.import_module(new)
    with warnings.catch_warnings(record=True) as seen:
        warnings.simplefilter("always")
        same = importlib.import_module(old) is module
    said = [str(w.message) for w in seen if w.category is DeprecationWarning]
    out[old] = [same, any(old in s and new in s for s in said)]
print(json.dumps(out))
"""


def test_every_old_path_is_the_new_module_and_warns() -> None:
    done = subprocess.run([sys.executable, "-c", _CHECK], capture_output=True, text=True, timeout=300)
    assert done.returncode == 0, done.stderr
    found = json.loads(done.stdout)
    assert set(found) == set(MOVED)
    assert not [old for old, (same, _) in found.items() if not same], "old paths that are another module"
    assert not [old for old, (_, warned) in found.items() if not warned], "old paths imported without a warning"


def test_classes_from_old_and_new_paths_are_the_same() -> None:
    with pytest.warns(DeprecationWarning):
        old = importlib.import_module("medmetrics.suites.scoring")
    from medmetrics.aggregate import suites
    from medmetrics.inputs.run import TaskRun

    assert old is suites and old.TaskRun is TaskRun
