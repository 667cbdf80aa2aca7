"""The agents' console in a real browser: a resident asks for a person in the web chat, an agent
logs in, takes the conversation and answers, and the resident sees the answer; logging out leaves
nothing of the resident in the page, and a reply being written outlives an expired session for
its agent only."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import Browser, Page, expect

from tests.e2e.conftest import AGENT_PASSWORD, LoketProcess, new_agent, serious_violations
from tests.e2e.test_telegram_conversation import deliver
from tests.stand_ins.telegram_bot_api import TelegramBotApi, text_update

pytestmark = [pytest.mark.e2e, pytest.mark.browser]


def log_in(page: Page, loket: LoketProcess) -> None:
    page.goto(loket.url + "/console")
    log_in_as(page, new_agent(loket))


def log_in_as(page: Page, username: str) -> None:
    page.get_by_label("Gebruikersnaam").fill(username)
    page.get_by_label("Wachtwoord").fill(AGENT_PASSWORD)
    page.get_by_role("button", name="Inloggen").click()
    expect(page.get_by_role("heading", name="Wachtrij")).to_be_visible()


def resident_asking_for_a_person(browser: Browser, loket: LoketProcess, text: str) -> Page:
    """A resident's web chat that asked for a person and was told one will come."""
    resident = browser.new_context(locale="nl-NL").new_page()
    resident.goto(loket.url + "/")
    resident.get_by_label("Uw bericht").fill(text)
    resident.keyboard.press("Enter")
    chat = resident.get_by_role("log", name="Gesprek")
    expect(chat.locator(".message.out").first).to_contain_text("medewerker", timeout=30_000)
    return resident


def test_an_agent_takes_over_a_web_chat_and_the_resident_sees_the_answer(
    browser: Browser, loket: LoketProcess
) -> None:
    resident = resident_asking_for_a_person(
        browser, loket, "ik wil graag een medewerker spreken over mijn aanvraag"
    )
    chat = resident.get_by_role("log", name="Gesprek")

    agent = browser.new_context(locale="nl-NL").new_page()
    log_in(agent, loket)
    waiting = agent.locator("#queue button", has_text="over mijn aanvraag")
    expect(waiting).to_contain_text("vraagt om een medewerker")
    waiting.click()
    expect(agent.locator("#transcript")).to_contain_text("over mijn aanvraag")
    agent.get_by_role("button", name="Overnemen").click()
    agent.get_by_label("Standaardantwoord").select_option(label="Begroeting")
    reply = agent.get_by_label("Uw antwoord aan de inwoner")
    expect(reply).to_have_value(re.compile("^Goedendag, u spreekt met een medewerker"))
    reply.fill("Goedemiddag, ik ben Anna. Waarmee kan ik helpen?")
    agent.keyboard.press("Enter")
    expect(agent.get_by_role("status")).to_have_text("Verstuurd.")
    expect(chat.locator(".message.agent")).to_contain_text("ik ben Anna", timeout=10_000)

    agent.get_by_label("Notitie voor collega's (wordt niet verstuurd)").fill("Eerder al gebeld.")
    agent.get_by_role("button", name="Notitie opslaan").click()
    expect(agent.locator("#notes")).to_contain_text("Eerder al gebeld.")

    # The resident's next message reaches the agent's open transcript, live.
    resident.get_by_label("Uw bericht").fill("het gaat om mijn parkeervergunning")
    resident.keyboard.press("Enter")
    expect(agent.locator("#transcript")).to_contain_text("mijn parkeervergunning", timeout=10_000)
    expect(chat.locator(".message.out")).to_have_count(3)  # handoff, wait, agent: no bot reply
    expect(chat).not_to_contain_text("Eerder al gebeld")

    # The knowledge base suggests its answer to that; the agent sends it, archived with its version.
    suggested = agent.get_by_role("region", name="Antwoorden uit de kennisbank").locator("li")
    expect(suggested.first).to_contain_text("Hoe vraag ik een parkeervergunning aan?")
    suggested.first.get_by_role("button", name="Gebruik dit antwoord").click()
    expect(reply).to_be_focused()
    expect(reply).to_have_value(re.compile("parkeervergunning"))
    agent.keyboard.press("Enter")
    expect(chat.locator(".message.agent").last).to_contain_text(
        "/parkeren/bewonersvergunning", timeout=10_000
    )
    expect(agent.locator("#transcript .agent").last).to_contain_text(
        "kennisbank parkeervergunning-bewoners v1"
    )
    agent.get_by_label("Zoek in de kennisbank").fill("grofvuil laten ophalen")
    agent.keyboard.press("Enter")
    expect(suggested.first).to_contain_text("grofvuil")

    # Handed back: the bot answers the next question again.
    agent.get_by_role("button", name="Terug naar de assistent").click()
    expect(agent.locator("#context")).to_contain_text("de assistent antwoordt")
    resident.get_by_label("Uw bericht").fill("wanneer wordt het grofvuil opgehaald")
    resident.keyboard.press("Enter")
    expect(chat.locator(".message.out").last).to_contain_text("grofvuil", timeout=30_000)

    assert serious_violations(agent) == []
    agent.get_by_role("button", name="English").click()
    expect(agent.get_by_role("heading", name="Queue")).to_be_visible()

    # Logging out leaves nothing of the resident in the page for the next person at this desk.
    token = agent.evaluate("sessionStorage.getItem('loket-console-token')")
    agent.get_by_role("button", name="Log out").click()
    expect(agent.get_by_label("Username")).to_be_focused()
    for shown in ("parkeervergunning", "ik ben Anna", "Eerder al gebeld"):
        assert shown not in agent.content()
    assert agent.evaluate("sessionStorage.length") == 0
    queue = agent.request.get(
        loket.url + "/api/console/queue", headers={"Authorization": f"Bearer {token}"}
    )
    assert queue.status == 401
    agent.context.close()
    resident.context.close()


