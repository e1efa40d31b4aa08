"""The researcher's own corrections to records: edit the metadata, delete a study, merge two records of one study.

A scan keeps its file name as title and a broken PDF reads "Anonymous (n.d.)" in every export until someone fixes
it; a database export and a PDF of the same paper may both slip past duplicate detection. Each change here is one
command (undoable, with a feedback event), and what depends on a study (its pages, files, claims, decisions,
category placements, suggestions) is written through the same command, so Ctrl+Z restores all of it. The search
index follows on its own (the schema's triggers).
"""

from __future__ import annotations

import json
import os
import re
import shutil
from pathlib import Path
from typing import Any

from litreview.errors import InputError
from litreview.importing.dedup import author_key, normalise_doi, title_key
from litreview.store import Library

EDITABLE = ("title", "authors", "year", "venue", "doi", "abstract")
# Rows that belong to a study, deleted before it (through the command, so undo can restore them)
DEPENDENTS = ("suggestions", "assignments", "claims", "decisions", "pages", "files")
_NAME_SPLIT = re.compile(r"\s*;\s*|\s+and\s+|\n")


def describe(study: dict[str, Any]) -> str:
    """How messages name a study: “Title” (year), never an internal id."""
    title = (study.get("title") or "(untitled)").strip()
    short = title if len(title) <= 60 else title[:57].rstrip() + "…"
    return f"“{short}” ({study.get('year') or 'n.d.'})"


def parse_authors(text: str) -> list[dict[str, str]]:
    """Authors as typed in a form: 'Family, Given; Family, Given' (or one per line, or joined by 'and')."""
    authors = []
    for name in (part.strip() for part in _NAME_SPLIT.split(text or "")):
        if not name:
            continue
        if "," in name:
            family, given = (p.strip() for p in name.split(",", 1))
        else:
            *given_parts, family = name.split()
            given = " ".join(given_parts)
        authors.append({"given": given, "family": family} if given else {"family": family})
    return authors


def edit_study(library: Library, study_id: int, **fields: Any) -> dict[str, Any]:
    """Change a study's metadata (any of ``EDITABLE``; ``authors`` as a list of {given, family} or text); returns
    the changed fields. A bad year or DOI is refused with the reason, and nothing is written."""
    study = _need(library, study_id)
    unknown = set(fields) - set(EDITABLE)
    if unknown:
        raise InputError(f"cannot edit {', '.join(sorted(unknown))}; editable fields: {', '.join(EDITABLE)}")
    changes: dict[str, Any] = {}
    for name, value in fields.items():
        clean = _clean(name, value)
        current = study["authors"] if name == "authors" else study.get(name)
        if clean != current:
            changes[name] = clean
    if not changes:
        return {}
    row = {k: json.dumps(v, ensure_ascii=False) if k == "authors" else v for k, v in changes.items()}
    if "title" in changes:
        row["title_key"] = title_key(changes["title"])
    if "authors" in changes:
        row["author_key"] = author_key(changes["authors"])
    with library.command(f"Edit {', '.join(changes)} of {describe(study)}") as cmd:
        cmd.update("studies", study_id, row)
        cmd.feedback("edit_study", study_id=study_id, fields=sorted(changes),
                     before={k: study["authors"] if k == "authors" else study.get(k) for k in changes})
    return changes


def delete_studies(library: Library, study_ids: list[int]) -> int:
    """Delete studies with everything that depends on them, in one command; returns how many. Stored PDFs stay
    in the file store (redo, and an undone delete, need them)."""
    studies = [_need(library, s) for s in dict.fromkeys(study_ids)]
    if not studies:
        return 0
    label = f"Delete {describe(studies[0])}" if len(studies) == 1 else f"Delete {len(studies)} studies"
    with library.command(label) as cmd:
        for study in studies:
            _delete_dependents(library, cmd, study["id"])
            cmd.delete("studies", study["id"])
            cmd.feedback("delete_study", study_id=study["id"], title=study.get("title"))
    return len(studies)


