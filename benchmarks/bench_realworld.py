"""medmetrics' parsers, OpenCompass and lm-eval on real model outputs, against hand annotations.

    .venv/bin/python benchmarks/bench_realworld.py [--quick] [--json PATH]

The data are ``tests/data/realworld/generations.jsonl``: 267 generations by GPT-4, GPT-3.5 and
InstructGPT, each annotated by hand with the answer the text commits to (``none``: no answer).
Three kinds of item, each read by each reader with the item's own context:

- ``mc`` (USMLE, MedMCQA, PubMedQA lettered A-C): medmetrics ``choice`` with the option texts;
  OpenCompass ``first_option_postprocess(text, options="ABCDE"[:n])``; lm-eval's flexible-extract
  ``MultiChoiceRegexFilter`` with the item's choices (the config ``bench_choice.py`` uses).
- ``label`` (PubMedQA yes/no/maybe, ChemProt, DDI): medmetrics ``label`` with the label set;
  lm-eval ``RegexFilter`` over the label set (``(?i)\\b(label|...)\\b``, longest first), last match;
  OpenCompass has no generic label reader (its PubMedQA config scores with an LLM judge), so "-".
- ``score`` (BIOSSES, 0-4): medmetrics ``number`` with the range when that parser exists, else
  ``integer`` with ``rounding="nearest"``; OpenCompass ``first_number_postprocess``; lm-eval
  ``RegexFilter`` with the flexible-extract number regex of its gsm8k tasks, last match.

Outcomes (``medmetrics.testing.realworld``, shared with ``tests/test_realworld.py``): read as
annotated, false read (a value other than the annotated one, or any value where it is none), miss.
A score is read as annotated when it equals the annotation as a number; a reader that gives only
integers is also scored "with rounding" (the annotation rounded half up). The peers run in
``benchmarks/.venv-peers`` through ``peer_choice.py`` (one subprocess); the timings of the readers
are interleaved on each side (every repeat runs each reader once, in turn; the fastest run counts).
"""

from __future__ import annotations

import argparse
import datetime
import json
import re
import subprocess
import sys
import tempfile
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from bench_choice import PEERS_PYTHON, _norm_lm_eval, _short
from bench_common import Row, best_of
from medmetrics.testing import realworld as rw

HERE = Path(__file__).resolve().parent
DATA = HERE.parent / "tests" / "data" / "realworld" / "generations.jsonl"
#: lm-eval's flexible-extract number pattern (tasks/gsm8k/gsm8k-cot.yaml), taken with group_select=-1.
LM_EVAL_NUMBER_REGEX = r"(-?[$0-9.,]{2,})|(-?[0-9]+)"
#: What gsm8k-cot's exact_match strips from an extracted number before comparing (its regexes_to_ignore).
GSM8K_IGNORE = (",", r"\$", "(?s).*#### ", r"\.$")
LM_EVAL_FALLBACK = "[invalid]"

OURS, OPENCOMPASS, LM_EVAL = "medmetrics", "OpenCompass", "lm-eval"
HOW = {
    ("mc", OURS): "choice parser, options=<option texts>",
    ("label", OURS): "label parser, labels=<label set>",
    ("mc", OPENCOMPASS): 'first_option_postprocess(options="ABCDE"[:n])',
    ("label", OPENCOMPASS): "no label reader",
    ("score", OPENCOMPASS): "first_number_postprocess",
    ("mc", LM_EVAL): "MultiChoiceRegexFilter (flexible-extract)",
    ("label", LM_EVAL): "RegexFilter over the label set, last match",
    ("score", LM_EVAL): "RegexFilter flexible-extract number, last match",
}


def label_regex(labels: Sequence[str]) -> str:
    """The lm-eval pattern for a label set: any label as a whole word, case-insensitive, longest first."""
    alternatives = "|".join(re.escape(label) for label in sorted(labels, key=len, reverse=True))
    return rf"(?i)\b({alternatives})\b"


def _norm_opencompass_letter(value: Any, letters: str) -> str | None:
    return value if isinstance(value, str) and len(value) == 1 and value in letters else None


