"""MedS-Bench's released evaluator (MAGIC-AI4Med/MedS-Ins ``Metrics/`` @185cfc0).

Reproduced, bugs included (notes/seed-evaluators.md section 3):

- Reading: every script reads the CSV with ``pandas.read_csv``, so an output (or gold) cell that
  is exactly one of pandas' NA strings (``PANDAS_NA``: "", "None", "NA", "N/A", "#N/A", "null",
  "nan", ...) is NaN, and a missing generation is an empty cell. Each script treats NaN its own
  way (``NAN_HANDLING``): ``str()`` reads it as the text "nan" (MCQA, NLI, IE, clinical outcome,
  HoC; so a PubMedQA "nan" reads as "no"), NER and concept explanation skip the row (the gold never
  counts), and fact verification, diagnosis, treatment, summarization and rationale crash
  (``AttributeError`` / ``TypeError``). A crash is reproduced as what the script gives, no number:
  the compat value is NaN and the result's note says which script crashed on which item
  (``EvaluatorCrash``). So are the scripts' other crashes: MCQA's ``pred[0]`` on an answer empty
  after its clean-up, and pltrdy's "Hypothesis is empty" on a text of periods and spaces.
- Reading, booleans: pandas reads a whole column as booleans when every cell of it that is not
  NaN is "true" or "false" in any case (``bool_column``; a model answering only "True" / "false"
  to a fact-verification task does that). ``str()`` gives "True" / "False" back, so the scripts
  that lowercase ``str(cell)`` are unaffected; the others crash on such a column as they do on
  NaN (fact verification, diagnosis, treatment, summarization, rationale), or skip every row
  (concept explanation; NER for the output column). The task's items are read as one CSV.
- A script that counts no row at all (concept explanation, rationale: every row skipped; NER)
  prints 0, not "no number": so does compat.
- MCQA (``MCQA.py``, with its missing import fixed): lowercase, drop "the right answer is",
  strip, then compare **first characters** only, when both are in ``abcd`` (``yn`` for PubMedQA,
  task123); anything else is wrong. So "Answer: B" reads as A, option E and the gold "maybe"
  can never be right.
- NLI (task41): ``gt.replace('.', '').strip().lower() in output.lower()``.
- Fact verification: the lowercased gold with '.' removed from the gold only, found in the
  first line of the lowercased output.
- Diagnosis and treatment planning (task131): the gold with '.' and "The diagnosis result is" /
  "The treatment planning is:" removed, stripped and lowercased, found in the lowercased output.
- Information extraction (task1, 2, 3, 29, 74): both lowercased and stripped, quotes and newlines
  removed; the gold found in the output.
- Clinical outcome (``ClinicalOutcomePrediction.py``): the gold, lowercased and stripped of white
  space only, must be exactly ``true`` or ``false`` ("true\n" is; "True." is not, and such an item
  can never be right); then 'true' in the output and 'false' not (or the reverse).
- HoC (task106): a hallmark is predicted when its lowercase name occurs anywhere (negations
  count); scikit-learn macro F1 over the ten hallmarks, zero_division 0.
- NER (task125-128): gold and prediction lowercased, '.' removed, the sentinel "there is no
  related enetity" (sic) is the empty set, else ``text[:-1].split(", ")``, which **cuts the
  last character of the last entity**; sets, micro P/R/F1 over the corpus. Structured gold (a
  mention list) is written first as the released gold, ``e1, e2.`` or the no-entity sentence
  (``medmetrics.metrics.compat.gold``, ``entity_list``), so the cut falls where it falls on that gold.
- Generation (summarization, concept explanation, rationale; ``utils.cal_similarity``): "ROUGE"
  is pltrdy's ROUGE-L F (``meds_bench_rouge``, the compat value) and "BLEU" nltk's BLEU-1
  (``meds_bench_bleu``, the component ``bleu_1``), both item means. The tokenizer is chosen by
  task id, as the scripts do: English (nltk's ``word_tokenize``, English Punkt) for every
  summary and explanation, whatever its script; for the rationale, task51 zh (jieba), task54 ja
  (janome), task52/53/55/56 en/fr/ru/es (``word_tokenize``, English Punkt too), read from the
  item's ``task_id`` (or ``language``) context. Only a rationale item without either falls back
  to its reference's script (kana: ja, other ideographs: zh, else en).
"""

