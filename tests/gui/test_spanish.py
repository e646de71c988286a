"""The window in Spanish: every screen the other GUI tests open shows no English text, Qt's
own buttons follow the chosen language, and with English chosen they are English."""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path

import pytest
from guikit import WAIT, benign_picture, new_case, part_installed, wait_tasks
from PySide6.QtCore import Qt
from PySide6.QtGui import QAction
from PySide6.QtWidgets import (
    QAbstractButton,
    QApplication,
    QComboBox,
    QDialogButtonBox,
    QGroupBox,
    QHeaderView,
    QLabel,
    QLineEdit,
    QMessageBox,
    QPlainTextEdit,
    QTabWidget,
    QTextEdit,
    QWidget,
)

from conftest import PASSPHRASE, SHARED
from ncii_desk.gui.app import install_translators
from ncii_desk.gui.mainwindow import MainWindow
from ncii_desk.i18n import GUI_DOMAIN, read_ts, ts_path

FACES = SHARED / "testdata" / "faces"

# Proper names and technical terms that stay as they are in Spanish.
ALLOWED = (
    "NCII Desk",
    "TAKE IT DOWN",
    "Take It Down",
    "StopNCII",
    "CyberTipline",
    "NCMEC",
    "DMCA",
    "PDQ",
    "vPDQ",
    "pHash",
    "ROC AUC",
    "SHA-256",
    "MD5",
    "HTTP",
    "ZIP",
    "PDF",
    "Word",
    "dlib ResNet",
    "MobileFaceNet",
    "GPL-3.0-or-later",
    "GNU",
    "Esc",
    "Ctrl",
)
# Sentences the services layer writes that the window may show as they are: none (they are
# said in the window's language through the services catalogue, ncii_desk.i18n.said/Phrase).
SERVICE_TEXTS_LEFT: tuple[str, ...] = ()
# Words that show a text was left in English (none of them is a Spanish word).
_WORDS = """
the and with this your you from which when what has have been will can there their into
only after before click choose select file files case cases picture pictures vault
passphrase add open save show hide settings letter letters yes cancel close ok apply
help about found match matches matched none new tasks task request requests sent draft
not are was were of to is
"""
ENGLISH = frozenset(_WORDS.split())
_URL = re.compile(r"https?://\S+|/\S+|\S+\.(?:png|jpg|jpeg|ncii|pub|pdf|docx)\b", re.I)


def english_sources() -> dict[str, str]:
    """English source text (without mnemonics) -> its Spanish translation."""
    return {
        e.source.replace("&", ""): e.translation
        for e in read_ts(ts_path(GUI_DOMAIN, "es"))
        if e.translation != e.source
    }


def shown_texts(root: QWidget) -> list[str]:
    """Every text a person can see in ``root`` and its shown children: labels, buttons,
    tabs, group titles, column headers, combo items, menus, tooltips, placeholder texts and
    window titles."""
    texts: list[str] = []
    for w in [root, *root.findChildren(QWidget)]:
        if not w.isVisible():
            continue
        if w.isWindow():
            texts.append(w.windowTitle())
        texts.append(w.toolTip())
        if isinstance(w, QLabel):
            texts.append(w.text())
        if isinstance(w, QAbstractButton):
            texts.append(w.text())
        if isinstance(w, QGroupBox):
            texts.append(w.title())
        if isinstance(w, (QLineEdit, QPlainTextEdit, QTextEdit)):
            texts.append(w.placeholderText())
        if isinstance(w, QTabWidget):
            texts += [w.tabText(i) for i in range(w.count())]
            texts += [w.tabToolTip(i) for i in range(w.count())]
        if isinstance(w, QComboBox):
            texts += [w.itemText(i) for i in range(w.count())]
        if isinstance(w, QHeaderView) and w.model() is not None:
            model = w.model()
            texts += [str(model.headerData(c, w.orientation()) or "") for c in range(w.count())]
    for action in root.findChildren(QAction):
        if action.isVisible():
            texts += [action.text(), action.toolTip()]
    return [t for t in texts if t and t.strip()]


