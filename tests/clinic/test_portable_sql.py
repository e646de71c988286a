"""SQL that differs between SQLite and PostgreSQL, written once (vault/schema.py) and run on
both backends through the `store` fixture."""

from __future__ import annotations

from typing import Any

from sqlalchemy import select

from ncii_desk.vault.models import AuditEvent
from ncii_desk.vault.schema import json_text_field


def test_a_json_field_of_the_audit_details_is_read_in_sql_with_any_key(store: Any) -> None:
    with store.transaction() as s:
        store.audit(s, "test.one", "obj-1", {"case_id": "case-a", "other": "x-1"})
        store.audit(s, "test.two", "obj-2", {"case_id": "case-b", "nested": {"case_id": "n"}})
        store.audit(s, "test.three", "obj-3", {"other": "x-3"})

    def values(key: str) -> list[tuple[str, str | None]]:
        query = (
            select(AuditEvent.action, json_text_field(AuditEvent.details, key))
            .where(AuditEvent.action.like("test.%"))
            .order_by(AuditEvent.seq)
        )
        with store.session() as s:
            return [(a, v) for a, v in s.execute(query)]

    # The same statement shape with two keys: each reads its own key (no cached SQL reused
    # with the other key), a missing key is NULL, and a nested key is not a top-level one.
    assert values("case_id") == [
        ("test.one", "case-a"),
        ("test.two", "case-b"),
        ("test.three", None),
    ]
    if getattr(store, "sealing", False):
        # A clinic store seals the details on the client: only the case id stays readable
        # in SQL (activity lists select a case's events by it); no other key is.
        assert values("other") == [("test.one", None), ("test.two", None), ("test.three", None)]
    else:
        assert values("other") == [
            ("test.one", "x-1"),
            ("test.two", None),
            ("test.three", "x-3"),
        ]
    with store.session() as s:
        found = s.scalars(
            select(AuditEvent.object_id).where(
                json_text_field(AuditEvent.details, "case_id") == "case-b"
            )
        ).all()
    assert found == ["obj-2"]
