"""The one place onnxruntime sessions are made.

Execution providers are tried in this order, keeping only those this onnxruntime build has:
TensorRT → CUDA → DirectML (Windows) → CoreML (macOS) → CPU. When a provider cannot create a
session (driver missing, library not loadable, an operator it cannot place), the next one is
tried, the reason is kept for :meth:`Runtime.describe`, and that provider is not tried again
by this runtime, so every later session reports the same, working provider.

onnxruntime is imported on first use only: importing this module costs nothing. onnxruntime
ships no type information, so sessions are ``Any`` here.

Model bytes are read and hashed in one go (:meth:`ModelRegistry.read_verified`) and the
session is built from those very bytes: the sha256 recorded with a result is the sha256 of
the weights that produced it.
"""

from __future__ import annotations

import importlib
import os
import threading
import warnings
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from ncii_desk.errors import InvalidSetting, NciiDeskError
from ncii_desk.hardening import ORT_TELEMETRY_ENV
from ncii_desk.paths import user_cache_dir
from ncii_desk.vision.registry import ModelRegistry, clinic_manifests_seen

if TYPE_CHECKING:
    import numpy as np
    import numpy.typing as npt

CPU = "CPUExecutionProvider"
#: Preference order; each is used only when ``onnxruntime.get_available_providers()`` has it.
DEFAULT_PROVIDERS: tuple[str, ...] = (
    "TensorrtExecutionProvider",
    "CUDAExecutionProvider",
    "DmlExecutionProvider",
    "CoreMLExecutionProvider",
    CPU,
)


class ModelLoadError(NciiDeskError):
    """onnxruntime could not build a session for a verified model on any provider."""

    exit_code = 1
    default_hint = (
        "Install the newest NCII Desk (it brings a newer onnxruntime); if the model was added "
        "by your clinic, check that it is a single self-contained .onnx file."
    )


def onnxruntime_module() -> Any:
    """onnxruntime, imported with its telemetry off.

    Official onnxruntime builds (1DS telemetry, Linux and macOS included) write a persistent
    device id and an event queue to ~/.cache/Microsoft/DeveloperTools/.onnxruntime as soon as
    the module is imported, unless ORT_DISABLE_TELEMETRY=1 is set before that first import;
    the entry points set it at start (ncii_desk.hardening), and so does this, for library use.
    ``disable_telemetry_events()`` then switches off the events of an already-loaded module.
    """
    os.environ[ORT_TELEMETRY_ENV] = "1"
    ort = importlib.import_module("onnxruntime")
    disable = getattr(ort, "disable_telemetry_events", None)
    if callable(disable):
        disable()
    # Fatal only: a missing CUDA/TensorRT library is an expected fallback on most laptops,
    # recorded in Runtime.fallbacks, not something to print in red on every start.
    ort.set_default_logger_severity(4)
    return ort


def default_threads() -> int:
    """The CPU cores this process may use."""
    try:
        return max(1, len(os.sched_getaffinity(0)))
    except (AttributeError, OSError):  # pragma: no cover - macOS and Windows
        return max(1, os.cpu_count() or 1)


@dataclass(frozen=True)
class Fallback:
    """A provider that was skipped, and why."""

    provider: str
    reason: str
    model: str  # the model whose session failed on it ("" when skipped before any session)

    def as_dict(self) -> dict[str, str]:
        return {"provider": self.provider, "reason": self.reason, "model": self.model}


@dataclass(frozen=True)
class SessionInfo:
    """What an analysis record needs to say about the session that produced a number."""

    key: str  # the model name (or the key given to session_from)
    provider: str  # the provider the session actually runs on
    providers: tuple[str, ...]  # the session's full provider list, most preferred first
    sha256: str  # of the model bytes, "" for session_from(...) models
    path: str  # where the file was found, "" for in-memory models


