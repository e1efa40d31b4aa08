"""Duplicate detection: same file (sha256), same DOI, or near-identical title + first author + year.

Exports from PubMed, Scopus and Zotero overlap, and researchers drop the same folder twice; a duplicate must be
caught and the user told *which* record it matched. The index is loaded once per import batch and kept in memory
(a 2,000-record CSV would otherwise run 2,000 table scans), brought up to date inside every write transaction
(two imports of one export may run at once), and it is transactional like the command it serves: ``pending()``
collects the rows a command adds and forgets them again if the command rolls back.
"""

from __future__ import annotations

import contextlib
import difflib
import hashlib
import json
import re
import unicodedata
from collections import defaultdict
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

from litreview.store import Library

# A short title ("Editorial", "Introduction") identifies nothing on its own: it also needs author and year.
SHORT_TITLE = 25
# SequenceMatcher ratio above which two normalised titles by the same first author and year are one study
# (catches a dropped subtitle word, British/American spelling, a typo; not a different paper of a series).
NEAR_TITLE = 0.92

_DOI_PREFIX = re.compile(r"^(?:https?://(?:dx\.)?doi\.org/|doi:\s*)", re.IGNORECASE)


def normalise_doi(doi: str | None) -> str | None:
    """Lower-case bare DOI ("10.x/y"), without resolver prefix or trailing punctuation; None when not a DOI."""
    if not doi:
        return None
    value = _DOI_PREFIX.sub("", doi.strip()).strip().rstrip(".,;:)]}>'\"").lower()
    return value if value.startswith("10.") and "/" in value else None


def title_key(title: str | None) -> str | None:
    """Title without case, accents, punctuation or repeated spaces; None when there is nothing left."""
    if not title:
        return None
    text = unicodedata.normalize("NFKD", title)
    text = "".join(c for c in text if not unicodedata.combining(c)).lower()
    text = re.sub(r"[^\w]+", " ", text).replace("_", " ")
    text = " ".join(text.split())
    return text or None


def author_key(authors: list[dict] | None) -> str | None:
    """The first author's family name, normalised like a title; None when there is no author."""
    if not authors:
        return None
    first = authors[0]
    return title_key(first.get("family") or first.get("given"))


# The columns that make a reference record what it is; identical values mean the same record imported again.
FINGERPRINT_COLUMNS = ("title", "authors", "year", "doi", "abstract", "venue", "extra")


def fingerprint(row: dict[str, Any]) -> str:
    """Digest of a ``studies`` row's content. Catches a re-imported record that no other rule can (an export
    row with a short title and no author, or no title at all) while keeping apart records that differ only in
    their ids (two untitled PubMed records)."""
    values = json.dumps([row.get(c) for c in FINGERPRINT_COLUMNS], ensure_ascii=False, default=str)
    return hashlib.sha1(values.encode("utf-8")).hexdigest()


@dataclass(frozen=True)
class Match:
    study_id: int
    why: str  # "same file", "same record", "same DOI", "same title, first author and year", ...

    def reason(self, label: str) -> str:
        """``label`` names the matched study in words (``outcomes.study_label``): never by an internal id."""
        return f"{self.why} as {label}"


@dataclass(frozen=True)
class _Entry:
    study_id: int
    doi: str | None
    title_key: str | None
    author_key: str | None
    year: int | None


_STUDY_COLUMNS = f"id, {', '.join(FINGERPRINT_COLUMNS)}, title_key, author_key"


