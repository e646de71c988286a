"""Activity: the case's entries of the tamper-evident audit log, newest first."""

from __future__ import annotations

from PySide6.QtGui import QStandardItem
from PySide6.QtWidgets import (
    QHBoxLayout,
    QVBoxLayout,
    QWidget,
)

from ncii_desk.gui.common import (
    QT_TRANSLATE_NOOP,
    button,
    fit_columns,
    plain_label,
    plain_tip,
    row_table,
)
from ncii_desk.gui.context import AppContext
from ncii_desk.services.activity import ActivityLine, case_activity

ACTIVITY_COLUMNS = (
    QT_TRANSLATE_NOOP("Activity", "When"),
    QT_TRANSLATE_NOOP("Activity", "What happened"),
    QT_TRANSLATE_NOOP("Activity", "Note"),
)
ACTIVITY_STRETCH = (1,)


class ActivityPane(QWidget):
    def __init__(self, ctx: AppContext, case_id: str) -> None:
        super().__init__()
        self.ctx = ctx
        self.case_id = case_id
        self.rows: list[ActivityLine] = []
        layout = QVBoxLayout(self)
        top = QHBoxLayout()
        top.addWidget(
            plain_label(
                self.tr(
                    "Everything done in this case is recorded here, with the time and the "
                    "person. The log cannot be changed afterwards without it showing."
                )
            ),
            1,
        )
        self.refresh_button = button(self.tr("&Refresh"), self.refresh)
        top.addWidget(self.refresh_button)
        layout.addLayout(top)
        self.model, self.table = row_table(
            "Activity", ACTIVITY_COLUMNS, self.tr("Activity log"), single_selection=False
        )
        fit_columns(self.table, ACTIVITY_STRETCH)
        layout.addWidget(self.table, 1)

    def refresh(self) -> None:
        case_id = self.case_id
        self.ctx.read(lambda v: case_activity(v, case_id), self._show, owner=self)

    def _show(self, rows: list[ActivityLine]) -> None:
        self.rows = rows
        self.model.removeRows(0, self.model.rowCount())
        for r in rows:
            cells = [
                QStandardItem(r.when),
                QStandardItem(r.sentence_in()),
                QStandardItem(r.details),
            ]
            for c in cells:
                c.setEditable(False)
                c.setToolTip(plain_tip(c.text()))
            self.model.appendRow(cells)
        fit_columns(self.table, ACTIVITY_STRETCH)

    def action_names(self) -> list[str]:
        return [r.action for r in self.rows]

    def sentences(self) -> list[str]:
        return [r.sentence_in() for r in self.rows]
