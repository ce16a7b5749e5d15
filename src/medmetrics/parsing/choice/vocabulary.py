"""The words and patterns the choice parsers read with: letters, anchors, lines, "none", negation.

Everything here is data or a regex compiled once at import; the reading engine (``reader``)
decides where to apply them.
"""

from __future__ import annotations

import re
from collections.abc import Sequence

# --- the letter grammar -------------------------------------------------------------------

# A letter alone: "(B)", "[B]", "（B）", or a bare "B" not glued to a word ("B12", "B-cell",
# "B's", "N/A", "e.g.").
TOKEN = re.compile(
    r"[(\[（【][ \t]*([A-Za-z])[ \t]*[)\]）】]"
    r"|([A-Za-z])(?![A-Za-z0-9_\u00C0-\u024F\-/]|['’][A-Za-z]|\.[A-Za-z0-9])"
)
# Between two items of a list: "A, C", "A and C", "A, or C", "A 和 C".
SEPARATOR = re.compile(
    r"[ \t]*(?:[,，、;&]|和|或|\band\b|\bor\b)[ \t]*(?:(?:and|or)[ \t]+)?(?:(?:maybe|possibly|perhaps)[ \t]+)?",
    re.IGNORECASE,
)
SEPARATOR_STARTS = frozenset(" \t,，、;&和或")
#: An article before a line that is otherwise an option's text ("The fever").
ARTICLES = frozenset(("a", "an", "the"))
# Bracketed letters in a row are a list too: "(A) (E) (G)", BioMistral-NLU's HoC answers.
BRACKETED_NEXT = re.compile(r"[ \t]+(?=[(\[（【][ \t]*[A-Za-z][ \t]*[)\]）】])")
# The word after a bare letter ("A patient", "B because").
NEXT_WORD = re.compile(r"[ \t]+([^\s]{1,40})")
# A letter followed by a description: "B. fever", "B) fever", "B: fever", "(B) fever", "B - fever".
DESCRIPTION = re.compile(r"[ \t]*(?:[.):：][ \t]*|[-–—][ \t]+)?(?=[^\s.,;])")
# Words that cannot follow the article "a", so "A because ..." is the letter A.
CONNECTIVES = frozenset({
    "because", "since", "as", "and", "or", "but", "which", "that", "for", "with", "in", "of", "from", "due",
    "given", "so", "then", "while", "whereas", "here", "on", "per", "based", "according", "considering",
    "over", "than", "instead",
})


# --- anchors ------------------------------------------------------------------------------

# Keywords that may start (or end) an answer statement, searched in the lowercased text.
TRIGGERS = (
    "answer", "ans:", "ans.", "ans ", "correct", "right", "best", "true", "better", "preferred", "most", "choose",
    "select", "pick", "go with", "opt for", "my ", "therefore", "thus", "hence", "so", "conclusion", "summary",
    "could be", "might be", "may be", "either", "between", "it is", "it's", "it’s", "most likely has",
    "most likely is", "is most likely", "consistent with", "suggestive of", "diagnosis is",
)
# Trigger words that may end a claim: "B is correct", "A is better".
CLAIMS = frozenset({"correct", "right", "best", "true", "better", "preferred", "answer"})
# "Therefore, B.", "So A.": the letter must stand alone (no "Therefore A patient ...").
CONCLUSIONS = frozenset({"therefore", "thus", "hence", "so", "conclusion", "summary"})
# "It could be A or C", "I think it's B", "most likely has <option text>": weak anchors, read only
# when nothing firmer is said. An option text merely named in prose is not an answer for
# ``choice`` (models name distractors while reasoning: "Although B12 deficiency is possible").
WEAK = frozenset({"could be", "might be", "may be", "either", "between", "it is", "it's", "it’s", "most likely has",
                   "most likely is", "is most likely", "consistent with", "suggestive of", "diagnosis is"})
# Anchors that state an answer outright ("the answer is", "I choose", "答案是"), beside claims
# ("the most likely cause is", "B is correct", "Therefore, B") that reasoning makes on the way.
FIRM_ANCHORS = frozenset({"answer", "ans:", "ans.", "ans ", "choose", "select", "pick", "go with", "opt for", "my ",
                          "答案", "选", "選"})
