"""Membership records: signed, chained changes of who is on a case, a case's keyring, and
their verification."""

from __future__ import annotations

import hashlib
import hmac
import json
import secrets
from collections.abc import Mapping, Sequence
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
from ncii_desk.vault.members.casekeys import CaseKey, key_commitment, unwrap_case_key, wrap_case_key
from ncii_desk.vault.members.formats import (
    _CHANGE_SIG_LABEL,
    CASE_KEY_BYTES,
    CHANGE_FORMAT,
    FORMAT_VERSION,
    CaseKeyRefused,
    MembershipInvalid,
    _loads,
    key_fingerprint,
)
from ncii_desk.vault.members.identity import MemberKeys, MemberPublic
from ncii_desk.vault.roles import MemberRole

# --- membership records -------------------------------------------------------------------


@dataclass(frozen=True)
class MemberEntry:
    """One member of a case as a membership record lists them."""

    role: MemberRole
    x25519: str  # fingerprints
    ed25519: str

    def to_json(self) -> dict[str, str]:
        return {"role": self.role.value, "x25519": self.x25519, "ed25519": self.ed25519}


@dataclass(frozen=True)
class MembershipRecord:
    """A signed membership change; :attr:`text` goes into the audit chain as it is."""

    text: str

    @property
    def digest(self) -> str:
        return hashlib.sha256(self.text.encode("utf-8")).hexdigest()

    def parts(self) -> tuple[dict[str, Any], bytes, bytes]:
        """(body, signature, signer's Ed25519 public key); ValueError when malformed."""
        outer = _loads(self.text)
        if not isinstance(outer, dict) or not isinstance(outer.get("body"), dict):
            raise ValueError("not a membership record")
        body: dict[str, Any] = outer["body"]
        if body.get("format") != CHANGE_FORMAT or body.get("version") != FORMAT_VERSION:
            raise ValueError("unknown format")
        return body, b64d(str(outer.get("sig"))), b64d(str(outer.get("signer")))

    @property
    def body(self) -> dict[str, Any]:
        return self.parts()[0]

    def audit_details(self) -> dict[str, Any]:
        """The record as an audit event's ``details``; the audit chain stores details as
        canonical JSON, which gives back this record's text byte for byte."""
        return dict(json.loads(self.text))

    @classmethod
    def from_audit_details(cls, details: Mapping[str, Any]) -> MembershipRecord:
        return cls(canonical_json(dict(details)).decode("utf-8"))

    def verify_signature(self) -> None:
        """Check the signature against the signer key the record names (who that signer is
        allowed to be is :func:`verify_membership`'s job). InvalidSignature on failure."""
        body, sig, signer = self.parts()
        Ed25519PublicKey.from_public_bytes(signer).verify(
            sig, _CHANGE_SIG_LABEL + canonical_json(body)
        )


def _sign_change(actor: MemberKeys, body: dict[str, Any]) -> MembershipRecord:
    sig = actor.sign(_CHANGE_SIG_LABEL + canonical_json(body))
    outer = {"body": body, "sig": b64e(sig), "signer": b64e(actor.public.ed25519)}
    return MembershipRecord(canonical_json(outer).decode("utf-8"))


def _entries_json(members: Mapping[str, MemberEntry]) -> dict[str, Any]:
    return {mid: entry.to_json() for mid, entry in sorted(members.items())}


def _entry_for(public: MemberPublic, role: MemberRole) -> MemberEntry:
    return MemberEntry(role, public.fingerprint, public.signing_fingerprint)


