"""The editorial commands, for automation: `loket kb publish|rollback|retire` and
`loket notice publish|end|list`.

They follow the editor's rules: a version is published by someone else than its author (four
eyes; `--actor` names who runs the command, by default the operating-system account), and a
notice goes out alone only on the urgent path, recorded as such. Every step is in the audit log,
and running loket processes take it up within a second.
"""

from __future__ import annotations

import argparse
import json
import sys
from datetime import UTC, datetime, timedelta
from typing import Any

from sqlalchemy import Engine
from sqlalchemy.orm import Session

from bot import redis_fanout
from bot.audit import command_line_actor, record_audit
from bot.database import make_engine, migrate
from bot.live_changes import CHANGES_TOPIC
from bot.settings import Settings
from knowledge_base import editorial, live, notices
from knowledge_base.entries import Status
from knowledge_base.errors import FourEyes, KnowledgeBaseError
from knowledge_base.notices import NoticeContent


def add_kb_commands(kb: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    publish = kb.add_parser(
        "publish",
        help="publish an entry's version in review (or draft), by another than its author",
    )
    publish.add_argument("entry_id")
    publish.add_argument("--version", type=int, help="default: the newest version")
    rollback = kb.add_parser("rollback", help="publish an earlier approved text again")
    rollback.add_argument("entry_id")
    rollback.add_argument("--to", dest="version", type=int, required=True, help="the version")
    retire = kb.add_parser("retire", help="stop an entry from answering")
    retire.add_argument("entry_id")
    for command in (publish, rollback, retire):
        command.add_argument("--actor", help="who runs this (default: the system account)")


def add_notice_commands(commands: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    notice = commands.add_parser("notice", help="crisis notices on every channel").add_subparsers(
        dest="notice_command", required=True
    )
    publish = notice.add_parser(
        "publish",
        help="publish notice ID (in review, by another than its author), or write a new one "
        "with --title and --text: offered for review, or with --urgent published at once",
    )
    publish.add_argument("notice_id", type=int, nargs="?")
    publish.add_argument("--title", help="what happened (Dutch)")
    publish.add_argument("--text", help="what residents should do (Dutch)")
    publish.add_argument("--title-en", default="")
    publish.add_argument("--text-en", default="")
    publish.add_argument("--url", default="", help="where residents find updates")
    publish.add_argument("--topics", default="", help="comma-separated knowledge-base topics")
    publish.add_argument("--start", type=datetime.fromisoformat, help="ISO time (default: now)")
    publish.add_argument("--until", type=datetime.fromisoformat, help="ISO time it ends")
    publish.add_argument("--hours", type=float, help="or: how many hours it lasts")
    publish.add_argument("--push-hours", type=int, help="also send it to who wrote in these hours")
    publish.add_argument(
        "--urgent", action="store_true", help="publish alone, without a second pair of eyes"
    )
    end = notice.add_parser("end", help="end a notice now")
    end.add_argument("notice_id", type=int)
    listed = notice.add_parser("list", help="the newest notices and their state")
    listed.add_argument("--json", action="store_true")
    for command in (publish, end):
        command.add_argument("--actor", help="who runs this (default: the system account)")


def _actor(args: argparse.Namespace) -> str:
    return f"cli:{args.actor}" if getattr(args, "actor", None) else command_line_actor()


def _announce(settings: Settings, what: str) -> None:
    """Running processes look at once rather than at their next check."""
    if settings.redis_url:
        redis_fanout.publish_once(settings.redis_url, CHANGES_TOPIC, {"changed": what})


def _aware(moment: datetime | None) -> datetime | None:
    if moment is not None and moment.tzinfo is None:
        raise KnowledgeBaseError("Give times with their offset, e.g. 2026-12-01T18:00+01:00")
    return moment


def _kb(session: Session, args: argparse.Namespace, actor: str) -> str:
    entry_id = args.entry_id
    if args.kb_command == "publish":
        number = args.version or editorial.newest(session, entry_id).version
        version = editorial.version(session, entry_id, number)
        if version.status is Status.DRAFT:
            editorial.submit(session, entry_id, number)
            record_audit(session, actor, "kb.submit", f"{entry_id}@{number}")
        version = editorial.approve(session, entry_id, number, actor)
        details = {"author": version.author}
        record_audit(session, actor, "kb.approve", f"{entry_id}@{number}", details)
        return f"{entry_id} version {number} is published (written by {version.author})"
    if args.kb_command == "rollback":
        version = editorial.rollback(session, entry_id, args.version, actor)
        details = {"restored": args.version}
        record_audit(session, actor, "kb.rollback", f"{entry_id}@{version.version}", details)
        return f"{entry_id}: the text of version {args.version} is live again as {version.version}"
    retired = editorial.retire(session, entry_id)
    record_audit(session, actor, "kb.retire", entry_id, {"versions": retired})
    return f"{entry_id} no longer answers (retired version {', '.join(map(str, retired))})"


def _new_notice(session: Session, args: argparse.Namespace, actor: str) -> int:
    if not args.title or not args.text or not (args.until or args.hours):
        raise KnowledgeBaseError("A new notice needs --title, --text and --until or --hours")
    start = _aware(args.start) or datetime.now(UTC)
    until = _aware(args.until) or start + timedelta(hours=args.hours)
    content = NoticeContent(
        title={"nl": args.title, "en": args.title_en},
        body={"nl": args.text, "en": args.text_en},
        starts_at=start,
        ends_at=until,
        url=args.url,
        topics=[t for t in args.topics.split(",") if t.strip()],
        push_hours=args.push_hours,
    )
    notice = notices.save(session, None, content, actor)
    record_audit(session, actor, "notice.draft", str(notice.id))
    return notice.id


def _notice(session: Session, args: argparse.Namespace, actor: str) -> str:
    if args.notice_command == "end":
        notice = notices.end(session, args.notice_id, actor)
        record_audit(session, actor, "notice.end", str(notice.id))
        return f"Notice {notice.id} has ended"
    notice_id = args.notice_id if args.notice_id is not None else _new_notice(session, args, actor)
    if args.notice_id is None and not args.urgent:
        notices.submit(session, notice_id)
        record_audit(session, actor, "notice.submit", str(notice_id))
        return f"Notice {notice_id} waits for approval: loket notice publish {notice_id}"
    notice = notices.approve(session, notice_id, actor, urgent=args.urgent)
    details = {"author": notice.author, "urgent": args.urgent}
    record_audit(session, actor, "notice.publish", str(notice.id), details)
    return f"Notice {notice.id} is live from {notice.content.starts_at} to {notice.content.ends_at}"


def _listed(engine: Engine, as_json: bool) -> int:
    now = datetime.now(UTC)
    with Session(engine) as session:
        found = [n.as_json(now) for n in notices.recent(session)]
    if as_json:
        print(json.dumps({"notices": found}))
        return 0
    for n in found:
        print(
            f"{n['id']:>4}  {n['state']:<10} {n['starts_at']} – {n['ends_at']}  {n['title']['nl']}"
        )
    return 0


def run(settings: Settings, args: argparse.Namespace) -> int:
    engine = make_engine(settings.sqlalchemy_url)
    migrate(engine)
    command = "kb" if args.command == "kb" else "notice"
    try:
        if command == "notice" and args.notice_command == "list":
            return _listed(engine, args.json)
        actor = _actor(args)
        with Session(engine) as session, session.begin():
            work: Any = _kb if command == "kb" else _notice
            message = work(session, args, actor)
    except FourEyes as error:
        action = "kb.approve.refused" if command == "kb" else "notice.publish.refused"
        target = args.entry_id if command == "kb" else str(args.notice_id)
        with Session(engine) as session, session.begin():
            record_audit(session, actor, action, target, {"reason": "four_eyes"})
        print(f"loket {command}: {error.message}", file=sys.stderr)
        return 1
    except KnowledgeBaseError as error:
        print(f"loket {command}: {error.message}", file=sys.stderr)
        return 1
    finally:
        engine.dispose()
    _announce(settings, live.KNOWLEDGE_BASE if command == "kb" else live.NOTICES)
    print(message)
    return 0
