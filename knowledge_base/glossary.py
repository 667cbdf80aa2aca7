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
    "aanvragen": "apply", "aanvraag": "application", "vraag": "question", "nieuw": "new",
    "nieuwe": "new", "ander": "other", "andere": "other", "anderen": "others", "eigen": "own",
    "zich": "themselves", "me": "me", "mij": "me", "jou": "you", "hen": "them", "hun": "their",
    "mee": "with", "zit": "is", "mogen": "may", "kunnen": "can", "willen": "want",
    "zal": "will", "zullen": "will", "werd": "was", "waren": "were", "alle": "all",
    "veel": "many", "elke": "every", "echt": "really", "graag": "please", "toch": "still",
    "even": "just", "eens": "once", "hoeveel": "how much", "lang": "long", "vanaf": "from",
    "tijdens": "during", "sinds": "since", "tegen": "against", "via": "via",
}  # fmt: skip
"""Words whose dictionary entry starts with another sense than the one residents mean."""

MUNICIPAL_WORDS: Final = {
    "gemeente": "municipality", "gemeentehuis": "town hall", "stadhuis": "town hall",
    "huur": "rent", "huren": "rent", "toeslag": "allowance", "afval": "waste",
    "vuilnis": "garbage", "ophalen": "collect", "halen": "get", "gegevens": "data",
    "uittreksel": "extract", "legitimeren": "identify", "verlopen": "expire",
    "aangifte": "report", "melden": "report", "melding": "report", "uitkering": "benefit",
    "bijstand": "welfare", "wachtlijst": "waiting list", "verzetten": "move",
    "afsluiten": "take out", "zetten": "put", "lenen": "lend", "wet": "law", "tekst": "text",
    "zoeken": "search", "opzoeken": "look up", "document": "document", "stemmen": "vote",
    "stem": "vote", "verkiezing": "election", "verkiezingen": "elections",
    "identiteitskaart": "identity card", "ontvangen": "receive", "burger": "citizen",
    "doorgeven": "pass on", "overledene": "deceased", "bedrijf": "business",
    "woning": "home", "geboorteakte": "birth certificate", "akte": "certificate",
    "trouwen": "marry", "bezwaar": "objection", "ondernemer": "entrepreneur",
    "afspraak": "appointment", "loket": "desk", "balie": "desk",
    "openingstijden": "opening hours", "straat": "street", "stoep": "pavement",
    "overheid": "government", "rijksoverheid": "central government",
    "medewerker": "employee", "verhuizing": "move", "inschrijven": "register",
    "inschrijving": "registration", "formulier": "form", "kosten": "costs", "betalen": "pay",
    "wachten": "wait", "geldig": "valid", "verlengen": "renew",
    "buitenland": "abroad", "reizen": "travel", "rijbewijs": "driving licence",
    "parkeervergunning": "parking permit", "vergunning": "permit", "aanvrager": "applicant",
    "uitleg": "explanation", "regelen": "arrange", "zaken": "matters", "inloggen": "log in",
    "persoonsgegevens": "personal data", "bevolkingsregister": "population register",
    "kost": "costs", "zak": "bag", "zakken": "bags", "indienen": "submit",
    "grofvuil": "bulky waste", "legen": "empty", "ophaaldag": "collection day",
}  # fmt: skip
"""Words of a municipality's counter whose dictionary entry starts with another sense
("gemeente": community, "afspraak": accommodation, "huur": hire)."""

_SEPARABLE_PREFIXES: Final = (
    "aan", "af", "bij", "door", "in", "mee", "na", "om", "onder", "op", "over", "terug",
    "toe", "uit", "vast", "voor", "weg",
)  # fmt: skip

