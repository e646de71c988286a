"""Creating, unlocking, checking and locking the vault, for the CLI and the GUI alike."""

from __future__ import annotations

import getpass
from dataclasses import dataclass, field, fields
from pathlib import Path
from typing import TYPE_CHECKING, Any

from ncii_desk.errors import InvalidSetting, VaultCorrupt, WrongPassphrase
from ncii_desk.paths import default_vault_dir
from ncii_desk.services.jobs import Job
from ncii_desk.vault import IntegrityReport, KdfParams, Vault, keys
from ncii_desk.vault.audit import ChainReport
from ncii_desk.vault.db import DB_NAME
from ncii_desk.vault.keys import DEFAULT_TARGET_SECONDS, tune_kdf
from ncii_desk.vault.reports import Problem

if TYPE_CHECKING:
    from ncii_desk.vault.store import CaseStore

# The passphrase rule, for callers that ask a person for a new passphrase.
MIN_PASSPHRASE_CHARS = keys.MIN_PASSPHRASE_CHARS
check_passphrase_strength = keys.check_passphrase_strength


def default_operator() -> str:
    """The advocate's login name, recorded as the actor of audit events."""
    try:
        return getpass.getuser()
    except (KeyError, OSError):
        return "unknown"


def create_vault(
    root: Path | None,
    passphrase: str,
    *,
    memory_mib: int = 256,
    target_seconds: float = DEFAULT_TARGET_SECONDS,
    kdf: KdfParams | None = None,
    operator: str | None = None,
) -> tuple[Vault, str]:
    """New vault; the KDF time cost is tuned on this machine. Returns (vault, recovery key)."""
    if kdf is None:
        # The floor tuning keeps (keys.TUNING_FLOOR) applies to what is asked for here too.
        lowest, highest = keys.TUNING_FLOOR.memory_kib // 1024, keys.MAX_MEMORY_KIB // 1024
        if not lowest <= memory_mib <= highest:
            raise InvalidSetting(
                f"The key-derivation memory must be between {lowest} MiB and {highest} MiB "
                f"({memory_mib} MiB was given)."
            )
        if not 0.05 <= target_seconds <= 30:
            raise InvalidSetting(
                f"The unlock time target must be between 0.05 and 30 seconds "
                f"({target_seconds} was given)."
            )
    params = kdf or tune_kdf(memory_kib=memory_mib * 1024, target_seconds=target_seconds)
    return Vault.create(
        root or default_vault_dir(), passphrase, kdf=params, actor=operator or default_operator()
    )


def open_vault(
    root: Path | None,
    *,
    passphrase: str | None = None,
    recovery_key: str | None = None,
    operator: str | None = None,
) -> Vault:
    vault = Vault.open(
        root or default_vault_dir(),
        passphrase=passphrase,
        recovery_key=recovery_key,
        actor=operator or default_operator(),
    )
    if operator is None:
        from ncii_desk.services.settings import operator_name

        vault.actor = operator_name(vault) or vault.actor
    with vault.transaction() as s:
        vault.audit(
            s,
            "vault.unlocked",
            details={
                "with": "recovery key" if recovery_key is not None else "passphrase",
                "warnings": vault.report.warnings,
            },
        )
    return vault


def open_store(
    location: Path | str | None,
    *,
    member: str | None = None,
    passphrase: str | None = None,
    recovery_key: str | None = None,
    operator: str | None = None,
    blobs_dir: Path | None = None,
) -> CaseStore:
    """Open a case store: a laptop vault folder, or a clinic's shared store when
    ``location`` is a ``postgresql://`` address (opened as ``member``; see
    :func:`ncii_desk.services.clinic.open_clinic_store`)."""
    if isinstance(location, str) and "://" in location:
        from ncii_desk.services.clinic import is_clinic_address, open_clinic_store

        if not is_clinic_address(location):
            raise InvalidSetting(
                f"{location} is neither a vault folder nor a clinic store address.",
                "Give a vault folder, or a clinic store as postgresql://USER@HOST:PORT/DATABASE.",
            )
        return open_clinic_store(
            location,
            member,
            passphrase=passphrase,
            recovery_key=recovery_key,
            blobs_dir=blobs_dir,
        )
    return open_vault(
        Path(location) if location is not None else None,
        passphrase=passphrase,
        recovery_key=recovery_key,
        operator=operator,
    )


def laptop_vault(store: CaseStore, what: str) -> Vault:
    """``store`` as a laptop vault, or a plain refusal naming ``what`` cannot be done on a
    clinic store (the vault's own key file, folder and passphrase)."""
    if not isinstance(store, Vault):
        raise InvalidSetting(
            f"{what} is for a laptop vault; a clinic's shared store is open.",
            "For your own clinic passphrase use 'ncii-desk clinic passphrase'; clinic details "
            "are shown by 'ncii-desk clinic members' and 'ncii-desk clinic-server info'.",
        )
    return store


