#!/usr/bin/env bash
# The end-to-end, browser and keychain tiers (pytest marks e2e, browser, keychain; not the
# frozen build, which CI checks after building it), N rounds (default 5), each in a new
# random order, while two CPU-bound busy loops compete for the cores: a test that races
# the clock instead of waiting for a fact fails here first.
#
#   bash scripts/stress-tests.sh [ROUNDS] [extra pytest arguments…]
#
# Every failure is printed with the seed of its round (rerun that order with
# `.venv/bin/pytest -p randomly --randomly-seed=SEED -m "e2e or browser or keychain"`),
# then one summary line. Exit status 0 only if every round passed. The busy loops are
# this script's own children, stopped by PID when it ends, however it ends; a round under
# way is interrupted like Ctrl+C, so its fixtures stop their own daemons and programs.
set -uo pipefail
cd "$(dirname "$0")/.."
export QT_QPA_PLATFORM=offscreen

rounds="${1:-5}"
shift $(( $# > 0 ? 1 : 0 ))
if ! [[ "$rounds" =~ ^[1-9][0-9]*$ ]]; then
  echo "usage: bash scripts/stress-tests.sh [ROUNDS] [pytest arguments…]" >&2
  exit 2
fi

logs=$(mktemp -d "${TMPDIR:-/tmp}/stress-tests.XXXXXX")
busy_pids=()
pytest_pid=""

stop_busy_loops() {
  local pid
  for pid in "${busy_pids[@]}"; do
    kill "$pid" 2>/dev/null
    wait "$pid" 2>/dev/null
  done
  busy_pids=()
}
interrupted() {
  if [[ -n "$pytest_pid" ]]; then
    kill -INT "$pytest_pid" 2>/dev/null
    wait "$pytest_pid" 2>/dev/null
  fi
  stop_busy_loops
  exit 130
}
trap stop_busy_loops EXIT
trap interrupted INT TERM

for _ in 1 2; do
  .venv/bin/python -c "while True: pass" &
  busy_pids+=("$!")
done
echo "stress: $rounds rounds; busy loops ${busy_pids[*]}; logs in $logs"

with_sigint='import os, signal, sys; signal.signal(signal.SIGINT, signal.SIG_DFL); os.execv(sys.argv[1], sys.argv[1:])'
passed=0
failures=0
failed_seeds=()
started=$SECONDS
for (( round = 1; round <= rounds; round++ )); do
  seed=$(( (RANDOM << 15 | RANDOM) ))
  log="$logs/round-$round-seed-$seed.log"
  round_started=$SECONDS
  # In the background (so a signal reaches the trap at once), with Ctrl+C restored: bash
  # starts background jobs with SIGINT ignored, and pytest tears down only on SIGINT.
  STREAMCHAT_NO_SKIPS=1 .venv/bin/python -c "$with_sigint" .venv/bin/pytest \
    -p no:cacheprovider -p randomly --randomly-seed="$seed" -q -ra \
    -m "(e2e or browser or keychain) and not frozen" "$@" tests >"$log" 2>&1 &
  pytest_pid=$!
  wait "$pytest_pid"
  status=$?
  pytest_pid=""
  summary=$(tail -n 1 "$log")
  echo "round $round/$rounds seed=$seed ($(( SECONDS - round_started )) s): $summary"
  if (( status == 0 )); then
    passed=$(( passed + 1 ))
  else
    failed_seeds+=("$seed")
    while IFS= read -r line; do
      echo "  FAILURE seed=$seed: ${line#* }"
      failures=$(( failures + 1 ))
    done < <(grep -E '^(FAILED|ERROR) ' "$log")
    (( status == 5 )) && echo "  FAILURE seed=$seed: no tests collected"
  fi
done

seeds="${failed_seeds[*]:-none}"
echo "stress summary: $passed/$rounds rounds passed, $failures failures," \
  "seeds of failed rounds: $seeds, $(( SECONDS - started )) s"
(( passed == rounds ))
