"""No regular expression medmetrics compiles backtracks super-linearly (issue #17).

Which patterns: every pattern compiled from medmetrics code, found three ways. A fresh interpreter
(this file run as a script) wraps ``re._compile`` before importing anything, so it sees (1) every
pattern compiled while every medmetrics module imports, plus a scan of every module's globals (and
the classes, dicts, tuples, lists, sets and objects in them) for ``re.Pattern`` values, and (2) the
patterns built at run time from label sets, options, types and vocabularies, by running every
built-in task's parser with typical context, the hand-written regression corpus, the real-world
generations, the mention parsers with sources, the generation metrics' tokenizers, the run adapters
on ``tests/data/runs`` and ``audit``. (3) A sweep of the source for literal patterns passed to
``re.*`` inside functions catches any that those runs miss.

How each is checked:

* statically with regexploit (Doyensec; it reads a pattern with Python's own ``sre`` parser, so
  lookbehinds, named groups, ``\\b``, inline flags and unicode classes are all read as ``re`` reads
  them), which finds overlapping unbounded repeats and reports how many are stacked ("starriness");
  2 or more means one match attempt is at least quadratic. A pattern it cannot read fails the test
  unless ``UNREADABLE`` gives the reason.
* dynamically, because regexploit does not model lookarounds, ``$`` in MULTILINE mode or bounded
  repeats (``{1,60}``) between two stars: for every unbounded repeat of every pattern, a string of
  about 500 and about 5,000 characters built from the pattern's own pieces (what leads to the
  repeat, the repeat's body over and over, then a character that breaks the match, or none) is
  matched, best of three, and the time ratio must stay near-linear (10 is linear, 100 quadratic;
  the bound is 30). A ratio, never an absolute time (10 and 20 repetitions first, so that an
  exponential pattern is caught before it hangs the run; and a 500-character attempt over a
  second is reported at once rather than waited for). Marked ``slow``: about 15 s of CPU.

Out of scope, and held instead by ``tests/test_linear_time.py`` on whole parses: the work a
``search``/``finditer`` repeats at every start position (``\\s*\\n`` over a long run of blanks),
which is a property of how a pattern is used, not of its backtracking.

``ALLOWED`` lists the flagged patterns that are safe in practice, each with the reason.
"""

from __future__ import annotations

import ast
import contextlib
import json
import os
import subprocess
import sys
import time
import warnings
from pathlib import Path
from typing import Any

import pytest

pytestmark = pytest.mark.slow  # compiles and analyzes every pattern medmetrics builds (CI runs it)

ROOT = Path(__file__).resolve().parent.parent
SRC = ROOT / "src" / "medmetrics"

#: pattern source -> why it is safe although a check flags it.
ALLOWED: dict[str, str] = {}
#: pattern source -> why regexploit cannot read it (the dynamic check still runs on it).
UNREADABLE: dict[str, str] = {}

SMALL, LARGE, BOUND = 500, 5_000, 30.0


# --------------------------------------------------------------------------------------------
# Collection (runs in a fresh interpreter: ``python tests/test_redos.py OUT.json``)


