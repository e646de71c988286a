"""A self-test of this copy of NCII Desk: is every part it is built from present and working?

``ncii-desk selftest`` runs it. The installers' smoke test and the CI run it on the frozen
app, where a missing native library or data folder shows up only at run time; an advocate's
technical support can run it on a laptop that misbehaves.

It holds no case data. Everything it writes goes into one temporary folder of its own (a
throwaway vault unlocked with a fast key derivation, generated test pictures, the MesoNet
graphs it builds) and that folder is removed at the end, whatever happened. Each check says
what it verified or, when it failed, what went wrong and what to do.
"""

from __future__ import annotations

import io
import platform
import secrets
import shutil
import sys
import tempfile
import time
from collections.abc import Callable, Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from ncii_desk import __version__
from ncii_desk.errors import NciiDeskError
from ncii_desk.lazy import lazy_module

if TYPE_CHECKING:
    import numpy as np

    from ncii_desk.vision.registry import ModelSpec
    from ncii_desk.vision.runtime import Runtime
else:
    np = lazy_module("numpy")  # on first use: `ncii-desk --help` lists `selftest` without it

#: Names of the checks, in the order they run ("qt" only when asked for).
CHECKS = ("data", "vault", "media", "workers", "models", "documents", "libraries", "qt")
#: A passphrase for the throwaway vault; it protects nothing, so it may be written here.
_THROWAWAY_PASSPHRASE = "self-test throwaway vault passphrase"
_SEED = 20240501

#: A check handed in by the caller: takes the versions found so far (and adds to them),
#: returns (summary, details), raises when something is wrong.
ExtraCheck = Callable[[dict[str, Any]], tuple[str, dict[str, Any]]]


class SelftestFailure(NciiDeskError):
    """A self-test check found something wrong (raised inside a check, reported by it)."""

    default_hint = "Reinstall NCII Desk; if the problem stays, send this report to support."


@dataclass
class CheckResult:
    """The outcome of one check."""

    name: str
    ok: bool
    summary: str  # what was verified, or what failed and why
    hint: str = ""  # what to do, when it failed
    seconds: float = 0.0
    details: dict[str, Any] = field(default_factory=dict)

    def as_dict(self) -> dict[str, Any]:
        return {
            "name": self.name,
            "ok": self.ok,
            "summary": self.summary,
            "hint": self.hint,
            "seconds": round(self.seconds, 3),
            "details": self.details,
        }


@dataclass
class SelftestReport:
    """Every check's result, the versions of the parts, and whether cleanup worked."""

    checks: list[CheckResult]
    versions: dict[str, Any]
    frozen: bool
    seconds: float
    temp_removed: bool

    @property
    def ok(self) -> bool:
        return self.temp_removed and all(c.ok for c in self.checks)

    @property
    def failed(self) -> list[CheckResult]:
        return [c for c in self.checks if not c.ok]

    def as_dict(self) -> dict[str, Any]:
        return {
            "ok": self.ok,
            "ncii_desk": __version__,
            "frozen": self.frozen,
            "seconds": round(self.seconds, 3),
            "temp_removed": self.temp_removed,
            "versions": self.versions,
            "checks": [c.as_dict() for c in self.checks],
        }


def is_frozen() -> bool:
    """True in a PyInstaller build (the installed app), False from a checkout or a wheel."""
    return bool(getattr(sys, "frozen", False) or getattr(sys, "_MEIPASS", None))


