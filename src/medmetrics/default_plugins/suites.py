"""Registers the built-in suites."""

from medmetrics.hookspecs import hookimpl
from medmetrics.suites.definitions import SUITES


@hookimpl
def register_suites(register):  # type: ignore[no-untyped-def]
    for suite in SUITES:
        register(suite)
