"""Hash files: digests of the bytes, perceptual hashes of the pixels, video frame hashes.

One call per file, safe to run in worker processes. What is computed depends on the file's
role in a case:

* ``plain``: what hash lists and platforms exchange (PDQ + quality, pHash, dHash, MD5,
  SHA-256; for video MD5 + one PDQ per second).
* ``original``: also PDQ of the eight rotations/mirrors, of central crops (every 2.5 %),
  off-centre crops and the border-trimmed image, and local features — so re-posted variants
  still match, and an exported hash list carries the same hashes.
* ``suspect``: also PDQ of its own rotations/mirrors, of itself turned back by small angles
  (de-skew) and of the picture regions found inside it (screenshots, captions, collages),
  and local features for verification against the victim's originals.
* ``scan``: as ``suspect`` without local features (matching against hash lists only, and
  suspects kept as hashes only).
* ``original-hashes``: as ``original`` without local features, for originals kept as hashes
  only (suspected minor): every hash a re-posted variant needs is computed in memory, but
  nothing that could give a rough picture back (ORB keypoints and descriptors) is made.

Bad input never raises out of :func:`hash_file`: the result carries a plain-language error
for that file, and the batch goes on.
"""

from __future__ import annotations

import atexit
import ctypes
import hashlib
import itertools
import multiprocessing as mp
import os
import signal
import sys
import threading
from collections.abc import Callable, Iterable, Iterator
from concurrent.futures import FIRST_COMPLETED, Future, ProcessPoolExecutor, wait
from concurrent.futures.process import BrokenProcessPool
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any, Literal

import numpy as np

from ncii_desk.errors import InputFileError, MediaProcessingFailed, NciiDeskError
from ncii_desk.hardening import harden_process
from ncii_desk.hashing import features as local_features
from ncii_desk.hashing import perceptual as ph
from ncii_desk.hashing.priority import worker_nice
from ncii_desk.hashing.regions import (
    HASH_ONLY_CROPS,
    central_crops,
    content_regions,
)
from ncii_desk.hashing.variants import (
    collage_cells,
    deskewed,
    grid_crops,
    off_centre_crops,
    search_crops,
    sub_regions,
)
from ncii_desk.media.loader import (
    DEFAULT_LIMITS,
    Limits,
    LoadedImage,
    iter_video_frames,
    load_image,
    media_kind,
)
from ncii_desk.media.sniff import SNIFF_BYTES, sniff_mime

Role = Literal["plain", "original", "original-hashes", "suspect", "scan"]
READ_BLOCK = 1024 * 1024


@dataclass(frozen=True)
class HashValue:
    """One stored hash: kind (pdq, phash, dhash), value (hex), quality, and what it is of."""

    kind: str
    value: str
    quality: int | None = None
    variant: str = ""
    frame_ms: int | None = None


@dataclass
class FileHashes:
    path: str
    kind: str  # image | video | other
    mime: str
    size: int
    sha256: str
    md5: str
    pdq: str | None = None
    pdq_quality: int | None = None
    phash: str | None = None
    dhash: str | None = None
    width: int | None = None
    height: int | None = None
    variants: list[HashValue] = field(default_factory=list)
    frames: list[HashValue] = field(default_factory=list)
    features: dict[str, Any] | None = None
    error: str | None = None
    hint: str | None = None

    def summary(self) -> dict[str, Any]:
        """The shape `ncii-desk hash --json` prints."""
        return {
            "path": self.path,
            "kind": self.kind,
            "mime": self.mime,
            "size": self.size,
            "sha256": self.sha256,
            "md5": self.md5,
            "pdq": self.pdq,
            "pdq_quality": self.pdq_quality,
            "phash": self.phash,
            "dhash": self.dhash,
            "video_frames": (
                sum(f.variant == "frame" for f in self.frames) if self.kind == "video" else None
            ),
            "error": self.error,
        }

    def all_pdq(self) -> list[HashValue]:
        """Every PDQ this file contributes to matching (main, variants, frames)."""
        out = []
        if self.pdq is not None:
            out.append(HashValue("pdq", self.pdq, self.pdq_quality, "full"))
        out.extend(v for v in self.variants if v.kind == "pdq")
        out.extend(self.frames)
        return out

    def as_dict(self) -> dict[str, Any]:
        return asdict(self)


