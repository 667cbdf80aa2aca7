"""The editor in a real browser, against `loket run` with a real Rasa: an answer written by one
editor and approved by another is what a resident gets right away; a crisis notice appears in a
running web chat and on Telegram (through the Bot API stand-in) and is gone after its end; the
dashboard shows what residents asked that the bot could not answer; a question an agent teaches
the assistant from the console is answered once an approver agrees; logging out leaves none of
it on the page for the next person at the desk."""

from __future__ import annotations

import re
import time
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import httpx
import pytest
from playwright.sync_api import Browser, Page, expect

from tests.e2e.conftest import (
    AGENT_PASSWORD,
    INSIGHTS_CACHE_SECONDS,
    LoketProcess,
    MunicipalitySite,
    new_agent,
    serious_violations,
)
from tests.e2e.test_console_page import log_in, resident_asking_for_a_person
from tests.e2e.test_telegram_conversation import deliver
from tests.stand_ins.telegram_bot_api import TelegramBotApi, text_update

pytestmark = [pytest.mark.e2e, pytest.mark.browser]

ZONE = "Europe/Amsterdam"
QUESTION = "Waar kan ik flessen drinkwater halen tijdens de storing?"
ANSWER = "Flessen drinkwater haalt u bij sporthal De Brug aan de Industrieweg 4, van 7 tot 22 uur."


def staff_page(browser: Browser, loket: LoketProcess, roles: str, view: str = "") -> Page:
    page = browser.new_context(locale="nl-NL", timezone_id=ZONE).new_page()
    page.goto(f"{loket.url}/editor{view}")
    page.get_by_label("Gebruikersnaam").fill(new_agent(loket, roles))
    page.get_by_label("Wachtwoord").fill(AGENT_PASSWORD)
    page.get_by_role("button", name="Inloggen").click()
    expect(page.get_by_role("button", name="Uitloggen")).to_be_visible()
    return page


def resident_chat(browser: Browser, loket: LoketProcess) -> Page:
    page = browser.new_context(locale="nl-NL", timezone_id=ZONE).new_page()
    page.goto(loket.url + "/")
    return page


def ask(page: Page, text: str) -> None:
    page.get_by_label("Uw bericht").fill(text)
    page.keyboard.press("Enter")


def test_an_answer_approved_by_a_second_person_is_given_to_residents_at_once(
    browser: Browser, loket: LoketProcess
) -> None:
    editor = staff_page(browser, loket, "editor")
    editor.get_by_role("button", name="Nieuw antwoord").click()
    editor.get_by_label("Onderwerp (één woord)").fill("crisis")
    editor.get_by_label("Vragen in het Nederlands (één per regel)").fill(
        f"{QUESTION}\ndrinkwater flessen ophalen"
    )
    editor.get_by_label("Antwoord in het Nederlands (taalniveau B1)").fill(ANSWER)
    expect(editor.locator("#preview-telegram")).to_contain_text("Industrieweg 4")
    editor.get_by_role("button", name="Opslaan als concept").click()
    expect(editor.locator("#entry-status")).to_contain_text("versie 1 (concept)")
    editor.get_by_role("button", name="Ter beoordeling aanbieden").click()
    expect(editor.locator("#entry-status")).to_contain_text("wacht nu op een goedkeurder")
    expect(editor.locator("#approve-box")).to_be_hidden()  # an editor does not approve
    assert serious_violations(editor) == []

    early = resident_chat(browser, loket)
    ask(early, QUESTION)
    early_chat = early.get_by_role("log", name="Gesprek")
    expect(early_chat.locator(".message.out")).to_have_count(1, timeout=30_000)
    expect(early_chat.locator(".message.out")).not_to_contain_text("sporthal De Brug")
    resident = resident_chat(browser, loket)
    chat = resident.get_by_role("log", name="Gesprek")

    approver = staff_page(browser, loket, "approver", "#beoordelen")
    approver.get_by_role("button", name=QUESTION).click()
    expect(approver.locator("#entry-context")).to_contain_text("Ter beoordeling")
    approver.get_by_role("button", name="Goedkeuren en publiceren").click()
    expect(approver.locator("#entry-status")).to_contain_text("is gepubliceerd")
    approved = time.monotonic()
    ask(resident, QUESTION)
    asked = time.monotonic()
    expect(chat.locator(".message.out")).to_have_count(1, timeout=30_000)
    expect(chat.locator(".message.out")).to_contain_text("sporthal De Brug")
    assert asked - approved < 1.0  # asked within a second of the approval, and answered from it
    assert serious_violations(approver) == []

    # The history shows who wrote and who approved; the diff of the first version lists it all.
    versions = approver.locator("#versions")
    expect(versions).to_contain_text("goedgekeurd door staff:")
    approver.get_by_role("button", name="Verschillen Versie 1").click()
    expect(approver.locator("#diff-fields")).to_contain_text("Industrieweg 4")
    for page in (editor, approver, early, resident):
        page.context.close()


