"""The ``choice`` parser against OpenCompass ``first_option_postprocess`` and lm-eval's
``MultiChoiceRegexFilter`` on the same generated multiple-choice generations.

Our side runs here (the main venv); the peers run in ``benchmarks/.venv-peers`` through
``peer_choice.py`` as one subprocess, which returns their timings and raw outputs, so one run
still prints one table. The peers are wrong by design on some shapes of output (a loose
regex), so instead of asserting equality this reports how many items each peer reads
differently from us, three examples, and how often each reader finds the letter the
generation actually commits to (the generator knows it).
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import tempfile
from collections import Counter
from pathlib import Path
from typing import Any

from bench_common import Row, best_of
from bench_data import KINDS, LETTERS, ChoiceItem, choice_items

HERE = Path(__file__).resolve().parent
PEERS_PYTHON = Path(os.environ.get("MEDMETRICS_BENCH_PEERS_PYTHON", HERE / ".venv-peers" / "bin" / "python"))


def _ours(items: list[ChoiceItem], repeat: int, with_options: bool) -> tuple[float, list[str | None], list[Any]]:
    """Our parser on every generation: letters only, or with each question's option texts as context."""
    import medmetrics

    parser = medmetrics.get_parser("choice", letters=LETTERS)
    texts = [item.text for item in items]
    if with_options:
        options = [item.options for item in items]
        seconds, parsed = best_of(lambda: [parser.parse(t, options=o) for t, o in zip(texts, options)], repeat)
    else:
        seconds, parsed = best_of(lambda: [parser.parse(t) for t in texts], repeat)
    return seconds, [p.value if p.answered else None for p in parsed], parsed


def _run_peers(items: list[ChoiceItem], repeat: int) -> dict[str, Any]:
    if not PEERS_PYTHON.exists():
        reason = f"peers venv not found at {PEERS_PYTHON}; create it as benchmarks/README.md says"
        return {"opencompass": {"available": False, "error": reason}, "lm_eval": {"available": False, "error": reason}}
    with tempfile.TemporaryDirectory(prefix="medmetrics-bench-") as tmp:
        request, response = Path(tmp) / "in.json", Path(tmp) / "out.json"
        request.write_text(json.dumps({"texts": [i.text for i in items], "choices": [list(i.options) for i in items],
                                       "letters": LETTERS, "repeat": repeat}), encoding="utf-8")
        proc = subprocess.run([str(PEERS_PYTHON), str(HERE / "peer_choice.py"), str(request), str(response)],
                              capture_output=True, text=True, timeout=3600)
        if proc.returncode != 0 or not response.exists():
            reason = f"peer subprocess failed (exit {proc.returncode}): {proc.stderr.strip()[-500:]}"
            return {"opencompass": {"available": False, "error": reason}, "lm_eval": {"available": False,
                                                                                    "error": reason}}
        return json.loads(response.read_text(encoding="utf-8"))


def _norm_opencompass(value: str) -> str | None:
    return value if value in LETTERS and value else None


def _norm_lm_eval(value: str) -> str | None:
    # Targets look like "(B)"; the fallback is the string "[invalid]".
    if len(value) == 3 and value[0] == "(" and value[2] == ")":
        return value[1].upper()
    return None


def _short(text: str, head: int = 60, tail: int = 80) -> str:
    flat = text.replace("\n", "\\n")
    return flat if len(flat) <= head + tail + 3 else f"{flat[:head]} … {flat[-tail:]}"


def _examples(items: list[ChoiceItem], ours: list[str | None], peer: list[str | None], k: int = 3) -> list[str]:
    """Up to ``k`` disagreements of different kinds, taken in turn from three groups: the peer
    misreads a committed letter, the peer invents a letter where none was committed, and we
    are the one who is wrong (so our own misses are shown too, once the peer's are)."""
    groups: list[list[int]] = [[], [], []]
    for i, (item, o, p) in enumerate(zip(items, ours, peer)):
        if o == p:
            continue
        if o != item.intended:
            groups[2].append(i)
        elif item.intended is not None:
            groups[0].append(i)
        else:
            groups[1].append(i)
    picked: list[int] = []
    kinds: set[str] = set()
    while len(picked) < k and any(groups):
        for group in groups:
            while group and items[group[0]].kind in kinds:
                group.pop(0)
            if group and len(picked) < k:
                i = group.pop(0)
                picked.append(i)
                kinds.add(items[i].kind)
    return [f"[{items[i].kind}] {_short(items[i].text)!r} -> peer {peer[i]}, ours {ours[i]}, "
            f"committed {items[i].intended}" for i in picked]


