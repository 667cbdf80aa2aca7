"""The loket web application: web chat API and page, and Rasa's action webhook (in-process)."""

from __future__ import annotations

import asyncio
import gc
import logging
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.middleware.cors import CORSMiddleware
from fastapi.responses import FileResponse, JSONResponse, Response
from fastapi.staticfiles import StaticFiles
from prometheus_client import CONTENT_TYPE_LATEST
from rasa_sdk.executor import ActionExecutor
from rasa_sdk.interfaces import (
    ActionExecutionRejection,
    ActionMissingDomainException,
    ActionNotFoundException,
)
from sqlalchemy import Engine, text
from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.orm import Session

from actions.actions import build_actions
from actions.escalation import EscalationClassifier, Example, read_examples
from bot import (
    console_api,
    console_subjects,
    editor_api,
    handoff,
    insights_api,
    live_changes,
    metrics,
    notice_push,
    notices_api,
    sealing,
    webchat_api,
    webhooks,
)
from bot.body_limit import BodyLimit
from bot.business_hours import BusinessHours
from bot.canned_responses import CannedResponse, read_canned_responses
from bot.conversation_locks import RedisLocks
from bot.errors import LoketError, RateLimited
from bot.events import EventHub, Hub
from bot.rasa_client import RasaClient
from bot.rate_limit import RateLimiter
from bot.redis_fanout import RedisEventHub
from bot.router import Router
from bot.seen import SeenSet
from bot.settings import Settings
from channels.base import Channel, ChannelError
from channels.telegram import TelegramChannel
from channels.webchat import WebchatChannel
from channels.whatsapp import WhatsAppChannel
from knowledge_base.embeddings import (
    Encoder,
    RecentEncoder,
    load_encoder,
    with_glossary,
)
from knowledge_base.errors import KnowledgeBaseError
from knowledge_base.glossary import load_glossary
from knowledge_base.service import KnowledgeBase
from knowledge_base.thresholds import Thresholds
from knowledge_base.wordings import read_wordings

logger = logging.getLogger(__name__)

STATIC = Path(__file__).resolve().parent / "static"
ACTION_CALL_MAX_BYTES = 64 * 1024 * 1024


@dataclass
class Services:
    """What the request handlers share; made once at start-up."""

    settings: Settings
    engine: Engine
    knowledge_base: KnowledgeBase
    hub: Hub
    rasa: RasaClient
    router: Router
    executor: ActionExecutor
    ip_limiter: RateLimiter
    telegram: TelegramChannel | None
    whatsapp: WhatsAppChannel | None
    canned_responses: list[CannedResponse] = field(default_factory=list)
    seen_updates: SeenSet = field(default_factory=SeenSet)
    """Telegram update ids handled lately."""
    insights_report: insights_api.KeptReport | None = None


def configured_encoder(settings: Settings) -> Encoder:
    """The embedding model the settings name, in their precision and runtime."""
    return load_encoder(
        settings.embedding_model, settings.embedding_precision, settings.embedding_runtime
    )


