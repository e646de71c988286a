"""Keys per clinic member and per case (issue 19 §2, "Keys"): the server never sees plaintext.

Member identity
    A member holds a random 32-byte secret seed. Two key pairs come from it through HKDF:
    X25519 (case keys are wrapped to it) and Ed25519 (membership changes are signed with it).
    The seed is stored only wrapped, in the member's key record (a JSON text the clinic
    server keeps): under an Argon2id key from the member's passphrase (same bounds as the
    vault header: parameters in the record, checked against the ceilings before Argon2id
    runs) and, separately, under the member's recovery key (32 random bytes, printed once in
    the vault's base32 groups). The record carries an HMAC under a key from the seed, so an
    edit anywhere in it (public keys, generation, the other wrap) is caught after unlock.

Case keys
    Each case has random 256-bit data keys, numbered by version (1, 2, ...); the newest is
    the one new writes use. A key is wrapped to a member with an ephemeral X25519 exchange,
    HKDF-SHA256 and AES-256-GCM; the HKDF input and the associated data both bind the clinic
    id, case id, key version and member id, so a wrap copied to another member, case or
    version does not open. Adding a member wraps every version the adder holds for them;
    removing one makes a new version wrapped only to those who remain (old versions stay
    readable to them) and deletes the removed member's wraps.

Membership records
    Every change (case created, member added, member removed) is a record signed with the
    acting member's Ed25519 key, chained to the previous record by SHA-256 and listing the
    whole membership after the change (member id, role, key fingerprints). Its text goes
    into the audit chain; :func:`verify_membership` checks a case's records end to end.
    Each record also commits to the current key version (:func:`key_commitment`), so a key
    that someone wrapped on their own to members' public keys is refused.

Letter sign-off
    :func:`sign_off` signs a document's id and SHA-256 with a supervising attorney's Ed25519
    key and names the membership it was made under; :func:`verify_sign_off` checks it
    against the records as they stood then.

Someone with the clinic database (and not a member's passphrase or recovery key) cannot read
a case key, a sensitive column or a private key, cannot forge a membership change, a role
or a letter sign-off, and cannot slip in a key of their own or swap a member's public key
unnoticed (:meth:`CaseKeyring.verify`). They can see ids, times, sizes, who is on which case,
roles and key fingerprints; delete or withhold rows (a denial, shown by verification when
the records no longer chain); show an older but complete state to a client that never saw
a newer one (a client that did passes its last (seq, head) as ``seen`` and refuses it); and
try passphrases offline against a member's Argon2id record. A removed member keeps whatever
they already read or saved, including old key versions: rotation protects what is written
afterwards.

Modules: ``formats`` (record formats, labels, errors, fingerprints), ``identity`` (a
member's keys and key record), ``casekeys`` (case keys wrapped to a member),
``membership`` (the signed membership records and a case's keyring), ``signoff`` (letter
sign-off).
"""

from __future__ import annotations

from ncii_desk.vault.members.casekeys import (
    CaseKey,
    key_commitment,
    unwrap_case_key,
    wrap_case_key,
)
from ncii_desk.vault.members.formats import (
    CASE_KEY_BYTES,
    CHANGE_FORMAT,
    FORMAT_VERSION,
    RECORD_FORMAT,
    SEED_BYTES,
    SIGN_OFF_FORMAT,
    WRAP_FORMAT,
    CaseKeyRefused,
    MemberKeyCorrupt,
    MembershipInvalid,
    SignOffInvalid,
    key_fingerprint,
)
from ncii_desk.vault.members.identity import (
    MemberKeyRecord,
    MemberKeys,
    MemberPublic,
    NewMember,
    create_member,
)
from ncii_desk.vault.members.membership import (
    CaseKeyring,
    MemberEntry,
    Membership,
    MembershipRecord,
    check_case_key,
    verify_membership,
)
from ncii_desk.vault.members.signoff import (
    SignOff,
    sign_off,
    verify_sign_off,
)

__all__ = [
    "CASE_KEY_BYTES",
    "CHANGE_FORMAT",
    "FORMAT_VERSION",
    "RECORD_FORMAT",
    "SEED_BYTES",
    "SIGN_OFF_FORMAT",
    "WRAP_FORMAT",
    "CaseKey",
    "CaseKeyRefused",
    "CaseKeyring",
    "MemberEntry",
    "MemberKeyCorrupt",
    "MemberKeyRecord",
    "MemberKeys",
    "MemberPublic",
    "Membership",
    "MembershipInvalid",
    "MembershipRecord",
    "NewMember",
    "SignOff",
    "SignOffInvalid",
    "check_case_key",
    "create_member",
    "key_commitment",
    "key_fingerprint",
    "sign_off",
    "unwrap_case_key",
    "verify_membership",
    "verify_sign_off",
    "wrap_case_key",
]
