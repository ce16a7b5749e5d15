"""Built-in parsers, metrics and tasks, registered exactly as a third-party plugin would be.

These modules hold only the ``@hookimpl`` glue; the logic lives in ``medmetrics.parsing``,
``medmetrics.metrics`` and ``medmetrics.tasks``.
"""
