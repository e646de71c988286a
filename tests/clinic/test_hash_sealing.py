"""Hash values on a clinic store are sealed unless the clinic allows server-side matching.

A workflow with file and perceptual hashes runs through the services on a real PostgreSQL
clinic store opened by a member: pictures added to two cases (a repost of the same bytes, a
hash-only file whose copy in the other case switches too), hashing, a hash list with PDQ,
SHA-256 and MD5 entries, matching, a match rejected and one confirmed (the banks), matching
of a second case that must honour the rejected pair, the case's hash list export and the
evidence packet's hash lines. The database is then read as its administrator would read it
(no key) and searched for every hash value; the same workflow on a laptop vault must give
the same results.
"""

from __future__ import annotations

import hashlib
import io
import secrets
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import numpy as np
import pytest
from capture_server import LocalServer, Route, page, photo_bytes, server, web
from PIL import Image
from sqlalchemy import create_engine, select, text

from conftest import PASSPHRASE, fast_kdf
from ncii_desk.capture.web import FetchOptions
from ncii_desk.clinic.hashseal import (
    CLINIC_SCOPE,
    HASH_COLUMNS,
    HashCipher,
    is_hash_token,
)
from ncii_desk.clinic.store import ClinicStore, engine_url, read_record
from ncii_desk.documents.packet.gather import gather
from ncii_desk.hashing import perceptual as ph
from ncii_desk.services import capture as cs
from ncii_desk.services import cases, intake
from ncii_desk.services.clinic import init_clinic_with_member
from ncii_desk.services.hashlists import export_case_hashes, import_hash_list
from ncii_desk.services.matching import hash_items, list_matches, match_case, review_match
from ncii_desk.vault.fields import FieldUnreadable
from ncii_desk.vault.models import BankEntry, Case, EvidenceItem, HashRecord, Role, Setting

__all__ = ["server", "web"]  # fixtures, used by name

skdata = pytest.importorskip("skimage.data")
T0 = datetime(2026, 6, 1, 9, 0, tzinfo=UTC)
FETCH = FetchOptions(
    connect_timeout=2.0, read_timeout=0.5, total_timeout=1.5, max_bytes=2_000_000, trust_env=False
)
OPTS = cs.CaptureOptions(fetch=FETCH)


def _photo(name: str) -> Any:
    return np.ascontiguousarray(getattr(skdata, name)()[..., :3])


def _jpg(pixels: Any, path: Path) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    buf = io.BytesIO()
    Image.fromarray(np.ascontiguousarray(pixels)).save(buf, format="JPEG", quality=90)
    path.write_bytes(buf.getvalue())
    return path


def _files(folder: Path) -> dict[str, Path]:
    """The workflow's files (the same bytes for both stores)."""
    if (folder / "done").exists():
        return {p.stem: p for p in folder.glob("*.jpg")}
    astronaut = _photo("astronaut")
    out = {
        "astronaut": _jpg(astronaut, folder / "astronaut.jpg"),
        "coffee": _jpg(_photo("coffee"), folder / "coffee.jpg"),
        "mirrored": _jpg(astronaut[:, ::-1], folder / "mirrored.jpg"),
        "rocket": _jpg(_photo("rocket"), folder / "rocket.jpg"),
        "chelsea": _jpg(_photo("chelsea"), folder / "chelsea.jpg"),
        "camera": _jpg(np.stack([_photo("camera")] * 3, axis=-1), folder / "camera.jpg"),
        "minor": _jpg(_photo("coffee")[::-1, :], folder / "minor.jpg"),
    }
    repost = folder / "repost.jpg"
    repost.write_bytes(out["coffee"].read_bytes())
    out["repost"] = repost
    (folder / "done").write_text("")
    return out


