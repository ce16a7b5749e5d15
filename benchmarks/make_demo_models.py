"""Write the bundled three-model demo: ``src/medmetrics/data/demo_models/<model>/<task>.jsonl``.

``medmetrics compare --demo`` reads these files. They are synthetic: three imagined 7B models
(``base-7b``, the baseline; ``med-7b``, domain-adapted; ``med-7b-chat``, the same model
chat-tuned, more verbose and more often refusing) answer the same items of four tasks in the
styles real models write (the styles of ``data/demo/*.jsonl`` and ``tests/data/realworld``):
MedQA (4 options, 160 items), PubMedQA (200), ChemProt (200) and BIOSSES (100 pairs).

Whether a model is right on an item is drawn with a shared item difficulty (a Gaussian copula),
so the models agree on easy and hard items as real models do and the paired tests have the
power they would have on real runs. Every generation is parsed with its task's parser before it
is written, and the script stops if one is not read as intended (the intended letter, label or
score, or no answer for a failure). Deterministic: the same files on every run.

    python benchmarks/make_demo_models.py            # rewrite the files
    python benchmarks/make_demo_models.py --check    # exit 1 if the files differ from what it would write
"""

from __future__ import annotations

import argparse
import json
import random
import sys
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from statistics import NormalDist
from typing import Any

OUT = Path(__file__).resolve().parents[1] / "src" / "medmetrics" / "data" / "demo_models"
SEED = 20260105
RHO = 0.55  # how much of a model's chance on an item is the item's own difficulty
LETTERS = "ABCD"
PHI = NormalDist()


@dataclass(frozen=True)
class Model:
    name: str
    #: task -> (accuracy on answered items, share of generations with no usable answer)
    skill: dict[str, tuple[float, float]]
    #: BIOSSES: spread of the model's score around the gold similarity
    noise: float
    #: weights of its answer styles, in the order of each task's style list
    styles: tuple[float, ...]


MODELS = (
    Model("base-7b", {"medqa": (0.50, 0.06), "pubmedqa": (0.58, 0.05), "chemprot": (0.50, 0.05),
                      "biosses": (0.0, 0.04)}, 0.95, (4, 4, 3, 1, 0, 1)),
    Model("med-7b", {"medqa": (0.68, 0.02), "pubmedqa": (0.70, 0.02), "chemprot": (0.64, 0.02),
                     "biosses": (0.0, 0.01)}, 0.70, (1, 2, 3, 4, 2, 1)),
    Model("med-7b-chat", {"medqa": (0.60, 0.10), "pubmedqa": (0.63, 0.08), "chemprot": (0.55, 0.09),
                          "biosses": (0.0, 0.07)}, 0.90, (0, 1, 1, 3, 4, 4)),
)

