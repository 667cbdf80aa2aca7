"""Dutch words in English, word by word, for an English embedding model.

The bundled model (all-MiniLM-L6-v2) learned English: it reads "paspoort kwijt" as letters,
"passport lost" as meaning. The words come from FreeDict's Dutch-English dictionary (Debian's
`dict-freedict-nld-eng`, GPL-2+), which `make setup` installs and Loket reads; it is not part of
this repository. A dictionary word's first translation is taken; a word not in it is found by its
stem, or as a compound of two words it has ("parkeervergunning": parking permit); any other word
stays as it is.
"""

from __future__ import annotations

import gzip
import hashlib
import logging
import re
from collections.abc import Callable
from functools import cache, lru_cache
from pathlib import Path
from typing import Final

import Stemmer

from knowledge_base.text import fold, words

logger = logging.getLogger(__name__)

FREEDICT_NLD_ENG: Final = Path("/usr/share/dictd/freedict-nld-eng.dict.dz")

FUNCTION_WORDS: Final = {
    "hoe": "how", "wat": "what", "waar": "where", "wanneer": "when", "wie": "who",
    "waarom": "why", "welke": "which", "welk": "which", "ik": "i", "mijn": "my", "mn": "my",
    "je": "you", "jij": "you", "u": "you", "uw": "your", "jullie": "you", "we": "we",
    "wij": "we", "ons": "our", "onze": "our", "hij": "he", "zij": "she", "ze": "they",
    "zijn": "are", "haar": "her", "hem": "him", "de": "the", "het": "the", "een": "a",
    "en": "and", "of": "or", "van": "of", "voor": "for", "met": "with", "naar": "to",
    "op": "on", "in": "in", "aan": "on", "bij": "at", "om": "to", "te": "to", "uit": "out",
    "over": "about", "door": "through", "tot": "until", "na": "after", "zonder": "without",
    "is": "is", "ben": "am", "bent": "are", "was": "was", "kan": "can", "kun": "can",
    "kunt": "can", "mag": "may", "moet": "must", "moeten": "must", "wil": "want",
    "wilt": "want", "niet": "not", "geen": "no", "er": "there", "dat": "that", "die": "that",
    "dit": "this", "deze": "this", "nog": "still", "al": "already", "maar": "but",
    "als": "if", "dan": "then", "nu": "now", "ook": "also", "wordt": "is", "worden": "be",
    "heb": "have", "hebt": "have", "heeft": "has", "hebben": "have", "krijg": "get",
    "krijgen": "get", "doe": "do", "doen": "do", "gaat": "goes", "ga": "go", "meer": "more",
    "wel": "indeed", "zo": "so", "hier": "here", "daar": "there", "iets": "something",
    "iemand": "someone", "alles": "everything", "nodig": "needed", "kwijt": "lost",
    "aanvragen": "apply", "aanvraag": "application", "vraag": "question",
}  # fmt: skip
"""Words whose dictionary entry starts with another sense than the one residents mean."""

_HEADWORD = re.compile(r"^(\S[^/]*?) /[^/]*/$")
_SENSE_NUMBER = re.compile(r"^\d+\.\s*")
_NOTE = re.compile(r"\([^)]*\)")


class Glossary:
    def __init__(self, translations: dict[str, str], digest: str = "") -> None:
        self._words = translations
        self._stemmer = Stemmer.Stemmer("dutch")
        self._stems: dict[str, str] = {}
        for word, english in translations.items():
            self._stems.setdefault(self._stemmer.stemWord(word), english)
        self.digest = (
            digest or hashlib.sha256(repr(sorted(translations.items())).encode()).hexdigest()
        )
        self._cached_word: Callable[[str], str] = lru_cache(maxsize=65_536)(self._word)

    def __len__(self) -> int:
        return len(self._words)

    @classmethod
    def from_freedict(cls, path: Path) -> Glossary:
        """A FreeDict dictionary in dictd's format: a headword line (`word /phonetics/`), then
        its translations, numbered when there are several senses."""
        raw = path.read_bytes()
        text = (gzip.decompress(raw) if path.suffix == ".dz" else raw).decode("utf-8")
        translations: dict[str, str] = {}
        headword: str | None = None
        for line in text.splitlines():
            found = _HEADWORD.match(line)
            if found:
                headword = fold(found.group(1).strip().replace("ĳ", "ij"))
                if " " in headword or headword in translations:
                    headword = None
                continue
            english = _NOTE.sub("", _SENSE_NUMBER.sub("", line)).split(",")[0].strip()
            if headword and english:
                translations[headword] = english
                headword = None  # the first sense's first word only
        return cls(translations, hashlib.sha256(raw).hexdigest())

    def _word(self, word: str) -> str:
        if word in FUNCTION_WORDS:
            return FUNCTION_WORDS[word]
        if word in self._words:
            return self._words[word]
        stem = self._stemmer.stemWord(word)
        if stem in self._stems:
            return self._stems[stem]
        for split in range(len(word) - 3, 2, -1):  # a compound: the longest known first part
            head, tail = word[:split], word[split:]
            if head.endswith("s") and head[:-1] in self._words:
                head = head[:-1]
            elif (verb := _infinitive(head)) in self._words:  # "parkeer" of "parkeren"
                head = verb
            if head in self._words:
                rest = self._words.get(tail) or self._stems.get(self._stemmer.stemWord(tail))
                if rest:
                    return f"{self._words[head]} {rest}"
        return word

    def english(self, text: str) -> str:
        return " ".join(self._cached_word(word) for word in words(text))


def _infinitive(stem: str) -> str:
    """The infinitive of a verb's stem as it starts a compound: "parkeer" -> "parkeren"."""
    if len(stem) > 3 and stem[-2] == stem[-3] and stem[-2] in "aeou":
        return stem[:-2] + stem[-1] + "en"  # an open syllable spells one vowel
    return stem + "en"


@cache
def load_glossary(path: Path | None) -> Glossary | None:
    """The glossary at `path`; None (and a warning) when there is none there."""
    if path is None or not str(path):
        return None
    if not path.is_file():
        logger.warning("No Dutch-English dictionary at %s: Dutch is embedded as it is", path)
        return None
    glossary = Glossary.from_freedict(path)
    logger.info("Dutch-English glossary: %d words", len(glossary))
    return glossary
