"""DOIs printed in a PDF: find them, clean them, and pick the one that identifies the paper.

A DOI is only reported when it is printed in the document; nothing is guessed from the venue or the embedded
metadata. The paper's own DOI sits in the header, footer or a side bar of page 1 (often labelled "doi:" or written
as a doi.org link); DOIs in running text or in a reference list on page 1 are other works, so labelled and
header/footer DOIs win and a DOI after a "References" heading is never taken.
"""

from __future__ import annotations

import re
import unicodedata

# Crossref's recommended pattern (10.NNNN/suffix), suffix ended at whitespace or a character no DOI suffix uses.
DOI_PATTERN = re.compile(r"\b10\.\d{4,9}/[^\s\"<>{}|\\^`]+", re.IGNORECASE)
_LABEL = re.compile(r"(?:\bdoi\b\s*[:.]?|doi\.org/|digital object identifier\s*:?)$", re.IGNORECASE)
_TRAILING = ".,;:'’”\"*†‡"
_PAIRS = {")": "(", "]": "[", "}": "{"}


def clean_doi(candidate: str) -> str | None:
    """A DOI as matched in text, without the sentence punctuation or unbalanced brackets that follow it.

    "10.1042/CS20130403." -> "10.1042/CS20130403"; "(doi:10.1000/xyz123)" -> "10.1000/xyz123";
    "10.1002/(SICI)1097-4636" keeps its balanced parentheses. Returns None when nothing DOI-shaped is left.
    """
    doi = unicodedata.normalize("NFKC", candidate).strip()
    doi = re.sub(r"^(?:https?://)?(?:dx\.)?doi\.org/", "", doi, flags=re.IGNORECASE)
    doi = re.sub(r"^doi\s*:?\s*", "", doi, flags=re.IGNORECASE)
    changed = True
    while changed and doi:
        changed = False
        if doi[-1] in _TRAILING:
            doi = doi[:-1]
            changed = True
        elif doi[-1] in _PAIRS and doi.count(doi[-1]) > doi.count(_PAIRS[doi[-1]]):
            doi = doi[:-1]
            changed = True
    match = re.fullmatch(r"10\.\d{4,9}/\S+", doi)
    return doi if match else None


def find_dois(text: str) -> list[tuple[str, bool]]:
    """Every DOI in ``text`` as (doi, labelled); labelled means preceded by "doi:", "DOI" or a doi.org link."""
    found = []
    for match in DOI_PATTERN.finditer(text):
        doi = clean_doi(match.group(0))
        if doi is None:
            continue
        before = text[max(0, match.start() - 30) : match.start()]
        found.append((doi, bool(_LABEL.search(before.rstrip()))))
    return found
