"""HTML for showing untrusted text (PDF and export contents) with search terms marked.

Text is escaped first and only then marked, so nothing a PDF contains can become markup.
"""

from __future__ import annotations

import html
import re

MARK = '<span style="background-color:#fff2a8">{}</span>'


def terms_of(*texts: str, min_length: int = 3) -> list[str]:
    """The words worth marking in some queries (longest first, so longer matches win)."""
    words = {w.lower().rstrip("*") for text in texts for w in re.findall(r"[\w*-]+", text or "")}
    return sorted((w for w in words if len(w) >= min_length), key=len, reverse=True)


def highlighted(text: str, terms: list[str]) -> str:
    """``text`` escaped for HTML with every word starting with one of ``terms`` marked."""
    escaped = html.escape(text or "")
    if not terms:
        return escaped
    pattern = re.compile(r"\b(" + "|".join(re.escape(html.escape(t)) for t in terms) + r")\w*", re.IGNORECASE)
    return pattern.sub(lambda m: MARK.format(m.group(0)), escaped)


def no_abstract(opening: str | None, terms: list[str], missing: str = "No abstract.") -> str:
    """What stands where a record has no abstract: how its PDF begins (marked as coming from the PDF), else
    ``missing``."""
    if not opening:
        return f"<p style='color:gray'>{html.escape(missing)}</p>"
    return ("<p style='color:gray'>No abstract in the record; the PDF begins:</p>"
            f"<p style='color:#3b4350'><i>{highlighted(opening, terms)}</i></p>")