def _digests(path: Path) -> tuple[str, str, bytes, int]:
    sha, md5 = hashlib.sha256(), hashlib.md5(usedforsecurity=False)
    head = b""
    size = 0
    with open(path, "rb") as fh:
        while block := fh.read(READ_BLOCK):
            if not head:
                head = block[:SNIFF_BYTES]
            sha.update(block)
            md5.update(block)
            size += len(block)
    return sha.hexdigest(), md5.hexdigest(), head, size


def _digest_bytes(data: bytes) -> tuple[str, str]:
    """SHA-256 and MD5 of bytes in memory (hashlib lets go of the GIL for both)."""
    return (
        hashlib.sha256(data).hexdigest(),
        hashlib.md5(data, usedforsecurity=False).hexdigest(),
    )


#: Files at least this large have their digests taken on a second thread while the pixels
#: decode, where the process has a core to spare (:func:`_spare_core`); smaller ones are
#: not worth the thread.
OVERLAP_MIN_BYTES = 256 * 1024
#: Hashing processes running at once, as far as this process knows (the pool's size in a
#: worker, 1 in-process); digests overlap decoding only if the machine has a core for each
#: of them and one more for each digest thread.
_busy_processes = 1


def _usable_cores() -> int:
    try:
        return len(os.sched_getaffinity(0))
    except (AttributeError, OSError):  # not Linux
        return os.cpu_count() or 1


def _spare_core() -> bool:
    return _usable_cores() >= 2 * _busy_processes


def hash_file(
    path: Path, role: Role = "plain", limits: Limits = DEFAULT_LIMITS, display: str | None = None
) -> FileHashes:
    """All hashes of one file; errors are reported in the result, never raised.

    The file is read once; its digests are taken from those bytes (on a second thread while
    the pixels decode, where a core is spare) and the pixels are decoded from them."""
    _reuse_freed_memory()
    name = display or str(path)
    digests: list[tuple[str, str]] = []
    worker: threading.Thread | None = None
    try:
        data: bytes | None = None
        st = path.stat()
        if st.st_size <= limits.max_image_bytes:
            data = path.read_bytes()
            head, size = data[:SNIFF_BYTES], len(data)
            if size >= OVERLAP_MIN_BYTES and _spare_core():
                held = data
                worker = threading.Thread(
                    target=lambda: digests.append(_digest_bytes(held)), daemon=True
                )
                worker.start()
                sha256 = md5 = ""
            else:
                sha256, md5 = _digest_bytes(data)
        else:
            sha256, md5, head, size = _digests(path)
    except FileNotFoundError:
        return _failed(name, InputFileError(f"The file {name} does not exist."))
    except OSError as exc:
        return _failed(name, InputFileError(f"The file {name} cannot be read: {exc.strerror}."))
    result = FileHashes(name, "other", sniff_mime(head), size, sha256, md5)
    image = data if data is not None else path
    memory_hint = "Close other programs and try again, or make a smaller copy."
    try:
        return _hash_content(result, image, path, role, limits, memory_hint)
    finally:
        if worker is not None:
            worker.join()
            result.sha256, result.md5 = digests[0] if digests else _digest_bytes(held)


