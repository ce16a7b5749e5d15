"""medmetrics inside an lm-evaluation-harness task: a task's parser as the filter, its metrics as
the metrics.

In a ``utils.py`` beside the task YAML::

    from medmetrics.aggregate.lm_eval_task import LmEvalTask

    pubmedqa = LmEvalTask("pubmedqa", reference="final_decision")
    parse = pubmedqa.filter                    # filter_list: function: custom, filter_fn: !function utils.parse
    process_results = pubmedqa.process_results # process_results: !function utils.process_results
    accuracy = pubmedqa.aggregation("accuracy")  # metric_list: metric: accuracy, aggregation: !function ...

The filter turns every generation into the parse's JSON form (value, status, reason), so the
samples lm-eval logs show why an answer was or was not read. ``process_results`` pairs each
parse with the document's reference, and each aggregation scores the pairs with the task's
metric, so corpus-level metrics (F1, Pearson) are computed over the whole set, as medmetrics
computes them, not averaged per item. Only ``generate_until`` tasks produce text to parse.
Nothing here imports lm-eval: it calls these functions.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from typing import Any

from medmetrics.errors import InputError
from medmetrics.results import ANSWERED


class LmEvalTask:
    """The filter, ``process_results`` and aggregations of one medmetrics task for lm-eval.

    ``reference`` is the document field holding the gold answer; ``context`` maps a parser
    context key to a document field (``{"options": "choices"}``). ``reference_format`` and
    ``index_base`` say how the reference is given, as in ``medmetrics.evaluate``: a multiple-choice
    gold given as the option's position (MedQA's ``label``, MedMCQA's ``cop``) needs
    ``reference_format="index"`` and ``index_base`` 0 or 1. Each reference is normalized against
    its own document's options (a letter in any case, an option's text, a label in any case) in
    ``process_results``; one that cannot be is an ``InputError`` naming the document.
    """

    def __init__(self, task: str, *, reference: str, context: Mapping[str, str] | None = None,
                 reference_format: str = "label", index_base: int | None = None) -> None:
        from medmetrics.parsing.references import check_reference_format
        from medmetrics.plugins import get_parser, get_task

        self.task = get_task(task)
        self.parser = get_parser(self.task.parser, **dict(self.task.parser_options))
        self.reference = reference
        self.context = dict(context or {})
        check_reference_format(reference_format, index_base)
        self.reference_format = reference_format
        self.index_base = index_base

    def _context(self, doc: Mapping[str, Any]) -> dict[str, Any]:
        missing = [field for field in self.context.values() if field not in doc]
        if missing:
            raise InputError(f"lm-eval document has no field(s) {missing}; its fields are: {sorted(doc)}")
        return {key: doc[field] for key, field in self.context.items()}

    def filter(self, resps: Sequence[Sequence[str]], docs: Sequence[Mapping[str, Any]]) -> list[dict[str, Any]]:
        """lm-eval ``custom`` filter: each document's first response, parsed (as ``take_first`` keeps
        the first of repeated samples)."""
        return [self.parser.parse(responses[0] if responses else "", **self._context(doc)).to_dict()
                for responses, doc in zip(resps, docs)]

    def process_results(self, doc: Mapping[str, Any], results: Sequence[Mapping[str, Any]]) -> dict[str, Any]:
        """One (parsed value or None, reference) pair per metric of the task, for the aggregations."""
        parsed = results[0]
        value = parsed["value"] if parsed["status"] in ANSWERED else None
        if isinstance(value, list):
            value = tuple(value)
        if self.reference not in doc:
            raise InputError(f"lm-eval document has no reference field {self.reference!r}; its fields are: "
                             f"{sorted(doc)}")
        return dict.fromkeys(self.task.metrics, (value, self._reference(doc)))

    def _reference(self, doc: Mapping[str, Any]) -> Any:
        """The document's reference, converted (``reference_type``) and normalized against its options."""
        from medmetrics.inputs.files import coerce
        from medmetrics.parsing.references import normalize_reference

        where = f"lm-eval document {_doc_name(doc)}: reference field {self.reference!r}"
        reference = coerce([doc[self.reference]], self.task.reference_type, what=where)[0]
        return normalize_reference(self.parser, reference, self._context(doc), where=f"{where}, value",
                                   reference_format=self.reference_format, index_base=self.index_base)

    def aggregation(self, name: str) -> Callable[[Sequence[tuple[Any, Any]]], float]:
        """The aggregation of result ``name``: the task's metric over every (parse, reference) pair."""
        from medmetrics.plugins import get_metric

        if name not in self.task.metrics:
            raise InputError(f"task {self.task.name!r} has no metric {name!r}; it defines {sorted(self.task.metrics)}")
        metric_name, options = self.task.metrics[name]
        metric = get_metric(metric_name, **dict(options))

        def aggregate(items: Sequence[tuple[Any, Any]]) -> float:
            # references were converted and normalized per document, in process_results
            return metric.compute([p for p, _ in items], [r for _, r in items]).value

        aggregate.__name__ = f"medmetrics_{self.task.name}_{name}"
        return aggregate


def _doc_name(doc: Mapping[str, Any]) -> str:
    """A document's id where it has one (``id``, ``doc_id``, ``qid``), else its fields."""
    for key in ("id", "doc_id", "qid", "question_id", "pubid"):
        if key in doc:
            return f"{key}={doc[key]!r:.40}"
    return f"with fields {sorted(doc)}"
