"""The self-test's Qt check (``ncii-desk selftest --qt``): a Qt application on this computer
draws text, writes a PNG and loads the application icon.

It lives in the GUI layer because it is the only self-test check that imports Qt; the
program's entry module (ncii_desk.launch) hands it to services.selftest.run_selftest.
"""

from __future__ import annotations

from typing import Any

from ncii_desk.services.selftest import SelftestFailure


def check_qt(versions: dict[str, Any]) -> tuple[str, dict[str, Any]]:
    """Run the check; add the Qt and PySide6 versions loaded to ``versions``."""
    from PySide6.QtCore import QBuffer, QByteArray, QIODevice, Qt, qVersion
    from PySide6.QtGui import QColor, QGuiApplication, QImage, QImageWriter, QPainter

    from ncii_desk.resources import data_dir

    app = QGuiApplication.instance()
    if app is None:
        app = QGuiApplication(["ncii-desk-selftest", "-platform", "offscreen"])
    platform_name = QGuiApplication.platformName()
    image = QImage(160, 48, QImage.Format.Format_ARGB32)
    image.fill(QColor("white"))
    painter = QPainter(image)
    painter.setPen(QColor("black"))
    painter.drawText(image.rect(), Qt.AlignmentFlag.AlignCenter, "NCII Desk")
    painter.end()
    inked = sum(
        1 for x in range(0, 160, 2) for y in range(0, 48, 2) if image.pixelColor(x, y).value() < 128
    )
    if inked == 0:
        raise SelftestFailure("Qt drew no text: its fonts are missing.")
    data = QByteArray()
    buffer = QBuffer(data)
    buffer.open(QIODevice.OpenModeFlag.WriteOnly)
    if not QImageWriter(buffer, QByteArray(b"PNG")).write(image) or not data.startsWith(b"\x89PNG"):
        raise SelftestFailure("Qt could not write a PNG picture (image plugins missing).")
    icon = QImage(str(data_dir("assets") / "icons" / "ncii-desk.png"))
    if icon.isNull():
        raise SelftestFailure("Qt could not load the application icon.")
    import PySide6

    versions["qt"] = str(qVersion())
    versions["pyside6"] = str(PySide6.__version__)
    return (
        f"Qt {qVersion()} application on the '{platform_name}' platform drew text and loaded "
        "the icon",
        {"platform": platform_name, "icon_size": [icon.width(), icon.height()]},
    )
