"""The main window: the shell around the library page, the screening view and the pipeline.

Who does what (ARCHITECTURE.md has the whole picture):
* ``Ops`` owns the library's one writer: every change, the user's or a job's, is an op run there, and what it
  changed comes back as ``Changes``; ``refresh(changes)`` hands them to the views, which redraw only what was
  touched and only when visible (a hidden view catches up when it is shown).
* the window reads through its own read-only library; it holds no SQL and no domain rules.
* ``LibraryPage`` (table, tree, study pane), ``HierarchyActions`` (the corrections menu), ``Pipeline`` (import,
  claims, build jobs) and ``ScreeningView`` each own their part; the window wires menus, undo/redo, file drops,
  settings and exports.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from pathlib import Path
from typing import Any

from PySide6.QtCore import QSettings, QTimer
from PySide6.QtGui import QAction, QDragEnterEvent, QDropEvent, QKeySequence
from PySide6.QtWidgets import (
    QCheckBox,
    QFileDialog,
    QLabel,
    QMainWindow,
    QMenu,
    QMessageBox,
    QStackedWidget,
    QTabWidget,
)

from litreview.llm import LlmSettings
from litreview.paths import config_dir
from litreview.store import DB_NAME, AppLock, Changes, Library
from ui.empty_state import EmptyState
from ui.help import guide_dialog, shortcuts_dialog, show_about
from ui.hierarchy_actions import HierarchyActions
from ui.import_summary import ImportSummaryDialog, summary_line
from ui.library_page import LibraryPage
from ui.ops import Ops, user_message
from ui.pipeline import Pipeline
from ui.study_actions import StudyActions
from ui.workers import WarmUp

log = logging.getLogger(__name__)


def model_label(settings: LlmSettings) -> str:
    """What the status bar says before a model is loaded (after loading, the engine's placement summary)."""
    if settings.server_url:
        return f"server {settings.server_url}"
    if settings.model_path:
        placement = (settings.placement if settings.placement != "n-cpu-moe"
                     else f"experts on CPU for {settings.n_cpu_moe} layers")
        return f"{Path(settings.model_path).name} · {placement}"
    return "default model"


class MainWindow(QMainWindow):
    def __init__(self, folder: Path):
        super().__init__()
        self.setAcceptDrops(True)  # files from the file manager, anywhere on the window
        self.app_lock = AppLock(Path(folder).expanduser())  # a second window on this library is refused here
        try:
            self.ops = Ops(Path(folder), self)  # opens (and checks) the library first: a refusal raises here
        except BaseException:
            self.app_lock.release()
            raise
        self.library = Library(folder, read_only=True)
        self.setWindowTitle(f"{self.library.folder.name} — litreview")
        self.qsettings = QSettings(str(config_dir() / "ui.ini"), QSettings.Format.IniFormat)
        self.last_summary: ImportSummaryDialog | None = None
        self.history_dialog: Any = None
        self.last_error: str | None = None
        self._stale: set[str] = set()  # views that missed changes while hidden
        self._closed = False  # after closeEvent nothing may read the (closed) library

        self.page = LibraryPage(self.library, self.ops, self)
        from ui.screening_view import ScreeningView

        self.screening = ScreeningView(self.library, self.ops, self)
        self.screening.undo_requested.connect(self.undo)
        self.empty_state = EmptyState()
        self.tabs = QTabWidget()
        self.tabs.addTab(self.page, "Library")
        self.tabs.addTab(self.screening, "Screening")
        self.tabs.currentChanged.connect(self._on_tab_changed)
        self.stack = QStackedWidget()
        self.stack.addWidget(self.empty_state)
        self.stack.addWidget(self.tabs)
        self.setCentralWidget(self.stack)

        self.model_status = QLabel(model_label(self._llm_settings()))
        self.model_status.setToolTip("The language model the pipeline uses (Edit → Settings to change it)")
        self.pipeline = Pipeline(self.ops, self.statusBar(), self)
        self.statusBar().addPermanentWidget(self.model_status)
        self.hierarchy_actions = HierarchyActions(self.page, self.ops, self)
        self.study_actions = StudyActions(self.page, self.ops, self)
        self._build_menus()
        remember_library(self.library.folder)

        self.ops.changed.connect(self.refresh)
        self.ops.error.connect(self.show_error)
        self.page.message.connect(self.show_message)
        self.pipeline.message.connect(self.show_message)
        self.pipeline.refused.connect(self.show_error)
        self.hierarchy_actions.refused.connect(self.show_error)
        self.study_actions.refused.connect(self.show_error)
        self.study_actions.message.connect(self.show_message)
        self.pipeline.placement.connect(self.model_status.setText)
        self.pipeline.imported.connect(self._show_import_summary)
        self.pipeline.runner.started.connect(lambda *_: self._update_actions())
        self.pipeline.ended.connect(lambda _name: self.refresh())
        self.empty_state.open_demo.connect(self.open_demo_corpus)
        self.empty_state.import_files.connect(self.import_files_dialog)
        self.resize(1280, 800)
        self.refresh()
        self.warm_up = WarmUp()
        QTimer.singleShot(0, self.warm_up.start)  # once the event loop runs, i.e. after the window is shown

    # -- parts the tests and other views reach -------------------------------------------------------------------
    @property
    def table(self):
        return self.page.table

    @property
    def table_model(self):
        return self.page.table_model

    @property
    def tree(self):
        return self.page.tree

    @property
    def tree_model(self):
        return self.page.tree_model

    @property
    def study_pane(self):
        return self.page.study_pane

    @property
    def runner(self):
        return self.pipeline.runner

    # == menus =================================================================================================
    def _action(self, menu: QMenu, text: str, slot: Callable[[], Any],
                shortcut: QKeySequence | QKeySequence.StandardKey | str | None = None) -> QAction:
        action = QAction(text, self)
        if shortcut is not None:
            action.setShortcut(QKeySequence(shortcut))
        action.triggered.connect(lambda _checked=False: slot())
        menu.addAction(action)
        return action

    def _build_menus(self) -> None:
        bar = self.menuBar()
        file_menu = bar.addMenu("&File")
        self._action(file_menu, "&New library…", self.new_library_dialog, QKeySequence.StandardKey.New)
        self._action(file_menu, "&Open library…", self.open_library_dialog, "Ctrl+Shift+O")
        self.recent_menu = file_menu.addMenu("&Recent libraries")
        self.recent_menu.aboutToShow.connect(self._fill_recent)
        file_menu.addSeparator()
        self._action(file_menu, "&Import files…", self.import_files_dialog, QKeySequence.StandardKey.Open)
        self._action(file_menu, "Import &folder…", self.import_folder_dialog)
        self._action(file_menu, "Open &demo corpus", self.open_demo_corpus)
        self._action(file_menu, "Past &imports…", self.show_past_imports)
        export_menu = file_menu.addMenu("&Export")
        self._action(export_menu, "&PRISMA flow diagram…", self.show_prisma)
        self.export_actions = {
            "taxonomy": self._action(export_menu, "&Taxonomy figure…", self.show_taxonomy),
            "hierarchy-markdown": self._action(export_menu, "Hierarchy as &Markdown…",
                                               lambda: self.export("hierarchy-markdown")),
            "hierarchy-csv": self._action(export_menu, "Hierarchy as &CSV…", lambda: self.export("hierarchy-csv")),
            "hierarchy-summary": self._action(export_menu, "Hierarchy summary &table (CSV)…",
                                              lambda: self.export("hierarchy-summary")),
        }
        export_menu.addSeparator()
        self._action(export_menu, "Screening &decisions (CSV)…", lambda: self.export("decisions"))
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

        self.hierarchy_actions.fill(bar.addMenu("&Hierarchy"))

        pipeline = bar.addMenu("&Pipeline")
        self.pipeline_actions = {
            "rank": self._action(pipeline, "&Rank for screening", self.run_rank),
            "claims": self._action(pipeline, "Extract &claims", self.pipeline.run_claims),
            "build": self._action(pipeline, "Build &hierarchy", self.confirm_build),
        }

        view = bar.addMenu("&View")
        self._action(view, "&Library", self.show_library_view, "Ctrl+1")
        self._action(view, "&Screening", lambda: self.tabs.setCurrentWidget(self.screening), "Ctrl+2")
        self._action(view, "&Hierarchy (wide tree)", self.show_hierarchy_view, "Ctrl+3")
        view.addSeparator()
        self._action(view, "&Decision history", self.show_history, "Ctrl+H")

        help_menu = bar.addMenu("&Help")
        self._action(help_menu, "A first review in ten &minutes", self.show_guide, QKeySequence.StandardKey.HelpContents)
        self._action(help_menu, "&Keyboard shortcuts", self.show_shortcuts, "Ctrl+/")
        self._action(help_menu, "&About litreview", lambda: show_about(self.model_status.text(), self.library.folder,
                                                                       self))

    # == refreshing ===============================================================================================
    def refresh(self, changes: Changes | None = None) -> None:
        """Hand what changed to the views (everything, when ``changes`` is None); hidden views catch up later."""
        if self._closed:
            return
        has_studies = self.library.study_count() > 0
        self.stack.setCurrentWidget(self.tabs if has_studies else self.empty_state)
        areas = changes.areas if changes is not None else {"studies", "decisions", "hierarchy", "claims", "protocol"}
        if self.tabs.currentWidget() is self.page:
            self.page.refresh(changes)
        else:
            self._stale.add("library")
        if areas & {"studies", "decisions", "protocol", "settings"}:
            if self.tabs.currentWidget() is not self.screening:
                self._stale.add("screening")
            elif changes is None:
                self.screening.refresh()
            else:
                self.screening.on_changes(changes)
        self._update_actions()

    def _on_tab_changed(self, _index: int) -> None:
        if self.tabs.currentWidget() is self.screening:
            if "screening" in self._stale:
                self._stale.discard("screening")
                self.screening.refresh()
            self.screening.setFocus()
        elif "library" in self._stale:
            self._stale.discard("library")
            self.page.refresh()

    def _update_actions(self) -> None:
        """Undo/redo say what they would do; actions that cannot apply now are disabled with the reason."""
        undo, redo = self.library.undo_label(), self.library.redo_label()
        self.undo_action.setText(f"Undo {undo}" if undo else "Undo")
        self.undo_action.setEnabled(undo is not None)
        self.redo_action.setText(f"Redo {redo}" if redo else "Redo")
        self.redo_action.setEnabled(redo is not None)
        writing = self.pipeline.writing()
        self.hierarchy_actions.busy_reason = ("Wait for the hierarchy build to finish (or cancel it)."
                                              if writing == "hierarchy" else None)
        self.hierarchy_actions.update_state()
        has_studies = self.library.study_count() > 0
        has_hierarchy = self.tree_model.hierarchy_id is not None
        for action in self.pipeline_actions.values():
            action.setEnabled(has_studies)
            action.setToolTip("" if has_studies else "Import studies first (drop files on the window).")
        for action in self.export_actions.values():
            action.setEnabled(has_hierarchy)
            action.setToolTip("" if has_hierarchy else "There is no hierarchy to export yet.")

    # == messages =================================================================================================
    def show_error(self, message: str) -> None:
        self.last_error = message
        self.statusBar().showMessage(message, 10000)

    def show_message(self, message: str) -> None:
        if message:
            self.statusBar().showMessage(message, 8000)

    # == undo / redo ==============================================================================================
    def undo(self) -> None:
        self.study_pane.flush_notes()
        self.ops.run(lambda library: library.undo(), context="undoing",
                     done=lambda changes: self.show_message(f"Undone: {changes.label}" if changes else
                                                            "Nothing to undo."))

    def redo(self) -> None:
        self.ops.run(lambda library: library.redo(), context="redoing",
                     done=lambda changes: self.show_message(f"Redone: {changes.label}" if changes else
                                                            "Nothing to redo."))

    # == libraries and help ==========================================================================================
    def new_library_dialog(self) -> None:
        folder = QFileDialog.getExistingDirectory(self, "Choose an empty folder for the new library",
                                                  str(self.library.folder.parent))
        if folder:
            self.switch_library(Path(folder))

    def open_library_dialog(self) -> None:
        folder = QFileDialog.getExistingDirectory(self, "Open the folder of a library", str(self.library.folder.parent))
        if not folder:
            return
        if not (Path(folder) / DB_NAME).exists():
            self.show_error(f"{folder} holds no library (no {DB_NAME}); use File → New library to start one there.")
            return
        self.switch_library(Path(folder))

    def _fill_recent(self) -> None:
        self.recent_menu.clear()
        for folder in recent_libraries():
            action = self.recent_menu.addAction(f"{folder.name}  —  {folder.parent}")
            action.setEnabled(folder != self.library.folder)
            action.triggered.connect(lambda _=False, f=folder: self.switch_library(f))
        if self.recent_menu.isEmpty():
            self.recent_menu.addAction("(none yet)").setEnabled(False)

    def switch_library(self, folder: Path) -> MainWindow | None:
        """Open another library in a window that takes this one's place; None (and a message) when it cannot be
        opened, and this window stays as it was."""
        folder = Path(folder).expanduser().resolve()
        if folder == self.library.folder:
            return self
        try:
            other = MainWindow(folder)
        except Exception as error:  # noqa: BLE001 (a refused library keeps this window open)
            self.show_error(f"Cannot open {folder}: {user_message(error, 'opening a library')}")
            return None
        other.setGeometry(self.geometry())
        other.show()
        self.close()
        self.replaced_by = other
        return other

    def show_guide(self) -> None:
        self.help_dialog = guide_dialog(self)
        self.help_dialog.open()

    def show_shortcuts(self) -> None:
        actions = [a for menu in self.menuBar().findChildren(QMenu) for a in menu.actions()]
        self.help_dialog = shortcuts_dialog(actions, self)
        self.help_dialog.open()

    # == views ====================================================================================================
    def show_library_view(self) -> None:
        self.tabs.setCurrentWidget(self.page)
        self.page.give_table_room()

    def show_hierarchy_view(self) -> None:
        """The library page with the tree given room: for reorganising categories rather than reading."""
        self.tabs.setCurrentWidget(self.page)
        self.page.give_tree_room()

    def run_rank(self) -> bool:
        """Ranking runs in its own background thread (it is also re-run after every decision)."""
        self.tabs.setCurrentWidget(self.screening)
        self.screening.rank_now()
        self.show_message("Ranking the unscreened records: the best one is shown first.")
        return True

    # == import ====================================================================================================
    def dragEnterEvent(self, event: QDragEnterEvent) -> None:  # noqa: N802 (Qt name)
        if _local_paths(event.mimeData()):
            event.acceptProposedAction()
        else:
            event.ignore()

    def dragMoveEvent(self, event) -> None:  # noqa: N802 (Qt name)
        self.dragEnterEvent(event)

    def dropEvent(self, event: QDropEvent) -> None:  # noqa: N802 (Qt name)
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
        """Import what was dropped or chosen; first ask where records come from for files with no remembered
        source (once per file), unless the user turned that off."""
        from litreview.importing import remembered_source

        unknown = [p for p in paths if p.is_dir() or remembered_source(self.library, p.name) is None]
        if not self.ask_sources or not unknown or self.pipeline.busy():
            return self.pipeline.import_paths(paths)
        from ui.source_dialog import SourceDialog

        dialog = SourceDialog(self.library, paths, self)
        dialog.accepted.connect(lambda: self.pipeline.import_paths(paths, dialog.sources()))
        dialog.open()
        self.source_dialog = dialog
        return True

    @property
    def ask_sources(self) -> bool:
        return str(self.qsettings.value("import/ask_sources", "true")).lower() == "true"

    @ask_sources.setter
    def ask_sources(self, value: bool) -> None:
        self.qsettings.setValue("import/ask_sources", "true" if value else "false")

    def open_demo_corpus(self) -> bool:
        return self.pipeline.open_demo_corpus()

    def show_past_imports(self) -> None:
        """Every import of this library with its counts; choosing one reopens its full report."""
        from PySide6.QtWidgets import QInputDialog

        from litreview.importing import import_batches

        batches = import_batches(self.library)
        if not batches:
            self.show_error("Nothing has been imported into this library yet.")
            return
        labels = [batch_line(batch) for batch in batches]
        choice, ok = QInputDialog.getItem(self, "Past imports", "Open the report of:", labels, 0, False)
        if ok:
            batch = batches[labels.index(choice)]
            self.last_summary = ImportSummaryDialog.for_batch(self.library, batch.batch, parent=self)
            self.last_summary.open()

    def _show_import_summary(self, outcomes: list[Any], cancelled: bool = False) -> None:
        self.refresh()
        self.show_message(summary_line(outcomes, cancelled))
        self.last_summary = ImportSummaryDialog(outcomes, cancelled=cancelled, parent=self)
        self.last_summary.finished.connect(self.activateWindow)  # keys go back to the window
        self.last_summary.open()

    # == settings and export =====================================================================================
    def _llm_settings(self) -> LlmSettings:
        try:
            return LlmSettings.load()
        except Exception as error:  # noqa: BLE001 (the message says what to fix; defaults keep the app usable)
            self.last_error = user_message(error, "reading the settings")
            log.warning("settings unreadable, using defaults: %s", error)
            return LlmSettings()

    def open_settings(self) -> None:
        from ui.settings_dialog import SettingsDialog

        dialog = SettingsDialog(self._llm_settings(), self)
        dialog.accepted.connect(lambda: self._settings_saved(dialog.settings))
        dialog.open()
        self.settings_dialog = dialog

    def _settings_saved(self, settings: LlmSettings) -> None:
        self.pipeline.settings_changed(settings)
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
            start = str(Path(self._last_folder("export")) / f"{self.library.folder.name}{suffix}")
            chosen, _ = QFileDialog.getSaveFileName(self, title, start, filter_text)
            if not chosen:
                return None
            target = Path(chosen)
        try:
            write(self.library, self.tree_model.hierarchy_id, target)
        except Exception as error:  # noqa: BLE001 (a user error is shown as is; a bug is logged)
            if isinstance(error, OSError):
                self.show_error(f"Export failed: cannot write {target}: {error.strerror or error}")
            else:
                self.show_error(f"Export failed: {user_message(error, 'exporting')}")
            return None
        self._remember_folder("export", target.parent)
        self.show_message(f"Exported to {target}")
        return target

    def confirm_build(self) -> None:
        """Build at once; ask first when a rebuild would replace the user's corrections (saying what is kept) or
        when screening has included studies (offering to build on those only)."""
        from litreview.hierarchy import INCLUDED, build_basis, what_a_rebuild_keeps

        basis = build_basis(self.library)
        keeps = what_a_rebuild_keeps(self.library)
        included = basis.included
        if not keeps.anything and not included:
            self.show_message(f"Building the hierarchy of {basis.words()}.")
            self.pipeline.run_build()
            return
        rebuild = self.tree_model.hierarchy_id is not None
        text = f"{'Rebuild' if rebuild else 'Build'} the hierarchy of {basis.words()}?"
        if keeps.anything:
            text += (f"\n\nYour corrections are kept: {keeps.words()}.\n\nCtrl+Z undoes the whole rebuild, and "
                     "cancelling it leaves the hierarchy as it is.")
        box = QMessageBox(QMessageBox.Icon.Question, f"{'Rebuild' if rebuild else 'Build'} the hierarchy?", text,
                          QMessageBox.StandardButton.Cancel, self)
        if included:
            only = QCheckBox(f"Only the {included} included stud{'y' if included == 1 else 'ies'}")
            only.setChecked(basis.scope == INCLUDED)
            box.setCheckBox(only)
        start = box.addButton("Rebuild" if rebuild else "Build", QMessageBox.ButtonRole.AcceptRole)
        if included:
            start.clicked.connect(lambda: self.pipeline.run_build(scope=INCLUDED if box.checkBox().isChecked()
                                                                  else "all"))
        else:
            start.clicked.connect(lambda: self.pipeline.run_build())
        box.open()
        self.build_box = box

    def show_history(self) -> None:
        """Every decision, changed minds included, with reasons, filter and search."""
        from ui.history_dialog import HistoryDialog

        if self.history_dialog is None:  # one dialog, kept up to date while it is open
            self.history_dialog = HistoryDialog(self.library, self)
            self.history_dialog.study_activated.connect(self.show_study_in_library)
            self.ops.changed.connect(lambda _changes: self.history_dialog.refresh()
                                     if self.history_dialog.isVisible() else None)
        self.history_dialog.refresh()
        self.history_dialog.open()

    def show_prisma(self) -> None:
        """The PRISMA 2020 flow diagram with every number traceable: a click on a box lists its records."""
        from ui.prisma_dialog import PrismaDialog

        dialog = PrismaDialog(self.library, self, start_folder=self._last_folder("export"))
        dialog.studyActivated.connect(self.show_study_in_library)
        dialog.saved.connect(lambda path: self._remember_folder("export", Path(path).parent))
        dialog.open()
        self.prisma_dialog = dialog

    def show_taxonomy(self) -> None:
        from ui.taxonomy_dialog import TaxonomyDialog

        if self.tree_model.hierarchy_id is None:
            self.show_error("There is no hierarchy to draw yet (Pipeline → Build hierarchy).")
            return
        dialog = TaxonomyDialog(self.library, self.tree_model.hierarchy_id, self,
                                start_folder=self._last_folder("export"))
        dialog.saved.connect(lambda path: self._remember_folder("export", Path(path).parent))
        dialog.open()
        self.taxonomy_dialog = dialog

    def show_study_in_library(self, study_id: int) -> None:
        """Bring one study to the front: the library page, unfiltered, with the study selected."""
        self.tabs.setCurrentWidget(self.page)
        self.page.search_box.clear()
        self.page.decision_filter.setCurrentIndex(0)
        self.page.show_all_studies()
        self.page.selected_study = study_id
        self.page.table_model.refresh()
        self.page.show_study(study_id)

    # == closing ==================================================================================================
    def closeEvent(self, event) -> None:  # noqa: N802 (Qt name)
        self.study_pane.flush_notes()
        for timer in self.findChildren(QTimer):  # nothing may touch the library after it is closed
            timer.stop()
        self.screening.stop()
        self.pipeline.shutdown()
        self.warm_up.wait(2)  # quitting right after start-up need not wait for the preload to finish
        self.ops.close()
        self._closed = True
        self.library.close()
        self.app_lock.release()
        super().closeEvent(event)


def batch_line(batch: Any) -> str:
    """'2026-11-30 13:05 · refs.ris, scopus.csv · 270 imported, 12 duplicates, 1 failed'."""
    files = ", ".join(Path(f).name for f in batch.files[:3]) + (f" and {len(batch.files) - 3} more"
                                                                 if len(batch.files) > 3 else "")
    counts = ", ".join(f"{n} {status}" + ("s" if status == "duplicate" and n != 1 else "")
                       for status, n in batch.counts.items())
    return f"{batch.started[:16].replace('T', ' ')} · {files} · {counts}"


RECENT_KEY = "libraries/recent"
RECENT_MAX = 8


def _ui_settings() -> QSettings:
    return QSettings(str(config_dir() / "ui.ini"), QSettings.Format.IniFormat)


def recent_libraries() -> list[Path]:
    """Libraries opened before, newest first, that still exist."""
    stored = _ui_settings().value(RECENT_KEY, []) or []
    folders = [Path(f) for f in (stored if isinstance(stored, list) else [stored])]
    return [f for f in folders if (f / DB_NAME).exists()]


def remember_library(folder: Path) -> None:
    folders = [folder] + [f for f in recent_libraries() if f != folder]
    _ui_settings().setValue(RECENT_KEY, [str(f) for f in folders[:RECENT_MAX]])


def _local_paths(mime) -> list[Path]:
    if not mime.hasUrls():
        return []
    return [Path(url.toLocalFile()) for url in mime.urls() if url.isLocalFile()]
