"""Evidence packet: build it, verify it, open its folder."""

from __future__ import annotations

from PySide6.QtWidgets import QVBoxLayout, QWidget

from ncii_desk.gui.context import AppContext
from ncii_desk.gui.optional import NotInstalledPanel, load_service

PACKETS = "ncii_desk.services.packets"


class PacketPane(QWidget):
    def __init__(self, ctx: AppContext, case_id: str) -> None:
        super().__init__()
        self.ctx = ctx
        self.case_id = case_id
        layout = QVBoxLayout(self)
        self.service = load_service(PACKETS, "build_packet")
        self.missing = NotInstalledPanel(
            self.tr("Evidence packet"),
            self.tr(
                "With it, NCII Desk builds the civil-claim evidence packet with a hash "
                "manifest that anyone can verify offline."
            ),
        )
        layout.addWidget(self.missing)

    def refresh(self) -> None:
        """Nothing to load while the part is missing."""