def _hash_content(
    result: FileHashes,
    image: bytes | Path,
    video: bytes | Path,
    role: Role,
    limits: Limits,
    memory_hint: str,
) -> FileHashes:
    """The perceptual hashes of a picture or video whose digests ``result`` already holds;
    a file that cannot be decoded gets its error and hint in the result."""
    name = result.path
    result.kind = media_kind(result.mime) or "other"
    if result.size == 0:
        result.error = f"{name} is empty (0 bytes)."
        result.hint = InputFileError.default_hint
        return result
    try:
        if result.kind == "image":
            _hash_image(result, image, role, limits)
        elif result.kind == "video":
            _hash_video(result, video, limits, role)
    except NciiDeskError as exc:
        result.error, result.hint = exc.message.replace("the file", name, 1), exc.hint
    except MemoryError:
        result.error = f"{name} needs more memory to decode than this computer has free."
        result.hint = memory_hint
    except Exception as exc:  # a decoder or OpenCV failing on one hostile file: not the batch
        detail = str(exc).strip().splitlines()[0][:200] if str(exc).strip() else ""
        failed = MediaProcessingFailed(
            f"{name} could not be processed: {type(exc).__name__}"
            + (f" ({detail})." if detail else ".")
        )
        result.error, result.hint = failed.message, failed.hint
        result.pdq = result.pdq_quality = result.phash = result.dhash = None
        result.variants, result.frames, result.features = [], [], None
    return result


def _failed(name: str, exc: NciiDeskError) -> FileHashes:
    return FileHashes(name, "other", "", 0, "", "", error=exc.message, hint=exc.hint)


#: Shorter side a ``plain`` JPEG is decoded at, at least (the smallest DCT scale that keeps
#: it): 1/8 for 12 MP photos. Its PDQ is taken as the full picture's
#: (:func:`perceptual.pdq_of_reduced`), 1-2 bits from a full decode on average, and pHash and
#: dHash shrink to 32 and 9 pixels anyway. 1/8 of a 1024x768 picture (128 x 96) was 6 bits
#: off on average, hence the floor.
PLAIN_DECODE_SIDE = 192


def _exchange_pdq(image: LoadedImage) -> ph.PdqHash:
    """The PDQ others compare against: that of the full picture, as near as the reduced
    decode allows."""
    if image.reduced_by > 1:
        return ph.pdq_of_reduced(image.pixels, image.height, image.width, image.reduced_by)
    return ph.pdq(ph.reduce_for_exchange(image.pixels))


def _hash_image(result: FileHashes, source: bytes | Path, role: Role, limits: Limits) -> None:
    if role == "plain":  # one small luma picture gives every hash
        image = load_image(source, min_side=PLAIN_DECODE_SIDE, limits=limits, grey=True)
    else:
        image = load_image(source, min_side=ph.PDQ_WORK_SIDE, limits=limits)
    pixels = ph.reduce_for_hash(image.pixels)
    result.width, result.height = image.width, image.height
    main = _exchange_pdq(image)
    result.pdq, result.pdq_quality = main.hex, main.quality
    result.phash = ph.phash(pixels)
    result.dhash = ph.dhash(pixels)
    # PDQ's dihedral variants (sign flips of the DCT) are not quite the PDQ of flipped pixels,
    # as PDQ's sampling grid is not symmetric; mirroring is the commonest re-post edit, so that
    # one is hashed from the flipped pixels themselves.
    if role == "plain":
        return
    mirror = ph.pdq(np.ascontiguousarray(pixels[:, ::-1]))
    if role in ("original", "original-hashes"):
        result.variants.append(HashValue("pdq", mirror.hex, mirror.quality, "mirror"))
        for name, value in ph.pdq_dihedral(pixels)[1:]:
            result.variants.append(HashValue("pdq", value.hex, value.quality, name))
        # Hash lists carry these too (hashlist export), and a list has no local features to
        # find crops with: every original gets the dense ladder and off-centre crops.
        # Halves/quarters (a mark in one place leaves the others intact) and a grid of
        # crops that a suspect's own search crops meet at any place (hashing/variants.py).
        for name, crop in [
            *central_crops(pixels, HASH_ONLY_CROPS),
            *off_centre_crops(pixels),
            *sub_regions(pixels),
            *grid_crops(pixels),
        ]:
            h = ph.pdq(crop)
            result.variants.append(HashValue("pdq", h.hex, h.quality, name))
    elif role in ("suspect", "scan"):
        # Its own rotations/mirrors find it in lists that hold only plain hashes.
        result.variants.append(HashValue("pdq", mirror.hex, mirror.quality, "suspect mirror"))
        for name, value in ph.pdq_dihedral(pixels)[1:]:
            result.variants.append(HashValue("pdq", value.hex, value.quality, f"suspect {name}"))
        for name, region in [*content_regions(pixels, image.pixels), *deskewed(pixels)]:
            h = ph.pdq(ph.reduce_for_hash(region))
            result.variants.append(HashValue("pdq", h.hex, h.quality, name))
        for name, region in [
            *sub_regions(pixels),
            *collage_cells(pixels),
            *search_crops(pixels),
        ]:
            h = ph.pdq(region)  # already reduced (search crops: a small grey copy)
            result.variants.append(HashValue("pdq", h.hex, h.quality, name))
    if role in ("original", "suspect"):
        result.features = local_features.extract(image.pixels).to_json()


