"""Where the picture checks run, in words an advocate reads: "on this computer's graphics
card" or "on the processor". Provider class names, library versions and the errors a
graphics-card library gave stay in a separate details text (shown only when asked)."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

#: onnxruntime's processor provider; every other provider computes on a graphics card or
#: a similar accelerator.
CPU_PROVIDER = "CPUExecutionProvider"
ON_GPU = "on this computer's graphics card"
ON_CPU = "on the processor"


def where_it_runs(provider: str) -> str:
    """'on the processor', 'on this computer's graphics card', or '' when nothing ran."""
    if not provider:
        return ""
    return ON_CPU if provider == CPU_PROVIDER else ON_GPU


@dataclass(frozen=True)
class HardwareReport:
    #: One or two plain sentences, no class names.
    summary: str
    #: Provider names, versions and library errors, for the details box ("" when none).
    details: str
    #: True when a graphics card was tried and could not be used.
    problem: bool


def hardware_report(info: Mapping[str, Any]) -> HardwareReport:
    """Plain words for the runtime's ``describe()`` result."""
    used = [str(p) for p in info.get("providers_used", []) or info.get("sessions", {}).values()]
    tried = [str(p) for p in info.get("providers", [])]
    fallbacks = [f for f in info.get("fallbacks", []) if isinstance(f, Mapping)]
    gpu_failed = any(str(f.get("provider", "")) != CPU_PROVIDER for f in fallbacks)
    if used:
        places = sorted({where_it_runs(p) for p in used})
        summary = f"Picture checks run {' and '.join(places)}."
    elif tried and tried[0] != CPU_PROVIDER:
        summary = (
            "No picture check has run yet. They will use this computer's graphics card "
            "if it works, else the processor."
        )
    else:
        summary = "No picture check has run yet. They will run on the processor."
    if gpu_failed:
        summary += (
            " The graphics card could not be used, so checks run on the processor (slower, "
            "same results). Details show why."
        )
    lines = [
        f"onnxruntime {info.get('onnxruntime', '?')} ({info.get('onnxruntime_build', '?')} build)"
    ]
    if used:
        lines.append("Ran on: " + ", ".join(dict.fromkeys(used)))
    if tried:
        lines.append("Order tried: " + " → ".join(tried))
    for f in fallbacks:
        model = f" ({f.get('model')})" if f.get("model") else ""
        lines.append(f"Not used: {f.get('provider', '')}{model}: {f.get('reason', '')}")
    return HardwareReport(summary, "\n".join(lines), gpu_failed)


def analysis_hardware() -> HardwareReport:
    """What this computer's analysis runtime uses (loads onnxruntime; call off the GUI
    thread)."""
    from ncii_desk.vision.runtime import shared_runtime

    return hardware_report(shared_runtime().describe())
