"""Registers the built-in metrics, by reference: a metric's module is imported when the metric is
first asked for, so ``get_metric("f1")`` does not pay for ROUGE's stemmer or BLEU's tokenizers."""

from medmetrics.hookspecs import hookimpl


@hookimpl
def register_metrics(register):  # type: ignore[no-untyped-def]
    register("medmetrics.metrics.classification:Accuracy", name="accuracy", aliases=("acc", "exact_match"))
    register("medmetrics.metrics.classification:F1", name="f1", aliases=("prf1",))
    register("medmetrics.metrics.correlation:Pearson", name="pearson", aliases=("pearsonr",))
    register("medmetrics.metrics.correlation:Spearman", name="spearman", aliases=("spearmanr",))
    register("medmetrics.metrics.entities:EntityF1", name="entity_f1")
    register("medmetrics.metrics.sequence:SeqevalF1", name="seqeval")
    register("medmetrics.metrics.pico:PicoTokenF1", name="pico_token_f1")
    register("medmetrics.metrics.relations:RelationF1", name="relation_f1")
    register("medmetrics.metrics.relations:Ned", name="ned")
    register("medmetrics.metrics.generation.bleu:Bleu", name="bleu", aliases=("sacrebleu",))
    register("medmetrics.metrics.generation.bleu:MedsBenchBleu", name="meds_bench_bleu")
    register("medmetrics.metrics.generation.rouge:Rouge", name="rouge", aliases=("rouge_score",))
    register("medmetrics.metrics.generation.rouge:MedsBenchRouge", name="meds_bench_rouge")
    register("medmetrics.metrics.generation.meteor:Meteor", name="meteor")
    register("medmetrics.metrics.generation.bertscore:BertScore", name="bertscore", aliases=("bert_score",))
    register("medmetrics.metrics.answers:NormalizedMatch", name="normalized_match")
    register("medmetrics.metrics.events:EventF1", name="event_f1")
