"""METEOR as nltk computes it (``nltk.translate.meteor_score``), with WordNet read from disk.

Definition (nltk's, kept exactly; equal to ``meteor_score`` to 1e-9 on generated texts):

- Both texts are tokenized (``tokenize``: ``"whitespace"`` splits on white space, ``"nltk"`` is
  nltk's ``NLTKWordTokenizer`` on the whole text without sentence splitting) and lowercased
  (``lowercase``). nltk's ``meteor_score`` itself takes pre-tokenized lists since nltk 3.6.6:
  ``tokenize="whitespace"`` on ``" ".join(tokens)`` gives exactly what it gives on ``tokens``.
- Words are aligned in three stages, each on the words the earlier ones left: equal words, equal
  Porter stems (``stemming``), then WordNet synonyms (``wordnet_synonyms``: a reference word matches when
  it is a one-word lemma of any synset of the hypothesis word). In every stage the hypothesis is
  read from its last word back, each word taking the last still-free reference position it matches.
  As in nltk, the synonym stage works on the *stems* the stem stage left (WordNet is asked for the
  synonyms of "alway", not "always"), unless ``stemming=False``.
- With m matches, P = m / hypothesis length, R = m / reference length,
  Fmean = P R / (alpha P + (1 - alpha) R), and with c chunks of adjacent matches the score is
  Fmean (1 - gamma (c / m) ** beta); 0 when m, or either length, is 0.
- Several references: the best score over them, as nltk.

``level="sentence"`` (default) is the mean of the sentence scores, which is what nltk users and
Hugging Face ``evaluate`` report. ``level="corpus"`` is METEOR's system-level score: the same
formula on the matches, lengths and chunks summed over items (each item's best reference).

WordNet is never downloaded. It is read from ``wordnet_path`` (a WordNet database directory such as
Debian's ``/usr/share/wordnet``, or an NLTK data directory holding ``corpora/wordnet[.zip]``),
else from the NLTK data path (``NLTK_DATA``, ``~/nltk_data``, ...), else from Debian's
``wordnet-base`` package. Without one, scoring raises ``MissingDependencyError`` saying how to
install it; ``wordnet_synonyms=False`` scores without the synonym stage (it is then in the
signature, which writes the option under its old name, ``synonyms``, still accepted for a release).

Speed: nltk stems every word and asks WordNet for every hypothesis word in every sentence; here
stems (``porter.porter_stem``: nltk's stemmer word for word, several times faster) and synonym
sets are cached per distinct word, and a synonym set is read from the WordNet
data lines directly (lemma names only) through nltk's own morphology and index, instead of
building nltk's full ``Synset`` objects.
"""

from __future__ import annotations

import functools
import io
import math
import os
import re
import warnings
import weakref
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any, ClassVar, Literal

import numpy as np

from medmetrics.errors import InputError, MissingDependencyError
from medmetrics.metrics.base import Metric, Table, ratio
from medmetrics.metrics.generation import require
from medmetrics.metrics.generation.pairs import installed_versions, text_pairs
from medmetrics.metrics.generation.porter import porter_stem
from medmetrics.options import Options, finite, option
from medmetrics.signatures import Signature

#: Debian's ``wordnet-base`` package installs the WordNet 3.0 database here.
DEBIAN_WORDNET = Path("/usr/share/wordnet")
WORDNET_HINT = (
    "METEOR's synonym stage needs a local WordNet 3.0 (it is never downloaded). Install Debian's package "
    "(apt-get install wordnet-base, which fills /usr/share/wordnet), or put NLTK's 'wordnet' corpus "
    "in an NLTK data directory (<dir>/corpora/wordnet or wordnet.zip) and pass wordnet_path=<dir> or set "
    "NLTK_DATA; or pass wordnet_synonyms=False to score without synonyms."
)
#: WordNet 3.0's lexicographer files in number order (lexnames(5WN)). nltk's reader needs the
#: ``lexnames`` file, which Debian's package leaves out; this is its content.
_LEXNAMES = (
    "adj.all adj.pert adv.all noun.Tops noun.act noun.animal noun.artifact noun.attribute noun.body "
    "noun.cognition noun.communication noun.event noun.feeling noun.food noun.group noun.location "
    "noun.motive noun.object noun.person noun.phenomenon noun.plant noun.possession noun.process "
    "noun.quantity noun.relation noun.shape noun.state noun.substance noun.time verb.body verb.change "
    "verb.cognition verb.communication verb.competition verb.consumption verb.contact verb.creation "
    "verb.emotion verb.motion verb.perception verb.possession verb.social verb.stative verb.weather adj.ppl"
)
LEXNAMES = _LEXNAMES.split()
_CATEGORY = {"noun": 1, "verb": 2, "adj": 3, "adv": 4}

