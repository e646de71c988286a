"""Clinic server mode (issue 19 §2): the service door to the clinic's shared store.

The CLI (``ncii-desk clinic-server ...``, ``ncii-desk clinic ...``, ``--vault
postgresql://...``) and the GUI (the unlock screen's clinic page, Settings) call these; the
work is in :mod:`ncii_desk.clinic.store` and :mod:`ncii_desk.clinic.members`.

Client profile. This computer remembers, per clinic id, the store's address (without a
password), the member id and the newest audit head (seq, mac) it authenticated there, in
``clinic-profiles.json`` in the user's config folder (no case data, no name, no key). An
open whose server shows an older head, or a different event at that seq, is refused as a
rollback (:class:`ncii_desk.clinic.members.ClinicRolledBack`).
"""

from __future__ import annotations

import json
import os
import secrets
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from ncii_desk.errors import InvalidSetting

if TYPE_CHECKING:
    from ncii_desk.clinic.store import ClinicStore
    from ncii_desk.vault.keys import KdfParams

#: Names the member when the command line gives no --member.
MEMBER_ENV = "NCII_DESK_MEMBER"
PROFILE_FILE = "clinic-profiles.json"


def is_clinic_address(value: str | Path | None) -> bool:
    """Whether ``value`` names a clinic store (postgresql://...) rather than a vault folder."""
    from ncii_desk.clinic.store import is_clinic_url

    return isinstance(value, str) and is_clinic_url(value)


# --- client profile --------------------------------------------------------------------------


@dataclass(frozen=True)
class ClinicProfile:
    clinic_id: str
    url: str
    member_id: str
    head_seq: int
    head_mac: str
    blobs_dir: str | None = None
    #: case id -> (seq, head) of the newest signed membership record this client verified
    #: (a server rolled back to before a member's removal is refused next time too).
    case_heads: dict[str, tuple[int, str]] = field(default_factory=dict)

    def as_dict(self) -> dict[str, Any]:
        return {
            "clinic_id": self.clinic_id,
            "url": self.url,
            "member_id": self.member_id,
            "head_seq": self.head_seq,
            "head_mac": self.head_mac,
            "blobs_dir": self.blobs_dir,
            "case_heads": {k: [seq, head] for k, (seq, head) in sorted(self.case_heads.items())},
        }


def _without_password(url: str) -> str:
    """The address with any password left out (it belongs in ~/.pgpass)."""
    from ncii_desk.clinic.store import shown_url

    return shown_url(url).replace(":***@", "@")


def profile_path() -> Path:
    import platformdirs

    from ncii_desk.paths import APP_NAME

    return platformdirs.user_config_path(APP_NAME, appauthor=False) / PROFILE_FILE


def _read_profiles() -> dict[str, Any]:
    try:
        data = json.loads(profile_path().read_text("utf-8"))
    except (OSError, ValueError):
        return {"clinics": {}, "last": None}
    if not isinstance(data, dict) or not isinstance(data.get("clinics"), dict):
        return {"clinics": {}, "last": None}
    return data


def _profile_of(value: Any) -> ClinicProfile | None:
    try:
        return ClinicProfile(
            clinic_id=str(value["clinic_id"]),
            url=str(value["url"]),
            member_id=str(value["member_id"]),
            head_seq=int(value["head_seq"]),
            head_mac=str(value["head_mac"]),
            blobs_dir=value.get("blobs_dir"),
            case_heads={
                str(case_id): (int(pair[0]), str(pair[1]))
                for case_id, pair in dict(value.get("case_heads") or {}).items()
            },
        )
    except (KeyError, TypeError, ValueError, IndexError):
        return None


def remembered_profiles() -> list[ClinicProfile]:
    """Every clinic this computer opened, the last one used first."""
    data = _read_profiles()
    found = [p for v in data["clinics"].values() if (p := _profile_of(v)) is not None]
    found.sort(key=lambda p: p.clinic_id != data.get("last"))
    return found


def last_profile() -> ClinicProfile | None:
    found = remembered_profiles()
    return found[0] if found else None


def _profile_for(clinic_id: str) -> ClinicProfile | None:
    return _profile_of(_read_profiles()["clinics"].get(clinic_id))


