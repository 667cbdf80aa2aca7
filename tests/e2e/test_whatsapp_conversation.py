"""A resident on WhatsApp, through Twilio's REST API stand-in, answered by the real Rasa."""

from __future__ import annotations

import httpx
import pytest

from tests.e2e.conftest import PUBLIC_URL, TWILIO_TOKEN, LoketProcess
from tests.stand_ins.twilio_api import TwilioApi, inbound_form, signed

pytestmark = pytest.mark.e2e


def deliver(loket: LoketProcess, form: dict[str, str]) -> httpx.Response:
    """Post the form the way Twilio does: signed for the public URL, sent to loket directly."""
    body, headers = signed(TWILIO_TOKEN, f"{PUBLIC_URL}/webhooks/twilio", form)
    return httpx.post(f"{loket.url}/webhooks/twilio", content=body, headers=headers, timeout=60)


def test_a_conversation_on_whatsapp(loket: LoketProcess, twilio_api: TwilioApi) -> None:
    resident = "whatsapp:+31655500001"
    first = deliver(loket, inbound_form(resident, "hoe vraag ik een nieuw paspoort aan?", "SMe2e1"))
    assert first.status_code == 200
    assert deliver(
        loket, inbound_form(resident, "how do I apply for a passport?", "SMe2e2")
    ).is_success
    dutch, english = twilio_api.wait_for(resident, 2)
    assert "pasfoto" in dutch["Body"]
    assert "photo" in english["Body"]
    assert dutch["From"] == "whatsapp:+3197010000000"


def test_a_retried_webhook_is_answered_once(loket: LoketProcess, twilio_api: TwilioApi) -> None:
    resident = "whatsapp:+31655500002"
    form = inbound_form(resident, "wanneer wordt het grofvuil opgehaald", "SMe2e3")
    assert deliver(loket, form).status_code == 200
    assert deliver(loket, form).status_code == 200
    (reply,) = twilio_api.wait_for(resident, 1)
    assert "grofvuil" in reply["Body"].lower()


def test_an_altered_body_is_refused(loket: LoketProcess, twilio_api: TwilioApi) -> None:
    resident = "whatsapp:+31655500003"
    body, headers = signed(
        TWILIO_TOKEN, f"{PUBLIC_URL}/webhooks/twilio", inbound_form(resident, "hallo", "SMe2e4")
    )
    response = httpx.post(
        f"{loket.url}/webhooks/twilio", content=body.replace(b"hallo", b"hoi"), headers=headers
    )
    assert response.status_code == 403
    assert twilio_api.sent_to(resident) == []


def test_a_choice_is_answered_with_its_number(loket: LoketProcess, twilio_api: TwilioApi) -> None:
    resident = "whatsapp:+31655500004"
    assert deliver(loket, inbound_form(resident, "vergunning", "SMe2e5")).is_success
    (choices,) = twilio_api.wait_for(resident, 1)
    assert "Bedoelt u" in choices["Body"]
    assert deliver(loket, inbound_form(resident, "1", "SMe2e6")).is_success
    _, answer = twilio_api.wait_for(resident, 2)
    assert "Bedoelt u" not in answer["Body"]
    assert "Meer informatie" in answer["Body"]
