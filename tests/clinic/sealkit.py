"""Clinic stores opened by members, for the sealing and case-membership tests.

Until the clinic-level member flow (``ClinicStore.open_member``) is merged, a test opens the
store with the raw clinic data key and attaches a member made here, after writing the
member's key record into ``clinic_members`` as an admitted member would have it."""

from __future__ import annotations

import secrets
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from conftest import PASSPHRASE, fast_kdf
from ncii_desk.clinic.store import ClinicStore, init_clinic
from ncii_desk.vault import members as m
from ncii_desk.vault.models import ClinicMember


@dataclass
class Clinic:
    url: str
    blobs: Path
    data_key: bytes
    clinic_id: str
    people: dict[str, m.NewMember] = field(default_factory=dict)
    open_stores: list[ClinicStore] = field(default_factory=list)

    def person(self, name: str, *, admitted: bool = True) -> m.NewMember:
        """A clinic member's identity (made once per name), registered in clinic_members."""
        if name not in self.people:
            new = m.create_member(self.clinic_id, PASSPHRASE, kdf=fast_kdf())
            self.people[name] = new
            raw = ClinicStore.open(self.url, self.data_key, sealed=False)
            with raw, raw.transaction() as s:
                s.add(
                    ClinicMember(
                        member_id=new.keys.member_id,
                        key_record=new.record.to_text(),
                        clinic_key_wrap="wrapped-by-the-clinic-flow" if admitted else None,
                    )
                )
        return self.people[name]

    def open_as(self, name: str) -> ClinicStore:
        """A separate client (own engine and caches) opened by ``name``."""
        store = ClinicStore.open(self.url, self.data_key, actor=name)
        store.member = self.person(name).keys
        store.member_id = store.member.member_id
        self.open_stores.append(store)
        return store

    def raw(self) -> Any:
        """The database as its administrator sees it (no key at all)."""
        from sqlalchemy import create_engine

        from ncii_desk.clinic.store import engine_url

        return create_engine(engine_url(self.url))

    def close(self) -> None:
        for store in self.open_stores:
            store.close()


def make_clinic(url: str, tmp_path: Path) -> Clinic:
    record = init_clinic(url, tmp_path / "clinic-blobs", "Test Clinic")
    return Clinic(url, tmp_path / "clinic-blobs", secrets.token_bytes(32), record.clinic_id)
