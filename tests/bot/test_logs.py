"""`LOKET_LOG_FORMAT=json`: one JSON object per line, personal data masked as in text."""

from __future__ import annotations

import io
import json
import logging
import logging.config
from collections.abc import Iterator

import pytest

from bot.logs import UVICORN_LOGGERS, configure_logging, uvicorn_log_config
from tests.bot.test_no_personal_data_in_logs import log_access


@pytest.fixture
def json_log() -> Iterator[io.StringIO]:
    stream = io.StringIO()
    root = logging.getLogger()
    level = root.level
    configure_logging(stream, "json")
    uvicorns = [logging.getLogger(name) for name in UVICORN_LOGGERS]
    before = [(u.level, u.propagate, list(u.handlers)) for u in uvicorns]
    logging.config.dictConfig(uvicorn_log_config("json"))  # as `loket run` has uvicorn do
    logging.getLogger("uvicorn.access").setLevel(logging.INFO)
    yield stream
    for logger, (level, propagate, handlers) in zip(uvicorns, before, strict=True):
        logger.level, logger.propagate, logger.handlers[:] = level, propagate, handlers
    for handler in [h for h in root.handlers if h.get_name() == "loket"]:
        root.removeHandler(handler)
    root.setLevel(level)


def lines(stream: io.StringIO) -> list[dict[str, object]]:
    return [json.loads(line) for line in stream.getvalue().splitlines()]


def test_each_record_is_one_json_object_with_personal_data_masked(
    json_log: io.StringIO,
) -> None:
    logger = logging.getLogger("bot.router")
    logger.info("Bericht van %s over %s", "06-12345678", "paspoort")
    try:
        raise ValueError("IBAN NL91ABNA0417164300 klopt niet")
    except ValueError:
        logger.exception("Opslaan mislukt")
    first, second = lines(json_log)
    assert first["level"] == "INFO"
    assert first["logger"] == "bot.router"
    assert first["message"] == "Bericht van [TELEFOON] over paspoort"
    assert str(first["time"]).endswith("+00:00")
    assert second["message"] == "Opslaan mislukt"
    assert "ValueError: IBAN [IBAN] klopt niet" in str(second["exception"])
    assert "NL91ABNA0417164300" not in json_log.getvalue()


def test_an_access_line_has_its_fields_without_address_or_query(json_log: io.StringIO) -> None:
    log_access("/api/webchat/events?token=9f8e7d6c5b4a", 200)
    (line,) = lines(json_log)
    assert (line["method"], line["path"], line["status"]) == ("GET", "/api/webchat/events?…", 200)
    assert "192.0.2.7" not in json_log.getvalue()
    assert "9f8e7d6c5b4a" not in json_log.getvalue()


def test_uvicorn_keeps_its_own_handlers_only_for_text() -> None:
    assert uvicorn_log_config("text")["handlers"]
    assert "handlers" not in uvicorn_log_config("json")
