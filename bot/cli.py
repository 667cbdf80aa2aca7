"""The `loket` command."""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import getpass
import itertools
import json
import logging
import os
import signal
import socket
import sys
import tempfile
import uuid
from collections.abc import AsyncIterator, Sequence
from datetime import timedelta
from pathlib import Path
from types import FrameType
from typing import Any, Final

import uvicorn
from pydantic import ValidationError
from sqlalchemy.orm import Session

from bot import archive_cli, benchmark, editorial_cli, personal_data, staff, workers
from bot import evaluation as evaluation_module
from bot.app import (
    Services,
    build_services,
    configured_encoder,
    create_app,
    freeze_loaded_objects,
)
from bot.audit import command_line_actor, record_audit
from bot.database import make_engine, migrate
from bot.errors import LoketError
from bot.logs import UVICORN_LOGGERS, configure_logging, uvicorn_log_config
from bot.ports import free_port
from bot.rasa_client import RasaClient
from bot.settings import Settings
from bot.supervisor import supervisor_for
from channels.base import Inbound, Outbound, normalise
from channels.telegram import TelegramChannel
from knowledge_base import store, wordings
from knowledge_base.embeddings import with_glossary
from knowledge_base.entries import Status
from knowledge_base.errors import KnowledgeBaseError
from knowledge_base.files import read_entries, read_imported_wordings
from knowledge_base.glossary import load_glossary
from knowledge_base.seed import dump_seed, read_seed

logger = logging.getLogger("loket")

INTERRUPTED: Final = 130
"""The exit status of a one-off command stopped by Ctrl-C or SIGTERM, as a shell gives it."""


def uvicorn_server(config: uvicorn.Config) -> uvicorn.Server:
    """A server whose own log handlers (set up with its config) mask personal data too."""
    personal_data.protect_logs(*UVICORN_LOGGERS)
    return uvicorn.Server(config)


async def _serve(
    settings: Settings, socket_fd: int | None = None, ready_fd: int | None = None
) -> None:
    """One loket process; as a worker of `loket run --workers` (see `bot.workers`) it serves on
    the parent's socket and says on the `ready_fd` pipe when it does."""
    server = uvicorn_server(
        uvicorn.Config(
            create_app(settings),
            host=settings.host,
            port=settings.port,
            log_level="info",
            log_config=uvicorn_log_config(settings.log_format),
            proxy_headers=True,
            forwarded_allow_ips=settings.forwarded_allow_ips,
        )
    )
    sockets = None if socket_fd is None else [socket.socket(fileno=socket_fd)]
    serving = asyncio.create_task(server.serve(sockets))
    while not server.started:
        if serving.done():
            await serving  # start-up failed: raise its error
            return
        await asyncio.sleep(0.1)
    freeze_loaded_objects()
    supervisor = supervisor_for(settings, settings.own_action_url) if settings.manage_rasa else None
    try:
        if supervisor is not None:
            await supervisor.start()
        if ready_fd is not None:
            os.write(ready_fd, b"1")
            os.close(ready_fd)
            logger.info("Worker %d is ready", os.getpid())
        else:
            logger.info("Loket is ready: web chat at http://%s:%d/", settings.host, settings.port)
        await serving
    finally:
        server.should_exit = True
        if supervisor is not None:
            await supervisor.stop()
        with contextlib.suppress(asyncio.CancelledError):
            await serving


async def _serve_several(settings: Settings) -> None:
    # SIGTERM (systemd's stop) stops everything in order, as Ctrl-C does.
    main = asyncio.current_task()
    assert main is not None
    asyncio.get_running_loop().add_signal_handler(signal.SIGTERM, main.cancel)
    with contextlib.suppress(asyncio.CancelledError):
        await workers.serve_several(settings)


def run(settings: Settings, socket_fd: int | None = None, ready_fd: int | None = None) -> int:
    try:
        if socket_fd is None and (settings.workers > 1 or settings.managed_rasa_processes > 1):
            asyncio.run(_serve_several(settings))
        else:
            asyncio.run(_serve(settings, socket_fd, ready_fd))
    except KeyboardInterrupt:
        pass
    except LoketError as error:
        logger.error("%s", error.message)
        return 1
    return 0