def build_services(settings: Settings, encoder: Encoder | None = None) -> Services:
    engine = sealing.open_database(settings)
    glossary = load_glossary(settings.glossary)
    knowledge_base = KnowledgeBase(
        engine,
        RecentEncoder(with_glossary(encoder or configured_encoder(settings), glossary)),
        Thresholds(
            confidence=settings.kb_answer_confidence,
            clear=settings.kb_clear_threshold,
            margin=settings.kb_clear_margin,
        ),
        glossary,
        read_wordings(settings.kb_wordings),
    )
    knowledge_base.import_seed_if_empty(settings.kb_seed_file)
    knowledge_base.reload()
    knowledge_base.reload_notices()
    examples = read_examples(
        settings.escalation_examples,
        sorted((settings.rasa_project_dir / "data" / "nlu").glob("*.yml")),
    )
    # What the knowledge base answers is, by definition, for the bot: its questions teach the
    # classifier what ordinary questions look like in this municipality.
    examples += [Example(0, "none", q) for q in knowledge_base.questions()]
    classifier = EscalationClassifier(
        knowledge_base.text_encoder, examples, settings.escalation_threshold
    )
    executor = ActionExecutor()
    for action in build_actions(knowledge_base, settings.municipality, classifier):
        executor.register_action(action)
    hub: Hub = RedisEventHub(settings.redis_url) if settings.redis_url else EventHub()
    locks = RedisLocks(settings.redis_url) if settings.redis_url else None
    rasa = RasaClient(settings.rasa_url, settings.rasa_timeout_seconds)
    channels: list[Channel] = [WebchatChannel(hub)]
    telegram = None
    if settings.telegram_enabled:
        telegram = TelegramChannel(
            settings.telegram_bot_token.get_secret_value(),
            settings.telegram_webhook_secret.get_secret_value(),
            settings.telegram_api_url,
        )
        channels.append(telegram)
    else:
        logger.info("Telegram is off: LOKET_TELEGRAM_BOT_TOKEN is not set")
    whatsapp = None
    if settings.twilio_enabled:
        whatsapp = WhatsAppChannel(
            settings.twilio_account_sid,
            settings.twilio_auth_token.get_secret_value(),
            settings.twilio_whatsapp_from,
            settings.public_url,
            settings.twilio_api_url,
            settings.twilio_template_sid,
        )
        channels.append(whatsapp)
    else:
        logger.info("WhatsApp is off: the LOKET_TWILIO_* settings are not all set")
    router = Router(
        engine,
        rasa,
        {channel.name: channel for channel in channels},
        RateLimiter(settings.rate_limit_per_sender),
        console=hub,
        hours=BusinessHours.parse(settings.business_hours, settings.holidays, settings.time_zone),
        minutes_per_conversation=settings.minutes_per_waiting_conversation,
        locks=locks,
        notices=knowledge_base.notices,
    )
    ip_limiter = RateLimiter(settings.rate_limit_per_ip)
    return Services(
        settings,
        engine,
        knowledge_base,
        hub,
        rasa,
        router,
        executor,
        ip_limiter,
        telegram,
        whatsapp,
        read_canned_responses(settings.canned_responses_file),
    )


def _database_ready(engine: Engine) -> bool:
    try:
        with engine.connect() as connection:
            connection.execute(text("SELECT 1"))
    except SQLAlchemyError:
        return False
    return True


def _queue_length(engine: Engine) -> int:
    with Session(engine) as session:
        return handoff.waiting(session)


def freeze_loaded_objects() -> None:
    """Keep what Loket loaded at start-up (libraries, model, knowledge-base index) out of the
    garbage collector's way. A full collection then takes about 2 ms instead of 250 ms at 20,000
    entries (measured): time that a question or a publish would otherwise wait now and then."""
    gc.collect()
    gc.freeze()


def _error(status: int, code: str, message: str) -> JSONResponse:
    return JSONResponse({"error": {"code": code, "message": message}}, status_code=status)


