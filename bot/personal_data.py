"""Personal data in free text: BSN, IBAN, phone numbers, e-mail, postcode with house number.

`find` returns where they are, `mask` replaces them with a label such as `[BSN]`, and
`PersonalDataFilter` does that to every log record so none of it reaches the application logs;
`refuse_in` refuses a text meant for every resident (a wording of a question) that holds any.
Numbers with a check digit (BSN, IBAN) count only when the check passes, so ordinary numbers stay.
"""

from __future__ import annotations

import logging
import re
from dataclasses import dataclass
from typing import Final, Literal, NamedTuple

from knowledge_base.errors import PersonalData

Kind = Literal["email", "iban", "phone", "postcode", "bsn"]

LABELS: Final[dict[Kind, str]] = {
    "email": "[E-MAIL]",
    "iban": "[IBAN]",
    "phone": "[TELEFOON]",
    "postcode": "[ADRES]",
    "bsn": "[BSN]",
}

IBAN_LENGTHS: Final = {
    "NL": 18, "BE": 16, "DE": 22, "FR": 27, "GB": 22, "ES": 24, "IT": 27, "LU": 20, "AT": 20,
    "CH": 21, "PL": 28, "IE": 22, "PT": 25, "DK": 18, "SE": 24, "NO": 15, "FI": 18,
}  # fmt: skip
"""The countries residents most often bank in; any other country's IBAN is 15 to 34 long."""

_EMAIL = re.compile(r"[A-Za-z0-9._%+-]+@[A-Za-z0-9-]+(?:\.[A-Za-z0-9-]+)*\.[A-Za-z]{2,}")
_IBAN = re.compile(
    r"(?<![A-Za-z0-9])[A-Za-z]{2}[0-9]{2}"
    r"(?:[A-Za-z0-9]{11,30}|(?: [A-Za-z0-9]{4}){2,7}(?: [A-Za-z0-9]{1,3})?)(?![A-Za-z0-9])"
)
_NOT_A_DATE = r"(?![0-9]{2}[-/.][0-9]{2}[-/.][0-9]{4})"
_PHONE = re.compile(
    r"(?<![\w+])(?:"
    r"(?:\+31|0031)[ -]?(?:\(0\)[ -]?)?[1-9](?:[ -]?[0-9]){8}"  # +31 6 1234 5678
    rf"|{_NOT_A_DATE}0[1-9](?:[ -]?[0-9]){{8}}"  # 06-12345678, 020-1234567
    r"|\(0[1-9][0-9]{0,2}\)[ -]?[0-9](?:[ -]?[0-9]){5,7}"  # (020) 123 4567
    r"|\+[1-9][0-9]{0,2}[ -]?[0-9](?:[ -]?[0-9]){6,12}"  # other countries
    r")(?![0-9])"
)
_POSTCODE = re.compile(
    # Capitals, or small letters written against the digits: "1000 en 12" is no address.
    r"(?<![0-9])[1-9][0-9]{3}(?: ?(?!SA|SD|SS)[A-Z]{2}|[a-z]{2})[ ,]+[0-9]{1,5}"
    r"(?:[ -]?[A-Za-z]{1,2}(?![A-Za-z])|-[0-9]{1,4})?(?![0-9])"
)
_BSN = re.compile(  # a number of its own, not part of a code such as a hash or a reference
    r"(?<![\w.])(?:[0-9]{9}|[0-9]{4}[. ][0-9]{2}[. ][0-9]{3}|[0-9]{3}[. ][0-9]{3}[. ][0-9]{3})"
    r"(?!\w|\.[0-9])"
)


@dataclass(frozen=True)
class Found:
    kind: Kind
    start: int
    end: int


def is_bsn(digits: str) -> bool:
    """The eleven-test: 9·d1 + 8·d2 + … + 2·d8 − 1·d9 is a multiple of 11 (and not all zeros)."""
    if len(digits) != 9 or not digits.isdigit() or int(digits) == 0:
        return False
    weights = (9, 8, 7, 6, 5, 4, 3, 2, -1)
    return sum(int(d) * w for d, w in zip(digits, weights, strict=True)) % 11 == 0


def is_iban(text: str) -> bool:
    """ISO 13616: the country's length, and mod-97 of the rearranged number is 1."""
    iban = text.replace(" ", "").upper()
    country = iban[:2]
    if not (country.isalpha() and iban[2:4].isdigit() and iban.isalnum()):
        return False
    if len(iban) != IBAN_LENGTHS.get(country, len(iban)) or not 15 <= len(iban) <= 34:
        return False
    number = "".join(str(int(char, 36)) for char in iban[4:] + iban[:4])
    return int(number) % 97 == 1


