"""The `loket archive` commands: verify, export, purge, legal hold, residents' rights."""

from __future__ import annotations

import argparse
import json
import sys
from datetime import date
from pathlib import Path

from cryptography.fernet import Fernet
from sqlalchemy import Engine
from sqlalchemy.orm import Session

from bot import archive_export, retention, sealing, subject_rights
from bot.audit import command_line_actor, record_audit
from bot.settings import Settings
from bot.tables import ConversationRow


def add_commands(commands: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    archive = commands.add_parser("archive", help="the archive of conversations")
    archive.add_argument("--actor", default=None, help="who runs this, for the audit log")
    subcommands = archive.add_subparsers(dest="archive_command", required=True)
    subcommands.add_parser("new-key", help="print a new key for LOKET_ARCHIVE_KEY")
    verify = subcommands.add_parser("verify", help="recompute every conversation's hash chain")
    verify.add_argument("--json", action="store_true", help="end with one line of JSON")
    export = subcommands.add_parser("export", help="conversations that started in a period")
    export.add_argument("--from", dest="start", type=date.fromisoformat, required=True)
    export.add_argument("--to", dest="end", type=date.fromisoformat, required=True)
    export.add_argument("--format", choices=archive_export.FORMATS, required=True)
    export.add_argument("--out", type=Path, required=True, help="a folder")
    purge = subcommands.add_parser("purge", help="destroy what its retention period has ended")
    purge.add_argument("--dry-run", action="store_true", help="only say what would go")
    purge.add_argument("--json", action="store_true", help="end with one line of JSON")
    hold = subcommands.add_parser("hold", help="put a conversation on legal hold, or lift it")
    hold.add_argument("conversation_id")
    hold.add_argument("--reason", help="why it must be kept (required to put on hold)")
    hold.add_argument("--release", action="store_true", help="lift the hold")
    subject = subcommands.add_parser("subject", help="a resident's access and erasure requests")
    subject_commands = subject.add_subparsers(dest="subject_command", required=True)
    for name, help_text in (
        ("export", "everything about one resident, as JSON, and why what remains is kept"),
        ("erase", "erase one resident's conversations, except what a hold or the law keeps"),
    ):
        command = subject_commands.add_parser(name, help=help_text)
        command.add_argument("--channel", required=True, help="webchat, telegram or whatsapp")
        command.add_argument(
            "--user-id",
            required=True,
            help="the chat id, the whatsapp: number, or for the web chat the conversation id",
        )
        if name == "export":
            command.add_argument("--out", type=Path, help="a file (default: standard output)")
        else:
            command.add_argument("--dry-run", action="store_true", help="only say what would go")
            command.add_argument("--json", action="store_true", help="end with one line of JSON")


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


def export(engine: Engine, settings: Settings, actor: str, args: argparse.Namespace) -> int:
    if args.end < args.start:
        print("loket archive export: --to is before --from", file=sys.stderr)
        return 2
    with Session(engine) as session, session.begin():
        paths = archive_export.export(
            session, settings, args.start, args.end, args.format, args.out
        )
        details = {"from": str(args.start), "to": str(args.end), "format": args.format}
        record_audit(
            session, actor, "archive.export", str(args.out), details | {"files": len(paths)}
        )
    print(f"{len(paths)} files written to {args.out}")
    return 0


def rasa_line(removed: int | None, verb: str) -> str:
    if removed is None:
        return "Rasa's tracker store: none (Rasa keeps conversations in memory)"
    return f"Rasa's tracker store: {removed} events {verb}"


def purge(engine: Engine, settings: Settings, actor: str, dry_run: bool, as_json: bool) -> int:
    with Session(engine) as session, session.begin():
        result = retention.purge(session, settings, actor, dry_run)
        record_audit(
            session, actor, "archive.purge", "archive", result.as_json() | {"dry_run": dry_run}
        )
    verb = "would be destroyed" if dry_run else "destroyed"
    for kept in result.destroyed:
        print(f"{kept.conversation_id} ({kept.category}, until {kept.until:%Y-%m-%d}): {verb}")
    for kept in result.held:
        print(f"{kept.conversation_id} ({kept.category}, until {kept.until:%Y-%m-%d}): on hold")
    print(f"{len(result.destroyed)} conversations {verb}, {len(result.held)} kept on legal hold")
    print(rasa_line(result.rasa_events, verb))
    if as_json:
        print(json.dumps(result.as_json() | {"dry_run": dry_run}))
    return 0


def hold(engine: Engine, actor: str, args: argparse.Namespace) -> int:
    if not args.release and not args.reason:
        print("loket archive hold: say why with --reason", file=sys.stderr)
        return 2
    with Session(engine) as session, session.begin():
        conversation = session.get(ConversationRow, args.conversation_id)
        if conversation is None:
            print("loket archive hold: no such conversation", file=sys.stderr)
            return 1
        conversation.legal_hold = not args.release
        conversation.legal_hold_reason = None if args.release else args.reason
        action = "archive.hold.release" if args.release else "archive.hold"
        record_audit(session, actor, action, conversation.id, {"reason": args.reason})
    print(f"{args.conversation_id}: {'hold lifted' if args.release else 'on legal hold'}")
    return 0


def subject_export(engine: Engine, settings: Settings, actor: str, args: argparse.Namespace) -> int:
    policy = sealing.ArchivePolicy.from_settings(settings)
    with Session(engine) as session, session.begin():
        found = subject_rights.access(session, settings, policy, args.channel, args.user_id)
        details = {"conversations": len(found["conversations"])}
        record_audit(session, actor, "archive.subject.export", found["subject_key"], details)
    text = json.dumps(found, ensure_ascii=False, indent=2)
    if args.out is None:
        print(text)
    else:
        args.out.write_text(text + "\n", encoding="utf-8")
    return 0


def subject_erase(engine: Engine, settings: Settings, actor: str, args: argparse.Namespace) -> int:
    policy = sealing.ArchivePolicy.from_settings(settings)
    with Session(engine) as session, session.begin():
        result = subject_rights.erase(
            session, settings, policy, args.channel, args.user_id, actor, args.dry_run
        )
        details = result.as_json() | {"dry_run": args.dry_run}
        record_audit(session, actor, "archive.subject.erase", result.subject_key, details)
    verb = "would be erased" if args.dry_run else "erased"
    for conversation_id in result.erased:
        print(f"{conversation_id}: {verb}")
    for conversation_id, reasons in result.kept.items():
        print(f"{conversation_id}: kept ({'; '.join(reasons)})")
    print(f"{len(result.erased)} conversations {verb}, {len(result.kept)} kept")
    print(rasa_line(result.rasa_events, verb))
    if args.json:
        print(json.dumps(details))
    return 0


def run(settings: Settings, args: argparse.Namespace) -> int:
    if args.archive_command == "new-key":
        print(Fernet.generate_key().decode())
        return 0
    engine = sealing.open_database(settings)
    actor = args.actor or command_line_actor()
    try:
        if args.archive_command == "verify":
            return verify(engine, actor, args.json)
        if args.archive_command == "export":
            return export(engine, settings, actor, args)
        if args.archive_command == "purge":
            return purge(engine, settings, actor, args.dry_run, args.json)
        if args.archive_command == "hold":
            return hold(engine, actor, args)
        if args.archive_command == "subject" and args.subject_command == "export":
            return subject_export(engine, settings, actor, args)
        if args.archive_command == "subject":
            return subject_erase(engine, settings, actor, args)
        print(f"loket archive: unknown command {args.archive_command}", file=sys.stderr)
        return 2
    finally:
        engine.dispose()
