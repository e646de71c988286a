"""A Spanish window shows in Spanish the sentences that services write: the Activity log, a
problem in a batch (a file that is not a picture) and an error dialog for a real failure
(a second case with the same label). Services write English; the window says it in its
language (ncii_desk.i18n.said and Phrase)."""

from __future__ import annotations

from pathlib import Path

from guikit import WAIT, benign_picture, new_case, wait_tasks
from PySide6.QtWidgets import QMessageBox
from test_spanish import english_left, spanish  # noqa: F401  (the fixture is used by name)

from ncii_desk.gui.mainwindow import MainWindow
from ncii_desk.services.reveal import record_reveal


def test_a_spanish_window_says_service_sentences_in_spanish(  # type: ignore[no-untyped-def]
    qtbot,
    spanish: None,  # noqa: F811
    unlocked: MainWindow,
    tmp_path: Path,
) -> None:
    window = unlocked
    new_case(qtbot, window, label="Caso 2026-014", client_pseudonym="Cliente A")
    ws = window.workspace
    assert ws is not None
    folder = tmp_path / "fotos"
    folder.mkdir()
    benign_picture(3).save(folder / "playa.png")
    (folder / "notas.jpg").write_text("un archivo de texto con nombre de imagen\n")

    # A batch with a file that is not a picture: the picture is added, the problem is listed
    # in Spanish (what happened and what to do), the path as it is.
    ws.tabs.setCurrentWidget(ws.suspects)
    ws.suspects.items.add_paths([folder])
    wait_tasks(qtbot, window)
    qtbot.waitUntil(lambda: len(ws.suspects.items.views) == 1, timeout=WAIT)
    problems = window.task_panel.problem_texts()
    assert len(problems) == 1
    _task, path, message, hint = problems[0]
    assert path == str(folder / "notas.jpg")
    assert message == (
        f"{folder / 'notas.jpg'} no es una imagen ni un video (su contenido es texto); "
        "no se añadió."
    )
    assert hint.startswith("Solo se aceptan imágenes y videos como pruebas.")
    assert english_left([message, hint], ("ncii-desk add ROLE CASE --as-document FILE",)) == []

    # The Activity log in Spanish, the names of people and files as they are.
    assert window.vault is not None
    record_reveal(window.vault, ws.suspects.items.views[0].id, 15, "test")
    ws.tabs.setCurrentWidget(ws.activity)
    log = ws.activity
    log.refresh()
    qtbot.waitUntil(lambda: "item.reveal" in log.action_names(), timeout=WAIT)
    sentences = [log.model.item(r, 1).text() for r in range(log.model.rowCount())]
    who = window.vault.actor
    assert sentences[0] == f"{who} mostró playa.png durante 15 s."
    assert f"{who} añadió playa.png." in sentences
    assert f"{who} abrió el caso Caso 2026-014." in sentences
    assert english_left(sentences, (who, "playa.png")) == []

    # A real failure shown in a dialog: a second case with the same label.
    window.create_case(
        {
            "label": "Caso 2026-014",
            "client_pseudonym": "Cliente B",
            "jurisdiction": "US-CA",
            "suspected_minor": False,
            "consent": {"store_copies": {"given": True}},
        }
    )

    def shown_box() -> QMessageBox | None:
        boxes = [b for b in window.findChildren(QMessageBox) if b.isVisible()]
        return boxes[0] if boxes else None

    qtbot.waitUntil(lambda: shown_box() is not None, timeout=WAIT)
    box = shown_box()
    assert box is not None
    assert box.text() == (
        "Ya existe un caso con el nombre 'Caso 2026-014'.\n\n"
        "Elija otro nombre, por ejemplo agregando un número o una fecha."
    )
    assert english_left([box.text()]) == []
    box.close()


def _pdf_text(path: Path) -> str:
    import pypdf

    reader = pypdf.PdfReader(str(path))
    return " ".join(" ".join(page.extract_text().split()) for page in reader.pages)


def _open_handout(qtbot, window: MainWindow):  # type: ignore[no-untyped-def]
    ws = window.workspace
    assert ws is not None
    pane = ws.requests
    ws.tabs.setCurrentWidget(pane)
    pane.handout_button.click()
    dialog = pane.handout_dialog
    qtbot.waitUntil(dialog.isVisible, timeout=WAIT)
    return pane, dialog


