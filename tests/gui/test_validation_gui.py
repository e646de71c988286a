"""Settings -> Analysis lists the classifiers' validation records and runs an evaluation of two
folders as a background task through the service (issue 14, section 2)."""

from __future__ import annotations

import os
from pathlib import Path

import numpy as np
import pytest
import shiboken6
from guikit import WAIT, wait_tasks
from PIL import Image

from conftest import SHARED
from ncii_desk.gui.mainwindow import MainWindow
from ncii_desk.vision.registry import MODELS_ENV

MODELS = Path(os.environ.get(MODELS_ENV) or SHARED / "models")
FACES = SHARED / "testdata" / "faces"
if not (MODELS / "mesonet").is_dir() or not FACES.is_dir():
    pytest.skip("the MesoNet weights or the test photos are absent", allow_module_level=True)


def _labelled(root: Path, per_class: int) -> tuple[Path, Path]:
    """Real: the test faces; "fake": the same faces tinted (a labelled set of the right shape
    for the GUI path; its figures do not matter here)."""
    photos = [Image.open(p).convert("RGB").resize((320, 320)) for p in sorted(FACES.glob("*.jp*g"))]
    real, fake = root / "real", root / "fake"
    for folder, red in ((real, 1.0), (fake, 1.3)):
        folder.mkdir(parents=True)
        for i in range(per_class):
            a = np.asarray(photos[i % len(photos)], dtype=np.float32)
            a[..., 0] *= red - 0.02 * (i % 5)
            Image.fromarray(np.clip(a, 0, 255).astype(np.uint8)).save(folder / f"{i:02d}.jpg")
    return real, fake


def test_analysis_settings_list_a_saved_record_and_evaluate_in_the_background(
    qtbot, unlocked: MainWindow, tmp_path: Path
) -> None:
    window = unlocked
    window.open_settings()
    dialog = window.settings_dialog
    assert dialog.validations.topLevelItemCount() == 0
    assert dialog.eval_model.findData("meso4-df") >= 0
    dialog.eval_model.setCurrentIndex(dialog.eval_model.findData("meso4-df"))
    real, fake = _labelled(tmp_path / "set", 10)

    # saving needs the domain: said before any work
    dialog.eval_domain.setText("")
    dialog.run_evaluation(real, fake)
    assert "Say what kind of pictures" in dialog.eval_result.text()

    # an error in plain words: an empty folder
    empty = tmp_path / "empty"
    empty.mkdir()
    dialog.eval_domain.setText("tinted test faces")
    dialog.run_evaluation(empty, fake)
    wait_tasks(qtbot, window)
    qtbot.waitUntil(lambda: "Too few files" in dialog.eval_result.text(), timeout=WAIT)
    assert "Add more labelled pictures" in dialog.eval_result.text()

    dialog.run_evaluation(real, fake)
    wait_tasks(qtbot, window)
    qtbot.waitUntil(lambda: dialog.validations.topLevelItemCount() == 1, timeout=WAIT)
    row = dialog.validations.topLevelItem(0)
    assert row.text(0) == "meso4-df" and row.text(2) == "20" and row.text(4) == "no"
    assert row.text(5) == "tinted test faces"
    auc_text = row.text(3)
    assert (
        "ROC AUC" in dialog.eval_result.text() and "Below the minimum" in dialog.eval_result.text()
    )

    # the record is in the vault: a new Settings window lists it at once
    dialog.reject()
    qtbot.waitUntil(lambda: not shiboken6.isValid(dialog), timeout=WAIT)
    window.open_settings()
    again = window.settings_dialog
    qtbot.waitUntil(lambda: again.validations.topLevelItemCount() == 1, timeout=WAIT)
    assert again.validations.topLevelItem(0).text(3) == auc_text