def _norm_lm_eval_label(value: Any, labels: Sequence[str]) -> str | None:
    if not isinstance(value, str) or value == LM_EVAL_FALLBACK:
        return None
    by_fold = {label.lower(): label for label in labels}
    return by_fold.get(value.lower(), value)


def _norm_lm_eval_number(value: Any) -> str | None:
    """The extracted string as gsm8k's exact_match sees it (its regexes_to_ignore removed), or
    None for the fallback; a string that is then no number still counts as a (false) read."""
    if not isinstance(value, str) or value == LM_EVAL_FALLBACK:
        return None
    for pattern in GSM8K_IGNORE:
        value = re.sub(pattern, "", value)
    return value


@dataclass
class Reading:
    """One reader on the items of one kind."""

    reader: str
    kind: str
    how: str
    values: list[Any] | None  # None: the reader is unavailable or has no reader for this kind
    seconds: float | None = None
    exact_numbers: bool = True
    variant: str = ""
    note: str = ""
    tally: rw.Tally | None = None
    extra: dict[str, Any] = field(default_factory=dict)

    @property
    def name(self) -> str:
        return f"{self.reader}{f' ({self.variant})' if self.variant else ''}"


def _by_kind(items: list[dict[str, Any]]) -> dict[str, list[dict[str, Any]]]:
    return {k: [item for item in items if rw.kind(item) == k] for k in rw.KINDS}


def _ours(groups: dict[str, list[dict[str, Any]]], repeat: int) -> tuple[dict[str, tuple[float, list[Any]]], str]:
    """Each kind's items through medmetrics, timed interleaved: each repeat reads every kind once."""
    parsers = rw.medmetrics_parsers()
    runs: dict[str, Callable[[], list[Any]]] = {
        k: (lambda its=its: [rw.read_medmetrics(item, parsers) for item in its]) for k, its in groups.items() if its}
    best: dict[str, tuple[float, list[Any]]] = {}
    for _ in range(max(1, repeat)):
        for k, run in runs.items():
            seconds, parsed = best_of(run, 1)
            if k not in best or seconds < best[k][0]:
                best[k] = (seconds, parsed)
    return best, rw.score_parser(parsers)


def _n_options(item: dict[str, Any]) -> int:
    """How many options an item has: its option texts, or the letters a source kept instead."""
    return len(item.get("options") or item.get("letters") or "ABCDE")


def _peer_jobs(groups: dict[str, list[dict[str, Any]]]) -> list[dict[str, Any]]:
    mc, label, score = groups["mc"], groups["label"], groups["score"]
    texts = {k: [item["generation"] for item in its] for k, its in groups.items()}
    jobs = [
        {"name": "opencompass/mc", "peer": "opencompass.first_option_postprocess", "texts": texts["mc"],
         "letters": ["ABCDE"[:_n_options(item)] for item in mc]},
        {"name": "opencompass/score", "peer": "opencompass.first_number_postprocess", "texts": texts["score"]},
        {"name": "lm_eval/mc", "peer": "lm_eval.MultiChoiceRegexFilter", "texts": texts["mc"],
         "choices": [list(item.get("options") or item["letters"]) for item in mc]},
        {"name": "lm_eval/label", "peer": "lm_eval.RegexFilter", "texts": texts["label"],
         "patterns": [label_regex(item["labels"]) for item in label], "group_select": -1},
        {"name": "lm_eval/score", "peer": "lm_eval.RegexFilter", "texts": texts["score"],
         "patterns": [LM_EVAL_NUMBER_REGEX] * len(score), "group_select": -1},
    ]
    return [job for job in jobs if job["texts"]]  # a data set with one kind of item only


