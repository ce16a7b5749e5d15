"""BioMistral-NLU side by side: ``medmetrics score --suite blurb,blue RUN --profile biomistral_nlu``
against the released evaluator (uw-bionlp/BioMistral-NLU ``evaluation.py``), task by task.

    .venv/bin/python benchmarks/side_by_side/biomistral_nlu.py --evaluators /path/to/BioMistral-NLU \\
        [--items 200] [--seed 12] [--keep DIR]

What it does, for the 15 tasks of BLURB and BLUE (bc2gm bc5_chem bc5_disease bioasq_yesno biosses
chemprot ddi ebm_pico gad hoc i2b2_2010 jnlpba mednli ncbi_disease pubmedqa; ``--items`` each, 200
by default, 3,000 generations):

1. It makes ``common.Case`` items from one set of underlying data per item (mentions, PICO token
   tags, labels, hallmark sets, annotator means): the structured gold a suite run carries (mention
   dicts, tag lists with ``tokens`` context, labels, option letters, real-valued scores with
   per-item ``options``), the paper's gold text written here from the same data (``Type:
   span...span`` lines, ``(B) no`` options, ``(C) 2``; never through ``medmetrics.metrics.compat.gold``,
   whose rendering this checks), and a raw model output in many real styles: right, partly right,
   wrong types, extra and missing spans, re-cased, braces, prose around the answer, ``[SEP]``
   separators, empty output, Llama-3 / Zephyr chat tokens (``<|start_header_id|>assistant
   <|end_header_id|>``, ``<|assistant|>``, a stray ``<|eot_id|>`` or ``</s>``), labels the
   evaluator reads (``(C)``) and misses (``cpr:5``, ``(c)``), STS answers on each item's options,
   PICO as lines and as tags.
2. It writes the run (``common.write_run``) and scores it as a user does (``common.score_suite``,
   suite ``blurb,blue``, profile ``biomistral_nlu``).
3. It runs the released evaluator on the same items, through its own code: ``evaluation.py`` is
   imported from the checkout; each raw output is cleaned by the expression of its inference loop
   (``generated_text = output.outputs[0].text.replace(...)...``, taken from the file with ``ast``
   and evaluated on the output, not retyped here); the records it writes at inference (prompt_id,
   reference, prediction, task, type, options) go to ``predictions/NLU/<exp>_0shot/<category>/
   <dataset>.jsonl`` in a scratch folder; its ``evaluate_task`` scores them and its
   ``write_scores`` / ``evaluate_pearson_correlation`` write the CSV / TXT it reports, from which
   the ``Overall`` F1 (or the Pearson value) is read and divided by 100 (the script prints
   percentages; medmetrics fractions).
4. It prints ``common.report``: per task the evaluator's number, the compat number, whether they
   are equal within ``common.TOLERANCE`` (1e-9), the correct (default) number and why it differs.
   The exit status is 0 only if compat equals the evaluator on every task.

How the evaluator's records are filled (its dataset is not released): ``task`` is what its
``evaluate_task`` branches on (``events`` for the NER sets, ``PICO``, ``QA`` for PubMedQA and
BioASQ, ``NLI`` for MedNLI, ``MultiQA`` for HoC, ``STS`` for BIOSSES, ``RE`` for ChemProt, DDI,
GAD, i2b2-2010); ``type`` is the dataset name (the compat profile keys classes ``<task>,<option>``);
``options`` is the item's options joined by ``[SEP]`` in the task's label order (BIOSSES: the
item's own options, ``0``..``5`` when the run gives none).

Getting the checkout: ``git clone https://github.com/uw-bionlp/BioMistral-NLU`` (the profile pins
@56bfcee; only ``evaluation.py`` is read). Any folder holding that ``evaluation.py`` will do.

Packages the evaluator imports: os, re, json, copy, glob, random, argparse (stdlib), numpy,
pandas, scipy, tqdm, torch, transformers, and vllm. The project venv has all of them except
vllm, which the script uses only to generate (``LLM``, ``SamplingParams``, ``LoRARequest``,
``destroy_model_parallel``, never called by the scoring functions); when vllm cannot be imported
the driver registers empty stand-ins for those four names before importing the script, so no
extra venv is needed. (With a venv that has vllm, e.g. one made with ``--system-site-packages``,
the real one is imported.)
"""

from __future__ import annotations

import argparse
import ast
import contextlib
import importlib.util
import io
import json
import os
import random
import sys
import tempfile
import types
import warnings
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))
from common import Case, report, score_suite, write_run