# --- MedQA: (what the vignette shows, the answer, three distractors) ------------------------------
MEDQA = [
    ("a fixed, dilated left pupil and right hemiparesis after head trauma", "Herniation of the uncus",
     ["Herniation of the cingulate gyrus", "Occlusion of the basilar artery", "Tonsillar herniation"]),
    ("new type 2 diabetes with an HbA1c of 7.4% and normal renal function", "Metformin",
     ["Glipizide", "Insulin glargine", "Pioglitazone"]),
    ("urethritis with gram-negative intracellular diplococci", "Ceftriaxone and doxycycline",
     ["Azithromycin alone", "Penicillin G", "Metronidazole"]),
    ("crushing chest pain with ST elevation in leads II, III and aVF", "Inferior wall myocardial infarction",
     ["Anterior wall myocardial infarction", "Acute pericarditis", "Aortic dissection"]),
    ("a painless, rubbery cervical lymph node and Reed-Sternberg cells", "Hodgkin lymphoma",
     ["Burkitt lymphoma", "Follicular lymphoma", "Tuberculous lymphadenitis"]),
    ("hyperkalemia with peaked T waves on the ECG", "Calcium gluconate",
     ["Sodium bicarbonate", "Furosemide", "Sodium polystyrene sulfonate"]),
    ("a malar rash, arthritis and anti-dsDNA antibodies", "Systemic lupus erythematosus",
     ["Rheumatoid arthritis", "Dermatomyositis", "Systemic sclerosis"]),
    ("ptosis and diplopia that worsen at the end of the day", "Myasthenia gravis",
     ["Lambert-Eaton syndrome", "Multiple sclerosis", "Botulism"]),
    ("a target-sign on ultrasound in a 9-month-old with currant-jelly stools", "Intussusception",
     ["Pyloric stenosis", "Meckel diverticulum", "Volvulus"]),
    ("fever, a new murmur and splinter hemorrhages in a person who injects drugs", "Infective endocarditis",
     ["Rheumatic fever", "Myocarditis", "Pericarditis"]),
    ("anaphylaxis after a bee sting with hypotension and wheeze", "Intramuscular epinephrine",
     ["Intravenous diphenhydramine", "Oral prednisone", "Nebulized albuterol"]),
    ("microcytic anemia with low ferritin in a menstruating woman", "Iron deficiency anemia",
     ["Beta-thalassemia minor", "Anemia of chronic disease", "Sideroblastic anemia"]),
    ("a positive Murphy sign with fever and leukocytosis", "Acute cholecystitis",
     ["Acute pancreatitis", "Choledocholithiasis", "Hepatitis A"]),
    ("hypertension, hypokalemia and a low plasma renin", "Primary hyperaldosteronism",
     ["Pheochromocytoma", "Renal artery stenosis", "Cushing syndrome"]),
    ("a tremor at rest, bradykinesia and cogwheel rigidity", "Parkinson disease",
     ["Essential tremor", "Huntington disease", "Wilson disease"]),
    ("a sudden painless loss of vision with a cherry-red spot", "Central retinal artery occlusion",
     ["Central retinal vein occlusion", "Retinal detachment", "Acute angle-closure glaucoma"]),
    ("polyuria after lithium therapy that does not respond to desmopressin", "Nephrogenic diabetes insipidus",
     ["Central diabetes insipidus", "Primary polydipsia", "SIADH"]),
    ("community-acquired pneumonia in a healthy 30-year-old outpatient", "Amoxicillin",
     ["Vancomycin", "Ciprofloxacin", "Piperacillin-tazobactam"]),
    ("an inhibitor of the bacterial 50S ribosomal subunit", "Azithromycin",
     ["Doxycycline", "Gentamicin", "Ciprofloxacin"]),
    ("a warfarin-treated patient with an INR of 9 and no bleeding", "Hold warfarin and give oral vitamin K",
     ["Fresh frozen plasma", "Protamine sulfate", "Continue warfarin at a lower dose"]),
    ("a painful, swollen first metatarsophalangeal joint with negatively birefringent crystals", "Gout",
     ["Pseudogout", "Septic arthritis", "Reactive arthritis"]),
    ("a blood pressure of 210/130 mm Hg with papilledema", "Hypertensive emergency",
     ["Hypertensive urgency", "Pheochromocytoma crisis", "Idiopathic intracranial hypertension"]),
    ("episodic vertigo with tinnitus and low-frequency hearing loss", "Meniere disease",
     ["Benign paroxysmal positional vertigo", "Vestibular neuritis", "Acoustic neuroma"]),
    ("a child with a barking cough and a steeple sign on the radiograph", "Croup",
     ["Epiglottitis", "Bacterial tracheitis", "Foreign body aspiration"]),
    ("an overdose with tinnitus and a mixed respiratory alkalosis and metabolic acidosis", "Salicylate toxicity",
     ["Acetaminophen toxicity", "Ethylene glycol poisoning", "Tricyclic antidepressant overdose"]),
    ("the mechanism of action of clopidogrel", "P2Y12 ADP receptor blockade",
     ["Cyclooxygenase inhibition", "Glycoprotein IIb/IIIa inhibition", "Factor Xa inhibition"]),
    ("hemoptysis and hematuria with anti-GBM antibodies", "Goodpasture syndrome",
     ["Granulomatosis with polyangiitis", "IgA nephropathy", "Post-streptococcal glomerulonephritis"]),
    ("a 25-year-old with heat intolerance, exophthalmos and a diffuse goiter", "Graves disease",
     ["Toxic multinodular goiter", "Subacute thyroiditis", "Hashimoto thyroiditis"]),
    ("the first-line drug for absence seizures in a child", "Ethosuximide",
     ["Carbamazepine", "Phenytoin", "Phenobarbital"]),
    ("a neonate with bilious vomiting and a double-bubble sign", "Duodenal atresia",
     ["Pyloric stenosis", "Hirschsprung disease", "Meconium ileus"]),
    ("a smoker with hyponatremia and a central lung mass", "Small cell lung carcinoma",
     ["Squamous cell carcinoma", "Adenocarcinoma of the lung", "Carcinoid tumor"]),
    ("a pregnant woman at 34 weeks with hypertension, proteinuria and a seizure", "Magnesium sulfate",
     ["Diazepam", "Phenytoin", "Immediate cesarean delivery without anticonvulsant"]),
    ("the vaccine contraindicated in a patient with severe combined immunodeficiency", "Measles-mumps-rubella",
     ["Inactivated influenza", "Tetanus toxoid", "Hepatitis B"]),
    ("a patient with a prolonged aPTT that corrects on mixing and hemarthrosis", "Hemophilia A",
     ["Von Willebrand disease", "Vitamin K deficiency", "Antiphospholipid syndrome"]),
    ("an elderly man with back pain, hypercalcemia and a monoclonal IgG spike", "Multiple myeloma",
     ["Waldenstrom macroglobulinemia", "Metastatic prostate cancer", "Primary hyperparathyroidism"]),
    ("a suspected pulmonary embolism in a hemodynamically stable patient", "CT pulmonary angiography",
     ["Chest radiograph", "D-dimer after anticoagulation", "Pulmonary artery catheterization"]),
    ("a 60-year-old with painless jaundice and a palpable gallbladder", "Pancreatic adenocarcinoma",
     ["Choledocholithiasis", "Primary sclerosing cholangitis", "Hepatitis B"]),
    ("acute angle-closure glaucoma with a fixed mid-dilated pupil", "Topical timolol and intravenous acetazolamide",
     ["Topical atropine", "Oral prednisone", "Observation"]),
    ("a toddler who swallowed a button battery now lodged in the esophagus", "Urgent endoscopic removal",
     ["Observation with serial radiographs", "Induced vomiting", "Oral laxatives"]),
    ("the enzyme deficient in classic phenylketonuria", "Phenylalanine hydroxylase",
     ["Tyrosinase", "Homogentisate oxidase", "Cystathionine synthase"]),
]