from __future__ import annotations

import math
import re
from collections.abc import Mapping, Sequence
from typing import Any, ClassVar

import numpy as np

from medmetrics.catalog.classification import HALLMARKS_OF_CANCER
from medmetrics.catalog.task import Task
from medmetrics.inputs.run import TaskRun
from medmetrics.metrics.base import Metric, Table, ratio
from medmetrics.metrics.compat import Method, Profile, generations, option_texts
from medmetrics.metrics.compat.base import CompatMetric, EvaluatorCrash, ItemMean, KeyedCounts, MacroF1

PROFILE = "meds_bench"

#: ``pandas.read_csv``'s default NA strings (pandas' ``STR_NA_VALUES``, 2.x and 3.x): a CSV cell that
#: is exactly one of them (no stripping; quoted or not) is read as NaN.
PANDAS_NA = frozenset({"", "#N/A", "#N/A N/A", "#NA", "-1.#IND", "-1.#QNAN", "-NaN", "-nan", "1.#IND", "1.#QNAN",
                       "<NA>", "N/A", "NA", "NULL", "NaN", "None", "n/a", "nan", "null"})
#: What each script does with a NaN output (or gold) cell.
NAN_HANDLING = {
    "MCQA.py": "text 'nan'", "NatureLanguageInference.py": "text 'nan'", "InformationExtraction.py": "text 'nan'",
    "ClinicalOutcomePrediction.py": "text 'nan'", "TextClassification.py": "text 'nan'",
    "NamedEntityRecognition.py": "row skipped (a NaN gold with a text output crashes)",
    "ConceptExplanation.py": "row skipped", "FactVerification.py": "crash", "Diagnosis.py": "crash",
    "TreatmentPlanning.py": "crash", "TextSummarization.py": "crash", "Rationale.py": "crash",
}


def cell(value: Any) -> str | None:
    """A generation or gold as the scripts get it from ``pandas.read_csv``: ``None`` for NaN
    (a missing value, a float NaN, or one of pandas' NA strings), else the text."""
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return None
    text = str(value)
    return None if text in PANDAS_NA else text


def as_text(value: Any) -> str:
    """``str(cell)``: NaN becomes the text "nan", as ``str(sample['output'])`` does."""
    text = cell(value)
    return "nan" if text is None else text


def crash(script: str, index: int, value: Any, error: str, reading: str | None = None) -> EvaluatorCrash:
    reading = reading or ("NaN" if cell(value) is None else "text")
    return EvaluatorCrash(f"Metrics/{script} raises {error} on item {index} ({value!r:.60} is read by pandas as "
                          f"{reading}), so it prints no number")


def bool_column(values: Sequence[Any]) -> bool:
    """Whether ``pandas.read_csv`` reads the column of these cells as booleans: every cell that is
    not NaN is "true" or "false", in any case and nothing around it ("True", "FALSE", "tRuE"), and
    there is at least one. ``str()`` of such a cell is "True" / "False"; its string methods raise."""
    texts = [text for text in (cell(value) for value in values) if text is not None]
    return bool(texts) and all(text.lower() in ("true", "false") for text in texts)


def bool_crash(script: str, values: Sequence[Any], error: str = "AttributeError") -> EvaluatorCrash:
    """The crash of a script that calls a string method on a cell of a boolean column (its first row)."""
    return crash(script, 0, values[0], error, "a boolean: pandas reads the whole column as booleans")


