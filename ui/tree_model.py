"""The hierarchy tree: aspects → categories (with study counts) → the studies placed directly in each, per aspect
an "Uncategorised (n)" node with the studies it leaves out, and under a category the learner's open suggestions
for it ("Suggested (n)", one node per study, answered from the context menu).

A ``QAbstractItemModel`` over the core's snapshot (``litreview.hierarchy.snapshot``). Like Anki's sidebar it is
a read-only projection: a drop or a rename is turned into one core edit, and the model is then rebuilt from the
snapshot (expansion is kept by id, so the user does not lose their place). As in napari's
``QtNodeTreeModel`` the drag payload names ids, never rows, and the model implements no ``removeRows``: Qt's
post-drag clean-up cannot delete anything a second time.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from typing import Any

from PySide6.QtCore import QAbstractItemModel, QMimeData, QModelIndex, QPersistentModelIndex, Qt, Signal
from PySide6.QtGui import QColor, QFont

from litreview.hierarchy import SnapshotNode, hierarchy_snapshot, open_suggestions
from litreview.store import Library
from ui.library_model import STUDY_MIME, encode_study_ids

CATEGORY_MIME = "application/x-litreview-category-ids"
KIND_ROLE = Qt.ItemDataRole.UserRole + 10  # "aspect" | "category" | "study" | "uncategorised" | "suggestions" | ...
ID_ROLE = Qt.ItemDataRole.UserRole + 11
PARENT_CATEGORY_ROLE = Qt.ItemDataRole.UserRole + 12  # for a study row: the category it is shown under

_Index = QModelIndex | QPersistentModelIndex


NAMED_BY = {"fallback": "Named from the studies' own title phrases, not by the model.",
            "user": "Named by you."}


def category_tip(node: Node) -> str:
    """A category's tooltip: its name, what its studies share, and who named it."""
    return "\n".join(part for part in (node.name, node.description, NAMED_BY.get(node.name_source, "")) if part)


@dataclass(eq=False)
class Node:
    kind: str
    id: int
    name: str
    parent: Node | None = None
    count: int = 0
    locked: bool = False
    children: list[Node] = field(default_factory=list)
    ref: int | None = None      # a "suggestion" node's study id (its own id is the suggestion's)
    note: str = ""              # a "suggestion" node's reason, for its tooltip
    description: str = ""       # a category's one-line description
    name_source: str = ""       # a category's namer: "model" | "fallback" | "user"

    def row(self) -> int:
        return self.parent.children.index(self) if self.parent else 0


