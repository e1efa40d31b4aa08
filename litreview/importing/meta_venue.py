"""The venue (journal or conference) where page 1 prints it: a running header or footer, or a citation line.

Only printed forms are read: "Proceedings of ...", "To appear in ...", running headers such as
"Journal Name (2014) 126, 305-313", "Name 48 (2015) 123-130", "Name 2010, 4:1" or "NAME, VOL. 61", a
"... Conference on ..." footnote, a line after "... Publishing Corporation", or the "how to cite" footer where the
venue follows the paper's own title. Nothing is looked up, so an unrecognised layout gives None.
"""

from __future__ import annotations

import re

from litreview.importing.meta_layout import Line

_PROCEEDINGS = re.compile(r"\b(Proceedings of (?:the )?[^,;]+?)(?:,|;|\s+pages\b|\s+\(|$)")
_CONFERENCE = re.compile(r"\b((?:\d+(?:st|nd|rd|th)\s+)?(?:Annual\s+)?(?:International\s+)?"
                         r"(?:Conference|Symposium|Workshop) on [^.(;]+(?:\([^)]*\))?)")
_VOLUME_HEADER = re.compile(r"^([A-Z][A-Za-z&:' -]{5,}?),\s*vol\.?\s*\d+", re.I)
_TO_APPEAR = re.compile(r"\b(?:to appear in|appeared in|published in)\s+(?:the\s+)?(.+?)\s*$", re.I)
_HEADER_JOURNAL = re.compile(
    r"^(?:.*?\bet al\.?\s+)?([A-Z][A-Za-z&.,:' -]{3,}?)\s*\(?(?:19|20)\d\d\)?[,;]?\s*(?:vol\.?\s*)?\d+\s*[:(,]"
)
_VOLUME_YEAR_HEADER = re.compile(r"^([A-Z][A-Za-z&.:' -]{3,}?)\s+\d+\s*\((?:19|20)\d\d\)")
_PUBLISHER = re.compile(r"publishing|publishers|published by|\bpress\b", re.I)
_JOURNALISH = re.compile(r"journal|proceedings|transactions|letters|review|annals|bulletin|science|research", re.I)
_CITE_AFTER_TITLE = re.compile(r"^[\s.?!:]*([A-Z][^,;]{2,80}?)[,;]?\s+\d+\s*(?:\(\d+\))?\s*[:,]")


def printed_venue(lines: list[Line], page_height: float, title: str | None) -> str | None:
    """The venue printed on page 1, or None."""
    margin = [l for l in lines if l.y1 < 0.12 * page_height or l.y0 > 0.85 * page_height]
    for line in margin:
        if m := _PROCEEDINGS.search(line.text):
            return m.group(1).strip()
    for line in margin:
        if (m := _HEADER_JOURNAL.match(line.text)) and len(m.group(1).split()) >= 2:
            return m.group(1).strip(" ,.")
        if (m := _VOLUME_YEAR_HEADER.match(line.text)) and len(m.group(1).split()) >= 2:
            return m.group(1).strip(" ,.")
        if (m := _VOLUME_HEADER.match(line.text)) and len(m.group(1).split()) >= 2:
            return m.group(1).strip(" ,.")
        if m := _CONFERENCE.search(line.text):
            return m.group(1).strip(" ,.")
    for index, line in enumerate(margin[:-1]):
        if _PUBLISHER.search(line.text) and line.y1 < 0.12 * page_height:
            nxt = margin[index + 1]
            if _JOURNALISH.search(nxt.text) and not re.search(r"\d", nxt.text):
                return nxt.text.strip()
    if title:
        footer = " ".join(l.text for l in margin if l.y0 > 0.5 * page_height)
        position = _squash(footer).find(_squash(title))
        if position >= 0:
            rest = _after_squashed(footer, position + len(_squash(title)))
            if m := _CITE_AFTER_TITLE.match(rest):
                return m.group(1).strip()
    for line in margin:
        if m := _TO_APPEAR.search(line.text):
            return m.group(1).strip(" .")
    return None


def _squash(text: str) -> str:
    return re.sub(r"[^0-9a-z]", "", text.lower())


def _after_squashed(text: str, squashed_end: int) -> str:
    """The part of ``text`` after its first ``squashed_end`` alphanumeric characters."""
    count = 0
    for index, ch in enumerate(text):
        if count == squashed_end:
            return text[index:]
        if ch.isalnum() and ch.isascii():
            count += 1
    return ""
