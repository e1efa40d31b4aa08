"""Reference exports as a database gives them (RIS), written to files for the import tests."""

from __future__ import annotations

from pathlib import Path

# A PubMed-style export of two records: a trial with a DOI, and a study without one.
TWO_RECORDS_RIS = """\
TY  - JOUR
TI  - Nudging physicians towards generic prescribing
AU  - Müller, Anna
PY  - 2019
DO  - 10.1000/abc.123
ER  -

TY  - JOUR
TI  - Green roofs and indoor heat
AU  - Wei, Chen
PY  - 2020
ER  -
"""


def write_export(folder: Path, name: str, text: str) -> Path:
    """``text`` as the file ``folder / name`` (UTF-8); returns its path."""
    path = folder / name
    path.write_text(text, encoding="utf-8")
    return path
