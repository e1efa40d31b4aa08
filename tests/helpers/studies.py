"""Studies written straight into a library, as an import of reference records would write them, for tests that
are not about importing. (The app's tests write theirs through the window: ``tests.helpers.window``.)"""

from __future__ import annotations

import json
from typing import Any

# A dozen studies on unrelated topics, three of them about anxiety therapy (title, abstract; some abstracts empty)
SCREENING_STUDIES = [
    ("Mindfulness therapy for anxiety in adults: a randomised trial", "Adults with anxiety received mindfulness therapy."),
    ("Soil nitrogen in alpine meadows", "We measured nitrogen in alpine soils over three summers."),
    ("Cognitive behavioural therapy for anxiety disorders", "A trial of CBT for generalised anxiety in adults."),
    ("Bridge corrosion monitoring with sensors", ""),
    ("Anxiety outcomes after group therapy", None),
    ("Deep learning for protein folding", "Neural networks predict protein structure."),
    ("Traffic flow in roundabouts", "Simulated vehicles in three city layouts."),
    ("Coral reef bleaching events", "Sea temperature and bleaching over a decade."),
    ("Compiler optimisation of loops", "Loop unrolling in a research compiler."),
    ("Medieval trade routes in the Baltic", "Archival records of Hanseatic merchants."),
    ("Battery ageing in electric buses", "Capacity fade measured in a city fleet."),
    ("Bird song dialects in finches", "Recordings from island populations."),
]


def add_studies(library, rows: list[dict[str, Any]]) -> list[int]:
    """Studies from dicts (title, abstract and optionally authors, year, doi and ``study_id``, kept as the
    record's reference) in one command, "Add test studies"; returns their ids in order."""
    with library.command("Add test studies") as cmd:
        return [cmd.insert("studies", {
            "title": row.get("title"), "abstract": row.get("abstract"), "year": row.get("year"),
            "doi": row.get("doi"), "authors": json.dumps(row.get("authors") or []), "source": "csv",
            "source_ref": row.get("study_id"),
        }) for row in rows]


def add_screening_studies(library, studies: list[tuple[str, str | None]] = SCREENING_STUDIES) -> list[int]:
    """Studies from (title, abstract) pairs, ``SCREENING_STUDIES`` by default, in one command."""
    return add_studies(library, [{"title": title, "abstract": abstract} for title, abstract in studies])
