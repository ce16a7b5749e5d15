"""What the HTML report shows, computed in Python: per task and model the headline with its CI,
statuses and reasons (``medmetrics.aggregate.auditing``), confusion matrices, per-label tables, per-item
scores, entity marks and calibration bins; and the per-item data the page renders client-side,
packed compactly (one string table, parallel columns)."""

from __future__ import annotations

import math
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from medmetrics._json import json_native
from medmetrics.aggregate.auditing import Audit, ItemAudit
from medmetrics.results import ANSWERED, STATUSES, MetricResult, Parsed, Report

#: task kinds by parser name: what the report shows beside the overview and the items
KINDS = {
    "choice": "classification", "label": "classification", "choices": "multilabel",
    "labeled_spans": "entity", "brackets": "entity", "entity_list": "entity", "bio": "entity",
    "number": "score", "integer": "score", "text": "generation",
}
NO_ANSWER = "(no answer)"
#: entity mark kinds, in the order their codes are packed
MARKS = ("gold", "match", "type", "boundary", "spurious", "missed")
#: reasons listed per task and model
TOP_REASONS = 8


@dataclass
class Entry:
    """One model's scoring of one task, and the inputs behind it (optional: without generations
    the item view shows the parsed values only).

    ``report`` is None for a task that was not scored (``status`` ``missing`` or ``unavailable``,
    ``reason`` says why). ``loglikelihood`` (``medmetrics.aggregate.loglikelihood.LoglikelihoodItems``)
    gives the calibration plot.
    """

    model: str
    task: str
    report: Report | None
    generations: Sequence[str] | None = None
    references: Sequence[Any] | None = None
    context: Mapping[str, Any] | Sequence[Mapping[str, Any]] | None = None
    headline: str | None = None
    loglikelihood: Any = None
    status: str = "scored"
    reason: str = ""
    scores: Mapping[str, Sequence[float]] | None = field(default=None, repr=False)

    @property
    def result(self) -> MetricResult | None:
        if self.report is None or not len(self.report):
            return None
        if self.headline is not None and self.headline in self.report:
            return self.report[self.headline]
        return next(iter(self.report.values()))


@dataclass(frozen=True)
class SuiteRow:
    """A suite's average for one model (the forest plot's last rows)."""

    model: str
    suite: str
    value: float
    low: float | None
    high: float | None
    signature: str
    tasks: int
    of: int


def parser_name(report: Report | None) -> str:
    signature = (report.parser if report is not None else None) or ""
    return signature.split("@")[0].split("(")[0]


def task_kind(report: Report | None) -> str:
    kind = KINDS.get(parser_name(report))
    if kind is None and report is not None and report.parsed:  # e.g. answers read from log-likelihoods
        kind = KINDS.get((report.parsed[0].parser or "").split("@")[0].split("(")[0])
    if kind is None and report is not None and report.task is not None:
        from medmetrics.plugins import default_catalog

        catalog = default_catalog()
        if report.task in catalog.tasks:
            kind = KINDS.get(catalog.tasks.get(report.task).obj.parser)
    return kind or "other"


def _context_at(context: Any, i: int) -> Mapping[str, Any]:
    if context is None:
        return {}
    if isinstance(context, Mapping):
        return context
    item = context[i]
    return item if isinstance(item, Mapping) else {}


# ------------------------------------------------------------------------------------------
# display of values
# ------------------------------------------------------------------------------------------
def _mention_text(m: Any) -> str:
    if isinstance(m, Mapping):
        text = str(m.get("text", m.get("mention", "")))
        kind = m.get("type")
        return f"{kind}: {text}" if kind else text
    if isinstance(m, (list, tuple)):
        return " | ".join(str(x) for x in m)
    return str(m)


def show(value: Any, kind: str) -> str:
    """A value as one line of text: a label, ``A, C``, ``Disease: x; Disease: y``, a number."""
    if value is None:
        return ""
    if isinstance(value, float):
        return f"{value:g}"
    if isinstance(value, str):
        return value
    if isinstance(value, (list, tuple, set, frozenset)):
        items = list(value)
        if not items:
            return "(none)"
        if kind == "entity" or any(isinstance(x, (Mapping, list, tuple)) for x in items):
            return "; ".join(_mention_text(m) for m in items)
        return ", ".join(str(x) for x in items)
    return str(value)


def _key(value: Any) -> Any:
    if isinstance(value, (list, tuple, set, frozenset)):
        return tuple(sorted(map(str, value)))
    if isinstance(value, str):
        return value.strip()
    return value


