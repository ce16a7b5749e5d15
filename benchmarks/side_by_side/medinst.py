"""MedINST32 side by side: ``medmetrics score --suite medinst32 RUN --profile medinst`` against the
released evaluator (aialt/MedINST ``evaluation.py`` @dc13b2b), task by task (issue #12).

What it does: it makes generated items for all 32 MedINST32 tests (``--items`` per test, 80 by
default, so about 2,500 in all; ``--seed`` picks them): correct, partly right and wrong answers,
missing, extra, nested, stray and unclosed brackets, case and punctuation the evaluator's
``normalize_answer`` folds, prose around answers, empty outputs, labels it normalizes or misses,
tag strings with dropped or added words, BIOSSES gold given as a float (2.8), an integer or text,
MedQA items with their options. Each item carries the structured gold a suite run holds
(mention lists, grounded offsets with the ``source``, typed mentions, triples, NED pairs, events,
BIO tags with ``tokens``, option letters, hallmark letters, real-valued scores) and the gold
text MedINST32's ``output`` field holds for it, which this driver writes itself from the same
data (never through ``medmetrics.metrics.compat.gold``). It writes the run (``common.write_run``), scores
it as a user does (``common.score_suite``: suite ``medinst32``, profile ``medinst``; each
record's ``context`` object holds its ``options``, ``tokens`` or ``source``), and runs the
released script's own ``evaluate(targets, predictions, evaluation_types, rouge_metric)`` on the
gold texts and the generations, with the evaluation types its ``main()`` picks from its own
lists (``cls``, ``em``, ``entity``, ``multicls``, ``bio``, ``mse``). It prints
``common.report`` for the 30 tests with a compat method (the evaluator's headline per test:
``label_level_f1``, ``em``, ``entity_level_f1``, ``label_leval_f1`` (sic), ``mse``), with why
the default differs, and then what the evaluator prints for the two tests without one
(Multi-XScience, ParaMed: ``rouge`` and ``f1`` only). Exit status 0 only if every compat value
equals the evaluator's within ``common.TOLERANCE``.

The checkout: the GitHub repository aialt/MedINST at commit dc13b2b (``git clone`` it, or put its
``evaluation.py`` in a folder); ``--evaluators`` names that folder. The script is imported, never
copied or changed; its ``main()`` is not run (it calls an OpenAI-compatible API and downloads
MedINST32), its ``evaluate`` is.

Packages: importing ``evaluation.py`` needs ``openai``, ``datasets`` (``datasets.tqdm``),
``scikit-learn``, ``tqdm`` and ``numpy``, and its ``evaluate`` needs a ROUGE metric: ``main()``
passes ``datasets.load_metric('rouge')`` (gone since datasets 3, and it downloads its script), so
this driver passes an object whose ``compute`` does what that metric does with
``use_aggregator=False`` (rouge-score's ``RougeScorer(rouge_types, use_stemmer)``, one ``Score``
per pair), which needs ``rouge_score``. The evaluator runs in a child process with
``--python`` (default: ``/tmp/sbs/venv-medinst/bin/python`` when it exists, else this
interpreter). Make that environment, outside the project, with::

    python3 -m venv --system-site-packages /tmp/sbs/venv-medinst
    /tmp/sbs/venv-medinst/bin/pip install openai datasets scikit-learn tqdm numpy rouge_score

Run (from the repository root)::

    .venv/bin/python benchmarks/side_by_side/medinst.py --evaluators /path/to/MedINST [--items N] [--seed S]
"""

from __future__ import annotations

import argparse
import json
import math
import random
import subprocess
import sys
import tempfile
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))

from common import TOLERANCE, Case, report, score_suite, write_run

SUITE, PROFILE = "medinst32", "medinst"
DEFAULT_PYTHON = Path("/tmp/sbs/venv-medinst/bin/python")

#: our task -> the test name the evaluator's ``tests`` mapping (and MedINST32's configs) uses
TESTS = {
    "medinst_bioasq_yesno": "BioASQ-Task-B-yesno", "medinst_pubmedqa": "PubMedQA-labeled", "medqa": "MedQA",
    "scifact": "SciFact", "mancon": "ManConCorpus", "covert": "CoVERt",
    "medinst_ncbi_disease": "NCBI-disease", "medinst_bc5cdr": "BC5CDR", "anem": "AnEM", "bionlp_2009": "BioNLP-2009",
    "bionlp_2011_ge": "BioNLP-2011-GE", "bionlp_2011_id": "BioNLP-2011-ID", "bionlp_2011_rel": "BioNLP-2011-REL",
    "bionlp_2013_cg": "BioNLP-2013-CG", "bionlp_2013_ge": "BioNLP-2013-GE", "bionlp_2013_gro": "BioNLP-2013-GRO",
    "bionlp_2013_pc": "BioNLP-2013-PC", "biored": "BioRED", "tmvar_v3": "tmVar-v3",
    "medinst_hoc": "Hallmarks-of-Cancer", "meddialog": "MedDialog",
    "medal": "MeDAL", "tmvar_v3_ned": "tmVar-v3-NED",
    "anem_re": "AnEM-RE", "bc5cdr_re": "BC5CDR-RE", "bioinfer_re": "BioInfer-RE",
    "anem_coref": "AnEM-COREF", "mlee_coref": "MLEE-COREF",
    "multi_xscience": "Multi-XScience", "mlee_ee": "MLEE-EE", "medinst_biosses": "BIOSSES", "paramed": "ParaMed",
}
#: tests the profile has no method for: the evaluator prints only its ROUGE-L and word F1 there
#: tests in none of the evaluator's type lists: it prints 'rouge' and 'f1' for them
NO_COMPAT = ("multi_xscience", "paramed")
#: the evaluator's headline number per evaluation type (``evaluate``'s keys)
HEADLINE = {"cls": "label_level_f1", "em": "em", "entity": "entity_level_f1", "multicls": "entity_level_f1",
            "bio": "label_leval_f1", "mse": "mse"}