def test_the_hand_out_is_offered_in_the_window_language(  # type: ignore[no-untyped-def]
    qtbot,
    spanish: None,  # noqa: F811
    unlocked: MainWindow,
    tmp_path: Path,
) -> None:
    """A Spanish window offers the hand-out in Spanish first (English is the other choice);
    the file is the Spanish hand-out, named without the case's label."""
    from guikit import part_installed

    if not part_installed("ncii_desk.services.requests"):
        return
    window = unlocked
    new_case(qtbot, window, label="Caso 2026-015", client_pseudonym="Cliente A")
    pane, dialog = _open_handout(qtbot, window)
    assert pane.handout_button.text().replace("&", "") == "Hoja informativa para su cliente..."
    assert [dialog.language.itemText(i) for i in range(dialog.language.count())] == [
        "English",
        "Español",
    ]
    assert dialog.chosen_language() == "es" and dialog.chosen_format() == "pdf"
    assert english_left(dialog_texts(dialog), ("English",)) == []
    pane.save_handout(dialog, tmp_path)
    saved = tmp_path / "hoja-informativa.pdf"
    qtbot.waitUntil(saved.exists, timeout=WAIT)
    text = _pdf_text(saved)
    assert "Sus próximos pasos" in text and "Your next steps" not in text
    assert window.vault is not None
    from ncii_desk.services.activity import case_activity

    made = [
        line.sentence_in()
        for line in case_activity(window.vault, ws_case_id(window))
        if line.action == "handout.made"
    ]
    assert made == [f"{window.vault.actor} hizo la hoja informativa para su cliente."]


def test_an_english_window_offers_english_and_spanish_can_be_chosen(  # type: ignore[no-untyped-def]
    qtbot, unlocked: MainWindow, tmp_path: Path
) -> None:
    from guikit import part_installed

    if not part_installed("ncii_desk.services.requests"):
        return
    window = unlocked
    new_case(qtbot, window, label="Case 2026-016")
    pane, dialog = _open_handout(qtbot, window)
    assert dialog.chosen_language() == "en"
    pane.save_handout(dialog, tmp_path / "en")
    qtbot.waitUntil((tmp_path / "en" / "client-handout.pdf").exists, timeout=WAIT)
    assert "Your next steps" in _pdf_text(tmp_path / "en" / "client-handout.pdf")

    pane, dialog = _open_handout(qtbot, window)
    dialog.language.setCurrentIndex(dialog.language.findData("es"))
    dialog.format.setCurrentIndex(dialog.format.findData("docx"))
    pane.save_handout(dialog, tmp_path / "es")
    saved = tmp_path / "es" / "hoja-informativa.docx"
    qtbot.waitUntil(saved.exists, timeout=WAIT)
    import docx

    words = "\n".join(p.text for p in docx.Document(str(saved)).paragraphs)
    assert "Sus próximos pasos" in words


def ws_case_id(window: MainWindow) -> str:
    ws = window.workspace
    assert ws is not None
    return ws.case_id


def dialog_texts(dialog) -> list[str]:  # type: ignore[no-untyped-def]
    from test_spanish import shown_texts

    return shown_texts(dialog)


def test_a_draft_refusal_is_said_in_spanish(  # type: ignore[no-untyped-def]
    qtbot,
    spanish: None,  # noqa: F811
    unlocked: MainWindow,
) -> None:
    """Drafting with details missing: the refusal (which letter, what is missing) and the
    dialog's own hints are Spanish."""
    from guikit import part_installed

    if not part_installed("ncii_desk.services.requests"):
        return
    window = unlocked
    new_case(qtbot, window, label="Caso 2026-017")
    ws = window.workspace
    assert ws is not None
    req = ws.requests
    ws.tabs.setCurrentWidget(req)
    req.draft()
    qtbot.waitUntil(lambda: getattr(req, "draft_dialog", None) is not None, timeout=WAIT)
    dialog = req.draft_dialog
    qtbot.waitUntil(lambda: dialog.preview is not None and not dialog.preview_busy, timeout=WAIT)
    dialog.select_route("takedown")
    dialog.extra_urls.setPlainText("https://www.reddit.com/r/a/comments/1")
    dialog.select_covered("yes")
    req.submit_draft(dialog)
    qtbot.waitUntil(lambda: "No se puede preparar" in dialog.message.text(), timeout=WAIT)
    first, *hints = dialog.message.text().split("\n")
    assert first.startswith(
        "No se puede preparar la solicitud de retiro según la Ley TAKE IT DOWN. Falta: firma; "
    )
    assert "datos de contacto" in first and hints
    assert english_left([first, *hints]) == []
    dialog.reject()


