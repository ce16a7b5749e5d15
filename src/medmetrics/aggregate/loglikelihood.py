"""Multiple-choice items scored by log-likelihoods (lm-eval ``output_type: multiple_choice``).

lm-evaluation-harness scores such a task without generating text: for each choice it asks the
model for the log-likelihood of the continuation ``<target_delimiter><choice>`` after the prompt,
and logs one ``[loglikelihood, is_greedy]`` pair per choice in ``filtered_resps``. From those
numbers, as lm-eval's ``ConfigurableTask.process_results`` computes them:

- ``acc``: the choice with the highest log-likelihood (``numpy.argmax``: the first of equal ones)
  is the answer (rule ``loglikelihood-argmax``);
- ``acc_norm``: the highest log-likelihood divided by the length in characters (``len(choice)``,
  Unicode code points) of the choice as ``doc_to_choice`` gives it, without the target delimiter
  (rule ``loglikelihood-acc-norm``).

Those answers become ``Parsed`` values (the option letter of a ``choice`` task, the label of a
``label`` task) and go through the task's own metrics, so CIs, paired tests and suite averages
are the usual ones. Beside them, the calibration of the choice probabilities:

**Expected calibration error** (``ece``). For item ``i`` with log-likelihoods ``l_i1..l_iK``, the
choice probabilities are ``p_ik = softmax(l_i)_k`` (lm-eval's ``prob_norm``), the confidence is
``c_i = max_k p_ik`` (the probability of the argmax answer) and ``a_i`` is 1 when the argmax
answer is the gold, else 0. The interval ``[0, 1]`` is cut into ``M = 10`` equal-width bins
``B_m = ((m - 1)/M, m/M]`` (``m = 1..M``; item ``i`` is in bin ``ceil(M c_i)``, at least 1), and

    ECE = sum_m |sum_{i in B_m} (c_i - a_i)| / N  =  sum_m (|B_m| / N) |conf(B_m) - acc(B_m)|

over the ``N`` items (Guo et al. 2017, equal-width bins, weighted by bin size). 0 is perfectly
calibrated; lower is better. Its bootstrap interval resamples items, as for any metric.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import replace
from typing import TYPE_CHECKING, Any, ClassVar

import numpy as np

from medmetrics.errors import InputError
from medmetrics.inputs.run import LoglikelihoodItems
from medmetrics.metrics.base import AdditiveMetric, Table
from medmetrics.results import MetricResult, Parsed, Report
from medmetrics.signatures import with_parser

if TYPE_CHECKING:
    from medmetrics.aggregate.suites import TaskScore
    from medmetrics.catalog.task import Task
    from medmetrics.inputs.run import TaskRun
    from medmetrics.plugins import Catalog

RULE_ACC = "loglikelihood-argmax"
RULE_ACC_NORM = "loglikelihood-acc-norm"


class ExpectedCalibrationError(AdditiveMetric):
    """Expected calibration error of the argmax answer's probability (module docstring: the
    definition). Predictions are each item's choice probabilities, references the gold index."""

    name = "ece"
    primary = "ece"
    higher_is_better = False
    defaults: ClassVar[dict[str, Any]] = {"bins": 10}

    def configure(self) -> None:
        bins = self.options["bins"]
        if isinstance(bins, bool) or not isinstance(bins, int) or bins < 1:
            raise InputError(f"metric 'ece': bins must be a positive integer, not {bins!r}")

    def item_stats(self, predictions: Sequence[Any], references: Sequence[Any]) -> tuple[list[str], np.ndarray]:
        bins = self.options["bins"]
        rows = np.zeros((len(predictions), 2 * bins + 2))
        for i, (probs, gold) in enumerate(zip(predictions, references)):
            if probs is None:
                raise InputError(f"metric 'ece': item {i} has no probabilities")
            values = np.asarray(probs, dtype=np.float64)
            confidence = float(values.max())
            correct = float(int(np.argmax(values)) == int(gold))
            m = min(max(math.ceil(bins * confidence), 1), bins) - 1
            rows[i, m] = 1.0
            rows[i, bins + m] = confidence - correct
            rows[i, 2 * bins] = confidence
            rows[i, 2 * bins + 1] = correct
        columns = [f"bin{m}" for m in range(bins)] + [f"gap{m}" for m in range(bins)] + ["confidence", "correct"]
        return columns, rows

    def from_totals(self, totals: Table, present: Table) -> dict[str, np.ndarray]:
        bins = self.options["bins"]
        n = totals["n"]
        gaps = sum(np.abs(totals[f"gap{m}"]) for m in range(bins))
        with np.errstate(divide="ignore", invalid="ignore"):
            return {"ece": gaps / n, "mean_confidence": totals["confidence"] / n, "accuracy": totals["correct"] / n}


def _values(task: Task, parser: Any, items: LoglikelihoodItems, where: str) -> list[tuple[Any, ...]]:
    """Each item's choices as the task's values: option letters (``choice``), declared labels
    (``label``); another kind of task cannot be scored from log-likelihoods."""
    from medmetrics.parsing.references import normalize_reference, reference_kind

    kind = reference_kind(parser)
    if kind == "choice":
        letters = "ABCDEFGHIJKLMNOPQRSTUVWXYZ"
        out = []
        for i, choices in enumerate(items.choices):
            if len(choices) > len(letters):
                raise InputError(f"{where}: item {i} has {len(choices)} choices; at most 26 have letters")
            out.append(tuple(letters[:len(choices)]))
        return out
    if kind == "label":
        cache: dict[tuple[str, ...], tuple[Any, ...]] = {}
        out = []
        for i, choices in enumerate(items.choices):
            if choices not in cache:
                cache[choices] = tuple(normalize_reference(parser, c, where=f"{where}: item {i}, choice {c!r}")
                                       for c in choices)
            out.append(cache[choices])
        return out
    raise InputError(f"{where}: log-likelihood samples can be scored for multiple-choice (parser 'choice') or "
                     f"label (parser 'label') tasks, not for task {task.name!r} (parser {task.parser!r})")


