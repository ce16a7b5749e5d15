"""Registers the built-in suites."""

from medmetrics.catalog.suites import SUITES
from medmetrics.hookspecs import hookimpl


@hookimpl
def register_suites(register):  # type: ignore[no-untyped-def]
    for suite in SUITES:
        register(suite)