def hash_bytes(
    data: bytes, name: str, role: Role = "plain", limits: Limits = DEFAULT_LIMITS
) -> FileHashes:
    """All hashes of a file held in memory (a captured download); like :func:`hash_file`,
    errors are reported in the result, never raised."""
    _reuse_freed_memory()
    result = FileHashes(
        name,
        "other",
        sniff_mime(data[:SNIFF_BYTES]),
        len(data),
        hashlib.sha256(data).hexdigest(),
        hashlib.md5(data, usedforsecurity=False).hexdigest(),
    )
    return _hash_content(result, data, data, role, limits, "Close other programs and try again.")


def _hash_video(
    result: FileHashes, source: bytes | Path, limits: Limits, role: Role = "plain"
) -> None:
    """One PDQ per second of video; for a case's originals and suspects (and ``scan``) each
    frame's variants too (hashing/video_variants.py): mirrored, centrally cropped
    (originals), and without the video's letterbox bars, found over the whole video."""
    from ncii_desk.hashing.video_variants import (
        LetterboxFinder,
        frame_variants,
        trimmed_variants,
    )

    # One decoder thread: workers already run one per core, and every frame thread would
    # hold frames of its own (memory of the whole worker pool).
    def frames() -> Iterator[Any]:
        return iter_video_frames(
            source, every_s=1.0, max_side=ph.PDQ_WORK_SIDE, limits=limits, threads=1
        )

    bars = LetterboxFinder()
    for frame in frames():
        h = ph.pdq(frame.pixels)
        result.frames.append(HashValue("pdq", h.hex, h.quality, "frame", frame.t_ms))
        for name, pixels in frame_variants(frame.pixels, role):
            v = ph.pdq(pixels)
            result.frames.append(HashValue("pdq", v.hex, v.quality, name, frame.t_ms))
        if role != "plain":
            bars.add(frame.pixels)
    first = result.frames[0]
    result.pdq, result.pdq_quality = first.value, first.quality
    box = bars.box()
    if box is None:
        return
    # Bars are known only once every frame has been seen: decode again for the cut frames
    # (letterboxed videos only), rather than holding every frame in memory.
    for frame in frames():
        for name, pixels in trimmed_variants(frame.pixels, box, role):
            v = ph.pdq(pixels)
            result.frames.append(HashValue("pdq", v.hex, v.quality, name, frame.t_ms))


# --- many files ----------------------------------------------------------------------------------


#: glibc mallopt parameters (malloc.h): M_TRIM_THRESHOLD and M_MMAP_THRESHOLD.
_M_TRIM_THRESHOLD, _M_MMAP_THRESHOLD = -1, -3
_malloc_tuned = False


def _reuse_freed_memory() -> None:
    """Let a process keep its freed image buffers for the next file (glibc only); done once
    per process, by every path that hashes (pool workers when they start, in-process
    :func:`hash_file` and :func:`hash_bytes` on their first call).

    By default glibc serves every buffer over 128 KiB with its own mmap and unmaps it on free,
    so each file's decoded pixels and float copies were page-faulted in anew: hashing in a
    worker took twice as long as in the main process (12 vs 6 ms at 1024x768), and two
    workers were no faster than one. Buffers up to 32 MiB now come from the heap, and up to
    64 MiB of freed heap is kept; larger images are unchanged.
    """
    global _malloc_tuned
    if _malloc_tuned or not sys.platform.startswith("linux"):
        return
    _malloc_tuned = True
    try:
        libc = ctypes.CDLL("libc.so.6")
        libc.mallopt(_M_MMAP_THRESHOLD, 32 * 1024 * 1024)
        libc.mallopt(_M_TRIM_THRESHOLD, 64 * 1024 * 1024)
    except (OSError, AttributeError):  # not glibc (e.g. musl): keep its defaults
        return


