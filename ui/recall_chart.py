"""Recall so far: relevant records found against records screened, drawn with QPainter (no QtCharts needed).

The curve rises steeply while the ranking still finds relevant records and flattens as they run out: the
shape ASReview users read as "time to think about stopping". The dashed line is the core's estimate of how
many relevant records there are in all, when it has one.
"""

from __future__ import annotations

import math

from PySide6.QtCore import QPointF, QRectF, Qt
from PySide6.QtGui import QColor, QPainter, QPainterPath, QPen
from PySide6.QtWidgets import QSizePolicy, QWidget


class RecallChart(QWidget):
    def __init__(self, parent: QWidget | None = None):
        super().__init__(parent)
        self.labels: list[int] = []  # 1 = relevant (include or maybe), 0 = excluded, in the order screened
        self.total = 0
        self.estimated_relevant: float | None = None
        self.setMinimumSize(240, 160)
        self.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Expanding)

    def set_data(self, labels: list[int], total: int, estimated_relevant: float | None = None) -> None:
        self.labels, self.total, self.estimated_relevant = list(labels), total, estimated_relevant
        self.update()

    def paintEvent(self, _event) -> None:  # noqa: N802 (Qt name)
        painter = QPainter(self)
        painter.setRenderHint(QPainter.RenderHint.Antialiasing)
        painter.fillRect(self.rect(), QColor("white"))
        margin_left, margin_bottom, margin = 40, 26, 10
        plot = QRectF(margin_left, margin, self.width() - margin_left - margin, self.height() - margin - margin_bottom)
        found = sum(self.labels)
        x_max = max(self.total, len(self.labels), 1)
        y_max = max(1, math.ceil(max(found, self.estimated_relevant or 0) * 1.15))  # headroom for the estimate
        axis = QPen(QColor("#7a8699"))
        painter.setPen(axis)
        painter.drawLine(plot.bottomLeft(), plot.bottomRight())
        painter.drawLine(plot.bottomLeft(), plot.topLeft())
        painter.drawText(QRectF(plot.left(), plot.bottom() + 4, plot.width(), 18), Qt.AlignmentFlag.AlignCenter,
                         f"screened (of {self.total})")
        painter.drawText(QRectF(0, plot.top() - 4, margin_left - 4, 18), Qt.AlignmentFlag.AlignRight, str(y_max))
        painter.drawText(QRectF(0, plot.bottom() - 14, margin_left - 4, 18), Qt.AlignmentFlag.AlignRight, "0")

        def point(x: float, y: float) -> QPointF:
            return QPointF(plot.left() + plot.width() * x / x_max, plot.bottom() - plot.height() * y / y_max)

        if self.estimated_relevant:
            painter.setPen(QPen(QColor("#c98a00"), 1, Qt.PenStyle.DashLine))
            level = point(0, self.estimated_relevant).y()
            painter.drawLine(QPointF(plot.left(), level), QPointF(plot.right(), level))
            painter.drawText(QRectF(plot.left() + 6, level - 18, plot.width() - 12, 16), Qt.AlignmentFlag.AlignRight,
                             f"≈ {self.estimated_relevant:.0f} relevant in all (estimate)")
        if not self.labels:
            painter.setPen(QColor("gray"))
            painter.drawText(plot, Qt.AlignmentFlag.AlignCenter, "no decisions yet")
            return
        path = QPainterPath(point(0, 0))
        running = 0
        for screened, label in enumerate(self.labels, start=1):
            running += label
            path.lineTo(point(screened, running))
        painter.setPen(QPen(QColor("#2a6fdb"), 2))
        painter.drawPath(path)
        painter.end()
