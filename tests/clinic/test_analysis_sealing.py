"""Analysis results are sealed with the case key on a clinic store (issue 19 §2, session 8).

``analyses.result`` holds the faces found in a picture (boxes, landmarks, 128-d
embeddings: biometric data about the people shown), the metadata read from a file
(generator parameters, EXIF), manipulation scores and the local features stored with the
hashes. Its rows name an item, not a case; the sealer finds the case through the item.

A small case (a reference photo, an original, suspects with a face, with generator
metadata, an edit of the original) is hashed, its reference faces listed and the case
analysed with the real models on a PostgreSQL clinic store opened by a member, then on a
laptop vault. The database is read the way its administrator would read it (no key): every
result is a token and no face, embedding or metadata text is in clear. The services read
back the same results as on the laptop vault.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import numpy as np
import pytest
import sealkit
import skimage.data
from modelkit import FACES_DIR, require_models
from PIL import Image, PngImagePlugin
from sqlalchemy import select, text

from ncii_desk.services import cases, intake
from ncii_desk.services.analysis import analyze_case
from ncii_desk.services.faces_gallery import list_reference_faces
from ncii_desk.services.matching import hash_items, match_case
from ncii_desk.vault.fields import is_token
from ncii_desk.vault.models import Analysis, EvidenceItem, Role
from ncii_desk.vision import faces as F

require_models("face_api_dlib_resnet/" + F.DLIB_FILE, "mesonet")
pytest.importorskip("onnxruntime")

#: Text of a generated picture's metadata; must never be in clear on the server.
MARK = "quillfeather"


@pytest.fixture
def clinic(clinic_url: str, tmp_path: Path) -> Any:
    made = sealkit.make_clinic(clinic_url, tmp_path)
    yield made
    made.close()


def _files(folder: Path) -> dict[str, Path]:
    folder.mkdir(parents=True, exist_ok=True)
    coffee = folder / "coffee.png"
    Image.fromarray(skimage.data.coffee()).save(coffee, "PNG")
    edited = skimage.data.coffee().copy()
    edited[100:220, 250:400] = (200, 60, 160)
    Image.fromarray(edited).save(folder / "edited.jpg", "JPEG", quality=85)
    info = PngImagePlugin.PngInfo()
    info.add_text(
        "parameters",
        f"a {MARK} by the sea\nSteps: 20, Sampler: Euler a, CFG scale: 7, Seed: 42, "
        "Size: 300x200, Model: sd_xl_base_1.0",
    )
    generated = folder / "generated.png"
    rgb = np.linspace(0, 255, 200 * 300 * 3).reshape(200, 300, 3).astype(np.uint8)
    Image.fromarray(rgb).save(generated, "PNG", pnginfo=info)
    return {
        "chirac1": FACES_DIR / "chirac1.jpg",
        "coffee": coffee,
        "chirac2": FACES_DIR / "chirac2.jpg",
        "generated": generated,
        "edited": folder / "edited.jpg",
    }


def _run(store: Any, folder: Path) -> dict[str, Any]:
    """The small case through hashing, the gallery, matching and analysis; returns the
    analysis results the services read back (keyed by file and kind, ids replaced)."""
    files = _files(folder)
    case = cases.new_case(store, "Analysis case")
    names: dict[str, str] = {}
    for name, role in (
        ("chirac1", Role.REFERENCE),
        ("coffee", Role.ORIGINAL),
        ("chirac2", Role.SUSPECT),
        ("generated", Role.SUSPECT),
        ("edited", Role.SUSPECT),
    ):
        added = intake.add_items(store, case.id, role, [files[name]])
        assert not added.errors, added.errors
        names[added.added[0].id] = name
        hash_items(store, added.sources, workers=1)
    photos = list_reference_faces(store, case.id)
    assert [len(p.faces) for p in photos] == [1]
    match_case(store, case.id)
    analyze_case(store, case.id)

    def ref(value: Any) -> Any:
        if isinstance(value, str) and value in names:
            return names[value]
        if isinstance(value, str) and len(value) == 32 and value.isalnum():
            return "ID"
        if isinstance(value, str):  # findings name items by their short id
            for item_id, name in names.items():
                value = value.replace(item_id[:12], name)
            return value
        if isinstance(value, dict):
            return {k: ref(v) for k, v in value.items() if k not in {"elapsed_ms", "at"}}
        if isinstance(value, list):
            return [ref(v) for v in value]
        return value

    with store.session() as s:
        rows = s.scalars(
            select(Analysis)
            .join(EvidenceItem, EvidenceItem.id == Analysis.item_id)
            .where(EvidenceItem.case_id == case.id)
        )
        found: dict[str, Any] = {}
        for a in rows:
            key = f"{names[a.item_id]}/{a.kind}/{a.producer}"
            found.setdefault(key, []).append(json.dumps(ref(a.result), sort_keys=True))
    return {key: sorted(values) for key, values in found.items()}


def _is_sealed(value: Any) -> bool:
    return isinstance(value, str) and is_token(value)


def test_analysis_results_are_sealed_and_read_back_as_on_a_laptop_vault(
    clinic: sealkit.Clinic,
    vault: Any,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("XDG_DATA_HOME", str(tmp_path / "data"))  # model cache
    alice = clinic.open_as("alice")
    on_clinic = _run(alice, tmp_path / "clinic")
    on_vault = _run(vault, tmp_path / "vault")
    assert on_clinic == on_vault
    assert alice.sealer.problems == []
    # The workflow reached what the column must protect (read through the services).
    everything = json.dumps(on_clinic)
    assert "embedding" in everything and "landmarks" in everything
    assert MARK in everything

    engine = clinic.raw()
    try:
        with engine.connect() as conn:
            stored = [v for (v,) in conn.execute(text("SELECT result::text FROM analyses"))]
            in_clear = conn.execute(
                text(
                    "SELECT count(*) FROM analyses a WHERE a::text LIKE '%embedding%' "
                    "OR a::text LIKE '%landmarks%' OR a::text LIKE :mark "
                    "OR a::text LIKE '%sd_xl_base%' OR a::text LIKE '%keypoints%'"
                ),
                {"mark": f"%{MARK}%"},
            ).scalar_one()
            kinds = {k for (k,) in conn.execute(text("SELECT DISTINCT kind FROM analyses"))}
    finally:
        engine.dispose()
    assert len(stored) >= 5 and len(kinds) >= 3, kinds
    not_sealed = [v[:60] for v in stored if not _is_sealed(json.loads(v))]
    assert not_sealed == []
    assert in_clear == 0
