"""The PDF metadata heuristics on real papers (../shared/data/pdfs) and their pure helpers.

Accuracy figures over the whole set live in bench/metadata_eval.py; these tests pin representative files: every
varied/ layout, JOSE papers that each exercise one trap (names wrapped across rows, a 162-author list that runs
onto page 2, a DOI wrapped in the footer, a two-line title whose lines overlap), and the edge files the extractor
itself must survive. Publisher layouts that the data set lacks (BMJ, Elsevier, Cambridge, IEEE, Frontiers, Taylor &
Francis, a conference grid, an arXiv preprint) are rendered to real PDFs in tmp_path, to check that the rules carry
over rather than fit the data set.
"""

from __future__ import annotations

import html
import json
import re
import unicodedata
from pathlib import Path

import pymupdf
import pytest

from litreview.importing.meta_dates import preprint_year
from litreview.importing.meta_doi import clean_doi, find_dois
from litreview.importing.meta_names import parse_name, proper_case
from litreview.importing.pdf_metadata import PdfMetadataError, extract_metadata, read_pdf_metadata
from tests.helpers.paths import need_shared

VARIED = [
    "varied/acl_2020_s2orc.pdf",
    "varied/bmc_jtmo_2010_datta.pdf",
    "varied/clinsci_2014_douglas.pdf",
    "varied/hindawi_rrp_2010_tully.pdf",
    "varied/osdi_2006_bigtable.pdf",
    "varied/peerjcs_2017_webb.pdf",
]
JOSE = [
    "jose/jose.00013.pdf",  # Crossref splits the name "Patrick / D Schloss"
    "jose/jose.00027.pdf",  # "J Gregory" / "Caporaso" wrapped across rows
    "jose/jose.00037.pdf",  # footer DOI wrapped after "jose."
    "jose/jose.00090.pdf",  # newer template: title lines overlap, lone "Trisovic" on the last row
    "jose/jose.00118.pdf",  # 162 authors, continued on page 2
    "jose/jose.00138.pdf",  # "Vy Kim" / "Nguyen1" wrapped inside a name
    "jose/jose.00140.pdf",  # published two years after submission
]


def _norm(text: str | None) -> str:
    text = text or ""
    while (unescaped := html.unescape(text)) != text:  # Crossref holds doubly escaped entities
        text = unescaped
    text = "".join(c for c in unicodedata.normalize("NFKD", text) if not unicodedata.combining(c))
    return re.sub(r"[^0-9a-z]", "", text.lower())


def _same_person(got: dict, want: dict) -> bool:
    """GROBID-soft: same first initial and same family name (or the same full name split differently)."""
    initial = lambda a: (_norm(a["given"]) or _norm(a["family"]))[:1]  # noqa: E731
    if initial(got) != initial(want):
        return False
    return _norm(got["family"]) == _norm(want["family"]) or _norm(got["given"] + got["family"]) == _norm(
        want["given"] + want["family"])


@pytest.fixture(scope="module")
def truth() -> dict[str, dict]:
    path = need_shared("pdfs/ground_truth.jsonl")
    records = [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]
    return {r["file"]: r for r in records}


def _extract(relative: str) -> dict:
    with pymupdf.open(need_shared(f"pdfs/{relative}")) as doc:
        return extract_metadata(doc)


@pytest.mark.parametrize("relative", VARIED + JOSE)
def test_printed_metadata_matches_ground_truth(relative: str, truth: dict[str, dict]) -> None:
    want = truth[relative]
    got = _extract(relative)
    assert _norm(got["title"]) == _norm(want["title"])
    assert got["year"] == want["year"]
    assert len(got["authors"]) == len(want["authors"])
    for got_author, want_author in zip(got["authors"], want["authors"]):
        assert _same_person(got_author, want_author), (got_author, want_author)
    if want["abstract_prefix"]:
        assert _norm(got["abstract"]).startswith(_norm(want["abstract_prefix"]))
    with pymupdf.open(need_shared(f"pdfs/{relative}")) as doc:
        printed = "".join(page.get_text() for page in doc).replace("\n", "").lower()
    if want["doi"] and want["doi"].lower() in printed:
        assert (got["doi"] or "").lower() == want["doi"].lower()
    else:
        assert got["doi"] is None, "a DOI the PDF does not print must not be invented"
    assert got["pages"] >= 1