def _hash_list(folder: Path, files: dict[str, Path]) -> Path:
    """A clinic's list: rocket by PDQ, chelsea by SHA-256, camera by MD5."""
    rocket = ph.pdq(ph.reduce_for_hash(_photo("rocket"))).hex
    chelsea = hashlib.sha256(files["chelsea"].read_bytes()).hexdigest()
    camera = hashlib.md5(files["camera"].read_bytes(), usedforsecurity=False).hexdigest()
    path = folder / "clinic-list.csv"
    path.write_text(
        "kind,value,quality,label\n"
        f"pdq,{rocket},100,rocket\nsha256,{chelsea},,chelsea\nmd5,{camera},,camera\n"
    )
    return path


def _add(store: Any, case_id: str, role: Role, paths: list[Path], **kw: Any) -> Any:
    added = intake.add_items(store, case_id, role, paths, **kw)
    assert not added.errors, added.errors
    hash_items(store, added.sources, workers=1)
    return added


def workflow(store: Any, folder: Path, web: LocalServer) -> dict[str, Any]:
    """Everything the services read back, by file name (ids differ between stores)."""
    f = _files(folder)
    web.routes["/post"] = Route(page('<img src="/photo.jpg">'))
    web.routes["/photo.jpg"] = Route(
        photo_bytes(_photo("astronaut")[::-1, :]), content_type="image/jpeg"
    )
    a = cases.new_case(store, "Hash case A").id
    b = cases.new_case(store, "Hash case B").id
    _add(store, a, Role.ORIGINAL, [f["astronaut"], f["coffee"]])
    suspects = [f[n] for n in ("mirrored", "repost", "rocket", "chelsea", "camera")]
    _add(store, a, Role.SUSPECT, suspects)
    again = intake.add_items(store, a, Role.SUSPECT, [f["repost"]])
    _add(store, b, Role.ORIGINAL, [f["astronaut"]])
    _add(store, b, Role.SUSPECT, [f["minor"]])
    view, bad, _new = import_hash_list(store, _hash_list(folder, f), "clinic list")
    assert view.entry_count == 3 and bad == []
    clash = None
    try:
        import_hash_list(store, _hash_list(folder, f), "the same list again")
    except Exception as exc:
        clash = str(exc)
    (cap,) = cs.capture_urls(store, a, [web.url("/post")], options=OPTS).results
    assert cap.ok
    rechecked = cs.recheck_case(store, a, options=OPTS)
    match_case(store, a)
    names = _names(store)
    first = {(names[m.suspect_item_id], m.kind): m for m in list_matches(store, a)}
    review_match(store, first[("mirrored.jpg", "pdq-dihedral")].id, confirm=False)
    review_match(store, first[("repost.jpg", "pdq")].id, confirm=True)
    # Case B holds the same original and the same mirrored copy: the rejected pair is not
    # reported again (negative bank), whatever the case.
    _add(store, b, Role.SUSPECT, [f["mirrored"]])
    match_case(store, b)
    minor = intake.add_items(store, a, Role.SUSPECT, [f["minor"]], suspected_minor=True)
    assert not minor.errors, minor.errors
    names = _names(store)

    def matches(case_id: str) -> list[tuple[Any, ...]]:
        return sorted(
            (
                names[m.suspect_item_id],
                names.get(m.target_item_id or "", m.target_external),
                m.kind,
                m.review_state,
            )
            for m in list_matches(store, case_id)
        )

    out = io.StringIO()
    exported = export_case_hashes(store, a, "csv", out)
    with store.session() as s:
        banks = sorted(
            (e.bank, e.kind, e.suspect_value, e.target_value) for e in s.scalars(select(BankEntry))
        )
        packet = gather(s, s.get(Case, a), vault_id=store.vault_id, operator="tester", built_at=T0)
        lines = sorted(
            (
                ex.original_filename,
                ex.sha256,
                ex.md5,
                ex.duplicate_of is not None,
                sorted((h.kind, h.value, h.variant) for h in ex.hashes),
            )
            for ex in packet.exhibits
        )
        kept = sorted(
            (names[i.id], i.pixels_kept, None if i.duplicate_of is None else names[i.duplicate_of])
            for i in s.scalars(select(EvidenceItem))
        )
        # Whole rows (a column selected alone is read as stored: sealed on a clinic).
        values = {h.value for h in s.scalars(select(HashRecord).where(HashRecord.kind == "pdq"))}
    return {
        "again": [(Path(x.path).name, x.sha256) for x in again.already_in_case],
        "clash": clash,
        "matches_a": matches(a),
        "matches_b": matches(b),
        "switched": len(minor.copies_switched),
        "export": (exported, out.getvalue()),
        "banks": banks,
        "packet": lines,
        "items": kept,
        "pdq_count": len(values),
        "rechecks": [(r.outcome, r.content_sha256) for r in rechecked],
    }


