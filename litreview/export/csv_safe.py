"""The one CSV writer every export uses: RFC 4180 quoting plus the formula guard.

A spreadsheet runs a cell that starts with ``=``, ``+``, ``-`` or ``@`` as a formula, and a leading tab or
carriage return lets such a cell hide behind whitespace. Titles, author names, abstracts and category names come
from PDFs and from models, so they are untrusted: OWASP's advice against CSV injection is to prefix such a cell
with a single quote, which makes every spreadsheet show it as text. litreview's own CSV importer removes the quote
again (``litreview.importing.references.FORMULA_GUARD``), so a round trip keeps the value exact.

Numbers are written as numbers (a negative score stays ``-0.5``); only text is guarded. Writers must not call
``csv.writer`` themselves: ``tests/export/test_formula_guard.py`` checks that every CSV export goes through here.
"""

from __future__ import annotations

import csv
from collections.abc import Iterable
from typing import Any, TextIO

FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def guard(value: Any) -> Any:
    """The cell as a spreadsheet must see it: None as empty, text that would run as a formula prefixed with '."""
    if value is None:
        return ""
    if isinstance(value, str) and value.startswith(FORMULA_START):
        return "'" + value
    return value


class SafeWriter:
    """``csv.writer`` with every cell passed through ``guard``."""

    def __init__(self, handle: TextIO, **options: Any):
        self._writer = csv.writer(handle, **options)

    def writerow(self, row: Iterable[Any]) -> None:
        self._writer.writerow([guard(cell) for cell in row])

    def writerows(self, rows: Iterable[Iterable[Any]]) -> None:
        for row in rows:
            self.writerow(row)


def writer(handle: TextIO, **options: Any) -> SafeWriter:
    return SafeWriter(handle, **options)