def texts_of_every_tab(root: QWidget) -> list[str]:
    """``shown_texts`` with each tab of each tab widget in ``root`` shown in turn."""
    texts = shown_texts(root)
    for tabs in root.findChildren(QTabWidget):
        if not tabs.isVisible():
            continue
        current = tabs.currentIndex()
        for i in range(tabs.count()):
            tabs.setCurrentIndex(i)
            QApplication.processEvents()
            texts += shown_texts(root)
        tabs.setCurrentIndex(current)
    return texts


def english_left(texts: list[str], extra_allowed: tuple[str, ...] = ()) -> list[str]:
    sources = english_sources()
    left = []
    for text in dict.fromkeys(texts):
        if text.startswith(SERVICE_TEXTS_LEFT):
            continue
        plain = re.sub(r"<[^>]+>", " ", text.replace("&", ""))
        if plain.strip() in sources:
            left.append(text)
            continue
        rest = _URL.sub(" ", plain)
        for name in (*ALLOWED, *extra_allowed):
            rest = rest.replace(name, " ")
        words = {w.lower() for w in re.findall(r"[A-Za-z]+", rest)}
        if words & ENGLISH:
            left.append(text)
    return left


@pytest.fixture
def spanish(qtbot) -> Iterator[None]:  # type: ignore[no-untyped-def]
    app = QApplication.instance()
    assert isinstance(app, QApplication)
    assert install_translators(app, "es") == "es"
    yield
    install_translators(app, "en")


def _message_box_buttons(qtbot) -> list[str]:  # type: ignore[no-untyped-def]
    box = QMessageBox()
    box.setStandardButtons(
        QMessageBox.StandardButton.Yes
        | QMessageBox.StandardButton.No
        | QMessageBox.StandardButton.Cancel
    )
    qtbot.addWidget(box)
    return sorted(b.text().replace("&", "") for b in box.buttons())


def test_the_word_check_finds_english(qtbot) -> None:  # type: ignore[no-untyped-def]
    """The check itself: English sentences and untranslated sources are caught, Spanish and
    proper names are not."""
    assert english_left(["Add files..."]) == ["Add files..."]
    assert english_left(["Show the picture at its own size"])
    assert english_left(["Solicitud según la Ley TAKE IT DOWN (NCII Desk, PDQ)"]) == []
    assert english_left(["Carpeta de la bóveda: /tmp/a/the/vault"]) == []


def test_qt_buttons_follow_the_chosen_language(qtbot) -> None:  # type: ignore[no-untyped-def]
    app = QApplication.instance()
    assert isinstance(app, QApplication)
    try:
        assert install_translators(app, "es") == "es"
        assert _message_box_buttons(qtbot) == ["Cancelar", "No", "Sí"]
        box = QDialogButtonBox(QDialogButtonBox.StandardButton.Ok)
        qtbot.addWidget(box)
        assert box.buttons()[0].text().replace("&", "") == "Aceptar"
    finally:
        assert install_translators(app, "en") == "en"
    assert _message_box_buttons(qtbot) == ["Cancel", "No", "Yes"]