# Anchors that are the keyword itself: the answer follows it directly.
BARE_ANCHORS = CONCLUSIONS | WEAK | {"ans:"}
CHINESE_TRIGGERS = ("答案", "选", "選")
# "The answer is" in the languages of MMedBench (fr, es, ru, ja, zh above) and a few neighbours:
# the keyword (lowercased), then the words that make it an answer statement. The option letters
# are Latin in all of them; an article before the letter ("la B", "le C") is read past.
FOREIGN_ANSWERS = {
    "réponse": re.compile(r"réponse(?:\s+(?:correcte|finale|juste|exacte))?\s*(?:est|:|：)(?:\s+(?:la|le|l['’]))?"),
    "respuesta": re.compile(
        r"respuesta(?:\s+(?:correcta|final|adecuada))?\s*(?:es|sería|:|：)(?:\s+(?:la|el))?(?:\s+(?:opción|letra))?"),
    "opción": re.compile(r"opción\s+(?:correcta|adecuada|final)\s*(?:es|sería|:|：)(?:\s+(?:la|el))?"),
    "resposta": re.compile(
        r"resposta(?:\s+(?:correta|final|certa))?\s*(?:é|:|：)(?:\s+(?:a|o))?(?:\s+(?:opção|alternativa|letra))?"),
    "opção": re.compile(r"(?:opção|alternativa)\s+(?:correta|certa)\s*(?:é|:|：)(?:\s+(?:a|o))?(?:\s+letra)?"),
    "risposta": re.compile(r"risposta(?:\s+(?:corretta|finale|giusta))?\s*(?:è|:|：)(?:\s+(?:la|il))?"),
    "antwort": re.compile(r"antwort(?:\s+(?:ist|lautet)|\s*[:：])"),
    "ответ": re.compile(r"ответ(?:ом)?\s*(?:[:：—–-]|это\b|является\b)"),
    "答え": re.compile(r"答え\s*(?:は|:|：)"),
    "正解": re.compile(r"正解\s*(?:は|:|：)"),
    "정답": re.compile(r"정답\s*(?:은|는|:|：)"),
}


def keyword_pattern(words: Sequence[str]) -> re.Pattern[str]:
    """One alternation grouped by first character, longest first: sre then tests one branch per
    position instead of every keyword (about 5x faster than a flat alternation or str.find loops)."""
    groups: dict[str, list[str]] = {}
    for word in sorted(words, key=len, reverse=True):
        groups.setdefault(word[0], []).append(re.escape(word[1:]))
    return re.compile("|".join(f"{re.escape(first)}(?:{'|'.join(rests)})" for first, rests in groups.items()))


TRIGGER = keyword_pattern(TRIGGERS + CHINESE_TRIGGERS + tuple(FOREIGN_ANSWERS))
FIRM_ANCHORS = FIRM_ANCHORS | frozenset(FOREIGN_ANSWERS)
# Words just before a trigger that may end a claim verb phrase ("B is the correct answer").
CLAIM_WORDS = frozenset({"is", "are", "seems", "appears", "be", "the", "a", "an", "only", "likely", "single", "best",
                          "correct", "right"})