class _Context:
    """What the checks share: the temporary folder and the versions found along the way."""

    def __init__(self, root: Path, extra: Mapping[str, ExtraCheck]) -> None:
        self.root = root
        self.extra = extra
        self.versions: dict[str, Any] = {}
        self.rng = np.random.default_rng(_SEED)

    def folder(self, name: str) -> Path:
        path = self.root / name
        path.mkdir(parents=True, exist_ok=True)
        return path

    def picture(self, width: int = 96, height: int = 64) -> np.ndarray[Any, np.dtype[np.uint8]]:
        """A generated benign picture: colour gradients with a few rectangles and ellipses."""
        from PIL import Image, ImageDraw

        y, x = np.mgrid[0:height, 0:width]
        base = np.stack(
            [x * 255 // max(width - 1, 1), y * 255 // max(height - 1, 1), (x + y) % 256],
            axis=-1,
        ).astype(np.uint8)
        image = Image.fromarray(base, mode="RGB")
        draw = ImageDraw.Draw(image)
        for i in range(6):
            x0 = int(self.rng.integers(0, max(width - 20, 1)))
            y0 = int(self.rng.integers(0, max(height - 20, 1)))
            x1 = x0 + int(self.rng.integers(10, max(width // 2, 11)))
            y1 = y0 + int(self.rng.integers(10, max(height // 2, 11)))
            fill = tuple(int(v) for v in self.rng.integers(0, 256, 3))
            (draw.ellipse if i % 2 else draw.rectangle)([x0, y0, x1, y1], fill=fill)
        return np.asarray(image, dtype=np.uint8)


# --- checks ------------------------------------------------------------------------------------


def _check_data(ctx: _Context) -> tuple[str, dict[str, Any]]:
    from ncii_desk.resources import DATA_FOLDERS, data_dir
    from ncii_desk.vision.registry import MANIFEST_NAME, load_manifest

    folders = {name: str(data_dir(name)) for name in DATA_FOLDERS}
    manifest = data_dir("models") / MANIFEST_NAME
    specs = load_manifest(manifest)
    icon = data_dir("assets") / "icons" / "ncii-desk.png"
    if not icon.is_file():
        raise SelftestFailure(f"The application icon {icon.name} is missing from assets/.")
    return (
        f"forms/, assets/ and models/ found; the model manifest lists {len(specs)} models",
        {"folders": folders, "manifest_models": len(specs)},
    )


def _check_vault(ctx: _Context) -> tuple[str, dict[str, Any]]:
    from sqlalchemy import select

    from ncii_desk.vault import KdfParams, Vault
    from ncii_desk.vault.db import DB_NAME, engine_versions
    from ncii_desk.vault.models import Blob

    # The smallest key derivation the vault accepts: still the real Argon2id, but quick.
    kdf = KdfParams(memory_kib=64 * 1024, time_cost=1, parallelism=2, salt=secrets.token_bytes(16))
    root = ctx.root / "vault"
    payload = secrets.token_bytes(300_000)  # random bytes, more than one encryption chunk
    vault, _recovery = Vault.create(root, _THROWAWAY_PASSPHRASE, kdf=kdf, actor="selftest")
    try:
        info = vault.blobs.put_bytes(payload)
        with vault.transaction() as s:
            vault.store_blob(s, info)
            vault.audit(s, "selftest.blob", object_id=info.blob_id)
        cipher, sqlite = engine_versions(vault.engine)
    finally:
        vault.close()
    if not cipher:
        raise SelftestFailure("The vault database opened without SQLCipher encryption.")
    ctx.versions["sqlcipher"] = str(cipher)
    ctx.versions["sqlite"] = str(sqlite)
    if (root / DB_NAME).read_bytes()[:16].startswith(b"SQLite format 3"):
        raise SelftestFailure("The vault database was written unencrypted.")
    vault = Vault.open(root, passphrase=_THROWAWAY_PASSPHRASE, actor="selftest")
    try:
        with vault.session() as s:
            row = s.scalars(select(Blob).where(Blob.id == info.blob_id)).one()
        if vault.read_blob(row) != payload:
            raise SelftestFailure("A stored blob read back with different bytes.")
        report = vault.check()
    finally:
        vault.close()
    if not report.ok:
        problems = "; ".join(f"{p.file}: {p.message}" for p in report.problems[:3])
        raise SelftestFailure(f"The vault check found problems: {problems}")
    return (
        f"encrypted vault created, {len(payload):,}-byte blob written, read back and "
        f"verified after reopening; vault check OK ({report.audit_events} audit events)",
        {"sqlcipher": str(cipher), "blob_bytes": len(payload), "audit_events": report.audit_events},
    )


def _encode(pixels: np.ndarray[Any, Any], fmt: str) -> bytes:
    from PIL import Image

    buf = io.BytesIO()
    Image.fromarray(pixels, mode="RGB").save(buf, format=fmt)
    return buf.getvalue()


def _tiny_video(ctx: _Context, frames: int = 12, fps: int = 6) -> bytes:
    """An MP4 (MPEG-4 part 2, FFmpeg's own encoder) of moving gradients, made in memory."""
    import av

    buf = io.BytesIO()
    with av.open(buf, mode="w", format="mp4") as container:
        stream = container.add_stream("mpeg4", rate=fps)
        stream.width, stream.height, stream.pix_fmt = 96, 64, "yuv420p"
        for i in range(frames):
            pixels = np.roll(ctx.picture(96, 64), i * 4, axis=1)
            frame = av.VideoFrame.from_ndarray(pixels, format="rgb24")
            for packet in stream.encode(frame):
                container.mux(packet)
        for packet in stream.encode():
            container.mux(packet)
    return buf.getvalue()


def _check_media(ctx: _Context) -> tuple[str, dict[str, Any]]:
    import pillow_heif

    from ncii_desk.hashing.perceptual import hamming_hex, pdq
    from ncii_desk.media.loader import iter_video_frames, load_image

    pillow_heif.register_heif_opener()
    pixels = ctx.picture(128, 96)
    hashes: dict[str, str] = {}
    for fmt in ("PNG", "JPEG", "HEIF"):
        loaded = load_image(_encode(pixels, fmt))
        if (loaded.width, loaded.height) != (128, 96):
            raise SelftestFailure(f"A {fmt} test picture decoded at the wrong size.")
        hashes[fmt] = pdq(loaded.pixels).hex
    if hashes["PNG"] != pdq(pixels).hex:
        raise SelftestFailure("The PDQ hash of a lossless picture changed after decoding.")
    far = max(hamming_hex(hashes["PNG"], hashes[f]) for f in ("JPEG", "HEIF"))
    if far > 31:
        raise SelftestFailure(f"Lossy copies of a picture differ by {far} PDQ bits (at most 31).")
    frames = list(iter_video_frames(_tiny_video(ctx), every_s=0.5))
    if not frames:
        raise SelftestFailure("No frame could be decoded from a generated video.")
    return (
        f"PNG, JPEG and HEIF pictures decoded and PDQ-hashed (lossy copies within {far} bits); "
        f"{len(frames)} frames decoded from a generated MP4",
        {"pdq_bits_apart": far, "video_frames": len(frames)},
    )


def _check_workers(ctx: _Context) -> tuple[str, dict[str, Any]]:
    from ncii_desk.hashing.pipeline import hash_file, hash_many, shutdown_pools

    folder = ctx.folder("pictures")
    paths = []
    for i in range(3):
        path = folder / f"generated-{i}.png"
        path.write_bytes(_encode(np.roll(ctx.picture(120, 80), i * 30, axis=0), "PNG"))
        paths.append(path)
    here = {Path(r.path).name: r for r in (hash_file(p) for p in paths)}
    try:
        pooled = {Path(r.path).name: r for r in hash_many(paths, workers=2)}
    finally:
        shutdown_pools()
    failed = [r.error for r in (*here.values(), *pooled.values()) if r.error]
    if failed:
        raise SelftestFailure(f"Generated pictures could not be hashed: {failed[0]}")
    if set(pooled) != set(here):
        raise SelftestFailure(f"The worker processes returned {len(pooled)} of 3 results.")
    if any((pooled[n].pdq, pooled[n].sha256) != (here[n].pdq, here[n].sha256) for n in here):
        raise SelftestFailure("Worker processes computed other hashes than this process.")
    return "3 generated pictures hashed by 2 worker processes, the same as in-process", {}


def _run_onnx(runtime: Runtime, key: str, spec: ModelSpec, session: Any) -> dict[str, Any]:
    inp = spec.input
    side = inp.max_side or 320
    side -= side % inp.multiple_of
    shape = inp.tensor_shape(width=side, height=side)
    rng = np.random.default_rng(_SEED)
    x = (rng.random(shape, dtype=np.float32) * 255.0 * inp.scale).astype(np.float32)
    name = inp.tensor or session.get_inputs()[0].name
    outputs = session.get_outputs()
    results = session.run([o.name for o in outputs], {name: x})
    if spec.output.names and [o.name for o in outputs] != list(spec.output.names):
        raise SelftestFailure(f"The model '{spec.name}' has other outputs than the manifest says.")
    for out, value in zip(outputs, results, strict=True):
        arr = np.asarray(value)
        if arr.size == 0 or not np.all(np.isfinite(arr)):
            raise SelftestFailure(f"The model '{spec.name}' gave no usable '{out.name}' output.")
    return {"input": list(shape), "outputs": len(results), "provider": runtime.session_info(key)}


def _check_models(ctx: _Context) -> tuple[str, dict[str, Any]]:
    from ncii_desk.vision import mesonet
    from ncii_desk.vision.registry import ModelMissing, ModelRegistry
    from ncii_desk.vision.runtime import Runtime

    registry = ModelRegistry()
    runtime = Runtime(registry)
    ran: dict[str, Any] = {}
    skipped: list[str] = []
    for spec in registry:
        try:
            path = registry.locate(spec.name, use_cache=False)
        except ModelMissing:
            if spec.bundled:
                raise
            skipped.append(spec.name)  # not shipped with the app: optional, placed by a clinic
            continue
        if spec.format == "onnx":
            key = spec.name
            session = runtime.session(key)
        else:
            arch = mesonet.guess_arch(path)
            built = mesonet.cached_onnx(path, arch, cache_dir=ctx.folder("model-cache"))
            key = f"{spec.name}-{built.stem}"
            session = runtime.session_from(key, built)
        info = _run_onnx(runtime, key, spec, session)
        if spec.format == "keras-h5":
            x = np.full((2, mesonet.INPUT_SIZE, mesonet.INPUT_SIZE, 3), 0.5, dtype=np.float32)
            wanted = [mesonet.OUTPUT_REAL, mesonet.OUTPUT_FAKE]
            real, fake = session.run(wanted, {mesonet.INPUT_NAME: x})
            if not np.allclose(np.asarray(real) + np.asarray(fake), 1.0, atol=1e-5):
                raise SelftestFailure(f"The MesoNet graph for '{spec.name}' is inconsistent.")
        provider = info.pop("provider")
        ran[spec.name] = {**info, "provider": provider.provider, "bundled": spec.bundled}
    bundled = [s.name for s in registry if s.bundled]
    if not ran:
        raise SelftestFailure("No model could be run.")
    described = runtime.describe()
    ctx.versions["onnxruntime"] = described["onnxruntime"]
    ctx.versions["onnxruntime_providers"] = described["available"]
    ctx.versions["onnxruntime_provider_used"] = described["provider"]
    summary = (
        f"{len(ran)} models ran through onnxruntime on {described['provider']} "
        f"(all {len(bundled)} bundled ones included)"
    )
    if skipped:
        summary += f"; not installed (optional): {', '.join(skipped)}"
    return summary, {
        "ran": ran,
        "skipped_optional": skipped,
        "fallbacks": described["fallbacks"],
    }


def _one_page_pdf() -> bytes:
    from reportlab.lib.pagesizes import A4
    from reportlab.pdfgen import canvas

    buf = io.BytesIO()
    pdf = canvas.Canvas(buf, pagesize=A4, invariant=True)
    pdf.setTitle("NCII Desk self-test")
    pdf.setFont("Helvetica-Bold", 16)
    pdf.drawString(72, 770, "NCII Desk self-test page")
    pdf.setFont("Times-Roman", 11)
    pdf.drawString(72, 750, f"Version {__version__}; this page holds no case data.")
    pdf.showPage()
    pdf.save()
    return buf.getvalue()


def _check_documents(ctx: _Context) -> tuple[str, dict[str, Any]]:
    import docx
    from pyhanko.pdf_utils.reader import PdfFileReader

    data = _one_page_pdf()
    if not data.startswith(b"%PDF-"):
        raise SelftestFailure("reportlab produced a file that does not start with %PDF.")
    reader = PdfFileReader(io.BytesIO(data), strict=True)
    pages = int(reader.root["/Pages"]["/Count"])
    if pages != 1:
        raise SelftestFailure(f"The test PDF has {pages} pages instead of 1.")
    title = str(reader.trailer_view["/Info"]["/Title"])
    if title != "NCII Desk self-test":
        raise SelftestFailure("The test PDF does not read back with its title.")
    document = docx.Document()  # needs python-docx's default template (data files)
    document.add_paragraph("NCII Desk self-test")
    out = io.BytesIO()
    document.save(out)
    again = docx.Document(io.BytesIO(out.getvalue()))
    if [p.text for p in again.paragraphs] != ["NCII Desk self-test"]:
        raise SelftestFailure("A DOCX written from the default template did not read back.")
    import reportlab

    ctx.versions["reportlab"] = reportlab.Version
    return (
        f"one-page PDF rendered in memory ({len(data):,} bytes) and parsed; DOCX written and "
        "read back",
        {"pdf_bytes": len(data)},
    )


def _check_libraries(ctx: _Context) -> tuple[str, dict[str, Any]]:
    import av
    import certifi
    import cv2
    import pillow_heif
    from pyhanko import version as pyhanko_version

    from ncii_desk.nativelibs import import_c2pa

    c2pa = import_c2pa()

    bundle = Path(certifi.where())
    if not bundle.is_file() or bundle.stat().st_size < 1000:
        raise SelftestFailure("The certificate bundle (certifi) is missing.")
    ok, encoded = cv2.imencode(".png", ctx.picture(32, 32))
    if not ok or encoded.size == 0:
        raise SelftestFailure("OpenCV could not encode a picture.")
    c2pa_native = str(c2pa.sdk_version())  # calls into the native c2pa library
    found = {
        "opencv": str(cv2.__version__),
        "av": str(av.__version__),
        "ffmpeg": ".".join(str(v) for v in av.library_versions.get("libavcodec", ())),
        "libheif": str(pillow_heif.libheif_version()),
        "c2pa": c2pa_native,
        "pyhanko": str(pyhanko_version.__version__),
    }
    ctx.versions.update(found)
    return "OpenCV, FFmpeg (PyAV), libheif, c2pa and the certificate bundle load", found


def _check_qt(ctx: _Context) -> tuple[str, dict[str, Any]]:
    """Run the Qt check the program's entry module handed in (Qt lives in the GUI layer)."""
    check = ctx.extra.get("qt")
    if check is None:
        raise SelftestFailure(
            "The Qt check was not given to this self-test run: it comes with the desktop app.",
            "Run it with the ncii-desk program: ncii-desk selftest --qt",
        )
    return check(ctx.versions)


_RUNNERS: dict[str, Callable[[_Context], tuple[str, dict[str, Any]]]] = {
    "data": _check_data,
    "vault": _check_vault,
    "media": _check_media,
    "workers": _check_workers,
    "models": _check_models,
    "documents": _check_documents,
    "libraries": _check_libraries,
    "qt": _check_qt,
}


def _run_one(name: str, ctx: _Context) -> CheckResult:
    start = time.perf_counter()
    try:
        summary, details = _RUNNERS[name](ctx)
    except NciiDeskError as exc:
        return CheckResult(
            name, False, exc.message, exc.hint, time.perf_counter() - start, exc.as_dict()
        )
    except Exception as exc:  # the point of a self-test: report any failure, never crash
        text = f"{type(exc).__name__}: {exc}".strip()
        return CheckResult(
            name,
            False,
            f"The {name} check failed: {text}",
            SelftestFailure.default_hint,
            time.perf_counter() - start,
            {"error": type(exc).__name__},
        )
    return CheckResult(name, True, summary, "", time.perf_counter() - start, details)


@contextmanager
def _temporary_folder() -> Iterator[Path]:
    root = Path(tempfile.mkdtemp(prefix="ncii-desk-selftest-"))
    try:
        yield root
    finally:
        shutil.rmtree(root, ignore_errors=True)


def _base_versions() -> dict[str, Any]:
    import PIL

    versions: dict[str, Any] = {
        "python": platform.python_version(),
        "platform": platform.platform(),
        "machine": platform.machine(),
        "numpy": np.__version__,
        "pillow": PIL.__version__,
    }
    from importlib import metadata  # here: `ncii-desk --help` lists `selftest` without it

    # Qt itself is loaded by the "qt" check only (Qt belongs to the GUI layer); the version of
    # the binding installed is read from its package record, and the Qt it is built on carries
    # the same major and minor version. The "qt" check replaces both with what it loaded.
    try:
        pyside = metadata.version("PySide6")
    except metadata.PackageNotFoundError:
        try:
            pyside = metadata.version("PySide6-Essentials")
        except metadata.PackageNotFoundError as exc:
            versions["qt"] = f"unavailable (PySide6 is not installed: {exc})"
            return versions
    versions.update(qt=pyside, pyside6=pyside)
    return versions


def run_selftest(
    *,
    qt: bool = False,
    only: tuple[str, ...] = (),
    on_result: Callable[[CheckResult], None] | None = None,
    extra: Mapping[str, ExtraCheck] | None = None,
) -> SelftestReport:
    """Run the checks (all but "qt" by default; ``only`` picks some) and report on each.

    Never raises for a failed check: the report says which one failed and why. ``extra``
    holds the checks only the program's entry module can give (``"qt"``, from the GUI layer:
    ncii_desk.gui.selfcheck); each takes the versions found so far, adds its own, and returns
    (summary, details) or raises.
    """
    unknown = [n for n in only if n not in CHECKS]
    if unknown:
        raise ValueError(f"unknown selftest checks: {', '.join(unknown)}")
    names = [n for n in CHECKS if (n in only if only else (n != "qt" or qt))]
    start = time.perf_counter()
    results: list[CheckResult] = []
    with _temporary_folder() as root:
        ctx = _Context(root, extra or {})
        for name in names:
            result = _run_one(name, ctx)
            results.append(result)
            if on_result is not None:
                on_result(result)
    versions = {**_base_versions(), **ctx.versions}
    return SelftestReport(
        checks=results,
        versions=versions,
        frozen=is_frozen(),
        seconds=time.perf_counter() - start,
        temp_removed=not root.exists(),
    )


__all__ = [
    "CHECKS",
    "CheckResult",
    "ExtraCheck",
    "SelftestFailure",
    "SelftestReport",
    "is_frozen",
    "run_selftest",
]
