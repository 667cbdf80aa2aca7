"""Real processes: `loket run` (which starts and supervises a real Rasa), once per test session."""

from __future__ import annotations

import os
import signal
import subprocess
import time
import uuid
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path

import httpx
import pytest
from axe_playwright_python.sync_playwright import Axe
from playwright.sync_api import Browser, Page, sync_playwright
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import HTMLResponse
from starlette.routing import Route

from bot.ports import free_port
from bot.settings import PROJECT_DIR
from tests.stand_ins.server import BackgroundServer, running
from tests.stand_ins.telegram_bot_api import TelegramBotApi
from tests.stand_ins.twilio_api import TwilioApi

LOKET = PROJECT_DIR / ".venv" / "bin" / "loket"
START_TIMEOUT = 300.0
INSIGHTS_CACHE_SECONDS = 5.0
"""The dashboard counts again this soon, so a test does not wait the default minute for it."""


@dataclass
class LoketProcess:
    process: subprocess.Popen[bytes]
    url: str
    rasa_url: str
    data_dir: Path
    env: dict[str, str]

    @property
    def database_url(self) -> str:
        return f"sqlite:///{self.data_dir / 'loket.db'}"

    def log(self) -> str:
        return (self.data_dir / "loket.log").read_text(encoding="utf-8", errors="replace")


def loket_env(data_dir: Path, rasa_port: int, port: int | None = None) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("LOKET_")}
    env.update(
        LOKET_DATA_DIR=str(data_dir),
        LOKET_RASA_URL=f"http://127.0.0.1:{rasa_port}",
        LOKET_CONFIG_FILE=str(data_dir / "no-config.env"),
        LOKET_INSIGHTS_CACHE_SECONDS=str(INSIGHTS_CACHE_SECONDS),
        HF_HUB_OFFLINE="1",
    )
    if port is not None:
        env["LOKET_PORT"] = str(port)
    return env


def wait_until_ready(
    loket: LoketProcess, log_line: str = "Loket is ready", rasa: bool = True
) -> None:
    """Until loket and Rasa (unless `rasa` is false) answer and loket has logged `log_line`."""
    deadline = time.monotonic() + START_TIMEOUT
    while time.monotonic() < deadline:
        if loket.process.poll() is not None:
            pytest.fail(f"loket run exited with {loket.process.returncode}:\n{loket.log()[-3000:]}")
        try:
            loket_ok = httpx.get(f"{loket.url}/healthz", timeout=1).status_code == 200
            status = httpx.get(f"{loket.rasa_url}/status", timeout=1) if rasa else None
            rasa_ok = status is None or (
                status.status_code == 200 and status.json().get("model_id")
            )
            if loket_ok and rasa_ok and log_line in loket.log():
                return
        except httpx.HTTPError:
            pass
        time.sleep(0.5)
    pytest.fail(f"loket run was not ready within {START_TIMEOUT:.0f} s:\n{loket.log()[-3000:]}")


def start_loket(
    data_dir: Path, arguments: Sequence[str] = (), rasa_port: int = 0, **extra_env: str
) -> LoketProcess:
    """`loket run` with `arguments`; Rasa on `rasa_port` (and the ports after it for more)."""
    data_dir.mkdir(parents=True, exist_ok=True)
    port, rasa_port = free_port(), rasa_port or free_port()
    env = loket_env(data_dir, rasa_port, port) | extra_env
    with (data_dir / "loket.log").open("wb") as log:
        process = subprocess.Popen(
            [str(LOKET), "run", *arguments],
            env=env,
            stdout=log,
            stderr=subprocess.STDOUT,
            cwd=data_dir,
        )
    loket = LoketProcess(
        process, f"http://127.0.0.1:{port}", f"http://127.0.0.1:{rasa_port}", data_dir, env
    )
    wait_until_ready(loket, rasa="--no-rasa" not in arguments)
    return loket


def stop_loket(loket: LoketProcess) -> int:
    """Ctrl-C, as a person at the terminal would; returns the exit code."""
    if loket.process.poll() is None:
        loket.process.send_signal(signal.SIGINT)
        try:
            loket.process.wait(timeout=60)
        except subprocess.TimeoutExpired:
            loket.process.kill()
            loket.process.wait()
    return loket.process.returncode