def test_surnames_in_capitals_come_back_in_proper_case() -> None:
    got = _extract("varied/clinsci_2014_douglas.pdf")
    assert got["authors"][0] == {"given": "Ross G.", "family": "Douglas"}
    assert got["authors"][5] == {"given": "K. Ravi", "family": "Acharya"}


def test_no_doi_is_invented_where_none_is_printed() -> None:
    for relative in ("varied/bmc_jtmo_2010_datta.pdf", "varied/osdi_2006_bigtable.pdf",
                     "varied/acl_2020_s2orc.pdf"):
        assert _extract(relative)["doi"] is None, relative


def test_the_first_of_two_concatenated_papers_is_described() -> None:
    got = _extract("edge/concatenated_two_papers.pdf")
    assert got["title"] == "The Riffomonas Reproducible Research Tutorial Series"
    assert got["doi"] == "10.21105/jose.00013"


def test_owner_password_only_pdf_is_read_without_a_password() -> None:
    got = read_pdf_metadata(need_shared("pdfs/edge/encrypted_ownerpw_only.pdf"))
    assert got["doi"] == "10.21105/jose.00013"


def test_broken_dvi_preprint_does_not_crash() -> None:
    got = read_pdf_metadata(need_shared("pdfs/edge/real_dvi_broken_spacing.pdf"))
    assert got["pages"] == 18
    assert got["doi"] is None
    assert got["year"] == 1994  # only the sideways "hep-ph/9412269" stamp dates it


@pytest.mark.parametrize("name, reason", [
    ("zero_bytes.pdf", "empty"),
    ("not_a_pdf.pdf", "not a PDF"),
    ("truncated_40pct.pdf", "damaged"),
    ("encrypted_userpw.pdf", "password"),
])
def test_unusable_files_raise_a_clear_error(name: str, reason: str) -> None:
    with pytest.raises(PdfMetadataError, match=reason):
        read_pdf_metadata(need_shared(f"pdfs/edge/{name}"))


# --- layouts that are not in the data set, rendered to real PDFs here ---------------------------------------------
# Each page is written with PyMuPDF in the shape of a publisher's template; superscript markers are set smaller and
# raised as real typesetting does. They check that the rules carry over, not one layout's quirks.

def _write(page: pymupdf.Page, x: float, y: float, parts: list[tuple[str, str]], size: float, bold: bool = False
           ) -> None:
    """Text with superscript markers: ``parts`` is [(text, marker)], the marker set at 60 % size, raised."""
    font = "hebo" if bold else "helv"
    for text, marker in parts:
        page.insert_text((x, y), text, fontsize=size, fontname=font)
        x += pymupdf.get_text_length(text, fontname=font, fontsize=size)
        if marker:
            page.insert_text((x, y - 0.35 * size), marker, fontsize=0.6 * size, fontname=font)
            x += pymupdf.get_text_length(marker, fontname=font, fontsize=0.6 * size)


def _body(page: pymupdf.Page, x: float, y: float, lines: int, size: float = 10) -> None:
    for i in range(lines):
        page.insert_text((x, y + 1.3 * size * i), "Running text of the paper cites Smith et al. (2001) and [4]. " * 2,
                         fontsize=size)


def _small_caps(page: pymupdf.Page, x: float, y: float, names: list[tuple[str, str]], size: float) -> None:
    """Names in faked small capitals ("N" + smaller "ICOLA"), each with a raised marker, joined by ", " / " and "."""
    for index, (name, marker) in enumerate(names):
        for position, word in enumerate(name.split()):
            if position:
                x += pymupdf.get_text_length(" ", fontsize=size)
            page.insert_text((x, y), word[0], fontsize=size)
            x += pymupdf.get_text_length(word[0], fontsize=size)
            page.insert_text((x, y), word[1:].upper(), fontsize=0.75 * size)
            x += pymupdf.get_text_length(word[1:].upper(), fontsize=0.75 * size)
        page.insert_text((x, y - 0.35 * size), marker, fontsize=0.55 * size)
        x += pymupdf.get_text_length(marker, fontsize=0.55 * size)
        separator = ", " if index < len(names) - 2 else " and " if index == len(names) - 2 else ""
        page.insert_text((x, y), separator, fontsize=size)
        x += pymupdf.get_text_length(separator, fontsize=size)


