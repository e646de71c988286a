"""Write THIRD-PARTY-NOTICES.txt: every package and model this build of NCII Desk ships.

    python packaging/notices.py                      # build/THIRD-PARTY-NOTICES.txt
    python packaging/notices.py --out FILE --frozen  # as the PyInstaller spec makes it

The text comes from ncii_desk.services.notices: the dependency closure of ncii-desk in the
environment this runs in (so run it in the build environment, installed from the lock file),
each package's licence expression and licence files, the GPL libraries inside the wheels, and
every model models/manifest.toml marks as bundled with its source, licence and training-data
caveat. --frozen adds PyInstaller, whose bootloader is part of a frozen build; --no-models
leaves the models out (a build made with --skip-models carries none).
"""

from __future__ import annotations

import argparse
import sys
from importlib.metadata import PackageNotFoundError, version
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))

from ncii_desk.services import notices  # noqa: E402


def write(out: Path, *, frozen: bool, with_models: bool) -> Path:
    components = notices.runtime_components(["pyinstaller"] if frozen else [])
    models = notices.bundled_models() if with_models else []
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(notices.build_notices(components, models), "utf-8")
    return out


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, default=REPO / "build" / notices.NOTICES_NAME)
    parser.add_argument("--frozen", action="store_true", help="include PyInstaller")
    parser.add_argument("--no-models", action="store_true", help="list no bundled models")
    args = parser.parse_args(argv)
    _, missing = notices.dependency_closure()
    if args.frozen:
        try:
            version("pyinstaller")
        except PackageNotFoundError:
            missing.append("pyinstaller (for --frozen)")
    if missing:
        sys.stderr.write(
            "error: these requirements of ncii-desk are not installed here: "
            + ", ".join(missing)
            + "\n  Install NCII Desk from the lock file first (see packaging/README.md).\n"
        )
        return 1
    path = write(args.out, frozen=args.frozen, with_models=not args.no_models)
    sys.stdout.write(f"Wrote {path} ({path.stat().st_size} bytes).\n")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
