"""Which face embedder is in use, and its match threshold, without loading OpenCV or numpy
(the settings read the default threshold when the vault is unlocked)."""

from __future__ import annotations

import os
from typing import Final

MOBILEFACENET_MODEL: Final = "mobilefacenet-128"
#: The face embedder used unless another is chosen: dlib's ResNet, public-domain weights the
#: installer carries. MobileFaceNet stays selectable (``use_embedder`` / ``--embedder``).
DLIB_MODEL: Final = "dlib-resnet-128"
DLIB_FILE: Final = "face_recognition_dlib_resnet_128d.onnx"
DEFAULT_EMBEDDER: Final = DLIB_MODEL
EMBEDDERS: Final = (DLIB_MODEL, MOBILEFACENET_MODEL)
#: Environment variable naming the embedder (one of EMBEDDERS) for a whole process.
EMBEDDER_ENV: Final = "NCII_DESK_FACE_EMBEDDER"

_chosen: str | None = None


def use_embedder(name: str | None) -> None:
    """Choose the face embedder for this process (None: back to the environment/default)."""
    global _chosen
    if name is not None and name not in EMBEDDERS:
        raise ValueError(f"unknown face embedder {name!r}; choose one of {', '.join(EMBEDDERS)}")
    _chosen = name


def chosen_embedder() -> str | None:
    """What use_embedder() set (None: the environment/default decides)."""
    return _chosen


def embedder_name() -> str:
    """The face embedder in use: use_embedder(), else NCII_DESK_FACE_EMBEDDER, else dlib."""
    if _chosen is not None:
        return _chosen
    env = os.environ.get(EMBEDDER_ENV, "").strip()
    if env:
        if env not in EMBEDDERS:
            raise ValueError(
                f"{EMBEDDER_ENV}={env!r} is not a face embedder; use one of {', '.join(EMBEDDERS)}"
            )
        return env
    return DEFAULT_EMBEDDER


def similarity_threshold(name: str | None = None) -> float:
    """The model manifest's match threshold of an embedder, on the reported similarity
    scale (what ``faces.match_threshold`` gives, read without the face pipeline)."""
    from ncii_desk.vision.runtime import shared_runtime

    spec = shared_runtime().registry.spec(name or embedder_name())
    if spec.task != "face-embedding" or spec.match is None:
        raise ValueError(f"model {spec.name!r} is not a face embedder with a [match] table")
    return float(spec.match.similarity_threshold)
