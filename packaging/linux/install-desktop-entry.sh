#!/bin/sh
# Adds NCII Desk to the application menu of this user (no administrator rights needed), or
# removes it again with --remove. Run it from the unpacked folder:
#     ./install-desktop-entry.sh            ./install-desktop-entry.sh --remove
# It only writes a menu entry and an icon; the program stays where it was unpacked.
set -eu
here=$(cd "$(dirname "$0")" && pwd)
data=${XDG_DATA_HOME:-$HOME/.local/share}
entry="$data/applications/ncii-desk.desktop"
icon="$data/icons/hicolor/256x256/apps/ncii-desk.png"

if [ "${1:-}" = "--remove" ]; then
    rm -f "$entry" "$icon"
    echo "Removed the NCII Desk menu entry. The program folder and your vault are untouched."
    exit 0
fi

if [ ! -x "$here/ncii-desk-gui" ]; then
    echo "Run this script from the unpacked NCII Desk folder (ncii-desk-gui was not found)." >&2
    exit 1
fi
mkdir -p "$(dirname "$entry")" "$(dirname "$icon")"
cp "$here/_internal/assets/icons/ncii-desk.png" "$icon"
# Exec takes a quoted path (inside quotes, \ " ` and $ need a backslash); TryExec a plain one.
quoted=$(printf '%s' "$here/ncii-desk-gui" | sed 's/[\\"`$]/\\&/g')
{
    cat "$here/ncii-desk.desktop"
    printf 'Exec="%s" %%F\nTryExec=%s\n' "$quoted" "$here/ncii-desk-gui"
} > "$entry"
chmod 644 "$entry"
command -v update-desktop-database >/dev/null 2>&1 && update-desktop-database "$(dirname "$entry")" || true
echo "NCII Desk is now in your application menu ($entry)."