@dataclass
class CheckReport(IntegrityReport):
    """The vault's integrity report, plus the picture and video items that have no hashes
    (never matched until hashed; they do not make the check fail)."""

    unhashed: int = 0
    unhashed_hash_only: int = 0
    #: Ids of the cases with unhashed items stored in the vault (``matches CASE --rematch``).
    unhashed_cases: list[str] = field(default_factory=list)

    def as_dict(self) -> dict[str, Any]:
        return super().as_dict() | {
            "unhashed": self.unhashed,
            "unhashed_hash_only": self.unhashed_hash_only,
            "unhashed_cases": self.unhashed_cases,
        }


def _count_unhashed(vault: CaseStore, report: IntegrityReport) -> CheckReport:
    from sqlalchemy import select

    from ncii_desk.services.unhashed import unhashed_items
    from ncii_desk.vault.models import Case

    out = CheckReport(**{f.name: getattr(report, f.name) for f in fields(report)})
    with vault.session() as s:
        for case_id in s.scalars(select(Case.id).order_by(Case.created_at)):
            missing = unhashed_items(s, case_id)
            out.unhashed += len(missing.stored)
            out.unhashed_hash_only += len(missing.hash_only)
            if missing.stored:
                out.unhashed_cases.append(case_id)
    return out


def check_vault(
    root: Path | str | None,
    *,
    passphrase: str | None = None,
    recovery_key: str | None = None,
    operator: str | None = None,
    job: Job | None = None,
    member: str | None = None,
    blobs_dir: Path | None = None,
) -> IntegrityReport:
    """Full integrity sweep. A vault too damaged to open gives a report, not an exception.
    A clinic store (``root`` a postgresql:// address) is opened as ``member`` and checked
    with its own sweep (every blob, the audit chain against the head row)."""
    if isinstance(root, str):
        store = open_store(
            root,
            member=member,
            passphrase=passphrase,
            recovery_key=recovery_key,
            blobs_dir=blobs_dir,
        )
        try:
            report = store.check(
                job.progress if job else None, (lambda: job.cancelled) if job else None
            )
            if report.ok:
                report = _count_unhashed(store, report)
            with store.transaction() as s:
                store.audit(
                    s, "vault.checked", details={"ok": report.ok, "problems": len(report.problems)}
                )
            return report
        finally:
            store.close()
    try:
        vault = Vault.open(
            root or default_vault_dir(),
            passphrase=passphrase,
            recovery_key=recovery_key,
            actor=operator or default_operator(),
        )
    except VaultCorrupt as exc:
        return IntegrityReport(problems=[Problem(exc.file, exc.entry, exc.message)])
    try:
        report = vault.check(
            job.progress if job else None, (lambda: job.cancelled) if job else None
        )
        if any(p.file == DB_NAME for p in report.problems):
            return report  # nothing is written to a damaged database
        if report.ok:
            report = _count_unhashed(vault, report)
        with vault.transaction() as s:
            vault.audit(
                s, "vault.checked", details={"ok": report.ok, "problems": len(report.problems)}
            )
        return report
    finally:
        vault.close()


def change_passphrase(
    vault: Vault,
    new_passphrase: str,
    *,
    current: str | None = None,
    kdf: KdfParams | None = None,
) -> int:
    """Re-wrap the vault's key under a new passphrase (audited as
    ``vault.passphrase_changed``); the recovery key keeps working. With ``current`` the
    present passphrase is checked first (Settings asks for it; after a recovery-key unlock
    it is not known and not asked). Returns the header's new generation."""
    keys.check_passphrase_strength(new_passphrase)
    if current is not None:
        try:
            vault.header.unwrap_with_passphrase(current)
        except WrongPassphrase:
            raise WrongPassphrase(
                "The current passphrase is not right, so the passphrase was not changed.",
                "Type the passphrase you unlocked the vault with (check Caps Lock).",
            ) from None
    vault.change_passphrase(new_passphrase, kdf)
    return vault.header.generation


def change_store_passphrase(
    store: CaseStore, new_passphrase: str, *, current: str | None = None
) -> int:
    """A new passphrase for what is open: a laptop vault's passphrase, or, on a clinic
    store, the passphrase of the member who opened it. Returns the new generation."""
    if isinstance(store, Vault):
        return change_passphrase(store, new_passphrase, current=current)
    from ncii_desk.services.clinic import change_member_passphrase

    return change_member_passphrase(store, new_passphrase, current=current)


def verify_audit(vault: CaseStore) -> ChainReport:
    return vault.verify_audit()


def recent_events(vault: CaseStore, limit: int) -> list[dict[str, Any]]:
    """The newest ``limit`` audit events, oldest first, as plain records (``audit log``)."""
    from sqlalchemy import select

    from ncii_desk.services.views import event_view
    from ncii_desk.vault.models import AuditEvent

    with vault.session() as s:
        rows = list(s.scalars(select(AuditEvent).order_by(AuditEvent.seq.desc()).limit(limit)))
        return [event_view(e) for e in reversed(rows)]


def vault_exists(root: Path) -> bool:
    """Whether ``root`` holds a vault (its header or the header's backup copy)."""
    from ncii_desk.vault import is_vault

    return is_vault(root)


def tune_key_derivation(target_seconds: float = DEFAULT_TARGET_SECONDS) -> KdfParams:
    """Argon2id parameters for this computer: about ``target_seconds`` per unlock (one
    second by default), never below the floor the vault requires."""
    return tune_kdf(target_seconds=target_seconds)