def _declared_too_large_png() -> bytes:
    """A PNG whose header declares 20000x20000 pixels (the loader refuses to decode it; the
    file itself is tiny and is still stored and hashed)."""
    import struct
    import zlib

    def chunk(kind: bytes, data: bytes) -> bytes:
        crc = struct.pack(">I", zlib.crc32(kind + data))
        return struct.pack(">I", len(data)) + kind + data + crc

    header = struct.pack(">IIBBBBB", 20000, 20000, 8, 2, 0, 0, 0)
    return (
        b"\x89PNG\r\n\x1a\n"
        + chunk(b"IHDR", header)
        + chunk(b"IDAT", zlib.compress(b"\x00" * 100))
        + chunk(b"IEND", b"")
    )


def test_what_opening_the_vault_repaired_is_spanish_in_the_status_line(  # type: ignore[no-untyped-def]
    qtbot,
    spanish: None,  # noqa: F811
    window: MainWindow,
    vault_dir: Path,
) -> None:
    """Vault files other users could read are made private on unlock; the status line says
    so in Spanish (the vault's report is English)."""
    import os

    from guikit import unlock

    for path in [vault_dir, *vault_dir.rglob("*")]:
        os.chmod(path, 0o755 if path.is_dir() else 0o644)
    unlock(qtbot, window)
    assert window.vault is not None and window.vault.report.permissions_tightened
    line = window.status.text()
    assert line.startswith("Otras personas usuarias de esta computadora podían leer ")
    assert line.endswith("de la bóveda; ahora solo usted puede leerlos.")
    assert english_left([line]) == []


def test_a_refused_preview_is_spanish(  # type: ignore[no-untyped-def]
    qtbot,
    spanish: None,  # noqa: F811
    unlocked: MainWindow,
    tmp_path: Path,
) -> None:
    """A picture the loader will not decode shows why there is no preview in Spanish (the
    loader's reason, with "the file" it names, is English)."""
    window = unlocked
    new_case(qtbot, window, label="Caso 2026-018")
    ws = window.workspace
    assert ws is not None
    big = tmp_path / "grande.png"
    big.write_bytes(_declared_too_large_png())
    ws.tabs.setCurrentWidget(ws.suspects)
    section = ws.suspects.items
    section.add_paths([big])
    wait_tasks(qtbot, window)
    qtbot.waitUntil(lambda: len(section.views) == 1, timeout=WAIT)
    section.select_item(section.views[0].id)
    picture = ws.suspects.preview.picture
    qtbot.waitUntil(lambda: picture.text().startswith("Sin vista previa"), timeout=WAIT)
    assert picture.text() == (
        "Sin vista previa: el archivo declara 20000x20000 píxeles (400 millones), más que el "
        "límite de 150 millones; puede ser una bomba de descompresión."
    )
    assert english_left([picture.text()]) == []


def test_a_face_photo_message_is_spanish(  # type: ignore[no-untyped-def]
    qtbot,
    spanish: None,  # noqa: F811
    unlocked: MainWindow,
    tmp_path: Path,
) -> None:
    """A reference photo without a face: the face picker says so in Spanish (the gallery's
    own words for the photo are English)."""
    from guikit import part_installed

    if not part_installed("ncii_desk.services.faces_gallery"):
        return
    window = unlocked
    new_case(qtbot, window, label="Caso 2026-021")
    ws = window.workspace
    assert ws is not None
    photo = tmp_path / "paisaje.png"
    benign_picture(5).save(photo)
    ws.tabs.setCurrentWidget(ws.originals)
    refs = ws.originals.references
    refs.add_paths([photo])
    wait_tasks(qtbot, window)
    qtbot.waitUntil(lambda: len(refs.views) == 1, timeout=WAIT)
    refs.select_item(refs.views[0].id)
    ws.originals.pick_face()
    faces = ws.originals.face_dialog
    qtbot.waitUntil(lambda: faces.status.text() != "Buscando caras...", timeout=WAIT)
    assert faces.status.text() == "No se encontró ninguna cara en esta foto."
    assert english_left(dialog_texts(faces)) == []
    faces.close()