# Statistics of one (hypothesis, best reference) pair.
COLUMNS = ("meteor", "matches", "hypothesis_length", "reference_length", "chunks")


def _lexnames_text() -> str:
    return "".join(f"{i:02d}\t{name}\t{_CATEGORY[name.split('.')[0]]}\n" for i, name in enumerate(LEXNAMES))


def _wordnet_root(path: str | None) -> Any:
    """Where the WordNet database is: a directory path, or nltk's pointer into a zip file."""
    nltk_data = require("nltk.data", "metric 'meteor'")
    if path is not None:
        given = Path(path).expanduser()
        for root in (given, given / "corpora" / "wordnet"):
            if (root / "index.noun").is_file():
                return root.resolve()
        if (given / "corpora" / "wordnet.zip").is_file():
            data_dir = str(given.resolve())
            if data_dir not in nltk_data.path:  # nltk >= 3.10 opens zip files only under its data path
                nltk_data.path.append(data_dir)
            return nltk_data.find("corpora/wordnet.zip/wordnet/", paths=[data_dir])
        raise MissingDependencyError(f"wordnet_path={path!r} holds no WordNet database (no index.noun, "
                                     f"no corpora/wordnet). {WORDNET_HINT}")
    for resource in ("corpora/wordnet", "corpora/wordnet.zip/wordnet/"):
        try:
            return nltk_data.find(resource)
        except LookupError:
            continue
    if (DEBIAN_WORDNET / "index.noun").is_file():
        return DEBIAN_WORDNET
    raise MissingDependencyError(f"no WordNet found in the NLTK data path or {DEBIAN_WORDNET}. {WORDNET_HINT}")


def load_wordnet(path: str | None = None) -> Any:
    """nltk's ``WordNetCorpusReader`` on the local WordNet (see the module docstring for where);
    read once per process and path (reading takes seconds)."""
    return _load_wordnet(path)


@functools.lru_cache(maxsize=4)
def _load_wordnet(path: str | None) -> Any:
    nltk_data = require("nltk.data", "metric 'meteor'")
    from nltk.corpus.reader.wordnet import WordNetCorpusReader

    root = _wordnet_root(path)
    if isinstance(root, Path) and str(root) not in nltk_data.path:
        nltk_data.path.append(str(root))  # nltk >= 3.10 reads corpora only under its data path

    class LocalWordNet(WordNetCorpusReader):
        """nltk's reader, supplying ``lexnames`` where the database has none (Debian's layout)."""

        def open(self, file: str) -> Any:
            if file == "lexnames" and isinstance(root, Path) and not (root / "lexnames").is_file():
                return io.StringIO(_lexnames_text())
            return super().open(file)

        def map_wn(self, version: str = "wordnet") -> None:
            """No mapping onto nltk's own WordNet corpus: it serves multilingual (OMW) lookups
            only, which METEOR does not make, and building it would read a second WordNet."""
            return None

    with warnings.catch_warnings():  # "multilingual functions are not available": not used here
        warnings.simplefilter("ignore")
        return LocalWordNet(str(root) if isinstance(root, Path) else root, None)


_SYNTACTIC_MARKER = re.compile(r"\([^()]*\)$")
#: WordNet's data file of each part of speech (nltk's ``_FILEMAP``)
_DATA_FILES = {"n": "noun", "v": "verb", "a": "adj", "r": "adv"}