# --- the evaluator, in a child process --------------------------------------------------------

#: Runs in the evaluator's environment: imports the released script from the checkout and calls its
#: ``evaluate`` per test, with the type its ``main()`` picks from the script's own lists.
EVALUATOR_RUNNER = r'''
import json, sys, warnings
checkout, data_path, out_path = sys.argv[1:4]
sys.path.insert(0, checkout)
warnings.filterwarnings("ignore")
import evaluation  # the released script, unchanged
from rouge_score import rouge_scorer


class LoadedRouge:
    """datasets.load_metric('rouge'): compute() with use_aggregator=False gives, per rouge type,
    the rouge_score Score of each (reference, prediction) pair."""

    def compute(self, predictions, references, use_aggregator=True, use_stemmer=False, rouge_types=None):
        assert not use_aggregator
        rouge_types = rouge_types or ["rouge1", "rouge2", "rougeL", "rougeLsum"]
        scorer = rouge_scorer.RougeScorer(rouge_types=rouge_types, use_stemmer=use_stemmer)
        scores = [scorer.score(ref, pred) for ref, pred in zip(references, predictions)]
        return {key: [score[key] for score in scores] for key in rouge_types}


data = json.load(open(data_path, encoding="utf-8"))
rouge_metric = LoadedRouge()
out = {}
for cat, test_names in evaluation.tests.items():
    for test in test_names:
        if test not in data:
            continue
        # main() gives a test the first evaluation type whose list (named as the type) holds it
        types = next(([kind] for kind in ("cls", "em", "entity", "multicls", "bio", "mse")
                      if test in getattr(evaluation, kind)), [])
        metrics = evaluation.evaluate(data[test]["targets"], data[test]["predictions"], types, rouge_metric)
        out[test] = {"category": cat, "types": types, "metrics": {k: float(v) for k, v in metrics.items()}}
json.dump(out, open(out_path, "w", encoding="utf-8"))
'''


def run_evaluator(checkout: Path, python: Path, cases: dict[str, list[Case]], workdir: Path) -> dict[str, Any]:
    """The released ``evaluate`` on each test's gold texts and generations: test -> {types, metrics}."""
    data = {TESTS[task]: {"targets": [c.paper_gold for c in items], "predictions": [c.generation for c in items]}
            for task, items in cases.items()}
    data_path, out_path = workdir / "evaluator_input.json", workdir / "evaluator_output.json"
    data_path.write_text(json.dumps(data, ensure_ascii=False), encoding="utf-8")
    proc = subprocess.run([str(python), "-c", EVALUATOR_RUNNER, str(checkout), str(data_path), str(out_path)],
                          capture_output=True, text=True)
    if proc.returncode != 0:
        raise RuntimeError(f"the released evaluator failed ({python}):\n{proc.stderr[-4000:]}")
    result: dict[str, Any] = json.loads(out_path.read_text(encoding="utf-8"))
    return result


# --- the paper's gold text, written here from the same data -----------------------------------


def squash(text: str) -> str:
    return " ".join(text.split())


def gold_brackets(groups: Sequence[Sequence[str]]) -> str:
    """MedINST's bracketed output: each group's fields joined by ', ', groups by a space."""
    return " ".join("[" + ", ".join(squash(f) for f in group) + "]" for group in groups)


# --- generations ------------------------------------------------------------------------------

PROSE_BEFORE = ("", "", "", "Answer: ", "The answer is ", "Output: ", "Sure! Here it is:\n", "Based on the text, ")
PROSE_AFTER = ("", "", "", ".", "\n", " Hope this helps.", "\n\nExplanation: the text says so.")


def wrap(rng: random.Random, answer: str) -> str:
    return rng.choice(PROSE_BEFORE) + answer + rng.choice(PROSE_AFTER)


def vary_text(rng: random.Random, text: str) -> str:
    """The same answer as a model may write it: case, hyphens, a leading article, a trailing period."""
    how = rng.randrange(7)
    if how == 0:
        return text.upper()
    if how == 1:
        return text.lower()
    if how == 2:
        return text.replace("-", rng.choice((" ", "\u2013"))) if "-" in text else text.replace(" ", "-", 1)
    if how == 3:
        return "the " + text
    if how == 4:
        return text + "."
    if how == 5:
        return text.title()
    return text