def _names(store: Any) -> dict[str, str]:
    with store.session() as s:
        return {i.id: i.original_filename for i in s.scalars(select(EvidenceItem))}


def _secrets_of(store: Any, folder: Path) -> set[str]:
    """Every hash value of the workflow's files, as the services read them: file digests,
    and every perceptual hash stored (read through the member's store, so opened)."""
    out: set[str] = set()
    for path in _files(folder).values():
        data = path.read_bytes()
        out.add(hashlib.sha256(data).hexdigest())
        out.add(hashlib.md5(data, usedforsecurity=False).hexdigest())
    with store.session() as s:
        for h in s.scalars(select(HashRecord)):
            assert not is_hash_token(h.value)
            if len(h.value) >= 16:
                out.add(h.value.lower())
    return out


def _scan(url: str, wanted: set[str]) -> dict[str, set[str]]:
    """Table -> the wanted values found in any of its columns, read without any key. The
    audit log's event details are another helper's (caudit: sealed on the client); they
    are scanned by that one's test."""
    engine = create_engine(engine_url(url))
    found: dict[str, set[str]] = {}
    try:
        with engine.connect() as conn:
            tables = conn.execute(
                text(
                    "SELECT table_name FROM information_schema.tables "
                    "WHERE table_schema = current_schema()"
                )
            )
            for (table,) in list(tables):
                if table == "audit_events":
                    continue
                for (row,) in conn.execute(text(f"SELECT lower(t::text) FROM {table} t")):
                    hits = {v for v in wanted if v in row}
                    if hits:
                        found.setdefault(table, set()).update(hits)
    finally:
        engine.dispose()
    return found


def _stored(url: str, table: str, column: str) -> list[Any]:
    engine = create_engine(engine_url(url))
    try:
        with engine.connect() as conn:
            return [v for (v,) in conn.execute(text(f"SELECT {column} FROM {table}"))]
    finally:
        engine.dispose()


def test_no_hash_value_is_readable_on_the_server_after_a_realistic_workflow(
    clinic_store: Any, tmp_path: Path, web: LocalServer
) -> None:
    assert clinic_store.hash_sealing and not clinic_store.record.server_matching
    read = workflow(clinic_store, tmp_path / "files", web)
    assert read["matches_a"], "the workflow must reach matching"
    wanted = _secrets_of(clinic_store, tmp_path / "files")
    assert len(wanted) > 14  # 8 files' SHA-256 and MD5, and their PDQ/pHash values
    assert _scan(clinic_store.url, wanted) == {}
    # Every sealed column got values, each of them a token, so the scan looked at them.
    for table, columns in HASH_COLUMNS.items():
        for column in columns:
            values = [v for v in _stored(clinic_store.url, table, column) if v]
            if (table, column) != ("hash_list_entries", "variant") and (
                table,
                column,
            ) != ("hash_list_entries", "original"):
                assert values, f"{table}.{column} got no value in the workflow"
            assert all(is_hash_token(v) for v in values), f"{table}.{column} in clear"
    # The blob folder holds ciphertext only.
    for path in (tmp_path / "clinic-blobs").rglob("*"):
        if path.is_file():
            data = path.read_bytes().lower()
            assert not [v for v in wanted if v.encode() in data], path.name
    assert clinic_store.sealer.problems == []


