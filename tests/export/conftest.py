"""Fixtures for the export tests: the small review of ``tests.helpers.review``, screened, with a hierarchy."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.helpers.hierarchies import make_hierarchy
from tests.helpers.review import review_hierarchy_spec, screen_review


@pytest.fixture
def screened_review(library, tmp_path):
    """The review, imported and screened; returns (library, {label: study id})."""
    return library, screen_review(library, tmp_path / "files")


@pytest.fixture
def review_hierarchy(screened_review):
    """The screened review with a two-aspect hierarchy of awkward names: returns (library, ids, names->ids)."""
    library, ids = screened_review
    return library, ids, make_hierarchy(library, review_hierarchy_spec(ids))


@pytest.fixture
def tmp_out(tmp_path: Path) -> Path:
    """An empty folder for the files an export writes (beside, not inside, the library's folder)."""
    out = tmp_path / "out"
    out.mkdir()
    return out
