"""Roles enforced at the service entry points (issue 19 §2) on a real clinic store.

Each action class: a read-only member of the case is refused with NotPermitted and nothing
is written (every table's row count, the audit chain and the blob files are unchanged); an
advocate is allowed. A clinic member who is not on the case is refused for reading too. The
role comes from the case's signed membership records, verified; a change of the records is
picked up, and records rolled back under a client are refused. A laptop vault has no roles.
"""

from __future__ import annotations

import io
import secrets
from collections.abc import Callable, Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
from roleskit import (
    Team,
    acting_as,
    add_match,
    make_team,
    open_clinic,
    png,
    snapshot,
    staff_case,
    write_records,
)
from sqlalchemy import delete, func, select

from ncii_desk.clinic.store import ClinicStore, NotCaseMember
from ncii_desk.documents.letters import LetterForm, Sender
from ncii_desk.services import (
    access,
    cases,
    found_at,
    hashlists,
    intake,
    matching,
    minor,
    reveal,
)
from ncii_desk.services import capture as capture_service
from ncii_desk.services import requests as tracker
from ncii_desk.services.handover import export_case
from ncii_desk.vault import Vault
from ncii_desk.vault.members import MembershipInvalid
from ncii_desk.vault.models import CaseMembershipRecord, EvidenceItem, Role, Source
from ncii_desk.vault.roles import Action, MemberRole, NotPermitted

PAGE = "https://www.reddit.com/r/a/comments/1"
T0 = datetime(2026, 6, 1, 9, 0, tzinfo=UTC)


def letter_form() -> LetterForm:
    return LetterForm(
        sender=Sender(
            name="Ana Advocate",
            email="ana@clinic.example",
            organisation="Harbor Legal Clinic",
            representative=True,
            authority="Written authorisation from the person depicted.",
        ),
        signature="/s/ Ana Advocate",
        good_faith=True,
        covered_platform="yes",
    )


