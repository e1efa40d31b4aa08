"""HTML/JATS markup that database exports leave in titles and abstracts, turned into plain text.

OpenAlex, Crossref and PubMed exports carry formatting as raw tags: ``<i>Drosophila</i>``, ``CO<sub>2</sub>``,
``<h3>Methods</h3>``, ``<jats:p>``. Shown as is, they clutter every list, export and prompt. Only tags known to be
formatting are removed (``a <b> c`` in "p < 0.05 and q > 1" is not a tag, and an unknown element is left alone);
entities such as ``&amp;`` are decoded only when written in full (``&amp;``, not ``&amp``).

Exports often drop the space next to a tag (``extract of<i>Butea frondosa</i>leaves``), so a word-level tag
between two letters becomes a space; sub- and superscripts stay attached to their word (``GABA<sub>A</sub>``)
unless a lower-case word follows (``GABA<sub>A</sub>receptor`` -> "GABAA receptor"), and a power of a number keeps
its caret (``10<sup>-3</sup>`` -> "10^-3"). Headings of a structured
abstract end with a colon ("Methods: Rats were ...").
"""

from __future__ import annotations

import html
import re

_INLINE = r"i|b|u|em|strong|small|big|tt|code|span|font|a|scp|sc|sup|sub|inf|italic|bold|underline"
_BLOCK = r"p|div|br|hr|li|ul|ol|section|title|abstract|sec|h[1-6]|label|caption"
_TAG = re.compile(
    rf"<(/?)((?:jats:|mml:)?(?:{_INLINE}|{_BLOCK})|jats:[a-z-]+|mml:[a-z]+)(?:\s[^<>]*)?/?>", re.IGNORECASE)
_ENTITY = re.compile(r"&(?:#\d{1,7}|#x[0-9a-fA-F]{1,6}|[A-Za-z][A-Za-z0-9]{1,31});")
_SCRIPT = {"sup", "sub", "inf"}
_HEADING = re.compile(r"h[1-6]|title|label", re.IGNORECASE)


def strip_markup(text: str | None) -> str | None:
    """``text`` without formatting tags and with entities decoded; unchanged when it has neither."""
    if not text or ("<" not in text and "&" not in text):
        return text
    if "<" in text:
        original = text
        stripped = _TAG.sub(lambda m: _replacement(m, original), text)
        if stripped != text:
            text = re.sub(r"[ \t]{2,}", " ", stripped).strip()
    return _ENTITY.sub(lambda m: html.unescape(m.group(0)), text)


def _replacement(match: re.Match, text: str) -> str:
    closing, name = match.group(1) == "/", match.group(2).lower().split(":")[-1]
    before = text[match.start() - 1] if match.start() else " "
    after = text[match.end()] if match.end() < len(text) else " "
    if name in _SCRIPT:
        if name == "sup" and not closing and before.isdigit():
            return "^"  # 10<sup>-3</sup> is 10^-3, not 10-3
        if closing and before.isalnum() and after.isalpha() and _lower_word_follows(text, match.end()):
            return " "
        return ""
    if _HEADING.fullmatch(name):
        return ": " if closing and before not in ":.?!" else " "
    if name in {"p", "div", "br", "hr", "li", "ul", "ol", "section", "abstract", "sec", "caption"}:
        return " "
    return " " if before.isalnum() and after.isalnum() else ""


def _lower_word_follows(text: str, start: int) -> bool:
    word = re.match(r"[A-Za-z]+", text[start:])
    return word is not None and word.group(0).islower() and len(word.group(0)) >= 3
