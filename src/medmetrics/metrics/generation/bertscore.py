"""BERTScore (Zhang et al. 2020) as the bert-score package computes it, with a local model only.

Definition (bert-score's ``score()`` with ``idf=False``; equal to it to 1e-6 on generated texts):
each text is encoded by the model truncated to ``num_layers`` layers; with token embeddings
normalized, precision is the mean over the prediction's tokens of the best cosine similarity to
any reference token, recall the same the other way round, F1 their harmonic mean. ``[CLS]`` and
``[SEP]`` (the model's own special tokens) weigh 0 in the means but can be matched, as in
bert-score. Several references: the best precision, recall and F1 over them, each taken on its own
(as bert-score does, so the three may come from different references).

Policies, written down:

- The model is a local directory (``model_path``); nothing is ever downloaded: the hub is switched off
  (``HF_HUB_OFFLINE``, ``TRANSFORMERS_OFFLINE``) and files are loaded with ``local_files_only``.
- ``num_layers`` is given, or looked up in bert-score's table of tuned layers under
  ``model_type`` (the hub name the weights are a copy of, such as ``roberta-large``), which
  defaults to the directory's name (or ``org/name`` for a Hugging Face cache directory
  ``models--org--name``). A model the table does not know needs ``num_layers``: an ``InputError``,
  never bert-score's ``KeyError``.
- Long texts are not truncated (bert-score cuts at the model's limit, usually 512 tokens,
  silently). A text longer than ``max_length`` tokens (default: the tokenizer's limit) is split
  into sentences (after ``.``, ``!`` or ``?`` followed by white space, and at line breaks), each
  tokenized on its own; consecutive sentences are packed into chunks of at most ``max_length``
  tokens (a longer sentence is cut into pieces of that size) and each chunk is encoded on its own,
  with its special tokens. The text's token embeddings are those of all its chunks, concatenated,
  and the matching above runs over all of them: every token of a long text counts. A text that fits
  is encoded exactly as bert-score encodes it.
- An empty prediction or reference (after stripping white space) scores 0 for precision, recall
  and F1, as in bert-score; an unanswered prediction (``None``) is scored as the empty text. A
  text whose tokens all weigh 0 (say, the literal text "[SEP]") also scores 0, where bert-score
  returns NaN.
- ``baseline_path``: a bert-score baseline file (CSV: a header, then one row per layer with the
  layer and the P, R and F baselines b); each score x becomes (x - b) / (1 - b), as with
  bert-score's ``rescale_with_baseline``. Rescaled scores can be negative.
- IDF weighting is not offered: it makes an item's score depend on every other reference in the
  corpus, which breaks shard merging and resampling.
"""

from __future__ import annotations

import contextlib
import csv
import functools
import os
import re
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any, ClassVar

import numpy as np

from medmetrics.errors import InputError
from medmetrics.metrics.base import Metric, Table, ratio
from medmetrics.metrics.generation import require
from medmetrics.metrics.generation.pairs import installed_versions, text_pairs
from medmetrics.options import Options, at_least, option
from medmetrics.signatures import Signature

#: sentence ends and line breaks; a blank run is tried once, from its start ((?<!\s)), so a long run
#: without a line break costs linear time, not a failed scan from each of its characters
_SENTENCE_BREAK = re.compile(r"(?<=[.!?])\s+|(?<!\s)\s*\n\s*")
_COMPONENTS = ("precision", "recall", "f1")


_OFFLINE_VARIABLES = ("HF_HUB_OFFLINE", "TRANSFORMERS_OFFLINE")


@contextlib.contextmanager
def _hub_switched_off() -> Iterator[None]:
    """The Hugging Face hub switched off while the libraries import (they read these variables
    then), and the caller's environment as it was afterwards. Models load with
    ``local_files_only=True``, so nothing reaches the network later either."""
    saved = {name: os.environ.get(name) for name in _OFFLINE_VARIABLES}
    os.environ.update(dict.fromkeys(_OFFLINE_VARIABLES, "1"))
    try:
        yield
    finally:
        for name, value in saved.items():
            if value is None:
                os.environ.pop(name, None)
            else:
                os.environ[name] = value


