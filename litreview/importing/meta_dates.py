"""The publication year printed on page 1, weighed by what the text around each year says.

Page 1 carries many years: citations in the text, submission and acceptance dates, a copyright line, the issue in
the running header. A year counts only where a cue says it dates this paper, or where it sits in a header, footer,
side bar or small type; citations in running text are ignored. The strongest cue is the paper's own citation form
("Clin Sci (2014) 126, 305", "Postgrad Med J 2010;86:12", "Smith et al., (2022)"), because the issue year is the
one bibliographies use while "Published online" and "©" often carry the year before (the "copyright 2009, issue
2010" trap); then "Published", "Accepted", volume/proceedings/DOI lines, "©", "Received". On a tie the later year
wins, for the same reason.
"""

from __future__ import annotations

import datetime
import re
from collections import defaultdict

from litreview.importing.meta_layout import Line

_YEAR = re.compile(r"(?<![\d./–-])(19[5-9]\d|20\d\d)(?![\d/]|\.\d)")
# Page ranges and article numbers look like years ("pages 2013-2020"): they are blanked before years are read.
_PAGE_RANGE = re.compile(r"\b(?:pages|pp?\.|article (?:id|no\.?|number))\s*[\d–—-]+", re.I)
# The paper's own citation: year next to volume/issue/pages, or after "et al." in a running header or footer.
_CITATION_FORMS = [
    r"{Y}\s*;\s*\d+",  # 2010;86:
    r"\({Y}\)\s*,?\s*(?:vol\.?\s*)?\d+",  # (2014) 126,  (2014), 26:1
    r"\d+\s*\({Y}\)",  # 48 (2015)
    r"{Y}\s*,\s*(?:vol\.?\s*)?\d+\s*[:(]",  # 2010, 4:1   2020, 12(3)
    r"et al\.?,?\s*\(?{Y}\)?",  # Webb et al. (2017)
    r"\bvol(?:ume)?\.?\s*\d+\b.*\b{Y}\b",  # VOL. 61, NO. 3, MARCH 2014
    r"\b{Y}\b.*\bvol(?:ume)?\.?\s*\d+",  # March 2019 | Volume 10
]
_CUES: list[tuple[re.Pattern[str], float]] = [
    (re.compile(r"\bpublished\b|available online|online publication|date of publication|issue date", re.I), 10.0),
    (re.compile(r"\baccepted\b", re.I), 7.0),
    (re.compile(r"\bvol(?:ume)?\b|\bpp\.|\bpages\b|proceedings|\bissue\b|journal|conference|symposium|workshop|"
                r"to appear|in press|\bdoi\b", re.I), 6.0),
    (re.compile(r"©|\(c\)|c⃝|copyright|licensee", re.I), 5.0),
    (re.compile(r"\breceived\b|\bsubmitted\b|\brevised\b", re.I), 3.0),
]
_HISTORY = re.compile(r"\b(received|accepted|submitted|revised|published)\b", re.I)
_CITATION = re.compile(r"et al\.?,?\s*\(?$|[A-Z][a-z]+,\s*$|\(\s*[A-Z][^()]*,\s*$|\[\s*$")


def publication_year(lines: list[Line], page_height: float, body: float) -> int | None:
    """The best-supported publication year on the page, or None when no year is dated by a cue or position."""
    latest = datetime.date.today().year + 1
    score: dict[int, float] = defaultdict(float)
    support: dict[int, int] = defaultdict(int)
    dated: list[int] = []
    for line in lines:
        if "19" not in line.text and "20" not in line.text:
            continue
        in_margin = line.y1 < 0.12 * page_height or line.y0 > 0.88 * page_height
        if not (in_margin or line.size < 0.95 * body or len(line.text) < 50):
            continue  # running text: its years are citations
        text = _PAGE_RANGE.sub(_blank, line.text)
        years = [(m, int(m.group(1))) for m in _YEAR.finditer(text)]
        years = [(m, y) for m, y in years if y <= latest]
        if not years:
            continue
        cue = max((weight for pattern, weight in _CUES if pattern.search(text)), default=0.0)
        if _HISTORY.search(text):
            dated.extend(y for _, y in years)
        if cue == 0.0:
            cue = 2.0 if in_margin else 1.0
        for match, year in years:
            if not in_margin and cue <= 1.0 and _CITATION.search(text[: match.start()]):
                continue
            if (in_margin or line.size < 0.95 * body) and _is_own_citation(text, match.group(1)):
                weight = 12.0
            else:
                weight = cue
            score[year] = max(score[year], weight)
            support[year] += 1
    # nothing is published before it was received, accepted or first published online: older years are citations
    floor = max(dated, default=0)
    score = {year: value for year, value in score.items() if year >= floor}
    if not score:
        return None
    return max(score, key=lambda y: (score[y] + 0.25 * min(support[y] - 1, 4), y))


def _blank(match: re.Match[str]) -> str:
    return " " * len(match.group(0))


def _is_own_citation(text: str, year: str) -> bool:
    return any(re.search(form.format(Y=year), text, re.I) for form in _CITATION_FORMS)


_ARXIV_STAMP = re.compile(r"arXiv:\S+\s+\[[^\]]+\]\s+\d{1,2}\s+[A-Z][a-z]{2}\w*\s+((?:19|20)\d\d)")
_ARXIV_ID = re.compile(r"arXiv:(\d{2})(\d{2})\.\d{4,5}|\b[a-z-]+(?:\.[A-Z]{2})?/(\d{2})(\d{2})\d{3}\b")


def preprint_year(texts: list[str]) -> int | None:
    """The year of an arXiv preprint's stamp ("arXiv:1706.03762v5 [cs.CL] 6 Dec 2017", printed sideways in the
    margin), or of its identifier (YYMM.NNNNN, or archive/YYMMNNN before 2007): the only date many preprints
    print."""
    for text in texts:
        if m := _ARXIV_STAMP.search(text):
            return int(m.group(1))
    for text in texts:
        if m := _ARXIV_ID.search(text):
            if m.group(1) and 1 <= int(m.group(2)) <= 12:
                return 2000 + int(m.group(1))  # 1706.03762 (since 2007)
            if m.group(3) and 1 <= int(m.group(4)) <= 12:
                year = int(m.group(3))  # hep-ph/9412269 (1991-2007)
                return 1900 + year if year >= 91 else 2000 + year
    return None
