#!/usr/bin/env bash
# Installs everything, then runs the whole suite: lint, types, the companion page's tests,
# the Python tests (inside a private D-Bus session with an unlocked gnome-keyring, so the
# keychain tests use a real Secret Service), the PyInstaller build and its frozen checks.
set -euo pipefail
cd "$(dirname "$0")/.."
export QT_QPA_PLATFORM=offscreen

bash scripts/setup.sh --test

echo "== lint and types"
.venv/bin/ruff check streamchat_desktop tests bench
.venv/bin/ruff format --check streamchat_desktop tests bench
.venv/bin/mypy

if [[ -f web/package.json ]]; then
  echo "== companion page tests (vitest)"
  (cd web && npx vitest run)
fi

echo "== packaged build (PyInstaller, one folder)"
rm -rf build dist
.venv/bin/pyinstaller pyinstaller.spec --noconfirm --log-level WARN
du -sh dist/streamchat | awk '{print "one-folder build size: " $1}'
echo "== packaged build (PyInstaller, one file)"
STREAMCHAT_ONEFILE=1 .venv/bin/pyinstaller pyinstaller.spec --noconfirm --log-level WARN
du -sh dist/streamchat-onefile | awk '{print "one-file build size: " $1}'

# In a new random order each run (pytest-randomly): its header line
# "Using --randomly-seed=N" is the order's seed; pass `-p randomly --randomly-seed=N`
# to run that order again, `-p no:randomly` to run in file order.
echo "== python tests, shuffled (real keychain in a private D-Bus session)"
set +e
STREAMCHAT_NO_SKIPS=1 dbus-run-session -- bash scripts/with-keyring.sh \
  .venv/bin/pytest -p no:cacheprovider -p randomly -ra "$@"
status=$?
set -e
if (( status == 5 )); then
  echo "pytest collected no tests: failing" >&2
  exit 1
fi
(( status == 0 )) || exit $status

# The benchmarks run too (short modes), so their scripts never rot. They print figures
# beside their baselines; CI does not judge speed on a shared machine.
echo "== benchmarks (quick; figures only)"
.venv/bin/python bench/render.py --quick | tail -n 1
.venv/bin/python bench/transcript.py --quick | tail -n 1
.venv/bin/python bench/companion.py --quick | tail -n 1
.venv/bin/python bench/history.py --messages 20000 --search-runs 2 | tail -n 1
.venv/bin/python bench/startup.py --runs 2 --frozen-references | tail -n 1
.venv/bin/python bench/stream.py --quick | tail -n 1
