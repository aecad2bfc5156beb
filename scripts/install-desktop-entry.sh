#!/usr/bin/env bash
# Put StreamChat in the desktop's application menu (Linux, per user, no root):
# the .desktop entry, the icons in the hicolor theme, and the AppStream metadata.
#   bash scripts/install-desktop-entry.sh [PATH-TO-streamchat]
# The default executable is the one-folder build, else the venv's `streamchat`.
set -euo pipefail
cd "$(dirname "$0")/.."
app_id="io.github.streamchat.StreamChat"
exe="${1:-}"
if [[ -z "$exe" ]]; then
  for candidate in "$PWD/dist/streamchat/streamchat" "$PWD/.venv/bin/streamchat"; do
    [[ -x "$candidate" ]] && { exe="$candidate"; break; }
  done
fi
[[ -n "$exe" && -x "$exe" ]] || { echo "install-desktop-entry: no streamchat executable found; build it or pass its path" >&2; exit 1; }

data="${XDG_DATA_HOME:-$HOME/.local/share}"
install -d "$data/applications" "$data/metainfo"
for png in resources/icons/streamchat-*.png; do
  size="${png##*-}"; size="${size%.png}"
  install -D -m 644 "$png" "$data/icons/hicolor/${size}x${size}/apps/$app_id.png"
done
install -D -m 644 resources/streamchat.svg "$data/icons/hicolor/scalable/apps/$app_id.svg"
install -m 644 "resources/$app_id.metainfo.xml" "$data/metainfo/"
# The entry runs this executable by its absolute path (it may not be on PATH).
sed -e "s|^Exec=streamchat |Exec=\"$exe\" |" -e "s|^TryExec=streamchat$|TryExec=$exe|" \
  "resources/$app_id.desktop" > "$data/applications/$app_id.desktop"
command -v update-desktop-database >/dev/null && update-desktop-database -q "$data/applications" || true
command -v gtk-update-icon-cache >/dev/null && gtk-update-icon-cache -q -t "$data/icons/hicolor" || true
echo "installed $data/applications/$app_id.desktop → $exe"
