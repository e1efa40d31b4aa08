"""Render the README's figures from the demo corpus: the PRISMA 2020 flow diagram and a taxonomy figure.

The demo corpus (``litreview demo``: twelve fictional studies on three topics) is imported the way a review
would be: two overlapping database exports made from its records (a PubMed-style RIS with studies 1-8 and a
Scopus-style CSV with studies 5-12), then its PDFs, which attach to those records as full texts. The hierarchy is
built by ``litreview hierarchy build`` with the app's default model (the quality model once fetched). The
screening decisions are demo decisions, written here through the functions the screening view calls
(``decide`` at title/abstract, ``stop_screening``, then ``decide`` at full text with reasons).

    PYTHONPATH=. LITREVIEW_MODELS=... .venv/bin/python docs/images/make_readme_figures.py [--library DIR]
"""

from __future__ import annotations

import argparse
import csv
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))

from litreview.demo import demo_studies, write_demo_pdfs  # noqa: E402
from litreview.export.figures import write_prisma, write_taxonomy  # noqa: E402
from litreview.hierarchy import tree  # noqa: E402
from litreview.importing import import_paths  # noqa: E402
from litreview.screening import FULL_TEXT, TITLE_ABSTRACT, decide, stop_screening  # noqa: E402
from litreview.store import Library  # noqa: E402

IMAGES = Path(__file__).resolve().parent


def write_exports(folder: Path) -> tuple[Path, Path]:
    studies = demo_studies()
    ris = folder / "pubmed.ris"
    lines = []
    for study in studies[:8]:
        lines += ["TY  - JOUR", f"TI  - {study['title']}", *(f"AU  - {a['family']}, {a['given']}" for a in study["authors"]),
                  f"PY  - {study['year']}", f"DO  - {study['doi']}", f"JO  - {study['venue']}", f"AB  - {study['abstract']}",
                  "ER  - ", ""]
    ris.write_text("\n".join(lines), encoding="utf-8")
    scopus = folder / "scopus.csv"
    with open(scopus, "w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle)
        writer.writerow(["Title", "Authors", "Year", "DOI", "Source title", "Abstract"])
        for study in studies[4:]:
            writer.writerow([study["title"], "; ".join(f"{a['family']}, {a['given']}" for a in study["authors"]),
                             study["year"], study["doi"], study["venue"], study["abstract"]])
    return ris, scopus


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--library", help="library folder (default: a new temporary one)")
    args = parser.parse_args()
    folder = Path(args.library) if args.library else Path(tempfile.mkdtemp(prefix="litreview-demo-")) / "library"
    files = folder.parent / "demo-files"
    files.mkdir(parents=True, exist_ok=True)
    with Library(folder) as library:
        if library.study_count() == 0:
            ris, scopus = write_exports(files)
            import_paths(library, ris, source=("PubMed", "database"))
            import_paths(library, scopus, source=("Scopus", "database"))
            import_paths(library, write_demo_pdfs(files / "pdfs"))  # the full texts attach to their records
    if not args.library or not _has_hierarchy(folder):
        subprocess.run([sys.executable, "-m", "litreview", "--library", str(folder), "hierarchy", "build"], check=True)
    with Library(folder) as library:
        if not library.query("SELECT 1 FROM decisions LIMIT 1"):
            by_doi = {s["doi"]: s["id"] for s in library.studies()}
            ids = [by_doi[s["doi"]] for s in demo_studies()]
            for number, study_id in enumerate(ids[:10], start=1):  # the last two are left when screening stops
                decide(library, study_id, "exclude" if number in (4, 8) else "include",
                       reason="Not an intervention study" if number in (4, 8) else "")
            stop_screening(library, TITLE_ABSTRACT, chosen_by=None)  # 'rule' when it allows it, else 'user'
            for number, study_id in enumerate(ids[:10], start=1):
                if number in (4, 8):
                    continue
                reason = {3: "No comparison group", 7: "Modelling study only"}.get(number, "")
                decide(library, study_id, "exclude" if reason else "include", stage=FULL_TEXT, reason=reason)
        hierarchy = tree.latest_hierarchy_id(library)
        graph = tree.load_graph(library, hierarchy)
        write_prisma(library, IMAGES / "prisma-demo.png")
        best = max(tree.aspect_ids(graph), key=lambda a: len(list(tree.children(graph, a))))
        write_taxonomy(library, IMAGES / "taxonomy-demo.png", graph.nodes[best]["name"], hierarchy_id=hierarchy,
                       included_only=True)  # the studies the PRISMA diagram's last box counts
        print(f"library {folder}; wrote {IMAGES / 'prisma-demo.png'} and {IMAGES / 'taxonomy-demo.png'} "
              f"(aspect {graph.nodes[best]['name']!r})")
    return 0


def _has_hierarchy(folder: Path) -> bool:
    with Library(folder) as library:
        return tree.latest_hierarchy_id(library) is not None


if __name__ == "__main__":
    sys.exit(main())