PAPER = "BioMistral-NLU (uw-bionlp/BioMistral-NLU evaluation.py)"
PROFILE = "biomistral_nlu"
SUITES = "blurb,blue"
LETTERS = "ABCDEFGHIJKLM"

# --- the underlying data ----------------------------------------------------------------------------

#: each dataset's answer options, in the order the paper's prompt letters them (the task's label order)
OPTIONS = {
    "chemprot": ["CPR:3", "CPR:4", "CPR:5", "CPR:6", "CPR:9", "false"],
    "ddi": ["DDI-advise", "DDI-effect", "DDI-int", "DDI-mechanism", "DDI-false"],
    "gad": ["yes", "no"],
    "i2b2_2010": ["PIP", "TeCP", "TeRP", "TrAP", "TrCP", "TrIP", "TrNAP", "TrWP", "false"],
    "pubmedqa": ["yes", "no", "maybe"],
    "bioasq_yesno": ["yes", "no"],
    "mednli": ["entailment", "neutral", "contradiction"],
    "hoc": ["sustaining proliferative signaling", "evading growth suppressors", "resisting cell death",
            "enabling replicative immortality", "inducing angiogenesis", "activating invasion and metastasis",
            "genomic instability and mutation", "tumor promoting inflammation", "cellular energetics",
            "avoiding immune destruction"],
}
#: what a model writes for a class instead of its label (the evaluator reads none of these)
SYNONYMS = {
    "CPR:3": ["upregulator", "activator"], "CPR:4": ["downregulator", "inhibitor"], "CPR:5": ["agonist"],
    "CPR:6": ["antagonist"], "CPR:9": ["substrate"], "false": ["no relation", "none"],
    "DDI-advise": ["advise"], "DDI-effect": ["effect"], "DDI-int": ["interaction"],
    "DDI-mechanism": ["mechanism", "pharmacokinetic"], "DDI-false": ["no interaction"],
    "yes": ["Yes.", "YES", "there is an association"], "no": ["No.", "NO", "no association"],
    "maybe": ["Maybe.", "it is unclear"],
    "PIP": ["problem indicates problem"], "TeCP": ["test conducted for problem"], "TeRP": ["test reveals problem"],
    "TrAP": ["treatment administered for problem"], "TrCP": ["treatment causes problem"],
    "TrIP": ["treatment improves problem"], "TrNAP": ["treatment not administered"],
    "TrWP": ["treatment worsens problem"],
    "entailment": ["Entailment.", "the hypothesis follows"], "neutral": ["Neutral"],
    "contradiction": ["Contradiction", "contradicts"],
}
#: the evaluator's ``task`` field (what ``evaluate_task`` branches on) and its category folder
KIND = {
    **{t: ("events", "events") for t in ("bc2gm", "bc5_chem", "bc5_disease", "ncbi_disease", "jnlpba")},
    "ebm_pico": ("PICO", "events"),
    "pubmedqa": ("QA", "QA"), "bioasq_yesno": ("QA", "QA"), "mednli": ("NLI", "NLI"),
    "hoc": ("MultiQA", "DC"), "biosses": ("STS", "STS"),
    **{t: ("RE", "RE") for t in ("chemprot", "ddi", "gad", "i2b2_2010")},
}
NER_TYPE = {"bc5_chem": "Chemical", "bc5_disease": "Disease", "ncbi_disease": "Disease", "bc2gm": "Gene"}
JNLPBA_TYPES = ["DNA", "RNA", "cell line", "cell type", "protein"]
MENTIONS = {
    "Chemical": ["aspirin", "cisplatin", "1,2-dichloroethane", "5-fluorouracil", "doxorubicin", "L-DOPA",
                 "N-acetylcysteine", "tamoxifen", "Ca(2+)", "heparin", "lithium carbonate", "nitric oxide",
                 "morphine", "haloperidol", "cyclosporin A", "gentamicin", "[3H]dopamine", "{ICI 182,780}",
                 "valproic acid", "CoA", "angiotensin II", "NaCl", "beta-carotene", "methotrexate"],
    "Disease": ["breast cancer", "hepatotoxicity", "type 2 diabetes", "ataxia-telangiectasia", "fever",
                "Parkinson's disease", "nephrotoxicity", "seizures", "hypertension", "acute renal failure",
                "myocardial infarction", "DMD", "colorectal carcinoma", "tumor", "tumors", "pain",
                "Wilms' tumor", "hemolytic uremic syndrome", "cardiac arrhythmias", "G6PD deficiency"],
    "Gene": ["BRCA1", "p53", "IL-2", "TNF-alpha", "TNF-\u03b1", "IFN-\u0393", "NF-kappa B", "cyclin D1",
             "EGFR", "Bcl-2", "c-myc", "HLA-DR", "insulin receptor", "CD4", "Ras", "MAP kinase", "H-2K(b)",
             "alpha 1 (I) collagen", "ERK1/2", "TGF-beta 1", "hGH", "STAT3"],
    "DNA": ["kappa B site", "IL-2 promoter", "HIV-1 LTR", "AP-1 site", "GATA motif", "c-fos gene"],
    "RNA": ["IL-2 mRNA", "c-fos mRNA", "GM-CSF transcripts", "beta-globin mRNA"],
    "cell line": ["Jurkat cells", "HeLa cells", "U937", "Jurkat T cells", "THP-1"],
    "cell type": ["T cells", "monocytes", "B lymphocytes", "human T cells", "macrophages", "erythroid cells"],
    "protein": ["NF-kappa B", "IL-2", "STAT3", "c-Jun", "GATA-1", "p50", "I kappa B alpha", "TNF-alpha"],
}
FILLER = ["In", "this", "study", ",", "we", "observed", "that", "the", "levels", "of", "were", "measured", "after",
          "in", "patients", "and", "then"]
