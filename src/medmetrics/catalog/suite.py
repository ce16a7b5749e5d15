"""A suite: the tasks of one benchmark, grouped as the benchmark groups them, and its average.

Benchmarks average differently, and the difference moves the headline number (BioMistral-NLU's
Table 5: 62.38 as a mean over the 13 BLURB datasets, 63.97 as a mean of the six category means).
So the averaging rule is part of the suite and of its signature:

- ``tasks``: the mean of the per-task scores (BLUE; BioMistral-NLU's "BLURB macro" column);
- ``groups``: the mean of the per-group means (BLURB's official score: each task type counts
  once, however many datasets it has).

Only tasks whose score is higher-is-better take part in an average; a lower-is-better task (an
error such as MSE) is reported beside it, never averaged in.
"""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

from medmetrics._json import json_native
from medmetrics.errors import InputError

AVERAGES = ("tasks", "groups")


@dataclass(frozen=True)
class Suite:
    """``groups`` maps a group (task type) to its task names, in the benchmark's order.

    A task's headline score (the one averaged) is its first metric, as the task lists them.
    """

    name: str
    groups: Mapping[str, tuple[str, ...]]
    average: str = "tasks"
    description: str = ""
    source: str = ""

    def __post_init__(self) -> None:
        if self.average not in AVERAGES:
            raise InputError(f"suite {self.name!r}: average must be one of {AVERAGES}, not {self.average!r}")
        names = self.tasks
        if len(set(names)) != len(names):
            raise InputError(f"suite {self.name!r} lists a task twice")

    @property
    def tasks(self) -> tuple[str, ...]:
        return tuple(task for members in self.groups.values() for task in members)

    def group_of(self, task: str) -> str:
        return next(group for group, members in self.groups.items() if task in members)

    def only(self, tasks: Sequence[str]) -> Suite:
        """The suite restricted to ``tasks`` (``--tasks``), its groups and order kept; the signature
        counts the tasks left. A task the suite does not list is an error that lists those it does."""
        unknown = [t for t in tasks if t not in self.tasks]
        if unknown:
            raise InputError(f"suite {self.name!r} has no task(s) {', '.join(unknown)}; "
                             f"it lists: {', '.join(self.tasks)}")
        kept = {g: tuple(t for t in members if t in tasks) for g, members in self.groups.items()}
        return replace(self, groups={g: members for g, members in kept.items() if members})

    def with_average(self, average: str | None) -> Suite:
        """The same suite averaged another way (``--suite-average``); the signature says which."""
        if average is None or average == self.average:
            return self
        return replace(self, average=average)

    @property
    def signature(self) -> str:
        return f"suite:{self.name}(average={self.average},tasks={len(self.tasks)})"

    def to_dict(self) -> dict[str, Any]:
        return json_native({
            "name": self.name, "groups": {g: list(t) for g, t in self.groups.items()}, "average": self.average,
            "description": self.description, "source": self.source, "signature": self.signature,
        })


SUITE_FILE_SUFFIXES = (".json", ".yaml", ".yml")


def load_suite_file(path: str | Path) -> Suite:
    """A user's own suite from a JSON or YAML file (YAML needs PyYAML)::

        {"name": "my-bench", "average": "groups",
         "groups": {"qa": ["medqa", "pubmedqa"], "ner": ["bc5_disease"]}}

    ``tasks: [...]`` instead of ``groups`` puts every task in one group; ``average`` is ``tasks``
    (default) or ``groups``; ``name`` defaults to the file's stem; ``description`` is optional.
    Every mistake is one ``InputError`` naming the file."""
    path = Path(path)
    try:
        text = path.read_text(encoding="utf-8-sig")
    except OSError as exc:
        raise InputError(f"{path}: cannot read the suite file: {exc.strerror or exc}") from None
    if path.suffix.lower() == ".json":
        try:
            data = json.loads(text)
        except json.JSONDecodeError as exc:
            raise InputError(f"{path}:{exc.lineno}: invalid JSON: {exc.msg}") from None
    else:
        try:
            import yaml
        except ImportError:
            raise InputError(f"{path}: a YAML suite file needs PyYAML (pip install pyyaml), "
                             "or write it as JSON") from None
        try:
            data = yaml.safe_load(text)
        except yaml.YAMLError as exc:
            raise InputError(f"{path}: invalid YAML: {exc}") from None
    if not isinstance(data, Mapping):
        raise InputError(f"{path}: a suite file holds an object with 'tasks' or 'groups'")
    unknown = sorted(set(data) - {"name", "tasks", "groups", "average", "description"})
    if unknown:
        raise InputError(f"{path}: unknown key(s) {', '.join(unknown)}; a suite has name, tasks or groups, "
                         "average, description")
    if ("tasks" in data) == ("groups" in data):
        raise InputError(f"{path}: give either 'tasks' (a list) or 'groups' (group -> list of tasks)")
    groups = {"tasks": data["tasks"]} if "tasks" in data else data["groups"]
    if not isinstance(groups, Mapping) or not groups or not all(
            isinstance(m, list) and m and all(isinstance(t, str) for t in m) for m in groups.values()):
        raise InputError(f"{path}: {'tasks' if 'tasks' in data else 'each group'} must be a non-empty list of "
                         "task names")
    return Suite(name=str(data.get("name") or path.stem), groups={str(g): tuple(m) for g, m in groups.items()},
                 average=str(data.get("average", "tasks")), description=str(data.get("description") or f"from {path}"),
                 source=str(path))
