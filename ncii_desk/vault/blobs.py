"""Encrypted blob store: original evidence bytes, chunked AEAD in the style of age's STREAM.

File layout of ``blobs/ab/<id>``::

    header  = MAGIC(4) | version(1) | reserved(3) | chunk_size(4, BE) | salt(32) | prefix(7)
    chunk_i = AES-256-GCM(key, nonce = prefix | i (4, BE) | last(1), plaintext_i, aad)
    key     = HKDF(blob master key, salt, "ncii-desk/v1/blob/" + id)
    aad     = header | id

Every chunk but the last holds exactly ``chunk_size`` plaintext bytes; the last carries the
last-chunk flag, so truncation at a chunk boundary, extension, reordering and swapping blobs
all fail authentication. Readers release plaintext only after the final chunk authenticates.
"""

from __future__ import annotations

import contextlib
import ctypes
import hashlib
import itertools
import os
import secrets
import struct
import sys
import threading
from collections import deque
from collections.abc import Callable, Iterator
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path
from typing import BinaryIO, Protocol

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.ciphers.aead import AESGCM

from ncii_desk.errors import ExportError, VaultCorrupt
from ncii_desk.hardening import create_private_file, make_private_dir
from ncii_desk.vault.atomic import TEMP_PREFIX, fsync_dir
from ncii_desk.vault.keys import hkdf

MAGIC = b"NCDB"
FORMAT_VERSION = 1
TAG_BYTES = 16
PREFIX_BYTES = 7
SALT_BYTES = 32
HEADER_STRUCT = struct.Struct(">4sB3sI32s7s")
HEADER_BYTES = HEADER_STRUCT.size
DEFAULT_CHUNK_SIZE = 1024 * 1024
MIN_CHUNK_SIZE = 64 * 1024
MAX_CHUNK_SIZE = 1024 * 1024
BLOBS_DIR = "blobs"
IN_FLIGHT = 4
WRITEBACK_BYTES = 16 * 1024 * 1024
_FADVISE = hasattr(os, "posix_fadvise")  # Linux/BSD; macOS and Windows simply skip it


class Hasher(Protocol):
    def update(self, data: bytes, /) -> None: ...


class Readable(Protocol):
    def read(self, size: int = -1, /) -> bytes: ...


@dataclass(frozen=True)
class BlobInfo:
    """What the database row stores about one blob."""

    blob_id: str
    size: int
    sha256: str
    cipher_sha256: str
    chunk_size: int
    #: The case whose key the blob is encrypted under (None: the store's own key), and that
    #: key's version: a clinic store writes both into the blob's row (``blobs.case_id``,
    #: ``blobs.key_version``). A laptop vault leaves both None.
    case_id: str | None = None
    key_version: int | None = None


def _nonce(prefix: bytes, index: int, last: bool) -> bytes:
    return prefix + struct.pack(">IB", index, 1 if last else 0)


def new_blob_id() -> str:
    return secrets.token_hex(16)


def _valid_blob_id(blob_id: str) -> bool:
    return len(blob_id) == 32 and all(c in "0123456789abcdef" for c in blob_id)


