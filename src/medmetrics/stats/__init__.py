"""Resampling and significance: bootstrap weights and intervals, paired tests, Holm's correction."""

#: the paired tests ``compare`` runs (``stats.significance``); here so the command line reads them
#: without importing numpy
METHODS = ("paired_bootstrap", "approximate_randomization", "mcnemar")
