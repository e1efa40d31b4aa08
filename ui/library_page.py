"""The library page: the hierarchy tree, the study table (search, decision filter, scope), the study pane, and the
bar that offers the learner's suggestions after a correction.

It reads through the window's read-only library and the core's read API, and redraws only what a change
touched (``refresh(changes)``, Anki's ``OpChanges``): a decision redraws the table's decision column and the
pane of that study, not the tree; a move redraws the tree and the scoped table, not every study. Edits made here
(notes, drops) go to the window's ``Ops``.
"""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import QItemSelectionModel, QModelIndex, Qt, QTimer, QUrl, Signal
from PySide6.QtGui import QDesktopServices
from PySide6.QtWidgets import (
    QAbstractItemView,
    QComboBox,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QPushButton,
    QSplitter,
    QTableView,
    QVBoxLayout,
    QWidget,
)

from litreview import hierarchy
from litreview.records import readable_copy
from litreview.screening import get_protocol
from litreview.store import Changes, Library, exists, search_snippets, study_detail
from litreview.study_notes import set_notes
from ui.highlight import terms_of
from ui.library_model import LibraryTableModel
from ui.ops import Ops
from ui.study_pane import StudyPane
from ui.suggestions_bar import SuggestionsBar
from ui.tree_model import HierarchyTreeModel, Node, studies_under
from ui.tree_view import HierarchyTreeView

DECISION_FILTERS = {"All": None, "Undecided": "undecided", "Included": "include", "Excluded": "exclude",
                    "Maybe": "maybe"}
TABLE_AREAS = {"studies", "decisions"}
PANE_AREAS = {"claims", "hierarchy", "decisions", "studies"}
COLUMN_WIDTHS = ((1, 150), (2, 50), (3, 120), (4, 72), (5, 56))  # Title (0) stretches