class _PrintChannel:
    name = "cli"
    reply_window: timedelta | None = None

    def __init__(self, echo: bool) -> None:
        self._echo = echo

    async def send(self, channel_key: str, message: Outbound) -> None:
        if self._echo:
            print(message.text, end="\n\n", flush=True)


@contextlib.asynccontextmanager
async def pipeline(
    settings: Settings, echo: bool, own_rasa: bool | None = None
) -> AsyncIterator[Services]:
    """Loket's whole pipeline in this process, with a Rasa: the running one, or one of our own.

    A Rasa of our own calls this process's actions; a running one calls those of the loket that
    started it (`own_rasa=True` when this process's knowledge base must answer).
    """
    if own_rasa is None:
        own_rasa = not await _rasa_ready(settings.rasa_url)
    if own_rasa:
        settings = settings.model_copy(update={"rasa_url": f"http://127.0.0.1:{free_port()}"})
    app = create_app(settings, push_notices=False)
    port = free_port()
    server = uvicorn_server(uvicorn.Config(app, host="127.0.0.1", port=port, log_level="warning"))
    serving = asyncio.create_task(server.serve())
    supervisor = supervisor_for(settings, f"http://127.0.0.1:{port}/webhook")
    try:
        while not server.started:
            if serving.done():
                await serving
            await asyncio.sleep(0.05)
        if own_rasa:
            logger.info("No Rasa is running: starting one (this takes a while)")
            await supervisor.start()
        services: Services = app.state.services
        services.router.add_channel(_PrintChannel(echo))
        yield services
    finally:
        if own_rasa:
            await supervisor.stop()
        server.should_exit = True
        await serving


async def _rasa_ready(url: str) -> bool:
    client = RasaClient(url, timeout=2.0)
    try:
        return await client.is_ready()
    finally:
        await client.aclose()


async def _ask(settings: Settings, text: str, as_json: bool) -> dict[str, Any]:
    async with pipeline(settings, echo=not as_json) as services:
        turn = await services.router.handle(Inbound("cli", str(uuid.uuid4()), normalise(text)))
    meta = turn.meta
    return {
        "text": "\n\n".join(reply.text for reply in turn.replies),
        "language": meta.get("language", turn.inbound.language),
        "intent": meta.get("intent"),
        "kb_entry": meta.get("kb_entry"),
        "handoff": meta.get("handoff"),
    }


def ask(settings: Settings, text: str, as_json: bool) -> int:
    if not normalise(text):
        print("loket ask: the message is empty", file=sys.stderr)
        return 2
    try:
        result = asyncio.run(_ask(settings, text, as_json))
    except LoketError as error:
        print(f"loket ask: {error.message}", file=sys.stderr)
        return 1
    if as_json:
        print(json.dumps(result, ensure_ascii=False))
    return 0


def kb_import(settings: Settings, path: Path, publish: bool) -> int:
    services = build_services(settings)
    status = Status.PUBLISHED if publish else Status.DRAFT
    try:
        entries = read_entries(path)
        imported_wordings = read_imported_wordings(path)
        for texts in imported_wordings.values():
            for text in texts:
                personal_data.refuse_in(wordings.tidy(text))
    except (OSError, ValueError, KnowledgeBaseError) as error:
        message = error.message if isinstance(error, KnowledgeBaseError) else error
        print(f"loket kb import: {message}", file=sys.stderr)
        return 1
    author = command_line_actor()
    with Session(services.engine) as session, session.begin():
        counts = store.import_entries(session, entries, status, author=author)
        counts["wordings"] = wordings.import_wordings(session, imported_wordings, author, publish)
        details = {"status": status.value, **counts}
        record_audit(session, author, "kb.import", path.name, details)
    print(
        f"{path.name}: {counts['added']} added, {counts['updated']} with a new version, "
        f"{counts['unchanged']} unchanged ({status.value})"
        + (f"; {counts['wordings']} residents' wordings" if counts["wordings"] else "")
    )
    return 0


def kb_export(settings: Settings, out: Path | None) -> int:
    engine = make_engine(settings.sqlalchemy_url)
    migrate(engine)
    with Session(engine) as session:
        text = dump_seed(
            [(entry, status.value) for entry, status in store.latest_versions(session)],
            wordings.approved(session),
        )
    if out is None:
        sys.stdout.write(text)
    else:
        out.write_text(text, encoding="utf-8")
    return 0


