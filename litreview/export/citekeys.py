"""Citation keys: the one function that names each study in BibTeX, so every export cites with the same keys.

A key looks like ``smith2019nudging`` (first author's family name, year, first title word longer than three
letters, ASCII lower case). Two studies that would share a key get a/b/c suffixes in library order (study id),
so the keys of a library are the same in ``export bibtex``, the taxonomy's ``\\cite{...}`` leaves, the summary
tables and the Markdown outline, however many of its studies each export shows.
"""

from __future__ import annotations

import json
import re
import unicodedata
from collections.abc import Iterable
from typing import Any


def citation_keys(studies: Iterable[dict[str, Any]]) -> dict[int, str]:
    """study id -> citation key, for decoded study rows given in library order (``library.studies()``)."""
    keys: dict[int, str] = {}
    taken: set[str] = set()
    for study in studies:
        keys[study["id"]] = _unique_key(study, taken)
    return keys


def library_keys(library: Any) -> dict[int, str]:
    """The keys of every study of the library, exactly as ``export bibtex`` writes them (reading only the
    columns a key is made of: a 10,000-study library's abstracts need not be read to cite 200 of them)."""
    rows = library.query("SELECT id, title, authors, year FROM studies ORDER BY id")
    for row in rows:
        row["authors"] = json.loads(row["authors"] or "[]")
    return citation_keys(rows)


def _unique_key(study: dict[str, Any], taken: set[str]) -> str:
    authors = study.get("authors") or []
    family = (authors[0].get("family") or "") if authors else ""
    words = [w for w in re.findall(r"\w+", _ascii(study.get("title") or "")) if len(w) > 3]
    base = (_ascii(family).replace(" ", "") + str(study.get("year") or "") + (words[0] if words else "")).lower()
    base = re.sub(r"[^a-z0-9]", "", base) or f"study{study['id']}"
    key, suffix = base, 0
    while key in taken:
        suffix += 1
        key = base + chr(ord("a") + (suffix - 1) % 26) + ("" if suffix <= 26 else str(suffix))
    taken.add(key)
    return key


def _ascii(text: str) -> str:
    return unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode("ascii")


def authors_short(study: dict[str, Any], *, latex: bool = False) -> str:
    """"Family et al.", "A & B" (LaTeX: "A and B"), "Family", or "Anonymous" (family names; given when none)."""
    families = [a.get("family") or a.get("given") or "" for a in study.get("authors") or []]
    families = [f for f in families if f]
    if not families:
        return "Anonymous"
    if len(families) == 1:
        return families[0]
    if len(families) == 2:
        return f"{families[0]} {'and' if latex else '&'} {families[1]}"
    return f"{families[0]} et al."


def short_citation(study: dict[str, Any]) -> str:
    """"García et al. 2011" (no year: "n.d."), for figures and tables that name studies in a few words."""
    return f"{authors_short(study)} {study.get('year') or 'n.d.'}"