def merge_studies(library: Library, keep_id: int, other_id: int) -> dict[str, Any]:
    """Two records of one study become one: ``keep_id`` takes the other's fields where its own are empty, its
    files and pages (when it has none), its claims, its category placements and its decisions (where it has
    none at that stage); the other record is then deleted. One command. Returns the fields filled in."""
    if keep_id == other_id:
        raise InputError("a study cannot be merged with itself")
    keep, other = _need(library, keep_id), _need(library, other_id)
    filled = {name: other[name] for name in EDITABLE if not _present(keep.get(name)) and _present(other.get(name))}
    with library.command(f"Merge {describe(other)} into {describe(keep)}") as cmd:
        if filled:
            row = {k: json.dumps(v, ensure_ascii=False) if k == "authors" else v for k, v in filled.items()}
            if "title" in filled:
                row["title_key"] = title_key(filled["title"])
            if "authors" in filled:
                row["author_key"] = author_key(filled["authors"])
            cmd.update("studies", keep_id, row)
        has_pages = library.conn.execute("SELECT 1 FROM pages WHERE study_id = ?", (keep_id,)).fetchone()
        _reassign(library, cmd, "files", other_id, keep_id)
        if not has_pages:
            _reassign(library, cmd, "pages", other_id, keep_id)
            if other.get("n_pages") and not keep.get("n_pages"):
                cmd.update("studies", keep_id, {"n_pages": other["n_pages"], "needs_ocr": other.get("needs_ocr", 0)})
        _reassign(library, cmd, "claims", other_id, keep_id)
        _move_unique(library, cmd, "decisions", "stage", other_id, keep_id)
        _move_unique(library, cmd, "assignments", "category_id", other_id, keep_id)
        _delete_dependents(library, cmd, other_id)
        cmd.delete("studies", other_id)
        cmd.feedback("merge_studies", study_id=keep_id, merged=other_id, filled=sorted(filled))
    return filled


# -- helpers ------------------------------------------------------------------------------------------------------
def _need(library: Library, study_id: int) -> dict[str, Any]:
    study = library.study(study_id)
    if study is None:
        raise InputError("that study no longer exists (it was deleted meanwhile); nothing was changed")
    return study


def _present(value: Any) -> bool:
    return value not in (None, "", [])


def _clean(name: str, value: Any) -> Any:
    if name == "authors":
        authors = parse_authors(value) if isinstance(value, str) else list(value or [])
        return [{k: str(v).strip() for k, v in a.items() if str(v).strip()} for a in authors if isinstance(a, dict)]
    if name == "year":
        if value in (None, ""):
            return None
        try:
            year = int(str(value).strip())
        except ValueError:
            raise InputError(f"the year must be a number such as 2021, not {value!r}") from None
        if not 1400 <= year <= 2100:
            raise InputError(f"{year} is not a plausible publication year")
        return year
    if name == "doi":
        if value in (None, ""):
            return None
        doi = normalise_doi(str(value))
        if doi is None:
            raise InputError(f"{value!r} is not a DOI (it starts with 10. and has a /, e.g. 10.1234/abc)")
        return doi
    text = " ".join(str(value or "").split()) if name != "abstract" else str(value or "").strip()
    return text or None


def _delete_dependents(library: Library, cmd: Any, study_id: int) -> None:
    for table in DEPENDENTS:
        for (row_id,) in library.conn.execute(f"SELECT id FROM [{table}] WHERE study_id = ? ORDER BY id DESC",
                                              (study_id,)).fetchall():
            cmd.delete(table, row_id)


def _reassign(library: Library, cmd: Any, table: str, from_id: int, to_id: int) -> None:
    for (row_id,) in library.conn.execute(f"SELECT id FROM [{table}] WHERE study_id = ?", (from_id,)).fetchall():
        cmd.update(table, row_id, {"study_id": to_id})


def _move_unique(library: Library, cmd: Any, table: str, key: str, from_id: int, to_id: int) -> None:
    """Move rows unique per (study, ``key``) where the target has none for that key (its own word wins)."""
    taken = {r[0] for r in library.conn.execute(f"SELECT [{key}] FROM [{table}] WHERE study_id = ?", (to_id,))}
    for row_id, value in library.conn.execute(f"SELECT id, [{key}] FROM [{table}] WHERE study_id = ?",
                                              (from_id,)).fetchall():
        if value not in taken:
            cmd.update(table, row_id, {"study_id": to_id})


def readable_copy(library: Library, study_id: int) -> Path | None:
    """The study's PDF under a name a person can read ("Okonkwo 2019 - Heat stress in street trees.pdf"), for a
    PDF viewer's title bar and for saving a copy: a hard link (or copy) in the library's ``reading`` folder,
    made once. None when the study has no file."""
    stored = library.file_path(study_id)
    study = library.study(study_id)
    if stored is None or study is None or not stored.exists():
        return None
    first = (study.get("authors") or [{}])[0]
    who = first.get("family") or first.get("given") or "Anonymous"
    name = f"{who} {study.get('year') or 'n.d.'} - {study.get('title') or 'untitled'}"
    name = re.sub(r"[^\w .,()'-]+", "", name)[:120].strip() or f"study {study_id}"
    target = library.folder / "reading" / f"{name}{stored.suffix or '.pdf'}"
    if not target.exists():
        target.parent.mkdir(exist_ok=True)
        try:
            os.link(stored, target)
        except OSError:  # another file system, or links not allowed: a copy does as well
            shutil.copyfile(stored, target)
    return target