PICO_PHRASES = {
    "PAR": ["adults with asthma", "120 children aged 6 to 12 years", "patients with type 2 diabetes",
            "postmenopausal women", "smokers", "elderly patients undergoing hip surgery"],
    "INT": ["inhaled budesonide", "placebo", "metformin", "a 12-week exercise programme", "acupuncture",
            "standard care"],
    "OUT": ["wheeze control", "HbA1c", "mortality", "quality of life", "pain scores", "adverse events",
            "length of hospital stay"],
}
PICO_LINES = [("Participants", "PAR"), ("Interventions", "INT"), ("Outcomes", "OUT")]

# --- raw output styles ------------------------------------------------------------------------------

LLAMA = "<|start_header_id|>assistant<|end_header_id|>\n\n"


def wrap(rng: random.Random, text: str) -> str:
    """Chat-template debris and prose around an answer, as raw vLLM outputs carry them."""
    roll = rng.random()
    if roll < 0.10:
        text = LLAMA + text
    elif roll < 0.14:
        text = "<|assistant|>\n" + text
    elif roll < 0.17:
        text = text + "<|eot_id|>"
    elif roll < 0.19:
        text = "<|start_header_id|>" + text + "<|end_header_id|>"
    elif roll < 0.21:
        text = text + "</s>"
    elif roll < 0.23:
        text = "As your assistant, here is my answer:\n" + text
    elif roll < 0.26:
        text = "  " + text + "\n\n"
    return text


def flip_case(rng: random.Random, text: str) -> str:
    return rng.choice([text.upper(), text.lower(), text.title(), text])


def spans_line(rng: random.Random, label: str, spans: Sequence[str]) -> str:
    if not spans:
        return f"{label}: " + rng.choices(["None", "none", "None.", "N/A", "NONE", ""], [80, 6, 4, 4, 3, 3])[0]
    sep = rng.choices(["...", "[SEP]", " ... ", ", ", "; ", "... "], [70, 8, 8, 7, 4, 3])[0]
    return f"{label}: {sep.join(spans)}"


def predicted_spans(rng: random.Random, gold: Sequence[str], pool: Sequence[str]) -> list[str]:
    style = rng.choices(["exact", "partial", "extra", "miss", "noisy"], [40, 25, 15, 5, 15])[0]
    if style == "exact":
        out = list(gold)
    elif style == "miss":
        out = []
    else:
        keep = 0.7 if style == "partial" else 0.95
        out = [g for g in gold if rng.random() < keep]
        if style != "partial" or rng.random() < 0.4:
            out += rng.sample(list(pool), rng.randint(1, 2))
        rng.shuffle(out)
    if style == "noisy" or rng.random() < 0.1:
        out = [flip_case(rng, s) if rng.random() < 0.4 else s for s in out]
    if rng.random() < 0.04:
        out = ["{" + s + "}" for s in out]
    if out and rng.random() < 0.05:
        out.append(out[0])  # said twice
    if out and rng.random() < 0.04:
        out[-1] += "."
    if rng.random() < 0.02:  # a repetition loop: one span over and over (the script de-duplicates past 20)
        out += [rng.choice(out or list(pool))] * rng.randint(18, 30)
    return out


