"""A real, throw-away PostgreSQL server for the clinic tests (never a mock).

``PgServer.start(base)`` finds the server binaries (PATH, then /usr/lib/postgresql/*/bin),
runs ``initdb`` into ``base/data``, and starts ``postgres`` listening on 127.0.0.1 at a free
port with its socket in ``base`` (nothing is written outside ``base``). PostgreSQL refuses
to run as root, so when this process is root the server runs as the ``postgres`` user
(``runuser``, or ``su`` where runuser is missing) and ``base`` is handed to that user; the
server user must be able to reach ``base``, so :func:`server_base` picks a folder directly
in the system's temporary folder then (pytest's own temporary root is private to root, and
every pytest run on the machine makes it private again).
"""

from __future__ import annotations

import contextlib
import os
import pwd
import shutil
import socket
import subprocess
import time
from dataclasses import dataclass
from pathlib import Path

_REQUIRE_ENV = "NCII_DESK_REQUIRE_POSTGRES"


def find_bin_dir() -> Path | None:
    """The folder holding initdb, pg_ctl and postgres, or None when none is installed."""
    found = shutil.which("pg_ctl")
    if found is not None and (Path(found).parent / "initdb").exists():
        return Path(found).resolve().parent
    candidates = sorted(
        Path("/usr/lib/postgresql").glob("*/bin"),
        key=lambda p: int(p.parent.name) if p.parent.name.isdigit() else 0,
        reverse=True,
    )
    for bin_dir in candidates:
        if (bin_dir / "pg_ctl").exists() and (bin_dir / "initdb").exists():
            return bin_dir
    return None


def required() -> bool:
    """Whether a missing server is a failure (CI sets NCII_DESK_REQUIRE_POSTGRES=1)."""
    return os.environ.get(_REQUIRE_ENV, "") == "1"


def server_base(fallback: Path) -> Path:
    """A new empty folder for the server: under /tmp when running as root (see above),
    else ``fallback`` (the caller's own temporary folder)."""
    if os.geteuid() == 0:
        import tempfile

        return Path(tempfile.mkdtemp(prefix="ncii-desk-pg-", dir="/tmp"))
    return fallback


def _free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _as_server_user(argv: list[str]) -> list[str]:
    if os.geteuid() != 0:
        return argv
    if shutil.which("runuser"):
        return ["runuser", "-u", "postgres", "--", *argv]
    return ["su", "postgres", "-s", "/bin/sh", "-c", " ".join(f"'{a}'" for a in argv)]


def _run(argv: list[str], env: dict[str, str]) -> None:
    done = subprocess.run(argv, capture_output=True, text=True, env=env, check=False)
    if done.returncode != 0:
        raise RuntimeError(
            f"{argv[-1] if argv[-1] == 'start' else 'initdb'} failed ({done.returncode}): "
            f"{done.stdout[-1500:]}{done.stderr[-1500:]}"
        )


@dataclass
class PgServer:
    base: Path
    bin_dir: Path
    port: int
    user: str = "ncii"

    @property
    def data_dir(self) -> Path:
        return self.base / "data"

    def url(self, database: str = "postgres") -> str:
        """A SQLAlchemy URL for ``database`` over psycopg 3 (TCP on 127.0.0.1)."""
        return f"postgresql+psycopg://{self.user}@127.0.0.1:{self.port}/{database}"

    @classmethod
    def start(cls, base: Path, bin_dir: Path) -> PgServer:
        base.mkdir(parents=True, exist_ok=True)
        server = cls(base, bin_dir, _free_port())
        if os.geteuid() == 0:
            entry = pwd.getpwnam("postgres")
            os.chown(base, entry.pw_uid, entry.pw_gid)
        env = {**os.environ, "LC_ALL": "C", "TZ": "UTC"}
        _run(
            _as_server_user(
                [
                    str(bin_dir / "initdb"),
                    "-D",
                    str(server.data_dir),
                    "-U",
                    server.user,
                    "--auth=trust",
                    "--encoding=UTF8",
                    "--no-sync",
                ]
            ),
            env,
        )
        options = (
            f"-c listen_addresses=127.0.0.1 -p {server.port} "
            f"-c unix_socket_directories={base} -c fsync=off -c max_connections=60"
        )
        _run(
            _as_server_user(
                [
                    str(bin_dir / "pg_ctl"),
                    "-D",
                    str(server.data_dir),
                    "-l",
                    str(base / "server.log"),
                    "-o",
                    options,
                    "-w",
                    "-t",
                    "60",
                    "start",
                ]
            ),
            env,
        )
        server._wait_ready()
        return server

    def _wait_ready(self) -> None:
        deadline = time.monotonic() + 60
        while True:
            with (
                contextlib.suppress(OSError),
                socket.create_connection(("127.0.0.1", self.port), timeout=1),
            ):
                return
            if time.monotonic() > deadline:
                log = (self.base / "server.log").read_text(errors="replace")[-2000:]
                raise RuntimeError(f"PostgreSQL did not start on port {self.port}:\n{log}")
            time.sleep(0.1)

    def create_database(self, name: str) -> str:
        """A fresh empty database; returns its SQLAlchemy URL."""
        import psycopg

        with psycopg.connect(
            host="127.0.0.1", port=self.port, user=self.user, dbname="postgres", autocommit=True
        ) as conn:
            conn.execute(f'CREATE DATABASE "{name}"')
        return self.url(name)

    def stop(self, *, remove: bool = False) -> None:
        subprocess.run(
            _as_server_user(
                [str(self.bin_dir / "pg_ctl"), "-D", str(self.data_dir), "-m", "immediate", "stop"]
            ),
            check=False,
            capture_output=True,
        )
        if remove:
            shutil.rmtree(self.base, ignore_errors=True)
