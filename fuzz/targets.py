"""The fuzz targets: one per built-in parser and one per input reader, each a small function of bytes.

The contracts (docs/guarantees.md):

- a parser returns a ``Parsed`` that keeps the contract on any ``str`` (``check_parsed``: a status,
  a reason when not ``ok``, a span inside the text, JSON-native values) and never swallows a bug
  of its own (rule ``internal-error``: the target re-runs the rule so the original traceback shows);
  a per-item context that is itself malformed may only be an ``InputError``;
- a reader (``read_records``, the lm-eval, OpenCompass and generic adapters, and scoring what they
  read as ``medmetrics score --suite`` does) raises only medmetrics' own ``MedmetricsError``; a
  hang is caught by libFuzzer's ``-timeout``.

A target raises on a broken contract, which libFuzzer reports as a crash. ``describe`` says in
words what an input means to a target (which context, which generation), for crash reports.
"""

from __future__ import annotations

import json
import os
import shutil
import tempfile
import warnings
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import atheris

# Imported by run.py inside ``atheris.instrument_imports`` so that medmetrics is coverage guided.
import medmetrics
from fuzz import corpus
from medmetrics.aggregate.suites import resolve_task, score_task
from medmetrics.errors import InputError, MedmetricsError, ParserErrorWarning
from medmetrics.inputs.adapters import Fields, load_runs
from medmetrics.inputs.files import field, read_records
from medmetrics.options import check_options
from medmetrics.plugins import default_catalog
from medmetrics.testing.conformance import check_parsed


@dataclass(frozen=True)
class Target:
    name: str
    run: Callable[[bytes], None]  # raises when the input breaks the contract
    seeds: Callable[[], list[bytes]]
    describe: Callable[[bytes], str]


# ----------------------------------------------------------------------------------------------
# Parsers
# ----------------------------------------------------------------------------------------------

Context = Callable[[str], dict[str, Any]]  # the per-item context, possibly derived from the generation
OPTIONS = ["rash", "fever", "cough", "none of the above"]
HALLMARKS = ["sustaining proliferative signaling", "evading growth suppressors", "resisting cell death",
             "enabling replicative immortality", "inducing angiogenesis", "activating invasion and metastasis"]
CPR = ["CPR:3", "CPR:4", "CPR:5", "CPR:6", "CPR:9", "false"]
SOURCE = "Aspirin (1,2-dichloroethane) caused fever and a rash in 3 of 12 mice; IL-6 rose. N/A"


def _words(text: str) -> list[str]:
    return text.split() or ["."]


