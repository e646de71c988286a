"""A supervising attorney's sign-off of a drafted letter, and the rule that letters of a
clinic case are signed off before they are sent (issue 19 §2).

A sign-off is :func:`ncii_desk.vault.members.sign_off` over the request's id and the SHA-256
of its stored documents (the ZIP of PDF and DOCX, ``document_blob_id``), made with the
attorney's own Ed25519 key and naming the case's membership as it stood then. It is kept in
``sign_offs`` (one row per sign-off, the signed text as it is) and recorded as the audit
event ``letter.signed_off`` and a line of the request's history.

Each sign-off is shown with a verdict, checked again every time against the case's signed
membership records as they stood when it was made (:func:`ncii_desk.vault.members.
verify_sign_off`): ``valid``; ``letter changed since`` (it is a good signature over other
contents than the letter the request holds: the letter was redrafted); ``signature
invalid`` (altered, signed by someone who was not a supervising attorney on the case then,
or made for another document).

The rule (setting ``letters.sign_off``, on by default) applies where members have roles, a
clinic store opened by a member: marking a request as sent is refused until a valid
sign-off of its current letter exists (:func:`require_for_sending`). Marking sent dates the
letter again; the sign-off of the draft it was sent from stays valid for the sent request.
A laptop vault is one person's: no sign-off is needed there, and asking for one says so.
Where members have roles, only a supervising attorney (on a case of the clinic) changes the
rule; its stored value is authenticated with a key from the clinic key, so a value written
by someone with database access alone does not authenticate and the rule stays on. The value
is bound to the audit event that recorded the change (its sequence number), and it counts
only while that event is the newest ``setting.letters_sign_off`` event: an older, genuinely
authenticated value put back into the settings row (a replay) no longer counts and the rule
stays on. On a clinic store the value is authenticated with the NEWEST clinic key version
(:func:`ncii_desk.clinic.clinickeys.mac_setting`, re-authenticated when a member's removal
rotates the key), so a removed member who kept an older key cannot write one.
"""

from __future__ import annotations

import hashlib
import hmac
from dataclasses import asdict, dataclass
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from ncii_desk.clinic import clinickeys
from ncii_desk.clinic.store import ClinicStore
from ncii_desk.errors import InvalidSetting, NciiDeskError
from ncii_desk.services import access
from ncii_desk.services.requests.records import RequestStateError, _event, find_request
from ncii_desk.services.views import iso
from ncii_desk.vault.members import (
    MemberKeys,
    MembershipRecord,
    SignOff,
    SignOffInvalid,
    sign_off,
    verify_membership,
    verify_sign_off,
)
from ncii_desk.vault.models import (
    AuditEvent,
    Blob,
    CaseMembershipRecord,
    RemovalRequest,
    RequestStatus,
    Setting,
    SignOffRecord,
)
from ncii_desk.vault.roles import MemberRole, NotPermitted, allowed
from ncii_desk.vault.store import CaseStore

#: Audit action of a sign-off.
SIGNED_OFF = "letter.signed_off"
#: Audit action of a change of the rule.
RULE_CHANGED = "setting.letters_sign_off"
#: Setting row of the rule: {"required": bool}.
RULE_KEY = "letters.sign_off"

VALID = "valid"
CHANGED = "letter changed since"
INVALID = "signature invalid"


class SignOffNotApplicable(NciiDeskError):
    """Sign-off asked for where there are no roles (a laptop vault)."""

    exit_code = 1
    default_hint = (
        "In a laptop vault you may send letters without a sign-off; sign-off is for cases "
        "on a clinic server, where a supervising attorney signs off an advocate's letters."
    )


class SignOffRequired(RequestStateError):
    """A letter of a clinic case was to be sent without a valid sign-off."""

    default_hint = (
        "Ask a supervising attorney on the case to sign it off ('ncii-desk requests sign-off "
        "REQ' or the Sign off button of the Requests pane), then mark it as sent."
    )