def remember(store: ClinicStore, blobs_dir: Path | None = None) -> None:
    """Record (atomically, private to this user) the store's current authenticated head for
    this member, unless it is behind what is remembered already."""
    from ncii_desk.clinic.members import current_head

    if store.member_id is None:
        return
    head = current_head(store)
    if head is None:
        return
    data = _read_profiles()
    old = _profile_of(data["clinics"].get(store.vault_id))
    if old is not None and old.head_seq > head.seq:
        return
    case_heads = (
        dict(old.case_heads) if old is not None and old.member_id == store.member_id else {}
    )
    for case_id, (seq, case_head) in store.sealer.keys.seen.items():
        if case_id not in case_heads or case_heads[case_id][0] <= seq:
            case_heads[case_id] = (seq, case_head)
    profile = ClinicProfile(
        clinic_id=store.vault_id,
        url=_without_password(store.url),
        member_id=store.member_id,
        head_seq=head.seq,
        head_mac=head.mac,
        blobs_dir=str(blobs_dir) if blobs_dir else (old.blobs_dir if old else None),
        case_heads=case_heads,
    )
    _write_profile(data, profile)


def _write_profile(data: dict[str, Any], profile: ClinicProfile) -> None:
    """Put ``profile`` into ``data`` as the last one used and write the file atomically,
    readable by this user only."""
    from ncii_desk.hardening import make_private_dir, write_private_bytes

    data["clinics"][profile.clinic_id] = profile.as_dict()
    data["last"] = profile.clinic_id
    path = profile_path()
    make_private_dir(path.parent, parents=True)
    tmp = path.with_name(f"{path.name}.{os.getpid()}.{secrets.token_hex(4)}.new")
    try:
        write_private_bytes(tmp, json.dumps(data, indent=2).encode("utf-8"))
        os.replace(tmp, path)
    finally:
        tmp.unlink(missing_ok=True)


def remember_joined(url: str, joined: dict[str, Any], blobs_dir: Path | None = None) -> None:
    """After a join on this computer (``joined`` is what :func:`join_clinic` returned):
    remember the clinic's address, the new member id and the blob folder, so the clinic page
    is filled in next time, also while the member still waits to be admitted.

    The audit head this computer already authenticated there (if any) is kept, so joining
    anew never weakens the rollback check; a pending member cannot authenticate one."""
    from ncii_desk.vault.audit import GENESIS_MAC

    data = _read_profiles()
    clinic_id = str(joined["clinic_id"])
    member_id = str(joined["member_id"])
    old = _profile_of(data["clinics"].get(clinic_id))
    profile = ClinicProfile(
        clinic_id=clinic_id,
        url=_without_password(url),
        member_id=member_id,
        head_seq=old.head_seq if old is not None else 0,
        head_mac=old.head_mac if old is not None else GENESIS_MAC,
        blobs_dir=str(blobs_dir) if blobs_dir else (old.blobs_dir if old else None),
        case_heads=dict(old.case_heads) if old is not None and old.member_id == member_id else {},
    )
    _write_profile(data, profile)


def shareable_address(url: str) -> str:
    """The clinic address to give colleagues (any password left out)."""
    return _without_password(url)


# --- the server ------------------------------------------------------------------------------


def init_clinic_server(
    db: str, blobs: Path, name: str, *, allow_server_matching: bool = False
) -> dict[str, Any]:
    """Create the schema and the clinic record in the empty PostgreSQL database ``db`` and
    the clinic's blob folder ``blobs``; returns the clinic record (no key, no member)."""
    from ncii_desk.clinic.store import init_clinic

    return init_clinic(db, blobs, name, allow_server_matching=allow_server_matching).as_dict()


def init_clinic_with_member(
    db: str,
    blobs: Path,
    name: str,
    member_name: str,
    passphrase: str,
    *,
    kdf: KdfParams | None = None,
    allow_server_matching: bool = False,
) -> dict[str, Any]:
    """``clinic-server init``: the clinic (schema, record, blob folder), a new random clinic
    data key (kept in memory only, and wrapped to the first member) and the first member.
    Hash values are sealed by the clients unless ``allow_server_matching``.

    Returns the clinic record plus ``member_id``, ``fingerprint`` and ``recovery_key`` (shown
    once). The member name and passphrase are checked before anything is created."""
    from ncii_desk.clinic import members
    from ncii_desk.clinic.store import ClinicStore, init_clinic
    from ncii_desk.vault.keys import check_passphrase_strength
    from ncii_desk.vault.members import create_member

    member_name = members.clean_name(member_name)
    check_passphrase_strength(passphrase)
    record = init_clinic(db, blobs, name, allow_server_matching=allow_server_matching)
    new = create_member(record.clinic_id, passphrase, kdf=kdf)
    data_key = secrets.token_bytes(32)
    store = ClinicStore.open(db, data_key, actor=new.keys.member_id)
    try:
        store.member, store.member_id = new.keys, new.keys.member_id
        info = members.add_first_member(store, new, member_name)
        remember(store)
    finally:
        store.close()
    return record.as_dict() | {
        "member_id": info.member_id,
        "member_name": info.name,
        "fingerprint": info.fingerprint,
        "recovery_key": new.recovery_key,
    }


