"""Shared fixtures: isolated user folders, a fast (but still >= 64 MiB) KDF, open vaults."""

from __future__ import annotations

import os
import secrets
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from ncii_desk.vault import KdfParams, Vault

# GUI tests run on Qt's offscreen platform unless a display is asked for explicitly.
os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

# Shared fixtures from helper modules: server/tls_server/web (capture_server), cli (clikit),
# the desktop app's window (guikit, in tests/gui: put on the import path here, so the plugin
# loads in any run, the whole suite from the repository root included).
_GUI_TESTS = str(Path(__file__).resolve().parent / "gui")
if _GUI_TESTS not in sys.path:
    sys.path.insert(0, _GUI_TESTS)
pytest_plugins = ["capture_server", "clikit", "guikit"]

PASSPHRASE = "correct horse battery staple"
SHARED = Path(__file__).resolve().parents[2] / "shared"


def fast_kdf() -> KdfParams:
    """The minimum the vault accepts (64 MiB, one pass): quick, and still the real Argon2id."""
    return KdfParams(memory_kib=64 * 1024, time_cost=1, parallelism=2, salt=secrets.token_bytes(16))


@pytest.fixture(autouse=True)
def isolated_user_dirs(
    tmp_path_factory: pytest.TempPathFactory, monkeypatch: pytest.MonkeyPatch
) -> Path:
    """Point HOME, XDG dirs and TMPDIR at a per-test folder so scans see every file we write."""
    base = tmp_path_factory.mktemp("userdirs")
    for var, sub in (
        ("HOME", "home"),
        ("XDG_DATA_HOME", "data"),
        ("XDG_CACHE_HOME", "cache"),
        ("XDG_STATE_HOME", "state"),
        ("XDG_CONFIG_HOME", "config"),
        ("TMPDIR", "tmp"),
    ):
        (base / sub).mkdir()
        monkeypatch.setenv(var, str(base / sub))
    import tempfile

    monkeypatch.setattr(tempfile, "tempdir", str(base / "tmp"))
    # Every test web server runs on 127.0.0.1, which captures refuse by default (SSRF
    # policy); tests of that policy turn the default back off (test_capture_policy.py).
    from ncii_desk.services import settings

    monkeypatch.setattr(settings, "ALLOW_PRIVATE_DEFAULT", True)
    monkeypatch.delenv("NCII_DESK_VAULT", raising=False)
    monkeypatch.delenv("NCII_DESK_PASSPHRASE", raising=False)
    return base


@pytest.fixture(autouse=True)
def test_kdf_floor(monkeypatch: pytest.MonkeyPatch) -> None:
    """Tests may tune and create vaults at the hard minimum (64 MiB, one pass) for speed.

    The product's floor (``keys.PRODUCT_FLOOR``) cannot be lowered by any setting, option or
    variable; only this in-process patch does it. Tests of the floor itself use
    ``product_kdf_floor``.
    """
    from ncii_desk.vault import keys

    monkeypatch.setattr(keys, "TUNING_FLOOR", keys.KdfFloor(keys.MIN_MEMORY_KIB, 1))


@pytest.fixture
def product_kdf_floor(monkeypatch: pytest.MonkeyPatch) -> None:
    """The real floor that creation, tuning and passphrase changes use in the product."""
    from ncii_desk.vault import keys

    monkeypatch.setattr(keys, "TUNING_FLOOR", keys.PRODUCT_FLOOR)


@pytest.fixture
def vault_dir(tmp_path: Path) -> Path:
    return tmp_path / "vault"


@pytest.fixture
def new_vault(vault_dir: Path) -> Iterator[tuple[Vault, str]]:
    """A freshly created, open vault and its recovery key text."""
    vault, recovery = Vault.create(vault_dir, PASSPHRASE, kdf=fast_kdf(), actor="test-advocate")
    try:
        yield vault, recovery
    finally:
        vault.close()


@pytest.fixture
def vault(new_vault: tuple[Vault, str]) -> Vault:
    return new_vault[0]