ANSWER_VERB = re.compile(
    r"answers?(?:[ \t]+(?:choice|option|letter))?[ \t]*"
    r"(?:[:：=]|-(?![\w])|(?<=[ \t])(?=[(\[（][ \t]*[a-z][ \t]*[)\]）])"
    r"|(?:is|are|was|were|would\s+be|should\s+be|will\s+be|must\s+be|appears\s+to\s+be|seems\s+to\s+be)\b)"
)
# MedMCQA's explanations: "Ans. is 'b' i.e., Ketamine", "Ans is B".
ABBREVIATED_ANSWER = re.compile(r"ans\.?[ \t]*(?:is\b|[:：=]|-(?![\w]))")
ANSWER_HEADING = re.compile(r"answers?[ \t]*(?=\n|$)")
HEADING_PREFIX = re.compile(r"[ \t]*(?:(?:the|final|correct|my)[ \t]+)*")
QUALIFIED = re.compile(
    r"(?:correct|best|most\s+(?:likely|appropriate|accurate|probable|suitable|correct))"
    r"(?:[ \t]+[^\W\d_]{2,}(?:['’]s)?){0,5}?"
    r"\s*(?:[:：]|\b(?:is|are|would\s+be|should\s+be|will\s+be|must\s+be)\b)"
    r"|(?:right|true)\s+(?:answers?|options?|choices?|ones?|statements?|responses?)\s*(?:[:：]|\b(?:is|are|would\s+be)\b)"
)
CHOOSE = re.compile(r"(?:choose|select|pick|go\s+with|opt\s+for)\b")
CHOOSER = re.compile(
    r"(?:^|[^a-z])(?:i|we)(?:\s+(?:would|will|shall|must|should|now|therefore|thus|definitely)|'d|’d|'ll|’ll)*\s+$"
)
MY_CHOICE = re.compile(r"my\s+(?:final\s+)?(?:choice|pick|selection|guess)\s*(?:[:：]|is\b)")
CHINESE_ANSWER = re.compile(r"答案\s*(?:应该是|應該是|应为|應為|是|为|為|[:：])?")
CHINESE_CHOOSE = re.compile(r"[选選](?:择|擇)?(?![项項])")
CHINESE_CHOOSER = frozenset("故以此应應我则則当當")
# "if the answer is B" states no answer.
HYPOTHETICAL_HINT = re.compile(r"if |whether|suppos|assum|unless")
HYPOTHETICAL = re.compile(
    r"\b(?:if|whether|suppose|assuming|assume|unless)\s+(?:(?:the|my|our|this)\s+)?(?:(?:final|correct|right|best)\s+)?$"
)
# Between an anchor and its answer: "The answer is, therefore, most likely option **(B)**".
FILLER = re.compile(
    r"[\s:：=\-–—\"'“”‘’$*>,]*(?:(?:most\s+likely|likely|probably|therefore|thus|clearly|definitely|certainly|indeed"
    r"|then|option|choice|letter|number|the|answer|to\s+be)(?![^\W_])[\s:：=\-–—\"'“”‘’$*>,]*){0,4}",
    re.IGNORECASE,
)
# "B is correct", "A and C are correct", "(B) is the best answer": a claim verb before the
# trigger word, and the letters before the verb.
CLAIM_TAIL = re.compile(
    r" (?:is|are|seems|appears) +(?:to +be +)?(?:(?:the|an?) +)?(?:(?:only|most +likely|single|best|correct|right) +)?"
)
CLAIMED_LETTERS = re.compile(
    r"(?:(?i:option|choice)\s+)?(?P<list>[(\[]?[A-Z][)\]]?(?:[ \t]*(?:,|&|(?i:and))[ \t]*(?:(?i:option|choice)[ \t]+)?"
    r"[(\[]?[A-Z][)\]]?){0,9})\Z"
)
LIST_LETTER = re.compile(r"(?<![A-Za-z])[A-Z](?![A-Za-z])")
# Words after which "B is correct" starts a claim (not "vitamin B is correct", "nor B is correct").
CLAIM_OPENERS = frozenset({
    "option", "choice", "so", "thus", "therefore", "hence", "then", "think", "believe", "conclusion",
    "overall", "that", "answer", "clearly", "only", "statement", "letter", "both", "finally", "summary",
})
BOXED = re.compile(r"\\boxed\{(?:\\text(?:bf)?\{)?[ \t]*")

# --- lines and prose ----------------------------------------------------------------------

LINE_START = re.compile(
    r"[ \t]*(?:[-*•+>][ \t]*){0,3}(?:\d{1,2}[.)][ \t]+)?(?:(?i:option|choice)[ \t]*|选项[ \t]*)?"
    r"(?=(?:[(\[（【][ \t]*)?[A-Za-z](?![A-Za-z0-9]))",
)
BOLD_LETTER = re.compile(r"\*\*[ \t]*\(?([A-Z])\)?[.):]?[ \t]*\*\*")
NONE = re.compile(
    r"(?:none(?:\s+of\s+(?:the\s+)?(?:above|options|choices|these|them|hallmarks|labels|listed|categories))?"
    r"|no\s+(?:hallmarks?|labels?|options?|categories|category|classes|class)(?:\s+of\s+cancer)?"
    r"(?:\s+(?:apply|applies|applicable|present|mentioned|identified))?"
    r"|not\s+applicable|nothing|n/a)(?![^\W_])",
    re.IGNORECASE,
)
# "The answer is unknown": the generation says it has no answer (never the empty set of ``choices``).
UNKNOWN = re.compile(
    r"(?:unknown|unclear|uncertain|undetermined|indeterminate|undecidable|not\s+(?:known|clear|certain|determinable"
    r"|possible\s+to\s+(?:determine|tell|say))|cannot\s+be\s+(?:determined|answered|known)"
    r"|impossible\s+to\s+(?:determine|tell|say))(?![^\W_])",
    re.IGNORECASE,
)
NONE_SENTENCE = re.compile(
    r"\b(?:none\s+of\s+the\s+(?:above|options|choices|hallmarks|labels|categories|listed)"
    r"|no\s+(?:hallmarks?|labels?|categories)\s+(?:of\s+cancer\s+)?(?:(?:is|are)\s+)?"
    r"(?:apply|applies|present|mentioned|described|discussed|identified|found|relevant)"
    r"|(?:does|do)\s+not\s+(?:mention|describe|discuss|address|involve|relate\s+to)\s+any)",
    re.IGNORECASE,
)
NONE_LINES = frozenset({"none", "none of the above", "none of them", "none of these", "no hallmark",
                         "no hallmarks", "no hallmarks of cancer", "no label", "no labels", "n/a", "not applicable"})