class WordNetNames:
    """The lemma names of a word's synsets, as ``wordnet.synsets(word)`` would give them, but read
    straight from the data file lines (nltk builds a full ``Synset`` per line, the slow part)."""

    def __init__(self, wordnet: Any) -> None:
        self.wordnet = wordnet
        self._lines: dict[tuple[str, int], tuple[str, ...]] = {}
        self._readers: dict[str, Callable[[int], str]] = {}

    def __call__(self, word: str) -> set[str]:
        wordnet, word = self.wordnet, word.lower()
        names: set[str] = set()
        for pos in ("n", "v", "a", "r"):  # nltk's POS_LIST, through its own morphology
            for form in wordnet._morphy(word, pos, True):
                for offset in wordnet._lemma_pos_offset_map[form].get(pos, ()):
                    names.update(self._names(pos, offset))
        return names

    def _names(self, pos: str, offset: int) -> tuple[str, ...]:
        found = self._lines.get((pos, offset))
        if found is None:
            read = self._readers.get(pos) or self._readers.setdefault(pos, self._line_reader(pos))
            fields = read(offset).split("|", 1)[0].split()
            count = int(fields[3], 16)  # offset, lexicographer file, type, word count, then word/lex-id pairs
            found = self._lines[(pos, offset)] = tuple(_SYNTACTIC_MARKER.sub("", w) for w in fields[4:4 + 2 * count:2])
        return found

    def _line_reader(self, pos: str) -> Callable[[int], str]:
        """The data file line at a byte offset: read from the file itself when the database is a
        directory (several times faster than nltk's seekable text stream), else through nltk."""
        from nltk.data import FileSystemPathPointer

        file = f"data.{_DATA_FILES[pos]}"
        pointer = self.wordnet.abspath(file)
        if type(pointer) is not FileSystemPathPointer:  # in a zip file (or gzipped): nltk's stream
            stream = self.wordnet._data_file(pos)

            def read_stream(offset: int) -> str:
                stream.seek(offset)
                return str(stream.readline())

            return read_stream
        binary = open(pointer.path, "rb")  # noqa: SIM115 (held for the reader's life, closed with it)
        weakref.finalize(self, binary.close)
        encoding = self.wordnet.encoding(file)

        def read_file(offset: int) -> str:
            binary.seek(offset)
            return binary.readline().decode(encoding)

        return read_file


class Aligner:
    """nltk's three-stage METEOR alignment, with stems and synonym sets cached per word."""

    def __init__(self, stem: Callable[[str], str] | None, synonyms_of: Callable[[str], set[str]] | None) -> None:
        self._stem = stem
        self._synonyms_of = synonyms_of
        self._stems: dict[str, str] = {}
        self._synonyms: dict[str, frozenset[str]] = {}

    def stem(self, word: str) -> str:
        stem = self._stems.get(word)
        if stem is None:
            stem = self._stems[word] = self._stem(word) if self._stem is not None else word
        return stem

    def synonyms(self, word: str) -> frozenset[str]:
        """The word and every one-word lemma name of its synsets (nltk's ``_enum_wordnetsyn_match``)."""
        found = self._synonyms.get(word)
        if found is None:
            names = {word}
            if self._synonyms_of is not None:
                names.update(name for name in self._synonyms_of(word) if "_" not in name)
            found = self._synonyms[word] = frozenset(names)
        return found

    def align(self, hypothesis: list[str], reference: list[str]) -> list[tuple[int, int]]:
        """Matched (hypothesis position, reference position) pairs, sorted by hypothesis position."""
        hyp = list(range(len(hypothesis)))
        ref = list(range(len(reference)))
        matches: list[tuple[int, int]] = []
        hyp, ref = _match_stage(hyp, ref, hypothesis, reference, matches)
        if self._stem is not None:  # from here on nltk compares stems, in the synonym stage too
            # only the words left free are stemmed, as nltk does: most of a good hypothesis
            # matches exactly, and a cold call then never stems those words at all
            hypothesis, reference = list(hypothesis), list(reference)
            for i in hyp:
                hypothesis[i] = self.stem(hypothesis[i])
            for j in ref:
                reference[j] = self.stem(reference[j])
            hyp, ref = _match_stage(hyp, ref, hypothesis, reference, matches)
        if self._synonyms_of is not None:
            _match_stage(hyp, ref, hypothesis, reference, matches, self.synonyms)
        matches.sort()
        return matches


