"""Bulk scans: files in a folder (or a dump of millions) matched against hash lists.

One scan, three ways to run it, chosen by the caller and giving the same rows:

* :class:`InProcess` hashes file after file in this process;
* :class:`ProcessPool` uses the hashing pipeline's own process pool (two files per worker in
  flight, a crashed worker's files tried once more);
* :class:`RayCluster` sends batches of paths to a Ray cluster (``pip install
  'ncii-desk[cluster]'``), one machine or many. The lists are put into Ray's object store once
  and each worker process reads them once; at most two batches per CPU of the cluster are in
  flight, so memory stays bounded however many files there are.

Every worker hashes with the same safe media loader (:func:`hash_file`, role ``scan``) and
matches with the same :class:`ScanLists`, so a row is identical whichever executor made it. A
file that cannot be read or decoded is a row with its error and hint, never a stop. Rows come
back as they finish; :class:`ResultsFile` appends each one to a JSON-lines file, so a scan that
was cancelled or killed resumes where it stopped (the paths already in the file are skipped).
"""

from __future__ import annotations

import hashlib
import json
import os
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import IO, TYPE_CHECKING, Any, Protocol

from ncii_desk.errors import InputFileError, InvalidSetting, MissingPackage
from ncii_desk.hardening import PRIVATE_FILE_MODE
from ncii_desk.hashing.kinds import PDQ
from ncii_desk.services.jobs import Job

if TYPE_CHECKING:
    from ncii_desk.hashing.lists import HashEntry
    from ncii_desk.hashing.pipeline import FileHashes
    from ncii_desk.hashing.video_lists import FrameTags

#: One result per file: {"path", "matches": [match dicts], "error": str | None, "hint": str}.
Row = dict[str, Any]

#: Files per Ray task: large enough that scheduling costs little per file, small enough that
#: progress moves and a cancelled scan waits for little.
DEFAULT_BATCH = 32
RESULTS_FORMAT = "ncii-desk-scan/1"


# --- the lists, built once and sent to every worker -----------------------------------------


@dataclass(frozen=True)
class ListReport:
    """What a scan says about one list it read: entries kept and the lines it passed over."""

    name: str  # the path as given
    entries: int
    bad_lines: list[int]
    problems: list[str]  # "line N: why", for warnings
    sha256: str

    def as_dict(self) -> dict[str, Any]:
        return {"list": self.name, "entries": self.entries, "bad_lines": self.bad_lines}


class ScanLists:
    """The lists a scan matches against: what every worker needs, and nothing else.

    Pickled (for worker processes and Ray's object store) as the list entries themselves;
    each process builds its own search index from them once."""

    def __init__(
        self,
        named: list[tuple[str, list[HashEntry]]],
        tags: dict[str, FrameTags] | None = None,
        pdq_threshold: int = PDQ.threshold,
    ) -> None:
        from ncii_desk.hashing.matcher import ListMatcher

        self.named = named
        self.tags = tags or {}
        self.pdq_threshold = pdq_threshold
        try:
            self.matcher = ListMatcher(named, pdq_threshold=pdq_threshold)
        except ValueError as exc:
            raise InvalidSetting(f"{exc}.") from None

    def __reduce__(self) -> tuple[Any, ...]:
        return (ScanLists, (self.named, self.tags, self.pdq_threshold))

    @property
    def size(self) -> int:
        return self.matcher.size

    def row(self, fh: FileHashes) -> Row:
        """One file's result row: its matches (frame rule applied to videos) or its error."""
        from ncii_desk.hashing.video_lists import video_list_matches

        if fh.error:
            return {"path": fh.path, "matches": [], "error": fh.error, "hint": fh.hint or ""}
        found = video_list_matches(fh, self.matcher.match(fh), self.tags, self.pdq_threshold)
        return {"path": fh.path, "matches": [m.as_dict() for m in found], "error": None, "hint": ""}


