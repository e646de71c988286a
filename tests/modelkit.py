"""Where analysis tests find the real models and test photos, and the skip when they are absent.

Models come from $NCII_DESK_MODELS or ../shared/models; photos from ../shared/testdata/faces.
Both are data beside the checkout, never copied into the repository.
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from conftest import SHARED
from ncii_desk.vision.registry import MODELS_ENV

MODELS = Path(os.environ.get(MODELS_ENV) or SHARED / "models")
FACES_DIR = SHARED / "testdata" / "faces"


def require_models(*names: str, what: str = "analysis models") -> None:
    """Skip the calling test module unless every model file or folder (relative to MODELS),
    the test photos and onnxruntime are here."""
    missing = [n for n in names if not (MODELS / n).exists()]
    if missing:
        pytest.skip(
            f"{what} not available ({', '.join(missing)} missing from {MODELS}): "
            f"shared/models is absent here; set {MODELS_ENV} to run these tests",
            allow_module_level=True,
        )
    if not FACES_DIR.is_dir():
        pytest.skip(f"test photos not available ({FACES_DIR} is absent)", allow_module_level=True)
    pytest.importorskip("onnxruntime", reason="onnxruntime is not installed (the models need it)")