async def _evaluate(
    settings: Settings, corpus: list[Path], queries_file: Path, kind: str, details: Path | None
) -> tuple[dict[str, Any], list[str]]:
    with tempfile.TemporaryDirectory(prefix="loket-eval-") as workdir:
        evaluation = evaluation_module.prepare(
            settings, corpus or [settings.kb_seed_file], Path(workdir)
        )
        if kind == "retrieval":
            queries = evaluation_module.retrieval_queries(queries_file, evaluation)
        elif kind == "escalation":
            queries = evaluation_module.escalation_queries(queries_file)
        else:
            queries = evaluation_module.oos_queries(queries_file)
        async with pipeline(evaluation.settings, echo=False, own_rasa=True) as services:
            report = await evaluation_module.run_queries(services, queries)
    if details is not None:
        report.write_details(details)
    if kind == "retrieval":
        return report.retrieval(), report.confusion()
    if kind == "escalation":
        return report.escalation(), report.escalation_confusion()
    return report.out_of_scope(), report.confusion()


def evaluate(
    settings: Settings,
    kind: str,
    corpus: list[Path],
    queries: Path,
    as_json: bool,
    details: Path | None = None,
) -> int:
    try:
        figures, confusion = asyncio.run(_evaluate(settings, corpus, queries, kind, details))
    except (OSError, ValueError, LoketError) as error:
        print(f"loket eval {kind}: {error}", file=sys.stderr)
        return 1
    for line in confusion:
        print(line)
    print(" ".join(f"{key}={value}" for key, value in figures.items()))
    if as_json:
        print(json.dumps(figures))
    return 0


def telegram_set_webhook(settings: Settings) -> int:
    if not settings.telegram_enabled:
        print("loket channels: LOKET_TELEGRAM_BOT_TOKEN is not set", file=sys.stderr)
        return 1
    if not settings.public_url.startswith("https://") and not settings.public_url.startswith(
        "http://"
    ):
        print(
            "loket channels: set LOKET_PUBLIC_URL to Loket's public https address", file=sys.stderr
        )
        return 1
    url = settings.public_url.rstrip("/") + "/webhooks/telegram"
    secret = settings.telegram_webhook_secret.get_secret_value()
    channel = TelegramChannel(
        settings.telegram_bot_token.get_secret_value(), secret, settings.telegram_api_url
    )
    asyncio.run(channel.set_webhook(url, secret))
    print(f"Telegram sends updates to {url}")
    return 0


def bench_retrieval(settings: Settings, sizes: list[int], as_json: bool) -> int:
    glossary = load_glossary(settings.glossary)
    encoder = with_glossary(configured_encoder(settings), glossary)
    seed = read_seed(settings.kb_seed_file)
    queries = [
        q
        for _, q in itertools.islice(
            itertools.cycle([v for e in seed for v in e.all_questions()]), benchmark.QUERIES
        )
    ]
    rows = []
    for size in sizes:
        row = benchmark.measure(encoder, settings.kb_seed_file, queries, size, glossary)
        print(
            f"{row['entries']:>6} entries: p50 {row['p50_ms']} ms, p95 {row['p95_ms']} ms, "
            f"index built in {row['index_build_s']} s "
            f"({row['index_build_stored_vectors_s']} s from stored vectors), publish to answerable "
            f"{row['publish_to_answerable_s']} s (median of {len(benchmark.NEW_ENTRIES)}, "
            f"slowest {row['publish_to_answerable_max_s']} s)",
            flush=True,
        )
        rows.append(row)
    if as_json:
        print(json.dumps({"retrieval": rows}))
    return 0