def ner_items(task: str, n: int, rng: random.Random) -> list[Case]:
    kind = NER_TYPE[task]
    pool = MENTIONS[kind]
    others = [m for k, v in MENTIONS.items() if k != kind for m in v]
    cases = []
    for _ in range(n):
        size = rng.choices([0, rng.randint(1, 4), rng.randint(5, 9), rng.randint(21, 26)], [25, 60, 12, 3])[0]
        texts = [rng.choice(pool) for _ in range(size)]
        # the structured gold, in the forms a suite run carries mentions
        form = rng.random()
        context: dict[str, Any] = {}
        if task in ("bc5_disease", "bc5_chem") and texts and form < 0.3:  # grounded, listed out of order
            words, mentions, offset = [], [], 0
            for text in texts:
                lead = rng.choice(FILLER) + " "
                words.append(lead + text + " ")
                mentions.append({"type": kind, "text": text, "start": offset + len(lead),
                                 "end": offset + len(lead) + len(text)})
                offset += len(lead) + len(text) + 1
            context["source"] = "".join(words).strip() + "."
            reference: Any = rng.sample(mentions, len(mentions))
        elif form < 0.5:
            reference = [{"type": kind, "text": t} for t in texts]
        else:  # (type, text) pairs; the type as the task declares it (the correct metric requires that)
            reference = [[kind, t] for t in texts]
        paper_gold = f"{kind}: {'...'.join(texts) if texts else 'None'}"  # document order = listed order here
        spans = predicted_spans(rng, texts, pool + others[:6])
        roll = rng.random()
        if roll < 0.78:
            label = kind
        elif roll < 0.84:
            label = kind.lower()
        elif roll < 0.88:
            label = kind + "s"
        elif roll < 0.92:
            label = rng.choice([k for k in NER_TYPE.values() if k != kind])
        else:
            label = rng.choice(["Entities", "Answer", "Output"])
        roll = rng.random()
        if roll < 0.04:
            generation = ""
        elif roll < 0.08:
            generation = ", ".join(spans) if spans else "There are no entities in this text."
        elif roll < 0.13 and len(spans) > 1:  # one span per line
            generation = "\n".join(f"{label}: {s}" for s in spans)
        elif roll < 0.18:
            generation = f"Sure! Here are the {kind.lower()} entities:\n" + spans_line(rng, label, spans)
        elif roll < 0.21:
            generation = spans_line(rng, label, spans) + f"\n{rng.choice(['Disease', 'Gene', 'Chemical'])}: None"
        elif roll < 0.23:
            generation = f"Thinking: the text names {len(spans)} entities.\n" + spans_line(rng, label, spans)
        else:
            generation = spans_line(rng, label, spans)
        cases.append(Case(wrap(rng, generation), reference, evaluator_record(task, paper_gold), context))
    return cases


def jnlpba_items(n: int, rng: random.Random) -> list[Case]:
    cases = []
    for _ in range(n):
        size = rng.choices([0, rng.randint(1, 5), rng.randint(6, 10), rng.randint(21, 24)], [15, 65, 17, 3])[0]
        mentions = []
        for _ in range(size):
            kind = rng.choice(JNLPBA_TYPES)
            mentions.append((kind, rng.choice(MENTIONS[kind])))
        by_type = {t: [text for k, text in mentions if k == t] for t in JNLPBA_TYPES}
        paper_gold = "\n".join(f"{t}: {'...'.join(v) if v else 'None'}" for t, v in by_type.items())
        reference = [{"type": k, "text": t} if rng.random() < 0.7 else [k, t] for k, t in mentions]
        said = {t: predicted_spans(rng, v, MENTIONS[t] + MENTIONS["protein"][:3]) for t, v in by_type.items()}
        if rng.random() < 0.1:  # a DNA/protein confusion
            said["protein"], said["DNA"] = said["DNA"], said["protein"]
        names = {t: t for t in JNLPBA_TYPES}
        if rng.random() < 0.15:  # names the script's prefix test reads differently ("cell" -> "cell line")
            names.update(rng.choice([{"cell line": "cell_line", "cell type": "cell_type"}, {"protein": "Protein"},
                                     {"cell line": "cell lines"}, {"DNA": "dna"}, {"cell type": "cell"},
                                     {"RNA": ""}, {"protein": "DNA"}]))
        lines = [spans_line(rng, names[t], said[t]) for t in JNLPBA_TYPES]
        style = rng.random()
        if style < 0.12:
            lines = [line for t, line in zip(JNLPBA_TYPES, lines) if said[t]]  # only the types found
        elif style < 0.22:
            rng.shuffle(lines)
        elif style < 0.27:
            lines = ["Here are the entities by type:", *lines]
        elif style < 0.30:
            lines = lines[:rng.randint(1, 4)]
        elif style < 0.33:
            lines = [", ".join(s for t in JNLPBA_TYPES for s in said[t]) or "None"]
        generation = "" if rng.random() < 0.03 else ("\r\n" if rng.random() < 0.03 else "\n").join(lines)
        cases.append(Case(wrap(rng, generation), reference, evaluator_record("jnlpba", paper_gold)))
    return cases


