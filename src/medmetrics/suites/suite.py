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

from collections.abc import Mapping
from dataclasses import dataclass, replace
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

    def with_average(self, average: str | None) -> Suite:
        """The same suite averaged another way (``--average``); the signature says which."""
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
