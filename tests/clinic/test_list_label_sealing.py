"""A hash list entry's label is sealed with the clinic field key on a clinic store (session 8).

Labels of a clinic's hash lists often name the person a picture shows. Entries go in
through the bulk path (``COPY`` on PostgreSQL), which now seals a non-empty label as the
ORM path does; matching still reads the label (into the match's details) as on a laptop
vault. The database is read without keys.
"""

from __future__ import annotations

import hashlib
import io
from pathlib import Path
from typing import Any

import numpy as np
from PIL import Image
from sqlalchemy import create_engine, text

from ncii_desk.clinic.store import engine_url
from ncii_desk.services import cases, intake
from ncii_desk.services.hashlists import import_hash_list
from ncii_desk.services.matching import hash_items, list_matches, match_case
from ncii_desk.vault.fields import is_token
from ncii_desk.vault.models import Role

MARK = "Marisol Quintaverde"


def _png(path: Path, seed: int) -> Path:
    rng = np.random.default_rng(seed)
    blocks = rng.integers(0, 256, size=(12, 12, 3), dtype=np.uint8)
    buf = io.BytesIO()
    Image.fromarray(np.kron(blocks, np.ones((24, 24, 1), dtype=np.uint8))).save(buf, "PNG")
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(buf.getvalue())
    return path


def _run(store: Any, folder: Path) -> list[tuple[str, str | None, Any]]:
    suspect = _png(folder / "suspect.png", 5)
    listed = folder / "list.csv"
    other = "ab" * 32
    listed.write_text(
        "kind,value,quality,label\n"
        f"sha256,{hashlib.sha256(suspect.read_bytes()).hexdigest()},,{MARK}\n"
        f"sha256,{other},,\n"
    )
    view, bad, _ = import_hash_list(store, listed, "clinic list")
    assert view.entry_count == 2 and bad == []
    case = cases.new_case(store, "Label case")
    added = intake.add_items(store, case.id, Role.SUSPECT, [suspect])
    assert not added.errors
    hash_items(store, added.sources, workers=1)
    match_case(store, case.id)
    return sorted(
        (m.kind, m.details.get("list"), m.details.get("label"))
        for m in list_matches(store, case.id)
        if m.details.get("list")
    )


def test_list_labels_are_sealed_and_matching_still_reads_them(
    clinic_store: Any, vault: Any, tmp_path: Path
) -> None:
    on_clinic = _run(clinic_store, tmp_path / "clinic")
    assert on_clinic == _run(vault, tmp_path / "vault")
    assert [label for _, _, label in on_clinic] == [MARK]
    assert clinic_store.sealer.problems == []
    engine = create_engine(engine_url(clinic_store.url))
    try:
        with engine.connect() as conn:
            labels = [v for (v,) in conn.execute(text("SELECT label FROM hash_list_entries"))]
            in_clear = conn.execute(
                text("SELECT count(*) FROM hash_list_entries e WHERE e::text LIKE :m"),
                {"m": "%Quintaverde%"},
            ).scalar_one()
    finally:
        engine.dispose()
    assert sorted(bool(v) for v in labels) == [False, True]  # an empty label stays empty
    assert all(is_token(v) for v in labels if v)
    assert in_clear == 0