# "A. fever" in an echoed list: a labelled option text is not a mention of the answer.
LABELLED = re.compile(r"(?<![A-Za-z0-9])[(\[]?[A-Za-z][).:\]][ \t]*\Z")
VIEW_SEPARATORS = str.maketrans({c: " " for c in "\t\n\r\x0b\x0c_-/\u00a0"})

# --- options named inline ("(option B)", "corresponding to option 'C'", "'A': collagen") --------

# A letter labelled as an option inside prose. The letter must be a capital; words around it are
# case-insensitive. Groups: the letter of each form.
REFERENCE = re.compile(
    # (option B), (Choice 'E')
    r"[(（][ \t]*(?i:option|choice|answer)[ \t]*['\"‘“]?([A-Z])['\"’”]?[ \t]*[)）]"
    r"|(?<![\w'’])(?i:option|choice)[ \t]+['\"‘“]?([A-Z])(?![\w])['\"’”]?"  # option B, choice 'C'
    r"|['‘\"“]([A-Z])(?:['’\"”][ \t]*[:：]|[ \t]*[:：])"  # 'A': text, 'E: text'
    r"|(?<![\w'’])(?i:option|choice)[ \t]+['\"‘“]([a-z])['\"’”]"  # option "d" (lowercase only when quoted)
)
# A bare "(B)" or "[B]": an option named inline only where an answer statement's sentence goes on to it.
PAREN_LETTER = re.compile(r"[(\[（][ \t]*([A-Z])[ \t]*[)\]）]")
# Where a clause ends: punctuation that closes it, or a conjunction that starts the next one.
CLAUSE_BREAK = re.compile(r"[,;:.!?\n]|\b(?:because|since|as|but|while|whereas|although|though|so)\b")
# What, in an option's sentence, speaks for it: "(option C) is the most likely cause".
AFFIRMATION = re.compile(
    r"\b(?:most\s+(?:likely|appropriate|consistent|probable|accurate)|best|correct|right\s+answer|answer\s+is"
    r"|diagnosis\s+is|(?:is|are)\s+consistent\s+with|fits)\b"
    r"|(?<!不)(?:正しい|正解|正确|正確)(?!くない|ではない)",  # "e: 正しい。", "b)が正しい", "C 正确"
    re.IGNORECASE,
)
# "b)が正しい", "cが正解", "B 是正确的": a letter claimed right in Japanese or Chinese (a claim, like "B is correct").
CJK_CLAIM = re.compile(
    r"(?<![A-Za-z0-9])[(（]?([A-Za-z])[)）]?[ \t]*(?:[:：][ \t]*)?(?:(?:が|は|是)[ \t]*)?(?:正しい|正解|正确|正確)"
    r"(?!くない|ではない|的吗)"
)
CJK_CLAIM_HINT = ("正しい", "正解", "正确", "正確")
# A heading that states the answer in a field's own words, at the start of a line: "Diagnosis:
# Manic episode", "**Next step:** ...", "Immediate treatment: ...". A claim (not a firm anchor).
ANSWER_FIELD = re.compile(
    r"^[ \t]*(?:[-*•>#][ \t]*)*(?:(?:the|final|most\s+likely|likely|best|next|immediate|initial|first|appropriate"
    r"|definitive|recommended|correct)[ \t]+){0,3}(?:diagnosis|next[ \t]+step|step|treatment|management|therapy"
    r"|intervention|drug|medication|test|investigation|cause|mechanism|finding)[ \t]*[:：]",
    re.IGNORECASE | re.MULTILINE,
)
# Words an answer phrase and an option text may differ by ("Answer: Magnesium sulfate" for
# "Intravenous magnesium sulfate."): articles, prepositions, conjunctions.
FUNCTION_WORDS = frozenset({"a", "an", "the", "of", "and", "or", "with", "to", "for", "in", "on", "at", "by", "as",
                            "from", "is", "are", "be", "this", "that", "it", "its", "e", "g", "eg", "ie", "i",
                            # the verbs an order is given with: "Administer intravenous insulin" is
                            # the option "Begin intravenous insulin"
                            "administer", "administration", "give", "begin", "start", "initiate", "perform",
                            "obtain", "order", "do", "use", "immediately", "immediate", "urgent", "prompt"})
