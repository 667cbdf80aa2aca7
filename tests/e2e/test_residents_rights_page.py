"""Residents' rights in the console, in a real browser against `loket run`: an admin finds a
Telegram resident, downloads the access export, erases, and the export then shows what remains
and why; an agent is refused."""

from __future__ import annotations

import json
import subprocess
from pathlib import Path
from typing import Any

import httpx
import pytest
from playwright.sync_api import Browser, Page, expect

from tests.e2e.conftest import AGENT_PASSWORD, LOKET, LoketProcess, new_agent, serious_violations
from tests.e2e.test_telegram_conversation import archive_of, deliver
from tests.stand_ins.telegram_bot_api import TelegramBotApi, text_update

pytestmark = [pytest.mark.e2e, pytest.mark.browser]

CHAT_ID = 5_550_301


def log_in(page: Page, loket: LoketProcess, roles: str) -> None:
    page.goto(loket.url + "/console")
    page.get_by_label("Gebruikersnaam").fill(new_agent(loket, roles))
    page.get_by_label("Wachtwoord").fill(AGENT_PASSWORD)
    page.get_by_role("button", name="Inloggen").click()
    expect(page.get_by_role("heading", name="Wachtrij")).to_be_visible()


def download(page: Page) -> dict[str, Any]:
    with page.expect_download() as started:
        page.get_by_role("button", name="Inzageverzoek downloaden (JSON)").click()
    saved = started.value
    assert saved.suggested_filename.startswith("inzageverzoek-")
    found: dict[str, Any] = json.loads(Path(saved.path()).read_text(encoding="utf-8"))
    return found


@pytest.fixture
def two_conversations(loket: LoketProcess, telegram_api: TelegramBotApi) -> tuple[str, str]:
    """A Telegram resident's first conversation, closed and on legal hold, and a second one."""
    first = text_update(73_001, CHAT_ID, "hoe vraag ik een paspoort aan? mijn BSN is 111222333")
    assert deliver(loket, first).is_success
    telegram_api.wait_for_messages(CHAT_ID, 1)
    held = archive_of(loket, CHAT_ID)[0].conversation_id
    admin = httpx.post(
        f"{loket.url}/api/console/login",
        json={"username": new_agent(loket, "admin"), "password": AGENT_PASSWORD},
        timeout=30,
    ).json()["token"]
    closed = httpx.post(
        f"{loket.url}/api/console/conversations/{held}/close",
        headers={"Authorization": f"Bearer {admin}"},
        timeout=30,
    )
    assert closed.status_code == 200, closed.text
    subprocess.run(
        [str(LOKET), "archive", "hold", held, "--reason", "Woo-verzoek 2026-17"],
        env=loket.env,
        cwd=loket.data_dir,
        check=True,
        capture_output=True,
    )
    assert deliver(loket, text_update(73_002, CHAT_ID, "wanneer is het grofvuil")).is_success
    telegram_api.wait_for_messages(CHAT_ID, 2)
    later = {m.conversation_id for m in archive_of(loket, CHAT_ID)} - {held}
    (erasable,) = later
    return held, erasable


def test_an_admin_exports_and_erases_a_residents_data_and_sees_what_remains(
    browser: Browser, loket: LoketProcess, two_conversations: tuple[str, str]
) -> None:
    held, erasable = two_conversations
    page = browser.new_context(locale="nl-NL", accept_downloads=True).new_page()
    log_in(page, loket, "admin")
    page.get_by_role("link", name="Rechten van inwoners").click()
    expect(page.get_by_role("heading", name="Rechten van inwoners")).to_be_visible()
    page.get_by_label("Kanaal", exact=True).select_option("telegram")
    page.get_by_label("Id van de inwoner op dat kanaal").fill(str(CHAT_ID))
    page.get_by_role("button", name="Zoeken").click()

    table = page.get_by_role("table", name="Gesprekken in het archief")
    rows = table.locator("tbody tr")
    expect(rows).to_have_count(2)
    expect(table).to_contain_text("bewaard: juridische bewaarplicht (legal hold)")
    expect(table).to_contain_text("reden: Woo-verzoek 2026-17")
    expect(table).to_contain_text("wisbaar op verzoek")
    expect(page.get_by_label("Id van de inwoner op dat kanaal")).to_have_value("")
    assert str(CHAT_ID) not in page.locator("main").inner_text()
    assert serious_violations(page) == []

    before = download(page)
    assert {c["id"] for c in before["conversations"]} == {held, erasable}
    texts = [m["text"] for c in before["conversations"] for m in c["messages"]]
    assert any("111222333" in (text or "") for text in texts)  # decrypted for the resident
    assert before["destroyed"] == []

    page.get_by_role("button", name="Wissen…").click()
    confirm = page.get_by_role("group", name="Wissen bevestigen")
    expect(confirm).to_contain_text("1 gesprek(ken) worden gewist, 1 blijven bewaard.")
    expect(confirm.get_by_role("listitem")).to_contain_text("telegram: bewaard: juridische")
    page.get_by_role("button", name="Definitief wissen").click()
    expect(page.get_by_role("status").last).to_have_text(
        "Vink eerst aan dat u het verzoek hebt vastgesteld."
    )
    assert len(archive_of(loket, CHAT_ID)) > 0
    page.get_by_label("Ik heb vastgesteld dat het verzoek van deze inwoner komt.").check()
    page.get_by_role("button", name="Definitief wissen").click()
    expect(page.locator("#rights-status")).to_have_text(
        "1 gesprek(ken) gewist. Wat er nog is, staat hieronder met de reden."
    )
    expect(rows).to_have_count(1)
    expect(rows).to_contain_text("juridische bewaarplicht")
    expect(page.locator("#subject-destroyed li")).to_contain_text("wisverzoek")
    page.get_by_role("button", name="Wissen…").click()
    expect(confirm).to_contain_text("Er is niets te wissen")
    expect(page.get_by_role("button", name="Definitief wissen")).to_be_hidden()
    assert serious_violations(page) == []

    after = download(page)
    (remaining,) = after["conversations"]
    assert remaining["id"] == held
    assert remaining["kept_because"] == ["legal hold"]
    assert remaining["legal_hold_reason"] == "Woo-verzoek 2026-17"
    (destroyed,) = after["destroyed"]
    assert (destroyed["conversation_id"], destroyed["reason"]) == (erasable, "erasure")
    assert {m.conversation_id for m in archive_of(loket, CHAT_ID)} == {held}
    assert "111222333" not in loket.log()  # loket run's own log, uvicorn's access log included

    page.get_by_role("button", name="English").click()
    expect(page.get_by_role("heading", name="Residents' rights")).to_be_visible()
    english = page.get_by_role("table", name="Conversations in the archive")
    expect(english.locator("tbody tr")).to_contain_text("kept: legal hold")
    page.context.close()


def test_an_agent_is_refused_residents_rights(browser: Browser, loket: LoketProcess) -> None:
    page = browser.new_context(locale="nl-NL").new_page()
    log_in(page, loket, "agent")
    expect(page.get_by_role("link", name="Rechten van inwoners")).to_be_hidden()
    page.goto(loket.url + "/console#inwoners")
    page.get_by_label("Id van de inwoner op dat kanaal").fill("5550301")
    with page.expect_response(lambda r: r.url.endswith("/api/console/subjects/lookup")) as answer:
        page.get_by_role("button", name="Zoeken").click()
    assert answer.value.status == 403
    expect(page.locator("#rights-status")).to_have_text("Hiervoor heeft u de rol beheerder nodig.")
    expect(page.locator("#subject")).to_be_hidden()
    page.context.close()