@dataclass
class CaseKeyring:
    """A case's keys as the clinic server holds them: wrapped only, plus the membership.

    ``wraps`` maps (key version, member id) to wrapped-key text. ``publics`` are the
    members' public keys, ``members`` their roles and fingerprints as the newest signed
    record states them; ``head`` is that record's digest.
    """

    clinic_id: str
    case_id: str
    current_version: int
    wraps: dict[tuple[int, str], str]
    publics: dict[str, MemberPublic]
    members: dict[str, MemberEntry]
    head: str
    seq: int
    #: key version -> :func:`key_commitment`, as the signed records state them.
    commits: dict[int, str]

    @classmethod
    def create(
        cls,
        case_id: str,
        creator: MemberKeys,
        role: MemberRole = MemberRole.ADVOCATE,
    ) -> tuple[CaseKeyring, CaseKey, MembershipRecord]:
        """A new case key (version 1) wrapped to its creator, and the signed first record."""
        case_key = CaseKey(creator.clinic_id, case_id, 1, secrets.token_bytes(CASE_KEY_BYTES))
        ring = cls(
            clinic_id=creator.clinic_id,
            case_id=case_id,
            current_version=1,
            wraps={(1, creator.member_id): wrap_case_key(case_key, creator.public)},
            publics={creator.member_id: creator.public},
            members={creator.member_id: _entry_for(creator.public, role)},
            head="",
            seq=0,
            commits={1: key_commitment(case_key)},
        )
        record = ring._record(creator, "case.create", creator.member_id)
        return ring, case_key, record

    # reading -----------------------------------------------------------------------------

    def versions_for(self, member_id: str) -> list[int]:
        return sorted(v for v, m in self.wraps if m == member_id)

    def open(self, member: MemberKeys) -> dict[int, CaseKey]:
        """Every version of the case key this member holds, by version."""
        self._require_member(member)
        keys = {
            v: unwrap_case_key(
                self.wraps[(v, member.member_id)], member, case_id=self.case_id, version=v
            )
            for v in self.versions_for(member.member_id)
        }
        for key in keys.values():
            self._check(key)
        return keys

    def _check(self, key: CaseKey) -> None:
        if not hmac.compare_digest(self.commits.get(key.version, ""), key_commitment(key)):
            raise CaseKeyRefused(
                f"Version {key.version} of the key of case {self.case_id} is not the key the "
                "case's signed membership records name: someone with access to the clinic "
                "server put in a key of their own.",
                case_id=self.case_id,
                version=key.version,
                hint="Write nothing to this case. Tell the clinic's administrator; compare the "
                "case with an export or backup.",
            )

    def verify(
        self, records: Sequence[MembershipRecord], seen: tuple[int, str] | None = None
    ) -> Membership:
        """Check the case's signed records (:func:`verify_membership`, with ``seen``) and
        that this keyring (as read from the server) agrees with them: members, roles, key
        fingerprints, current version and key commitments. Call before using its keys."""
        membership = verify_membership(
            records, clinic_id=self.clinic_id, case_id=self.case_id, seen=seen
        )
        return self.agrees(membership)

    def agrees(self, membership: Membership) -> Membership:
        """That this keyring (as read from the server) agrees with ``membership``, which
        :func:`verify_membership` returned for the case's records: members, roles, key
        fingerprints, current version, key commitments and head. Returns it."""
        last = membership.seq
        if (
            membership.members != self.members
            or membership.key_version != self.current_version
            or membership.commits != self.commits
            or membership.head != self.head
        ):
            raise MembershipInvalid(
                f"The clinic server's key table for case {self.case_id} does not agree with "
                "the case's signed membership records.",
                case_id=self.case_id,
                seq=last,
            )
        for mid, public in self.publics.items():
            entry = self.members.get(mid)
            if entry is None or (entry.x25519, entry.ed25519) != (
                public.fingerprint,
                public.signing_fingerprint,
            ):
                raise MembershipInvalid(
                    f"The clinic server holds a public key for a member of case {self.case_id} "
                    "that the signed membership records do not name.",
                    case_id=self.case_id,
                    seq=last,
                )
        return membership

    def _require_member(self, member: MemberKeys) -> None:
        if member.member_id not in self.members:
            raise roles.NotPermitted(
                f"You are not a member of case {self.case_id}, so you cannot open it.",
                hint="Ask a supervising attorney on the case to add you to it.",
            )

    def current_key(self, member: MemberKeys) -> CaseKey:
        self._require_member(member)
        wrapped = self.wraps.get((self.current_version, member.member_id))
        if wrapped is None:
            raise CaseKeyRefused(
                f"You hold no key for the current version ({self.current_version}) of case "
                f"{self.case_id}.",
                case_id=self.case_id,
                version=self.current_version,
                hint="Ask a supervising attorney on the case to add you to it.",
            )
        key = unwrap_case_key(wrapped, member, case_id=self.case_id, version=self.current_version)
        self._check(key)
        return key

    # changes -----------------------------------------------------------------------------

    def _role_of(self, actor: MemberKeys) -> MemberRole:
        entry = self.members.get(actor.member_id)
        if entry is None:
            raise roles.NotPermitted(
                f"You are not a member of case {self.case_id}, so you cannot change who is.",
                hint="Ask a supervising attorney on the case to do it.",
            )
        return entry.role

    def _record(self, actor: MemberKeys, action: str, subject: str) -> MembershipRecord:
        body = {
            "format": CHANGE_FORMAT,
            "version": FORMAT_VERSION,
            "clinic_id": self.clinic_id,
            "case_id": self.case_id,
            "seq": self.seq + 1,
            "prev": self.head,
            "at": utc_now_iso(),
            "action": action,
            "subject": subject,
            "actor": actor.member_id,
            "key_version": self.current_version,
            "key_commit": self.commits[self.current_version],
            "members": _entries_json(self.members),
        }
        record = _sign_change(actor, body)
        self.seq += 1
        self.head = record.digest
        return record

    def add_member(
        self, actor: MemberKeys, new: MemberPublic, role: MemberRole
    ) -> MembershipRecord:
        """Wrap every version ``actor`` holds for ``new`` (so they read the whole case)."""
        roles.check_grant(self._role_of(actor), role)
        if new.member_id in self.members:
            raise roles.NotPermitted(
                f"That person is already a member of case {self.case_id}.",
                hint="Remove them first to give them another role.",
            )
        if new.clinic_id != self.clinic_id:
            raise roles.NotPermitted(
                "That person's keys belong to another clinic.",
                hint="Add members of this clinic only; hand a case to another organisation "
                "with 'ncii-desk case export'.",
            )
        for version, key in sorted(self.open(actor).items()):
            self.wraps[(version, new.member_id)] = wrap_case_key(key, new)
        self.publics[new.member_id] = new
        self.members[new.member_id] = _entry_for(new, role)
        return self._record(actor, "member.add", new.member_id)

    def remove_member(self, actor: MemberKeys, member_id: str) -> tuple[CaseKey, MembershipRecord]:
        """Drop ``member_id`` and their wraps, and start a new key version for new writes,
        wrapped to every member who remains. Returns the new key and the signed record."""
        roles.check(self._role_of(actor), roles.Action.MEMBER_REMOVE)
        if member_id not in self.members:
            raise roles.NotPermitted(
                f"That person is not a member of case {self.case_id}.",
                hint="List the case's members to check whom to remove.",
            )
        if member_id == actor.member_id:
            raise roles.NotPermitted(
                "You cannot remove yourself from a case.",
                hint="Ask another member who may manage the case's members to remove you.",
            )
        self.current_key(actor)  # the actor must hold the current key to be trusted with this
        version = self.current_version + 1
        new_key = CaseKey(
            self.clinic_id, self.case_id, version, secrets.token_bytes(CASE_KEY_BYTES)
        )
        new_wraps = {
            (version, mid): wrap_case_key(new_key, public)
            for mid, public in self.publics.items()
            if mid != member_id
        }
        del self.members[member_id]
        del self.publics[member_id]
        for slot in [s for s in self.wraps if s[1] == member_id]:
            del self.wraps[slot]
        self.wraps.update(new_wraps)
        self.current_version = version
        self.commits[version] = key_commitment(new_key)
        return new_key, self._record(actor, "member.remove", member_id)