_RULES_VERSION: Final = "2"
"""Change it when the way a word is found changes (`_word`, `_base_forms`)."""

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
        # The stored vectors of the entries' texts are keyed by this: it names all that makes
        # a text's English, the dictionary and our own words and rules.
        self._own = {**MUNICIPAL_WORDS, **FUNCTION_WORDS}
        made_of = hashlib.sha256(_RULES_VERSION.encode())
        made_of.update(digest.encode() or repr(sorted(translations.items())).encode())
        made_of.update(repr(sorted(self._own.items())).encode())
        self.digest = made_of.hexdigest()
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

    def _known(self, word: str) -> str | None:
        return self._own.get(word) or self._words.get(word)

    def _inflected(self, word: str) -> str | None:
        """The English of a word or of the word it is a form of."""
        return next(filter(None, map(self._known, (word, *_base_forms(word)))), None)

    def _word(self, word: str) -> str:
        if english := self._inflected(word):
            return english
        stem = self._stemmer.stemWord(word)
        if stem in self._stems:
            return self._stems[stem]
        for split in range(len(word) - 3, 2, -1):  # a compound: the longest known first part
            head, tail = word[:split], word[split:]
            heads = [head, *_infinitives(head)] + ([head[:-1]] if head.endswith("s") else [])
            first = next(filter(None, map(self._known, heads)), None)
            if first:
                rest = self._inflected(tail) or self._stems.get(self._stemmer.stemWord(tail))
                if rest:
                    return f"{first} {rest}"
        return word

    def english(self, text: str) -> str:
        return " ".join(self._cached_word(word) for word in words(text))


def _infinitives(stem: str) -> list[str]:
    """The infinitives a verb's stem can have: "parkeer" -> "parkeren", "schaf" -> "schaffen",
    "verhuis" -> "verhuizen", "haal" -> "halen"."""
    forms = [stem + "en"]
    if len(stem) > 3 and stem[-2] == stem[-3] and stem[-2] in "aeou":
        stem = stem[:-2] + stem[-1]  # an open syllable spells one vowel
        forms.insert(0, stem + "en")
    elif len(stem) > 2 and stem[-2] in "aeiou" and stem[-3] not in "aeiou":
        forms.append(stem + stem[-1] + "en")  # a short vowel: the consonant doubles
    if stem.endswith(("s", "f")):
        forms.append(stem[:-1] + {"s": "z", "f": "v"}[stem[-1]] + "en")
    return forms


def _base_forms(word: str) -> list[str]:
    """What an inflected word can come from, most likely first: a plural's singular, an
    adjective's plain form, a verb form's or past participle's infinitive ("kinderen" -> "kind",
    "nieuwe" -> "nieuw", "woont" -> "wonen", "opgehaald" -> "ophalen")."""
    forms: list[str] = []
    if word.endswith("eren") and len(word) > 6:
        forms.append(word[:-4])
    if word.endswith("en") and len(word) > 4:
        base = word[:-2]
        forms.append(base)
        if base[-1] == base[-2]:
            forms.append(base[:-1])  # "bommen" -> "bom"
        elif len(base) > 2 and base[-2] in "aeou" and base[-3] not in "aeiou":
            forms.append(base[:-1] + base[-2] + base[-1])  # "straten" -> "straat"
    if word.endswith(("s", "e")) and len(word) > 3:
        forms.append(word[:-1])
    if word.endswith(("t", "d")) and len(word) > 3:
        forms += _infinitives(word[:-1])  # "woont" -> "wonen", "gebeurd" -> "gebeuren"
    prefix = next((p for p in _SEPARABLE_PREFIXES if word.startswith(p + "ge")), "")
    rest = word[len(prefix) :]
    if rest.startswith("ge") and len(rest) > 5:
        participle = rest[2:]
        if participle.endswith(("d", "t")):
            for stem in (participle[:-1], participle):  # "gehaald" -> "haal", "gemeld" -> "meld"
                forms += [prefix + verb for verb in _infinitives(stem)]
        elif participle.endswith("en"):
            forms.append(prefix + participle)  # "gegeven" -> "geven"
    return forms


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
