"""Build NCII Desk for this operating system: the folder build, then its installer.

    python packaging/build.py                 # dist/ncii-desk/ (folder build)
    python packaging/build.py --installer     # + Linux tarball / macOS .dmg / Windows setup
    python packaging/build.py --smoke         # + run the frozen app's selftest afterwards
    python packaging/build.py --no-build --installer --smoke   # package an existing build

Options: --skip-models (bundle no model weights), --cpu-only (leave out onnxruntime's
CUDA/TensorRT provider libraries), --clean (PyInstaller starts from scratch).

Model weights the manifest marks as bundled come from NCII_DESK_MODELS or ../shared/models
and are sha256-checked (packaging/bundle_models.py); the build stops if one is missing.

Signing is driven by environment variables and skipped, with a message, when they are unset
(unless NCII_DESK_REQUIRE_SIGNING=1, as for a release tag: then a missing piece fails the build):
  macOS:   MACOS_SIGN_IDENTITY (codesign, hardened runtime), APPLE_ID + APPLE_TEAM_ID +
           APPLE_APP_PASSWORD (notarytool, then stapler)
  Windows: signtool with a cloud signing service's dlib (Azure Artifact Signing, formerly
           Trusted Signing): WINDOWS_SIGNTOOL_DLIB (Azure.CodeSigning.Dlib.dll) +
           WINDOWS_SIGNTOOL_METADATA (its metadata.json: Endpoint, CodeSigningAccountName,
           CertificateProfileName; the Azure login comes from the AZURE_* variables), or
           WINDOWS_CERT_THUMBPRINT (a certificate on a hardware token, for a local build);
           WINDOWS_TIMESTAMP_URL overrides the time-stamp server. The executables, the setup
           program and its uninstaller (Inno Setup SignTool, SignedUninstaller) are signed.

Every artefact is listed with its sha256 in dist/SHA256SUMS; timings and sizes go to
dist/build-info.json.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import os
import platform
import shutil
import subprocess
import sys
import tarfile
import tempfile
import time
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
REPO = HERE.parent
sys.path.insert(0, str(HERE))
sys.path.insert(0, str(REPO))

import bundle_models  # noqa: E402

from ncii_desk import __version__  # noqa: E402

APP = "ncii-desk"
MAC_APP = "NCII Desk.app"
IS_MAC = sys.platform == "darwin"
IS_WIN = sys.platform == "win32"
DEFAULT_TIMESTAMP_URL = "http://timestamp.digicert.com"
ARTIFACT_SIGNING_TIMESTAMP_URL = "http://timestamp.acs.microsoft.com"
REQUIRE_SIGNING_ENV = "NCII_DESK_REQUIRE_SIGNING"


def log(text: str) -> None:
    sys.stdout.write(f"[build] {text}\n")
    sys.stdout.flush()


def skip(text: str) -> None:
    sys.stdout.write(f"[build] SKIPPED: {text}\n")
    sys.stdout.flush()


class BuildFailed(Exception):
    pass


def skip_signing(text: str) -> None:
    """A signing step cannot run: a message for a test build, a failure for a release."""
    if os.environ.get(REQUIRE_SIGNING_ENV) == "1":
        raise BuildFailed(f"{text} A release build ({REQUIRE_SIGNING_ENV}=1) must be signed.")
    skip(text)


def run(cmd: list[str], **kwargs: Any) -> None:
    shown = " ".join(f'"{c}"' if " " in c else c for c in cmd)
    log(f"$ {shown}")
    result = subprocess.run(cmd, check=False, **kwargs)
    if result.returncode != 0:
        raise BuildFailed(f"{cmd[0]} failed with exit code {result.returncode}")


def sha256_file(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as fh:
        while chunk := fh.read(1 << 20):
            digest.update(chunk)
    return digest.hexdigest()


def folder_size(path: Path) -> int:
    return sum(p.stat().st_size for p in path.rglob("*") if p.is_file() and not p.is_symlink())


def mib(n: int) -> str:
    return f"{n / (1 << 20):.1f} MiB"


def arch_tag() -> str:
    machine = platform.machine().lower()
    return {"amd64": "x86_64", "x64": "x86_64", "aarch64": "arm64"}.get(machine, machine)


def cli_path(dist: Path) -> Path:
    """The console executable of the build (inside the .app on macOS)."""
    if IS_MAC and (dist / MAC_APP).is_dir():
        return dist / MAC_APP / "Contents" / "MacOS" / APP
    return dist / APP / (f"{APP}.exe" if IS_WIN else APP)


# --- the folder build ------------------------------------------------------------------------


def pyinstaller(args: argparse.Namespace, dist: Path, work: Path) -> float:
    env = dict(os.environ)
    env["NCII_DESK_BUILD_DIR"] = str(work.parent)
    if args.skip_models:
        env["NCII_DESK_SKIP_MODELS"] = "1"
    if args.cpu_only:
        env["NCII_DESK_CPU_ONLY"] = "1"
    cmd = [sys.executable, "-m", "PyInstaller", "--noconfirm", "--log-level", "WARN"]
    cmd += ["--distpath", str(dist), "--workpath", str(work)]
    if args.clean:
        cmd.append("--clean")
    cmd.append(str(HERE / "ncii_desk.spec"))
    start = time.monotonic()
    run(cmd, env=env, cwd=REPO)
    return time.monotonic() - start


# --- Linux -------------------------------------------------------------------------------------


def _tar_filter(info: tarfile.TarInfo) -> tarfile.TarInfo:
    info.uid = info.gid = 0
    info.uname = info.gname = ""
    return info


def linux_tarball(dist: Path, variant: str = "") -> Path:
    name = f"{APP}-{__version__}-linux-{arch_tag()}{variant}"
    target = dist / f"{name}.tar.gz"
    log(f"writing {target.name}")
    with tarfile.open(target, "w:gz", compresslevel=6) as tar:
        tar.add(dist / APP, arcname=name, filter=_tar_filter)
        for extra in sorted((HERE / "linux").iterdir()):
            tar.add(extra, arcname=f"{name}/{extra.name}", filter=_tar_filter)
        tar.add(REPO / "docs" / "install.md", arcname=f"{name}/INSTALL.md", filter=_tar_filter)
    return target


# --- macOS -------------------------------------------------------------------------------------


def mac_sign_app(app: Path) -> bool:
    identity = os.environ.get("MACOS_SIGN_IDENTITY")
    if not identity:
        skip_signing(
            "macOS code signing: MACOS_SIGN_IDENTITY is not set. The .app and .dmg are "
            "unsigned; Gatekeeper will block them on other Macs."
        )
        return False
    entitlements = HERE / "macos" / "entitlements.plist"
    # PyInstaller signed each binary while collecting; seal the bundle with the hardened runtime.
    run(
        [
            "codesign",
            "--force",
            "--options",
            "runtime",
            "--timestamp",
            "--entitlements",
            str(entitlements),
            "--sign",
            identity,
            str(app),
        ]
    )
    run(["codesign", "--verify", "--deep", "--strict", "--verbose=2", str(app)])
    return True


def mac_dmg(dist: Path, signed: bool) -> Path:
    app = dist / MAC_APP
    target = dist / f"{APP}-{__version__}-macos-{arch_tag()}.dmg"
    with tempfile.TemporaryDirectory() as tmp:
        stage = Path(tmp) / "NCII Desk"
        stage.mkdir()
        run(["ditto", str(app), str(stage / MAC_APP)])
        (stage / "Applications").symlink_to("/Applications")
        shutil.copyfile(REPO / "docs" / "install.md", stage / "Install and verify.md")
        if target.exists():
            target.unlink()
        run(
            [
                "hdiutil",
                "create",
                "-volname",
                "NCII Desk",
                "-srcfolder",
                str(stage),
                "-fs",
                "HFS+",
                "-format",
                "UDZO",
                "-ov",
                str(target),
            ]
        )
    if signed:
        identity = os.environ["MACOS_SIGN_IDENTITY"]
        run(["codesign", "--force", "--timestamp", "--sign", identity, str(target)])
    return target


def mac_notarise(dmg: Path, signed: bool) -> None:
    needed = ("APPLE_ID", "APPLE_TEAM_ID", "APPLE_APP_PASSWORD")
    missing = [n for n in needed if not os.environ.get(n)]
    if not signed:
        skip_signing("notarisation: the app is not signed (MACOS_SIGN_IDENTITY unset).")
        return
    if missing:
        skip_signing(
            f"notarisation: {', '.join(missing)} not set. The signed .dmg is not notarised."
        )
        return
    run(
        [
            "xcrun",
            "notarytool",
            "submit",
            str(dmg),
            "--apple-id",
            os.environ["APPLE_ID"],
            "--team-id",
            os.environ["APPLE_TEAM_ID"],
            "--password",
            os.environ["APPLE_APP_PASSWORD"],
            "--wait",
        ]
    )
    run(["xcrun", "stapler", "staple", str(dmg)])
    run(["xcrun", "stapler", "validate", str(dmg)])


# --- Windows -----------------------------------------------------------------------------------


def _find_tool(name: str, candidates: list[str]) -> str | None:
    found = shutil.which(name)
    if found:
        return found
    for candidate in candidates:
        for match in sorted(Path(candidate).parent.glob(Path(candidate).name), reverse=True):
            if match.is_file():
                return str(match)
    return None


def signtool_command() -> list[str] | None:
    """signtool's sign command without the files, or None when no signing is set up."""
    dlib = os.environ.get("WINDOWS_SIGNTOOL_DLIB")
    metadata = os.environ.get("WINDOWS_SIGNTOOL_METADATA")
    thumbprint = os.environ.get("WINDOWS_CERT_THUMBPRINT")
    if not (dlib and metadata) and not thumbprint:
        skip_signing(
            "Windows code signing: neither WINDOWS_SIGNTOOL_DLIB + WINDOWS_SIGNTOOL_METADATA "
            "(Azure Artifact Signing) nor WINDOWS_CERT_THUMBPRINT is set. SmartScreen will "
            "warn about unsigned files."
        )
        return None
    signtool = _find_tool(
        "signtool", [r"C:\Program Files (x86)\Windows Kits\10\bin\*\x64\signtool.exe"]
    )
    if signtool is None:
        raise BuildFailed("signtool.exe was not found; install the Windows SDK.")
    cmd = [signtool, "sign", "/v", "/fd", "SHA256", "/td", "SHA256"]
    if dlib and metadata:
        for path in (dlib, metadata):
            if not Path(path).is_file():
                raise BuildFailed(f"{path} does not exist (WINDOWS_SIGNTOOL_DLIB/METADATA).")
        url = os.environ.get("WINDOWS_TIMESTAMP_URL", ARTIFACT_SIGNING_TIMESTAMP_URL)
        cmd += ["/tr", url, "/dlib", dlib, "/dmdf", metadata]
    else:
        url = os.environ.get("WINDOWS_TIMESTAMP_URL", DEFAULT_TIMESTAMP_URL)
        cmd += ["/tr", url, "/sha1", str(thumbprint)]
    return [*cmd, "/d", "NCII Desk"]


