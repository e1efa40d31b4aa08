"""Bringing studies into a library: PDFs, reference exports (RIS, BibTeX, CSV/TSV), duplicates, outcomes.

The one entry point is ``import_paths``; the desktop app and the CLI both call it.
"""

from litreview.importing.batch import collect_inputs, import_paths
from litreview.importing.outcomes import ImportOutcome, summarise

__all__ = ["ImportOutcome", "collect_inputs", "import_paths", "summarise"]