@dataclass(frozen=True)
class SignOffView:
    id: str
    member_id: str
    created_at: str | None
    document_sha256: str
    #: "valid", "letter changed since" or "signature invalid".
    verdict: str
    #: Why, when not valid (plain words).
    reason: str = ""

    def as_dict(self) -> dict[str, Any]:
        return asdict(self)


# --- the rule ------------------------------------------------------------------------------


def _laptop_rule_mac(store: CaseStore, body: dict[str, Any]) -> str:
    """A laptop vault's rule value MAC (a key from its data key; the rule does not apply
    there, but the value is kept the same way)."""
    key = hmac.new(store.export_key, b"ncii-desk/setting/letters.sign_off", "sha256").digest()
    msg = f"{store.vault_id}|{body['required']}|{body['seq']}".encode()
    return hmac.new(key, msg, "sha256").hexdigest()


def _rule_value(store: CaseStore, s: Session, required: bool, seq: int) -> dict[str, Any]:
    """The stored value: the rule, the seq of the audit event recording the change, and an
    authentication code over both (inside the write transaction ``s``)."""
    body: dict[str, Any] = {"required": required, "seq": seq}
    if isinstance(store, ClinicStore):
        return clinickeys.mac_setting(clinickeys.session_ring(store, s), RULE_KEY, body)
    return {**body, "mac": _laptop_rule_mac(store, body)}


def _rule_authentic(store: CaseStore, s: Session, value: dict[str, Any]) -> bool:
    if isinstance(store, ClinicStore):
        return clinickeys.setting_authentic(clinickeys.refresh(store, s), RULE_KEY, value)
    expected = _laptop_rule_mac(store, value)
    return hmac.compare_digest(str(value.get("mac", "")), expected)


def _newest_rule_event(s: Session) -> int | None:
    return s.scalar(select(func.max(AuditEvent.seq)).where(AuditEvent.action == RULE_CHANGED))


def sign_off_required(store: CaseStore) -> bool:
    """Whether letters need a valid sign-off before they are sent (default: yes). It is
    enforced only where members have roles (a clinic store opened by a member). A stored
    value that does not authenticate (written without the clinic key, or with a replaced
    version of it) or that is not the one the newest rule-change audit event recorded (an
    older value put back) counts as yes."""
    with store.session() as s:
        row = s.get(Setting, RULE_KEY)
        value = row.value if row is not None else None
        if not isinstance(value, dict) or not isinstance(value.get("required"), bool):
            return True
        seq = value.get("seq")
        if not isinstance(seq, int) or isinstance(seq, bool) or seq != _newest_rule_event(s):
            return True
        if not _rule_authentic(store, s, value):
            return True
    return bool(value["required"])


def _may_change_rule(store: CaseStore) -> None:
    """Where members have roles, only a supervising attorney (on at least one case of the
    clinic) changes the rule."""
    if _member(store) is None:
        return  # a laptop vault, or the clinic's own tools (raw clinic key)
    with store.session() as s:
        case_ids = list(s.scalars(select(CaseMembershipRecord.case_id).distinct()))
    for case_id in case_ids:
        try:
            if store.case_role(case_id) == MemberRole.SUPERVISING_ATTORNEY:
                return
        except NotPermitted:
            continue
    raise NotPermitted(
        "Only a supervising attorney on a case of the clinic may change whether letters "
        "need a sign-off before they are sent.",
        hint="Ask a supervising attorney of the clinic to change it.",
    )


def set_sign_off_required(store: CaseStore, required: bool) -> bool:
    """Turn the rule on or off (an audit event records who did it)."""
    _may_change_rule(store)
    with store.transaction() as s:
        store.audit(s, RULE_CHANGED, None, {"required": required})
        s.flush()
        seq = _newest_rule_event(s)
        assert seq is not None
        value = _rule_value(store, s, required, seq)
        row = s.get(Setting, RULE_KEY)
        if row is None:
            s.add(Setting(key=RULE_KEY, value=value))
        else:
            row.value = value
    return required