def _match_stage(hyp: list[int], ref: list[int], hypothesis: Sequence[str], reference: Sequence[str],
                 matches: list[tuple[int, int]], synonyms: Callable[[str], frozenset[str]] | None = None
                 ) -> tuple[list[int], list[int]]:
    """One alignment stage on the free positions; returns the positions still free after it.

    Each hypothesis word, last first, takes the last free reference position holding that word,
    or (``synonyms``) any of the word's synonyms.
    """
    if not hyp or not ref:
        return hyp, ref
    positions: dict[str, list[int]] = {}
    for j in ref:
        positions.setdefault(reference[j], []).append(j)
    used_hyp: set[int] = set()
    used_ref: set[int] = set()
    for i in reversed(hyp):
        if synonyms is None:
            free = positions.get(hypothesis[i])
            if not free:
                continue
            best = free.pop()
        else:
            best, best_key = -1, None
            for key in synonyms(hypothesis[i]):
                free = positions.get(key)
                if free and free[-1] > best:
                    best, best_key = free[-1], key
            if best_key is None:
                continue
            positions[best_key].pop()
        used_hyp.add(i)
        used_ref.add(best)
        matches.append((i, best))
    return [i for i in hyp if i not in used_hyp], [j for j in ref if j not in used_ref]


def count_chunks(matches: Sequence[tuple[int, int]]) -> int:
    """Runs of matches adjacent in both texts (0 without matches)."""
    return sum(1 for k, (i, j) in enumerate(matches)
               if k == 0 or (i, j) != (matches[k - 1][0] + 1, matches[k - 1][1] + 1))


def meteor_from_counts(matches: Any, hyp_len: Any, ref_len: Any, chunks: Any, alpha: float, beta: float,
                       gamma: float) -> Any:
    """The METEOR formula on counts (scalars or arrays); 0 where it is undefined, as in nltk."""
    with np.errstate(divide="ignore", invalid="ignore"):
        precision = ratio(np.asarray(matches, dtype=np.float64), np.asarray(hyp_len, dtype=np.float64), 0.0)
        recall = ratio(np.asarray(matches, dtype=np.float64), np.asarray(ref_len, dtype=np.float64), 0.0)
        denominator = alpha * precision + (1 - alpha) * recall
        fmean = ratio(precision * recall, denominator, 0.0)
        fragmentation = ratio(np.asarray(chunks, dtype=np.float64), np.asarray(matches, dtype=np.float64), 0.0)
        score = (1 - gamma * fragmentation ** beta) * fmean
    defined = (np.asarray(matches) > 0) & (np.asarray(hyp_len) > 0) & (np.asarray(ref_len) > 0) & (denominator != 0)
    return np.where(defined, score, 0.0)


def sentence_meteor(matches: int, hyp_len: int, ref_len: int, chunks: int, alpha: float, beta: float,
                    gamma: float) -> float:
    """One sentence's score with nltk's float operations in nltk's order (so equal to the last bit)."""
    try:
        precision = float(matches) / hyp_len
        recall = float(matches) / ref_len
        fmean = (precision * recall) / (alpha * precision + (1 - alpha) * recall)
        fragmentation = float(chunks) / matches
    except ZeroDivisionError:
        return 0.0
    return (1 - gamma * fragmentation**beta) * fmean


def _weight(value: float) -> float:
    if not 0.0 <= value <= 1.0:
        raise ValueError("a number between 0 and 1")
    return value


@dataclass(frozen=True)
class MeteorOptions(Options):
    alpha: float = option(0.9, "weight of precision against recall in Fmean", check=_weight)
    beta: float = option(3.0, "shape of the fragmentation penalty", check=finite)
    gamma: float = option(0.5, "weight of the fragmentation penalty", check=finite)
    stemming: bool = option(True, "the Porter-stem matching stage")
    wordnet_synonyms: bool = option(True, "the WordNet synonym stage; False needs no WordNet")
    wordnet_path: str | os.PathLike[str] | None = option(
        None, "a WordNet database directory, or an NLTK data directory holding corpora/wordnet[.zip]")
    tokenize: Literal["whitespace", "nltk"] = option(
        "whitespace", "whitespace (split on white space) or nltk (nltk's NLTKWordTokenizer, no sentence split)")
    lowercase: bool = option(True, "lowercase the words first")
    level: Literal["sentence", "corpus"] = option(
        "sentence", "sentence: the mean of the sentence scores; corpus: METEOR's system-level score")

    #: ``wordnet_synonyms`` was ``synonyms``, which the label parser uses for label -> surface forms
    renamed: ClassVar[Mapping[str, str]] = {"synonyms": "wordnet_synonyms"}
    signature_names: ClassVar[Mapping[str, str]] = {"wordnet_synonyms": "synonyms"}


