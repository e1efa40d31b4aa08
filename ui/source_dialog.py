"""Where imported records come from (PRISMA's identification): asked once per file, remembered by file name.

One row per dropped file or folder, pre-filled with the source remembered for that name, else the one used last.
The PRISMA diagram then counts records per database or register and keeps "other methods" (citation searching,
websites) in their own arm. "Import without sources" is always there: a source is useful, never required.
"""

from __future__ import annotations

from pathlib import Path

from PySide6.QtWidgets import (
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QLabel,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from litreview.importing import Source, list_sources, remembered_source
from litreview.store import Library

COMMON = [Source("PubMed / MEDLINE"), Source("Embase"), Source("Scopus"), Source("Web of Science"),
          Source("CINAHL"), Source("PsycINFO"), Source("Cochrane CENTRAL"), Source("ClinicalTrials.gov", "register"),
          Source("WHO ICTRP", "register"), Source("Citation searching", "other"), Source("Websites", "other")]
KIND_LABELS = {"database": "Database", "register": "Register", "other": "Other methods"}


class SourceDialog(QDialog):
    def __init__(self, library: Library, paths: list[Path], parent: QWidget | None = None):
        super().__init__(parent)
        self.setWindowTitle("Where do these records come from?")
        self.paths = paths
        self.use_sources = True
        known = list_sources(library)
        names = list(dict.fromkeys([s.name for s in known] + [s.name for s in COMMON]))
        self.kind_of = {s.name: s.kind for s in COMMON + known}
        last = known[0] if known else None
        self.table = QTableWidget(len(paths), 3)
        self.table.setHorizontalHeaderLabels(["File", "Searched in", "Kind"])
        self.table.verticalHeader().hide()
        self.names: list[QComboBox] = []
        self.kinds: list[QComboBox] = []
        for row, path in enumerate(paths):
            chosen = remembered_source(library, path.name) or last
            self.table.setItem(row, 0, QTableWidgetItem(path.name + ("/" if path.is_dir() else "")))
            name = QComboBox()
            name.setEditable(True)
            name.addItems(names)
            name.setCurrentText(chosen.name if chosen else "")
            kind = QComboBox()
            for key, label in KIND_LABELS.items():
                kind.addItem(label, key)
            kind.setCurrentIndex(list(KIND_LABELS).index(chosen.kind if chosen else "database"))
            name.currentTextChanged.connect(lambda text, k=kind: self._guess_kind(text, k))
            self.table.setCellWidget(row, 1, name)
            self.table.setCellWidget(row, 2, kind)
            self.names.append(name)
            self.kinds.append(kind)
        self.table.resizeColumnsToContents()
        self.table.setColumnWidth(1, 220)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Cancel)
        self.import_button = buttons.addButton("Import", QDialogButtonBox.ButtonRole.AcceptRole)
        without = buttons.addButton("Import without sources", QDialogButtonBox.ButtonRole.ActionRole)
        without.clicked.connect(self._without)
        buttons.accepted.connect(self.accept)
        buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addWidget(QLabel("The database or register each file was exported from (for the PRISMA flow diagram); "
                                "litreview remembers it for the file's name."))
        layout.addWidget(self.table)
        layout.addWidget(buttons)
        self.resize(640, min(520, 160 + 34 * len(paths)))

    def _guess_kind(self, name: str, kind: QComboBox) -> None:
        if name in self.kind_of:
            kind.setCurrentIndex(list(KIND_LABELS).index(self.kind_of[name]))

    def _without(self) -> None:
        self.use_sources = False
        self.accept()

    def sources(self) -> dict[str, Source] | None:
        """{file path: Source} for every row with a name (None: the user chose to import without sources)."""
        if not self.use_sources:
            return None
        chosen = {}
        for path, name, kind in zip(self.paths, self.names, self.kinds):
            if name.currentText().strip():
                source = Source.of((name.currentText().strip(), kind.currentData()))
                files = sorted(p for p in path.rglob("*") if p.is_file()) if path.is_dir() else [path]
                chosen.update({str(f): source for f in files})
        return chosen
