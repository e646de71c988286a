"""Safe viewing: previews are blurred (or a face crop only) unless revealed on purpose.

The decisions and the pixels belong to the reveal service (services/reveal.py); this module
only draws them and keeps the screens' memory of them.

* Pictures are made in memory on a worker thread by the service, from the vault's encrypted
  bytes, through the one safe media loader, blurred or cropped to the face the same way as
  the packet's thumbnails; the GUI thread only receives a small ``QImage``. Nothing is
  written to disk: no cache, no temp file, no thumbnail database.
* Items that may show a person under 18 (the item or its case marked so) never get a
  preview, not even a blurred one; their pixels were not kept in the first place.
* Revealing is per item, explicit (a button), time-limited (the picture blurs again after
  the chosen seconds) and recorded as an ``item.reveal`` audit event (by the service) before
  it is shown.
* A global greyscale setting applies to every picture, revealed or not.
* An item being switched to hashes only is hidden at once (:meth:`PreviewStore.hide`): its
  pictures leave memory and every screen showing it, before the vault work even starts.
"""

from __future__ import annotations

from collections import deque
from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from PySide6.QtCore import QEvent, QObject, QSize, Qt, QTimer, Signal
from PySide6.QtGui import QImage, QKeySequence, QPixmap, QShortcut
from PySide6.QtWidgets import (
    QLabel,
    QScrollArea,
    QSizePolicy,
    QVBoxLayout,
    QWidget,
)

from ncii_desk.errors import NciiDeskError
from ncii_desk.gui import workers
from ncii_desk.gui.common import button, plain_label, translate
from ncii_desk.gui.layouts import FlowLayout
from ncii_desk.i18n import said
from ncii_desk.services import reveal as reveal_service
from ncii_desk.services.jobs import Job
from ncii_desk.services.reveal import (
    PREVIEW_SIDE,
    REVEAL_ACTION,
    REVEAL_SIDE,
    NoPreview,
    Preview,
    Shown,
)
from ncii_desk.services.types import CaseStore

__all__ = ["PREVIEW_SIDE", "REVEAL_ACTION", "REVEAL_SIDE", "PreviewPanel", "PreviewStore"]

if TYPE_CHECKING:
    import numpy as np

    #: Pixels as rows x columns x 3 bytes (numpy is loaded with the first picture, not at
    #: start-up).
    RGB = np.ndarray[Any, Any]


@dataclass(frozen=True)
class Rendered:
    """A preview picture, or the reason there is none."""

    item_id: str
    image: QImage | None
    note: str
    revealed: bool = False


def no_preview_note(reason: NoPreview, detail: str = "") -> str:
    """The screen's words for why an item has no picture."""
    if reason is NoPreview.GONE:
        return translate("SafeView", "This item no longer exists.")
    if reason is NoPreview.MINOR:
        return translate(
            "SafeView",
            "No preview: this item is marked as possibly showing a person under 18. Only its "
            "hashes and details are kept.",
        )
    if reason is NoPreview.NOT_KEPT:
        return translate("SafeView", "No preview: the file was not kept.")
    if reason is NoPreview.VIDEO_TOO_LARGE:
        return translate("SafeView", "No preview for a video this large.")
    if reason is NoPreview.KIND:
        return translate("SafeView", "No preview for this kind of file ({mime}).").format(
            mime=detail
        )
    why = (
        translate("SafeView", "The video has no frame to preview.")
        if reason is NoPreview.NO_FRAME
        else said(detail)  # the loader's English message, in the window's language
    )
    return translate("SafeView", "No preview: {why}").format(why=why)


def shown_note(shown: Shown) -> str:
    if shown is Shown.FULL:
        return translate("SafeView", "Shown in full for a short time.")
    if shown is Shown.FACE:
        return translate("SafeView", "Face only.")
    if shown is Shown.BLURRED_NO_FACE:
        return translate("SafeView", "Blurred (no face found to show on its own).")
    return translate("SafeView", "Blurred.")


def to_qimage(rgb: RGB) -> QImage:
    """A QImage that owns its pixels (safe to hand from a worker thread to the GUI)."""
    import numpy as np

    rgb = np.ascontiguousarray(rgb, dtype=np.uint8)
    h, w = rgb.shape[:2]
    image = QImage(rgb.data, w, h, 3 * w, QImage.Format.Format_RGB888)
    return image.copy()


