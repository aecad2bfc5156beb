#!/usr/bin/env bash
# Inside a D-Bus session: start gnome-keyring's Secret Service, unlocked, then run "$@".
set -euo pipefail
password="streamchat-test-keyring"
export XDG_DATA_HOME="${XDG_DATA_HOME:-$(mktemp -d)}"
eval "$(printf %s "$password" | gnome-keyring-daemon --unlock --components=secrets)"
export GNOME_KEYRING_CONTROL
exec "$@"
