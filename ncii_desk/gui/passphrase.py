"""Passphrase fields and changing the vault's passphrase.

* :class:`PassphraseEdit`: a hidden-text field with a "Show" box and a Caps Lock warning.
  Qt has no portable call for the Caps Lock state, so the field reads it from the letters
  typed: an upper-case letter without Shift (or a lower-case one with Shift) means Caps Lock
  is on. Until a letter is typed the state is not known, and nothing is said.
* :class:`PassphraseChanger`: current passphrase (when known), the new one twice, and the
  same strength rule as the command line (``services.vaults.change_passphrase``, audited).
* :class:`NewPassphraseDialog`: asked at once after the vault was opened with the recovery
  key, so the key can go back to its safe place.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QFocusEvent, QKeyEvent
from PySide6.QtWidgets import (
    QCheckBox,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QVBoxLayout,
    QWidget,
)

from ncii_desk.errors import NciiDeskError, WeakPassphrase
from ncii_desk.gui.common import button, error_text, plain_label, translate
from ncii_desk.gui.context import AppContext
from ncii_desk.services import vaults

if TYPE_CHECKING:
    from ncii_desk.services.types import CaseStore


def passphrase_strength(text: str) -> tuple[str, bool]:
    """Plain feedback while a new passphrase is typed, and whether it is acceptable."""
    try:
        vaults.check_passphrase_strength(text)
    except WeakPassphrase as exc:
        return exc.message, False
    kinds = sum(
        (
            any(c.islower() for c in text),
            any(c.isupper() for c in text),
            any(c.isdigit() for c in text),
            any(not c.isalnum() for c in text),
        )
    )
    words = len(text.split())
    if len(text) >= 20 or (words >= 4 and len(text) >= 16):
        return translate("Passphrase", "Strong."), True
    if len(text) >= 12 and kinds >= 2:
        return translate("Passphrase", "Good. A few more words make it stronger."), True
    return translate("Passphrase", "Weak: add a few unrelated words."), True


def passphrase_feedback(text: str) -> tuple[str, bool]:
    """Plain feedback while a new passphrase is typed, and whether it may be used."""
    return passphrase_strength(text)


class PassphraseEdit(QLineEdit):
    """A passphrase field: hidden text, a "Show" box beside it, a Caps Lock warning below."""

    #: True: Caps Lock is on; False: off; None: not known (no letter typed yet).
    caps_lock_changed = Signal(object)

    def __init__(self, name: str, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setEchoMode(QLineEdit.EchoMode.Password)
        self.setAccessibleName(name)
        self.caps_lock: bool | None = None
        self.show_box = QCheckBox(translate("Passphrase", "Show"))
        self.show_box.setAccessibleName(translate("Passphrase", "Show {field}").format(field=name))
        self.show_box.setToolTip(
            translate("Passphrase", "Shows what you typed. Check nobody can see the screen.")
        )
        self.show_box.toggled.connect(self.set_shown)
        self.caps_note = plain_label(
            translate("Passphrase", "Caps Lock is on."),
            name=translate("Passphrase", "Caps Lock warning"),
        )
        self.caps_note.setVisible(False)

    def field(self) -> QWidget:
        """The field with its Show box and Caps Lock warning, to put in a form."""
        box = QWidget()
        outer = QVBoxLayout(box)
        outer.setContentsMargins(0, 0, 0, 0)
        row = QHBoxLayout()
        row.setContentsMargins(0, 0, 0, 0)
        row.addWidget(self, 1)
        row.addWidget(self.show_box)
        outer.addLayout(row)
        outer.addWidget(self.caps_note)
        return box

    def set_shown(self, on: bool) -> None:
        self.setEchoMode(QLineEdit.EchoMode.Normal if on else QLineEdit.EchoMode.Password)
        if self.show_box.isChecked() != on:
            self.show_box.setChecked(on)

    def _set_caps(self, on: bool | None) -> None:
        if on == self.caps_lock:
            return
        self.caps_lock = on
        self.caps_note.setVisible(bool(on))
        self.caps_lock_changed.emit(on)

    def keyPressEvent(self, event: QKeyEvent) -> None:
        text = event.text()
        if len(text) == 1 and text.isalpha() and text.upper() != text.lower():
            shifted = bool(event.modifiers() & Qt.KeyboardModifier.ShiftModifier)
            self._set_caps(text.isupper() != shifted)
        elif event.key() == Qt.Key.Key_CapsLock and self.caps_lock is not None:
            self._set_caps(not self.caps_lock)
        super().keyPressEvent(event)

    def focusOutEvent(self, event: QFocusEvent) -> None:
        # Caps Lock may be changed in another window: known again at the next letter.
        self._set_caps(None)
        super().focusOutEvent(event)


class PassphraseChanger(QWidget):
    """Choose a new passphrase for the open vault (the recovery key stays valid)."""

    changed = Signal()

    def __init__(self, ctx: AppContext, *, ask_current: bool) -> None:
        super().__init__()
        self.ctx = ctx
        self.busy = False
        form = QFormLayout(self)
        self.current: PassphraseEdit | None = None
        if ask_current:
            self.current = PassphraseEdit(self.tr("Current passphrase"))
            form.addRow(self.tr("Current passphrase"), self.current.field())
        self.new = PassphraseEdit(self.tr("New passphrase"))
        form.addRow(self.tr("New passphrase"), self.new.field())
        self.again = PassphraseEdit(self.tr("Type the new passphrase again"))
        form.addRow(self.tr("Again"), self.again.field())
        self.strength = plain_label(name=self.tr("Passphrase strength"))
        form.addRow("", self.strength)
        self.change_button = button(
            self.tr("&Change passphrase"),
            self.change,
            tip=self.tr(
                "Unlocks the vault with the new passphrase from now on. The recovery key "
                "does not change and still works."
            ),
        )
        form.addRow("", self.change_button)
        self.message = plain_label(name=self.tr("Passphrase change result"))
        form.addRow("", self.message)
        self.new.textChanged.connect(self._show_strength)

    def _show_strength(self, text: str) -> None:
        self.strength.setText(passphrase_feedback(text)[0] if text else "")

    def _fields(self) -> list[PassphraseEdit]:
        return [f for f in (self.current, self.new, self.again) if f is not None]

    def change(self) -> None:
        if self.busy:
            return
        new = self.new.text()
        current = self.current.text() if self.current is not None else None
        if self.current is not None and not current:
            self.message.setText(self.tr("Type the current passphrase first."))
            self.current.setFocus()
            return
        feedback, ok = passphrase_feedback(new)
        if not ok:
            self.message.setText(feedback)
            self.new.setFocus()
            return
        if new != self.again.text():
            self.message.setText(self.tr("The two new passphrases are not the same."))
            self.again.setFocus()
            return
        self.busy = True
        self.change_button.setEnabled(False)
        self.message.setText(self.tr("Changing the passphrase (a few seconds)..."))

        def work(vault: CaseStore) -> int:
            return vaults.change_store_passphrase(vault, new, current=current)

        self.ctx.read(work, self._done, self._failed, owner=self)

    def _done(self, _generation: object) -> None:
        self.busy = False
        self.change_button.setEnabled(True)
        for field in self._fields():
            field.clear()
        self.message.setText(
            self.tr(
                "Passphrase changed. Use the new one from now on; the recovery key is "
                "unchanged and still works."
            )
        )
        self.changed.emit()

    def _failed(self, error: NciiDeskError) -> None:
        self.busy = False
        self.change_button.setEnabled(True)
        self.message.setText(error_text(error))


class NewPassphraseDialog(QDialog):
    """Asked right after an unlock with the recovery key: choose a new passphrase now."""

    def __init__(self, ctx: AppContext, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle(self.tr("Choose a new passphrase"))
        layout = QVBoxLayout(self)
        intro: QLabel = plain_label(
            self.tr(
                "You opened the vault with the recovery key. Choose a new passphrase now: "
                "you will unlock with it from now on, and the recovery key can go back to "
                "its safe place."
            )
        )
        layout.addWidget(intro)
        self.changer = PassphraseChanger(ctx, ask_current=False)
        layout.addWidget(self.changer)
        self.buttons = QDialogButtonBox()
        later = self.buttons.addButton(self.tr("Not now"), QDialogButtonBox.ButtonRole.RejectRole)
        later.setAccessibleName(self.tr("Not now"))
        later.setToolTip(
            self.tr("You can change the passphrase later in Settings, under Passphrase.")
        )
        self.buttons.rejected.connect(self.reject)
        layout.addWidget(self.buttons)
        self.changer.changed.connect(self.accept)
        self.changer.new.setFocus()
