"""Deterministic benchmark data: multiple-choice generations, labels and scores.

Everything is drawn from a seeded ``random.Random`` (or a seeded numpy ``Generator``), so every
run, and both sides of every comparison, see exactly the same inputs.
"""

from __future__ import annotations

import random
from dataclasses import dataclass

import numpy as np

LETTERS = "ABCD"

# Option texts: four are drawn per question.
OPTION_POOL = (
    "fever", "pneumonia", "myocardial infarction", "pulmonary embolism", "aortic dissection",
    "acute pancreatitis", "iron deficiency anemia", "vitamin B12 deficiency", "hypothyroidism",
    "Graves disease", "Cushing syndrome", "Addison disease", "sarcoidosis", "tuberculosis",
    "metformin", "insulin glargine", "lisinopril", "amlodipine", "warfarin", "heparin",
    "ceftriaxone", "vancomycin", "prednisone", "methotrexate", "IL-6 blockade", "1.5 mg/kg IV",
    "Sjögren syndrome", "β-blocker therapy", "urgent CT angiography", "reassurance and follow-up",
)

# Reasoning sentences a model writes before it commits (some mention distractor options).
REASONING = (
    "The patient presents with acute chest pain radiating to the left arm.",
    "Troponin levels are elevated, which suggests myocardial injury.",
    "Let's think step by step about the most likely diagnosis.",
    "We should consider the differential diagnosis carefully.",
    "The vital signs show tachycardia and a low-grade temperature.",
    "Laboratory results reveal a microcytic anemia with low ferritin.",
    "This presentation is classic for an autoimmune process.",
    "Given the history of smoking, malignancy must be excluded.",
    "Option {d1} is unlikely because the symptoms began gradually.",
    "Choice ({d1}) can be excluded since the imaging is normal.",
    "Although {t1} is possible, it does not explain the rash.",
    "First-line management depends on hemodynamic stability.",
    "The ECG shows ST elevation in leads II, III and aVF.",
    "A dose of 15 mg was given twice daily for 10 days.",
    "Renal function is preserved, so no dose adjustment is needed.",
    "{t1} was considered but fits the findings poorly.",
)

PATIENTS = (
    "A 45-year-old man", "A 62-year-old woman", "A 30-year-old pregnant woman", "A 7-year-old boy",
    "An 81-year-old man", "A 24-year-old woman",
)

# (kind, weight): the mix of generation shapes.
KINDS = (
    ("cot_answer_is", 22), ("answer_colon", 14), ("bare_option", 10), ("markdown", 10), ("think_block", 10),
    ("none_of_the_above", 7), ("patient_prose", 8), ("eliminated", 5), ("option_text_only", 5),
    ("refusal", 4), ("final_answer_parens", 5),
)


@dataclass(frozen=True)
class ChoiceItem:
    text: str
    options: tuple[str, ...]
    intended: str | None  # the letter the generation commits to; None when it commits to none
    kind: str


def _reasoning(rng: random.Random, options: tuple[str, ...], answer: str, target: int) -> str:
    """Reasoning sentences until the text is about ``target`` characters long."""
    distractors = [x for x in LETTERS if x != answer]
    out: list[str] = []
    length = 0
    while length < target:
        d1 = rng.choice(distractors)
        sentence = rng.choice(REASONING).format(d1=d1, t1=options[LETTERS.index(d1)])
        out.append(sentence)
        length += len(sentence) + 1
    return " ".join(out)


def _one(rng: random.Random, kind: str) -> ChoiceItem:
    options = tuple(rng.sample(OPTION_POOL, 4))
    answer = rng.choice(LETTERS)
    text_of = options[LETTERS.index(answer)]
    others = [x for x in LETTERS if x != answer]
    intended: str | None = answer
    if kind == "cot_answer_is":
        text = f"{_reasoning(rng, options, answer, 170)} The answer is ({answer})."
    elif kind == "answer_colon":
        text = f"{_reasoning(rng, options, answer, 180)}\nAnswer: {answer}"
    elif kind == "bare_option":
        text = f"{answer}. {text_of}\n{_reasoning(rng, options, answer, 170)}"
    elif kind == "markdown":
        tail = rng.choice((f"The correct answer is **{answer}**.", f"**Answer: {answer}) {text_of}**",
                           f"**{answer}**"))
        text = f"{_reasoning(rng, options, answer, 160)}\n\n{tail}"
    elif kind == "think_block":
        wrong = rng.choice(others)
        text = (f"<think>Maybe ({wrong}) {options[LETTERS.index(wrong)]}? "
                f"{_reasoning(rng, options, answer, 120)} So not {wrong}.</think>\nThe answer is ({answer}).")
    elif kind == "none_of_the_above":
        intended = None
        text = f"{_reasoning(rng, options, answer, 170)}\nAnswer: none of the above"
    elif kind == "patient_prose":
        intended = None
        text = (f"{rng.choice(PATIENTS)} with this history needs a careful workup. "
                f"{_reasoning(rng, options, answer, 140)}")
    elif kind == "eliminated":
        text = (f"{_reasoning(rng, options, answer, 120)} The answer is ({answer}). "
                f"Eliminated: ({others[0]}), ({others[1]}), ({others[2]}).")
    elif kind == "option_text_only":
        text = f"{_reasoning(rng, options, answer, 160)} The most likely answer is {text_of}."
    elif kind == "refusal":
        intended = None
        text = ("I cannot determine the answer from the information given; more history and an "
                f"examination are needed. {_reasoning(rng, options, answer, 100)}")
    elif kind == "final_answer_parens":
        text = f"{_reasoning(rng, options, answer, 170)}\nFinal answer: ({answer}) {text_of}"
    else:  # pragma: no cover - KINDS and this function change together
        raise ValueError(kind)
    return ChoiceItem(text, options, intended, kind)


def choice_items(n: int, seed: int = 20240611) -> list[ChoiceItem]:
    """``n`` multiple-choice generations (about 200 characters each) in a realistic mix."""
    rng = random.Random(seed)
    kinds = [k for k, _ in KINDS]
    weights = [w for _, w in KINDS]
    return [_one(rng, rng.choices(kinds, weights)[0]) for _ in range(n)]


def label_pairs(n: int, seed: int = 7) -> tuple[list[str], list[str]]:
    """(predictions, references): ``n`` string labels of 5 unbalanced classes, about 70% right."""
    rng = np.random.default_rng(seed)
    labels = np.array(["negative", "positive", "neutral", "contradiction", "entailment"])
    refs = rng.choice(len(labels), size=n, p=[0.4, 0.25, 0.15, 0.12, 0.08])
    wrong = rng.random(n) < 0.3
    preds = np.where(wrong, rng.integers(0, len(labels), size=n), refs)
    return labels[preds].tolist(), labels[refs].tolist()


def score_pairs(n: int, seed: int = 11) -> tuple[list[float], list[float]]:
    """(predictions, references): ``n`` similarity scores on 0..5, correlated at about r = 0.8."""
    rng = np.random.default_rng(seed)
    refs = rng.uniform(0.0, 5.0, size=n)
    preds = np.clip(refs + rng.normal(0.0, 1.0, size=n), 0.0, 5.0)
    return preds.tolist(), refs.tolist()