def set_up_clinic(
    db: str,
    blobs: Path,
    name: str,
    member_name: str,
    passphrase: str,
    *,
    kdf: KdfParams | None = None,
) -> tuple[ClinicStore, dict[str, Any]]:
    """The window's "Set up a new clinic": :func:`init_clinic_with_member`, then the store
    opened at once by that first member (its profile remembered with the blob folder).
    Returns the open store and what init returned (with the recovery key, shown once)."""
    made = init_clinic_with_member(db, blobs, name, member_name, passphrase, kdf=kdf)
    store = open_clinic_store(db, made["member_id"], passphrase=passphrase, blobs_dir=blobs)
    return store, made | {"address": shareable_address(db)}


def join_clinic_here(
    db: str,
    name: str,
    passphrase: str,
    *,
    blobs_dir: Path | None = None,
    kdf: KdfParams | None = None,
) -> dict[str, Any]:
    """The window's "Join a clinic": :func:`join_clinic`, and this computer remembers the
    clinic and the new member id (:func:`remember_joined`) so opening it later is one step."""
    joined = join_clinic(db, name, passphrase, kdf=kdf)
    remember_joined(db, joined, blobs_dir)
    return joined


def clinic_server_info(db: str) -> dict[str, Any]:
    """The clinic record of the store at ``db`` (needs no key)."""
    from ncii_desk.clinic.store import read_record

    return read_record(db).as_dict()


# --- members -------------------------------------------------------------------------------


def join_clinic(
    db: str, name: str, passphrase: str, *, kdf: KdfParams | None = None
) -> dict[str, Any]:
    """``clinic join``: make this person's member key record in the clinic, pending until an
    admitted member admits them. Returns member id, fingerprint and the recovery key (shown
    once)."""
    from ncii_desk.clinic import members
    from ncii_desk.clinic.store import read_record

    new = members.enrol(db, passphrase, name, kdf=kdf)
    record = read_record(db)
    return {
        "clinic_id": record.clinic_id,
        "clinic_name": record.name,
        "member_id": new.keys.member_id,
        "fingerprint": new.keys.public.fingerprint,
        "recovery_key": new.recovery_key,
        "admit_command": f"ncii-desk --vault {_without_password(db)} clinic admit "
        f"{new.keys.member_id} --fingerprint {new.keys.public.fingerprint}",
    }


def waiting_to_be_admitted(error: BaseException) -> bool:
    """Whether ``error`` (from opening a clinic store) says the member has joined but is not
    admitted yet, which the window shows as "not yet" rather than as a failure."""
    from ncii_desk.clinic.errors import MemberPending

    return isinstance(error, MemberPending)


def is_clinic_store(store: object) -> bool:
    """Whether ``store`` (an open case store) is a clinic's shared store."""
    from ncii_desk.clinic.store import ClinicStore

    return isinstance(store, ClinicStore)


def _clinic(store: object) -> ClinicStore:
    from ncii_desk.clinic.store import ClinicStore

    if not isinstance(store, ClinicStore):
        raise InvalidSetting(
            "This works on a clinic's shared store, and a laptop vault is open.",
            "Give the clinic store's address with --vault postgresql://... (and --member).",
        )
    return store


def list_clinic_members(store: object) -> list[dict[str, Any]]:
    from ncii_desk.clinic import members

    return [m.as_dict() for m in members.list_members(_clinic(store))]


def admit_member(store: object, member_id: str, fingerprint: str) -> dict[str, Any]:
    from ncii_desk.clinic import members

    return members.admit(_clinic(store), member_id, fingerprint).as_dict()


def remove_member(store: object, member_id: str) -> dict[str, Any]:
    from ncii_desk.clinic import members

    return members.remove(_clinic(store), member_id).as_dict()


