"""CHIME-style topic hierarchies: aspects, each a tree of categories at most 3 deep, with multi-label study
assignments.

``tree`` holds the storage rules and the networkx view, ``edits`` the user's corrections (each one undoable
command with a feedback row); the build pipeline lives beside them. The names below are the public API the
CLI and the desktop app use. The build (which loads the embedding model and scikit-learn) is imported when it is
first asked for, so opening the app does not wait for it.
"""

import importlib
from typing import Any

from litreview.hierarchy.drop import drop_categories, drop_studies
from litreview.hierarchy.edits import (
    assign_studies,
    assign_study,
    delete_category,
    merge_categories,
    move_studies,
    move_study,
    new_category,
    rename_category,
    reparent_category,
    set_locked,
    split_category,
    unassign_study,
)
from litreview.hierarchy.rebuild_plan import build_basis, what_a_rebuild_keeps
from litreview.hierarchy.snapshot import Snapshot, SnapshotNode, hierarchy_snapshot
from litreview.hierarchy.suggestions import Offer
from litreview.hierarchy.suggestions import accept as accept_suggestions
from litreview.hierarchy.suggestions import correcting as correcting_with_suggestions
from litreview.hierarchy.suggestions import offers as suggestion_offers
from litreview.hierarchy.suggestions import open_rows as open_suggestions
from litreview.hierarchy.suggestions import reject as reject_suggestions
from litreview.hierarchy.tree import (
    MAX_DEPTH,
    HierarchyError,
    categories_of,
    category_path,
    latest_hierarchy_id,
    load_graph,
    studies_in,
    uncategorised,
    validate,
    write_assignment,
)

_LAZY = {"build_hierarchy": "litreview.hierarchy.build", "assign_new_studies": "litreview.hierarchy.build",
         "INCLUDED": "litreview.hierarchy.build", "ALL": "litreview.hierarchy.build"}


def __getattr__(name: str) -> Any:
    if name in _LAZY:
        return getattr(importlib.import_module(_LAZY[name]), name)
    raise AttributeError(f"module 'litreview.hierarchy' has no attribute {name!r}")


__all__ = [
    "ALL", "INCLUDED", "MAX_DEPTH", "HierarchyError", "Offer", "Snapshot", "SnapshotNode", "accept_suggestions",
    "assign_new_studies", "assign_studies", "assign_study", "build_basis", "build_hierarchy", "categories_of",
    "category_path", "correcting_with_suggestions", "delete_category", "drop_categories", "drop_studies",
    "hierarchy_snapshot", "latest_hierarchy_id", "load_graph", "merge_categories", "move_studies", "move_study",
    "new_category", "open_suggestions", "reject_suggestions", "rename_category", "reparent_category", "set_locked",
    "split_category", "studies_in", "suggestion_offers", "unassign_study", "uncategorised", "validate",
    "what_a_rebuild_keeps", "write_assignment",
]
