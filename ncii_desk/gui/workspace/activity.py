"""Activity: the case's entries of the tamper-evident audit log, newest first."""

from __future__ import annotations

import json

from PySide6.QtGui import QStandardItem, QStandardItemModel
from PySide6.QtWidgets import (
    QAbstractItemView,
    QHBoxLayout,
    QHeaderView,
    QTableView,
    QVBoxLayout,
    QWidget,
)

from ncii_desk.gui.common import (
    QT_TRANSLATE_NOOP,
    button,
    local_time,
    plain_label,
    plain_tip,
    translate,
)
from ncii_desk.gui.context import AppContext
from ncii_desk.gui.queries import AuditRow, activity_for_case

ACTIVITY_COLUMNS = (
    QT_TRANSLATE_NOOP("Activity", "When"),
    QT_TRANSLATE_NOOP("Activity", "Who"),
    QT_TRANSLATE_NOOP("Activity", "What"),
    QT_TRANSLATE_NOOP("Activity", "About"),
    QT_TRANSLATE_NOOP("Activity", "Details"),
)

ACTIONS = {
    "case.created": QT_TRANSLATE_NOOP("Activity", "Case created"),
    "case.suspected_minor_set": QT_TRANSLATE_NOOP("Activity", "Possibly-under-18 setting changed"),
    "item.added": QT_TRANSLATE_NOOP("Activity", "File added"),
    "item.hashed": QT_TRANSLATE_NOOP("Activity", "File hashed"),
    "item.exported": QT_TRANSLATE_NOOP("Activity", "File exported"),
    "item.reveal": QT_TRANSLATE_NOOP("Activity", "Picture revealed"),
    "item.hash_only": QT_TRANSLATE_NOOP("Activity", "File deleted, hashes kept (possible minor)"),
    "match.found": QT_TRANSLATE_NOOP("Activity", "Match found"),
    "match.confirmed": QT_TRANSLATE_NOOP("Activity", "Match confirmed"),
    "match.rejected": QT_TRANSLATE_NOOP("Activity", "Match rejected"),
    "setting.changed": QT_TRANSLATE_NOOP("Activity", "Setting changed"),
    "setting.reset": QT_TRANSLATE_NOOP("Activity", "Setting reset to its default"),
}


def action_text(action: str) -> str:
    return translate("Activity", ACTIONS[action]) if action in ACTIONS else action


class ActivityPane(QWidget):
    def __init__(self, ctx: AppContext, case_id: str) -> None:
        super().__init__()
        self.ctx = ctx
        self.case_id = case_id
        self.rows: list[AuditRow] = []
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
        self.refresh_button = button(self.tr("Refresh"), self.refresh)
        top.addWidget(self.refresh_button)
        layout.addLayout(top)
        self.model = QStandardItemModel(0, len(ACTIVITY_COLUMNS))
        self.model.setHorizontalHeaderLabels([translate("Activity", c) for c in ACTIVITY_COLUMNS])
        self.table = QTableView()
        self.table.setModel(self.model)
        self.table.setAccessibleName(self.tr("Activity log"))
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.setTabKeyNavigation(False)
        self.table.setWordWrap(False)
        self.table.verticalHeader().setVisible(False)
        header = self.table.horizontalHeader()
        header.setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
        header.setStretchLastSection(True)
        layout.addWidget(self.table, 1)

    def refresh(self) -> None:
        case_id = self.case_id
        self.ctx.read(lambda v: activity_for_case(v, case_id), self._show, owner=self)

    def _show(self, rows: list[AuditRow]) -> None:
        self.rows = rows
        self.model.removeRows(0, self.model.rowCount())
        for r in rows:
            cells = [
                QStandardItem(local_time(r.at)),
                QStandardItem(r.actor),
                QStandardItem(action_text(r.action)),
                QStandardItem((r.object_id or "")[:12]),
                QStandardItem(json.dumps(r.details, ensure_ascii=False, sort_keys=True)),
            ]
            for c in cells:
                c.setEditable(False)
                c.setToolTip(plain_tip(c.text()))
            self.model.appendRow(cells)

    def action_names(self) -> list[str]:
        return [r.action for r in self.rows]
