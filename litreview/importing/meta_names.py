"""Author lines: is this line a list of personal names, and how do the names split into given and family.

Printed author lines mix names with separators ("," ";" "and" "&" "·"), affiliation markers (mostly removed by
meta_layout), degrees ("MD, PhD"), membership grades ("Member, IEEE") and sometimes surnames in capitals ("Ross G.
DOUGLAS"). The family name is a run of capitalised tokens at either end of a name that is not all capitals,
otherwise the last token with any particle before it ("van", "de", "del"...). Capitals are turned into proper case
("O'CONNELL" -> "O'Connell", "MCGEE" -> "McGee").
"""

from __future__ import annotations

import re

PARTICLES = {
    "van", "von", "der", "den", "de", "del", "della", "di", "da", "dos", "das", "du", "la", "le", "ten", "ter",
    "bin", "ibn", "al", "el", "y", "zu", "af", "'t", "’t",
}
SUFFIXES = {"jr", "jr.", "sr", "sr.", "ii", "iii", "iv"}
DEGREES = {
    "md", "phd", "msc", "ms", "bsc", "ba", "ma", "mph", "rn", "dphil", "mbbs", "frcp", "facs", "mba", "do", "dds",
    "pharmd", "bs", "mbchb", "frcs", "ph.d", "m.d", "ph.d.", "m.d.",
}
# Words that never appear in a personal name but do in affiliations, e-mails, dates and headings (word-bounded,
# so that surnames such as "Schoolcraft" or "Centeno" pass).
NOT_NAME_WORDS = re.compile(
    r"\b(?:univers\w*|universit\w*|depart\w*|dept|institut\w*|school|college|hospital|cent(?:er|re)|laborator\w*|"
    r"faculty|inc|corporation|ltd|gmbh|abstract|correspond\w*|received|accepted|published|e-?mail|www|https?|doi|"
    r"journal|proceedings|volume|vol|research|science|sciences|article|review|open access|keywords?|press|"
    r"foundation|ministry|academy|clinic|program(?:me)?|group|unit|division|society)\b|@",
    re.IGNORECASE,
)
_TOKEN = re.compile(r"^(?:[A-ZÀ-ÖØ-ÞĀ-Ž][\w'’\-.]*|[A-Z]\.(?:-?[A-Z]\.)*|[\w'’]+)$")
_SPLIT = re.compile(r"\s*(?:,|;|\band\b|&|·|•|\|\s{3,})\s*", re.IGNORECASE)
_BESIDE_NAMES = re.compile(r"^\s*by\s+|\(\s*\S+@\S+\s*\)|\S+@\S+", re.IGNORECASE)
_TRAILING_MARKS = re.compile(r"(\s*[\d*∗†‡§]+)+\s*$")
# Titles printed after a name in engineering journals: "John Smith, Member, IEEE".
_MEMBERSHIP = re.compile(r"^((student|senior|life|associate)\s+)?(member|fellow)(\s+(ieee|acm|siam))?$|^(ieee|acm)$",
                         re.IGNORECASE)


def split_names(text: str) -> list[str]:
    """Candidate name strings in an author line (degrees and suffix-only pieces dropped)."""
    # affiliation numbers printed in the text's own size ("Lindqvist 1*") end a name, they are not part of it
    pieces = [_TRAILING_MARKS.sub("", p).strip(" .,;:") for p in _SPLIT.split(text)]
    out = []
    for piece in pieces:
        if not piece:
            continue
        if piece.lower().strip(".") in DEGREES or piece.lower() in SUFFIXES or _MEMBERSHIP.match(piece):
            continue
        out.append(piece)
    return out


def looks_like_name(piece: str) -> bool:
    """A person's name: 2-5 tokens, each capitalised or an initial or a lower-case particle, no digits."""
    if any(ch.isdigit() for ch in piece) or NOT_NAME_WORDS.search(piece):
        return False
    tokens = piece.split()
    if not 2 <= len(tokens) <= 5:
        return False
    for token in tokens:
        if token.lower() in PARTICLES or token.lower() in SUFFIXES:
            continue
        if re.match(r"^[a-z][’'][A-Z]", token):  # d’Oleire, l'Hôpital
            continue
        if not token[0].isalpha() or token[0].islower() or not _TOKEN.match(token):  # CJK has no case
            return False
    return True


def author_line_names(text: str) -> list[str] | None:
    """The names on an author line, or None when the line is not mostly names (affiliation, e-mail, heading).

    A leading "By" and e-mail addresses printed beside the names ("Jane Roe (jane@uni.edu)") are set aside first.
    """
    text = _BESIDE_NAMES.sub(" ", text)
    if NOT_NAME_WORDS.search(text) and not _mostly_names(text):
        return None
    pieces = split_names(text)
    if not pieces:
        return None
    good = [p for p in pieces if looks_like_name(p)]
    if len(good) * 10 < len(pieces) * 7:  # fewer than 70 % names: not an author line
        return None
    return good


def _mostly_names(text: str) -> bool:
    pieces = split_names(text)
    return bool(pieces) and sum(looks_like_name(p) for p in pieces) * 10 >= len(pieces) * 9


def proper_case(word: str) -> str:
    """'DOUGLAS' -> 'Douglas', "O'CONNELL" -> "O'Connell", 'MCGEE' -> 'McGee', 'JEAN-LUC' -> 'Jean-Luc'."""
    def fix(part: str) -> str:
        if not part:
            return part
        low = part.lower()
        if low.startswith("mc") and len(low) > 3:
            return "Mc" + low[2].upper() + low[3:]
        return low[0].upper() + low[1:]

    out = re.sub(r"[^\-'’]+", lambda m: fix(m.group(0)), word)
    return out


def _is_caps(token: str) -> bool:
    """A word printed in capitals; initials ("K.R.", "EJ": no dot-free vowel-less pair is a surname) do not count."""
    letters = [c for c in token if c.isalpha()]
    if "." in token or len(letters) < 2 or not all(c.isupper() for c in letters):
        return False
    return len(letters) >= 4 or any(c in "AEIOUYÀÁÂÄÈÉÊËÌÍÎÏÒÓÔÖÙÚÛÜ" for c in letters)


def parse_name(piece: str) -> dict[str, str]:
    """{"given", "family"} for one printed name.

    A name printed wholly in capitals ("RAY LC") splits like any other and is proper-cased; where only some
    tokens are capitals, a run of them at the start or end is the family name ("Ross G. DOUGLAS").
    """
    tokens = [t for t in piece.split() if t.lower() not in SUFFIXES]
    if not tokens:
        return {"given": "", "family": ""}
    all_caps = all(t.upper() == t for t in tokens)
    caps = [] if all_caps else [i for i, t in enumerate(tokens) if _is_caps(t)]
    at_edge = bool(caps) and (caps[0] == 0 or caps[-1] == len(tokens) - 1)
    if at_edge and caps == list(range(caps[0], caps[-1] + 1)):
        start, end = caps[0], caps[-1] + 1
        while start > 1 and tokens[start - 1].lower() in PARTICLES:
            start -= 1
        family = " ".join(proper_case(t) if _is_caps(t) else t for t in tokens[start:end])
        return {"given": " ".join(tokens[:start] + tokens[end:]), "family": family}
    start = len(tokens) - 1
    while start > 1 and tokens[start - 1].lower() in PARTICLES:
        start -= 1
    given_words, family_words = tokens[:start], tokens[start:]
    if all_caps:
        given_words = [proper_case(t) if len(t.strip(".")) > 1 else t for t in given_words]
        family_words = [proper_case(t) for t in family_words]
    return {"given": " ".join(given_words), "family": " ".join(family_words)}