def _run_peers(jobs: list[dict[str, Any]], repeat: int) -> dict[str, Any]:
    def unavailable(reason: str) -> dict[str, Any]:
        return {"jobs": {job["name"]: {"available": False, "error": reason} for job in jobs}}

    if not PEERS_PYTHON.exists():
        return unavailable(f"peers venv not found at {PEERS_PYTHON}; create it as benchmarks/README.md says")
    with tempfile.TemporaryDirectory(prefix="medmetrics-bench-") as tmp:
        request, response = Path(tmp) / "in.json", Path(tmp) / "out.json"
        request.write_text(json.dumps({"jobs": jobs, "repeat": repeat}), encoding="utf-8")
        proc = subprocess.run([str(PEERS_PYTHON), str(HERE / "peer_choice.py"), str(request), str(response)],
                              capture_output=True, text=True, timeout=3600)
        if proc.returncode != 0 or not response.exists():
            return unavailable(f"peer subprocess failed (exit {proc.returncode}): {proc.stderr.strip()[-500:]}")
        report: dict[str, Any] = json.loads(response.read_text(encoding="utf-8"))
        return report


def _peer_reading(peers: dict[str, Any], key: str, reader: str, kind: str, items: list[dict[str, Any]],
                  norm: Callable[[Any, dict[str, Any]], Any]) -> Reading:
    info = peers["jobs"].get(key, {"available": False, "error": "no report"})
    if not info.get("available"):
        return Reading(reader, kind, HOW[(kind, reader)], None, note=f"SKIPPED: {info.get('error')}")
    values = [norm(v, item) for v, item in zip(info["outputs"], items)]
    note = f"{info['how']}, version {info['version']}"
    if "per_call_overhead_seconds" in info:
        note += (f"; one apply() call on all items, which includes {info['per_call_overhead_seconds'] * 1e3:.0f} ms "
                 "of per-call setup (a punctuation table over every Unicode code point)")
    return Reading(reader, kind, HOW[(kind, reader)], values, info["seconds"], note=note,
                   extra={"raw": info["outputs"]})


def evaluate(quick: bool = False, data: Path = DATA) -> dict[str, Any]:
    """Every reader on every kind: the readings (with tallies), the peers' report and the data's size."""
    if not data.exists():
        raise FileNotFoundError(f"{data} is missing: the realworld fixture lives in tests/data/realworld")
    items = rw.load(data)
    groups = _by_kind(items)
    repeat = 2 if quick else 20
    ours, score_parser = _ours(groups, repeat)
    peers = _run_peers(_peer_jobs(groups), repeat)
    readings: list[Reading] = []
    for kind in (k for k in rw.KINDS if groups[k]):
        its = groups[kind]
        seconds, parsed = ours[kind]
        values = [rw.value_of(p) for p in parsed]
        statuses: dict[str, int] = {}
        for p in parsed:
            statuses[p.status] = statuses.get(p.status, 0) + 1
        extra = {"statuses": statuses, "parsed": [p.to_dict() for p in parsed]}
        if kind == "score":
            how = ("number parser, low/high=score_range" if score_parser == "number"
                   else 'integer parser, low/high=score_range, rounding="nearest"')
            readings.append(Reading(OURS, kind, how, values, seconds, exact_numbers=True,
                                    variant="as numbers" if score_parser == "integer" else "", extra=extra))
            if score_parser == "integer":  # an integer reader: also scored against the rounded annotation
                readings.append(Reading(OURS, kind, how, values, seconds, exact_numbers=False,
                                        variant="with rounding", extra=extra))
        else:
            readings.append(Reading(OURS, kind, HOW[(kind, OURS)], values, seconds, extra=extra))
        if kind == "mc":
            readings.append(_peer_reading(peers, "opencompass/mc", OPENCOMPASS, kind, its,
                                          lambda v, item: _norm_opencompass_letter(v, "ABCDE"[:_n_options(item)])))
            readings.append(_peer_reading(peers, "lm_eval/mc", LM_EVAL, kind, its,
                                          lambda v, item: _norm_lm_eval(v) if isinstance(v, str) else None))
        elif kind == "label":
            readings.append(Reading(OPENCOMPASS, kind, HOW[(kind, OPENCOMPASS)], None,
                                    note="OpenCompass has no generic label extractor (first-capital reads one "
                                         "letter; match_answer_pattern is a user regex; its PubMedQA config "
                                         "scores with an LLM judge)"))
            readings.append(_peer_reading(peers, "lm_eval/label", LM_EVAL, kind, its,
                                          lambda v, item: _norm_lm_eval_label(v, item["labels"])))
        else:
            readings.append(_peer_reading(peers, "opencompass/score", OPENCOMPASS, kind, its,
                                          lambda v, item: v if isinstance(v, (int, float)) else None))
            readings.append(_peer_reading(peers, "lm_eval/score", LM_EVAL, kind, its,
                                          lambda v, item: _norm_lm_eval_number(v)))
    for r in readings:
        if r.values is not None:
            r.tally = rw.tally(groups[r.kind], r.values, exact_numbers=r.exact_numbers, kinds=(r.kind,)).get(
                r.kind, rw.Tally())
    root = HERE.parent.resolve()
    shown = data.resolve().relative_to(root) if data.resolve().is_relative_to(root) else data
    return {"data": str(shown), "items": items, "groups": groups, "readings": readings, "peers": peers,
            "score_parser": score_parser, "repeat": repeat}