class ScriptItemMean(ItemMean):
    """An item mean over the rows a script counts: ``row_score`` is ``None`` for a row the script
    skips, and the script's ``AttributeError`` / ``TypeError`` / ``IndexError`` on a row becomes
    ``EvaluatorCrash``. Unanswered generations (``None``) are empty CSV cells, so NaN, like every
    pandas NA string."""

    script: ClassVar[str] = ""

    def row_score(self, prediction: Any, reference: Any) -> float | None:
        """The script's score of one row, ``None`` when it skips the row (``item_score`` by default)."""
        return self.item_score(prediction, reference)

    def item_stats(self, predictions: Sequence[Any], references: Sequence[Any]) -> tuple[Sequence[str], np.ndarray]:
        if NAN_HANDLING.get(self.script) == "crash":  # a cell of a boolean column has no string methods either
            for values in (references, predictions):
                if bool_column(values):
                    raise bool_crash(self.script, values)
        rows = np.zeros((len(references), 2))
        for i, (prediction, reference) in enumerate(zip(predictions, references)):
            try:
                score = self.row_score(prediction, reference)
            except (AttributeError, TypeError, IndexError) as error:
                raise crash(self.script, i, prediction if cell(reference) is not None else reference,
                            type(error).__name__) from None
            if score is not None:
                rows[i] = float(score), 1.0
        return ("score", "counted"), rows

    def from_totals(self, totals: Table, present: Table) -> dict[str, np.ndarray]:
        return {"score": ratio(totals["score"], totals["counted"], float("nan"))}


def _nan(value: Any) -> Any:
    """The cell as the script's variable holds it: the text, or a float NaN (whose string methods raise)."""
    text = cell(value)
    return math.nan if text is None else text


class FirstCharacter(ScriptItemMean):
    """``MCQA.py``: the first character of answer and gold, when both are allowed letters."""

    name = "meds_bench_mcqa"
    profile = PROFILE
    script = "MCQA.py"
    defaults: ClassVar[Mapping[str, Any]] = {"letters": "abcd"}

    def item_score(self, prediction: Any, reference: Any) -> float:
        predicted = as_text(prediction).lower().replace("the right answer is", "").strip()
        gold = as_text(reference).lower().replace("the right answer is", "").strip()
        letters = self.options["letters"]
        if predicted[0] in letters and gold[0] in letters:  # IndexError on an empty answer, as the script
            return float(predicted[0] == gold[0])
        return 0.0


class GoldInOutput(ScriptItemMean):
    """NLI, fact verification, diagnosis, treatment: the gold, without periods (and ``gold_phrase``)
    and lowercased, is a substring of the lowercased output (its first line with ``first_line``);
    an empty gold is found in any output. ``script`` names the script, whose NaN reading differs:
    ``str()`` in NatureLanguageInference.py, a crash in the others."""

    name = "meds_bench_substring"
    profile = PROFILE
    defaults: ClassVar[Mapping[str, Any]] = {"first_line": False, "gold_phrase": "",
                                             "script": "NatureLanguageInference.py"}

    def configure(self) -> None:
        self.script = self.options["script"]  # type: ignore[misc]

    def item_score(self, prediction: Any, reference: Any) -> float:
        read = as_text if NAN_HANDLING[self.script] == "text 'nan'" else _nan
        output = read(prediction).lower()
        if self.options["first_line"]:
            output = output.split("\n")[0]
        gold = read(reference).replace(".", "").replace(self.options["gold_phrase"], "")
        return float(gold.strip().lower() in output)


class QuotesRemovedInOutput(ScriptItemMean):
    """``InformationExtraction.py``: both sides lowercased, stripped, quotes and newlines removed; substring."""

    name = "meds_bench_ie_substring"
    profile = PROFILE
    script = "InformationExtraction.py"

    def item_score(self, prediction: Any, reference: Any) -> float:
        output, gold = (re.sub("[\"'\n]", "", as_text(text).lower().strip()) for text in (prediction, reference))
        return float(gold in output)


class TrueFalse(ScriptItemMean):
    """``ClinicalOutcomePrediction.py``: the gold, lowercased and stripped, must be exactly 'true' or
    'false' ("True." never scores); then 'true' without 'false' reads true, 'false' without 'true' false."""

    name = "meds_bench_true_false"
    profile = PROFILE
    script = "ClinicalOutcomePrediction.py"

    def item_score(self, prediction: Any, reference: Any) -> float:
        output, gold = as_text(prediction).lower().strip(), as_text(reference).lower().strip()
        if gold == "true":
            return float("true" in output and "false" not in output)
        if gold == "false":
            return float("false" in output and "true" not in output)
        return 0.0