def rendered(result: Preview) -> Rendered:
    """The service's preview as a picture and a note for the screen (worker thread)."""
    if result.pixels is None or result.shown is None:
        reason = result.reason if result.reason is not None else NoPreview.NOT_KEPT
        return Rendered(result.item_id, None, no_preview_note(reason, result.detail))
    return Rendered(
        result.item_id, to_qimage(result.pixels), shown_note(result.shown), result.revealed
    )


def render_item(
    vault: CaseStore,
    item_id: str,
    *,
    mode: str = "blur",
    grey: bool = False,
    reveal: bool = False,
    side: int = PREVIEW_SIDE,
) -> Rendered:
    """An item's preview from the reveal service, ready to draw (worker thread only)."""
    return rendered(
        reveal_service.preview(vault, item_id, mode=mode, grey=grey, reveal=reveal, side=side)
    )


def hidden_note() -> str:
    return translate(
        "SafeView",
        "No preview: this item is kept as hashes only (it may show a person under 18).",
    )


#: Previews made at once. Each decode holds the interpreter for part of its work, and the
#: 50-odd thumbnails a long list asks for at once, made four at a time, kept the window
#: waiting for over 100 ms (bench/gui_stalls.py); one at a time they come in screen order.
DECODES_AT_ONCE = 1

PreviewKey = tuple[str, str, bool]


class PreviewStore(QObject):
    """Blurred previews kept in memory while the vault is unlocked; never on disk."""

    cleared = Signal()
    #: Items whose previews must disappear now (ids): they are being kept as hashes only.
    hidden = Signal(list)

    def __init__(self, vault_getter: Callable[[], CaseStore | None]) -> None:
        super().__init__()
        self._vault = vault_getter
        self._cache: dict[tuple[str, str, bool], Rendered] = {}
        self._pending: dict[
            tuple[str, str, bool], list[tuple[Callable[[Rendered], None], QObject | None]]
        ] = {}
        self.mode = "blur"
        self.grey = False
        self.reveal_seconds = 15
        self._generation = 0
        #: Items never to be shown again in this session, whatever a worker still delivers.
        self._hidden: set[str] = set()
        #: Previews asked for and not started yet, with what starts each (DECODES_AT_ONCE).
        self._queue: deque[tuple[PreviewKey, int, Callable[[], None]]] = deque()
        self._decoding = 0

    def configure(self, mode: str, grey: bool, reveal_seconds: int) -> None:
        if (mode, grey) != (self.mode, self.grey):
            self.clear()
        self.mode, self.grey, self.reveal_seconds = mode, grey, reveal_seconds

    def cached(self, item_id: str) -> Rendered | None:
        return self._cache.get((item_id, self.mode, self.grey))

    def is_hidden(self, item_id: str) -> bool:
        return item_id in self._hidden

    def hide(self, item_ids: list[str]) -> None:
        """Drop these items' pictures from memory and from every screen, now."""
        ids = set(item_ids)
        self._hidden |= ids
        for key in [k for k in self._cache if k[0] in ids]:
            del self._cache[key]
        for key in [k for k in self._pending if k[0] in ids]:
            del self._pending[key]
        self.hidden.emit(sorted(ids))

    def unhide(self, item_ids: list[str]) -> None:
        """The switch did not happen (an error): these items may be shown again."""
        self._hidden -= set(item_ids)
        self.hidden.emit(sorted(item_ids))

    def request(
        self,
        item_id: str,
        done: Callable[[Rendered], None],
        owner: QObject | None = None,
        *,
        first: bool = False,
    ) -> None:
        """Call ``done`` with the item's preview: from memory, or made once on a worker
        (several screens asking for the same item at once share one decode). Decodes run
        :data:`DECODES_AT_ONCE` at a time in the order asked; ``first`` (the preview the
        advocate selected) goes before the thumbnails still waiting."""
        if item_id in self._hidden:
            done(Rendered(item_id, None, hidden_note()))
            return
        hit = self.cached(item_id)
        if hit is not None:
            done(hit)
            return
        vault = self._vault()
        if vault is None:
            return
        mode, grey, generation = self.mode, self.grey, self._generation
        key = (item_id, mode, grey)
        waiting = self._pending.setdefault(key, [])
        waiting.append((done, owner))
        if len(waiting) > 1:
            if first:
                self._move_first(key)
            return

        def work(_job: Job) -> Rendered:
            return render_item(vault, item_id, mode=mode, grey=grey)

        def deliver(result: Rendered, keep: bool) -> None:
            if generation != self._generation or item_id in self._hidden:
                return  # cleared meanwhile (locked, quick exit, settings, hashes only)
            if keep:
                self._cache[key] = result
            for callback, who in self._pending.pop(key, []):
                if workers.alive(who):
                    callback(result)

        def begin() -> None:
            workers.start(
                work,
                lambda result: deliver(result, True),
                lambda error: deliver(Rendered(item_id, None, said(error.message)), False),
                on_finished=self._decoded,
            )

        entry = (key, generation, begin)
        if first:
            self._queue.appendleft(entry)
        else:
            self._queue.append(entry)
        self._pump()

    def _move_first(self, key: PreviewKey) -> None:
        for entry in self._queue:
            if entry[0] == key:
                self._queue.remove(entry)
                self._queue.appendleft(entry)
                return

    def _pump(self) -> None:
        while self._queue and self._decoding < DECODES_AT_ONCE:
            key, generation, begin = self._queue.popleft()
            if generation != self._generation or key not in self._pending:
                continue  # cleared or hidden while it waited: never decoded
            self._decoding += 1
            begin()

    def _decoded(self) -> None:
        self._decoding -= 1
        self._pump()

    def decodes_waiting(self) -> int:
        """Previews asked for and not started yet."""
        return len(self._queue)

    def reveal(
        self,
        item_id: str,
        where: str,
        done: Callable[[Rendered], None],
        failed: Callable[[NciiDeskError], None],
        owner: QObject | None = None,
    ) -> None:
        vault = self._vault()
        if vault is None:
            return
        if item_id in self._hidden:
            done(Rendered(item_id, None, hidden_note()))
            return
        grey, seconds, generation = self.grey, self.reveal_seconds, self._generation

        def work(_job: Job) -> Rendered:
            return rendered(
                reveal_service.reveal(
                    vault, item_id, seconds=seconds, where=where, grey=grey, side=REVEAL_SIDE
                )
            )

        def finished(result: Rendered) -> None:
            if item_id in self._hidden:
                result = Rendered(item_id, None, hidden_note())
            if generation == self._generation and workers.alive(owner):
                done(result)

        def not_done(error: NciiDeskError) -> None:
            if workers.alive(owner):
                failed(error)

        workers.start(work, finished, not_done)

    def clear(self) -> None:
        self._generation += 1
        self._cache.clear()
        self._pending.clear()
        self._queue.clear()
        self.cleared.emit()