def win_verify(files: list[Path]) -> None:
    signtool = _find_tool(
        "signtool", [r"C:\Program Files (x86)\Windows Kits\10\bin\*\x64\signtool.exe"]
    )
    if signtool is None:
        raise BuildFailed("signtool.exe was not found; install the Windows SDK.")
    run([signtool, "verify", "/pa", "/all", *[str(f) for f in files]])


def win_sign(files: list[Path]) -> bool:
    cmd = signtool_command()
    if cmd is None:
        return False
    run(cmd + [str(f) for f in files])
    win_verify(files)
    return True


def inno_sign_option(cmd: list[str]) -> str:
    """ISCC's /S option: a sign tool named "ncii" that Inno Setup runs on the setup program
    and on the uninstaller it embeds ($f is the file, $q a double quote)."""
    quoted = " ".join(f"$q{part}$q" if (" " in part or "\\" in part) else part for part in cmd)
    return f"/Sncii={quoted} $f"


def win_installer(dist: Path, sign_cmd: list[str] | None) -> Path:
    iscc = _find_tool(
        "iscc",
        [
            r"C:\Program Files (x86)\Inno Setup 6\ISCC.exe",
            r"C:\Program Files\Inno Setup 6\ISCC.exe",
        ],
    )
    if iscc is None:
        raise BuildFailed("Inno Setup's ISCC.exe was not found; install Inno Setup 6.")
    run(
        [
            iscc,
            f"/DAppVersion={__version__}",
            f"/DSourceDir={dist / APP}",
            f"/DOutputDir={dist}",
            f"/DRepoDir={REPO}",
            *([inno_sign_option(sign_cmd), "/DSignInstaller=1"] if sign_cmd else []),
            str(HERE / "windows" / "ncii-desk.iss"),
        ]
    )
    return dist / f"{APP}-{__version__}-windows-x64-setup.exe"


