"""Text handling shared by indexing and querying: normalising, tokens, stems and language."""

from __future__ import annotations

import re
import unicodedata
from functools import cache
from pathlib import Path
from typing import Final, Literal

import Stemmer
import yaml

Language = Literal["nl", "en"]
LANGUAGES: Final[tuple[Language, ...]] = ("nl", "en")

_WORD = re.compile(r"[^\W_]+", re.UNICODE)

# Small, frequent function words and chat forms that tell Dutch from English in short messages.
_NL_WORDS: Final = frozenset(
    """de het een en van ik je jij u uw mijn mn is zijn ben wat hoe waar wanneer wie waarom
    niet geen met voor op aan bij naar om te kan kun kunt mag moet wil wordt worden heb hebt
    heeft er dat die dit deze ook nog al maar als of dan nu hier daar graag aub ff even hallo
    hoi goedemorgen goedemiddag bedankt dank doei
    welke wel waarvoor krijg kwijt aanvragen""".split()
)
_EN_WORDS: Final = frozenset(
    """the a an and of i you your my is are am be what how where when who why not no with for
    on at to can could may must want will would get have has do does there that this these
    also still but if then now here please hello hi thanks thank bye which need lost
    apply""".split()
)

_STOPWORDS: Final = frozenset(
    """de het een en van ik je jij u uw mijn mn is zijn ben er dat die dit deze ook nog al maar
    als of dan te om aan op in bij voor met naar the a an and of i you your my is are am be to
    in on at for with it that this do does""".split()
)


def fold(word: str) -> str:
    """Lower case without accents, so "geëmigreerd" and "geemigreerd" meet."""
    if word.isascii():
        return word.lower()
    decomposed = unicodedata.normalize("NFKD", word.casefold())
    return "".join(c for c in decomposed if not unicodedata.combining(c))


def words(text: str) -> list[str]:
    return [fold(w) for w in _WORD.findall(text)]


SYNONYMS_FILE: Final = Path(__file__).with_name("synonyms.yml")


class SynonymsError(ValueError):
    """A synonyms file that cannot be read; the message says where and why."""


class Synonyms:
    """Residents' words and phrases mapped to the words the knowledge base uses: `same` ones
    are replaced, `broader` ones kept with the general word added."""

    def __init__(
        self, same: dict[str, list[str]], broader: dict[str, list[str]] | None = None
    ) -> None:
        self._phrases: dict[tuple[str, ...], tuple[str, ...]] = {}
        for canonical, variants in same.items():
            target = tuple(words(canonical))
            for variant in variants:
                self._phrases[tuple(words(variant))] = target
        for general, specifics in (broader or {}).items():
            for specific in specifics:
                phrase = tuple(words(specific))
                self._phrases[phrase] = phrase + tuple(words(general))
        self._longest = max((len(p) for p in self._phrases), default=0)
        self._starts = frozenset(p[0] for p in self._phrases if p)

    @classmethod
    def from_file(cls, path: Path) -> Synonyms:
        sections = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
        if not isinstance(sections, dict) or not set(sections) <= {"same", "broader"}:
            raise SynonymsError(f"{path}: expected the sections 'same' and 'broader' only")

        def groups(name: str) -> dict[str, list[str]]:
            section = sections.get(name) or {}
            if not isinstance(section, dict):
                raise SynonymsError(f"{path}: '{name}' must map a word to a list of words")
            for word, variants in section.items():
                if not isinstance(variants, list) or not variants:
                    raise SynonymsError(f"{path}: '{name}' → '{word}' needs a list of words")
            return {str(k): [str(v) for v in vs] for k, vs in section.items()}

        return cls(groups("same"), groups("broader"))

    def replace(self, tokens: list[str]) -> list[str]:
        """The tokens with each known phrase, longest first, replaced by its canonical words."""
        result: list[str] = []
        position = 0
        while position < len(tokens):
            if tokens[position] not in self._starts:  # most words: no phrase to try
                result.append(tokens[position])
                position += 1
                continue
            for length in range(min(self._longest, len(tokens) - position), 0, -1):
                target = self._phrases.get(tuple(tokens[position : position + length]))
                if target is not None:
                    result += target
                    position += length
                    break
            else:
                result.append(tokens[position])
                position += 1
        return result


@cache
def synonyms() -> Synonyms:
    return Synonyms.from_file(SYNONYMS_FILE)


def terms(text: str) -> list[str]:
    """The words of a text, residents' words replaced by the knowledge base's (synonyms.yml)."""
    return synonyms().replace(words(text))


@cache
def _stemmer(language: Language) -> Stemmer.Stemmer:
    return Stemmer.Stemmer("dutch" if language == "nl" else "english")


def stems(text: str, language: Language) -> list[str]:
    """Content-word stems of a text in one language, stop words left out."""
    content = [w for w in terms(text) if w not in _STOPWORDS]
    result: list[str] = _stemmer(language).stemWords(content)
    return result


def detect_language(text: str, default: Language = "nl") -> Language:
    """Dutch or English, by counting frequent words; ties and unknowns go to `default`."""
    tokens = words(text)
    nl = sum(t in _NL_WORDS for t in tokens)
    en = sum(t in _EN_WORDS for t in tokens)
    if en > nl:
        return "en"
    if nl > en:
        return "nl"
    return default
