"""Exports of the archive: JSON lines and CSV for analysis, MDTO for the municipality's archive.

An export holds the conversations that started between two dates (both included), with every
message as archived: personal data masked where the policy masks it, residents known only by
their subject key.
"""

from __future__ import annotations

import csv
import hashlib
import json
import xml.etree.ElementTree as ET
from datetime import UTC, date, datetime, time, timedelta
from pathlib import Path
from typing import Any, Final

from sqlalchemy import select
from sqlalchemy.orm import Session

from bot import archive, retention
from bot.settings import Settings
from bot.tables import ConversationRow, MessageRow
from knowledge_base.tables import utcnow

FORMATS: Final = ("jsonl", "csv", "mdto")

MESSAGE_FIELDS: Final = (
    "conversation_id",
    "id",
    "created_at",
    "channel",
    "subject_key",
    "direction",
    "sender",
    "agent_id",
    "text",
    "language",
    "intent",
    "confidence",
    "kb_entry_id",
    "kb_entry_version",
    "kb_score",
    "handoff_reason",
    "hash",
)

MDTO: Final = "https://www.nationaalarchief.nl/mdto"
JSON_FORMAT: Final = ("JSON Data Interchange Format", "fmt/817")
"""The transcript's file format in the PRONOM register."""


def conversations_between(session: Session, start: date, end: date) -> list[ConversationRow]:
    return list(
        session.scalars(
            select(ConversationRow)
            .where(
                ConversationRow.created_at >= datetime.combine(start, time(), UTC),
                ConversationRow.created_at < datetime.combine(end + timedelta(days=1), time(), UTC),
            )
            .order_by(ConversationRow.created_at, ConversationRow.id)
        )
    )


def message_record(row: MessageRow) -> dict[str, Any]:
    record = {name: getattr(row, name) for name in MESSAGE_FIELDS}
    record["created_at"] = row.created_at.isoformat()
    return record


def export(
    session: Session, settings: Settings, start: date, end: date, kind: str, out: Path
) -> list[Path]:
    """Write the export into the folder `out`; the files written."""
    out.mkdir(parents=True, exist_ok=True)
    conversations = conversations_between(session, start, end)
    if kind == "mdto":
        return [
            path
            for conversation in conversations
            for path in write_mdto(session, settings, conversation, out)
        ]
    records = [
        message_record(row)
        for conversation in conversations
        for row in archive.messages(session, conversation.id, events=True)
    ]
    if kind == "jsonl":
        path = out / "messages.jsonl"
        with path.open("w", encoding="utf-8") as file:
            for record in records:
                file.write(json.dumps(record, ensure_ascii=False) + "\n")
        return [path]
    path = out / "messages.csv"
    with path.open("w", encoding="utf-8", newline="") as file:
        writer = csv.DictWriter(file, fieldnames=MESSAGE_FIELDS)
        writer.writeheader()
        writer.writerows(records)
    return [path]


def _element(parent: ET.Element, name: str, text: str | None = None) -> ET.Element:
    element = ET.SubElement(parent, f"{{{MDTO}}}{name}")
    if text is not None:
        element.text = text
    return element


def _begrip(parent: ET.Element, name: str, label: str, lijst: str, code: str = "") -> None:
    element = _element(parent, name)
    _element(element, "begripLabel", label)
    if code:
        _element(element, "begripCode", code)
    _element(_element(element, "begripBegrippenlijst"), "verwijzingNaam", lijst)


def _identificatie(parent: ET.Element, name: str, kenmerk: str, bron: str) -> None:
    element = _element(parent, name)
    _element(element, "identificatieKenmerk", kenmerk)
    _element(element, "identificatieBron", bron)


def _verwijzing(
    parent: ET.Element, name: str, naam: str, kenmerk: str = "", bron: str = ""
) -> None:
    element = _element(parent, name)
    _element(element, "verwijzingNaam", naam)
    if kenmerk:
        _identificatie(element, "verwijzingIdentificatie", kenmerk, bron)


def _write_xml(root: ET.Element, path: Path) -> None:
    ET.indent(root)
    ET.ElementTree(root).write(path, encoding="UTF-8", xml_declaration=True)


def _moment(value: datetime) -> str:
    return value.astimezone(UTC).replace(microsecond=0).isoformat()


