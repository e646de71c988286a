"""Removal requests: letters per platform, sent dates, ticket numbers, 48-hour countdowns.

Modules: ``texts`` (columns, routes, states and the words shown for them), ``dialogs``
(drafting letters, the time a letter was sent), ``signoffs`` (a clinic case's letter
sign-offs as shown), ``pane`` (the Requests pane).
"""

from __future__ import annotations

from ncii_desk.gui.workspace.requests.dialogs import (
    DraftDialog,
    SentTimeDialog,
)
from ncii_desk.gui.workspace.requests.pane import (
    RequestsPane,
)
from ncii_desk.gui.workspace.requests.signoffs import (
    SIGN_OFF_TEXT,
    sign_off_applies,
    sign_off_buttons,
    sign_off_history,
    sign_off_text,
    sign_offs_of,
    signed_off,
)
from ncii_desk.gui.workspace.requests.texts import (
    DMCA_TODO,
    LEFT_OUT_TEXT,
    LETTER_STRETCH,
    MISSING_HINTS,
    REQUEST_COLUMNS,
    REQUEST_STRETCH,
    REVIEW_TEXT,
    ROUTES,
    SETTABLE,
    STATUS_TEXT,
    deadline_text,
    left_out_problem,
    missing_text,
    review_text,
    route_text,
    status_text,
)

__all__ = [
    "DMCA_TODO",
    "LEFT_OUT_TEXT",
    "LETTER_STRETCH",
    "MISSING_HINTS",
    "REQUEST_COLUMNS",
    "REQUEST_STRETCH",
    "REVIEW_TEXT",
    "ROUTES",
    "SETTABLE",
    "SIGN_OFF_TEXT",
    "STATUS_TEXT",
    "DraftDialog",
    "RequestsPane",
    "SentTimeDialog",
    "deadline_text",
    "left_out_problem",
    "missing_text",
    "review_text",
    "route_text",
    "sign_off_applies",
    "sign_off_buttons",
    "sign_off_history",
    "sign_off_text",
    "sign_offs_of",
    "signed_off",
    "status_text",
]