def load_lists(
    paths: Sequence[str | Path], pdq_threshold: int
) -> tuple[ScanLists, list[ListReport]]:
    """Read hash lists (one-per-line or CSV); bad lines are reported, the rest are used.
    Each report names its list as it was given."""
    from ncii_desk.hashing.lists import load_hash_list
    from ncii_desk.hashing.video_lists import read_frame_tags

    named: list[tuple[str, list[HashEntry]]] = []
    tags: dict[str, FrameTags] = {}
    reports = []
    for given in paths:
        path = Path(given)
        parsed = load_hash_list(path)
        named.append((path.name, parsed.entries))
        frame_tags = read_frame_tags(path)
        if frame_tags is not None:
            tags[path.name] = frame_tags
        reports.append(
            ListReport(
                name=str(given),
                entries=len(parsed.entries),
                bad_lines=[e.line for e in parsed.errors],
                problems=[f"line {e.line}: {e.message}" for e in parsed.errors],
                sha256=_file_sha256(path),
            )
        )
    return ScanLists(named, tags, pdq_threshold), reports


def _file_sha256(path: Path) -> str:
    try:
        return hashlib.sha256(path.read_bytes()).hexdigest()
    except OSError as exc:
        raise InputFileError(f"The hash list {path} cannot be read: {exc.strerror}.") from None


def scan_file(path: Path, lists: ScanLists) -> Row:
    """Hash one file with the safe media loader and match it: the unit every executor runs."""
    from ncii_desk.hashing.pipeline import hash_file

    return lists.row(hash_file(path, "scan"))


# --- executors ------------------------------------------------------------------------------


class Executor(Protocol):
    """Runs a scan's files and yields one row per file as each finishes (any order).

    Stops handing out work once the job is cancelled; what was in flight may still come back.
    """

    def rows(self, paths: Sequence[Path], lists: ScanLists, job: Job) -> Iterator[Row]: ...

    def close(self) -> None: ...


class InProcess:
    """File after file in this process: the reference every other executor must equal."""

    def rows(self, paths: Sequence[Path], lists: ScanLists, job: Job) -> Iterator[Row]:
        for path in paths:
            if job.cancelled:
                return
            yield scan_file(path, lists)

    def close(self) -> None:
        return None


class ProcessPool:
    """The hashing pipeline's process pool on this computer; matching stays in this process
    (a fraction of a millisecond per file against the decoding that the workers do)."""

    def __init__(self, workers: int | None = None) -> None:
        self.workers = workers

    def rows(self, paths: Sequence[Path], lists: ScanLists, job: Job) -> Iterator[Row]:
        from ncii_desk.hashing.pipeline import hash_many

        for fh in hash_many(paths, "scan", workers=self.workers, should_stop=lambda: job.cancelled):
            yield lists.row(fh)

    def close(self) -> None:
        return None


# Per Ray worker process: the lists it has read from the object store, by object id, so that a
# worker running many batches deserialises the lists once.
_worker_lists: dict[str, ScanLists] = {}
_worker_ready = False


def _prepare_worker() -> None:
    """What a pool worker does at start, done once in a Ray worker process."""
    global _worker_ready
    if _worker_ready:
        return
    import cv2

    from ncii_desk.hardening import harden_process
    from ncii_desk.hashing import perceptual

    harden_process()  # decoded pixels: no core dump of them
    cv2.setNumThreads(1)  # one task per CPU already
    perceptual.pin_blas_to_one_thread()
    _worker_ready = True


def _scan_batch(paths: list[str], lists_box: list[Any]) -> list[Row]:
    """A Ray task: one batch of paths. ``lists_box`` holds the lists' object reference inside
    a list, so Ray hands over the reference, not a fresh copy of the lists for every task."""
    import ray

    _prepare_worker()
    ref = lists_box[0]
    key = ref.hex()
    lists = _worker_lists.get(key)
    if lists is None:
        _worker_lists.clear()  # a new scan's lists replace the last one's
        lists = ray.get(ref)
        _worker_lists[key] = lists
    return [scan_file(Path(p), lists) for p in paths]


def _import_ray() -> Any:
    try:
        import ray
    except ImportError:
        raise MissingPackage(
            "Scanning on a Ray cluster needs the package 'ray', which is not installed.",
            "Install the cluster extra: pip install 'ncii-desk[cluster]' (on every machine "
            "of the cluster), or scan without --ray.",
        ) from None
    return ray


