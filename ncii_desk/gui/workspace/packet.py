"""Evidence packet: build it, verify it, open its folder."""

from __future__ import annotations

from datetime import datetime
from pathlib import Path
from typing import Any

from PySide6.QtCore import Qt, QUrl
from PySide6.QtGui import QDesktopServices
from PySide6.QtWidgets import (
    QComboBox,
    QFormLayout,
    QHBoxLayout,
    QListWidget,
    QListWidgetItem,
    QPlainTextEdit,
    QVBoxLayout,
    QWidget,
)

from ncii_desk.gui.common import (
    button,
    checkbox,
    error_text,
    pick_folder,
    plain_label,
    translate,
)
from ncii_desk.gui.context import AppContext
from ncii_desk.gui.optional import NotInstalledPanel, packets_missing
from ncii_desk.gui.tasks import Problem
from ncii_desk.i18n import said


def packet_folder_name(now: datetime | None = None) -> str:
    return "evidence-packet-" + (now or datetime.now()).strftime("%Y%m%d-%H%M%S")


def built_text(result: Any) -> str:
    lines = [
        translate("Packet", "Packet folder: {path}").format(path=str(result.folder)),
        translate(
            "Packet", "PDF: {pages} pages; {n} exhibit(s); {s} file(s) in the sealed volume."
        ).format(pages=result.pdf_pages, n=result.exhibits, s=result.sealed_files),
        translate("Packet", "Manifest SHA-256: {h}").format(h=result.manifest_sha256),
    ]
    if result.zip_path is not None:
        lines.append(translate("Packet", "ZIP: {path}").format(path=str(result.zip_path)))
    lines.append(
        translate("Packet", "Signed by: {who}").format(who=result.signed_by)
        if result.signed_by
        else translate("Packet", "Not signed (a clinic certificate can be set in Settings).")
    )
    lines += [translate("Packet", "Note: {w}").format(w=said(w)) for w in result.warnings]
    return "\n".join(lines)


def verify_text(report: Any) -> str:
    if report.ok:
        head = translate("Packet", "VERIFIED: {n} file(s), {b} bytes match the manifest.").format(
            n=report.files_checked, b=report.bytes_checked
        )
        if report.vault_checked:
            head += " " + translate("Packet", "The vault's audit trail agrees with the packet.")
    else:
        head = translate("Packet", "NOT VERIFIED: {n} problem(s).").format(n=len(report.failures))
    lines = [head]
    # The check's own words (English) in the window's language; file names as they are.
    lines += [f"- {said(f.file)}: {said(f.problem)}" for f in report.failures]
    lines += [translate("Packet", "Note: {n}").format(n=said(n)) for n in report.notes]
    return "\n".join(lines)


def verify_problems(report: Any) -> list[Problem]:
    return [Problem(f.file, f.problem) for f in report.failures]


