"""A record with no abstract shows how its PDF begins (from its first section, past the front matter), so a
researcher screens on the paper's own opening rather than on the title alone."""

from __future__ import annotations

from litreview.importing import import_paths
from litreview.store import Library, opening_text, study_detail
from tests.helpers.pdfs import paper
from tests.helpers.studies import add_studies

FRONT_MATTER = ("Ada Lovelace1 and Charles Babbage2 1 Department of Analytical Engines, University of London "
                "DOI: 10.0000/test.001 Software Review Repository Licence Authors retain copyright. ")
OPENING = ("Introduction We built an open source course that teaches numerical methods with Python notebooks "
           "to engineering students. ")


def test_a_pdf_without_an_abstract_opens_at_its_first_section(tmp_path):
    pdf = paper(tmp_path / "course.pdf", "Teaching numerical methods with notebooks",
                body=FRONT_MATTER + OPENING * 12)
    with Library(tmp_path / "lib") as library:
        import_paths(library, pdf)
        [study] = library.studies()
        detail = study_detail(library, study["id"])
        assert not detail["abstract"]
        assert detail["opening"].startswith("Introduction We built an open source course")
        assert len(detail["opening"]) <= 702 and detail["opening"].endswith("…")
        assert "University of London" not in detail["opening"]


def test_a_record_with_an_abstract_or_no_text_has_no_opening(tmp_path):
    with Library(tmp_path / "lib") as library:
        with_abstract, bare = add_studies(library, [{"title": "Green roofs", "abstract": "Roofs cool rooms."},
                                                    {"title": "A record without text"}])
        assert study_detail(library, with_abstract)["opening"] is None
        assert opening_text(library, bare, title="A record without text") is None
