"""What a (re)build will work on and what it will keep, said before it starts.

A researcher who has spent an afternoon correcting a hierarchy must not lose that work to a click: the app asks
before replacing a hierarchy that holds user edits, and says what is kept (edited and locked categories with their
place, the studies the user placed or took out) and what is not made again (the categories the user deleted).
The build's basis is said too: which studies it organises ("59 studies: all except 2 excluded").
"""

from __future__ import annotations

from dataclasses import dataclass

from litreview import feedback
from litreview.hierarchy import tree
from litreview.store import Library


@dataclass
class BuildBasis:
    studies: int        # what a build on all studies organises
    excluded: int       # left out: excluded at title/abstract
    included: int       # included by screening (the "included only" choice, ``build.included_study_ids``)
    scope: str = "all"  # what the current hierarchy was built on: "all" or "included"

    def words(self, included_only: bool = False) -> str:
        if included_only:
            return f"{self.included} included stud{'y' if self.included == 1 else 'ies'}"
        if not self.excluded:
            return f"all {self.studies} studies"
        return f"{self.studies} studies: all except {self.excluded} excluded"


@dataclass
class Keeps:
    categories: int     # edited or locked categories (with their ancestors)
    placements: int     # studies the user placed or took out, and locked placements
    deleted: int        # categories the user deleted: not made again

    @property
    def anything(self) -> bool:
        return bool(self.categories or self.placements or self.deleted)

    def words(self) -> str:
        parts = []
        if self.categories:
            parts.append(f"{self.categories} categor{'y' if self.categories == 1 else 'ies'} you edited or locked "
                         "keep their names, places and studies")
        if self.placements:
            parts.append(f"{self.placements} placement{'' if self.placements == 1 else 's'} you made stay as they are")
        if self.deleted:
            parts.append(f"{self.deleted} categor{'y' if self.deleted == 1 else 'ies'} you deleted "
                         f"{'is' if self.deleted == 1 else 'are'} not made again")
        return "; ".join(parts)


def build_basis(library: Library) -> BuildBasis:
    from litreview.hierarchy.build import included_study_ids

    counts = dict(library.conn.execute(
        "SELECT decision, count(*) FROM decisions WHERE stage = 'title_abstract' GROUP BY decision").fetchall())
    total = library.study_count()
    excluded = counts.get("exclude", 0)
    hierarchy_id = tree.latest_hierarchy_id(library)
    scope = tree.settings(library, hierarchy_id).get("scope", "all") if hierarchy_id is not None else "all"
    return BuildBasis(studies=total - excluded, excluded=excluded, included=len(included_study_ids(library)),
                      scope=scope)


def what_a_rebuild_keeps(library: Library, hierarchy_id: int | None = None) -> Keeps:
    """The user's work in the newest hierarchy (or ``hierarchy_id``) that a rebuild keeps or respects."""
    hierarchy_id = hierarchy_id if hierarchy_id is not None else tree.latest_hierarchy_id(library)
    if hierarchy_id is None:
        return Keeps(0, 0, 0)
    return Keeps(categories=len(feedback.renamed_or_locked(library, hierarchy_id)),
                 placements=len(feedback.protected_assignments(library, hierarchy_id)),
                 deleted=len(feedback.deleted_categories(library, hierarchy_id)))
