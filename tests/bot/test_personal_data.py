from __future__ import annotations

import io
import logging
import random

import pytest

from bot import personal_data
from bot.personal_data import PersonalDataFilter, find, is_bsn, is_iban, mask, protect_logs
from knowledge_base.errors import PersonalData


def valid_bsn(rng: random.Random) -> str:
    """A random number that passes the eleven-test, made by the test's own arithmetic."""
    while True:
        first = [rng.randrange(10) for _ in range(8)]
        check = sum(d * w for d, w in zip(first, range(9, 1, -1), strict=True)) % 11
        if check < 10 and any(first):
            return "".join(map(str, [*first, check]))


def valid_iban(country: str, bban: str) -> str:
    """An IBAN with check digits computed here (ISO 13616 mod-97)."""
    number = int("".join(str(int(c, 36)) for c in bban + country + "00"))
    return f"{country}{98 - number % 97:02d}{bban}"


def test_generated_bsns_pass_and_changed_digits_fail() -> None:
    rng = random.Random(7)
    for _ in range(200):
        bsn = valid_bsn(rng)
        assert is_bsn(bsn)
        changed = bsn[:4] + str((int(bsn[4]) + 1) % 10) + bsn[5:]
        assert not is_bsn(changed)
        assert mask(f"mijn bsn is {bsn}.") == "mijn bsn is [BSN]."


@pytest.mark.parametrize(
    "iban",
    [
        "NL91ABNA0417164300",
        "NL91 ABNA 0417 1643 00",
        "nl91abna0417164300",
        "BE68539007547034",
        "DE89 3704 0044 0532 0130 00",
        "GB82WEST12345698765432",
        "FR1420041010050500013M02606",
        valid_iban("NL", "RABO0300065264"),
    ],
)
def test_ibans_are_found(iban: str) -> None:
    assert is_iban(iban)
    assert mask(f"Stort het op {iban} graag") == "Stort het op [IBAN] graag"


@pytest.mark.parametrize(
    "text",
    [
        "06-12345678",
        "06 1234 5678",
        "0612345678",
        "+31 6 1234 5678",
        "+31612345678",
        "+31 (0)6 12345678",
        "0031 20 1234567",
        "0201234567",
        "020-1234567",
        "020 123 4567",
        "+32 470 12 34 56",
        "(020) 123 4567",
        "(0318) 123456",
    ],
)
def test_phone_numbers_are_found(text: str) -> None:
    assert mask(f"bel me op {text} aub") == "bel me op [TELEFOON] aub"


@pytest.mark.parametrize(
    "text", ["1234 AB 12", "1234AB 12a", "1234 AB, 12-2", "1234ab 7", "2511 CV 100 B"]
)
def test_postcodes_with_house_number_are_found(text: str) -> None:
    assert mask(f"ik woon op {text}.") == "ik woon op [ADRES]."


def test_a_written_out_iban_does_not_take_the_next_word() -> None:
    assert mask("NL91 ABNA 0417 1643 00 voor de huur") == "[IBAN] voor de huur"


def test_email_addresses_are_found() -> None:
    assert mask("mail j.de.vries+loket@mail.example.nl nu") == "mail [E-MAIL] nu"


@pytest.mark.parametrize(
    "text",
    [
        "het kost 123456789 euro",  # nine digits that fail the eleven-test
        "ordernummer 111222334",
        "NL91ABNA0417164301",  # one digit off: mod-97 fails
        "tussen 1000 en 2000 mensen",
        "op 01-02-2026 om 12 uur",
        "bel 14 0123 of 112",
        "in 2026 kwamen 34500 aanvragen binnen",
        "versie 1.2.3 van 12.345.678",
        "kenmerk ZK111222333X en hash a8398166b111222333c",
    ],
)
def test_ordinary_text_is_left_alone(text: str) -> None:
    assert find(text) == []
    assert mask(text) == text


def test_several_kinds_in_one_message() -> None:
    text = "BSN 111222333, IBAN NL91ABNA0417164300, tel 06-12345678, 1234 AB 12, a@b.nl"
    assert [f.kind for f in find(text)] == ["bsn", "iban", "phone", "postcode", "email"]
    assert mask(text) == "BSN [BSN], IBAN [IBAN], tel [TELEFOON], [ADRES], [E-MAIL]"


def test_the_log_filter_masks_message_arguments_and_exceptions() -> None:
    stream = io.StringIO()
    handler = logging.StreamHandler(stream)
    handler.addFilter(PersonalDataFilter())
    logger = logging.getLogger("tests.personal_data")
    logger.addHandler(handler)
    logger.propagate = False
    try:
        logger.warning("resident %s wrote %r", "111222333", {"iban": "NL91ABNA0417164300"})
        try:
            raise ValueError("bad number 06-12345678")
        except ValueError:
            logger.exception("failed for %s", "a@b.nl")
    finally:
        logger.removeHandler(handler)
        logger.propagate = True
    written = stream.getvalue()
    assert "[BSN]" in written
    assert "ValueError" in written
    for secret in ("111222333", "NL91ABNA0417164300", "06-12345678", "a@b.nl"):
        assert secret not in written


def test_protect_logs_adds_the_filter_once() -> None:
    logger = logging.getLogger("tests.protected")
    handler = logging.StreamHandler(io.StringIO())
    logger.addHandler(handler)
    try:
        protect_logs("tests.protected")
        protect_logs("tests.protected")
        assert sum(isinstance(f, PersonalDataFilter) for f in handler.filters) == 1
    finally:
        logger.removeHandler(handler)


def test_a_text_for_every_resident_is_refused_naming_what_it_holds() -> None:
    clean = "mn paspoort is gejat op vakantie, wat nu"
    assert personal_data.refuse_in(clean) == clean
    with pytest.raises(PersonalData) as refused:
        personal_data.refuse_in("bel 06-12345678 of mail jan@voorbeeld.nl, of 06 87654321")
    assert refused.value.message.startswith("Write it without a phone number or an e-mail address:")
    assert refused.value.status == 422
    with pytest.raises(PersonalData, match="without an address"):
        personal_data.refuse_in("mijn adres is [ADRES], kan de container daar staan")
