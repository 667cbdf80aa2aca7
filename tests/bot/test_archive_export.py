"""`loket archive export`: JSON lines, CSV and MDTO, the latter checked against the real XSD."""

from __future__ import annotations

import csv
import hashlib
import json
import xml.etree.ElementTree as ET
from datetime import UTC, datetime
from pathlib import Path

import pytest
import xmlschema
from sqlalchemy import Engine, select
from sqlalchemy.orm import Session

from bot.cli import main
from bot.settings import PROJECT_DIR, Settings
from bot.tables import AuditRow
from tests.bot.conftest import add_conversation

XSD = PROJECT_DIR.parent / "shared" / "standards" / "mdto" / "MDTO-XML-1.0.1.xsd"
NS = {"m": "https://www.nationaalarchief.nl/mdto"}
NOV_20 = datetime(2026, 11, 20, 9, 30, tzinfo=UTC)


@pytest.fixture
def archived(engine: Engine, settings: Settings, monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """Two conversations on 20 November (one handed to an agent) and one a month earlier."""
    monkeypatch.setenv("LOKET_DATA_DIR", str(settings.data_dir))
    bot_only = add_conversation(
        engine,
        ("resident", "Wanneer is het grofvuil? Mijn BSN is 111222333"),
        ("bot", "Het grofvuil wordt op afspraak opgehaald."),
        at=NOV_20,
    )
    handed_off = add_conversation(
        engine,
        ("resident", "Ik wil een mens spreken"),
        ("bot", "Ik zet u door naar een medewerker."),
        ("agent", "Goedemorgen, waarmee kan ik helpen?"),
        channel="whatsapp",
        user_id="whatsapp:+31612345678",
        at=NOV_20.replace(hour=14),
        handoff_reason="asked_for_agent",
    )
    add_conversation(engine, ("resident", "oud"), at=datetime(2026, 10, 1, tzinfo=UTC))
    return [bot_only, handed_off]


def run_export(kind: str, out: Path) -> int:
    period = ["--from", "2026-11-20", "--to", "2026-11-20"]
    return main(["archive", "export", *period, "--format", kind, "--out", str(out)])


def text_of(element: ET.Element, path: str) -> str:
    found = element.find(path, NS)
    assert found is not None, path
    assert found.text is not None, path
    return found.text


def test_mdto_export_is_valid_and_its_checksums_hold(archived: list[str], tmp_path: Path) -> None:
    out = tmp_path / "mdto"
    assert run_export("mdto", out) == 0
    schema = xmlschema.XMLSchema(XSD)
    files = sorted(p.name for p in out.iterdir())
    assert files == sorted(
        f"{c}{suffix}" for c in archived for suffix in (".json", ".mdto.xml", ".json.mdto.xml")
    )
    for conversation_id in archived:
        info_path = out / f"{conversation_id}.mdto.xml"
        bestand_path = out / f"{conversation_id}.json.mdto.xml"
        schema.validate(info_path)
        schema.validate(bestand_path)
        info = ET.parse(info_path).getroot()
        bestand = ET.parse(bestand_path).getroot()
        assert text_of(info, "m:informatieobject/m:identificatie/m:identificatieKenmerk") == (
            conversation_id
        )
        representation = text_of(info, "m:informatieobject/m:heeftRepresentatie/m:verwijzingNaam")
        transcript = out / representation
        content = transcript.read_bytes()
        assert text_of(bestand, "m:bestand/m:naam") == representation
        assert int(text_of(bestand, "m:bestand/m:omvang")) == len(content)
        assert text_of(bestand, "m:bestand/m:checksum/m:checksumWaarde") == (
            hashlib.sha256(content).hexdigest()
        )
        algorithm = "m:bestand/m:checksum/m:checksumAlgoritme/m:begripLabel"
        assert text_of(bestand, algorithm) == "SHA256"
        assert text_of(bestand, "m:bestand/m:bestandsformaat/m:begripCode") == "fmt/817"
        assert (
            text_of(
                bestand,
                "m:bestand/m:isRepresentatieVan/m:verwijzingIdentificatie/m:identificatieKenmerk",
            )
            == conversation_id
        )
        assert json.loads(content)["conversation"]["id"] == conversation_id
    handed_off = ET.parse(out / f"{archived[1]}.mdto.xml").getroot()
    assert text_of(handed_off, "m:informatieobject/m:bewaartermijn/m:termijnLooptijd") == "P730D"
    assert "111222333" not in (out / f"{archived[0]}.json").read_text()


def test_an_invalid_mdto_file_is_refused_by_the_validator(
    archived: list[str], tmp_path: Path
) -> None:
    """The validator really checks: the same file without its required checksum fails."""
    assert run_export("mdto", tmp_path) == 0
    tree = ET.parse(tmp_path / f"{archived[0]}.json.mdto.xml")
    bestand = tree.getroot()[0]
    bestand.remove(bestand.find("m:checksum", NS))  # type: ignore[arg-type]
    broken = tmp_path / "broken.xml"
    tree.write(broken)
    with pytest.raises(xmlschema.XMLSchemaValidationError):
        xmlschema.XMLSchema(XSD).validate(broken)


def test_jsonl_and_csv_hold_every_message_of_the_period(
    archived: list[str], tmp_path: Path
) -> None:
    assert run_export("jsonl", tmp_path) == 0
    assert run_export("csv", tmp_path) == 0
    lines = [json.loads(line) for line in (tmp_path / "messages.jsonl").read_text().splitlines()]
    with (tmp_path / "messages.csv").open(encoding="utf-8") as file:
        rows = list(csv.DictReader(file))
    assert [line["conversation_id"] for line in lines] == [archived[0]] * 2 + [archived[1]] * 3
    assert [row["text"] for row in rows] == [line["text"] for line in lines]
    assert lines[0]["text"] == "Wanneer is het grofvuil? Mijn BSN is [BSN]"
    assert lines[4]["sender"] == "agent"
    assert all(line["subject_key"] and line["hash"] for line in lines)
    assert "whatsapp:+31612345678" not in (tmp_path / "messages.csv").read_text()


def test_exports_are_audited(archived: list[str], engine: Engine, tmp_path: Path) -> None:
    assert run_export("jsonl", tmp_path) == 0
    with Session(engine) as session:
        (entry,) = session.scalars(select(AuditRow)).all()
    assert entry.action == "archive.export"
    assert entry.actor.startswith("cli:")
    assert entry.details == {
        "from": "2026-11-20",
        "to": "2026-11-20",
        "format": "jsonl",
        "files": 1,
    }
