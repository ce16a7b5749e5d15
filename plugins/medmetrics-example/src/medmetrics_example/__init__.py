"""medmetrics-example: the living template for medmetrics plugins.

It registers, through the ``medmetrics`` entry-point group, a parser (``patient_age_sex``), a
metric (``dose_match``) and a task (``pmc_patients_age_sex``). Importing this package loads
nothing from medmetrics' catalog; medmetrics imports ``medmetrics_example.plugin`` when it
builds its catalog.
"""

__version__ = "0.1.0"
