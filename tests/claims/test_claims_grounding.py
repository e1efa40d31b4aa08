"""Locating evidence quotes in stored text: offsets always point into the ORIGINAL text."""

from __future__ import annotations

from litreview.claims.grounding import fold, locate_quote
from litreview.claims.sentences import finding_sections, score_sentences, split_sentences


def _span(text: str, location) -> str:
    page_no, start, end = location
    return text[start:end]


def test_ligatures_and_case():
    text = "Overall, the eﬀect of the inter­vention was signiﬁcant (P < 0.01)."
    location = locate_quote("The effect of the intervention was SIGNIFICANT", [(None, text)])
    assert location is not None
    assert _span(text, location) == "the eﬀect of the inter­vention was signiﬁcant"


def test_hyphenation_at_line_ends_and_whitespace():
    page = "Results\nPain relief at 2 h was re-\nported by 60% of pa-\n  tients, a placebo-\ncontrolled   finding.\n"
    location = locate_quote("Pain relief at 2 h was reported by 60% of patients, a placebo-controlled finding.",
                            [(None, "unrelated abstract"), (4, page)])
    assert location is not None and location[0] == 4
    assert _span(page, location).startswith("Pain relief") and _span(page, location).endswith("finding")


def test_quotes_dashes_and_trailing_punctuation():
    text = "Patients said the drug was “very helpful” — a 10–20% gain."
    location = locate_quote('"the drug was "very helpful" - a 10-20% gain', [(None, text)])
    assert _span(text, location) == "the drug was “very helpful” — a 10–20% gain"


def test_ellipsis_matches_parts_in_order():
    text = "Triptans reduced pain at two hours compared with placebo in all three trials."
    location = locate_quote("Triptans reduced pain ... in all three trials", [(None, text)])
    assert _span(text, location) == text[:-1]
    assert locate_quote("in all three trials ... Triptans reduced pain", [(None, text)]) is None


def test_absent_or_too_short_quotes_are_not_grounded():
    text = "The drug reduced pain."
    assert locate_quote("The drug increased pain", [(None, text)]) is None
    assert locate_quote("drug", [(None, text)]) is None
    assert locate_quote("", [(None, text)]) is None


def test_fold_maps_every_character_back():
    folded, origin = fold("A  ﬁ-\nne")
    assert folded == "afine"
    assert origin == [0, 3, 3, 6, 7]


def test_structured_abstract_labels_become_sections():
    abstract = ("BACKGROUND: Costs rise. OBJECTIVE To evaluate displays of cost. KEY RESULTS Ordering fell "
                "significantly (P < 0.01). CONCLUSIONS Displays reduce ordering.")
    sentences = score_sentences(split_sentences(abstract))
    assert [s.section for s in sentences] == ["background", "objective", "results", "conclusions"]
    assert sentences[2].text == "Ordering fell significantly (P < 0.01)."
    assert abstract[sentences[2].start:sentences[2].end] == sentences[2].text
    assert max(sentences, key=lambda s: s.score).section in ("results", "conclusions")


def test_abbreviations_do_not_end_sentences():
    sentences = split_sentences("Smith et al. found a benefit, e.g. less pain. Harms were rare.")
    assert [s.text for s in sentences] == ["Smith et al. found a benefit, e.g. less pain.", "Harms were rare."]


def test_results_and_conclusions_sections_of_a_full_text():
    pages = [(1, "Introduction\nMigraine is common.\n2. Methods\nWe ran a trial.\n3. Results\nPain fell by 50% "
                 "in the treated group. Table 2"),
             (2, "Relief was significantly longer with the drug.\nAuthors\u2019 contributions\nAB wrote it, "
                 "significantly.\nReferences\n1. Someone. A paper that found 30% lower pain.")]
    found = finding_sections(pages)
    assert [(s.page_no, s.text, s.section) for s in found] == [
        (1, "Pain fell by 50% in the treated group.", "results"),
        (2, "Relief was significantly longer with the drug.", "results")]
    assert pages[0][1][found[0].start:found[0].end] == "Pain fell by 50% in the treated group."
