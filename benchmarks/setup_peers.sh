#!/usr/bin/env bash
# Create benchmarks/.venv-peers with the peers of the `choice` benchmark (OpenCompass, lm-eval).
#
#   bash benchmarks/setup_peers.sh [--fallback-archives]
#
# torch goes in first, from a local CPU wheel only (--no-index): if none is on this machine's
# find-links path, the script stops instead of letting pip fetch the multi-GB CUDA build.
# --fallback-archives also saves the two peers' wheels (no dependencies) to benchmarks/.cache,
# from which peer_choice.py can load just the postprocessing module if an import ever breaks.
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
venv="$here/.venv-peers"
python="${PYTHON:-python3}"

[ -x "$venv/bin/python" ] || "$python" -m venv "$venv"
pip=("$venv/bin/python" -m pip)
if ! "$venv/bin/python" -c "import torch" 2>/dev/null; then
    "${pip[@]}" install --no-index --no-deps torch==2.13.0 || {
        echo "no local CPU wheel of torch 2.13.0 found (pip find-links); refusing to download one" >&2
        exit 1
    }
    "${pip[@]}" install torch==2.13.0          # its small pure-Python dependencies
fi
"${pip[@]}" install -r "$here/requirements.txt"
"$venv/bin/python" - <<'PY'
import importlib.metadata as md
import torch
assert torch.__version__.endswith("+cpu"), f"expected the CPU build of torch, got {torch.__version__}"
from lm_eval.filters.extraction import MultiChoiceRegexFilter  # noqa: F401
from opencompass.utils.text_postprocessors import first_option_postprocess  # noqa: F401
print("peers ready:", ", ".join(f"{d} {md.version(d)}" for d in ("torch", "opencompass", "lm_eval")))
PY
if [ "${1:-}" = "--fallback-archives" ]; then
    "${pip[@]}" download --no-deps -d "$here/.cache" opencompass==0.5.4 lm_eval==0.4.13
fi
