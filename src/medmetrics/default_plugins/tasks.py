"""Registers the built-in tasks."""

from medmetrics.catalog.classification import TASKS
from medmetrics.catalog.entities import ENTITY_TASKS
from medmetrics.catalog.generation import GENERATION_TASKS
from medmetrics.catalog.medinst import MEDINST_TASKS, MEDS_BENCH_TASKS
from medmetrics.hookspecs import hookimpl


@hookimpl
def register_tasks(register):  # type: ignore[no-untyped-def]
    for task in (*TASKS, *MEDINST_TASKS, *MEDS_BENCH_TASKS, *ENTITY_TASKS, *GENERATION_TASKS):
        register(task)
