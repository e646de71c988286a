"""Hash-pinned lock files for the frozen builds, one per platform, in packaging/locks/.

    python -m pip install uv            # the resolver (any recent uv)
    python packaging/lock.py            # write packaging/locks/*.txt
    python packaging/lock.py --check    # no network: do the locks cover pyproject.toml?

Each lock pins ncii-desk's runtime dependencies, PyInstaller (the "packaging" extra) and the
build backend (setuptools, wheel) for one target, with the sha256 of every file PyPI has for
each pinned version. The release workflow and .ci/run's frozen build install from them:

    python -m pip install --require-hashes -r packaging/locks/linux.txt
    python -m pip install --no-deps --no-build-isolation .

so two builds of one commit use the same bytes. Users keep the README's plain commands. The
scheduled workflow .github/workflows/locks.yml runs this script and proposes the result as a
pull request, where the usual tests run against it.
"""

from __future__ import annotations

import argparse
import os
import re
import subprocess
import sys
import tomllib
from dataclasses import dataclass
from pathlib import Path

HERE = Path(__file__).resolve().parent
REPO = HERE.parent
LOCKS = HERE / "locks"
PYTHON = "3.11"


@dataclass(frozen=True)
class Target:
    name: str  # the lock's file name, without .txt
    platform: str  # uv's --python-platform
    sys_platform: str  # for evaluating pyproject's markers in --check
    machine: str
    macos: str = ""  # MACOSX_DEPLOYMENT_TARGET: the oldest macOS the wheels must support


TARGETS = (
    # The CI builds on Ubuntu 22.04 (glibc 2.35); QtWebEngine needs manylinux_2_34 or newer.
    Target("linux", "x86_64-manylinux_2_35", "linux", "x86_64"),
    Target("windows", "x86_64-pc-windows-msvc", "win32", "AMD64"),
    Target("macos-arm64", "aarch64-apple-darwin", "darwin", "arm64", macos="14.0"),
    Target("macos-x86_64", "x86_64-apple-darwin", "darwin", "x86_64", macos="14.0"),
)

HEADER = """\
# Hash-pinned lock for the {name} build of NCII Desk (Python {python}, {platform}).
# Made by packaging/lock.py with uv; do not edit by hand. Install with:
#   python -m pip install --require-hashes -r packaging/locks/{name}.txt
#   python -m pip install --no-deps --no-build-isolation .
"""


def compile_lock(target: Target, uv: str) -> Path:
    out = LOCKS / f"{target.name}.txt"
    env = dict(os.environ)
    if target.macos:
        env["MACOSX_DEPLOYMENT_TARGET"] = target.macos
    cmd = [
        uv, "pip", "compile", str(REPO / "pyproject.toml"), str(LOCKS / "build-system.in"),
        "--extra", "packaging", "--generate-hashes", "--python-version", PYTHON,
        "--python-platform", target.platform, "--no-header", "--annotation-style", "line",
        "--no-strip-extras",
    ]  # fmt: skip
    result = subprocess.run(cmd, env=env, cwd=REPO, capture_output=True, text=True, check=False)
    if result.returncode != 0:
        raise SystemExit(f"uv pip compile failed for {target.name}:\n{result.stderr}")
    header = HEADER.format(name=target.name, python=PYTHON, platform=target.platform)
    out.write_text(header + result.stdout, "utf-8")
    return out


def pinned(lock: Path) -> dict[str, str]:
    """Package name (normalised) -> pinned version."""
    pins: dict[str, str] = {}
    for line in lock.read_text("utf-8").splitlines():
        m = re.match(r"^([A-Za-z0-9._-]+)(\[[^\]]*\])?==([^\s;\\]+)", line)
        if m:
            pins[re.sub(r"[-_.]+", "-", m.group(1)).lower()] = m.group(3)
    return pins


def check(targets: tuple[Target, ...] = TARGETS) -> list[str]:
    """Problems: a lock missing, a direct requirement not pinned, a pin without hashes."""
    from packaging.requirements import Requirement

    project = tomllib.loads((REPO / "pyproject.toml").read_text("utf-8"))["project"]
    wanted = [*project["dependencies"], *project["optional-dependencies"]["packaging"]]
    problems: list[str] = []
    for target in targets:
        lock = LOCKS / f"{target.name}.txt"
        if not lock.is_file():
            problems.append(f"{lock.relative_to(REPO)} is missing")
            continue
        text = lock.read_text("utf-8")
        pins = pinned(lock)
        env = {"sys_platform": target.sys_platform, "platform_machine": target.machine}
        env["platform_system"] = {"linux": "Linux", "win32": "Windows"}.get(
            target.sys_platform, "Darwin"
        )
        for line in wanted:
            req = Requirement(line)
            if req.marker is not None and not req.marker.evaluate(env):
                continue
            key = re.sub(r"[-_.]+", "-", req.name).lower()
            version = pins.get(key)
            if version is None:
                problems.append(f"{lock.name}: {req.name} is not pinned")
            elif not req.specifier.contains(version, prereleases=True):
                problems.append(f"{lock.name}: {req.name}=={version} does not meet {req}")
        entries = re.split(r"\n(?=[A-Za-z0-9])", text.split("\n\n", 1)[-1])
        for entry in entries:
            if "==" in entry.split("\n", 1)[0] and "--hash=sha256:" not in entry:
                problems.append(f"{lock.name}: {entry.split()[0]} has no hash")
    return problems


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--check", action="store_true", help="only check the existing locks")
    parser.add_argument("--uv", default="uv", help="the uv executable")
    parser.add_argument("--only", action="append", choices=[t.name for t in TARGETS])
    args = parser.parse_args(argv)
    targets = tuple(t for t in TARGETS if not args.only or t.name in args.only)
    if not args.check:
        for target in targets:
            path = compile_lock(target, args.uv)
            sys.stdout.write(f"wrote {path.relative_to(REPO)} ({len(pinned(path))} pins)\n")
    problems = check(targets)
    for problem in problems:
        sys.stderr.write(f"lock: {problem}\n")
    if problems:
        sys.stderr.write("Run python packaging/lock.py (needs uv) to make the locks again.\n")
        return 1
    sys.stdout.write(f"locks cover pyproject.toml: {', '.join(t.name for t in targets)}\n")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
