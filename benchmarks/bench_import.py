"""``import medmetrics`` time, measured with ``python -X importtime`` in fresh interpreters.

For our package: the cumulative time of the ``medmetrics`` line. For the reference point
(``import sklearn.metrics``, what a caller would otherwise import to score classification), the
cumulative times of the top-level lines that a bare ``python -c pass`` does not import.
The heavy-module check runs in a fresh interpreter too, so nothing this harness imported leaks in.
"""

from __future__ import annotations

import json
import statistics
import subprocess
import sys

from bench_common import Row

HEAVY = ("torch", "transformers", "sklearn")


def _importtime(statement: str) -> list[tuple[int, int, str]]:
    """(self µs, cumulative µs, name with indentation) of every import line."""
    proc = subprocess.run([sys.executable, "-X", "importtime", "-c", statement], capture_output=True, text=True,
                          check=True)
    out = []
    for line in proc.stderr.splitlines():
        if not line.startswith("import time:") or "cumulative" in line:
            continue
        self_us, cumulative_us, name = line[len("import time:"):].split("|", 2)
        out.append((int(self_us), int(cumulative_us), name.rstrip()))
    return out


def _package_line(statement: str, package: str) -> tuple[int, int]:
    """(cumulative µs of the package's line, self µs summed over the package's own modules)."""
    lines = _importtime(statement)
    own = sum(self_us for self_us, _, name in lines if name.strip().split(".")[0] == package)
    for _, cumulative, name in lines:
        if name.strip() == package:
            return cumulative, own
    raise RuntimeError(f"no importtime line for {package!r} in `{statement}`")


def _new_top_level(statement: str, baseline: set[str]) -> int:
    return sum(cum for _, cum, name in _importtime(statement)
               if not name.startswith("  ") and name.strip() not in baseline)


def _heavy_after(statement: str) -> list[str]:
    code = f"{statement}\nimport json, sys\nprint(json.dumps(sorted(m for m in {HEAVY!r} if m in sys.modules)))"
    proc = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    return json.loads(proc.stdout.strip().splitlines()[-1])


def bench_import(quick: bool) -> list[Row]:
    runs = 3 if quick else 5
    baseline = {name.strip() for _, _, name in _importtime("pass")}
    measured = [_package_line("import medmetrics", "medmetrics") for _ in range(runs)]
    ours = statistics.median(cumulative for cumulative, _ in measured)
    own = statistics.median(self_us for _, self_us in measured)
    peer = statistics.median(_new_top_level("import sklearn.metrics", baseline) for _ in range(runs))
    heavy = _heavy_after("import medmetrics")
    ok = not heavy
    row = Row("import medmetrics", "import sklearn.metrics", f"median of {runs} fresh processes",
              ours / 1e6, peer / 1e6, ok=ok,
              agree="n/a; heavy modules after import: none" if ok else f"FAIL: {', '.join(heavy)} imported")
    row.notes.append(f"-X importtime cumulative µs of the medmetrics line: {ours:.0f}, of which medmetrics' own "
                     f"modules {own:.0f} (the rest is standard-library modules imported on the way); "
                     f"sklearn.metrics: {peer:.0f}; checked absent from sys.modules: {', '.join(HEAVY)}")
    first_use = ("import medmetrics; medmetrics.get_metric('f1'); medmetrics.get_metric('pearson'); "
                 "medmetrics.get_parser('choice', letters='ABCD')")
    try:
        heavy_first_use = _heavy_after(first_use)
    except subprocess.CalledProcessError as exc:
        row.notes.append(f"first-use check could not run: {exc.stderr.strip().splitlines()[-1:]}")
    else:
        if heavy_first_use:
            row.ok = False
            row.agree = f"FAIL: {', '.join(heavy_first_use)} imported by get_metric/get_parser"
        row.notes.append("after get_metric('f1'), get_metric('pearson') and get_parser('choice'), heavy modules "
                         f"loaded: {', '.join(heavy_first_use) or 'none'}")
    return [row, _first_use_row(runs)]


#: Timed inside a fresh interpreter: ``import medmetrics`` (light, timed above) and then the first
#: ``get_metric``, which builds the catalog and imports the asked-for metric's module.
_FIRST_USE = ("import time; t0 = time.perf_counter(); import medmetrics; t1 = time.perf_counter(); "
              "medmetrics.get_metric('f1'); t2 = time.perf_counter(); print(t1 - t0, t2 - t1)")
_PEER = "import time; t0 = time.perf_counter(); from sklearn.metrics import f1_score; print(time.perf_counter() - t0)"


def _fresh(code: str) -> list[float]:
    proc = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    return [float(x) for x in proc.stdout.split()]


def _first_use_row(runs: int) -> Row:
    """The first ``get_metric`` after ``import medmetrics`` (built-ins are registered by reference,
    so only ``f1``'s module is imported), against importing scikit-learn's ``f1_score``.
    Interleaved fresh processes, median."""
    imports, firsts, peer = [], [], []
    for _ in range(runs):
        imported, first = _fresh(_FIRST_USE)
        imports.append(imported)
        firsts.append(first)
        peer.append(_fresh(_PEER)[0])
    target = 0.2
    ours = statistics.median(firsts)
    row = Row("first get_metric('f1')", "from sklearn.metrics import f1_score",
              f"median of {runs} fresh processes, interleaved", ours, statistics.median(peer),
              agree=f"target under {target * 1000:.0f} ms: {'met' if ours < target else 'MISSED'}")
    row.notes.append(f"every process (s): get_metric {', '.join(f'{t:.3f}' for t in firsts)} after import "
                     f"medmetrics {', '.join(f'{t:.3f}' for t in imports)}; sklearn "
                     f"{', '.join(f'{t:.3f}' for t in peer)}. Third-party plugins installed here are loaded too, "
                     "as a user's would be; numpy's import is most of what remains")
    return row
