"""The application log: one line per record on stderr, as text for a person at a terminal or as
JSON for a log collector (journald, Loki, Elastic), with personal data masked either way."""

from __future__ import annotations

import json
import logging
from datetime import UTC, datetime
from typing import Any, Final, Literal, TextIO

from uvicorn.config import LOGGING_CONFIG

from bot import personal_data

LogFormat = Literal["text", "json"]

UVICORN_LOGGERS: Final = ("uvicorn", "uvicorn.access", "uvicorn.error")
QUIET_LOGGERS: Final = ("httpx", "alembic", "rasa_sdk")
TEXT_FORMAT: Final = "%(asctime)s %(levelname)s %(name)s: %(message)s"


class JsonFormatter(logging.Formatter):
    """One JSON object per line: time (UTC), level, logger, process and message; an access
    line also has its method, path and status as fields of their own."""

    def format(self, record: logging.LogRecord) -> str:
        line: dict[str, Any] = {
            "time": datetime.fromtimestamp(record.created, UTC).isoformat(timespec="milliseconds"),
            "level": record.levelname,
            "logger": record.name,
            "pid": record.process,
            "message": record.getMessage(),
        }
        access = personal_data.AccessLine.of(record)
        if access is not None:
            line |= {"method": access.method, "path": access.path, "status": access.status}
        if record.exc_info and not record.exc_text:
            record.exc_text = self.formatException(record.exc_info)
        if record.exc_text:
            line["exception"] = record.exc_text
        return json.dumps(line, ensure_ascii=False)


def configure_logging(stream: TextIO, log_format: LogFormat = "text") -> None:
    """Log to the stream, with personal data masked (see `bot.personal_data`)."""
    handler = logging.StreamHandler(stream)
    handler.set_name("loket")
    handler.setFormatter(
        JsonFormatter() if log_format == "json" else logging.Formatter(TEXT_FORMAT)
    )
    root = logging.getLogger()
    for earlier in [h for h in root.handlers if h.get_name() == "loket"]:
        root.removeHandler(earlier)  # configured again, as tests of the commands do
    root.addHandler(handler)
    root.setLevel(logging.INFO)
    for noisy in QUIET_LOGGERS:
        logging.getLogger(noisy).setLevel(logging.WARNING)
    personal_data.protect_logs()


def uvicorn_log_config(log_format: LogFormat) -> dict[str, Any]:
    """uvicorn's own logging set-up for `uvicorn.Config(log_config=...)`: its default handlers
    for text; for JSON none, and its records go on to the JSON handler on the root logger."""
    if log_format == "text":
        return LOGGING_CONFIG
    return {
        "version": 1,
        "disable_existing_loggers": False,
        "loggers": {name: {"handlers": [], "propagate": True} for name in UVICORN_LOGGERS},
    }
