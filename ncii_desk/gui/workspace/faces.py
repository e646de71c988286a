"""Picking the client's face in a reference photo, shown as face crops only."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from PySide6.QtCore import QSize, Qt, Signal
from PySide6.QtGui import QIcon, QPixmap
from PySide6.QtWidgets import (
    QDialog,
    QDialogButtonBox,
    QGridLayout,
    QToolButton,
    QVBoxLayout,
    QWidget,
)

from ncii_desk.errors import NciiDeskError
from ncii_desk.gui.common import error_text, plain_label, translate
from ncii_desk.gui.context import AppContext
from ncii_desk.gui.optional import gallery_missing
from ncii_desk.gui.safeview import to_qimage
from ncii_desk.i18n import said
from ncii_desk.services.jobs import Job
from ncii_desk.services.reveal import FACE_CROP_SIDE
from ncii_desk.services.types import CaseStore

CROP_SIDE = FACE_CROP_SIDE


def face_notes(vault: CaseStore, case_id: str) -> dict[str, str]:
    """What the reference photos table says about each photo's picked face (worker thread)."""
    if gallery_missing() is not None:
        return {}
    from ncii_desk.services import faces_gallery

    out = {}
    for item_id, faces in faces_gallery.picked_faces(vault, case_id).items():
        numbers = ", ".join(str(i) for i in faces)
        out[item_id] = translate("Faces", "Client's face: face {n}").format(n=numbers)
    return out


@dataclass(frozen=True)
class FaceTile:
    index: int
    score: float
    picked: bool
    image: Any  # QImage of the face crop


@dataclass(frozen=True)
class PhotoFaces:
    status: str
    message: str
    tiles: tuple[FaceTile, ...]


def face_tiles(vault: CaseStore, case_id: str, item_id: str, grey: bool, job: Job) -> PhotoFaces:
    """The reveal service's face crops of a reference photo, as pictures to draw."""
    from ncii_desk.services import reveal

    faces = reveal.reference_face_crops(vault, case_id, item_id, grey=grey, side=CROP_SIDE, job=job)
    tiles = tuple(FaceTile(c.index, c.score, c.picked, to_qimage(c.pixels)) for c in faces.crops)
    return PhotoFaces(faces.status, faces.message, tiles)


