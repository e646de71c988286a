"""Finding one stored record from what a person typed: its full id or a unique start of it."""

from __future__ import annotations

from typing import Any, TypeVar

from sqlalchemy import select
from sqlalchemy.orm import Session

from ncii_desk.errors import AmbiguousName, NotFound

#: The shortest id start accepted (ids are 32 hex characters; the CLI shows 12).
MIN_PREFIX = 6

Row = TypeVar("Row")


def by_id(session: Session, model: type[Row], ref: str, *, what: str, missing: NotFound) -> Row:
    """The ``model`` row whose id is ``ref``, or the only one whose id starts with it.

    ``what`` names the kind of record in the message when several ids start with ``ref``;
    ``missing`` is raised when none does.
    """
    ref = ref.strip().lower()
    row = session.get(model, ref)
    if row is not None:
        return row
    if len(ref) >= MIN_PREFIX:
        column: Any = model.id  # type: ignore[attr-defined]
        found = list(session.scalars(select(model).where(column.startswith(ref, autoescape=True))))
        if len(found) == 1:
            return found[0]
        if found:
            raise AmbiguousName(
                f"{len(found)} {what}s start with '{ref}'.",
                f"Type more characters of the {what} id.",
            )
    raise missing
