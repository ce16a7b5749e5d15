"""Registers the built-in tasks."""

from medmetrics.hookspecs import hookimpl
from medmetrics.suites.classification import TASKS
from medmetrics.suites.entities import ENTITY_TASKS
from medmetrics.suites.generation import GENERATION_TASKS
from medmetrics.suites.medinst import MEDINST_TASKS, MEDS_BENCH_TASKS


@hookimpl
def register_tasks(register):  # type: ignore[no-untyped-def]
    for task in (*TASKS, *MEDINST_TASKS, *MEDS_BENCH_TASKS, *ENTITY_TASKS, *GENERATION_TASKS):
        register(task)
