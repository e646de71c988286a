"""In-case matching compares a suspect with the feature index's candidates only, and each
suspect x original pair once (recorded in the vault, so a reopened vault does not redo it)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import numpy as np
import pytest
from PIL import Image

from conftest import PASSPHRASE
from ncii_desk.hashing.feature_index import DEFAULT_CANDIDATES
from ncii_desk.services import cases, intake, matching
from ncii_desk.services.matching import MatchStats, match_case
from ncii_desk.vault import Vault
from ncii_desk.vault.models import Role
from ncii_desk.vault.store import CaseStore
from tests.unit.test_feature_index import generated

skdata = pytest.importorskip("skimage.data")

GENERATED_ORIGINALS = 9  # with 3 photos: 12 originals, three times DEFAULT_CANDIDATES


def _save(pixels: np.ndarray[Any, Any], path: Path) -> Path:
    Image.fromarray(np.ascontiguousarray(pixels)).save(path)
    return path


def _add(vault: Vault, case_id: str, role: Role, paths: list[Path]) -> dict[str, str]:
    """Add and hash items without matching (the test matches with statistics itself)."""
    added = intake.add_items(vault, case_id, role, paths)
    report = matching.hash_missing(vault, case_id, match=False)
    assert report.errors == [] and report.hashed == len(paths)
    return {v.original_filename: v.id for v in added.added}


def _match(vault: Vault, case_id: str, **kwargs: Any) -> tuple[list[Any], MatchStats]:
    stats = MatchStats()
    return match_case(vault, case_id, stats=stats, **kwargs), stats


def test_suspects_are_verified_against_candidates_and_each_pair_once(
    vault: Vault, vault_dir: Path, tmp_path: Path
) -> None:
    case_id = cases.new_case(vault, "many originals").id
    paths = [
        _save(getattr(skdata, name)(), tmp_path / f"{name}.png")
        for name in ("astronaut", "coffee", "rocket")
    ]
    paths += [
        _save(generated(i), tmp_path / f"generated-{i}.png") for i in range(GENERATED_ORIGINALS)
    ]
    ids = _add(vault, case_id, Role.ORIGINAL, paths)
    originals = len(paths)
    coffee = skdata.coffee()

    # An off-centre crop: no hash matches, local features do.
    crop = _add(vault, case_id, Role.SUSPECT, [_save(coffee[40:380, 120:560], tmp_path / "c.png")])
    found, stats = _match(vault, case_id)
    assert [(m.target_item_id, m.kind) for m in found] == [(ids["coffee.png"], "local-features")]
    assert (stats.suspects, stats.pairs_compared, stats.pairs_already_compared) == (1, originals, 0)
    # The verifier ran on the index's candidates only, not on every original.
    assert 1 <= stats.verified == stats.candidates <= DEFAULT_CANDIDATES < originals

    # A second suspect: only its pairs are compared; the first suspect's are not redone.
    turned = np.ascontiguousarray(np.rot90(skdata.rocket()[:, 100:]))
    more = _add(vault, case_id, Role.SUSPECT, [_save(turned, tmp_path / "turned.png")])
    found, stats = _match(vault, case_id)
    assert [m.target_item_id for m in found] == [ids["rocket.png"]]
    assert (stats.suspects, stats.pairs_compared) == (1, originals)
    assert stats.pairs_already_compared == originals
    assert stats.verified <= DEFAULT_CANDIDATES

    # A new original: every suspect is compared with it, and with nothing else.
    new = _add(vault, case_id, Role.ORIGINAL, [_save(skdata.chelsea(), tmp_path / "cat.png")])
    found, stats = _match(vault, case_id)
    assert found == []
    assert (stats.suspects, stats.pairs_compared) == (2, 2)
    assert stats.pairs_already_compared == 2 * originals
    assert stats.verified <= 2

    # Matching again, even after the vault is closed and opened again: nothing to compare.
    vault.close()
    again = Vault.open(vault_dir, passphrase=PASSPHRASE, actor="test-advocate")
    try:
        found, stats = _match(again, case_id)
        assert found == []
        assert (stats.pairs_compared, stats.verified, stats.index_builds) == (0, 0, 0)
        assert stats.pairs_already_compared == 2 * (originals + 1)

        # Another threshold changes what a hash comparison finds: every pair again.
        found, stats = _match(again, case_id, pdq_threshold=20)
        assert (stats.pairs_compared, stats.pairs_already_compared) == (2 * (originals + 1), 0)
        assert found == []  # the matches found before are kept, not found twice
        kinds = {
            (m.suspect_item_id, m.target_item_id): m.kind
            for m in matching.list_matches(again, case_id)
        }
        assert kinds == {
            (crop["c.png"], ids["coffee.png"]): "local-features",
            (more["turned.png"], ids["rocket.png"]): kinds[(more["turned.png"], ids["rocket.png"])],
        }
        assert new["cat.png"] not in {t for _, t in kinds}
    finally:
        again.close()


def test_items_hashed_later_are_still_compared(store: CaseStore, tmp_path: Path) -> None:
    """A pair is recorded as compared only once both items have their hashes."""
    case_id = cases.new_case(store, "hashed later").id
    coffee = skdata.coffee()
    ids = _add(store, case_id, Role.ORIGINAL, [_save(coffee, tmp_path / "coffee.png")])
    # A suspect stored without hashes (a cancel, or 'add --no-hash').
    added = intake.add_items(
        store, case_id, Role.SUSPECT, [_save(coffee[40:380, 120:560], tmp_path / "crop.png")]
    )
    found, stats = _match(store, case_id)
    assert found == [] and stats.pairs_compared == 1
    matching.hash_missing(store, case_id, match=False)
    found, stats = _match(store, case_id)
    assert stats.pairs_compared == 1 and stats.pairs_already_compared == 0
    assert [(m.suspect_item_id, m.target_item_id) for m in found] == [
        (added.added[0].id, ids["coffee.png"])
    ]
