"""Help where it is needed: the keyboard shortcuts (read from the window's own actions, so the sheet is never out
of date), a short guide to a first review, and About (version, model and its licence, library path)."""

from __future__ import annotations

import html
from importlib import metadata
from pathlib import Path

from PySide6.QtGui import QAction
from PySide6.QtWidgets import QDialog, QDialogButtonBox, QMessageBox, QTextBrowser, QVBoxLayout, QWidget

import ui

GUIDE = Path(ui.__file__).resolve().parent / "resources" / "guide.md"
SCREENING_KEYS = [
    ("I", "Include the record on screen"), ("E", "Exclude it"), ("M", "Maybe (decide later)"),
    ("N", "Write a note, then decide"), ("Backspace", "Undo the last decision"),
]
LIBRARY_KEYS = [
    ("I / E / M", "Decide on the study selected in the library table"),
    ("Delete", "Delete the selected studies (Ctrl+Z brings them back)"),
    ("Drag to a category", "Move studies there; hold Ctrl to also keep them where they were"),
]


def shortcut_rows(actions: list[QAction]) -> list[tuple[str, str]]:
    """(keys, what they do) for every action with a shortcut, in menu order."""
    rows = []
    for action in actions:
        keys = action.shortcut().toString()
        if keys:
            rows.append((keys, action.text().replace("&", "").rstrip("…")))
    return rows


class HelpText(QDialog):
    """A read-only page of help (shortcuts or the guide)."""

    def __init__(self, title: str, body_html: str | None = None, markdown: str | None = None,
                 parent: QWidget | None = None):
        super().__init__(parent)
        self.setWindowTitle(title)
        self.view = QTextBrowser()
        self.view.setOpenExternalLinks(True)
        if markdown is not None:
            self.view.setMarkdown(markdown)
        else:
            self.view.setHtml(body_html or "")
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close)
        buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addWidget(self.view)
        layout.addWidget(buttons)
        self.resize(620, 560)


def shortcuts_dialog(actions: list[QAction], parent: QWidget) -> HelpText:
    def table(title: str, rows: list[tuple[str, str]]) -> str:
        cells = "".join(f"<tr><td style='padding-right:18px'><b>{html.escape(k)}</b></td><td>{html.escape(v)}</td></tr>"
                        for k, v in rows)
        return f"<h3>{title}</h3><table>{cells}</table>"

    body = (table("Everywhere", shortcut_rows(actions)) + table("Screening", SCREENING_KEYS)
            + table("Library table and hierarchy", LIBRARY_KEYS))
    return HelpText("Keyboard shortcuts", body_html=body, parent=parent)


def guide_dialog(parent: QWidget) -> HelpText:
    return HelpText("A first review in ten minutes", markdown=GUIDE.read_text(encoding="utf-8"), parent=parent)


def about_text(model: str, library: Path) -> str:
    try:
        version = metadata.version("litreview")
    except metadata.PackageNotFoundError:
        version = "development copy"
    return (f"<h3>litreview {html.escape(version)}</h3>"
            "<p>Literature reviews with a local language model: import, screen, extract claims, build and correct "
            "a topic hierarchy, export what a paper needs.</p>"
            f"<p><b>Model:</b> {html.escape(model)}<br><b>Library:</b> {html.escape(str(library))}</p>"
            "<p>litreview is MIT-licensed. The default models keep their own licences: gemma-3-270m (Gemma Terms "
            "of Use), Qwen2.5-Coder-1.5B-Instruct (Apache-2.0), all-MiniLM-L6-v2 (Apache-2.0).</p>")


def show_about(model: str, library: Path, parent: QWidget) -> None:
    QMessageBox.about(parent, "About litreview", about_text(model, library))
