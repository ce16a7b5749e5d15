"""Hypothesis texts for the generation-metric tests: biomedical words, non-ASCII, sentence breaks."""

from __future__ import annotations

from hypothesis import strategies as st

WORDS = ("the", "a", "patient", "patients", "treated", "treatment", "running", "fever", "rash", "β-blocker",
         "IL-6", "1.5", "mg", "µg", "Ärzte", "café", "发烧", "患者", "治療", "は", "лечение", "of", "with", "no",
         "Dr.", "cough", "coughing", "'s", "(", ")", ",", ".", "?", "!", "—")
SEPARATORS = (" ", " ", " ", "\n", ". ", "  ", "\t", "")

words = st.sampled_from(WORDS) | st.text(min_size=1, max_size=6)
texts = st.lists(st.tuples(words, st.sampled_from(SEPARATORS)), max_size=30).map(
    lambda parts: "".join(w + s for w, s in parts))
pairs = st.lists(st.tuples(texts, texts), min_size=1, max_size=8)
