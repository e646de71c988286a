"""Interpreting metadata fields as generator hints (AI tool recipes, IPTC source types, names)."""

from __future__ import annotations

import json
from typing import Any, Final

from ncii_desk.vision.metadata.report import (
    _AI_NAME_RE,
    _SD_SETTING_RE,
    DIGITAL_SOURCE_TYPES,
    DISPLAY_CHARS,
    GeneratorHint,
    MetadataField,
    MetadataReport,
)
from ncii_desk.vision.signals import Strength

# --- interpretation ---------------------------------------------------------------------------


def _interpret(report: MetadataReport) -> list[GeneratorHint]:
    hints: list[GeneratorHint] = []
    for f in report.fields:
        hint = _ai_text_hint(f) or _dst_hint(f) or _ai_name_hint(f)
        if hint is not None and not any(
            h.tool == hint.tool and h.evidence == hint.evidence for h in hints
        ):
            hints.append(hint)
    flagged = {h.details.get("value") for h in hints}
    for key in ("Software", "xmp:CreatorTool", "stEvt:softwareAgent"):
        for value in dict.fromkeys(report.values(key)):
            if value not in flagged:
                hints.append(
                    GeneratorHint(
                        "software", value, f"its {key} field", Strength.WEAK, {"value": value}
                    )
                )
    history = report.values("photoshop:History")
    if history:
        hints.append(
            GeneratorHint(
                "edit",
                "an editor",
                "an editing history is recorded (photoshop:History)",
                Strength.WEAK,
                {"value": history[0][:DISPLAY_CHARS]},
            )
        )
    camera = [report.values(k)[:1] for k in ("Make", "Model", "DateTimeOriginal")]
    make, model, taken = (v[0] if v else "" for v in camera)
    if make or model:
        words = " ".join(dict.fromkeys(w for w in (make, model) if w))
        hints.append(
            GeneratorHint(
                "camera",
                words,
                words + (f", taken {taken}" if taken else ""),
                Strength.WEAK,
                {"make": make, "model": model, "date_time_original": taken},
            )
        )
    return hints


def _sd_settings(text: str) -> dict[str, str]:
    last = text.strip().splitlines()[-1] if text.strip() else ""
    return {k.strip(): v.strip() for k, v in _SD_SETTING_RE.findall(last)}


def _is_sd_recipe(settings: dict[str, str]) -> bool:
    """The last line is a Stable Diffusion web UI settings line: "Steps: N, Sampler: X, ...,
    Seed: N" (whole numbers where they must be). Any other text is not a recipe."""
    return (
        settings.get("Steps", "").isdigit()
        and bool(settings.get("Sampler"))
        and settings.get("Seed", "").lstrip("-").isdigit()
    )


def _json_object(text: str) -> bool:
    try:
        return isinstance(json.loads(text), dict)
    except ValueError:
        return False


