"""More members of a clinic store, for tests: join (pending), admit, open as that member.

``add_member(store)`` makes an admitted second member of the clinic ``store`` was opened on
(by the first member, from the ``clinic_store`` fixture) and returns a :class:`Member`;
``member.open()`` opens the store as them. The ``second_member`` fixture does both (import
it into a test module: ``from memberkit import second_member``).
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import pytest

from conftest import PASSPHRASE, fast_kdf
from ncii_desk.clinic import members
from ncii_desk.clinic.store import ClinicStore


@dataclass(frozen=True)
class Member:
    url: str
    member_id: str
    fingerprint: str
    recovery_key: str
    passphrase: str = PASSPHRASE

    def open(self, **kwargs: Any) -> ClinicStore:
        return ClinicStore.open_member(
            self.url, self.member_id, passphrase=self.passphrase, **kwargs
        )


def join(url: str, name: str = "Second Member", passphrase: str = PASSPHRASE) -> Member:
    """A member who joined and waits to be admitted."""
    new = members.enrol(url, passphrase, name, kdf=fast_kdf())
    return Member(
        url, new.keys.member_id, new.keys.public.fingerprint, new.recovery_key, passphrase
    )


def add_member(
    store: ClinicStore, name: str = "Second Member", passphrase: str = PASSPHRASE
) -> Member:
    """A member who joined and whom the member of ``store`` admitted."""
    member = join(store.url, name, passphrase)
    members.admit(store, member.member_id, member.fingerprint)
    return member


@pytest.fixture
def second_member(clinic_store: ClinicStore) -> Iterator[ClinicStore]:
    """The clinic store of ``clinic_store``, opened by a second admitted member."""
    store = add_member(clinic_store).open()
    try:
        yield store
    finally:
        store.close()