class HierarchyTreeModel(QAbstractItemModel):
    rename_requested = Signal(int, str)  # category id, new name: the window renames through the core

    def __init__(self, library: Library, parent=None):
        super().__init__(parent)
        self.library = library
        self.hierarchy_id: int | None = None
        self.root = Node("root", 0, "")
        self.refresh()

    # -- building from the core -----------------------------------------------------------------------
    def refresh(self) -> None:
        """Rebuild from the newest hierarchy (after any edit, undo, redo or build)."""
        snapshot = hierarchy_snapshot(self.library)
        offered = open_suggestions(self.library, snapshot.hierarchy_id) if snapshot.hierarchy_id else []
        self.beginResetModel()
        self.hierarchy_id = snapshot.hierarchy_id
        self.root = Node("root", 0, "")
        for aspect in snapshot.aspects:
            _attach(self.root, aspect)
        _attach_suggestions(self.root, offered)
        self.endResetModel()

    # -- lookups --------------------------------------------------------------------------------------
    def node(self, index: _Index) -> Node:
        return index.internalPointer() if index.isValid() else self.root

    def find(self, kind: str, ident: int, under_category: int | None = None) -> QModelIndex:
        """The index of a category (or of a study shown under ``under_category``), or an invalid index."""
        for node in walk(self.root):
            if node.kind == kind and node.id == ident and (
                    under_category is None or (node.parent is not None and node.parent.id == under_category)):
                return self.createIndex(node.row(), 0, node)
        return QModelIndex()

    def key(self, index: _Index) -> tuple[str, int, int | None]:
        """A stable name for a row (survives a rebuild): kind, id and, for a study, its category."""
        node = self.node(index)
        return node.kind, node.id, node.parent.id if node.kind == "study" and node.parent else None

    def index_of_key(self, key: tuple[str, int, int | None]) -> QModelIndex:
        kind, ident, under = key
        return self.find(kind, ident, under if kind == "study" else None)

    # -- Qt model interface -----------------------------------------------------------------------------
    def index(self, row: int, column: int, parent: _Index = QModelIndex()) -> QModelIndex:
        owner = self.node(parent)
        if column != 0 or not 0 <= row < len(owner.children):
            return QModelIndex()
        return self.createIndex(row, 0, owner.children[row])

    def parent(self, index: _Index = QModelIndex()) -> QModelIndex:  # type: ignore[override]
        if not index.isValid():
            return QModelIndex()
        owner = self.node(index).parent
        if owner is None or owner is self.root:
            return QModelIndex()
        return self.createIndex(owner.row(), 0, owner)

    def rowCount(self, parent: _Index = QModelIndex()) -> int:
        if parent.isValid() and parent.column() != 0:
            return 0
        return len(self.node(parent).children)

    def columnCount(self, parent: _Index = QModelIndex()) -> int:
        return 1

    def headerData(self, section: int, orientation: Qt.Orientation, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if orientation == Qt.Orientation.Horizontal and role == Qt.ItemDataRole.DisplayRole:
            return "Hierarchy"
        return None

    def data(self, index: _Index, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if not index.isValid():
            return None
        node = self.node(index)
        if role == Qt.ItemDataRole.DisplayRole:
            lock = " 🔒" if node.locked else ""
            return f"{node.name}{lock}" if node.kind in ("study", "suggestion") else f"{node.name} ({node.count}){lock}"
        if role == Qt.ItemDataRole.EditRole:
            return node.name
        if role == Qt.ItemDataRole.ToolTipRole:
            if node.kind == "suggestions":
                return "Studies the learner would move here after your corrections: right-click to answer"
            if node.kind == "suggestion":
                return f"{node.name}\nSuggested: {node.note}"
            return category_tip(node) if node.kind == "category" else node.name
        if role == Qt.ItemDataRole.FontRole and node.kind in ("aspect", "uncategorised", "suggestions", "suggestion"):
            font = QFont()
            font.setBold(node.kind == "aspect")
            font.setItalic(node.kind != "aspect")
            return font
        if role == Qt.ItemDataRole.ForegroundRole and node.kind in ("study", "uncategorised", "suggestions",
                                                                     "suggestion"):
            return QColor({"study": "#3b4a5e", "uncategorised": "#6b7480"}.get(node.kind, "#8a5a00"))
        if role == KIND_ROLE:
            return node.kind
        if role == ID_ROLE:
            return node.id
        if role == PARENT_CATEGORY_ROLE:
            return node.parent.id if node.parent and node.parent is not self.root else None
        return None

    def flags(self, index: _Index) -> Qt.ItemFlag:
        if not index.isValid():
            return Qt.ItemFlag.NoItemFlags
        base = Qt.ItemFlag.ItemIsEnabled | Qt.ItemFlag.ItemIsSelectable
        kind = self.node(index).kind
        if kind in ("uncategorised", "suggestions", "suggestion"):
            return base
        if kind == "study":
            return base | Qt.ItemFlag.ItemIsDragEnabled
        if kind == "aspect":
            return base | Qt.ItemFlag.ItemIsDropEnabled | Qt.ItemFlag.ItemIsEditable
        return base | Qt.ItemFlag.ItemIsDragEnabled | Qt.ItemFlag.ItemIsDropEnabled | Qt.ItemFlag.ItemIsEditable

    def setData(self, index: _Index, value: Any, role: int = Qt.ItemDataRole.EditRole) -> bool:
        """F2 rename: ask the window to rename through the core (it refreshes the model afterwards)."""
        node = self.node(index)
        if (role != Qt.ItemDataRole.EditRole or node.kind not in ("aspect", "category") or not str(value).strip()
                or value == node.name):
            return False
        self.rename_requested.emit(node.id, str(value))
        return True

    def mimeTypes(self) -> list[str]:
        return [STUDY_MIME, CATEGORY_MIME]

    def mimeData(self, indexes: list[QModelIndex]) -> QMimeData:
        nodes = [self.node(i) for i in indexes if i.isValid()]
        studies = [n for n in nodes if n.kind == "study"]
        if studies:
            home = studies[0].parent
            # from "Uncategorised" a study has no category to move out of: a drop assigns it
            source = home.id if home is not None and home.kind == "category" else None
            return encode_study_ids(list(dict.fromkeys(n.id for n in studies)), source)
        mime = QMimeData()
        mime.setData(CATEGORY_MIME, json.dumps([n.id for n in nodes if n.kind == "category"]).encode())
        return mime

    def supportedDragActions(self) -> Qt.DropAction:
        return Qt.DropAction.MoveAction | Qt.DropAction.CopyAction

    def supportedDropActions(self) -> Qt.DropAction:
        return Qt.DropAction.MoveAction | Qt.DropAction.CopyAction


def decode_category_ids(mime: QMimeData) -> list[int]:
    return [int(i) for i in json.loads(bytes(mime.data(CATEGORY_MIME).data()).decode())]


def walk(node: Node):
    for child in node.children:
        yield child
        yield from walk(child)


def studies_under(node: Node) -> list[int]:
    """The ids a node stands for in the table: its studies, those of every category below it (an aspect: all
    its categorised studies; "Uncategorised": the ones it leaves out)."""
    if node.kind == "uncategorised":
        return [child.id for child in node.children]
    if node.kind == "suggestions":
        return [child.ref for child in node.children if child.ref is not None]
    if node.kind == "suggestion":
        return [node.ref] if node.ref is not None else []
    return list(dict.fromkeys(n.id for n in walk(node)
                              if n.kind == "study" and n.parent is not None and n.parent.kind != "uncategorised"))


def suggestion_ids(node: Node) -> list[int]:
    """The open suggestions a node stands for: itself, or every one of a "Suggested" group."""
    if node.kind == "suggestion":
        return [node.id]
    return [child.id for child in node.children if child.kind == "suggestion"] if node.kind == "suggestions" else []


def _attach_suggestions(root: Node, offered: list[dict[str, Any]]) -> None:
    """A "Suggested (n)" node first under each category that open suggestions propose."""
    categories = {n.id: n for n in walk(root) if n.kind == "category"}
    groups: dict[int, Node] = {}
    for row in offered:
        home = categories.get(row["category_id"])
        if home is None:
            continue
        group = groups.get(home.id)
        if group is None:
            group = groups[home.id] = Node("suggestions", home.id, "Suggested", home)
            home.children.insert(0, group)
        origin = f" (now in “{row['from_name']}”)" if row["from_name"] else " (now uncategorised)"
        group.children.append(Node("suggestion", row["id"], f"{row['title'] or '(untitled)'}{origin}", group,
                                   ref=row["study_id"], note=f"it looks like {row['reason']}"))
        group.count += 1


def _attach(parent: Node, source: SnapshotNode) -> None:
    node = Node(source.kind, source.id, source.name, parent, source.count, source.locked,
                description=source.description, name_source=source.name_source)
    parent.children.append(node)
    for child in source.children:
        _attach(node, child)