def correct(parsed: Parsed, reference: Any, kind: str, score: float | None) -> bool | None:
    """Whether an item's answer is right: the value equals the reference (classification), the
    item's own score is 1 (entities); None where there is no such yes/no (scores, free text)."""
    if kind in ("classification", "multilabel"):
        return parsed.answered and _key(parsed.value) == _key(reference)
    if kind == "entity":
        if not parsed.answered:
            return False
        return None if score is None or math.isnan(score) else score >= 1.0 - 1e-9
    return None


# ------------------------------------------------------------------------------------------
# entity marks
# ------------------------------------------------------------------------------------------
def _ground(source: str, mentions: Sequence[Any]) -> list[tuple[int, int, str]]:
    """(start, end, type) of each mention in ``source``: its offsets when it has them, else its
    next occurrence (case-insensitive) after the previous one of the same text."""
    out: list[tuple[int, int, str]] = []
    lowered = source.lower()
    after: dict[str, int] = {}
    for m in mentions or ():
        if not isinstance(m, Mapping):
            text, kind, start, end = (str(m), "", None, None)
        else:
            text, kind = str(m.get("text", "")), str(m.get("type") or "")
            start, end = m.get("start"), m.get("end")
        if isinstance(start, int) and isinstance(end, int) and 0 <= start <= end <= len(source):
            out.append((start, end, kind))
            continue
        if not text:
            continue
        key = text.lower()
        at = lowered.find(key, after.get(key, 0))
        if at < 0:
            at = lowered.find(key)
        if at >= 0:
            after[key] = at + len(key)
            out.append((at, at + len(key), kind))
    return out


def entity_marks(source: str, gold: Any, predicted: Any) -> tuple[list[int], list[str]]:
    """Marks over ``source``: ``[start, end, code, ...]`` with codes indexing ``MARKS`` (gold
    mentions, then each prediction as match / wrong type / boundary error / spurious, and gold
    mentions no prediction touches as missed), and predicted mentions not in the source."""
    def mentions(values: Any) -> list[Any]:  # mentions only: relation and event tuples are not marked
        return [m for m in values if isinstance(m, (Mapping, str))] if isinstance(values, (list, tuple)) else []

    golds = _ground(source, mentions(gold))
    preds_raw = mentions(predicted)
    preds = _ground(source, preds_raw)
    grounded_texts = {source[s:e].lower() for s, e, _ in preds}
    ungrounded = [_mention_text(m) for m in preds_raw
                  if (str(m.get("text", "")) if isinstance(m, Mapping) else str(m)).lower() not in grounded_texts]
    marks: list[int] = []
    for s, e, _ in golds:
        marks += [s, e, 0]
    touched: set[int] = set()
    for s, e, t in preds:
        kind = 4
        for g, (gs, ge, gt) in enumerate(golds):
            if s < ge and gs < e:
                touched.add(g)
                if (s, e) == (gs, ge):
                    kind = 1 if (not t or not gt or t.lower() == gt.lower()) else 2
                    break
                kind = min(kind, 3)
        marks += [s, e, kind]
    for g, (gs, ge, _) in enumerate(golds):
        if g not in touched:
            marks += [gs, ge, 5]
    return marks, ungrounded


# ------------------------------------------------------------------------------------------
# summaries
# ------------------------------------------------------------------------------------------
def confusion(parsed: Sequence[Parsed], references: Sequence[Any]) -> tuple[list[str], list[str], list[list[int]]]:
    """(gold labels, predicted rows with ``NO_ANSWER`` last, counts[row][column])."""
    gold_labels = sorted({str(r) for r in references})
    predicted = sorted({str(p.value) for p in parsed if p.answered} | set(gold_labels))
    rows = [*predicted, NO_ANSWER]
    index_row = {label: i for i, label in enumerate(rows)}
    index_col = {label: i for i, label in enumerate(gold_labels)}
    counts = [[0] * len(gold_labels) for _ in rows]
    for p, r in zip(parsed, references):
        row = index_row[str(p.value)] if p.answered else len(rows) - 1
        counts[row][index_col[str(r)]] += 1
    return gold_labels, rows, counts