def test_the_under_18_switch_result_is_spanish(  # type: ignore[no-untyped-def]
    qtbot,
    spanish: None,  # noqa: F811
    unlocked: MainWindow,
    tmp_path: Path,
) -> None:
    """Switching a case to hashes only, with the same file in another case: the note under
    the switch (the window's summary and the service's warnings) is Spanish."""
    window = unlocked
    picture = tmp_path / "foto.png"
    benign_picture(7).save(picture)
    for label in ("Caso 2026-019", "Caso 2026-020"):
        new_case(qtbot, window, label=label)
        # The new case's own workspace (the one before may still be shown for a moment).
        qtbot.waitUntil(
            lambda label=label: (
                window.workspace is not None
                and window.workspace.view is not None
                and window.workspace.view.label == label
            ),
            timeout=WAIT,
        )
        ws = window.workspace
        assert ws is not None
        ws.tabs.setCurrentWidget(ws.suspects)
        ws.suspects.items.add_paths([picture])
        wait_tasks(qtbot, window)
        qtbot.waitUntil(lambda ws=ws: len(ws.suspects.items.views) == 1, timeout=WAIT)
    ws = window.workspace
    assert ws is not None
    ws.set_minor(True)
    qtbot.waitUntil(lambda: getattr(ws, "minor_result", None) is not None, timeout=WAIT)
    note = ws.minor_note.text()
    assert note.startswith("Activado: solo se guardan hashes.")
    assert "1 elemento(s) en 1 caso(s) más tenían el mismo archivo" in note
    assert english_left([note]) == []


def test_a_packet_check_is_spanish(  # type: ignore[no-untyped-def]
    qtbot,
    spanish: None,  # noqa: F811
    unlocked: MainWindow,
    tmp_path: Path,
) -> None:
    """Verifying a packet that is not there: the check's finding (the packet service's own
    English words) is shown in Spanish, the file name as it is."""
    from guikit import part_installed

    if not part_installed("ncii_desk.services.packets"):
        return
    window = unlocked
    new_case(qtbot, window, label="Caso 2026-022")
    ws = window.workspace
    assert ws is not None
    ws.tabs.setCurrentWidget(ws.packet)
    ws.packet.verify(tmp_path / "paquete")
    qtbot.waitUntil(lambda: ws.packet.result.toPlainText() != "Verificando...", timeout=WAIT)
    wait_tasks(qtbot, window)
    lines = ws.packet.result.toPlainText().split("\n")
    assert lines[1] == "- paquete: no hay ninguna carpeta de paquete ni archivo ZIP en esta ruta"
    assert english_left(lines) == []


def test_a_failed_capture_is_spanish_in_the_captures_table(  # type: ignore[no-untyped-def]
    qtbot,
    spanish: None,  # noqa: F811
    unlocked: MainWindow,
    tmp_path: Path,
) -> None:
    """A link that answers 404 (a real server on 127.0.0.1): the captures table's status
    says why in Spanish (the capture service stores its English reason)."""
    import threading
    from functools import partial
    from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer

    from guikit import part_installed

    if not part_installed("ncii_desk.services.capture"):
        return

    class Quiet(SimpleHTTPRequestHandler):
        def log_message(self, *args: object) -> None:
            pass

    folder = tmp_path / "sitio"
    folder.mkdir()
    server = ThreadingHTTPServer(("127.0.0.1", 0), partial(Quiet, directory=str(folder)))
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        window = unlocked
        new_case(qtbot, window, label="Caso 2026-023")
        ws = window.workspace
        assert ws is not None
        ws.tabs.setCurrentWidget(ws.suspects)
        pane = ws.suspects
        link = f"http://127.0.0.1:{server.server_address[1]}/falta.html"
        pane.urls.setPlainText(link)
        pane.capture()
        wait_tasks(qtbot, window)
        qtbot.waitUntil(lambda: pane.model.rowCount() == 1, timeout=WAIT)
    finally:
        server.shutdown()
        server.server_close()
    status = pane.model.item(0, 1).text()
    assert status.startswith("Falló: El servidor respondió 404 ")
    # "File not found" is the site's own answer (its HTTP reason), quoted as it came.
    assert english_left([status], (link, "File not found")) == []
