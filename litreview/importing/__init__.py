"""Bringing studies into a library: PDFs, reference exports (RIS, BibTeX, CSV/TSV), duplicates, outcomes.

The one entry point is ``import_paths``; the desktop app and the CLI both call it. Past batches can be read back
(``import_batches``, ``batch_outcomes``), and the source chosen for a file name is remembered
(``remembered_source``).
"""

from litreview.importing.batch import collect_inputs, import_paths
from litreview.importing.outcomes import (
    BatchSummary,
    ImportOutcome,
    ImportReport,
    batch_outcomes,
    import_batches,
    summarise,
)
from litreview.importing.sources import Source, list_sources, remembered_source

__all__ = ["BatchSummary", "ImportOutcome", "ImportReport", "Source", "batch_outcomes", "collect_inputs",
           "import_batches", "import_paths", "list_sources", "remembered_source", "summarise"]