def loglikelihood_inputs(task: Task, parser: Any, run: TaskRun, *, normalized: bool = False
                         ) -> tuple[list[Parsed], list[Any]]:
    """A log-likelihood run's answers as ``Parsed`` values of the task (rule ``loglikelihood-argmax``,
    or ``loglikelihood-acc-norm`` when ``normalized``) and its references in the same form."""
    items = run.loglikelihood
    if items is None:
        raise InputError(f"task {task.name!r}: the run holds no log-likelihoods")
    where = f"task {task.name!r}" + (f" ({run.source})" if run.source else "")
    values = _values(task, parser, items, where)
    rule = RULE_ACC_NORM if normalized else RULE_ACC
    parsed = [Parsed(v[k], "ok", rule=rule, parser="lm-eval-loglikelihood")
              for v, k in zip(values, items.answers(normalized=normalized))]
    return parsed, [v[g] for v, g in zip(values, items.gold)]


def score_loglikelihood_task(task: Task, group: str, run: TaskRun, *, catalog: Catalog, ci: bool | float,
                             resamples: int, seed: int) -> TaskScore:
    """One log-likelihood task: the task's metrics on the argmax answers (the headline is the
    first, as for a generated run), ``acc_norm`` (accuracy of the length-normalized answers) and
    ``ece``, each with its interval."""
    from medmetrics.aggregate.suites import TaskScore, resample_values, task_seed
    from medmetrics.plugins import get_metric, get_parser

    items = run.loglikelihood
    assert items is not None
    own_seed = task_seed(seed, task.name)
    where = f"task {task.name!r}" + (f" ({run.source})" if run.source else "")
    parser = get_parser(task.parser, catalog=catalog, **dict(task.parser_options))
    parsed = {rule: loglikelihood_inputs(task, parser, run, normalized=rule == RULE_ACC_NORM)[0]
              for rule in (RULE_ACC, RULE_ACC_NORM)}
    references = loglikelihood_inputs(task, parser, run)[1]
    results: dict[str, MetricResult] = {}
    try:
        for name, (metric_name, options) in task.metrics.items():
            metric = get_metric(metric_name, catalog=catalog, **dict(options))
            result = metric.compute(parsed[RULE_ACC], references, ci=ci, resamples=resamples, seed=own_seed)
            results[name] = _signed(result, RULE_ACC)
        accuracy = get_metric("accuracy", catalog=catalog)
        results["acc_norm"] = _signed(accuracy.compute(parsed[RULE_ACC_NORM], references, ci=ci,
                                                       resamples=resamples, seed=own_seed), f"{RULE_ACC_NORM}(chars)")
        ece = ExpectedCalibrationError()
        results["ece"] = _signed(ece.compute(items.probabilities(), list(items.gold), ci=ci, resamples=resamples,
                                             seed=own_seed), RULE_ACC)
    except InputError as exc:
        raise InputError(f"{where}: {exc}") from None
    differ = lm_eval_agreement(items)
    for name, logged_as in ((next(iter(task.metrics)), "acc"), ("acc_norm", "acc_norm")):
        value = results[name].value
        checks = []
        if differ[logged_as]:
            checks.append(f"{differ[logged_as]} item(s) differ from the {logged_as} lm-eval logged for them: check the "
                          "target delimiter (results_<date>.json beside the samples gives it) and the choices")
        reported = items.reported.get(logged_as)
        if reported is not None and abs(reported - value) > 1e-9:
            checks.append(f"lm-eval's results file reports {logged_as} {reported:.6g} for this task, not {value:.6g}: "
                          "were the samples logged for every item (no --limit), and of the same run?")
        if checks:
            results[name] = replace(results[name], notes=(*results[name].notes, *checks))
    report = Report(results=results, parsed=tuple(parsed[RULE_ACC]), task=task.name,
                    parser=f"lm-eval-loglikelihood({RULE_ACC})")
    headline = next(iter(task.metrics))
    samples = None
    if ci is not False:
        metric_name, options = task.metrics[headline]
        metric = get_metric(metric_name, catalog=catalog, **dict(options))
        samples = resample_values(metric, metric.stats(parsed[RULE_ACC], references), resamples, own_seed)
    return TaskScore(task.name, group, "scored", headline=headline, report=report, samples=samples,
                     source=run.source)


def _signed(result: MetricResult, rule: str) -> MetricResult:
    return replace(result, signature=with_parser(result.signature, rule))


def lm_eval_agreement(items: LoglikelihoodItems) -> dict[str, int]:
    """How many items' ``acc``/``acc_norm`` differ from what lm-eval logged for them (0 when it
    logged nothing): a check that the log-likelihoods were read as lm-eval read them."""
    differ = {"acc": 0, "acc_norm": 0}
    for metric, answers in (("acc", items.answers()), ("acc_norm", items.answers(normalized=True))):
        for logged, answer, gold in zip(items.logged, answers, items.gold):
            if metric in logged and float(logged[metric]) != float(answer == gold):
                differ[metric] += 1
    return differ
