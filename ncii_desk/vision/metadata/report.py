"""What a metadata read reports: fields, generator hints, the C2PA report, caveats, and the
tool names and IPTC source types it recognises."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any, Final

from ncii_desk.vision.signals import Signal, Strength

#: Largest text a compressed chunk may expand to (ComfyUI workflows reach a few hundred KiB).
MAX_TEXT_BYTES: Final = 8 * 1024 * 1024
#: Characters of one value shown in as_dict(); the full length is always given beside it.
DISPLAY_CHARS: Final = 500

METADATA_CAVEAT: Final = (
    "Metadata is easy to remove or forge: its absence proves nothing, and most sites strip it "
    "when a picture is uploaded."
)
SOFTWARE_CAVEAT: Final = (
    "This names software that saved or handled the file; it does not show what was changed. "
    "Phones, apps and web sites write such names too. " + METADATA_CAVEAT
)
CAMERA_CAVEAT: Final = (
    "Camera details can be copied from another photo or typed in, and generated pictures can "
    "carry them too. " + METADATA_CAVEAT
)
C2PA_CAVEAT: Final = (
    "Content Credentials state what the signer declared. NCII Desk checks the signature "
    "offline; the signer counts as verified only when its certificate leads to a trust anchor "
    "the clinic has added (NCII_DESK_C2PA_TRUST_ANCHORS, docs/models.md), otherwise the "
    "signer's name is as it describes itself. Credentials are easily removed, so their "
    "absence proves nothing."
)
#: A PEM file of the clinic's C2PA trust anchors (root certificates it trusts as signers).
C2PA_TRUST_ENV: Final = "NCII_DESK_C2PA_TRUST_ANCHORS"

_IPTC_DST: Final = "http://cv.iptc.org/newscodes/digitalsourcetype/"
#: IPTC digital source types: plain words, and how much they say about AI or editing.
DIGITAL_SOURCE_TYPES: Final[dict[str, tuple[str, str]]] = {
    "trainedAlgorithmicMedia": ("made with generative AI", "ai"),
    "compositeWithTrainedAlgorithmicMedia": (
        "a composite that includes generative-AI content",
        "ai",
    ),
    "algorithmicMedia": ("made by a computer algorithm, not a camera", "ai"),
    "compositeSynthetic": ("a composite that includes synthetic (computer-made) parts", "ai"),
    "algorithmicallyEnhanced": ("a capture changed by algorithmic enhancement", "edit"),
    "humanEdits": ("edited by a person", "edit"),
    "composite": ("a composite of several elements", "edit"),
    "compositeCapture": ("a composite of several captures", "edit"),
    "digitalCreation": ("made by a person with digital tools, not a camera", "edit"),
    "dataDrivenMedia": ("made from data (for example a visualisation)", "edit"),
    "virtualRecording": ("a recording of a virtual scene", "edit"),
    "digitalCapture": ("a digital camera capture", "capture"),
    "computationalCapture": ("a camera capture with computational processing", "capture"),
    "screenCapture": ("a screen capture", "capture"),
    "negativeFilm": ("a scan of a film negative", "capture"),
    "positiveFilm": ("a scan of a slide", "capture"),
    "print": ("a scan of a print", "capture"),
}

#: Names of image generators and face-swap tools, matched as whole words in software fields.
AI_TOOL_NAMES: Final = (
    "stable diffusion",
    "stablediffusion",
    "sdxl",
    "automatic1111",
    "comfyui",
    "invokeai",
    "novelai",
    "midjourney",
    "dall-e",
    "dall·e",
    "dalle",
    "adobe firefly",
    "firefly",
    "imagen",
    "gemini",
    "chatgpt",
    "openai",
    "leonardo.ai",
    "fooocus",
    "draw things",
    "diffusionbee",
    "dreamstudio",
    "nightcafe",
    "ideogram",
    "flux",
    "craiyon",
    "deepfacelab",
    "faceswap",
    "facefusion",
    "roop",
    "reface",
)
_AI_NAME_RE: Final = re.compile(
    r"(?<![\w])(" + "|".join(re.escape(n) for n in AI_TOOL_NAMES) + r")(?![\w])", re.IGNORECASE
)
#: "Steps: 20, Sampler: Euler a, CFG scale: 7, Seed: 1234, ..." as Stable Diffusion UIs write.
_SD_SETTING_RE: Final = re.compile(r"(?:^|, )([A-Za-z][A-Za-z0-9 _-]{0,40}): ([^,\n]*)")

EXIF_TAGS: Final = {
    0x010E: "ImageDescription",
    0x010F: "Make",
    0x0110: "Model",
    0x0131: "Software",
    0x013B: "Artist",
    0x8298: "Copyright",
    0x9003: "DateTimeOriginal",
    0x9286: "UserComment",
    0xA433: "LensMake",
    0xA434: "LensModel",
}
_EXIF_IFD_POINTER: Final = 0x8769


# --- the report -----------------------------------------------------------------------------


@dataclass(frozen=True)
class MetadataField:
    """One text value found in the file, and where."""

    source: str  # e.g. "PNG tEXt", "PNG iTXt", "EXIF", "XMP", "JPEG comment", "WebP XMP"
    key: str
    value: str

    def as_dict(self) -> dict[str, Any]:
        shown = self.value if len(self.value) <= DISPLAY_CHARS else self.value[:DISPLAY_CHARS]
        return {
            "source": self.source,
            "key": self.key,
            "value": shown,
            "length": len(self.value),
            "truncated": len(self.value) > DISPLAY_CHARS,
        }


@dataclass(frozen=True)
class GeneratorHint:
    """A reading of one or more fields: which tool, and what kind of evidence it is."""

    kind: str  # "ai" (generator or face-swap tool), "edit", "software", "camera"
    tool: str  # e.g. "Stable Diffusion web UI", "ComfyUI", "Adobe Photoshop 25.0"
    evidence: str  # plain words: what in the file says so
    strength: Strength
    details: dict[str, Any] = field(default_factory=dict)

    def as_dict(self) -> dict[str, Any]:
        return {
            "kind": self.kind,
            "tool": self.tool,
            "evidence": self.evidence,
            "strength": self.strength.value,
            "details": self.details,
        }


@dataclass
class C2paReport:
    """Content Credentials (C2PA), as c2pa-python reads them offline."""

    status: str = "absent"  # "absent", "present" or "unreadable"
    claim_generator: str | None = None
    title: str | None = None
    actions: list[dict[str, str]] = field(default_factory=list)
    ai_source_types: list[str] = field(default_factory=list)
    issuer: str | None = None
    signer: str | None = None
    signed_at: str | None = None
    validation_state: str | None = None  # "Trusted", "Valid" or "Invalid"
    validation_problems: list[str] = field(default_factory=list)
    trust_anchors: int = 0  # how many clinic trust anchors the signer was checked against
    manifests: int = 0
    error: str | None = None
    marker_seen: bool = False  # our parser saw a C2PA/JUMBF block in the file

    def as_dict(self) -> dict[str, Any]:
        return {
            "status": self.status,
            "claim_generator": self.claim_generator,
            "title": self.title,
            "actions": self.actions,
            "ai_source_types": self.ai_source_types,
            "issuer": self.issuer,
            "signer": self.signer,
            "signed_at": self.signed_at,
            "validation_state": self.validation_state,
            "validation_problems": self.validation_problems,
            "trust_anchors": self.trust_anchors,
            "signer_verified": self.validation_state == "Trusted",
            "manifests": self.manifests,
            "error": self.error,
            "marker_seen": self.marker_seen,
        }

    def signal(self) -> Signal | None:
        if self.status == "absent":
            return None
        if self.status == "unreadable":
            return Signal(
                kind="c2pa",
                finding="The file seems to carry Content Credentials (C2PA), but they could "
                f"not be read: {self.error or 'unknown reason'}.",
                strength=Strength.NONE,
                caveat=C2PA_CAVEAT,
                value=self.as_dict(),
            )
        who = self.claim_generator or "an unnamed tool"
        parts = [f"The file carries Content Credentials (C2PA) written by {who}"]
        if self.signer or self.issuer:
            parts.append(f"signed by {self.signer or self.issuer}")
        finding = ", ".join(parts) + "."
        if self.ai_source_types:
            words = "; ".join(_dst_words(t) for t in self.ai_source_types)
            finding += f" They state that the picture is {words}."
        elif self.actions:
            listed = ", ".join(sorted({a["action"].removeprefix("c2pa.") for a in self.actions}))
            finding += f" Recorded actions: {listed}."
        finding += " " + _validation_words(self.validation_state, self.validation_problems)
        # Only a signer verified against a trust anchor makes the credentials strong; an
        # intact signature by an unknown certificate is "signed, signer not verified": anyone
        # can make such a certificate.
        strength = Strength.WEAK
        if self.validation_state == "Trusted":
            strength = Strength.STRONG if self.ai_source_types else Strength.MODERATE
        elif self.validation_state == "Valid" and self.ai_source_types:
            strength = Strength.MODERATE
        return Signal(
            kind="c2pa",
            finding=finding,
            strength=strength,
            caveat=C2PA_CAVEAT,
            value=self.as_dict(),
        )


def _validation_words(state: str | None, problems: list[str]) -> str:
    if state == "Trusted":
        return (
            "Signed, signer verified: the signature is intact and the signer's certificate "
            "leads to a trust anchor the clinic added."
        )
    if state == "Valid":
        return (
            "Signed, signer not verified: the signature is intact (the file has not changed "
            "since it was signed), but the signer's certificate is not on a trust list NCII "
            "Desk has, so who signed is only what the certificate claims."
        )
    if state == "Invalid":
        listed = ", ".join(problems[:5]) or "no details given"
        return (
            "The signature check FAILED: the file was changed after signing, or the "
            f"credentials are damaged ({listed})."
        )
    return "The signature could not be checked."


def _dst_words(uri: str) -> str:
    term = uri.rsplit("/", 1)[-1]
    words = DIGITAL_SOURCE_TYPES.get(term, (term, "edit"))[0]
    return f"{words} ({term})"


#: Hint kind -> (signal kind, finding with {tool} and {evidence}, caveat).
_HINT_SIGNALS = {
    "ai": (
        "generator_metadata",
        "The file's metadata points to {tool}: {evidence}.",
        METADATA_CAVEAT,
    ),
    "edit": (
        "edit_metadata",
        "The file's metadata says it was edited: {evidence}.",
        METADATA_CAVEAT,
    ),
    "software": (
        "software_metadata",
        "The file says it was saved or edited with {tool} ({evidence}).",
        SOFTWARE_CAVEAT,
    ),
    "camera": ("camera_metadata", "The file names a camera or capture: {evidence}.", CAMERA_CAVEAT),
}


@dataclass
class MetadataReport:
    """Everything found in one file's metadata, and what it suggests."""

    name: str
    mime: str
    size: int
    fields: list[MetadataField] = field(default_factory=list)
    hints: list[GeneratorHint] = field(default_factory=list)
    c2pa: C2paReport = field(default_factory=C2paReport)
    problems: list[str] = field(default_factory=list)

    def values(self, key: str) -> list[str]:
        """Every value stored under ``key`` (any source), e.g. values("Software")."""
        return [f.value for f in self.fields if f.key == key]

    @property
    def ai_hints(self) -> list[GeneratorHint]:
        return [h for h in self.hints if h.kind == "ai"]

    def signals(self) -> list[Signal]:
        out: list[Signal] = []
        for hint in self.hints:
            wording = _HINT_SIGNALS.get(hint.kind)
            if wording is None:
                continue
            kind, finding, caveat = wording
            out.append(
                Signal(
                    kind=kind,
                    finding=finding.format(tool=hint.tool, evidence=hint.evidence),
                    strength=hint.strength,
                    caveat=caveat,
                    value=hint.as_dict(),
                )
            )
        c2pa_signal = self.c2pa.signal()
        if c2pa_signal is not None:
            out.append(c2pa_signal)
        if not self.ai_hints and not self.c2pa.ai_source_types:
            found = "no Content Credentials" if self.c2pa.status == "absent" else None
            finding = "No AI generator tags were found in the file's metadata"
            finding += f", and {found}." if found else "."
            out.append(
                Signal(
                    kind="generator_metadata",
                    finding=finding,
                    strength=Strength.NONE,
                    caveat=METADATA_CAVEAT,
                    value={"fields": len(self.fields), "problems": self.problems},
                )
            )
        return out

    def as_dict(self) -> dict[str, Any]:
        return {
            "name": self.name,
            "mime": self.mime,
            "size": self.size,
            "fields": [f.as_dict() for f in self.fields],
            "hints": [h.as_dict() for h in self.hints],
            "c2pa": self.c2pa.as_dict(),
            "problems": self.problems,
            "display_chars": DISPLAY_CHARS,
        }
