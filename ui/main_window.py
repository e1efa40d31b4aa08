"""The main window: library table, hierarchy tree and study pane; screening; import; pipeline; export.

The window owns one ``Library`` on the GUI thread for reading and for the user's quick edits (one short
transaction each: a move, a rename, a decision). Long work (import, claims, hierarchy build, ranking) runs in
``JobRunner`` workers, each with its own connection. After anything changes, ``refresh`` re-reads what the
views show from the database (Anki's "refresh after an operation"), so every view always agrees with the core.
"""

from __future__ import annotations

import contextlib
import logging
import os
from collections.abc import Callable
from pathlib import Path
from typing import Any

from PySide6.QtCore import QItemSelectionModel, QModelIndex, QSettings, Qt, QTimer, QUrl
from PySide6.QtGui import QAction, QDesktopServices, QDragEnterEvent, QDropEvent, QKeySequence
from PySide6.QtWidgets import (
    QAbstractItemView,
    QComboBox,
    QFileDialog,
    QHBoxLayout,
    QHeaderView,
    QInputDialog,
    QLabel,
    QLineEdit,
    QMainWindow,
    QMessageBox,
    QProgressBar,
    QPushButton,
    QSplitter,
    QStackedWidget,
    QTableView,
    QTabWidget,
    QVBoxLayout,
    QWidget,
)

from litreview.hierarchy import tree as hierarchy
from litreview.hierarchy.tree import HierarchyError
from litreview.jobs import ProgressEvent
from litreview.llm import LlmSettings
from litreview.paths import config_dir
from litreview.store import Library
from ui.empty_state import EmptyState
from ui.import_summary import ImportSummaryDialog, summary_line
from ui.library_model import DECISION_FILTERS, LibraryTableModel
from ui.study_pane import StudyPane
from ui.tree_model import HierarchyTreeModel
from ui.tree_view import HierarchyTreeView
from ui.workers import JobRunner, WarmUp

log = logging.getLogger(__name__)

PIPELINE = "pipeline"
REFRESH_WHILE_RUNNING_MS = 700  # results appear as they come, without repainting for every item


def import_workers() -> int:
    """PDF reader processes for an import: every core but one, which stays free for the window (on a 2-core
    laptop two readers made the window miss its 100 ms turn; one reader kept it under)."""
    return max(1, (os.cpu_count() or 1) - 1)


def model_label(settings: LlmSettings) -> str:
    """What the status bar says before a model is loaded (after loading, the engine's placement summary)."""
    if settings.server_url:
        return f"server {settings.server_url}"
    if settings.model_path:
        placement = settings.placement if settings.placement != "n-cpu-moe" else f"experts on CPU for {settings.n_cpu_moe} layers"
        return f"{Path(settings.model_path).name} · {placement}"
    return "small default model"