def staff_add(settings: Settings, username: str, roles: str, display_name: str, totp: bool) -> int:
    """A staff account; the password is read from standard input, never from the command line
    (it would end up in the shell's history and the process list)."""
    if sys.stdin.isatty():
        password = getpass.getpass("Password: ")
        if getpass.getpass("Password again: ") != password:
            print("loket staff add: the passwords differ", file=sys.stderr)
            return 1
    else:
        password = sys.stdin.readline().rstrip("\n")
    engine = make_engine(settings.sqlalchemy_url)
    migrate(engine)
    secret = staff.new_totp_secret() if totp else None
    try:
        with Session(engine) as session, session.begin():
            user = staff.create_user(
                session, username, password, set(roles.split(",")), display_name, secret
            )
            details = {"roles": sorted(user.roles), "totp": bool(secret)}
            record_audit(session, command_line_actor(), "staff.add", user.username, details)
    except LoketError as error:
        print(f"loket staff add: {error.message}", file=sys.stderr)
        return 1
    finally:
        engine.dispose()
    print(f"{user.username} can log in to the console as {', '.join(sorted(user.roles))}")
    if secret:
        print(f"Authenticator app secret (shown once): {secret}")
    return 0


def setup(settings: Settings) -> int:
    """Create or upgrade the database and import the starter knowledge base if it is empty."""
    services = build_services(settings)
    print(f"Database ready; the knowledge base answers from {len(services.knowledge_base)} entries")
    return 0


def parser() -> argparse.ArgumentParser:
    main_parser = argparse.ArgumentParser(
        prog="loket", description="Loket: a 24/7 contact point for a municipality."
    )
    commands = main_parser.add_subparsers(dest="command", required=True)
    run_parser = commands.add_parser("run", help="start Loket (and Rasa) and serve the web chat")
    run_parser.add_argument("--host", help="address to listen on (default 127.0.0.1)")
    run_parser.add_argument("--port", type=int, help="port to listen on (default 8000)")
    run_parser.add_argument(
        "--no-rasa", action="store_true", help="do not start Rasa: it is deployed on its own"
    )
    run_parser.add_argument(
        "--workers", type=int, help="loket processes on the one port (default 1; needs Redis)"
    )
    run_parser.add_argument(
        "--rasa-processes",
        type=int,
        help="Rasa processes, on the Rasa port and the next ones (default 1, 2 with workers); "
        "worker i sends to Rasa i modulo their number",
    )
    # How a worker of `--workers` gets the parent's socket and tells it that it serves.
    run_parser.add_argument("--socket-fd", type=int, help=argparse.SUPPRESS)
    run_parser.add_argument("--ready-fd", type=int, help=argparse.SUPPRESS)
    ask_parser = commands.add_parser("ask", help="send one message through the whole pipeline")
    ask_parser.add_argument("--json", action="store_true", help="end with one line of JSON")
    ask_parser.add_argument("text", help="the message, as a resident would write it")
    commands.add_parser("setup", help="create the database and import the starter answers")

    staff_parser = commands.add_parser("staff", help="console accounts").add_subparsers(
        dest="staff_command", required=True
    )
    staff_add_parser = staff_parser.add_parser(
        "add", help="add an account; the password is read from standard input"
    )
    staff_add_parser.add_argument("username")
    staff_add_parser.add_argument(
        "--roles", default="agent", help="comma-separated: agent, editor, approver, admin"
    )
    staff_add_parser.add_argument("--display-name", default="", help="the name residents see")
    staff_add_parser.add_argument(
        "--totp", action="store_true", help="require a code from an authenticator app"
    )

    kb = commands.add_parser("kb", help="the knowledge base").add_subparsers(
        dest="kb_command", required=True
    )
    kb_import_parser = kb.add_parser("import", help="import a seed .yml or a rijksoverheid .csv")
    kb_import_parser.add_argument("file", type=Path)
    kb_import_parser.add_argument(
        "--publish", action="store_true", help="publish at once (default: as drafts)"
    )
    kb_export_parser = kb.add_parser("export", help="write every entry's newest version as YAML")
    kb_export_parser.add_argument("--out", type=Path, help="a file (default: standard output)")
    editorial_cli.add_kb_commands(kb)
    editorial_cli.add_notice_commands(commands)

    channels = commands.add_parser("channels", help="connect the messaging platforms")
    platforms = channels.add_subparsers(dest="platform", required=True)
    telegram = platforms.add_parser("telegram", help="Telegram").add_subparsers(
        dest="telegram_command", required=True
    )
    telegram.add_parser(
        "set-webhook", help="register LOKET_PUBLIC_URL/webhooks/telegram with its secret token"
    )

    bench = commands.add_parser("bench", help="measure speed").add_subparsers(
        dest="bench_command", required=True
    )
    bench_retrieval_parser = bench.add_parser(
        "retrieval", help="query latency by knowledge-base size, publish-to-answerable time"
    )
    bench_retrieval_parser.add_argument(
        "--sizes",
        default=",".join(str(size) for size in benchmark.SIZES),
        help="comma-separated numbers of entries (default %(default)s)",
    )
    bench_retrieval_parser.add_argument("--json", action="store_true")

    evaluation = commands.add_parser("eval", help="measure answer quality").add_subparsers(
        dest="eval_command", required=True
    )
    for name, help_text, columns in (
        ("retrieval", "answers to paraphrased questions", "id<TAB>query"),
        ("oos", "out-of-scope messages that must not be answered", "text"),
        ("escalation", "messages a person should (1) or need not (0) take over", "label<TAB>text"),
    ):
        eval_parser = evaluation.add_parser(name, help=help_text)
        eval_parser.add_argument(
            "--corpus",
            type=Path,
            action="append",
            required=name != "escalation",
            default=[],
            help="a rijksoverheid CSV or seed YAML (repeat for several)"
            + ("; default: the starter knowledge base" if name == "escalation" else ""),
        )
        eval_parser.add_argument(
            "--queries", type=Path, required=True, help=f"a TSV with the header {columns}"
        )
        eval_parser.add_argument("--json", action="store_true", help="end with one line of JSON")
        eval_parser.add_argument(
            "--details",
            type=Path,
            help="write each query's outcome (intent, candidates, scores) as JSON lines here",
        )
    archive_cli.add_commands(commands)
    return main_parser


