"""Timing, result rows and the table the harness prints."""

from __future__ import annotations

import gc
import time
from collections.abc import Callable
from dataclasses import asdict, dataclass, field
from typing import Any


def best_of(fn: Callable[[], Any], repeat: int) -> tuple[float, Any]:
    """The fastest wall time of ``repeat`` calls of ``fn`` (seconds) and the last result.

    The minimum is the least noisy estimate of what the code costs on an otherwise idle
    machine; garbage is collected before each call so one call does not pay for another's.
    """
    best = float("inf")
    result = None
    for _ in range(max(1, repeat)):
        gc.collect()
        start = time.perf_counter()
        result = fn()
        best = min(best, time.perf_counter() - start)
    return best, result


@dataclass
class Row:
    """One line of the table: our time and a peer's on the same data."""

    benchmark: str
    peer: str
    size: str
    ours_s: float | None
    peer_s: float | None
    per_item: int | None = None  # divide times by this to show microseconds per item
    agree: str = ""
    ok: bool = True  # False when a number that must agree does not (makes the run exit 1)
    notes: list[str] = field(default_factory=list)
    extrapolated: bool = False

    @property
    def ratio(self) -> float | None:
        if self.ours_s is None or self.peer_s is None or self.ours_s <= 0:
            return None
        return self.peer_s / self.ours_s

    def to_dict(self) -> dict[str, Any]:
        out = {**asdict(self), "ratio_peer_over_ours": self.ratio}
        out["ok"] = bool(self.ok)
        return out


def interleaved(ours: Callable[[], Any], peer: Callable[[], Any], rounds: int) -> tuple[float, float, Any, Any]:
    """Best-of-``rounds`` wall times of both sides, timed alternately in the same rounds (so a
    slow spell of a shared machine falls on both), and each side's last result."""
    best_ours = best_peer = float("inf")
    ours_result = peer_result = None
    for _ in range(max(1, rounds)):
        t, ours_result = best_of(ours, 1)
        best_ours = min(best_ours, t)
        t, peer_result = best_of(peer, 1)
        best_peer = min(best_peer, t)
    return best_ours, best_peer, ours_result, peer_result


def fmt_time(seconds: float | None, per_item: int | None) -> str:
    if seconds is None:
        return "-"
    if per_item:
        return f"{seconds / per_item * 1e6:.2f} µs/item"
    if seconds < 1e-3:
        return f"{seconds * 1e6:.0f} µs"
    if seconds < 1:
        return f"{seconds * 1e3:.1f} ms"
    return f"{seconds:.2f} s"


def fmt_ratio(ratio: float | None) -> str:
    if ratio is None:
        return "-"
    return f"{ratio:.1f}x" if ratio >= 10 else f"{ratio:.2f}x"


def render(rows: list[Row]) -> str:
    """A GitHub-flavoured markdown table (readable as plain text too), then the notes."""
    header = ["benchmark", "peer", "data", "ours", "peer time", "peer/ours", "agree"]
    body = []
    for r in rows:
        peer_time = fmt_time(r.peer_s, r.per_item) + (" (extrapolated)" if r.extrapolated else "")
        body.append([r.benchmark, r.peer, r.size, fmt_time(r.ours_s, r.per_item), peer_time,
                     fmt_ratio(r.ratio), r.agree])
    widths = [max(len(line[i]) for line in [header, *body]) for i in range(len(header))]

    def line(cells: list[str]) -> str:
        return "| " + " | ".join(c.ljust(w) for c, w in zip(cells, widths)) + " |"

    out = [line(header), "|" + "|".join("-" * (w + 2) for w in widths) + "|"]
    out += [line(cells) for cells in body]
    notes = [(r, n) for r in rows for n in r.notes]
    if notes:
        out.append("")
        out += [f"- {r.benchmark} vs {r.peer}: {n}" for r, n in notes]
    return "\n".join(out)


def note_ranges(rows: list[Row], names: list[str]) -> None:
    """Under the last row of each named benchmark, the range of its ratios over the mixes."""
    for name in names:
        named = [r for r in rows if r.benchmark == name and r.ratio is not None]
        if named:
            ratios = [r.ratio for r in named]
            named[-1].notes.append(f"{min(ratios):.1f}x to {max(ratios):.1f}x its peer over the {len(ratios)} mixes")


def mixes_main(doc: str, bench: Callable[[bool, int], list[Row]], header: str, rounds: int,
               argv: list[str] | None) -> int:
    """The command line of a script timing both sides over mixes: ``--quick``, ``--rounds``, ``--json``."""
    import argparse

    parser = argparse.ArgumentParser(description=doc.split("\n\n")[0])
    parser.add_argument("--quick", action="store_true")
    parser.add_argument("--rounds", type=int, default=rounds, help="interleaved rounds per side (best is reported)")
    parser.add_argument("--json", metavar="PATH")
    args = parser.parse_args(argv)
    rows = bench(args.quick, args.rounds)
    return finish(header, rows, all(r.ok for r in rows), args.json)


def finish(header: str, rows: list[Row], ok: bool, json_path: str | None) -> int:
    """Print a script's header and table, write its rows as JSON when asked; the exit code
    (1 when a number or output that must agree did not)."""
    import json
    from pathlib import Path

    print(header + "\n")
    print(render(rows))
    if json_path:
        Path(json_path).write_text(json.dumps([r.to_dict() for r in rows], indent=2) + "\n", encoding="utf-8")
    return 0 if ok else 1