# --- reading --------------------------------------------------------------------------------


def _records(s: Session, case_id: str) -> list[MembershipRecord]:
    return [
        MembershipRecord(text)
        for text in s.scalars(
            select(CaseMembershipRecord.record)
            .where(CaseMembershipRecord.case_id == case_id)
            .order_by(CaseMembershipRecord.seq)
        )
    ]


def _sent_from_blob(row: RemovalRequest) -> str | None:
    """The draft's document blob a sent request was sent from (marking sent dates the
    letter again and keeps the replaced blob)."""
    for event in row.history:
        if event.get("event") == "sent" and event.get("replaced_blob_id"):
            return str(event["replaced_blob_id"])
    return None


def _letter_digests(s: Session, row: RemovalRequest) -> set[str]:
    """SHA-256 of the letter versions a sign-off of this request counts for: the current
    documents, and for a sent request the draft it was sent from."""
    out = set()
    for blob_id in (row.document_blob_id, _sent_from_blob(row)):
        blob = s.get(Blob, blob_id) if blob_id else None
        if blob is not None:
            out.add(blob.sha256)
    return out


def _judge(
    store: CaseStore,
    record: SignOffRecord,
    records: list[MembershipRecord],
    letters: set[str],
) -> SignOffView:
    signed = SignOff(record.record)
    try:
        claimed = str(signed.parts()[0].get("document_sha256", ""))
    except (ValueError, KeyError, TypeError):
        claimed = ""
    verdict, reason = VALID, ""
    try:
        verify_sign_off(
            signed,
            records,
            clinic_id=store.vault_id,
            case_id=record.case_id,
            document_id=record.document_id,
            document_sha256=claimed,
        )
    except SignOffInvalid as exc:
        verdict, reason = INVALID, exc.message
    else:
        if claimed not in letters:
            verdict = CHANGED
            reason = "The letter was changed after this sign-off; it needs a new one."
    return SignOffView(
        id=record.id,
        member_id=record.member_id,
        created_at=iso(record.created_at),
        document_sha256=claimed,
        verdict=verdict,
        reason=reason,
    )


def _views(store: CaseStore, s: Session, row: RemovalRequest) -> list[SignOffView]:
    rows = list(
        s.scalars(
            select(SignOffRecord)
            .where(SignOffRecord.document_id == row.id, SignOffRecord.case_id == row.case_id)
            .order_by(SignOffRecord.created_at, SignOffRecord.id)
        )
    )
    if not rows:
        return []
    records = _records(s, row.case_id)
    letters = _letter_digests(s, row)
    return [_judge(store, r, records, letters) for r in rows]


def list_sign_offs(store: CaseStore, ref: str) -> list[SignOffView]:
    """The sign-offs of a request, oldest first, each with its verdict."""
    with store.session() as s:
        row = find_request(s, ref)
        access.require(store, row.case_id, access.Action.CASE_READ)
        return _views(store, s, row)


@dataclass(frozen=True)
class CaseSignOffs:
    """What the Requests pane shows of sign-off for one case."""

    #: Whether members have roles here (a clinic case): sign-off means something.
    applies: bool
    #: Whether the member who opened the store may sign off this case's letters.
    can_sign: bool
    #: Whether letters must be signed off before they are sent (the rule, where it applies).
    required: bool
    #: Request id -> its sign-offs with their verdicts.
    by_request: dict[str, list[SignOffView]]