def _exercise() -> None:
    """Run everything that builds patterns at run time, with typical options and context."""
    import medmetrics
    from medmetrics.testing import realworld as rw

    tests = Path(__file__).resolve().parent
    for path in sorted((tests / "regression").glob("*.jsonl")):
        for line in path.read_text(encoding="utf-8").splitlines():
            if line.strip():
                case = json.loads(line)
                parser = medmetrics.get_parser(case["parser"], **case.get("options", {}))
                parser.parse(case["generation"], **case.get("context", {}))
    parsers = rw.medmetrics_parsers()
    for name in ("realworld", "realworld_heldout"):
        for item in rw.load(tests / "data" / name / "generations.jsonl"):
            rw.read_medmetrics(item, parsers)

    source = ("Aspirin and clopidogrel reduced myocardial infarction in patients with diabetes; "
              "TNF-alpha and IL-6 rose. 7,22-diene was given.")
    generations = {
        "choice": ["The answer is (B) Heparin.", "Answer: A", '{"answer": "C"}', "none of the above",
                   "<think>A or B?</think> B is correct.", "b)が正しい", "Question 2: what is the dose?"],
        "choices": ["(A), (C)", "A and C", "A\nC", "none"],
        "label": ["The answer is: **yes**.", "Not yes, the answer is no.", "maybe", "Answer: Entailment"],
        "integer": ["Score: 4/5", "four out of five", "3", "2.5"],
        "number": ["Output: 2.5", "Score: 3.2/4", "about 2.5", "three", "2-3"],
        "bio": ["Aspirin [B-Chemical] and [O] clopidogrel [B-Chemical]", "Aspirin/B-Chemical and/O",
                "Aspirin\tB-Chemical\nand\tO"],
        "labeled_spans": ["Disease: myocardial infarction...diabetes\nChemical: Aspirin",
                          "- Disease: diabetes\nAnswer: None", "Gene: None"],
        "brackets": ["[Aspirin, Chemical] [diabetes, Disease]", "[Aspirin, CPR:4, TNF-alpha]",
                     "[Aspirin, MESH:D001241]", "[[nested [unbalanced"],
        "entity_list": ["Aspirin, clopidogrel; diabetes", "- Aspirin\n- 7,22-diene", '["Aspirin", "diabetes"]',
                        "No entities found."],
        "text": ["<think>reasoning</think> A summary of the trial.", "Summary: fever."],
        "patient_age_sex": ["Age: 45 years, sex: female", "A 3-month-old boy", "65 y/o M"],
    }
    options = ["Aspirin", "Heparin", "Clopidogrel", "Warfarin"]
    for task_name in medmetrics.list_tasks():
        task = medmetrics.get_task(task_name)
        parser = medmetrics.get_parser(task.parser, **task.parser_options)
        for generation in generations.get(task.parser, ["Aspirin", "yes"]):
            for context in ({}, {"options": options}, {"source": source}):
                with contextlib.suppress(medmetrics.InputError):  # options this task's parser cannot take
                    parser.parse(generation, **{k: v for k, v in context.items() if k in parser.options})
    for generation in ("Answer: B", "Aspirin"):
        medmetrics.audit("medqa", [generation, "none"], context=[{"options": options}] * 2)

    pairs = (["The patient has a fever. It rose at night!", "发烧 3.5 mg"], ["Fever in the patient.", "发热"])
    for name in medmetrics.list_metrics():
        if name in {"bleu", "rouge", "meteor", "meds_bench_bleu", "meds_bench_rouge", "normalized_match",
                    "dose_match"}:
            with contextlib.suppress(Exception):  # a missing extra or lexicon: its module patterns are scanned
                medmetrics.get_metric(name).compute(*pairs)

    from medmetrics.inputs.adapters.base import load_runs

    for run in sorted((tests / "data" / "runs").iterdir()):
        with contextlib.suppress(Exception):
            load_runs(run)


def _scan(value: Any, where: str, found: dict[tuple[str, int], str], seen: set[int], depth: int = 0) -> None:
    """Every ``re.Pattern`` reachable from a module global through containers and medmetrics objects."""
    import re

    if id(value) in seen or depth > 4:
        return
    seen.add(id(value))
    if isinstance(value, re.Pattern):
        if isinstance(value.pattern, str):
            found.setdefault((value.pattern, value.flags), where)
        return
    if isinstance(value, dict):
        for key, item in list(value.items()):
            _scan(item, f"{where}[{key!r}]", found, seen, depth + 1)
    elif isinstance(value, (list, tuple, set, frozenset)):
        for i, item in enumerate(value):
            _scan(item, f"{where}[{i}]", found, seen, depth + 1)
    elif isinstance(value, type) or getattr(type(value), "__module__", "").startswith("medmetrics"):
        if isinstance(value, type) and not value.__module__.startswith("medmetrics"):
            return
        attributes = vars(value) if hasattr(value, "__dict__") else {
            slot: getattr(value, slot, None) for slot in getattr(type(value), "__slots__", ())}
        for key, item in list(attributes.items()):
            _scan(item, f"{where}.{key}", found, seen, depth + 1)


