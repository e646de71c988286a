"""Originals & references: the client's own pictures, and photos that show the client's face."""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QComboBox,
    QHBoxLayout,
    QLabel,
    QSplitter,
    QTabWidget,
    QWidget,
)

from ncii_desk.gui.common import ReturnButton, button, error_text, note_label
from ncii_desk.gui.context import AppContext
from ncii_desk.gui.layouts import PANE_MARGIN, SidePanelToggle
from ncii_desk.gui.optional import gallery_missing
from ncii_desk.gui.safeview import PreviewPanel
from ncii_desk.gui.workspace.faces import FacePickerDialog, face_notes
from ncii_desk.gui.workspace.items import ItemsSection
from ncii_desk.services.types import Role


class OriginalsPane(QWidget):
    def __init__(self, ctx: AppContext, case_id: str) -> None:
        super().__init__()
        self.ctx = ctx
        self.case_id = case_id
        layout = QHBoxLayout(self)
        layout.setContentsMargins(PANE_MARGIN, PANE_MARGIN, PANE_MARGIN, PANE_MARGIN)
        self.split = split = QSplitter(Qt.Orientation.Horizontal)
        self.preview = PreviewPanel(ctx.previews, "originals", self.tr("Preview"))
        self.originals = ItemsSection(
            ctx,
            case_id,
            Role.ORIGINAL,
            self.tr("Originals"),
            self.tr(
                "The client's own pictures and videos that were shared without consent. "
                "They are matched against every suspect file and link."
            ),
            self.preview,
        )
        self.references = ItemsSection(
            ctx,
            case_id,
            Role.REFERENCE,
            self.tr("Reference photos"),
            self.tr(
                "Ordinary photos that show the client's face clearly, used to recognise the "
                "client in fakes. Pick the client's face in each one."
            ),
            self.preview,
        )
        if gallery_missing() is None:
            self.references.note_source = face_notes
        # One list at a time (a tab each), so the list shown has the whole height.
        self.lists = QTabWidget()
        self.lists.setDocumentMode(True)
        self.lists.setAccessibleName(self.tr("Originals or reference photos"))
        self._copyright_controls()
        self.pick_face_button = button(
            self.tr("&Pick the client's face..."),
            self.pick_face,
            tip=self.tr("Choose which face in the selected reference photo is the client's."),
        )
        self.pick_face_button.setEnabled(False)
        self.references.add_item_buttons(self.pick_face_button)
        self.face_note = note_label(self.tr("Face picking note"))
        self.references.add_below(self.face_note)
        for section in (self.originals, self.references):
            at = self.lists.addTab(section, section.title)
            self.lists.setTabToolTip(at, section.explanation)
        self.preview_toggle = ReturnButton()
        self.preview_toggle.setAccessibleName(self.tr("Show or hide the preview"))
        self.lists.setCornerWidget(self.preview_toggle, Qt.Corner.TopRightCorner)
        split.addWidget(self.lists)
        split.addWidget(self.preview)
        split.setStretchFactor(0, 3)
        split.setStretchFactor(1, 2)
        split.setCollapsible(0, False)
        self.preview_side = SidePanelToggle(
            split,
            self.preview,
            self.preview_toggle,
            self.tr("Show pre&view"),
            self.tr("Hide pre&view"),
        )
        # The preview starts with a third of the width (the list's long row of controls
        # would otherwise take nearly all of it); the handle or the button changes that.
        split.setSizes([share * 100 for share in (2, 1)])
        layout.addWidget(split)
        self.references.selected.connect(lambda _id: self._update_pick())
        self.originals.selected.connect(self._load_copyright)
        self.originals.selected.connect(lambda _id: self.references.table.clearSelection())
        self.references.selected.connect(lambda _id: self.originals.table.clearSelection())
        self._update_pick()

    def refresh(self) -> None:
        self.originals.refresh()
        self.references.refresh()

    # --- copyright of the selected original (what a DMCA notice may rely on) -----------

    def _copyright_controls(self) -> None:
        """Who took the selected original and who holds its copyright, in the row of
        controls under the originals list."""
        self.taken_by = QComboBox()
        for value, text in (
            ("unknown", self.tr("Not known")),
            ("client", self.tr("The client")),
            ("other", self.tr("Someone else")),
        ):
            self.taken_by.addItem(text, value)
        self.taken_by.setAccessibleName(self.tr("Who took the selected original"))
        self.holds = QComboBox()
        for value, text in (
            ("unknown", self.tr("Not known")),
            ("yes", self.tr("Yes")),
            ("no", self.tr("No")),
        ):
            self.holds.addItem(text, value)
        self.holds.setAccessibleName(self.tr("Does the client hold its copyright"))
        self.save_copyright = button(
            self.tr("&Save"),
            self.store_copyright,
            name=self.tr("Save who took the original and who holds its copyright"),
            tip=self.tr(
                "A DMCA notice lists only copies of originals marked as the client's (taken by "
                "the client, or copyright held). Nothing is assumed for the whole case."
            ),
        )
        self.copyright_note = note_label(self.tr("Copyright note"))
        taken_label = QLabel(self.tr("Taken b&y"))
        holds_label = QLabel(self.tr("Co&pyright"))
        taken_label.setBuddy(self.taken_by)
        holds_label.setBuddy(self.holds)
        # Each label with its box, so a wrapped row never parts them.
        pairs = []
        for label, box in ((taken_label, self.taken_by), (holds_label, self.holds)):
            pair = QWidget()
            pair_layout = QHBoxLayout(pair)
            pair_layout.setContentsMargins(0, 0, 0, 0)
            pair_layout.addWidget(label)
            pair_layout.addWidget(box)
            pairs.append(pair)
        self.originals.add_item_buttons(*pairs, self.save_copyright)
        self.originals.add_below(self.copyright_note)
        self._enable_copyright(False)

    def _enable_copyright(self, on: bool) -> None:
        for widget in (self.taken_by, self.holds, self.save_copyright):
            widget.setEnabled(on)

    def _load_copyright(self, item_id: str) -> None:
        from ncii_desk.services import items

        self._enable_copyright(False)
        self.ctx.read(lambda v: items.get_item(v, item_id), self.show_copyright, owner=self)

    def show_copyright(self, view: Any) -> None:
        if view.id != self.originals.selected_id():
            return
        self.taken_by.setCurrentIndex(max(0, self.taken_by.findData(view.taken_by)))
        self.holds.setCurrentIndex(max(0, self.holds.findData(view.client_holds_copyright)))
        self.copyright_note.setText("")
        self._enable_copyright(True)

    def store_copyright(self) -> None:
        from ncii_desk.services import items

        item_id = self.originals.selected_id()
        if item_id is None:
            return
        taken, holds = str(self.taken_by.currentData()), str(self.holds.currentData())
        self.ctx.read(
            lambda v: items.set_copyright(v, item_id, taken_by=taken, client_holds_copyright=holds),
            self._copyright_saved,
            lambda e: self.copyright_note.setText(error_text(e)),
            owner=self,
        )

    def _copyright_saved(self, view: Any) -> None:
        self.show_copyright(view)
        self.copyright_note.setText(self.tr("Saved."))

    def _update_pick(self) -> None:
        missing = gallery_missing()
        if missing is not None:
            self.pick_face_button.setEnabled(False)
            self.face_note.setText(
                self.tr(
                    "Face picking is not installed in this build (it comes with the analysis "
                    "part), so reference photos cannot be used for face matching yet."
                )
                + " "
                + missing.message
            )
            return
        selected = self.references.selected_id()
        self.pick_face_button.setEnabled(selected is not None)
        self.face_note.setText(
            "" if selected else self.tr("Select a reference photo to pick the client's face.")
        )

    def pick_face(self) -> None:
        item_id = self.references.selected_id()
        if item_id is None or gallery_missing() is not None:
            return
        dialog = FacePickerDialog(self.ctx, self.case_id, item_id, self)
        dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        dialog.picked.connect(lambda _i: self.references.refresh())
        self.face_dialog = dialog
        dialog.open()
