"""The vault tamper suite: damage a real vault in many ways and record what the app says.

Used by tests/integration/test_vault_tamper_suite.py (a CI-sized sample) and by
bench/tamper_suite.py (the full run that prints the figures).

One reference vault is built (the real Argon2id at the vault's minimum of 64 MiB, real
SQLCipher, chunked blobs); every case works on a fresh copy of its folder:

* single-bit flips at random offsets of every file: both header copies, meta.db, audit.head
  and every blob file (seeded, so a run can be repeated);
* truncations of every file (to nothing, to half, by one byte; a blob at a chunk boundary,
  meta.db at a page boundary);
* deletion of every file;
* rollbacks to an older copy: meta.db alone, audit.head alone, both together.

Each case then unlocks the vault, runs the full check and reads back every stored file and
every case note through the vault's API. A case is *detected* when an error, a check problem,
a reported repair or a warning names the damaged file; *released garbage* counts every read
that returned bytes other than the ones stored (must be zero).

The passphrase key is derived once per KDF parameter set and reused (``reuse_passphrase_key``)
since every case has the same header: the damage under test is in the files, not in Argon2id.
"""

from __future__ import annotations

import contextlib
import random
import secrets
import shutil
import time
from collections import Counter
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path

from sqlalchemy import select

from ncii_desk.errors import NciiDeskError, VaultCorrupt
from ncii_desk.vault import KdfParams, Vault, keys
from ncii_desk.vault.blobs import HEADER_BYTES, MIN_CHUNK_SIZE, TAG_BYTES
from ncii_desk.vault.db import PAGE_SIZE
from ncii_desk.vault.models import Blob, Case

PASSPHRASE = "tamper suite passphrase, long enough"


def flip_bit(path: Path, offset: int, bit: int = 0) -> None:
    raw = bytearray(path.read_bytes())
    raw[offset] ^= 1 << bit
    path.write_bytes(bytes(raw))


def store_blob(vault: Vault, data: bytes) -> Blob:
    info = vault.blobs.put_bytes(data)
    with vault.transaction() as s:
        row = vault.store_blob(s, info)
        vault.audit(s, "blob.stored", object_id=info.blob_id, details={"size": info.size})
    return row


@contextlib.contextmanager
def reuse_passphrase_key() -> Iterator[None]:
    """Derive each (passphrase, parameters) key once with the real Argon2id, then reuse it."""
    real = keys.derive_passphrase_key
    cache: dict[tuple[str, KdfParams], bytes] = {}

    def cached(passphrase: str, params: KdfParams) -> bytes:
        if (passphrase, params) not in cache:
            cache[(passphrase, params)] = real(passphrase, params)
        return cache[(passphrase, params)]

    keys.derive_passphrase_key = cached
    try:
        yield
    finally:
        keys.derive_passphrase_key = real


# --- the reference vault --------------------------------------------------------------------


@dataclass
class Reference:
    root: Path
    #: The same vault before its last changes (for rollbacks).
    older: Path
    blobs: dict[str, bytes]
    notes: dict[str, str]

    def files(self) -> list[str]:
        """Every file of the vault that holds data (the lock file holds none)."""
        return sorted(
            p.relative_to(self.root).as_posix()
            for p in self.root.rglob("*")
            if p.is_file() and p.name != "vault.lock"
        )


def _add_cases(vault: Vault, n: int, notes: dict[str, str]) -> None:
    with vault.transaction() as s:
        for i in range(n):
            case = Case(label=f"case {len(notes) + i}", notes="note " + secrets.token_hex(300))
            s.add(case)
            s.flush()
            notes[case.id] = case.notes or ""
            vault.audit(s, "case.created", object_id=case.id)


