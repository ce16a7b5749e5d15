"""Every built-in signature, byte for byte: the text that pins a number must not change by accident.

``tests/data/builtin_signatures.json`` holds the signature of every built-in parser and metric
with its defaults, and of each task's parser and metrics with the task's options; installed
versions (``medmetrics==``, ``nltk==``, sacrebleu's ``version:``) are written as ``*``. A
deliberate change (a new option, a version bump) is recorded by running this file:
``.venv/bin/python tests/test_signatures.py``, and the diff is reviewed like code.
"""

from __future__ import annotations

import json
import re
import sys
from pathlib import Path

from medmetrics.api import get_metric, get_parser
from medmetrics.errors import InputError
from medmetrics.plugins import load_catalog

GOLDEN = Path(__file__).resolve().parent / "data" / "builtin_signatures.json"
_VERSIONS = re.compile(r"(==|version:)[0-9][^|)\]]*")


def current() -> dict[str, str]:
    """Name -> signature (installed versions as ``*``) for every built-in and every task."""
    catalog = load_catalog(entry_points=False, strict=True)
    out: dict[str, str] = {}

    def record(key: str, build) -> None:
        try:
            out[key] = _VERSIONS.sub(r"\1*", build().signature)
        except InputError as exc:  # a metric that cannot be built without an option (bertscore's model)
            out[key] = f"needs an option: {str(exc).split(':')[0]}"

    for entry in catalog.parsers:
        record(f"parser:{entry.name}", lambda e=entry: get_parser(e.name, catalog=catalog))
    for entry in catalog.metrics:
        record(f"metric:{entry.name}", lambda e=entry: get_metric(e.name, catalog=catalog))
    for entry in catalog.tasks:
        task = entry.obj
        record(f"task:{task.name}:parser",
               lambda t=task: get_parser(t.parser, catalog=catalog, **dict(t.parser_options)))
        for result, (metric, options) in task.metrics.items():
            record(f"task:{task.name}:{result}", lambda m=metric, o=options: get_metric(m, catalog=catalog, **dict(o)))
    return out


def test_builtin_signatures_are_unchanged() -> None:
    golden = json.loads(GOLDEN.read_text(encoding="utf-8"))
    now = current()
    changed = {key: (golden.get(key), now.get(key)) for key in sorted(set(golden) | set(now))
               if golden.get(key) != now.get(key)}
    assert not changed, ("signatures changed (run tests/test_signatures.py to record a deliberate change):\n" +
                         "\n".join(f"  {k}:\n    was {a}\n    now {b}" for k, (a, b) in changed.items()))


if __name__ == "__main__":
    GOLDEN.write_text(json.dumps(current(), indent=1, sort_keys=True, ensure_ascii=False) + "\n", encoding="utf-8")
    print(f"wrote {GOLDEN}", file=sys.stderr)
