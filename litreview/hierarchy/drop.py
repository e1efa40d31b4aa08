"""What a drag and drop in the hierarchy means, decided in the core so the app and any other front end agree.

A drop is one undo step, however many commands it takes (studies from several categories move in one command
per origin): the user did one thing.
"""

from __future__ import annotations

from litreview.hierarchy import edits, tree
from litreview.store import Library


def drop_studies(library: Library, study_ids: list[int], source: int | None, target: int,
                 also_assign: bool = False) -> None:
    """Studies dropped on category ``target``. From a category (``source``) they move there; from the unfiltered
    table a study with exactly one home in the target's aspect moves from it, one with none or several is
    assigned; ``also_assign`` (Ctrl held) assigns and keeps them where they were."""
    hierarchy_id = tree.category_row(library, target)["hierarchy_id"]
    graph = tree.load_graph(library, hierarchy_id)
    aspect = graph.nodes[target]["aspect_id"]
    assigned: list[int] = []
    moved: dict[int, list[int]] = {}
    for study_id in study_ids:
        origin = source
        if origin is None and not also_assign:
            homes = [c["category_id"] for c in tree.categories_of(library, study_id, hierarchy_id)
                     if c["aspect_id"] == aspect and not c["implied"]]
            origin = homes[0] if len(homes) == 1 else None
        if also_assign or origin is None:
            assigned.append(study_id)
        elif origin != target:
            moved.setdefault(origin, []).append(study_id)
    steps = ([lambda: edits.assign_studies(library, assigned, target)] if assigned else []) + [
        lambda origin=origin, group=group: edits.move_studies(library, group, origin, target)
        for origin, group in moved.items()]
    if len(steps) == 1:  # one command: its own words ("Move 2 studies to 'Software'") are the undo step's
        steps[0]()
        return
    count = len(assigned) + sum(len(group) for group in moved.values())
    name = graph.nodes[target]["name"]
    with library.step(f"Drop {count} stud{'y' if count == 1 else 'ies'} on {name!r}", origin="user"):
        for step in steps:
            step()


def drop_categories(library: Library, category_ids: list[int], target: int | None) -> None:
    """Categories dropped on ``target`` (a category or an aspect; None = make them aspects): one undo step."""
    moving = [c for c in category_ids if c != target]
    if len(moving) == 1:
        edits.reparent_category(library, moving[0], target)
    elif moving:
        with library.step(f"Move {len(moving)} categories", origin="user"):
            for category_id in moving:
                edits.reparent_category(library, category_id, target)