def create_app(
    settings: Settings, encoder: Encoder | None = None, push_notices: bool = True
) -> FastAPI:
    """The app; `push_notices` off for a short-lived pipeline (`loket ask`, `loket eval`) that
    must not take on sending a crisis notice to residents."""

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        services = build_services(settings, encoder)
        app.state.services = services
        if isinstance(services.hub, RedisEventHub):
            await services.hub.start()
        follower = asyncio.create_task(
            live_changes.follow(
                services.knowledge_base,
                services.hub,
                settings.kb_reload_seconds,
                (lambda n: notice_push.push(services.engine, services.router, n))
                if push_notices
                else None,
            )
        )
        yield
        follower.cancel()
        if isinstance(services.hub, RedisEventHub):
            await services.hub.stop()
        await services.rasa.aclose()
        services.engine.dispose()

    app = FastAPI(title="Loket", version="0.1.0", lifespan=lifespan)

    @app.exception_handler(LoketError)
    async def loket_error(_: Request, error: LoketError) -> JSONResponse:
        metrics.ERRORS.labels(error.code).inc()
        response = _error(error.status, error.code, error.message)
        if isinstance(error, RateLimited):
            response.headers["Retry-After"] = str(int(error.retry_after))
        return response

    @app.exception_handler(ChannelError)
    async def channel_error(_: Request, error: ChannelError) -> JSONResponse:
        metrics.ERRORS.labels(error.code).inc()
        return _error(error.status, error.code, error.message)

    @app.exception_handler(KnowledgeBaseError)
    async def knowledge_base_error(_: Request, error: KnowledgeBaseError) -> JSONResponse:
        metrics.ERRORS.labels(error.code).inc()
        return _error(error.status, error.code, error.message)

    @app.exception_handler(RequestValidationError)
    async def validation_error(_: Request, error: RequestValidationError) -> JSONResponse:
        problems = error.errors()
        if any(p.get("type") == "json_invalid" for p in problems):
            return _error(400, "invalid_json", "The request body is not valid JSON")
        where = ", ".join(".".join(str(x) for x in p.get("loc", ())[1:]) for p in problems)
        return _error(422, "invalid_request", f"Invalid or missing fields: {where}")

    @app.get("/", include_in_schema=False)
    async def chat_page() -> FileResponse:
        return FileResponse(STATIC / "index.html")

    @app.get("/console", include_in_schema=False)
    async def console_page() -> FileResponse:
        return FileResponse(STATIC / "console.html")

    @app.get("/editor", include_in_schema=False)
    async def editor_page() -> FileResponse:
        return FileResponse(STATIC / "editor.html")

    @app.get("/healthz", tags=["operations"], summary="The process is alive")
    async def healthz() -> dict[str, str]:
        return {"status": "ok"}

    @app.get("/readyz", tags=["operations"], summary="Rasa and the database are reachable")
    async def readyz(request: Request) -> JSONResponse:
        services: Services = request.app.state.services
        checks = {
            "database": await asyncio.to_thread(_database_ready, services.engine),
            "rasa": await services.rasa.is_ready(),
        }
        ready = all(checks.values())
        return JSONResponse(
            {"status": "ready" if ready else "unavailable", "checks": checks},
            status_code=200 if ready else 503,
        )

    @app.get("/metrics", tags=["operations"], summary="Prometheus metrics")
    async def prometheus_metrics(request: Request) -> Response:
        services: Services = request.app.state.services
        metrics.QUEUE_LENGTH.set(await asyncio.to_thread(_queue_length, services.engine))
        return Response(metrics.exposition(), media_type=CONTENT_TYPE_LATEST)

    @app.post("/webhook", tags=["rasa"], summary="Rasa's action webhook")
    async def action_webhook(request: Request) -> JSONResponse:
        services: Services = request.app.state.services
        try:
            action_call: Any = await request.json()
        except (ValueError, RecursionError):
            return JSONResponse({"error": "Invalid body request"}, status_code=400)
        if not isinstance(action_call, dict):
            return JSONResponse({"error": "Invalid body request"}, status_code=400)
        try:
            result = await services.executor.run(action_call)
        except ActionExecutionRejection as e:
            return JSONResponse({"error": e.message, "action_name": e.action_name}, 400)
        except ActionNotFoundException as e:
            return JSONResponse({"error": e.message, "action_name": e.action_name}, 404)
        except ActionMissingDomainException as e:
            return JSONResponse({"error": e.message, "action_name": e.action_name}, 449)
        return JSONResponse(result.model_dump() if result else None)

    if settings.allowed_origins:
        app.add_middleware(
            CORSMiddleware,
            allow_origins=settings.allowed_origins,
            allow_methods=["GET", "POST"],
            allow_headers=["Authorization", "Content-Type", "Last-Event-ID"],
            max_age=600,
        )
    # Rasa posts the whole conversation so far to the action webhook: far more than a resident's
    # message, and growing with every turn.
    app.add_middleware(
        BodyLimit,
        max_bytes=settings.max_body_bytes,
        per_path={"/webhook": ACTION_CALL_MAX_BYTES},
    )
    app.include_router(webchat_api.router)
    app.include_router(webhooks.router)
    app.include_router(console_api.router)
    app.include_router(console_subjects.router)
    app.include_router(editor_api.router)
    app.include_router(notices_api.router)
    app.include_router(insights_api.router)
    app.mount("/static", StaticFiles(directory=STATIC), name="static")
    return app
