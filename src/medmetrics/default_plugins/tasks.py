"""Registers the built-in tasks."""

from medmetrics.hookspecs import hookimpl
from medmetrics.suites.classification import TASKS


@hookimpl
def register_tasks(register):  # type: ignore[no-untyped-def]
    for task in TASKS:
        register(task)