def test_the_workflow_gives_the_same_results_on_a_laptop_vault_and_a_sealed_clinic(
    vault: Any, clinic_store: Any, tmp_path: Path, web: LocalServer
) -> None:
    laptop = workflow(vault, tmp_path / "files", web)
    clinic = workflow(clinic_store, tmp_path / "files", web)
    assert clinic == laptop
    # What the comparison covers really happened:
    assert [n for n, _ in laptop["again"]] == ["repost.jpg"]  # duplicate detection at intake
    assert laptop["clash"] and "already imported" in laptop["clash"]
    kinds = {(m[0], m[2]) for m in laptop["matches_a"]}
    assert ("mirrored.jpg", "pdq-dihedral") in kinds  # PDQ against the case's originals
    assert ("repost.jpg", "pdq") in kinds
    external = {m[1].split(":")[0] for m in laptop["matches_a"] if m[1].startswith("clinic")}
    assert external == {"clinic list"}
    listed = {m[0] for m in laptop["matches_a"] if m[1].startswith("clinic list")}
    assert listed == {"rocket.jpg", "chelsea.jpg", "camera.jpg"}  # PDQ, SHA-256, MD5 entries
    assert not [m for m in laptop["matches_b"] if m[2] == "pdq-dihedral"]  # negative bank
    assert laptop["switched"] == 1  # the hash-only file's copy in case B
    assert laptop["banks"] and all(len(b[2]) >= 32 for b in laptop["banks"])
    assert any(line[3] for line in laptop["packet"])  # the repost names its first copy
    assert [r[0] for r in laptop["rechecks"]] == ["still_up"] and laptop["rechecks"][0][1]


def test_tokens_differ_between_cases_and_columns_and_repeat_within_one(
    clinic_store: Any, tmp_path: Path
) -> None:
    picture = _jpg(_photo("coffee"), tmp_path / "coffee.jpg")
    twice = tmp_path / "again" / "coffee-again.jpg"
    twice.parent.mkdir()
    twice.write_bytes(picture.read_bytes())
    a = cases.new_case(clinic_store, "Token case A").id
    b = cases.new_case(clinic_store, "Token case B").id
    intake.add_items(clinic_store, a, Role.ORIGINAL, [picture])
    intake.add_items(clinic_store, a, Role.SUSPECT, [twice])
    intake.add_items(clinic_store, b, Role.ORIGINAL, [picture])
    engine = create_engine(engine_url(clinic_store.url))
    try:
        with engine.connect() as conn:
            rows = conn.execute(text("SELECT case_id, sha256, md5 FROM items")).all()
    finally:
        engine.dispose()
    in_a = {r.sha256 for r in rows if r.case_id == a}
    in_b = {r.sha256 for r in rows if r.case_id == b}
    assert len(in_a) == 1 and len(in_b) == 1  # equal within a case (lookups work)
    assert in_a != in_b  # unrelated between cases
    assert not in_a & {r.md5 for r in rows}  # and between columns
    digest = hashlib.sha256(picture.read_bytes()).hexdigest()
    with clinic_store.session() as s:
        assert {i.sha256 for i in s.scalars(select(EvidenceItem))} == {digest}
        [dup] = [i for i in s.scalars(select(EvidenceItem)) if i.role == Role.SUSPECT]
        assert dup.duplicate_of is not None