def _checked_end(kind: Kind, match: re.Match[str]) -> int | None:
    """Where the personal data in a match ends, if it passes its check."""
    value = match.group()
    if kind == "bsn":
        return match.end() if is_bsn(re.sub(r"[. ]", "", value)) else None
    if kind == "iban":
        # A written-out IBAN may have caught the next word as its last group: drop it and retry.
        while not is_iban(value):
            if " " not in value:
                return None
            value = value.rsplit(" ", 1)[0]
        return match.start() + len(value)
    return match.end()


_PATTERNS: Final[tuple[tuple[Kind, re.Pattern[str]], ...]] = (
    ("email", _EMAIL),
    ("iban", _IBAN),
    ("postcode", _POSTCODE),
    ("phone", _PHONE),
    ("bsn", _BSN),
)


def find(text: str) -> list[Found]:
    """Every piece of personal data in the text, in order; earlier kinds win where two overlap."""
    found: list[Found] = []
    for kind, pattern in _PATTERNS:
        for match in pattern.finditer(text):
            end = _checked_end(kind, match)
            if end is not None and not any(match.start() < f.end and f.start < end for f in found):
                found.append(Found(kind, match.start(), end))
    return sorted(found, key=lambda f: f.start)


NAMES: Final[dict[Kind, str]] = {
    "email": "an e-mail address",
    "iban": "a bank account number",
    "phone": "a phone number",
    "postcode": "an address",
    "bsn": "a citizen service number (BSN)",
}


def refuse_in(text: str) -> str:
    """The text, or PersonalData naming what it holds: for a text every resident may come to
    read or be matched with, such as a wording of a knowledge-base question. A label `mask` left
    where some was (staff screens show residents' texts masked) counts as that kind too."""
    kinds = list(dict.fromkeys(found.kind for found in find(text)))
    kinds += [kind for kind, label in LABELS.items() if label in text and kind not in kinds]
    if kinds:
        raise PersonalData(
            f"Write it without {' or '.join(NAMES[kind] for kind in kinds)}: "
            "it is how residents ask, not what one resident wrote"
        )
    return text


def mask(text: str) -> str:
    """The text with each piece of personal data replaced by its label, such as `[BSN]`."""
    parts = []
    position = 0
    for found in find(text):
        parts.append(text[position : found.start])
        parts.append(LABELS[found.kind])
        position = found.end
    parts.append(text[position:])
    return "".join(parts)


class AccessLine(NamedTuple):
    """The arguments of one of uvicorn's access log records, in uvicorn's order."""

    client: object
    method: object
    path: object
    version: object
    status: object

    @classmethod
    def of(cls, record: logging.LogRecord) -> AccessLine | None:
        args = record.args
        if record.name != "uvicorn.access" or not isinstance(args, tuple) or len(args) != 5:
            return None
        return cls(*args)


def _access_fields(line: AccessLine) -> AccessLine:
    """uvicorn's access formatter takes its fields from the arguments: keep them arguments,
    without the resident's IP address and without the query, which holds the web chat's
    session token on the event stream (`/events?token=...`)."""
    path = line.path
    if isinstance(path, str):
        path = mask(path.split("?", 1)[0] + "?…" if "?" in path else path)
    return line._replace(client="-", path=path)


class PersonalDataFilter(logging.Filter):
    """Masks personal data in a log record: its message with the arguments filled in, and the
    text of its exception and stack, so a handler with this filter never writes any."""

    def filter(self, record: logging.LogRecord) -> bool:
        access = AccessLine.of(record)
        if access is not None:
            record.args = tuple(_access_fields(access))
            return True
        try:
            message = record.getMessage()
        except (TypeError, ValueError):  # arguments that do not fit the message
            message = f"{record.msg} {record.args}"
        record.msg = mask(message)
        record.args = None
        if record.exc_info and not record.exc_text:
            record.exc_text = logging.Formatter().formatException(record.exc_info)
        if record.exc_text:
            record.exc_text = mask(record.exc_text)
        if record.stack_info:
            record.stack_info = mask(record.stack_info)
        return True


def protect_logs(*logger_names: str) -> None:
    """Put the filter on every handler of the root logger and of the loggers named (those that
    do not pass their records on to the root, such as uvicorn's)."""
    for name in ("", *logger_names):
        for handler in logging.getLogger(name or None).handlers:
            if not any(isinstance(f, PersonalDataFilter) for f in handler.filters):
                handler.addFilter(PersonalDataFilter())
