"""Letter sign-off by a supervising attorney (issue 19 §2), on a real clinic store.

Only a supervising attorney on the case signs off; a clinic case's letter is sent only with
a valid sign-off of the letter it holds (the rule can be turned off); every sign-off is
shown with its verdict (valid / letter changed since / signature invalid), checked against
the membership records as they stood when it was made. A laptop vault is unchanged.
"""

from __future__ import annotations

import io
import secrets
import zipfile
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from roleskit import Team, acting_as, make_team, open_clinic, snapshot, staff_case, write_records
from sqlalchemy import delete, select
from test_requests import form

from ncii_desk.clinic.store import ClinicStore
from ncii_desk.services import cases, signoff
from ncii_desk.services import requests as tracker
from ncii_desk.vault import Vault
from ncii_desk.vault.models import AuditEvent, RemovalRequest, Setting, SignOffRecord
from ncii_desk.vault.roles import MemberRole, NotPermitted

PAGE = "https://www.reddit.com/r/a/comments/1"
T0 = datetime(2026, 6, 1, 9, 0, tzinfo=UTC)
SENT = T0 + timedelta(hours=2)


@pytest.fixture(scope="module")
def shared(
    pg_server: Any, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[tuple[ClinicStore, Team]]:
    store = open_clinic(pg_server, tmp_path_factory.mktemp("signoff"))
    try:
        yield store, make_team(store.vault_id)
    finally:
        store.close()


@pytest.fixture
def drafted(shared: tuple[ClinicStore, Team]) -> dict[str, Any]:
    """A clinic case with the team on it and one letter drafted by the advocate."""
    store, team = shared
    case = cases.new_case(store, "Case " + secrets.token_hex(6))
    ring = staff_case(store, case.id, team)
    with acting_as(store, team.advocate):
        result = tracker.draft_requests(
            store, case.id, "takedown", form(), extra_urls=[PAGE], now=T0
        )
    return {
        "store": store,
        "team": team,
        "case": case.id,
        "ring": ring,
        "request": result.requests[0].id,
    }


def _other_letter() -> bytes:
    """A stored letter package (ZIP of PDF and DOCX) with other contents."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("takedown-reddit.pdf", b"%PDF-1.4 another letter")
        archive.writestr("takedown-reddit.docx", b"another letter")
    return buffer.getvalue()


def _actions(store: Any) -> list[str]:
    with store.session() as s:
        return list(s.scalars(select(AuditEvent.action).order_by(AuditEvent.seq)))


def test_attorney_signs_off_and_only_then_the_letter_can_be_sent(drafted: dict[str, Any]) -> None:
    store, team, ref = drafted["store"], drafted["team"], drafted["request"]
    before = snapshot(store)
    with acting_as(store, team.advocate), pytest.raises(signoff.SignOffRequired) as refused:
        tracker.mark_sent(store, ref, at=SENT, now=SENT)
    assert "has not been signed off" in refused.value.message
    assert "requests sign-off" in refused.value.hint
    assert snapshot(store) == before  # nothing written, no redated letter stored

    for who in (team.advocate, team.reader):
        with acting_as(store, who), pytest.raises(NotPermitted):
            signoff.sign_off_request(store, ref)
    assert snapshot(store) == before

    with acting_as(store, team.attorney):
        view = signoff.sign_off_request(store, ref)
        assert view.verdict == signoff.VALID and view.member_id == team.attorney.keys.member_id
        with pytest.raises(Exception, match="already signed off"):
            signoff.sign_off_request(store, ref)
    assert _actions(store)[-1] == signoff.SIGNED_OFF
    with store.session() as s:
        row = s.get(RemovalRequest, ref)
        assert row is not None and row.history[-1]["event"] == "signed_off"

    with acting_as(store, team.advocate):
        sent = tracker.mark_sent(store, ref, at=SENT, now=SENT)
        assert sent.status == "sent"
        # Marking sent dated the letter again; the sign-off of the draft it was sent from
        # still counts, and reading the verdicts is every member's.
    with acting_as(store, team.reader):
        [shown] = signoff.list_sign_offs(store, ref)
    assert shown.verdict == signoff.VALID
    with acting_as(store, team.attorney), pytest.raises(Exception, match="already marked"):
        signoff.sign_off_request(store, ref)


def test_changed_letter_needs_a_new_sign_off(drafted: dict[str, Any]) -> None:
    store, team, ref = drafted["store"], drafted["team"], drafted["request"]
    with acting_as(store, team.attorney):
        signoff.sign_off_request(store, ref)
    # The letter is replaced after the sign-off (as a redraft of the documents would).
    with store.transaction() as s:
        info = store.blobs.put_bytes(_other_letter())
        store.store_blob(s, info)
        row = s.get(RemovalRequest, ref)
        assert row is not None
        row.document_blob_id = info.blob_id
    with acting_as(store, team.advocate):
        [shown] = signoff.list_sign_offs(store, ref)
        assert shown.verdict == signoff.CHANGED
        before = snapshot(store)
        with pytest.raises(signoff.SignOffRequired) as refused:
            tracker.mark_sent(store, ref, at=SENT, now=SENT)
        assert "changed after it was signed off" in refused.value.message
        assert snapshot(store) == before
    with acting_as(store, team.attorney):
        assert signoff.sign_off_request(store, ref).verdict == signoff.VALID
    with acting_as(store, team.advocate):
        verdicts = [v.verdict for v in signoff.list_sign_offs(store, ref)]
        assert verdicts == [signoff.CHANGED, signoff.VALID]
        assert tracker.mark_sent(store, ref, at=SENT, now=SENT).status == "sent"


def test_altered_sign_off_is_shown_invalid_and_does_not_count(drafted: dict[str, Any]) -> None:
    store, team, ref = drafted["store"], drafted["team"], drafted["request"]
    with acting_as(store, team.attorney):
        signoff.sign_off_request(store, ref)
    with store.transaction() as s:
        record = s.scalars(select(SignOffRecord).where(SignOffRecord.document_id == ref)).one()
        # Someone with database access moves the signed time: the signature breaks.
        record.record = record.record.replace('"at":"2', '"at":"1', 1)
    with acting_as(store, team.advocate):
        [shown] = signoff.list_sign_offs(store, ref)
        assert shown.verdict == signoff.INVALID
        assert "does not verify" in shown.reason
        with pytest.raises(signoff.SignOffRequired):
            tracker.mark_sent(store, ref, at=SENT, now=SENT)


def test_sign_off_outlives_the_attorneys_later_removal(drafted: dict[str, Any]) -> None:
    store, team, ref, case_id, ring = (
        drafted["store"],
        drafted["team"],
        drafted["request"],
        drafted["case"],
        drafted["ring"],
    )
    # A second attorney joins, the first signs off, then the second removes the first.
    second = make_team(store.vault_id).attorney
    add = ring.add_member(team.attorney.keys, second.keys.public, MemberRole.SUPERVISING_ATTORNEY)
    write_records(store, case_id, [add], ring)
    with acting_as(store, team.attorney):
        signoff.sign_off_request(store, ref)
    _key, removal = ring.remove_member(second.keys, team.attorney.keys.member_id)
    write_records(store, case_id, [removal], ring)
    with acting_as(store, team.advocate):
        [shown] = signoff.list_sign_offs(store, ref)
        assert shown.verdict == signoff.VALID  # checked against the records as they stood
        assert tracker.mark_sent(store, ref, at=SENT, now=SENT).status == "sent"


def test_rule_turned_off_by_an_attorney_lets_an_advocate_send_without_sign_off(
    drafted: dict[str, Any],
) -> None:
    store, team, ref = drafted["store"], drafted["team"], drafted["request"]
    assert signoff.sign_off_required(store) is True  # on by default
    before = snapshot(store)
    for who in (team.advocate, team.reader):
        with acting_as(store, who), pytest.raises(NotPermitted) as refused:
            signoff.set_sign_off_required(store, False)
        assert "Only a supervising attorney" in refused.value.message
    assert snapshot(store) == before
    with acting_as(store, team.attorney):
        signoff.set_sign_off_required(store, False)
    try:
        assert _actions(store)[-1] == signoff.RULE_CHANGED
        assert signoff.sign_off_required(store) is False
        with acting_as(store, team.advocate):
            assert tracker.mark_sent(store, ref, at=SENT, now=SENT).status == "sent"
    finally:
        signoff.set_sign_off_required(store, True)


def test_rule_turned_off_in_the_database_alone_still_holds(drafted: dict[str, Any]) -> None:
    """Someone with database access, without the clinic key, writes "not required": the
    value does not authenticate, so letters still need a sign-off."""
    store, team, ref = drafted["store"], drafted["team"], drafted["request"]
    with store.transaction() as s:
        s.merge(Setting(key=signoff.RULE_KEY, value={"required": False, "mac": "0" * 64}))
    try:
        assert signoff.sign_off_required(store) is True
        with acting_as(store, team.advocate), pytest.raises(signoff.SignOffRequired):
            tracker.mark_sent(store, ref, at=SENT, now=SENT)
    finally:
        with store.transaction() as s:
            s.execute(delete(Setting).where(Setting.key == signoff.RULE_KEY))


def test_laptop_vault_sends_without_sign_off_and_says_sign_off_is_for_clinics(
    vault: Vault,
) -> None:
    case = cases.new_case(vault, "Case L")
    drafted = tracker.draft_requests(vault, case.id, "takedown", form(), extra_urls=[PAGE], now=T0)
    ref = drafted.requests[0].id
    with pytest.raises(signoff.SignOffNotApplicable) as refused:
        signoff.sign_off_request(vault, ref)
    assert "clinic cases" in refused.value.message
    assert signoff.list_sign_offs(vault, ref) == []
    assert tracker.mark_sent(vault, ref, at=SENT, now=SENT).status == "sent"


def test_cli_sign_off_on_a_laptop_vault_and_show_lists_sign_offs(cli: Any, cli_vault: Any) -> None:
    assert cli("case", "new", "Case C").rc == 0
    r = cli(
        "clinic", "set", "--name", "Harbor Legal Clinic", "--signer", "Dana Advocate",
        "--email", "help@harbor.example", "--authority", "retained by the client in writing",
    )  # fmt: skip
    assert r.rc == 0, r.err
    r = cli(
        "requests", "draft", "Case C", "--route", "takedown", "--url", PAGE,
        "--sign", "--good-faith", "--covered-platform", "yes", "--json",
    )  # fmt: skip
    assert r.rc == 0, r.err
    ref = r.json()["requests"][0]["id"]
    refused = cli("requests", "sign-off", ref)
    assert refused.rc == 1 and "applies to clinic cases" in refused.err
    shown = cli("requests", "show", ref, "--json")
    assert shown.rc == 0 and shown.json()["sign_offs"] == []
    assert cli("requests", "sent", ref).rc == 0  # no sign-off needed in a laptop vault
