"""Putting it together: a task evaluated (``evaluation``), in worker processes (``parallel``) or on a
Dask cluster (``distributed``); suites scored (``suites``); systems compared (``comparison``,
``significance``); parses audited (``auditing``).

Nothing is imported here, so the command line reads ``METHODS`` without numpy.
"""

#: the paired tests ``compare`` runs (``aggregate.significance``)
METHODS = ("paired_bootstrap", "approximate_randomization", "mcnemar")