def test_a_sealed_hash_opens_back_and_refuses_another_scope_column_or_change() -> None:
    keys = {1: secrets.token_bytes(64), 2: secrets.token_bytes(64)}
    one = HashCipher("clinic-1", "a" * 32, keys)
    value = "f" * 64
    token = one.seal("items", "sha256", value)
    assert token == one.seal("items", "sha256", value)  # deterministic
    assert token.startswith(f"nh1.{'a' * 32}.2.") and value not in token
    assert one.open("items", "sha256", token) == value
    assert one.open("items", "sha256", one.seal("items", "sha256", value, 1)) == value
    assert len(set(one.probes("items", "sha256", value))) == 2  # one per key version
    assert one.seal("items", "md5", value) != token
    other = HashCipher("clinic-1", "b" * 32, keys)
    assert other.seal("items", "sha256", value).split(".")[3] != token.split(".")[3]
    with pytest.raises(FieldUnreadable, match=r"another case|not a sealed"):
        other.open("items", "sha256", token)
    relabelled = token.replace(f"{'a' * 32}", "b" * 32)
    with pytest.raises(FieldUnreadable, match="integrity"):
        other.open("items", "sha256", relabelled)
    with pytest.raises(FieldUnreadable, match="integrity"):
        one.open("items", "md5", token)
    body = token.split(".")[3]
    changed = token[: -len(body)] + ("A" if body[0] != "A" else "B") + body[1:]
    with pytest.raises(FieldUnreadable, match="integrity"):
        one.open("items", "sha256", changed)
    with pytest.raises(FieldUnreadable, match="version 3"):
        one.open("items", "sha256", token.replace(".2.", ".3.", 1))
    clinic = HashCipher("clinic-1", CLINIC_SCOPE, {1: keys[1]})
    assert clinic.seal("hash_list_entries", "value", value).startswith("nh1.clinic.1.")


def test_a_clinic_that_allows_server_matching_keeps_hash_values_in_clear(
    clinic_url: str, tmp_path: Path
) -> None:
    made = init_clinic_with_member(
        clinic_url,
        tmp_path / "blobs",
        "Matching Clinic",
        "First Member",
        PASSPHRASE,
        kdf=fast_kdf(),
        allow_server_matching=True,
    )
    assert made["server_matching"] is True
    store = ClinicStore.open_member(clinic_url, made["member_id"], passphrase=PASSPHRASE)
    try:
        assert store.sealing and not store.hash_sealing
        picture = _jpg(_photo("coffee"), tmp_path / "coffee.jpg")
        case = cases.new_case(store, "Clear hashes").id
        _add(store, case, Role.ORIGINAL, [picture])
    finally:
        store.close()
    digest = hashlib.sha256(picture.read_bytes()).hexdigest()
    assert _stored(clinic_url, "items", "sha256") == [digest]
    assert _stored(clinic_url, "blobs", "sha256") == [digest]
    assert not [v for v in _stored(clinic_url, "hashes", "value") if is_hash_token(v)]


def test_a_clinic_record_without_the_choice_counts_as_allowing_server_matching(
    clinic_store: Any,
) -> None:
    assert read_record(clinic_store.url).server_matching is False
    engine = create_engine(engine_url(clinic_store.url))
    try:
        with engine.begin() as conn:
            (value,) = conn.execute(
                select(Setting.value).where(Setting.key == "clinic.record")
            ).one()
            del value["server_matching"]
            conn.execute(
                Setting.__table__.update()
                .where(Setting.__table__.c.key == "clinic.record")
                .values(value=value)
            )
    finally:
        engine.dispose()
    assert read_record(clinic_store.url).server_matching is True


def test_clinic_server_init_and_info_state_the_choice(
    clinic_url: str, tmp_path: Path, cli: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("NCII_DESK_PASSPHRASE", PASSPHRASE)
    made = cli(
        "clinic-server",
        "init",
        "--db",
        clinic_url,
        "--blobs",
        str(tmp_path / "blobs"),
        "--name",
        "Matching Clinic",
        "--member-name",
        "Ada Advocate",
        "--allow-server-matching",
    )
    assert made.rc == 0, made.err
    assert "hash values:     in clear on the server" in made.out
    shown = cli("clinic-server", "info", "--db", clinic_url)
    assert shown.rc == 0 and "hash values: in clear on the server" in shown.out
    assert cli("clinic-server", "info", "--db", clinic_url, "--json").json()["server_matching"]


def test_clinic_server_init_seals_hash_values_unless_told(clinic_store: Any, cli: Any) -> None:
    shown = cli("clinic-server", "info", "--db", clinic_store.url)
    assert "hash values: sealed by the members' computers" in shown.out
    assert (
        cli("clinic-server", "info", "--db", clinic_store.url, "--json").json()["server_matching"]
        is False
    )
