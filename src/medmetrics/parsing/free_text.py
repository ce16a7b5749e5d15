"""Free text for the generation metrics (BLEU, ROUGE, METEOR, BERTScore): the answer is the prose.

Nothing is extracted, so nothing can be misread: the value is the generation itself with
reasoning blocks (``<think>``, also unclosed) and chat-template tokens (``</s>``, ``<|eot_id|>``)
blanked out and the ends stripped. Markdown is
kept, since it is part of what the model wrote and the references may hold it too.
"""

from __future__ import annotations

from collections.abc import Mapping

from medmetrics.parsing.base import Parser
from medmetrics.parsing.engine import unanswered
from medmetrics.parsing.text import mask_reasoning, mask_template_tokens
from medmetrics.results import Parsed


class TextParser(Parser):
    """The generation as the answer, reasoning removed; ``empty`` or ``failed`` when nothing is left."""

    name = "text"
    version = "2"  # 2: chat-template tokens blanked

    def read(self, text: str, settings: Mapping[str, object]) -> Parsed:
        untemplated = mask_template_tokens(text)
        masked, unclosed = mask_reasoning(untemplated)
        answer = masked.strip()
        if not answer:
            why = "only an unfinished reasoning block" if unclosed else "only a reasoning block, no answer"
            return unanswered(text, why)
        start = masked.index(answer[0])
        rule = "whole-text" if masked == text else "template-removed" if masked == untemplated else "reasoning-removed"
        return Parsed(answer, "ok", rule=rule, span=(start, start + len(answer)))
