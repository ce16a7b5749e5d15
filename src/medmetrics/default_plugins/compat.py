"""Registers the built-in compat profiles (each paper's released evaluator), by reference: the
evaluators' modules are imported when a profile is first used."""

from medmetrics.hookspecs import hookimpl


@hookimpl
def register_compat_profiles(register):  # type: ignore[no-untyped-def]
    register("medmetrics.metrics.compat.biomistral_nlu:DEFINITION", name="biomistral_nlu")
    register("medmetrics.metrics.compat.medinst:DEFINITION", name="medinst")
    register("medmetrics.metrics.compat.meds_bench:DEFINITION", name="meds_bench")
