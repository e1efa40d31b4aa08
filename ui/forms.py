"""The shape every editing dialog shares: its form, a line for a refused value, and Save / Cancel."""

from __future__ import annotations

from PySide6.QtWidgets import QDialog, QDialogButtonBox, QFormLayout, QLabel, QVBoxLayout


def save_cancel(dialog: QDialog, form: QFormLayout) -> QLabel:
    """Lay out ``form`` with Save / Cancel (wired to the dialog's accept / reject) and return the error line:
    a dialog whose value the core refuses says why there and stays open, so nothing typed is lost."""
    error = QLabel()
    error.setStyleSheet("color: #b00020")
    error.setWordWrap(True)
    buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Save | QDialogButtonBox.StandardButton.Cancel)
    buttons.accepted.connect(dialog.accept)
    buttons.rejected.connect(dialog.reject)
    layout = QVBoxLayout(dialog)
    layout.addLayout(form)
    layout.addWidget(error)
    layout.addWidget(buttons)
    return error