class HallmarkMacroF1(MacroF1):
    """``TextClassification.py``: substring presence of each hallmark; macro over all ten. A NaN
    cell is the text "nan" (``str()``), which names no hallmark."""

    name = "meds_bench_hoc"
    profile = PROFILE

    def pair(self, prediction: Any, reference: Any) -> tuple[set[str], set[str]]:
        gold = set(option_texts(reference, HALLMARKS_OF_CANCER)) if isinstance(reference, (list, tuple)) else \
            {h for h in HALLMARKS_OF_CANCER if h in as_text(reference).lower()}
        return {g.lower() for g in gold}, {h for h in HALLMARKS_OF_CANCER if h in as_text(prediction).lower()}

    def labels(self, gold: set[str], predicted: set[str]) -> list[str]:
        return list(HALLMARKS_OF_CANCER)


def ner_entities(text: str) -> set[str]:
    """``NamedEntityRecognition.py``'s reading, last-character cut included."""
    text = text.replace(".", "").strip().lower()
    return set() if text == "there is no related enetity" else set(text[:-1].split(", "))


class NerMicroF1(KeyedCounts):
    """NER: entity sets per item, micro over the corpus. A row whose output is not text (NaN, or a
    boolean column) is skipped (its gold entities never count); a NaN (or boolean) gold beside a
    text output crashes the script. Nothing counted is F1 0, as the script prints."""

    name = "meds_bench_ner"
    profile = PROFILE

    def item_stats(self, predictions: Sequence[Any], references: Sequence[Any]) -> tuple[Sequence[str], np.ndarray]:
        if bool_column(predictions):  # ``if not isinstance(item['output'], str): continue``, every row
            predictions = [None] * len(predictions)
        gold_bool = bool_column(references)
        for i, (prediction, reference) in enumerate(zip(predictions, references)):
            if cell(prediction) is not None and (gold_bool or cell(reference) is None):
                raise crash("NamedEntityRecognition.py", i, reference, "AttributeError",
                            "a boolean: pandas reads the whole column as booleans" if gold_bool else None)
        return super().item_stats(predictions, references)

    def item_counts(self, prediction: Any, reference: Any) -> Mapping[str, tuple[int, int, int]]:
        if cell(prediction) is None:  # ``if not isinstance(item['output'], str): continue``
            return {}
        gold, predicted = ner_entities(str(reference)), ner_entities(str(prediction))
        return {"entity": (len(gold), len(predicted), len(gold & predicted))}


_KANA = re.compile(r"[\u3040-\u30ff]")
_IDEOGRAPH = re.compile(r"[\u4e00-\u9fff]")
#: ``Rationale.py``'s TASKID2LANG, as medmetrics language codes (a task id it does not list is English).
RATIONALE_LANGUAGES = {"task51": "zh", "task52": "en", "task53": "fr", "task54": "ja", "task55": "ru", "task56": "es"}
SIMILARITY_SCRIPTS = ("TextSummarization.py", "ConceptExplanation.py", "Rationale.py")


def text_language(text: str) -> str:
    """A guess of the tokenizer from the text's script: ``ja``, ``zh`` or ``en`` (used only for a
    rationale item whose task id and language the run does not give)."""
    return "ja" if _KANA.search(text) else "zh" if _IDEOGRAPH.search(text) else "en"


def _pltrdy_empty(text: str) -> bool:
    """pltrdy's ``get_scores`` raises "Hypothesis is empty." when no piece between periods is left."""
    return not any(text.split("."))