def case_sign_offs(store: CaseStore, case_ref: str) -> CaseSignOffs:
    """Sign-off state of every request of a case."""
    from ncii_desk.services.cases import find_case

    with store.session() as s:
        case_id = find_case(s, case_ref).id
    role = access.require(store, case_id, access.Action.CASE_READ)
    if role is None:
        return CaseSignOffs(False, False, False, {})
    required = sign_off_required(store)
    with store.session() as s:
        rows = s.scalars(select(RemovalRequest).where(RemovalRequest.case_id == case_id))
        by_request = {row.id: _views(store, s, row) for row in rows}
    can_sign = allowed(role, access.Action.LETTER_SIGN_OFF) and _member(store) is not None
    return CaseSignOffs(True, can_sign, required, by_request)


def require_for_sending(store: CaseStore, s: Session, row: RemovalRequest) -> None:
    """Refuse to send ``row`` when the rule applies and no valid sign-off of its current
    letter exists (called by marking sent, before anything is written)."""
    if store.case_role(row.case_id) is None or not sign_off_required(store):
        return
    views = _views(store, s, row)
    if any(v.verdict == VALID for v in views):
        return
    if any(v.verdict == CHANGED for v in views):
        raise SignOffRequired(
            "This letter was changed after it was signed off, and the clinic needs a "
            "supervising attorney's sign-off of the letter that is sent."
        )
    raise SignOffRequired(
        "This letter has not been signed off, and the clinic needs a supervising attorney's "
        "sign-off before a letter is sent."
    )


# --- signing off ----------------------------------------------------------------------------


def _member(store: CaseStore) -> MemberKeys | None:
    member = getattr(store, "member", None)
    return member if isinstance(member, MemberKeys) else None


def sign_off_request(store: CaseStore, ref: str, *, now: datetime | None = None) -> SignOffView:
    """Sign off the drafted letter of request ``ref`` as the supervising attorney who opened
    the store. Refused for a member who is not a supervising attorney on the case, a letter
    already sent, a request without a letter, a letter this member already signed off, and
    in a laptop vault (no roles there)."""
    now = now or datetime.now(UTC)
    with store.session() as s:
        row = find_request(s, ref)
        case_id, request_id, blob_id = row.case_id, row.id, row.document_blob_id
        status = row.status
    role = access.require(store, case_id, access.Action.LETTER_SIGN_OFF)
    member = _member(store)
    if role is None or member is None:
        raise SignOffNotApplicable(
            "Letter sign-off applies to clinic cases; this store has no members or roles."
        )
    if status != RequestStatus.DRAFT:
        raise RequestStateError(
            "This request was already marked as sent; a letter is signed off before it is sent.",
            "Draft a new request if the letter must change.",
        )
    if blob_id is None:
        raise RequestStateError("This request has no stored letter to sign off.")
    with store.session() as s:
        blob = s.get(Blob, blob_id)
        assert blob is not None
        data = store.read_blob(blob)
        records = _records(s, case_id)
    digest = hashlib.sha256(data).hexdigest()
    membership = verify_membership(records, clinic_id=store.vault_id, case_id=case_id)
    signed = sign_off(
        member, membership, case_id=case_id, document_id=request_id, document_sha256=digest
    )
    with store.transaction() as s:
        row = find_request(s, request_id)
        if row.document_blob_id != blob_id or row.status != RequestStatus.DRAFT:
            raise RequestStateError(
                "The letter changed while it was being signed off; nothing was signed.",
                "Read the letter again, then sign it off.",
            )
        for view in _views(store, s, row):
            if view.member_id == member.member_id and view.verdict == VALID:
                raise InvalidSetting(
                    "You have already signed off this letter.", "Nothing more is needed."
                )
        record = SignOffRecord(
            case_id=case_id, document_id=request_id, member_id=member.member_id, record=signed.text
        )
        s.add(record)
        s.flush()
        details = {"sign_off_id": record.id, "document_sha256": digest, "case_id": case_id}
        row.history = [*row.history, _event(now, store.actor, "signed_off", **details)]
        store.audit(s, SIGNED_OFF, request_id, details)
        return _judge(store, record, records, {digest})
