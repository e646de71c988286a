"""Removal requests: letters per platform, sent dates, ticket numbers, 48-hour countdowns."""

from __future__ import annotations

from PySide6.QtWidgets import QVBoxLayout, QWidget

from ncii_desk.gui.context import AppContext
from ncii_desk.gui.optional import NotInstalledPanel, load_service

REQUESTS = "ncii_desk.services.requests"


class RequestsPane(QWidget):
    def __init__(self, ctx: AppContext, case_id: str) -> None:
        super().__init__()
        self.ctx = ctx
        self.case_id = case_id
        layout = QVBoxLayout(self)
        self.service = load_service(REQUESTS)
        self.missing = NotInstalledPanel(
            self.tr("Removal requests"),
            self.tr(
                "With it, NCII Desk drafts TAKE IT DOWN Act requests and other letters for "
                "each platform, tracks when they were sent and counts down the 48 hours."
            ),
        )
        layout.addWidget(self.missing)

    def refresh(self) -> None:
        """Nothing to load while the part is missing."""