#: parser name -> (constructor options, realistic per-item contexts; derived ones see the generation)
PARSERS: dict[str, tuple[dict[str, Any], list[Context]]] = {
    "choice": ({}, [
        lambda g: {"options": OPTIONS},
        lambda g: {"letters": "ABCD"},
        lambda g: {"options": ["Direct inhibition of factor Xa", "Activation of antithrombin III", "Vitamin K",
                               "Thrombin inhibition", "Platelet P2Y12 blockade"]},
        lambda g: {},
    ]),
    "choices": ({}, [
        lambda g: {"options": HALLMARKS},
        lambda g: {"letters": "ABCDEFGHIJ"},
        lambda g: {"options": HALLMARKS[:3], "allow_empty": False},
    ]),
    "label": ({"labels": ["yes", "no", "maybe"]}, [
        lambda g: {},
        lambda g: {"labels": ["entailment", "neutral", "contradiction"]},
        lambda g: {"labels": CPR, "synonyms": {"CPR:4": ["INHIBITOR", "DOWNREGULATOR"], "false": ["no relation"]}},
    ]),
    "integer": ({"low": 0, "high": 5}, [
        lambda g: {},
        lambda g: {"low": 1, "high": 5, "rounding": "nearest"},
        lambda g: {"low": 0, "high": 4, "options": {"A": 0, "B": 1, "C": 2, "D": 3, "E": 4}},
    ]),
    "number": ({"low": 0, "high": 4}, [
        lambda g: {},
        lambda g: {"low": 0, "high": 5},
        lambda g: {"low": 1, "high": 10},
    ]),
    "bio": ({"types": ["Disease"], "scheme": "IOB2"}, [
        lambda g: {},
        lambda g: {"tokens": _words(g)},
        lambda g: {"tokens": _words(g)[::2]},  # words the model added
        lambda g: {"tokens": _words(SOURCE), "types": None, "scheme": None},
    ]),
    "labeled_spans": ({"types": ["Disease", "Chemical"]}, [
        lambda g: {},
        lambda g: {"source": g},
        lambda g: {"source": g[: len(g) // 2]},
        lambda g: {"source": SOURCE, "types": None},
    ]),
    "brackets": ({}, [
        lambda g: {},
        lambda g: {"source": g},
        lambda g: {"kind": "typed_entities", "types": ["Disease", "Chemical"], "source": g},
        lambda g: {"kind": "relations", "relations": ["CPR:3", "CPR:4", "CPR:9"]},
        lambda g: {"kind": "events", "source": SOURCE},
        lambda g: {"kind": "ids"},
    ]),
    "entity_list": ({"entity_type": "Species"}, [
        lambda g: {},
        lambda g: {"source": g},
        lambda g: {"source": g.upper()},
        lambda g: {"source": SOURCE * 3},
    ]),
    "text": ({}, [lambda g: {}]),
}


def _as_read(text: str) -> str:
    """``text`` as a JSON file would give it back: lone surrogates stay, but a high and a low
    surrogate side by side become the one character they encode (no reader yields the pair, and
    no ``Parsed`` holding it could survive the JSON round trip that ``check_parsed`` asks for)."""
    return json.loads(json.dumps(text))


def _parser_input(name: str, data: bytes) -> tuple[str, dict[str, Any] | None, str]:
    """(what the context is, the context or None when the input's JSON context is unusable, generation).

    Layout: a mode byte picks one of the parser's contexts, or (the last mode) a JSON context read
    from the input itself, with its length in 2 bytes at the end; the rest is the generation."""
    contexts = PARSERS[name][1]
    fdp = atheris.FuzzedDataProvider(data)
    mode = (fdp.ConsumeBytes(1) or b"\x00")[0] % (len(contexts) + 1)
    if mode < len(contexts):
        generation = _as_read(fdp.ConsumeUnicode(fdp.remaining_bytes()))
        return f"context #{mode}", contexts[mode](generation), generation
    extra = fdp.ConsumeUnicode(fdp.ConsumeIntInRange(0, 0xFFFF))
    generation = _as_read(fdp.ConsumeUnicode(fdp.remaining_bytes()))
    try:
        context = json.loads(extra)
    except (ValueError, RecursionError):  # the harness's own decoding, not medmetrics'
        context = None
    return "JSON context", context if isinstance(context, dict) else None, generation


def _parser_target(name: str) -> Target:
    options, _ = PARSERS[name]
    parser = medmetrics.get_parser(name, **options)

    def run(data: bytes) -> None:
        _, context, generation = _parser_input(name, data)
        if context is None:
            return
        try:
            parsed = parser.parse(generation, **context)
        except InputError:  # a malformed context is the caller's mistake, and must say so this way
            return
        if parsed.rule == "internal-error":  # re-run the rule outside the template: the real traceback
            parser.read(generation, check_options(name, context, parser.options))
        check_parsed(parsed, parser, generation)

    def seeds() -> list[bytes]:
        out = [corpus.encode_parser_input(0, g) for g in corpus.generations()]
        for row in corpus.regression_rows():
            if row.get("parser") == name:
                own = {**(row.get("options") or {}), **(row.get("context") or {})}
                extra = json.dumps(own, ensure_ascii=False)
                out.append(corpus.encode_parser_input(len(PARSERS[name][1]), row["generation"], extra))
        return out

    def describe(data: bytes) -> str:
        what, context, generation = _parser_input(name, data)
        return (f"parser {name!r} options={options!r}, {what}={context!r:.2000}\n"
                f"generation={generation!r:.4000}")

    return Target(name, run, seeds, describe)


# ----------------------------------------------------------------------------------------------
# Readers: the bytes are a file's content
# ----------------------------------------------------------------------------------------------

_WORK: Path | None = None


def workdir() -> Path:
    """A scratch folder for the files the reader targets write (``FUZZ_WORKDIR``, which run.py
    makes and removes, else a temporary one)."""
    global _WORK
    if _WORK is None:
        _WORK = Path(os.environ.get("FUZZ_WORKDIR") or tempfile.mkdtemp(prefix="medmetrics-fuzz-"))
    return _WORK


def _fresh(name: str) -> Path:
    folder = workdir() / name
    if folder.exists():
        shutil.rmtree(folder)
    folder.mkdir(parents=True)
    return folder


def _sections(data: bytes) -> tuple[int, bytes | None, bytes]:
    """(selector byte, optional first file, main file): see ``corpus.encode_sections``."""
    selector, rest = (data[0], data[1:]) if data else (0, b"")
    if selector & 0x80 and len(rest) >= 2:  # the high bit says a first file is there
        size = int.from_bytes(rest[-2:], "little")
        body = rest[:-2]
        return selector, body[:size], body[size:]
    return selector, None, rest


def _score(models: Mapping[str, Mapping[str, Any]]) -> None:
    """Score every task that was read, as ``medmetrics score --suite`` would (no intervals: speed)."""
    catalog = default_catalog()
    for runs in models.values():
        for task_name, run in runs.items():
            task = resolve_task(task_name, catalog)
            if isinstance(task, str):
                continue
            with warnings.catch_warnings():
                warnings.simplefilter("error", ParserErrorWarning)  # a parser bug met while scoring
                score_task(task, "fuzz", run, catalog=catalog, ci=False, resamples=10, seed=1)


def _allowed(call: Callable[[], Any]) -> Any:
    """Run ``call``; medmetrics' own errors are the allowed outcome for a bad file, anything else propagates."""
    try:
        return call()
    except MedmetricsError:
        return None


def _records_target(fmt: str) -> Target:
    def run(data: bytes) -> None:
        path = _fresh("records") / f"input.{fmt}"
        path.write_bytes(data)
        records = _allowed(lambda: read_records(path))
        if records is None:
            return
        assert isinstance(records, list) and all(isinstance(r, dict) for r in records), "records are not dicts"
        if fmt != "json":
            assert len(records.lines) == len(records), "a record without its line"  # type: ignore[attr-defined]
        _allowed(lambda: field(records, "generation", path))

    def seeds() -> list[bytes]:
        return [seed for kind, seed in _record_seeds() if kind == fmt]

    def describe(data: bytes) -> str:
        return f"read_records on a .{fmt} file holding {data!r:.4000}"

    return Target(f"records_{fmt}", run, seeds, describe)


GENERIC_TASKS = ("pubmedqa", "medqa", "hoc", "chemprot", "biosses", "bc5_disease")
GENERIC_CONTEXT = {"medqa": {"options": "options"}, "hoc": {"options": "options"}}


def _generic(data: bytes) -> tuple[str, bytes]:
    selector = data[0] if data else 0
    fmt = ("jsonl", "json", "csv")[selector % 3]
    return f"{GENERIC_TASKS[(selector // 3) % len(GENERIC_TASKS)]}.{fmt}", data[1:]


def _generic_target() -> Target:
    def run(data: bytes) -> None:
        name, content = _generic(data)
        folder = _fresh("generic")
        (folder / name).write_bytes(content)
        fields = Fields(context=GENERIC_CONTEXT.get(name.split(".")[0], {}))
        models = _allowed(lambda: load_runs(folder, adapter="generic", fields=fields))
        if models:
            _allowed(lambda: _score(models))

    def seeds() -> list[bytes]:
        out = []
        for kind, seed in _record_seeds():
            fmt = ("jsonl", "json", "csv").index(kind)
            out += [bytes([fmt + 3 * task]) + seed for task in range(len(GENERIC_TASKS))]
        return out

    def describe(data: bytes) -> str:
        name, content = _generic(data)
        return f"generic adapter on a folder holding {name} = {content!r:.4000}"

    return Target("adapter_generic", run, seeds, describe)


LM_EVAL_TASKS = ("pubmedqa", "medqa_4options", "hoc", "biosses", "chemprot", "pubmedqa_gen")
LM_EVAL_FIELDS = (Fields(), Fields(response="filtered"), Fields(context={"options": "doc.choices"}),
                  Fields(filter="none", index_base=None))
LM_EVAL_DATE = "2026-01-05T10-11-12.123456"


def _lm_eval(data: bytes) -> tuple[str, Fields, bytes | None, bytes]:
    selector, results, samples = _sections(data)
    task = LM_EVAL_TASKS[(selector & 0x7F) % len(LM_EVAL_TASKS)]
    fields = LM_EVAL_FIELDS[((selector & 0x7F) // len(LM_EVAL_TASKS)) % len(LM_EVAL_FIELDS)]
    return task, fields, results, samples


def _lm_eval_target() -> Target:
    def run(data: bytes) -> None:
        task, fields, results, samples = _lm_eval(data)
        model = _fresh("lm_eval") / "org__model"
        model.mkdir()
        (model / f"samples_{task}_{LM_EVAL_DATE}.jsonl").write_bytes(samples)
        if results is not None:
            (model / f"results_{LM_EVAL_DATE}.json").write_bytes(results)
        models = _allowed(lambda: load_runs(model.parent, adapter="lm_eval", fields=fields,
                                            task_map={"pubmedqa_gen": "pubmedqa"}))
        if models:
            _allowed(lambda: _score(models))

    def seeds() -> list[bytes]:
        return _lm_eval_seeds()

    def describe(data: bytes) -> str:
        task, fields, results, samples = _lm_eval(data)
        return (f"lm_eval adapter, samples_{task}_<date>.jsonl = {samples!r:.4000}\n"
                f"results_<date>.json = {results!r:.2000}\nfields = {fields}")

    return Target("adapter_lm_eval", run, seeds, describe)


OPENCOMPASS_DATASETS = ("PubMedQA", "chemprot", "medqa", "hoc", "biosses")


def _opencompass(data: bytes) -> tuple[str, str, bytes | None, bytes]:
    selector, first, rest = _sections(data)
    dataset = OPENCOMPASS_DATASETS[(selector & 0x7F) % len(OPENCOMPASS_DATASETS)]
    adapter = ("opencompass", "auto")[((selector & 0x7F) // len(OPENCOMPASS_DATASETS)) % 2]
    return dataset, adapter, first, rest


def _opencompass_target() -> Target:
    def run(data: bytes) -> None:
        dataset, adapter, first, rest = _opencompass(data)
        model = _fresh("opencompass") / "20260105_101112" / "predictions" / "my-model"
        model.mkdir(parents=True)
        if first is None:
            (model / f"{dataset}.json").write_bytes(rest)
        else:  # a dataset OpenCompass split into pieces
            (model / f"{dataset}_0.json").write_bytes(first)
            (model / f"{dataset}_1.json").write_bytes(rest)
        root = model.parent.parent.parent
        models = _allowed(lambda: load_runs(root, adapter=adapter, task_map={"PubMedQA": "pubmedqa"}))
        if models:
            _allowed(lambda: _score(models))

    def seeds() -> list[bytes]:
        return _opencompass_seeds()

    def describe(data: bytes) -> str:
        dataset, adapter, first, rest = _opencompass(data)
        return (f"{adapter} adapter, predictions/my-model/{dataset}"
                + (f"_0.json = {first!r:.2000}\n{dataset}_1.json" if first is not None else ".json")
                + f" = {rest!r:.4000}")

    return Target("adapter_opencompass", run, seeds, describe)


# ----------------------------------------------------------------------------------------------
# Reader seeds: the project's run fixtures, real generations written in each format, hand-made files
# ----------------------------------------------------------------------------------------------

RUNS = corpus.REPO / "tests" / "data" / "runs"


def _rows(limit: int = 12) -> list[dict[str, Any]]:
    """Real-world generations as run records (a few per file: small seeds fuzz faster)."""
    rows = corpus.realworld_rows()[:: max(1, len(corpus.realworld_rows()) // 60)]
    return [{"generation": r["generation"], "reference": r.get("gold", "yes"), "options": r.get("options"),
             "task": r.get("task", "pubmedqa")} for r in rows][: limit * 5]


def _record_seeds() -> list[tuple[str, bytes]]:
    import csv
    import io

    out: list[tuple[str, bytes]] = []
    for path in sorted(RUNS.glob("**/*")):
        if path.suffix.lstrip(".") in ("jsonl", "json", "csv") and path.is_file() and path.stat().st_size < 20000:
            out.append((path.suffix.lstrip("."), path.read_bytes()))
    rows = _rows()
    for start in range(0, len(rows), 12):
        chunk = rows[start:start + 12]
        out.append(("jsonl", "\n".join(json.dumps(r, ensure_ascii=False) for r in chunk).encode()))
        out.append(("json", json.dumps(chunk, ensure_ascii=False, indent=1).encode()))
        text = io.StringIO()
        writer = csv.writer(text)
        writer.writerow(["generation", "reference", "options"])
        writer.writerows([r["generation"], r["reference"], json.dumps(r["options"])] for r in chunk)
        out.append(("csv", text.getvalue().encode()))
    row = '{"generation": "yes\u2028really", "reference": "yes"}'
    out += [
        ("jsonl", ("\ufeff" + row + "\r\n" + row + "\r\n\r\n").encode()),
        ("jsonl", b'{"generation": "1e999", "reference": 1e999}\n{"n": 123456789012345678901234567890}\n'),
        ("jsonl", b'{"generation": [[[[[["deep"]]]]]], "reference": null}\n[1, 2]\n'),
        ("json", b'{"meta": 1, "records": [{"generation": "no", "reference": "no"}]}'),
        ("json", b"\xef\xbb\xbf[{\"generation\": \"B\", \"reference\": \"b\"}]"),
        ("csv", b'\xef\xbb\xbfgeneration,reference\r\n"multi\nline, quoted ""answer""",yes\r\nno,no\r\n'),
        ("csv", b'generation,reference\n"never closed,yes\n'),
        ("csv", b"generation,reference\nyes\nno,no,extra\n"),
    ]
    return out


def _lm_eval_sample(doc_id: int, generation: str, target: Any, **extra: Any) -> str:
    record = {"doc_id": doc_id, "doc": {"question": f"q{doc_id}", "choices": OPTIONS}, "target": target,
              "arguments": {"gen_args_0": {"arg_0": "Question: ...\nAnswer:", "arg_1": {"until": ["\n\n"]}}},
              "resps": [[generation]], "filtered_resps": [generation], "filter": "none", "metrics": ["exact_match"]}
    record.update(extra)
    return json.dumps(record, ensure_ascii=False)


def _lm_eval_seeds() -> list[bytes]:
    out = []
    files = sorted((RUNS / "lm_eval").glob("**/samples_*.jsonl")) + sorted((RUNS / "lm_eval_mc").glob("samples_*"))
    for path in files:
        task = 0 if "pubmedqa" in path.name else 1
        out.append(bytes([task]) + path.read_bytes())
    rows = _rows()
    real = "\n".join(_lm_eval_sample(i, r["generation"], "yes") for i, r in enumerate(rows[:10]))
    out += [bytes([task]) + real.encode() for task in range(len(LM_EVAL_TASKS))]
    mc = "\n".join(json.dumps({
        "doc_id": i, "doc": {"choices": OPTIONS}, "target": i % 4, "filter": "none", "acc": 1.0, "acc_norm": 0.0,
        "arguments": {f"gen_args_{k}": {"arg_0": "Q", "arg_1": f" {o}"} for k, o in enumerate(OPTIONS)},
        "resps": [[[str(-1.5 - k), "False"]] for k in range(4)],
        "filtered_resps": [[str(-1.5 - k), "False"] for k in range(4)], "metrics": ["acc", "acc_norm"]})
        for i in range(3))
    results = json.dumps({"configs": {"medqa_4options": {"target_delimiter": " "}}, "chat_template": None,
                          "results": {"medqa_4options": {"acc,none": 0.5}}}).encode()
    out.append(corpus.encode_sections(0x80 | 1, results, mc.encode()))
    two_filters = "\n".join([_lm_eval_sample(0, "Answer: yes", "yes"), _lm_eval_sample(0, "no", "no", filter="x"),
                             _lm_eval_sample(1, "(B) fever", 1)])
    out += [bytes([1 + len(LM_EVAL_TASKS) * f]) + two_filters.encode() for f in range(len(LM_EVAL_FIELDS))]
    return out


def _opencompass_seeds() -> list[bytes]:
    out = []
    pieces = sorted((RUNS / "opencompass").glob("**/*.json"))
    for path in pieces:
        out.append(bytes([0 if "PubMedQA" in path.name else 1]) + path.read_bytes())
    split = [p.read_bytes() for p in pieces if "PubMedQA" in p.name]
    if len(split) == 2:
        out.append(corpus.encode_sections(0x80, split[0], split[1]))
    rows = _rows()
    real = {str(i): {"origin_prompt": "Question: ...", "prediction": r["generation"], "gold": "yes"}
            for i, r in enumerate(rows[:10])}
    out += [bytes([d]) + json.dumps(real, ensure_ascii=False, indent=4).encode()
            for d in range(2 * len(OPENCOMPASS_DATASETS))]
    out.append(bytes([0]) + b'{"0": {"prediction": ["yes"], "gold": "yes"}, "1": {"prediction": "no"}}')
    return out


# ----------------------------------------------------------------------------------------------

def builtin_parsers() -> list[str]:
    """The parsers medmetrics itself registers (plugins' parsers are their authors' to fuzz)."""
    return sorted(entry.name for entry in default_catalog().parsers
                  if entry.plugin == "medmetrics.default_plugins.parsers")


def all_targets() -> dict[str, Target]:
    targets = [_parser_target(name) for name in sorted(PARSERS)]
    targets += [_records_target(fmt) for fmt in ("jsonl", "json", "csv")]
    targets += [_generic_target(), _lm_eval_target(), _opencompass_target()]
    return {target.name: target for target in targets}
