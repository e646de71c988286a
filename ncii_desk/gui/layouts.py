"""Layout pieces that keep every screen usable in a small window (1280×720 at 150 %
scaling is about 853×480 logical pixels): rows of buttons that wrap instead of widening the
window, splitters that keep a table's rows in view, and a side panel that can be folded away.
"""

from __future__ import annotations

from PySide6.QtCore import QEvent, QObject, QPoint, QRect, QSize, Qt
from PySide6.QtWidgets import (
    QAbstractButton,
    QFrame,
    QLayout,
    QLayoutItem,
    QScrollArea,
    QSizePolicy,
    QSplitter,
    QStyle,
    QTableView,
    QVBoxLayout,
    QWidget,
)

#: Rows every table keeps in view when its splitter leaves it the choice.
ROWS_KEPT = 8
#: Margin around the page of each tab (the tab's frame already sets it apart).
PANE_MARGIN = 2


class FlowLayout(QLayout):
    """Widgets side by side, going on to a new line when the width runs out (like words in
    a paragraph). The narrowest the row can be is its widest widget, so a long row of
    buttons never sets the window's minimum width."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._items: list[QLayoutItem] = []
        self.setContentsMargins(0, 0, 0, 0)

    # -- the QLayout interface --

    def addItem(self, item: QLayoutItem) -> None:
        self._items.append(item)

    def count(self) -> int:
        return len(self._items)

    def itemAt(self, index: int) -> QLayoutItem | None:
        return self._items[index] if 0 <= index < len(self._items) else None

    def takeAt(self, index: int) -> QLayoutItem | None:
        return self._items.pop(index) if 0 <= index < len(self._items) else None

    def insertWidget(self, index: int, widget: QWidget) -> None:
        """Place ``widget`` at ``index`` (the order of the row, and of Tab)."""
        self.addWidget(widget)  # Qt wraps it in an item at the end
        item = self._items.pop()
        self._items.insert(max(0, min(index, len(self._items))), item)
        self.invalidate()

    def expandingDirections(self) -> Qt.Orientation:
        return Qt.Orientation(0)

    def hasHeightForWidth(self) -> bool:
        return True

    def heightForWidth(self, width: int) -> int:
        return self._place(QRect(0, 0, width, 0), move=False)

    def setGeometry(self, rect: QRect) -> None:
        super().setGeometry(rect)
        self._place(rect, move=True)

    def sizeHint(self) -> QSize:
        # Everything on one line when there is room for it.
        width = sum(i.sizeHint().width() for i in self._shown()) + self._gap() * max(
            0, len(self._shown()) - 1
        )
        height = max((i.sizeHint().height() for i in self._shown()), default=0)
        m = self.contentsMargins()
        return QSize(width + m.left() + m.right(), height + m.top() + m.bottom())

    def minimumSize(self) -> QSize:
        size = QSize()
        for item in self._shown():
            size = size.expandedTo(item.minimumSize())
        m = self.contentsMargins()
        return size + QSize(m.left() + m.right(), m.top() + m.bottom())

    # -- placing --

    def _shown(self) -> list[QLayoutItem]:
        return [i for i in self._items if not i.isEmpty()]

    def _gap(self) -> int:
        spacing = self.spacing()
        if spacing >= 0:
            return spacing
        parent = self.parentWidget()
        style = parent.style() if parent is not None else None
        if style is None:
            return 6
        return style.pixelMetric(QStyle.PixelMetric.PM_LayoutHorizontalSpacing, None, parent)

    def _place(self, rect: QRect, *, move: bool) -> int:
        m = self.contentsMargins()
        area = rect.adjusted(m.left(), m.top(), -m.right(), -m.bottom())
        gap = self._gap()
        x, y, line = area.x(), area.y(), 0
        for item in self._shown():
            hint = item.sizeHint()
            width = min(hint.width(), area.width())
            if x > area.x() and x + width > area.right() + 1:
                x, y, line = area.x(), y + line + gap, 0
            if move:
                item.setGeometry(QRect(QPoint(x, y), QSize(width, hint.height())))
            x += width + gap
            line = max(line, hint.height())
        return y + line - rect.y() + m.bottom()


def rows_in_view(table: QTableView) -> float:
    """How many rows the table shows at once (its viewport height over the row height)."""
    return table.viewport().height() / max(1, table.verticalHeader().defaultSectionSize())


class _KeepRows(QObject):
    """Gives the table at the top of a splitter room for ``rows`` rows whenever the splitter
    is resized, until the advocate moves the handle (then their choice stands)."""

    def __init__(self, splitter: QSplitter, table: QTableView, rows: int) -> None:
        super().__init__(splitter)
        self.splitter = splitter
        self.table = table
        self.rows = rows
        self.moved_by_hand = False
        splitter.splitterMoved.connect(self._moved)
        splitter.installEventFilter(self)

    def _moved(self, _pos: int, _index: int) -> None:
        self.moved_by_hand = True

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        if watched is self.splitter and event.type() in (QEvent.Type.Resize, QEvent.Type.Show):
            self.fit()
        return False

    def part(self) -> QWidget:
        """The splitter's part that holds the table (the table itself, or a box with it)."""
        widget: QWidget = self.table
        while True:
            parent = widget.parentWidget()
            if parent is None or parent is self.splitter:
                return widget
            widget = parent

    def wanted(self) -> int:
        table, part = self.table, self.part()
        frame = table.height() - table.viewport().height()
        if frame <= 0 or not table.isVisible():
            frame = table.horizontalHeader().sizeHint().height() + 2 * table.frameWidth()
        around = 0
        if part is not table:  # the buttons or notes in the same box
            shown = part.isVisible() and table.height() > 0
            around = (
                part.height() - table.height()
                if shown
                else max(0, part.sizeHint().height() - table.sizeHint().height())
            )
        # Half a row more, so rounding in the layout never leaves one pixel short of the rows.
        rows = self.rows + 0.5
        return around + frame + int(rows * table.verticalHeader().defaultSectionSize())

    def fit(self) -> None:
        if self.moved_by_hand:
            return
        sizes = self.splitter.sizes()
        if len(sizes) < 2:
            return
        total = sum(sizes)
        index = max(0, self.splitter.indexOf(self.part()))
        want = self.wanted()
        if sizes[index] >= want or total <= 0:
            return
        rest = total - min(want, total)
        others = [i for i in range(len(sizes)) if i != index]
        new = [0] * len(sizes)
        new[index] = total - rest
        share = sum(sizes[i] for i in others) or 1
        for i in others:
            new[i] = rest * sizes[i] // share
        self.splitter.setSizes(new)