@pytest.fixture(scope="module")
def shared(
    pg_server: Any, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[tuple[ClinicStore, Team]]:
    store = open_clinic(pg_server, tmp_path_factory.mktemp("roles"))
    try:
        yield store, make_team(store.vault_id)
    finally:
        store.close()


@pytest.fixture
def staffed(shared: tuple[ClinicStore, Team], request: pytest.FixtureRequest) -> dict[str, Any]:
    """A new case on the shared store with the team on it (made with the raw key)."""
    store, team = shared
    case = cases.new_case(store, "Case " + secrets.token_hex(6))
    ring = staff_case(store, case.id, team)
    return {"store": store, "team": team, "case": case.id, "ring": ring}


def _draft(store: ClinicStore, case_id: str) -> str:
    drafted = tracker.draft_requests(
        store, case_id, "takedown", letter_form(), extra_urls=[PAGE], now=T0
    )
    return drafted.requests[0].id


# Each: (action class, setup with the raw key -> context, the action as a member).
Setup = Callable[[ClinicStore, str, Path], Any]
Act = Callable[[ClinicStore, str, Any, Path], Any]


def _no_setup(store: ClinicStore, case_id: str, tmp: Path) -> Any:
    return None


def _add_items(store: ClinicStore, case_id: str, ctx: Any, tmp: Path) -> Any:
    result = intake.add_items(store, case_id, Role.ORIGINAL, [png(tmp / "photo.png", 7)])
    assert len(result.added) == 1
    return result


def _capture(store: ClinicStore, case_id: str, ctx: Any, tmp: Path) -> Any:
    # Port 9 on 127.0.0.1 refuses: the advocate's capture runs and records the failure.
    options = capture_service.CaptureOptions(hash_and_match=False)
    return capture_service.capture_urls(store, case_id, ["http://127.0.0.1:9/x"], options=options)


def _match_setup(store: ClinicStore, case_id: str, tmp: Path) -> Any:
    return add_match(store, case_id, seed=len(case_id) % 50)


def _review(store: ClinicStore, case_id: str, ctx: Any, tmp: Path) -> Any:
    return matching.review_match(store, ctx, confirm=True, note="same picture")


def _draft_letter(store: ClinicStore, case_id: str, ctx: Any, tmp: Path) -> Any:
    return _draft(store, case_id)


def _draft_setup(store: ClinicStore, case_id: str, tmp: Path) -> Any:
    return _draft(store, case_id)


def _ticket(store: ClinicStore, case_id: str, ctx: Any, tmp: Path) -> Any:
    return tracker.set_ticket(store, ctx, "T-1")


def _case_minor(store: ClinicStore, case_id: str, ctx: Any, tmp: Path) -> Any:
    return minor.set_case_minor(store, case_id, True, reason="may be under 18")


def _export_hashes(store: ClinicStore, case_id: str, ctx: Any, tmp: Path) -> Any:
    return hashlists.export_case_hashes(store, case_id, "csv", io.StringIO())


def _export_handover(store: ClinicStore, case_id: str, ctx: Any, tmp: Path) -> Any:
    out = tmp / f"case-{store.actor[:8]}.ncii"
    return export_case(store, case_id, out, passphrase="long enough passphrase for export")


def _export_letter(store: ClinicStore, case_id: str, ctx: Any, tmp: Path) -> Any:
    out = tmp / f"letters-{store.actor[:8]}"
    return tracker.export_documents(store, ctx, out)


def _item_setup(store: ClinicStore, case_id: str, tmp: Path) -> Any:
    with store.transaction() as s:
        item = EvidenceItem(
            case_id=case_id,
            role=Role.SUSPECT,
            source=Source.FILE,
            size=1,
            mime="image/png",
            sha256=secrets.token_hex(32),
            md5=secrets.token_hex(16),
        )
        s.add(item)
        s.flush()
        return item.id


def _found_at(store: ClinicStore, case_id: str, ctx: Any, tmp: Path) -> Any:
    return found_at.set_found_at(store, ctx, "https://example.com/a.jpg")


def _handout(store: ClinicStore, case_id: str, ctx: Any, tmp: Path) -> Any:
    return tracker.make_handout(store, case_id, now=T0)


ACTIONS: list[tuple[str, Setup, Act]] = [
    ("item.add", _no_setup, _add_items),
    ("capture.add", _no_setup, _capture),
    ("match.review", _match_setup, _review),
    ("letter.draft", _no_setup, _draft_letter),
    ("request.send", _draft_setup, _ticket),
    ("item.edit found-at", _item_setup, _found_at),
    ("case.edit", _no_setup, _case_minor),
    ("case.export hashes", _no_setup, _export_hashes),
    ("case.export hand-over", _no_setup, _export_handover),
    ("case.export letters", _draft_setup, _export_letter),
    ("case.export hand-out", _draft_setup, _handout),
]


@pytest.mark.parametrize(("name", "setup", "act"), ACTIONS, ids=[a[0] for a in ACTIONS])
def test_read_only_member_is_refused_with_nothing_written_and_an_advocate_is_allowed(
    staffed: dict[str, Any], tmp_path: Path, name: str, setup: Setup, act: Act
) -> None:
    store, team, case_id = staffed["store"], staffed["team"], staffed["case"]
    ctx = setup(store, case_id, tmp_path)
    before = snapshot(store)
    with acting_as(store, team.reader), pytest.raises(NotPermitted) as refused:
        act(store, case_id, ctx, tmp_path)
    assert refused.value.message.startswith("You are a read-only member on this case")
    assert "supervising attorney" in refused.value.hint
    assert snapshot(store) == before, f"{name}: a refused action wrote something"
    assert not any(tmp_path.glob("case-*")) and not any(tmp_path.glob("letters-*"))

    with acting_as(store, team.advocate):
        act(store, case_id, ctx, tmp_path)
    assert snapshot(store) != before or name.startswith("case.export")


def test_outsider_may_not_even_read_and_the_reader_may(staffed: dict[str, Any]) -> None:
    store, team, case_id = staffed["store"], staffed["team"], staffed["case"]
    with store.transaction() as s:
        item = EvidenceItem(
            case_id=case_id,
            role=Role.ORIGINAL,
            source=Source.FILE,
            size=1,
            mime="image/png",
            sha256="ab" * 32,
            md5="ab" * 16,
        )
        s.add(item)
        s.flush()
        item_id = item.id
    before = snapshot(store)
    with acting_as(store, team.outsider), pytest.raises(NotCaseMember) as refused:
        reveal.record_reveal(store, item_id, 3, "test")
    assert refused.value.message == "You are not a member of this case."
    assert "add you" in refused.value.hint
    assert snapshot(store) == before
    with acting_as(store, team.reader):
        reveal.record_reveal(store, item_id, 3, "test")  # reading is every member's
        assert access.require(store, case_id, Action.AUDIT_VERIFY) == MemberRole.READ_ONLY
    assert snapshot(store)["audit_events"] == before["audit_events"] + 1


def test_roles_follow_the_signed_records_and_a_removal_is_picked_up(
    staffed: dict[str, Any],
) -> None:
    store, team, case_id, ring = (
        staffed["store"],
        staffed["team"],
        staffed["case"],
        staffed["ring"],
    )
    for who, role in (
        (team.attorney, MemberRole.SUPERVISING_ATTORNEY),
        (team.advocate, MemberRole.ADVOCATE),
        (team.reader, MemberRole.READ_ONLY),
    ):
        with acting_as(store, who):
            assert store.case_role(case_id) == role
    with acting_as(store, None):
        assert store.case_role(case_id) is None  # raw key: tools, no member
    # The attorney removes the advocate: the next check reads the new record.
    with acting_as(store, team.advocate):
        assert store.case_role(case_id) == MemberRole.ADVOCATE  # cached now
    _key, removal = ring.remove_member(team.attorney.keys, team.advocate.keys.member_id)
    write_records(store, case_id, [removal], ring)
    with acting_as(store, team.advocate), pytest.raises(NotCaseMember):
        store.case_role(case_id)


def test_a_role_raised_in_the_database_is_refused(staffed: dict[str, Any]) -> None:
    """Someone with database access edits the reader's role in the newest record: the
    signature no longer verifies, so nobody gets a role from it."""
    store, team, case_id = staffed["store"], staffed["team"], staffed["case"]
    with store.transaction() as s:
        row = s.scalars(
            select(CaseMembershipRecord)
            .where(CaseMembershipRecord.case_id == case_id)
            .order_by(CaseMembershipRecord.seq.desc())
        ).first()
        assert row is not None
        row.record = row.record.replace('"read_only"', '"advocate"')
    with acting_as(store, team.reader), pytest.raises(MembershipInvalid) as caught:
        store.case_role(case_id)
    assert "signature that does not verify" in caught.value.message


def test_records_rolled_back_under_a_client_are_refused(staffed: dict[str, Any]) -> None:
    store, team, case_id = staffed["store"], staffed["team"], staffed["case"]
    with acting_as(store, team.reader):
        assert store.case_role(case_id) == MemberRole.READ_ONLY  # this client saw 3 records
    with store.transaction() as s:
        s.execute(
            delete(CaseMembershipRecord).where(
                CaseMembershipRecord.case_id == case_id, CaseMembershipRecord.seq == 3
            )
        )
        assert s.scalar(select(func.count()).where(CaseMembershipRecord.case_id == case_id)) == 2
    with acting_as(store, team.reader), pytest.raises(MembershipInvalid) as caught:
        store.case_role(case_id)
    assert "rolled back" in caught.value.message


def test_laptop_vault_has_no_roles_and_allows_everything(vault: Vault, tmp_path: Path) -> None:
    case = cases.new_case(vault, "Case L")
    assert vault.case_role(case.id) is None
    for action in Action:
        assert access.require(vault, case.id, action) is None
    result = intake.add_items(vault, case.id, Role.ORIGINAL, [png(tmp_path / "p.png", 3)])
    assert len(result.added) == 1