# --- PubMedQA: neutral statements of a result (no yes/no/maybe words) -----------------------------
FINDINGS = [
    "The randomized trial of 412 patients reported a 30-day mortality of 8.1% with the intervention and 9.4% "
    "with usual care.",
    "In the cohort of 1,280 adults, readmissions fell from 18% to 12% after the program started (p<0.01).",
    "The odds ratio for the association was 1.21 (95% CI 0.93 to 1.58).",
    "Serum levels were higher in cases than in controls, 4.2 versus 2.9 ng/mL, p=0.003.",
    "The retrospective study of 96 patients found similar complication rates in both groups.",
    "Sensitivity of the score was 91% and specificity 64% against the reference standard.",
    "The effect was seen in the subgroup older than 65 years but in no other subgroup.",
    "After adjustment for age and sex, the hazard ratio was 0.72 (0.58 to 0.89).",
    "The pilot study enrolled 40 children, too few for the primary outcome to reach significance.",
    "Mean length of stay was 5.1 days in the intervention arm and 5.3 days in the control arm.",
    "Expression of the marker correlated with tumor grade (rho=0.48) across 210 samples.",
    "The meta-analysis pooled 14 trials with substantial heterogeneity (I2=71%).",
]
PUBMEDQA_FAIL = [
    "I cannot determine this from the given context.",
    "The abstract does not provide enough information to answer the question.",
    "As an AI language model, I cannot give a definitive answer to a clinical research question.",
    "",
]

# --- ChemProt ------------------------------------------------------------------------------------
CHEMPROT_LABELS = ["false", "CPR:4", "CPR:3", "CPR:9", "CPR:6", "CPR:5"]
CHEMPROT_SHARE = [0.45, 0.20, 0.12, 0.10, 0.07, 0.06]
CHEMPROT_WORD = {"CPR:3": "an activator", "CPR:4": "an inhibitor", "CPR:5": "an agonist", "CPR:6": "an antagonist",
                 "CPR:9": "a substrate"}
PAIRS = [("imatinib", "BCR-ABL"), ("metformin", "AMPK"), ("tamoxifen", "ESR1"), ("caffeine", "ADORA2A"),
         ("aspirin", "PTGS1"), ("rosiglitazone", "PPARG"), ("naloxone", "OPRM1"), ("warfarin", "VKORC1"),
         ("celecoxib", "PTGS2"), ("dexamethasone", "NR3C1"), ("atorvastatin", "HMGCR"), ("omeprazole", "CYP2C19"),
         ("sildenafil", "PDE5A"), ("propranolol", "ADRB1"), ("haloperidol", "DRD2"), ("resveratrol", "SIRT1")]