class BlobStore:
    """Encrypted, crash-safe storage of opaque byte strings under ``root/blobs``.

    The folder implementation of :class:`ncii_desk.vault.store.BlobStore` (a laptop vault's
    folder, or a clinic's folder on shared storage): only ciphertext is ever written."""

    def __init__(self, root: Path, master_key: bytes, chunk_size: int = DEFAULT_CHUNK_SIZE):
        if not MIN_CHUNK_SIZE <= chunk_size <= MAX_CHUNK_SIZE:
            raise ValueError("chunk size must be between 64 KiB and 1 MiB")
        self.root = root / BLOBS_DIR
        self._master = master_key
        self.chunk_size = chunk_size
        #: What every BlobInfo this store writes names as its key (see :meth:`keyed`).
        self.case_id: str | None = None
        self.key_version: int | None = None
        #: Blob files written with ``durable=False`` and their folders, until :meth:`sync`.
        self._pending: set[Path] = set()
        self._pending_lock = threading.Lock()

    def keyed(self, master_key: bytes, case_id: str | None, key_version: int | None) -> BlobStore:
        """A store over the same folder under another master key (a clinic case's blob key),
        whose blobs' infos name ``case_id`` and ``key_version``. It shares this store's list
        of blobs not yet durable, so one :meth:`sync` on either covers both."""
        other = BlobStore(self.root.parent, master_key, self.chunk_size)
        other.root = self.root
        other.case_id, other.key_version = case_id, key_version
        other._pending, other._pending_lock = self._pending, self._pending_lock
        return other

    # paths -------------------------------------------------------------------------------

    def path_for(self, blob_id: str) -> Path:
        if not _valid_blob_id(blob_id):
            raise ValueError("invalid blob id")
        return self.root / blob_id[:2] / blob_id

    def relpath(self, blob_id: str) -> str:
        return f"{BLOBS_DIR}/{blob_id[:2]}/{blob_id}"

    def iter_files(self) -> Iterator[Path]:
        """Every file under blobs/, including leftovers of interrupted writes."""
        if not self.root.is_dir():
            return
        for sub in sorted(self.root.iterdir()):
            if sub.is_dir():
                yield from sorted(p for p in sub.iterdir() if p.is_file())
            elif sub.is_file():
                yield sub

    @staticmethod
    def blob_id_of(path: Path) -> str | None:
        return path.name if _valid_blob_id(path.name) else None

    def exists(self, blob_id: str) -> bool:
        """Whether the store holds a (finished) file for ``blob_id``."""
        return self.path_for(blob_id).is_file()

    def ids(self) -> Iterator[str]:
        """The id of every finished blob file, in order (leftovers of interrupted writes and
        other files are not blobs and are skipped; :meth:`iter_files` lists those too)."""
        for path in self.iter_files():
            blob_id = self.blob_id_of(path)
            if blob_id is not None and path.parent.name == blob_id[:2]:
                yield blob_id

    def _key(self, blob_id: str, salt: bytes) -> AESGCM:
        return AESGCM(hkdf(self._master, b"ncii-desk/v1/blob/" + blob_id.encode(), salt))

    # write -------------------------------------------------------------------------------

    def put_bytes(self, data: bytes) -> BlobInfo:
        view = memoryview(data)
        chunks = (
            bytes(view[i : i + self.chunk_size]) for i in range(0, len(data), self.chunk_size)
        )
        return self._write(chunks)

    def put_stream(
        self, src: Readable, extra_hashers: tuple[Hasher, ...] = (), *, durable: bool = True
    ) -> BlobInfo:
        """Encrypt everything readable from ``src``; ``extra_hashers`` see the plaintext.

        With ``durable=False`` the file and its name are not flushed to disk here: the caller
        stores a batch of blobs, then calls :meth:`sync` once before any database row names
        them (a crash before that leaves blobs without rows, which opening the vault moves to
        quarantine/)."""

        def chunks() -> Iterator[bytes]:
            while True:
                block = src.read(self.chunk_size)
                if not block:
                    return
                while len(block) < self.chunk_size:
                    more = src.read(self.chunk_size - len(block))
                    if not more:
                        break
                    block += more
                yield block

        return self._write(chunks(), extra_hashers, durable=durable)

    def sync(self) -> None:
        """Make every blob written with ``durable=False`` since the last call durable, file
        contents and names: on Linux one ``syncfs`` of the blob store's file system, else an
        fsync of each file and of each folder."""
        with self._pending_lock:  # emptied in place: stores made by keyed() share the set
            pending = set(self._pending)
            self._pending.clear()
        if not pending:
            return
        files = sum(1 for p in pending if p.parent != self.root)
        if files >= SYNCFS_MIN_FILES and _syncfs(self.root):
            return
        folders = {self.root}  # a new two-letter folder is a new name in blobs/
        for path in pending:
            if path.is_dir():
                folders.add(path)
                continue
            with contextlib.suppress(FileNotFoundError), open(path, "rb") as fh:
                os.fsync(fh.fileno())
        for folder in folders:
            fsync_dir(folder)

    def _write(
        self, chunks: Iterator[bytes], extra_hashers: tuple[Hasher, ...] = (), durable: bool = True
    ) -> BlobInfo:
        blob_id = new_blob_id()
        salt = secrets.token_bytes(SALT_BYTES)
        prefix = secrets.token_bytes(PREFIX_BYTES)
        header = HEADER_STRUCT.pack(MAGIC, FORMAT_VERSION, b"\0\0\0", self.chunk_size, salt, prefix)
        aad = header + blob_id.encode()
        aead = self._key(blob_id, salt)
        plain_hash = hashlib.sha256()
        cipher_hash = hashlib.sha256(header)
        size = 0
        folder = self.root / blob_id[:2]
        make_private_dir(folder, parents=True)
        final = folder / blob_id
        tmp = folder / f"{TEMP_PREFIX}{blob_id}"

        written = advised = HEADER_BYTES

        def write(fh: BinaryIO, block: bytes) -> None:
            nonlocal written, advised
            fh.write(block)
            written += len(block)
            if _FADVISE and written - advised >= WRITEBACK_BYTES:
                # Start writeback now and let the kernel drop pages already on disk:
                # without it the whole blob sits dirty in memory until the final fsync.
                fh.flush()
                os.posix_fadvise(fh.fileno(), 0, written, os.POSIX_FADV_DONTNEED)
                advised = written

        first = next(chunks, None) or b""
        second = next(chunks, None) if first else None
        if second is None:
            # One chunk (most photos): no threads to start, everything inline.
            sealed = aead.encrypt(_nonce(prefix, 0, True), first, aad)
            plain_hash.update(first)
            for extra in extra_hashers:
                extra.update(first)
            cipher_hash.update(sealed)
            try:
                with create_private_file(tmp) as fh:
                    fh.write(header + sealed)
                    fh.flush()
                    if durable:
                        os.fsync(fh.fileno())
            except BaseException:
                with contextlib.suppress(FileNotFoundError):
                    tmp.unlink()
                raise
            os.replace(tmp, final)
            self._settle(final, durable)
            return BlobInfo(
                blob_id,
                len(first),
                plain_hash.hexdigest(),
                cipher_hash.hexdigest(),
                self.chunk_size,
                self.case_id,
                self.key_version,
            )
        chunks = itertools.chain([first, second], chunks)

        # In-order single threads for the write and for the ciphertext hash, with a few
        # chunks in flight: encryption, both hashes and the disk overlap (OpenSSL, hashlib
        # and file writes release the GIL for large buffers).
        inflight: deque[tuple[Future[None], Future[None]]] = deque()
        with (
            create_private_file(tmp) as fh,
            ThreadPoolExecutor(1) as writer,
            ThreadPoolExecutor(1) as hasher,
        ):
            try:
                fh.write(header)
                index = 0
                current = next(chunks, None) or b""
                while True:
                    following = next(chunks, None) if current else None
                    last = following is None
                    sealed = aead.encrypt(_nonce(prefix, index, last), current, aad)
                    inflight.append(
                        (
                            writer.submit(write, fh, sealed),
                            hasher.submit(cipher_hash.update, sealed),
                        )
                    )
                    plain_hash.update(current)
                    for extra in extra_hashers:
                        extra.update(current)
                    size += len(current)
                    while len(inflight) >= IN_FLIGHT:
                        for fut in inflight.popleft():
                            fut.result()
                    if last or following is None:
                        break
                    current = following
                    index += 1
                while inflight:
                    for fut in inflight.popleft():
                        fut.result()
                fh.flush()
                if durable:
                    os.fsync(fh.fileno())
            except BaseException:
                for pair in inflight:  # let queued writes finish before the file goes
                    for fut in pair:
                        fut.cancel()
                        with contextlib.suppress(BaseException):
                            fut.result()
                fh.close()
                with contextlib.suppress(FileNotFoundError):
                    tmp.unlink()
                raise
        os.replace(tmp, final)
        self._settle(final, durable)
        return BlobInfo(
            blob_id,
            size,
            plain_hash.hexdigest(),
            cipher_hash.hexdigest(),
            self.chunk_size,
            self.case_id,
            self.key_version,
        )

    def _settle(self, final: Path, durable: bool) -> None:
        """After the rename: flush the folder now, or remember file and folder for sync()."""
        if durable:
            fsync_dir(final.parent)
            return
        with self._pending_lock:
            self._pending.update((final, final.parent))

    # read --------------------------------------------------------------------------------

    def _decrypt_chunks(self, blob_id: str, expected: BlobInfo | None) -> Iterator[bytes]:
        """Yield authenticated plaintext chunks; raises VaultCorrupt on any damage.

        Callers must not release what they received until the generator is exhausted.
        """
        path = self.path_for(blob_id)
        entry = self.relpath(blob_id)
        if not path.is_file():
            raise VaultCorrupt(
                "An evidence file is missing from the vault.", file=entry, entry=blob_id
            )
        total = path.stat().st_size
        with open(path, "rb") as fh:
            header = fh.read(HEADER_BYTES)
            if len(header) != HEADER_BYTES:
                raise VaultCorrupt("An evidence file is truncated.", file=entry, entry="header")
            magic, version, _reserved, chunk_size, salt, prefix = HEADER_STRUCT.unpack(header)
            if (
                magic != MAGIC
                or version != FORMAT_VERSION
                or not (MIN_CHUNK_SIZE <= chunk_size <= MAX_CHUNK_SIZE)
            ):
                raise VaultCorrupt(
                    "An evidence file has a damaged header.", file=entry, entry="header"
                )
            body = total - HEADER_BYTES
            stride = chunk_size + TAG_BYTES
            count, rem = divmod(body, stride)
            if rem:
                if rem < TAG_BYTES:
                    raise VaultCorrupt(
                        "An evidence file is truncated.", file=entry, entry=f"chunk {count}"
                    )
                count += 1
            if count == 0:
                raise VaultCorrupt(
                    "An evidence file has no content chunks.", file=entry, entry="chunk 0"
                )
            aead = self._key(blob_id, salt)
            aad = header + blob_id.encode()
            cipher_hash = hashlib.sha256(header)
            plain_hash = hashlib.sha256()
            for index in range(count):
                block = fh.read(stride)
                cipher_hash.update(block)
                last = index == count - 1
                try:
                    plain = aead.decrypt(_nonce(prefix, index, last), block, aad)
                except InvalidTag:
                    where = "last chunk" if last else f"chunk {index}"
                    raise VaultCorrupt(
                        "An evidence file failed its integrity check (it was changed, "
                        "truncated or damaged).",
                        file=entry,
                        entry=where,
                    ) from None
                plain_hash.update(plain)
                yield plain
        if expected is not None and (
            cipher_hash.hexdigest() != expected.cipher_sha256
            or plain_hash.hexdigest() != expected.sha256
        ):
            raise VaultCorrupt(
                "An evidence file does not match the hashes recorded when it was stored.",
                file=entry,
                entry="sha256",
            )

    def stream(self, blob_id: str, expected: BlobInfo | None = None) -> Iterator[bytes]:
        """Authenticated plaintext chunks, one at a time, for callers that re-encrypt them
        (the case hand-over file); damage anywhere raises VaultCorrupt before the generator
        ends, so a caller must discard what it wrote if the generator raises."""
        return self._decrypt_chunks(blob_id, expected)

    def read(self, blob_id: str, expected: BlobInfo | None = None) -> bytes:
        """Whole plaintext, returned only after every chunk (and the last) authenticated."""
        parts = list(self._decrypt_chunks(blob_id, expected))
        return b"".join(parts)

    def verify(
        self,
        blob_id: str,
        expected: BlobInfo | None = None,
        on_chunk: Callable[[int], None] | None = None,
    ) -> int:
        """Authenticate a blob without keeping its plaintext; returns the plaintext size."""
        size = 0
        for part in self._decrypt_chunks(blob_id, expected):
            size += len(part)
            if on_chunk is not None:
                on_chunk(len(part))
        return size

    def export(self, blob_id: str, dest: Path, expected: BlobInfo | None = None) -> None:
        """Decrypt to ``dest``; it appears (atomically) only once the blob fully verified."""
        folder = dest.parent
        if not folder.is_dir():
            raise ExportError(f"The folder to export into does not exist: {folder}")
        # Authenticate everything first, so no unverified plaintext ever reaches the disk.
        self.verify(blob_id, expected)
        tmp = folder / f"{TEMP_PREFIX}{dest.name}.{secrets.token_hex(4)}"
        try:
            with create_private_file(tmp) as fh:
                for part in self._decrypt_chunks(blob_id, expected):
                    fh.write(part)
                fh.flush()
                os.fsync(fh.fileno())
            os.replace(tmp, dest)
        except OSError as exc:
            with contextlib.suppress(FileNotFoundError):
                tmp.unlink()
            raise ExportError(f"The item could not be written to {dest}: {exc.strerror}.") from exc
        except BaseException:
            with contextlib.suppress(FileNotFoundError):
                tmp.unlink()
            raise

    def delete(self, blob_id: str) -> None:
        path = self.path_for(blob_id)
        with contextlib.suppress(FileNotFoundError):
            path.unlink()
        fsync_dir(path.parent)


#: Fewer pending files than this are flushed one by one: syncfs also waits for whatever other
#: programs left dirty on the same file system (measured: median 3.4 ms, but up to 82 ms on a
#: busy machine, against 6.9 ms for one file and its folder).
SYNCFS_MIN_FILES = 3


def _syncfs(folder: Path) -> bool:
    """``syncfs(2)`` on the file system holding ``folder`` (Linux, glibc); False where it is
    not available or fails, so the caller falls back to fsync per file."""
    if not sys.platform.startswith("linux"):
        return False
    try:
        libc = ctypes.CDLL(None, use_errno=True)
        syncfs = libc.syncfs
    except (OSError, AttributeError):
        return False
    fd = os.open(folder, os.O_RDONLY)
    try:
        return bool(syncfs(fd) == 0)
    finally:
        os.close(fd)