def join_groups(rng: random.Random, groups: Sequence[str]) -> str:
    """Bracketed groups written one of the ways models write them."""
    bracketed = [f"[{g}]" for g in groups]
    style = rng.randrange(6)
    if style == 0:
        return ", ".join(bracketed)
    if style == 1:
        return "\n".join(bracketed)
    if style == 2:
        return "\n".join(f"- {b}" for b in bracketed)
    if style == 3:
        return " and ".join(bracketed) if len(bracketed) == 2 else " ".join(bracketed)
    return " ".join(bracketed)


def bracket_generation(rng: random.Random, gold: list[list[str]], pool: list[list[str]]) -> str:
    """A bracketed answer for ``gold`` (a list of groups of fields), from ``pool`` for wrong ones."""
    kind = rng.choices(("exact", "shuffled", "varied", "drop", "extra", "wrong", "dup", "none", "empty",
                        "stray", "unclosed", "nested", "reorder_fields", "typed", "prose"),
                       weights=(14, 8, 12, 8, 8, 6, 4, 5, 5, 4, 4, 3, 4, 4, 6))[0]
    groups = [", ".join(g) for g in gold]
    other = [", ".join(g) for g in pool if g not in gold]
    if kind == "exact":
        return " ".join(f"[{g}]" for g in groups)
    if kind == "shuffled":
        groups = groups[:]
        rng.shuffle(groups)
        return join_groups(rng, groups)
    if kind == "varied":
        return join_groups(rng, [", ".join(vary_text(rng, f) for f in g) for g in gold])
    if kind == "drop":
        return join_groups(rng, groups[:-1])
    if kind == "extra":
        return join_groups(rng, [*groups, *rng.sample(other, min(2, len(other)))])
    if kind == "wrong":
        return join_groups(rng, rng.sample(other, min(len(groups) or 1, len(other))))
    if kind == "dup":
        return join_groups(rng, [*groups, *groups[:1]])
    if kind == "none":
        return rng.choice(("None", "There are no entities in this text.", "[]", "No relevant items found."))
    if kind == "empty":
        return rng.choice(("", " ", "\n"))
    if kind == "stray":
        text = join_groups(rng, groups)
        return "] " + text if rng.random() < 0.5 else text.replace("[", "", 1)
    if kind == "unclosed":
        text = " ".join(f"[{g}]" for g in groups)
        return text[:-1] if text and rng.random() < 0.5 else text.replace("]", "", 1)
    if kind == "nested":
        return " ".join(f"[[{g}]]" if i == 0 else f"[{g}]" for i, g in enumerate(groups)) or "[[ ]]"
    if kind == "reorder_fields":
        return join_groups(rng, [", ".join(reversed(g)) for g in gold])
    if kind == "typed":
        return join_groups(rng, [f"{g}, Entity" for g in groups])
    return wrap(rng, "The items are " + ", ".join(f"[{g}]" for g in groups))


# --- entities ---------------------------------------------------------------------------------

ANATOMY = ["heart", "liver", "left ventricle", "T cells", "bone marrow", "epithelial cells", "tumour", "lymph nodes",
           "skin", "retina", "blood vessels", "kidney", "the brain", "A549 cells", "mammary gland"]
GENES = ["IL-2", "p53", "NF-kappa B", "BRCA1", "TNF-alpha", "c-Myc", "STAT3", "VEGF", "IkappaBalpha", "CD4",
         "Bcl-2", "EGFR", "IL-2R alpha", "GATA-3", "HIV-1 Tat", "vitamin A"]
GRO = ["transcription factor", "promoter", "DNA-binding domain", "Pax6", "nucleus", "mRNA", "enhancer",
       "RNA polymerase II", "zinc finger", "TATA box"]
VARIANTS = ["c.35G>A", "V600E", "p.Arg248Gln", "rs121913529", "c.1799T>A", "delta F508", "IVS2+1G>A", "E545K",
            "c.5266dupC", "p.(Gly12Asp)"]
CG_TYPED = [("Gene_or_gene_product", "EGFR"), ("Cell", "HeLa cells"), ("Organ", "liver"), ("Cancer", "glioma"),
            ("Simple_chemical", "cisplatin"), ("Organism", "mice"), ("Cancer", "breast cancer"),
            ("Gene_or_gene_product", "p53")]
BIORED_TYPED = [("ChemicalEntity", "aspirin"), ("ChemicalEntity", "[3H]thymidine"), ("ChemicalEntity", "cisplatin"),
                ("DiseaseOrPhenotypicFeature", "breast cancer"), ("DiseaseOrPhenotypicFeature", "hypertension"),
                ("DiseaseOrPhenotypicFeature", "ataxia-telangiectasia"), ("GeneOrGeneProduct", "BRCA1"),
                ("GeneOrGeneProduct", "TP53"), ("SequenceVariant", "rs121913529"), ("SequenceVariant", "V600E")]
COREF = ["the tumour", "it", "this lesion", "the patient", "which", "the mass", "these cells", "A",
         "the protein", "its promoter"]

FILLER = ("In this study", "we observed", "together with", "and", "in", "while", "was associated with", "near")

