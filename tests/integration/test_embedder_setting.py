"""The vault's face embedder setting (Settings → Analysis) is honoured by analysis; the
``--embedder`` option and NCII_DESK_FACE_EMBEDDER still override it."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from modelkit import FACES_DIR, require_models

from conftest import PASSPHRASE, fast_kdf
from ncii_desk.errors import InvalidSetting
from ncii_desk.services import cases, intake
from ncii_desk.services import settings as svc
from ncii_desk.services.analysis import analyze_case
from ncii_desk.vault import Vault
from ncii_desk.vault.models import Role, Setting
from ncii_desk.vault.store import CaseStore
from ncii_desk.vision import faces as F

require_models(F.YUNET_FILE, F.MOBILEFACENET_FILE, "face_api_dlib_resnet/" + F.DLIB_FILE, "mesonet")

DLIB, MFN = "dlib-resnet-128", "mobilefacenet-128"


@pytest.fixture(autouse=True)
def _no_process_choice(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv(F.EMBEDDER_ENV, raising=False)
    F.use_embedder(None)


def _case(vault: Vault) -> str:
    case = cases.new_case(vault, "Embedder")
    ref = intake.add_items(vault, case.id, Role.REFERENCE, [FACES_DIR / "chirac1.jpg"])
    sus = intake.add_items(vault, case.id, Role.SUSPECT, [FACES_DIR / "chirac2.jpg"])
    assert not ref.errors and not sus.errors
    return case.id


def test_the_choices_are_the_embedders_there_are() -> None:
    assert svc.EMBEDDER_CHOICES == F.EMBEDDERS and svc.EMBEDDER_CHOICES[0] == F.DEFAULT_EMBEDDER


def test_analysis_uses_the_vaults_embedder_unless_overridden(
    store: CaseStore, monkeypatch: pytest.MonkeyPatch
) -> None:
    case_id = _case(store)
    report = analyze_case(store, case_id, classifiers=[])
    assert report.gallery["embedder"] == DLIB and report.gallery["faces"] == 1
    assert svc.embedder_choice(store).source == "default"

    assert svc.set_embedder(store, MFN) == MFN
    choice = svc.embedder_choice(store)
    assert (choice.name, choice.source, choice.stored) == (MFN, "vault setting", MFN)
    report = analyze_case(store, case_id, classifiers=[])
    # the single-face reference photo was picked again with MobileFaceNet, and matched with it
    assert report.gallery["embedder"] == MFN and report.gallery["faces"] == 1
    (item,) = report.items
    assert item.faces is not None and item.faces["frames_matching"] == 1
    assert F.chosen_embedder() is None  # the vault's choice does not leak into the process

    monkeypatch.setenv(F.EMBEDDER_ENV, DLIB)  # the environment wins over the vault
    assert svc.embedder_choice(store).source == "environment"
    assert analyze_case(store, case_id, classifiers=[]).gallery["embedder"] == DLIB

    monkeypatch.setenv(F.EMBEDDER_ENV, MFN)
    F.use_embedder(DLIB)  # what --embedder does: wins over both
    try:
        assert svc.embedder_choice(store).source == "command line"
        assert analyze_case(store, case_id, classifiers=[]).gallery["embedder"] == DLIB
    finally:
        F.use_embedder(None)

    assert svc.set_embedder(store, None) is None
    monkeypatch.delenv(F.EMBEDDER_ENV)
    assert svc.embedder_choice(store).name == DLIB


def test_a_bad_embedder_name_is_refused_and_a_bad_stored_one_ignored(store: CaseStore) -> None:
    with pytest.raises(InvalidSetting, match="not a face embedder") as info:
        svc.set_embedder(store, "arcface")
    assert MFN in (info.value.hint or "")
    with store.transaction() as s:
        s.add(Setting(key=svc.FACES_KEY, value={"embedder": "arcface"}))
    assert svc.stored_embedder(store) is None
    assert svc.embedder_choice(store).name == DLIB


def test_analyze_embedder_option_overrides_the_vault(
    cli: Any, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    vault_dir = tmp_path / "vault"
    vault, _ = Vault.create(vault_dir, PASSPHRASE, kdf=fast_kdf(), actor="advocate")
    try:
        _case(vault)
        svc.set_embedder(vault, MFN)
    finally:
        vault.close()
    monkeypatch.setenv("NCII_DESK_PASSPHRASE", PASSPHRASE)
    monkeypatch.setenv("NCII_DESK_VAULT", str(vault_dir))
    plain = cli("analyze", "Embedder", "--json", "--classifier", "none-such")
    assert plain.rc != 0  # an unknown classifier is an error, not silently skipped
    stored = cli("analyze", "Embedder", "--json")
    assert stored.rc == 0, stored.err
    assert stored.json()["gallery"]["embedder"] == MFN
    chosen = cli("analyze", "Embedder", "--json", "--embedder", DLIB)
    assert chosen.rc == 0, chosen.err
    assert chosen.json()["gallery"]["embedder"] == DLIB
    assert F.chosen_embedder() is None
