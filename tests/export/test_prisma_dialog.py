"""The PRISMA dialog: the preview is the exported picture, a click on a box lists the records behind its number,
the other-methods arm can be switched, and Save as writes the chosen format."""

from __future__ import annotations

import xml.etree.ElementTree as ET

import pytest
from PySide6.QtCore import QPoint, Qt

from tests.helpers.review import HAND_COUNT

pytestmark = [pytest.mark.gui, pytest.mark.qt_log_ignore("This plugin does not support propagateSizeHints")]


@pytest.fixture
def dialog(qtbot, screened_review):
    from ui.prisma_dialog import PrismaDialog

    library, ids = screened_review
    dialog = PrismaDialog(library)
    qtbot.addWidget(dialog)
    dialog.show()
    qtbot.waitExposed(dialog)
    return dialog, ids


def click_box(qtbot, dialog, key):
    centre = dialog.preview.box_rect(key).center().toPoint()
    qtbot.mouseClick(dialog.preview, Qt.MouseButton.LeftButton, pos=QPoint(centre.x(), centre.y()))


def listed(dialog):
    return [dialog.records.item(i) for i in range(dialog.records.count())]


def test_clicking_a_box_lists_its_records(qtbot, dialog):
    dialog, ids = dialog
    assert set(dialog.preview.hotspots) >= {"identified", "included", "other_identified"}
    click_box(qtbot, dialog, "included")
    assert dialog.preview.selected == "included"
    studies = [item for item in listed(dialog) if isinstance(item.data(Qt.ItemDataRole.UserRole), int)]
    assert len(studies) == 2 * HAND_COUNT["new_studies"]  # studies, and their reports
    assert {item.data(Qt.ItemDataRole.UserRole) for item in studies} == {ids[k] for k in ("P1", "P4", "S1", "C1")}
    assert "Studies included in review: 4" in dialog.box_title.text()
    click_box(qtbot, dialog, "removed")
    lines = [item.text() for item in listed(dialog)]
    assert "Duplicate records (3)" in lines
    assert sum("scopus.csv#" in line and "same " in line for line in lines) == 3
    with qtbot.waitSignal(dialog.studyActivated) as signal:
        item = next(i for i in listed(dialog) if "scopus.csv#" in i.text())
        dialog.records.itemActivated.emit(item)
    assert signal.args[0] in {ids["P1"], ids["P2"], ids["P3"]}


def test_the_other_arm_can_be_switched_off_and_save_writes_it(qtbot, dialog, tmp_path):
    dialog, _ = dialog
    assert dialog.other_arm.isChecked()
    dialog.other_arm.setChecked(False)
    assert "other_identified" not in dialog.preview.hotspots
    assert "left out" in dialog.notes.text()
    path = dialog.save(tmp_path / "flow.svg")
    ids = {g.get("id") for g in ET.parse(path).getroot().iter("{http://www.w3.org/2000/svg}g")}
    assert "prisma-included" in ids and "prisma-other_identified" not in ids
    dialog.save(tmp_path / "flow.csv")
    assert (tmp_path / "flow.csv").read_text(encoding="utf-8").startswith("data,node,box,")


def test_taxonomy_dialog_previews_and_saves(qtbot, review_hierarchy, tmp_path):
    from ui.taxonomy_dialog import TaxonomyDialog

    library, _, names = review_hierarchy
    dialog = TaxonomyDialog(library, names["_hierarchy"])
    qtbot.addWidget(dialog)
    assert [dialog.aspect.itemText(i) for i in range(dialog.aspect.count())] == ["Intervention", "Setting"]
    assert not dialog.picture.pixmap().isNull()
    assert dialog.included_only.isChecked(), "a figure for the paper starts with the included studies"
    assert "4 studies" in dialog.summary.text()
    dialog.included_only.setChecked(False)
    assert dialog.summary.text().startswith("6 categories, 5 studies")
    dialog.included_only.setChecked(True)
    dialog.aspect.setCurrentIndex(1)
    tex = dialog.save(tmp_path / "setting.tex").read_text(encoding="utf-8")
    assert "Hospitals" in tex and "\\cite{garcia2011default}" in tex
