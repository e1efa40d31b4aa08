"""The bar above the study table that offers the learner's suggestions after a correction:
"7 studies look like the ones you moved to “Beta blockers”: move them too?  [Show them] [Move all] [Keep them]".

It only shows what the core's ``suggestions.offers`` says and hands the answer back as signals (the hierarchy
actions turn each into ONE command through the writer): all open suggestions are answered at once, one by one
from the tree's "Suggested" nodes or the study pane.
"""

from __future__ import annotations

from PySide6.QtCore import Signal
from PySide6.QtWidgets import QFrame, QHBoxLayout, QLabel, QPushButton, QWidget

from litreview.hierarchy import Offer


class SuggestionsBar(QFrame):
    show_requested = Signal(int)      # the category whose "Suggested" node to show
    accept_all = Signal(list)         # suggestion ids
    reject_all = Signal(list)

    def __init__(self, parent: QWidget | None = None):
        super().__init__(parent)
        self.setObjectName("suggestionsBar")
        self.setStyleSheet("#suggestionsBar { background: #fff4d6; border: 1px solid #e8cf8a; border-radius: 4px; }")
        self.label = QLabel()
        self.label.setWordWrap(True)
        self.show_button = QPushButton("Show them")
        self.accept_button = QPushButton("Move all")
        self.reject_button = QPushButton("Keep them where they are")
        layout = QHBoxLayout(self)
        layout.setContentsMargins(8, 4, 8, 4)
        layout.addWidget(self.label, 1)
        for button in (self.show_button, self.accept_button, self.reject_button):
            layout.addWidget(button)
        self.offers: list[Offer] = []
        self.show_button.clicked.connect(lambda: self.offers and self.show_requested.emit(self.offers[0].category_id))
        self.accept_button.clicked.connect(lambda: self.accept_all.emit(self.suggestion_ids()))
        self.reject_button.clicked.connect(lambda: self.reject_all.emit(self.suggestion_ids()))
        self.hide()

    def set_offers(self, offers: list[Offer]) -> None:
        """Show the largest offer's words (and how many others wait), or hide when nothing is open."""
        self.offers = offers
        if not offers:
            self.hide()
            return
        text = offers[0].words()
        others = sum(len(o.study_ids) for o in offers[1:])
        if others:
            text += f" ({others} other suggestion{'s' if others != 1 else ''} for other categories: “Move all” " \
                    "answers every one)"
        self.label.setText(text)
        self.show()

    def suggestion_ids(self) -> list[int]:
        return [i for offer in self.offers for i in offer.suggestion_ids]
