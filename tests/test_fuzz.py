"""Hostile input (issue #17): the atheris fuzz targets of fuzz/ stay at 0 exceptions.

The slow test runs every target (one per built-in parser, one per input reader) under libFuzzer
for a bounded time, two at a time; the quick ones check the harness itself (every built-in parser
has a target, seeds decode to what they were built from, every target keeps its contract on its
seeds) and hold the inputs the fuzzers once found. Without atheris these tests skip, except under
CI, where they fail: the ``test`` extra installs it.
"""

from __future__ import annotations

import contextlib
import os
import sys
from pathlib import Path
from typing import Any

import pytest

REPO = Path(__file__).resolve().parent.parent
#: seconds each target fuzzes in the slow test (after its seeds); 16 targets, two at a time, fit
#: in about 3 minutes on CI's two cores
SECONDS = 12


def fuzz_modules() -> tuple[Any, Any, Any]:
    """fuzz.corpus, fuzz.targets and fuzz.run; a missing atheris skips, or fails under CI."""
    try:
        import atheris  # noqa: F401
    except ImportError:
        if os.environ.get("CI", "").lower() not in ("", "0", "false"):
            pytest.fail("atheris is missing: the project's 'test' extra installs it (pip install -e '.[test]')")
        pytest.skip("atheris is not installed (pip install atheris); CI installs it and runs these tests")
    if str(REPO) not in sys.path:
        sys.path.insert(0, str(REPO))
    from fuzz import corpus, run, targets

    return corpus, targets, run


def test_every_builtin_parser_has_a_target() -> None:
    _, targets, _ = fuzz_modules()
    assert set(targets.builtin_parsers()) <= set(targets.all_targets()), \
        "a new built-in parser needs its contexts in fuzz/targets.py PARSERS"


def test_parser_seeds_decode_to_their_generations() -> None:
    corpus, targets, _ = fuzz_modules()
    texts = [*corpus.generations()[:200], "", "A", "é (B) ß", "答案是 B 🙂", "lone \ud800 surrogate", "\u2028"]
    for text in texts:
        assert targets._parser_input("choice", corpus.encode_parser_input(0, text))[2] == text
        mode = len(targets.PARSERS["choice"][1])  # the JSON-context mode
        what, context, generation = targets._parser_input(
            "choice", corpus.encode_parser_input(mode, text, '{"letters": "ABCDE"}'))
        assert (what, context, generation) == ("JSON context", {"letters": "ABCDE"}, text)


def test_seed_corpus_is_built_from_the_regression_and_real_world_generations() -> None:
    corpus, _, _ = fuzz_modules()
    found = set(corpus.generations())
    assert len(found) > 500
    assert {row["generation"] for row in corpus.regression_rows()} <= found


@pytest.mark.parametrize("name", [
    "bio", "brackets", "choice", "choices", "entity_list", "integer", "label", "labeled_spans", "number", "text",
    "records_jsonl", "records_json", "records_csv", "adapter_generic", "adapter_lm_eval", "adapter_opencompass",
])
def test_every_target_keeps_its_contract_on_its_seeds(name: str, tmp_path: Path,
                                                      monkeypatch: pytest.MonkeyPatch) -> None:
    _, targets, _ = fuzz_modules()
    monkeypatch.setattr(targets, "_WORK", tmp_path)
    target = targets.all_targets()[name]
    seeds = target.seeds()
    assert seeds
    for seed in seeds:
        target.run(seed)


@pytest.mark.slow
def test_no_fuzz_target_finds_a_crash_or_a_hang(tmp_path: Path) -> None:
    _, targets, run = fuzz_modules()
    names = run.target_names()
    results = run.run_all(names, SECONDS, tmp_path / "artifacts", jobs=2)
    print(run.report(results))  # executions per target, shown with -s or on failure
    problems = []
    everything = targets.all_targets()
    for result in results:
        if result.runs is None:
            problems.append(f"{result.name}: libFuzzer did not run (exit {result.returncode}):\n"
                            f"{result.output[-3000:]}")
        elif result.failed:
            inputs = "\n".join(f"--- {a.name}: {everything[result.name].describe(a.read_bytes())}"
                               for a in result.artifacts if a.name.startswith(run.FAILURES))
            problems.append(f"{result.name} failed (exit {result.returncode}):\n{inputs}\n"
                            f"{run.excerpt(result.output)}")
    assert not problems, "\n\n".join(problems)


# --- hostile files that raise a bare exception today (issue #17); each must be an InputError ---
# The OpenCompass non-UTF-8 file was found by adapter_opencompass; the others were found by reading
# the same code paths (json.loads outside medmetrics.inputs.files's guarded decoder) and confirmed by hand.
LM_EVAL_DATE = "2026-01-05T10-11-12.123456"
LM_EVAL_SAMPLE = ('{"doc_id": 0, "doc": {}, "target": "yes", "arguments": {"gen_args_0": {"arg_0": "Q", "arg_1": {}}}, '
                  '"resps": [["yes"]], "filtered_resps": ["yes"], "filter": "none"}\n')


@pytest.mark.parametrize("content", [
    b'{"0": {"prediction": "\xff", "gold": "yes"}}',                            # not UTF-8: UnicodeDecodeError
    b"[" * 100_000 + b"]" * 100_000,                                            # nested too deep: RecursionError
    b'{"0": {"prediction": "yes", "gold": ' + b"1" * 5000 + b"}}",              # integer too long: ValueError
    '{"²": {"prediction": "yes", "gold": "yes"}}'.encode(),                    # a digit int() rejects: ValueError
], ids=["not-utf8", "too-deep", "long-integer", "superscript-index"])
def test_opencompass_predictions_never_raise_a_bare_exception(tmp_path: Path, content: bytes) -> None:
    from medmetrics.errors import InputError
    from medmetrics.inputs.adapters import load_runs

    folder = tmp_path / "predictions" / "my-model"
    folder.mkdir(parents=True)
    (folder / "PubMedQA.json").write_bytes(content)
    with pytest.raises(InputError, match=r"PubMedQA\.json"):
        load_runs(tmp_path, adapter="opencompass")


@pytest.mark.parametrize("results", [
    b"[]",                                      # not an object: AttributeError
    b'{"configs": {"pubmedqa": "abc"}}',        # a config that is not an object: ValueError
    b'{"results": {"pubmedqa": [1]}}',          # results that are not an object: TypeError
    b"[" * 100_000 + b"]" * 100_000,            # nested too deep: RecursionError
    b"1" * 5000,                                # integer too long: ValueError
], ids=["list", "config-str", "results-list", "too-deep", "long-integer"])
def test_lm_eval_results_file_never_raises_a_bare_exception(tmp_path: Path, results: bytes) -> None:
    """A broken results_<date>.json beside the samples: read as no config (as for invalid JSON) or an
    InputError, never another exception."""
    from medmetrics.errors import InputError
    from medmetrics.inputs.adapters import load_runs

    model = tmp_path / "model"
    model.mkdir()
    (model / f"samples_pubmedqa_{LM_EVAL_DATE}.jsonl").write_text(LM_EVAL_SAMPLE, encoding="utf-8")
    (model / f"results_{LM_EVAL_DATE}.json").write_bytes(results)
    with contextlib.suppress(InputError):
        load_runs(tmp_path, adapter="lm_eval")
