"""The `loket archive` commands: verify, export, purge, legal hold, residents' rights."""

from __future__ import annotations

import argparse
import json
import sys

from sqlalchemy import Engine
from sqlalchemy.orm import Session

from bot import sealing
from bot.audit import command_line_actor, record_audit
from bot.database import make_engine, migrate
from bot.settings import Settings


def add_commands(commands: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    archive = commands.add_parser("archive", help="the archive of conversations")
    archive.add_argument("--actor", default=None, help="who runs this, for the audit log")
    subcommands = archive.add_subparsers(dest="archive_command", required=True)
    verify = subcommands.add_parser("verify", help="recompute every conversation's hash chain")
    verify.add_argument("--json", action="store_true", help="end with one line of JSON")


def _engine(settings: Settings) -> Engine:
    engine = make_engine(settings.sqlalchemy_url)
    migrate(engine)
    sealing.configure(engine, sealing.ArchivePolicy.from_settings(settings))
    return engine


def verify(engine: Engine, actor: str, as_json: bool) -> int:
    with Session(engine) as session, session.begin():
        report = sealing.verify(session)
        record_audit(session, actor, "archive.verify", "archive", {"broken": len(report.broken)})
    for broken in report.broken:
        print(
            f"conversation {broken.conversation_id}, message {broken.message_id}: {broken.problem}"
        )
    print(
        f"{report.conversations} conversations, {report.messages} messages checked: "
        f"{len(report.broken)} broken, {report.unsealed} from before sealing"
    )
    if as_json:
        print(json.dumps(report.as_json()))
    return 1 if report.broken else 0


def run(settings: Settings, args: argparse.Namespace) -> int:
    engine = _engine(settings)
    actor = args.actor or command_line_actor()
    try:
        if args.archive_command == "verify":
            return verify(engine, actor, args.json)
        print(f"loket archive: unknown command {args.archive_command}", file=sys.stderr)
        return 2
    finally:
        engine.dispose()