def _collect(out: str) -> None:
    import importlib
    import pkgutil
    import re

    records: dict[tuple[str, int], dict[str, Any]] = {}
    phase = ["module"]
    compile_ = re._compile  # type: ignore[attr-defined]

    def wrapped(pattern: Any, flags: Any) -> Any:
        compiled = compile_(pattern, flags)
        if isinstance(pattern, str):
            frame = sys._getframe(1)
            while frame is not None and frame.f_code.co_filename == re.__file__:
                frame = frame.f_back
            if frame is not None and frame.f_code.co_filename.startswith(str(SRC)):
                origin = f"{Path(frame.f_code.co_filename).relative_to(SRC.parent)}:{frame.f_lineno}"
                records.setdefault((pattern, compiled.flags),
                                   {"pattern": pattern, "flags": compiled.flags, "origin": origin, "phase": phase[0]})
        return compiled

    re._compile = wrapped  # type: ignore[attr-defined]
    import medmetrics

    for info in pkgutil.walk_packages(medmetrics.__path__, "medmetrics."):
        if not info.name.endswith("__main__"):
            importlib.import_module(info.name)
    scanned: dict[tuple[str, int], str] = {}
    seen: set[int] = set()
    for name, module in sorted(sys.modules.items()):
        if name == "medmetrics" or name.startswith("medmetrics."):
            for key, value in list(vars(module).items()):
                _scan(value, f"{name}.{key}", scanned, seen)
    for key, where in scanned.items():
        records.setdefault(key, {"pattern": key[0], "flags": key[1], "origin": where, "phase": "module"})
    phase[0] = "run-time"
    _exercise()
    re._compile = compile_  # type: ignore[attr-defined]
    Path(out).write_text(json.dumps(list(records.values())), encoding="utf-8")


_RE_FUNCTIONS = {"compile", "search", "match", "fullmatch", "findall", "finditer", "split", "sub", "subn"}


def _source_literals() -> list[dict[str, Any]]:
    """Literal patterns passed to ``re.<function>`` anywhere in the source (flags left to the run)."""
    found = []
    for path in sorted(SRC.rglob("*.py")):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if (isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute)
                    and isinstance(node.func.value, ast.Name) and node.func.value.id == "re"
                    and node.func.attr in _RE_FUNCTIONS and node.args
                    and isinstance(node.args[0], ast.Constant) and isinstance(node.args[0].value, str)):
                found.append({"pattern": node.args[0].value, "flags": 32,  # re.UNICODE, the default
                              "origin": f"{path.relative_to(SRC.parent)}:{node.lineno}", "phase": "source"})
    return found


@pytest.fixture(scope="module")
def patterns(tmp_path_factory: pytest.TempPathFactory) -> list[dict[str, Any]]:
    out = tmp_path_factory.mktemp("redos") / "patterns.json"
    done = subprocess.run([sys.executable, __file__, str(out)], cwd=ROOT, capture_output=True, text=True,
                          timeout=300)
    assert done.returncode == 0, done.stderr[-3000:]
    records = json.loads(out.read_text(encoding="utf-8"))
    known = {r["pattern"] for r in records}
    records += [r for r in _source_literals() if r["pattern"] not in known]
    return records


# --------------------------------------------------------------------------------------------
# The checks


def test_every_pattern_is_collected(patterns: list[dict[str, Any]]) -> None:
    phases = {phase: sum(r["phase"] == phase for r in patterns) for phase in ("module", "run-time", "source")}
    print(f"\n{len(patterns)} patterns: {phases}")
    assert phases["module"] >= 100 and phases["run-time"] >= 30, phases
    # The collector wraps ``re`` only: a module that compiled with the ``regex`` package would be missed.
    for path in SRC.rglob("*.py"):
        tree = ast.parse(path.read_text(encoding="utf-8"))
        for node in ast.walk(tree):
            names = ([a.name for a in node.names] if isinstance(node, ast.Import)
                     else [node.module or ""] if isinstance(node, ast.ImportFrom) else [])
            assert not any(n == "regex" or n.startswith("regex.") for n in names), (
                f"{path} imports regex: wrap regex's compile in _collect too")


