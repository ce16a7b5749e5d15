"""Built-in parsers, metrics, tasks, suites, adapters and compat profiles, registered exactly as a
third-party plugin would be.

These modules hold only the ``@hookimpl`` glue; the logic lives in ``medmetrics.parsing``,
``medmetrics.metrics``, ``medmetrics.catalog.task``, ``medmetrics.inputs.adapters`` and ``medmetrics.metrics.compat``.
"""
