"""CHIME-style topic hierarchies: aspects, each a tree of categories at most 3 deep, with multi-label study
assignments.

``tree`` holds the storage rules and the networkx view, ``edits`` the user's corrections (each one undoable
command with a feedback row); the build pipeline lives beside them. The names below are the public API the
CLI and the desktop app use.
"""

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

__all__ = [
    "MAX_DEPTH", "HierarchyError", "assign_studies", "assign_study", "categories_of", "category_path", "delete_category",
    "latest_hierarchy_id", "load_graph", "merge_categories", "move_studies", "move_study", "new_category", "rename_category",
    "reparent_category", "set_locked", "split_category", "studies_in", "unassign_study", "uncategorised",
    "validate", "write_assignment",
]
