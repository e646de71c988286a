"""Keeping keys and plaintext from reaching disk by accident: no core dumps, owner-only files.

Imports nothing of ours and no Qt, so every entry point (CLI, GUI, ``python -m ncii_desk``, the
hashing workers) can call :func:`harden_process` before anything secret is in memory, and every
layer can create its files through :func:`create_private_file` / :func:`make_private_dir`.

Core dumps (a crash would otherwise write the passphrase, the data key and decrypted evidence
into a core file):

* Linux and macOS: ``RLIMIT_CORE`` soft and hard limit 0. The hard limit cannot be raised again
  by an unprivileged process, and children (workers, anything started from us) inherit it.
* Linux: ``prctl(PR_SET_DUMPABLE, 0)`` as well: no core even where a system core handler
  (``core_pattern`` with a pipe, e.g. systemd-coredump or apport) ignores the limit, and no
  ptrace attach or ``/proc/<pid>/mem`` read by other processes of the same user. ``execve``
  resets the flag, so each worker process sets it again itself.
* Windows: Windows Error Reporting is told not to show its dialog or collect heap memory
  (``SetErrorMode(SEM_NOGPFAULTERRORBOX)``, ``WerSetFlags(WER_FAULT_REPORTING_FLAG_NOHEAP)``),
  and the packaged executables (``ncii-desk.exe``, ``ncii-desk-gui.exe``, never python.exe)
  are excluded from WER for the current user (``WerAddExcludedApplication``). A "LocalDumps"
  policy an administrator sets for all programs is outside a process's control.

Files (POSIX): everything we create that can hold case data or keys is 0600 and every folder
we create for it 0700, set with ``os.open(..., 0o600)`` + ``fchmod`` / ``mkdir`` + ``chmod``, so
the umask cannot loosen it. Folders that already existed (the user's own export folder) keep
their mode. On Windows the folders we create get an owner-only ACL with inheritance
(``icacls /inheritance:r /grant:r USER:(OI)(CI)F``), and the files created in them inherit it;
a file written into a folder the user chose inherits that folder's ACL.

Python's faulthandler, when a user turns it on (``PYTHONFAULTHANDLER``), prints only a stack
of function names and source lines, never memory contents; it is left as it is.
"""

from __future__ import annotations

import contextlib
import ctypes
import ctypes.util
import os
import stat
import subprocess
import sys
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import BinaryIO

#: Mode of every file we create that can hold case data or keys (POSIX).
PRIVATE_FILE_MODE = 0o600
#: Mode of every folder we create for case data (POSIX).
PRIVATE_DIR_MODE = 0o700
#: Set before onnxruntime is first imported: its 1DS telemetry otherwise writes a device id
#: and an event queue under ~/.cache/Microsoft/DeveloperTools/.onnxruntime on import.
ORT_TELEMETRY_ENV = "ORT_DISABLE_TELEMETRY"

_PR_SET_DUMPABLE = 4
_PR_GET_DUMPABLE = 3
_WINDOWS_EXE_NAMES = ("ncii-desk", "ncii-desk-gui")


@dataclass
class ProcessHardening:
    """What :func:`harden_process` managed to set in this process."""

    core_limit_zero: bool = False
    not_dumpable: bool = False
    windows_error_reporting: bool = False
    telemetry_off: bool = False
    notes: list[str] = field(default_factory=list)


def harden_process() -> ProcessHardening:
    """Turn off core dumps (and onnxruntime telemetry) for this process; safe on every OS.

    Idempotent and cheap; call it first thing in every entry point and worker initialiser.
    """
    state = ProcessHardening()
    os.environ[ORT_TELEMETRY_ENV] = "1"
    state.telemetry_off = True
    if sys.platform != "win32":
        state.core_limit_zero = _zero_core_limit(state.notes)
    if sys.platform.startswith("linux"):
        state.not_dumpable = _not_dumpable(state.notes)
    if sys.platform == "win32":
        state.windows_error_reporting = _windows_no_dumps(state.notes)
    return state


def _zero_core_limit(notes: list[str]) -> bool:
    if sys.platform == "win32":
        return False
    import resource

    try:
        resource.setrlimit(resource.RLIMIT_CORE, (0, 0))
    except (ValueError, OSError) as exc:  # pragma: no cover - not seen on Linux or macOS
        notes.append(f"core size limit not set: {exc}")
        return False
    return resource.getrlimit(resource.RLIMIT_CORE) == (0, 0)


