#!/usr/bin/env bash
# Builds the packaged app with PyInstaller, then checks it with its own --selftest.
#   bash scripts/build_exe.sh            -> dist/streamchat/streamchat (one folder, fastest start)
#   bash scripts/build_exe.sh --onefile  -> dist/streamchat-onefile    (one file, unpacks per start)
# Needs the venv from `bash scripts/setup.sh --test` (PyInstaller is in the [build] extra) and,
# for the companion page, its build (setup.sh does it).
set -euo pipefail
cd "$(dirname "$0")/.."

if [[ "${1:-}" == "--onefile" ]]; then
  export STREAMCHAT_ONEFILE=1
  target=dist/streamchat-onefile
else
  unset STREAMCHAT_ONEFILE
  target=dist/streamchat/streamchat
fi

.venv/bin/pyinstaller pyinstaller.spec --noconfirm --log-level WARN
if [[ "$target" == dist/streamchat/streamchat ]]; then
  du -sh dist/streamchat | awk '{print "build size (one folder, MiB): " $1}'
else
  du -sh "$target" | awk '{print "build size (one file, MiB): " $1}'
fi
# The selftest needs a display or offscreen Qt; the keychain line fails without a
# Secret Service (run inside scripts/with-keyring.sh for a full pass).
QT_QPA_PLATFORM="${QT_QPA_PLATFORM:-offscreen}" "$target" --selftest || {
  echo "build_exe: selftest reported failures (see above)" >&2
  exit 1
}
