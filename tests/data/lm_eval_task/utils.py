"""The lm-eval hooks of pubmedqa_medmetrics.yaml, from medmetrics' pubmedqa task."""

from medmetrics.aggregate.lm_eval_task import LmEvalTask

pubmedqa = LmEvalTask("pubmedqa", reference="final_decision")
parse = pubmedqa.filter
process_results = pubmedqa.process_results
accuracy = pubmedqa.aggregation("accuracy")
f1_macro = pubmedqa.aggregation("f1_macro")