_libc_handle: ctypes.CDLL | None = None


def _libc() -> ctypes.CDLL | None:
    """The C library (Linux). glibc and musl both answer to these names; ``find_library``
    (which runs ldconfig) only as the last resort."""
    global _libc_handle
    if _libc_handle is not None:
        return _libc_handle
    for name in ("libc.so.6", "libc.so", ctypes.util.find_library("c")):
        if not name:
            continue
        try:
            _libc_handle = ctypes.CDLL(name, use_errno=True)
        except OSError:
            continue
        return _libc_handle
    return None


def _not_dumpable(notes: list[str]) -> bool:
    libc = _libc()
    if libc is None:  # pragma: no cover - every Linux has a C library
        notes.append("C library not found: process stays dumpable")
        return False
    prctl = libc.prctl
    prctl.argtypes = [ctypes.c_int, ctypes.c_ulong, ctypes.c_ulong, ctypes.c_ulong, ctypes.c_ulong]
    prctl.restype = ctypes.c_int
    if prctl(_PR_SET_DUMPABLE, 0, 0, 0, 0) != 0:  # pragma: no cover - cannot fail for 0
        notes.append(f"prctl(PR_SET_DUMPABLE) failed: errno {ctypes.get_errno()}")
        return False
    return bool(prctl(_PR_GET_DUMPABLE, 0, 0, 0, 0) == 0)


def _windows_no_dumps(notes: list[str]) -> bool:  # pragma: no cover - Windows only
    if sys.platform == "win32":
        sem_failcriticalerrors, sem_nogpfaulterrorbox = 0x0001, 0x0002
        wer_fault_reporting_flag_noheap = 0x0001
        try:
            kernel32 = ctypes.WinDLL("kernel32", use_last_error=True)
            kernel32.SetErrorMode(
                kernel32.GetErrorMode() | sem_failcriticalerrors | sem_nogpfaulterrorbox
            )
            done = kernel32.WerSetFlags(wer_fault_reporting_flag_noheap) == 0  # S_OK
        except (OSError, AttributeError) as exc:
            notes.append(f"Windows Error Reporting settings not changed: {exc}")
            return False
        if not done:
            notes.append("WerSetFlags failed")
        exe = os.path.basename(sys.executable)
        frozen = getattr(sys, "frozen", False)
        if frozen and os.path.splitext(exe)[0].lower() in _WINDOWS_EXE_NAMES:
            try:
                wer = ctypes.WinDLL("wer")
                if wer.WerAddExcludedApplication(ctypes.c_wchar_p(exe), False) != 0:
                    notes.append("WerAddExcludedApplication failed")
            except (OSError, AttributeError) as exc:
                notes.append(f"not excluded from Windows Error Reporting: {exc}")
        return bool(done)
    return False


def dumpable_flag() -> int | None:
    """``prctl(PR_GET_DUMPABLE)`` of this process (Linux), else None."""
    if not sys.platform.startswith("linux"):
        return None
    libc = _libc()
    if libc is None:  # pragma: no cover
        return None
    return int(libc.prctl(_PR_GET_DUMPABLE, 0, 0, 0, 0))


# --- owner-only files ------------------------------------------------------------------------


def make_private_dir(path: Path, *, parents: bool = False) -> Path:
    """Create ``path`` (and, with ``parents``, missing parents) as owner-only folders.

    Folders that already exist are left as they are (a user's own export folder keeps its
    mode); only the folders created here get 0700, whatever the umask.
    """
    missing: list[Path] = []
    probe = path
    while not probe.exists():
        missing.append(probe)
        if not parents or probe.parent == probe:
            break
        probe = probe.parent
    for folder in reversed(missing):
        try:
            folder.mkdir(mode=PRIVATE_DIR_MODE)
        except FileExistsError:
            if not folder.is_dir():
                raise
            continue
        restrict(folder)
    if not missing and not path.is_dir():
        raise FileExistsError(f"{path} exists and is not a folder")
    return path


def restrict(path: Path) -> None:
    """Owner-only access to an existing file or folder (0600/0700 on POSIX; an owner-only ACL
    on Windows where ``icacls`` is available)."""
    if os.name == "nt":  # pragma: no cover - Windows only
        _windows_owner_only(path)
        return
    mode = PRIVATE_DIR_MODE if path.is_dir() else PRIVATE_FILE_MODE
    os.chmod(path, mode)