def _cambridge_like(page: pymupdf.Page) -> None:
    """Authors in small capitals; issue year (2014) in the header beside a copyright year (2013)."""
    page.insert_text((50, 40), "International Psychogeriatrics (2014), 26:1, 5-17 © International Psychogeriatric "
                     "Association 2013", fontsize=7)
    page.insert_text((50, 50), "doi:10.1017/S1041610213001609", fontsize=7)
    page.insert_text((50, 110), "Depression in older adults with hearing loss:", fontsize=16)
    page.insert_text((50, 130), "a systematic review", fontsize=16)
    _small_caps(page, 50, 160, [("Nicola T. Lautenschlager", "1,2"), ("Kay L. Cox", "3"), ("Lee Wu", "1")], 11)
    page.insert_text((50, 175), "1 Academic Unit for Psychiatry of Old Age, University of Melbourne, Australia",
                     fontsize=8)
    page.insert_text((50, 200), "ABSTRACT", fontsize=10, fontname="hebo")
    page.insert_text((50, 214), "Background: Hearing loss is common in later life and may lead to depression.",
                     fontsize=9)
    page.insert_text((50, 225), "Methods: we searched databases and pooled studies of older adults.", fontsize=9)
    page.insert_text((50, 290), "Key words: hearing loss, depression", fontsize=9)
    page.insert_text((50, 320), "Introduction", fontsize=11, fontname="hebo")
    _body(page, 50, 340, 25)
    page.insert_text((50, 800), "(First published online 20 September 2013)", fontsize=7)


def _bmj_like(page: pymupdf.Page) -> None:
    """Issue year in the running header, copyright and online dates a year earlier, surnames in capitals."""
    page.insert_text((50, 40), "Postgrad Med J 2010;86:123-130. doi:10.1136/pgmj.2009.012345.", fontsize=7)
    page.insert_text((50, 120), "Original article", fontsize=18)
    page.insert_text((50, 150), "Walking speed and falls in older adults:", fontsize=18, fontname="hebo")
    page.insert_text((50, 172), "a cohort study", fontsize=18, fontname="hebo")
    _write(page, 50, 200, [("Anna M. SMITH", "1"), (", Jan van der BERG", "2"), (" and Li WEI", "1,2")], 11)
    page.insert_text((50, 215), "1 Department of Geriatrics, University of Somewhere, UK", fontsize=8)
    page.insert_text((50, 240), "ABSTRACT", fontsize=11, fontname="hebo")
    page.insert_text((50, 255), "Background Falls are common in older adults; walking speed predicts them.",
                     fontsize=9)
    page.insert_text((50, 266), "We followed 1200 people for five years (Jones et al., 2004).", fontsize=9)
    page.insert_text((50, 300), "INTRODUCTION", fontsize=11, fontname="hebo")
    _body(page, 50, 320, 25)
    page.insert_text((50, 800), "Received 2 June 2009. Accepted 11 November 2009. Published Online First 2009. "
                     "© 2009 BMJ Publishing Group.", fontsize=7)


def _elsevier_like(page: pymupdf.Page) -> None:
    """A journal masthead set larger than the title; spaced-out "A B S T R A C T" heading; DOI link in the footer."""
    page.insert_text((200, 30), "Computers in Human Behavior 48 (2015) 123-130", fontsize=8)
    page.insert_text((200, 50), "Contents lists available at ScienceDirect", fontsize=8)
    page.insert_text((170, 80), "Computers in Human Behavior", fontsize=16)
    page.insert_text((200, 100), "journal homepage: www.elsevier.com/locate/comphumbeh", fontsize=8)
    page.insert_text((40, 150), "Social media use and sleep quality in adolescents:", fontsize=15)
    page.insert_text((40, 170), "a longitudinal study", fontsize=15)
    _write(page, 40, 195, [("Maria Rossi", "a,*"), (", Peter J. Hall", "b"), (", Anna-Lena Wagner", "a")], 11)
    page.insert_text((40, 210), "a Department of Psychology, University of Padua, Italy", fontsize=7)
    page.insert_text((40, 250), "A R T I C L E   I N F O", fontsize=8)
    page.insert_text((40, 265), "Received 3 March 2014", fontsize=7)
    page.insert_text((40, 275), "Available online 12 February 2015", fontsize=7)
    page.insert_text((220, 250), "A B S T R A C T", fontsize=8)
    for i in range(8):
        page.insert_text((220, 265 + 10 * i), "Adolescents who use social media late at night sleep worse.", fontsize=8)
    page.insert_text((40, 380), "1. Introduction", fontsize=10)
    _body(page, 40, 400, 25, size=9)
    page.insert_text((40, 790), "http://dx.doi.org/10.1016/j.chb.2015.01.012", fontsize=7)
    page.insert_text((40, 800), "0747-5632/© 2015 Elsevier Ltd. All rights reserved.", fontsize=7)