def label_table(gold: list[str], rows: list[str], counts: list[list[int]]) -> dict[str, dict[str, float]]:
    """Per gold label P/R/F1 from a confusion matrix (no answer: a miss, never a prediction)."""
    out = {}
    for j, label in enumerate(gold):
        support = sum(counts[i][j] for i in range(len(rows)))
        i = rows.index(label)
        tp = counts[i][j]
        predicted = sum(counts[i])
        p = tp / predicted if predicted else 0.0
        r = tp / support if support else 0.0
        f = 2 * p * r / (p + r) if p + r else 0.0
        out[label] = {"precision": p, "recall": r, "f1": f, "support": float(support), "predicted": float(predicted)}
    return out


def calibration(loglikelihood: Any, bins: int = 10) -> list[dict[str, float]] | None:
    """Reliability bins from per-item choice log-likelihoods: confidence (softmax max) against
    accuracy (the argmax choice is the gold), equal-width bins as ``ece`` cuts them."""
    try:
        probabilities = loglikelihood.probabilities()
        answers = loglikelihood.answers()
        gold = loglikelihood.gold
    except Exception:
        return None
    if not probabilities:
        return None
    sums = [[0, 0.0, 0.0] for _ in range(bins)]
    for probs, answer, g in zip(probabilities, answers, gold):
        if not probs:
            continue
        c = max(probs)
        b = min(bins - 1, max(0, math.ceil(bins * c) - 1))
        sums[b][0] += 1
        sums[b][1] += c
        sums[b][2] += 1.0 if answer == g else 0.0
    return [{"low": b / bins, "high": (b + 1) / bins, "n": n, "confidence": conf / n, "accuracy": acc / n}
            for b, (n, conf, acc) in enumerate(sums) if n]


def histogram(values: Sequence[float], bins: int = 20) -> dict[str, Any] | None:
    finite = [v for v in values if v is not None and not math.isnan(v)]
    if not finite:
        return None
    low, high = min(finite), max(finite)
    if low >= 0.0 and high <= 1.0:
        low, high = 0.0, 1.0
    if high == low:
        high = low + 1.0
    counts = [0] * bins
    for v in finite:
        counts[min(bins - 1, int((v - low) / (high - low) * bins))] += 1
    return {"low": low, "high": high, "counts": counts, "n": len(finite), "missing": len(values) - len(finite),
            "mean": sum(finite) / len(finite)}


def normalized_references(entry: Entry) -> list[Any] | None:
    """The entry's references as its task's parser returns answers (``B`` for an option's text,
    a declared label's spelling), as the report scored them; as given where that fails."""
    if entry.references is None:
        return None
    refs = list(entry.references)
    if entry.report is None or entry.report.task is None:
        return refs
    try:
        from medmetrics.inputs.files import coerce
        from medmetrics.parsing.references import normalize_references
        from medmetrics.plugins import default_catalog, get_parser

        catalog = default_catalog()
        task = catalog.tasks.get(entry.report.task).obj
        parser = get_parser(task.parser, catalog=catalog, **dict(task.parser_options))
        if entry.loglikelihood is not None:  # references are the gold choices' indices
            from medmetrics.aggregate.loglikelihood import loglikelihood_inputs
            from medmetrics.inputs.run import TaskRun

            run = TaskRun(task.name, [], [], None, "", loglikelihood=entry.loglikelihood)
            return list(loglikelihood_inputs(task, parser, run)[1])
        refs = coerce(refs, task.reference_type)
        if entry.context is None or isinstance(entry.context, Mapping):  # one normalization per distinct value
            try:
                distinct = list(dict.fromkeys(refs))
            except TypeError:  # unhashable references (lists of mentions)
                return normalize_references(parser, refs, entry.context)
            table = dict(zip(distinct, normalize_references(parser, distinct, entry.context)))
            return [table[r] for r in refs]
        return normalize_references(parser, refs, entry.context)
    except Exception:
        return refs


def audit_of(entry: Entry) -> Audit | None:
    """The ``Audit`` of an entry's parses (no re-parsing: the report's parses)."""
    if entry.report is None:
        return None
    generations = _generations(entry)
    refs = entry.references if entry.references is not None else [None] * len(entry.report.parsed)
    items = tuple(ItemAudit(i, generations[i] if generations is not None else "", p, refs[i])
                  for i, p in enumerate(entry.report.parsed) if p.status != "ok")
    return Audit(entry.task, entry.report.parser or "", items)  # the items not ok: what reasons group


def _generations(entry: Entry) -> list[str] | None:
    if entry.loglikelihood is not None:
        ll = entry.loglikelihood
        return ["\n".join(f"{choice}: log-likelihood {value:.4f}" for choice, value in zip(choices, values))
                for choices, values in zip(ll.choices, ll.loglikelihoods)]
    if entry.generations is None:
        return None
    try:
        return [str(g) for g in entry.generations]
    except Exception:  # a log-likelihood run's placeholder generations
        return None