def pico_items(n: int, rng: random.Random) -> list[Case]:
    cases = []
    for _ in range(n):
        chunks: list[tuple[str, list[str]]] = []
        for _ in range(rng.randint(2, 6)):
            chunks.append(("O", rng.sample(FILLER, rng.randint(1, 4))))
            if rng.random() < 0.8:
                cls = rng.choice(["PAR", "INT", "OUT"])
                chunks.append((cls, rng.choice(PICO_PHRASES[cls]).split()))
                if rng.random() < 0.15:  # two spans of one class back to back: the second begins with B-
                    chunks.append((cls + "+", rng.choice(PICO_PHRASES[cls]).split()))
        tokens, tags = [], []
        for cls, words in chunks:
            for j, word in enumerate(words):
                tokens.append(word)
                if cls == "O":
                    tags.append("O")
                elif cls.endswith("+"):
                    tags.append(("B-" if j == 0 else "I-") + cls[:-1])
                else:
                    tags.append(("B-" if j == 0 and rng.random() < 0.3 else "I-") + cls)
        # the gold spans, per class: runs of one class, a B- tag starting a new run
        spans: dict[str, list[list[str]]] = {"PAR": [], "INT": [], "OUT": []}
        previous = "O"
        for token, tag in zip(tokens, tags):
            cls = tag[2:] if tag != "O" else "O"
            if cls != "O":
                if cls != previous or tag.startswith("B-"):
                    spans[cls].append([])
                spans[cls][-1].append(token)
            previous = cls
        gold = {cls: [" ".join(words) for words in v] for cls, v in spans.items()}
        paper_gold = "\n".join(f"{name}: {'...'.join(gold[cls]) if gold[cls] else 'None'}" for name, cls in PICO_LINES)
        style = rng.choices(["lines", "tags", "prose", "empty"], [72, 16, 8, 4])[0]
        if style == "tags":
            said = [t if rng.random() < 0.85 else rng.choice(["O", "B-PAR", "I-INT", "I-OUT"]) for t in tags]
            generation = " ".join(f"{w} [{t.replace('I-', 'B-') if rng.random() < 0.3 else t}]"
                                  for w, t in zip(tokens, said))
        elif style == "empty":
            generation = rng.choice(["", "None", "Participants: None\nInterventions: None\nOutcomes: None"])
        else:
            pool = [p for phrases in PICO_PHRASES.values() for p in phrases]
            said = {cls: predicted_spans(rng, v, pool) for cls, v in gold.items()}
            if rng.random() < 0.15:  # spans cut to their head words
                said = {cls: [" ".join(s.split()[-2:]) for s in v] for cls, v in said.items()}
            lines = [spans_line(rng, name, said[cls]) for name, cls in PICO_LINES]
            roll = rng.random()
            if roll < 0.1:
                rng.shuffle(lines)
            elif roll < 0.2:
                lines = [line for (name, cls), line in zip(PICO_LINES, lines) if said[cls]]
            elif roll < 0.25:
                lines = [line.replace("Participants", "Population").replace("Interventions", "Intervention")
                         for line in lines]
            if style == "prose":
                lines = ["The PICO elements are as follows.", *lines, "Note: no comparator was reported."]
            generation = "\n".join(lines)
        cases.append(Case(wrap(rng, generation), tags, evaluator_record("ebm_pico", paper_gold), {"tokens": tokens}))
    return cases


def lettered(option: str, options: Sequence[str]) -> str:
    return f"({LETTERS[options.index(option)]}) {option}"