# Abbreviations an answer phrase may use for an option's words ("CT" for "computed tomography").
ABBREVIATIONS = {
    "ct": ("computed", "tomography"), "mri": ("magnetic", "resonance", "imaging"), "iv": ("intravenous",),
    "im": ("intramuscular",), "po": ("oral",), "pci": ("percutaneous", "coronary", "intervention"),
    "ecg": ("electrocardiography",), "ekg": ("electrocardiography",), "eeg": ("electroencephalography",),
    "cbc": ("complete", "blood", "count"), "cta": ("computed", "tomography", "angiography"),
    "abg": ("arterial", "blood", "gas"), "lp": ("lumbar", "puncture"), "ppi": ("proton", "pump", "inhibitor"),
}
WORD = re.compile(r"[^\W_]+")
NON_PREFIX = re.compile(r"\bnon[- ]")
# A new question the model went on to invent after answering ("## Medical Question", "Question 2:").
NEW_QUESTION = re.compile(
    r"^[ \t#>*]*(?:(?:medical|new|next|another|sample|example|follow[- ]up)[ \t]+)?question(?:[ \t]*\d+)?"
    r"[ \t]*(?:[:.)][ \t]*)?$"
    r"|^[ \t#>*]*(?:(?:new|next|another)[ \t]+)?question[ \t]*(?:\d+[ \t]*)?[:：]"
    r"|^[ \t#>*]*(?:問題|问题|問題文|题目)[ \t]*[:：]",
    re.IGNORECASE | re.MULTILINE,
)
# Where the model's turn ended and it went on to write the next one: chat-template tokens, or a
# role name alone at the end of a line ("...user", "assistant").
NEW_TURN = re.compile(
    r"<\|(?:im_start|im_end|eot_id|endoftext|end_of_text|start_header_id|user|assistant)\|>|</s>"
    r"|(?:^|(?<=[^\sA-Za-z]))(?:user|assistant|human)[ \t]*$"
    r"|^[ \t#]*(?:user|human|###[ \t]*instruction)[ \t]*:",
    re.IGNORECASE | re.MULTILINE,
)
# Where an explanation turns to the options it rejects: "Why the other options are wrong:".
OTHER_OPTIONS = re.compile(
    r"(?:other|remaining|incorrect|wrong)\s+(?:answer\s+)?(?:options|choices|answers|alternatives)"
    r"|rest\s+of\s+the\s+(?:options|choices)",
    re.IGNORECASE,
)
# "from the least likely to the most likely:": an ordering announced, not an answer.
ORDERING = re.compile(r"least\s+likely\s+to\s+(?:the\s+)?\Z")
# The end of a sentence: a full stop (not "E. coli", "vs."), ! or ?, then a space or line end; or a line end.
SENTENCE_END = re.compile(r"(?<![A-Z]\b)(?<!\bvs)(?<!\be\.g)(?<!\bi\.e)[.!?](?=\s|\Z)|\n")

# --- answers given as JSON ------------------------------------------------------------------

# A quoted key and its colon inside an object: ``{"answer_choice": "B"}``, ``{'answer': 'B. no'}``.
JSON_KEY = re.compile(r"""(?<=[{,\s])(["'])([A-Za-z][A-Za-z_ \-]{0,39})\1[ \t]*:[ \t]*""")
#: Keys whose value is the answer (lowercased, separators as "_"). Reasoning keys are not here,
#: so letters named while reasoning never count once an answer field exists.
ANSWER_KEYS = frozenset({
    "answer", "answers", "answer_choice", "answer_option", "answer_letter", "answer_key", "answer_id",
    "final_answer", "final_choice", "final_option", "final_answer_choice", "final_answer_letter",
    "correct_answer", "correct_option", "correct_choice", "correct_letter", "correct_answer_choice",
    "choice", "chosen_option", "chosen_answer", "selected_option", "selected_answer", "selected_choice",
    "option", "best_answer", "best_option", "best_choice", "prediction", "predicted_answer", "predicted_option",
    "predicted_choice", "most_likely_answer",
})
#: Keys inside an answer field's own object: ``"final_answer": {"letter": "A", "text": "..."}``.
NESTED_ANSWER_KEYS = ANSWER_KEYS | {"letter", "text", "label", "value", "id", "content", "option_letter",
                                    "option_text", "choice_letter", "choice_text"}