CHEMPROT_FAIL = [
    "The relation type is unclear from the sentence.",
    "I think it is a regulatory relation.",
    "The sentence mentions both entities but I cannot classify their interaction.",
]

# --- BIOSSES ------------------------------------------------------------------------------------
BIOSSES_FAIL = [
    "The two sentences describe different studies, so their meanings cannot be compared.",
    "I would say {a} or {b}.",
    "Both sentences are about microRNA regulation in cancer cells.",
]


def letter_styles(reason: str, letter: str, text: str) -> list[str]:
    """MedQA answers, in the order of ``Model.styles``."""
    return [
        f"Answer: {letter}",
        f"{letter}. {text}",
        f"{reason} Therefore, the correct option is {letter}.",
        f"{reason}\n\nThe answer is ({letter}) {text}.",
        json.dumps({"step_by_step_thinking": reason, "answer_choice": letter}),
        f"<think>{reason}</think>\n\nThe most likely answer is {text} (option {letter}).",
    ]


def label_styles(finding: str, label: str) -> list[str]:
    """PubMedQA answers, in the order of ``Model.styles``."""
    return [
        label,
        f"{label.capitalize()}. {finding}",
        f"The answer is: {label.capitalize()}",
        f"{finding} Final answer: {label}",
        f"<think>{finding}</think>\nAnswer: {label}",
        f"**Answer:** {label}\n\n{finding}",
    ]


def relation_styles(chemical: str, gene: str, label: str) -> list[str]:
    """ChemProt answers, in the order of ``Model.styles``."""
    if label == "false":
        why = f"There is no relation between {chemical} and {gene}: false."
    else:
        why = f"{chemical.capitalize()} acts as {CHEMPROT_WORD[label]} of {gene}, so the relation is {label}."
    return [label, f"Answer: {label}", f"The relation between {chemical} and {gene} is {label}.", why,
            f"<think>The sentence links {chemical} to {gene}.</think>\n{label}", f"**{label}**\n\n{why}"]


def score_styles(score: str) -> list[str]:
    """BIOSSES answers, in the order of ``Model.styles``."""
    return [score, f"Score: {score}", f"Similarity: {score}", f"I would rate their similarity {score} out of 4.",
            f"**{score}**", f"Both sentences report the same kind of finding. Score: {score}/4"]


def correct(item: float, rng: random.Random, accuracy: float) -> bool:
    """Right on an item of difficulty ``item`` (standard normal) with marginal chance ``accuracy``."""
    x = RHO**0.5 * item + (1 - RHO) ** 0.5 * rng.gauss(0, 1)
    return PHI.cdf(x) > 1 - accuracy


def medqa(rng: random.Random) -> list[dict[str, Any]]:
    items = []
    for i in range(160):
        clue, answer, distractors = MEDQA[i % len(MEDQA)]
        options = [answer, *distractors]
        rng.shuffle(options)
        items.append({"id": f"medqa-{i:04d}", "reference": LETTERS[options.index(answer)],
                      "context": {"options": options}, "clue": clue})
    return items


def pubmedqa(rng: random.Random) -> list[dict[str, Any]]:
    labels = rng.choices(["yes", "no", "maybe"], weights=[0.55, 0.34, 0.11], k=200)
    return [{"id": f"pubmedqa-{i:04d}", "reference": label, "finding": rng.choice(FINDINGS)}
            for i, label in enumerate(labels)]


def chemprot(rng: random.Random) -> list[dict[str, Any]]:
    labels = rng.choices(CHEMPROT_LABELS, weights=CHEMPROT_SHARE, k=200)
    return [{"id": f"chemprot-{i:04d}", "reference": label, "pair": rng.choice(PAIRS)}
            for i, label in enumerate(labels)]


def biosses(rng: random.Random) -> list[dict[str, Any]]:
    return [{"id": f"biosses-{i:04d}", "reference": round(rng.randint(0, 20) / 5, 1)} for i in range(100)]


