"""Run fuzz targets (fuzz/targets.py) under atheris/libFuzzer for a bounded time.

    python fuzz/run.py --list
    python fuzz/run.py choice --time 60                 # one target for 60 s
    python fuzz/run.py --time 15 --jobs 2               # every target, two at a time
    python fuzz/run.py label --keep-going --time 120    # record every distinct exception, don't stop at the first
    python fuzz/run.py --reproduce choice crash-1234    # run one input, show what it means and the traceback

Each target runs in a child process (libFuzzer ends its process when done) with a seed corpus
built in a temporary folder; crash artifacts go to ``--artifacts`` (default: a temporary folder,
never the repository). The exit status is 1 when any target found a crash, timeout or finding.
"""

from __future__ import annotations

import argparse
import hashlib
import os
import re
import subprocess
import sys
import tempfile
import time
import traceback
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent))  # ``fuzz`` as a package, from any working folder

#: libFuzzer's artifacts that mean a broken contract (``slow-unit-`` ones are only reported),
#: and ``finding-`` files of ``--keep-going``
FAILURES = ("crash-", "timeout-", "oom-", "leak-", "finding-")


@dataclass
class Result:
    name: str
    runs: int | None
    seconds: float
    returncode: int
    output: str
    artifacts: list[Path] = field(default_factory=list)

    @property
    def failed(self) -> bool:
        return self.returncode != 0 or any(a.name.startswith(FAILURES) for a in self.artifacts)


def load_targets() -> dict[str, object]:
    """The targets, with medmetrics instrumented for coverage (only its own modules: fast)."""
    import atheris

    with atheris.instrument_imports(include=["medmetrics"]):
        from fuzz import targets

        targets.default_catalog()  # imports every built-in parser module, instrumented
    return targets.all_targets()


def child(name: str, corpus_dir: Path, keep_going: bool, artifacts: Path, libfuzzer: list[str]) -> None:
    """Fuzz one target in this process (libFuzzer exits the process at the end)."""
    import atheris

    from fuzz import corpus

    target = load_targets()[name]  # first: medmetrics must be imported instrumented
    seeds = target.seeds()
    corpus.write_corpus(corpus_dir, seeds)
    print(f"{name}: {len(seeds)} seeds", flush=True)
    seen: set[str] = set()

    def keep_going_run(data: bytes) -> None:
        """Record each distinct exception (type and innermost medmetrics line) once, and go on."""
        try:
            target.run(data)
        except Exception as exc:
            frames = [f for f in traceback.extract_tb(exc.__traceback__) if "medmetrics" in f.filename]
            where = f"{frames[-1].filename}:{frames[-1].lineno}" if frames else "?"
            key = f"{type(exc).__name__} at {where}"
            if key not in seen:
                seen.add(key)
                path = artifacts / f"finding-{hashlib.sha1(key.encode()).hexdigest()[:12]}"
                path.write_bytes(data)
                print(f"\n=== FINDING {key} -> {path}\n{target.describe(data)}\n"
                      + "".join(traceback.format_exception(exc)), flush=True)

    atheris.Setup([sys.argv[0], *libfuzzer, str(corpus_dir)], keep_going_run if keep_going else target.run)
    atheris.Fuzz()


def run_target(name: str, seconds: int, artifacts: Path, *, keep_going: bool = False, timeout: int = 10,
               max_len: int = 16384, extra: list[str] | None = None) -> Result:
    """Fuzz ``name`` for ``seconds`` in a child process; its seeds and scratch files live in a
    temporary folder removed afterwards, its crash inputs go to ``artifacts`` (one folder per target)."""
    artifacts.mkdir(parents=True, exist_ok=True)
    started = time.monotonic()
    with tempfile.TemporaryDirectory(prefix=f"fuzz-{name}-") as scratch:
        corpus_dir, work = Path(scratch) / "corpus", Path(scratch) / "work"
        work.mkdir()
        from fuzz import corpus

        dictionary = corpus.write_dictionary(Path(scratch) / "tokens.dict")
        flags = [f"-max_total_time={seconds}", f"-timeout={timeout}", f"-max_len={max_len}", "-rss_limit_mb=3072",
                 f"-artifact_prefix={artifacts}/", f"-dict={dictionary}", "-print_final_stats=1",
                 *(extra or [])]
        command = [sys.executable, str(HERE / "run.py"), "--child", name, "--corpus", str(corpus_dir),
                   "--artifacts", str(artifacts), *(["--keep-going"] if keep_going else []), "--", *flags]
        env = {**os.environ, "FUZZ_WORKDIR": str(work), "PYTHONHASHSEED": "0"}
        # generous: seeds are read before the clock starts, and a busy machine is slow
        done = subprocess.run(command, capture_output=True, text=True, env=env, timeout=seconds + 600, check=False)
    output = done.stdout + done.stderr
    runs = re.findall(r"stat::number_of_executed_units:\s*(\d+)", output) or re.findall(r"Done (\d+) runs", output)
    found = sorted(artifacts.iterdir())
    return Result(name, int(runs[-1]) if runs else None, time.monotonic() - started, done.returncode, output, found)


