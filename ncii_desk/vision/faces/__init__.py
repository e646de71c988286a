"""Face detection (YuNet), five-point alignment and face embeddings (MobileFaceNet).

The question this module answers for an advocate is narrow and must be explainable: *does the
victim's face appear in this suspect image, and how sure are we?* Every step is plain numpy
around two small ONNX models, so each number in a report can be traced:

1. :func:`detect` runs YuNet (``face_detection_yunet_2023mar_dynamic.onnx``) on onnxruntime and
   decodes its raw outputs here (anchor-free grid decode per stride, our own NMS). Boxes and
   the five landmarks come back in the caller's original pixel coordinates.
2. :func:`align` maps the five landmarks onto the standard ArcFace 112x112 template with an
   exact least-squares similarity transform (Umeyama) and warps the face to 112x112.
3. :func:`embed` turns aligned crops into L2-normalised 128-d MobileFaceNet embeddings
   (``mobilefacenet_foamliu_128d.onnx``), many faces per ``session.run``.
4. :func:`compare` scores suspect faces against the victim's reference embeddings with cosine
   similarity and :data:`FACE_MATCH_THRESHOLD`, keeping every number for the report.

All I/O facts (preprocessing, output layout, decode formulas) follow
``shared/models/MANIFEST.md``. Images are RGB ``uint8`` arrays (as the media loader returns
them); the models' own channel orders are handled here.

A similarity is evidence for a person to review, never a verdict: the threshold was set on a
handful of benign test photos (see :data:`FACE_MATCH_THRESHOLD`), and MobileFaceNet's training
data (MS-Celeb-1M, withdrawn) carries licence questions recorded in the manifest.

The work is split by step: ``models`` loads the ONNX models and keeps one session per model
(with the in-memory dynamic-batch rewrite of MobileFaceNet); ``detection`` runs YuNet and decodes
its faces; ``embedding`` aligns, embeds and compares faces. Every name callers use is importable
from this package, as it was from the one module before.
"""

from ncii_desk.vision.faces.detection import (
    DETECT_LONG_SIDE,
    ROTATED_MIN_SCORE,
    ROTATION_RETRY_BELOW,
    ROTATIONS,
    SMALL_FACE_LONG_SIDE,
    SMALL_FACE_MAX_BOX,
    SMALL_FACE_MIN_SIDE,
    Face,
    detect,
)
from ncii_desk.vision.faces.detection import _resize_for_detection as _resize_for_detection
from ncii_desk.vision.faces.embedding import (
    ALIGNED_SIZE,
    ARCFACE_TEMPLATE_112,
    EMBED_BATCH,
    EMBEDDING_DIM,
    FaceMatch,
    align,
    aligned_size,
    alignment_matrix,
    compare,
    compare_image,
    cosine,
    cosine_matrix,
    detect_and_embed,
    detect_and_embed_many,
    embed,
    similarity_matrix,
)
from ncii_desk.vision.faces.models import (
    DEFAULT_EMBEDDER,
    DLIB_FILE,
    DLIB_MODEL,
    EMBEDDER_ENV,
    EMBEDDERS,
    MOBILEFACENET_FILE,
    MOBILEFACENET_MODEL,
    YUNET_FILE,
    YUNET_MODEL,
    EmbedderSpec,
    FloatArray,
    UInt8Array,
    chosen_embedder,
    embedder_name,
    embedder_spec,
    match_threshold,
    use_embedder,
)
from ncii_desk.vision.faces.models import _detector as _detector
from ncii_desk.vision.faces.models import _embedder as _embedder
from ncii_desk.vision.faces.models import _model_bytes as _model_bytes
from ncii_desk.vision.faces.models import _session as _session
from ncii_desk.vision.faces.models import _sessions as _sessions

__all__ = [
    "ALIGNED_SIZE",
    "ARCFACE_TEMPLATE_112",
    "DEFAULT_EMBEDDER",
    "DETECT_LONG_SIDE",
    "DLIB_FILE",
    "DLIB_MODEL",
    "EMBEDDERS",
    "EMBEDDER_ENV",
    "EMBEDDING_DIM",
    "EMBED_BATCH",
    "MOBILEFACENET_FILE",
    "MOBILEFACENET_MODEL",
    "ROTATED_MIN_SCORE",
    "ROTATIONS",
    "ROTATION_RETRY_BELOW",
    "SMALL_FACE_LONG_SIDE",
    "SMALL_FACE_MAX_BOX",
    "SMALL_FACE_MIN_SIDE",
    "YUNET_FILE",
    "YUNET_MODEL",
    "EmbedderSpec",
    "Face",
    "FaceMatch",
    "FloatArray",
    "UInt8Array",
    "align",
    "aligned_size",
    "alignment_matrix",
    "chosen_embedder",
    "compare",
    "compare_image",
    "cosine",
    "cosine_matrix",
    "detect",
    "detect_and_embed",
    "detect_and_embed_many",
    "embed",
    "embedder_name",
    "embedder_spec",
    "match_threshold",
    "similarity_matrix",
    "use_embedder",
]
