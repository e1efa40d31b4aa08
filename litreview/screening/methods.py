"""A methods paragraph for the review's write-up: how screening was done and why it stopped where it did.

Reporting guidance (PRISMA 2020 item 8) asks how many reviewers screened, whether automation tools were used and
how. The paragraph states the tool and its version, the ranking, the stopping rule with its target and
confidence, the records screened, when and on what evidence screening stopped (or that it has not), and the
full-text counts with the reasons for exclusion. It is built only from what the library recorded, so it can be
shown and exported at any time.
"""

from __future__ import annotations

import litreview
from litreview.screening.decisions import FULL_TEXT, TITLE_ABSTRACT
from litreview.screening.ranking import RANKER
from litreview.screening.settings import percent, stopping_settings
from litreview.screening.status import full_text_status, last_stop
from litreview.store import Library

CITATION = "Callaghan MW, Müller-Hansen F. Statistical stopping criteria for automated screening in systematic " \
           "reviews. Systematic Reviews 2020;9:273"


def methods_paragraph(library: Library) -> str:
    total = library.study_count()
    screened = library.conn.execute("SELECT count(*) FROM decisions WHERE stage = 'title_abstract'").fetchone()[0]
    target, confidence = stopping_settings(library)
    parts = [f"Titles and abstracts were screened in litreview {litreview.__version__}, which ordered the records "
             f"by {RANKER}."]
    stop = last_stop(library, TITLE_ABSTRACT)
    if stop is not None:  # the settings the stop was tested at, even if they were changed afterwards
        target, confidence = stop["target"], stop["confidence"]
    rule = (f"The stopping rule was the statistical stopping criterion of Callaghan and Müller-Hansen (2020), which "
            f"tests the hypothesis that recall is below a target ({percent(target)}) at a chosen confidence "
            f"({percent(confidence)}) with the hypergeometric distribution")
    if stop is None:
        parts.append(f"{rule}. Screening is in progress: {screened} of {_count(total, 'record')} "
                     f"{'has' if screened == 1 else 'have'} been screened.")
    else:
        evidence = stop["evidence"]
        when = (stop["created"] or "")[:10]
        p_value = evidence.get("p_value")
        since = evidence.get("records_since_last_include")
        sample = ("a random sample of the records left" if evidence.get("stop_allowed_by") == "random_sample"
                  or evidence.get("rule") == "random_sample" else "the most recently screened records as a sample "
                  "of those left")
        parts.append(f"{rule}, using {sample}.")
        outcome = (f"Screening stopped on {when} after {stop['screened']} of {_count(stop['total'], 'record')} "
                   f"({100 * stop['screened'] / max(stop['total'], 1):.0f} %), {since} of them since the last "
                   f"inclusion")
        if stop["chosen_by"] == "rule":
            parts.append(f"{outcome}, when the criterion rejected the hypothesis that recall was below {percent(target)} "
                         f"(p = {p_value:.3g}).")
        else:
            parts.append(f"{outcome}, by the reviewers' decision before the criterion was met (p = {p_value:.3g} at "
                         f"the time; {percent(confidence)} confidence needs p < {1 - confidence:.3g}).")
        left = total - screened
        if left:
            parts.append(f"The {_count(left, 'record')} not screened {'was' if left == 1 else 'were'} excluded by "
                         "automation.")
    parts.append(_full_text(library))
    return " ".join(p for p in parts if p) + f"\n\nReference: {CITATION}."


def _full_text(library: Library) -> str:
    status = full_text_status(library)
    if not status["total"]:
        return ""
    text = (f"Of {_count(status['sought'], 'report')} sought for retrieval, {status['not_retrieved']} could not be "
            f"retrieved and {status['assessed']} {'was' if status['assessed'] == 1 else 'were'} assessed in full text")
    if status["unscreened"]:
        text += f" ({status['unscreened']} still to assess)"
    reasons = status["exclusion_reasons"]
    if reasons:
        listed = "; ".join(f"{reason}: {count}" for reason, count in sorted(reasons.items(), key=lambda r: -r[1]))
        text += f"; {status['excluded']} {'was' if status['excluded'] == 1 else 'were'} excluded ({listed})"
    stop = last_stop(library, FULL_TEXT)
    if stop is not None and stop["chosen_by"] == "user" and status["unscreened"]:
        text += ", and full-text assessment was stopped by the reviewers' decision"
    return text + f", leaving {_count(status['included'], 'study', 'studies')} included."


def _count(n: int, one: str, many: str | None = None) -> str:
    return f"{n} {one if n == 1 else many or one + 's'}"
