"""Registers the built-in metrics."""

from medmetrics.hookspecs import hookimpl
from medmetrics.metrics.answers import NormalizedMatch
from medmetrics.metrics.classification import F1, Accuracy
from medmetrics.metrics.correlation import Pearson, Spearman
from medmetrics.metrics.entities import EntityF1
from medmetrics.metrics.events import EventF1
from medmetrics.metrics.generation.bertscore import BertScore
from medmetrics.metrics.generation.bleu import Bleu, MedsBenchBleu
from medmetrics.metrics.generation.meteor import Meteor
from medmetrics.metrics.generation.rouge import MedsBenchRouge, Rouge
from medmetrics.metrics.pico import PicoTokenF1
from medmetrics.metrics.relations import Ned, RelationF1
from medmetrics.metrics.sequence import SeqevalF1


@hookimpl
def register_metrics(register):  # type: ignore[no-untyped-def]
    register(Accuracy, aliases=("acc", "exact_match"))
    register(F1, aliases=("prf1",))
    register(Pearson, aliases=("pearsonr",))
    register(Spearman, aliases=("spearmanr",))
    register(EntityF1)
    register(SeqevalF1)
    register(PicoTokenF1)
    register(RelationF1)
    register(Ned)
    register(Bleu, aliases=("sacrebleu",))
    register(MedsBenchBleu)
    register(Rouge, aliases=("rouge_score",))
    register(MedsBenchRouge)
    register(Meteor)
    register(BertScore, aliases=("bert_score",))
    register(NormalizedMatch)
    register(EventF1)
