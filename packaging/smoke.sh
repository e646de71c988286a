#!/usr/bin/env bash
# Smoke test of the frozen app: runs its selftest the way a fresh user's first start would
# see it. No Python needed; it runs the built executable only.
#
#     packaging/smoke.sh                  # dist/ncii-desk (or dist/NCII Desk.app on macOS)
#     packaging/smoke.sh path/to/ncii-desk [extra selftest options, e.g. --json]
#
# Isolation: a throwaway HOME and XDG folders (so no user models folder or vault is seen),
# NCII_DESK_MODELS unset (only the bundled models count), and Qt on its offscreen platform.
# Exit status is the selftest's: 0 when every check passed.
set -euo pipefail
cd "$(dirname "$0")/.."

exe=${1:-}
if [ -n "$exe" ]; then
    shift
elif [ -x "dist/NCII Desk.app/Contents/MacOS/ncii-desk" ]; then
    exe="dist/NCII Desk.app/Contents/MacOS/ncii-desk"
elif [ -x dist/ncii-desk/ncii-desk.exe ]; then
    exe=dist/ncii-desk/ncii-desk.exe
else
    exe=dist/ncii-desk/ncii-desk
fi
if [ ! -x "$exe" ]; then
    echo "No frozen build at $exe: run 'python packaging/build.py' first." >&2
    exit 2
fi

home=$(mktemp -d "${TMPDIR:-/tmp}/ncii-desk-smoke.XXXXXX")
trap 'rm -rf "$home"' EXIT
unset NCII_DESK_MODELS NCII_DESK_VAULT NCII_DESK_PASSPHRASE
export HOME="$home" USERPROFILE="$home" APPDATA="$home" LOCALAPPDATA="$home"
export XDG_DATA_HOME="$home/data" XDG_CACHE_HOME="$home/cache" XDG_CONFIG_HOME="$home/config"
export QT_QPA_PLATFORM=offscreen

start=$(date +%s)
status=0
"$exe" selftest --qt "$@" || status=$?
echo "frozen selftest: exit $status after $(( $(date +%s) - start )) s ($exe)"
exit "$status"
