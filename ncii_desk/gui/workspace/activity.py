"""Activity: the case's entries of the tamper-evident audit log, newest first."""

from __future__ import annotations

import json

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
    local_time,
    plain_label,
    plain_tip,
    row_table,
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
ACTIVITY_STRETCH = (4,)

ACTIONS = {
    "case.created": QT_TRANSLATE_NOOP("Activity", "Case created"),
    "case.suspected_minor_set": QT_TRANSLATE_NOOP("Activity", "Possibly-under-18 setting changed"),
    "item.added": QT_TRANSLATE_NOOP("Activity", "File added"),
    "item.source_set": QT_TRANSLATE_NOOP("Activity", "Where the file was found, recorded"),
    "item.faces_found": QT_TRANSLATE_NOOP("Activity", "Faces found in a photo"),
    "item.analyzed": QT_TRANSLATE_NOOP("Activity", "Picture analysed"),
    "item.analysis_skipped": QT_TRANSLATE_NOOP("Activity", "Analysis skipped"),
    "case.analyzed": QT_TRANSLATE_NOOP("Activity", "Case analysed"),
    "face.picked": QT_TRANSLATE_NOOP("Activity", "Client's face picked"),
    "face.unpicked": QT_TRANSLATE_NOOP("Activity", "Client's face unpicked"),
    "capture.created": QT_TRANSLATE_NOOP("Activity", "Link captured"),
    "capture.screenshot": QT_TRANSLATE_NOOP("Activity", "Screenshot of a captured page made"),
    "capture.failed": QT_TRANSLATE_NOOP("Activity", "Link could not be captured"),
    "capture.exported": QT_TRANSLATE_NOOP("Activity", "Web archive saved"),
    "capture.rechecked": QT_TRANSLATE_NOOP("Activity", "Link checked again"),
    "request.drafted": QT_TRANSLATE_NOOP("Activity", "Removal request drafted"),
    "request.sent": QT_TRANSLATE_NOOP("Activity", "Removal request sent"),
    "request.ticket": QT_TRANSLATE_NOOP("Activity", "Platform reference number recorded"),
    "request.status": QT_TRANSLATE_NOOP("Activity", "Removal request outcome recorded"),
    "request.exported": QT_TRANSLATE_NOOP("Activity", "Removal letter saved"),
    "request.followup_made": QT_TRANSLATE_NOOP("Activity", "Follow-up letter made"),
    "request.escalation_made": QT_TRANSLATE_NOOP("Activity", "Escalation letter made"),
    "request.content_gone": QT_TRANSLATE_NOOP("Activity", "Reported content gone"),
    "request.content_back": QT_TRANSLATE_NOOP("Activity", "Reported content back online"),
    "handout.made": QT_TRANSLATE_NOOP("Activity", "Handout for the client made"),
    "packet.built": QT_TRANSLATE_NOOP("Activity", "Evidence packet built"),
    "hashlist.exported": QT_TRANSLATE_NOOP("Activity", "Hash list exported"),
    "item.hashed": QT_TRANSLATE_NOOP("Activity", "File hashed"),
    "item.exported": QT_TRANSLATE_NOOP("Activity", "File exported"),
    "item.reveal": QT_TRANSLATE_NOOP("Activity", "Picture revealed"),
    "item.hash_only": QT_TRANSLATE_NOOP("Activity", "File deleted, hashes kept (possible minor)"),
    "case.copies_hash_only": QT_TRANSLATE_NOOP(
        "Activity", "Same file in a possible-minor case: deleted here too, hashes kept"
    ),
    "match.found": QT_TRANSLATE_NOOP("Activity", "Match found"),
    "match.confirmed": QT_TRANSLATE_NOOP("Activity", "Match confirmed"),
    "match.rejected": QT_TRANSLATE_NOOP("Activity", "Match rejected"),
    "setting.changed": QT_TRANSLATE_NOOP("Activity", "Setting changed"),
    "setting.reset": QT_TRANSLATE_NOOP("Activity", "Setting reset to its default"),
}


def action_text(action: str) -> str:
    return translate("Activity", ACTIONS[action]) if action in ACTIONS else action


def _value_text(value: object) -> str:
    if isinstance(value, str):
        return value
    return json.dumps(value, ensure_ascii=False, sort_keys=True)


def details_text(details: dict[str, object], sep: str = " · ") -> str:
    """An event's recorded details as 'name: value' pairs, in the order they were stored
    (strings without JSON quotes, so the line reads as text)."""
    return sep.join(f"{key}: {_value_text(value)}" for key, value in details.items())


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
        self.model, self.table = row_table(
            "Activity", ACTIVITY_COLUMNS, self.tr("Activity log"), single_selection=False
        )
        fit_columns(self.table, ACTIVITY_STRETCH)
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
                QStandardItem(details_text(r.details)),
            ]
            for c in cells:
                c.setEditable(False)
                c.setToolTip(plain_tip(c.text()))
            cells[2].setToolTip(plain_tip(r.action))
            cells[3].setToolTip(plain_tip(r.object_id or ""))
            cells[4].setToolTip(plain_tip(details_text(r.details, "\n")))
            self.model.appendRow(cells)
        fit_columns(self.table, ACTIVITY_STRETCH)

    def action_names(self) -> list[str]:
        return [r.action for r in self.rows]