class MainWindow(QMainWindow):
    def __init__(self, folder: Path):
        super().__init__()
        self.setWindowTitle("litreview")
        self.setAcceptDrops(True)  # files from the file manager, anywhere on the window
        self.library = Library(folder)
        self.runner = JobRunner(self.library.folder, self)
        # UI preferences (last folders) beside settings.toml in the per-user config folder
        self.qsettings = QSettings(str(config_dir() / "ui.ini"), QSettings.Format.IniFormat)
        self.last_summary: ImportSummaryDialog | None = None
        self.last_error: str | None = None
        self._engine_cache: Any = None  # the open LLM engine, kept between pipeline jobs
        self._engine_stale = False  # settings changed: reopen before the next job
        self._live_refresh = QTimer(self, interval=REFRESH_WHILE_RUNNING_MS)
        self._live_refresh.timeout.connect(self._refresh_if_written)
        self._data_version: int | None = None

        self.table_model = LibraryTableModel(self.library, self)
        self.tree_model = HierarchyTreeModel(self.library, self)
        self._build_library_page()
        self._build_screening_page()
        self.empty_state = EmptyState()
        self.empty_state.open_demo.connect(self.open_demo_corpus)
        self.empty_state.import_files.connect(self.import_files_dialog)
        self.tabs = QTabWidget()
        self.tabs.addTab(self.library_page, "Library")
        self.tabs.addTab(self.screening, "Screening")
        self.tabs.currentChanged.connect(self._on_tab_changed)
        self.stack = QStackedWidget()
        self.stack.addWidget(self.empty_state)
        self.stack.addWidget(self.tabs)
        self.setCentralWidget(self.stack)
        self._build_status_bar()
        self._build_menus()

        self.runner.started.connect(self._on_job_started)
        self.runner.progress.connect(self._on_job_progress)
        self.runner.finished.connect(self._on_job_finished)
        self.runner.failed.connect(self._on_job_failed)
        self.runner.cancelled.connect(self._on_job_cancelled)
        self.resize(1280, 800)
        self.refresh()
        self.warm_up = WarmUp()
        QTimer.singleShot(0, self.warm_up.start)  # once the event loop runs, i.e. after the window is shown

    # == layout ===========================================================================================
    def _build_library_page(self) -> None:
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
        top = QHBoxLayout()
        top.addWidget(self.search_box, 1)
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
        header = self.table.horizontalHeader()
        header.setSectionResizeMode(0, QHeaderView.ResizeMode.Stretch)
        for column, width in ((1, 140), (2, 50), (3, 110), (4, 72), (5, 52)):
            header.setSectionResizeMode(column, QHeaderView.ResizeMode.Interactive)
            header.resizeSection(column, width)
        self.table.selectionModel().currentRowChanged.connect(self._on_table_row)
        self.table_model.modelReset.connect(self._restore_table_selection)

        self.tree = HierarchyTreeView(self.tree_model)
        self.tree.selectionModel().currentChanged.connect(self._on_tree_current)
        self.tree.studies_dropped.connect(self.drop_studies)
        self.tree.categories_dropped.connect(self.drop_categories)
        # queued: the edit resets the model, which must not happen inside the editor's own setData call
        self.tree_model.rename_requested.connect(self.rename_node, Qt.ConnectionType.QueuedConnection)
        self.tree_model.modelAboutToBeReset.connect(self._remember_tree_state)
        self.tree_model.modelReset.connect(self._restore_tree_state)
        self.tree_hint = QLabel("No hierarchy yet: Pipeline → Build hierarchy.")
        self.tree_hint.setWordWrap(True)
        self.tree_hint.setStyleSheet("color: gray; padding: 6px")
        tree_box = QWidget()
        tree_layout = QVBoxLayout(tree_box)
        tree_layout.setContentsMargins(0, 0, 0, 0)
        tree_layout.addWidget(self.tree, 1)
        tree_layout.addWidget(self.tree_hint)

        self.study_pane = StudyPane()
        self.study_pane.open_page.connect(self.open_pdf_page)
        self.study_pane.notes_edited.connect(self.save_notes)

        middle = QWidget()
        middle_layout = QVBoxLayout(middle)
        middle_layout.setContentsMargins(0, 0, 0, 0)
        middle_layout.addLayout(top)
        middle_layout.addWidget(self.scope_row)
        middle_layout.addWidget(self.table, 1)
        self.splitter = QSplitter(Qt.Orientation.Horizontal)
        self.splitter.addWidget(tree_box)
        self.splitter.addWidget(middle)
        self.splitter.addWidget(self.study_pane)
        self.splitter.setSizes([270, 650, 360])
        self.library_page = self.splitter
        self._tree_state: tuple[set, Any] = (set(), None)
        self._selected_study: int | None = None
        self._scope_category: int | None = None

    def _build_screening_page(self) -> None:
        from ui.screening_view import ScreeningView

        self.screening = ScreeningView(self.library, self)
        self.screening.changed.connect(self.refresh)
        self.screening.undo_requested.connect(self.undo)

    def _build_status_bar(self) -> None:
        bar = self.statusBar()
        self.progress = QProgressBar()
        self.progress.setMaximumWidth(260)
        self.progress.setTextVisible(True)
        self.cancel_button = QPushButton("Cancel")
        self.cancel_button.clicked.connect(self.cancel_job)
        self.job_label = QLabel()
        for widget in (self.job_label, self.progress, self.cancel_button):
            widget.hide()
            bar.addPermanentWidget(widget)
        self.model_status = QLabel(model_label(self._llm_settings()))
        self.model_status.setToolTip("The language model the pipeline uses (Edit → Settings to change it)")
        bar.addPermanentWidget(self.model_status)

    def _action(self, menu, text: str, slot: Callable, shortcut: QKeySequence | str | None = None) -> QAction:
        action = QAction(text, self)
        if shortcut is not None:
            action.setShortcut(QKeySequence(shortcut))
        action.triggered.connect(lambda _checked=False: slot())
        menu.addAction(action)
        return action

    def _build_menus(self) -> None:
        bar = self.menuBar()
        file_menu = bar.addMenu("&File")
        self._action(file_menu, "&Import files…", self.import_files_dialog, QKeySequence.StandardKey.Open)
        self._action(file_menu, "Import &folder…", self.import_folder_dialog)
        self._action(file_menu, "Open &demo corpus", self.open_demo_corpus)
        export_menu = file_menu.addMenu("&Export")
        self._action(export_menu, "Hierarchy as &Markdown…", lambda: self.export("hierarchy-markdown"))
        self._action(export_menu, "Hierarchy as &CSV…", lambda: self.export("hierarchy-csv"))
        export_menu.addSeparator()
        self._action(export_menu, "Library as &RIS…", lambda: self.export("ris"))
        self._action(export_menu, "Library as &BibTeX…", lambda: self.export("bibtex"))
        self._action(export_menu, "Library as C&SV…", lambda: self.export("csv"))
        file_menu.addSeparator()
        self._action(file_menu, "&Quit", self.close, QKeySequence.StandardKey.Quit)

        edit_menu = bar.addMenu("&Edit")
        self.undo_action = self._action(edit_menu, "Undo", self.undo, "Ctrl+Z")
        self.redo_action = self._action(edit_menu, "Redo", self.redo, "Ctrl+Shift+Z")
        edit_menu.addSeparator()
        self._action(edit_menu, "&Settings…", self.open_settings)

        tree_menu = bar.addMenu("&Hierarchy")
        self.tree.setContextMenuPolicy(Qt.ContextMenuPolicy.ActionsContextMenu)  # right-click: the same actions
        self._action(tree_menu, "&New category…", self.new_category_dialog, "Ctrl+N")
        self._action(tree_menu, "New &aspect…", self.new_aspect_dialog)
        self.rename_action = self._action(tree_menu, "&Rename", self.rename_current, "F2")
        self._action(tree_menu, "&Delete category", self.delete_current)
        self._action(tree_menu, "&Merge into…", self.merge_current_dialog)
        self._action(tree_menu, "&Split…", self.split_current_dialog)
        self._action(tree_menu, "&Lock / unlock", self.toggle_lock_current, "Ctrl+L")
        self._action(tree_menu, "Remove study from category", self.unassign_current)
        self.tree.addActions(tree_menu.actions())

        pipeline = bar.addMenu("&Pipeline")
        self._action(pipeline, "&Rank for screening", self.run_rank)
        self._action(pipeline, "Extract &claims", self.run_claims)
        self._action(pipeline, "Build &hierarchy", self.run_build)

        view = bar.addMenu("&View")
        self._action(view, "&Library", lambda: self.tabs.setCurrentWidget(self.library_page), "Ctrl+1")
        self._action(view, "&Screening", lambda: self.tabs.setCurrentWidget(self.screening), "Ctrl+2")
        self._action(view, "&Hierarchy (wide tree)", self.show_hierarchy_view, "Ctrl+3")

    # == refreshing =======================================================================================
    def refresh(self) -> None:
        """Re-read everything shown from the database (after an edit, an undo, an import, a job)."""
        has_studies = self.library.study_count() > 0
        self.stack.setCurrentWidget(self.tabs if has_studies else self.empty_state)
        if self._scope_category is not None and not self._category_exists(self._scope_category):
            self._scope_category = None
        self._apply_scope(refresh_table=False)
        self.table_model.refresh()
        self.tree_model.refresh()
        self.tree_hint.setVisible(self.tree_model.hierarchy_id is None)
        self._show_study(self._selected_study)
        if self.tabs.currentWidget() is self.screening:
            self.screening.refresh()
        self._update_undo_actions()

    def _refresh_if_written(self) -> None:
        """While a job runs: refresh only when it committed something since the last look (SQLite's
        data_version changes when another connection commits), so the table does not reset for nothing."""
        version = self.library.conn.execute("PRAGMA data_version").fetchone()[0]
        if version != self._data_version:
            self._data_version = version
            self.refresh()

    def _update_undo_actions(self) -> None:
        undo, redo = self.library.undo_label(), self.library.redo_label()
        self.undo_action.setText(f"Undo {undo}" if undo else "Undo")
        self.undo_action.setEnabled(undo is not None)
        self.redo_action.setText(f"Redo {redo}" if redo else "Redo")
        self.redo_action.setEnabled(redo is not None)

    def _on_tab_changed(self, _index: int) -> None:
        if self.tabs.currentWidget() is self.screening:
            self.screening.refresh()
            self.screening.setFocus()

    def _category_exists(self, category_id: int) -> bool:
        return self.library.conn.execute("SELECT 1 FROM categories WHERE id = ?", (category_id,)).fetchone() is not None

    # == library table and study pane =======================================================================
    def _apply_search(self) -> None:
        self.table_model.set_filters(search=self.search_box.text())
        self._show_study(self._selected_study)

    def _apply_scope(self, refresh_table: bool = True) -> None:
        """Limit the table to the selected category (or show everything)."""
        category = self._scope_category
        if category is None:
            self.table_model.only_ids, self.table_model.drag_from = None, None
            self.scope_label.setText("")
        else:
            self.table_model.only_ids = hierarchy.studies_in(self.library, category)
            is_aspect = self.library.conn.execute(
                "SELECT parent_id IS NULL FROM categories WHERE id = ?", (category,)).fetchone()[0]
            self.table_model.drag_from = None if is_aspect else category
            self.scope_label.setText("in " + " › ".join(hierarchy.category_path(self.library, category)))
        self.scope_row.setVisible(category is not None)
        if refresh_table:
            self.table_model.refresh()

    def show_hierarchy_view(self) -> None:
        """The library page with the tree given room: for reorganising categories rather than reading."""
        self.tabs.setCurrentWidget(self.library_page)
        width = self.splitter.width()
        self.splitter.setSizes([width * 45 // 100, width * 30 // 100, width * 25 // 100])
        self.tree.setFocus()

    def show_all_studies(self) -> None:
        self._scope_category = None
        self.tree.clearSelection()
        self._apply_scope()

    def _on_table_row(self, current: QModelIndex, _previous: QModelIndex) -> None:
        study_id = self.table_model.study_id(current.row()) if current.isValid() else None
        if study_id is not None:
            self._selected_study = study_id
            self._show_study(study_id)

    def _restore_table_selection(self) -> None:
        if self._selected_study is None:
            return
        row = self.table_model.row_of(self._selected_study)
        if row is not None:
            self.table.selectionModel().setCurrentIndex(
                self.table_model.index(row, 0),
                QItemSelectionModel.SelectionFlag.ClearAndSelect | QItemSelectionModel.SelectionFlag.Rows)

    def _query_terms(self) -> list[str]:
        from ui.highlight import terms_of

        protocol = self.library.query("SELECT question, inclusion FROM protocol WHERE id = 1")
        question = protocol[0]["question"] if protocol else ""
        return terms_of(self.search_box.text(), question, min_length=4)

    def _show_study(self, study_id: int | None) -> None:
        study = self.library.study(study_id) if study_id is not None else None
        if study is None:
            self._selected_study = None
            self.study_pane.show_study(None)
            return
        claims = self.library.query("SELECT * FROM claims WHERE study_id = ? ORDER BY position, id", (study_id,))
        decision = self.library.query("SELECT decision FROM decisions WHERE study_id = ?", (study_id,))
        categories = []
        if self.tree_model.hierarchy_id is not None:
            categories = [" › ".join(c["path"]) for c in hierarchy.categories_of(
                self.library, study_id, self.tree_model.hierarchy_id) if not c["implied"]]
        self.study_pane.show_study(
            study, claims=claims, terms=self._query_terms(), categories=categories,
            decision=decision[0]["decision"] if decision else None,
            has_file=self.library.file_path(study_id) is not None)

    def open_pdf_page(self, study_id: int, page: int) -> None:
        """Open the study's PDF in the desktop's viewer, at a page where the viewer honours #page=N."""
        path = self.library.file_path(study_id)
        if path is None or not path.exists():
            self.statusBar().showMessage("This study has no PDF in the library.", 6000)
            return
        url = QUrl.fromLocalFile(str(path))
        url.setFragment(f"page={page}")
        if not QDesktopServices.openUrl(url):
            QDesktopServices.openUrl(QUrl.fromLocalFile(str(path)))

    def save_notes(self, study_id: int, text: str) -> None:
        """Notes are a user change like any other: one undoable command with its feedback event."""
        from litreview.study_notes import set_notes

        self.edit(set_notes, study_id, text, refresh=False)
        self._update_undo_actions()

    # == the hierarchy tree ===============================================================================
    def _on_tree_current(self, current: QModelIndex, _previous: QModelIndex) -> None:
        if not current.isValid():
            return
        node = self.tree_model.node(current)
        if node.kind == "study":
            self._selected_study = node.id
            self._show_study(node.id)
            return
        self._scope_category = node.id
        self._apply_scope()

    def _remember_tree_state(self) -> None:
        expanded = set()
        for row_key in self._all_tree_keys():
            index = self.tree_model.index_of_key(row_key)
            if index.isValid() and self.tree.isExpanded(index):
                expanded.add(row_key)
        current = self.tree.currentIndex()
        self._tree_state = (expanded, self.tree_model.key(current) if current.isValid() else None)

    def _restore_tree_state(self) -> None:
        expanded, current = self._tree_state
        first_build = not expanded and current is None
        for row_key in self._all_tree_keys():
            kind = row_key[0]
            if row_key in expanded or (first_build and kind == "aspect"):
                self.tree.setExpanded(self.tree_model.index_of_key(row_key), True)
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

    def edit(self, fn: Callable, *args: Any, refresh: bool = True, **kwargs: Any) -> Any:
        """Run one core edit on the GUI thread's library; a refused edit becomes a message, never a crash."""
        try:
            result = fn(self.library, *args, **kwargs)
        except (HierarchyError, ValueError, KeyError) as error:
            self.show_error(str(error).strip("'\""))
            return None
        if refresh:
            self.refresh()
        return result

    def show_error(self, message: str) -> None:
        self.last_error = message
        self.statusBar().showMessage(message, 10000)

    def drop_studies(self, ids: list[int], source: int | None, target: int, also_assign: bool) -> None:
        """A study dropped on a category: move it there (Ctrl: also assign it there, keeping it where it was)."""
        from litreview.hierarchy import edits

        assigned: list[int] = []
        moved: dict[int, list[int]] = {}
        for study_id in ids:
            origin = source
            if origin is None and not also_assign:
                origin = self._single_home(study_id, target)
            if also_assign or origin is None:
                assigned.append(study_id)
            elif origin != target:
                moved.setdefault(origin, []).append(study_id)
        # One drop = one core command (one Ctrl+Z) per origin category, not one per study.
        if assigned:
            self.edit(edits.assign_studies, assigned, target, refresh=False)
        for origin, group in moved.items():
            self.edit(edits.move_studies, group, origin, target, refresh=False)
        self.refresh()

    def _single_home(self, study_id: int, target: int) -> int | None:
        """For a study dragged from the unfiltered table: its one category in the target's aspect, if it has one
        (then the drag moves it from there); with none or several the drop assigns it."""
        graph = hierarchy.load_graph(self.library, self.tree_model.hierarchy_id)
        aspect = graph.nodes[target]["aspect_id"]
        homes = [c["category_id"] for c in hierarchy.categories_of(self.library, study_id, self.tree_model.hierarchy_id)
                 if c["aspect_id"] == aspect and not c["implied"]]
        return homes[0] if len(homes) == 1 else None

    def drop_categories(self, ids: list[int], target: int) -> None:
        from litreview.hierarchy import edits

        for category_id in ids:
            if category_id != target:
                self.edit(edits.reparent_category, category_id, target, refresh=False)
        self.refresh()

    def _current_node(self, *kinds: str):
        index = self.tree.currentIndex()
        if not index.isValid() or self.tree_model.node(index).kind not in kinds:
            self.show_error("Select a " + " or ".join(kinds) + " in the hierarchy first.")
            return None
        return self.tree_model.node(index)

    def rename_current(self) -> None:
        node = self._current_node("aspect", "category")
        if node is not None:
            self.tree.edit(self.tree.currentIndex())

    def rename_node(self, category_id: int, name: str) -> None:
        from litreview.hierarchy import edits

        self.edit(edits.rename_category, category_id, name)

    def new_category_dialog(self) -> None:
        node = self._current_node("aspect", "category")
        if node is None:
            return
        name, ok = QInputDialog.getText(self, "New category", f"Name of the new category under {node.name!r}:")
        if ok and name.strip():
            from litreview.hierarchy import edits

            self.edit(edits.new_category, node.id, name)

    def new_aspect_dialog(self) -> None:
        if self.tree_model.hierarchy_id is None:
            self.show_error("Build a hierarchy first (Pipeline → Build hierarchy).")
            return
        name, ok = QInputDialog.getText(self, "New aspect", "Name of the new aspect:")
        if ok and name.strip():
            from litreview.hierarchy import edits

            self.edit(edits.new_category, None, name, hierarchy_id=self.tree_model.hierarchy_id)

    def delete_current(self) -> None:
        node = self._current_node("aspect", "category")
        if node is None:
            return
        from litreview.hierarchy import edits

        self.edit(edits.delete_category, node.id)
        self.statusBar().showMessage(f"Deleted {node.name!r} — Ctrl+Z brings it back.", 8000)

    def merge_current_dialog(self) -> None:
        node = self._current_node("aspect", "category")
        if node is None:
            return
        from ui.tree_model import walk

        kinds = ("aspect",) if node.kind == "aspect" else ("category",)
        targets = [n for n in walk(self.tree_model.root) if n.kind in kinds and n.id != node.id]
        labels = [" › ".join(hierarchy.category_path(self.library, n.id)) for n in targets]
        if not targets:
            self.show_error("There is nothing to merge it into.")
            return
        choice, ok = QInputDialog.getItem(self, "Merge", f"Merge {node.name!r} into:", labels, 0, False)
        if ok:
            from litreview.hierarchy import edits

            self.edit(edits.merge_categories, node.id, targets[labels.index(choice)].id)

    def split_current_dialog(self) -> None:
        """Split: the studies selected in the table go into a new sub-category (the rest stay)."""
        node = self._current_node("category")
        if node is None:
            return
        selected = sorted({self.table_model.study_id(i.row()) for i in self.table.selectionModel().selectedRows()})
        if not selected:
            self.show_error(f"Select the studies of {node.name!r} to split off in the table first.")
            return
        name, ok = QInputDialog.getText(
            self, "Split category", f"Name of the new sub-category for the {len(selected)} selected studies:")
        if ok and name.strip():
            from litreview.hierarchy import edits

            self.edit(edits.split_category, node.id, {name: selected})

    def toggle_lock_current(self) -> None:
        node = self._current_node("aspect", "category", "study")
        if node is None:
            return
        from litreview.hierarchy import edits

        if node.kind == "study":
            self.edit(edits.set_locked, assignment=(node.id, node.parent.id), locked=not node.locked)
        else:
            self.edit(edits.set_locked, category_id=node.id, locked=not node.locked)

    def unassign_current(self) -> None:
        node = self._current_node("study")
        if node is not None:
            from litreview.hierarchy import edits

            self.edit(edits.unassign_study, node.id, node.parent.id)

    # == undo / redo ======================================================================================
    def undo(self) -> None:
        self.study_pane.flush_notes()
        label = self.library.undo()
        self.statusBar().showMessage(f"Undone: {label}" if label else "Nothing to undo.", 5000)
        self.refresh()

    def redo(self) -> None:
        label = self.library.redo()
        self.statusBar().showMessage(f"Redone: {label}" if label else "Nothing to redo.", 5000)
        self.refresh()

    # == import ===========================================================================================
    def dragEnterEvent(self, event: QDragEnterEvent) -> None:
        if _local_paths(event.mimeData()):
            event.acceptProposedAction()
        else:
            event.ignore()

    def dragMoveEvent(self, event) -> None:  # noqa: N802 (Qt name)
        self.dragEnterEvent(event)

    def dropEvent(self, event: QDropEvent) -> None:
        paths = _local_paths(event.mimeData())
        if not paths:
            event.ignore()
            return
        event.acceptProposedAction()
        self.import_paths(paths)

    def import_files_dialog(self) -> None:
        files, _ = QFileDialog.getOpenFileNames(
            self, "Import", self._last_folder("import"),
            "Studies (*.pdf *.ris *.bib *.bibtex *.csv *.txt);;All files (*)")
        if files:
            self._remember_folder("import", Path(files[0]).parent)
            self.import_paths([Path(f) for f in files])

    def import_folder_dialog(self) -> None:
        folder = QFileDialog.getExistingDirectory(self, "Import a folder of PDFs", self._last_folder("import"))
        if folder:
            self._remember_folder("import", Path(folder))
            self.import_paths([Path(folder)])

    def import_paths(self, paths: list[Path]) -> bool:
        def job(library: Library, progress, cancel):
            from litreview.importing import import_paths

            return import_paths(library, paths, progress=progress, cancel=cancel, workers=import_workers())

        return self.start_job("Import", job, on_done=self._show_import_summary)

    def _show_import_summary(self, outcomes: list[Any], cancelled: bool = False) -> None:
        self.refresh()
        self.statusBar().showMessage(summary_line(outcomes, cancelled), 10000)
        self.last_summary = ImportSummaryDialog(outcomes, cancelled=cancelled, parent=self)
        self.last_summary.finished.connect(self.activateWindow)  # keys go back to the window
        self.last_summary.open()

    def open_demo_corpus(self) -> bool:
        def job(library: Library, progress, cancel):
            import tempfile

            from litreview.demo import write_demo_pdfs
            from litreview.importing import import_paths

            with tempfile.TemporaryDirectory(prefix="litreview-demo-") as folder:
                return import_paths(library, write_demo_pdfs(folder), progress=progress, cancel=cancel,
                                    workers=import_workers())

        return self.start_job("Import", job, on_done=self._show_import_summary)

    # == pipeline =========================================================================================
    def start_job(self, name: str, fn: Callable, on_done: Callable[[Any], None] | None = None) -> bool:
        """Start a pipeline job, or refuse politely while another one runs."""
        running = self.runner.busy(PIPELINE)
        if running is not None:
            self.show_error(f"{running} is still running — wait for it to finish or press Cancel.")
            return False
        return self.runner.start(PIPELINE, name, fn, on_done=on_done)

    def cancel_job(self) -> None:
        """Stop the running job at its next item boundary (what is finished stays saved)."""
        self.runner.cancel(PIPELINE)
        self.cancel_button.setEnabled(False)
        self.job_label.setText("Stopping after the current item…")

    def run_rank(self) -> bool:
        """Ranking runs in its own background thread (it is also re-run after every decision)."""
        self.tabs.setCurrentWidget(self.screening)
        self.screening.rank_now()
        self.statusBar().showMessage("Ranking the unscreened records…", 4000)
        return True

    def run_claims(self) -> bool:
        def job(library: Library, progress, cancel):
            from litreview.claims import extract_claims

            with self._engine(library, progress) as engine:
                return extract_claims(library, engine, progress=progress, cancel=cancel)

        return self.start_job("Extract claims", job)

    def run_build(self) -> bool:
        def job(library: Library, progress, cancel):
            from litreview.hierarchy.build import build_hierarchy

            with self._engine(library, progress) as engine:
                return build_hierarchy(library, engine, progress=progress, cancel=cancel)

        return self.start_job("Build hierarchy", job)

    @contextlib.contextmanager
    def _engine(self, library: Library, progress):
        """The configured model, opened in the worker on first use and kept for the next job (loading takes
        seconds); the status bar learns where its weights went. Only pipeline jobs use it, one at a time."""
        from litreview.llm import open_engine

        if self._engine_cache is None or self._engine_stale:
            self._close_engine()
            progress(ProgressEvent("Loading model", 0, None, "loading the language model…"))
            self._engine_cache = open_engine(library=library)
            self._engine_stale = False
        engine = self._engine_cache
        engine.record_to(library)  # LLM calls are logged in this job's connection
        progress(ProgressEvent("Loading model", 1, 1, "", {"placement": engine.placement_summary()}))
        try:
            yield engine
        finally:
            engine.record_to(None)

    def _close_engine(self) -> None:
        if self._engine_cache is not None:
            self._engine_cache.close()
            self._engine_cache = None

    def _on_job_started(self, slot: str, name: str) -> None:
        if slot != PIPELINE:
            return
        self.job_label.setText(name + "…")
        self.progress.setRange(0, 0)
        for widget in (self.job_label, self.progress, self.cancel_button):
            widget.show()
        self.cancel_button.setEnabled(True)
        self._live_refresh.start()

    def _on_job_progress(self, slot: str, name: str, event: ProgressEvent) -> None:
        if "placement" in event.data:
            self.model_status.setText(event.data["placement"])
        if slot != PIPELINE:
            return
        if event.total:
            self.progress.setRange(0, event.total)
            self.progress.setValue(min(event.done, event.total))
        else:
            self.progress.setRange(0, 0)
        if not self.cancel_button.isEnabled():
            return  # cancelling: keep saying so until the job stops
        self.job_label.setText(f"{event.stage or name}: {event.message}"[:80] if event.message else f"{event.stage or name}…")

    def _job_ended(self, slot: str) -> bool:
        if slot != PIPELINE:
            return False
        self._live_refresh.stop()
        for widget in (self.job_label, self.progress, self.cancel_button):
            widget.hide()
        return True

    def _on_job_finished(self, slot: str, name: str, result: Any) -> None:
        if self._job_ended(slot):
            if name != "Import":
                self.statusBar().showMessage(f"{name}: done.", 8000)
            self.refresh()

    def _on_job_failed(self, slot: str, name: str, message: str) -> None:
        if self._job_ended(slot):
            self.refresh()
            self.show_error(f"{name} failed: {message}")
            box = QMessageBox(QMessageBox.Icon.Warning, f"{name} failed", message, QMessageBox.StandardButton.Ok, self)
            box.open()
            self.last_error_box = box

    def _on_job_cancelled(self, slot: str, name: str, result: Any) -> None:
        if self._job_ended(slot):
            if name == "Import" and isinstance(result, list):
                self._show_import_summary(result, cancelled=True)
            else:
                self.refresh()
                self.statusBar().showMessage(f"{name} cancelled; everything finished before that is saved.", 8000)

    # == settings and export ==============================================================================
    def _llm_settings(self) -> LlmSettings:
        try:
            return LlmSettings.load()
        except ValueError as error:
            log.warning("settings unreadable, using defaults: %s", error)
            return LlmSettings()

    def open_settings(self) -> None:
        from ui.settings_dialog import SettingsDialog

        dialog = SettingsDialog(self._llm_settings(), self)
        dialog.accepted.connect(lambda: self._settings_saved(dialog.settings))
        dialog.open()
        self.settings_dialog = dialog

    def _settings_saved(self, settings: LlmSettings) -> None:
        self._engine_stale = True  # a running job keeps its engine; the next one opens the new model
        self.model_status.setText(model_label(settings))

    def _last_folder(self, kind: str) -> str:
        return str(self.qsettings.value(f"folders/{kind}", str(Path.home())))

    def _remember_folder(self, kind: str, folder: Path) -> None:
        self.qsettings.setValue(f"folders/{kind}", str(folder))

    def export(self, what: str, target: Path | None = None) -> Path | None:
        """Write an export; ``target`` None asks where (starting in the folder used last time)."""
        from ui.exporting import EXPORTS

        title, suffix, filter_text, write = EXPORTS[what]
        if what.startswith("hierarchy") and self.tree_model.hierarchy_id is None:
            self.show_error("There is no hierarchy to export yet (Pipeline → Build hierarchy).")
            return None
        if target is None:
            start = str(Path(self._last_folder("export")) / f"litreview{suffix}")
            chosen, _ = QFileDialog.getSaveFileName(self, title, start, filter_text)
            if not chosen:
                return None
            target = Path(chosen)
        try:
            write(self.library, self.tree_model.hierarchy_id, target)
        except (OSError, ValueError) as error:
            self.show_error(f"Export failed: {error}")
            return None
        self._remember_folder("export", target.parent)
        self.statusBar().showMessage(f"Exported to {target}", 8000)
        return target

    # == closing ==========================================================================================
    def closeEvent(self, event) -> None:  # noqa: N802 (Qt name)
        self.study_pane.flush_notes()
        for timer in self.findChildren(QTimer):  # nothing may touch the library after it is closed
            timer.stop()
        self.screening.stop()
        if self.runner.shutdown():
            self._close_engine()  # never under a job that is still running
        self.warm_up.wait(2)  # quitting right after start-up need not wait for the preload to finish
        self.library.close()
        super().closeEvent(event)


def _local_paths(mime) -> list[Path]:
    if not mime.hasUrls():
        return []
    return [Path(url.toLocalFile()) for url in mime.urls() if url.isLocalFile()]
