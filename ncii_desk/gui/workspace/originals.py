"""Originals & references: the client's own pictures, and photos that show the client's face."""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QHBoxLayout, QSplitter, QVBoxLayout, QWidget

from ncii_desk.gui.common import button, plain_label
from ncii_desk.gui.context import AppContext
from ncii_desk.gui.safeview import PreviewPanel
from ncii_desk.gui.workspace.faces import FacePickerDialog, gallery_service
from ncii_desk.gui.workspace.items import ItemsSection
from ncii_desk.vault.models import Role


class OriginalsPane(QWidget):
    def __init__(self, ctx: AppContext, case_id: str) -> None:
        super().__init__()
        self.ctx = ctx
        self.case_id = case_id
        layout = QHBoxLayout(self)
        split = QSplitter(Qt.Orientation.Horizontal)
        lists = QWidget()
        lists_layout = QVBoxLayout(lists)
        lists_layout.setContentsMargins(0, 0, 0, 0)
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
        inner = QSplitter(Qt.Orientation.Vertical)
        inner.addWidget(self.originals)
        ref_box = QWidget()
        ref_layout = QVBoxLayout(ref_box)
        ref_layout.setContentsMargins(0, 0, 0, 0)
        ref_layout.addWidget(self.references)
        pick_row = QHBoxLayout()
        self.pick_face_button = button(
            self.tr("Pick the client's face..."),
            self.pick_face,
            tip=self.tr("Choose which face in the selected reference photo is the client's."),
        )
        self.pick_face_button.setEnabled(False)
        self.face_note = plain_label(name=self.tr("Face picking note"))
        pick_row.addWidget(self.pick_face_button)
        pick_row.addWidget(self.face_note, 1)
        ref_layout.addLayout(pick_row)
        inner.addWidget(ref_box)
        lists_layout.addWidget(inner)
        split.addWidget(lists)
        split.addWidget(self.preview)
        split.setStretchFactor(0, 3)
        split.setStretchFactor(1, 2)
        layout.addWidget(split)
        self.references.selected.connect(lambda _id: self._update_pick())
        self.originals.selected.connect(lambda _id: self.references.table.clearSelection())
        self.references.selected.connect(lambda _id: self.originals.table.clearSelection())
        self._update_pick()

    def refresh(self) -> None:
        self.originals.refresh()
        self.references.refresh()

    def _update_pick(self) -> None:
        if gallery_service() is None:
            self.pick_face_button.setEnabled(False)
            self.face_note.setText(
                self.tr(
                    "Face picking is not installed in this build (it comes with the analysis "
                    "part), so reference photos cannot be used for face matching yet."
                )
            )
            return
        selected = self.references.selected_id()
        self.pick_face_button.setEnabled(selected is not None)
        self.face_note.setText(
            "" if selected else self.tr("Select a reference photo to pick the client's face.")
        )

    def pick_face(self) -> None:
        item_id = self.references.selected_id()
        service = gallery_service()
        if item_id is None or service is None:
            return
        dialog = FacePickerDialog(self.ctx, self.case_id, item_id, service, self)
        dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        dialog.picked.connect(lambda _i: self.references.refresh())
        self.face_dialog = dialog
        dialog.open()
