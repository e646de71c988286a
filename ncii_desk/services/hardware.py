"""Where the picture checks run, in words an advocate reads: "on this computer's graphics
card" or "on the processor". Provider class names, library versions and the errors a
graphics-card library gave stay in a separate details text (shown only when asked)."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from ncii_desk.i18n import Phrase

#: onnxruntime's processor provider; every other provider computes on a graphics card or
#: a similar accelerator.
CPU_PROVIDER = "CPUExecutionProvider"
ON_GPU = "on this computer's graphics card"
ON_CPU = "on the processor"
#: The services catalogue's context of the sentences here (ncii_desk/i18n/services_<lang>.ts).
PHRASE_CONTEXT = "Hardware"


def _p(template: str, **values: object) -> Phrase:
    return Phrase(PHRASE_CONTEXT, template, values)


def _place(where: str) -> Phrase:
    return _p("on the processor") if where == ON_CPU else _p("on this computer's graphics card")


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
    #: The summary as a template and its values, for the window to say in its language.
    phrase: Phrase | None = None

    def summary_in(self, language: str | None = None) -> str:
        """The summary in ``language`` (None: the window's language)."""
        return self.summary if self.phrase is None else self.phrase.text(language)


def hardware_report(info: Mapping[str, Any]) -> HardwareReport:
    """Plain words for the runtime's ``describe()`` result."""
    used = [str(p) for p in info.get("providers_used", []) or info.get("sessions", {}).values()]
    tried = [str(p) for p in info.get("providers", [])]
    fallbacks = [f for f in info.get("fallbacks", []) if isinstance(f, Mapping)]
    gpu_failed = any(str(f.get("provider", "")) != CPU_PROVIDER for f in fallbacks)
    if used:
        places = [_place(w) for w in sorted({where_it_runs(p) for p in used})]
        if len(places) == 1:
            said = _p("Picture checks run {where}.", where=places[0])
        else:
            said = _p("Picture checks run {first} and {second}.", first=places[0], second=places[1])
    elif tried and tried[0] != CPU_PROVIDER:
        said = _p(
            "No picture check has run yet. They will use this computer's graphics card "
            "if it works, else the processor."
        )
    else:
        said = _p("No picture check has run yet. They will run on the processor.")
    if gpu_failed:
        said = _p(
            "{summary} The graphics card could not be used, so checks run on the processor "
            "(slower, same results). Details show why.",
            summary=said,
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
    return HardwareReport(str(said), "\n".join(lines), gpu_failed, said)


def analysis_hardware() -> HardwareReport:
    """What this computer's analysis runtime uses (loads onnxruntime; call off the GUI
    thread)."""
    from ncii_desk.vision.runtime import shared_runtime

    return hardware_report(shared_runtime().describe())
