"""The Hierarchy menu and the tree's context menu: corrections the user makes by hand, each one op, and the
answers to the learner's suggestions.

Every action is enabled only when it applies to what is selected, and says why in its tooltip when it does not
(no hierarchy yet, an aspect cannot be split, a build is running). The core decides what a drop means
(``litreview.hierarchy.drop``); this module only asks the user and hands the edit to the writer. A correction
that places studies (a drop, a take-out, a merge, a split) runs inside ``suggestions.correcting``: the same op
and the same undo step write what the learner now suggests, which the suggestions bar, the tree's "Suggested"
nodes and the study pane offer; accepting or refusing any number of them is one more op.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from PySide6.QtCore import QObject, Qt, Signal
from PySide6.QtGui import QAction, QKeySequence
from PySide6.QtWidgets import QInputDialog, QMenu, QWidget

import litreview.hierarchy as hierarchy
from litreview.hierarchy import category_path
from litreview.store import Library
from ui.library_page import LibraryPage
from ui.ops import Ops
from ui.tree_model import Node, suggestion_ids, walk


class HierarchyActions(QObject):
    refused = Signal(str)  # why an action did nothing (nothing selected, nothing to merge into)

    def __init__(self, page: LibraryPage, ops: Ops, parent: QWidget):
        super().__init__(parent)
        self.page = page
        self.ops = ops
        self.window = parent
        self.busy_reason: str | None = None  # set while a job rebuilds the hierarchy
        self.actions: dict[str, tuple[QAction, tuple[str, ...]]] = {}
        page.tree.studies_dropped.connect(self.drop_studies)
        page.tree.categories_dropped.connect(self.drop_categories)
        # queued: the edit resets the model, which must not happen inside the editor's own setData call
        page.tree_model.rename_requested.connect(self.rename_node, Qt.ConnectionType.QueuedConnection)
        page.tree.selectionModel().currentChanged.connect(lambda *_: self.update_state())
        page.tree.setContextMenuPolicy(Qt.ContextMenuPolicy.CustomContextMenu)
        page.tree.customContextMenuRequested.connect(self._context_menu)
        page.suggestions_bar.accept_all.connect(self.accept_suggestions)
        page.suggestions_bar.reject_all.connect(self.reject_suggestions)
        page.study_pane.suggestion_answered.connect(
            lambda suggestion, accepted: (self.accept_suggestions if accepted else self.reject_suggestions)([suggestion]))

    # -- menu --------------------------------------------------------------------------------------------------
    def fill(self, menu: QMenu) -> None:
        """Add the actions to the Hierarchy menu; each names the tree nodes it applies to."""
        self._add(menu, "new", "&New category…", self.new_category_dialog, ("aspect", "category"), "Ctrl+N")
        self._add(menu, "aspect", "New &aspect…", self.new_aspect_dialog, ("*",))
        self._add(menu, "rename", "&Rename", self.rename_current, ("aspect", "category"), "F2")
        self._add(menu, "delete", "&Delete category", self.delete_current, ("aspect", "category"))
        self._add(menu, "merge", "&Merge into…", self.merge_current_dialog, ("aspect", "category"))
        self._add(menu, "split", "&Split off the selected studies…", self.split_current_dialog, ("category",))
        self._add(menu, "lock", "&Lock / unlock", self.toggle_lock_current, ("aspect", "category", "study"), "Ctrl+L")
        self._add(menu, "unassign", "Remove study from category", self.unassign_current, ("study",))
        menu.addSeparator()
        self._add(menu, "accept", "&Accept suggestion(s)", self.accept_current, ("suggestion", "suggestions"))
        self._add(menu, "reject", "Re&ject suggestion(s)", self.reject_current, ("suggestion", "suggestions"))

    def _add(self, menu: QMenu, key: str, text: str, slot: Callable[[], None], kinds: tuple[str, ...],
             shortcut: str | None = None) -> None:
        action = QAction(text, self.window)
        if shortcut:
            action.setShortcut(QKeySequence(shortcut))
        action.triggered.connect(lambda _checked=False: slot())
        menu.addAction(action)
        self.actions[key] = (action, kinds)

    def update_state(self) -> None:
        """Enable what applies to the current node; say why the rest does not."""
        index = self.page.tree.currentIndex()
        node = self.page.tree_model.node(index) if index.isValid() else None
        has_hierarchy = self.page.tree_model.hierarchy_id is not None
        for action, kinds in self.actions.values():
            if self.busy_reason:
                why = self.busy_reason
            elif not has_hierarchy:
                why = "Build a hierarchy first (Pipeline → Build hierarchy)."
            elif "*" in kinds:
                why = ""
            elif node is None or node.kind not in kinds:
                why = "Select " + " or ".join(f"a{'n' if k[0] in 'aeiou' else ''} {k}" for k in kinds) + \
                      " in the hierarchy first."
            elif node.kind == "study" and (node.parent is None or node.parent.kind != "category") and \
                    action is not self.actions["lock"][0]:
                why = "This study is not in a category."
            else:
                why = ""
            action.setEnabled(not why)
            action.setToolTip(why or action.text().replace("&", ""))

    def _context_menu(self, pos) -> None:
        """Right-click: only what applies to the node under the pointer."""
        index = self.page.tree.indexAt(pos)
        if index.isValid():
            self.page.tree.setCurrentIndex(index)
        self.update_state()
        menu = QMenu(self.page.tree)
        for action, _kinds in self.actions.values():
            if action.isEnabled():
                menu.addAction(action)
        if not menu.isEmpty():
            menu.popup(self.page.tree.viewport().mapToGlobal(pos))
        self.context_menu = menu

    # -- helpers -------------------------------------------------------------------------------------------------
    def _current(self, *kinds: str) -> Node | None:
        index = self.page.tree.currentIndex()
        node = self.page.tree_model.node(index) if index.isValid() else None
        if node is None or node.kind not in kinds:
            words = " or ".join(f"a{'n' if k[0] in 'aeiou' else ''} {k}" for k in kinds)
            self.refused.emit(f"Select {words} in the hierarchy first.")
            return None
        return node

    def _ask(self, title: str, label: str, text: str = "") -> str | None:
        name, ok = QInputDialog.getText(self.window, title, label, text=text)
        return name.strip() if ok and name.strip() else None

    # -- edits ---------------------------------------------------------------------------------------------------
    def _correct(self, edit: Callable[[Library], Any], context: str) -> None:
        """Run a placement correction and what the learner suggests after it as one op and one undo step."""
        def op(library: Library) -> Any:
            with hierarchy.correcting_with_suggestions(library):
                return edit(library)

        self.ops.run(op, context=context)

    def drop_studies(self, ids: list[int], source: int | None, target: int, also_assign: bool) -> None:
        self._correct(lambda library: hierarchy.drop_studies(library, ids, source, target, also_assign), "moving studies")

    def drop_categories(self, ids: list[int], target: int) -> None:
        self.ops.run(lambda library: hierarchy.drop_categories(library, ids, target), context="moving categories")

    def rename_current(self) -> None:
        if self._current("aspect", "category") is not None:
            self.page.tree.edit(self.page.tree.currentIndex())

    def rename_node(self, category_id: int, name: str) -> None:
        self.ops.run(lambda library: hierarchy.rename_category(library, category_id, name), context="renaming")

    def new_category_dialog(self) -> None:
        node = self._current("aspect", "category")
        if node is None:
            return
        name = self._ask("New category", f"Name of the new category under “{node.name}”:")
        if name:
            self.ops.run(lambda library: hierarchy.new_category(library, node.id, name), context="adding a category")

    def new_aspect_dialog(self) -> None:
        hierarchy_id = self.page.tree_model.hierarchy_id
        if hierarchy_id is None:
            self.refused.emit("Build a hierarchy first (Pipeline → Build hierarchy).")
            return
        name = self._ask("New aspect", "Name of the new aspect (a way to organise the studies, e.g. “Population”):")
        if name:
            self.ops.run(lambda library: hierarchy.new_category(library, None, name, hierarchy_id=hierarchy_id),
                         context="adding an aspect")

    def delete_current(self) -> None:
        node = self._current("aspect", "category")
        if node is None:
            return
        self.ops.run(lambda library: hierarchy.delete_category(library, node.id), context="deleting a category",
                     done=lambda _: self.page.message.emit(f"Deleted “{node.name}” — Ctrl+Z brings it back."))

    def merge_current_dialog(self) -> None:
        node = self._current("aspect", "category")
        if node is None:
            return
        kinds = ("aspect",) if node.kind == "aspect" else ("category",)
        targets = [n for n in walk(self.page.tree_model.root) if n.kind in kinds and n.id != node.id]
        if not targets:
            self.refused.emit("There is nothing to merge it into.")
            return
        labels = [" › ".join(category_path(self.page.library, n.id)) for n in targets]
        choice, ok = QInputDialog.getItem(self.window, "Merge", f"Merge “{node.name}” into:", labels, 0, False)
        if ok:
            target = targets[labels.index(choice)].id
            self._correct(lambda library: hierarchy.merge_categories(library, node.id, target), "merging")

    def split_current_dialog(self) -> None:
        """Split: the studies selected in the table go into a new sub-category (the rest stay)."""
        node = self._current("category")
        if node is None:
            return
        selected = self.page.selected_ids()
        if not selected:
            self.refused.emit(f"Select the studies of “{node.name}” to split off in the table first.")
            return
        name = self._ask("Split category", f"Name of the new sub-category for the {len(selected)} selected studies:")
        if name:
            self._correct(lambda library: hierarchy.split_category(library, node.id, {name: selected}), "splitting")

    def toggle_lock_current(self) -> None:
        node = self._current("aspect", "category", "study")
        if node is None:
            return
        if node.kind == "study":
            if node.parent is None or node.parent.kind != "category":
                self.refused.emit("Only a study placed in a category can be locked there.")
                return
            where = (node.id, node.parent.id)
            self.ops.run(lambda library: hierarchy.set_locked(library, assignment=where, locked=not node.locked),
                         context="locking")
        else:
            self.ops.run(lambda library: hierarchy.set_locked(library, category_id=node.id, locked=not node.locked),
                         context="locking")

    def unassign_current(self) -> None:
        node = self._current("study")
        if node is None or node.parent is None or node.parent.kind != "category":
            return
        category = node.parent.id
        self._correct(lambda library: hierarchy.unassign_study(library, node.id, category), "removing a study")

    # -- suggestions ---------------------------------------------------------------------------------------------
    def accept_suggestions(self, ids: list[int]) -> None:
        """Move the suggested studies: one command, one Ctrl+Z, however many."""
        if ids:
            self.ops.run(lambda library: hierarchy.accept_suggestions(library, ids), context="moving suggested studies",
                         done=lambda n: self.page.message.emit(
                             f"Moved {n} suggested stud{'y' if n == 1 else 'ies'} — Ctrl+Z puts them back."))

    def reject_suggestions(self, ids: list[int]) -> None:
        """Keep the studies where they are; the learner takes the refusal as a lesson."""
        if ids:
            self.ops.run(lambda library: hierarchy.reject_suggestions(library, ids), context="refusing suggestions",
                         done=lambda n: self.page.message.emit(
                             f"Kept {n} stud{'y' if n == 1 else 'ies'} where {'it is' if n == 1 else 'they are'}."))

    def accept_current(self) -> None:
        node = self._current("suggestion", "suggestions")
        if node is not None:
            self.accept_suggestions(suggestion_ids(node))

    def reject_current(self) -> None:
        node = self._current("suggestion", "suggestions")
        if node is not None:
            self.reject_suggestions(suggestion_ids(node))
