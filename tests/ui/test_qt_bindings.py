"""The Qt bindings keep Python's reference counts: a long session calls methods that return nothing millions of
times, and PySide6 6.12.0 lost a reference to None on each (the interpreter aborts when None's count reaches 0)."""

from __future__ import annotations

import gc
import sys

from PySide6.QtGui import QStandardItem, QStandardItemModel
from PySide6.QtWidgets import QLabel


def test_methods_returning_nothing_do_not_drain_none(qtbot):
    label = QLabel()
    qtbot.addWidget(label)
    model = QStandardItemModel(10, 1)
    gc.disable()  # collections elsewhere in a test run drop references to None too: keep them out of the count
    try:
        before = sys.getrefcount(None)
        for number in range(2000):
            label.setText(str(number))
            model.setItem(number % 10, 0, QStandardItem("x"))
        change = sys.getrefcount(None) - before
    finally:
        gc.enable()
    assert change > -1000  # 6.12.0: -4000 (one per call)