def _conference_grid(page: pymupdf.Page) -> None:
    """Names in a grid, each over its affiliation, two rows of names; the only DOI printed is the code's."""
    page.insert_text((150, 90), "Sparse Attention for Long Documents", fontsize=17, fontname="hebo")
    for y, people in ((130, [(90, "Alice Chen", "Stanford University"), (260, "Bob Okafor", "MIT"),
                             (420, "Carla Ruiz", "Google Research")]),
                      (180, [(170, "Dmitri Volkov", "ETH Zurich"), (340, "Eun-ji Park", "KAIST")])):
        for x, name, affiliation in people:
            page.insert_text((x, y), name, fontsize=11, fontname="hebo")
            page.insert_text((x, y + 14), affiliation, fontsize=10)
    page.insert_text((280, 230), "Abstract", fontsize=12, fontname="hebo")
    for i in range(6):
        page.insert_text((90, 250 + 12 * i), "We study sparse attention over long documents (Beltagy et al., 2020).",
                         fontsize=10)
    page.insert_text((72, 370), "1  Introduction", fontsize=12, fontname="hebo")
    _body(page, 72, 390, 25)
    page.insert_text((72, 750), "Code and data are available at https://doi.org/10.5281/zenodo.7654321.", fontsize=8)
    page.insert_text((72, 760), "36th Conference on Neural Information Processing Systems (NeurIPS 2022).", fontsize=8)


def _frontiers_like(page: pymupdf.Page) -> None:
    """No abstract heading: the abstract is the paragraph between the affiliations and the Introduction."""
    page.insert_text((40, 60), "ORIGINAL RESEARCH", fontsize=8, fontname="hebo")
    page.insert_text((40, 72), "published: 12 March 2019", fontsize=8)
    page.insert_text((40, 84), "doi: 10.3389/fpsyg.2019.00456", fontsize=8)
    page.insert_text((200, 120), "Music Training and Working Memory", fontsize=20, fontname="hebo")
    page.insert_text((200, 142), "in Children: A Randomised Trial", fontsize=20, fontname="hebo")
    _write(page, 200, 170, [("Sara Lindqvist", "1*"), (", Tomas Garcia", "2"), (" and Ingrid Holm", "1")], 11, True)
    page.insert_text((200, 186), "1 Department of Psychology, Lund University, Lund, Sweden", fontsize=8)
    for i in range(8):
        page.insert_text((200, 230 + 12 * i), "Music training has been linked to working memory in children.",
                         fontsize=10)
    page.insert_text((200, 400), "INTRODUCTION", fontsize=11, fontname="hebo")
    _body(page, 200, 420, 25)
    page.insert_text((40, 330), "Received: 02 October 2018", fontsize=8)
    page.insert_text((40, 340), "Accepted: 20 February 2019", fontsize=8)
    page.insert_text((40, 810), "Frontiers in Psychology | www.frontiersin.org  1  March 2019 | Volume 10 | "
                     "Article 456", fontsize=7)


def _ieee_like(page: pymupdf.Page) -> None:
    """Membership grades after names; the issue (2014) dated after acceptance (2013); DOI without "doi:"."""
    page.insert_text((40, 40), "IEEE TRANSACTIONS ON BIOMEDICAL ENGINEERING, VOL. 61, NO. 3, MARCH 2014", fontsize=7)
    page.insert_text((60, 90), "Robust Heart Rate Estimation From Wrist", fontsize=22)
    page.insert_text((60, 116), "Photoplethysmography", fontsize=22)
    page.insert_text((60, 145), "Zhilin Zhang, Member, IEEE, Zhouyue Pi, Senior Member, IEEE, and Benyuan Liu",
                     fontsize=10)
    page.insert_text((40, 180), "Abstract: Heart rate monitoring using wrist-type signals is hard during exercise.",
                     fontsize=9, fontname="hebo")
    page.insert_text((40, 270), "Index Terms: Photoplethysmography, heart rate.", fontsize=9, fontname="hebo")
    page.insert_text((40, 300), "I. INTRODUCTION", fontsize=10)
    _body(page, 40, 320, 30)
    page.insert_text((40, 740), "Manuscript received July 12, 2013; accepted October 3, 2013.", fontsize=7)
    page.insert_text((40, 750), "Digital Object Identifier 10.1109/TBME.2013.2286401", fontsize=7)


