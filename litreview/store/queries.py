"""The read API the app's views use: which studies a table shows, their rows, one study in detail.

The UI holds no SQL (napari's and Anki's split): a view asks the core for ids in its filter and sort order, then
for the rows it is about to paint, a page at a time, so 10,000 studies scroll as smoothly as ten (Anki's browser
does the same). Every query reads the title/abstract decision as "the" screening decision and the full-text one
beside it.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from typing import Any

from litreview.store.library import Library, decode_study, fts_query

SORT_KEYS = {
    "title": "s.title COLLATE NOCASE",
    "authors": "s.author_key COLLATE NOCASE",
    "year": "s.year",
    "venue": "s.venue COLLATE NOCASE",
    "decision": "d.decision",
    "source": "s.source",
}
DECISION_FILTERS = ("undecided", "include", "exclude", "maybe")
_DECISION_JOIN = "LEFT JOIN decisions d ON d.study_id = s.id AND d.stage = 'title_abstract'"


@dataclass(frozen=True)
class StudyFilter:
    """What a study table shows: a full-text search, a screening decision, a set of ids (a category)."""

    search: str = ""
    decision: str | None = None  # one of DECISION_FILTERS, or None for all
    only_ids: tuple[int, ...] | None = None
    sort: str = "title"
    descending: bool = False


def study_ids(library: Library, chosen: StudyFilter) -> list[int]:
    """Ids of the studies that pass ``chosen``, in its sort order (ties by id)."""
    where, params = [], []
    match = fts_query(chosen.search)
    if match:  # the FTS index, unranked: the table keeps the user's sort order
        where.append("s.id IN (SELECT rowid FROM studies_fts WHERE studies_fts MATCH ?)")
        params.append(match)
    if chosen.only_ids is not None:
        where.append("s.id IN (SELECT value FROM json_each(?))")
        params.append(json.dumps(list(chosen.only_ids)))
    if chosen.decision == "undecided":
        where.append("d.id IS NULL")
    elif chosen.decision:
        where.append("d.decision = ?")
        params.append(chosen.decision)
    direction = "DESC" if chosen.descending else "ASC"
    sql = (f"SELECT s.id FROM studies s {_DECISION_JOIN}" + (" WHERE " + " AND ".join(where) if where else "")
           + f" ORDER BY {SORT_KEYS[chosen.sort]} {direction}, s.id {direction}")
    return [row[0] for row in library.conn.execute(sql, params)]


def table_rows(library: Library, ids: list[int]) -> dict[int, dict[str, Any]]:
    """The table columns of these studies: title, authors (decoded), year, venue, decision, source."""
    found = library.conn.execute(
        f"SELECT s.id, s.title, s.authors, s.year, s.venue, d.decision, s.source FROM studies s {_DECISION_JOIN} "
        "WHERE s.id IN (SELECT value FROM json_each(?))", (json.dumps(ids),)).fetchall()
    return {study_id: {"title": title, "authors": _authors(authors), "year": year, "venue": venue,
                       "decision": decision, "source": source}
            for study_id, title, authors, year, venue, decision, source in found}


def study_detail(library: Library, study_id: int) -> dict[str, Any] | None:
    """One study with what the study pane shows: claims, decisions per stage (with reason and note), whether a
    PDF is stored, and where its records came from. None when it does not exist (deleted meanwhile)."""
    study = library.study(study_id)
    if study is None:
        return None
    study["claims"] = library.query("SELECT * FROM claims WHERE study_id = ? ORDER BY position, id", (study_id,))
    study["decisions"] = {row["stage"]: row for row in library.query(
        "SELECT stage, decision, reason, note, actor, decided_at FROM decisions WHERE study_id = ?", (study_id,))}
    study["has_file"] = library.file_path(study_id) is not None
    study["opening"] = None if study.get("abstract") else opening_text(library, study_id, title=study.get("title"))
    return study


def opening_text(library: Library, study_id: int, *, title: str | None = None, limit: int = 700) -> str | None:
    """How the study's PDF begins, for a record with no abstract: many PDFs have none (JOSE papers open with a
    Summary, reports with an introduction), and their first lines are what a reader would screen on. It starts at
    the first opening section heading in the first pages ("Summary", "Introduction", ...), else after the title,
    so the front matter (affiliations, licence) is skipped; at most ``limit`` characters, cut at a word; None
    without stored text."""
    rows = library.conn.execute("SELECT text FROM pages WHERE study_id = ? ORDER BY page_no LIMIT 2", (study_id,))
    text = " ".join(" ".join(row[0].split()) for row in rows).strip()
    heading = _OPENING_HEADING.search(text[:4000])
    if heading is not None:
        text = text[heading.start():]
    elif title:
        wanted = " ".join(title.split())
        start = text.casefold().find(wanted.casefold()[:60])
        if 0 <= start < 400:
            text = text[start + len(wanted):].lstrip(" .:")
    if len(text) > limit:
        text = text[:limit].rsplit(" ", 1)[0] + " …"
    return text or None


_OPENING_HEADING = re.compile(r"\b(?:\d\.?\s*)?(Summary|Introduction|Background|Overview|Statement of [Nn]eed)\b"
                              r"(?=\s+[A-Z])")


def search_snippets(library: Library, study_id: int, query: str, *, limit: int = 3,
                    width: int = 90) -> list[dict[str, Any]]:
    """Where a search matched one study: up to ``limit`` snippets ({"where": "title" | "abstract" | "page",
    "page_no", "text"}) with the words found, the page text read in page order (so a hit says its page)."""
    words = [w.lower().rstrip("*") for w in query.split() if w.rstrip("*")]
    if not words:
        return []
    pattern = re.compile("|".join(r"\b" + re.escape(w) for w in words), re.IGNORECASE)
    study = library.study(study_id) or {}
    places: list[tuple[str, int | None, str]] = [("title", None, study.get("title") or ""),
                                                 ("abstract", None, study.get("abstract") or "")]
    places += [("page", page_no, text) for page_no, text in library.full_text(study_id)]
    found = []
    for where, page_no, text in places:
        match = pattern.search(text)
        if match is None:
            continue
        start = max(0, match.start() - width // 2)
        snippet = " ".join(text[start:match.end() + width // 2].split())
        found.append({"where": where, "page_no": page_no,
                      "text": ("…" if start else "") + snippet + ("…" if match.end() + width // 2 < len(text) else "")})
        if len(found) >= limit:
            break
    return found


def exists(library: Library, table: str, row_id: int) -> bool:
    """Whether a row still exists (a view's selection may have been deleted by an undo)."""
    if table not in ("studies", "categories", "hierarchies"):
        raise ValueError(f"no existence check for {table!r}")
    return library.conn.execute(f"SELECT 1 FROM [{table}] WHERE id = ?", (row_id,)).fetchone() is not None


def data_version(library: Library) -> int:
    """Changes when another connection commits (SQLite's data_version): a cheap "did anything change?"."""
    return int(library.conn.execute("PRAGMA data_version").fetchone()[0])


def _authors(raw: str | None) -> list[dict[str, Any]]:
    try:
        value = json.loads(raw or "[]")
    except ValueError:
        return []
    return value if isinstance(value, list) else []


__all__ = ["DECISION_FILTERS", "SORT_KEYS", "StudyFilter", "data_version", "decode_study", "exists", "search_snippets",
           "study_detail", "study_ids", "table_rows"]
