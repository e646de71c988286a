"""Dark mode: the app follows the computer's colour scheme or the look chosen in Settings
(stored in the vault), and every text colour stays readable on its background in both
(WCAG AA, 4.5:1), the red of overdue requests included."""

from __future__ import annotations

import shiboken6
from guikit import WAIT
from PySide6.QtGui import QColor, QGuiApplication, QPalette
from PySide6.QtWidgets import QApplication

from ncii_desk.gui.common import is_dark, warning_color
from ncii_desk.gui.mainwindow import MainWindow
from ncii_desk.gui.theme import TEXT_PAIRS, apply_color_scheme, contrast, palette_for
from ncii_desk.services import settings as service_settings

AA = 4.5


def test_contrast_of_every_text_pair_in_both_schemes(qapp) -> None:  # type: ignore[no-untyped-def]
    assert contrast(QColor("#000000"), QColor("#ffffff")) == 21.0  # the formula itself
    assert round(contrast(QColor("#777777"), QColor("#ffffff")), 2) == 4.48
    try:
        for dark in (False, True):
            palette = palette_for(dark)
            for text, background in TEXT_PAIRS:
                ratio = contrast(palette.color(text), palette.color(background))
                assert ratio >= AA, (dark, text, background, round(ratio, 2))
            assert apply_color_scheme("dark" if dark else "light") is dark
            assert is_dark() is dark
            red = warning_color()  # the overdue deadline, the same as the tables use
            for background in (QPalette.ColorRole.Base, QPalette.ColorRole.Window):
                ratio = contrast(red, palette.color(background))
                assert ratio >= AA, (dark, "overdue red", background, round(ratio, 2))
            # The blurred previews sit on the window colour with a text note under them.
            note = contrast(
                palette.color(QPalette.ColorRole.PlaceholderText),
                palette.color(QPalette.ColorRole.Window),
            )
            assert note >= AA, (dark, round(note, 2))
    finally:
        apply_color_scheme("system")


def test_look_chosen_in_settings_is_stored_and_applied(qtbot, unlocked: MainWindow) -> None:  # type: ignore[no-untyped-def]
    window = unlocked
    ctx = window.ctx
    assert ctx is not None
    # Offscreen, the computer reports no dark scheme: "system" is light.
    assert ctx.color_scheme == "system" and not is_dark()
    try:
        window.open_settings()
        dialog = window.settings_dialog
        qtbot.waitUntil(lambda: dialog.auto_lock.value() == 10, timeout=WAIT)
        assert dialog.color_scheme.currentData() == "system"
        dialog.color_scheme.setCurrentIndex(dialog.color_scheme.findData("dark"))
        dialog.save()
        qtbot.waitUntil(lambda: not shiboken6.isValid(dialog), timeout=WAIT)
        assert ctx.color_scheme == "dark" and is_dark()
        assert QGuiApplication.palette().color(QPalette.ColorRole.Window).lightness() < 128
        assert window.vault is not None
        assert service_settings.color_scheme(window.vault) == "dark"
        # Locked and unlocked again: the stored look comes back.
        window.lock()
        apply_color_scheme("system")
        from guikit import unlock

        unlock(qtbot, window)
        qtbot.waitUntil(lambda: window.ctx is not None and is_dark(), timeout=WAIT)
        assert window.ctx is not None and window.ctx.color_scheme == "dark"
    finally:
        apply_color_scheme("system")
    assert isinstance(QApplication.instance(), QApplication)