def _arxiv_like(page: pymupdf.Page) -> None:
    """A preprint dated only by the arXiv stamp printed sideways in the left margin."""
    page.insert_text((150, 90), "Attention Is All You Need", fontsize=17, fontname="hebo")
    page.insert_text((150, 130), "Ashish Vaswani, Noam Shazeer, Niki Parmar", fontsize=11, fontname="hebo")
    page.insert_text((150, 160), "Abstract", fontsize=12, fontname="hebo")
    for i in range(8):
        page.insert_text((100, 180 + 12 * i), "The dominant sequence models use recurrence (Sutskever et al., 2014).",
                         fontsize=10)
    _body(page, 100, 320, 25)
    page.insert_text((30, 600), "arXiv:1706.03762v5  [cs.CL]  6 Dec 2017", fontsize=20, rotate=90)


def _taylor_francis_like(page: pymupdf.Page) -> None:
    """A title ending in a colon with its subtitle in smaller type; "ABSTRACT" as a side heading left of the text."""
    page.insert_text((50, 40), "JOURNAL OF APPLIED STATISTICS 2021, VOL. 48, NO. 3, 412-430", fontsize=7)
    page.insert_text((50, 52), "https://doi.org/10.1080/02664763.2020.1845621", fontsize=7)
    page.insert_text((50, 100), "Reading the Room:", fontsize=20, fontname="hebo")
    page.insert_text((50, 122), "Classroom Acoustics and Attention in Primary Schools", fontsize=15, fontname="hebo")
    _write(page, 50, 150, [("Jane Doe", "a"), (" and John Roe", "b")], 11)
    page.insert_text((50, 165), "a School of Education, University of Leeds, UK", fontsize=8)
    page.insert_text((50, 200), "ABSTRACT", fontsize=9, fontname="hebo")
    for i in range(5):
        page.insert_text((150, 200 + 11 * i), "Noise in classrooms lowers attention; we measured it in 40 schools.",
                         fontsize=9)
    page.insert_text((50, 280), "KEYWORDS", fontsize=9, fontname="hebo")
    page.insert_text((150, 280), "acoustics; attention", fontsize=9)
    page.insert_text((50, 300), "ARTICLE HISTORY Received 12 May 2020; Accepted 3 November 2020", fontsize=7)
    _body(page, 50, 330, 25)


GENERATED = {
    "taylor-francis": (_taylor_francis_like,
                       "Reading the Room: Classroom Acoustics and Attention in Primary Schools",
                       [("Jane", "Doe"), ("John", "Roe")], 2021, "10.1080/02664763.2020.1845621",
                       "Noise in classrooms lowers attention"),
    "arxiv": (_arxiv_like, "Attention Is All You Need",
              [("Ashish", "Vaswani"), ("Noam", "Shazeer"), ("Niki", "Parmar")], 2017, None, "The dominant sequence"),
    "bmj": (_bmj_like, "Walking speed and falls in older adults: a cohort study",
            [("Anna M.", "Smith"), ("Jan", "van der Berg"), ("Li", "Wei")], 2010, "10.1136/pgmj.2009.012345",
            "Background Falls are common"),
    "cambridge": (_cambridge_like, "Depression in older adults with hearing loss: a systematic review",
                  [("Nicola T.", "Lautenschlager"), ("Kay L.", "Cox"), ("Lee", "Wu")], 2014,
                  "10.1017/S1041610213001609", "Background: Hearing loss is common"),
    "elsevier": (_elsevier_like, "Social media use and sleep quality in adolescents: a longitudinal study",
                 [("Maria", "Rossi"), ("Peter J.", "Hall"), ("Anna-Lena", "Wagner")], 2015,
                 "10.1016/j.chb.2015.01.012", "Adolescents who use social media"),
    "grid": (_conference_grid, "Sparse Attention for Long Documents",
             [("Alice", "Chen"), ("Bob", "Okafor"), ("Carla", "Ruiz"), ("Dmitri", "Volkov"), ("Eun-ji", "Park")],
             2022, None, "We study sparse attention"),
    "frontiers": (_frontiers_like, "Music Training and Working Memory in Children: A Randomised Trial",
                  [("Sara", "Lindqvist"), ("Tomas", "Garcia"), ("Ingrid", "Holm")], 2019,
                  "10.3389/fpsyg.2019.00456", "Music training has been linked"),
    "ieee": (_ieee_like, "Robust Heart Rate Estimation From Wrist Photoplethysmography",
             [("Zhilin", "Zhang"), ("Zhouyue", "Pi"), ("Benyuan", "Liu")], 2014, "10.1109/TBME.2013.2286401",
             "Heart rate monitoring"),
}


