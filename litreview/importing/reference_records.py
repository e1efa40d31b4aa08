"""What every reference-export reader produces: plain records with study fields, or a reason to refuse."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any

from litreview.errors import InputError
from litreview.importing.markup import strip_markup


class ReferenceFormatError(InputError):
    """The export is malformed; the message names the line or record, and nothing of it is imported."""


@dataclass
class Reference:
    number: int  # 1-based position in the file
    fields: dict[str, Any]  # title, authors [{given, family}], year, doi, abstract, venue
    extra: dict[str, Any] = field(default_factory=dict)
    problem: str | None = None  # set: this record alone is malformed (why, with its line); it is not imported

    def is_empty(self) -> bool:
        return not any(self.fields.get(k) for k in ("title", "abstract", "doi")) and not self.extra


def clean_text_fields(fields: dict[str, Any]) -> dict[str, Any]:
    """Title, abstract and venue without the HTML formatting tags exports leave in them (``markup``)."""
    for key in ("title", "abstract", "venue"):
        if isinstance(fields.get(key), str):
            fields[key] = strip_markup(fields[key])
    return fields


def split_name(name: str) -> dict[str, str]:
    """"Family, Given" (RIS, BibTeX, WoS) or "Given Family"; Scopus's "Family G." is kept family-first."""
    name = " ".join(name.split())
    if "," in name:
        family, _, given = name.partition(",")
        return {"given": given.strip(), "family": family.strip()}
    parts = name.split(" ")
    if len(parts) >= 2 and re.fullmatch(r"(?:[A-Z]\.?-?)+", parts[-1]):
        return {"given": parts[-1], "family": " ".join(parts[:-1])}  # "Smith J." / "Smith JA"
    if len(parts) == 1:
        return {"given": "", "family": name}
    return {"given": " ".join(parts[:-1]), "family": parts[-1]}


def plain(value: Any) -> Any:
    """Make a parser's value JSON-safe (rispy returns defaultdicts for unknown tags)."""
    if isinstance(value, dict):
        return {str(k): plain(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [plain(v) for v in value]
    if isinstance(value, (str, int, float, bool)) or value is None:
        return value
    return str(value)