def _regexploit() -> Any:
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", DeprecationWarning)  # regexploit imports sre_parse
            import regexploit.redos
            from regexploit.ast.sre import SreOpParser
    except ImportError:
        if os.environ.get("CI"):
            pytest.fail("regexploit is not installed: it is in the test extra (pip install -e '.[test]')")
        pytest.skip("regexploit is not installed (pip install -e '.[test]')")
    return SreOpParser, regexploit.redos.find


def test_no_pattern_has_stacked_unbounded_repeats(patterns: list[dict[str, Any]]) -> None:
    parser_class, find = _regexploit()

    flagged, unreadable = [], []
    for record in patterns:
        source = record["pattern"]
        try:
            with warnings.catch_warnings():
                warnings.simplefilter("ignore", DeprecationWarning)  # regexploit imports sre_parse
                redos = find(parser_class().parse_sre(source, record["flags"]))
        except Exception as exc:  # regexploit does not know every sre node
            if source not in UNREADABLE:
                unreadable.append(f"{record['origin']}: {source!r}: {type(exc).__name__}: {exc}")
            continue
        worst = max((r.starriness for r in redos), default=0)
        if worst >= 2 and source not in ALLOWED:
            example = next(r for r in redos if r.starriness == worst).example()
            flagged.append(f"{record['origin']}: {source!r}: starriness {worst}, attack {example}")
    assert not unreadable, "regexploit cannot read these (give a reason in UNREADABLE):\n" + "\n".join(unreadable)
    assert not flagged, "super-linear backtracking (fix the pattern, or give a reason in ALLOWED):\n" + "\n".join(
        flagged)


def _parser_modules() -> tuple[Any, Any]:
    try:
        import re._constants as constants
        import re._parser as parser
    except ImportError:  # Python 3.10
        import sre_constants as constants  # type: ignore[no-redef]
        import sre_parse as parser  # type: ignore[no-redef]
    return parser, constants


def _sample(items: Any, c: Any) -> str:
    """A short string that matches the node sequence ``items`` (best effort: lookarounds give nothing)."""
    out = []
    for op, av in items:
        if op is c.LITERAL:
            out.append(chr(av))
        elif op is c.NOT_LITERAL:
            out.append("a" if av != ord("a") else "b")
        elif op is c.ANY:
            out.append("a")
        elif op is c.IN:
            out.append(_sample_class(av, c))
        elif op is c.SUBPATTERN:
            out.append(_sample(av[-1], c))
        elif op in (c.MAX_REPEAT, c.MIN_REPEAT) or op.name == "POSSESSIVE_REPEAT":
            out.append(_sample(av[2], c) * max(av[0], 1))
        elif op is c.BRANCH:
            out.append(_sample(av[1][0], c))
        elif op.name == "ATOMIC_GROUP":
            out.append(_sample(av, c))
    return "".join(out)


def _sample_class(av: Any, c: Any) -> str:
    """A character in the class ``av``: a common one where it has one."""
    import re

    negated = bool(av) and av[0][0] is c.NEGATE
    members = re.compile(_class_source(av[1:] if negated else av, c))
    for ch in "a1 \t,.:-;!xA\x01":
        if bool(members.match(ch)) != negated:
            return ch
    for op, value in av:
        if op is c.LITERAL:
            return chr(value)
        if op is c.RANGE:
            return chr(value[0])
    return "a"


