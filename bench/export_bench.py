"""Paper figures on a large review: the PRISMA 2020 diagram of a 10,000-record library and the taxonomy figure of
a 200-study hierarchy, against writing the plain library CSV in the same run (the baseline).

Builds (once; reused while its size matches) a synthetic library under bench/out/export_bench/: records from
three databases, a register and citation searching (import outcomes with sources; 12 % duplicates, a few failed
records), title/abstract decisions for part of it with reasons, automation exclusions and a recorded stop, full-text
decisions with six reasons for the records sought, and a hierarchy of one aspect (8 categories, 3 sub-categories
each, half of those split again) over the 200 included studies. Then times, each several times (median and
worst): counting the PRISMA boxes, drawing the diagram to SVG, converting it to PDF and to a 300 dpi PNG, the
PRISMA2020 CSV; building the taxonomy and drawing it to SVG, its PDF, its forest snippet; and the baseline, the
library CSV export of every record. Target (issue 16): at most 1 s for each figure (counting + SVG).

    .venv/bin/python bench/export_bench.py [--quick] [--records N] [--repeat K]
"""

from __future__ import annotations

import argparse
import json
import random
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from litreview.export.library import write_csv  # noqa: E402
from litreview.export.prisma import prisma_flow  # noqa: E402
from litreview.export.prisma_csv import write_prisma2020_csv  # noqa: E402
from litreview.export.prisma_figure import draw_prisma  # noqa: E402
from litreview.export.taxonomy import build_taxonomy, forest  # noqa: E402
from litreview.export.taxonomy_figure import draw_taxonomy  # noqa: E402
from litreview.hierarchy import tree  # noqa: E402
from litreview.store import Library  # noqa: E402

OUT = ROOT / "bench" / "out" / "export_bench"
SOURCES = [("PubMed", "database", 0.40), ("Scopus", "database", 0.30), ("Web of Science", "database", 0.18),
           ("ClinicalTrials.gov", "register", 0.07), ("Citation searching", "other", 0.05)]
REASONS = ["Wrong population", "Wrong intervention", "Wrong comparator", "Wrong outcome", "Wrong study design",
           "Conference abstract only"]
WORDS = ["nudge", "default", "reminder", "heat", "green", "roof", "street", "tree", "plastic", "fish", "river",
         "vaccination", "prescribing", "screening", "trial", "cohort", "school", "canteen", "hospital", "ward"]