def keep_rows(splitter: QSplitter, table: QTableView, rows: int = ROWS_KEPT) -> None:
    """The table in ``splitter`` keeps ``rows`` rows in view; the other parts take what is
    left (and can be folded away: the splitter lets them collapse)."""
    keeper = _KeepRows(splitter, table, rows)
    splitter.setChildrenCollapsible(True)
    splitter.setCollapsible(max(0, splitter.indexOf(keeper.part())), False)
    splitter._keep_rows = keeper  # type: ignore[attr-defined]


class SidePanelToggle:
    """A button that folds the side panel of a splitter away and brings it back (the
    splitter's handle does the same by dragging)."""

    def __init__(
        self, splitter: QSplitter, panel: QWidget, button: QAbstractButton, show: str, hide: str
    ) -> None:
        self.splitter = splitter
        self.panel = panel
        self.button = button
        self.texts = (show, hide)
        self._width = 0
        button.setCheckable(True)
        button.setChecked(True)
        button.toggled.connect(self.set_shown)
        splitter.setCollapsible(splitter.indexOf(panel), True)
        splitter.splitterMoved.connect(lambda _p, _i: self._sync())
        self._sync()

    def shown(self) -> bool:
        return self.splitter.sizes()[self.splitter.indexOf(self.panel)] > 0

    def set_shown(self, on: bool) -> None:
        index = self.splitter.indexOf(self.panel)
        sizes = self.splitter.sizes()
        total = sum(sizes)
        if on and sizes[index] == 0:
            width = self._width or max(self.panel.minimumSizeHint().width(), total // 3)
            sizes = [max(0, s - width) if i != index else width for i, s in enumerate(sizes)]
            self.splitter.setSizes(sizes)
        elif not on and sizes[index] > 0:
            self._width = sizes[index]
            sizes = [s + sizes[index] if i == (1 - index) else s for i, s in enumerate(sizes)]
            sizes[index] = 0
            self.splitter.setSizes(sizes)
        self._sync()

    def _sync(self) -> None:
        if not self.splitter.sizes() or sum(self.splitter.sizes()) == 0:
            shown = True  # not laid out yet: the panel starts shown
        else:
            shown = self.shown()
        self.button.blockSignals(True)
        self.button.setChecked(shown)
        self.button.blockSignals(False)
        self.button.setText(self.texts[1] if shown else self.texts[0])


def shrinkable(widget: QWidget) -> QWidget:
    """Lets a widget be narrower than its text (it elides or wraps instead)."""
    policy = widget.sizePolicy()
    policy.setHorizontalPolicy(QSizePolicy.Policy.Ignored)
    widget.setSizePolicy(policy)
    return widget


def scrolling(widget: QWidget, name: str) -> QScrollArea:
    """``widget`` in a frameless scrolling area: in a small window it scrolls instead of
    claiming its whole minimum height from the parts beside it."""
    area = QScrollArea()
    area.setWidgetResizable(True)
    area.setFrameShape(QFrame.Shape.NoFrame)
    area.setWidget(widget)
    area.setAccessibleName(name)
    # Two lines at the least: a splitter may give the part above nearly all the height.
    area.setMinimumHeight(area.fontMetrics().lineSpacing() * 2)
    return area


def list_with_buttons(table: QTableView, buttons: list[QWidget], note: QWidget) -> QWidget:
    """A pane's list with its buttons under it (wrapping in a narrow window) and a note
    under those: the top half of a splitter whose bottom half shows the selected row."""
    row = FlowLayout()
    for b in buttons:
        row.addWidget(b)
    top = QWidget()
    layout = QVBoxLayout(top)
    layout.setContentsMargins(0, 0, 0, 0)
    layout.addWidget(table, 1)
    layout.addLayout(row)
    layout.addWidget(note)
    return top
