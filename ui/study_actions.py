"""What the user can do with the studies selected in the library table, from the keyboard and a context menu.

I / E / M decide on the selection (the keys screen the table, they do not type ahead), Delete deletes it
(Ctrl+Z brings it back), and the menu edits a record, merges two records of one study, opens the PDF under a
readable name, and moves or assigns the selection to a category for those who do not drag. Every action is one
op; the menu lists only what applies to the selection.
"""

from __future__ import annotations

from PySide6.QtCore import QEvent, QObject, Qt, QUrl, Signal
from PySide6.QtGui import QDesktopServices, QKeyEvent
from PySide6.QtWidgets import QInputDialog, QMenu, QWidget

import litreview.screening as screening
from litreview.hierarchy import category_path, drop_studies
from litreview.records import delete_studies, describe, merge_studies, readable_copy
from litreview.screening import decide
from litreview.store import study_detail
from ui.library_page import LibraryPage
from ui.ops import Ops
from ui.record_dialog import RecordDialog
from ui.tree_model import walk

KEYS = {Qt.Key.Key_I: "include", Qt.Key.Key_E: "exclude", Qt.Key.Key_M: "maybe"}


class StudyActions(QObject):
    refused = Signal(str)
    message = Signal(str)

    def __init__(self, page: LibraryPage, ops: Ops, parent: QWidget):
        super().__init__(parent)
        self.page = page
        self.ops = ops
        self.window = parent
        page.table.installEventFilter(self)
        page.table.setContextMenuPolicy(Qt.ContextMenuPolicy.CustomContextMenu)
        page.table.customContextMenuRequested.connect(self._context_menu)
        page.table.doubleClicked.connect(lambda _index: self.edit_record())
        page.study_pane.edit_requested.connect(self.edit_record)

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:  # noqa: N802 (Qt name)
        if watched is self.page.table and event.type() == QEvent.Type.KeyPress:
            key_event: QKeyEvent = event  # type: ignore[assignment]
            plain = not key_event.modifiers() & ~Qt.KeyboardModifier.KeypadModifier
            if plain and key_event.key() in KEYS:
                self.decide(KEYS[Qt.Key(key_event.key())])
                return True
            if plain and key_event.key() == Qt.Key.Key_Delete:
                self.delete()
                return True
        return False

    # -- actions ---------------------------------------------------------------------------------------------------
    def _selection(self) -> list[int]:
        ids = self.page.selected_ids()
        if not ids:
            self.refused.emit("Select one or more studies in the table first.")
        return ids

    def decide(self, decision: str, reason: str = "") -> None:
        """A title/abstract decision (with a reason) on the selection: one undo step, however many studies."""
        ids = self._selection()
        if not ids:
            return

        def op(library):
            if len(ids) == 1:
                decide(library, ids[0], decision, reason=reason)
                return
            with library.step(f"{decision.capitalize()} {len(ids)} studies", origin="user"):
                for study_id in ids:
                    decide(library, study_id, decision, reason=reason)

        self.ops.run(op, context="saving the decisions")

    def exclude_with_reason(self) -> None:
        """Exclude the selection with a reason from the review's list (or one typed here)."""
        if not self.page.selected_ids():
            self.refused.emit("Select one or more studies in the table first.")
            return
        choices = screening.reasons(self.page.library, "title_abstract")
        reason, ok = QInputDialog.getItem(self.window, "Exclude with a reason", "Why is it excluded?", choices, 0,
                                          True)
        if ok:
            self.decide("exclude", reason.strip())

    def delete(self) -> None:
        ids = self._selection()
        if ids:
            self.ops.run(lambda library: delete_studies(library, ids), context="deleting",
                         done=lambda n: self.message.emit(
                             f"Deleted {n} stud{'y' if n == 1 else 'ies'} — Ctrl+Z brings "
                             f"{'it' if n == 1 else 'them'} back."))

    def edit_record(self) -> None:
        study_id = self.page.selected_study
        study = study_detail(self.page.library, study_id) if study_id is not None else None
        if study is None:
            self.refused.emit("Select a study to edit first.")
            return
        self.record_dialog = RecordDialog(study, self.ops, self.window)
        self.record_dialog.open()

    def merge(self) -> None:
        ids = self._selection()
        if len(ids) != 2:
            self.refused.emit("Select exactly two records of the same study to merge them.")
            return
        studies = [self.page.library.study(s) for s in ids]
        labels = [describe(s) for s in studies if s]
        choice, ok = QInputDialog.getItem(self.window, "Merge two records", "Keep this record (the other one's "
                                          "file, claims and missing fields move to it):", labels, 0, False)
        if ok:
            keep = ids[labels.index(choice)]
            other = ids[1 - labels.index(choice)]
            self.ops.run(lambda library: merge_studies(library, keep, other), context="merging records")

    def place(self, also_assign: bool) -> None:
        """Move (or also assign) the selection to a category chosen from a list: drag and drop for the keyboard."""
        ids = self._selection()
        categories = [n for n in walk(self.page.tree_model.root) if n.kind == "category"]
        if not ids:
            return
        if not categories:
            self.refused.emit("There are no categories yet (Pipeline → Build hierarchy).")
            return
        labels = [" › ".join(category_path(self.page.library, n.id)) for n in categories]
        verb = "Also assign" if also_assign else "Move"
        choice, ok = QInputDialog.getItem(self.window, f"{verb} to category", f"{verb} {len(ids)} "
                                          f"stud{'y' if len(ids) == 1 else 'ies'} to:", labels, 0, False)
        if ok:
            target = categories[labels.index(choice)].id
            source = self.page.table_model.drag_from
            self.ops.run(lambda library: drop_studies(library, ids, source, target, also_assign),
                         context="placing studies")

    def open_pdf(self) -> None:
        study_id = self.page.selected_study
        path = readable_copy(self.page.library, study_id) if study_id is not None else None
        if path is None:
            self.refused.emit("This study has no PDF in the library.")
            return
        if not QDesktopServices.openUrl(QUrl.fromLocalFile(str(path))):
            self.message.emit(f"No PDF viewer could open the file; it is at {path}")

    # -- the menu ------------------------------------------------------------------------------------------------
    def _context_menu(self, pos) -> None:
        ids = self.page.selected_ids()
        menu = QMenu(self.page.table)
        if ids:
            for key, decision in (("I", "include"), ("E", "exclude"), ("M", "maybe")):
                action = menu.addAction(f"{decision.capitalize()} ({key})")
                action.triggered.connect(lambda _=False, d=decision: self.decide(d))
            menu.addAction("Exclude with a reason…").triggered.connect(self.exclude_with_reason)
            menu.addSeparator()
        if len(ids) == 1:
            menu.addAction("Edit record…").triggered.connect(self.edit_record)
            if self.page.library.file_path(ids[0]) is not None:
                menu.addAction("Open PDF").triggered.connect(self.open_pdf)
        if len(ids) == 2:
            menu.addAction("Merge the two records…").triggered.connect(self.merge)
        if ids and self.page.tree_model.hierarchy_id is not None:
            menu.addAction("Move to category…").triggered.connect(lambda: self.place(False))
            menu.addAction("Also assign to category…").triggered.connect(lambda: self.place(True))
        if ids:
            menu.addSeparator()
            label = "Delete study" if len(ids) == 1 else f"Delete {len(ids)} studies"
            menu.addAction(f"{label} (Del)").triggered.connect(self.delete)
        if not menu.isEmpty():
            menu.popup(self.page.table.viewport().mapToGlobal(pos))
        self.context_menu = menu