def _lower_own_priority(nice: int) -> None:
    """Raise this process's nice value by ``nice`` (never the other way: no privilege needed);
    a no-op where the OS has no nice values (Windows)."""
    if nice <= 0 or not hasattr(os, "setpriority"):
        return
    try:
        current = os.getpriority(os.PRIO_PROCESS, 0)
        os.setpriority(os.PRIO_PROCESS, 0, min(19, current + nice))
    except OSError:
        pass


def _worker_init(processes: int = 1, nice: int = 0) -> None:
    global _busy_processes
    _busy_processes = max(1, processes)
    _lower_own_priority(nice)
    harden_process()  # a worker holds decoded pixels: no core dump of it either
    # Ctrl-C in a terminal reaches every process of the command; the parent cancels the job
    # and lets the files in flight finish. A worker that died of it broke the whole pool.
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    import cv2

    cv2.setNumThreads(1)  # one process per core already; threads inside would oversubscribe
    ph.pin_blas_to_one_thread()
    _reuse_freed_memory()


#: Running pools by (process count, nice increment): a pool started before the desktop app
#: asked for background priority is not reused for its work.
_pools: dict[tuple[int, int], ProcessPoolExecutor] = {}
_pools_lock = threading.Lock()


def _start_forkserver_without_sigint() -> None:
    """Start the fork server with SIGINT blocked: the workers it forks inherit the block, so a
    Ctrl-C that lands while a worker is still starting (before :func:`_worker_init` runs)
    cannot kill it either. Does nothing when the server already runs."""
    from multiprocessing import forkserver

    if not hasattr(signal, "pthread_sigmask"):
        forkserver.ensure_running()
        return
    old = signal.pthread_sigmask(signal.SIG_BLOCK, {signal.SIGINT})
    try:
        forkserver.ensure_running()
    finally:
        signal.pthread_sigmask(signal.SIG_SETMASK, old)


def _pool(count: int) -> ProcessPoolExecutor:
    """A worker pool kept for the whole session: starting workers (forkserver or spawn, never
    fork — a forked child can inherit OpenCV's thread pool mid-lock and hang) costs about a
    second, too much to pay on every batch. A pool that broke (a worker process died) is
    replaced, never handed out again."""
    nice = worker_nice()
    with _pools_lock:
        pool = _pools.get((count, nice))
        if pool is not None and getattr(pool, "_broken", False):
            pool.shutdown(wait=False, cancel_futures=True)
            pool = None
        if pool is None:
            method = "forkserver" if "forkserver" in mp.get_all_start_methods() else "spawn"
            if method == "forkserver":
                _start_forkserver_without_sigint()
            pool = ProcessPoolExecutor(
                max_workers=count,
                mp_context=mp.get_context(method),
                initializer=_worker_init,
                initargs=(count, nice),
            )
            _pools[(count, nice)] = pool
        return pool


def _renew_pool(count: int, broken: ProcessPoolExecutor) -> ProcessPoolExecutor:
    """Drop a pool whose worker died and start a fresh one."""
    with _pools_lock:
        for key, pool in list(_pools.items()):
            if pool is broken:
                del _pools[key]
    broken.shutdown(wait=False, cancel_futures=True)
    return _pool(count)


def _worker_died(path: Path) -> FileHashes:
    return _failed(
        str(path),
        InputFileError(
            f"The hashing process stopped while working on {path}, twice.",
            "The file may be damaged or made to crash image decoders; check it with another "
            "program. The other files were hashed.",
        ),
    )


