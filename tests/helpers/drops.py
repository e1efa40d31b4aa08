"""Synthetic drag and drop for the app's tests.

Drops are simulated the way ``../shared/notes/qt_probe.py`` measured works offscreen: a QMimeData sent as
QDragEnter → QDragMove → QDrop events with ``QApplication.sendEvent``.
"""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import QMimeData, QPoint, QPointF, Qt, QUrl
from PySide6.QtGui import QDragEnterEvent, QDragMoveEvent, QDropEvent
from PySide6.QtWidgets import QApplication, QWidget


def send_drop(target: QWidget, mime: QMimeData, pos: QPoint,
              action: Qt.DropAction = Qt.DropAction.CopyAction,
              modifiers: Qt.KeyboardModifier = Qt.KeyboardModifier.NoModifier) -> bool:
    """Enter → move → drop on ``target``; True when the drop was accepted. (Qt 6 takes a QPoint for enter and move
    and a QPointF for the drop; PySide6 6.11 no longer converts between them.)"""
    button = Qt.MouseButton.LeftButton
    enter = QDragEnterEvent(pos, action, mime, button, modifiers)
    QApplication.sendEvent(target, enter)
    if not enter.isAccepted():
        return False
    QApplication.sendEvent(target, QDragMoveEvent(pos, action, mime, button, modifiers))
    drop = QDropEvent(QPointF(pos), action, mime, button, modifiers)
    QApplication.sendEvent(target, drop)
    return drop.isAccepted()


def file_drop_mime(*paths: Path) -> QMimeData:
    """What a file manager puts on a drag of ``paths``: their URLs."""
    mime = QMimeData()
    mime.setUrls([QUrl.fromLocalFile(str(p)) for p in paths])
    return mime
