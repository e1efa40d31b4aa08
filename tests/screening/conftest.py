"""Fixtures for screening tests: a library holding a handful of real-looking studies."""

from __future__ import annotations

import pytest

from tests.helpers.studies import add_screening_studies


@pytest.fixture
def screening_library(library):
    """(library, study ids) with the twelve ``SCREENING_STUDIES``, no protocol, no decisions."""
    return library, add_screening_studies(library)
