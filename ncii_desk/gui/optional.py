"""Parts of the application that a build may not include (capture, analysis, face gallery,
letters, packets). Their panes ask here whether the part can be loaded when first shown; when
it cannot, they say so plainly, naming the missing package, instead of showing anything made
up.

The services themselves are imported with plain ``from ncii_desk.services import ...``
statements inside the functions that use them (typed, checked by mypy, loaded only when
needed); this module only answers "is it there?".
"""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtWidgets import QFrame, QVBoxLayout

from ncii_desk.errors import MissingPackage
from ncii_desk.gui.common import heading, plain_label, translate


def _capture() -> None:
    from ncii_desk.services import capture  # noqa: F401


def _analysis() -> None:
    from ncii_desk.services import analysis  # noqa: F401


def _gallery() -> None:
    from ncii_desk.services import faces_gallery  # noqa: F401


def _requests() -> None:
    from ncii_desk.services import requests  # noqa: F401


def _packets() -> None:
    from ncii_desk.services import packets  # noqa: F401


def _missing(part: str, load: Callable[[], None]) -> MissingPackage | None:
    try:
        load()
    except ImportError as exc:
        package = exc.name or str(exc)
        return MissingPackage(
            translate(
                "Optional", "{part} is not installed: the Python package {package} is missing."
            ).format(part=part, package=package),
            translate(
                "Optional",
                "Install NCII Desk with this part included (or install {package}), then "
                "start it again.",
            ).format(package=package),
        )
    return None


def capture_missing() -> MissingPackage | None:
    """None when web capture can be used; otherwise why not."""
    return _missing(translate("Optional", "Web capture"), _capture)


def analysis_missing() -> MissingPackage | None:
    return _missing(translate("Optional", "Face and manipulation analysis"), _analysis)


def gallery_missing() -> MissingPackage | None:
    return _missing(translate("Optional", "The reference-face gallery"), _gallery)


def requests_missing() -> MissingPackage | None:
    return _missing(translate("Optional", "Removal requests"), _requests)


def packets_missing() -> MissingPackage | None:
    return _missing(translate("Optional", "Evidence packets"), _packets)


def require(missing: MissingPackage | None) -> None:
    """Raise the clear error of a part that is not installed (for work on a worker)."""
    if missing is not None:
        raise missing


class NotInstalledPanel(QFrame):
    def __init__(self, part: str, explanation: str, missing: str = "") -> None:
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
        if missing:
            layout.addWidget(plain_label(missing))
        layout.addStretch(1)