def build(folder: Path, records: int, included: int) -> None:
    rng = random.Random(20261130)
    with Library(folder) as library:
        with library.command("Sources") as cmd:
            source_ids = [cmd.insert("sources", {"name": n, "kind": k}) for n, k, _ in SOURCES]
        duplicates = int(records * 0.12)
        failed = records // 500
        studies = records - duplicates - failed
        weights = [w for _, _, w in SOURCES]
        with library.command(f"Import synthetic ({studies} studies)") as cmd:
            ids, where = [], []
            for number in range(studies):
                source = rng.choices(source_ids, weights)[0]
                family = rng.choice(["Smith", "García", "Okafor", "Ng", "Müller", "Rossi", "Khan", "Evans", "Silva"])
                title = " ".join(rng.choices(WORDS, k=rng.randint(6, 12))).capitalize()
                ids.append(cmd.insert("studies", {
                    "title": f"{title} {number}", "abstract": " ".join(rng.choices(WORDS, k=120)),
                    "year": rng.randint(2000, 2025), "source": "ris", "source_id": source,
                    "authors": json.dumps([{"family": family, "given": "A."}, {"family": "Lee", "given": "K."}]),
                    "doi": f"10.5555/bench.{number}"}))
                where.append(source)
        with library.atomic():
            library.conn.executemany(
                "INSERT INTO import_outcomes(batch, input, status, study_id, matched_id, source_id) VALUES (?,?,?,?,?,?)",
                [("bench", f"export.ris#{i}", "imported", s, None, src) for i, (s, src) in enumerate(zip(ids, where))]
                + [("bench", f"dup.ris#{i}", "duplicate", None, rng.choice(ids), rng.choices(source_ids, weights)[0])
                   for i in range(duplicates)]
                + [("bench", f"bad.ris#{i}", "failed", None, None, source_ids[0]) for i in range(failed)])
        order = ids[:]
        rng.shuffle(order)
        screened = order[: int(studies * 0.45)]
        automation = order[int(studies * 0.45): int(studies * 0.47)]
        sought = screened[: included * 3 // 2]
        with library.command("Screen") as cmd:
            for study_id in screened:
                decision = "include" if study_id in set(sought) else "exclude"
                cmd.insert("decisions", {"study_id": study_id, "decision": decision,
                                         "reason": rng.choice(REASONS) if decision == "exclude" and rng.random() < 0.5 else ""})
            for study_id in automation:
                cmd.insert("decisions", {"study_id": study_id, "decision": "exclude", "actor": "automation"})
            cmd.insert("screening_stops", {"rule": "hypergeometric", "target": 0.95, "confidence": 0.95,
                                           "screened": len(screened), "total": studies})
            for position, study_id in enumerate(sought):
                if position < included:
                    values = {"decision": "include"}
                elif position < included + included // 10:
                    values = {"decision": "not_retrieved"}
                else:
                    values = {"decision": "exclude", "reason": rng.choice(REASONS)}
                cmd.insert("decisions", {"study_id": study_id, "stage": "full_text", **values})
        _hierarchy(library, sought[:included], rng)


def _hierarchy(library: Library, studies: list[int], rng: random.Random) -> None:
    with library.command("Build hierarchy") as cmd:
        hierarchy = cmd.insert("hierarchies", {"name": "Bench hierarchy", "model": "bench"})
        aspect = cmd.insert("categories", {"hierarchy_id": hierarchy, "parent_id": None, "name": "Intervention"})
        leaves = []
        for i in range(8):
            top = cmd.insert("categories", {"hierarchy_id": hierarchy, "parent_id": aspect, "position": i,
                                            "name": f"{WORDS[i].capitalize()} interventions in {WORDS[i + 8]} settings"})
            for j in range(3):
                sub = cmd.insert("categories", {"hierarchy_id": hierarchy, "parent_id": top, "position": j,
                                                "name": f"{WORDS[(i + j) % 20].capitalize()} {WORDS[(i * 3 + j) % 20]}"})
                if j % 2 == 0:
                    for k in range(2):
                        leaves.append(cmd.insert("categories", {"hierarchy_id": hierarchy, "parent_id": sub,
                                                                "position": k, "name": f"Variant {k + 1} of {j + 1}"}))
                else:
                    leaves.append(sub)
        graph = tree.load_graph(library, hierarchy)
        for study_id in studies:
            tree.write_assignment(cmd, library, study_id, rng.choice(leaves), score=0.8, source="stats", graph=graph)


def timed(fn, repeat: int) -> tuple[float, float, object]:
    times, result = [], None
    for _ in range(repeat):
        start = time.perf_counter()
        result = fn()
        times.append(time.perf_counter() - start)
    return statistics.median(times), max(times), result


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--quick", action="store_true", help="2,000 records, 3 repeats")
    parser.add_argument("--records", type=int, default=10_000)
    parser.add_argument("--included", type=int, default=200)
    parser.add_argument("--repeat", type=int, default=5)
    args = parser.parse_args()
    records, repeat = (2_000, 3) if args.quick else (args.records, args.repeat)
    folder = OUT / f"library-{records}-{args.included}"
    if not (folder / "library.db").exists():
        start = time.perf_counter()
        build(folder, records, args.included)
        print(f"built {folder} in {time.perf_counter() - start:.1f} s")
    files = OUT / "files"
    files.mkdir(parents=True, exist_ok=True)
    with Library(folder) as library:
        hierarchy = tree.latest_hierarchy_id(library)
        aspect = tree.aspect_ids(tree.load_graph(library, hierarchy))[0]
        rows = []

        def row(name, fn, path=None):
            median, worst, result = timed(fn, repeat)
            size = path.stat().st_size if path is not None and path.exists() else None
            rows.append((name, median, worst, size))
            return result

        row("baseline: library CSV export (every record)", lambda: write_csv(library, files / "library.csv"),
            files / "library.csv")
        flow = row("PRISMA: count the boxes (with ids)", lambda: prisma_flow(library))
        row("PRISMA: count + draw SVG", lambda: (files / "prisma.svg").write_text(
            draw_prisma(prisma_flow(library)).to_svg(), encoding="utf-8"), files / "prisma.svg")
        canvas = draw_prisma(flow)
        row("PRISMA: SVG -> vector PDF", lambda: (files / "prisma.pdf").write_bytes(canvas.to_pdf()),
            files / "prisma.pdf")
        row("PRISMA: SVG -> PNG 300 dpi", lambda: (files / "prisma.png").write_bytes(canvas.to_png()),
            files / "prisma.png")
        row("PRISMA: PRISMA2020 CSV", lambda: write_prisma2020_csv(flow, files / "prisma.csv"), files / "prisma.csv")
        taxonomy = row("taxonomy: build the tree", lambda: build_taxonomy(library, hierarchy, aspect))
        row("taxonomy: build + draw SVG", lambda: (files / "taxonomy.svg").write_text(
            draw_taxonomy(build_taxonomy(library, hierarchy, aspect)).to_svg(), encoding="utf-8"),
            files / "taxonomy.svg")
        figure = draw_taxonomy(taxonomy)
        row("taxonomy: SVG -> vector PDF", lambda: (files / "taxonomy.pdf").write_bytes(figure.to_pdf()),
            files / "taxonomy.pdf")
        row("taxonomy: build + forest snippet", lambda: (files / "taxonomy.tex").write_text(
            forest(build_taxonomy(library, hierarchy, aspect)), encoding="utf-8"), files / "taxonomy.tex")
    identified = sum(flow.count(k) for k in ("database_results", "register_results", "other_results"))
    print(f"\nlibrary: {identified:,} records identified, {flow.count('new_studies')} studies included; taxonomy: "
          f"{len(taxonomy.walk()) - 1} categories, {taxonomy.root.count} studies; {repeat} runs each\n")
    baseline = rows[0][1]
    print(f"{'step':46} {'median':>9} {'worst':>9} {'x CSV':>7} {'file':>10}")
    for name, median, worst, size in rows:
        print(f"{name:46} {median * 1000:7.0f}ms {worst * 1000:7.0f}ms {median / baseline:7.2f} "
              f"{'' if size is None else f'{size / 1024:8.1f}KB':>10}")
    svg_prisma = next(r for r in rows if r[0] == "PRISMA: count + draw SVG")
    svg_taxonomy = next(r for r in rows if r[0] == "taxonomy: build + draw SVG")
    verdict = all(r[2] <= 1.0 for r in (svg_prisma, svg_taxonomy))
    print(f"\ntarget <= 1 s per figure (count/build + SVG, worst run): {'met' if verdict else 'NOT met'}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
