#!/usr/bin/env bash
# Installs what StreamChat needs on Debian/Ubuntu: system libraries, a venv in .venv with the
# app (pinned), and the companion page built from web/. `--test` adds the test tools
# (gnome-keyring, Xvfb, Chromium, Node packages for the page's tests).
set -euo pipefail
cd "$(dirname "$0")/.."

with_tests=0
[[ "${1:-}" == "--test" ]] && with_tests=1

apt_packages=(
  python3-venv libegl1 libgl1 libxkbcommon0 libxkbcommon-x11-0 libfontconfig1 libglib2.0-0
  libdbus-1-3 libxcb-cursor0 libxcb-icccm4 libxcb-image0 libxcb-keysyms1 libxcb-render-util0
  libxcb-shape0 fonts-dejavu-core nodejs npm
)
if (( with_tests )); then
  apt_packages+=(gnome-keyring dbus-daemon dbus-x11 xvfb xauth chromium binutils desktop-file-utils appstream)
fi

missing=()
for pkg in "${apt_packages[@]}"; do
  dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null | grep -q "install ok installed" || missing+=("$pkg")
done
# Node may come from outside apt (nodesource, nvm): keep it if it's already there.
if command -v node >/dev/null && command -v npm >/dev/null; then
  missing=("${missing[@]/nodejs}"); missing=("${missing[@]/npm}")
fi
missing=($(printf '%s\n' "${missing[@]}" | grep -v '^$' || true))
if (( ${#missing[@]} )); then
  echo "setup: installing system packages: ${missing[*]}"
  sudo_cmd=()
  [[ $(id -u) -ne 0 ]] && sudo_cmd=(sudo)
  "${sudo_cmd[@]}" apt-get update -qq
  DEBIAN_FRONTEND=noninteractive "${sudo_cmd[@]}" apt-get install -y -qq --no-install-recommends "${missing[@]}"
fi

python3 -m venv .venv
.venv/bin/python -m pip install -q --upgrade pip
if (( with_tests )); then
  .venv/bin/pip install -q -e ".[test,build,bench]"
else
  .venv/bin/pip install -q -e .
fi

if [[ -f web/package.json ]]; then
  (cd web && npm ci --no-audit --no-fund --loglevel=error && npm run build --silent)
fi
echo "setup: done"