class PreviewPanel(QWidget):
    """One item's preview with its Reveal button; blurs again when the time is up.

    The picture is always shown whole: fitted to the space the panel has (never cut to a
    strip), or at a chosen zoom inside a scrolling view. While it is revealed, "Hide now"
    (or Esc) blurs it again at once.
    """

    #: Zoom steps for "+" and "-" (a factor of the revealed picture's own size).
    ZOOM_STEP = 1.25

    def __init__(self, store: PreviewStore, where: str, title: str = "") -> None:
        super().__init__()
        self.store = store
        self.where = where
        self.item_id: str | None = None
        self.revealed = False
        self._remaining = 0
        self._image: QImage | None = None
        #: None: fitted to the view; otherwise the factor of the picture's own size.
        self.zoom: float | None = None
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        if title:
            layout.addWidget(plain_label(title, wrap=False))
        self.picture = QLabel()
        self.picture.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.picture.setAccessibleName(self.tr("Preview picture"))
        self.picture.setTextFormat(Qt.TextFormat.PlainText)
        self.picture.setWordWrap(True)
        self.area = QScrollArea()
        self.area.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.area.setWidget(self.picture)
        self.area.setMinimumSize(PREVIEW_SIDE // 2, PREVIEW_SIDE // 2)
        self.area.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Expanding)
        self.area.setAccessibleName(self.tr("Preview area"))
        self.area.viewport().installEventFilter(self)
        layout.addWidget(self.area, 1)
        self.note = plain_label(name=self.tr("Preview note"))
        layout.addWidget(self.note)
        # Wraps in a narrow window: revealed, the zoom buttons join the row without widening it.
        row = FlowLayout()
        self.reveal_button = button(
            self.tr("&Reveal for a few seconds"),
            self.reveal,
            tip=self.tr(
                "Shows this picture unblurred for a short time. Each reveal is recorded in "
                "the case's activity log."
            ),
        )
        self.reveal_button.setEnabled(False)
        row.addWidget(self.reveal_button)
        self.hide_button = button(
            self.tr("Hide no&w"),
            self.conceal,
            tip=self.tr("Blurs the picture again at once (or press Esc)."),
        )
        self.hide_button.setEnabled(False)
        row.addWidget(self.hide_button)
        self.countdown = plain_label(wrap=False, name=self.tr("Time left"))
        row.addWidget(self.countdown)
        self.fit_button = button(
            self.tr("Fi&t"),
            self.zoom_fit,
            tip=self.tr("Shows the whole picture in the space available."),
            name=self.tr("Fit the picture to the view"),
        )
        self.actual_button = button(
            self.tr("1&00 %"),
            lambda: self.set_zoom(1.0),
            tip=self.tr("Shows the picture at its own size; scroll to see all of it."),
            name=self.tr("Show the picture at its own size"),
        )
        self.zoom_in_button = button(
            "&+", self.zoom_in, tip=self.tr("Larger"), name=self.tr("Zoom in")
        )
        self.zoom_out_button = button(
            "&-", self.zoom_out, tip=self.tr("Smaller"), name=self.tr("Zoom out")
        )
        self.zoom_buttons = (
            self.fit_button,
            self.actual_button,
            self.zoom_in_button,
            self.zoom_out_button,
        )
        for b in self.zoom_buttons:
            # Compact (text width), and shown only while the picture is revealed: zooming a
            # blurred preview shows nothing more.
            b.setMinimumWidth(0)
            b.setMaximumWidth(b.fontMetrics().horizontalAdvance(b.text()) + 24)
            b.setVisible(False)
            row.addWidget(b)
        self.hide_button.setVisible(False)
        layout.addLayout(row)
        self.escape = QShortcut(QKeySequence(Qt.Key.Key_Escape), self)
        self.escape.setContext(Qt.ShortcutContext.WindowShortcut)
        self.escape.setEnabled(False)
        self.escape.activated.connect(self.conceal)
        self.escape.activatedAmbiguously.connect(self.conceal)
        self.timer = QTimer(self)
        self.timer.setInterval(1000)
        self.timer.timeout.connect(self._tick)
        store.cleared.connect(self.clear)
        store.hidden.connect(self._hidden)
        self.clear()

    def _hidden(self, item_ids: list[str]) -> None:
        if self.item_id in item_ids:
            self.show_item(self.item_id)  # concealed, then shown again as the store says

    def _show_text(self, text: str) -> None:
        self._image = None
        self.picture.setPixmap(QPixmap())
        self.area.setWidgetResizable(True)
        self.picture.setSizePolicy(QSizePolicy.Policy.Ignored, QSizePolicy.Policy.Ignored)
        self.picture.setText(text)
        for b in self.zoom_buttons:
            b.setEnabled(False)

    def show_item(self, item_id: str | None) -> None:
        self._conceal_now()
        self.item_id = item_id
        self.note.clear()
        self.reveal_button.setEnabled(False)
        if item_id is None:
            self._show_text(self.tr("Select an item to see its blurred preview."))
            return
        self._show_text(self.tr("Preparing a blurred preview..."))
        self.store.request(item_id, self._shown, self, first=True)

    def _shown(self, rendered: Rendered) -> None:
        if rendered.item_id != self.item_id:
            return
        if rendered.image is None:
            self._show_text(rendered.note)
            self.note.clear()
            self.reveal_button.setEnabled(False)
            return
        self._set_image(rendered.image)
        self.note.setText(rendered.note)
        self.reveal_button.setEnabled(not rendered.revealed)

    def _set_image(self, image: QImage) -> None:
        self._image = image
        self.zoom = None
        for b in self.zoom_buttons:
            b.setEnabled(True)
        self._layout_image()

    def source_image(self) -> QImage | None:
        """The picture shown (before it is fitted or zoomed to the view)."""
        return self._image

    def shown_size(self) -> QSize:
        """The size the picture is drawn at now (empty when there is none)."""
        pix = self.picture.pixmap()
        return QSize() if pix is None or pix.isNull() else pix.size()

    def _layout_image(self) -> None:
        image = self._image
        if image is None:
            return
        if self.zoom is None:
            # Fitted: the whole picture in the space there is (blurred thumbnails, which
            # are small by design, are shown enlarged, still blurred).
            # No scroll bars while fitted: the room is then the same whatever the zoom
            # before (a bar left over from 100 % would shrink the fit by its width).
            off = Qt.ScrollBarPolicy.ScrollBarAlwaysOff
            self.area.setHorizontalScrollBarPolicy(off)
            self.area.setVerticalScrollBarPolicy(off)
            self.area.setWidgetResizable(True)
            self.picture.setSizePolicy(QSizePolicy.Policy.Ignored, QSizePolicy.Policy.Ignored)
            room = self.area.viewport().size()
            target = QSize(max(1, room.width() - 2), max(1, room.height() - 2))
            pix = QPixmap.fromImage(image).scaled(
                target,
                Qt.AspectRatioMode.KeepAspectRatio,
                Qt.TransformationMode.SmoothTransformation,
            )
        else:
            needed = Qt.ScrollBarPolicy.ScrollBarAsNeeded
            self.area.setHorizontalScrollBarPolicy(needed)
            self.area.setVerticalScrollBarPolicy(needed)
            self.area.setWidgetResizable(False)
            self.picture.setSizePolicy(QSizePolicy.Policy.Fixed, QSizePolicy.Policy.Fixed)
            size = QSize(
                max(1, round(image.width() * self.zoom)), max(1, round(image.height() * self.zoom))
            )
            pix = QPixmap.fromImage(image).scaled(
                size,
                Qt.AspectRatioMode.KeepAspectRatio,
                Qt.TransformationMode.SmoothTransformation,
            )
        self.picture.setPixmap(pix)
        if self.zoom is not None:
            self.picture.resize(pix.size())

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        if event.type() == QEvent.Type.Resize and self.zoom is None and self._image is not None:
            QTimer.singleShot(0, self._layout_image)
        return super().eventFilter(watched, event)

    def zoom_fit(self) -> None:
        self.zoom = None
        self._layout_image()

    def set_zoom(self, factor: float) -> None:
        self.zoom = min(8.0, max(0.05, factor))
        self._layout_image()

    def _current_factor(self) -> float:
        if self.zoom is not None:
            return self.zoom
        if self._image is None or self._image.width() == 0:
            return 1.0
        return self.shown_size().width() / self._image.width()

    def zoom_in(self) -> None:
        self.set_zoom(self._current_factor() * self.ZOOM_STEP)

    def zoom_out(self) -> None:
        self.set_zoom(self._current_factor() / self.ZOOM_STEP)

    def reveal(self) -> None:
        if self.item_id is None:
            return
        item_id = self.item_id
        self.reveal_button.setEnabled(False)
        self.note.setText(self.tr("Recording the reveal in the activity log..."))

        def done(rendered: Rendered) -> None:
            if rendered.item_id != self.item_id:
                return
            if rendered.image is None:
                self._shown(rendered)
                return
            self.revealed = True
            self._set_image(rendered.image)
            self.note.setText(rendered.note)
            self._remaining = self.store.reveal_seconds
            self.countdown.setText(self.tr("Blurs again in {s} s").format(s=self._remaining))
            self.hide_button.setEnabled(True)
            self.escape.setEnabled(True)
            self._show_reveal_controls(True)
            self.timer.start()

        def failed(error: NciiDeskError) -> None:
            self.note.setText(said(error.message))
            self.reveal_button.setEnabled(True)

        self.store.reveal(item_id, self.where, done, failed, self)

    def _tick(self) -> None:
        self._remaining -= 1
        if self._remaining <= 0:
            self.conceal()
        else:
            self.countdown.setText(self.tr("Blurs again in {s} s").format(s=self._remaining))

    def _show_reveal_controls(self, on: bool) -> None:
        self.hide_button.setVisible(on)
        for b in self.zoom_buttons:
            b.setVisible(on)

    def _conceal_now(self) -> None:
        self.timer.stop()
        self.revealed = False
        self.countdown.clear()
        self.hide_button.setEnabled(False)
        self.escape.setEnabled(False)
        self._show_reveal_controls(False)
        self.zoom = None

    def conceal(self) -> None:
        was_revealed = self.revealed
        self._conceal_now()
        if was_revealed or self._image is not None:
            self.show_item(self.item_id)

    def clear(self) -> None:
        self._conceal_now()
        self.item_id = None
        self._show_text(self.tr("Select an item to see its blurred preview."))
        self.note.clear()
        self.reveal_button.setEnabled(False)