@pytest.mark.parametrize("layout", sorted(GENERATED))
def test_rules_carry_over_to_other_publisher_layouts(layout: str, tmp_path: Path) -> None:
    draw, title, authors, year, doi, abstract = GENERATED[layout]
    doc = pymupdf.open()
    draw(doc.new_page(width=595, height=842))
    path = tmp_path / f"{layout}.pdf"
    doc.save(path)
    got = read_pdf_metadata(path)
    assert got["title"] == title
    assert [(a["given"], a["family"]) for a in got["authors"]] == authors
    assert got["year"] == year
    assert got["doi"] == doi
    assert (got["abstract"] or "").startswith(abstract)


def test_a_shared_textpage_gives_the_same_result() -> None:
    """The import pipeline extracts page 1 once and hands the TextPage over."""
    from litreview.importing.meta_layout import TEXT_FLAGS

    with pymupdf.open(need_shared("pdfs/varied/peerjcs_2017_webb.pdf")) as doc:
        page = doc[0]
        textpage = page.get_textpage(flags=TEXT_FLAGS)
        assert page.get_text(textpage=textpage)
        assert extract_metadata(doc, textpage=textpage) == extract_metadata(doc)


@pytest.mark.parametrize("printed, doi", [
    ("10.1042/CS20130403.", "10.1042/CS20130403"),
    ("10.1155/2010/157939,", "10.1155/2010/157939"),
    ("https://doi.org/10.21105/jose.00013", "10.21105/jose.00013"),
    ("doi:10.7717/peerj-cs.118;", "10.7717/peerj-cs.118"),
    ("10.1000/xyz123)", "10.1000/xyz123"),
    ("10.1002/(SICI)1097-4636(199706)35:4", "10.1002/(SICI)1097-4636(199706)35:4"),
    ("10.1000/abc”.", "10.1000/abc"),
    ("10.12/x", None),
])
def test_doi_cleanup_strips_trailing_punctuation_and_unbalanced_brackets(printed: str, doi: str | None) -> None:
    assert clean_doi(printed) == doi


def test_find_dois_tells_labelled_from_bare() -> None:
    found = find_dois("see 10.5281/zenodo.1234 and doi: 10.1136/bmj.c332. Also https://doi.org/10.1/abcd")
    assert found == [
        ("10.5281/zenodo.1234", False), ("10.1136/bmj.c332", True),
    ]


@pytest.mark.parametrize("printed, given, family", [
    ("Ross G. DOUGLAS", "Ross G.", "Douglas"),
    ("Mary J. O'CONNELL", "Mary J.", "O'Connell"),
    ("Hannah M. MCGEE", "Hannah M.", "McGee"),
    ("Tara van Viegen", "Tara", "van Viegen"),
    ("Eric EJ DeWitt", "Eric EJ", "DeWitt"),
    ("RAY LC", "Ray", "Lc"),
    ("John Smith Jr.", "John", "Smith"),
])
def test_names_split_into_given_and_family(printed: str, given: str, family: str) -> None:
    assert parse_name(printed) == {"given": given, "family": family}


@pytest.mark.parametrize("stamp, year", [
    ("arXiv:1706.03762v5  [cs.CL]  6 Dec 2017", 2017),
    ("arXiv:2101.00001", 2021),
    ("hep-ph/9412269   09 Dec 94", 1994),
    ("Received 2019", None),
])
def test_preprints_are_dated_by_their_arxiv_stamp(stamp: str, year: int | None) -> None:
    assert preprint_year([stamp]) == year


def test_proper_case_keeps_hyphens_and_apostrophes() -> None:
    assert proper_case("JEAN-LUC") == "Jean-Luc"
    assert proper_case("O’CONNELL") == "O’Connell"