class LibraryPage(QSplitter):
    message = Signal(str)  # a line for the status bar

    def __init__(self, library: Library, ops: Ops, parent: QWidget | None = None):
        super().__init__(Qt.Orientation.Horizontal, parent)
        self.library = library
        self.ops = ops
        self.selected_study: int | None = None
        self.scope_node: tuple[str, int] | None = None  # (kind, id) of the tree node the table is limited to
        self.table_model = LibraryTableModel(library, self)
        self.tree_model = HierarchyTreeModel(library, self)
        self._build_middle()
        self._build_tree()
        self.study_pane = StudyPane()
        self.study_pane.open_page.connect(self.open_pdf_page)
        self.study_pane.notes_edited.connect(self.save_notes)
        self.addWidget(self.tree_box)
        self.addWidget(self.middle)
        self.addWidget(self.study_pane)
        self.setSizes([270, 650, 360])
        self._tree_state: tuple[set, Any] = (set(), None)

    # == layout ===========================================================================================
    def _build_middle(self) -> None:
        self.search_box = QLineEdit()
        self.search_box.setPlaceholderText("Search titles, abstracts and full text…")
        self.search_box.setClearButtonEnabled(True)
        self._search_timer = QTimer(self, singleShot=True, interval=250)
        self._search_timer.timeout.connect(self._apply_search)
        self.search_box.textChanged.connect(self._search_timer.start)
        self.decision_filter = QComboBox()
        self.decision_filter.addItems(list(DECISION_FILTERS))
        self.decision_filter.currentTextChanged.connect(
            lambda text: self.table_model.set_filters(decision=DECISION_FILTERS[text]))
        self.scope_label = QLabel()
        self.show_all_button = QPushButton("Show all studies")
        self.show_all_button.clicked.connect(self.show_all_studies)
        self.count_label = QLabel()
        self.count_label.setStyleSheet("color: #4c5b70")
        top = QHBoxLayout()
        top.addWidget(self.search_box, 1)
        top.addWidget(self.count_label)
        top.addWidget(self.decision_filter)
        self.scope_row = QWidget()
        scope = QHBoxLayout(self.scope_row)
        scope.setContentsMargins(0, 0, 0, 0)
        scope.addWidget(self.scope_label, 1)
        scope.addWidget(self.show_all_button)

        self.table = QTableView()
        self.table.setModel(self.table_model)
        self.table.setSortingEnabled(True)
        self.table.sortByColumn(0, Qt.SortOrder.AscendingOrder)
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.setSelectionMode(QAbstractItemView.SelectionMode.ExtendedSelection)
        self.table.setDragEnabled(True)
        self.table.setDragDropMode(QAbstractItemView.DragDropMode.DragOnly)
        self.table.setWordWrap(False)
        self.table.verticalHeader().hide()
        self.table.verticalHeader().setDefaultSectionSize(24)
        self.restore_table_layout()
        self.table.selectionModel().currentRowChanged.connect(self._on_table_row)
        self.table_model.modelReset.connect(self._restore_table_selection)
        self.table_model.modelReset.connect(self._update_count)

        self.middle = QWidget()
        layout = QVBoxLayout(self.middle)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addLayout(top)
        layout.addWidget(self.scope_row)
        layout.addWidget(self.table, 1)
        self.scope_row.hide()
        self.suggestions_bar = SuggestionsBar()
        self.suggestions_bar.show_requested.connect(self.show_suggestions)
        layout.insertWidget(1, self.suggestions_bar)

    def restore_table_layout(self) -> None:
        """Title is the column that stretches; the others keep readable widths (also after a narrow view)."""
        header = self.table.horizontalHeader()
        header.setStretchLastSection(False)
        header.setSectionResizeMode(0, QHeaderView.ResizeMode.Stretch)
        header.setMinimumSectionSize(40)
        for column, width in COLUMN_WIDTHS:
            header.setSectionResizeMode(column, QHeaderView.ResizeMode.Interactive)
            header.resizeSection(column, width)

    def _build_tree(self) -> None:
        self.tree = HierarchyTreeView(self.tree_model)
        self.tree.selectionModel().currentChanged.connect(self._on_tree_current)
        self.tree_model.modelAboutToBeReset.connect(self._remember_tree_state)
        self.tree_model.modelReset.connect(self._restore_tree_state)
        self.tree_hint = QLabel("No hierarchy yet: Pipeline → Build hierarchy.")
        self.tree_hint.setWordWrap(True)
        self.tree_hint.setStyleSheet("color: gray; padding: 6px")
        self.tree_box = QWidget()
        layout = QVBoxLayout(self.tree_box)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.tree, 1)
        layout.addWidget(self.tree_hint)

    # == refreshing =======================================================================================
    def refresh(self, changes: Changes | None = None) -> None:
        """Redraw what ``changes`` touched (everything when None)."""
        areas = changes.areas if changes is not None else None
        if areas is None or "hierarchy" in areas or "studies" in areas:
            self.tree_model.refresh()
            self.tree_hint.setVisible(self.tree_model.hierarchy_id is None)
            self.suggestions_bar.set_offers(hierarchy.suggestion_offers(self.library, self.tree_model.hierarchy_id)
                                            if self.tree_model.hierarchy_id is not None else [])
            if self.scope_node is not None and self._scope_index() is None:
                self.scope_node = None
        if areas is None or areas & TABLE_AREAS or ("hierarchy" in areas and self.scope_node is not None):
            self._apply_scope()
        if self.selected_study is not None and (
                areas is None or self.selected_study in changes.studies or areas & PANE_AREAS - {"studies"}):
            self.show_study(self.selected_study)

    def _apply_search(self) -> None:
        self.table_model.set_filters(search=self.search_box.text())
        self._update_count()
        self.show_study(self.selected_study)

    def _update_count(self) -> None:
        """How many studies the table shows, said when a search or a filter narrows it."""
        search, shown = self.search_box.text().strip(), self.table_model.rowCount()
        narrowed = search or self.table_model.decision_filter or self.table_model.only_ids is not None
        self.count_label.setText((f"{shown} stud{'y' if shown == 1 else 'ies'}"
                                  + (f" match “{search}”" if search else "")) if narrowed else "")

    def _scope_index(self) -> QModelIndex | None:
        if self.scope_node is None:
            return None
        kind, ident = self.scope_node
        index = self.tree_model.find(kind, ident)
        return index if index.isValid() else None

    def _apply_scope(self) -> None:
        """Limit the table to the selected tree node (a category, an aspect, an aspect's uncategorised studies)."""
        index = self._scope_index()
        if index is None:
            self.scope_node = None
            self.table_model.only_ids, self.table_model.drag_from = None, None
        else:
            node = self.tree_model.node(index)
            self.table_model.only_ids = studies_under(node)
            self.table_model.drag_from = node.id if node.kind == "category" else None
            self.scope_label.setText(self._scope_words(node))
        self.scope_row.setVisible(index is not None)
        self.table_model.refresh()

    def _scope_words(self, node: Node) -> str:
        if node.kind == "uncategorised":
            aspect = node.parent.name if node.parent else ""
            return f"not placed in any category of “{aspect}” ({node.count})"
        if node.kind == "suggestions":
            return f"suggested for “{node.parent.name if node.parent else ''}” ({node.count})"
        return "in " + " › ".join(hierarchy.category_path(self.library, node.id))

    def show_suggestions(self, category_id: int) -> None:
        """Select a category's "Suggested" node: the tree opens on it and the table lists its studies."""
        index = self.tree_model.find("suggestions", category_id)
        if index.isValid():
            self.tree.scrollTo(index)
            self.tree.expand(index)
            self.tree.setCurrentIndex(index)

    def show_all_studies(self) -> None:
        self.scope_node = None
        self.tree.clearSelection()
        self._apply_scope()

    # == table and study pane ===============================================================================
    def _on_table_row(self, current: QModelIndex, _previous: QModelIndex) -> None:
        study_id = self.table_model.study_id(current.row()) if current.isValid() else None
        if study_id is not None:
            self.selected_study = study_id
            self.show_study(study_id)

    def _restore_table_selection(self) -> None:
        if self.selected_study is None:
            return
        row = self.table_model.row_of(self.selected_study)
        if row is not None:
            self.table.selectionModel().setCurrentIndex(
                self.table_model.index(row, 0),
                QItemSelectionModel.SelectionFlag.ClearAndSelect | QItemSelectionModel.SelectionFlag.Rows)

    def selected_ids(self) -> list[int]:
        """The studies selected in the table, in table order."""
        rows = sorted(i.row() for i in self.table.selectionModel().selectedRows())
        return [s for s in (self.table_model.study_id(r) for r in rows) if s is not None]

    def query_terms(self) -> list[str]:
        protocol = get_protocol(self.library)
        return terms_of(self.search_box.text(), protocol["question"], min_length=4)

    def show_study(self, study_id: int | None) -> None:
        study = study_detail(self.library, study_id) if study_id is not None else None
        if study is None:
            self.selected_study = None
            self.study_pane.show_study(None)
            return
        categories = []
        if self.tree_model.hierarchy_id is not None:
            # a facet says which of the study's own words placed it there (its evidence)
            categories = [" › ".join(c["path"]) + (f" (“{c['evidence']}”)" if c.get("evidence") else "")
                          for c in hierarchy.categories_of(self.library, study["id"], self.tree_model.hierarchy_id)
                          if not c["implied"]]
        search = self.search_box.text().strip()
        hits = search_snippets(self.library, study["id"], search) if search else []
        offered = hierarchy.open_suggestions(self.library, self.tree_model.hierarchy_id, study_id=study["id"]) \
            if self.tree_model.hierarchy_id is not None else []
        self.study_pane.show_study(study, terms=self.query_terms(), categories=categories, hits=hits,
                                   suggestions=offered)

    def open_pdf_page(self, study_id: int, page: int) -> None:
        """Open the study's PDF (under a readable name) in the desktop's viewer, at a page where the viewer
        honours #page=N."""
        path = readable_copy(self.library, study_id)
        if path is None:
            self.message.emit("This study has no PDF in the library.")
            return
        url = QUrl.fromLocalFile(str(path))
        url.setFragment(f"page={page}")
        if QDesktopServices.openUrl(url) or QDesktopServices.openUrl(QUrl.fromLocalFile(str(path))):
            return
        self.message.emit(f"No PDF viewer could open the file; it is stored at {path}")

    def save_notes(self, study_id: int, text: str) -> None:
        """Notes are a user change like any other: one undoable command with its feedback event."""
        self.ops.run(lambda library: set_notes(library, study_id, text), context="saving notes")

    # == the tree ===========================================================================================
    def _on_tree_current(self, current: QModelIndex, _previous: QModelIndex) -> None:
        if not current.isValid():
            return
        node = self.tree_model.node(current)
        if node.kind in ("study", "suggestion"):
            self.selected_study = node.id if node.kind == "study" else node.ref
            self.show_study(self.selected_study)
            return
        self.scope_node = (node.kind, node.id)
        self._apply_scope()

    def _remember_tree_state(self) -> None:
        expanded = set()
        for key in self._all_tree_keys():
            index = self.tree_model.index_of_key(key)
            if index.isValid() and self.tree.isExpanded(index):
                expanded.add(key)
        current = self.tree.currentIndex()
        self._tree_state = (expanded, self.tree_model.key(current) if current.isValid() else None)

    def _restore_tree_state(self) -> None:
        expanded, current = self._tree_state
        first_build = not expanded and current is None
        for key in self._all_tree_keys():
            if key in expanded or (first_build and key[0] == "aspect"):
                self.tree.setExpanded(self.tree_model.index_of_key(key), True)
        if current is not None:
            index = self.tree_model.index_of_key(current)
            if index.isValid():
                self.tree.selectionModel().blockSignals(True)
                self.tree.setCurrentIndex(index)
                self.tree.selectionModel().blockSignals(False)

    def _all_tree_keys(self) -> list[tuple[str, int, int | None]]:
        from ui.tree_model import walk

        return [(n.kind, n.id, n.parent.id if n.kind == "study" and n.parent else None)
                for n in walk(self.tree_model.root) if n.kind != "study"]

    def category_exists(self, category_id: int) -> bool:
        return exists(self.library, "categories", category_id)

    def give_tree_room(self) -> None:
        """The tree gets room, for reorganising categories rather than reading."""
        width = self.width()
        self.setSizes([width * 45 // 100, width * 30 // 100, width * 25 // 100])
        self.tree.setFocus()

    def give_table_room(self) -> None:
        """The default reading layout: the table's titles are what matter most."""
        width = self.width() or 1280
        self.setSizes([width * 21 // 100, width * 51 // 100, width * 28 // 100])
        self.restore_table_layout()
