"""Analysing a case's suspect items: faces, manipulation, source photos, generator metadata.

:func:`analyze_case` runs as a Job over every suspect item of a case. For each item it runs
these steps and stores one Analysis row per step:

``faces``       every face (a video: one frame per second), compared with the case's
                reference gallery (the embedder's similarity and manifest threshold, the
                face box);
``deepfake``    one row per manipulation classifier: face crops, or the whole picture (each
                sampled frame) for a whole-image classifier (manifest ``domain.input``);
``derivation``  which of the victim's originals the image was made from, and what differs;
``metadata``    generator traces in the file (text chunks, EXIF, XMP, Content Credentials);
``summary``     the item's findings side by side, in plain language.

Every row records what produced it (producer, version, model sha256, the provider the model
ran on, thresholds, time taken), and its result holds ``signals``: the findings with their
strength and caveat. Face matches and source photos found also become Match rows, reviewed
like hash matches (``ncii-desk matches``).

Resumable: a step whose stored row has the same producer, version, model sha256 and inputs
(the gallery, the originals compared, the frame rate) is not run again unless ``again``.
Cancelling stops between items (and between video frames); every stored item is whole.
Items kept as hashes only (suspected minor) have no pixels: they are skipped, with the reason
stored. A file that cannot be decoded is reported for that item; the batch goes on.

The work is split by what it does: ``run`` goes over the case's items (what is not current
is run, each item stored in one transaction); ``steps`` runs the models on one item;
``findings`` words what they found, with caveats, and the item's summary; ``results`` holds
the step kinds, the reports and the stored rows. Every public name is importable from this
package, as it was from the one module before.
"""

from ncii_desk.services.analysis.findings import (
    CLEAR_MARGIN,
    FACE_MATCH_CAVEAT,
    NO_FACE_MATCH_CAVEAT,
    NO_GALLERY_CAVEAT,
    NO_SOURCE_CAVEAT,
    item_label,
)
from ncii_desk.services.analysis.results import (
    DEEPFAKE_KIND,
    DEEPFAKE_PRODUCER,
    DERIVATION_KIND,
    DERIVATION_MATCH_KIND,
    DERIVATION_PRODUCER,
    FACE_MATCH_KIND,
    METADATA_KIND,
    METADATA_PRODUCER,
    SKIP_PRODUCER,
    STEP_KINDS,
    SUMMARY_KIND,
    SUMMARY_PRODUCER,
    AnalysisReport,
    ItemReport,
)
from ncii_desk.services.analysis.run import analyze_case
from ncii_desk.services.faces_gallery import list_reference_faces as list_reference_faces
from ncii_desk.vision.summary import manipulation_limits as manipulation_limits

__all__ = [
    "CLEAR_MARGIN",
    "DEEPFAKE_KIND",
    "DEEPFAKE_PRODUCER",
    "DERIVATION_KIND",
    "DERIVATION_MATCH_KIND",
    "DERIVATION_PRODUCER",
    "FACE_MATCH_CAVEAT",
    "FACE_MATCH_KIND",
    "METADATA_KIND",
    "METADATA_PRODUCER",
    "NO_FACE_MATCH_CAVEAT",
    "NO_GALLERY_CAVEAT",
    "NO_SOURCE_CAVEAT",
    "SKIP_PRODUCER",
    "STEP_KINDS",
    "SUMMARY_KIND",
    "SUMMARY_PRODUCER",
    "AnalysisReport",
    "ItemReport",
    "analyze_case",
    "item_label",
    "list_reference_faces",
    "manipulation_limits",
]