class PacketPane(QWidget):
    def __init__(self, ctx: AppContext, case_id: str) -> None:
        super().__init__()
        self.ctx = ctx
        self.case_id = case_id
        self.folder: Path | None = None
        self.missing = packets_missing()
        layout = QVBoxLayout(self)
        if self.missing is not None:
            layout.addWidget(
                NotInstalledPanel(
                    self.tr("Evidence packet"),
                    self.tr(
                        "With it, NCII Desk builds the civil-claim evidence packet with a "
                        "hash manifest that anyone can verify offline."
                    ),
                    self.missing.message,
                )
            )
            return
        layout.addWidget(
            plain_label(
                self.tr(
                    "The evidence packet is a folder for the attorney: a PDF with the case's "
                    "exhibits (captures, hashes, matches, findings, requests) under the "
                    "client's pseudonym, a hash manifest that proves no file changed, and "
                    "optionally a sealed volume with the full pictures for filing under seal."
                )
            )
        )
        form = QFormLayout()
        self.thumbs = QComboBox()
        self.thumbs.addItem(self.tr("Blurred thumbnails"), "blur")
        self.thumbs.addItem(self.tr("Face crops only"), "face")
        self.thumbs.addItem(self.tr("No pictures"), "none")
        self.thumbs.setAccessibleName(self.tr("Pictures in the PDF"))
        form.addRow(self.tr("Pictures in the PDF"), self.thumbs)
        self.sealed = checkbox(
            self.tr("Also make the sealed volume with the full pictures (for filing under seal)")
        )
        form.addRow("", self.sealed)
        self.make_zip = checkbox(self.tr("Also make a ZIP of the packet"))
        form.addRow("", self.make_zip)
        layout.addLayout(form)
        layout.addWidget(
            plain_label(
                self.tr(
                    "Advocate notes may be privileged work product and stay out of the packet. "
                    "Tick a note only if it should be in the PDF:"
                )
            )
        )
        self.notes = QListWidget()
        self.notes.setAccessibleName(self.tr("Advocate notes to include"))
        self.notes.setMaximumHeight(110)
        layout.addWidget(self.notes)
        self.refresh()
        row = QHBoxLayout()
        self.build_button = button(self.tr("&Build the packet..."), self.choose_and_build)
        self.verify_button = button(self.tr("&Verify a packet..."), self.choose_and_verify)
        self.open_button = button(
            self.tr("&Open the packet folder"),
            self.open_folder,
            tip=self.tr(
                "Opens the folder in your file manager. It may make its own previews of the "
                "pictures in a sealed volume."
            ),
        )
        self.open_button.setEnabled(False)
        for b in (self.build_button, self.verify_button, self.open_button):
            row.addWidget(b)
        row.addStretch(1)
        layout.addLayout(row)
        self.result = QPlainTextEdit()
        self.result.setReadOnly(True)
        self.result.setAccessibleName(self.tr("Packet result"))
        self.result.setTabChangesFocus(True)
        layout.addWidget(self.result, 1)

    def refresh(self) -> None:
        """The pane shows only what was built or verified in this session, and the notes
        that could be ticked in (all unticked)."""
        if self.missing is not None:
            return
        from ncii_desk.services import packets as service

        case_id = self.case_id
        self.ctx.read(lambda v: service.case_notes(v, case_id), self.show_notes, owner=self)

    def show_notes(self, notes: list[Any]) -> None:
        """List the notes; a note stays ticked across a refresh, a new one starts unticked."""
        ticked = set(self.ticked_notes())
        self.notes.clear()
        for note in notes:
            first = " ".join(str(note.text).split())
            entry = QListWidgetItem(f"{note.label}: {first[:80]}")
            entry.setData(Qt.ItemDataRole.UserRole, note.id)
            entry.setFlags(entry.flags() | Qt.ItemFlag.ItemIsUserCheckable)
            on = note.id in ticked
            entry.setCheckState(Qt.CheckState.Checked if on else Qt.CheckState.Unchecked)
            self.notes.addItem(entry)
        self.notes.setVisible(bool(notes))

    def ticked_notes(self) -> list[str]:
        return [
            str(self.notes.item(i).data(Qt.ItemDataRole.UserRole))
            for i in range(self.notes.count())
            if self.notes.item(i).checkState() == Qt.CheckState.Checked
        ]

    def choose_and_build(self) -> None:
        parent = pick_folder(self, self.tr("Choose where to put the packet folder"))
        if parent is not None:
            self.build(parent / packet_folder_name())

    def build(self, out_dir: Path) -> None:
        if self.missing is not None:
            return
        from ncii_desk.services import packets as service
        from ncii_desk.services.types import ThumbMode

        case_id = self.case_id
        sealed, make_zip = self.sealed.isChecked(), self.make_zip.isChecked()
        thumbs = ThumbMode(str(self.thumbs.currentData()))
        notes = self.ticked_notes()
        self.result.setPlainText(self.tr("Building the packet..."))
        self.ctx.task(
            self.tr("Building the evidence packet"),
            lambda vault, job: service.build_packet(
                vault,
                case_id,
                out_dir,
                sealed=sealed,
                make_zip=make_zip,
                thumbnails=thumbs,
                include_notes=notes,
                job=job,
            ),
            on_done=self._built,
            on_failed=lambda e: self.result.setPlainText(error_text(e)),
            summary=lambda r: self.tr("Packet with {n} exhibit(s) built.").format(n=r.exhibits),
            owner=self,
        )

    def _built(self, result: Any) -> None:
        self.folder = Path(result.folder)
        self.open_button.setEnabled(True)
        self.result.setPlainText(built_text(result))
        self.ctx.case_changed.emit(self.case_id)

    def choose_and_verify(self) -> None:
        folder = pick_folder(self, self.tr("Choose the packet folder to verify"))
        if folder is not None:
            self.verify(folder)

    def verify(self, path: Path) -> None:
        if self.missing is not None:
            return
        from ncii_desk.services import packets as service

        self.result.setPlainText(self.tr("Verifying..."))
        self.ctx.task(
            self.tr("Verifying an evidence packet"),
            lambda vault, _job: service.verify_packet(path, vault=vault),
            on_done=lambda report: self.result.setPlainText(verify_text(report)),
            on_failed=lambda e: self.result.setPlainText(error_text(e)),
            problems_of=verify_problems,
            summary=lambda r: self.tr("Verified.") if r.ok else self.tr("Problems found."),
            owner=self,
        )

    def open_folder(self) -> None:
        if self.folder is not None:
            QDesktopServices.openUrl(QUrl.fromLocalFile(str(self.folder)))
