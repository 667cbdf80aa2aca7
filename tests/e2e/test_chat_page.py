"""The chat page in a real browser (Debian's Chromium through Playwright), against `loket run`."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from playwright.sync_api import Browser, Page, expect
from sqlalchemy import create_engine, select
from sqlalchemy.orm import Session

from bot.tables import ConversationRow
from tests.e2e.conftest import (
    LoketProcess,
    MunicipalitySite,
    agent_login,
    agent_replies,
    serious_violations,
)

pytestmark = [pytest.mark.e2e, pytest.mark.browser]


@pytest.fixture
def page(browser: Browser, loket: LoketProcess) -> Iterator[Page]:
    context = browser.new_context(locale="nl-NL")
    page = context.new_page()
    dialogs: list[str] = []
    page.on("dialog", lambda dialog: (dialogs.append(dialog.message), dialog.dismiss()))
    page.goto(loket.url + "/")
    yield page
    context.close()
    assert dialogs == [], "a script from a message ran in the page"


def ask(page: Page, text: str) -> None:
    page.get_by_label("Uw bericht").fill(text)
    page.keyboard.press("Enter")


def test_resident_asks_for_a_passport_and_gets_the_answer(page: Page) -> None:
    ask(page, "hoe vraag ik een nieuw paspoort aan?")
    transcript = page.get_by_role("log", name="Gesprek")
    expect(transcript.locator(".message.in")).to_have_text(
        "U: hoe vraag ik een nieuw paspoort aan?"
    )
    expect(transcript.locator(".message.out").first).to_contain_text("pasfoto", timeout=30_000)


def test_a_choice_is_a_button_that_asks_for_the_resident(page: Page) -> None:
    ask(page, "vergunning")
    transcript = page.get_by_role("log", name="Gesprek")
    expect(transcript.locator(".message.out").first).to_contain_text("Bedoelt u", timeout=30_000)
    choices = transcript.locator(".choices button")
    expect(choices.first).to_be_visible()
    question = choices.first.inner_text()
    choices.first.focus()
    page.keyboard.press("Enter")  # keyboard users can choose too
    expect(transcript.locator(".message.in").nth(1)).to_have_text("U: " + question)
    expect(transcript.locator(".message.out").nth(1)).not_to_contain_text(
        "Bedoelt u", timeout=30_000
    )
    expect(transcript.locator(".message.out").nth(1)).to_contain_text("Meer informatie")


def test_page_has_no_serious_accessibility_violations(page: Page) -> None:
    ask(page, "vergunning")  # a reply with choice buttons
    expect(page.locator(".choices button").first).to_be_visible(timeout=30_000)
    assert serious_violations(page) == []


def test_a_message_with_html_is_shown_as_text(page: Page) -> None:
    payload = "<img src=x onerror=alert(1)>"
    ask(page, payload)
    transcript = page.get_by_role("log", name="Gesprek")
    expect(transcript.locator(".message.in")).to_have_text("U: " + payload)
    expect(transcript.locator(".message.out").first).to_be_visible(timeout=30_000)
    assert transcript.locator("img").count() == 0


def test_the_widget_opens_from_a_button_on_the_municipalitys_site(
    browser: Browser, loket: LoketProcess, municipality_site: MunicipalitySite
) -> None:
    """The municipality's own page, on another origin, with the one script tag, in English."""
    municipality_site.page = (
        '<!doctype html><html lang="en"><head><title>Municipality</title></head><body>'
        "<main><h1>Contact</h1></main>"
        f'<script src="{loket.url}/static/widget.js" defer></script></body></html>'
    )
    context = browser.new_context()
    page = context.new_page()
    page.goto(municipality_site.url + "/")
    launcher = page.get_by_role("button", name="Chat with the municipality")
    expect(launcher).to_have_attribute("aria-expanded", "false")
    launcher.click()
    expect(launcher).to_have_attribute("aria-expanded", "true")
    expect(page.get_by_label("Your message")).to_be_focused()
    page.get_by_label("Your message").fill("how do I apply for a passport?")
    page.keyboard.press("Enter")
    expect(page.locator(".message.out").first).to_contain_text("photo", timeout=30_000)
    page.keyboard.press("Escape")
    expect(launcher).to_be_focused()
    context.close()


def test_conversation_survives_a_reload(page: Page) -> None:
    ask(page, "bedankt")
    expect(page.locator(".message.out")).to_have_count(1, timeout=30_000)
    page.reload()
    expect(page.locator(".message")).to_have_count(2, timeout=10_000)


def test_an_agents_reply_is_pushed_into_the_open_page(page: Page, loket: LoketProcess) -> None:
    ask(page, "ik wil een medewerker spreken")
    transcript = page.get_by_role("log", name="Gesprek")
    expect(transcript.locator(".message.out").first).to_contain_text("medewerker", timeout=30_000)
    engine = create_engine(loket.database_url)
    with Session(engine) as session:
        conversation_id = session.scalars(
            select(ConversationRow.id)
            .where(ConversationRow.channel == "webchat", ConversationRow.state == "queued")
            .order_by(ConversationRow.created_at.desc())
        ).first()
    engine.dispose()
    assert conversation_id is not None

    agent_replies(
        loket,
        agent_login(loket),
        conversation_id,
        "Ik ben Anna. Kijk ook op [de afvalkalender](https://www.dijkstad.example/afval).",
    )
    pushed = transcript.locator(".message.agent")
    expect(pushed).to_contain_text("Medewerker: Ik ben Anna.", timeout=10_000)
    link = pushed.get_by_role("link", name="de afvalkalender")
    expect(link).to_have_attribute("href", "https://www.dijkstad.example/afval")
    expect(link).to_have_attribute("rel", "noopener noreferrer")