def shutdown_pools() -> None:
    with _pools_lock:
        for pool in _pools.values():
            pool.shutdown(wait=True, cancel_futures=True)
        _pools.clear()


atexit.register(shutdown_pools)


#: Jobs of fewer files run in-process when no worker count is given (see :func:`hash_many`):
#: a pool took about a second to start before its first result, the time to hash 8-30 photos
#: in one process.
SMALL_JOB_FILES = 8


def default_workers() -> int:
    return max(1, min(os.cpu_count() or 1, 8))


def _hash_from(cwd: str, path: Path, role: Role, limits: Limits) -> FileHashes:
    """:func:`hash_file` in a pool worker, from the caller's working folder: a pool started
    earlier keeps the folder it started in, and a relative path must mean what it meant to
    the caller (the result and its messages keep the path as given)."""
    if cwd and not path.is_absolute():
        try:
            if os.getcwd() != cwd:
                os.chdir(cwd)
        except OSError:  # the worker's old folder is gone: the caller's is set below
            os.chdir(cwd)
    return hash_file(path, role, limits)


def hash_many(
    paths: Iterable[Path],
    role: Role = "plain",
    *,
    workers: int | None = None,
    limits: Limits = DEFAULT_LIMITS,
    should_stop: Callable[[], bool] | None = None,
) -> Iterator[FileHashes]:
    """Hash files across processes; results come back as they finish.

    At most two files per worker are in flight, so memory stays bounded however large the
    folder is (paths are consumed lazily).

    Without ``workers``, a job of fewer than :data:`SMALL_JOB_FILES` files runs in this
    process unless a pool is already running: starting one (a fork server, workers that
    import the decoders) costs more than hashing a few files.
    """
    count = workers or default_workers()
    iterator = iter(paths)
    if workers is None and count > 1:
        with _pools_lock:
            warm = (count, worker_nice()) in _pools
        if not warm:
            head = list(itertools.islice(iterator, SMALL_JOB_FILES))
            if len(head) < SMALL_JOB_FILES:
                count = 1
            iterator = itertools.chain(head, iterator)
    if count == 1:
        for path in iterator:
            if should_stop is not None and should_stop():
                return
            yield hash_file(path, role, limits)
        return
    # forkserver/spawn, never fork: a forked child can inherit OpenCV's thread pool mid-lock
    # and hang for ever (seen in bench/hash_throughput.py).
    pool = _pool(count)
    try:
        here = os.getcwd()
    except OSError:  # the caller's folder was removed: only absolute paths can mean anything
        here = ""
    pending: dict[Future[FileHashes], Path] = {}
    again: list[Path] = []  # in flight when a worker process died: tried once more
    lost_once: set[Path] = set()
    exhausted = False
    try:
        while True:
            while len(pending) < 2 * count:
                if should_stop is not None and should_stop():
                    exhausted = True
                    again.clear()
                    break
                if again:
                    nxt = again.pop(0)
                else:
                    got: Path | None = None if exhausted else next(iterator, None)
                    if got is None:
                        exhausted = True
                        break
                    nxt = got
                try:
                    pending[pool.submit(_hash_from, here, Path(nxt), role, limits)] = nxt
                except BrokenProcessPool:
                    again.insert(0, nxt)
                    pool = _renew_pool(count, pool)
            if not pending:
                return
            done, _ = wait(pending, return_when=FIRST_COMPLETED)
            lost: list[Path] = []
            for fut in done:
                path = pending.pop(fut)
                try:
                    result = fut.result()
                except BrokenProcessPool:
                    lost.append(path)
                    continue
                yield result
            if lost:
                # A broken pool fails every file in flight, not only the one that killed it.
                lost += pending.values()
                for fut in pending:
                    fut.cancel()
                pending.clear()
                pool = _renew_pool(count, pool)
                for path in lost:
                    if path in lost_once:
                        yield _worker_died(path)
                    else:
                        lost_once.add(path)
                        again.append(path)
    finally:
        for fut in pending:  # the caller stopped early: drop what has not started
            fut.cancel()