def answer(task: str, item: dict[str, Any], model: Model, difficulty: float, rng: random.Random) -> tuple[str, Any]:
    """A model's generation for an item and what it should be read as (None: no usable answer)."""
    accuracy, fail = model.skill[task]
    style = rng.choices(range(len(model.styles)), weights=model.styles)[0]
    failed = rng.random() < fail
    right = correct(difficulty, rng, accuracy)
    if task == "medqa":
        options, gold = item["context"]["options"], item["reference"]
        if failed:
            return rng.choice([
                "None of the above options is correct.",
                "I cannot determine the answer without more information about the patient.",
                '{"step_by_step_thinking": "The patient presents with ' + item["clue"][:40],
                f"Either ({LETTERS[0]}) or ({LETTERS[2]}) could be correct here.",
            ]), None
        letter = gold if right else rng.choice([x for x in LETTERS if x != gold])
        text = options[LETTERS.index(letter)]
        reason = f"The question turns on {item['clue']}; this points to {text[0].lower() + text[1:]}."
        return letter_styles(reason, letter, text)[style], letter
    if task == "pubmedqa":
        if failed:
            return rng.choice(PUBMEDQA_FAIL), None
        gold = item["reference"]
        label = gold if right else rng.choice([x for x in ("yes", "no", "maybe") if x != gold])
        return label_styles(item["finding"], label)[style], label
    if task == "chemprot":
        if failed:
            return rng.choice(CHEMPROT_FAIL), None
        label = item["reference"] if right else rng.choice([x for x in CHEMPROT_LABELS if x != item["reference"]])
        return relation_styles(*item["pair"], label)[style], label
    gold = item["reference"]
    if failed:
        low = rng.randint(0, 3)
        return rng.choice(BIOSSES_FAIL).format(a=low, b=low + 1), None
    raw = gold + 0.8 * difficulty * model.noise + (1 - 0.8**2) ** 0.5 * rng.gauss(0, model.noise)
    value = min(4.0, max(0.0, round(raw * 2) / 2))
    text = str(int(value)) if value.is_integer() else str(value)
    return score_styles(text)[style], value


BUILDERS: dict[str, Callable[[random.Random], list[dict[str, Any]]]] = {
    "medqa": medqa, "pubmedqa": pubmedqa, "chemprot": chemprot, "biosses": biosses}


def build() -> dict[str, str]:
    """Relative path -> file content."""
    from medmetrics import get_parser
    from medmetrics.plugins import default_catalog

    catalog = default_catalog()
    rng = random.Random(SEED)
    files: dict[str, str] = {}
    for task, make in BUILDERS.items():
        items = make(rng)
        difficulty = [rng.gauss(0, 1) for _ in items]
        definition = catalog.tasks.get(task).obj
        parser = get_parser(definition.parser, catalog=catalog, **dict(definition.parser_options))
        for model in MODELS:
            lines = []
            for item, hard in zip(items, difficulty):
                generation, meant = answer(task, item, model, hard, rng)
                parsed = parser.parse(generation, **item.get("context", {}))
                read = parsed.value if parsed.status == "ok" else None
                if read != meant:
                    raise SystemExit(f"{model.name} {item['id']}: {generation!r} is read as {read!r} "
                                     f"({parsed.status}: {parsed.reason}), meant {meant!r}")
                record = {"id": item["id"], "generation": generation, "reference": item["reference"]}
                if "context" in item:
                    record["context"] = item["context"]
                lines.append(json.dumps(record, ensure_ascii=False))
            files[f"{model.name}/{task}.jsonl"] = "\n".join(lines) + "\n"
    files["README.md"] = (
        "# Bundled three-model demo\n\n"
        "Synthetic generations of three imagined models (`base-7b`, `med-7b`, `med-7b-chat`) on MedQA (160 "
        "items), PubMedQA (200), ChemProt (200) and BIOSSES (100), written by `benchmarks/make_demo_models.py` "
        "(deterministic; `--check` verifies these files). They are not outputs of real models.\n\n"
        "    medmetrics compare --demo --format markdown\n")
    return files


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--check", action="store_true", help="only check that the files are up to date")
    args = parser.parse_args(argv)
    files = build()
    if args.check:
        stale = [name for name, text in files.items()
                 if not (OUT / name).is_file() or (OUT / name).read_text(encoding="utf-8") != text]
        if stale:
            sys.stderr.write(f"out of date: {', '.join(stale)} (run benchmarks/make_demo_models.py)\n")
            return 1
        return 0
    for name, text in files.items():
        (OUT / name).parent.mkdir(parents=True, exist_ok=True)
        (OUT / name).write_text(text, encoding="utf-8")
    sys.stdout.write(f"wrote {len(files)} files under {OUT}\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
