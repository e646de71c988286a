"""Letter sign-off: a supervising attorney's signature over a document, checked against the
membership it was made under."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey

from ncii_desk.vault import roles
from ncii_desk.vault.keys import (
    b64d,
    b64e,
    canonical_json,
    utc_now_iso,
)
from ncii_desk.vault.members.formats import (
    _SIGN_OFF_LABEL,
    FORMAT_VERSION,
    SIGN_OFF_FORMAT,
    SignOffInvalid,
    _loads,
    key_fingerprint,
)
from ncii_desk.vault.members.identity import MemberKeys
from ncii_desk.vault.members.membership import Membership, MembershipRecord, verify_membership

# --- letter sign-off ----------------------------------------------------------------------


@dataclass(frozen=True)
class SignOff:
    """A supervising attorney's signed approval of one document, as text to store."""

    text: str

    def parts(self) -> tuple[dict[str, Any], bytes, bytes]:
        outer = _loads(self.text)
        if not isinstance(outer, dict) or not isinstance(outer.get("body"), dict):
            raise ValueError("not a sign-off")
        body: dict[str, Any] = outer["body"]
        if body.get("format") != SIGN_OFF_FORMAT or body.get("version") != FORMAT_VERSION:
            raise ValueError("unknown format")
        return body, b64d(str(outer.get("sig"))), b64d(str(outer.get("signer")))


def sign_off(
    signer: MemberKeys,
    membership: Membership,
    *,
    case_id: str,
    document_id: str,
    document_sha256: str,
) -> SignOff:
    """Sign off a letter (its id and the SHA-256 of its exact bytes) as a supervising
    attorney on the case, per ``membership`` (from :func:`verify_membership`)."""
    entry = membership.members.get(signer.member_id)
    if entry is None:
        raise roles.NotPermitted(
            f"You are not a member of case {case_id}, so you cannot sign off its letters.",
            hint="Ask a supervising attorney on the case to sign it off.",
        )
    roles.check(entry.role, roles.Action.LETTER_SIGN_OFF)
    body = {
        "format": SIGN_OFF_FORMAT,
        "version": FORMAT_VERSION,
        "clinic_id": signer.clinic_id,
        "case_id": case_id,
        "document_id": document_id,
        "document_sha256": document_sha256,
        "member_id": signer.member_id,
        "membership_head": membership.head,
        "at": utc_now_iso(),
    }
    sig = signer.sign(_SIGN_OFF_LABEL + canonical_json(body))
    outer = {"body": body, "sig": b64e(sig), "signer": b64e(signer.public.ed25519)}
    return SignOff(canonical_json(outer).decode("utf-8"))


def verify_sign_off(
    sign_off: SignOff,
    records: Sequence[MembershipRecord],
    *,
    clinic_id: str,
    case_id: str,
    document_id: str,
    document_sha256: str,
) -> str:
    """Check a sign-off against the document and the case's membership records as they
    stood when it was made (a later removal of the attorney does not undo it). Returns the
    signing member's id; :class:`SignOffInvalid` says what failed."""

    def bad(reason: str) -> SignOffInvalid:
        return SignOffInvalid(
            f"The sign-off of document {document_id} {reason}.", document_id=document_id
        )

    try:
        body, sig, signer = sign_off.parts()
        Ed25519PublicKey.from_public_bytes(signer).verify(
            sig, _SIGN_OFF_LABEL + canonical_json(body)
        )
        member_id, head = str(body["member_id"]), str(body["membership_head"])
    except InvalidSignature:
        raise bad("has a signature that does not verify (it was altered)") from None
    except (ValueError, KeyError, TypeError):
        raise bad("cannot be read") from None
    if (body.get("clinic_id"), body.get("case_id"), body.get("document_id")) != (
        clinic_id,
        case_id,
        document_id,
    ):
        raise bad("was made for another document or case")
    if body.get("document_sha256") != document_sha256:
        raise bad("was made for other contents: the letter changed after it was signed off")
    digests = [r.digest for r in records]
    if head not in digests:
        raise bad("names a membership of the case that its records do not hold")
    then = verify_membership(
        records[: digests.index(head) + 1], clinic_id=clinic_id, case_id=case_id
    )
    entry = then.members.get(member_id)
    if entry is None or entry.ed25519 != key_fingerprint(signer):
        raise bad("is signed by someone who was not a member of the case")
    if not roles.allowed(entry.role, roles.Action.LETTER_SIGN_OFF):
        raise bad("is signed by a member who was not a supervising attorney on the case")
    return member_id
