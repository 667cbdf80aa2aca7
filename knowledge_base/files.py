"""Reading entries from the file formats Loket imports, chosen by the file's extension."""

from __future__ import annotations

from pathlib import Path

from knowledge_base.entries import Entry
from knowledge_base.rijksoverheid import read_rijksoverheid_csv
from knowledge_base.seed import SeedError, read_seed, read_seed_wordings


def read_entries(path: Path) -> list[Entry]:
    """Entries from a seed YAML file (`.yml`, `.yaml`) or a rijksoverheid FAQ export (`.csv`)."""
    suffix = path.suffix.lower()
    if suffix in {".yml", ".yaml"}:
        return read_seed(path)
    if suffix == ".csv":
        return read_rijksoverheid_csv(path)
    raise SeedError(f"{path}: unknown format; use a .yml seed file or a rijksoverheid .csv export")


def read_imported_wordings(path: Path) -> dict[str, tuple[str, ...]]:
    """The residents' wordings a file brings with its entries: a seed file's; a CSV has none."""
    if path.suffix.lower() in {".yml", ".yaml"}:
        return read_seed_wordings(path)
    return {}