class Meteor(Metric):
    """nltk's METEOR, per sentence (best reference), averaged or pooled over the corpus."""

    name = "meteor"
    primary = "meteor"
    options_class = MeteorOptions

    def configure(self) -> None:
        if self.options["wordnet_path"] is not None and not self.options["wordnet_synonyms"]:
            raise InputError("metric 'meteor': wordnet_path is only used with wordnet_synonyms=True")
        self._aligner: Aligner | None = None

    def describe(self) -> Signature:
        return replace(super().describe(), installed=(installed_versions("nltk"),))

    def aligner(self) -> Aligner:
        """The aligner with its caches, built on first use (this imports nltk and reads WordNet)."""
        if self._aligner is None:
            stem = porter_stem if self.options["stemming"] else None
            wordnet = self.options["wordnet_synonyms"]
            names = WordNetNames(load_wordnet(self.options["wordnet_path"])) if wordnet else None
            self._aligner = Aligner(stem, names)
        return self._aligner

    def tokens(self, text: str) -> list[str]:
        words = _nltk_tokenizer().tokenize(text) if self.options["tokenize"] == "nltk" else text.split()
        return [w.lower() for w in words] if self.options["lowercase"] else words

    def pair_counts(self, hypothesis: list[str], reference: list[str]) -> tuple[float, int, int, int, int]:
        """(score, matches, hypothesis length, reference length, chunks) of one pair."""
        o = self.options
        matches = self.aligner().align(hypothesis, reference)
        chunks = count_chunks(matches)
        score = sentence_meteor(len(matches), len(hypothesis), len(reference), chunks,
                                o["alpha"], o["beta"], o["gamma"])
        return score, len(matches), len(hypothesis), len(reference), chunks

    def item_stats(self, predictions: Sequence[Any], references: Sequence[Any]) -> tuple[list[str], np.ndarray]:
        grouped = text_pairs(self.name, predictions, references)
        self.aligner()
        rows = np.zeros((len(grouped), len(COLUMNS)))
        token_cache: dict[str, list[str]] = {}

        def tokens(text: str) -> list[str]:
            found = token_cache.get(text)
            if found is None:
                found = token_cache[text] = self.tokens(text)
            return found

        for i, (prediction, group) in enumerate(zip(predictions, grouped)):
            hypothesis = tokens(prediction) if prediction is not None else []
            # the first best reference, as nltk's max() keeps the first of equal scores
            rows[i] = max((self.pair_counts(hypothesis, tokens(ref)) for ref in group), key=lambda c: c[0])
        return list(COLUMNS), rows

    def score(self, table: Table, weights: np.ndarray) -> dict[str, np.ndarray]:
        o = self.options
        totals = weights @ table.rows
        column = {c: totals[:, k] for k, c in enumerate(table.columns)}
        pooled = meteor_from_counts(column["matches"], column["hypothesis_length"], column["reference_length"],
                                    column["chunks"], o["alpha"], o["beta"], o["gamma"])
        mean = ratio(column["meteor"], column["n"], math.nan)
        return {
            "meteor": pooled if o["level"] == "corpus" else mean,
            "sentence_mean": mean,
            "corpus": pooled,
            "precision": ratio(column["matches"], column["hypothesis_length"], 0.0),
            "recall": ratio(column["matches"], column["reference_length"], 0.0),
        }


@functools.lru_cache(maxsize=1)
def _nltk_tokenizer() -> Any:
    return require("nltk.tokenize.destructive", "metric 'meteor'").NLTKWordTokenizer()