def build_reference(base: Path) -> Reference:
    root, older = base / "vault", base / "older"
    kdf = KdfParams(
        memory_kib=keys.MIN_MEMORY_KIB, time_cost=1, parallelism=2, salt=secrets.token_bytes(16)
    )
    blobs: dict[str, bytes] = {}
    notes: dict[str, str] = {}
    vault, _ = Vault.create(root, PASSPHRASE, kdf=kdf, actor="tamper-suite")
    vault.blobs.chunk_size = MIN_CHUNK_SIZE  # several chunks per blob at a small size
    with vault:
        for size in (100, 3 * MIN_CHUNK_SIZE + 500):
            data = secrets.token_bytes(size)
            blobs[store_blob(vault, data).id] = data
        _add_cases(vault, 40, notes)
    shutil.copytree(root, older)
    with Vault.open(root, passphrase=PASSPHRASE, actor="tamper-suite") as vault:
        vault.blobs.chunk_size = MIN_CHUNK_SIZE
        data = secrets.token_bytes(2 * MIN_CHUNK_SIZE)  # exactly two full chunks
        blobs[store_blob(vault, data).id] = data
        _add_cases(vault, 10, notes)
    return Reference(root, older, blobs, notes)


# --- the cases ------------------------------------------------------------------------------


@dataclass
class TamperCase:
    kind: str  # flip, truncate, delete, rollback
    target: str  # the file damaged ("meta.db+audit.head" for a joint rollback)
    detail: str
    apply: Callable[[Path], None]


def _truncate(rel: str, size: int) -> Callable[[Path], None]:
    def apply(root: Path) -> None:
        with open(root / rel, "r+b") as fh:
            fh.truncate(size)

    return apply


def _kind_of(rel: str) -> str:
    return "blob" if rel.startswith("blobs/") else rel