def choice_generation(rng: random.Random, answer: str, options: Sequence[str]) -> str:
    """One raw answer to a lettered question, in the styles models write it."""
    letter = LETTERS[options.index(answer)]
    other = rng.choice([o for o in options if o != answer])
    styles = {
        "letter and text": (28, lambda: f"({letter}) {answer}"),
        "letter": (10, lambda: f"({letter})"),
        "text": (12, lambda: answer),
        "sentence": (10, lambda: f"Based on the text, the answer is ({letter}) {answer}."),
        "lowercase letter": (5, lambda: f"({letter.lower()}) {answer}"),
        "bare letter": (4, lambda: f"{letter}. {answer}"),
        "synonym": (6, lambda: rng.choice(SYNONYMS.get(answer, [answer]))),
        "two letters": (5, lambda: f"Either ({LETTERS[options.index(other)]}) {other} or ({letter}) {answer}."),
        "all options": (3, lambda: " ".join(lettered(o, options) for o in options)),
        "wrong letter": (4, lambda: f"({LETTERS[options.index(other)]}) {answer}"),
        "reasoning": (8, lambda: f"The abstract reports a dose-dependent effect. Therefore, the answer is "
                                 f"({letter}) {answer}"),
        "empty": (3, lambda: ""),
        "out of range": (2, lambda: f"({LETTERS[len(options) + 1]}) none of the above"),
        "sep": (2, lambda: f"({letter})[SEP]{answer}"),
        "refusal": (2, lambda: "I cannot determine this from the text."),
    }
    names = list(styles)
    name = rng.choices(names, [styles[s][0] for s in names])[0]
    return styles[name][1]()


def label_items(task: str, n: int, rng: random.Random) -> list[Case]:
    options = OPTIONS[task]
    weights = [1.0] * len(options)
    if task in ("chemprot", "i2b2_2010"):
        weights[-1] = 4.0  # mostly no relation
    elif task == "ddi":
        weights[-1] = 5.0
    cases = []
    for _ in range(n):
        gold = rng.choices(options, weights)[0]
        said = gold if rng.random() < 0.65 else rng.choice(options)
        reference: Any = gold
        if task in ("pubmedqa", "bioasq_yesno", "mednli") and rng.random() < 0.2:
            reference = gold.capitalize()  # "Yes": the label as a CSV column holds it
        cases.append(Case(wrap(rng, choice_generation(rng, said, options)), reference,
                          evaluator_record(task, lettered(gold, options))))
    return cases


def hoc_items(n: int, rng: random.Random) -> list[Case]:
    options = OPTIONS["hoc"]
    cases = []
    for _ in range(n):
        gold = sorted(rng.sample(range(10), rng.choices([0, 1, 2, 3], [35, 40, 18, 7])[0]))
        paper_gold = ", ".join(lettered(options[i], options) for i in gold)
        form = rng.random()
        reference = [LETTERS[i] for i in gold] if form < 0.7 else [options[i] for i in gold]
        said = [i for i in gold if rng.random() < 0.8]
        if rng.random() < 0.3:
            said.append(rng.randrange(10))
        said = sorted(set(said))
        style = rng.choices(["lettered", "letters", "texts", "lowercase", "none", "out of range"],
                            [53, 15, 12, 5, 13, 2])[0]
        if not said or style == "none":
            generation = rng.choice(["None of them.", "The abstract does not discuss any hallmark.", ""])
        elif style == "lettered":
            generation = ", ".join(lettered(options[i], options) for i in said)
        elif style == "letters":
            generation = " ".join(f"({LETTERS[i]})" for i in said)
        elif style == "texts":
            generation = "; ".join(options[i] for i in said)
        elif style == "lowercase":
            generation = ", ".join(f"({LETTERS[i].lower()}) {options[i]}" for i in said)
        else:  # letters past the ten hallmarks
            generation = ", ".join(f"({LETTERS[i + 3]})" for i in said)
        cases.append(Case(wrap(rng, generation), reference, evaluator_record("hoc", paper_gold)))
    return cases


def biosses_items(n: int, rng: random.Random) -> list[Case]:
    cases = []
    for _ in range(n):
        base = rng.randint(0, 4)
        votes = [min(4, max(0, base + rng.choice((-1, 0, 0, 0, 1)))) for _ in range(5)]
        score = sum(votes) / 5  # the mean of five annotators: a multiple of 0.2, never n + 0.5
        nearest = (2 * sum(votes) + 5) // 10  # the integer nearest to it, by integer arithmetic
        roll = rng.random()
        if roll < 0.45:
            options = ["0", "1", "2", "3", "4"]
        elif roll < 0.7:
            options = ["4", "3", "2", "1", "0"]
        else:
            options = None  # no options context: the profile reads 0..5
        shown = options or ["0", "1", "2", "3", "4", "5"]
        said = min(4, max(0, nearest + rng.choice((-1, 0, 0, 0, 1))))
        letter = LETTERS[shown.index(str(said))]
        style = rng.choices(["letter and score", "letter", "score", "statement", "empty", "reasoning", "out of range"],
                            [40, 12, 18, 14, 3, 11, 2])[0]
        generation = {
            "letter and score": f"({letter}) {said}",
            "letter": f"({letter})",
            "score": f"{said}",
            "statement": f"Score: {said}",
            "empty": "",
            "out of range": f"({LETTERS[len(shown)]}) {said}",
            "reasoning": f"Both sentences describe the same pathway, so the similarity is ({letter}) {said}.",
        }[style]
        context = {} if options is None else {"options": options}
        paper_gold = f"({LETTERS[shown.index(str(nearest))]}) {nearest}"
        cases.append(Case(wrap(rng, generation), round(score, 1), evaluator_record("biosses", paper_gold, shown),
                          context))
    return cases


