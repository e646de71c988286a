"""The vault's stored thresholds decide matches wherever no threshold is given explicitly.

PDQ: a blurred, brightened copy of scikit-image's cat photo lies a few PDQ bits from the
original, and local features do not find it (too blurred), so only the PDQ threshold decides.
Faces: ../shared/testdata/faces (chirac1 and chirac2 are one person, similarity about
0.6-0.75; codait_luciano is another, about 0.16) with the real models from ../shared/models.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest
import skimage.data
from PIL import Image, ImageEnhance, ImageFilter
from sqlalchemy import select

from conftest import PASSPHRASE, SHARED
from ncii_desk.cli.main import main as cli_main
from ncii_desk.errors import InvalidSetting
from ncii_desk.hashing.defaults import PDQ_DEFAULT_THRESHOLD
from ncii_desk.services import cases, intake
from ncii_desk.services import settings as svc
from ncii_desk.services.items import list_items
from ncii_desk.services.matching import hash_items, list_matches, match_case
from ncii_desk.vault import Vault
from ncii_desk.vault.models import Analysis, AuditEvent, Role, Setting
from ncii_desk.vault.store import CaseStore

FACES_DIR = SHARED / "testdata" / "faces"


def _store_raw(vault: Vault, value: object) -> None:
    """A thresholds row as another version, or a hand edit, could have left it."""
    with vault.transaction() as s:
        row = s.get(Setting, svc.THRESHOLDS_KEY)
        if row is None:
            s.add(Setting(key=svc.THRESHOLDS_KEY, value=value))
        else:
            row.value = value


def test_defaults_set_reset_and_invalid_values(store: CaseStore) -> None:
    defaults = svc.thresholds(store)
    assert defaults.pdq_distance == PDQ_DEFAULT_THRESHOLD and defaults.warnings == []
    assert svc.FACE_RANGE[0] <= defaults.face_similarity <= svc.FACE_RANGE[1]

    assert svc.set_threshold(store, "thresholds.pdq_distance", "12").pdq_distance == 12
    changed = svc.set_threshold(store, "face_similarity", 0.55)
    assert (changed.pdq_distance, changed.face_similarity) == (12, 0.55)
    assert svc.thresholds(store) == changed
    for name, bad in (
        ("pdq_distance", "81"),
        ("pdq_distance", "-1"),
        ("pdq_distance", "12.5"),
        ("pdq_distance", "many"),
        ("face_similarity", "0.1"),
        ("face_similarity", "0.95"),
        ("face_similarity", "nan"),
        ("faces", "0.5"),
    ):
        with pytest.raises(InvalidSetting):
            svc.set_threshold(store, name, bad)
    assert svc.thresholds(store) == changed  # nothing stored by a refused value

    # A stored value that is not valid gives the default and a warning, never a crash.
    _store_raw(store, {"pdq_distance": 500, "face_similarity": "high"})
    fallback = svc.thresholds(store)
    assert (fallback.pdq_distance, fallback.face_similarity) == (
        defaults.pdq_distance,
        defaults.face_similarity,
    )
    assert len(fallback.warnings) == 2 and "pdq_distance" in fallback.warnings[0]
    _store_raw(store, {"pdq_distance": 20, "face_similarity": True})
    mixed = svc.thresholds(store)
    assert mixed.pdq_distance == 20 and mixed.face_similarity == defaults.face_similarity
    assert len(mixed.warnings) == 1

    assert svc.reset_thresholds(store) == defaults
    assert svc.thresholds(store) == defaults
    with store.session() as s:
        actions = [
            e.action
            for e in s.scalars(select(AuditEvent).where(AuditEvent.object_id == svc.THRESHOLDS_KEY))
        ]
    assert actions == ["setting.changed", "setting.changed", "setting.reset"]


def _far_copy(path: Path) -> Path:
    cat = Image.fromarray(skimage.data.chelsea()).filter(ImageFilter.GaussianBlur(12))
    ImageEnhance.Brightness(cat).enhance(1.5).save(path, quality=85)
    return path


def _intake(vault: Vault, label: str, original: Path, suspect: Path) -> tuple[str, list[str]]:
    """A case with one original and one suspect, added and hashed as `ncii-desk add` does."""
    case = cases.new_case(vault, label)
    warnings: list[str] = []
    for role, path in ((Role.ORIGINAL, original), (Role.SUSPECT, suspect)):
        result = intake.add_items(vault, case.id, role, [path])
        assert not result.errors, result.errors
        report = hash_items(vault, result.sources, workers=1)
        assert not report.errors, report.errors
        warnings += report.warnings
    return case.id, warnings


def test_a_stored_stricter_pdq_threshold_stops_a_far_match_on_intake(
    store: CaseStore, tmp_path: Path
) -> None:
    original = tmp_path / "cat.png"
    Image.fromarray(skimage.data.chelsea()).save(original)
    suspect = _far_copy(tmp_path / "found.jpg")

    first, warnings = _intake(store, "Default thresholds", original, suspect)
    (match,) = list_matches(store, first)
    assert match.kind == "pdq" and match.threshold == PDQ_DEFAULT_THRESHOLD
    assert match.distance is not None and warnings == []
    distance = int(match.distance)
    assert 1 <= distance <= PDQ_DEFAULT_THRESHOLD  # a copy a few bits away, as intended

    svc.set_threshold(store, "pdq_distance", distance - 1)
    stricter, _ = _intake(store, "Stricter", original, suspect)
    assert list_matches(store, stricter) == []  # not recorded at all (no other method finds it)
    assert match_case(store, stricter) == []

    svc.set_threshold(store, "pdq_distance", distance)
    exact, _ = _intake(store, "Just enough", original, suspect)
    (just,) = list_matches(store, exact)
    assert (just.kind, just.distance, just.threshold) == ("pdq", distance, distance)

    # An explicit threshold still wins over the stored one.
    assert match_case(store, stricter, pdq_threshold=distance)[0].threshold == distance

    # A damaged stored value: the default decides, and the result says so.
    _store_raw(store, {"pdq_distance": "twelve"})
    fallback, warnings = _intake(store, "Damaged setting", original, suspect)
    (again,) = list_matches(store, fallback)
    assert again.threshold == PDQ_DEFAULT_THRESHOLD
    assert warnings and all("pdq_distance" in w for w in warnings)


def _cli(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str, str]:
    capsys.readouterr()
    try:
        rc = cli_main(list(argv))
    except SystemExit as exc:  # argparse: usage errors
        rc = exc.code if isinstance(exc.code, int) else 1
    out, err = capsys.readouterr()
    return rc, out, err


def test_settings_command(
    vault_dir: Path,
    new_vault: tuple[Vault, str],
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    new_vault[0].close()
    monkeypatch.setenv("NCII_DESK_VAULT", str(vault_dir))
    monkeypatch.setenv("NCII_DESK_PASSPHRASE", PASSPHRASE)
    defaults = svc.Thresholds.defaults().as_dict()

    rc, out, err = _cli(capsys, "settings", "show", "--json")
    assert rc == 0, err
    shown = json.loads(out)
    assert shown["requests"]["followup_recheck_max_age_hours"] == 24
    del shown["requests"]
    assert shown == {"thresholds": defaults, "defaults": defaults, "warnings": []}
    rc, out, err = _cli(capsys, "settings", "set", "requests.time_zone", "America/New_York")
    assert rc == 0, err
    assert "requests.time_zone         America/New_York" in out

    rc, out, err = _cli(capsys, "settings", "set", "thresholds.pdq_distance", "20", "--json")
    assert rc == 0, err
    assert json.loads(out)["thresholds"] == defaults | {"pdq_distance": 20}
    rc, out, err = _cli(capsys, "settings", "set", "thresholds.face_similarity", "0.5")
    assert rc == 0, err
    assert "thresholds.pdq_distance    20" in out and "thresholds.face_similarity 0.5" in out

    rc, out, err = _cli(capsys, "settings", "set", "thresholds.pdq_distance", "99", "--json")
    assert rc == 2 and json.loads(out)["error"] == "InvalidSetting"
    assert "0 to 80" in json.loads(out)["hint"]
    rc, out, err = _cli(capsys, "settings", "set", "thresholds.colour", "1")
    assert rc == 2 and "invalid choice" in err

    rc, out, err = _cli(capsys, "settings", "reset", "--json")
    assert rc == 0 and json.loads(out)["thresholds"] == defaults

    vault = Vault.open(vault_dir, passphrase=PASSPHRASE)
    try:
        _store_raw(vault, {"pdq_distance": 300})
    finally:
        vault.close()
    rc, out, err = _cli(capsys, "settings", "show")
    assert rc == 0 and f"thresholds.pdq_distance    {PDQ_DEFAULT_THRESHOLD}" in out
    assert "warning: The stored threshold 'pdq_distance' (300) is not valid" in err


# --- faces -----------------------------------------------------------------------------------


@pytest.fixture
def face_case(store: CaseStore) -> str:
    pytest.importorskip("onnxruntime")
    if not FACES_DIR.is_dir():
        pytest.skip(f"test photos not available ({FACES_DIR} is absent)")
    from ncii_desk.errors import NciiDeskError
    from ncii_desk.services.faces_gallery import face_models

    try:
        face_models()
    except NciiDeskError as exc:
        pytest.skip(f"face models not available: {exc.message}")
    case = cases.new_case(store, "Face thresholds")
    for role, names in (
        (Role.REFERENCE, ["chirac1.jpg"]),
        (Role.SUSPECT, ["chirac2.jpg", "codait_luciano.png"]),
    ):
        result = intake.add_items(store, case.id, role, [FACES_DIR / n for n in names])
        assert not result.errors, result.errors
    return case.id


def _face_rows(vault: Vault, case_id: str) -> dict[str, tuple[float, bool]]:
    """Per suspect file: (threshold recorded in its faces row, whether a face matched)."""
    out: dict[str, tuple[float, bool]] = {}
    for item in list_items(vault, case_id, Role.SUSPECT):
        with vault.session() as s:
            rows = list(
                s.scalars(
                    select(Analysis)
                    .where(Analysis.item_id == item.id, Analysis.kind == "faces")
                    .order_by(Analysis.created_at.desc())
                )
            )
        assert rows, item.original_filename
        result = rows[0].result
        faces = [f for frame in result.get("frames", [result]) for f in frame.get("faces", [])]
        out[item.original_filename] = (
            float(rows[0].thresholds["face_match"]),
            any(f["match"] for f in faces),
        )
    return out


def test_a_stored_face_threshold_changes_the_face_match_decision(
    store: CaseStore, face_case: str
) -> None:
    from ncii_desk.services.analysis import FACE_MATCH_KIND, analyze_case

    svc.set_threshold(store, "face_similarity", 0.9)
    strict = analyze_case(store, face_case, classifiers=[])
    assert strict.problems == []
    assert _face_rows(store, face_case) == {
        "chirac2.jpg": (0.9, False),
        "codait_luciano.png": (0.9, False),
    }
    assert [m for m in list_matches(store, face_case) if m.kind == FACE_MATCH_KIND] == []

    svc.set_threshold(store, "face_similarity", 0.5)
    looser = analyze_case(store, face_case, classifiers=[])
    assert looser.new_matches == 1
    assert _face_rows(store, face_case) == {
        "chirac2.jpg": (0.5, True),
        "codait_luciano.png": (0.5, False),
    }
    (face,) = [m for m in list_matches(store, face_case) if m.kind == FACE_MATCH_KIND]
    assert face.threshold == 0.5 and face.score is not None and 0.5 <= face.score < 0.9

    # A damaged stored value: the default is used and the report names the problem.
    _store_raw(store, {"face_similarity": 7})
    fallback = analyze_case(store, face_case, classifiers=[])
    assert [p["error"] for p in fallback.problems] == ["InvalidSetting"]
    assert "face_similarity" in fallback.problems[0]["message"]
    default = svc.Thresholds.defaults().face_similarity
    assert {t for t, _m in _face_rows(store, face_case).values()} == {default}
