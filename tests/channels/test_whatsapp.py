from __future__ import annotations

import pytest

from channels.base import Choice, Forbidden, InvalidMessage, Outbound
from channels.whatsapp import WhatsAppChannel, whatsapp_body
from tests.stand_ins.twilio_api import inbound_form, signed

TOKEN = "twilio-auth-token"
PUBLIC = "https://loket.dijkstad.example"
RESIDENT = "whatsapp:+31612345678"


@pytest.fixture
def channel() -> WhatsAppChannel:
    return WhatsAppChannel("AC" + "1" * 32, TOKEN, "+3197010000000", PUBLIC + "/")


def test_sender_gets_the_whatsapp_prefix(channel: WhatsAppChannel) -> None:
    assert channel.sender == "whatsapp:+3197010000000"


def test_verify_uses_the_public_url(channel: WhatsAppChannel) -> None:
    form = inbound_form(RESIDENT, "hoi", "SM1")
    _, headers = signed(TOKEN, PUBLIC + "/webhooks/twilio", form)
    channel.verify("/webhooks/twilio", form, headers["X-Twilio-Signature"])
    with pytest.raises(Forbidden):
        channel.verify(
            "/webhooks/twilio", form | {"Body": "iets anders"}, headers["X-Twilio-Signature"]
        )
    with pytest.raises(Forbidden):
        channel.verify("/webhooks/twilio", form, None)


def test_parse_text(channel: WhatsAppChannel) -> None:
    inbound = channel.parse(inbound_form(RESIDENT, "  mn  paspoort is kwijt\x00 ", "SM2"))
    assert (inbound.channel, inbound.channel_key, inbound.external_id) == (
        "whatsapp",
        RESIDENT,
        "SM2",
    )
    assert (inbound.kind, inbound.text) == ("text", "mn paspoort is kwijt")


@pytest.mark.parametrize(
    ("extra", "kind"),
    [
        ({"NumMedia": "1", "MediaContentType0": "image/jpeg"}, "photo"),
        ({"NumMedia": "1", "MediaContentType0": "audio/ogg"}, "voice"),
        ({"NumMedia": "1", "MediaContentType0": "application/pdf"}, "file"),
        ({"Latitude": "52.37", "Longitude": "4.89"}, "location"),
    ],
)
def test_parse_what_loket_cannot_read(
    channel: WhatsAppChannel, extra: dict[str, str], kind: str
) -> None:
    inbound = channel.parse(inbound_form(RESIDENT, "", "SM3", **extra))
    assert (inbound.kind, inbound.text) == (kind, f"[{kind}]")


def test_parse_refuses_what_is_not_a_whatsapp_message(channel: WhatsAppChannel) -> None:
    with pytest.raises(InvalidMessage):
        channel.parse(inbound_form("+31612345678", "sms", "SM4"))
    with pytest.raises(InvalidMessage):
        channel.parse({"From": RESIDENT, "Body": "geen id"})


def test_choices_become_a_numbered_list() -> None:
    message = Outbound("Bedoelt u:", choices=[Choice("Paspoort", "p"), Choice("ID-kaart", "i")])
    assert whatsapp_body(message) == "Bedoelt u:\n\n1. Paspoort\n2. ID-kaart"


def test_twilio_needs_a_public_url() -> None:
    with pytest.raises(ValueError, match="PUBLIC_URL"):
        WhatsAppChannel("AC1", TOKEN, "+31", "")
