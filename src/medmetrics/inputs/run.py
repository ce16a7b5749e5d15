"""A task's inputs as a run gives them: generations (or, for an lm-eval ``multiple_choice`` run,
log-likelihoods), references, per-item context, and where each item was read."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from medmetrics.errors import InputError


@dataclass(frozen=True)
class LoglikelihoodItems:
    """Per item: the choices' log-likelihoods, the choices (without the target delimiter), the
    gold choice's index, and what lm-eval logged for the item (``acc``/``acc_norm``, or None)."""

    loglikelihoods: tuple[tuple[float, ...], ...]
    choices: tuple[tuple[str, ...], ...]
    gold: tuple[int, ...]
    logged: tuple[Mapping[str, float], ...] = ()
    #: the task's ``acc``/``acc_norm`` in the run's ``results_<date>.json``, where it is there
    reported: Mapping[str, float] = field(default_factory=dict)

    def __len__(self) -> int:
        return len(self.gold)

    def answers(self, normalized: bool = False) -> list[int]:
        """Each item's chosen index: argmax of the log-likelihoods, or of them divided by the
        choices' lengths in characters (lm-eval's ``acc_norm``)."""
        out = []
        for lls, choices in zip(self.loglikelihoods, self.choices):
            values = np.asarray(lls, dtype=np.float64)
            if normalized:
                values = values / np.array([float(len(c)) for c in choices])
            out.append(int(np.argmax(values)))
        return out

    def probabilities(self) -> list[tuple[float, ...]]:
        """Each item's softmax of its log-likelihoods (lm-eval's ``prob_norm``)."""
        out = []
        for lls in self.loglikelihoods:
            values = np.asarray(lls, dtype=np.float64)
            e = np.exp(values - np.max(values))
            out.append(tuple((e / e.sum()).tolist()))
        return out


class NoGenerations(Sequence[str]):
    """The generations of a log-likelihood run: as many as there are items, and none to read.

    Code that parses generations gets an ``InputError`` saying why, never a silent empty text.
    """

    def __init__(self, n: int, source: str) -> None:
        self.n, self.source = n, source

    def __len__(self) -> int:
        return self.n

    def __getitem__(self, index: Any) -> Any:
        raise InputError(f"{self.source}: these are log-likelihood samples (lm-eval multiple_choice): there is no "
                         "generated text to parse or audit; `medmetrics score` and `medmetrics compare` read the "
                         "log-likelihoods")

    def __iter__(self) -> Any:
        return self.__getitem__(0)


@dataclass(frozen=True)
class TaskRun:
    """One task's inputs from a run: generations, references, and per-item (or shared) context.

    A log-likelihood run (lm-eval ``multiple_choice`` samples) has ``loglikelihood`` instead of
    text: its ``generations`` cannot be read (an ``InputError`` says why), its references are the
    gold choices' indices, and it is scored from the log-likelihoods.
    """

    task: str
    generations: Sequence[str]
    references: Sequence[Any]
    context: Mapping[str, Any] | Sequence[Mapping[str, Any]] | None = None
    source: str = ""
    loglikelihood: LoglikelihoodItems | None = field(default=None, repr=False, compare=False)
    #: where each item was read (``PATH:LINE: record N``), for errors about one item
    places: Sequence[str] | None = field(default=None, repr=False, compare=False)