def test_english_chosen_keeps_qt_english_on_a_spanish_system(qtbot, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    from PySide6.QtCore import QLocale

    from ncii_desk.gui import app as gui_app

    app = QApplication.instance()
    assert isinstance(app, QApplication)
    monkeypatch.setattr(gui_app.QLocale, "system", staticmethod(lambda: QLocale("es_MX")))
    try:
        assert install_translators(app, "system") == "es"
        assert install_translators(app, "en") == "en"
        assert _message_box_buttons(qtbot) == ["Cancel", "No", "Yes"]
    finally:
        install_translators(app, "en")


def test_first_run_and_recovery_key_in_spanish(qtbot, spanish: None, vault_dir: Path) -> None:  # type: ignore[no-untyped-def]
    from ncii_desk.gui.config import LocalConfig

    window = MainWindow(vault_dir, local=LocalConfig())
    qtbot.addWidget(window)
    window.show()
    gate = window.gate
    assert gate is not None and gate.creating
    assert english_left(shown_texts(window)) == []
    gate.passphrase.setText(PASSPHRASE)
    gate.confirm.setText(PASSPHRASE)
    gate.submit()
    page = gate.recovery_page
    qtbot.waitUntil(lambda: gate.pages.currentWidget() is page, timeout=WAIT)
    assert english_left(shown_texts(window)) == []
    window.lock()


def test_every_screen_in_spanish(  # type: ignore[no-untyped-def]
    qtbot, spanish: None, window: MainWindow, tmp_path: Path
) -> None:
    from guikit import unlock

    # Unlock screen, then the case list.
    assert english_left(shown_texts(window)) == []
    window.about_action.trigger()
    about = window.about_dialog
    assert about is not None
    qtbot.waitUntil(about.isVisible, timeout=WAIT)
    assert english_left(shown_texts(about)) == []
    about.close()
    unlock(qtbot, window)
    assert english_left(shown_texts(window)) == []

    # A case with every tab, an original shown blurred and then revealed.
    new_case(qtbot, window, label="Caso 2026-014", client_pseudonym="Cliente A")
    ws = window.workspace
    assert ws is not None
    picture = tmp_path / "original.png"
    benign_picture(1).save(picture)
    section = ws.originals.originals
    section.add_paths([picture])
    wait_tasks(qtbot, window)
    qtbot.waitUntil(lambda: len(section.views) == 1, timeout=WAIT)
    section.select_item(section.views[0].id)
    panel = ws.originals.preview
    qtbot.waitUntil(lambda: panel.reveal_button.isEnabled(), timeout=WAIT)
    window.previews.reveal_seconds = 120
    qtbot.mouseClick(panel.reveal_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: panel.revealed, timeout=WAIT)
    texts = texts_of_every_tab(window)
    assert "Coincidencias" in texts and "Configuración..." in texts
    assert english_left(texts, ("original.png",)) == []
    panel.hide_button.click()

    # Settings, every tab.
    window.open_settings()
    dialog = window.settings_dialog
    qtbot.waitUntil(lambda: dialog.auto_lock.value() == 10, timeout=WAIT)
    texts = texts_of_every_tab(dialog)
    assert "Análisis" in texts
    assert english_left(texts) == []
    dialog.close()

    # Draft letters.
    if part_installed("ncii_desk.services.requests"):
        req = ws.requests
        req.draft()
        qtbot.waitUntil(lambda: getattr(req, "draft_dialog", None) is not None, timeout=WAIT)
        draft = req.draft_dialog
        qtbot.waitUntil(lambda: draft.preview is not None and not draft.preview_busy, timeout=WAIT)
        texts = texts_of_every_tab(draft)
        assert "Preparar las cartas" in texts
        assert english_left(texts) == []
        draft.reject()

    # The face picker on a reference photo.
    if part_installed("ncii_desk.services.faces_gallery"):
        refs = ws.originals.references
        refs.add_paths([FACES / "chirac3.jpg"])
        wait_tasks(qtbot, window)
        qtbot.waitUntil(lambda: len(refs.views) == 1, timeout=WAIT)
        refs.select_item(refs.views[0].id)
        ws.originals.pick_face()
        faces = ws.originals.face_dialog
        qtbot.waitUntil(lambda: len(faces.tiles) == 5, timeout=WAIT)
        texts = shown_texts(faces)
        assert "Elegir la cara de su cliente" in texts
        assert english_left(texts) == []
        faces.close()
    window.lock()


def test_language_chosen_in_settings_is_used_at_the_next_start(  # type: ignore[no-untyped-def]
    qtbot, unlocked: MainWindow
) -> None:
    from ncii_desk.gui.config import LocalConfig

    window = unlocked
    window.open_settings()
    dialog = window.settings_dialog
    qtbot.waitUntil(lambda: dialog.auto_lock.value() == 10, timeout=WAIT)
    assert [dialog.language.itemData(i) for i in range(dialog.language.count())] == [
        "system",
        "en",
        "es",
    ]
    assert dialog.language.currentData() == "system"
    dialog.language.setCurrentIndex(dialog.language.findData("es"))
    dialog.save()
    assert LocalConfig.load().language == "es"
    app = QApplication.instance()
    assert isinstance(app, QApplication)
    try:
        assert install_translators(app) == "es"  # what the next start does
        assert _message_box_buttons(qtbot) == ["Cancelar", "No", "Sí"]
    finally:
        install_translators(app, "en")
    window.lock()