def _ai_text_hint(f: MetadataField) -> GeneratorHint | None:
    """Generation recipes: Stable Diffusion UIs, ComfyUI, InvokeAI, Fooocus."""
    key = f.key.lower()
    where = f"{f.source} '{f.key}'"
    settings = _sd_settings(f.value)
    if _is_sd_recipe(settings):
        details: dict[str, Any] = {
            k: settings[k]
            for k in ("Steps", "Sampler", "CFG scale", "Seed", "Size", "Model", "Model hash")
            if k in settings
        }
        evidence = f"generation settings in {where}"
        if "Model" in settings:
            evidence += f" (model '{settings['Model']}')"
        if "Denoising strength" in settings or "Mask blur" in settings:
            details["from_another_image"] = True
            evidence += (
                "; the settings show it was made from another picture (image-to-image or "
                "inpainting)"
            )
        return GeneratorHint("ai", "Stable Diffusion (web UI)", evidence, Strength.STRONG, details)
    if key in ("prompt", "workflow") and ("class_type" in f.value or '"nodes"' in f.value):
        details = _comfy_details(f.value)
        evidence = f"a ComfyUI {key} graph in {where}"
        if details.get("checkpoints"):
            evidence += f" (model {', '.join(details['checkpoints'][:3])})"
        if details.get("from_another_image"):
            evidence += "; the graph loads an input picture"
        return GeneratorHint("ai", "ComfyUI", evidence, Strength.STRONG, details)
    if key in ("invokeai_metadata", "invokeai_graph", "sd-metadata", "dream"):
        return GeneratorHint("ai", "InvokeAI", f"generation data in {where}", Strength.STRONG)
    if key == "fooocus_scheme" or (
        key == "parameters" and "fooocus" in f.value.lower() and _json_object(f.value)
    ):
        return GeneratorHint("ai", "Fooocus", f"generation data in {where}", Strength.STRONG)
    # a "parameters" field that is not a generator's recipe (any text at all) is no evidence
    if key in ("prompt", "negative_prompt"):
        return GeneratorHint(
            "ai",
            "an image generator",
            f"a text field named '{f.key}' ({f.source}), as image generators write",
            Strength.MODERATE,
        )
    return None


def _comfy_details(text: str) -> dict[str, Any]:
    try:
        graph = json.loads(text)
    except ValueError:
        return {}
    nodes: list[Any] = []
    if isinstance(graph, dict) and isinstance(graph.get("nodes"), list):
        nodes = graph["nodes"]  # workflow form
    elif isinstance(graph, dict):
        nodes = list(graph.values())  # prompt form: {"3": {"class_type": ..., "inputs": ...}}
    types = []
    checkpoints = []
    for node in nodes:
        if not isinstance(node, dict):
            continue
        kind = str(node.get("class_type") or node.get("type") or "")
        types.append(kind)
        inputs = node.get("inputs")
        if isinstance(inputs, dict) and isinstance(inputs.get("ckpt_name"), str):
            checkpoints.append(inputs["ckpt_name"])
        values = node.get("widgets_values")
        if "Checkpoint" in kind and isinstance(values, list) and values:
            checkpoints.append(str(values[0]))
    details: dict[str, Any] = {"nodes": len(types)}
    if checkpoints:
        details["checkpoints"] = list(dict.fromkeys(checkpoints))
    if any(t in ("LoadImage", "VAEEncodeForInpaint", "InpaintModelConditioning") for t in types):
        details["from_another_image"] = True
    return details


def _dst_hint(f: MetadataField) -> GeneratorHint | None:
    if not f.key.endswith("DigitalSourceType"):
        return None
    term = f.value.strip().rsplit("/", 1)[-1]
    words, kind = DIGITAL_SOURCE_TYPES.get(term, (term, "edit"))
    evidence = f"the IPTC digital source type in {f.source} says the picture is {words} ({term})"
    if kind == "ai":
        return GeneratorHint("ai", "generative AI", evidence, Strength.STRONG, {"value": f.value})
    if kind == "capture":
        return GeneratorHint("camera", words, evidence, Strength.WEAK, {"value": f.value})
    return GeneratorHint("edit", words, evidence, Strength.MODERATE, {"value": f.value})


#: Fields that name software (or, for NovelAI's "Source", the model); free text such as a
#: description is not searched, a caption that mentions a tool is not a tag.
_TOOL_KEYS: Final = (
    "Software",
    "xmp:CreatorTool",
    "stEvt:softwareAgent",
    "photoshop:Credit",
    "Source",
)


def _ai_name_hint(f: MetadataField) -> GeneratorHint | None:
    if f.key not in _TOOL_KEYS:
        return None
    found = _AI_NAME_RE.search(f.value)
    if found is None:
        return None
    return GeneratorHint(
        "ai",
        f.value if len(f.value) <= 80 else found.group(1),
        f"{f.source} '{f.key}' names '{found.group(1)}'",
        Strength.STRONG,
        {"value": f.value},
    )