def _class_source(av: Any, c: Any) -> str:
    import re

    parts = []
    for op, value in av:
        if op is c.LITERAL:
            parts.append(re.escape(chr(value)))
        elif op is c.RANGE:
            parts.append(f"{re.escape(chr(value[0]))}-{re.escape(chr(value[1]))}")
        elif op is c.CATEGORY:
            parts.append({"CATEGORY_DIGIT": r"\d", "CATEGORY_NOT_DIGIT": r"\D", "CATEGORY_SPACE": r"\s",
                          "CATEGORY_NOT_SPACE": r"\S", "CATEGORY_WORD": r"\w",
                          "CATEGORY_NOT_WORD": r"\W"}.get(value.name, ""))
    return "[" + "".join(parts) + "]" if parts else "(?!)"


def _pumps(items: Any, c: Any, prefix: str = "") -> list[tuple[str, str]]:
    """(what leads to it, its body) for every unbounded repeat, however deep."""
    found = []
    for i, (op, av) in enumerate(items):
        before = prefix + _sample(items[:i], c)
        if op in (c.MAX_REPEAT, c.MIN_REPEAT) or op.name == "POSSESSIVE_REPEAT":
            if av[1] is c.MAXREPEAT or av[1] > 50:
                found.append((before, _sample(av[2], c) or " "))
            found += _pumps(av[2], c, before)
        elif op is c.SUBPATTERN:
            found += _pumps(av[-1], c, before)
        elif op.name == "ATOMIC_GROUP":
            found += _pumps(av, c, before)
        elif op is c.BRANCH:
            for branch in av[1]:
                found += _pumps(branch, c, before)
        elif op in (c.ASSERT, c.ASSERT_NOT):
            found += _pumps(av[1], c, before)
    return found


def _once(compiled: Any, text: str) -> float:
    start = time.perf_counter()
    compiled.match(text)
    return time.perf_counter() - start


def _best(compiled: Any, text: str) -> float:
    best = float("inf")
    for _ in range(3):
        start = time.perf_counter()
        compiled.match(text)
        best = min(best, time.perf_counter() - start)
    return best


@pytest.mark.slow  # about 15 s of CPU
def test_no_pattern_is_super_linear_on_its_own_pieces(patterns: list[dict[str, Any]]) -> None:
    import re

    parser, constants = _parser_modules()
    slow = []
    for record in patterns:
        source = record["pattern"]
        if source in ALLOWED:
            continue
        compiled = re.compile(source, record["flags"])
        pumps = list(dict.fromkeys(_pumps(list(parser.parse(source, record["flags"])), constants)))
        for lead, body in pumps:
            for breaker in ("\x00", ""):
                tiny, twice = (lead + body * n + breaker for n in (10, 20))  # an exponential blow-up shows here
                if _best(compiled, twice) / max(_best(compiled, tiny), 2e-5) > BOUND:
                    slow.append(f"{record['origin']}: {source!r}: exponential on {lead!r} + {body!r} * n + {breaker!r}")
                    break
                small = lead + body * (SMALL // len(body)) + breaker
                large = lead + body * (LARGE // len(body)) + breaker
                start = time.perf_counter()
                compiled.match(small)
                if time.perf_counter() - start > 1.0:
                    slow.append(f"{record['origin']}: {source!r}: over 1 s on {lead!r} + {body!r} * "
                                f"{SMALL // len(body)} + {breaker!r}")
                    break
                small_time = max(_best(compiled, small), 2e-5)
                ratio = _once(compiled, large) / small_time  # best of three only when once looks slow
                if ratio > BOUND:
                    ratio = _best(compiled, large) / small_time
                if ratio > BOUND:
                    slow.append(f"{record['origin']}: {source!r}: x{ratio:.0f} for x10 the text on {lead!r} + "
                                f"{body!r} * n + {breaker!r}")
                    break
    assert not slow, "super-linear on their own pieces (fix, or give a reason in ALLOWED):\n" + "\n".join(slow)


def test_allow_lists_name_live_patterns(patterns: list[dict[str, Any]]) -> None:
    live = {r["pattern"] for r in patterns}
    assert not (set(ALLOWED) | set(UNREADABLE)) - live, "stale entries: the pattern is no longer compiled"


if __name__ == "__main__":
    _collect(sys.argv[1])