#: entity task -> (bank, how its gold is given): "plain" {type None, text}, "pairs" [None, text],
#: "grounded" {type None, text, start, end} with the source. Untyped: these tasks declare no types,
#: and the default's entity F1 refuses typed gold against the untyped mentions their parser reads
ENTITY_SETUP: dict[str, tuple[list[Any], str]] = {
    "anem": (ANATOMY, "grounded"), "bionlp_2009": (GENES, "plain"), "bionlp_2011_ge": (GENES, "plain"),
    "bionlp_2011_id": (GENES, "plain"), "bionlp_2011_rel": (GENES, "grounded"),
    "bionlp_2013_cg": ([t for _, t in CG_TYPED], "pairs"), "bionlp_2013_ge": (GENES, "plain"),
    "bionlp_2013_gro": (GRO, "plain"), "bionlp_2013_pc": (GENES, "plain"),
    "biored": ([t for _, t in BIORED_TYPED], "plain"), "tmvar_v3": (VARIANTS, "plain"),
    "anem_coref": (COREF, "plain"), "mlee_coref": (COREF, "grounded"),
}


def entity_cases(rng: random.Random, n: int, bank: list[Any], how: str) -> list[Case]:
    cases = []
    typed_bank = [b if isinstance(b, tuple) else (None, b) for b in bank]
    for _ in range(n):
        count = rng.choices(range(6), weights=(2, 4, 4, 3, 2, 1))[0]
        mentions = [rng.choice(typed_bank) for _ in range(count)]  # repeats happen, as in text
        # the source: the mentions in order, with filler between (offsets are into it)
        source, spans = rng.choice(FILLER), []
        for kind, text in mentions:
            source += " " + rng.choice(FILLER) + " "
            spans.append((kind, text, len(source), len(source) + len(text)))
            source += text
        source += "."
        listed = list(range(count))
        rng.shuffle(listed)  # structured gold need not be in text order
        if how == "plain":
            reference: Any = [{"type": None, "text": mentions[i][1]} for i in listed]
        elif how == "pairs":
            reference = [[mentions[i][0], mentions[i][1]] for i in listed]
        else:  # offsets into the source (the default scores by text, so the text is given too)
            reference = [{"type": None, "text": spans[i][1], "start": spans[i][2], "end": spans[i][3]}
                         for i in listed]
        groups = [[mentions[i][1]] for i in listed]  # MedINST's output: "[text] [text]"
        pool = [[t] for _, t in typed_bank]
        generation = bracket_generation(rng, groups, pool)
        context = {"source": source} if how == "grounded" else {}
        cases.append(Case(generation, reference, gold_brackets(groups), context))
    return cases


# --- relations, NED pairs, events --------------------------------------------------------------

RELATION_SETUP = {
    "anem_re": (ANATOMY, ("frag", "Part-of")),
    "bc5cdr_re": (["aspirin", "cisplatin", "lithium", "haloperidol", "nephrotoxicity", "hypotension", "seizures",
                   "tardive dyskinesia"], ("CID", "Chemical-induced disease")),
    "bioinfer_re": (GENES, ("PPI", "binds", "Bind")),
}


def relation_cases(rng: random.Random, n: int, bank: list[str], relations: Sequence[str]) -> list[Case]:
    cases = []
    pool = [[h, r, t] for h in bank for r in relations for t in bank if h != t]
    for _ in range(n):
        triples = [rng.choice(pool) for _ in range(rng.choices(range(5), weights=(2, 5, 4, 2, 1))[0])]
        reference = [{"head": h, "relation": r, "tail": t} if rng.random() < 0.6 else [h, r, t]
                     for h, r, t in triples]
        cases.append(Case(bracket_generation(rng, triples, rng.sample(pool, 30)), reference, gold_brackets(triples)))
    return cases


NED_BANK = [("p53", "NCBIGene:7157"), ("BRCA1", "NCBIGene:672"), ("c.35G>A", "rs80338939"),
            ("V600E", "rs113488022"), ("p.Arg248Gln", "rs11540652"), ("delta F508", "rs113993960"),
            ("c.1799T>A", "tmVar:c|SUB|T|1799|A"), ("E545K", "rs104886003"), ("KRAS", "NCBIGene:3845"),
            ("EGFR", "NCBIGene:1956")]


def ned_cases(rng: random.Random, n: int) -> list[Case]:
    cases = []
    pool = [list(p) for p in NED_BANK]
    for _ in range(n):
        pairs = rng.sample(pool, rng.choices(range(4), weights=(1, 5, 3, 2))[0])
        reference = [{"text": t, "id": i} if rng.random() < 0.5 else [t, i] for t, i in pairs]
        cases.append(Case(bracket_generation(rng, pairs, pool), reference, gold_brackets(pairs)))
    return cases


EVENT_BANK = [
    ("expression", "Gene_expression", [("Theme", "VEGF")]),
    ("induces", "Positive_regulation", [("Theme", "angiogenesis"), ("Cause", "VEGF")]),
    ("growth", "Growth", []),
    ("inhibited", "Negative_regulation", [("Theme", "tumour growth"), ("Cause", "cisplatin")]),
    ("migration", "Cell_proliferation", [("Theme", "endothelial cells")]),
    ("phosphorylation", "Phosphorylation", [("Theme", "STAT3"), ("Site", "Tyr705")]),
    ("binding", "Binding", [("Theme", "p53"), ("Theme2", "MDM2")]),
    ("death", "Death", [("Theme", "HeLa cells")]),
]