# --- verification -------------------------------------------------------------------------


@dataclass(frozen=True)
class Membership:
    """A case's membership as its verified records leave it."""

    members: dict[str, MemberEntry]
    key_version: int
    commits: dict[int, str]
    head: str
    #: Number of records verified; keep (seq, head) to pass as ``seen`` next time.
    seq: int


def check_case_key(key: CaseKey, membership: Membership) -> None:
    """Refuse a case key that the verified records do not commit to."""
    if not hmac.compare_digest(membership.commits.get(key.version, ""), key_commitment(key)):
        raise CaseKeyRefused(
            f"Version {key.version} of the key of case {key.case_id} is not the key the case's "
            "signed membership records name.",
            case_id=key.case_id,
            version=key.version,
        )


def verify_membership(
    records: Sequence[MembershipRecord],
    *,
    clinic_id: str,
    case_id: str,
    seen: tuple[int, str] | None = None,
) -> Membership:
    """Check a case's membership records from the first and return the members after the
    last one. Each record must be signed by a member (per the record before it) whose role
    allows the change, chain to the previous record, and change exactly what it says.

    ``seen`` is the (seq, head) of the newest membership this client verified before (kept
    on the client, :attr:`Membership.seq` and :attr:`Membership.head`): the records must
    still hold it, so a server rolled back to before a removal is caught."""
    members: dict[str, MemberEntry] = {}
    head = ""
    key_version = 0
    commits: dict[int, str] = {}
    if not records:
        raise MembershipInvalid(
            f"Case {case_id} has no membership records.", case_id=case_id, seq=0
        )
    for index, record in enumerate(records, start=1):

        def bad(reason: str, index: int = index) -> MembershipInvalid:
            return MembershipInvalid(
                f"Membership record {index} of case {case_id} {reason}.", case_id=case_id, seq=index
            )

        try:
            body, sig, signer = record.parts()
            Ed25519PublicKey.from_public_bytes(signer).verify(
                sig, _CHANGE_SIG_LABEL + canonical_json(body)
            )
            after = {
                mid: MemberEntry(MemberRole(e["role"]), str(e["x25519"]), str(e["ed25519"]))
                for mid, e in dict(body["members"]).items()
            }
            action, actor, subject = str(body["action"]), str(body["actor"]), str(body["subject"])
            version = body["key_version"]
            commit = str(body["key_commit"])
        except InvalidSignature:
            raise bad("has a signature that does not verify (it was altered)") from None
        except (ValueError, KeyError, TypeError, AttributeError):
            raise bad("cannot be read") from None
        if body.get("clinic_id") != clinic_id or body.get("case_id") != case_id:
            raise bad("belongs to another case")
        if body.get("seq") != index or body.get("prev") != head:
            raise bad("is out of order, or a record before it is missing")
        signer_fp = key_fingerprint(signer)
        if action == "case.create":
            if index != 1 or version != 1 or set(after) != {actor} or subject != actor:
                raise bad("creates the case but does not start its membership")
            if after[actor].ed25519 != signer_fp:
                raise bad("is not signed by the member who created the case")
            commits = {1: commit}
        else:
            entry = members.get(actor)
            if entry is None or entry.ed25519 != signer_fp:
                raise bad("is signed by someone who was not a member of the case")
            try:
                if action == "member.add":
                    if subject in members or subject not in after:
                        raise bad("does not add the member it names")
                    roles.check_grant(entry.role, after[subject].role)
                    expected = dict(members) | {subject: after[subject]}
                    expected_version = key_version
                elif action == "member.remove":
                    roles.check(entry.role, roles.Action.MEMBER_REMOVE)
                    if subject not in members or subject == actor:
                        raise bad("does not remove the member it names")
                    expected = {m: e for m, e in members.items() if m != subject}
                    expected_version = key_version + 1
                else:
                    raise bad(f"has an unknown action ({action})")
            except roles.NotPermitted:
                raise bad("was made by a member whose role does not allow it") from None
            if after != expected or version != expected_version:
                raise bad("changes more than the one member it names")
            if action == "member.add" and commit != commits.get(version):
                raise bad("names another key than the case's current one")
            commits = commits | {int(version): commit}
        members, head, key_version = after, record.digest, int(version)
    if seen is not None:
        seq, digest = seen
        if seq > len(records) or records[seq - 1].digest != digest:
            raise MembershipInvalid(
                f"The membership records of case {case_id} end before, or differ from, what "
                f"this computer verified earlier (record {seq}): the clinic server was rolled "
                "back or altered.",
                case_id=case_id,
                seq=seq,
            )
    return Membership(members, key_version, commits, head, len(records))
