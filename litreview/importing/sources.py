"""Where imported records came from: a database, a register, or other methods (PRISMA 2020 identification).

A review reports how many records each source gave ("PubMed 312, Scopus 498, citation searching 12") before
duplicates were removed. So every import names its source; the source is stored once per (name, kind) in
``sources``, on each new study (``studies.source_id``) and on every outcome, duplicates included
(``import_outcomes.source_id``), which is what identification counts. ``source_files`` remembers the source chosen
for a file name, so an export imported again (an updated search) is attributed the same way without asking.

Sources are user changes (undoable, part of the import's command); the counting queries live with PRISMA.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from litreview.errors import InputError
from litreview.store import Command, Library

KINDS = ("database", "register", "other")
KIND_WORDS = {"database": "a database", "register": "a register", "other": "other methods"}


@dataclass(frozen=True)
class Source:
    name: str  # "PubMed", "ClinicalTrials.gov", "citation searching", ...
    kind: str = "database"  # database | register | other (PRISMA's "other methods": websites, citations, ...)

    @classmethod
    def of(cls, value: Source | tuple[str, str] | str) -> Source:
        """A source from ``Source``, ``(name, kind)`` or a bare name (a database); checked."""
        if isinstance(value, Source):
            name, kind = value.name, value.kind
        elif isinstance(value, str):
            name, kind = value, "database"
        else:
            name, kind = value
        name = " ".join(str(name or "").split())
        if not name:
            raise InputError("a source needs a name (the database or register searched, or the method used)")
        if kind not in KINDS:
            raise InputError(f"source kind {kind!r} is not one of: {', '.join(KINDS)}")
        return cls(name, kind)

    def __str__(self) -> str:
        return f"{self.name} ({KIND_WORDS[self.kind]})"


SourceChoice = Source | tuple[str, str] | str
"""What a caller passes as a source: see ``Source.of``."""


def source_for(file: Path, choice: SourceChoice | dict[str, SourceChoice] | None,
               library: Library) -> Source | None:
    """The source of one input file: the caller's choice (one for all files, or a dict keyed by file name or
    path), else the source remembered for this file name, else none."""
    if isinstance(choice, dict):
        picked = choice.get(str(file), choice.get(file.name))
        if picked is not None:
            return Source.of(picked)
    elif choice is not None:
        return Source.of(choice)
    return remembered_source(library, file.name)


def remembered_source(library: Library, file_name: str) -> Source | None:
    """The source this file name was imported from last time (so the app asks once per file), or None."""
    row = library.conn.execute(
        "SELECT s.name, s.kind FROM source_files f JOIN sources s ON s.id = f.source_id WHERE f.file_name = ?",
        (Path(file_name).name,)).fetchone()
    return Source(row[0], row[1]) if row else None


def record_source(cmd: Command, source: Source, file_name: str) -> int:
    """Inside a file's import command: the source's row (added when new) and the memory of this file's source.
    Returns the source id."""
    conn = cmd.conn
    row = conn.execute("SELECT id FROM sources WHERE name = ? AND kind = ?", (source.name, source.kind)).fetchone()
    source_id = row[0] if row else cmd.insert("sources", {"name": source.name, "kind": source.kind})
    name = Path(file_name).name
    known = conn.execute("SELECT id, source_id FROM source_files WHERE file_name = ?", (name,)).fetchone()
    if known is None:
        cmd.insert("source_files", {"file_name": name, "source_id": source_id})
    elif known[1] != source_id:
        cmd.update("source_files", known[0], {"source_id": source_id})
    return source_id


def list_sources(library: Library) -> list[Source]:
    """Every source used so far, for the app's source picker."""
    return [Source(name, kind) for name, kind in
            library.conn.execute("SELECT name, kind FROM sources ORDER BY name COLLATE NOCASE, kind")]


def recorded_source_id(library: Library, source: Source, file_name: str) -> int | None:
    """The source's id when nothing about it needs writing (it exists, and this file name is remembered with
    it); None when ``record_source`` has something to add."""
    row = library.conn.execute(
        "SELECT s.id FROM sources s JOIN source_files f ON f.source_id = s.id"
        " WHERE s.name = ? AND s.kind = ? AND f.file_name = ?", (source.name, source.kind, Path(file_name).name)
    ).fetchone()
    return row[0] if row else None


def existing_source_id(library: Library, source: Source) -> int | None:
    """The id of a source already in the library, without writing anything."""
    row = library.conn.execute("SELECT id FROM sources WHERE name = ? AND kind = ?", (source.name, source.kind)
                               ).fetchone()
    return row[0] if row else None