# ------------------------------------------------------------------------------------------
# the payload
# ------------------------------------------------------------------------------------------
class Strings:
    """One table of every distinct string; items hold indices into it (0 is the empty string)."""

    def __init__(self) -> None:
        self.values: list[str] = [""]
        self.index: dict[str, int] = {"": 0}

    def __call__(self, text: str | None) -> int:
        if not text:
            return 0
        found = self.index.get(text)
        if found is None:
            found = self.index[text] = len(self.values)
            self.values.append(text)
        return found


_ASTRAL = re.compile("[\U00010000-\U0010FFFF]")


def utf16(text: str, offset: int) -> int:
    """A code-point offset into ``text`` as the page's script counts it (UTF-16 code units: a
    character beyond the Basic Multilingual Plane, an emoji, counts twice)."""
    if text.isascii() or not _ASTRAL.search(text, 0, offset):
        return offset
    return offset + len(_ASTRAL.findall(text, 0, offset))


def _utf16_marks(text: str, marks: list[int]) -> list[int]:
    if text.isascii() or not _ASTRAL.search(text):
        return marks
    return [utf16(text, v) if k % 3 < 2 else v for k, v in enumerate(marks)]


def _rounded(values: Sequence[float], digits: int = 4) -> list[float | None]:
    """Scores rounded for the page; NaN and infinities become None (JSON null)."""
    import numpy as np

    array = np.round(np.asarray(values, dtype=np.float64), digits)
    return [None if not math.isfinite(x) else x for x in array.tolist()]


def _round(x: float | None, digits: int = 4) -> float | None:
    if x is None or (isinstance(x, float) and (math.isnan(x) or math.isinf(x))):
        return None
    return round(float(x), digits)


def _result_summary(result: MetricResult, name: str) -> dict[str, Any]:
    return {
        "name": name, "metric": result.metric, "value": _round(result.value),
        "ci": None if result.ci is None else [_round(result.ci.low), _round(result.ci.high)],
        "level": None if result.ci is None else result.ci.level,
        "n": result.n, "failed": result.n_failed, "rate": _round(result.failure_rate),
        "signature": result.signature, "higher_is_better": result.higher_is_better,
        "answered": _round(next((v for k, v in result.components.items() if k.endswith("_answered")), None)),
    }


def build(entries: Sequence[Entry], suites: Sequence[SuiteRow] = (), *, title: str = "medmetrics report",
          notes: Sequence[str] = ()) -> dict[str, Any]:
    """Everything the page shows, JSON-native: ``summary`` (small, rendered as SVG and tables in
    Python) and ``items`` (the per-item columns the page's script pages through)."""
    models = list(dict.fromkeys(e.model for e in entries))
    tasks = list(dict.fromkeys(e.task for e in entries))
    strings = Strings()
    groups: list[dict[str, Any]] = []
    per_task: dict[str, dict[str, Any]] = {}
    for task in tasks:
        mine = [e for e in entries if e.task == task]
        scored = [e for e in mine if e.report is not None]
        kind = task_kind(scored[0].report) if scored else "other"
        info: dict[str, Any] = {"name": task, "kind": kind, "models": {}, "parser": ""}
        for e in mine:
            info["models"][e.model] = _summarize(e, kind, strings, groups, models, tasks)
            if e.report is not None:
                info["parser"] = e.report.parser or ""
        per_task[task] = info
    return {
        "title": title, "models": models, "tasks": [per_task[t] for t in tasks], "notes": list(notes),
        "suites": [json_native(s.__dict__) for s in suites],
        "items": {"strings": strings.values, "groups": groups, "statuses": list(STATUSES),
                  "marks": list(MARKS), "models": models, "tasks": tasks},
    }