def evaluator_record(task: str, reference: str, options: Sequence[str] | None = None) -> dict[str, Any]:
    """The fields of the paper's test record its evaluator reads, besides the prediction."""
    kind, _ = KIND[task]
    options = options if options is not None else OPTIONS.get(task, [])
    return {"reference": reference, "task": kind, "type": task, "options": "[SEP]".join(options)}


def make_cases(items: int, seed: int) -> dict[str, list[Case]]:
    rng = random.Random(seed)
    cases: dict[str, list[Case]] = {}
    for task in sorted(KIND):
        if task in NER_TYPE:
            cases[task] = ner_items(task, items, rng)
        elif task == "jnlpba":
            cases[task] = jnlpba_items(items, rng)
        elif task == "ebm_pico":
            cases[task] = pico_items(items, rng)
        elif task == "hoc":
            cases[task] = hoc_items(items, rng)
        elif task == "biosses":
            cases[task] = biosses_items(items, rng)
        else:
            cases[task] = label_items(task, items, rng)
    return cases


# --- the released evaluator --------------------------------------------------------------------------

def _stand_in_vllm() -> None:
    """Empty stand-ins for the four vllm names evaluation.py imports (generation only)."""
    try:
        import vllm  # noqa: F401
        return
    except ImportError:
        pass

    def absent(*args: Any, **kwargs: Any) -> Any:
        raise RuntimeError("vllm stand-in: the side-by-side driver scores, it does not generate")

    modules = {name: types.ModuleType(name) for name in
               ("vllm", "vllm.lora", "vllm.lora.request", "vllm.distributed", "vllm.distributed.parallel_state")}
    modules["vllm"].LLM = absent
    modules["vllm"].SamplingParams = absent
    modules["vllm.lora.request"].LoRARequest = absent
    modules["vllm.distributed.parallel_state"].destroy_model_parallel = absent
    sys.modules.update(modules)


def load_evaluator(checkout: Path) -> tuple[types.ModuleType, Callable[[str], str]]:
    """The imported ``evaluation.py`` and its inference-time clean-up of a raw output."""
    path = checkout / "evaluation.py"
    if not path.is_file():
        raise SystemExit(f"no evaluation.py in {checkout}: give the BioMistral-NLU checkout with --evaluators")
    _stand_in_vllm()
    spec = importlib.util.spec_from_file_location("biomistral_nlu_evaluation", path)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        spec.loader.exec_module(module)
    source = path.read_text(encoding="utf-8")
    found = [node.value for node in ast.walk(ast.parse(source)) if isinstance(node, ast.Assign)
             and any(isinstance(t, ast.Name) and t.id == "generated_text" for t in node.targets)]
    if len(found) != 1:
        raise SystemExit(f"{path}: expected one 'generated_text = ...' assignment (the clean-up), found {len(found)}")
    expression = compile(ast.Expression(found[0]), str(path), "eval")

    def cleaned(raw: str) -> str:
        output = types.SimpleNamespace(outputs=[types.SimpleNamespace(text=raw)])
        return eval(expression, {"__builtins__": {}}, {"output": output})  # the script's own expression

    return module, cleaned