@pytest.fixture
def cli_vault(vault_dir: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A fresh, closed vault that CLI runs open through NCII_DESK_VAULT and
    NCII_DESK_PASSPHRASE."""
    Vault.create(vault_dir, PASSPHRASE, kdf=fast_kdf(), actor="test-advocate")[0].close()
    monkeypatch.setenv("NCII_DESK_VAULT", str(vault_dir))
    monkeypatch.setenv("NCII_DESK_PASSPHRASE", PASSPHRASE)
    return vault_dir


# --- storage backends ---------------------------------------------------------------------
# The same service tests run on a laptop vault (SQLCipher) and on a clinic store (a real
# PostgreSQL server started once per session by tests/clinic/pgkit.py): take the `store`
# fixture instead of `vault` and a test runs on both. PostgreSQL is skipped, with the reason,
# only where no server binaries are installed; NCII_DESK_REQUIRE_POSTGRES=1 (.ci/run) makes
# that a failure.

_CLINIC_TESTS = str(Path(__file__).resolve().parent / "clinic")
if _CLINIC_TESTS not in sys.path:
    sys.path.insert(0, _CLINIC_TESTS)


@pytest.fixture(scope="session")
def pg_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Any]:
    """A real PostgreSQL server on 127.0.0.1 for the whole test session."""
    import pgkit

    bin_dir = pgkit.find_bin_dir()
    if bin_dir is None:
        reason = (
            "no PostgreSQL server binaries (initdb, pg_ctl) on PATH or in "
            "/usr/lib/postgresql/*/bin; install the postgresql package"
        )
        if pgkit.required():
            pytest.fail(f"NCII_DESK_REQUIRE_POSTGRES=1 but {reason}")
        pytest.skip(reason)
    base = pgkit.server_base(tmp_path_factory.mktemp("pgserver"))
    server = pgkit.PgServer.start(base, bin_dir)
    try:
        yield server
    finally:
        server.stop(remove=True)


@pytest.fixture
def clinic_url(pg_server: Any) -> str:
    """The address of a new, empty database on the session's server."""
    return str(pg_server.create_database("t" + secrets.token_hex(6)))


@pytest.fixture
def clinic_store(clinic_url: str, tmp_path: Path) -> Iterator[Any]:
    """An open clinic store (schema, clinic record, blob folder), made by
    ``clinic-server init`` with a first member, and opened by that member
    (``store.member``, ``store.member_id``; passphrase :data:`PASSPHRASE`; actor
    "test-advocate" as the ``vault`` fixture's). The member's
    recovery key is ``store.test_recovery_key``. tests/clinic/memberkit.py adds more members."""
    from ncii_desk.clinic.store import ClinicStore
    from ncii_desk.services.clinic import init_clinic_with_member

    made = init_clinic_with_member(
        clinic_url,
        tmp_path / "clinic-blobs",
        "Test Clinic",
        "First Member",
        PASSPHRASE,
        kdf=fast_kdf(),
    )
    # actor as for the `vault` fixture, so a service test reads the same on both backends
    # (the product's default actor on a clinic store is the member id: no name on the server)
    store = ClinicStore.open_member(
        clinic_url, made["member_id"], passphrase=PASSPHRASE, actor="test-advocate"
    )
    store.test_recovery_key = made["recovery_key"]  # type: ignore[attr-defined]
    try:
        yield store
    finally:
        store.close()


@pytest.fixture(params=["sqlcipher", "postgresql"])
def store(request: pytest.FixtureRequest) -> Any:
    """A case store of each backend in turn: a laptop vault, then a clinic store.

    On the clinic store the rule "letters need a supervising attorney's sign-off before they
    are sent" is turned off (by the clinic's tools, with the raw clinic key), so a service
    test sends letters the same way on both backends; the rule itself is tested in
    tests/integration/test_signoff.py and tests/clinic/test_case_roles.py."""
    if request.param == "sqlcipher":
        return request.getfixturevalue("vault")
    from ncii_desk.clinic.store import ClinicStore
    from ncii_desk.services.signoff import set_sign_off_required

    clinic = request.getfixturevalue("clinic_store")
    tools = ClinicStore.open(clinic.url, clinic._data_key, sealed=False, actor="clinic-tools")
    try:
        set_sign_off_required(tools, False)
    finally:
        tools.close()
    return clinic


@pytest.fixture(autouse=True)
def in_process_runs_keep_core_limit(monkeypatch: pytest.MonkeyPatch) -> None:
    """Commands run in-process (the ``cli`` fixture, the GUI's main()) do not harden the
    pytest process itself: a core-size hard limit of 0 cannot be raised again, and the tests
    that start fresh processes (tests/integration/test_hardening.py) need a parent that still
    allows core files, to show that each of our processes turns them off on its own."""
    import ncii_desk.hardening as hardening

    monkeypatch.setattr(hardening, "_zero_core_limit", lambda notes: False)
    monkeypatch.setattr(hardening, "_not_dumpable", lambda notes: False)