def _summarize(e: Entry, kind: str, strings: Strings, groups: list[dict[str, Any]], models: list[str],
               tasks: list[str]) -> dict[str, Any]:
    if e.report is None:
        return {"status": e.status, "reason": e.reason}
    report = e.report
    parsed = report.parsed
    n = len(parsed)
    result = e.result
    headline = e.headline if e.headline in report else (next(iter(report)) if len(report) else None)
    out: dict[str, Any] = {
        "status": "scored", "headline": headline, "n": n, "statuses": report.statuses,
        "results": [_result_summary(r, name) for name, r in report.items()],
        "notes": [note for r in report.values() for note in r.notes],
    }
    if result is not None:
        out.update(_result_summary(result, headline or result.metric))
    audit = audit_of(e)
    if audit is not None:
        out["reasons"] = [{"status": g.status, "reason": g.reason, "count": g.count, "share": _round(g.count / n),
                           "example": g.example.index} for g in audit.reasons[:TOP_REASONS]]
        out["more_reasons"] = max(0, len(audit.reasons) - TOP_REASONS)
    refs = normalized_references(e)
    scores: Mapping[str, Sequence[float]] = e.scores or {}
    if not scores and refs is not None:
        from medmetrics.report.scores import item_scores

        try:
            scores = item_scores(report, refs, e.context, normalized=True)
        except Exception:
            scores = {}
    score_name = headline if headline in scores else next(iter(scores), None)
    main = list(scores[score_name]) if score_name else [math.nan] * n
    out["score_name"] = score_name
    if refs is not None and kind == "classification":
        gold, rows, counts = confusion(parsed, refs)
        out["confusion"] = {"gold": gold, "rows": rows, "counts": counts}
    if result is not None and result.per_label:
        out["per_label"] = json_native(result.per_label)
        out["per_label_from"] = headline
    elif refs is not None and kind == "classification":
        out["per_label"] = label_table(*confusion(parsed, refs))
        out["per_label_from"] = "confusion matrix"
    else:
        for name, r in report.items():
            if r.per_label:
                out["per_label"], out["per_label_from"] = json_native(r.per_label), name
                break
    if kind in ("generation", "score") or (score_name and kind == "other"):
        hist = histogram(main)
        if hist is not None:
            out["histogram"] = {**hist, "metric": score_name}
    if e.loglikelihood is not None:
        bins = calibration(e.loglikelihood)
        if bins:
            out["calibration"] = bins
    # --- the items
    generations = _generations(e)
    status_code = {s: str(i) for i, s in enumerate(STATUSES)}
    group: dict[str, Any] = {
        "t": tasks.index(e.task), "m": models.index(e.model), "k": kind,
        "g": [strings(generations[i]) for i in range(n)] if generations is not None else None,
        "sp": [], "v": [], "st": "".join(status_code[p.status] for p in parsed), "r": [], "ru": [], "ref": [], "c": "",
        "sn": list(scores), "sc": [_rounded(values) for values in scores.values()],
    }
    correct_flags = []
    with_marks = parser_name(report) != "bio"  # BIO tags have no offsets in a source text
    marks_col: list[Any] = []
    src_col: list[int] = []
    ungrounded_col: list[int] = []
    for i, p in enumerate(parsed):
        span = p.span if p.span is not None and generations is not None else None
        if span is not None and generations is not None:
            text = generations[i]
            span = (utf16(text, span[0]), utf16(text, span[1])) if 0 <= span[0] <= span[1] <= len(text) else None
        group["sp"] += [span[0], span[1]] if span else [-1, -1]
        group["ru"].append(strings(p.rule or ""))
        group["v"].append(strings(show(p.value, kind) if p.answered else ""))
        reason = p.reason
        if p.candidates:
            reason = reason or "conflicting answers: " + "; ".join(show(c, kind) for c in p.candidates)
        group["r"].append(strings(reason))
        ref = refs[i] if refs is not None else None
        group["ref"].append(strings(show(ref, kind)))
        flag = correct(p, ref, kind, main[i] if i < len(main) else None) if refs is not None else None
        correct_flags.append("-" if flag is None else "1" if flag else "0")
        if kind == "entity":
            source = _context_at(e.context, i).get("source")
            if isinstance(source, str) and source and with_marks:
                marks, ungrounded = entity_marks(source, ref, p.value if p.answered else [])
                marks_col.append(_utf16_marks(source, marks))
                src_col.append(strings(source))
                ungrounded_col.append(strings("; ".join(ungrounded)))
            else:
                marks_col.append(0)
                src_col.append(0)
                ungrounded_col.append(0)
    group["c"] = "".join(correct_flags)
    if kind == "entity":
        group["mk"], group["src"], group["ug"] = marks_col, src_col, ungrounded_col
    groups.append(group)
    answered = sum(1 for p in parsed if p.status in ANSWERED)
    out["answered"] = answered
    flags = group["c"]
    if "-" not in flags and flags:
        out["correct"] = flags.count("1")
    return out