def plan(ref: Reference, flips: int, seed: int = 12) -> list[TamperCase]:
    """``flips`` single-bit flips spread over every file, then truncations, deletions and
    rollbacks of every file."""
    rng = random.Random(seed)
    files = ref.files()
    sizes = {rel: (ref.root / rel).stat().st_size for rel in files}
    # Share of the flips: a third to meta.db, the rest evenly over the other files.
    share = {rel: 1.0 for rel in files}
    share["meta.db"] = max(1.0, (len(files) - 1) / 2)
    total = sum(share.values())
    counts = {rel: max(1, round(flips * share[rel] / total)) for rel in files}
    while sum(counts.values()) < flips:
        counts["meta.db"] += 1
    cases: list[TamperCase] = []
    for rel in files:
        for _ in range(counts[rel]):
            offset, bit = rng.randrange(sizes[rel]), rng.randrange(8)

            def apply(root: Path, rel: str = rel, offset: int = offset, bit: int = bit) -> None:
                flip_bit(root / rel, offset, bit)

            cases.append(TamperCase("flip", rel, f"offset {offset} bit {bit}", apply))
    for rel in files:
        size = sizes[rel]
        cuts = {0: "to nothing", size // 2: "to half", size - 1: "by one byte"}
        if rel == "meta.db":
            cuts[size - PAGE_SIZE] = "by one page"
            cuts[size - PAGE_SIZE // 2] = "in the middle of the last page"
        if rel.startswith("blobs/") and size > HEADER_BYTES + MIN_CHUNK_SIZE + TAG_BYTES:
            cuts[HEADER_BYTES + MIN_CHUNK_SIZE + TAG_BYTES] = "at a chunk boundary"
            cuts[size - TAG_BYTES] = "its last tag"
        for cut, words in sorted(cuts.items()):
            cases.append(
                TamperCase("truncate", rel, f"{words} ({cut} of {size} bytes)", _truncate(rel, cut))
            )
        cases.append(
            TamperCase("delete", rel, "deleted", lambda root, rel=rel: (root / rel).unlink())
        )

    def rollback(*names: str) -> Callable[[Path], None]:
        def apply(root: Path) -> None:
            for name in names:
                shutil.copy2(ref.older / name, root / name)

        return apply

    cases.append(TamperCase("rollback", "meta.db", "older meta.db", rollback("meta.db")))
    cases.append(TamperCase("rollback", "audit.head", "older audit.head", rollback("audit.head")))
    cases.append(
        TamperCase(
            "rollback",
            "meta.db+audit.head",
            "older meta.db and audit.head together (newer stored files present)",
            rollback("meta.db", "audit.head"),
        )
    )
    return cases


# --- running a case -------------------------------------------------------------------------

#: How a case was answered, strongest first.
ERROR, PROBLEM, REPAIRED, WARNING, MISSED = (
    "unlock refused with a specific error",
    "vault check problem",
    "repaired, reported and audited",
    "reported as a warning only",
    "NOT DETECTED",
)


@dataclass
class Outcome:
    case: TamperCase
    how: str
    said: str
    garbage: list[str] = field(default_factory=list)

    @property
    def detected(self) -> bool:
        return self.how != MISSED


def _names(target: str, *texts: str | None) -> bool:
    parts = target.split("+")
    return any(t is not None and any(p in t for p in parts) for t in texts)


def run_case(ref: Reference, case: TamperCase, work: Path) -> Outcome:
    if work.exists():
        shutil.rmtree(work)
    shutil.copytree(ref.root, work)
    case.apply(work)
    try:
        vault = Vault.open(work, passphrase=PASSPHRASE, actor="tamper-suite")
    except VaultCorrupt as exc:
        said = f"{type(exc).__name__} {exc.file} [{exc.entry}]: {exc.message}"
        how = ERROR if _names(case.target, exc.file, exc.message) else MISSED
        return Outcome(case, how, said)
    except NciiDeskError as exc:
        return Outcome(case, MISSED, f"{type(exc).__name__}: {exc.message}")
    garbage: list[str] = []
    with vault:
        report = vault.check()
        # Read back everything the database lists: each read is the stored bytes or an error.
        try:
            with vault.session() as s:
                rows = list(s.scalars(select(Blob)))
                notes = {c.id: c.notes for c in s.scalars(select(Case))}
        except VaultCorrupt:
            rows, notes = [], {}
        for row in rows:
            try:
                data = vault.read_blob(row)
            except VaultCorrupt:
                continue
            if ref.blobs.get(row.id) != data:
                garbage.append(f"blob {row.id}: {len(data)} bytes not as stored")
        for case_id, text in notes.items():
            if ref.notes.get(case_id) != text:
                garbage.append(f"case {case_id}: notes not as stored")
    problems = [p for p in report.problems if _names(case.target, p.file, p.message)]
    repairs = [r for r in report.repairs if _names(case.target, r.file)]
    warnings = [w for w in report.warnings if _names(case.target, w) or "quarantine" in w]
    if problems:
        p = problems[0]
        return Outcome(case, PROBLEM, f"{p.file} [{p.entry}]: {p.message}", garbage)
    if repairs:
        r = repairs[0]
        return Outcome(case, REPAIRED, f"{r.file} [{r.entry}]: {r.damage}; {r.action}", garbage)
    if warnings:
        return Outcome(case, WARNING, warnings[0], garbage)
    return Outcome(case, MISSED, "vault check OK", garbage)


@dataclass
class SuiteResult:
    outcomes: list[Outcome]
    seconds: float

    def table(self) -> list[tuple[str, str, int, int, int, int]]:
        """(kind, file kind, tried, detected, of them as warning only, garbage reads)."""
        rows: dict[tuple[str, str], Counter[str]] = {}
        for o in self.outcomes:
            c = rows.setdefault((o.case.kind, _kind_of(o.case.target)), Counter())
            c["tried"] += 1
            c["detected"] += o.detected
            c["warning"] += o.how == WARNING
            c["garbage"] += len(o.garbage)
        return [
            (kind, target, c["tried"], c["detected"], c["warning"], c["garbage"])
            for (kind, target), c in sorted(rows.items())
        ]


def run_suite(
    base: Path,
    flips: int,
    seed: int = 12,
    progress: Callable[[int, int], None] | None = None,
) -> SuiteResult:
    start = time.perf_counter()
    with reuse_passphrase_key():
        ref = build_reference(base / "reference")
        cases = plan(ref, flips, seed)
        outcomes = []
        for i, case in enumerate(cases, 1):
            outcomes.append(run_case(ref, case, base / "work"))
            if progress is not None:
                progress(i, len(cases))
    return SuiteResult(outcomes, time.perf_counter() - start)