def _offline_modules() -> tuple[Any, Any, Any]:
    """torch, transformers and bert_score.utils, imported with the hub switched off."""
    with _hub_switched_off():
        torch = require("torch", "metric 'bertscore'", extra="bertscore")
        transformers = require("transformers", "metric 'bertscore'", extra="bertscore")
        utils = require("bert_score.utils", "metric 'bertscore'", extra="bertscore")
    return torch, transformers, utils


def table_name(model: Path) -> str:
    """The hub name a local model directory stands for: ``org/name`` from a Hugging Face cache
    directory (``models--org--name/snapshots/<hash>``), else the directory's own name."""
    for part in reversed(model.parts):
        if part.startswith("models--"):
            return part[len("models--"):].replace("--", "/")
    return model.name


def tuned_layers(model_type: str) -> int:
    """bert-score's tuned layer for ``model_type``; an ``InputError`` if its table has none."""
    table = _offline_modules()[2].model2layers
    if model_type not in table:
        raise InputError(f"metric 'bertscore': bert-score has no tuned layer for model type {model_type!r}; pass "
                         "num_layers (or model_type=<the hub name these weights are a copy of>)")
    return int(table[model_type])


def _truncated(model: Any, num_layers: int, torch: Any) -> Any:
    """The model's encoder cut to its first ``num_layers`` layers, as bert-score cuts it."""
    if hasattr(model, "decoder") and hasattr(model, "encoder"):
        model = model.encoder
    encoder: Any = getattr(model, "encoder", None)
    if hasattr(encoder, "albert_layer_groups"):
        if not 0 <= num_layers <= encoder.config.num_hidden_layers:
            raise InputError(f"metric 'bertscore': num_layers must be between 0 and "
                             f"{encoder.config.num_hidden_layers}, not {num_layers}")
        encoder.config.num_hidden_layers = num_layers
        return model
    for owner, attribute in ((model, "layer"), (encoder, "layer"), (encoder, "block"),
                             (getattr(model, "transformer", None), "layer"), (model, "layers")):
        layers = getattr(owner, attribute, None)
        if isinstance(layers, torch.nn.ModuleList):
            if not 0 <= num_layers <= len(layers):
                raise InputError(f"metric 'bertscore': num_layers must be between 0 and {len(layers)}, "
                                 f"not {num_layers}")
            setattr(owner, attribute, torch.nn.ModuleList(list(layers)[:num_layers]))
            return model
    raise InputError(f"metric 'bertscore': cannot find the layers of a {type(model).__name__} to cut")


@functools.lru_cache(maxsize=2)
def load_model(model: str, num_layers: int, fast_tokenizer: bool, device: str | None) -> tuple[Any, Any, str]:
    """(tokenizer, truncated model in eval mode, device) from local files only."""
    torch, transformers, _ = _offline_modules()
    tokenizer = transformers.AutoTokenizer.from_pretrained(model, use_fast=fast_tokenizer, local_files_only=True)
    encoder = _truncated(transformers.AutoModel.from_pretrained(model, local_files_only=True), num_layers, torch)
    device = device or ("cuda" if torch.cuda.is_available() else "cpu")
    encoder.to(device)
    encoder.eval()
    return tokenizer, encoder, device


def read_baseline(path: str, num_layers: int) -> np.ndarray:
    """The (P, R, F) baselines of layer ``num_layers`` from a bert-score baseline file."""
    try:
        with open(path, encoding="utf-8", newline="") as handle:
            rows = list(csv.reader(handle))[1:]
        return np.asarray([float(x) for x in rows[num_layers][1:4]], dtype=np.float32)
    except (OSError, IndexError, ValueError) as exc:
        raise InputError(f"metric 'bertscore': baseline_path {path!r} has no P, R, F baseline for layer "
                         f"{num_layers} ({type(exc).__name__}: {exc})") from exc