class Runtime:
    """Builds, caches and runs onnxruntime sessions; one per process is enough.

    ``providers`` replaces the preference order. An explicit list is tried as given (each
    failure recorded), with CPU always added last; the default list is first reduced to the
    providers this onnxruntime build has. Sessions are cached per model and may be used from
    several threads at once (onnxruntime's ``run`` is thread-safe).
    """

    def __init__(
        self,
        registry: ModelRegistry | None = None,
        *,
        providers: Sequence[str] | None = None,
        intra_op_threads: int | None = None,
        log_severity: int = 3,
    ) -> None:
        if intra_op_threads is not None and intra_op_threads < 1:
            raise InvalidSetting(f"intra_op_threads must be at least 1, got {intra_op_threads}.")
        self._registry = registry
        self._explicit = providers is not None
        self._requested: tuple[str, ...] = (
            tuple(providers) if providers is not None else DEFAULT_PROVIDERS
        )
        self.intra_op_threads = intra_op_threads or default_threads()
        self.log_severity = log_severity
        self._lock = threading.Lock()
        self._candidates: list[str] | None = None  # resolved lazily (imports onnxruntime)
        self._fallbacks: list[Fallback] = []
        self._sessions: dict[str, Any] = {}
        self._info: dict[str, SessionInfo] = {}

    # -- providers --

    @property
    def registry(self) -> ModelRegistry:
        if self._registry is None:
            self._registry = ModelRegistry()
        return self._registry

    def _resolve_candidates(self) -> list[str]:
        """Call with the lock held."""
        if self._candidates is None:
            available = list(onnxruntime_module().get_available_providers())
            wanted = list(dict.fromkeys(self._requested))
            if not self._explicit:
                wanted = [p for p in wanted if p in available]
            if CPU not in wanted:
                wanted.append(CPU)
            self._candidates = wanted
        return self._candidates

    @property
    def provider(self) -> str:
        """The provider new sessions use (after any fallbacks so far): for reporting."""
        with self._lock:
            return self._resolve_candidates()[0]

    @property
    def fallbacks(self) -> list[Fallback]:
        with self._lock:
            return list(self._fallbacks)

    def describe(self) -> dict[str, Any]:
        """Provider, fallbacks with reasons, onnxruntime version and device, for UI and records."""
        ort = onnxruntime_module()
        with self._lock:
            candidates = list(self._resolve_candidates())
            fallbacks = [f.as_dict() for f in self._fallbacks]
            sessions = {key: info.provider for key, info in self._info.items()}
        # What sessions actually ran on (session.get_providers()[0] after creation), never
        # what this onnxruntime build could offer: a GPU build on a computer without a usable
        # GPU lists CUDA and TensorRT, and ort.get_device() says "GPU", yet runs on the CPU.
        used = list(dict.fromkeys(sessions.values()))
        provider = used[0] if used else ""
        return {
            "provider": provider,
            "provider_checked": bool(used),
            "providers_used": used,
            "next_provider": candidates[0],
            "providers": candidates,
            "fallbacks": fallbacks,
            "available": list(ort.get_available_providers()),
            "onnxruntime": str(ort.__version__),
            "device": device_of(provider),
            "onnxruntime_build": str(ort.get_device()),
            "intra_op_threads": self.intra_op_threads,
            "sessions": sessions,
        }

    # -- sessions --

    def _options(self, ort: Any, provider: str) -> Any:
        opts = ort.SessionOptions()
        opts.intra_op_num_threads = self.intra_op_threads
        opts.inter_op_num_threads = 1
        opts.execution_mode = ort.ExecutionMode.ORT_SEQUENTIAL
        opts.graph_optimization_level = ort.GraphOptimizationLevel.ORT_ENABLE_ALL
        opts.log_severity_level = self.log_severity
        # No busy-waiting between ops: on a laptop that shares its few cores with the GUI and
        # the hashing workers, spinning costs more than it saves (bench/results/vision.md).
        opts.add_session_config_entry("session.intra_op.allow_spinning", "0")
        if provider == "DmlExecutionProvider":
            opts.enable_mem_pattern = False  # required by DirectML
        return opts

    @staticmethod
    def _provider_entry(provider: str) -> str | tuple[str, dict[str, str]]:
        if provider == "TensorrtExecutionProvider":
            # Building a TensorRT engine takes long: keep it between runs. FP16 stays off so
            # the numbers match the CPU ones a record may be compared with.
            cache = user_cache_dir() / "tensorrt"
            return (
                provider,
                {"trt_engine_cache_enable": "True", "trt_engine_cache_path": str(cache)},
            )
        return provider

    def _build(self, key: str, model: Path | bytes) -> tuple[Any, tuple[str, ...]]:
        """Create a session, walking down the candidates. Call with the lock held."""
        ort = onnxruntime_module()
        candidates = self._resolve_candidates()
        errors: list[str] = []
        while candidates:
            provider = candidates[0]
            chain = candidates[:]  # later candidates take the nodes this one cannot run
            if provider == "TensorrtExecutionProvider":
                cache = user_cache_dir() / "tensorrt"
                cache.mkdir(parents=True, exist_ok=True)
            entries = [self._provider_entry(p) for p in chain]
            reason = ""
            source = str(model) if isinstance(model, Path) else model
            with warnings.catch_warnings(record=True) as caught:
                warnings.simplefilter("always")
                try:
                    session = ort.InferenceSession(
                        source,
                        sess_options=self._options(ort, provider),
                        providers=entries,
                        enable_fallback=0,  # no silent retry, no printing: we decide
                    )
                except Exception as exc:
                    session = None
                    reason = f"{type(exc).__name__}: {exc}".strip()
            if session is not None:
                used = tuple(session.get_providers())
                if used and used[0] == provider:
                    return session, used
                reason = f"onnxruntime put the session on {used[0] if used else 'nothing'}"
            notes = "; ".join(str(w.message) for w in caught)
            if notes:
                reason = f"{reason} ({notes})"
            errors.append(f"{provider}: {reason}")
            if provider == CPU:
                break
            self._fallbacks.append(Fallback(provider=provider, reason=reason, model=key))
            candidates.remove(provider)
        raise ModelLoadError(
            f"onnxruntime {ort.__version__} could not load the model '{key}': " + " | ".join(errors)
        )

    def session(self, name: str) -> Any:
        """The cached onnxruntime session for the manifest model ``name``."""
        with self._lock:
            cached = self._sessions.get(name)
            if cached is not None:
                return cached
            spec = self.registry.spec(name)
            if spec.format != "onnx":
                raise ModelLoadError(
                    f"The model '{name}' is a {spec.format} file, not ONNX; onnxruntime cannot "
                    "open it directly.",
                    "Use the converter for this model (MesoNet weights are rebuilt as an ONNX "
                    "graph by ncii_desk.vision.mesonet), or list an ONNX export in the manifest.",
                )
            path, data = self.registry.read_verified(name)
            session, used = self._build(name, data)
            self._sessions[name] = session
            self._info[name] = SessionInfo(
                key=name, provider=used[0], providers=used, sha256=spec.sha256, path=str(path)
            )
            return session

    def session_from(self, key: str, model: Path | bytes) -> Any:
        """A cached session for a model that is not in the manifest (e.g. a converted graph).

        The caller is responsible for having verified ``model``; ``key`` must identify its
        exact bytes (include a hash), since a later call with the same key returns the cache.
        """
        with self._lock:
            cached = self._sessions.get(key)
            if cached is not None:
                return cached
            session, used = self._build(key, model)
            self._sessions[key] = session
            path = str(model) if isinstance(model, Path) else ""
            self._info[key] = SessionInfo(
                key=key, provider=used[0], providers=used, sha256="", path=path
            )
            return session

    def session_info(self, key: str) -> SessionInfo:
        """Provider and weights of a session already made (KeyError if none was)."""
        with self._lock:
            return self._info[key]

    def run(
        self,
        name: str,
        inputs: Mapping[str, npt.NDArray[Any]] | npt.NDArray[Any],
        outputs: Sequence[str] | None = None,
    ) -> dict[str, np.ndarray[Any, Any]]:
        """Run model ``name``; a bare array feeds its first input. Returns outputs by name."""
        session = self.session(name)
        if not isinstance(inputs, Mapping):
            inputs = {session.get_inputs()[0].name: inputs}
        names = list(outputs) if outputs is not None else [o.name for o in session.get_outputs()]
        results = session.run(names, dict(inputs))
        return dict(zip(names, results, strict=True))


_shared_lock = threading.Lock()
_shared: Runtime | None = None
_shared_clinic: tuple[tuple[str, int, int], ...] = ()


_DEVICES = {
    CPU: "CPU",
    "CUDAExecutionProvider": "GPU (CUDA)",
    "TensorrtExecutionProvider": "GPU (TensorRT)",
    "DmlExecutionProvider": "GPU (DirectML)",
    "CoreMLExecutionProvider": "CoreML (Apple GPU or Neural Engine)",
}


def device_of(provider: str) -> str:
    """The hardware an execution provider computes on, in words ("" when none ran yet)."""
    if not provider:
        return ""
    return _DEVICES.get(provider, provider.removesuffix("ExecutionProvider"))


def shared_runtime() -> Runtime:
    """The process-wide runtime: one provider choice and one session cache for all analyses.

    Made anew when the clinic manifests change (another models folder chosen, a manifest.toml
    added or edited), so a clinic's detector is used without restarting the application."""
    global _shared, _shared_clinic
    seen = clinic_manifests_seen()
    with _shared_lock:
        if _shared is None or seen != _shared_clinic:
            _shared = Runtime()
            _shared_clinic = seen
        return _shared
