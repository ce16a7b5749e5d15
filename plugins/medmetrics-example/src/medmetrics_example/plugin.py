"""The plugin module named by the entry point: only the ``@hookimpl`` glue, logic lives beside it."""

from __future__ import annotations

from collections.abc import Callable

import medmetrics

from medmetrics_example.metrics import DoseMatch
from medmetrics_example.tasks import PMC_PATIENTS_AGE_SEX


@medmetrics.hookimpl
def register_parsers(register: Callable[..., None]) -> None:
    # by reference: the parser's module (and the patterns it compiles) is imported on first use
    register("medmetrics_example.parsers:PatientAgeSexParser", name="patient_age_sex")


@medmetrics.hookimpl
def register_metrics(register: Callable[..., None]) -> None:
    register(DoseMatch)


@medmetrics.hookimpl
def register_tasks(register: Callable[..., None]) -> None:
    register(PMC_PATIENTS_AGE_SEX)