def local_input(moment: datetime) -> str:
    return moment.astimezone(ZoneInfo(ZONE)).strftime("%Y-%m-%dT%H:%M:%S")


def test_a_crisis_notice_is_on_every_channel_until_its_end(
    browser: Browser,
    loket: LoketProcess,
    telegram_api: TelegramBotApi,
    municipality_site: MunicipalitySite,
) -> None:
    resident = resident_chat(browser, loket)
    ask(resident, "hallo")
    chat = resident.get_by_role("log", name="Gesprek")
    expect(chat.locator(".message.out").first).to_be_visible(timeout=30_000)
    notices = resident.get_by_role("region", name="Belangrijke berichten van de gemeente")

    approver = staff_page(browser, loket, "approver", "#crisis")
    ends = datetime.now(ZoneInfo(ZONE)) + timedelta(seconds=25)
    approver.get_by_label("Wat is er aan de hand? (kop, Nederlands)").fill(
        "Hoogwater aan de Waalkade"
    )
    approver.get_by_label("Wat moeten inwoners doen? (Nederlands)").fill(
        "Blijf weg van de kade. Zandzakken liggen bij de gemeentewerf."
    )
    approver.get_by_label("Waar staat het laatste nieuws? (webadres)").fill(
        "https://www.dijkstad.example/hoogwater"
    )
    approver.get_by_label("Einde").fill(local_input(ends))
    approver.get_by_role("button", name="Nu publiceren (spoed)").click()
    expect(approver.locator("#crisis-status")).to_contain_text("Vink eerst aan")
    approver.get_by_label("Ik publiceer dit bericht zonder tweede paar ogen.").check()
    approver.get_by_role("button", name="Nu publiceren (spoed)").click()
    expect(approver.locator("#crisis-status")).to_contain_text("staat nu op alle kanalen")
    try:
        # The running web chat shows it without the resident doing anything.
        expect(notices).to_contain_text("Hoogwater aan de Waalkade", timeout=5_000)
        assert serious_violations(resident) == []
        # On the municipality's own site, the chat button says there is an important message.
        municipality_site.page = (
            '<!doctype html><html lang="nl"><head><title>Gemeente</title></head><body>'
            f'<main><h1>Contact</h1></main><script src="{loket.url}/static/widget.js" defer>'
            "</script></body></html>"
        )
        site = browser.new_context(locale="nl-NL").new_page()
        site.goto(municipality_site.url + "/")
        launcher = site.get_by_role("button", name="Chat met de gemeente · Belangrijk bericht")
        expect(launcher).to_be_visible()
        launcher.click()
        expect(
            site.get_by_role("region", name="Belangrijke berichten van de gemeente")
        ).to_contain_text("Blijf weg van de kade")
        site.context.close()

        chat_id = 5_550_401  # its own: the Telegram stand-in lives for the whole session
        assert deliver(
            loket, text_update(75_001, chat_id, "hoe vraag ik een nieuw paspoort aan?")
        ).is_success
        answer, notice = telegram_api.wait_for_messages(chat_id, 2)
        assert "Hoogwater aan de Waalkade" in notice["text"]
        assert "https://www.dijkstad.example/hoogwater" in notice["text"]
        assert "pasfoto" in answer["text"]

        # Gone after its end: from the page by itself, and from Telegram's next answer.
        expect(notices).to_be_hidden(timeout=40_000)
        assert datetime.now(ZoneInfo(ZONE)) >= ends.replace(microsecond=0)
        assert httpx.get(f"{loket.url}/api/webchat/notices").json() == {"notices": []}
        assert deliver(loket, text_update(75_002, chat_id, "bedankt")).is_success
        assert len(telegram_api.wait_for_messages(chat_id, 3)) == 3
        time.sleep(1)
        assert len(telegram_api.sent(chat_id)) == 3
        expect(approver.locator("#notice-list")).to_contain_text("Hoogwater", timeout=5_000)
    finally:
        end_live_notices(loket)
    for page in (approver, resident):
        page.context.close()