def run_evaluator(checkout: Path, cases: dict[str, list[Case]], scratch: Path) -> dict[str, float | None]:
    """Each task's number as the script reports it (its Overall F1, or Pearson), divided by 100."""
    module, cleaned = load_evaluator(checkout)
    exp, shots = "side_by_side", 0
    module.exp, module.N_shot = exp, shots  # the globals its __main__ sets and evaluate_task reads
    out: dict[str, float | None] = {}
    here = os.getcwd()
    os.chdir(scratch)
    try:
        for task, items in cases.items():
            kind, category = KIND[task]
            folder = Path(f"predictions/NLU/{exp}_{shots}shot/{category}")
            folder.mkdir(parents=True, exist_ok=True)
            with open(folder / f"{task}.jsonl", "w") as handle:  # as its inference loop writes the records
                for i, case in enumerate(items):
                    gold = case.paper_gold
                    record = {"prompt_id": f"{task}_{i}", "reference": gold["reference"],
                              "prediction": cleaned(case.generation), "task": gold["task"],
                              "type": gold["type"], "options": gold["options"]}
                    json.dump(record, handle)
                    handle.write("\n")
            try:
                with warnings.catch_warnings(), contextlib.redirect_stdout(io.StringIO()):
                    warnings.simplefilter("ignore")
                    module.evaluate_task(f"dataset/final/test/{category}/{task}/test.json")
            except Exception as crash:  # the script stops and prints no number: NaN, as the profile gives
                print(f"evaluation.py crashes on {task}: {type(crash).__name__}: {crash}", file=sys.stderr)
                out[task] = float("nan")
                continue
            if kind == "STS":
                out[task] = float((folder / f"{task}.txt").read_text()) / 100
            else:
                rows = [line for line in (folder / f"{task}.csv").read_text().splitlines()
                        if line.startswith("Overall,-,-,")]
                out[task] = float(rows[0].rsplit(",", 1)[1]) / 100 if rows else None
    finally:
        os.chdir(here)
    return out


# --- why the correct score differs ------------------------------------------------------------------

_NER = ("lines-by-position (one-type sets: the whole output after its first colon is one line, so one span per "
        "line or prose with a colon scores nothing), none-exact, spans split on '...' only (the default also "
        "splits ', ' and ';'), '{' kept, assistant-deleted; default: strict F1 on parsed typed mentions")
EXPLAIN = {
    **{t: _NER for t in ("bc2gm", "bc5_chem", "bc5_disease", "ncbi_disease")},
    "jnlpba": "lines-by-position (a line counts for the gold type at its position or its type prefix, not the "
              "type it names), none-exact, dedup-over-20, spans split on '...' only; default: strict typed F1",
    "ebm_pico": "definition: token-level macro F1 over P/I/O on spans grounded in the gold tokens vs pico-bag "
                "(micro over P/I/O lines, a case-sensitive bag of words), lines-by-position, none-exact",
    "chemprot": "option-a (a label without '(X)' is option A), overall-drops (keeps 'false'); default reads "
                "labels and synonyms, micro F1 over CPR:3/4/5/6/9, but cannot read a bare '(C)' (no option letters)",
    "ddi": "option-a, overall-drops (keeps DDI-false); default: micro F1 over the four types, labels and synonyms "
           "read, a bare '(B)' unread",
    "gad": "option-a, overall-drops ('no' dropped by ',no,', as BLURB does); default reads 'yes'/'no' without "
           "letters, a bare '(A)' unread",
    "i2b2_2010": "option-a, overall-drops (keeps 'false'); default excludes 'false', reads labels, a bare '(D)' unread",
    "pubmedqa": "substring-qa ('(a) yes' anywhere is right, listing every option is right, a bare 'yes' is "
                "wrong); default parses the label",
    "bioasq_yesno": "substring-qa; default parses the label",
    "mednli": "substring-qa; default parses the label",
    "hoc": "only '(X)' markers read (hallmark texts and '(a)' are not), overall-drops; default reads letters "
           "and hallmark texts",
    "biosses": "integer-sts-gold (Pearson against the rounded gold), option-a (a bare '2' or 'Score: 2' is "
               "option A); default: Pearson against the continuous gold on the scores parsed",
}


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--evaluators", required=True, type=Path,
                        help="the uw-bionlp/BioMistral-NLU checkout (the folder holding evaluation.py)")
    parser.add_argument("--items", type=int, default=200, help="generations per task (15 tasks)")
    parser.add_argument("--seed", type=int, default=12)
    parser.add_argument("--keep", type=Path, default=None, help="write the run and the script's files here")
    args = parser.parse_args()
    cases = make_cases(args.items, args.seed)
    with tempfile.TemporaryDirectory() as tmp:
        root = args.keep or Path(tmp)
        run = write_run(root / "run", cases)
        scratch = root / "evaluator"
        scratch.mkdir(parents=True, exist_ok=True)
        theirs = run_evaluator(args.evaluators.resolve(), cases, scratch)
        ours = score_suite(run, SUITES, PROFILE)
    sizes = {task: len(items) for task, items in cases.items()}
    ok = report(PAPER, ours, theirs, sizes, EXPLAIN)
    missing = sorted(set(theirs) - set(ours))
    if missing:
        print(f"medmetrics scored no result for: {', '.join(missing)}")
    for task in sorted(theirs):
        for note in ours.get(task, {}).get("compat_notes") or []:
            print(f"  note {task}: {note}")
    return 0 if ok and not missing else 1


if __name__ == "__main__":
    sys.exit(main())
