"""The hierarchy tree view: turns drops into requests the window carries out through core edits.

``DragDrop`` mode with our own ``dropEvent`` (not ``InternalMove``, which ignores drops that do not come from
the view itself: studies dragged from the table, and synthetic drops in tests). After handling a drop we set
the action to Copy so Qt never removes source rows itself.
"""

from __future__ import annotations

from PySide6.QtCore import QModelIndex, QPoint, Qt, Signal
from PySide6.QtGui import QDragEnterEvent, QDragMoveEvent, QDropEvent
from PySide6.QtWidgets import QAbstractItemView, QTreeView, QWidget

from ui.library_model import STUDY_MIME, decode_study_ids
from ui.tree_model import CATEGORY_MIME, HierarchyTreeModel, decode_category_ids


class HierarchyTreeView(QTreeView):
    studies_dropped = Signal(list, object, int, bool)  # study ids, from category (or None), to category, also assign
    categories_dropped = Signal(list, int)  # category ids, new parent

    def __init__(self, model: HierarchyTreeModel, parent: QWidget | None = None):
        super().__init__(parent)
        self.setModel(model)
        self.setHeaderHidden(True)
        self.setSelectionMode(QAbstractItemView.SelectionMode.ExtendedSelection)
        self.setDragEnabled(True)
        self.setAcceptDrops(True)
        self.setDropIndicatorShown(True)
        self.setDragDropMode(QAbstractItemView.DragDropMode.DragDrop)
        self.setDefaultDropAction(Qt.DropAction.MoveAction)
        self.setAutoExpandDelay(600)  # JabRef users asked for auto-expand while dragging
        self.setEditTriggers(QAbstractItemView.EditTrigger.EditKeyPressed | QAbstractItemView.EditTrigger.SelectedClicked)

    def tree_model(self) -> HierarchyTreeModel:
        return self.model()  # type: ignore[return-value]

    def _target(self, pos: QPoint, mime) -> QModelIndex:
        """The category a drop at ``pos`` lands in (a study row stands for its category), or an invalid index."""
        index = self.indexAt(pos)
        if not index.isValid():
            return QModelIndex()
        model = self.tree_model()
        if model.node(index).kind == "study":
            index = index.parent()
        kind = model.node(index).kind
        if mime.hasFormat(STUDY_MIME) and kind == "category":
            return index
        if mime.hasFormat(CATEGORY_MIME) and kind in ("category", "aspect"):
            return index
        return QModelIndex()

    def dragEnterEvent(self, event: QDragEnterEvent) -> None:
        if event.mimeData().hasFormat(STUDY_MIME) or event.mimeData().hasFormat(CATEGORY_MIME):
            event.acceptProposedAction()
        else:
            event.ignore()  # files from the desktop: the window imports them

    def dragMoveEvent(self, event: QDragMoveEvent) -> None:
        super().dragMoveEvent(event)  # auto-scroll, auto-expand, drop indicator
        if self._target(event.position().toPoint(), event.mimeData()).isValid():
            event.acceptProposedAction()
        else:
            event.ignore()

    def dropEvent(self, event: QDropEvent) -> None:
        mime = event.mimeData()
        target = self._target(event.position().toPoint(), mime)
        if not target.isValid():
            event.ignore()
            return
        target_id = self.tree_model().node(target).id
        if mime.hasFormat(STUDY_MIME):
            ids, source = decode_study_ids(mime)
            also = bool(event.modifiers() & Qt.KeyboardModifier.ControlModifier)
            self.studies_dropped.emit(ids, source, target_id, also)
        else:
            self.categories_dropped.emit(decode_category_ids(mime), target_id)
        event.setDropAction(Qt.DropAction.CopyAction)  # the core already moved it: Qt must not remove rows
        event.accept()