def run_all(names: list[str], seconds: int, artifacts: Path, jobs: int = 2, **options: object) -> list[Result]:
    """Every target in ``names``, ``jobs`` at a time, each in its own artifacts sub-folder."""
    with ThreadPoolExecutor(max_workers=jobs) as pool:
        return list(pool.map(lambda n: run_target(n, seconds, artifacts / n, **options), names))  # type: ignore[arg-type]


def excerpt(output: str, limit: int = 8000) -> str:
    """The part of a child's output that says what went wrong: the findings, the uncaught
    exception, or else the end."""
    findings = re.findall(r"\n=== FINDING .*?(?=\n#\d|\nDone |\n=== FINDING |\Z)", output, re.DOTALL)
    if findings:
        return "".join(findings)[:limit]
    at = output.find("=== Uncaught Python exception")
    return output[at:at + limit] if at >= 0 else output[-limit:]


def target_names() -> list[str]:
    from fuzz import targets

    return list(targets.all_targets())


def reproduce(name: str, path: Path) -> int:
    from fuzz import targets

    target = targets.all_targets()[name]
    data = path.read_bytes()
    print(target.describe(data))
    try:
        target.run(data)
    except Exception:
        traceback.print_exc()
        return 1
    print("no contract broken")
    return 0


def report(results: list[Result]) -> str:
    lines = [f"{'target':<22} {'runs':>9} {'seconds':>8}  result"]
    for r in results:
        verdict = "FAILED: " + ", ".join(a.name for a in r.artifacts) if r.failed else "ok"
        if r.failed and not r.artifacts:
            verdict = f"FAILED (exit {r.returncode})"
        lines.append(f"{r.name:<22} {r.runs if r.runs is not None else '?':>9} {r.seconds:>8.1f}  {verdict}")
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    argv = list(sys.argv[1:] if argv is None else argv)
    libfuzzer = argv[argv.index("--") + 1:] if "--" in argv else []
    argv = argv[: argv.index("--")] if "--" in argv else argv
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("targets", nargs="*", help="target names (default: all)")
    parser.add_argument("--list", action="store_true", help="list the targets")
    parser.add_argument("--time", type=int, default=15, help="seconds per target (default 15, as CI)")
    parser.add_argument("--jobs", type=int, default=2, help="targets run at once")
    parser.add_argument("--timeout", type=int, default=10, help="seconds one input may take before it is a hang")
    parser.add_argument("--keep-going", action="store_true", help="record every distinct exception, do not stop")
    parser.add_argument("--artifacts", type=Path, help="where crash inputs go (default: a temporary folder)")
    parser.add_argument("--reproduce", nargs=2, metavar=("TARGET", "FILE"), help="run one input through a target")
    parser.add_argument("--child", help=argparse.SUPPRESS)
    parser.add_argument("--corpus", type=Path, help=argparse.SUPPRESS)
    args = parser.parse_args(argv)

    if args.child:
        child(args.child, args.corpus, args.keep_going, args.artifacts, libfuzzer)
        return 0
    if args.list:
        print("\n".join(target_names()))
        return 0
    if args.reproduce:
        return reproduce(args.reproduce[0], Path(args.reproduce[1]))
    names = args.targets or target_names()
    unknown = sorted(set(names) - set(target_names()))
    if unknown:
        parser.error(f"unknown targets {unknown}; --list shows them")
    artifacts = args.artifacts or Path(tempfile.mkdtemp(prefix="medmetrics-fuzz-artifacts-"))
    results = run_all(names, args.time, artifacts.resolve(), jobs=args.jobs, keep_going=args.keep_going,
                      timeout=args.timeout, extra=libfuzzer)
    for result in results:
        if result.failed:
            print(f"\n===== {result.name} =====\n{excerpt(result.output)}")
    print(report(results))
    print(f"artifacts: {artifacts}")
    return 1 if any(r.failed for r in results) else 0


if __name__ == "__main__":
    sys.exit(main())