def test_the_login_page_is_accessible_and_refuses_a_wrong_password(
    browser: Browser, loket: LoketProcess
) -> None:
    page = browser.new_context(locale="nl-NL").new_page()
    page.goto(loket.url + "/console")
    assert serious_violations(page) == []
    page.get_by_label("Gebruikersnaam").fill("niemand")
    page.get_by_label("Wachtwoord").fill("verkeerd wachtwoord")
    page.get_by_role("button", name="Inloggen").click()
    expect(page.get_by_role("alert")).to_contain_text("Inloggen lukte niet")
    page.context.close()


def test_an_agent_answers_a_telegram_resident_from_the_console(
    browser: Browser, loket: LoketProcess, telegram_api: TelegramBotApi
) -> None:
    chat_id = 5_550_101
    assert deliver(loket, text_update(71_001, chat_id, "mag ik een echt mens spreken")).is_success
    telegram_api.wait_for_messages(chat_id, 2)  # the handoff and the expected wait

    agent = browser.new_context(locale="nl-NL").new_page()
    log_in(agent, loket)
    agent.locator("#queue button", has_text="mag ik een echt mens spreken").click()
    agent.get_by_role("button", name="Overnemen").click()
    agent.get_by_label("Uw antwoord aan de inwoner").fill("Dag, met **Anna** van de gemeente.")
    agent.keyboard.press("Enter")
    expect(agent.get_by_role("status")).to_have_text("Verstuurd.")
    sent = telegram_api.wait_for_messages(chat_id, 3)
    assert sent[-1]["text"] == "Dag, met <b>Anna</b> van de gemeente."

    agent.get_by_role("button", name="Terug naar de assistent").click()
    expect(agent.locator("#context")).to_contain_text("de assistent antwoordt")
    assert deliver(loket, text_update(71_002, chat_id, "hoe vraag ik een paspoort aan")).is_success
    answer = telegram_api.wait_for_messages(chat_id, 4)[-1]
    assert "pasfoto" in answer["text"]
    agent.context.close()


def test_a_reply_being_written_outlives_an_expired_session_for_its_agent_only(
    browser: Browser, loket: LoketProcess
) -> None:
    resident = resident_asking_for_a_person(
        browser, loket, "ik wil graag een medewerker spreken over mijn brief van vorige week"
    )
    chat = resident.get_by_role("log", name="Gesprek")

    agent = browser.new_context(locale="nl-NL").new_page()
    agent.goto(loket.url + "/console")
    username = new_agent(loket)

    def end_session() -> None:
        token = agent.evaluate("sessionStorage.getItem('loket-console-token')")
        ended = agent.request.post(
            loket.url + "/api/console/logout", headers={"Authorization": f"Bearer {token}"}
        )
        assert ended.status == 204

    log_in_as(agent, username)
    agent.locator("#queue button", has_text="mijn brief van vorige week").click()
    agent.get_by_role("button", name="Overnemen").click()
    reply = agent.get_by_label("Uw antwoord aan de inwoner")
    reply.fill("Dag, ik zoek uw bouwvergunning op.")
    end_session()
    agent.keyboard.press("Enter")
    expect(agent.get_by_label("Gebruikersnaam")).to_be_focused()
    log_in_as(agent, username)
    expect(reply).to_have_value("Dag, ik zoek uw bouwvergunning op.")
    reply.focus()
    agent.keyboard.press("Enter")
    expect(chat.locator(".message.agent")).to_contain_text("ik zoek uw bouwvergunning op")

    reply.fill("Een ogenblik, ik kijk het na.")
    end_session()
    agent.keyboard.press("Enter")
    log_in_as(agent, new_agent(loket))
    expect(agent.locator("#transcript li")).to_have_count(0)
    assert "ik kijk het na" not in agent.content()
    assert reply.input_value() == ""
    agent.context.close()
    resident.context.close()
