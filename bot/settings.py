"""Loket's settings: read once at start-up from `LOKET_*` environment variables or a config file.

A config file (TOML or env style is not needed: plain `KEY=value` lines, the dotenv format) is
found at `LOKET_CONFIG_FILE`, else `loket.env` in the working directory. Environment variables win.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Final, Literal

from pydantic import Field, SecretStr, field_validator, model_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

from bot.business_hours import BusinessHours
from bot.logs import LogFormat
from channels import telegram
from knowledge_base.embeddings import Precision, Runtime
from knowledge_base.glossary import FREEDICT_NLD_ENG
from knowledge_base.thresholds import Thresholds
from knowledge_base.wordings import read_wordings

PROJECT_DIR: Final = Path(__file__).resolve().parent.parent
TUNED_EMBEDDING_MODEL: Final = PROJECT_DIR / "models" / "embedding"

MAX_MESSAGE_CHARS: Final = 4000
"""The longest message a resident may send; Telegram's own limit is 4096."""


def _config_file() -> str:
    return os.environ.get("LOKET_CONFIG_FILE", "loket.env")


class Settings(BaseSettings):
    model_config = SettingsConfigDict(
        env_prefix="LOKET_", env_file=_config_file(), env_file_encoding="utf-8", extra="ignore"
    )

    mode: Literal["development", "production"] = "development"
    log_format: LogFormat = "text"
    """`json`: one JSON object per log line, for a log collector."""
    host: str = "127.0.0.1"
    port: int = 8000
    data_dir: Path = PROJECT_DIR / "var"
    database_url: str = ""
    """SQLAlchemy URL; empty means a SQLite file in `data_dir`."""

    redis_url: str = ""
    """Redis (e.g. `redis://127.0.0.1:6379/0`) for several loket processes: per-conversation
    order across them and live events between them. Empty: one process, in memory."""

    rasa_url: str = "http://127.0.0.1:5005"
    """The Rasa server; with several Rasa processes, the first (the next ports are the others)."""
    rasa_tracker_store_url: str = ""
    """PostgreSQL for Rasa's conversation trackers (`postgresql://user:password@host/db`).
    Empty: the application database when that is PostgreSQL (Rasa adds its table `events`),
    otherwise Rasa's own memory, lost when Rasa restarts."""
    rasa_tracker_retention_days: int = Field(default=30, ge=1)
    """`loket archive purge` removes Rasa's events older than this from its tracker store, of
    every conversation not on legal hold. The archive is the record; Rasa reads back only a
    conversation's latest session (an hour of silence or 20 messages ends one)."""
    rasa_command: str = str(PROJECT_DIR / ".venv-rasa" / "bin" / "rasa")
    rasa_project_dir: Path = PROJECT_DIR
    rasa_model: Path = PROJECT_DIR / "models" / "loket.tar.gz"
    rasa_timeout_seconds: float = 30.0
    rasa_start_timeout_seconds: float = 240.0
    manage_rasa: bool = True
    """`loket run` starts and supervises Rasa itself; off when Rasa is deployed on its own."""
    workers: int = Field(default=1, ge=1)
    """Loket processes `loket run` starts, sharing one port."""
    rasa_processes: int | None = Field(default=None, ge=1)
    """Rasa processes `loket run` starts; by default one, two from two workers on."""

    action_url: str = ""
    """Where Rasa reaches loket's action webhook; empty means this process's own `/webhook`."""

    embedding_model: str = Field(default="", validate_default=True)
    """A sentence-transformers model name or path; empty means the one `make setup` tuned
    (models/embedding, knowledge_base/tuning.py) when it is there, else the bundled
    all-MiniLM-L6-v2."""
    embedding_precision: Precision = "auto"
    """`auto`: bfloat16 where the CPU computes in it (a third faster, the same answers), else
    float32."""
    embedding_runtime: Runtime = "auto"
    """`auto`: ONNX Runtime where the model has been exported for it (`make setup` exports the
    tuned one; knowledge_base/onnx_encoder.py): the same vectors in a third of torch's time on
    CPUs without AVX-512. `torch`, or `onnx` to refuse to start without the export."""
    glossary: Path | None = FREEDICT_NLD_ENG
    """A Dutch-English dictionary (FreeDict, dictd format): the English model also reads each
    text word by word in English. Empty turns it off, as for a multilingual model."""

    kb_answer_confidence: float = Field(default=Thresholds.confidence, gt=0, lt=1)
    """The best candidate is the answer when the answer model is this confident of it."""
    kb_clear_threshold: float = Thresholds.clear
    kb_clear_margin: float = Thresholds.margin
    """A question not answered is offered the candidates scoring at least `kb_clear_threshold`
    within this margin of the best, as a choice, when there are two or more."""
    kb_seed_file: Path = PROJECT_DIR / "knowledge_base" / "seed" / "starter.yml"
    kb_wordings: Path | None = PROJECT_DIR / "data" / "retrieval" / "wordings.tsv"
    """Residents' wordings of the entries' questions, per entry id (knowledge_base/wordings.py);
    empty for none."""
    kb_reload_seconds: float = Field(default=0.25, gt=0)
    """How often each process looks for changes to the knowledge base and the notices (one small
    query; with Redis a change also wakes every process at once)."""

    insights_cache_seconds: float = Field(default=60.0, ge=0)
    """How long the editors' dashboard shows a period's figures before counting again: grouping
    the unanswered questions embeds each of them."""

    escalation_examples: Path = PROJECT_DIR / "data" / "escalation" / "examples.tsv"
    """Labelled messages (`label`, `reason`, `text`) the escalation classifier learns from, with
    Rasa's NLU examples in `rasa_project_dir`/data/nlu."""
    escalation_threshold: float = Field(default=0.6, gt=0, lt=1)
    """From this probability on the classifier hands a conversation to a person."""

    municipality_name: str = "Dijkstad"
    municipality_phone: str = "14 0123"
    municipality_website: str = "https://www.dijkstad.example"
    municipality_address: str = "Marktplein 1, Dijkstad"
    opening_hours_nl: str = "maandag tot en met vrijdag van 8.30 tot 17.00 uur"
    opening_hours_en: str = "Monday to Friday from 8:30 to 17:00"

    canned_responses_file: Path = PROJECT_DIR / "data" / "canned_responses.yml"
    """Agents' ready-made replies (title, text per language)."""

    business_hours: str = "mon-fri 08:30-17:00"
    """When the webcare team is at work, e.g. `mon-fri 08:30-17:00; sat 10:00-12:00`."""
    holidays: str = ""
    """Comma-separated ISO dates the team is off, e.g. `2026-12-25,2026-12-26`."""
    time_zone: str = "Europe/Amsterdam"
    minutes_per_waiting_conversation: int = Field(default=5, ge=1)
    """For the resident's estimate of how long until a colleague joins."""

    webchat_session_hours: int = Field(default=24, ge=1)
    rate_limit_per_sender: int = Field(default=20, ge=1)
    """Messages a minute one resident may send; past it they get a short "slow down" answer."""
    rate_limit_per_ip: int = Field(default=60, ge=1)
    """Web chat requests a minute from one IP address; past it, 429."""
    webchat_allowed_origins: str = ""
    """Comma-separated origins of the sites that embed the chat widget, e.g.
    `https://www.dijkstad.nl,https://dijkstad.nl`; the chat page at `/` always works."""
    forwarded_allow_ips: str = "127.0.0.1"
    """Proxies whose X-Forwarded-For is believed (comma-separated addresses, or `*`): behind a
    reverse proxy the per-IP limit must count the resident's address, not the proxy's."""
    max_body_bytes: int = Field(default=64 * 1024, ge=1024)
    """Webhook and API bodies larger than this are refused with 413 before they are parsed."""

    public_url: str = ""
    """The address the internet reaches Loket on (e.g. https://loket.gemeente.nl), as the
    platforms see it behind proxies: webhooks are registered and Twilio signatures checked
    against it."""

    telegram_bot_token: SecretStr = SecretStr("")
    telegram_webhook_secret: SecretStr = SecretStr("")
    telegram_api_url: str = telegram.DEFAULT_API_URL

    twilio_account_sid: str = ""
    twilio_auth_token: SecretStr = SecretStr("")
    twilio_whatsapp_from: str = ""
    """The WhatsApp sender, e.g. `whatsapp:+3197010000000`."""
    twilio_api_url: str = "https://api.twilio.com"
    twilio_template_sid: str = ""
    """The approved template (Content SID) sent when WhatsApp's 24-hour window has closed."""

    archive_personal_data: Literal["keep", "mask", "encrypt"] = "encrypt"
    """What the archive does with personal data (BSN, IBAN, phone, e-mail, address) in what
    residents and agents write. `encrypt`, the default, is what a municipality needs: the
    Archiefwet asks for a complete, authentic record and the AVG for data minimisation and
    security, so the text everyone reads is masked while the original stays, encrypted with
    `archive_key`, for an access request or a court. `mask` destroys the originals at once;
    `keep` stores them readable."""
    archive_key: SecretStr = SecretStr("")
    """Fernet keys (comma-separated; the first encrypts, all decrypt, so a key can be rotated).
    Required in production with `encrypt`; make one with `loket archive new-key`."""
    archive_subject_secret: SecretStr = SecretStr("")
    """The secret of the residents' pseudonyms (HMAC-SHA256 of channel and user id). Required
    in production and never changed afterwards, or earlier records can no longer be found."""
    archive_retention_days_bot: int = Field(default=365, ge=1)
    """Conversations the bot answered alone are destroyed this long after their last message."""
    archive_retention_days_agent: int = Field(default=730, ge=1)
    """Conversations handed to a webcare agent: part of the municipality's handling of a
    request. Set both from the municipality's own selectielijst."""
    archive_retention_rule: str = "Loket bewaartermijnen"
    """The name of the rule the retention periods come from, as destruction reports cite it,
    e.g. the selectielijst and its category."""
    archive_obligation_categories: str = "agent"
    """Comma-separated categories that an erasure request does not erase before their
    retention period ends, because the Archiefwet obliges the municipality to keep them."""

    @model_validator(mode="after")
    def _archive_secrets(self) -> Settings:
        if self.mode == "production":
            if not self.archive_subject_secret.get_secret_value():
                raise ValueError("LOKET_ARCHIVE_SUBJECT_SECRET is required in production")
            if self.archive_personal_data == "encrypt" and not (
                self.archive_key.get_secret_value()
            ):
                raise ValueError(
                    "LOKET_ARCHIVE_KEY is required in production with "
                    "LOKET_ARCHIVE_PERSONAL_DATA=encrypt"
                )
        return self

    @model_validator(mode="after")
    def _production_database(self) -> Settings:
        if self.mode == "production" and not self.database_url.startswith("postgresql"):
            raise ValueError(
                "LOKET_DATABASE_URL must name PostgreSQL in production "
                "(postgresql+psycopg://...): SQLite serves one process only"
            )
        return self

    @model_validator(mode="after")
    def _several_processes(self) -> Settings:
        # Apart, each process would keep its own conversation locks and Rasa its own trackers
        # and ticket locks: a conversation's messages could be answered out of order, twice,
        # or by a Rasa that never saw the conversation before.
        if self.workers > 1 and not self.redis_url:
            raise ValueError(
                "LOKET_REDIS_URL is required with several workers: without it each process "
                "keeps its own conversation locks"
            )
        if self.managed_rasa_processes > 1:
            if not self.redis_url:
                raise ValueError(
                    "LOKET_REDIS_URL is required with several Rasa processes: it is their "
                    "shared lock store (an in-memory lock store serves one process only)"
                )
            if not self.rasa_tracker_store:
                raise ValueError(
                    "Several Rasa processes need a shared tracker store: PostgreSQL as "
                    "LOKET_DATABASE_URL or LOKET_RASA_TRACKER_STORE_URL"
                )
        return self

    @model_validator(mode="after")
    def _tracker_store(self) -> Settings:
        if self.rasa_tracker_store_url and not self.rasa_tracker_store_url.startswith("postgresql"):
            raise ValueError("LOKET_RASA_TRACKER_STORE_URL must name PostgreSQL")
        return self

    @model_validator(mode="after")
    def _business_hours(self) -> Settings:
        BusinessHours.parse(self.business_hours, self.holidays, self.time_zone)  # or ValueError
        return self

    @model_validator(mode="after")
    def _channel_secrets(self) -> Settings:
        if self.telegram_bot_token.get_secret_value() and not (
            self.telegram_webhook_secret.get_secret_value()
        ):
            raise ValueError(
                "LOKET_TELEGRAM_WEBHOOK_SECRET is required with LOKET_TELEGRAM_BOT_TOKEN: "
                "without it anyone could post forged updates to the webhook"
            )
        if self.twilio_enabled and not self.public_url:
            raise ValueError(
                "LOKET_PUBLIC_URL is required with Twilio: signatures are checked against it"
            )
        return self

    @property
    def allowed_origins(self) -> list[str]:
        return [o.strip().rstrip("/") for o in self.webchat_allowed_origins.split(",") if o.strip()]

    @property
    def twilio_enabled(self) -> bool:
        return bool(
            self.twilio_account_sid
            and self.twilio_auth_token.get_secret_value()
            and self.twilio_whatsapp_from
        )

    @property
    def telegram_enabled(self) -> bool:
        return bool(self.telegram_bot_token.get_secret_value())

    @field_validator("data_dir", "rasa_project_dir", "rasa_model", "kb_seed_file")
    @classmethod
    def _absolute(cls, value: Path) -> Path:
        return value.expanduser().resolve()

    @field_validator("embedding_model")
    @classmethod
    def _tuned_by_default(cls, value: str) -> str:
        if not value and (TUNED_EMBEDDING_MODEL / "modules.json").exists():
            return str(TUNED_EMBEDDING_MODEL)
        return value

    @field_validator("glossary", "kb_wordings", mode="before")
    @classmethod
    def _off_when_empty(cls, value: object) -> object:
        return None if value in ("", None) else value

    @field_validator("kb_wordings")
    @classmethod
    def _readable_wordings(cls, value: Path | None) -> Path | None:
        """A broken wordings file stops the start with where and why (a WordingsError is a
        ValueError), not with a traceback once the knowledge base loads."""
        read_wordings(value)
        return value

    @property
    def retention_days(self) -> dict[str, int]:
        return {"bot": self.archive_retention_days_bot, "agent": self.archive_retention_days_agent}

    @property
    def obligation_categories(self) -> set[str]:
        return {c.strip() for c in self.archive_obligation_categories.split(",") if c.strip()}

    @property
    def sqlalchemy_url(self) -> str:
        if self.database_url:
            return self.database_url
        return f"sqlite:///{self.data_dir / 'loket.db'}"

    @property
    def managed_rasa_processes(self) -> int:
        """How many Rasa processes `loket run` starts itself (0 with `--no-rasa`)."""
        if not self.manage_rasa:
            return 0
        return self.rasa_processes or min(self.workers, 2)

    @property
    def rasa_tracker_store(self) -> str:
        """The PostgreSQL URL of Rasa's tracker store; empty for Rasa's memory."""
        if self.rasa_tracker_store_url:
            return self.rasa_tracker_store_url
        return self.database_url if self.database_url.startswith("postgresql") else ""

    @property
    def own_action_url(self) -> str:
        return self.action_url or f"http://{self.host}:{self.port}/webhook"

    def municipality(self, language: str) -> dict[str, str]:
        """The values for the placeholders in answers, in one language."""
        return {
            "municipality": self.municipality_name,
            "phone": self.municipality_phone,
            "website": self.municipality_website,
            "address": self.municipality_address,
            "opening_hours": self.opening_hours_en if language == "en" else self.opening_hours_nl,
        }