class Similarity(CompatMetric):
    """``cal_similarity``: pltrdy ROUGE-L F and nltk BLEU-1 per item, averaged over the rows the
    script counts. The tokenizer is ``language`` (the scripts' choice by task id); a reference
    given as ``(language, text)`` carries its own (the rationale's per-item task id). ``script``
    decides NaN cells and empty texts: ``TextSummarization.py`` crashes on NaN,
    ``ConceptExplanation.py`` skips a NaN row, ``Rationale.py`` crashes on NaN (``.strip()`` comes
    before its check), strips both texts and skips a row left empty; all three crash where pltrdy
    raises on a text of periods only. A boolean column (``bool_column``) is read as the scripts read
    NaN: a crash (TypeError in ``word_tokenize``; AttributeError on ``.strip()``), or every row
    skipped in ``ConceptExplanation.py``. No row counted is 0, as the scripts print."""

    name = "meds_bench_similarity"
    profile = PROFILE
    primary = "rouge_l_f"
    defaults: ClassVar[Mapping[str, Any]] = {"language": "en", "script": "TextSummarization.py"}
    _parts: ClassVar[Mapping[str, tuple[str, str]]] = {"rouge_l_f": ("meds_bench_rouge", "rouge_l_f"),
                                                       "bleu_1": ("meds_bench_bleu", "bleu_1_item")}

    def configure(self) -> None:
        self.check_choice("script", SIMILARITY_SCRIPTS)

    def _row(self, i: int, prediction: Any, reference: Any) -> tuple[str, str, str] | None:
        """(language, output, gold) as the script scores them, ``None`` for a skipped row."""
        language, gold = reference if isinstance(reference, tuple) else (self.options["language"], reference)
        script = self.options["script"]
        output_cell, gold_cell = cell(prediction), cell(gold)
        if output_cell is None or gold_cell is None:
            if script == "ConceptExplanation.py":
                return None
            error = "AttributeError" if script == "Rationale.py" else "TypeError"
            raise crash(script, i, prediction if output_cell is None else gold, error)
        if script == "Rationale.py":
            output_cell, gold_cell = output_cell.strip(), gold_cell.strip()
            if not output_cell or not gold_cell:
                return None
        return language, output_cell, gold_cell

    def item_stats(self, predictions: Sequence[Any], references: Sequence[Any]) -> tuple[Sequence[str], np.ndarray]:
        from medmetrics.metrics.generation.tokenize import canonical_language, meds_bench_tokenizer
        from medmetrics.plugins import get_metric

        columns = (*self._parts, "counted")
        rows = np.zeros((len(references), len(columns)))
        golds = [r[1] if isinstance(r, tuple) else r for r in references]
        boolean = next((values for values in (predictions, golds) if bool_column(values)), None)
        if boolean is not None:
            script = self.options["script"]
            if script == "ConceptExplanation.py":  # ``not isinstance(response, str)``: every row skipped
                return columns, rows
            raise bool_crash(script, boolean, "TypeError" if script == "TextSummarization.py" else "AttributeError")
        items = {i: row for i, (p, r) in enumerate(zip(predictions, references))
                 if (row := self._row(i, p, r)) is not None}
        languages = {i: canonical_language(self.name, language) for i, (language, _, _) in items.items()}
        for language in sorted(set(languages.values())):
            where = [i for i in items if languages[i] == language]
            segment = meds_bench_tokenizer(language) if language in ("zh", "ja") else None
            for i in where:
                for text in items[i][1:]:
                    if _pltrdy_empty(" ".join(segment(text)) if segment else text):
                        raise crash(self.options["script"], i, text, "ValueError (pltrdy: empty text)")
            for j, (metric, column) in enumerate(self._parts.values()):
                built: Metric = get_metric(metric, language=language)
                names, stats = built.item_stats([items[i][1] for i in where], [items[i][2] for i in where])
                rows[where, j] = stats[:, list(names).index(column)]
            rows[where, -1] = 1.0
        return columns, rows

    def from_totals(self, totals: Table, present: Table) -> dict[str, np.ndarray]:
        # ``100 * bleu1_sum / cnt if cnt > 0 else 0``: no row counted prints 0
        return {name: ratio(totals[name], totals["counted"], 0.0) for name in self._parts}


SUMMARIZATION_TASKS = ("medqsum", "rct_text", "mimic_cxr", "ultrasound")
GENERATION_TASKS = (*SUMMARIZATION_TASKS, "concept_explanation", "rationale")


def _letter_reference(task: Task, run: TaskRun) -> tuple[list[Any], list[Any]]:
    return list(run.generations), [None if r is None else str(r) for r in run.references]


