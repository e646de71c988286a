"""Generator metadata: what a file says about the software that made or edited it.

Image generators and editors often write their name, and sometimes their whole recipe, into
the file: Stable Diffusion web UIs put the prompt and settings in a PNG text chunk called
``parameters`` (or, for JPEG and WebP, in the EXIF user comment), ComfyUI stores its
``prompt`` and ``workflow`` graphs, editors write EXIF ``Software`` and XMP ``CreatorTool``,
and the IPTC "digital source type" in XMP (``trainedAlgorithmicMedia``) or a C2PA manifest
(Content Credentials) can state outright that a picture was made by generative AI.

Everything here reads bytes already in memory; nothing decodes pixels, nothing is written,
nothing goes on the network (C2PA reading has remote manifests and certificate revocation
checks switched off). The containers are walked by our own small parsers so that one damaged
chunk or segment is reported and the rest is still read.

What this cannot show: metadata is easy to remove (most platforms strip it on upload) and
easy to forge, so its absence proves nothing and its presence is a statement by the file, not
a fact about how the picture was made.

The work is split by what it does: ``report`` holds the result types, caveats and the names it
knows; ``reading`` walks the file's chunks, EXIF and XMP; ``c2pa`` reads Content Credentials;
``hints`` turns fields into hints with their strength. Every public name is importable from this
package, as it was from the one module before.
"""

from ncii_desk.vision.metadata.reading import (
    read_generator_metadata,
)
from ncii_desk.vision.metadata.report import (
    AI_TOOL_NAMES,
    C2PA_CAVEAT,
    C2PA_TRUST_ENV,
    CAMERA_CAVEAT,
    DIGITAL_SOURCE_TYPES,
    DISPLAY_CHARS,
    EXIF_TAGS,
    MAX_TEXT_BYTES,
    METADATA_CAVEAT,
    SOFTWARE_CAVEAT,
    C2paReport,
    GeneratorHint,
    MetadataField,
    MetadataReport,
)

__all__ = [
    "AI_TOOL_NAMES",
    "C2PA_CAVEAT",
    "C2PA_TRUST_ENV",
    "CAMERA_CAVEAT",
    "DIGITAL_SOURCE_TYPES",
    "DISPLAY_CHARS",
    "EXIF_TAGS",
    "MAX_TEXT_BYTES",
    "METADATA_CAVEAT",
    "SOFTWARE_CAVEAT",
    "C2paReport",
    "GeneratorHint",
    "MetadataField",
    "MetadataReport",
    "read_generator_metadata",
]
