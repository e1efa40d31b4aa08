"""The library table: a Qt model that holds only study ids and fetches rows from SQLite a page at a time.

Anki's browser does the same (``browser/table/model.py``): sorting and filtering are one ``SELECT id`` in
SQLite, and rows are read lazily as the view paints them, so 10,000 studies scroll as smoothly as ten.
Search goes through the core's FTS index (``studies_fts``, queried with the core's ``fts_query`` quoting, as
``Library.search`` does, but unranked: the table keeps the user's sort order); the category filter takes the study ids the core's
hierarchy reports. Drag payload = study ids (never row copies), so a drop can only ever call a core edit.
"""

from __future__ import annotations

import json
from typing import Any

from PySide6.QtCore import QAbstractTableModel, QMimeData, QModelIndex, QPersistentModelIndex, Qt

from litreview.store import Library, fts_query

STUDY_MIME = "application/x-litreview-study-ids"
ID_ROLE = Qt.ItemDataRole.UserRole + 1
# data() runs for every role of every visible cell on each paint: plain ints keep that cheap (enum compares are not)
_DISPLAY, _TOOLTIP, _ID = int(Qt.ItemDataRole.DisplayRole.value), int(Qt.ItemDataRole.ToolTipRole.value), int(ID_ROLE)
PAGE = 200

COLUMNS = ("Title", "Authors", "Year", "Venue", "Decision", "Source")
SORT_SQL = {
    0: "s.title COLLATE NOCASE",
    1: "s.author_key COLLATE NOCASE",
    2: "s.year",
    3: "s.venue COLLATE NOCASE",
    4: "d.decision",
    5: "s.source",
}
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


def author_line(authors_json: str | None) -> str:
    """'Family, Family & Family' or 'Family et al.' for the table column."""
    try:
        authors = json.loads(authors_json or "[]")
    except ValueError:
        return ""
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
        where, params = [], []
        match = fts_query(self.search_text)
        if match:  # the core's FTS index and its query quoting; the table keeps its own sort order
            where.append("s.id IN (SELECT rowid FROM studies_fts WHERE studies_fts MATCH ?)")
            params.append(match)
        if self.only_ids is not None:
            where.append("s.id IN (SELECT value FROM json_each(?))")
            params.append(json.dumps(self.only_ids))
        if self.decision_filter == "undecided":
            where.append("d.id IS NULL")
        elif self.decision_filter:
            where.append("d.decision = ?")
            params.append(self.decision_filter)
        direction = "DESC" if self.sort_order == Qt.SortOrder.DescendingOrder else "ASC"
        sql = (
            "SELECT s.id FROM studies s LEFT JOIN decisions d ON d.study_id = s.id"
            + (" WHERE " + " AND ".join(where) if where else "")
            + f" ORDER BY {SORT_SQL[self.sort_column]} {direction}, s.id {direction}"
        )
        self.beginResetModel()
        self.ids = [row[0] for row in self.library.conn.execute(sql, params)]
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
        page = self.ids[start:start + PAGE]
        found = self.library.conn.execute(
            "SELECT s.id, s.title, s.authors, s.year, s.venue, d.decision, s.source "
            "FROM studies s LEFT JOIN decisions d ON d.study_id = s.id "
            "WHERE s.id IN (SELECT value FROM json_each(?))",
            (json.dumps(page),),
        ).fetchall()
        for study_id, title, authors, year, venue, decision, source in found:
            self._rows[study_id] = (title or "(untitled)", author_line(authors), year, venue, decision, source)
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
