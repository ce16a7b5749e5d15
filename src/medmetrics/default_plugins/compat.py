"""Registers the built-in compat profiles (each paper's released evaluator)."""

from medmetrics.hookspecs import hookimpl
from medmetrics.metrics.compat import biomistral_nlu, medinst, meds_bench


@hookimpl
def register_compat_profiles(register):  # type: ignore[no-untyped-def]
    register(biomistral_nlu.DEFINITION)
    register(medinst.DEFINITION)
    register(meds_bench.DEFINITION)