def _stopped_row(path: str) -> Row:
    return {
        "path": path,
        "matches": [],
        "error": f"The hashing process stopped while working on {path}, twice.",
        "hint": "The file may be damaged or made to crash image decoders; check it with another "
        "program. The other files were scanned.",
    }


class RayCluster:
    """Batches of paths on a Ray cluster.

    ``address``: None uses the Ray session this process already started (``ray.init``) or else
    starts a private one on this computer; ``"auto"`` joins the cluster that ``ray start``
    runs on this machine; ``host:port`` (or ``ray://host:10001``) joins that cluster. Every
    machine must reach the scanned paths under the same names (shared storage).
    """

    def __init__(
        self,
        address: str | None = None,
        *,
        batch: int = DEFAULT_BATCH,
        cpus: int | None = None,
        in_flight_per_cpu: int = 2,
    ) -> None:
        if batch < 1:
            raise InvalidSetting("A batch must hold at least one file.")
        self.ray = _import_ray()
        self.batch = batch
        self.in_flight_per_cpu = in_flight_per_cpu
        self._started = False
        if not self.ray.is_initialized():
            import logging

            try:
                local = address is None  # a private cluster listens on loopback only
                self.ray.init(
                    address=address,
                    num_cpus=cpus if local else None,
                    _node_ip_address="127.0.0.1" if local else None,
                    include_dashboard=False,
                    log_to_driver=False,
                    logging_level=logging.WARNING,
                    configure_logging=False,
                )
            except (ConnectionError, RuntimeError, ValueError) as exc:
                where = address or "this computer"
                raise InvalidSetting(
                    f"Could not start or join the Ray cluster at {where}: "
                    f"{str(exc).strip().splitlines()[0][:200] if str(exc).strip() else exc}.",
                    "Start the cluster first ('ray start --head' on one machine, "
                    "'ray start --address HEAD:6379' on the others) and give its address, "
                    "or use --ray auto on a machine of the cluster.",
                ) from None
            self._started = True
        self._task = self.ray.remote(num_cpus=1, max_retries=1)(_scan_batch)

    @property
    def cpus(self) -> int:
        return max(1, int(self.ray.cluster_resources().get("CPU", 1)))

    def rows(self, paths: Sequence[Path], lists: ScanLists, job: Job) -> Iterator[Row]:
        ray = self.ray
        box = [ray.put(lists)]  # the broadcast: once per scan, read once per worker process
        limit = self.in_flight_per_cpu * self.cpus
        todo: list[list[str]] = [
            [str(p) for p in paths[i : i + self.batch]] for i in range(0, len(paths), self.batch)
        ]
        todo.reverse()  # popped from the end: the first batch goes first
        pending: dict[Any, tuple[list[str], bool]] = {}  # ref -> (paths, already a retry)
        retry: list[tuple[list[str], bool]] = []
        try:
            while True:
                while len(pending) < limit and not job.cancelled and (retry or todo):
                    chunk, single = retry.pop() if retry else (todo.pop(), False)
                    pending[self._task.remote(chunk, box)] = (chunk, single)
                if not pending:
                    return
                done, _ = ray.wait(list(pending), num_returns=1)
                for ref in done:
                    chunk, single = pending.pop(ref)
                    try:
                        rows: list[Row] = ray.get(ref)
                    except ray.exceptions.RayError:
                        # A worker died (a decoder crash) or the task failed: each of its files
                        # is tried once more on its own, and one that fails again is a row.
                        if single:
                            yield _stopped_row(chunk[0])
                        else:
                            retry.extend(([p], True) for p in reversed(chunk))
                        continue
                    yield from rows
        finally:
            for ref in pending:  # the caller stopped early: drop what has not finished
                ray.cancel(ref)

    def close(self) -> None:
        if self._started:
            self.ray.shutdown()
            self._started = False


def executor_for(ray: str | None, workers: int | None, batch: int = DEFAULT_BATCH) -> Executor:
    """The executor a command line asks for: Ray when an address is given (or ``local`` for a
    private Ray on this computer), one process when ``workers`` is 1, else the process pool."""
    if ray is not None:
        local = ray == "local"
        return RayCluster(None if local else ray, batch=batch, cpus=workers if local else None)
    if workers == 1:
        return InProcess()
    return ProcessPool(workers)


