"""Shared test setup. Qt runs offscreen (set before anything imports Qt); real data comes from ../shared/data
(``tests.helpers.paths``). Fixtures used by more than one area live here."""

from __future__ import annotations

import os
from pathlib import Path

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
# The app prefers the quality model once fetched; the tests are written for (and timed with) the small one.
os.environ.setdefault("LITREVIEW_DEFAULT_MODEL", "small")

import pytest

from litreview.store import Library
from tests.helpers.hierarchies import make_hierarchy
from tests.helpers.mixtures import read_mixture
from tests.helpers.studies import add_studies


@pytest.fixture
def library(tmp_path: Path):
    """A fresh library in a temporary folder: a real SQLite file in WAL mode."""
    lib = Library(tmp_path / "lib")
    yield lib
    lib.close()


@pytest.fixture(autouse=True)
def _isolated_user_dirs(tmp_path_factory, monkeypatch):
    """Never touch the developer's real library or settings; models stay shared so they are assembled once."""
    home = tmp_path_factory.getbasetemp() / "user"
    monkeypatch.setenv("LITREVIEW_LIBRARY", str(home / "library"))
    monkeypatch.setenv("LITREVIEW_CONFIG", str(home / "config"))


@pytest.fixture(scope="session")
def gemma_engine():
    """The small default model (gemma-3-270m) through the project's engine, real llama.cpp, loaded once per run.
    Tests that record runs attach their own library with ``record_to`` and detach it afterwards."""
    from litreview.llm import LlmSettings, open_engine

    engine = open_engine(LlmSettings(n_ctx=2048))
    yield engine
    engine.close()


@pytest.fixture
def mixed_rows() -> list[dict[str, str]]:
    """The studies of ../shared/data/hierarchy/dev_mixed.csv (title, abstract and the gold ``topic``)."""
    return read_mixture()


@pytest.fixture
def toy_hierarchy(library):
    """Six studies; aspect "Intervention" (Drugs > Triptans > Oral triptans, Drugs > Estrogens, Software) and
    aspect "Outcome" (Efficacy, Safety). Returns (library, ids by name, study ids)."""
    studies = add_studies(library, [
        {"title": f"Study {n}", "abstract": f"Abstract of study {n}.", "year": 2000 + n,
         "authors": [{"family": f"Author{n}", "given": "A."}, {"family": "Second", "given": "B."},
                     {"family": "Third", "given": "C."}], "doi": f"10.1000/s{n}"}
        for n in range(1, 7)
    ])
    s1, s2, s3, s4, s5, s6 = studies
    ids = make_hierarchy(library, {
        "Intervention": {
            "Drugs": {
                "Triptans": {"Oral triptans": {"_studies": [s1, s2]}, "_studies": [s3]},
                "Estrogens": {"_studies": [s4]},
            },
            "Software": {"_studies": [s5]},
        },
        "Outcome": {"Efficacy": {"_studies": [s1, s3, s5]}, "Safety": {"_studies": [s2]}},
    })
    return library, ids, studies