def _pct(share: float) -> str:
    return f"{100 * share:.1f}%"


def table(readings: list[Reading], groups: dict[str, list[dict[str, Any]]]) -> str:
    """The Markdown table: per kind and reader, n, the three outcome shares and µs/item."""
    header = ["kind", "reader", "how", "n", "read as annotated", "false reads", "misses", "µs/item"]
    body = []
    for r in readings:
        n = len(groups[r.kind])
        if r.tally is None:
            body.append([r.kind, r.name, r.how, str(n), "-", "-", "-", "-"])
            continue
        t = r.tally
        us = "-" if r.seconds is None else f"{r.seconds / max(1, t.n) * 1e6:.1f}"
        body.append([r.kind, r.name, r.how, str(t.n), f"{_pct(t.read_share)} ({t.read})",
                     f"{_pct(t.false_share)} ({t.false})", f"{_pct(t.miss_share)} ({t.miss})", us])
    widths = [max(len(line[i]) for line in [header, *body]) for i in range(len(header))]

    def line(cells: list[str]) -> str:
        return "| " + " | ".join(c.ljust(w) for c, w in zip(cells, widths)) + " |"

    return "\n".join([line(header), "|" + "|".join("-" * (w + 2) for w in widths) + "|", *map(line, body)])


def _examples(r: Reading, items: list[dict[str, Any]], k: int = 2) -> list[str]:
    """Up to ``k`` items the reader gets wrong: false reads first, then misses."""
    if r.values is None:
        return []
    wrong = [(rw.outcome(v, item, r.exact_numbers), item, v) for item, v in zip(items, r.values)]
    picked = [w for w in wrong if w[0] == rw.FALSE][:k]
    picked += [w for w in wrong if w[0] == rw.MISS][: k - len(picked)]
    return [f"{item['id']}: {result}, annotated {item['annotated_answer']}, read {v!r} :: "
            f"{_short(' '.join(item['generation'].split()), 70, 70)!r}" for result, item, v in picked]


def notes(result: dict[str, Any]) -> list[str]:
    out = []
    for r in result["readings"]:
        if r.note:
            out.append(f"{r.kind} / {r.name}: {r.note}")
        out += [f"{r.kind} / {r.name}: example: {e}" for e in _examples(r, result["groups"][r.kind])]
    statuses = {r.kind: r.extra["statuses"] for r in result["readings"] if r.reader == OURS}
    out.append("medmetrics parse statuses: " + "; ".join(
        f"{k} " + ", ".join(f"{s} {c}" for s, c in sorted(v.items())) for k, v in statuses.items()))
    if result["peers"].get("heavy_modules_loaded"):
        out.append(f"the peers' process had imported: {', '.join(result['peers']['heavy_modules_loaded'])}"
                   " (by OpenCompass)")
    return out