def item_language(context: Any) -> str | None:
    """A rationale item's tokenizer language from its ``task_id`` (task51..task56, as
    ``Rationale.py``'s TASKID2LANG) or its ``language`` context, ``None`` when it has neither."""
    if not isinstance(context, Mapping):
        return None
    task_id = context.get("task_id")
    if task_id is not None:
        return RATIONALE_LANGUAGES.get(str(task_id).strip().lower(), "en")
    language = context.get("language")
    return None if language is None else str(language)


def _rationale_inputs(task: Task, run: TaskRun) -> tuple[list[Any], list[Any]]:
    """The references as (language, text): the language by task id (or ``language``), as Rationale.py."""
    contexts = _contexts(run)
    references = []
    for context, reference in zip(contexts, run.references):
        language = item_language(context)
        text = reference if reference is None else str(reference)
        references.append((language or text_language(text or ""), text))
    return list(run.generations), references


def _contexts(run: TaskRun) -> list[Any]:
    context = run.context
    if context is None or isinstance(context, Mapping):
        return [context] * len(run.generations)
    return list(context)


BUGS = {
    "pandas-nan": "pandas reads an output '', 'None', 'NA', 'N/A', '#N/A' ... as NaN, which the script reads as "
                  "'nan', skips, or crashes on (no number)",
    "first-character": "only the first character is compared ('Answer: B' reads A; 'maybe' and option E are "
                       "never right)",
    "raw-substring": "the gold is found as a raw substring of the output (a gold 'no' is found in 'not')",
    "true-false-gold": "the gold must be exactly 'true' or 'false' once lowercased and stripped ('True.' never "
                       "scores); an output naming both is wrong",
    "negations-count": "a hallmark named anywhere is predicted, negated or not; macro over all ten hallmarks",
    "last-char-cut": "entities split at ', ' (chemical names too) and text[:-1] cuts the last entity's last "
                     "character",
    "rouge-l-not-1": "'ROUGE' is pltrdy's ROUGE-L F (sentences split on '.', unique-word denominators), reported "
                     "as ROUGE-1",
    "english-punkt": "BLEU-1 on nltk's word_tokenize with English Punkt for fr, es and ru too; the tokenizer is "
                     "chosen by task id (English for every summary and explanation)",
}
_MCQA = ("first-character", "pandas-nan")
_SUBSTRING = ("raw-substring", "pandas-nan")
_GENERATION = ("rouge-l-not-1", "english-punkt", "pandas-nan")

DEFINITION = Profile(
    name=PROFILE,
    description="MAGIC-AI4Med/MedS-Ins Metrics/ @185cfc0: first-character MCQA, substring accuracy, NER cut",
    methods={
        **{t: Method(FirstCharacter, _letter_reference, bugs=_MCQA) for t in ("medqa", "medmcqa", "mmedbench")},
        "pubmedqa": Method(lambda: FirstCharacter(letters="yn"), _letter_reference, bugs=_MCQA),
        "mednli": Method(GoldInOutput, bugs=_SUBSTRING),
        "healthfact": Method(lambda: GoldInOutput(first_line=True, script="FactVerification.py"), bugs=_SUBSTRING),
        "clinical_outcome": Method(TrueFalse, bugs=("true-false-gold", "pandas-nan")),
        "meds_diagnosis": Method(lambda: GoldInOutput(gold_phrase="The diagnosis result is", script="Diagnosis.py"),
                                 bugs=_SUBSTRING),
        "meds_treatment": Method(lambda: GoldInOutput(gold_phrase="The treatment planning is:",
                                                      script="TreatmentPlanning.py"), bugs=_SUBSTRING),
        "meds_information_extraction": Method(QuotesRemovedInOutput, bugs=_SUBSTRING),
        "meds_hoc": Method(HallmarkMacroF1, generations, bugs=("negations-count", "pandas-nan")),
        "meds_ner": Method(NerMicroF1, gold="entity_list", bugs=("last-char-cut", "pandas-nan")),
        **{t: Method(Similarity, bugs=_GENERATION) for t in SUMMARIZATION_TASKS},
        "concept_explanation": Method(lambda: Similarity(script="ConceptExplanation.py"), bugs=_GENERATION),
        "rationale": Method(lambda: Similarity(script="Rationale.py"), _rationale_inputs, bugs=_GENERATION),
    },
    bugs=BUGS,
)