class DedupIndex:
    """What the library holds, keyed for each duplicate rule.

    Loaded once per batch, then brought up to date inside each write transaction (``sync``): another process
    (a second window, the CLI beside the app) may have imported the same records meanwhile, and only a check
    made under the write lock can tell. Syncing reads just the rows added since the last look; when rows have
    also gone (an undo elsewhere) it reloads.
    """

    def __init__(self) -> None:
        self._reset_studies()
        self._reset_files()
        self._undo: list[tuple[str, object]] | None = None

    def _reset_studies(self) -> None:
        self._studies: dict[int, str] = {}  # study id -> fingerprint
        self._own: set[int] = set()  # studies added through this index (in this batch)
        self._top_study = 0
        self._fingerprint: dict[str, int] = {}
        self._doi: dict[str, int] = {}
        self._title: dict[str, list[_Entry]] = defaultdict(list)
        self._author_year: dict[tuple[str, int | None], list[_Entry]] = defaultdict(list)

    def _reset_files(self) -> None:
        self._files: dict[int, str] = {}  # file id -> sha256
        self._top_file = 0
        self._sha: dict[str, int] = {}

    @classmethod
    def load(cls, library: Library) -> DedupIndex:
        index = cls()
        index.sync(library)
        return index

    def sync(self, library: Library) -> None:
        """Catch up with what other connections wrote. Run it inside the write transaction that acts on the
        answer (``BEGIN IMMEDIATE``), so nothing can be added between the check and the write.

        New rows are those above the highest id seen. Rows that went away (an undo elsewhere) show as a count
        that no longer adds up; an id reused after such a delete shows as a newest row that is not the one
        remembered under its id. Either way the index reloads.
        """
        conn = library.conn
        top, count = conn.execute("SELECT coalesce(max(id), 0), count(*) FROM studies").fetchone()
        fresh = top > self._top_study  # the newest row is read now, or was written through this index:
        if fresh:                      # either way it is known as it is
            self._load_studies(library, after=self._top_study)
        known = fresh or top in self._own
        if count != len(self._studies) or (top and not known and self._studies.get(top) != self._fingerprint_of(library, top)):
            self._reset_studies()
            self._load_studies(library, after=0)
        top, count = conn.execute("SELECT coalesce(max(id), 0), count(*) FROM files").fetchone()
        if top > self._top_file:
            self._load_files(library, after=self._top_file)
        newest = conn.execute("SELECT sha256 FROM files WHERE id = ?", (top,)).fetchone()
        if count != len(self._files) or (newest and self._files.get(top) != newest[0]):
            self._reset_files()
            self._load_files(library, after=0)

    @staticmethod
    def _fingerprint_of(library: Library, study_id: int) -> str | None:
        rows = library.query(f"SELECT {_STUDY_COLUMNS} FROM studies WHERE id = ?", (study_id,))
        return fingerprint(rows[0]) if rows else None

    def _load_studies(self, library: Library, after: int) -> None:
        for row in library.query(f"SELECT {_STUDY_COLUMNS} FROM studies WHERE id > ? ORDER BY id", (after,)):
            self._add_entry(row["id"], row)

    def _load_files(self, library: Library, after: int) -> None:
        for file_id, sha, study_id in library.conn.execute(
                "SELECT id, sha256, study_id FROM files WHERE id > ? ORDER BY id", (after,)):
            self._add_file(file_id, sha, study_id)

    # -- lookups ---------------------------------------------------------------------------------------
    def by_sha(self, sha256: str) -> Match | None:
        found = self._sha.get(sha256)
        return Match(found, "same file") if found is not None else None

    def find(self, row: dict[str, Any], *, same_record: bool = True) -> Match | None:
        """The study that the new ``studies`` row duplicates, or None: the very same record (a re-imported
        export; ``same_record=False`` for PDFs, whose file is their identity), then the same DOI, then the same
        or near-identical title with the same first author and year."""
        found = self._fingerprint.get(fingerprint(row)) if same_record else None
        if found is not None:
            return Match(found, "same record")
        doi, tkey, akey, year = normalise_doi(row.get("doi")), row.get("title_key"), row.get("author_key"), row.get("year")
        if doi and doi in self._doi:
            return Match(self._doi[doi], "same DOI")
        if not tkey:
            return None
        for entry in self._title.get(tkey, ()):
            if _same_work(entry, doi, tkey, akey, year):
                return Match(entry.study_id, "same title, first author and year")
        if akey and year is not None:
            for entry in self._author_year.get((akey, year), ()):
                if entry.title_key and _same_work(entry, doi, tkey, akey, year, near=True):
                    return Match(entry.study_id, "near-identical title, same first author and year")
        return None

    # -- additions -------------------------------------------------------------------------------------
    def add(self, study_id: int, row: dict[str, Any]) -> None:
        """Remember a ``studies`` row just inserted under ``study_id``."""
        self._add_entry(study_id, row, log=True)

    def add_file(self, file_id: int, sha256: str, study_id: int) -> None:
        """Remember a ``files`` row just inserted."""
        self._add_file(file_id, sha256, study_id, log=True)

    def _add_file(self, file_id: int, sha256: str, study_id: int, log: bool = False) -> None:
        self._files[file_id] = sha256
        self._top_file = max(self._top_file, file_id)
        if log:
            self._remember("file", file_id)
        if sha256 not in self._sha:
            self._sha[sha256] = study_id
            if log:
                self._remember("sha", sha256)

    @contextlib.contextmanager
    def pending(self) -> Iterator[None]:
        """Additions made inside are forgotten if the block raises (its transaction rolled back)."""
        self._undo = []
        try:
            yield
        except BaseException:
            for kind, value in reversed(self._undo):
                self._forget(kind, value)
            raise
        finally:
            self._undo = None

    def _add_entry(self, study_id: int, row: dict[str, Any], log: bool = False) -> None:
        key = fingerprint(row)
        self._studies[study_id] = key
        self._top_study = max(self._top_study, study_id)
        if log:
            self._own.add(study_id)
            self._remember("study", study_id)
        if key not in self._fingerprint:
            self._fingerprint[key] = study_id
            if log:
                self._remember("fingerprint", key)
        entry = _Entry(study_id, normalise_doi(row.get("doi")), row.get("title_key"), row.get("author_key"),
                       row.get("year"))
        if entry.doi and entry.doi not in self._doi:
            self._doi[entry.doi] = entry.study_id
            if log:
                self._remember("doi", entry.doi)
        if entry.title_key:
            self._title[entry.title_key].append(entry)
            if entry.author_key and entry.year is not None:
                self._author_year[(entry.author_key, entry.year)].append(entry)
            if log:
                self._remember("entry", entry)

    def _remember(self, kind: str, value: object) -> None:
        if self._undo is not None:
            self._undo.append((kind, value))

    def _forget(self, kind: str, value: Any) -> None:
        if kind == "study":
            self._studies.pop(value, None)
            self._own.discard(value)
            self._top_study = max(self._studies, default=0) if value == self._top_study else self._top_study
        elif kind == "file":
            self._files.pop(value, None)
            self._top_file = max(self._files, default=0) if value == self._top_file else self._top_file
        elif kind == "sha":
            self._sha.pop(value, None)
        elif kind == "fingerprint":
            self._fingerprint.pop(value, None)
        elif kind == "doi":
            self._doi.pop(value, None)
        else:
            with contextlib.suppress(ValueError):
                self._title[value.title_key].remove(value)
            if value.author_key and value.year is not None:
                with contextlib.suppress(ValueError):
                    self._author_year[(value.author_key, value.year)].remove(value)


def _same_work(entry: _Entry, doi: str | None, tkey: str, akey: str | None, year: int | None, near: bool = False) -> bool:
    """Titles equal (or near-equal), and nothing that both records state disagrees."""
    if doi and entry.doi and doi != entry.doi:
        return False  # two DOIs: two works, however alike the titles (a corrigendum, a reprint)
    if near and difflib.SequenceMatcher(None, tkey, entry.title_key or "").ratio() < NEAR_TITLE:
        return False
    if akey and entry.author_key and akey != entry.author_key:
        return False
    if year is not None and entry.year is not None and year != entry.year:
        return False
    if len(tkey) < SHORT_TITLE:
        return bool(akey and entry.author_key and year is not None and entry.year is not None)
    return True