class FacePickerDialog(QDialog):
    picked = Signal(int)

    def __init__(
        self,
        ctx: AppContext,
        case_id: str,
        item_id: str,
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self.ctx = ctx
        self.case_id = case_id
        self.item_id = item_id
        self.setWindowTitle(self.tr("Pick the client's face"))
        # Room for a row of four faces with their labels, without resizing by hand.
        self.setMinimumSize(4 * (CROP_SIDE + 48), 2 * (CROP_SIDE + 56) + 160)
        self.saving = False
        self._picked_now: set[int] = set()
        layout = QVBoxLayout(self)
        layout.addWidget(
            plain_label(
                self.tr(
                    "Only the faces are shown. Choose the one that is the client; it is used "
                    "to recognise the client in suspect pictures and fakes."
                )
            )
        )
        self.status = plain_label(self.tr("Finding faces..."), name=self.tr("Status"))
        layout.addWidget(self.status)
        self.grid_box = QWidget()
        self.grid = QGridLayout(self.grid_box)
        layout.addWidget(self.grid_box)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close)
        buttons.rejected.connect(self.reject)
        buttons.button(QDialogButtonBox.StandardButton.Close).setAccessibleName(self.tr("Close"))
        layout.addWidget(buttons)
        self.tiles: list[QToolButton] = []
        self.scores: dict[int, float] = {}
        self.load()

    def load(self) -> None:
        case_id, item_id = self.case_id, self.item_id
        grey = self.ctx.preferences.greyscale
        self.ctx.task(
            self.tr("Finding faces in a reference photo"),
            lambda vault, job: face_tiles(vault, case_id, item_id, grey, job),
            on_done=self._show,
            on_failed=lambda e: self.status.setText(error_text(e)),
            owner=self,
        )

    def _show(self, faces: PhotoFaces) -> None:
        for old in self.tiles:
            old.setParent(None)
        self.tiles.clear()
        if not faces.tiles:
            # The gallery's own words for the photo (English), in the window's language.
            self.status.setText(said(faces.message) or self.tr("No face was found in this photo."))
            return
        self.status.setText(
            self.tr(
                "{n} face(s) found, largest first. Click the client's face; click a picked "
                "face again to take it out."
            ).format(n=len(faces.tiles))
        )
        self._picked_now = {t.index for t in faces.tiles if t.picked}
        self.scores = {t.index: t.score for t in faces.tiles}
        for pos, tile in enumerate(faces.tiles):
            b = QToolButton()
            b.setToolButtonStyle(Qt.ToolButtonStyle.ToolButtonTextUnderIcon)
            b.setIcon(QIcon(QPixmap.fromImage(tile.image)))
            b.setIconSize(QSize(CROP_SIDE, CROP_SIDE))
            # Labels in the dialog's own font, with room for "Face 2 (the client)".
            b.setFont(self.font())
            b.setMinimumSize(CROP_SIDE + 40, CROP_SIDE + 16 + 2 * self.fontMetrics().height())
            b.setCheckable(True)
            b.setProperty("face_index", tile.index)
            # The state changes only when the choice is saved, never on the click itself.
            b.clicked.connect(lambda _c=False, i=tile.index: self.toggle(i))
            self.grid.addWidget(b, pos // 4, pos % 4)
            self.tiles.append(b)
        self._mark_tiles()

    def _mark_tiles(self) -> None:
        for b in self.tiles:
            index = int(b.property("face_index"))
            picked = index in self._picked_now
            b.setChecked(picked)
            b.setEnabled(not self.saving)
            b.setText(
                self.tr("Face {i} (the client)").format(i=index)
                if picked
                else self.tr("Face {i}").format(i=index)
            )
            b.setAccessibleName(
                self.tr("Face {i}, detection score {s:.2f}").format(
                    i=index, s=self.scores.get(index, 0.0)
                )
                + (self.tr(", picked") if picked else "")
            )

    def toggle(self, index: int, picked: bool | None = None) -> None:
        """Clicking a face picks it (saved at once); clicking a picked face takes it out."""
        if self.saving:
            self._mark_tiles()
            return
        if picked is None:
            picked = index in self._picked_now
        if picked:
            self.unpick(index)
        else:
            self.pick(index)

    def _saving(self, on: bool, text: str) -> None:
        self.saving = on
        self.status.setText(text)
        self._mark_tiles()

    def _not_saved(self, error: NciiDeskError) -> None:
        self._saving(False, error_text(error))

    def unpick(self, index: int) -> None:
        from ncii_desk.services import faces_gallery as service

        item_id = self.item_id
        self._saving(True, self.tr("Removing the choice..."))

        def done(_views: object) -> None:
            self._picked_now.discard(index)
            self._saving(
                False,
                self.tr("Face {i} is no longer used to recognise the client.").format(i=index),
            )
            self.picked.emit(index)

        self.ctx.read(
            lambda vault: service.unpick_reference_face(vault, item_id, index),
            done,
            self._not_saved,
            owner=self,
        )

    def pick(self, index: int) -> None:
        from ncii_desk.services import faces_gallery as service

        item_id = self.item_id
        self._saving(True, self.tr("Saving the choice..."))

        def done(_view: object) -> None:
            self._picked_now.add(index)
            self._saving(
                False,
                self.tr("Saved: face {i} is used to recognise the client.").format(i=index),
            )
            self.picked.emit(index)

        self.ctx.read(
            lambda vault: service.pick_reference_face(vault, item_id, index),
            done,
            self._not_saved,
            owner=self,
        )
