"""The PRISMA2020 R package's CSV layout, filled from a ``PrismaFlow``, so its R function and Shiny app
(Haddaway et al., Campbell Syst Rev 2022;18:e1230) draw or edit the same diagram.

The layout is the package's template (``inst/extdata/PRISMA.csv`` of ``prisma-flowdiagram/PRISMA2020``): the
columns ``data,node,box,description,boxtext,tooltips,url,n`` and the rows below, in this order, with ``NA`` where the
template has it. The package looks rows up by the ``data`` key and reads ``n``; lists (per database, per register,
per exclusion reason) are "Name, n; Name, n", split at ";" and then at the first ",", so names lose their commas
and semicolons here. There is no byte-order mark (R would misname the first column) and lines end in CRLF as in
the template. Only the ``n`` column is ours; ``previous_*`` are 0 (a new review) and the meta-analysis rows keep
the template's 0.
"""

from __future__ import annotations

import re
from pathlib import Path

from litreview.export import csv_safe
from litreview.export.files import atomic_text
from litreview.export.prisma import Box, PrismaFlow

COLUMNS = ["data", "node", "box", "description", "boxtext", "tooltips", "url", "n"]

# data, node, box, description, boxtext, tooltips, url (the template's rows, in its order)
LAYOUT: tuple[tuple[str, ...], ...] = (
    ("NA", "node4", "prevstud",
     "Grey title box; Previous studies",
     "Previous studies",
     "Grey title box; Previous studies",
     "prevstud.html"),
    ("previous_studies", "node5", "box1",
     "Studies included in previous version of review",
     "Studies included in previous version of review",
     "Studies included in previous version of review",
     "previous_studies.html"),
    ("previous_reports", "NA", "box1",
     "Reports of studies included in previous version of review",
     "Reports of studies included in previous version of review",
     "NA",
     "previous_reports.html"),
    ("NA", "node6", "newstud",
     "Yellow title box; Identification of new studies via databases and registers",
     "Identification of new studies via databases and registers",
     "Yellow title box; Identification of new studies via databases and registers",
     "newstud.html"),
    ("database_results", "node7", "box2",
     "Records identified from: Databases",
     "Databases",
     "Records identified from: Databases and Registers",
     "database_results.html"),
    ("database_specific_results", "NA", "box2",
     "Records identified from: specific databases",
     "Specific Databases",
     "NA",
     "database_results.html"),
    ("register_results", "NA", "box2", "Records identified from: Registers", "Registers", "NA", "NA"),
    ("register_specific_results", "NA", "box2",
     "Records identified from: specific registers",
     "Specific Registers",
     "NA",
     "database_results.html"),
    ("NA", "node16", "othstud",
     "Grey title box; Identification of new studies via other methods",
     "Identification of new studies via other methods",
     "Grey title box; Identification of new studies via other methods",
     "othstud.html"),
    ("website_results", "node17", "box11",
     "Records identified from: Websites",
     "Websites",
     "Records identified from: Websites, Organisations and Citation Searching",
     "website_results.html"),
    ("organisation_results", "", "box11", "Records identified from: Organisations", "Organisations", "NA", "NA"),
    ("citations_results", "NA", "box11", "Records identified from: Citation searching", "Citation searching", "NA", "NA"),
    ("duplicates", "node8", "box3", "Duplicate records", "Duplicate records", "Duplicate records", "duplicates.html"),
    ("excluded_automatic", "NA", "box3",
     "Records marked as ineligible by automation tools",
     "Records marked as ineligible by automation tools",
     "NA",
     "NA"),
    ("excluded_other", "NA", "box3", "Records removed for other reasons", "Records removed for other reasons", "NA", "NA"),
    ("records_screened", "node9", "box4",
     "Records screened (databases and registers)",
     "Records screened",
     "Records screened (databases and registers)",
     "records_screened.html"),
    ("records_excluded", "node10", "box5",
     "Records excluded (databases and registers)",
     "Records excluded",
     "Records excluded (databases and registers)",
     "records_excluded.html"),
    ("dbr_sought_reports", "node11", "box6",
     "Reports sought for retrieval (databases and registers)",
     "Reports sought for retrieval",
     "Reports sought for retrieval (databases and registers)",
     "dbr_sought_reports.html"),
    ("dbr_notretrieved_reports", "node12", "box7",
     "Reports not retrieved (databases and registers)",
     "Reports not retrieved",
     "Reports not retrieved (databases and registers)",
     "dbr_notretrieved_reports.html"),
    ("other_sought_reports", "node18", "box12",
     "Reports sought for retrieval (other)",
     "Reports sought for retrieval",
     "Reports sought for retrieval (other)",
     "other_sought_reports.html"),
    ("other_notretrieved_reports", "node19", "box13",
     "Reports not retrieved (other)",
     "Reports not retrieved",
     "Reports not retrieved (other)",
     "other_notretrieved_reports.html"),
    ("dbr_assessed", "node13", "box8",
     "Reports assessed for eligibility (databases and registers)",
     "Reports assessed for eligibility",
     "Reports assessed for eligibility (databases and registers)",
     "dbr_assessed.html"),
    ("dbr_excluded", "node14", "box9",
     "Reports excluded (databases and registers): [separate reasons and numbers using ; e.g. Reason1,"
     " xxx; Reason2, xxx; Reason3, xxx]",
     "Reports excluded",
     "Reports excluded (databases and registers)",
     "dbrexcludedrecords.html"),
    ("other_assessed", "node20", "box14",
     "Reports assessed for eligibility (other)",
     "Reports assessed for eligibility",
     "Reports assessed for eligibility (other)",
     "other_assessed.html"),
    ("other_excluded", "node21", "box15",
     "Reports excluded (other): [separate reasons and numbers using ; e.g. Reason1, xxx; Reason2, xxx; Reason3, xxx]",
     "Reports excluded",
     "Reports excluded (other)",
     "other_excluded.html"),
    ("new_studies", "node15", "box10",
     "New studies included in review",
     "New studies included in review",
     "New studies included in review",
     "new_studies.html"),
    ("new_reports", "NA", "box10", "Reports of new included studies", "Reports of new included studies", "NA", "NA"),
    ("total_studies", "node22", "box16",
     "Total studies included in review",
     "Total studies included in review",
     "Total studies included in review",
     "total_studies.html"),
    ("total_reports", "NA", "box16", "Reports of total included studies", "Reports of total included studies", "NA", "NA"),
    ("identification", "node1", "identification",
     "Blue identification box",
     "Identification",
     "Blue identification box",
     "identification.html"),
    ("screening", "node2", "screening", "Blue screening box", "Screening", "Blue screening box", "screening.html"),
    ("included", "node3", "included", "Blue included box", "Included", "Blue included box", "included.html"),
    ("total_studies_ma", "node23", "box17",
     "Total studies included in meta-analysis",
     "Total studies included in meta-analysis",
     "Total studies included in meta-analysis",
     "total_studies_meta_analysis.html"),
    ("total_reports_ma", "NA", "box17",
     "Reports of total included studies in meta-analysis",
     "Reports of total included studies in meta-analysis",
     "NA",
     "NA"),
)