def zip_folder(dist: Path) -> Path:
    base = dist / f"{APP}-{__version__}-windows-x64-portable"
    log(f"writing {base.name}.zip")
    return Path(shutil.make_archive(str(base), "zip", root_dir=dist, base_dir=APP))


# --- smoke test and checksums -----------------------------------------------------------------


def smoke(dist: Path, without_models: bool) -> tuple[float, dict[str, Any]]:
    """Run the frozen selftest as a fresh user would: own home, no model path, no display.

    A build made with --skip-models has no weights to run: its smoke test leaves out the
    models check (and says so) instead of failing on it.
    """
    from ncii_desk.services.selftest import CHECKS

    exe = cli_path(dist)
    if not exe.is_file():
        raise BuildFailed(f"{exe} does not exist: build first.")
    with tempfile.TemporaryDirectory(prefix="ncii-desk-smoke-") as home:
        env = {k: v for k, v in os.environ.items() if k != "NCII_DESK_MODELS"}
        env.update(HOME=home, USERPROFILE=home, APPDATA=home, LOCALAPPDATA=home)
        env.update({f"XDG_{k}_HOME": str(Path(home) / k.lower()) for k in ("DATA", "CACHE")})
        env.update(XDG_CONFIG_HOME=str(Path(home) / "config"), QT_QPA_PLATFORM="offscreen")
        cmd = [str(exe), "selftest", "--qt", "--json"]
        if without_models:
            skip("the models check of the smoke test: this build carries no model weights.")
            cmd += [arg for name in CHECKS if name != "models" for arg in ("--only", name)]
        log(f"$ {' '.join(cmd)}")
        start = time.monotonic()
        result = subprocess.run(cmd, env=env, capture_output=True, text=True, check=False)
        seconds = time.monotonic() - start
    try:
        report: dict[str, Any] = json.loads(result.stdout)
    except ValueError:
        sys.stderr.write(result.stdout + result.stderr)
        raise BuildFailed(
            f"the frozen selftest printed no report (exit {result.returncode})"
        ) from None
    for check in report.get("checks", []):
        mark = "ok  " if check["ok"] else "FAIL"
        log(f"  {mark} {check['name']:<10} {check['seconds']:6.2f} s  {check['summary']}")
    if result.returncode != 0 or not report.get("ok"):
        sys.stderr.write(result.stderr[-4000:])
        raise BuildFailed(f"the frozen selftest failed (exit {result.returncode})")
    log(f"frozen selftest passed in {seconds:.1f} s (wall clock, including start-up)")
    return seconds, report


