"""Screening: the review protocol, include/exclude decisions, ranking with active learning, stopping guidance,
and the simulation that measures it all against labelled datasets (``litreview screen simulate``)."""

from litreview.screening.decisions import DECISIONS, DecisionError, decide, decisions
from litreview.screening.protocol import get_protocol, set_protocol
from litreview.screening.ranking import Ranker, next_study
from litreview.screening.status import screening_status

__all__ = ["DECISIONS", "DecisionError", "Ranker", "decide", "decisions", "get_protocol", "next_study",
           "screening_status", "set_protocol"]
