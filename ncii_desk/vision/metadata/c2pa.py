"""Content Credentials (C2PA): reading and validating a manifest offline, with the clinic's
trust anchors when set."""

from __future__ import annotations

import io
import json
import os
from pathlib import Path
from typing import Any

from ncii_desk.errors import InvalidSetting
from ncii_desk.nativelibs import import_c2pa
from ncii_desk.vision.metadata.report import C2PA_TRUST_ENV, DIGITAL_SOURCE_TYPES, C2paReport

# --- Content Credentials ----------------------------------------------------------------------


def _trust_anchors() -> str:
    """The clinic's C2PA trust anchors (PEM text) from the file named in
    NCII_DESK_C2PA_TRUST_ANCHORS; "" when none is set. Read offline, never fetched."""
    path = os.environ.get(C2PA_TRUST_ENV, "").strip()
    if not path:
        return ""
    try:
        text = Path(path).expanduser().read_text("ascii")
    except (OSError, UnicodeDecodeError) as exc:
        raise InvalidSetting(
            f"The C2PA trust anchors file {path} (named in {C2PA_TRUST_ENV}) cannot be read: "
            f"{exc}.",
            f"Point {C2PA_TRUST_ENV} at a PEM file of root certificates, or unset it.",
        ) from None
    if "-----BEGIN CERTIFICATE-----" not in text:
        raise InvalidSetting(
            f"The C2PA trust anchors file {path} holds no PEM certificate.",
            f"Point {C2PA_TRUST_ENV} at a PEM file of root certificates, or unset it.",
        )
    return text


def _read_c2pa(data: bytes, mime: str, marker_seen: bool) -> C2paReport:
    report = C2paReport(marker_seen=marker_seen)
    try:
        c2pa = import_c2pa()
    except ImportError:  # pragma: no cover - c2pa-python is a declared dependency
        report.status = "unreadable" if marker_seen else "absent"
        report.error = "the Content Credentials reader (c2pa-python) is not installed"
        return report
    settings: dict[str, Any] = {"verify": {"remote_manifest_fetch": False, "ocsp_fetch": False}}
    anchors = _trust_anchors()
    if anchors:
        settings["verify"]["verify_trust"] = True
        settings["trust"] = {"user_anchors": anchors}
        report.trust_anchors = anchors.count("-----BEGIN CERTIFICATE-----")
    fmt = mime if mime != "application/octet-stream" else None
    # c2pa-python wraps a native library: whatever it raises for a hostile file must stay a
    # report line, never a crash of the analysis.
    try:
        with c2pa.Context(c2pa.Settings.from_dict(settings)) as context:
            reader = c2pa.Reader.try_create(fmt, io.BytesIO(data), context=context)
            if reader is None:
                if marker_seen:
                    report.status = "unreadable"
                    report.error = "a C2PA block is present but holds no readable manifest"
                return report
            with reader:
                store = json.loads(reader.json())
                state = reader.get_validation_state()
    except Exception as exc:  # the native reader: see above
        kind = type(exc).__name__
        if not marker_seen and kind in ("NotSupported", "ManifestNotFound"):
            return report  # a format without Content Credentials support, or none found
        report.status = "unreadable"
        report.error = (str(exc).strip() or kind)[:300]
        return report
    report.status = "present"
    report.validation_state = str(state) if state else None
    _fill_c2pa(report, store)
    return report


def _fill_c2pa(report: C2paReport, store: dict[str, Any]) -> None:
    manifests = store.get("manifests") or {}
    report.manifests = len(manifests)
    active = manifests.get(store.get("active_manifest") or "", {})
    report.title = active.get("title")
    info = active.get("claim_generator_info") or []
    if info and isinstance(info, list) and isinstance(info[0], dict):
        first = info[0]
        report.claim_generator = " ".join(
            str(first[k]) for k in ("name", "version") if first.get(k)
        )
    else:
        report.claim_generator = active.get("claim_generator")
    sig = active.get("signature_info") or {}
    report.issuer = sig.get("issuer")
    report.signer = sig.get("common_name")
    report.signed_at = sig.get("time")
    for manifest in manifests.values():
        for assertion in manifest.get("assertions") or []:
            if not str(assertion.get("label", "")).startswith("c2pa.actions"):
                continue
            for action in (assertion.get("data") or {}).get("actions") or []:
                agent = action.get("softwareAgent")
                if isinstance(agent, dict):
                    agent = agent.get("name")
                entry = {
                    "action": str(action.get("action", "")),
                    "digital_source_type": str(action.get("digitalSourceType", "")),
                    "software_agent": str(agent or ""),
                }
                report.actions.append(entry)
                term = entry["digital_source_type"].rsplit("/", 1)[-1]
                if DIGITAL_SOURCE_TYPES.get(term, ("", ""))[1] == "ai":
                    uri = entry["digital_source_type"]
                    if uri not in report.ai_source_types:
                        report.ai_source_types.append(uri)
    statuses = store.get("validation_status") or []
    report.validation_problems = [
        str(s.get("code")) for s in statuses if isinstance(s, dict) and s.get("code")
    ]