class Encoder:
    """Token ids of texts (chunked when too long) and their embeddings, each computed once."""

    def __init__(self, tokenizer: Any, model: Any, device: str, max_length: int, batch_size: int) -> None:
        self.torch, transformers, self.utils = _offline_modules()
        self.tokenizer, self.model, self.device = tokenizer, model, device
        self.max_length, self.batch_size = max_length, batch_size
        self.specials = {tokenizer.cls_token_id, tokenizer.sep_token_id}
        byte_level = (transformers.GPT2Tokenizer, transformers.RobertaTokenizer)
        self._prefix = {"add_prefix_space": True} if isinstance(tokenizer, byte_level) else {}
        self._before, self._after = self._special_template()
        self._embeddings: dict[tuple[int, ...], Any] = {}

    def _special_template(self) -> tuple[list[int], list[int]]:
        """The special tokens the tokenizer puts before and after one text's tokens (read off an
        encoded probe: transformers 5 dropped ``build_inputs_with_special_tokens`` from some
        tokenizers, which bert-score 0.3.13 still calls for an empty text)."""
        plain = self._ids("a")
        full = list(self.tokenizer.encode("a", add_special_tokens=True, **self._prefix))
        for start in range(len(full) - len(plain) + 1):
            if full[start:start + len(plain)] == plain:
                return full[:start], full[start + len(plain):]
        raise InputError(f"metric 'bertscore': cannot tell where {type(self.tokenizer).__name__} puts its special "
                         "tokens")

    def with_specials(self, ids: list[int]) -> tuple[int, ...]:
        return (*self._before, *ids, *self._after)

    def chunks(self, text: str) -> list[tuple[int, ...]]:
        """The model inputs of one text: bert-score's encoding if it fits, else sentence chunks."""
        text = text.strip()
        capacity = self.max_length - len(self._before) - len(self._after)
        if not text:
            return [self.with_specials([])]
        if len(self._ids(text)) <= capacity:
            return [tuple(self.utils.sent_encode(self.tokenizer, text))]
        pieces: list[list[int]] = [[]]
        for sentence in _SENTENCE_BREAK.split(text):
            ids = self._ids(sentence)
            for start in range(0, len(ids), capacity):
                piece = ids[start:start + capacity]
                if len(pieces[-1]) + len(piece) > capacity:
                    pieces.append([])
                pieces[-1].extend(piece)
        return [self.with_specials(p) for p in pieces if p]

    def _ids(self, text: str) -> list[int]:
        if not text:
            return []
        return list(self.tokenizer.encode(text, add_special_tokens=False, verbose=False, **self._prefix))

    def embed(self, sequences: Sequence[tuple[int, ...]]) -> None:
        """Encode the sequences not seen yet, longest first, ``batch_size`` at a time."""
        todo = sorted({s for s in sequences if s not in self._embeddings}, key=len, reverse=True)
        pad = self.tokenizer.pad_token_id if self.tokenizer.pad_token_id is not None else 0
        for start in range(0, len(todo), self.batch_size):
            batch = todo[start:start + self.batch_size]
            padded, lengths, mask = self.utils.padding([list(s) for s in batch], pad)
            output = self.utils.bert_encode(self.model, padded.to(self.device), attention_mask=mask.to(self.device))
            for k, sequence in enumerate(batch):
                self._embeddings[sequence] = output[k, : int(lengths[k])].float().cpu()

    def tokens(self, chunks: Sequence[tuple[int, ...]]) -> tuple[Any, Any]:
        """The normalized token embeddings of one text (all chunks) and the tokens' weights."""
        embedding = self.torch.cat([self._embeddings[c] for c in chunks], dim=0)
        embedding = embedding / self.torch.norm(embedding, dim=-1).unsqueeze(-1)
        weights = self.torch.tensor([0.0 if t in self.specials else 1.0 for c in chunks for t in c])
        return embedding, weights


def greedy_match(hypothesis: tuple[Any, Any], reference: tuple[Any, Any]) -> tuple[float, float, float]:
    """Precision, recall and F1 of one pair of (embeddings, weights); 0 for an empty side."""
    (hyp, hyp_weights), (ref, ref_weights) = hypothesis, reference
    if len(hyp_weights) <= 2 or len(ref_weights) <= 2 or hyp_weights.sum() == 0 or ref_weights.sum() == 0:
        return 0.0, 0.0, 0.0  # only the special tokens: an empty text
    similarity = hyp @ ref.T
    precision = float((similarity.max(dim=1)[0] * (hyp_weights / hyp_weights.sum())).sum())
    recall = float((similarity.max(dim=0)[0] * (ref_weights / ref_weights.sum())).sum())
    f1 = 2 * precision * recall / (precision + recall) if precision + recall != 0 else 0.0
    return precision, recall, f1