# --- the scan and its results file ----------------------------------------------------------


def header(reports: Sequence[ListReport], pdq_threshold: int) -> dict[str, Any]:
    """The first line of a results file: which lists and threshold its rows were made with."""
    return {
        "format": RESULTS_FORMAT,
        "pdq_threshold": pdq_threshold,
        "lists": [{"list": Path(r.name).name, "sha256": r.sha256} for r in reports],
    }


class ResultsFile:
    """A JSON-lines results file: a header line, then one row per file, each written and
    flushed as it finishes. Opening one to resume keeps its rows (a last line cut short by a
    kill is dropped) and refuses a file made with other lists or another threshold."""

    def __init__(self, path: Path, head: dict[str, Any], *, resume: bool) -> None:
        self.path = path
        self.rows: list[Row] = []
        self._fh: IO[str]
        if path.exists() and not resume:
            raise InvalidSetting(
                f"{path} already exists; the scan will not overwrite it.",
                "Add --resume to go on with the scan that file holds, or give a new file name.",
            )
        if path.exists():
            self.rows, good_bytes = self._read(path, head)
            self._fh = open(path, "r+", encoding="utf-8")  # noqa: SIM115 - closed in close()
            self._fh.truncate(good_bytes)
            self._fh.seek(good_bytes)
        else:
            fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, PRIVATE_FILE_MODE)
            self._fh = os.fdopen(fd, "w", encoding="utf-8")
            self._write(head)

    @staticmethod
    def _read(path: Path, head: dict[str, Any]) -> tuple[list[Row], int]:
        rows: list[Row] = []
        good = 0
        with open(path, "rb") as fh:
            lines = fh.read().split(b"\n")
        for number, raw in enumerate(lines[:-1], 1):  # the text after the last newline is cut
            try:
                record = json.loads(raw)
            except ValueError:
                raise InvalidSetting(
                    f"{path} line {number} is not a scan result; it cannot be resumed.",
                    "Give the results file of an earlier 'ncii-desk scan --jsonl', or a new "
                    "file name.",
                ) from None
            if number == 1:
                if not isinstance(record, dict) or record.get("format") != RESULTS_FORMAT:
                    raise InvalidSetting(
                        f"{path} is not a results file of 'ncii-desk scan'.",
                        "Give the results file of an earlier scan, or a new file name.",
                    )
                if record != head:
                    raise InvalidSetting(
                        f"{path} holds a scan against other hash lists or another PDQ "
                        "threshold; its rows cannot be mixed with this scan's.",
                        "Resume with the same --against lists and --pdq-threshold, or give a "
                        "new file name.",
                    )
            elif isinstance(record, dict) and isinstance(record.get("path"), str):
                rows.append(record)
            good += len(raw) + 1
        if good == 0:
            raise InvalidSetting(
                f"{path} has no header line; it is not a results file of 'ncii-desk scan'.",
                "Give a new file name.",
            )
        return rows, good

    def _write(self, record: dict[str, Any]) -> None:
        self._fh.write(json.dumps(record, ensure_ascii=False, sort_keys=True) + "\n")
        self._fh.flush()

    def add(self, row: Row) -> None:
        self._write(row)

    def close(self) -> None:
        if not self._fh.closed:
            self._fh.flush()
            os.fsync(self._fh.fileno())
            self._fh.close()


def scan(
    paths: Iterable[Path],
    lists: ScanLists,
    executor: Executor,
    job: Job | None = None,
    *,
    done: Iterable[str] = (),
) -> Iterator[Row]:
    """Rows for ``paths`` as they finish, skipping the paths in ``done`` (a resumed scan).

    Progress counts files of this run (``job.progress(done, total, "")``); a cancelled job
    stops handing out files and the rows in flight still come back whole.
    """
    job = job or Job()
    skip = set(done)
    todo = [p for p in paths if str(p) not in skip]
    for count, row in enumerate(executor.rows(todo, lists, job), 1):
        job.progress(count, len(todo), "")
        yield row
