"""The task this plugin defines: MedS-Bench PMC-Patients basic information extraction."""

from __future__ import annotations

import medmetrics

PMC_PATIENTS_AGE_SEX = medmetrics.Task(
    name="pmc_patients_age_sex",
    parser="patient_age_sex",
    metrics={"accuracy": ("accuracy", {})},
    description="MedS-Bench PMC-Patients basic information: the patient's age (years) and sex; accuracy of both.",
    source="Wu et al. 2024 (MedS-Bench) score this task with accuracy; PMC-Patients (Zhao et al. 2023) gives "
           "ages as (value, unit) pairs, which references must convert to years as the parser does.",
    reference_type="json",
)
