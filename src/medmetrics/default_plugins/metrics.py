"""Registers the built-in metrics."""

from medmetrics.hookspecs import hookimpl
from medmetrics.metrics.classification import F1, Accuracy
from medmetrics.metrics.correlation import Pearson, Spearman
from medmetrics.metrics.entities import EntityF1
from medmetrics.metrics.generation.bertscore import BertScore
from medmetrics.metrics.generation.meteor import Meteor
from medmetrics.metrics.sequence import SeqevalF1


@hookimpl
def register_metrics(register):  # type: ignore[no-untyped-def]
    register(Accuracy, aliases=("acc", "exact_match"))
    register(F1, aliases=("prf1",))
    register(Pearson, aliases=("pearsonr",))
    register(Spearman, aliases=("spearmanr",))
    register(EntityF1)
    register(SeqevalF1)
    register(Meteor)
    register(BertScore, aliases=("bert_score",))