def remove_from_clinic(store: object, member_id: str) -> dict[str, Any]:
    """Settings' "Remove from the clinic": the member's clinic key wrap goes
    (:func:`remove_member`), then they are taken off every case they are on where the one
    removing them may change who works on it, so what is written there from then on uses a
    case key version they never receive. Each case is its own step: a case that cannot be
    changed (the remover is not on it, or their role does not allow it) is listed with the
    reason and the others go on.

    Returns the removed member (as :func:`remove_member`) plus ``cases_taken_off`` and
    ``cases_left`` (each ``{"case_id", "label", "reason"}``; label None where this member
    cannot read it)."""
    from sqlalchemy import select

    from ncii_desk.clinic.sealing import NO_ACCESS
    from ncii_desk.errors import NciiDeskError
    from ncii_desk.services import case_members, cases
    from ncii_desk.vault.models import Case

    clinic = _clinic(store)
    removed = remove_member(clinic, member_id)
    gone = str(removed["member_id"])
    with clinic.session() as s:
        case_ids = list(s.scalars(select(Case.id).order_by(Case.created_at)))

    def label(case_id: str) -> str | None:
        try:
            found = cases.get_case(clinic, case_id).label
        except NciiDeskError:
            return None
        return None if found == NO_ACCESS else found

    taken_off: list[dict[str, Any]] = []
    left: list[dict[str, Any]] = []
    for case_id in case_ids:
        try:
            if gone not in clinic.case_membership(case_id).members:
                continue
            case_members.remove_member(clinic, case_id, gone)
        except NciiDeskError as exc:
            left.append({"case_id": case_id, "label": label(case_id), "reason": exc.message})
            continue
        taken_off.append({"case_id": case_id, "label": label(case_id), "reason": None})
    return removed | {"cases_taken_off": taken_off, "cases_left": left}


def change_member_passphrase(
    store: object, new_passphrase: str, *, current: str | None = None
) -> int:
    from ncii_desk.clinic import members

    return members.change_passphrase(_clinic(store), new_passphrase, current=current)


def member_profile(store: object) -> dict[str, Any]:
    """Address, clinic, member id and fingerprint of the open clinic store (Settings)."""
    from ncii_desk.clinic.store import shown_url

    clinic = _clinic(store)
    return {
        "url": shown_url(clinic.url),
        "clinic_id": clinic.vault_id,
        "clinic_name": clinic.record.name,
        "member_id": clinic.member_id,
        "fingerprint": clinic.member.public.fingerprint if clinic.member else None,
    }


# --- opening ---------------------------------------------------------------------------------


def open_clinic_store(
    url: str,
    member_id: str | None = None,
    *,
    passphrase: str | None = None,
    recovery_key: str | None = None,
    blobs_dir: Path | None = None,
) -> ClinicStore:
    """Open the clinic store at ``url`` as ``member_id`` (default: $NCII_DESK_MEMBER, then
    the member this computer last used there), checked against the remembered audit head;
    the head is remembered again when the store closes."""
    from ncii_desk.clinic.members import check_not_rolled_back
    from ncii_desk.clinic.store import ClinicStore, read_record

    record = read_record(url)
    profile = _profile_for(record.clinic_id)
    member_id = member_id or os.environ.get(MEMBER_ENV) or (profile.member_id if profile else None)
    if not member_id:
        raise InvalidSetting(
            "Which member are you? No member id was given for the clinic store.",
            f"Give it with --member ID (or set {MEMBER_ENV}); 'ncii-desk clinic join' made it.",
        )
    if blobs_dir is None and profile is not None and profile.blobs_dir:
        blobs_dir = Path(profile.blobs_dir)
    store = ClinicStore.open_member(
        url,
        member_id,
        passphrase=passphrase,
        recovery_key=recovery_key,
        blobs_dir=blobs_dir,
    )
    try:
        if profile is not None:
            check_not_rolled_back(store, (profile.head_seq, profile.head_mac))
            if profile.member_id == store.member_id:
                store.sealer.keys.restore_seen(profile.case_heads)
        with store.transaction() as s:
            store.audit(
                s,
                "vault.unlocked",
                details={
                    "with": "recovery key" if recovery_key is not None else "passphrase",
                    "warnings": [],
                },
            )
        remember(store, blobs_dir)
    except BaseException:
        store.close()
        raise
    store.on_close = lambda st: remember(st)
    return store


# clinic-server upgrade / check (server-side administration, no key) ------------------------


def upgrade_clinic_server(db: str) -> dict[str, Any]:
    """Run this version's missing migrations on the clinic database ``db`` under the writer
    lock (refused while a client is saving); returns from/to revisions."""
    from ncii_desk.clinic.ops import upgrade_clinic

    return upgrade_clinic(db).as_dict()


def check_clinic_server(
    db: str,
    blobs: Path | None = None,
    grace_minutes: float = 60,
    sweep: bool = False,
    hashes: bool = False,
) -> dict[str, Any]:
    """Compare the clinic's blob folder with its rows: strays (moved to quarantine with
    ``sweep``), missing files, ownership and modes; with ``hashes`` each file's SHA-256
    against the ciphertext hash its row holds. Needs no key."""
    from ncii_desk.clinic.ops import check_blob_folder

    report = check_blob_folder(
        db, blobs_dir=blobs, grace_minutes=grace_minutes, sweep=sweep, hashes=hashes
    )
    return report.as_dict()
