"""Claims: atomic finding statements per study, each grounded by a verbatim quote located in the stored text.

    from litreview.claims import extract_claims, locate_quote
    summary = extract_claims(library, engine)            # one undoable command per study
    locate_quote("the eﬀect was signiﬁcant", [(None, abstract), (3, page_text)])  # -> (page_no, start, end) | None
"""

from litreview.claims.extract import extract_claims
from litreview.claims.grounding import locate_quote

__all__ = ["extract_claims", "locate_quote"]