def end_live_notices(loket: LoketProcess) -> None:
    """So that no notice outlives its test in the shared `loket run`."""
    username = new_agent(loket, "approver")
    login = httpx.post(
        f"{loket.url}/api/console/login",
        json={"username": username, "password": AGENT_PASSWORD},
        timeout=30,
    ).json()
    headers = {"Authorization": f"Bearer {login['token']}"}
    listed = httpx.get(f"{loket.url}/api/editor/notices", headers=headers, timeout=30).json()
    for notice in listed["notices"]:
        if notice["state"] in ("live", "scheduled"):
            httpx.post(f"{loket.url}/api/editor/notices/{notice['id']}/end", headers=headers)


def test_the_dashboard_turns_unanswered_questions_into_new_answers(
    browser: Browser, loket: LoketProcess
) -> None:
    resident = resident_chat(browser, loket)
    chat = resident.get_by_role("log", name="Gesprek")
    ask(resident, "waar kan ik mijn kerstboom kwijt na de feestdagen")
    expect(chat.locator(".message.out").first).to_be_visible(timeout=30_000)

    editor = staff_page(browser, loket, "editor", "#inzicht")
    unanswered = editor.locator("#unanswered")
    expect(unanswered).to_contain_text("kerstboom", timeout=15_000)
    expect(editor.get_by_role("img", name="Staafdiagram: Gesprekken per kanaal")).to_be_visible()
    assert serious_violations(editor) == []
    # Perhaps an answer residents ask in other words: the group is offered as one's wording.
    group = unanswered.locator("li", has_text="kerstboom").first
    group.get_by_text("Hoort het bij een bestaand antwoord?").click()
    group.get_by_role("button", name=re.compile("^Formulering van: ")).first.click()
    wording = editor.get_by_label("Nieuwe formulering (zonder namen, adressen of nummers)")
    expect(wording).to_have_value("waar kan ik mijn kerstboom kwijt na de feestdagen")
    expect(wording).to_be_focused()
    assert serious_violations(editor) == []
    editor.get_by_role("link", name="Inzicht").click()
    editor.get_by_role("button", name="Nieuw antwoord hierover: waar kan ik mijn kerstboom").click()
    expect(editor.get_by_label("Vragen in het Nederlands (één per regel)")).to_have_value(
        "waar kan ik mijn kerstboom kwijt na de feestdagen"
    )
    editor.get_by_role("button", name="English").click()
    expect(editor.get_by_role("heading", name="New answer")).to_be_visible()
    for page in (editor, resident):
        page.context.close()


def on_dashboard(page: Page, text: str) -> None:
    """Wait for the dashboard to show a text: its figures are cached for a while."""
    deadline = time.monotonic() + INSIGHTS_CACHE_SECONDS + 15
    while text not in page.locator("#unanswered").inner_text():
        assert time.monotonic() < deadline, f"{text!r} is not on the dashboard"
        page.wait_for_timeout(2_000)
        page.reload()


def test_logging_out_leaves_nothing_for_the_next_person_at_the_desk(
    browser: Browser, loket: LoketProcess
) -> None:
    question = "mag het ooievaarsnest op onze schoorsteen blijven zitten"
    resident = resident_chat(browser, loket)
    ask(resident, question)
    expect(resident.locator(".message.out").first).to_be_visible(timeout=30_000)

    editor = staff_page(browser, loket, "editor", "#inzicht")
    on_dashboard(editor, "ooievaarsnest")
    token = editor.evaluate("sessionStorage.getItem('loket-console-token')")
    editor.get_by_role("button", name="Uitloggen").click()
    expect(editor.get_by_role("heading", name="Inloggen")).to_be_visible()
    expect(editor.locator("body")).not_to_contain_text("ooievaarsnest")
    assert "ooievaarsnest" not in editor.content()
    ended = httpx.get(
        f"{loket.url}/api/editor/entries", headers={"Authorization": f"Bearer {token}"}
    )
    assert ended.status_code == 401

    # A session that expires keeps a draft for the editor who logs in again, not for another.
    editor.get_by_label("Gebruikersnaam").fill(new_agent(loket, "editor"))
    editor.get_by_label("Wachtwoord").fill(AGENT_PASSWORD)
    editor.get_by_role("button", name="Inloggen").click()
    expect(editor.get_by_role("button", name="Uitloggen")).to_be_visible()
    editor.get_by_role("link", name="Antwoorden").click()
    editor.get_by_role("button", name="Nieuw antwoord", exact=True).click()
    draft = editor.get_by_label("Vragen in het Nederlands (één per regel)")
    draft.fill("Waar meld ik een zwanenfamilie op de weg?")
    token = editor.evaluate("sessionStorage.getItem('loket-console-token')")
    httpx.post(f"{loket.url}/api/console/logout", headers={"Authorization": f"Bearer {token}"})
    editor.get_by_role("link", name="Crisisberichten").click()
    expect(editor.get_by_role("heading", name="Inloggen")).to_be_visible()
    editor.get_by_label("Gebruikersnaam").fill(new_agent(loket, "editor"))
    editor.get_by_label("Wachtwoord").fill(AGENT_PASSWORD)
    editor.get_by_role("button", name="Inloggen").click()
    expect(editor.get_by_role("button", name="Uitloggen")).to_be_visible()
    assert "ooievaarsnest" not in editor.content()
    assert "zwanenfamilie" not in editor.content()
    for page in (editor, resident):
        page.context.close()


