"""Test kit shipped with medmetrics, for built-in and third-party parsers and metrics alike.

- ``medmetrics.testing.conformance``: checks any parser or metric can run (never raises on any
  string, JSON-native results, merged shards equal the whole, permutation invariance, the CI
  contains the value, a stable signature).
- ``medmetrics.testing.choice_styles`` / ``label_styles``: Hypothesis strategies that render
  answers in the styles real models write, with the value each should parse to.
- ``medmetrics.testing.entity_styles``: Hypothesis strategies for BIO tag sequences and span
  sets (gold with predictions drawn close to it), for entity metrics.

Hypothesis is needed only by the strategies and ``check_parser_never_raises``
(``pip install medmetrics[test]``).
"""
