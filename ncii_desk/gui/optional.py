"""Parts of the application that a build may not include yet (capture, analysis, documents,
packets). Their panes import the service when first shown; when it is absent they say so
plainly instead of showing anything made up."""

from __future__ import annotations

import importlib
from types import ModuleType

from PySide6.QtWidgets import QFrame, QVBoxLayout

from ncii_desk.gui.common import heading, plain_label, translate


def load_service(module: str, *names: str) -> ModuleType | None:
    """The service module if it is installed, imports cleanly and has every name the pane
    needs; otherwise None (a part missing from this build, or one whose own dependencies are
    missing, is shown as not installed instead of stopping the app)."""
    try:
        mod = importlib.import_module(module)
    except ImportError:
        return None
    if all(hasattr(mod, n) for n in names):
        return mod
    return None


class NotInstalledPanel(QFrame):
    def __init__(self, part: str, explanation: str) -> None:
        super().__init__()
        self.setFrameShape(QFrame.Shape.StyledPanel)
        self.setAccessibleName(translate("Optional", "Not installed: {part}").format(part=part))
        layout = QVBoxLayout(self)
        layout.addWidget(heading(part))
        layout.addWidget(
            plain_label(
                translate(
                    "Optional",
                    "This part is not installed in this build of NCII Desk, so nothing can be "
                    "shown or done here yet.",
                )
            )
        )
        layout.addWidget(plain_label(explanation))
        layout.addStretch(1)