def main(argv: Sequence[str] | None = None) -> int:
    args = parser().parse_args(argv)
    configure_logging(sys.stderr)
    overrides: dict[str, Any] = {}
    if args.command == "run":
        given = {
            "host": args.host,
            "port": args.port,
            "workers": args.workers,
            "rasa_processes": args.rasa_processes,
        }
        overrides = {k: v for k, v in given.items() if v}
        if args.no_rasa:
            overrides["manage_rasa"] = False
    try:
        settings = Settings(**overrides)
    except ValidationError as error:
        for problem in error.errors():
            print(f"loket: {problem['msg'].removeprefix('Value error, ')}", file=sys.stderr)
        return 2
    if settings.log_format != "text":
        configure_logging(sys.stderr, settings.log_format)
    if args.command == "run":
        return run(settings, args.socket_fd, args.ready_fd)
    # A one-off command stopped by SIGTERM (a timeout, a cancelled job) stops as Ctrl-C stops
    # it, so the Rasa it started stops too instead of living on; `run` handles SIGTERM itself.
    # Started in the background by a script, a process inherits SIGINT ignored, and both would
    # be lost: the command then ran on to its answer and exited 0.
    signal.signal(signal.SIGINT, signal.default_int_handler)
    signal.signal(signal.SIGTERM, _as_interrupt)
    try:
        return _one_off(args, settings)
    except KeyboardInterrupt:
        return INTERRUPTED


def _as_interrupt(signum: int, frame: FrameType | None) -> None:
    signal.raise_signal(signal.SIGINT)


def _one_off(args: argparse.Namespace, settings: Settings) -> int:
    if args.command == "ask":
        return ask(settings, args.text, args.json)
    if args.command == "kb":
        if args.kb_command == "import":
            return kb_import(settings, args.file, args.publish)
        if args.kb_command == "export":
            return kb_export(settings, args.out)
        return editorial_cli.run(settings, args)
    if args.command == "notice":
        return editorial_cli.run(settings, args)
    if args.command == "bench":
        sizes = [int(size) for size in args.sizes.split(",")]
        return bench_retrieval(settings, sizes, args.json)
    if args.command == "channels":
        return telegram_set_webhook(settings)
    if args.command == "archive":
        return archive_cli.run(settings, args)
    if args.command == "staff":
        return staff_add(settings, args.username, args.roles, args.display_name, args.totp)
    if args.command == "eval":
        return evaluate(
            settings, args.eval_command, args.corpus, args.queries, args.json, args.details
        )
    return setup(settings)


if __name__ == "__main__":
    sys.exit(main())