def _windows_owner_only(path: Path) -> None:  # pragma: no cover - Windows only
    """Remove inherited access and grant the current user alone full control.

    Folders pass it on to the files created in them, so one call per folder we create
    covers everything written into it later. Failure leaves the default ACL of the user's
    profile (the user and administrators); nothing else depends on it.
    """
    user = os.environ.get("USERNAME")
    if not user:
        return
    grant = f"{user}:(OI)(CI)F" if path.is_dir() else f"{user}:F"
    with contextlib.suppress(OSError, subprocess.SubprocessError):
        subprocess.run(
            ["icacls", str(path), "/inheritance:r", "/grant:r", grant],
            check=False,
            capture_output=True,
            timeout=30,
            creationflags=getattr(subprocess, "CREATE_NO_WINDOW", 0),
        )


def create_private_file(path: Path, *, exclusive: bool = True) -> BinaryIO:
    """Open a new file for writing with mode 0600 whatever the umask (POSIX).

    ``exclusive`` refuses a file that exists (O_EXCL); otherwise an existing file is
    truncated and its mode tightened too.
    """
    flags = os.O_WRONLY | os.O_CREAT | (os.O_EXCL if exclusive else os.O_TRUNC)
    flags |= getattr(os, "O_BINARY", 0)
    fd = os.open(path, flags, PRIVATE_FILE_MODE)
    try:
        # Windows: the file inherits its folder's ACL (owner-only for the folders made by
        # make_private_dir); one icacls run per file would cost too much for blobs.
        if os.name != "nt":
            os.fchmod(fd, PRIVATE_FILE_MODE)
        return os.fdopen(fd, "wb")
    except BaseException:
        os.close(fd)
        raise


def write_private_bytes(path: Path, data: bytes, *, exclusive: bool = True) -> None:
    with create_private_file(path, exclusive=exclusive) as fh:
        fh.write(data)


def is_loose(mode: int) -> bool:
    """True when group or others have any access (POSIX mode bits)."""
    return bool(stat.S_IMODE(mode) & 0o077)


def tighten_tree(root: Path) -> list[str]:
    """Make ``root`` and everything under it owner-only (POSIX); returns the relative names
    (``.`` for ``root``) whose mode was looser. Symbolic links are not followed."""
    if os.name == "nt":  # pragma: no cover - Windows: ACLs are set at creation only
        return []
    changed: list[str] = []

    def fix(path: str, mode: int, name: str) -> None:
        if is_loose(mode):
            # Not ours to change (another owner, a FAT drive): left, tried on the next open.
            with contextlib.suppress(OSError):
                os.chmod(path, stat.S_IMODE(mode) & 0o700)
                changed.append(name)

    def visit(folder: str, prefix: str) -> None:
        try:
            entries = sorted(os.scandir(folder), key=lambda e: e.name)
        except OSError:
            return
        for entry in entries:
            try:
                mode = entry.stat(follow_symlinks=False).st_mode
            except OSError:  # removed meanwhile (a -wal file, a temp file)
                continue
            if stat.S_ISLNK(mode):
                continue
            name = prefix + entry.name
            fix(entry.path, mode, name)
            if stat.S_ISDIR(mode):
                visit(entry.path, name + "/")

    fix(str(root), root.lstat().st_mode, ".")
    visit(str(root), "")
    return changed


def walk_modes(root: Path) -> Iterator[tuple[Path, int]]:
    """Every path under ``root`` (itself included) with its permission bits, links not
    followed; for checks and tests."""
    yield root, stat.S_IMODE(root.lstat().st_mode)
    for dirpath, dirnames, filenames in os.walk(root):
        for name in dirnames + filenames:
            p = Path(dirpath) / name
            yield p, stat.S_IMODE(p.lstat().st_mode)


def core_state() -> dict[str, object]:
    """This process's core-dump settings: ``core_limit`` (soft, hard; None on Windows) and
    ``dumpable`` (Linux prctl flag, else None). Picklable, so a worker pool can run it."""
    limit: tuple[int, int] | None = None
    if sys.platform != "win32":
        import resource

        limit = resource.getrlimit(resource.RLIMIT_CORE)
    return {"core_limit": limit, "dumpable": dumpable_flag()}