def write_sums(dist: Path, artefacts: list[Path]) -> Path:
    sums = dist / "SHA256SUMS"
    lines = [f"{sha256_file(p)}  {p.name}\n" for p in artefacts]
    sums.write_text("".join(lines), "utf-8")
    for artefact, line in zip(artefacts, lines, strict=True):
        (dist / f"{artefact.name}.sha256").write_text(line, "utf-8")
    log(f"wrote {sums.name} ({len(lines)} files)")
    return sums


# --- main ----------------------------------------------------------------------------------------


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--installer", action="store_true", help="also build the installer")
    parser.add_argument("--smoke", action="store_true", help="run the frozen selftest")
    parser.add_argument("--skip-models", action="store_true", help="bundle no model weights")
    parser.add_argument("--cpu-only", action="store_true", help="no CUDA/TensorRT providers")
    parser.add_argument("--clean", action="store_true", help="PyInstaller from scratch")
    parser.add_argument("--no-build", action="store_true", help="use the existing dist/")
    parser.add_argument(
        "--check-models",
        action="store_true",
        help="only find and sha256-check the bundled models (into build/bundled-models)",
    )
    parser.add_argument("--dist", type=Path, default=REPO / "dist")
    parser.add_argument("--work", type=Path, default=REPO / "build" / "pyinstaller")
    args = parser.parse_args(argv)
    dist, work = args.dist.resolve(), args.work.resolve()
    info: dict[str, Any] = {"version": __version__, "platform": platform.platform()}
    info_path = dist / "build-info.json"
    if info_path.is_file():
        info = {**json.loads(info_path.read_text("utf-8")), **info}
    try:
        if args.check_models:
            staged = bundle_models.stage(REPO, work.parent / "bundled-models")
            for item in staged:
                log(f"{item.sha256}  {item.relpath}  ({item.source})")
            return 0
        if not args.no_build:
            if args.skip_models:
                skip("bundling model weights (--skip-models): the selftest will need them placed.")
            else:
                staged = bundle_models.stage(REPO, work.parent / "bundled-models")
                names = [s.name for s in staged if not s.name.startswith("licence of")]
                log(f"model files verified (sha256): {', '.join(names)}")
            seconds = pyinstaller(args, dist, work)
            size = folder_size(dist / APP)
            info.update(build_seconds=round(seconds, 1), folder_bytes=size)
            info.update(skip_models=args.skip_models, cpu_only=args.cpu_only)
            log(f"folder build {dist / APP}: {mib(size)} in {seconds:.0f} s")
        artefacts: list[Path] = []
        if args.installer:
            start = time.monotonic()
            if IS_MAC:
                signed = mac_sign_app(dist / MAC_APP)
                dmg = mac_dmg(dist, signed)
                mac_notarise(dmg, signed)
                artefacts.append(dmg)
            elif IS_WIN:
                signed = win_sign([dist / APP / f"{APP}.exe", dist / APP / f"{APP}-gui.exe"])
                # Inno Setup signs the setup program and the uninstaller inside it.
                setup = win_installer(dist, signtool_command() if signed else None)
                if signed:
                    win_verify([setup])
                artefacts += [setup, zip_folder(dist)]
            else:
                artefacts.append(linux_tarball(dist, "-cpu" if info.get("cpu_only") else ""))
            info["installer_seconds"] = round(time.monotonic() - start, 1)
            log(f"installer step took {info['installer_seconds']:.0f} s")
            info["artefacts"] = {p.name: p.stat().st_size for p in artefacts}
            for p in artefacts:
                log(f"{p.name}: {mib(p.stat().st_size)}")
            write_sums(dist, artefacts)
        if args.smoke:
            seconds, report = smoke(dist, bool(info.get("skip_models")))
            info.update(smoke_seconds=round(seconds, 1), selftest_seconds=report["seconds"])
            info["selftest_versions"] = report["versions"]
    except (BuildFailed, bundle_models.ModelBundleError) as exc:
        sys.stderr.write(f"\n[build] FAILED: {exc}\n")
        return 1
    dist.mkdir(parents=True, exist_ok=True)
    info_path.write_text(json.dumps(info, indent=2) + "\n", "utf-8")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
