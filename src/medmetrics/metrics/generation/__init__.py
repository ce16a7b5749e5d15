"""Generation metrics (BLEU, ROUGE, METEOR, BERTScore): optional dependencies, imported lazily."""
