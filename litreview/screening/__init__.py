"""Screening: the review protocol, decisions at two stages with reasons, ranking with active learning, a stopping
rule with a bounded failure rate (``stop_rule``), recorded stops, the decision history, a methods paragraph, and
the simulation that measures it all against labelled datasets (``litreview screen simulate``)."""

from litreview.screening.decisions import (
    DECISIONS,
    DECISIONS_BY_STAGE,
    FULL_TEXT,
    STAGES,
    TITLE_ABSTRACT,
    DecisionError,
    decide,
    decision_of,
    decisions,
    study_label,
    undecided_ids,
)
from litreview.screening.history import decision_history
from litreview.screening.methods import methods_paragraph
from litreview.screening.protocol import get_protocol, set_protocol
from litreview.screening.random_check import cancel_random_check, random_check, start_random_check
from litreview.screening.ranking import Ranker, next_study
from litreview.screening.reasons import add_reason, move_reason, reasons, remove_reason, rename_reason, set_reasons
from litreview.screening.settings import set_stopping_settings, stopping_settings
from litreview.screening.snapshot import ScreeningSnapshot, snapshot
from litreview.screening.status import screening_status
from litreview.screening.stops import excluded_by_automation, stop_screening

__all__ = ["DECISIONS", "DECISIONS_BY_STAGE", "FULL_TEXT", "STAGES", "TITLE_ABSTRACT", "DecisionError", "Ranker",
           "ScreeningSnapshot", "add_reason", "cancel_random_check", "decide", "decision_history", "decision_of",
           "decisions", "excluded_by_automation", "get_protocol", "methods_paragraph", "move_reason", "next_study",
           "random_check", "reasons", "remove_reason", "rename_reason", "screening_status", "set_protocol",
           "set_reasons", "set_stopping_settings", "snapshot", "start_random_check", "stop_screening",
           "stopping_settings", "study_label", "undecided_ids"]
