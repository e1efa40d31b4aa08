"""Which studies a paper-ready export shows: the hierarchy's scope, optionally only the included studies.

"Included" means included at the last screening stage the review has reached: once any full-text decision
exists, a study is included when its full-text decision is 'include'; before that, when its title/abstract
decision is. A 'maybe' is not included. This is the set the PRISMA diagram's "studies included" box counts once
full-text screening is finished, so a taxonomy of included studies matches the diagram.
"""

from __future__ import annotations

from typing import Any

from litreview.hierarchy import tree
from litreview.store import decode_study

_CHUNK = 900  # ids per query, well under SQLite's limit on bound variables


def included_study_ids(library: Any) -> set[int]:
    stage = "full_text" if library.conn.execute(
        "SELECT 1 FROM decisions WHERE stage = 'full_text' LIMIT 1").fetchone() else "title_abstract"
    rows = library.conn.execute("SELECT study_id FROM decisions WHERE stage = ? AND decision = 'include'", (stage,))
    return {r[0] for r in rows}


def studies_in_view(library: Any, hierarchy_id: int, included_only: bool) -> list[int]:
    """The hierarchy's studies (``tree.scope_study_ids``), narrowed to the included ones when asked."""
    scope = tree.scope_study_ids(library, hierarchy_id)
    if not included_only:
        return scope
    included = included_study_ids(library)
    return [s for s in scope if s in included]


def studies_by_id(library: Any, ids: Any) -> dict[int, dict[str, Any]]:
    """Decoded study rows for ``ids`` (those that exist), read in chunks."""
    wanted = sorted(set(ids))
    out: dict[int, dict[str, Any]] = {}
    for start in range(0, len(wanted), _CHUNK):
        chunk = wanted[start:start + _CHUNK]
        for row in library.query(f"SELECT * FROM studies WHERE id IN ({','.join('?' * len(chunk))})", chunk):
            out[row["id"]] = decode_study(row)
    return out
