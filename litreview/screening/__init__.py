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
    last_undone_decision,
    study_label,
    undecided_ids,
)
from litreview.screening.history import decision_history
from litreview.screening.methods import methods_paragraph
from litreview.screening.protocol import get_protocol, set_protocol
from litreview.screening.random_check import cancel_random_check, random_check, start_random_check
from litreview.screening.ranking import Ranker, next_study
from litreview.screening.reasons import add_reason, move_reason, reasons, remove_reason, rename_reason, set_reasons
from litreview.screening.settings import percent, set_stopping_settings, stopping_settings
from litreview.screening.snapshot import ScreeningSnapshot, snapshot
from litreview.screening.status import decision_counts, screening_status
from litreview.screening.stops import excluded_by_automation, stop_screening

__all__ = ["add_reason", "cancel_random_check", "decide", "decision_counts", "decision_history", "decision_of",
           "DecisionError", "DECISIONS", "decisions", "DECISIONS_BY_STAGE", "excluded_by_automation", "FULL_TEXT",
           "get_protocol", "last_undone_decision", "methods_paragraph", "move_reason", "next_study", "percent",
           "random_check", "Ranker", "reasons", "remove_reason", "rename_reason", "screening_status",
           "ScreeningSnapshot", "set_protocol", "set_reasons", "set_stopping_settings", "snapshot", "STAGES",
           "start_random_check", "stop_screening", "stopping_settings", "study_label", "TITLE_ABSTRACT",
           "undecided_ids"]
