"""Finding a claim's evidence quote in the stored text, and where it is.

A quote counts as grounded only when it occurs in the study's own text. PDF text and model output differ in
ways that carry no meaning, so both sides are compared in a folded form that ignores them: whitespace and line
breaks, hyphenation at line ends (and hyphens/dashes altogether, so "placebo-controlled" broken over a line
still matches), ligatures (ﬁ, ﬂ, ... via NFKC), curly quotes, soft hyphens and zero-width characters, letter case,
and the punctuation a model adds or drops at the ends of a quote. Each folded character remembers the index of
the original character it came from, so a match is reported as offsets into the ORIGINAL text, which is what
the viewer highlights. An ellipsis in the quote ("A ... B") matches the parts in order.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Sequence
from functools import lru_cache

MIN_QUOTE_CHARS = 12
"""A folded quote shorter than this (a word or two) proves nothing and is not located."""

_DASHES = frozenset("-\u00ad\u2010\u2011\u2012\u2013\u2014\u2015\u2212\ufe58\ufe63\uff0d")
_INVISIBLE = frozenset("\u200b\u200c\u200d\u2060\ufeff")
_QUOTES = {"\u2018": "'", "\u2019": "'", "\u201a": "'", "\u201b": "'", "\u2032": "'", "`": "'", "\u00b4": "'",
           "\u201c": '"', "\u201d": '"', "\u201e": '"', "\u201f": '"', "\u2033": '"', "\u00ab": '"', "\u00bb": '"'}
_END_PUNCTUATION = " .,;:!?'\"()[]"
_ELLIPSIS = re.compile(r"\s*(?:\.{3,}|\u2026|\[\s*\.\.\.\s*\])\s*")

Location = tuple[int | None, int, int]


@lru_cache(maxsize=4096)
def _fold_char(char: str) -> str:
    if char.isspace() or char in _DASHES or char in _INVISIBLE:
        return ""
    char = _QUOTES.get(char, char)
    folded = unicodedata.normalize("NFKC", char).casefold()
    return "".join(c for c in folded if not c.isspace() and c not in _DASHES and not unicodedata.combining(c))


def fold(text: str) -> tuple[str, list[int]]:
    """The folded text and, for each of its characters, the index of the original character it came from."""
    chars: list[str] = []
    origin: list[int] = []
    for index, char in enumerate(text):
        for folded in _fold_char(char):
            chars.append(folded)
            origin.append(index)
    return "".join(chars), origin


def fold_quote(quote: str) -> list[str]:
    """The folded parts of a quote (several when it elides text with an ellipsis), ends' punctuation trimmed."""
    parts = []
    for piece in _ELLIPSIS.split(quote or ""):
        folded = fold(piece)[0].strip(_END_PUNCTUATION)
        if folded:
            parts.append(folded)
    return parts


def locate_quote(quote: str, texts: Sequence[tuple[int | None, str]]) -> Location | None:
    """Where ``quote`` occurs in ``texts`` ((page_no or None for the abstract, text) pairs, searched in order):
    (page_no, start, end) with offsets into that original text, or None when it is not there (or too short to
    mean anything). An elided quote must have all its parts, in order, within one text."""
    parts = fold_quote(quote)
    if not parts or sum(len(p) for p in parts) < MIN_QUOTE_CHARS:
        return None
    for page_no, text in texts:
        if not text:
            continue
        folded, origin = fold(text)
        span = _find_parts(folded, parts)
        if span is not None:
            first, last = span
            return page_no, origin[first], origin[last] + 1
    return None


def _find_parts(folded: str, parts: list[str]) -> tuple[int, int] | None:
    """First and last folded index of the parts found in order, trying each occurrence of the first part."""
    start = folded.find(parts[0])
    while start >= 0:
        cursor, end = start + len(parts[0]), start + len(parts[0]) - 1
        for part in parts[1:]:
            found = folded.find(part, cursor)
            if found < 0:
                break
            cursor, end = found + len(part), found + len(part) - 1
        else:
            return start, end
        start = folded.find(parts[0], start + 1)
    return None
