"""Clinic details used on letters (name, contact, default signer), one Setting row
("clinic") set with ``set_clinic``; the clinic's time zone; the details a kind of request
requires.
"""

from __future__ import annotations

from datetime import tzinfo

from ncii_desk.errors import InvalidSetting
from ncii_desk.services.settings import request_settings_in
from ncii_desk.vault.models import Setting
from ncii_desk.vault.store import CaseStore

CLINIC_KEY = "clinic"
CLINIC_FIELDS = ("name", "signer", "email", "phone", "address", "authority")


def required_details(route: str, *, representative: bool) -> tuple[str, ...]:
    """The letter details a kind of request requires (the validators' element keys, less
    the web addresses, which come from the case), so a form can mark them before drafting.
    A platform may require more (its legal-name rule); drafting names that too."""
    from ncii_desk.documents import validators

    keys = [k for k in validators.REQUIRED.get(route, ()) if k != "location"]
    if route == "dmca":
        keys.insert(0, "copyright_owner")
    if representative and keys:
        keys.append("authority")
    return tuple(keys)


def get_clinic(vault: CaseStore) -> dict[str, str]:
    with vault.session() as s:
        row = s.get(Setting, CLINIC_KEY)
        stored = dict(row.value) if row is not None else {}
    return {k: str(stored.get(k, "")) for k in CLINIC_FIELDS}


def set_clinic(vault: CaseStore, **values: str | None) -> dict[str, str]:
    """Store the clinic's details shown on letters; only the fields given change."""
    unknown = set(values) - set(CLINIC_FIELDS)
    if unknown:
        raise InvalidSetting(f"Unknown clinic detail: {', '.join(sorted(unknown))}.")
    changed = {k: v.strip() for k, v in values.items() if v is not None}
    with vault.transaction() as s:
        row = s.get(Setting, CLINIC_KEY)
        if row is None:
            row = Setting(key=CLINIC_KEY, value={})
            s.add(row)
        row.value = {**row.value, **changed}
        vault.audit(s, "clinic.updated", None, {"fields": sorted(changed)})
    return get_clinic(vault)


def clinic_zone(vault: CaseStore) -> tzinfo:
    """The clinic's time zone (setting requests.time_zone, else the computer's own)."""
    with vault.session() as s:
        return request_settings_in(s).zone
