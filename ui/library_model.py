"""The library table: a Qt model that holds only study ids and fetches rows from the core a page at a time.

Anki's browser does the same (``browser/table/model.py``): filtering and sorting are one query in the core's
read API (``litreview.store.queries``), and rows are read lazily as the view paints them, so 10,000 studies
scroll as smoothly as ten. Drag payload = study ids (never row copies), so a drop can only ever call a core edit.
"""

from __future__ import annotations

import json
from typing import Any

from PySide6.QtCore import QAbstractTableModel, QMimeData, QModelIndex, QPersistentModelIndex, Qt

from litreview.store import Library, StudyFilter, study_ids, table_rows

STUDY_MIME = "application/x-litreview-study-ids"
ID_ROLE = Qt.ItemDataRole.UserRole + 1
# data() runs for every role of every visible cell on each paint: plain ints keep that cheap (enum compares are not)
_DISPLAY, _TOOLTIP, _ID = int(Qt.ItemDataRole.DisplayRole.value), int(Qt.ItemDataRole.ToolTipRole.value), int(ID_ROLE)
PAGE = 200

COLUMNS = ("Title", "Authors", "Year", "Venue", "Decision", "Source")
SORT_KEYS = ("title", "authors", "year", "venue", "decision", "source")
DECISION_FILTERS = {"All": None, "Undecided": "undecided", "Included": "include", "Excluded": "exclude", "Maybe": "maybe"}

_Index = QModelIndex | QPersistentModelIndex


def encode_study_ids(ids: list[int], from_category: int | None = None) -> QMimeData:
    """Mime data for dragging studies; ``from_category`` says where a move takes them from (None: the table)."""
    mime = QMimeData()
    mime.setData(STUDY_MIME, json.dumps({"ids": ids, "from": from_category}).encode())
    return mime


def decode_study_ids(mime: QMimeData) -> tuple[list[int], int | None]:
    payload = json.loads(bytes(mime.data(STUDY_MIME).data()).decode())
    return [int(i) for i in payload["ids"]], payload.get("from")


def author_line(authors: list[Any]) -> str:
    """'Family, Family, Family' or 'Family et al.' for the table column."""
    names = [a.get("family") or a.get("given") or "" if isinstance(a, dict) else str(a) for a in authors]
    names = [n for n in names if n]
    if len(names) > 3:
        return f"{names[0]} et al."
    return ", ".join(names)


class LibraryTableModel(QAbstractTableModel):
    def __init__(self, library: Library, parent=None):
        super().__init__(parent)
        self.library = library
        self.ids: list[int] = []
        self._rows: dict[int, tuple] = {}
        self.sort_column, self.sort_order = 0, Qt.SortOrder.AscendingOrder
        self.search_text = ""
        self.decision_filter: str | None = None
        self.only_ids: list[int] | None = None  # e.g. the studies of the selected category
        self.drag_from: int | None = None  # the category those studies are shown from: a drag moves them out of it
        self.refresh()

    # -- what is shown ------------------------------------------------------------------------------------
    def set_filters(self, *, search: str | None = None, decision: str | None | bool = False,
                    only_ids: list[int] | None | bool = False) -> None:
        """Change any of the filters (an argument left out keeps its value) and reload the ids."""
        if search is not None:
            self.search_text = search.strip()
        if decision is not False:
            self.decision_filter = decision  # type: ignore[assignment]
        if only_ids is not False:
            self.only_ids = only_ids  # type: ignore[assignment]
        self.refresh()

    def refresh(self) -> None:
        """Re-run the id query (after an edit, an import, undo); rows are re-read as they are painted."""
        chosen = StudyFilter(search=self.search_text, decision=self.decision_filter,
                             only_ids=tuple(self.only_ids) if self.only_ids is not None else None,
                             sort=SORT_KEYS[self.sort_column],
                             descending=self.sort_order == Qt.SortOrder.DescendingOrder)
        self.beginResetModel()
        self.ids = study_ids(self.library, chosen)
        self._rows.clear()
        self.endResetModel()

    def study_id(self, row: int) -> int | None:
        return self.ids[row] if 0 <= row < len(self.ids) else None

    def row_of(self, study_id: int) -> int | None:
        try:
            return self.ids.index(study_id)
        except ValueError:
            return None

    # -- Qt model interface -----------------------------------------------------------------------------
    def rowCount(self, parent: _Index = QModelIndex()) -> int:
        return 0 if parent.isValid() else len(self.ids)

    def columnCount(self, parent: _Index = QModelIndex()) -> int:
        return 0 if parent.isValid() else len(COLUMNS)

    def headerData(self, section: int, orientation: Qt.Orientation, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if orientation == Qt.Orientation.Horizontal and role == Qt.ItemDataRole.DisplayRole:
            return COLUMNS[section]
        return None

    def data(self, index: _Index, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        role = int(role)
        if role != _DISPLAY and role != _TOOLTIP:
            return self.ids[index.row()] if role == _ID and index.isValid() else None
        if not index.isValid():
            return None
        study_id = self.ids[index.row()]
        row = self._rows.get(study_id) or self._fetch_page(index.row())
        value = row[index.column()]
        return "" if value is None else value

    def _fetch_page(self, row: int) -> tuple:
        """Read the page of rows around ``row`` in one query and cache it."""
        start = row - row % PAGE
        for study_id, found in table_rows(self.library, self.ids[start:start + PAGE]).items():
            self._rows[study_id] = (found["title"] or "(untitled)", author_line(found["authors"]), found["year"],
                                    found["venue"], found["decision"], found["source"])
        return self._rows.get(self.ids[row], ("(removed)", "", None, None, None, None))

    def sort(self, column: int, order: Qt.SortOrder = Qt.SortOrder.AscendingOrder) -> None:
        self.sort_column, self.sort_order = column, order
        self.refresh()

    def flags(self, index: _Index) -> Qt.ItemFlag:
        base = super().flags(index)
        return base | Qt.ItemFlag.ItemIsDragEnabled if index.isValid() else base

    def mimeTypes(self) -> list[str]:
        return [STUDY_MIME]

    def mimeData(self, indexes: list[QModelIndex]) -> QMimeData:
        ids = list(dict.fromkeys(self.ids[i.row()] for i in indexes if i.isValid()))
        return encode_study_ids(ids, self.drag_from)

    def supportedDragActions(self) -> Qt.DropAction:
        return Qt.DropAction.MoveAction | Qt.DropAction.CopyAction
