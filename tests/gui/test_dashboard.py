"""The case list shows each case's nearest 48-hour deadline; overdue ones in red and in words."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from PySide6.QtGui import QBrush

from ncii_desk.gui.common import warning_color
from ncii_desk.gui.dashboard import DashboardPage
from ncii_desk.services.views import CaseView


def _case(label: str, deadline: datetime | None, requests: int) -> CaseView:
    return CaseView(
        id=label.lower().replace(" ", "-"),
        label=label,
        client_pseudonym="Client",
        jurisdiction="US-CA",
        notes="",
        suspected_minor=label.endswith("minor"),
        created_at=None,
        closed_at=None,
        open_requests=requests,
        nearest_deadline=None if deadline is None else deadline.isoformat(),
    )


def test_deadlines_count_down_and_overdue_is_red_and_spelled_out(qtbot) -> None:
    opened: list[str] = []
    page = DashboardPage(opened.append, lambda: None)
    qtbot.addWidget(page)
    now = datetime(2026, 6, 1, 12, 0, tzinfo=UTC)
    page.show_cases(
        [
            _case("Case late", now - timedelta(hours=5, minutes=30), 2),
            _case("Case soon", now + timedelta(hours=30, minutes=15), 1),
            _case("Case quiet minor", None, 0),
        ],
        now=now,
    )
    model = page.model
    assert [model.item(r, 6).text() for r in range(3)] == [
        "OVERDUE by 5 h 30 min",
        "in 1 d 6 h",
        "",
    ]
    assert page.overdue_rows() == [0]
    assert model.item(0, 6).foreground() == QBrush(warning_color())
    assert model.item(0, 6).font().bold()
    assert model.item(1, 6).foreground() != QBrush(warning_color())
    assert [model.item(r, 5).text() for r in range(3)] == ["2", "1", "0"]
    assert model.item(2, 7).text() == "yes" and model.item(0, 7).text() == ""
    page.table.selectRow(1)
    page.open_selected()
    assert opened == ["case-soon"]
    assert not page.empty_hint.isVisibleTo(page)
    page.show_cases([])
    assert page.empty_hint.isVisibleTo(page)