@dataclass(frozen=True)
class BertScoreOptions(Options):
    #: ``model`` was this option's name; on the CLI ``--model`` names a model of a run folder
    renamed: ClassVar[Mapping[str, str]] = {"model": "model_path"}
    signature_names: ClassVar[Mapping[str, str]] = {"model_path": "model"}

    model_path: str | os.PathLike[str] | None = option(
        None, "a local model directory (config, weights, tokenizer); required")
    model_type: str | None = option(
        None, "the name to look num_layers up under in bert-score's table; default: the directory's name")
    num_layers: int | None = option(
        None, "the layer whose embeddings are used; default: bert-score's tuned layer", check=at_least(0))
    baseline_path: str | os.PathLike[str] | None = option(
        None, "a bert-score baseline file: scores are rescaled with the baselines of num_layers")
    batch_size: int = option(64, "texts encoded per forward pass", check=at_least(1))
    device: str | None = option(None, "cpu, cuda, cuda:1, ...; default: CUDA when available")
    max_length: int | None = option(
        None, "tokens per encoded chunk, special tokens included; default: the tokenizer's limit", check=at_least(3))
    fast_tokenizer: bool = option(False, "the Rust tokenizer (bert-score's use_fast_tokenizer)")


class BertScore(Metric):
    """BERTScore precision, recall and F1 per item, from a local model; mean over items."""

    name = "bertscore"
    primary = "f1"
    options_class = BertScoreOptions
    stats_in_workers = False  # one model, batched and threaded by torch, in the calling process

    def configure(self) -> None:
        o = self.options
        if o["model_path"] is None:
            raise InputError("metric 'bertscore' needs model_path=<a local model directory> (config, weights, "
                             "tokenizer); it never downloads one")
        model = Path(o["model_path"]).expanduser()
        if not (model / "config.json").is_file():
            raise InputError(f"metric 'bertscore': model_path={o['model_path']!r} is not a local model directory "
                             "(no config.json); models are never downloaded")
        o["model_path"] = str(model.resolve())
        if o["num_layers"] is None:
            o["model_type"] = o["model_type"] or table_name(Path(o["model_path"]))
            o["num_layers"] = tuned_layers(o["model_type"])
        if o["baseline_path"] is not None:
            o["baseline_path"] = str(Path(o["baseline_path"]).expanduser().resolve())
            self._baseline: np.ndarray | None = read_baseline(o["baseline_path"], o["num_layers"])
        else:
            self._baseline = None
        self._encoder: Encoder | None = None

    def describe(self) -> Signature:
        return replace(super().describe(), installed=(installed_versions("bert-score", "transformers", "torch"),))

    def encoder(self) -> Encoder:
        """The tokenizer and model, loaded on first use."""
        if self._encoder is None:
            o = self.options
            tokenizer, model, device = load_model(o["model_path"], o["num_layers"], o["fast_tokenizer"], o["device"])
            limit = tokenizer.model_max_length
            if limit > 100_000:  # the tokenizer declares no limit: the model's positions are it
                limit = model.config.max_position_embeddings
            if o["max_length"] is not None:
                if o["max_length"] > limit:
                    raise InputError(f"metric 'bertscore': max_length={o['max_length']} exceeds the model's "
                                     f"limit of {limit} tokens")
                limit = o["max_length"]
            self._encoder = Encoder(tokenizer, model, device, limit, o["batch_size"])
        return self._encoder

    def item_stats(self, predictions: Sequence[Any], references: Sequence[Any]) -> tuple[list[str], np.ndarray]:
        grouped = text_pairs(self.name, predictions, references)
        encoder = self.encoder()
        texts = {text for group in grouped for text in group} | {p or "" for p in predictions}
        chunks = {text: encoder.chunks(text) for text in texts}
        encoder.embed([c for text_chunks in chunks.values() for c in text_chunks])
        tokens = {text: encoder.tokens(text_chunks) for text, text_chunks in chunks.items()}
        rows = np.zeros((len(grouped), len(_COMPONENTS)))
        for i, (prediction, group) in enumerate(zip(predictions, grouped)):
            best = np.asarray([greedy_match(tokens[prediction or ""], tokens[ref]) for ref in group],
                              dtype=np.float32).max(axis=0)
            rows[i] = best if self._baseline is None else (best - self._baseline) / (1 - self._baseline)
        return list(_COMPONENTS), rows

    def score(self, table: Table, weights: np.ndarray) -> dict[str, np.ndarray]:
        totals = weights @ table.rows
        n = totals[:, table.columns.index("n")]
        return {c: ratio(totals[:, table.columns.index(c)], n, np.nan) for c in _COMPONENTS}


