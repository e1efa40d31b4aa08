"""Recall so far: the share of the relevant records found, against records screened, drawn with QPainter.

Both axes are fixed, so the picture does not jump as screening goes on: records screened from 0 to all of them,
recall from 0 to 100 %. Recall needs the number of relevant records in all, which nobody knows until the end;
the chart divides by the core's model estimate (found + estimated still unscreened) and shades its 90 %
interval, and the legend under the plot says so. The dashed line is the target recall of the stopping rule; a
vertical line marks a recorded stop. The curve rises steeply while the ranking still finds relevant records and
flattens as they run out: the shape ASReview users read as "time to think about stopping".
"""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import QPointF, QRect, QRectF, QSize, Qt
from PySide6.QtGui import QColor, QImage, QPainter, QPainterPath, QPen, QPolygonF
from PySide6.QtSvg import QSvgGenerator
from PySide6.QtWidgets import QSizePolicy, QWidget

CURVE, BAND, TARGET, STOP = QColor("#2a6fdb"), QColor(42, 111, 219, 45), QColor("#c98a00"), QColor("#6b7a90")
EXPORT_SIZE = (640, 400)  # the saved chart's size in points (its PNG is drawn at 300 dpi)
LEGEND = "Line: relevant found ÷ estimated relevant in all.  Shaded: the estimate's 90 % interval.  Dashed: target."


class RecallChart(QWidget):
    def __init__(self, parent: QWidget | None = None):
        super().__init__(parent)
        self.labels: list[int] = []  # 1 = relevant (include or maybe), 0 = excluded, in the order screened
        self.total = 0
        self.remaining: tuple[float, float, float] | None = None  # estimate, low, high of relevant still unscreened
        self.target = 0.95
        self.stop_at: int | None = None
        self.setMinimumSize(260, 210)
        self.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Expanding)

    def set_data(self, labels: list[int], total: int, remaining: tuple[float, float, float] | None = None,
                 target: float = 0.95, stop_at: int | None = None) -> None:
        self.labels, self.total, self.remaining = list(labels), total, remaining
        self.target, self.stop_at = target, stop_at
        self.update()

    def recall_bounds(self) -> tuple[float, float, float] | None:
        """(estimate, low, high) of the relevant records in all, or None before anything relevant was found."""
        found = sum(self.labels)
        if not found or self.remaining is None:
            return None
        estimate, low, high = self.remaining
        return found + estimate, found + low, found + high

    def paintEvent(self, _event) -> None:  # noqa: N802 (Qt name)
        painter = QPainter(self)
        self.paint(painter, self.width(), self.height())
        painter.end()

    def save(self, path: Path) -> Path:
        """The chart as a file for a paper or a report: SVG (vector, text stays text) or PNG at 300 dpi."""
        width, height = EXPORT_SIZE
        if path.suffix.lower() == ".svg":
            generator = QSvgGenerator()
            generator.setFileName(str(path))
            generator.setSize(QSize(width, height))
            generator.setViewBox(QRect(0, 0, width, height))
            generator.setTitle("Recall so far")
            painter = QPainter(generator)
            self.paint(painter, width, height)
            painter.end()
            return path
        scale = 300 / 96  # the on-screen layout at 300 dpi
        image = QImage(int(width * scale), int(height * scale), QImage.Format.Format_ARGB32)
        image.setDotsPerMeterX(round(300 / 0.0254))
        image.setDotsPerMeterY(round(300 / 0.0254))
        painter = QPainter(image)
        painter.scale(scale, scale)
        self.paint(painter, width, height)
        painter.end()
        if not image.save(str(path)):
            raise OSError(f"cannot write {path}")
        return path

    def paint(self, painter: QPainter, width: int, height: int) -> None:
        """Draw the chart on any paint device (the widget, an SVG, an image) of this size."""
        painter.setRenderHint(QPainter.RenderHint.Antialiasing)
        painter.fillRect(QRectF(0, 0, width, height), QColor("white"))
        left, right, top, bottom = 44, 12, 10, 72
        plot = QRectF(left, top, width - left - right, height - top - bottom)
        x_max = max(self.total, len(self.labels), 1)

        def point(x: float, share: float) -> QPointF:
            return QPointF(plot.left() + plot.width() * x / x_max, plot.bottom() - plot.height() * share)

        axis = QPen(QColor("#7a8699"))
        painter.setPen(axis)
        painter.drawLine(plot.bottomLeft(), plot.bottomRight())
        painter.drawLine(plot.bottomLeft(), plot.topLeft())
        for share in (0.0, 0.5, 1.0):
            y = point(0, share).y()
            painter.drawText(QRectF(0, y - 9, left - 6, 18), Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter,
                             f"{share:.0%}")
        for fraction in (0.0, 0.5, 1.0):
            x = point(fraction * x_max, 0).x()
            painter.drawText(QRectF(x - 40, plot.bottom() + 2, 80, 16), Qt.AlignmentFlag.AlignCenter,
                             f"{round(fraction * x_max)}")
        painter.drawText(QRectF(plot.left(), plot.bottom() + 16, plot.width(), 16), Qt.AlignmentFlag.AlignCenter,
                         "records screened")
        painter.setPen(QColor("#4c5b70"))
        painter.drawText(QRectF(4, plot.bottom() + 34, width - 8, 38),
                         Qt.AlignmentFlag.AlignLeft | Qt.TextFlag.TextWordWrap, LEGEND)

        painter.setPen(QPen(TARGET, 1, Qt.PenStyle.DashLine))
        level = point(0, self.target).y()
        painter.drawLine(QPointF(plot.left(), level), QPointF(plot.right(), level))
        if self.stop_at is not None:
            painter.setPen(QPen(STOP, 1, Qt.PenStyle.DotLine))
            x = point(self.stop_at, 0).x()
            painter.drawLine(QPointF(x, plot.top()), QPointF(x, plot.bottom()))
        bounds = self.recall_bounds()
        if bounds is None:
            painter.setPen(QColor("gray"))
            painter.drawText(plot, Qt.AlignmentFlag.AlignCenter,
                             "no decisions yet" if not self.labels else "no relevant record found yet")
            return
        estimate, low, high = bounds
        running, found = 0, []
        for label in self.labels:
            running += label
            found.append(running)
        upper = [point(0, 0)] + [point(i, f / max(low, 1e-9)) for i, f in enumerate(found, start=1)]
        lower = [point(i, f / high) for i, f in enumerate(found, start=1)][::-1] + [point(0, 0)]
        painter.setPen(Qt.PenStyle.NoPen)
        painter.setBrush(BAND)
        painter.drawPolygon(QPolygonF(upper + lower))
        path = QPainterPath(point(0, 0))
        for i, f in enumerate(found, start=1):
            path.lineTo(point(i, f / estimate))
        painter.setBrush(Qt.BrushStyle.NoBrush)
        painter.setPen(QPen(CURVE, 2))
        painter.drawPath(path)