def event_cases(rng: random.Random, n: int) -> list[Case]:
    cases = []
    pool = [[trigger, kind, *(f"{role}: {arg}" for role, arg in args)] for trigger, kind, args in EVENT_BANK]
    for _ in range(n):
        chosen = rng.sample(range(len(EVENT_BANK)), rng.choices(range(4), weights=(1, 5, 3, 2))[0])
        reference = [{"trigger": EVENT_BANK[i][0], "type": EVENT_BANK[i][1],
                      "arguments": [{"role": r, "text": a} for r, a in EVENT_BANK[i][2]]} for i in chosen]
        groups = [pool[i] for i in chosen]
        generation = bracket_generation(rng, groups, pool)
        if groups and rng.random() < 0.1:  # an event without its last argument
            generation = gold_brackets([g[:-1] if len(g) > 2 else g for g in groups])
        cases.append(Case(generation, reference, gold_brackets(groups)))
    return cases


# --- BIO tags -----------------------------------------------------------------------------------

SENTENCES = [
    (["Familial", "breast", "cancer", "and", "ovarian", "cancer", "are", "linked", "."],
     ["O", "B", "I", "O", "B", "I", "O", "O", "O"]),
    (["Ataxia", "-", "telangiectasia", "is", "a", "recessive", "disorder", "."],
     ["B", "I", "I", "O", "O", "O", "O", "O"]),
    (["Cisplatin", "induced", "nephrotoxicity", "in", "rats", "."], ["B", "O", "B", "O", "O", "O"]),
    (["No", "disease", "was", "reported", "."], ["O", "O", "O", "O", "O"]),
    (["Haloperidol", "caused", "tardive", "dyskinesia", "and", "hypotension", "."],
     ["B", "O", "B", "I", "O", "B", "O"]),
    (["Patients", "with", "DMD", "(", "Duchenne", "muscular", "dystrophy", ")", "were", "studied", "."],
     ["O", "O", "B", "O", "B", "I", "I", "O", "O", "O", "O"]),
]