TAUGHT = "mag mijn camper voor de deur staan als ik hier woon"


def test_an_agent_teaches_the_assistant_a_question_once_an_approver_agrees(
    browser: Browser, loket: LoketProcess
) -> None:
    early = resident_chat(browser, loket)
    ask(early, TAUGHT)
    early_chat = early.get_by_role("log", name="Gesprek")
    expect(early_chat.locator(".message.out").first).to_be_visible(timeout=30_000)
    expect(early_chat).not_to_contain_text("/parkeren/bewonersvergunning")

    asking = f"ik wil een medewerker spreken, bel me op 06-12345678. {TAUGHT}"
    resident = resident_asking_for_a_person(browser, loket, asking)
    agent = browser.new_context(locale="nl-NL", timezone_id=ZONE).new_page()
    log_in(agent, loket)
    agent.locator("#queue button", has_text="bel me op").click()
    agent.get_by_role("button", name="Overnemen").click()
    expect(agent.get_by_label("Uw antwoord aan de inwoner")).to_be_focused()
    agent.get_by_label("Zoek in de kennisbank").fill("parkeervergunning voor bewoners")
    agent.keyboard.press("Enter")
    suggested = agent.get_by_role("region", name="Antwoorden uit de kennisbank").locator("li")
    expect(suggested.first).to_contain_text("Hoe vraag ik een parkeervergunning aan?")
    suggested.first.get_by_role("button", name="Assistent leren").click()
    wording = agent.get_by_label("Zo vroeg de inwoner het")
    expect(wording).to_be_focused()
    # As the console shows it: personal data masked, and the label is refused too.
    expect(wording).to_have_value(asking.replace("06-12345678", "[TELEFOON]"))
    assert serious_violations(agent) == []
    agent.get_by_role("button", name="Voorstellen").click()
    expect(agent.get_by_role("status")).to_contain_text("persoonsgegevens")
    wording.fill(TAUGHT)
    agent.get_by_role("button", name="Voorstellen").click()
    expect(agent.get_by_role("status")).to_contain_text("Voorgesteld")
    expect(agent.locator("#teach-form")).to_be_hidden()

    approver = staff_page(browser, loket, "approver", "#beoordelen")
    waiting = approver.locator("#wording-review li", has_text=TAUGHT)
    expect(waiting).to_contain_text("Hoe vraag ik een parkeervergunning aan?")
    expect(waiting).to_contain_text("Nu: de assistent")  # what approving it would change
    expect(waiting).to_contain_text("Lijkt ook op: ")  # and which other answers it is near
    # and, measured, what it would take from them: these answers keep their residents' wordings
    expect(waiting.locator(".effect")).to_have_text(
        re.compile(r"^Gemeten: na goedkeuren houden de andere antwoorden alle \d+ formuleringen"),
        timeout=30_000,
    )
    assert serious_violations(approver) == []
    # The answer's own page measures it too, under the residents' wordings.
    approver.get_by_role("link", name="Antwoorden").click()
    approver.get_by_label("Zoeken in vragen en antwoorden").fill("bewonersvergunning")
    approver.keyboard.press("Enter")
    approver.get_by_role("button", name="Hoe vraag ik een parkeervergunning aan?").click()
    proposed = approver.locator("#wordings li", has_text=TAUGHT)
    expect(proposed).to_contain_text("Voorgesteld")
    expect(proposed.locator(".effect")).to_have_text(
        re.compile(r"^Gemeten: na goedkeuren houden de andere antwoorden alle \d+ formuleringen"),
        timeout=30_000,
    )
    approver.get_by_role("link", name="Beoordelen").click()
    waiting.get_by_role("button", name="Goedkeuren").click()
    expect(approver.locator("#review-status")).to_contain_text("Goedgekeurd")
    expect(approver.locator("#wording-review li")).to_have_count(0)

    later = resident_chat(browser, loket)
    ask(later, TAUGHT)
    later_chat = later.get_by_role("log", name="Gesprek")
    expect(later_chat.locator(".message.out").first).to_contain_text(
        "/parkeren/bewonersvergunning", timeout=30_000
    )
    for page in (early, resident, agent, approver, later):
        page.context.close()