TELEGRAM_TOKEN = "123456:E2E-token"
TELEGRAM_SECRET = "e2e-webhook-secret"


@pytest.fixture(scope="session")
def telegram_api() -> Iterator[TelegramBotApi]:
    yield from running(TelegramBotApi(TELEGRAM_TOKEN))


TWILIO_SID = "AC" + "e2e0" * 8
TWILIO_TOKEN = "e2e-twilio-auth-token"
PUBLIC_URL = "https://loket.dijkstad.example"


@pytest.fixture(scope="session")
def twilio_api() -> Iterator[TwilioApi]:
    yield from running(TwilioApi(TWILIO_SID, TWILIO_TOKEN))


class MunicipalitySite(BackgroundServer):
    """The municipality's own website, on another origin, that embeds the widget."""

    def __init__(self) -> None:
        self.page = "<!doctype html><title>empty</title>"
        super().__init__(Starlette(routes=[Route("/", self._page)]))

    async def _page(self, request: Request) -> HTMLResponse:
        return HTMLResponse(self.page)


@pytest.fixture(scope="session")
def municipality_site() -> Iterator[MunicipalitySite]:
    yield from running(MunicipalitySite())


@pytest.fixture(scope="session")
def loket(
    tmp_path_factory: pytest.TempPathFactory,
    telegram_api: TelegramBotApi,
    twilio_api: TwilioApi,
    municipality_site: MunicipalitySite,
) -> Iterator[LoketProcess]:
    running = start_loket(
        tmp_path_factory.mktemp("loket"),
        LOKET_PUBLIC_URL=PUBLIC_URL,
        LOKET_WEBCHAT_ALLOWED_ORIGINS=municipality_site.url,
        LOKET_TELEGRAM_BOT_TOKEN=TELEGRAM_TOKEN,
        LOKET_TELEGRAM_WEBHOOK_SECRET=TELEGRAM_SECRET,
        LOKET_TELEGRAM_API_URL=telegram_api.api_url,
        LOKET_TWILIO_ACCOUNT_SID=TWILIO_SID,
        LOKET_TWILIO_AUTH_TOKEN=TWILIO_TOKEN,
        LOKET_TWILIO_WHATSAPP_FROM="whatsapp:+3197010000000",
        LOKET_TWILIO_API_URL=twilio_api.url,
    )
    yield running
    stop_loket(running)


AGENT_PASSWORD = "een lang wachtwoord voor tests"


def new_agent(loket: LoketProcess, roles: str = "agent") -> str:
    """A new staff account made with `loket staff add`; its password is AGENT_PASSWORD."""
    username = f"agent-{uuid.uuid4().hex[:8]}"
    subprocess.run(
        [str(LOKET), "staff", "add", username, "--roles", roles, "--display-name", "Anna"],
        input=AGENT_PASSWORD + "\n",
        text=True,
        env=loket.env,
        cwd=loket.data_dir,
        check=True,
        capture_output=True,
    )
    return username


def agent_login(loket: LoketProcess) -> dict[str, str]:
    """A new agent, logged in through the console API."""
    username = new_agent(loket)
    response = httpx.post(
        f"{loket.url}/api/console/login",
        json={"username": username, "password": AGENT_PASSWORD},
        timeout=30,
    )
    assert response.status_code == 200, response.text
    return {"Authorization": f"Bearer {response.json()['token']}"}


def agent_replies(
    loket: LoketProcess, agent: dict[str, str], conversation_id: str, text: str
) -> None:
    url = f"{loket.url}/api/console/conversations/{conversation_id}"
    assert httpx.post(f"{url}/take", headers=agent, timeout=30).status_code == 200
    response = httpx.post(f"{url}/messages", headers=agent, json={"text": text}, timeout=30)
    assert response.status_code == 201, response.text


CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking"]


@pytest.fixture(scope="module")
def browser() -> Iterator[Browser]:
    """Debian's Chromium through Playwright (which cannot download a browser here)."""
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield browser
        browser.close()


def serious_violations(page: Page) -> list[tuple[str, str]]:
    """What axe-core finds on the page with a serious or critical impact."""
    results = Axe().run(page)
    return [
        (v["id"], v["help"])
        for v in results.response["violations"]
        if v["impact"] in ("serious", "critical")
    ]