def bio_cases(rng: random.Random, n: int, entity_type: str) -> list[Case]:
    cases = []
    for _ in range(n):
        tokens, tags = rng.choice(SENTENCES)
        tokens, tags = list(tokens), list(tags)
        style = rng.random()
        reference = [t if t == "O" or style < 0.5 else f"{t}-{entity_type}" for t in tags]  # BigBio's typed tags
        gold = " ".join(f"{w} [{t}]" for w, t in zip(tokens, tags))
        kind = rng.choices(("exact", "drop_word", "add_word", "wrong_tag", "lower", "typed", "tags_only", "prose",
                            "empty", "all_o", "cut"), weights=(14, 8, 6, 10, 4, 5, 4, 6, 3, 4, 4))[0]
        words, predicted = tokens[:], tags[:]
        if kind == "drop_word":
            i = rng.randrange(len(words))
            del words[i], predicted[i]
        elif kind == "add_word":
            i = rng.randrange(len(words))
            words.insert(i, "the")
            predicted.insert(i, "O")
        elif kind == "wrong_tag":
            i = rng.randrange(len(words))
            predicted[i] = rng.choice([t for t in "BIO" if t != predicted[i]])
        elif kind == "all_o":
            predicted = ["O"] * len(words)
        elif kind == "cut":
            words, predicted = words[:len(words) // 2], predicted[:len(words) // 2]
        if kind == "lower":
            generation = " ".join(f"{w} [{t.lower()}]" for w, t in zip(words, predicted))
        elif kind == "typed":
            generation = " ".join(f"{w} [{t if t == 'O' else t + '-' + entity_type}]" for w, t in zip(words, predicted))
        elif kind == "tags_only":
            generation = " ".join(f"[{t}]" for t in predicted)
        elif kind == "empty":
            generation = ""
        else:
            generation = " ".join(f"{w} [{t}]" for w, t in zip(words, predicted))
        if kind == "prose":
            generation = "Here is the tagged sentence:\n" + generation + "\nAll disease mentions are tagged."
        cases.append(Case(generation, reference, gold, {"tokens": tokens}))
    return cases


# --- labels, answers, lists, scores ----------------------------------------------------------------

LABEL_SETUP = {
    "medinst_bioasq_yesno": (("yes", "no"), (0.6, 0.4)),
    "medinst_pubmedqa": (("yes", "no", "maybe"), (0.55, 0.33, 0.12)),
    "scifact": (("Supports", "Refutes", "Neutral"), (0.4, 0.3, 0.3)),
    "mancon": (("Supports", "Refutes", "Neutral"), (0.2, 0.2, 0.6)),
    "covert": (("Supports", "Refutes", "Neutral"), (0.5, 0.3, 0.2)),
    "meddialog": (("patient", "doctor"), (0.5, 0.5)),
}
MISSES = {"yes": ("Yes, it does.", "Correct", "yes because the study shows it"),
          "no": ("No, it does not.", "Not at all", "It is not supported"),
          "maybe": ("It is unclear", "maybe/possibly", "Possibly"),
          "Supports": ("Supported", "The claim is supported.", "SUPPORT"),
          "Refutes": ("Refuted", "The evidence refutes the claim", "contradicts"),
          "Neutral": ("Not enough information", "NEI", "neutral/unknown"),
          "patient": ("The patient says this.", "Patient:", "a patient"),
          "doctor": ("The doctor", "Doctor:", "physician")}


def label_cases(rng: random.Random, n: int, labels: Sequence[str], weights: Sequence[float]) -> list[Case]:
    cases = []
    for _ in range(n):
        gold = rng.choices(labels, weights=weights)[0]
        kind = rng.choices(("exact", "case", "punct", "other", "miss", "empty", "outside", "article"),
                           weights=(30, 12, 10, 18, 12, 4, 6, 4))[0]
        if kind == "exact":
            generation = gold
        elif kind == "case":
            generation = rng.choice((gold.upper(), gold.capitalize(), gold.lower()))
        elif kind == "punct":
            generation = rng.choice((f"{gold}.", f'"{gold}"', f"{gold}!", f" {gold} \n", f"({gold})",
                                     f"\u201c{gold}\u201d", f"{gold}\u3002", f"{gold}\n\nBecause the text says so."))
        elif kind == "other":
            generation = rng.choice([x for x in labels if x != gold])
        elif kind == "miss":
            generation = rng.choice(MISSES[gold])
        elif kind == "empty":
            generation = ""
        elif kind == "outside":
            generation = rng.choice(("unknown", "I cannot answer.", "N/A", "both"))
        else:
            generation = f"The {gold}"
        cases.append(Case(generation, gold, gold))
    return cases


MEDQA_BANK = [
    ["Rash", "Fever", "Cough", "Chest pain", "Headache"],
    ["Metformin", "Insulin glargine", "Glipizide", "Sitagliptin"],
    ["Acute myocardial infarction", "Pulmonary embolism", "Aortic dissection", "Pericarditis", "GERD"],
    ["Increased serum calcium", "Decreased serum potassium", "A low TSH", "Elevated ALT"],
    ["Vitamin B12 deficiency", "Folate deficiency", "Iron deficiency anemia", "Anemia of chronic disease"],
    ["Reassurance", "CT of the head", "Lumbar puncture", "MRI of the brain", "Start IV acyclovir"],
]


def medqa_cases(rng: random.Random, n: int) -> list[Case]:
    cases = []
    for _ in range(n):
        options = rng.choice(MEDQA_BANK)
        index = rng.randrange(len(options))
        letter, text = "ABCDE"[index], options[index]
        reference = rng.choice((letter, letter, letter, f"({letter})", letter.lower()))
        other = rng.choice([o for o in options if o != text])
        kind = rng.choices(("text", "case", "article", "letter", "letter_text", "sentence", "other", "empty",
                            "explained"), weights=(25, 12, 4, 12, 12, 10, 15, 4, 6))[0]
        generation = {
            "text": text, "case": rng.choice((text.lower() + ".", text.upper(), f"{text}!")),
            "article": f"The {text.lower()}", "letter": rng.choice((letter, f"({letter})", f"{letter}.")),
            "letter_text": rng.choice((f"{letter}. {text}", f"({letter}) {text}", f"{letter}: {text}")),
            "sentence": f"The answer is {text}.", "other": other, "empty": "",
            "explained": f"{text}\n\nExplanation: the findings point to {text.lower()}.",
        }[kind]
        cases.append(Case(generation, reference, text, {"options": options}))
    return cases


MEDAL_BANK = ["myocardial infarction", "mitral insufficiency", "non-small cell lung cancer", "interleukin-2",
              "T-cell receptor", "chronic obstructive pulmonary disease", "magnetic resonance imaging",
              "polymerase chain reaction", "multiple sclerosis", "the nervous system"]


def medal_cases(rng: random.Random, n: int) -> list[Case]:
    cases = []
    for _ in range(n):
        gold = rng.choice(MEDAL_BANK)
        kind = rng.choices(("exact", "varied", "prose", "other", "abbrev", "empty"), weights=(30, 30, 12, 15, 8, 5))[0]
        generation = {"exact": gold, "varied": vary_text(rng, gold), "prose": f"It stands for {gold}.",
                      "other": rng.choice([m for m in MEDAL_BANK if m != gold]),
                      "abbrev": "".join(w[0] for w in gold.split()).upper(), "empty": ""}[kind]
        cases.append(Case(generation, gold, gold))
    return cases


HALLMARKS = ("sustaining proliferative signaling", "evading growth suppressors", "resisting cell death",
             "enabling replicative immortality", "inducing angiogenesis", "activating invasion and metastasis",
             "genomic instability and mutation", "tumor promoting inflammation", "cellular energetics",
             "avoiding immune destruction")


def hoc_cases(rng: random.Random, n: int) -> list[Case]:
    cases = []
    for _ in range(n):
        chosen = rng.sample(range(10), rng.choices(range(4), weights=(3, 5, 3, 1))[0])
        texts = [HALLMARKS[i] for i in chosen]
        form = rng.random()  # the run's gold: option letters, hallmark texts, or both
        reference = [chr(ord("A") + i) if form < 0.5 or (form < 0.7 and j % 2) else HALLMARKS[i]
                     for j, i in enumerate(chosen)]
        kind = rng.choices(("exact", "shuffled", "case", "drop", "extra", "letters", "semicolon", "period", "none",
                            "empty"), weights=(20, 10, 8, 10, 10, 6, 6, 6, 6, 4))[0]
        answer = texts[:]
        if kind == "shuffled":
            rng.shuffle(answer)
        elif kind == "case":
            answer = [t.title() for t in answer]
        elif kind == "drop":
            answer = answer[:-1]
        elif kind == "extra":
            answer = [*answer, rng.choice([h for h in HALLMARKS if h not in texts])]
        elif kind == "letters":
            answer = [f"({chr(ord('A') + HALLMARKS.index(t))}) {t}" for t in answer]
        generation = "; ".join(answer) if kind == "semicolon" else ", ".join(answer)
        if kind == "period":
            generation += "."
        elif kind == "none":
            generation = rng.choice(("None", "None of the hallmarks.", "No hallmark"))
        elif kind == "empty":
            generation = ""
        cases.append(Case(generation, reference, ", ".join(texts)))
    return cases


def biosses_cases(rng: random.Random, n: int) -> list[Case]:
    cases = []
    for _ in range(n):
        score = rng.randrange(0, 21) / 5  # the mean of five annotators' 0-4 scores: a multiple of 0.2
        integer = math.floor(score + 0.5)  # MedINST32's gold: the nearest integer (no .5 ties here)
        form = rng.random()
        reference: Any = score if form < 0.6 else integer if form < 0.8 else f"{score:.1f}"
        near = min(4, max(0, integer + rng.choice((-1, 0, 0, 1))))
        kind = rng.choices(("int", "sentence", "decimal_one", "decimal_two", "float_exact", "out_of_range", "two",
                            "words", "empty", "leading_zero"), weights=(30, 15, 6, 8, 6, 4, 8, 4, 4, 3))[0]
        generation = {
            "int": str(near), "sentence": f"The similarity score is {near}.",
            "decimal_one": f"{near}.{near}", "decimal_two": f"{near}.5", "float_exact": f"{score:.1f}",
            "out_of_range": rng.choice(("6", "10", "7/10")), "two": f"{near} out of {rng.choice((4, 5))}",
            "words": rng.choice(("three", "moderately similar")), "empty": "",
            "leading_zero": rng.choice((f"0{near}", chr(0xFF10 + near), f"{near} ({near})")),
        }[kind]
        cases.append(Case(generation, reference, str(integer)))
    return cases


SUMMARY_SENTENCES = [
    "Prior work studied graph neural networks for citation recommendation.",
    "Several methods summarize multiple scientific documents with transformers.",
    "Earlier approaches relied on extractive sentence ranking.",
    "Recent models generate related work sections from cited abstracts.",
    "Datasets such as Multi-XScience pair a paper with the papers it cites.",
    "Evaluation is usually done with ROUGE against the original section.",
]
PARAMED = [
    ("Patients with hypertension should reduce salt intake.", "高血压患者应减少盐的摄入。"),
    ("The drug was well tolerated in elderly patients.", "该药在老年患者中耐受性良好。"),
    ("Chest CT showed bilateral ground-glass opacities.", "胸部CT显示双侧磨玻璃影。"),
    ("Early diagnosis improves the prognosis of gastric cancer.", "早期诊断可改善胃癌的预后。"),
]


def summary_cases(rng: random.Random, n: int) -> list[Case]:
    cases = []
    for _ in range(n):
        gold = " ".join(rng.sample(SUMMARY_SENTENCES, 3))
        kind = rng.randrange(4)
        generation = [gold, " ".join(rng.sample(SUMMARY_SENTENCES, 2)), gold.lower()[: len(gold) // 2], ""][kind]
        cases.append(Case(generation, gold, gold))
    return cases


def paramed_cases(rng: random.Random, n: int) -> list[Case]:
    cases = []
    for _ in range(n):
        english, chinese = rng.choice(PARAMED)
        to_english = rng.random() < 0.7
        gold = english if to_english else chinese
        generation = rng.choice((gold, gold[: len(gold) // 2], (chinese if to_english else english), ""))
        cases.append(Case(generation, gold, gold))
    return cases


def make_cases(items: int, seed: int) -> dict[str, list[Case]]:
    rng = random.Random(seed)
    makers: dict[str, Callable[[], list[Case]]] = {
        **{task: (lambda s=setup: label_cases(rng, items, *s)) for task, setup in LABEL_SETUP.items()},
        "medqa": lambda: medqa_cases(rng, items),
        "medal": lambda: medal_cases(rng, items),
        "medinst_hoc": lambda: hoc_cases(rng, items),
        "medinst_biosses": lambda: biosses_cases(rng, items),
        "medinst_ncbi_disease": lambda: bio_cases(rng, items, "Disease"),
        "medinst_bc5cdr": lambda: bio_cases(rng, items, "Chemical"),
        **{task: (lambda s=setup: entity_cases(rng, items, *s)) for task, setup in ENTITY_SETUP.items()},
        **{task: (lambda s=setup: relation_cases(rng, items, *s)) for task, setup in RELATION_SETUP.items()},
        "tmvar_v3_ned": lambda: ned_cases(rng, items),
        "mlee_ee": lambda: event_cases(rng, items),
        "multi_xscience": lambda: summary_cases(rng, items),
        "paramed": lambda: paramed_cases(rng, items),
    }
    assert set(makers) == set(TESTS), set(TESTS) ^ set(makers)
    return {task: makers[task]() for task in TESTS}


# --- why the default differs --------------------------------------------------------------------

#: why the default differs, per task: "default vs evaluator [the profile's bug keys]"
_BRACKETS = (" vs per-document multiset F1 of normalized [...] strings "
             "[squad-normalized, outer-brackets, empty-scores-0]")
EXPLAIN = {
    **{task: "label read from prose, macro over the task's labels vs the whole answer equal to the gold, macro over "
             "gold labels [squad-normalized, gold-only-macro]" for task in LABEL_SETUP},
    **{task: "corpus micro F1 of the parsed mentions" + _BRACKETS for task in ENTITY_SETUP},
    **{task: "corpus micro F1 of (head, relation, tail) sets" + _BRACKETS for task in RELATION_SETUP},
    "tmvar_v3_ned": "corpus micro F1 of (mention, id) sets" + _BRACKETS,
    "mlee_ee": "micro F1 of triggers and of arguments (partial credit)" + _BRACKETS,
    "medqa": "accuracy of the parsed letter vs exact match with the option text: a letter is wrong, 'The fever' "
             "right [squad-normalized]",
    "medal": "the same definition, SQuAD-normalized exact match [squad-normalized]",
    "medinst_hoc": "sample F1 of the parsed hallmarks, empty vs empty 0, vs the raw ', ' split, empty vs empty 1 "
                   "[comma-split-labels]",
    "medinst_biosses": "definition: Pearson's r on the real-valued gold vs MSE on the integer gold [mse-penalty]",
    "multi_xscience": "the same definition: ROUGE-L F with the Porter stemmer, per item, averaged [untyped-test]",
    "paramed": "the default's headline is BLEU; its ROUGE-L reads Chinese (unicode tokenizer), the evaluator's "
               "scores it 0 [untyped-test]",
    **{task: "seqeval entity F1 of the aligned tags vs macro F1 of the [B]/[I]/[O] tags by position [tags-only]; "
             "typed gold tags (B-Disease, half the items) compared by span (spans_only)"
       for task in ("medinst_ncbi_disease", "medinst_bc5cdr")},
}


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0],
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--evaluators", required=True, type=Path,
                        help="folder holding the released evaluation.py (a checkout of aialt/MedINST)")
    parser.add_argument("--items", type=int, default=80, help="generated items per test (default 80)")
    parser.add_argument("--seed", type=int, default=12)
    parser.add_argument("--python", type=Path, default=DEFAULT_PYTHON if DEFAULT_PYTHON.exists() else
                        Path(sys.executable), help="interpreter with the evaluator's packages")
    parser.add_argument("--keep", type=Path, help="write the run and the evaluator's input here and keep them")
    args = parser.parse_args(argv)
    if not (args.evaluators / "evaluation.py").is_file():
        parser.error(f"no evaluation.py in {args.evaluators}")

    cases = make_cases(args.items, args.seed)
    with tempfile.TemporaryDirectory(prefix="sbs-medinst-") as tmp:
        workdir = args.keep or Path(tmp)
        workdir.mkdir(parents=True, exist_ok=True)
        run = write_run(workdir / "run", cases)
        ours = score_suite(run, SUITE, PROFILE)  # each record's own context object gives its context
        evaluated = run_evaluator(args.evaluators.resolve(), args.python, cases, workdir)

    theirs: dict[str, float | None] = {}
    for task in TESTS:
        result = evaluated[TESTS[task]]
        # a test in no type list prints 'rouge' and 'f1': its compat value is the 'rouge'
        theirs[task] = result["metrics"]["rouge" if task in NO_COMPAT else HEADLINE[result["types"][0]]]
    sizes = {task: len(items) for task, items in cases.items()}
    ok = report("MedINST32 (aialt/MedINST evaluation.py @dc13b2b)", ours, theirs,
                {t: sizes[t] for t in theirs}, EXPLAIN)
    print("\nTests in no evaluation type list (compat compares the 'rouge' they print; 'f1' is SQuAD word F1):")
    for task in NO_COMPAT:
        metrics, mine = evaluated[TESTS[task]]["metrics"], ours.get(task, {})
        default = mine.get("default")
        print(f"  {task:<15} items {sizes[task]:<4} evaluator rouge {metrics['rouge']:.6f} f1 {metrics['f1']:.6f}"
              f"   default {mine.get('headline')} {'-' if default is None else f'{default:.6f}'}")
    failed = [task for task in theirs if ours.get(task, {}).get("compat") is None]
    if failed:
        print(f"no compat value for: {', '.join(failed)}")
    print(f"exit {'0' if ok else '1'}: compat {'equals' if ok else 'does NOT equal'} the evaluator on every test "
          f"(tolerance {TOLERANCE:g})")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
