"""Shared test setup. Qt runs offscreen (set before anything imports Qt); real data comes from ../shared/data."""

from __future__ import annotations

import os
from pathlib import Path

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
# The app prefers the quality model once fetched; the tests are written for (and timed with) the small one.
os.environ.setdefault("LITREVIEW_DEFAULT_MODEL", "small")

import pytest

from litreview.store import Library

ROOT = Path(__file__).resolve().parent.parent
SHARED_DATA = Path(os.environ.get("LITREVIEW_SHARED_DATA", ROOT.parent / "shared" / "data"))


def need_shared(relative: str = "") -> Path:
    """The path under ../shared/data, or skip with a clear message (fail under CI=true: CI must see the data)."""
    path = SHARED_DATA / relative
    if not path.exists():
        message = f"shared evaluation data not found at {path} (expected ../shared/data beside the checkout)"
        if os.environ.get("CI") == "true":
            pytest.fail(message)
        pytest.skip(message)
    return path


@pytest.fixture
def shared_data() -> Path:
    return need_shared()


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
    from tests.hierarchy.conftest import read_mixture

    return read_mixture()


@pytest.fixture
def toy_hierarchy(library):
    """Six studies; aspect "Intervention" (Drugs > Triptans > Oral triptans, Drugs > Estrogens, Software) and
    aspect "Outcome" (Efficacy, Safety). Returns (library, ids by name, study ids)."""
    from tests.hierarchy.conftest import add_studies, make_hierarchy

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