def write_mdto(
    session: Session, settings: Settings, conversation: ConversationRow, out: Path
) -> list[Path]:
    """One conversation as MDTO: its transcript (JSON), an `informatieobject` describing the
    conversation and a `bestand` describing the transcript with its checksum."""
    ET.register_namespace("", MDTO)
    source = f"Loket {settings.municipality_name}"
    kept = retention.retention(session, settings, conversation)
    messages = archive.messages(session, conversation.id, events=True)
    transcript = out / f"{conversation.id}.json"
    transcript.write_text(
        json.dumps(
            {
                "conversation": {
                    "id": conversation.id,
                    "channel": conversation.channel,
                    "subject_key": conversation.subject_key,
                    "language": conversation.language,
                    "started_at": conversation.created_at.isoformat(),
                    "category": kept.category,
                },
                "messages": [message_record(row) for row in messages],
            },
            ensure_ascii=False,
            indent=2,
        ),
        encoding="utf-8",
    )
    name = (
        f"Chatgesprek via {conversation.channel} van "
        f"{conversation.created_at.astimezone(UTC).date().isoformat()}"
    )

    root = ET.Element(f"{{{MDTO}}}MDTO")
    info = _element(root, "informatieobject")
    _identificatie(info, "identificatie", conversation.id, source)
    _element(info, "naam", name)
    _begrip(info, "aggregatieniveau", "Archiefstuk", "Begrippenlijst Aggregatieniveaus MDTO")
    handled_by = "een medewerker" if kept.category == "agent" else "de chatbot"
    _element(
        info,
        "omschrijving",
        f"Gesprek van een inwoner met de chat van de gemeente {settings.municipality_name}, "
        f"{sum(m.direction != archive.EVENT for m in messages)} berichten, "
        f"afgehandeld door {handled_by}.",
    )
    _element(info, "taal", conversation.language)
    event = _element(info, "event")
    _begrip(event, "eventType", "Creatie", "Begrippenlijst EventTypeLijst MDTO")
    _element(event, "eventTijd", _moment(conversation.created_at))
    _verwijzing(event, "eventVerantwoordelijkeActor", source)
    _begrip(info, "waardering", "Tijdelijk te bewaren", "Begrippenlijst Waarderingen MDTO", "V")
    term = _element(info, "bewaartermijn")
    _element(term, "termijnStartdatumLooptijd", kept.last_message_at.date().isoformat())
    _element(term, "termijnLooptijd", f"P{kept.days}D")
    _element(term, "termijnEinddatum", kept.until.date().isoformat())
    _begrip(info, "informatiecategorie", kept.category, settings.archive_retention_rule)
    _verwijzing(info, "heeftRepresentatie", transcript.name, transcript.name, source)
    _verwijzing(info, "archiefvormer", f"Gemeente {settings.municipality_name}")
    if conversation.subject_key:
        betrokkene = _element(info, "betrokkene")
        _begrip(betrokkene, "betrokkeneTypeRelatie", "Inwoner", f"Begrippenlijst {source}")
        _verwijzing(
            betrokkene,
            "betrokkeneActor",
            "Inwoner (pseudoniem)",
            conversation.subject_key,
            f"{source}, HMAC-SHA256 van kanaal en gebruiker",
        )
    restriction = _element(info, "beperkingGebruik")
    _begrip(restriction, "beperkingGebruikType", "Persoonsgegevens", f"Begrippenlijst {source}")
    _element(
        restriction,
        "beperkingGebruikNadereBeschrijving",
        "Bevat persoonsgegevens (AVG): inzage alleen voor de betrokkene en bevoegde medewerkers.",
    )
    info_path = out / f"{conversation.id}.mdto.xml"
    _write_xml(root, info_path)

    content = transcript.read_bytes()
    root = ET.Element(f"{{{MDTO}}}MDTO")
    bestand = _element(root, "bestand")
    _identificatie(bestand, "identificatie", transcript.name, source)
    _element(bestand, "naam", transcript.name)
    _element(bestand, "omvang", str(len(content)))
    _begrip(bestand, "bestandsformaat", JSON_FORMAT[0], "PRONOM-register", JSON_FORMAT[1])
    checksum = _element(bestand, "checksum")
    _begrip(checksum, "checksumAlgoritme", "SHA256", "Begrippenlijst ChecksumAlgoritme MDTO")
    _element(checksum, "checksumWaarde", hashlib.sha256(content).hexdigest())
    _element(checksum, "checksumDatum", _moment(utcnow()))
    _verwijzing(bestand, "isRepresentatieVan", name, conversation.id, source)
    bestand_path = out / f"{conversation.id}.json.mdto.xml"
    _write_xml(root, bestand_path)
    return [transcript, info_path, bestand_path]