def bench_realworld(quick: bool) -> tuple[list[Row], str]:
    """Rows for ``run.py`` (ours vs each peer, per kind) and the full table as the detail."""
    result = evaluate(quick)
    readings: list[Reading] = result["readings"]
    groups = result["groups"]
    rows: list[Row] = []
    for kind in rw.KINDS:
        n = len(groups[kind])
        ours = [r for r in readings if r.kind == kind and r.reader == OURS]
        # the figure the shared scorer reports: exact with `number`, with rounding with `integer`
        main = ours[-1]
        label = f"realworld {kind}: {main.how.split(',')[0]}"
        for peer in (r for r in readings if r.kind == kind and r.reader != OURS):
            size = f"{n} real generations"
            if peer.tally is None or main.tally is None:
                row = Row(label, f"{peer.reader} {peer.how}", size, main.seconds, None, per_item=n,
                          agree="peer skipped" if peer.note.startswith("SKIPPED") else "no peer reader")
            else:
                row = Row(label, f"{peer.reader} {peer.how}", size, main.seconds, peer.seconds, per_item=n,
                          agree=f"as annotated: ours {_pct(main.tally.read_share)}, peer "
                                f"{_pct(peer.tally.read_share)}; false reads ours {_pct(main.tally.false_share)}, "
                                f"peer {_pct(peer.tally.false_share)}")
            if peer.note:
                row.notes.append(peer.note)
            rows.append(row)
    detail = (f"realworld: {len(result['items'])} real generations (tests/data/realworld), read against hand "
              f"annotations; timings the fastest of {result['repeat']} interleaved repeats\n\n"
              + table(readings, groups) + "\n\n" + "\n".join(f"- {n}" for n in notes(result)))
    print(f"[realworld] peers ran with {PEERS_PYTHON} (Python {result['peers'].get('python', '?')})", file=sys.stderr)
    return rows, detail


def _to_json(result: dict[str, Any]) -> dict[str, Any]:
    git = subprocess.run(["git", "rev-parse", "--short", "HEAD"], capture_output=True, text=True, cwd=HERE)
    ids = {k: [item["id"] for item in its] for k, its in result["groups"].items()}
    return {
        "date": f"{datetime.datetime.now(datetime.timezone.utc):%Y-%m-%d %H:%M} UTC",
        "commit": git.stdout.strip() if git.returncode == 0 else "unknown",
        "data": result["data"], "repeat": result["repeat"],
        "score_parser": result["score_parser"], "peers_python": result["peers"].get("python"),
        "readings": [{"reader": r.reader, "kind": r.kind, "variant": r.variant, "how": r.how,
                      "exact_numbers": r.exact_numbers, "seconds": r.seconds,
                      "us_per_item": None if r.seconds is None else r.seconds / len(ids[r.kind]) * 1e6,
                      **({"tally": r.tally.to_dict()} if r.tally else {"tally": None}), "note": r.note,
                      "values": None if r.values is None else dict(zip(ids[r.kind], r.values)),
                      "raw": None if "raw" not in r.extra else dict(zip(ids[r.kind], r.extra["raw"]))}
                     for r in result["readings"]],
    }


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--quick", action="store_true", help="two repeats instead of 20 (the figures are the same)")
    ap.add_argument("--json", metavar="PATH", help="also write every reading (values, tallies, seconds) as JSON")
    ap.add_argument("--data", type=Path, default=DATA, metavar="JSONL",
                    help=f"an annotated file in the same format (default {DATA.relative_to(HERE.parent)}; the "
                         "held-out set is tests/data/realworld_heldout/generations.jsonl)")
    args = ap.parse_args(argv)
    result = evaluate(args.quick, args.data)
    payload = _to_json(result)
    print(f"realworld, {payload['date']}, commit {payload['commit']}: {len(result['items'])} real generations, "
          f"fastest of {result['repeat']} interleaved repeats\n")
    print(table(result["readings"], result["groups"]))
    print("\n" + "\n".join(f"- {n}" for n in notes(result)))
    if args.json:
        Path(args.json).write_text(json.dumps(payload, indent=1, default=str), encoding="utf-8")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
