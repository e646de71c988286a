"""Nothing readable at rest: a unique marker written into names, notes, URLs, audit details and
blob bytes must not appear, in any common encoding, in any file of the vault folder, the temp
dir or the user's data/cache/state/config dirs: neither while the vault is open (WAL present)
nor after it is closed.
"""

from __future__ import annotations

import base64
import codecs
import hashlib
import secrets
from collections.abc import Iterable
from pathlib import Path

import pytest
from sqlalchemy import select

from conftest import PASSPHRASE, fast_kdf
from ncii_desk.vault import Vault
from ncii_desk.vault.models import Blob, Capture, Case, EvidenceItem, Role, Source


def b64_fragments(data: bytes) -> list[bytes]:
    """The part of base64(prefix + data) fixed by ``data`` alone, for the 3 alignments."""
    out = []
    for shift in range(3):
        enc = base64.b64encode(b"\0" * shift + data)
        first = -(-8 * shift // 6)  # first character made only of data bits
        last = (8 * (shift + len(data)) - 6) // 6  # last such character
        out.append(enc[first : last + 1])
    return out


def needles(marker: str) -> dict[str, bytes]:
    raw = marker.encode()
    found: dict[str, bytes] = {
        "utf-8": raw,
        "utf-8-lower": marker.lower().encode(),
        "utf-16-le": marker.encode("utf-16-le"),
        "utf-16-be": marker.encode("utf-16-be"),
        "hex": raw.hex().encode(),
        "HEX": raw.hex().upper().encode(),
        "rot13": codecs.encode(marker, "rot13").encode(),
    }
    for i, fragment in enumerate(b64_fragments(raw)):
        found[f"base64-{i}"] = fragment
        found[f"base64url-{i}"] = fragment.replace(b"+", b"-").replace(b"/", b"_")
    for i, fragment in enumerate(b64_fragments(marker.encode("utf-16-le"))):
        found[f"base64-utf16-{i}"] = fragment
    return found


def scan(roots: Iterable[Path], marker: str) -> list[str]:
    """Every (file, encoding) where the marker shows up; file names are checked too."""
    forms = needles(marker)
    hits: list[str] = []
    seen: set[Path] = set()
    for root in roots:
        for path in sorted(root.rglob("*")):
            if path in seen:
                continue
            seen.add(path)
            for name, needle in forms.items():
                if needle.decode("latin-1") in str(path):
                    hits.append(f"{path} (name, {name})")
            if path.is_file() and not path.is_symlink():
                content = path.read_bytes()
                hits.extend(f"{path} ({name})" for name, n in forms.items() if n in content)
    return hits


@pytest.fixture
def marker() -> str:
    # Upper-case letters and digits only, long enough for every base64 alignment.
    return "NCIIMARK" + secrets.token_hex(8).upper() + "ZQX"


def test_scanner_finds_every_encoding(tmp_path: Path, marker: str) -> None:
    """Positive control: the scan below would see the marker if it were stored plainly."""
    forms = needles(marker)
    assert all(len(n) >= 16 for n in forms.values())
    for i, (name, _needle) in enumerate(forms.items()):
        folder = tmp_path / f"control-{i}"
        folder.mkdir()
        if name.startswith("base64-utf16"):
            payload = base64.b64encode(b"x" * (i % 3) + marker.encode("utf-16-le"))
        elif name.startswith("base64"):
            payload = base64.b64encode(b"x" * (i % 3) + marker.encode())
            if "url" in name:
                payload = base64.urlsafe_b64encode(b"x" * (i % 3) + marker.encode())
        else:
            payload = forms[name]
        (folder / "file.bin").write_bytes(b"junk " + payload + b" junk")
        assert scan([folder], marker), name
    named = tmp_path / f"named-{marker}"
    named.mkdir()
    assert any("(name, utf-8)" in hit for hit in scan([named.parent], marker))


def fill(vault: Vault, marker: str) -> tuple[str, bytes]:
    blob_bytes = (f"{marker} evidence bytes ".encode()) * 5000
    info = vault.blobs.put_bytes(blob_bytes)
    with vault.transaction() as s:
        case = Case(
            label=f"Case of {marker}",
            client_pseudonym=f"client {marker}",
            notes=f"Notes mentioning {marker}. " * 40,
            jurisdiction=marker,
        )
        s.add(case)
        s.flush()
        capture = Capture(
            case_id=case.id,
            url=f"https://example.invalid/{marker}/photo.jpg",
            final_url=f"https://cdn.example.invalid/{marker}.jpg",
            headers={"x-marker": marker},
            operator=marker,
        )
        s.add(capture)
        vault.store_blob(s, info)
        s.flush()
        s.add(
            EvidenceItem(
                case_id=case.id,
                role=Role.SUSPECT,
                source=Source.URL,
                blob_id=info.blob_id,
                size=info.size,
                mime="application/octet-stream",
                sha256=info.sha256,
                md5=hashlib.md5(blob_bytes).hexdigest(),
                original_filename=f"{marker}.jpg",
                label=marker,
                capture_id=capture.id,
            )
        )
        vault.audit(s, "case.created", object_id=case.id, details={"label": case.label})
        return case.id, blob_bytes


def test_nothing_readable_at_rest(
    vault_dir: Path, isolated_user_dirs: Path, tmp_path: Path, marker: str
) -> None:
    roots = [tmp_path, vault_dir, isolated_user_dirs]
    vault, recovery = Vault.create(vault_dir, PASSPHRASE, actor=marker, kdf=fast_kdf())
    try:
        case_id, blob_bytes = fill(vault, marker)
        # Open, with committed pages still in the write-ahead log.
        wal = vault_dir / "meta.db-wal"
        assert wal.is_file() and wal.stat().st_size > 0
        assert scan(roots, marker) == []
        assert vault.check().ok
        assert scan(roots, marker) == []
    finally:
        vault.close()
    assert scan(roots, marker) == []

    # The data really is in there (the scan did not pass because nothing was written).
    for kwargs in ({"passphrase": PASSPHRASE}, {"recovery_key": recovery}):
        with Vault.open(vault_dir, **kwargs) as reopened, reopened.session() as s:
            case = s.get(Case, case_id)
            assert case is not None and marker in case.notes and marker in case.label
            capture = s.scalars(select(Capture).where(Capture.case_id == case_id)).one()
            assert marker in capture.url
            item = s.scalars(select(EvidenceItem).where(EvidenceItem.case_id == case_id)).one()
            assert item.original_filename == f"{marker}.jpg"
            blob = s.get(Blob, item.blob_id)
            assert blob is not None
            assert reopened.read_blob(blob) == blob_bytes
            assert scan(roots, marker) == []
    assert scan(roots, marker) == []
