"""What a PDF worker process sends back: plain data, so the parent never needs PyMuPDF to receive it."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any


@dataclass
class PdfReading:
    """What a worker found in one PDF. ``failure`` set means: nothing to import, say why."""

    failure: str | None = None
    metadata: dict[str, Any] = field(default_factory=dict)
    pages: list[str] = field(default_factory=list)
    needs_ocr: bool = False
    note: str | None = None
