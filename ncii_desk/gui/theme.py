"""Light and dark look: follow the computer's colour scheme (Qt 6.5+ reports it), or the
advocate's choice stored in the vault (services.settings.color_scheme: system, light, dark).

The two palettes are our own, so every text/background pair can be checked against WCAG AA
(4.5:1) in a test, the red used for overdue requests included (common.warning_color).
"""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtGui import QColor, QGuiApplication, QPalette
from PySide6.QtWidgets import QApplication

Role = QPalette.ColorRole
Group = QPalette.ColorGroup

LIGHT: dict[QPalette.ColorRole, str] = {
    Role.Window: "#f3f3f3",
    Role.WindowText: "#1a1a1a",
    Role.Base: "#ffffff",
    Role.AlternateBase: "#f0f0f0",
    Role.Text: "#1a1a1a",
    Role.PlaceholderText: "#5f5f5f",
    Role.Button: "#e8e8e8",
    Role.ButtonText: "#1a1a1a",
    Role.BrightText: "#ffffff",
    Role.Highlight: "#1f5fa8",
    Role.HighlightedText: "#ffffff",
    Role.ToolTipBase: "#ffffe1",
    Role.ToolTipText: "#1a1a1a",
    Role.Link: "#0b57a4",
    Role.LinkVisited: "#6a2c91",
    Role.Light: "#ffffff",
    Role.Midlight: "#e0e0e0",
    Role.Mid: "#b8b8b8",
    Role.Dark: "#8a8a8a",
    Role.Shadow: "#4a4a4a",
}

DARK: dict[QPalette.ColorRole, str] = {
    Role.Window: "#202124",
    Role.WindowText: "#e8eaed",
    Role.Base: "#17181a",
    Role.AlternateBase: "#25272a",
    Role.Text: "#e8eaed",
    Role.PlaceholderText: "#a0a4a8",
    Role.Button: "#2d2f33",
    Role.ButtonText: "#e8eaed",
    Role.BrightText: "#000000",
    Role.Highlight: "#8ab4f8",
    Role.HighlightedText: "#101114",
    Role.ToolTipBase: "#303134",
    Role.ToolTipText: "#e8eaed",
    Role.Link: "#8ab4f8",
    Role.LinkVisited: "#c58af9",
    Role.Light: "#3c4043",
    Role.Midlight: "#34373b",
    Role.Mid: "#5f6368",
    Role.Dark: "#111214",
    Role.Shadow: "#000000",
}

#: Text roles and the background each is drawn on (checked for 4.5:1 in both schemes).
TEXT_PAIRS: tuple[tuple[QPalette.ColorRole, QPalette.ColorRole], ...] = (
    (Role.WindowText, Role.Window),
    (Role.Text, Role.Base),
    (Role.Text, Role.AlternateBase),
    (Role.PlaceholderText, Role.Base),
    (Role.ButtonText, Role.Button),
    (Role.HighlightedText, Role.Highlight),
    (Role.ToolTipText, Role.ToolTipBase),
    (Role.Link, Role.Base),
    (Role.LinkVisited, Role.Base),
)


def palette_for(dark: bool) -> QPalette:
    palette = QPalette()
    for role, colour in (DARK if dark else LIGHT).items():
        palette.setColor(Group.All, role, QColor(colour))
    # Disabled text stays visible but quieter (WCAG exempts inactive controls).
    quiet = QColor("#8a8d91" if dark else "#7a7a7a")
    for role in (Role.WindowText, Role.Text, Role.ButtonText):
        palette.setColor(Group.Disabled, role, quiet)
    return palette


def system_is_dark() -> bool:
    """What the computer asks for (Qt 6.5+); an unknown scheme counts as light."""
    return QGuiApplication.styleHints().colorScheme() == Qt.ColorScheme.Dark


def resolve(choice: str) -> bool:
    """True for a dark look under ``choice`` ('system', 'light' or 'dark')."""
    if choice == "dark":
        return True
    if choice == "light":
        return False
    return system_is_dark()


def apply_color_scheme(choice: str) -> bool:
    """Give the whole application the palette ``choice`` asks for; True when dark."""
    app = QApplication.instance()
    dark = resolve(choice)
    if isinstance(app, QApplication):
        app.setPalette(palette_for(dark))
    return dark


def relative_luminance(colour: QColor) -> float:
    def channel(value: float) -> float:
        return value / 12.92 if value <= 0.04045 else ((value + 0.055) / 1.055) ** 2.4

    return (
        0.2126 * channel(colour.redF())
        + 0.7152 * channel(colour.greenF())
        + 0.0722 * channel(colour.blueF())
    )


def contrast(a: QColor, b: QColor) -> float:
    """WCAG 2 contrast ratio of two colours (1 to 21)."""
    la, lb = sorted((relative_luminance(a), relative_luminance(b)), reverse=True)
    return (la + 0.05) / (lb + 0.05)