# Other-methods sources go to one of the template's three fields by what their name says; anything else is
# counted as citation searching (the template has no fourth field).
_OTHER_FIELDS = (("website_results", re.compile(r"web|site|google|internet|online", re.I)),
                 ("organisation_results", re.compile(r"organi[sz]ation|agency|institut|society|ministry", re.I)),
                 ("citations_results", re.compile(r"citation|reference|snowball|hand", re.I)))


def prisma2020_values(flow: PrismaFlow) -> dict[str, str | int]:
    """The ``n`` of every data key the package reads."""
    b = flow.boxes
    values: dict[str, str | int] = {"previous_studies": 0, "previous_reports": 0,
                                    "website_results": 0, "organisation_results": 0, "citations_results": 0}
    values["database_results"] = b["database_results"].count
    values["database_specific_results"] = _listing(b["database_results"].parts)
    values["register_results"] = b["register_results"].count
    values["register_specific_results"] = _listing(b["register_results"].parts)
    for part in b["other_results"].parts:
        field = next((f for f, pattern in _OTHER_FIELDS if pattern.search(part.label)), "citations_results")
        values[field] = int(values[field]) + part.count
    for key in ("duplicates", "excluded_automatic", "excluded_other", "records_screened", "records_excluded",
                "dbr_sought_reports", "dbr_notretrieved_reports", "other_sought_reports", "other_notretrieved_reports",
                "dbr_assessed", "other_assessed", "new_studies", "new_reports"):
        values[key] = b[key].count
    values["dbr_excluded"] = _listing(b["dbr_excluded"].parts)
    values["other_excluded"] = _listing(b["other_excluded"].parts)
    values["total_studies"] = b["new_studies"].count
    values["total_reports"] = b["new_reports"].count
    return values


def write_prisma2020_csv(flow: PrismaFlow, path: str | Path) -> Path:
    values = prisma2020_values(flow)
    with atomic_text(path) as out:
        writer = csv_safe.writer(out, lineterminator="\r\n")
        writer.writerow(COLUMNS)
        for row in LAYOUT:
            writer.writerow([*row, values.get(row[0], 0)])
    return Path(path)


def _listing(parts: list[Box]) -> str | int:
    """"Name, n; Name, n" as the package parses it, or 0 when there is nothing to list."""
    if not parts:
        return 0
    return "; ".join(f"{_name(p.label)}, {p.count}" for p in parts)


def _name(label: str) -> str:
    return " ".join(re.sub(r"[,;]", " ", label).split()) or "Unnamed"