def _per_kind(items: list[ChoiceItem], readers: dict[str, list[str | None]]) -> str:
    """A table: per kind of generation, how often each reader gets the committed letter (or none)."""
    names = list(readers)
    counts = Counter(item.kind for item in items)
    header = ["kind", "n", "committed to", *names]
    lines = []
    for kind, _ in KINDS:
        idx = [i for i, item in enumerate(items) if item.kind == kind]
        if not idx:
            continue
        committed = "none" if items[idx[0]].intended is None else "a letter"
        cells = [kind, str(counts[kind]), committed]
        for name in names:
            right = sum(readers[name][i] == items[i].intended for i in idx)
            cells.append(f"{100 * right / len(idx):.0f}%")
        lines.append(cells)
    total = ["all", str(len(items)), ""]
    for name in names:
        right = sum(r == item.intended for r, item in zip(readers[name], items))
        total.append(f"{100 * right / len(items):.1f}%")
    lines.append(total)
    widths = [max(len(r[i]) for r in [header, *lines]) for i in range(len(header))]

    def fmt(cells: list[str]) -> str:
        return "| " + " | ".join(c.ljust(w) for c, w in zip(cells, widths)) + " |"

    return "\n".join([fmt(header), "|" + "|".join("-" * (w + 2) for w in widths) + "|", *map(fmt, lines)])


def bench_choice(quick: bool) -> tuple[list[Row], str]:
    n = 2_000 if quick else 10_000
    repeat = 1 if quick else 3
    items = choice_items(n)
    size = f"{n:,} generations (~{sum(len(i.text) for i in items) // n} chars)"
    plain_t, plain, plain_parsed = _ours(items, repeat, with_options=False)
    texts_t, texts, texts_parsed = _ours(items, repeat, with_options=True)
    peers = _run_peers(items, repeat)
    readers: dict[str, list[str | None]] = {"ours": plain, "ours+texts": texts}
    rows = []
    # OpenCompass sees letters only, as we do in `parse(text)`; lm-eval's filter also gets each
    # question's option texts, so it is compared with `parse(text, options=...)`.
    for key, label, norm, ours_label, ours_t, ours in (
        ("opencompass", "OpenCompass first_option_postprocess", _norm_opencompass, "choice parser",
         plain_t, plain),
        ("lm_eval", "lm-eval MultiChoiceRegexFilter", _norm_lm_eval, "choice parser + option texts",
         texts_t, texts),
    ):
        info = peers.get(key, {"available": False, "error": "no report"})
        if not info.get("available"):
            row = Row(ours_label, label, size, ours_t, None, per_item=n, agree="peer skipped")
            row.notes.append(f"SKIPPED: {info.get('error')}")
            rows.append(row)
            continue
        theirs = [norm(v) for v in info["outputs"]]
        readers[label.split()[0]] = theirs
        differ = sum(o != p for o, p in zip(ours, theirs))
        row = Row(ours_label, label, size, ours_t, info["seconds"], per_item=n,
                  agree=f"differ on {differ:,} ({100 * differ / n:.1f}%)")
        row.notes.append(f"{info['how']}, version {info['version']}")
        if key == "lm_eval":
            row.notes.append("flexible-extract config of lm-eval's MMLU flan-CoT task: regex (\\([A-Z]\\)), "
                             "group_select=-1, ignore_case, ignore_punctuation; one apply() call on all items, "
                             f"which includes {info['per_call_overhead_seconds'] * 1e3:.0f} ms of per-call "
                             "setup (a punctuation table over every Unicode code point)")
        row.notes += [f"example: {e}" for e in _examples(items, ours, theirs)]
        rows.append(row)
    detail = ("choice: share of generations where each reader returns the letter the generation commits to "
              "(or no letter, for 'none of the above', prose and refusals); ours = parse(text), "
              "ours+texts = parse(text, options=<the 4 option texts>)\n\n" + _per_kind(items, readers))
    detail += "\n"
    for name, parsed in (("ours", plain_parsed), ("ours+texts", texts_parsed)):
        statuses = Counter(p.status for p in parsed)
        detail += f"\n{name} parse statuses: " + ", ".join(f"{k} {v}" for k, v in sorted(statuses.items()))
    if peers.get("heavy_modules_loaded"):
        detail += f"\nthe peers' process had imported: {', '.join(peers['heavy_modules_loaded'])} (by OpenCompass)"
    print(f"[choice] peers ran with {PEERS_PYTHON} (Python {peers.get('python', '?')})", file=sys.stderr)
    return rows, detail
