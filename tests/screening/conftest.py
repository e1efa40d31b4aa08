"""Fixtures for screening tests: a library holding a handful of real-looking studies."""

from __future__ import annotations

import pytest

STUDIES = [
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


def add_studies(library, studies=STUDIES) -> list[int]:
    with library.command("Add test studies") as cmd:
        return [cmd.insert("studies", {"title": t, "abstract": a, "source": "csv"}) for t, a in studies]


@pytest.fixture
def screening_library(library):
    """(library, study ids) with six studies, no protocol, no decisions."""
    return library, add_studies(library)
